#!/usr/bin/env bash
# Cluster-key authentication: the right key gives the service role, a wrong
# key is refused, a replayed handshake is refused, a loose key file stops
# the server from starting.
. "$(dirname "$0")/lib/harness.sh"

start_server || { ok 1 "server starts"; done_testing; }
ok 0 "server starts"
port=$(server_port)
perm=$(stat -c %a "$CORRAL_HOME/cluster.key")
is "$perm" "600" "the cluster key is created with mode 600"

out=$(corral call --tcp 127.0.0.1:$port server.stat 2>&1)
echo "$out" | grep -q '"ok": true'
ok $? "the right cluster key authenticates over TCP"
out=$(corral call --tcp "[::1]:$port" server.stat 2>&1)
echo "$out" | grep -q '"ok": true' || echo "$out" | grep -q 'connect'
ok $? "IPv6 loopback works (or is absent)"

printf '%064x\n' 12345 >"$CORRAL_HOME/wrong.key"
chmod 600 "$CORRAL_HOME/wrong.key"
out=$(corral call --tcp 127.0.0.1:$port --key "$CORRAL_HOME/wrong.key" server.stat 2>&1)
echo "$out" | grep -q 'authentication failed'
ok $? "a wrong cluster key is refused"

# Replay: a MAC computed for one connection's nonce fails on another.
hello='{"id":1,"op":"hello","version":1,"client":"t"}'
mac=$(printf '%064x' 1)
out=$(rawpeer --tcp 127.0.0.1:$port frame "$hello" read \
	frame "{\"id\":2,\"op\":\"auth\",\"cnonce\":\"$mac\",\"mac\":\"$mac\"}" read expect-close)
echo "$out" | grep -q '"code":"EACCES"'
ok $? "a forged or replayed handshake is refused and the connection closed"

stop_server
chmod 644 "$CORRAL_HOME/cluster.key"
out=$("$BIN/corral-server" --log - 2>&1)
rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q 'chmod 600'
ok $? "a cluster key readable by others stops the server with a clear message"
chmod 600 "$CORRAL_HOME/cluster.key"
start_server
ok $? "the server starts again once the key is private"
done_testing
