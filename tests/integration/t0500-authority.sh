#!/usr/bin/env bash
# The authority matrix of docs/security.md: every op of docs/protocol.md
# tried by every role against the table below, which must be the table of
# docs/security.md (checked first).  Roles:
#   owner     the job's owner, an unprivileged local user (Unix socket)
#   other     another unprivileged local user
#   operator  a local user named in the server attribute operators
#   manager   a local user named in the server attribute managers
#   service   a TCP peer that proved the cluster key (tests/helpers/authpeer)
#   unauth    a TCP peer after hello, without auth
# Local roles use the real command where one exists (qsub, qdel, qmgr,
# pbsnodes, qterm ...) and `corral call` otherwise.  A cell passes when the
# answer is the expected one and: a refusal left its object exactly as it
# was; an allowed change changed it (rows marked RO below have no visible
# effect to compare).  Then job identity: jobs run with their owner's uid,
# gid and supplementary groups only, whatever attributes ask.
. "$(dirname "$0")/lib/harness.sh"

here=$(cd "$(dirname "$0")" && pwd)
owner=$(test_user) || {
	echo "ok 1 # SKIP needs root to create local users"
	echo "1..1"
	exit 0
}

# ---- the table (must match docs/security.md) ---------------------------
TABLE='
hello                  ok     ok     ok     ok     ok      ok
auth                   EINVAL EINVAL EINVAL EINVAL ok      EACCES
job.submit             ok     ok     ok     ok     EPERM   EPERM
job.submit:acl         EPERM  ok     EPERM  EPERM  EPERM   EPERM
job.stat               ok     ok     ok     ok     ok      EPERM
job.stat:private       ok     EPERM  ok     ok     ok      EPERM
job.delete             ok     EPERM  ok     ok     ok      EPERM
job.hold               ok     EPERM  ok     ok     ok      EPERM
job.hold:o             EPERM  EPERM  ok     ok     ok      EPERM
job.release            ok     EPERM  ok     ok     ok      EPERM
job.release:o          EPERM  EPERM  ok     ok     ok      EPERM
job.alter              ok     EPERM  ok     ok     ok      EPERM
job.alter:unhold_o     EPERM  EPERM  ok     ok     ok      EPERM
job.alter:comment      EPERM  EPERM  ok     ok     ok      EPERM
job.alter:estimated    EPERM  EPERM  EPERM  EPERM  ok      EPERM
job.alter:User_List    EPERM  EPERM  EPERM  EPERM  EPERM   EPERM
job.alter:Job_Owner    EPERM  EPERM  EPERM  EPERM  EPERM   EPERM
job.move               ok     EPERM  ok     ok     ok      EPERM
job.move:acl           EPERM  EPERM  ok     ok     ok      EPERM
job.signal             ok     EPERM  ok     ok     ok      EPERM
job.signal:suspend     EPERM  EPERM  ok     ok     ok      EPERM
job.rerun              EPERM  EPERM  ok     ok     ok      EPERM
job.run                EPERM  EPERM  ok     ok     ok      EPERM
server.stat            ok     ok     ok     ok     ok      EPERM
queue.stat             ok     ok     ok     ok     ok      EPERM
node.stat              ok     ok     ok     ok     ok      EPERM
sched.stat             ok     ok     ok     ok     ok      EPERM
mgr:create             EPERM  EPERM  EPERM  ok     ok      EPERM
mgr:delete             EPERM  EPERM  EPERM  ok     ok      EPERM
mgr:set                EPERM  EPERM  ok     ok     ok      EPERM
mgr:unset              EPERM  EPERM  ok     ok     ok      EPERM
mgr:set_nothing        EPERM  EPERM  ok     ok     ok      EPERM
mgr:set_manager_only   EPERM  EPERM  EPERM  ok     ok      EPERM
mgr:managers           EPERM  EPERM  EPERM  ok     ok      EPERM
mgr:read_only          EPERM  EPERM  EPERM  EPERM  ok      EPERM
mgr:node_offline       EPERM  EPERM  ok     ok     ok      EPERM
mgr:delete_node        EPERM  EPERM  EPERM  ok     ok      EPERM
node.register          EPERM  EPERM  EPERM  EPERM  ok      EPERM
node.heartbeat         EPERM  EPERM  EPERM  EPERM  ok      EPERM
node.job_events        EPERM  EPERM  EPERM  EPERM  ok      EPERM
sched.register         EPERM  EPERM  EPERM  EPERM  ok      EPERM
sched.run              EPERM  EPERM  EPERM  EPERM  ok      EPERM
sched.run:foreign      EPERM  EPERM  EPERM  EPERM  EPERM   EPERM
sched.cycle_end        EPERM  EPERM  EPERM  EPERM  ok      EPERM
server.shutdown        EPERM  EPERM  EPERM  ok     ok      EPERM
'
ROLES=(owner other operator manager service unauth)

