#!/usr/bin/env bash
# A node daemon that comes back with the old run of a job the server has
# meanwhile requeued: until the daemon reports that old run ended, the job
# is not started there again, and the old run's end does not end the job
# (it once ended the job's next run: found by t0510-crash-load).  Driven
# by a scripted node daemon (authpeer) so each step happens in order.
. "$(dirname "$0")/lib/harness.sh"
AUTHPEER=$(cd "${BUILD_DIR:-build}/tests" && pwd)/authpeer

start_server || { ok 1 "server starts"; done_testing; }
ok 0 "server starts"
cd /tmp || exit 1
qmgr -c "set server node_timeout=2,node_heartbeat=1"
PEER=(--tcp "127.0.0.1:$(server_port)" --client corral-node)
REG='{"op":"node.register","host":"fakehost","exec":"sim","vnodes":[{"name":"fk0","resources_available":{"ncpus":"1","mem":"1gb"}}],"jobs":JOBS}'
G=$CORRAL_HOME/go
id=$(qsub -l sim_runtime=100 -o /dev/null -e /dev/null -- /bin/true)
now=$(date +%s)

# First life of the daemon: registers, the job is run there, it starts.
"$AUTHPEER" "${PEER[@]}" hello auth call "${REG/JOBS/[]}" waitfile "$G.1" \
	call "{\"op\":\"node.job_events\",\"events\":[{\"id\":\"$id\",\"event\":\"started\",\"pid\":1,\"start_time\":$now}]}" \
	>"$CORRAL_HOME/peer1.out" 2>&1 &
p1=$!
wait_for 20 sh -c '[ "$(pbsnodes fk0 2>/dev/null | sed -n "s/^ *state = //p")" = free ]'
ok $? "the scripted daemon registered vnode fk0"
qrun -H fk0 "$id"
ok $? "the job is run on fk0"
touch "$G.1"
wait "$p1"
ok $? "the daemon reported the start, then died"
wait_for 20 sh -c "[ \"\$(qstat -f $id | sed -n 's/^    job_state = //p')\" = Q ]"
ok $? "after node_timeout the job is requeued"
qmgr -c "set server node_timeout=60"

# Second life: it reports the old run, which the server does not run there.
"$AUTHPEER" "${PEER[@]}" hello auth call "${REG/JOBS/[{\"id\":\"$id\"\}]}" waitfile "$G.2" \
	call "{\"op\":\"node.job_events\",\"events\":[{\"id\":\"$id\",\"event\":\"ended\",\"exit_status\":271,\"end_time\":$now}]}" \
	waitfile "$G.3" >"$CORRAL_HOME/peer2.out" 2>&1 &
p2=$!
wait_for 20 sh -c '[ "$(pbsnodes fk0 2>/dev/null | sed -n "s/^ *state = //p")" = free ]'
ok $? "the daemon re-registered, reporting the old run"
out=$(qrun -H fk0 "$id" 2>&1)
[ $? -ne 0 ] && echo "$out" | grep -q "still being ended"
ok $? "the job is not run there while its old run is being ended ($out)"
touch "$G.2"
wait_for 20 grep -q '"ok":true' "$CORRAL_HOME/peer2.out"
sleep 0.5
is "$(job_state "$id")" "Q" "the old run's end does not end the job"
ends=$(cat "$CORRAL_HOME"/accounting/* | grep -c ";E;$id;" || true)
is "$ends" "0" "no E record"
qrun -H fk0 "$id"
ok $? "once the old run ended, the job runs there again"
is "$(job_state "$id")" "R" "and is running"
touch "$G.3"
wait "$p2"
done_testing
