#!/usr/bin/env bash
# Disk trouble (issue 6): while commits fail (a full disk, simulated by the
# store's fault VFS, then a real full tmpfs when this machine lets us mount
# one) the server refuses changes with a clear error and keeps serving
# reads; it recovers by itself when space returns; nothing acknowledged is
# lost, and a job that ended meanwhile is not lost either.
. "$(dirname "$0")/lib/harness.sh"
export CORRAL_FAULT_DISKFULL=$CORRAL_HOME/diskfull

start_server || { ok 1 "server starts"; done_testing; }
ok 0 "server starts"
cd /tmp || exit 1
start_node n0 --exec sim --ncpus 4
wait_for 20 sh -c '[ "$(pbsnodes n0 2>/dev/null | sed -n "s/^ *state = //p")" = free ]'
ok $? "node n0 is free"

ids=$(for i in $(seq 20); do qsub -l walltime=1:00:00 -- /bin/true; done)
is "$(echo "$ids" | grep -c .)" "20" "20 jobs acknowledged"
run=$(qsub -l walltime=1:00:00 -l sim_runtime=2 -- /bin/true)
qrun "$run"
is "$(job_state "$run")" "R" "a job runs (it ends in 2 s)"

touch "$CORRAL_FAULT_DISKFULL"
out=$(qsub -- /bin/true 2>&1)
rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "change not saved: .*disk is full"
ok $? "with the disk full a submission is refused with a clear error ($out)"
out=$(qdel "$(echo "$ids" | head -1)" 2>&1)
[ $? -ne 0 ] && echo "$out" | grep -q "disk is full"
ok $? "so is a qdel ($out)"
out=$(qmgr -c "set server comment=full" 2>&1)
[ $? -ne 0 ]
ok $? "and a qmgr change"
n=$(qstat | grep -c " Q workq")
is "$n" "20" "qstat still answers: the 20 queued jobs"
pbsnodes n0 >/dev/null
ok $? "pbsnodes still answers"
sleep 4
is "$(job_state "$run")" "R" "the job that ended meanwhile cannot be recorded yet"
grep -q "commit failed, changes refused: .*disk is full" "$CORRAL_HOME/server.log"
ok $? "the server logs the failure"

rm -f "$CORRAL_FAULT_DISKFULL"
id=$(qsub -- /bin/true)
ok $? "space is back: submissions work again ($id)"
wait_for 30 sh -c "[ \"\$(qstat -x -f $run | sed -n 's/^    job_state = //p')\" = F ]"
ok $? "the job's end, kept by its node daemon, is recorded"
is "$(job_attr "$run" Exit_status)" "0" "with its exit status"
grep -q "commits succeed again" "$CORRAL_HOME/server.log"
ok $? "the server logs the recovery"
is "$(qstat -f "$(echo "$ids" | head -1)" | sed -n 's/^    job_state = //p')" "Q" "the job whose qdel failed is still there"

kill9_server
start_server
ok $? "the server restarts after kill -9"
missing=0
for j in $ids $id; do qstat -f "$j" >/dev/null 2>&1 || missing=$((missing + 1)); done
is "$missing" "0" "every acknowledged job is there"
is "$(qstat | grep -c ' Q workq')" "21" "and nothing refused was stored"
stop_node n0

# A real full file system, when we may mount a tmpfs.
unset CORRAL_FAULT_DISKFULL
stop_server
state=$CORRAL_HOME/state
mv "$state" "$CORRAL_HOME/state.disk"
mkdir "$state"
if mount -t tmpfs -o size=3m corraltest "$state" 2>/dev/null; then
	trap 'umount "$state" 2>/dev/null; _cleanup' EXIT
	cp -a "$CORRAL_HOME/state.disk/." "$state/"
	start_server
	ok $? "the server starts on a 3 MB tmpfs"
	dd if=/dev/zero of="$state/filler" bs=64k 2>/dev/null
	out=$(qsub -- /bin/true 2>&1)
	[ $? -ne 0 ] && echo "$out" | grep -q "change not saved"
	ok $? "a full tmpfs refuses the submission ($out)"
	qstat >/dev/null
	ok $? "reads still work"
	rm -f "$state/filler"
	id2=$(qsub -- /bin/true)
	ok $? "space is back: the next submission works ($id2)"
	stop_server
	start_server
	qstat -f "$id2" >/dev/null
	ok $? "and it survives a restart"
	stop_server
	umount "$state"
else
	ok 0 "# SKIP cannot mount a tmpfs here"
fi
rmdir "$state" 2>/dev/null
mv "$CORRAL_HOME/state.disk" "$state"
done_testing
