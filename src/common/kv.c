/* kv.c - see kv.h. */
#include "src/common/kv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/common/buf.h"

const char *kv_first(const struct kv *kv)
{
	return kv->len ? kv->buf : NULL;
}

const char *kv_next(const struct kv *kv, const char *k)
{
	const char *v = kv_val(k);
	const char *p = v + strlen(v) + 1;
	return p < kv->buf + kv->len ? p : NULL;
}

const char *kv_get(const struct kv *kv, const char *name)
{
	/* The first byte decides most comparisons without a call. */
	for (const char *k = kv_first(kv); k; k = kv_next(kv, k))
		if (k[0] == name[0] && strcmp(k, name) == 0)
			return kv_val(k);
	return NULL;
}

void kv_set(struct kv *kv, const char *name, const char *value)
{
	size_t nl = strlen(name) + 1;
	size_t vl = value ? strlen(value) + 1 : 0;
	for (const char *k = kv_first(kv); k; k = kv_next(kv, k)) {
		if (k[0] != name[0] || strcmp(k, name) != 0)
			continue;
		const char *v = kv_val(k);
		size_t old_vl = strlen(v) + 1;
		size_t off = (size_t)(k - kv->buf);
		size_t end = (size_t)(v - kv->buf) + old_vl; /* end of this entry */
		size_t tail = kv->len - end;
		if (!value) {
			memmove(kv->buf + off, kv->buf + end, tail);
			kv->len -= (uint32_t)(end - off);
		} else {
			size_t voff = off + nl;
			size_t newlen = kv->len - old_vl + vl;
			if (vl > old_vl)
				kv->buf = xrealloc(kv->buf, newlen);
			memmove(kv->buf + voff + vl, kv->buf + end, tail);
			memcpy(kv->buf + voff, value, vl);
			kv->len = (uint32_t)newlen;
		}
		if (kv->len == 0) {
			free(kv->buf);
			kv->buf = NULL;
		}
		return;
	}
	if (!value)
		return;
	kv->buf = xrealloc(kv->buf, kv->len + nl + vl);
	memcpy(kv->buf + kv->len, name, nl);
	memcpy(kv->buf + kv->len + nl, value, vl);
	kv->len += (uint32_t)(nl + vl);
}

void kv_append(struct kv *kv, const char *name, const char *value)
{
	size_t nl = strlen(name) + 1, vl = strlen(value) + 1;
	kv->buf = xrealloc(kv->buf, kv->len + nl + vl);
	memcpy(kv->buf + kv->len, name, nl);
	memcpy(kv->buf + kv->len + nl, value, vl);
	kv->len += (uint32_t)(nl + vl);
}

void kv_setf(struct kv *kv, const char *name, const char *fmt, ...)
{
	char small[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < (int)sizeof small) {
		kv_set(kv, name, small);
		return;
	}
	char *big = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	kv_set(kv, name, big);
	free(big);
}

void kv_remove_prefix(struct kv *kv, const char *prefix)
{
	size_t pl = strlen(prefix);
	const char *k = kv_first(kv);
	while (k) {
		if (strncmp(k, prefix, pl) == 0) {
			size_t off = (size_t)(k - kv->buf);
			kv_set(kv, k, NULL);
			k = off < kv->len ? kv->buf + off : NULL;
		} else {
			k = kv_next(kv, k);
		}
	}
}

void kv_clear(struct kv *kv)
{
	free(kv->buf);
	kv->buf = NULL;
	kv->len = 0;
}

void kv_copy(struct kv *dst, const struct kv *src)
{
	kv_clear(dst);
	if (src->len) {
		dst->buf = xmalloc(src->len);
		memcpy(dst->buf, src->buf, src->len);
		dst->len = src->len;
	}
}
