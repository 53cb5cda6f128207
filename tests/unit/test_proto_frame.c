/* test_proto_frame.c - wire framing (src/proto/frame.h) and message
 * builders and readers (src/proto/msg.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/common/buf.h"
#include "src/common/error.h"
#include "src/proto/frame.h"
#include "src/proto/msg.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Append a frame with a raw payload (any bytes, not necessarily JSON). */
static void put_raw(struct corral_buf *b, const void *p, size_t n)
{
	unsigned char h[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16),
			      (unsigned char)(n >> 8), (unsigned char)n};
	buf_append(b, h, 4);
	buf_append(b, p, n);
}

static void put_str(struct corral_buf *b, const char *s) { put_raw(b, s, strlen(s)); }

static uint32_t be32(const void *p)
{
	const unsigned char *h = p;
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

/* Decode one frame that must succeed and equal want (JSON text). */
static void expect_frame(struct corral_buf *b, const char *want)
{
	json_t *m = NULL;
	corral_error_t err = {0};
	assert_int_equal(corral_frame_decode(b, CORRAL_FRAME_MAX_DEFAULT, &m, &err), 1);
	assert_non_null(m);
	json_t *w = json_loads(want, 0, NULL);
	assert_non_null(w);
	assert_true(json_equal(m, w));
	json_decref(w);
	json_decref(m);
}

/* ---- encode / decode ---------------------------------------------------- */

static void test_roundtrip(void **state)
{
	json_t *msg = json_pack("{s:I,s:s,s:b,s:n,s:f,s:[i,s,{}],s:{s:s}}", "id",
				(json_int_t)9007199254740993LL, "op", "job.submit", "ok", 1, "nil",
				"pi", 3.25, "list", -1, "two", "nested", "obj", "k", "v");
	json_object_set_new(msg, "utf8", json_string("h\xc3\xa9llo \xe2\x9c\x93 \"q\" \\ \n\t"));
	struct corral_buf b;
	buf_init(&b);
	assert_int_equal(corral_frame_encode(&b, msg), 0);

	/* 4-byte big-endian length, then exactly that much compact JSON */
	assert_true(buf_unread(&b) > 4);
	uint32_t n = be32(buf_peek(&b));
	assert_int_equal(n, buf_unread(&b) - 4);
	char *text = json_dumps(msg, JSON_COMPACT);
	assert_int_equal(strlen(text), n);
	assert_memory_equal(buf_peek(&b) + 4, text, n);
	assert_null(memchr(buf_peek(&b) + 4, '\n', n));
	free(text);

	json_t *back = NULL;
	assert_int_equal(corral_frame_decode(&b, CORRAL_FRAME_MAX_DEFAULT, &back, NULL), 1);
	assert_true(json_equal(msg, back));
	assert_int_equal(json_integer_value(json_object_get(back, "id")), 9007199254740993LL);
	assert_int_equal(buf_unread(&b), 0);
	json_decref(back);

	/* the empty object */
	json_t *empty = json_object();
	assert_int_equal(corral_frame_encode(&b, empty), 0);
	assert_int_equal(buf_unread(&b), 6);
	assert_memory_equal(buf_peek(&b), "\0\0\0\2{}", 6);
	expect_frame(&b, "{}");
	json_decref(empty);
	json_decref(msg);
	buf_free(&b);
}

static void test_encode_appends(void **state)
{
	struct corral_buf b;
	buf_init(&b);
	buf_append(&b, "prefix", 6);
	json_t *m = json_pack("{s:i}", "a", 1);
	assert_int_equal(corral_frame_encode(&b, m), 0);
	assert_int_equal(buf_unread(&b), 6 + 4 + 7);
	assert_memory_equal(buf_peek(&b), "prefix\0\0\0\7{\"a\":1}", 17);
	json_decref(m);
	buf_free(&b);
}

static void test_encode_not_encodable(void **state)
{
	struct corral_buf b;
	buf_init(&b);
	buf_append(&b, "keep", 4);
	/* a bare scalar is not a message: -EINVAL and nothing appended */
	json_t *s = json_string("x");
	assert_int_equal(corral_frame_encode(&b, s), -EINVAL);
	assert_int_equal(buf_unread(&b), 4);
	assert_memory_equal(buf_peek(&b), "keep", 4);
	json_decref(s);
	json_t *i = json_integer(1);
	assert_int_equal(corral_frame_encode(&b, i), -EINVAL);
	assert_int_equal(buf_unread(&b), 4);
	json_decref(i);
	buf_free(&b);
}

static void test_big_frame(void **state)
{
	size_t n = 3u << 20; /* 3 MiB string: beyond one 16-bit length */
	char *s = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		s[i] = (char)('a' + i % 26);
	s[n] = '\0';
	json_t *m = json_pack("{s:s}", "blob", s);
	struct corral_buf b;
	buf_init(&b);
	assert_int_equal(corral_frame_encode(&b, m), 0);
	assert_int_equal(be32(buf_peek(&b)), n + 11); /* {"blob":"..."} */
	json_t *back = NULL;
	/* one byte short of the limit is too much */
	corral_error_t err = {0};
	assert_int_equal(corral_frame_decode(&b, n + 10, &back, &err), -EMSGSIZE);
	assert_null(back);
	assert_int_equal(buf_unread(&b), n + 15);
	/* exactly at the limit is fine */
	assert_int_equal(corral_frame_decode(&b, n + 11, &back, &err), 1);
	assert_string_equal(json_string_value(json_object_get(back, "blob")), s);
	json_decref(back);
	json_decref(m);
	free(s);
	buf_free(&b);
}

/* ---- partial input ------------------------------------------------------ */

static void test_partial_consumes_nothing(void **state)
{
	struct corral_buf full;
	buf_init(&full);
	put_str(&full, "{\"id\":1,\"op\":\"x\"}");
	size_t total = buf_unread(&full);

	for (size_t k = 0; k < total; k++) {
		struct corral_buf b;
		buf_init(&b);
		if (k)
			buf_append(&b, buf_peek(&full), k);
		json_t *m = (json_t *)0x1; /* must stay untouched */
		corral_error_t err = {0};
		assert_int_equal(corral_frame_decode(&b, CORRAL_FRAME_MAX_DEFAULT, &m, &err), 0);
		assert_ptr_equal(m, (json_t *)0x1);
		assert_int_equal(buf_unread(&b), k);
		assert_int_equal(b.head, 0);
		assert_int_equal(err.code, 0);
		buf_free(&b);
	}
	buf_free(&full);
}

static void test_byte_by_byte(void **state)
{
	struct corral_buf src, b;
	buf_init(&src);
	buf_init(&b);
	put_str(&src, "{\"a\":1}");
	put_str(&src, "{\"b\":[1,2,3]}");
	put_str(&src, "{}");
	const char *want[] = {"{\"a\":1}", "{\"b\":[1,2,3]}", "{}"};
	size_t got = 0;
	for (size_t i = 0; i < buf_unread(&src); i++) {
		buf_append(&b, buf_peek(&src) + i, 1);
		json_t *m = NULL;
		int rc = corral_frame_decode(&b, CORRAL_FRAME_MAX_DEFAULT, &m, NULL);
		assert_true(rc == 0 || rc == 1);
		if (rc == 1) {
			assert_true(got < ARRAY_LEN(want));
			json_t *w = json_loads(want[got], 0, NULL);
			assert_true(json_equal(m, w));
			json_decref(w);
			json_decref(m);
			got++;
			/* a frame is only complete at its last byte */
			assert_int_equal(buf_unread(&b), 0);
		}
	}
	assert_int_equal(got, 3);
	buf_free(&src);
	buf_free(&b);
}

static void test_several_frames(void **state)
{
	struct corral_buf b;
	buf_init(&b);
	for (int i = 0; i < 50; i++) {
		json_t *m = json_pack("{s:i,s:s}", "id", i, "op", "ping");
		assert_int_equal(corral_frame_encode(&b, m), 0);
		json_decref(m);
	}
	/* and half of another one */
	put_str(&b, "{\"id\":50}");
	b.len -= 3;
	for (int i = 0; i < 50; i++) {
		json_t *m = NULL;
		assert_int_equal(corral_frame_decode(&b, CORRAL_FRAME_MAX_DEFAULT, &m, NULL), 1);
		assert_int_equal(json_integer_value(json_object_get(m, "id")), i);
		json_decref(m);
	}
	json_t *m = NULL;
	assert_int_equal(corral_frame_decode(&b, CORRAL_FRAME_MAX_DEFAULT, &m, NULL), 0);
	assert_int_equal(buf_unread(&b), 4 + 9 - 3);
	buf_append(&b, "50}", 3);
	expect_frame(&b, "{\"id\":50}");
	assert_int_equal(buf_unread(&b), 0);
	buf_free(&b);
}

/* ---- errors ------------------------------------------------------------- */

static void test_oversized(void **state)
{
	struct corral_buf b;
	buf_init(&b);
	/* a header announcing more than max: refused before the body arrives */
	buf_append(&b, "\0\0\4\1", 4); /* 1025 */
	json_t *m = NULL;
	corral_error_t err = {0};
	assert_int_equal(corral_frame_decode(&b, 1024, &m, &err), -EMSGSIZE);
	assert_null(m);
	assert_int_equal(err.code, EMSGSIZE);
	assert_non_null(strstr(err.text, "1025"));
	assert_non_null(strstr(err.text, "1024"));
	/* nothing consumed: the stream cannot be resynchronised */
	assert_int_equal(buf_unread(&b), 4);
	/* the same again, and with err NULL */
	assert_int_equal(corral_frame_decode(&b, 1024, &m, NULL), -EMSGSIZE);
	assert_int_equal(buf_unread(&b), 4);
	/* exactly max announced: just waits for the body */
	buf_reset(&b);
	buf_append(&b, "\0\0\4\0", 4);
	assert_int_equal(corral_frame_decode(&b, 1024, &m, &err), 0);
	/* the largest possible header against the default limit */
	buf_reset(&b);
	buf_append(&b, "\xff\xff\xff\xff", 4);
	assert_int_equal(corral_frame_decode(&b, CORRAL_FRAME_MAX_DEFAULT, &m, &err), -EMSGSIZE);
	/* limit 0: only the empty frame passes the size check */
	buf_reset(&b);
	put_str(&b, "{}");
	assert_int_equal(corral_frame_decode(&b, 0, &m, &err), -EMSGSIZE);
	assert_null(m);
	buf_free(&b);
}

/* Each bad payload: -EPROTO, the frame consumed, the next frame fine. */
static void test_bad_payloads(void **state)
{
	static const struct {
		const char *payload;
		size_t len;	 /* 0: strlen */
		const char *why; /* expected in err.text; NULL: not checked */
	} cases[] = {
	    {"{bad", 0, "malformed JSON"},
	    {"{\"a\":1", 0, "malformed JSON"},
	    {"not json", 0, "malformed JSON"},
	    {"{} x", 0, "malformed JSON"},
	    {"{}{}", 0, "malformed JSON"},
	    {"{\"a\":1,\"a\":2}", 0, "malformed JSON"}, /* duplicate keys */
	    {"{\"a\":{\"b\":1,\"b\":1}}", 0, "malformed JSON"},
	    {"{\"a\":\"\xff\xfe\"}", 0, "malformed JSON"}, /* not UTF-8 */
	    {"{\"a\":\"x\0y\"}", 11, "malformed JSON"},	   /* raw NUL */
	    {"[1,2]", 0, "must be a JSON object"},
	    {"[]", 0, "must be a JSON object"},
	    /* scalars: jansson itself refuses them ("'[' or '{' expected") */
	    {"\"str\"", 0, NULL},
	    {"42", 0, NULL},
	    {"null", 0, NULL},
	    {"true", 0, NULL},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		print_message("%s\n", cases[i].payload);
		struct corral_buf b;
		buf_init(&b);
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].payload);
		put_raw(&b, cases[i].payload, len);
		put_str(&b, "{\"next\":true}");
		json_t *m = NULL;
		corral_error_t err = {0};
		assert_int_equal(corral_frame_decode(&b, CORRAL_FRAME_MAX_DEFAULT, &m, &err),
				 -EPROTO);
		assert_null(m);
		assert_int_equal(err.code, EPROTO);
		if (cases[i].why)
			assert_non_null(strstr(err.text, cases[i].why));
		assert_int_equal(buf_unread(&b), 4 + 13);
		expect_frame(&b, "{\"next\":true}");
		buf_free(&b);
	}
}

