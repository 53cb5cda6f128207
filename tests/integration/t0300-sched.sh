#!/usr/bin/env bash
# The scheduler: started and watched by the server, jobs start without
# qrun, scheduling=false holds them, job_accumulation_time delays cycles,
# blocked jobs get comments, kill -9 of the scheduler mid-cycle runs no job
# twice.
CORRAL_SCHED_EXE=$(cd "${BUILD_DIR:-build}/bin" && pwd)/corral-sched
export CORRAL_SCHED_EXE
. "$(dirname "$0")/lib/harness.sh"

sched_state() { qmgr -c "list sched default" 2>/dev/null | sed -n 's/^ *state = //p'; }
sched_pid() { pgrep -P "$SERVER_PID" -f "corral-sched --name" | head -1; }

start_server || { ok 1 "server starts"; done_testing; }
ok 0 "server starts"
wait_for 20 sh -c '[ "$(qmgr -c "list sched default" | sed -n "s/^ *state = //p")" = idle ]'
ok $? "the server starts the default scheduler, which registers (state idle)"
start_node n0 --ncpus 4
wait_for 20 sh -c '[ "$(pbsnodes n0 2>/dev/null | sed -n "s/^ *state = //p")" = free ]'
ok $? "node n0 is free"
cd /tmp || exit 1

id=$(qsub -o /dev/null -e /dev/null -- /bin/true)
wait_for 20 sh -c "[ \"\$(qstat -x -f $id | sed -n 's/^    job_state = //p')\" = F ]"
ok $? "a job starts and ends without qrun"

qmgr -c "set sched scheduling=false"
id=$(qsub -o /dev/null -e /dev/null -- /bin/true)
sleep 3
is "$(job_state "$id")" "Q" "with scheduling=false a job stays queued"
qmgr -c "set sched scheduling=true"
wait_for 20 sh -c "[ \"\$(qstat -x -f $id | sed -n 's/^    job_state = //p')\" = F ]"
ok $? "scheduling=true runs it"

# job_accumulation_time delays the cycle after a submission.
qmgr -c "set sched job_accumulation_time=3"
t0=$(date +%s)
id=$(qsub -o /dev/null -e /dev/null -- /bin/true)
sleep 1.5
is "$(job_state "$id")" "Q" "within job_accumulation_time the job waits"
wait_for 20 sh -c "[ \"\$(qstat -x -f $id | sed -n 's/^    job_state = //p')\" = F ]"
ok $? "after job_accumulation_time it runs"
qmgr -c "set sched job_accumulation_time=0"

# A job that cannot run gets a comment saying why.
id=$(qsub -l select=1:ncpus=64 -o /dev/null -e /dev/null -- /bin/true)
wait_for 20 sh -c "qstat -f $id | grep -q 'comment = .*Run'"
ok $? "a job that can never run gets a comment"
qstat -f "$id" | grep -q "comment = Can Never Run: Insufficient amount of resource: ncpus"
ok $? "in PBS wording ($(job_attr "$id" comment))"
qdel "$id"

# The server restarts a scheduler killed with SIGKILL.
p=$(sched_pid)
[ -n "$p" ] && kill -KILL "$p"
ok $? "scheduler killed with SIGKILL"
wait_for 30 sh -c '[ "$(qmgr -c "list sched default" | sed -n "s/^ *state = //p")" = idle ]'
ok $? "the server restarted it and it registered again"

# kill -9 mid-cycle with 5,000 jobs on simulated vnodes: none runs twice.
start_node sim --exec sim --vnodes 50 --ncpus 20 --mem 64gb
wait_for 30 sh -c '[ "$(pbsnodes -a | grep -c "^sim")" -ge 50 ]'
qmgr -c "set sched scheduling=false"
pbsnodes -o n0 >/dev/null
loadgen --jobs 5000 --batch 1000 --window 2 --attr Resource_List.sim_runtime=2 \
	--attr Resource_List.walltime=00:01:00 --attr Output_Path=/dev/null \
	--attr Error_Path=/dev/null >/dev/null
ok $? "5,000 jobs queued"
qmgr -c "set sched scheduling=true"
sleep 0.3
p=$(sched_pid)
[ -n "$p" ] && kill -KILL "$p"
ok $? "scheduler killed during the cycle"
wait_for 120 sh -c '[ "$(qstat | tail -n +3 | wc -l)" -eq 0 ]'
ok $? "every job ran and finished"
dups=$(grep -h ";S;" "$CORRAL_HOME"/accounting/* | cut -d';' -f3 | sort | uniq -d | wc -l)
is "$dups" "0" "no job started twice (accounting S records)"
ends=$(grep -h ";E;" "$CORRAL_HOME"/accounting/* | cut -d';' -f3 | sort | uniq -d | wc -l)
is "$ends" "0" "no job ended twice (accounting E records)"

# kill -9 of the server: after the restart a scheduler registers again and
# jobs keep being scheduled.
kill9_server
start_server
wait_for 30 sh -c '[ "$(qmgr -c "list sched default" | sed -n "s/^ *state = //p")" = idle ]'
ok $? "after a server kill -9 and restart the scheduler registers again"
id=$(qsub -l sim_runtime=1 -l walltime=00:01:00 -o /dev/null -e /dev/null -- /bin/true)
wait_for 30 sh -c "[ \"\$(qstat -x -f $id | sed -n 's/^    job_state = //p')\" = F ]"
ok $? "and schedules new jobs"
is "$(pgrep -P "$SERVER_PID" -f "corral-sched --name" | wc -l)" "1" "one scheduler process under the new server"
done_testing
