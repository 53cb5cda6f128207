/* msg.c - see msg.h. */
#include "src/proto/msg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

json_t *corral_msg_request(const char *op)
{
	return json_pack("{s:I,s:s}", "id", (json_int_t)0, "op", op);
}

json_t *corral_msg_ok(json_int_t id)
{
	return json_pack("{s:I,s:b}", "id", id, "ok", 1);
}

static json_t *verrobj(int code, int pbs_errno, const char *fmt, va_list ap)
{
	char text[512];
	vsnprintf(text, sizeof text, fmt, ap);
	json_t *e = json_pack("{s:s,s:s}", "code", corral_errno_name(code), "message", text);
	if (pbs_errno)
		json_object_set_new(e, "pbs_errno", json_integer(pbs_errno));
	return e;
}

json_t *corral_msg_errobj(int code, int pbs_errno, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	json_t *e = verrobj(code, pbs_errno, fmt, ap);
	va_end(ap);
	return e;
}

json_t *corral_msg_err(json_int_t id, int code, int pbs_errno, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	json_t *e = verrobj(code, pbs_errno, fmt, ap);
	va_end(ap);
	return json_pack("{s:I,s:b,s:o}", "id", id, "ok", 0, "error", e);
}

int corral_msg_error(const json_t *msg, corral_error_t *err, int *pbs_errno)
{
	if (pbs_errno)
		*pbs_errno = 0;
	json_t *ok = json_object_get(msg, "ok");
	const json_t *e = json_object_get(msg, "error");
	if (ok && json_is_true(ok))
		return 0;
	if (!e && json_object_get(msg, "code"))
		e = msg; /* a bare error object */
	if (!e)
		return ok ? corral_errorf(err, EPROTO, "error reply without an error object") : 0;
	const char *code = json_string_value(json_object_get(e, "code"));
	const char *text = json_string_value(json_object_get(e, "message"));
	if (pbs_errno)
		*pbs_errno = (int)json_integer_value(json_object_get(e, "pbs_errno"));
	return corral_errorf(err, corral_errno_from_name(code), "%s", text ? text : "error");
}

const char *corral_msg_str(const json_t *msg, const char *key)
{
	return json_string_value(json_object_get(msg, key));
}
