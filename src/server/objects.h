/* objects.h - the server object, queues, nodes and sched objects: their
 * attribute definitions, defaults, validation and persistence.
 *
 * Each kind has a static table of attribute definitions (objects.c): the
 * name (or a resource prefix such as "resources_max."), the value type,
 * who may set it and its default.  mgr.c applies qmgr directives through
 * obj_apply(); everything that stores an object goes through obj_save().
 */
#ifndef CORRAL_SERVER_OBJECTS_H
#define CORRAL_SERVER_OBJECTS_H

#include <jansson.h>
#include <stdbool.h>

#include "src/common/error.h"
#include "src/server/server.h"

enum atype { A_STR, A_LONG, A_BOOL, A_DURATION, A_RES, A_LIST, A_QTYPE, A_NSTATE, A_TIME };

enum aflags {
	AF_RO = 1 << 0,    /* read-only: set by the server */
	AF_OPER = 1 << 1,  /* operators may set it (managers always may) */
	AF_PREFIX = 1 << 2 /* name is a prefix: "resources_max." + resource */
};

struct attrdef {
	const char *name;
	enum atype type;
	unsigned flags;
	const char *dflt; /* set at creation, or NULL */
};

/* Attribute definition of name for kind, or NULL when unknown. */
const struct attrdef *obj_attrdef(enum obj_kind kind, const char *name);
const char *obj_kind_name(enum obj_kind kind);

/* Lookup by name (NULL when absent). */
struct obj *obj_find(struct server *s, enum obj_kind kind, const char *name);
/* Create with defaults (not saved).  Caller checks the name first. */
struct obj *obj_create(struct server *s, enum obj_kind kind, const char *name);
/* Unlink and free (not saved). */
void obj_remove(struct server *s, struct obj *o);
/* Write o to the store (inside the iteration's transaction). */
int obj_save(struct server *s, struct obj *o);
/* Load every object and the server attributes; create the defaults at
 * first start (server attributes, queue workq, sched default). */
int obj_load_all(struct server *s, corral_error_t *err);
/* Re-read one object from the store after a failed commit. */
void obj_reload(struct server *s, enum obj_kind kind, const char *name);

/* Check name=value against the definitions and write the canonical value
 * into *out (caller frees).  op is '=', '+' or '-'.  cur is the current
 * value (for lists).  Returns 0 or -errno with err and *pbs_errno set. */
int obj_check_value(enum obj_kind kind, const char *name, char op, const char *value,
		    const char *cur, char **out, int *pbs_errno, corral_error_t *err);
/* Is name a valid object name? (letters, digits, _ - . ; starts with a
 * letter or digit; at most 64) */
bool obj_name_ok(const char *name);

/* Is item one of the entries of the comma-separated list? */
bool list_has(const char *list, const char *item);

/* Attributes for stat replies: stored ones plus computed ones (counts,
 * state).  Returns a new JSON object. */
json_t *obj_stat_attrs(struct server *s, struct obj *o);

/* Job state slot for counts: T Q H W R E B F. */
int state_slot(char state);
/* "Transit:0 Queued:1 ..." for state_count. */
void state_count_text(const int counts[NSTATES], char *buf, size_t n);

#endif

/* kv <-> JSON object text (all values strings).  attrs_dump appends to b;
 * attrs_load replaces kv's content, 0 or -EINVAL. */
#include "src/common/buf.h"
void attrs_dump(const struct kv *kv, struct corral_buf *b);
int attrs_load(struct kv *kv, const char *text, size_t len);
void json_escape_append(struct corral_buf *b, const char *s);
