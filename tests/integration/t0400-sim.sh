#!/usr/bin/env bash
# corral sim: the simulator on the first 2,000 jobs of the KTH-SP2 log and
# on the first 1,000 jobs of a published EASY schedule of it (tests/data/,
# see the README there).  Pins our figures for every policy so a change in
# the scheduling core that alters decisions shows here; checks options,
# errors, the SVG and SWF outputs, and that a schedule we write replays
# identically.  No daemon is started.
. "$(dirname "$0")/lib/harness.sh"

DATA=$(cd "$(dirname "$0")/../data" && pwd)
TRACE=$DATA/KTH-SP2-1996-2.1-cln.first2000.swf.gz
REF=$DATA/KTH-SP2.res_easy_backfill_scheduler_None_None.first1000.swf.gz
T=$CORRAL_HOME

# jobs skipped makespan_s mean_wait_s*1000 max_wait_s mean_bsld*10000
# utilization*10000 backfilled
FIG='[.jobs, .skipped, .makespan_s, (.mean_wait_s*1000|round), .max_wait_s, (.mean_bsld*10000|round), (.utilization*10000|round), .backfilled] | @tsv'
figures() { corral sim --trace "$TRACE" --json "$@" | jq -r "$FIG" | tr '\t' ' '; }

# ---- usage and errors
corral sim --help >"$T/help" 2>&1
ok $? "corral sim --help exits 0"
grep -q "^SYNOPSIS" "$T/help" && grep -q -- "--policy" "$T/help"
ok $? "the help is a man-style page naming the options"
corral --help 2>&1 | grep -q "corral sim"
ok $? "corral --help lists sim"
corral sim >/dev/null 2>"$T/err"
is "$?" 2 "no --trace: exit 2"
grep -q -- "--trace FILE is required" "$T/err"
ok $? "and says --trace is required"
corral sim --trace "$TRACE" --policy sjf >/dev/null 2>"$T/err"
is "$?" 2 "an unknown policy: exit 2"
grep -q "unknown policy 'sjf'" "$T/err"
ok $? "and names it"
corral sim --trace "$TRACE" --nodes 0 >/dev/null 2>&1
is "$?" 2 "--nodes 0: exit 2"
corral sim --trace "$TRACE" --jobs >/dev/null 2>"$T/err"
is "$?" 2 "an option without its value: exit 2"
corral sim --trace "$TRACE" --bogus >/dev/null 2>"$T/err"
is "$?" 2 "an unknown option: exit 2"
corral sim --trace "$T/none.swf" >/dev/null 2>"$T/err"
is "$?" 1 "a missing file: exit 1"
grep -q "none.swf: No such file" "$T/err"
ok $? "with the file and the reason"
corral sim --trace "$T" >/dev/null 2>"$T/err"
is "$?" 1 "a directory: exit 1"
head -c 3000 "$TRACE" >"$T/cut.gz"
corral sim --trace "$T/cut.gz" >/dev/null 2>"$T/err"
is "$?" 1 "a truncated gzip file: exit 1"
grep -q "truncated" "$T/err"
ok $? "and says so"
printf 'hello\nworld\n' >"$T/text.swf"
corral sim --trace "$T/text.swf" >/dev/null 2>"$T/err"
is "$?" 1 "a file without jobs: exit 1"
grep -q "no usable jobs" "$T/err"
ok $? "and says so"
printf '1 0 0 10 1 -1 -1 1 20 -1 1 1 1 -1 1 1 -1 -1\n' >"$T/nohdr.swf"
corral sim --trace "$T/nohdr.swf" >/dev/null 2>"$T/err"
is "$?" 2 "no MaxProcs and no --nodes: exit 2"
grep -q "give --nodes" "$T/err"
ok $? "and says what to give"