norm() { awk 'NF { $1 = $1; print }'; }
doc_table() { # the rows between the markers of docs/security.md
	sed -n '/<!-- authority-table:begin -->/,/<!-- authority-table:end -->/p' \
		"$here/../../docs/security.md" |
		awk -F'|' '$2 ~ /`/ {
			row = $2; gsub(/[` ]/, "", row); line = row
			for (i = 4; i <= 9; i++) { c = $i; gsub(/ /, "", c); line = line " " c }
			print line }'
}
diff <(echo "$TABLE" | norm) <(doc_table | norm) >"$CORRAL_HOME/table.diff" 2>&1
ok $? "the table of this test is the table of docs/security.md"
sed 's/^/#   /' "$CORRAL_HOME/table.diff" | head -20

# ---- users, server, nodes ---------------------------------------------
other=corralother operator=corralop manager=corralmgr
getent group corralaux >/dev/null || groupadd corralaux
for u in $other $operator $manager; do
	id "$u" >/dev/null 2>&1 || useradd -m -s /bin/sh "$u" >/dev/null 2>&1
done
id -nG $other | grep -qw corralaux || usermod -aG corralaux $other
id "$other" >/dev/null 2>&1 && id "$operator" >/dev/null 2>&1 && id "$manager" >/dev/null 2>&1
ok $? "local users: $owner (owner), $other (other, also in corralaux), $operator, $manager"
declare -A UNIX_USER=([owner]=$owner [other]=$other [operator]=$operator [manager]=$manager)

start_server || { ok 1 "server starts"; done_testing; }
port=$(server_port)
qmgr -c "set server operators = $operator@*" &&
	qmgr -c "set server managers = $manager@*" &&
	qmgr -c "create queue q2 queue_type=execution,enabled=true,started=true" &&
	qmgr -c "create queue qacl queue_type=execution,enabled=true,started=true" &&
	qmgr -c "set queue qacl acl_user_enable=true,acl_users=$other" &&
	qmgr -c "create queue qp2 queue_type=execution,enabled=true,started=true,partition=p2" &&
	qmgr -c "create sched s2 partition=p2" &&
	qmgr -c "create node sim1 partition=p2"
ok $? "server with operators, managers, an ACL queue and a second partition"
start_node n0 --ncpus 4 --mem 4gb
start_node sim --exec=sim --vnodes 3 --ncpus 64 --mem 64gb
wait_for 30 sh -c '[ "$(pbsnodes n0 sim0 sim1 sim2 2>/dev/null | grep -c "state = free")" = 4 ]'
ok $? "a real node daemon (n0) and a simulated one (sim0-sim2) are up"

out=$CORRAL_HOME/out
mkdir -p "$out" && chmod 1777 "$out"
cd "$out" || exit 1
tcp=127.0.0.1:$port

# The code of a JSON reply (the last one printed): ok, or the error code of
# the request or of its first item.
reply_code() {
	tail -1 | jq -r 'if .ok == false then .error.code
		elif (.results | type) == "array" and (.results | length) > 0 then
			(if .results[0].ok then "ok" else .results[0].error.code end)
		elif (.errors | type) == "array" and (.errors | length) > 0 then .errors[0].error.code
		else "ok" end' 2>/dev/null || echo "?"
}
# A command's exit status as a code: PBS commands exit with pbs_errno % 256
# (15007 Unauthorized Request: 159, 15003 read-only attribute: 155).
exit_code() { # exit_code STATUS OUTPUT
	case $1 in
	0) echo ok ;;
	159 | 155) echo EPERM ;;
	*) if echo "$2" | grep -q "Unauthorized"; then echo EPERM; else echo "exit$1"; fi ;;
	esac
}
request() { # the raw request of the current spec
	jq -c --arg op "$OP" '{op: $op} + .' <<<"$PAYLOAD"
}

ids() { printf '{"ids":["%s"]%s}' "$1" "${2:-}"; }
alter() { printf '{"items":[{"id":"%s","attrs":%s}]}' "$1" "$2"; }
jcall() { corral call "$@" 2>&1 | jq -c . 2>/dev/null; } # one line of JSON
njobs() { jcall job.stat '{"history":true,"attrs":["job_state"]}' | jq '.jobs | length'; }

# ---- roles are what the server says they are --------------------------
HELLO='{"id":1,"op":"hello","version":1,"client":"t0500"}'
for r in owner other operator manager; do
	got=$(as_user "${UNIX_USER[$r]}" rawpeer frame "$HELLO" read 2>&1 | jq -r .role)
	want=$r
	[ "$r" = owner ] || [ "$r" = other ] && want=user
	is "$got" "$want" "hello as $r (${UNIX_USER[$r]}) answers role $want"
done
is "$(rawpeer frame "$HELLO" read | jq -r .role)" manager \
	"root is a manager without being listed"
is "$(authpeer --tcp "$tcp" hello auth | tail -1 | jq -r .role)" service \
	"a TCP peer with the cluster key gets role service"
is "$(authpeer --tcp "$tcp" hello | jq -r .role)" none "a TCP peer before auth has role none"

# ---- job identity -------------------------------------------------------
# A job prints who it runs as; compared with what the system says of its
# owner ($other, who also belongs to corralaux).
cat >"$out/id.sh" <<'SCRIPT'
#!/bin/sh
echo "uid=$(id -u) gid=$(id -g) groups=$(id -G | tr ' ' '\n' | sort -n | tr '\n' ' ')"
grep -E '^Cap(Eff|Prm):' /proc/self/status | tr -s ' \t' ' '
SCRIPT
chmod 644 "$out/id.sh"
want_id="uid=$(id -u $other) gid=$(id -g $other) groups=$(id -G $other | tr ' ' '\n' | sort -n | tr '\n' ' ')"
run_id_job() { # run_id_job ID OUTFILE -> the job's identity line, empty on failure
	qrun -H n0 "$1" >/dev/null 2>&1 &&
		wait_for 30 sh -c "[ \"\$(qstat -x -f $1 | sed -n 's/^    job_state = //p')\" = F ]" &&
		wait_for 5 test -s "$2" && head -1 "$2"
}

j=$(as_user $other qsub -N idplain -j oe -o "$out/plain.out" "$out/id.sh")
ok $? "$other submits a job ($j)"
is "$(job_attr "$j" euser):$(job_attr "$j" egroup)" "$other:$(id -gn $other)" \
	"its euser and egroup are the submitter's"
is "$(run_id_job "$j" "$out/plain.out")" "$want_id" \
	"the job runs with the owner's uid, gid and supplementary groups only"
grep -q "CapEff: 0000000000000000" "$out/plain.out" && grep -q "CapPrm: 0000000000000000" "$out/plain.out"
ok $? "the job has no capabilities"

n=$(njobs)
for a in "-u root" "-u $owner" "-W Job_Owner=root" "-W euser=root" "-W egroup=root"; do
	# shellcheck disable=SC2086
	o=$(as_user $other qsub $a -- /bin/true 2>&1)
	rc=$?
	[ $rc -ne 0 ]
	ok $? "qsub $a is refused (exit $rc: $(echo "$o" | head -1))"
done
submit_raw() { # submit_raw USER ATTRS-JSON -> ok or the error code
	as_user "$1" corral call job.submit \
		"{\"jobs\":[{\"attrs\":$2,\"script\":\"#!/bin/sh\\nid\\n\"}]}" 2>&1 |
		jq -c . 2>/dev/null | reply_code
}
for a in '{"Job_Owner":"root@localhost"}' '{"euser":"root"}' '{"egroup":"root"}' \
	'{"User_List":"root"}' "{\"User_List\":\"$owner\"}"; do
	is "$(submit_raw $other "$a")" EPERM "a raw job.submit with $a is refused (EPERM)"
done
is "$(njobs)" "$n" "none of the refused submissions made a job"

j=$(as_user $other qsub -N idgroup -W group_list=root -v USER=root,LOGNAME=root,HOME=/root \
	-j oe -o "$out/group.out" "$out/id.sh")
ok $? "qsub -W group_list=root -v USER=root,... is accepted ($j): group_list does not pick the group"
is "$(run_id_job "$j" "$out/group.out")" "$want_id" "that job still runs as $other, with $other's groups"

j=$(as_user $other qsub -h -N idalter -j oe -o "$out/alter.out" "$out/id.sh")
before=$(qstat -f "$j")
o=$(as_user $other qalter -u root "$j" 2>&1)
[ $? -ne 0 ]
ok $? "qalter -u root by the owner is refused ($(echo "$o" | head -1))"
for attrs in '{"Job_Owner":"root@localhost"}' '{"euser":"root"}' '{"egroup":"root"}' \
	'{"User_List":"root"}'; do
	req=$(alter "$j" "$attrs")
	is "$(as_user $other corral call job.alter "$req" 2>&1 | jq -c . | reply_code)" EPERM \
		"owner: job.alter $attrs is refused"
	is "$(jcall job.alter "$req" | reply_code)" EPERM "root: job.alter $attrs is refused"
	is "$(authpeer --tcp "$tcp" hello auth call "$(jq -c '{op: "job.alter"} + .' <<<"$req")" |
		reply_code)" EPERM "service: job.alter $attrs is refused"
done
is "$(qstat -f "$j")" "$before" "the job is unchanged by the refused alters"
qrls "$j"
is "$(run_id_job "$j" "$out/alter.out")" "$want_id" "and it runs as $other"

# ---- the matrix -------------------------------------------------------
CELL=0
declare -A TGT  # cached target per kind
declare -A DIRTY

new_job() { # new_job KIND -> id of a fresh job of $owner in that state
	local id
	case $1 in
	Q) id=$(as_user $owner qsub -N m$CELL -l walltime=10:00:00 -- /bin/sleep 1000) ;;
	Hu) id=$(as_user $owner qsub -h -N m$CELL -l walltime=10:00:00 -- /bin/sleep 1000) ;;
	Ho)
		id=$(as_user $owner qsub -N m$CELL -l walltime=10:00:00 -- /bin/sleep 1000)
		qhold -h o "$id" >/dev/null
		;;
	R)
		id=$(as_user $owner qsub -N m$CELL -l walltime=10:00:00 -- /bin/sleep 1000)
		qrun -H sim0 "$id" >/dev/null
		;;
	Qp2) id=$(as_user $owner qsub -q qp2 -N m$CELL -l walltime=10:00:00 -- /bin/sleep 1000) ;;
	esac
	echo "$id"
}
tgt() { # tgt KIND: T = the cached target of KIND, a new one after a change
	if [ -z "${TGT[$1]:-}" ] || [ "${DIRTY[$1]:-0}" = 1 ]; then
		TGT[$1]=$(new_job "$1")
		DIRTY[$1]=0
	fi
	T=${TGT[$1]}
	KIND=$1
}
mgr() { printf '{"cmd":"%s","type":"%s","names":[%s],"attrs":[%s]}' "$@"; }
jsnap() { qstat -x -f "$1" 2>&1; }
node_exists() { corral call node.stat "{\"names\":[\"$1\"]}" | jq '.nodes | length'; }
server_up() { echo "$(server_pid) $(corral status >/dev/null 2>&1 && echo up)"; }
server_down() { ! corral status >/dev/null 2>&1; }
job_is() { [ "$(job_state "$1")" = "$2" ]; }
ensure_server() { # (re)start the server after a shutdown cell
	if server_down; then
		wait "${SERVER_PID:-}" 2>/dev/null
		start_server && port=$(server_port) && tcp=127.0.0.1:$port
	fi
}

# spec ROW: sets what a cell of the row does.
#   CMD      the command line for local roles ("" = corral call OP PAYLOAD)
#   JSONOUT  1 when CMD prints a reply to parse rather than an exit status
#   OP PAYLOAD   the raw request, for TCP roles (and local ones without CMD)
#   SVC_PRE  requests the service peer sends first on its connection
#   SNAP     prints the state of the object acted on
#   RO       1 when an allowed cell has no effect visible in SNAP
#   SETTLE   run after an allowed cell (asynchronous effects)
#   ROW_END  run once after the row
spec() {
	CMD='' JSONOUT=0 OP='' PAYLOAD='{}' SVC_PRE=() SNAP=true RO=0 SETTLE='' KIND='' ROW_END=''
	local c=$CELL
	case $1 in
	hello)
		CMD="rawpeer frame '$HELLO' read" JSONOUT=1 OP=hello RO=1
		PAYLOAD='{"version":1,"client":"t0500"}' SNAP=server_up
		;;
	auth)
		OP=auth PAYLOAD="{\"cnonce\":\"$(printf '%064x' 1)\",\"mac\":\"$(printf '%064x' 2)\"}"
		RO=1 SNAP=server_up
		;;
	job.submit)
		CMD="qsub -N s$c -- /bin/true" OP=job.submit SNAP=njobs
		PAYLOAD='{"jobs":[{"attrs":{"Job_Name":"s'$c'"},"script":"#!/bin/sh\ntrue\n"}]}'
		;;
	job.submit:acl)
		CMD="qsub -q qacl -N s$c -- /bin/true" OP=job.submit SNAP=njobs
		PAYLOAD='{"jobs":[{"attrs":{"queue":"qacl"},"script":"#!/bin/sh\ntrue\n"}]}'
		;;
	job.stat)
		tgt Q
		CMD="qstat -f $T" OP=job.stat PAYLOAD=$(ids "$T") SNAP="jsnap $T" RO=1
		;;
	job.stat:private)
		# with query_other_jobs = False (reset after the row)
		tgt Q
		qmgr -c "set server query_other_jobs = False"
		CMD="qstat -f $T" OP=job.stat PAYLOAD=$(ids "$T") SNAP="jsnap $T" RO=1
		ROW_END="qmgr -c 'set server query_other_jobs = True'"
		;;
	job.delete)
		tgt Q
		CMD="qdel $T" OP=job.delete PAYLOAD=$(ids "$T") SNAP="jsnap $T"
		;;
	job.hold)
		tgt Q
		CMD="qhold $T" OP=job.hold PAYLOAD=$(ids "$T" ',"hold_types":"u"') SNAP="jsnap $T"
		;;
	job.hold:o)
		tgt Q
		CMD="qhold -h o $T" OP=job.hold PAYLOAD=$(ids "$T" ',"hold_types":"o"') SNAP="jsnap $T"
		;;
	job.release)
		tgt Hu
		CMD="qrls $T" OP=job.release PAYLOAD=$(ids "$T" ',"hold_types":"u"') SNAP="jsnap $T"
		;;
	job.release:o)
		tgt Ho
		CMD="qrls -h o $T" OP=job.release PAYLOAD=$(ids "$T" ',"hold_types":"o"') SNAP="jsnap $T"
		;;
	job.alter)
		tgt Q
		CMD="qalter -N a$c $T" OP=job.alter PAYLOAD=$(alter "$T" '{"Job_Name":"a'$c'"}')
		SNAP="jsnap $T"
		;;
	job.alter:unhold_o)
		tgt Ho
		CMD="qalter -h n $T" OP=job.alter PAYLOAD=$(alter "$T" '{"Hold_Types":"n"}')
		SNAP="jsnap $T"
		;;
	job.alter:comment)
		tgt Q
		OP=job.alter PAYLOAD=$(alter "$T" '{"comment":"c'$c'"}') SNAP="jsnap $T"
		;;
	job.alter:estimated)
		tgt Q
		OP=job.alter PAYLOAD=$(alter "$T" '{"estimated.start_time":"'$((2000000000 + c))'"}')
		SNAP="jsnap $T"
		;;
	job.alter:User_List)
		# (qalter -u refuses any name but the caller's before asking)
		tgt Q
		OP=job.alter PAYLOAD=$(alter "$T" '{"User_List":"root"}') SNAP="jsnap $T"
		;;
	job.alter:Job_Owner)
		tgt Q
		OP=job.alter PAYLOAD=$(alter "$T" '{"Job_Owner":"root@localhost"}') SNAP="jsnap $T"
		;;
	job.move)
		tgt Q
		CMD="qmove q2 $T" OP=job.move PAYLOAD=$(ids "$T" ',"queue":"q2"') SNAP="jsnap $T"
		;;
	job.move:acl)
		tgt Q
		CMD="qmove qacl $T" OP=job.move PAYLOAD=$(ids "$T" ',"queue":"qacl"') SNAP="jsnap $T"
		;;
	job.signal)
		tgt R
		CMD="qsig -s USR1 $T" OP=job.signal PAYLOAD=$(ids "$T" ',"signal":"SIGUSR1"')
		SNAP="jsnap $T" RO=1
		;;
	job.signal:suspend)
		# a simulated job: the signal reaches the node daemon, no process stops
		tgt R
		CMD="qsig -s suspend $T" OP=job.signal PAYLOAD=$(ids "$T" ',"signal":"suspend"')
		SNAP="jsnap $T" RO=1
		;;
	job.rerun)
		tgt R
		CMD="qrerun $T" OP=job.rerun PAYLOAD=$(ids "$T") SNAP="jsnap $T"
		SETTLE="wait_for 20 job_is $T Q"
		;;
	job.run)
		tgt Q
		CMD="qrun -H sim0 $T" OP=job.run PAYLOAD='{"job":"'$T'","vnodes":"sim0"}' SNAP="jsnap $T"
		;;
	server.stat) CMD="qstat -B" OP=server.stat RO=1 SNAP=server_up ;;
	queue.stat) CMD="qstat -Q" OP=queue.stat RO=1 SNAP=server_up ;;
	node.stat) CMD="pbsnodes -a" OP=node.stat RO=1 SNAP=server_up ;;
	sched.stat) CMD="qmgr -c 'list sched'" OP=sched.stat RO=1 SNAP=server_up ;;
	mgr:create)
		CMD="qmgr -c 'create queue qc$c'" OP=mgr PAYLOAD=$(mgr create queue "\"qc$c\"" "")
		SNAP="qstat -Q"
		;;
	mgr:delete)
		T=qd$c
		qmgr -c "create queue $T"
		CMD="qmgr -c 'delete queue $T'" OP=mgr PAYLOAD=$(mgr delete queue "\"$T\"" "")
		SNAP="qstat -Q"
		;;
	mgr:set)
		CMD="qmgr -c 'set queue workq comment=c$c'" SNAP="qmgr -c 'list queue workq'" OP=mgr
		PAYLOAD=$(mgr set queue '"workq"' '{"name":"comment","op":"=","value":"c'$c'"}')
		;;
	mgr:unset)
		qmgr -c "set queue workq comment=x"
		CMD="qmgr -c 'unset queue workq comment'" SNAP="qmgr -c 'list queue workq'" OP=mgr
		PAYLOAD=$(mgr unset queue '"workq"' '{"name":"comment"}')
		;;
	mgr:set_nothing)
		OP=mgr PAYLOAD=$(mgr set queue '"workq"' "") SNAP="qmgr -c 'list queue workq'" RO=1
		;;
	mgr:set_manager_only)
		CMD="qmgr -c 'set server mail_from=m$c'" SNAP="qmgr -c 'list server'" OP=mgr
		PAYLOAD=$(mgr set server "" '{"name":"mail_from","op":"=","value":"m'$c'"}')
		;;
	mgr:managers)
		qmgr -c "set server managers = $manager@*"
		CMD="qmgr -c 'set server managers += nobody$c@*'" SNAP="qmgr -c 'list server'" OP=mgr
		PAYLOAD=$(mgr set server "" '{"name":"managers","op":"+=","value":"nobody'$c'@*"}')
		;;
	mgr:read_only)
		CMD="qmgr -c 'set sched default last_cycle=x$c'" SNAP="qmgr -c 'list sched default'"
		OP=mgr PAYLOAD=$(mgr set sched '"default"' '{"name":"last_cycle","op":"=","value":"x'$c'"}')
		;;
	mgr:node_offline)
		pbsnodes -r sim2 >/dev/null
		CMD="pbsnodes -o sim2" SNAP="pbsnodes sim2" OP=mgr
		PAYLOAD=$(mgr set node '"sim2"' '{"name":"state","op":"+=","value":"offline"}')
		;;
	mgr:delete_node)
		T=dn$c
		qmgr -c "create node $T"
		CMD="qmgr -c 'delete node $T'" OP=mgr PAYLOAD=$(mgr delete node "\"$T\"" "")
		SNAP="node_exists $T"
		;;
	node.register)
		OP=node.register SNAP="node_exists fk$c"
		PAYLOAD='{"host":"fake","exec":"sim","vnodes":[{"name":"fk'$c'","resources_available":{"ncpus":"1"}}]}'
		;;
	node.heartbeat)
		OP=node.heartbeat SNAP="pbsnodes sim0" RO=1
		SVC_PRE=('{"op":"node.register","host":"fake","exec":"sim","vnodes":[{"name":"fk'"$c"'"}]}')
		;;
	node.job_events)
		# a "service" peer may not end a job that runs on another daemon
		tgt R
		OP=node.job_events SNAP="jsnap $T" RO=1
		PAYLOAD='{"events":[{"id":"'$T'","event":"ended","exit_status":0}]}'
		SVC_PRE=('{"op":"node.register","host":"fake","exec":"sim","vnodes":[{"name":"fk'"$c"'"}]}')
		;;
	sched.register)
		OP=sched.register PAYLOAD='{"name":"s2"}' SNAP="qmgr -c 'list sched s2'" RO=1
		;;
	sched.run)
		tgt Qp2
		OP=sched.run PAYLOAD='{"cycle":1,"runs":[{"job":"'$T'","exec_vnode":"(sim1:ncpus=1)"}]}'
		SVC_PRE=('{"op":"sched.register","name":"s2"}') SNAP="jsnap $T"
		;;
	sched.run:foreign)
		tgt Q
		OP=sched.run PAYLOAD='{"cycle":1,"runs":[{"job":"'$T'","exec_vnode":"(sim0:ncpus=1)"}]}'
		SVC_PRE=('{"op":"sched.register","name":"s2"}') SNAP="jsnap $T"
		;;
	sched.cycle_end)
		OP=sched.cycle_end PAYLOAD='{"cycle":1,"stats":{"cell":'$c'}}'
		SVC_PRE=('{"op":"sched.register","name":"s2"}') SNAP="qmgr -c 'list sched s2'"
		;;
	server.shutdown)
		ensure_server
		CMD=qterm OP=server.shutdown SNAP=server_up
		SETTLE="wait_for 20 server_down; ensure_server"
		;;
	*)
		echo "# no spec for row $1"
		return 1
		;;
	esac
}

run_as() { # run_as ROLE: sets GOT and OUT
	local role=$1 u st
	case $role in
	service)
		local args=(hello auth)
		for p in "${SVC_PRE[@]}"; do args+=(call "$p"); done
		[ "$OP" = auth ] || [ "$OP" = hello ] || args+=(call "$(request)")
		OUT=$(authpeer --tcp "$tcp" "${args[@]}" 2>&1)
		GOT=$(echo "$OUT" | reply_code)
		;;
	unauth)
		if [ "$OP" = hello ]; then
			OUT=$(authpeer --tcp "$tcp" hello 2>&1)
		else
			OUT=$(authpeer --tcp "$tcp" hello call "$(request)" 2>&1)
		fi
		GOT=$(echo "$OUT" | reply_code)
		;;
	*)
		u=${UNIX_USER[$role]}
		if [ -n "$CMD" ]; then
			OUT=$(as_user "$u" sh -c "$CMD" 2>&1)
			st=$?
			if [ "$JSONOUT" = 1 ]; then
				GOT=$(echo "$OUT" | reply_code)
			else
				GOT=$(exit_code $st "$OUT")
			fi
		else
			OUT=$(as_user "$u" corral call "$OP" "$PAYLOAD" 2>&1 | jq -c . 2>/dev/null)
			GOT=$(echo "$OUT" | reply_code)
		fi
		;;
	esac
}

cell() { # cell ROW ROLE WANT
	local row=$1 role=$2 want=$3 before after pass=1
	CELL=$((CELL + 1))
	spec "$row" || { ok 1 "$row as $role: no spec"; return; }
	before=$(eval "$SNAP" 2>&1)
	run_as "$role"
	[ "$GOT" = ok ] && [ -n "$SETTLE" ] && eval "$SETTLE"
	after=$(eval "$SNAP" 2>&1)
	if [ "$want" = ok ]; then
		[ "$GOT" = ok ] && { [ "$RO" = 1 ] || [ "$before" != "$after" ]; } && pass=0
		[ "$RO" = 1 ] || DIRTY[${KIND:-none}]=1
	else
		[ "$GOT" = "$want" ] && [ "$before" = "$after" ] && pass=0
	fi
	ok $pass "$row as $role: $want${T:+ ($T)}"
	if [ $pass -ne 0 ]; then
		echo "#   got: $GOT"
		echo "$OUT" | head -5 | sed 's/^/#   | /'
		[ "$before" = "$after" ] || diff <(echo "$before") <(echo "$after") | head -6 | sed 's/^/#   ~ /'
	fi
}

while read -r row w1 w2 w3 w4 w5 w6; do
	[ -n "$row" ] || continue
	wants=("$w1" "$w2" "$w3" "$w4" "$w5" "$w6")
	for i in 0 1 2 3 4 5; do
		T=
		cell "$row" "${ROLES[$i]}" "${wants[$i]}"
	done
	[ -z "$ROW_END" ] || eval "$ROW_END"
done <<<"$TABLE"

# ---- afterwards -------------------------------------------------------
ensure_server
corral status >/dev/null
ok $? "the server runs again after the shutdown cells"
done_testing
