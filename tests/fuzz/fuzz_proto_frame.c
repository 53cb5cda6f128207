/* fuzz_proto_frame.c - libFuzzer target: the wire framing and the message
 * readers (src/proto/frame.h, src/proto/msg.h), as a daemon meets them.
 *
 * Input: byte 0 picks how the stream arrives (the size of the reads that
 * append to the connection buffer, and the frame size limit); the rest is
 * the byte stream of a connection: 4-byte big-endian lengths and JSON.
 * Every frame cut is read the way dispatch and the clients read messages
 * (id, op, ok, error object), then encoded again and decoded again, which
 * must give the same message.  Stops at -EMSGSIZE as a connection would.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/common/buf.h"
#include "src/common/error.h"
#include "src/proto/frame.h"
#include "src/proto/msg.h"

/* Read a message the way the server's dispatch and the clients do. */
static void read_msg(json_t *m)
{
	corral_error_t err = {0};
	int pbs = 0;
	json_int_t id = json_integer_value(json_object_get(m, "id"));
	const char *op = corral_msg_str(m, "op");
	(void)op;
	int rc = corral_msg_error(m, &err, &pbs);
	if (rc > 0 || (rc < 0 && err.code != -rc))
		abort();
	if (memchr(err.text, '\0', sizeof err.text) == NULL)
		abort(); /* the message must stay terminated */

	/* Answer it: an error reply built from what was read. */
	json_t *r = rc < 0 ? corral_msg_err(id, -rc, pbs, "%s", err.text) : corral_msg_ok(id);
	if (!r)
		abort();
	corral_error_t back = {0};
	int pbs2 = 0;
	int rc2 = corral_msg_error(r, &back, &pbs2);
	if (rc < 0 && (rc2 >= 0 || pbs2 != pbs))
		abort();
	json_decref(r);
}

/* Encode m and decode it again: the same message must come back. */
static void roundtrip(json_t *m)
{
	struct corral_buf b;
	buf_init(&b);
	if (corral_frame_encode(&b, m) == 0) {
		json_t *again = NULL;
		corral_error_t err = {0};
		int rc = corral_frame_decode(&b, CORRAL_FRAME_MAX_DEFAULT, &again, &err);
		if (rc != 1 || !json_equal(m, again) || buf_unread(&b) != 0) {
			fprintf(stderr, "roundtrip: rc %d (%s)\n", rc, err.text);
			abort();
		}
		json_decref(again);
	}
	buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	/* low 4 bits: read size 1..16 bytes, or all at once (0); high 4 bits:
	 * frame limit 2^k bytes (k = 4..19), or the default (15) */
	size_t step = data[0] & 0x0f;
	unsigned k = data[0] >> 4;
	size_t max = k == 15 ? CORRAL_FRAME_MAX_DEFAULT : (size_t)1 << (k + 4);
	data++;
	size--;

	struct corral_buf in;
	buf_init(&in);
	size_t fed = 0;
	for (;;) {
		if (fed < size) {
			size_t n = step == 0 ? size - fed : step;
			if (n > size - fed)
				n = size - fed;
			buf_append(&in, data + fed, n);
			fed += n;
		}
		json_t *m = NULL;
		corral_error_t err = {0};
		int rc = corral_frame_decode(&in, max, &m, &err);
		if (rc == 1) {
			if (!json_is_object(m))
				abort();
			read_msg(m);
			roundtrip(m);
			json_decref(m);
			continue;
		}
		if (rc == -EMSGSIZE)
			break; /* the connection is closed */
		if (rc == -EPROTO) {
			if (m != NULL || err.code != EPROTO)
				abort();
			continue; /* an error reply, then on */
		}
		if (rc != 0)
			abort();
		if (fed == size)
			break; /* a partial frame at the end of the stream */
	}
	buf_free(&in);
	return 0;
}
