/* buf.c - see buf.h. */
#include "src/common/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(void)
{
	fputs("out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");
	if (!p)
		oom();
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);
	if (!p)
		oom();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	va_start(ap, fmt);
	int n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	return p;
}

void buf_init(struct corral_buf *b)
{
	memset(b, 0, sizeof *b);
}

void buf_free(struct corral_buf *b)
{
	free(b->data);
	buf_init(b);
}

char *buf_reserve(struct corral_buf *b, size_t n)
{
	if (b->head > 0 && b->head == b->len)
		b->head = b->len = 0;
	if (b->len + n > b->cap) {
		/* Reclaim consumed space before growing. */
		if (b->head > 0 && b->head >= b->cap / 2) {
			memmove(b->data, b->data + b->head, b->len - b->head);
			b->len -= b->head;
			b->head = 0;
		}
		if (b->len + n > b->cap) {
			size_t cap = b->cap ? b->cap : 256;
			while (cap < b->len + n)
				cap *= 2;
			b->data = xrealloc(b->data, cap);
			b->cap = cap;
		}
	}
	return b->data + b->len;
}

void buf_append(struct corral_buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	memcpy(buf_reserve(b, n), p, n);
	b->len += n;
}

void buf_printf(struct corral_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	char *p = buf_reserve(b, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void buf_consume(struct corral_buf *b, size_t n)
{
	b->head += n;
	if (b->head >= b->len)
		b->head = b->len = 0;
}

void buf_reset(struct corral_buf *b)
{
	b->head = b->len = 0;
}
