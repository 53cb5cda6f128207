#!/usr/bin/env bash
# Jobs really run on a node daemon: output files, PBS environment, exit
# status, walltime, qdel and qsig of running jobs, accounting S and E.
. "$(dirname "$0")/lib/harness.sh"

start_server || { ok 1 "server starts"; done_testing; }
ok 0 "server starts"
start_node n0 --ncpus 4 --mem 4gb
wait_for 20 sh -c '[ "$(pbsnodes n0 2>/dev/null | sed -n "s/^ *state = //p")" = free ]'
ok $? "node daemon registers and its vnode is free"
pbsnodes n0 | grep -q "resources_available.ncpus = 4"
ok $? "the vnode reports its ncpus"

work=$CORRAL_HOME/work
mkdir -p "$work"
chmod 777 "$work"
cd "$work" || exit 1

cat >env.sh <<'SCRIPT'
#!/bin/sh
#PBS -N envjob
#PBS -l select=1:ncpus=2
#PBS -v MYVAR=hello
echo "out: started"
echo "PBS_JOBID=$PBS_JOBID"
echo "PBS_JOBNAME=$PBS_JOBNAME"
echo "PBS_QUEUE=$PBS_QUEUE"
echo "PBS_O_WORKDIR=$PBS_O_WORKDIR"
echo "PBS_ENVIRONMENT=$PBS_ENVIRONMENT"
echo "NCPUS=$NCPUS"
echo "MYVAR=$MYVAR"
echo "PWD=$(pwd)"
echo "TMPDIR_SET=$([ -d "$TMPDIR" ] && echo yes)"
echo "NODEFILE_LINES=$(wc -l < "$PBS_NODEFILE")"
echo "to stderr" >&2
SCRIPT
id=$(qsub env.sh)
ok $? "qsub env.sh ($id)"
qrun "$id"
ok $? "qrun starts it"
wait_for 30 sh -c "[ \"\$(qstat -x -f $id | sed -n 's/^    job_state = //p')\" = F ]"
ok $? "the job finishes (F)"
seq=${id%%.*}
out="$work/envjob.o$seq"
[ -f "$out" ]
ok $? "output file envjob.o$seq exists in the submission directory"
grep -q "^out: started" "$out"
ok $? "it holds what the job printed"
grep -q "^PBS_JOBID=$id\$" "$out"
ok $? "PBS_JOBID is set"
grep -q "^PBS_JOBNAME=envjob\$" "$out"
ok $? "PBS_JOBNAME is set"
grep -q "^PBS_QUEUE=workq\$" "$out"
ok $? "PBS_QUEUE is set"
grep -q "^PBS_O_WORKDIR=$work\$" "$out"
ok $? "PBS_O_WORKDIR is the submission directory"
grep -q "^PBS_ENVIRONMENT=PBS_BATCH\$" "$out"
ok $? "PBS_ENVIRONMENT=PBS_BATCH"
grep -q "^NCPUS=2\$" "$out"
ok $? "NCPUS is the chunk's ncpus"
grep -q "^MYVAR=hello\$" "$out"
ok $? "-v variables reach the job"
grep -q "^PWD=$HOME\$" "$out" || grep -q "^PWD=/root\$" "$out"
ok $? "the job starts in its owner's home directory"
grep -q "^TMPDIR_SET=yes\$" "$out"
ok $? "TMPDIR exists"
grep -q "^NODEFILE_LINES=2\$" "$out"
ok $? "PBS_NODEFILE has one line per cpu"
grep -q "to stderr" "$work/envjob.e$seq"
ok $? "stderr goes to the error file"
is "$(job_attr "$id" Exit_status)" "0" "Exit_status 0"
[ -n "$(job_attr "$id" resources_used.walltime)" ]
ok $? "resources_used.walltime is recorded"
grep -q ";S;$id;" "$CORRAL_HOME"/accounting/*
ok $? "accounting S record"
grep -q ";E;$id;.*Exit_status=0" "$CORRAL_HOME"/accounting/*
ok $? "accounting E record with Exit_status"

# Exit status 3.
id=$(qsub -j oe -- /bin/sh -c "exit 3")
qrun "$id"
wait_for 30 sh -c "[ \"\$(qstat -x -f $id | sed -n 's/^    job_state = //p')\" = F ]"
is "$(job_attr "$id" Exit_status)" "3" "exit 3 gives Exit_status 3"

# Walltime.
id=$(qsub -l walltime=2 -- /bin/sleep 600)
qrun "$id"
wait_for 40 sh -c "[ \"\$(qstat -x -f $id | sed -n 's/^    job_state = //p')\" = F ]"
ok $? "a job over its walltime is ended"
is "$(job_attr "$id" Exit_status)" "-29" "Exit_status -29 for walltime"
job_attr "$id" comment | grep -qi walltime
ok $? "with a comment about the walltime"

# qdel of a running job.
id=$(qsub -- /bin/sleep 600)
qrun "$id"
wait_for 10 sh -c "[ \"\$(qstat -f $id | sed -n 's/^    substate = //p')\" = 42 ]"
ok $? "the job is running (substate 42)"
qdel "$id"
ok $? "qdel of a running job is accepted"
wait_for 30 sh -c "[ \"\$(qstat -x -f $id | sed -n 's/^    job_state = //p')\" = F ]"
ok $? "the deleted job ends"
st=$(job_attr "$id" Exit_status)
[ "$st" = 271 ] || [ "$st" = 265 ]
ok $? "Exit_status is 256+signal ($st)"

# qsig caught by a trap.
cat >trap.sh <<'SCRIPT'
#!/bin/sh
#PBS -N trapjob
#PBS -j oe
trap 'echo got USR1; exit 7' USR1
echo ready
i=0
while [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
SCRIPT
id=$(qsub trap.sh)
qrun "$id"
seq=${id%%.*}
wait_for 20 grep -q ready "$work/trapjob.o$seq"
qsig -s USR1 "$id"
ok $? "qsig -s USR1 is accepted"
wait_for 30 sh -c "[ \"\$(qstat -x -f $id | sed -n 's/^    job_state = //p')\" = F ]"
grep -q "got USR1" "$work/trapjob.o$seq"
ok $? "the job's trap caught SIGUSR1"
is "$(job_attr "$id" Exit_status)" "7" "and it exited as the trap said"

# A second user's job runs as that user.
if user=$(test_user); then
	id=$(as_user "$user" qsub -j oe -o "$work/whoami.out" -- /usr/bin/id -un)
	qrun "$id"
	wait_for 30 sh -c "[ \"\$(qstat -x -f $id | sed -n 's/^    job_state = //p')\" = F ]"
	is "$(cat "$work/whoami.out" 2>/dev/null)" "$user" "a job of $user runs as $user"
else
	ok 0 "# SKIP a second user needs root"
fi
done_testing