static void test_empty_frame(void **state)
{
	struct corral_buf b;
	buf_init(&b);
	buf_append(&b, "\0\0\0\0", 4);
	put_str(&b, "{\"after\":1}");
	json_t *m = NULL;
	corral_error_t err = {0};
	assert_int_equal(corral_frame_decode(&b, CORRAL_FRAME_MAX_DEFAULT, &m, &err), -EPROTO);
	assert_null(m);
	assert_int_equal(err.code, EPROTO);
	expect_frame(&b, "{\"after\":1}");
	/* an empty frame alone, err NULL */
	buf_append(&b, "\0\0\0\0", 4);
	assert_int_equal(corral_frame_decode(&b, CORRAL_FRAME_MAX_DEFAULT, &m, NULL), -EPROTO);
	assert_int_equal(buf_unread(&b), 0);
	buf_free(&b);
}

static void test_whitespace_ok(void **state)
{
	struct corral_buf b;
	buf_init(&b);
	/* a peer need not send compact JSON */
	put_str(&b, " {\n  \"a\" : [ 1 , 2 ]\n}\n ");
	expect_frame(&b, "{\"a\":[1,2]}");
	buf_free(&b);
}

/* Encoding into a buffer whose head has been partly consumed, as an output
 * queue is after a short write.
 * BUG (src/proto/frame.c, corral_frame_encode): the header position
 * 'start' is taken as out->len before appending, but buf_reserve() may
 * compact the buffer (move unread data to offset 0, reducing len) while
 * the header or the JSON text is appended.  The length is then written at
 * the stale offset and computed as out->len - start - 4 (wrapping), so the
 * frame goes out with a wrong header.  No current caller encodes into a
 * partly consumed buffer (the server and client encode into buffers they
 * reset first), so this is latent.  Fix: remember the offset relative to
 * the head (rel = out->len - out->head) and use out->head + rel after the
 * dump. */
