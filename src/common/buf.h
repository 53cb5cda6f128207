/* buf.h - a growable byte buffer with a read cursor.
 *
 * Used for connection input (append at the tail, consume at the head) and
 * output.  Allocation failure aborts: every binary links this and treats
 * out-of-memory as fatal (see xalloc below).
 */
#ifndef CORRAL_COMMON_BUF_H
#define CORRAL_COMMON_BUF_H

#include <stddef.h>

struct corral_buf {
	char *data;   /* storage, owned */
	size_t head;  /* first unread byte */
	size_t len;   /* bytes stored: data[head..len) is unread */
	size_t cap;   /* allocated size */
};

void buf_init(struct corral_buf *b);
void buf_free(struct corral_buf *b);
/* Make room for n more bytes at the tail; returns a pointer to them. */
char *buf_reserve(struct corral_buf *b, size_t n);
void buf_append(struct corral_buf *b, const void *p, size_t n);
/* Append a string literal (its length known at compile time). */
#define buf_lit(b, lit) buf_append((b), "" lit, sizeof(lit) - 1)
void buf_printf(struct corral_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline size_t buf_unread(const struct corral_buf *b)
{
	return b->len - b->head;
}
static inline char *buf_peek(const struct corral_buf *b)
{
	return b->data + b->head;
}
/* Drop n bytes from the head; compacts when the buffer becomes empty. */
void buf_consume(struct corral_buf *b, size_t n);
void buf_reset(struct corral_buf *b);

/* Allocators that abort on failure. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
