#!/usr/bin/env bash
# Several schedulers over partitions of one cluster: each places only its
# partitions' jobs on its partitions' nodes; the server starts, restarts and
# stops them; partitions are exclusive; scheduling=false of one leaves the
# other scheduling; moving a queue moves its jobs; only managers manage scheds.
CORRAL_SCHED_EXE=$(cd "${BUILD_DIR:-build}/bin" && pwd)/corral-sched
export CORRAL_SCHED_EXE
. "$(dirname "$0")/lib/harness.sh"

sched_attr() { qmgr -c "list sched $1" 2>/dev/null | sed -n "s/^ *$2 = //p"; }
sched_proc() { pgrep -P "$SERVER_PID" -f "corral-sched --name $1( |\$)" | head -1; }

start_server || { ok 1 "server starts"; done_testing; }
ok 0 "server starts"
cd /tmp || exit 1
start_node a --exec sim --vnodes 2 --ncpus 4
start_node b --exec sim --vnodes 2 --ncpus 4
wait_for 20 sh -c '[ "$(pbsnodes -a | grep -c "state = free")" -ge 4 ]'
ok $? "four sim vnodes are free"

qmgr -c "set node b0 partition=p2" && qmgr -c "set node b1 partition=p2"
qmgr -c "create queue q2 queue_type=execution,enabled=true,started=true,partition=p2"
check "create sched s2 for partition p2" -- qmgr -c "create sched s2 partition=p2,scheduling=true,backfill=true"
wait_for 20 sh -c '[ "$(qmgr -c "list sched s2" | sed -n "s/^ *state = //p")" = idle ]'
ok $? "creating the sched started its process, which registered"
[ -n "$(sched_proc s2)" ]
ok $? "a corral-sched --name s2 process runs under the server"
qmgr -c "set sched strict_ordering=true" >/dev/null
is "$(sched_attr default strict_ordering)" "True" "the default sched has its own policy"
is "$(sched_attr s2 strict_ordering)" "False" "s2 keeps its own"
qmgr -c "set sched s2 backfill_shortest=true"
wait_for 20 grep -q "configured: backfill on (shortest first)" "$CORRAL_HOME/log/sched-s2.log"
ok $? "backfill_shortest (EASY++) reaches s2's scheduler"

out=$(qmgr -c "create sched s3 partition=p2" 2>&1)
echo "$out" | grep -q "already belongs to sched s2"
ok $? "a partition cannot belong to two scheds (the owner is named)"
out=$(qmgr -c "set sched partition=p9" 2>&1)
[ $? -ne 0 ]
ok $? "sched default takes no partition"

# Jobs land only on their partition's nodes.
ids1=$(for i in 1 2 3; do qsub -l walltime=00:10:00 -l sim_runtime=600 -- /bin/true; done)
ids2=$(for i in 1 2 3; do qsub -q q2 -l walltime=00:10:00 -l sim_runtime=600 -- /bin/true; done)
wait_for 20 sh -c "[ \"\$(qstat | grep -c ' R ')\" -ge 6 ]"
ok $? "jobs of both partitions run"
bad=0
for id in $ids1; do job_attr "$id" exec_vnode | grep -q "^(a" || bad=1; done
for id in $ids2; do job_attr "$id" exec_vnode | grep -q "^(b" || bad=1; done
is "$bad" "0" "each job runs on its own partition's vnodes"
is "$(job_attr "$(echo $ids2 | cut -d' ' -f1)" partition)" "p2" "a job carries its queue's partition"
is "$(qstat -Q | awk '$1 == "q2" { print $NF }')" "p2" "qstat -Q shows a queue's partition"
is "$(qstat -Q | awk '$1 == "workq" { print $NF }')" "--" "and -- for the default scheduler's queues"
qstat -Qf q2 | grep -q "^    partition = p2$"
ok $? "qstat -Qf shows it too"
pbsnodes -av | sed -n '/^b0$/,/^$/p' | grep -q "^     partition = p2$"
ok $? "pbsnodes -av shows a node's partition"

# scheduling=false of default leaves s2 scheduling.
qmgr -c "set sched scheduling=false"
id1=$(qsub -l walltime=00:10:00 -l sim_runtime=600 -- /bin/true)
id2=$(qsub -q q2 -l walltime=00:10:00 -l sim_runtime=600 -- /bin/true)
wait_for 20 sh -c "[ \"\$(qstat -f $id2 | sed -n 's/^    job_state = //p')\" = R ]"
ok $? "with default's scheduling off, s2 still runs its jobs"
is "$(job_state "$id1")" "Q" "and default's job waits"

# Moving a queue to another partition moves its queued jobs.
qmgr -c "create queue q3 queue_type=execution,enabled=true,started=true" >/dev/null
id3=$(qsub -q q3 -l walltime=00:10:00 -l sim_runtime=600 -- /bin/true)
sleep 1
is "$(job_state "$id3")" "Q" "a job of q3 (default's partition) waits with default off"
qmgr -c "set queue q3 partition=p2"
wait_for 20 sh -c "[ \"\$(qstat -f $id3 | sed -n 's/^    job_state = //p')\" = R ]"
ok $? "moving q3 to p2 hands its queued job to s2, which runs it"
is "$(job_attr "$id3" partition)" "p2" "its partition follows the queue"
qmgr -c "set sched scheduling=true"

# kill -9 of s2: the server restarts it.
p=$(sched_proc s2)
kill -KILL "$p" 2>/dev/null
ok $? "s2 killed with SIGKILL"
wait_for 30 sh -c '[ -n "$(pgrep -P '"$SERVER_PID"' -f "corral-sched --name s2")" ] && [ "$(qmgr -c "list sched s2" | sed -n "s/^ *state = //p")" = idle ]'
ok $? "the server restarted s2"

# Authority.
if user=$(test_user); then
	out=$(as_user "$user" qmgr -c "create sched evil partition=p7" 2>&1)
	[ $? -ne 0 ]
	ok $? "a non-manager cannot create a sched"
	out=$(as_user "$user" qmgr -c "set sched s2 backfill=false" 2>&1)
	[ $? -ne 0 ]
	ok $? "a non-manager cannot set a sched"
	out=$(as_user "$user" qmgr -c "delete sched s2" 2>&1)
	[ $? -ne 0 ]
	ok $? "a non-manager cannot delete a sched"
else
	ok 0 "# SKIP a second user needs root"
fi

# delete: refused while its partitions hold jobs, unless -f; stops it.
out=$(qmgr -c "delete sched s2" 2>&1)
[ $? -ne 0 ] && echo "$out" | grep -q "unfinished jobs"
ok $? "deleting a sched with jobs in its partitions is refused (names them)"
p=$(sched_proc s2)
qmgr -f -c "delete sched s2"
ok $? "qmgr -f deletes it anyway"
wait_for 20 sh -c "! kill -0 $p 2>/dev/null"
ok $? "and its process stops"
done_testing