static void test_encode_after_partial_consume(void **state)
{
	struct corral_buf b;
	buf_init(&b);
	char junk[200];
	memset(junk, 'j', sizeof junk);
	buf_append(&b, junk, sizeof junk);
	buf_consume(&b, 150); /* head 150 of capacity 256: next growth compacts */
	char val[100];
	memset(val, 'v', sizeof val - 1);
	val[sizeof val - 1] = '\0';
	json_t *m = json_pack("{s:s}", "v", val);
	int erc = corral_frame_encode(&b, m);
	size_t unread = buf_unread(&b);
	buf_consume(&b, 50);
	uint32_t hdr = be32(buf_peek(&b));
	json_t *back = NULL;
	int rc = corral_frame_decode(&b, CORRAL_FRAME_MAX_DEFAULT, &back, NULL);
	int same = back && json_equal(back, m);
	json_decref(m);
	json_decref(back);
	buf_free(&b); /* free before asserting: a failure must not leak */
	assert_int_equal(erc, 0);
	assert_int_equal(unread, 50 + 4 + 107);
	assert_int_equal(hdr, 107);
	assert_int_equal(rc, 1);
	assert_true(same);
}

/* ---- msg.h -------------------------------------------------------------- */

static void assert_json(json_t *got, const char *want)
{
	json_error_t jerr;
	json_t *w = json_loads(want, 0, &jerr);
	assert_non_null(w);
	if (!json_equal(got, w)) {
		char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
		print_error("got  %s\nwant %s\n", g, want);
		free(g);
	}
	assert_true(json_equal(got, w));
	json_decref(w);
}