# ---- skipped records are counted by reason
cat >"$T/mixed.swf" <<'EOF'
; MaxProcs: 4
1 0 0 10 1 -1 -1 1 20 -1 1 1 1 -1 1 1 -1 -1
2 1 0 0 1 -1 -1 1 20 -1 1 1 1 -1 1 1 -1 -1
3 2 0 10 -1 -1 -1 -1 20 -1 1 1 1 -1 1 1 -1 -1
4 3 0 10 1 -1 -1 1 -1 -1 1 1 1 -1 1 1 -1 -1
5 4 0 10 8 -1 -1 8 20 -1 1 1 1 -1 1 1 -1 -1
6 5 0 10 1 -1 -1
7 6 0 30 2 -1 -1 2 20 -1 1 1 1 -1 1 1 -1 -1
EOF
out=$(corral sim --trace "$T/mixed.swf" --json 2>/dev/null | jq -r '[.jobs, .skipped, .skipped_by_reason.runtime, .skipped_by_reason.size, .skipped_by_reason.reqtime, .skipped_by_reason.malformed, .skipped_by_reason.too_large, .max_wait_s] | @tsv' | tr '\t' ' ')
is "$out" "2 5 1 1 1 1 1 0" "skipped by reason: run time, size, requested time, malformed, too large"
corral sim --trace "$T/mixed.swf" >"$T/out" 2>"$T/err"
grep -q "1 malformed lines skipped (the first is line 7)" "$T/err"
ok $? "malformed lines are reported with the first one's number"
out=$(corral sim --trace "$T/mixed.swf" --output "$T/mixed.out" --json | jq -r .makespan_s)
is "$out" 26 "a job over its request is killed at it (job 7: from 6, 30 s run, 20 s asked)"
out=$(corral sim --trace "$T/mixed.swf" --estimates actual --json | jq -r '[.jobs, .makespan_s] | @tsv' | tr '\t' ' ')
is "$out" "3 36" "--estimates actual: no requested time needed, nobody killed"

# ---- pinned figures on the KTH sample
is "$(figures --policy fcfs)" "2000 0 2114131 37790430 141277 8550247 6037 0" "fcfs figures"
is "$(figures --policy easy)" "2000 0 2069601 5802256 168085 886884 6167 1077" "easy figures"
is "$(figures --policy easy++)" "2000 0 2069601 5293072 216675 701434 6167 1168" "easy++ (Tsafrir) figures"
is "$(figures --policy easy --predictor exact)" "2000 0 2069601 5228017 168085 715335 6167 1081" "easy with exact run times"
is "$(figures --policy conservative)" "2000 0 2069601 5201084 109019 719073 6167 973" "conservative figures"
is "$(figures --nodes 25 --cpus-per-node 4)" "2000 0 2069601 5290861 169262 747533 6167 1079" "easy on 25 nodes of 4 cpus"
is "$(figures --policy conservative --nodes 25 --cpus-per-node 4)" "2000 0 2069601 4778328 110196 593659 6167 991" "conservative on 25 nodes of 4 cpus"
is "$(figures --estimates actual)" "2000 0 2069601 5237269 168085 714052 6171 1083" "easy told the actual run times"
out=$(corral sim --trace "$TRACE" --skip 100 --jobs 500 --json | jq -r '[.jobs, .outside_window] | @tsv' | tr '\t' ' ')
is "$out" "500 1500" "--skip 100 --jobs 500"
out=$(zcat "$TRACE" | corral sim --trace - --json | jq -r .jobs)
is "$out" 2000 "the trace from stdin"
n=$(corral sim --trace "$TRACE" --json | jq '.classes | length')
is "$n" 5 "five size classes"

# ---- text, SVG, SWF, progress
corral sim --trace "$TRACE" >"$T/text"
grep -q "^utilization   0.617" "$T/text" && grep -q "^65-256 " "$T/text"
ok $? "the text report"
corral sim --trace "$TRACE" --svg "$T/sim.svg" --output "$T/sched.swf" --progress >/dev/null 2>"$T/err"
ok $? "--svg, --output and --progress"
head -c 200 "$T/sim.svg" | grep -q "<svg" && tail -1 "$T/sim.svg" | grep -q "</svg>"
ok $? "the SVG is a whole document"
grep -q "Queue length" "$T/sim.svg" && grep -q "Wait time distribution" "$T/sim.svg"
ok $? "with the queue length and the wait distribution"
grep -q "100% 2000/2000 jobs" "$T/err"
ok $? "the progress bar reaches 100%"
is "$(grep -vc '^;' "$T/sched.swf")" 2000 "the schedule has every job"
out=$(corral sim --trace "$T/sched.swf" --reference --json | jq -r '[.reference_identical, .reference_max_diff_s] | @tsv' | tr '\t' ' ')
is "$out" "2000 0" "our schedule, replayed, starts every job at the same second"

# ---- reference schedules
out=$(corral sim --trace "$REF" --reference --json | jq -r '[.jobs, .reference_jobs, .reference_identical, .reference_max_diff_s, (.reference_mean_wait_s*1000|round)] | @tsv' | tr '\t' ' ')
is "$out" "1000 1000 999 33665 2608495" "the published EASY schedule's first 1,000 jobs: 999 identical"
corral sim --trace "$REF" --reference >"$T/text"
grep -q "999 identical (99.90%)" "$T/text"
ok $? "the text report says how many are identical"
out=$(corral sim --trace "$TRACE" --reference --json | jq -r '[.reference_jobs, (.reference_mean_wait_s*1000|round)] | @tsv' | tr '\t' ' ')
is "$out" "2000 26576153" "the production scheduler's waits, from the log"

done_testing
