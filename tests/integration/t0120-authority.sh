#!/usr/bin/env bash
# Users see all jobs but change only their own; managers change anyone's;
# refusals say why and change nothing.
. "$(dirname "$0")/lib/harness.sh"

user=$(test_user) || { echo "ok 1 # SKIP needs root to create a second user"; echo "1..1"; exit 0; }
start_server || { ok 1 "server starts"; done_testing; }
ok 0 "server starts"
cd /tmp || exit 1

rid=$(qsub -N rootjob -- /bin/true)
ok $? "root submits a job"
uid=$(as_user "$user" qsub -N userjob -- /bin/true)
ok $? "$user submits a job ($uid)"
qstat -f "$uid" | grep -q "Job_Owner = $user@"
ok $? "the job's owner is $user"

as_user "$user" qstat | grep -q rootjob
ok $? "$user sees root's job (PBS default)"
out=$(as_user "$user" qdel "$rid" 2>&1)
rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -qi "unauthorized"
ok $? "$user cannot qdel root's job (exit $rc)"
out=$(as_user "$user" qalter -N stolen "$rid" 2>&1)
[ $? -ne 0 ]
ok $? "$user cannot qalter root's job"
qstat -f "$rid" | grep -q "Job_Name = rootjob"
ok $? "root's job is unchanged"
out=$(as_user "$user" qhold "$rid" 2>&1)
[ $? -ne 0 ]
ok $? "$user cannot qhold root's job"
out=$(as_user "$user" qmgr -c "create queue evil" 2>&1)
[ $? -ne 0 ]
ok $? "$user cannot create a queue"
out=$(as_user "$user" qmgr -c "set server managers += $user@*" 2>&1)
[ $? -ne 0 ]
ok $? "$user cannot make themself a manager"
out=$(as_user "$user" qsub -u root -- /bin/true 2>&1)
[ $? -ne 0 ]
ok $? "$user cannot submit a job to run as root (-u)"
as_user "$user" qalter -N mine "$uid"
ok $? "$user alters their own job"
as_user "$user" qhold "$uid" && as_user "$user" qrls "$uid"
ok $? "$user holds and releases their own job"
as_user "$user" qhold -h o "$uid" >/dev/null 2>&1
[ $? -ne 0 ]
ok $? "$user cannot set an operator hold"
qalter -N by_manager "$uid"
ok $? "root (manager) alters $user's job"
qmgr -c "set server operators += $user@*" >/dev/null
as_user "$user" qhold -h o "$rid"
ok $? "once an operator, $user may set operator holds on any job"
qmgr -c "set server operators -= $user@*" >/dev/null
qdel "$uid"
ok $? "root deletes $user's job"
done_testing