static void test_msg_builders(void **state)
{
	json_t *m = corral_msg_request("job.submit");
	assert_json(m, "{\"id\":0,\"op\":\"job.submit\"}");
	json_decref(m);

	m = corral_msg_ok(7);
	assert_json(m, "{\"id\":7,\"ok\":true}");
	assert_true(json_is_true(json_object_get(m, "ok")));
	json_decref(m);

	m = corral_msg_err(8, EPERM, PBSE_PERM, "no %s for %s", "delete", "bob");
	assert_json(m, "{\"id\":8,\"ok\":false,\"error\":{\"code\":\"EPERM\","
		       "\"message\":\"no delete for bob\",\"pbs_errno\":15007}}");
	assert_true(json_is_false(json_object_get(m, "ok")));
	assert_true(json_is_integer(json_object_get(json_object_get(m, "error"), "pbs_errno")));
	json_decref(m);

	/* pbs_errno 0 is left out, not sent as 0 */
	m = corral_msg_err(9, ENOENT, 0, "gone");
	assert_json(m, "{\"id\":9,\"ok\":false,\"error\":{\"code\":\"ENOENT\","
		       "\"message\":\"gone\"}}");
	assert_null(json_object_get(json_object_get(m, "error"), "pbs_errno"));
	json_decref(m);

	/* codes off the wire list travel as EIO; negative codes as positive */
	m = corral_msg_err(1, EXDEV, 0, "x");
	assert_json(m, "{\"id\":1,\"ok\":false,\"error\":{\"code\":\"EIO\",\"message\":\"x\"}}");
	json_decref(m);
	m = corral_msg_err(1, -EBUSY, 0, "x");
	assert_string_equal(json_string_value(json_object_get(json_object_get(m, "error"), "code")),
			    "EBUSY");
	json_decref(m);

	m = corral_msg_errobj(EINVAL, PBSE_BADATVAL, "bad %s", "value");
	assert_json(m, "{\"code\":\"EINVAL\",\"message\":\"bad value\",\"pbs_errno\":15014}");
	json_decref(m);
	m = corral_msg_errobj(EINVAL, 0, "plain");
	assert_json(m, "{\"code\":\"EINVAL\",\"message\":\"plain\"}");
	json_decref(m);

	/* a long message is cut, not refused */
	char big[2000];
	memset(big, 'm', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	m = corral_msg_errobj(EIO, 0, "%s", big);
	const char *text = json_string_value(json_object_get(m, "message"));
	assert_non_null(text);
	assert_true(strlen(text) > 100 && strlen(text) < sizeof big - 1);
	json_decref(m);

	/* builders produce encodable messages */
	struct corral_buf b;
	buf_init(&b);
	m = corral_msg_err(3, EACCES, PBSE_BADCRED, "who are you");
	assert_int_equal(corral_frame_encode(&b, m), 0);
	json_t *back = NULL;
	assert_int_equal(corral_frame_decode(&b, CORRAL_FRAME_MAX_DEFAULT, &back, NULL), 1);
	assert_true(json_equal(m, back));
	corral_error_t err = {0};
	int pbs = 0;
	assert_int_equal(corral_msg_error(back, &err, &pbs), -EACCES);
	assert_string_equal(err.text, "who are you");
	assert_int_equal(pbs, PBSE_BADCRED);
	json_decref(back);
	json_decref(m);
	buf_free(&b);
}

static void test_msg_error(void **state)
{
	corral_error_t err;
	int pbs;

	/* ok reply: 0, pbs_errno reset, err untouched */
	json_t *m = corral_msg_ok(1);
	memset(&err, 0, sizeof err);
	strcpy(err.text, "untouched");
	pbs = 99;
	assert_int_equal(corral_msg_error(m, &err, &pbs), 0);
	assert_int_equal(pbs, 0);
	assert_string_equal(err.text, "untouched");
	json_decref(m);

	/* error reply */
	m = corral_msg_err(2, EBUSY, PBSE_QUEBUSY, "queue busy");
	pbs = 0;
	assert_int_equal(corral_msg_error(m, &err, &pbs), -EBUSY);
	assert_int_equal(err.code, EBUSY);
	assert_string_equal(err.text, "queue busy");
	assert_int_equal(pbs, PBSE_QUEBUSY);
	/* err and pbs_errno may be NULL */
	assert_int_equal(corral_msg_error(m, NULL, NULL), -EBUSY);
	json_decref(m);

	/* without pbs_errno: 0 */
	m = corral_msg_err(2, ENOENT, 0, "no such");
	pbs = 42;
	assert_int_equal(corral_msg_error(m, &err, &pbs), -ENOENT);
	assert_int_equal(pbs, 0);
	json_decref(m);

	/* a bare error object, as in per-item results */
	m = corral_msg_errobj(EPERM, PBSE_PERM, "not yours");
	assert_int_equal(corral_msg_error(m, &err, &pbs), -EPERM);
	assert_string_equal(err.text, "not yours");
	assert_int_equal(pbs, PBSE_PERM);
	json_decref(m);

	static const struct {
		const char *json;
		int rc;
		const char *text; /* NULL: not checked */
		int pbs;
	} cases[] = {
	    /* "ok": false without an error object is a protocol error */
	    {"{\"id\":1,\"ok\":false}", -EPROTO, "error reply without an error object", 0},
	    /* a push or a request carries no error */
	    {"{\"op\":\"event.job\"}", 0, NULL, 0},
	    {"{}", 0, NULL, 0},
	    /* unknown and missing codes are EIO; missing text says "error" */
	    {"{\"ok\":false,\"error\":{\"code\":\"EWHAT\",\"message\":\"m\"}}", -EIO, "m", 0},
	    {"{\"ok\":false,\"error\":{\"message\":\"m\"}}", -EIO, "m", 0},
	    {"{\"ok\":false,\"error\":{\"code\":5,\"message\":\"m\"}}", -EIO, "m", 0},
	    {"{\"ok\":false,\"error\":{\"code\":\"ENOSPC\"}}", -ENOSPC, "error", 0},
	    {"{\"ok\":false,\"error\":{\"code\":\"ERANGE\",\"message\":7}}", -ERANGE, "error", 0},
	    {"{\"ok\":false,\"error\":{\"code\":\"EPERM\",\"message\":\"m\",\"pbs_errno\":\"x\"}}",
	     -EPERM, "m", 0},
	    /* "ok": true wins over a stray error member */
	    {"{\"ok\":true,\"error\":{\"code\":\"EPERM\",\"message\":\"m\"}}", 0, NULL, 0},
	    /* the wire names round trip */
	    {"{\"ok\":false,\"error\":{\"code\":\"ETIMEDOUT\",\"message\":\"t\",\"pbs_errno\":"
	     "15208}}",
	     -ETIMEDOUT, "t", PBSE_TRYAGAIN},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		print_message("%s\n", cases[i].json);
		json_t *j = json_loads(cases[i].json, 0, NULL);
		assert_non_null(j);
		memset(&err, 0, sizeof err);
		pbs = 12345;
		assert_int_equal(corral_msg_error(j, &err, &pbs), cases[i].rc);
		assert_int_equal(pbs, cases[i].pbs);
		if (cases[i].rc)
			assert_int_equal(err.code, -cases[i].rc);
		if (cases[i].text)
			assert_string_equal(err.text, cases[i].text);
		json_decref(j);
	}
}

static void test_msg_str(void **state)
{
	json_t *m = json_pack("{s:s,s:i,s:n}", "s", "val", "i", 1, "n");
	assert_string_equal(corral_msg_str(m, "s"), "val");
	assert_null(corral_msg_str(m, "i"));
	assert_null(corral_msg_str(m, "n"));
	assert_null(corral_msg_str(m, "missing"));
	assert_null(corral_msg_str(NULL, "s"));
	json_decref(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_encode_appends),
	    cmocka_unit_test(test_encode_not_encodable),
	    cmocka_unit_test(test_big_frame),
	    cmocka_unit_test(test_partial_consumes_nothing),
	    cmocka_unit_test(test_byte_by_byte),
	    cmocka_unit_test(test_several_frames),
	    cmocka_unit_test(test_oversized),
	    cmocka_unit_test(test_bad_payloads),
	    cmocka_unit_test(test_empty_frame),
	    cmocka_unit_test(test_whitespace_ok),
	    cmocka_unit_test(test_encode_after_partial_consume),
	    cmocka_unit_test(test_msg_builders),
	    cmocka_unit_test(test_msg_error),
	    cmocka_unit_test(test_msg_str),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
