#!/usr/bin/env bash
# Bad input of every kind gets an error or a closed connection, and the
# server keeps serving others.
. "$(dirname "$0")/lib/harness.sh"

start_server || { ok 1 "server starts"; done_testing; }
ok 0 "server starts"

hello='{"id":1,"op":"hello","version":1,"client":"t"}'

out=$(rawpeer frame "$hello" read frame '{"id":2,"op":"no.such.op"}' read)
echo "$out" | tail -1 | grep -q '"code":"ENOSYS"'
ok $? "unknown op answers ENOSYS"

out=$(rawpeer frame "$hello" read frame '{"id":2,"op":"job.stat"' read frame '{"id":3,"op":"server.stat"}' read)
echo "$out" | sed -n 2p | grep -q '"code":"EPROTO"'
ok $? "malformed JSON answers EPROTO"
echo "$out" | sed -n 3p | grep -q '"id":3,"ok":true'
ok $? "the connection keeps working after malformed JSON"

out=$(rawpeer frame '[1,2,3]' read)
echo "$out" | grep -q '"code":"EPROTO"'
ok $? "a frame that is not an object answers EPROTO"

out=$(rawpeer frame '{"id":5,"op":"job.stat"}' read)
echo "$out" | grep -q 'send hello first'
ok $? "requests before hello are refused"

out=$(rawpeer frame "$hello" read frame '{"id":2,"op":"hello","version":99}' read)
echo "$out" | tail -1 | grep -q '"ok":false'
ok $? "a second hello is refused"

out=$(rawpeer frame '{"id":1,"op":"hello","version":99}' read)
echo "$out" | grep -q '"code":"ENOTSUP"'
ok $? "an unknown protocol version answers ENOTSUP"

rawpeer --wait 5000 frame "$hello" read prefix 1073741824 expect-close >/dev/null
ok $? "a 1 GiB length prefix closes the connection"

rawpeer --wait 5000 garbage 4096 expect-close >/dev/null
ok $? "garbage bytes close the connection"

out=$(rawpeer frame "$hello" read nest 100000 read frame '{"id":3,"op":"server.stat"}' read)
echo "$out" | sed -n 2p | grep -q '"code":"EPROTO"'
ok $? "deeply nested JSON answers EPROTO"

out=$(rawpeer frame "$hello" read frame '{"id":2,"op":"job.submit","jobs":"nope"}' read \
	frame '{"id":3,"op":"job.submit","jobs":[{"attrs":{"Resource_List.walltime":"1:2:3:4"},"script":"x"}]}' read \
	frame '{"id":4,"op":"job.submit","jobs":[{"attrs":{"Job_Owner":"root@x"},"script":"x"}]}' read \
	frame '{"id":5,"op":"mgr","cmd":"explode","type":"queue"}' read)
echo "$out" | sed -n 2p | grep -q '"code":"EINVAL"'
ok $? "job.submit without a job list answers EINVAL"
echo "$out" | sed -n 3p | grep -q 'walltime'
ok $? "a bad walltime is refused with a message naming it"
echo "$out" | sed -n 4p | grep -q '"code":"EPERM"'
ok $? "Job_Owner cannot be given by a client"
echo "$out" | sed -n 5p | grep -q '"code":"EINVAL"'
ok $? "an unknown qmgr command is refused"

n=$(corral call job.stat | grep -c '"id": "')
is "$n" "0" "nothing was stored by the bad requests"

# Silent connections that never say hello are closed after unauth_timeout.
corral call mgr '{"cmd":"set","type":"server","attrs":[{"name":"unauth_timeout","op":"=","value":"1"}]}' >/dev/null
rawpeer --wait 5000 expect-close >/dev/null
ok $? "a silent unauthenticated connection is closed"

# Over TCP only hello and auth are allowed before authenticating.
port=$(server_port)
out=$(rawpeer --tcp 127.0.0.1:$port frame "$hello" read frame '{"id":2,"op":"job.stat"}' read)
echo "$out" | tail -1 | grep -q '"code":"EPERM"'
ok $? "TCP peers must authenticate before any other op"

check "the server still answers" -- corral call server.stat
done_testing
