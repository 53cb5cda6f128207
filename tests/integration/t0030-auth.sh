#!/usr/bin/env bash
# Cluster-key authentication: the right key gives the service role, a wrong
# key is refused, a replayed handshake is refused, a loose, linked or
# malformed key file stops the server from starting, and a node daemon
# with a loose key says so and connects once it is fixed.
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
ok $? "a forged handshake is refused and the connection closed"

# A real exchange, captured, then replayed on a new connection (whose
# server nonce differs) and on its own connection.
out=$(authpeer --tcp 127.0.0.1:$port hello auth show-auth 2>&1)
echo "$out" | sed -n 2p | grep -q '"role":"service"'
ok $? "authpeer proves the key and checks the server's proof ($(echo "$out" | sed -n 2p))"
captured=$(echo "$out" | sed -n 3p)
out=$(rawpeer --tcp 127.0.0.1:$port frame "$hello" read frame "$captured" read expect-close 2>&1)
echo "$out" | grep -q '"code":"EACCES"'
ok $? "a captured auth replayed on another connection is refused and the connection closed"
out=$(authpeer --tcp 127.0.0.1:$port hello auth call "$captured" 2>&1)
echo "$out" | tail -1 | grep -q '"code":"EALREADY"'
ok $? "auth again on an authenticated connection answers EALREADY"
grep -q "cluster key authentication failed" "$CORRAL_HOME/server.log"
ok $? "failed authentications are logged"

# A node daemon whose key file is loose: a clear message, no connection;
# fixed, it connects without a restart.
cp "$CORRAL_HOME/cluster.key" "$CORRAL_HOME/node.key"
chmod 644 "$CORRAL_HOME/node.key"
start_node nk --key "$CORRAL_HOME/node.key" --exec=sim
wait_for 10 grep -q "must not be accessible to group or others" "$CORRAL_HOME/node-nk.log"
ok $? "a node daemon with a loose key file logs why it does not connect"
pbsnodes nk >/dev/null 2>&1
[ $? -ne 0 ]
ok $? "and registers nothing"
chmod 600 "$CORRAL_HOME/node.key"
wait_for 20 sh -c '[ "$(pbsnodes nk 2>/dev/null | sed -n "s/^ *state = //p")" = free ]'
ok $? "once the key is private the node daemon connects by itself"
stop_node nk

stop_server
chmod 644 "$CORRAL_HOME/cluster.key"
out=$("$BIN/corral-server" --log - 2>&1)
rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q 'chmod 600'
ok $? "a cluster key readable by others stops the server with a clear message"
chmod 640 "$CORRAL_HOME/cluster.key"
out=$("$BIN/corral-server" --log - 2>&1)
rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q 'has mode 640'
ok $? "so does a group-readable one ($out)"
chmod 600 "$CORRAL_HOME/cluster.key"
mv "$CORRAL_HOME/cluster.key" "$CORRAL_HOME/real.key"
ln -s "$CORRAL_HOME/real.key" "$CORRAL_HOME/cluster.key"
out=$("$BIN/corral-server" --log - 2>&1)
rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q 'cannot open cluster key'
ok $? "a cluster key that is a symbolic link is refused ($out)"
rm "$CORRAL_HOME/cluster.key"
printf 'not-a-key\n' >"$CORRAL_HOME/cluster.key"
chmod 600 "$CORRAL_HOME/cluster.key"
out=$("$BIN/corral-server" --log - 2>&1)
rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q 'malformed'
ok $? "a malformed cluster key is refused ($out)"
mv "$CORRAL_HOME/real.key" "$CORRAL_HOME/cluster.key"
if user=$(test_user) && [ "$(id -u)" -eq 0 ]; then
	chown "$user" "$CORRAL_HOME/cluster.key"
	out=$("$BIN/corral-server" --log - 2>&1)
	rc=$?
	[ $rc -ne 0 ] && echo "$out" | grep -q 'belongs to uid'
	ok $? "a cluster key owned by another user is refused ($out)"
	chown 0 "$CORRAL_HOME/cluster.key"
else
	ok 0 "# SKIP a key owned by another user needs root"
fi
start_server
ok $? "the server starts again once the key is private"
done_testing
