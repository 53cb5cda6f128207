#!/usr/bin/env bash
# Node daemon faults: kill -9 during a job (the job keeps running and ends
# once), heartbeat timeout marks the node down and re-registering frees it,
# a down node requeues its rerunnable jobs, server restart keeps running
# jobs, 1,000 simulated vnodes register.
. "$(dirname "$0")/lib/harness.sh"

start_server || { ok 1 "server starts"; done_testing; }
ok 0 "server starts"
qmgr -c "set server node_timeout=3,node_heartbeat=1" >/dev/null
start_node n0 --ncpus 2
wait_for 20 sh -c '[ "$(pbsnodes n0 2>/dev/null | sed -n "s/^ *state = //p")" = free ]'
ok $? "node n0 is free"
work=$CORRAL_HOME/work
mkdir -p "$work"
cd "$work" || exit 1

# kill -9 of the daemon while a job runs: the job survives and ends once.
id=$(qsub -j oe -o "$work/survivor.out" -- /bin/sh -c "sleep 4; echo done")
qrun "$id"
wait_for 10 sh -c "[ \"\$(qstat -f $id | sed -n 's/^    substate = //p')\" = 42 ]"
ok $? "the job runs"
stop_node n0 KILL
ok 0 "node daemon killed with SIGKILL"
sleep 1
start_node n0 --ncpus 2
wait_for 30 sh -c "[ \"\$(qstat -x -f $id | sed -n 's/^    job_state = //p')\" = F ]"
ok $? "the job finishes after the daemon restarted"
is "$(job_attr "$id" Exit_status)" "0" "with its real exit status"
grep -q done "$work/survivor.out"
ok $? "its output is complete"
is "$(grep -c ";E;$id;" "$CORRAL_HOME"/accounting/*)" "1" "exactly one E record"
is "$(grep -c ";S;$id;" "$CORRAL_HOME"/accounting/*)" "1" "started once"

# Heartbeat timeout, then re-registration.
stop_node n0 TERM
wait_for 15 sh -c '[ "$(pbsnodes n0 2>/dev/null | sed -n "s/^ *state = //p")" = down ]'
ok $? "a silent node is marked down after node_timeout"
pbsnodes n0 | grep -q "comment = node down: no heartbeat since"
ok $? "with a comment saying since when"
start_node n0 --ncpus 2
wait_for 20 sh -c '[ "$(pbsnodes n0 2>/dev/null | sed -n "s/^ *state = //p")" = free ]'
ok $? "re-registering makes it free again"

# A node that dies with jobs: rerunnable -> Q, not rerunnable -> F, -3.
r=$(qsub -- /bin/sleep 600)
n=$(qsub -r n -- /bin/sleep 600)
qrun "$r" && qrun "$n"
wait_for 10 sh -c "[ \"\$(qstat -f $n | sed -n 's/^    substate = //p')\" = 42 ]"
wait_for 10 sh -c "[ \"\$(qstat -f $r | sed -n 's/^    substate = //p')\" = 42 ]"
sr=$(job_attr "$r" session_id)
sn=$(job_attr "$n" session_id)
stop_node n0 KILL
# The job processes outlive the daemon; end them (by their process
# groups) as a dead host would.
[ -n "$sr" ] && kill -KILL -- "-$sr" 2>/dev/null
[ -n "$sn" ] && kill -KILL -- "-$sn" 2>/dev/null
wait_for 20 sh -c "[ \"\$(qstat -f $r | sed -n 's/^    job_state = //p')\" = Q ]"
ok $? "a rerunnable job on a failed node is requeued"
job_attr "$r" comment | grep -qi requeued
ok $? "with a comment"
wait_for 20 sh -c "[ \"\$(qstat -x -f $n | sed -n 's/^    job_state = //p')\" = F ]"
ok $? "a job that is not rerunnable ends"
is "$(job_attr "$n" Exit_status)" "-3" "with Exit_status -3"

# Server restart with a running job: reconciled, not run twice.
start_node n0 --ncpus 2
wait_for 20 sh -c '[ "$(pbsnodes n0 2>/dev/null | sed -n "s/^ *state = //p")" = free ]'
qdel "$r" >/dev/null 2>&1
id=$(qsub -j oe -o "$work/restart.out" -- /bin/sh -c "sleep 3; echo ran")
qrun "$id"
wait_for 10 sh -c "[ \"\$(qstat -f $id | sed -n 's/^    substate = //p')\" = 42 ]"
kill9_server
start_server
wait_for 30 sh -c "[ \"\$(qstat -x -f $id | sed -n 's/^    job_state = //p')\" = F ]"
ok $? "a job running across a server restart finishes"
is "$(grep -c '^ran' "$work/restart.out")" "1" "it ran once"
is "$(grep -c ";S;$id;" "$CORRAL_HOME"/accounting/*)" "1" "one S record"

# 1,000 simulated vnodes.
start_node sim --exec sim --vnodes 1000 --ncpus 8 --mem 16gb
wait_for 30 sh -c '[ "$(pbsnodes -a | grep -c "^sim")" -ge 1000 ]'
ok $? "1,000 sim vnodes register and show in pbsnodes -a"
rss=$(awk '/VmRSS/ {print $2}' /proc/"$NODE_PID"/status)
[ "${rss:-999999}" -lt 102400 ]
ok $? "the sim daemon's RSS is under 100 MB (${rss} kB)"
id=$(qsub -l select=1:ncpus=8 -l sim_runtime=1 -- /bin/true)
qrun -H sim0 "$id"
wait_for 20 sh -c "[ \"\$(qstat -x -f $id | sed -n 's/^    job_state = //p')\" = F ]"
ok $? "a job on a sim vnode ends after its sim_runtime"
is "$(job_attr "$id" Exit_status)" "0" "with exit 0"
done_testing
