/* kv.h - a compact attribute list: "name\0value\0name\0value\0" in one
 * allocation.  Jobs keep most of their attributes this way (a few hundred
 * bytes per job instead of a hash table per job); lookups are linear,
 * which is fine for the twenty-odd attributes an object has.
 */
#ifndef CORRAL_COMMON_KV_H
#define CORRAL_COMMON_KV_H

#include <stddef.h>
#include <stdint.h>

struct kv {
	char *buf;    /* owned; NULL when empty */
	uint32_t len; /* bytes used */
};

/* Value of name or NULL (borrowed, valid until the next change). */
const char *kv_get(const struct kv *kv, const char *name);
/* Set name to value (value NULL removes it).  Order is kept: an existing
 * name stays in place, a new one goes at the end. */
void kv_set(struct kv *kv, const char *name, const char *value);
/* Append name=value without looking for an existing name: only for
 * building a list whose names the caller knows to be new. */
void kv_append(struct kv *kv, const char *name, const char *value);
void kv_setf(struct kv *kv, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Remove every name starting with prefix. */
void kv_remove_prefix(struct kv *kv, const char *prefix);
void kv_clear(struct kv *kv);
void kv_copy(struct kv *dst, const struct kv *src);

/* Iteration: for (const char *k = kv_first(kv); k; k = kv_next(kv, k))
 *                use k and kv_val(k). */
const char *kv_first(const struct kv *kv);
const char *kv_next(const struct kv *kv, const char *k);
static inline const char *kv_val(const char *k)
{
	while (*k)
		k++;
	return k + 1;
}

#endif
