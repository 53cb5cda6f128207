/* error.c - see error.h. */
#include "src/common/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int corral_errorf(corral_error_t *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		int saved = errno;
		va_start(ap, fmt);
		int n = vsnprintf(err->text, sizeof err->text, fmt, ap);
		va_end(ap);
		if (n >= (int)sizeof err->text)
			memcpy(err->text + sizeof err->text - 4, "...", 4);
		err->code = code;
		errno = saved;
	}
	return -code;
}

/* The fixed list of codes that may appear on the wire (docs/protocol.md). */
static const struct {
	int code;
	const char *name;
} names[] = {
	{EPERM, "EPERM"},   {ENOENT, "ENOENT"},     {EIO, "EIO"},
	{E2BIG, "E2BIG"},   {EAGAIN, "EAGAIN"},     {ENOMEM, "ENOMEM"},
	{EACCES, "EACCES"}, {EBUSY, "EBUSY"},       {EEXIST, "EEXIST"},
	{EINVAL, "EINVAL"}, {ENOSPC, "ENOSPC"},     {ERANGE, "ERANGE"},
	{ENOSYS, "ENOSYS"}, {EPROTO, "EPROTO"},     {ENOTSUP, "ENOTSUP"},
	{ETIMEDOUT, "ETIMEDOUT"}, {ECONNREFUSED, "ECONNREFUSED"},
	{ESRCH, "ESRCH"},   {EALREADY, "EALREADY"}, {ESHUTDOWN, "ESHUTDOWN"},
	{ENOTCONN, "ENOTCONN"}, {EMSGSIZE, "EMSGSIZE"}, {EROFS, "EROFS"},
};

const char *corral_errno_name(int code)
{
	if (code < 0)
		code = -code;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].code == code)
			return names[i].name;
	return "EIO";
}

int corral_errno_from_name(const char *name)
{
	if (name)
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
			if (strcmp(names[i].name, name) == 0)
				return names[i].code;
	return EIO;
}
