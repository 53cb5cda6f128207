#!/usr/bin/env bash
# Crash consistency under load (issue 6, part 1).
#
# 1. crashload submits, alters, holds, releases and deletes jobs on four
#    pipelined connections while the server is killed with SIGKILL at a
#    random moment (0.2-1.5 s into the round), 20 times in a row, and
#    restarted each time.  crashload journals every acknowledged item;
#    crashload --check then proves that every acknowledged job is there in
#    its last acknowledged state, no id was acknowledged twice, ids grow
#    across rounds, and no job acknowledged as deleted came back.
# 2. A server, its scheduler and four --exec=sim node daemons run 5,000
#    jobs while the scheduler and the node daemons are killed with SIGKILL
#    at random moments and come back (the server restarts its scheduler,
#    the test restarts the node daemons, twice after node_timeout): every
#    job ends exactly once (one E record in the accounting log), no job
#    starts twice without a requeue (R) in between, all 5,000 finish.
#
# ROUNDS (default 20) and JOBS (default 5000) may be lowered by hand for a
# quick look; the suite runs with the defaults.
. "$(dirname "$0")/lib/harness.sh"

ROUNDS=${ROUNDS:-20}
JOBS=${JOBS:-5000}

# rand_sleep MIN_MS MAX_MS: sleep a random time in that range.
rand_sleep() {
	local ms=$(($1 + RANDOM % ($2 - $1 + 1)))
	sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
}

fsize() { stat -c %s "$1" 2>/dev/null || echo 0; }

# ---- 1. the server killed under load ------------------------------------

J=$CORRAL_HOME/journal
start_server || {
	ok 1 "server starts"
	done_testing
}
ok 0 "server starts"

bad_rounds=0
idle_rounds=0
for r in $(seq 1 "$ROUNDS"); do
	size0=$(fsize "$J")
	crashload --journal "$J" --round "$r" --max-seconds 120 \
		>>"$CORRAL_HOME/crashload.out" 2>>"$CORRAL_HOME/crashload.err" &
	lg=$!
	# The kill comes under load: after the round's first acknowledgement
	# (the "R" line is 5 to 8 bytes).
	if ! wait_for 60 sh -c "[ \$(stat -c %s '$J' 2>/dev/null || echo 0) -gt $((size0 + 8)) ]"; then
		idle_rounds=$((idle_rounds + 1))
		echo "# round $r: nothing acknowledged within 60 s"
	fi
	rand_sleep 200 1500
	kill9_server
	# crashload ends as soon as its connections drop (bounded by
	# --max-seconds in any case).
	wait "$lg"
	st=$?
	if [ "$st" -ne 0 ]; then
		bad_rounds=$((bad_rounds + 1))
		echo "# round $r: crashload exited with $st"
	fi
	if ! start_server; then
		ok 1 "server restarts after kill -9 number $r"
		done_testing
	fi
done
is "$bad_rounds/$idle_rounds" "0/0" "$ROUNDS rounds of load, each killed with SIGKILL at a random moment and restarted"
sed 's/^/# /' "$CORRAL_HOME/crashload.out" | tail -3

out=$(crashload --check "$J" 2>"$CORRAL_HOME/check.err")
ok $? "every acknowledged job is present in its last acknowledged state, ids unique and growing, deletions stay"
echo "# $out"
sed 's/^/#   /' "$CORRAL_HOME/check.err" | head -30

