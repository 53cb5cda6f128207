/* flat.h - a reader for the small flat objects of the scheduler protocol:
 * {"id": "12.vm", "attrs": {"job_state": "Q", ...}} and {"name": ...,
 * "attrs": {...}}, where every value of interest is a string.  Parsing
 * straight into one reusable buffer costs a fraction of a general JSON
 * tree (jansson spends ~8 us on such a job; this, well under 1 us), which
 * is what applying a snapshot of 100,000 jobs needs.
 */
#ifndef CORRAL_SCHED_FLAT_H
#define CORRAL_SCHED_FLAT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "src/common/buf.h"

struct flat_kv {
	size_t k, v; /* offsets of NUL-terminated texts in buf */
	bool attr;   /* member of "attrs" (else of the object itself) */
};

struct flat {
	struct corral_buf buf;
	struct flat_kv *kv;
	int n, cap;
	bool has_attrs; /* the object had an "attrs" object */
};

void flat_init(struct flat *f);
void flat_free(struct flat *f);
/* Read the object in text[0..len): its string members, and the string
 * members of its "attrs" object (other values are skipped).  0, or
 * -EPROTO for text that is not such an object (f then holds what was read
 * before the error). */
int flat_parse(struct flat *f, const char *text, size_t len);
/* Read the object at the start of text (more may follow); *used gets its
 * length. */
int flat_parse_next(struct flat *f, const char *text, size_t len, size_t *used);
/* The same from a jansson object. */
int flat_from_json(struct flat *f, const json_t *o);
/* Value of a member of the object (attr false) or of its attrs, or NULL. */
const char *flat_get(const struct flat *f, const char *key, bool attr);
static inline const char *flat_key(const struct flat *f, int i) { return f->buf.data + f->kv[i].k; }
static inline const char *flat_val(const struct flat *f, int i) { return f->buf.data + f->kv[i].v; }

#endif
