#!/usr/bin/env bash
# qsub with #PBS directives round-trips through qstat -f and qstat -F json;
# command-line options override directives; bad requests store nothing.
. "$(dirname "$0")/lib/harness.sh"

start_server || { ok 1 "server starts"; done_testing; }
ok 0 "server starts"
work=$CORRAL_HOME/work
mkdir -p "$work"
cd "$work" || exit 1

qmgr -c "create queue short queue_type=execution,resources_max.walltime=2:00:00,enabled=true,started=true" >/dev/null
cat >job.sh <<'SCRIPT'
#!/bin/sh
#PBS -N directive_name
#PBS -l select=2:ncpus=4:mem=2gb
#PBS -l walltime=1:30:00
#PBS -q short
#PBS -j oe
#PBS -m abe
#PBS -v FOO=bar
echo hello
SCRIPT
id=$(qsub job.sh)
ok $? "qsub of a script with directives prints an id ($id)"
echo "$id" | grep -Eq '^[0-9]+\.[A-Za-z0-9.-]+$'
ok $? "the id looks like SEQ.SERVER"

full=$(qstat -f "$id")
echo "$full" | grep -q "^Job Id: $id"
ok $? "qstat -f starts with Job Id"
for want in "Job_Name = directive_name" "queue = short" "Resource_List.select = 2:ncpus=4:mem=2gb" \
	"Resource_List.walltime = 01:30:00" "Resource_List.ncpus = 8" "Resource_List.mem = 4gb" \
	"Resource_List.nodect = 2" "Join_Path = oe" "Mail_Points = abe" "job_state = Q"; do
	echo "$full" | grep -q "^    $want\$"
	ok $? "qstat -f shows $want"
done
echo "$full" | grep -q "PBS_O_WORKDIR=$work"
ok $? "Variable_List carries PBS_O_WORKDIR"
echo "$full" | tr -d '\n\t' | grep -q "FOO=bar"
ok $? "Variable_List carries -v FOO=bar"

js=$(qstat -f -F json "$id")
echo "$js" | jq -e --arg id "$id" '.Jobs[$id].Job_Name == "directive_name"' >/dev/null
ok $? "qstat -F json: Jobs keyed by id with Job_Name"
echo "$js" | jq -e --arg id "$id" '.Jobs[$id].Resource_List.ncpus == 8' >/dev/null
ok $? "qstat -F json: Resource_List is nested, ncpus a number"
echo "$js" | jq -e --arg id "$id" '.Jobs[$id].Variable_List.FOO == "bar"' >/dev/null
ok $? "qstat -F json: Variable_List is an object"
echo "$js" | jq -e 'has("timestamp") and has("pbs_server")' >/dev/null
ok $? "qstat -F json: timestamp and pbs_server"

# The command line beats directives.
id2=$(qsub -N cli_name -l walltime=0:10:00 job.sh)
qstat -f "$id2" | grep -q "Job_Name = cli_name"
ok $? "-N on the command line overrides #PBS -N"
qstat -f "$id2" | grep -q "Resource_List.walltime = 00:10:00"
ok $? "-l walltime on the command line overrides the directive"

# qsub -- command, and a script on stdin.
id3=$(qsub -- /bin/echo hi)
ok $? "qsub -- /bin/echo hi"
id4=$(echo "echo from stdin" | qsub)
qstat -f "$id4" | grep -q "Job_Name = STDIN"
ok $? "a script on stdin is named STDIN"

# Default table.
qstat | head -1 | grep -q "^Job id  *Name  *User  *Time Use S Queue"
ok $? "qstat prints the PBS header"
[ "$(qstat | tail -n +3 | wc -l)" -eq 4 ]
ok $? "qstat lists the four jobs"

# Refusals store nothing.
before=$(qstat | tail -n +3 | wc -l)
qsub -l walltime=3:00:00 -q short job.sh >/dev/null 2>err.txt
[ $? -ne 0 ] && grep -qi "limit" err.txt
ok $? "walltime over the queue's resources_max is refused"
qsub -q nosuch job.sh >/dev/null 2>err.txt
[ $? -ne 0 ] && grep -qi "unknown queue" err.txt
ok $? "an unknown queue is refused"
qsub -l select=2:ncpus=x job.sh >/dev/null 2>err.txt
[ $? -ne 0 ]
ok $? "invalid resource syntax is refused"
qsub -W depend=afterok:1 job.sh >/dev/null 2>err.txt
[ $? -ne 0 ] && grep -qi "not supported yet" err.txt
ok $? "-W depend is refused as not supported yet"
qsub -J 1-10 job.sh >/dev/null 2>err.txt
[ $? -ne 0 ] && grep -qi "not supported yet" err.txt
ok $? "-J is refused as not supported yet"
after=$(qstat | tail -n +3 | wc -l)
is "$after" "$before" "nothing was stored by refused submissions"

# Unknown ids.
qstat 99999 >/dev/null 2>err.txt
is "$?" "153" "qstat of an unknown job exits 153"
grep -q "Unknown Job Id 99999" err.txt
ok $? "and says Unknown Job Id"

# Hold, release, alter, move, delete, history.
qhold "$id3" && qstat -f "$id3" | grep -q "job_state = H"
ok $? "qhold holds"
qrls "$id3" && qstat -f "$id3" | grep -q "job_state = Q"
ok $? "qrls releases"
qalter -N renamed -l walltime=0:20:00 "$id3" && qstat -f "$id3" | grep -q "Job_Name = renamed"
ok $? "qalter renames"
qstat -f "$id3" | grep -q "Resource_List.walltime = 00:20:00"
ok $? "qalter changes resources"
qmove short "$id4" && qstat -f "$id4" | grep -q "queue = short"
ok $? "qmove moves to another queue"
qdel "$id4"
ok $? "qdel of a queued job"
qstat "$id4" >/dev/null 2>&1
[ $? -ne 0 ]
ok $? "a deleted job is gone from plain qstat"
qstat -x "$id4" | grep -q " F "
ok $? "qstat -x shows it finished"
qstat -Q | grep -q "^short"
ok $? "qstat -Q lists queues"
qstat -B | grep -q "Active"
ok $? "qstat -B shows the server"
done_testing
