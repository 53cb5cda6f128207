/* frame.c - see frame.h. */
#include "src/proto/frame.h"

#include <errno.h>
#include <string.h>

static int dump_cb(const char *p, size_t n, void *arg)
{
	buf_append(arg, p, n);
	return 0;
}

int corral_frame_encode(struct corral_buf *out, const json_t *msg)
{
	/* Offsets relative to the unread head: appending may compact the
	 * buffer (move unread bytes to the front). */
	buf_append(out, "\0\0\0\0", 4);
	size_t rel = out->len - out->head - 4;
	if (json_dump_callback(msg, dump_cb, out, JSON_COMPACT) < 0) {
		out->len = out->head + rel;
		return -EINVAL;
	}
	size_t start = out->head + rel;
	size_t n = out->len - start - 4;
	unsigned char *h = (unsigned char *)out->data + start;
	h[0] = (unsigned char)(n >> 24);
	h[1] = (unsigned char)(n >> 16);
	h[2] = (unsigned char)(n >> 8);
	h[3] = (unsigned char)n;
	return 0;
}

int corral_frame_decode(struct corral_buf *in, size_t max, json_t **msg, corral_error_t *err)
{
	size_t avail = buf_unread(in);
	if (avail < 4)
		return 0;
	const unsigned char *h = (const unsigned char *)buf_peek(in);
	size_t n = ((size_t)h[0] << 24) | ((size_t)h[1] << 16) | ((size_t)h[2] << 8) | h[3];
	if (n > max)
		return corral_errorf(err, EMSGSIZE, "frame of %zu bytes exceeds the limit of %zu", n,
				     max);
	if (avail < 4 + n)
		return 0;
	json_error_t jerr;
	json_t *o = json_loadb(buf_peek(in) + 4, n, JSON_REJECT_DUPLICATES, &jerr);
	buf_consume(in, 4 + n);
	if (!o)
		return corral_errorf(err, EPROTO, "malformed JSON at byte %d: %s", jerr.position,
				     jerr.text);
	if (!json_is_object(o)) {
		json_decref(o);
		return corral_errorf(err, EPROTO, "a message must be a JSON object");
	}
	*msg = o;
	return 1;
}
