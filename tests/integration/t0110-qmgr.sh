#!/usr/bin/env bash
# qmgr: create/set/list/print; print server replayed on a fresh server
# gives the same configuration; pbsnodes offline/clear; sched objects.
. "$(dirname "$0")/lib/harness.sh"

start_server || { ok 1 "server starts"; done_testing; }
ok 0 "server starts"

check "create a queue with attributes" -- qmgr -c "create queue short queue_type=execution,resources_max.walltime=1:00:00,priority=10"
check "abbreviations: s q short enabled=true" -- qmgr -c "s q short enabled=true,started=true"
check "+= on a list attribute" -- qmgr -c "set server managers += alice@*"
check "+= a second entry" -- qmgr -c "set server managers += bob@vm"
mgrs=$(qmgr -c "list server managers" | sed -n 's/.*managers = //p')
is "$mgrs" "alice@*,bob@vm" "managers holds both entries"
check "-= removes one" -- qmgr -c "set server managers -= alice@*"
check "create node with resources" -- qmgr -c "create node n1 resources_available.ncpus=8,resources_available.mem=16gb"
check "set sched attribute without a name means default" -- qmgr -c "s sched backfill_depth=5"
depth=$(qmgr -c "list sched default" | sed -n 's/.*backfill_depth = //p')
is "$depth" "5" "set sched without a name changed sched default"
check "create a second sched" -- qmgr -c "create sched s2 partition=p2"
qmgr -c "delete sched default" >/dev/null 2>&1
ok $((! $?)) "sched default cannot be deleted"
qmgr -c "create queue short" >/dev/null 2>&1
ok $((! $?)) "creating an existing queue fails"
qmgr -c "set queue nosuch enabled=true" >/dev/null 2>&1
[ $? -ne 0 ]
ok $? "setting an unknown queue fails"
out=$(qmgr -c "set queue short bogus_attr=1" 2>&1)
echo "$out" | grep -qi "unknown attribute"
ok $? "an unknown attribute is refused by name"
out=$(qmgr -c "set queue short resources_max.walltime=forever" 2>&1)
[ $? -ne 0 ]
ok $? "a bad value is refused"
qmgr -c "list queue short" | grep -q "resources_max.walltime = 01:00:00"
ok $? "the bad value changed nothing"
out=$(printf 'create queue q3\nset queue q3 queue_type = Execution\nset queue q3 enabled = True\n' | qmgr)
qmgr -c "list queue q3" | grep -q "enabled = True"
ok $? "directives from stdin"

pbsnodes -o n1 -C "disk swap" >/dev/null
ok $? "pbsnodes -o with a comment"
pbsnodes n1 | grep -q "state = .*offline"
ok $? "the node is offline"
pbsnodes -av -F json | jq -e '.nodes.n1.resources_available.ncpus == 8' >/dev/null
ok $? "pbsnodes -av -F json is valid JSON with numbers"
pbsnodes -r n1 >/dev/null
pbsnodes n1 | grep -q "state = .*offline"
ok $((! $?)) "pbsnodes -r clears offline"

# print server, replayed on a fresh server, gives the same configuration.
qmgr -c "print server" >"$CORRAL_HOME/config1"
qmgr -c "print node @default" >>"$CORRAL_HOME/config1"
qmgr -c "print sched" >>"$CORRAL_HOME/config1"
grep -q "create queue short" "$CORRAL_HOME/config1"
ok $? "print server has the queue"
stop_server
mv "$CORRAL_HOME/state" "$CORRAL_HOME/state.old"
start_server || { ok 1 "fresh server starts"; done_testing; }
qmgr <"$CORRAL_HOME/config1" >/dev/null 2>&1
qmgr -c "print server" >"$CORRAL_HOME/config2"
qmgr -c "print node @default" >>"$CORRAL_HOME/config2"
qmgr -c "print sched" >>"$CORRAL_HOME/config2"
if diff "$CORRAL_HOME/config1" "$CORRAL_HOME/config2" >"$CORRAL_HOME/config.diff"; then
	ok 0 "the replayed configuration prints identically"
else
	ok 1 "the replayed configuration prints identically"
	sed 's/^/#   /' "$CORRAL_HOME/config.diff" | head -20
fi
done_testing
