#!/usr/bin/env bash
# Hostile peers (issue 6): crowds of connections, silent and slow peers,
# peers that never read; the server keeps serving others within the limits
# it documents (docs/security.md), settable as server attributes.
. "$(dirname "$0")/lib/harness.sh"
FLOOD=$(cd "${BUILD_DIR:-build}/tests" && pwd)/flood
field() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }

start_server || { ok 1 "server starts"; done_testing; }
ok 0 "server starts"
cd /tmp || exit 1
SOCK=$CORRAL_HOME/run/server.sock

out=$(qmgr -c "set server max_connections=lots" 2>&1)
[ $? -ne 0 ]
ok $? "a limit must be a number ($out)"
qmgr -c "set server max_connections=200,unauth_timeout=2,frame_timeout=2,max_output_buffer=1048576"
ok $? "the limits are server attributes"
is "$(qmgr -c 'list server' | sed -n 's/^ *frame_timeout = //p')" "2" "frame_timeout is set"

# A crowd: 300 connections that say hello and stay, over max_connections.
runner=
if user=$(test_user); then runner="as_user $user"; fi
$runner "$FLOOD" --unix "$SOCK" --conns 300 --mode hello --hold 4000 >"$CORRAL_HOME/flood1" &
fpid=$!
sleep 2
qstat -B >/dev/null
ok $? "during the crowd a manager still gets in (reserved connections)"
wait $fpid
r=$(field refused <"$CORRAL_HOME/flood1")
o=$(field open <"$CORRAL_HOME/flood1")
[ "${r:-0}" -ge 84 ] && [ "${o:-999}" -le 216 ]
ok $? "connections over max_connections are refused at once ($(cat "$CORRAL_HOME/flood1"))"
grep -q "max_connections (200) reached: refused" "$CORRAL_HOME/server.log"
ok $? "and the server logs it"
id=$(qsub -- /bin/true)
ok $? "once the crowd is gone, submissions work ($id)"

# Silent peers that never say hello are closed after unauth_timeout.
"$FLOOD" --unix "$SOCK" --conns 50 --mode idle --hold 5000 >"$CORRAL_HOME/flood2" &
fpid=$!
sleep 1
qstat >/dev/null
ok $? "qstat works beside 50 silent peers"
wait $fpid
is "$(field closed <"$CORRAL_HOME/flood2")" "50" "the silent peers are closed after unauth_timeout"

# Slow peers that never finish a frame are closed after frame_timeout.
"$FLOOD" --unix "$SOCK" --conns 50 --mode partial --hold 5000 >"$CORRAL_HOME/flood3" &
fpid=$!
sleep 1
id=$(qsub -- /bin/true)
ok $? "qsub works beside 50 peers stuck in a frame ($id)"
wait $fpid
is "$(field closed <"$CORRAL_HOME/flood3")" "50" "peers with an incomplete frame are closed after frame_timeout"
grep -q "left a frame incomplete for 2 s (frame_timeout): closing" "$CORRAL_HOME/server.log"
ok $? "the server logs why"

# A peer that sends requests and never reads the replies.
"$FLOOD" --unix "$SOCK" --conns 1 --mode noread --requests 300000 --hold 2000 >"$CORRAL_HOME/flood4"
o=$(field open <"$CORRAL_HOME/flood4")
is "$o" "0" "a peer that never reads is closed past max_output_buffer"
grep -q "does not read its replies (over max_output_buffer, 1048576 bytes): closing" "$CORRAL_HOME/server.log"
ok $? "the server logs why"

kill -0 "$(server_pid)" 2>/dev/null
ok $? "the server is still running"
is "$(qstat -f "$id" | sed -n 's/^    Job_Owner = \([^@]*\)@.*/\1/p')" "$(id -un)" "and answers as before"
done_testing