# The accounting log is written after the commit and before the replies:
# every acknowledged submission has its Q record and every acknowledged
# deletion its D record; no id has two Q records (no id was reused, even
# among the jobs committed but never acknowledged).
acct=("$CORRAL_HOME"/accounting/*)
grep -h ";Q;" "${acct[@]}" | cut -d';' -f3 | sort >"$CORRAL_HOME/q.ids"
grep -h ";D;" "${acct[@]}" | cut -d';' -f3 | sort >"$CORRAL_HOME/d.ids"
is "$(uniq -d "$CORRAL_HOME/q.ids" | wc -l)/$(uniq -d "$CORRAL_HOME/d.ids" | wc -l)" "0/0" \
	"no job id has two Q or two D records in the accounting log"
awk '$1 == "S" { print $2 }' "$J" | sort | comm -23 - "$CORRAL_HOME/q.ids" >"$CORRAL_HOME/q.missing"
awk '$1 == "D" { print $2 }' "$J" | sort | comm -23 - "$CORRAL_HOME/d.ids" >"$CORRAL_HOME/d.missing"
is "$(wc -l <"$CORRAL_HOME/q.missing")/$(wc -l <"$CORRAL_HOME/d.missing")" "0/0" \
	"every acknowledged submission has its Q record, every acknowledged deletion its D record"

# A new submission gets an id above every one acknowledged before.
maxid=$(awk '$1 == "S" { split($2, a, "."); if (a[1] + 0 > m) m = a[1] + 0 } END { print m + 0 }' "$J")
newid=$(corral call job.submit '{"jobs":[{"attrs":{},"script":"true"}]}' | sed -n 's/.*"id": "\([0-9]*\)\..*/\1/p')
[ -n "$newid" ] && [ "$newid" -gt "$maxid" ]
ok $? "a new job id ($newid) is above every acknowledged one ($maxid)"
echo "# part 1 took $SECONDS s"

stop_server
# Sanitizer reports of the first part's servers count too (done_testing
# reads the current home's daemons.stderr).
H1=$CORRAL_HOME

# ---- 2. scheduler and node daemons killed during 5,000 sim jobs ---------

SECONDS=0
CORRAL_HOME=$H1/part2
mkdir -p "$CORRAL_HOME" && chmod 755 "$CORRAL_HOME"
# The harness removes (or keeps) $CORRAL_HOME at exit: make that the
# first part's home, which holds this one.
trap 'CORRAL_HOME=$H1; _cleanup' EXIT
cat "$H1/daemons.stderr" >>"$CORRAL_HOME/daemons.stderr" 2>/dev/null
CORRAL_SCHED_EXE=$BIN/corral-sched
export CORRAL_SCHED_EXE

sched_pid() { pgrep -P "$SERVER_PID" -x corral-sched | head -1; }
nodes=(sa sb sc sd)
node_up() { # node_up NAME: start a sim daemon serving NAME0..NAME24
	start_node "$1" --exec sim --vnodes 25 --ncpus 4 --mem 64gb
}

node_busy() { # node_busy NAME: one of NAME's vnodes runs a job
	pbsnodes -a 2>/dev/null | awk -v p="$1" '/^[^ ]/ { cur = index($0, p) == 1 }
		cur && /^ *jobs = / { f = 1 } END { exit !f }'
}

start_server || {
	ok 1 "server starts (part 2)"
	done_testing
}
qmgr -c "set server node_timeout=4,node_heartbeat=1"
for n in "${nodes[@]}"; do
	node_up "$n"
done
wait_for 60 sh -c '[ "$(pbsnodes -a | grep -c "^ *state = free$")" -ge 100 ]'
ok $? "the scheduler and 4 sim daemons (100 vnodes, 400 cpus) are up"
wait_for 60 sh -c '[ "$(qmgr -c "list sched default" | sed -n "s/^ *state = //p")" = idle ]'

loadgen --jobs "$JOBS" --batch 250 --window 2 --ids "$CORRAL_HOME/ids" \
	--attr Resource_List.sim_runtime=2 --attr Resource_List.walltime=00:05:00 \
	--attr Output_Path=/dev/null --attr Error_Path=/dev/null >/dev/null
ok $? "$JOBS jobs submitted"

# Kill the scheduler three times and node daemons four times, in random
# order at random moments.  A node daemon comes back after 0.1-1 s, except
# twice after about node_timeout: its running jobs may have been requeued, it
# reports their old runs, and the scheduler may place them there again
# before their ends are reported (an end of an old run must not end the
# new one).
events=(sched sched sched node node node node)
for i in $(seq $((${#events[@]} - 1)) -1 1); do
	k=$((RANDOM % (i + 1)))
	t=${events[$i]}
	events[$i]=${events[$k]}
	events[$k]=$t
done
kills_s=0
kills_n=0
long_down=2
for e in "${events[@]}"; do
	rand_sleep 300 1500
	if [ "$e" = sched ]; then
		wait_for 40 sh -c "pgrep -P $SERVER_PID -x corral-sched >/dev/null"
		p=$(sched_pid)
		if [ -n "$p" ] && kill -KILL "$p" 2>/dev/null; then
			kills_s=$((kills_s + 1))
			echo "# killed the scheduler (pid $p), $(qstat | tail -n +3 | wc -l) jobs left"
		fi
	else
		n=${nodes[$((RANDOM % ${#nodes[@]}))]}
		# The long absence is meant to requeue jobs: pick a daemon that
		# has some (bounded wait; the check below does not depend on it).
		if [ "$long_down" -gt 0 ]; then
			for _ in $(seq 1 40); do
				n=${nodes[$((RANDOM % ${#nodes[@]}))]}
				node_busy "$n" && break
				sleep 0.1
			done
		fi
		{ stop_node "$n" KILL; } 2>/dev/null # (no "Killed" notice)
		kills_n=$((kills_n + 1))
		echo "# killed node daemon $n, $(qstat | tail -n +3 | wc -l) jobs left"
		if [ "$long_down" -gt 0 ]; then
			long_down=$((long_down - 1))
			rand_sleep 4000 4800 # about node_timeout (4 s): requeued or not
		else
			rand_sleep 100 1000
		fi
		node_up "$n"
	fi
done
is "$kills_s/$kills_n" "3/4" "scheduler killed 3 times, node daemons 4 times, at random moments"

left=-1
for _ in $(seq 1 600); do # bounded: 300 s
	left=$(qstat 2>/dev/null | tail -n +3 | wc -l)
	[ "$left" -eq 0 ] && break
	sleep 0.5
done
is "$left" "0" "every job finished"

acct=("$CORRAL_HOME"/accounting/*)
sort "$CORRAL_HOME/ids" >"$CORRAL_HOME/ids.sorted"
grep -h ";E;" "${acct[@]}" | cut -d';' -f3 | sort >"$CORRAL_HOME/ends"
is "$(uniq -d "$CORRAL_HOME/ends" | wc -l)" "0" "no job ended twice (accounting E records)"
is "$(sort -u "$CORRAL_HOME/ends" | comm -23 "$CORRAL_HOME/ids.sorted" - | wc -l)" "0" \
	"each of the $JOBS jobs has its E record"
# Per job, in log order: S needs no run in progress (a requeue R ends one),
# E needs one.
twice=$(cat "${acct[@]}" | awk -F';' '
	$2 == "S" { if (run[$3]) { bad++; if (bad <= 5) print "# started twice: " $3 > "/dev/stderr" } run[$3] = 1 }
	$2 == "R" { run[$3] = 0; requeues++ }
	$2 == "E" { if (!run[$3]) { bad++; if (bad <= 5) print "# ended while not running: " $3 > "/dev/stderr" } run[$3] = 0 }
	END { print bad + 0; print requeues + 0 > "/dev/stderr" }' 2>"$CORRAL_HOME/sequence.err")
is "$twice" "0" "no job started twice without a requeue in between, none ended without a start"
echo "# requeues: $(tail -1 "$CORRAL_HOME/sequence.err"); $(cat "${acct[@]}" | grep -c ";S;") S records"
head -5 "$CORRAL_HOME/sequence.err" | grep '^#'
nz=$(grep -h ";E;" "${acct[@]}" | grep -vc "Exit_status=0 ")
is "$nz" "0" "every job exited 0"
# An end that belongs to an earlier run (a stale event) would end a run
# before its time: every E record is at least sim_runtime after its start.
short=$(grep -h ";E;" "${acct[@]}" | awk '{
	st = en = rt = ""
	for (i = 1; i <= NF; i++) {
		if ($i ~ /^start=/) st = substr($i, 7)
		else if ($i ~ /^end=/) en = substr($i, 5)
		else if ($i ~ /^Resource_List.sim_runtime=/) rt = substr($i, 27)
	}
	if (st == "" || en == "" || en - st < rt + 0) { n++; if (n <= 5) print "# short run: " $0 > "/dev/stderr" }
} END { print n + 0 }' 2>"$CORRAL_HOME/short.err")
is "$short" "0" "no run ended before its sim_runtime"
sed 's/^#/#  /' "$CORRAL_HOME/short.err" | cut -c1-200
echo "# part 2 took $SECONDS s"
done_testing
