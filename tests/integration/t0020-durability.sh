#!/usr/bin/env bash
# Acknowledged changes survive kill -9; job ids are not reused.
. "$(dirname "$0")/lib/harness.sh"

start_server || { ok 1 "server starts"; done_testing; }
ok 0 "server starts"

loadgen --jobs 5000 --batch 1 --window 64 --ids "$CORRAL_HOME/acked" >/dev/null
ok $? "5000 single-job submissions acknowledged"
kill9_server
ok 0 "server killed with SIGKILL"

start_server || { ok 1 "server restarts"; done_testing; }
ok 0 "server restarts"
corral call job.stat '{"attrs":["job_state"]}' | grep '"id": "' | sed 's/.*"id": "\(.*\)".*/\1/' | sort >"$CORRAL_HOME/present"
sort "$CORRAL_HOME/acked" >"$CORRAL_HOME/acked.sorted"
missing=$(comm -23 "$CORRAL_HOME/acked.sorted" "$CORRAL_HOME/present" | wc -l)
is "$missing" "0" "every acknowledged job is present after restart"
is "$(wc -l <"$CORRAL_HOME/present")" "5000" "exactly 5000 jobs are present"

# Bulk submissions interrupted by kill -9 while in flight.
loadgen --jobs 20000 --batch 500 --window 4 --ids "$CORRAL_HOME/acked2" >/dev/null 2>&1 &
lg=$!
sleep 0.3
kill9_server
wait $lg 2>/dev/null
start_server || { ok 1 "server restarts again"; done_testing; }
corral call job.stat '{"attrs":["job_state"]}' | grep '"id": "' | sed 's/.*"id": "\(.*\)".*/\1/' | sort >"$CORRAL_HOME/present2"
missing=$(sort "$CORRAL_HOME/acked2" | comm -23 - "$CORRAL_HOME/present2" | wc -l)
is "$missing" "0" "jobs acknowledged before a kill during bulk submission are all present"

# New ids continue after the highest one ever acknowledged.
newid=$(corral call job.submit '{"jobs":[{"attrs":{},"script":"true"}]}' | sed -n 's/.*"id": "\([0-9]*\)\..*/\1/p')
maxid=$(cat "$CORRAL_HOME/acked" "$CORRAL_HOME/acked2" | sed 's/\..*//' | sort -n | tail -1)
[ -n "$newid" ] && [ "$newid" -gt "$maxid" ]
ok $? "a new job id ($newid) is above every acknowledged one ($maxid)"

# A deleted job stays deleted (finished, in history) after kill -9.
id=$(head -1 "$CORRAL_HOME/acked")
corral call job.delete "{\"ids\":[\"$id\"]}" | grep -q '"ok": true'
ok $? "qdel of a queued job acknowledged"
kill9_server
start_server
st=$(corral call job.stat "{\"ids\":[\"$id\"],\"history\":true,\"attrs\":[\"job_state\"]}" | sed -n 's/.*"job_state": "\(.\)".*/\1/p')
is "$st" "F" "the deleted job is finished (history) after restart"
grep -q ";D;$id;" "$CORRAL_HOME"/accounting/*
ok $? "the accounting log has the D record"
grep -q ";Q;$id;" "$CORRAL_HOME"/accounting/*
ok $? "the accounting log has the Q record"
done_testing
