/* objects.c - see objects.h. */
#include "src/server/objects.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/common/log.h"
#include "src/common/resource.h"
#include "src/common/util.h"
#include "src/proto/msg.h"
#include "src/sched/expr.h"
#include "src/server/node.h"
#include "src/server/sched.h"
#include "src/server/txn.h"
#include "src/store/store.h"

/* ---- attribute definitions ---------------------------------------- */

static const struct attrdef server_defs[] = {
	{"scheduling", A_BOOL, AF_OPER, "True"},
	{"default_queue", A_STR, 0, "workq"},
	{"managers", A_LIST, 0, NULL},
	{"operators", A_LIST, 0, NULL},
	{"comment", A_STR, AF_OPER, NULL},
	{"log_events", A_LONG, AF_OPER, "511"},
	{"mail_from", A_STR, 0, "adm"},
	{"query_other_jobs", A_BOOL, 0, "True"},
	{"resources_default.", A_RES, AF_PREFIX, NULL},
	{"resources_max.", A_RES, AF_PREFIX, NULL},
	{"resources_min.", A_RES, AF_PREFIX, NULL},
	{"default_chunk.", A_RES, AF_PREFIX, NULL},
	{"resources_available.", A_RES, AF_PREFIX, NULL},
	{"resources_assigned.", A_RES, AF_PREFIX | AF_RO, NULL},
	{"scheduler_iteration", A_LONG, AF_OPER, "600"},
	{"flatuid", A_BOOL, 0, "True"},
	{"resv_enable", A_BOOL, 0, "True"},
	{"node_fail_requeue", A_LONG, AF_OPER, "310"},
	{"max_array_size", A_LONG, 0, "10000"},
	{"max_job_sequence_id", A_LONG, 0, "9999999"},
	{"max_queued", A_STR, AF_OPER, NULL},
	{"max_run", A_STR, AF_OPER, NULL},
	{"eligible_time_enable", A_BOOL, 0, "False"},
	{"job_history_enable", A_BOOL, 0, "True"},
	{"job_history_duration", A_DURATION, 0, "336:00:00"},
	{"node_heartbeat", A_LONG, 0, "10"},
	{"node_timeout", A_LONG, 0, "30"},
	{"default_walltime", A_DURATION, 0, NULL},
	{"max_connections", A_LONG, 0, "4096"},
	{"unauth_timeout", A_LONG, 0, "10"},
	{"max_frame_size", A_LONG, 0, "67108864"},
	{"frame_timeout", A_LONG, 0, "60"},
	{"max_output_buffer", A_LONG, 0, "536870912"},
	{"server_state", A_STR, AF_RO, NULL},
	{"server_host", A_STR, AF_RO, NULL},
	{"total_jobs", A_LONG, AF_RO, NULL},
	{"state_count", A_STR, AF_RO, NULL},
	{"pbs_version", A_STR, AF_RO, NULL},
	{NULL, 0, 0, NULL},
};

static const struct attrdef queue_defs[] = {
	{"queue_type", A_QTYPE, 0, "Execution"},
	{"enabled", A_BOOL, AF_OPER, "False"},
	{"started", A_BOOL, AF_OPER, "False"},
	{"priority", A_LONG, AF_OPER, NULL},
	{"comment", A_STR, AF_OPER, NULL},
	{"resources_max.", A_RES, AF_PREFIX | AF_OPER, NULL},
	{"resources_min.", A_RES, AF_PREFIX | AF_OPER, NULL},
	{"resources_default.", A_RES, AF_PREFIX | AF_OPER, NULL},
	{"resources_available.", A_RES, AF_PREFIX | AF_OPER, NULL},
	{"default_chunk.", A_RES, AF_PREFIX | AF_OPER, NULL},
	{"resources_assigned.", A_RES, AF_PREFIX | AF_RO, NULL},
	{"max_queued", A_STR, AF_OPER, NULL},
	{"max_run", A_STR, AF_OPER, NULL},
	{"max_user_run", A_LONG, AF_OPER, NULL},
	{"route_destinations", A_LIST, 0, NULL},
	{"kill_delay", A_LONG, AF_OPER, NULL},
	{"partition", A_STR, 0, NULL},
	{"acl_user_enable", A_BOOL, 0, NULL},
	{"acl_users", A_LIST, 0, NULL},
	{"total_jobs", A_LONG, AF_RO, NULL},
	{"state_count", A_STR, AF_RO, NULL},
	{"hasnodes", A_BOOL, AF_RO, NULL},
	{NULL, 0, 0, NULL},
};

static const struct attrdef node_defs[] = {
	{"state", A_NSTATE, AF_OPER, NULL},
	{"comment", A_STR, AF_OPER, NULL},
	{"resources_available.", A_RES, AF_PREFIX | AF_OPER, NULL},
	{"resources_assigned.", A_RES, AF_PREFIX | AF_RO, NULL},
	{"partition", A_STR, 0, NULL},
	{"queue", A_STR, AF_OPER, NULL},
	{"resv_enable", A_BOOL, AF_OPER, "True"},
	{"sharing", A_STR, 0, "default_shared"},
	{"priority", A_LONG, AF_OPER, NULL},
	{"start", A_STR, 0, NULL},
	{"rank", A_STR, 0, NULL},
	{"Mom", A_STR, 0, NULL},
	{"Port", A_LONG, 0, "15002"},
	{"ntype", A_STR, AF_RO, NULL},
	{"pcpus", A_LONG, AF_RO, NULL},
	{"jobs", A_STR, AF_RO, NULL},
	{"pbs_version", A_STR, AF_RO, NULL},
	{"last_state_change_time", A_TIME, AF_RO, NULL},
	{"last_used_time", A_TIME, AF_RO, NULL},
	{NULL, 0, 0, NULL},
};

static const struct attrdef sched_defs[] = {
	{"scheduling", A_BOOL, 0, "True"},
	{"scheduler_iteration", A_LONG, 0, "600"},
	{"partition", A_LIST, 0, NULL},
	{"sched_host", A_STR, 0, NULL},
	{"sched_priv", A_STR, 0, NULL},
	{"sched_log", A_STR, 0, NULL},
	{"sched_cycle_length", A_DURATION, AF_OPER, "00:20:00"},
	{"job_accumulation_time", A_LONG, 0, "0"},
	{"attr_update_period", A_LONG, 0, "0"},
	{"backfill", A_BOOL, 0, "True"},
	{"backfill_depth", A_LONG, 0, "10"},
	{"strict_ordering", A_BOOL, 0, "False"},
	{"backfill_shortest", A_BOOL, 0, "False"},
	{"job_sort_key", A_STR, 0, NULL},
	{"comment", A_STR, 0, NULL},
	{"log_events", A_LONG, AF_OPER, "767"},
	{"state", A_STR, AF_RO, NULL},
	{"last_cycle", A_STR, AF_RO, NULL},
	{NULL, 0, 0, NULL},
};

static const struct attrdef *defs_of(enum obj_kind kind)
{
	switch (kind) {
	case OBJ_SERVER:
		return server_defs;
	case OBJ_QUEUE:
		return queue_defs;
	case OBJ_NODE:
		return node_defs;
	case OBJ_SCHED:
		return sched_defs;
	default:
		return NULL;
	}
}

const char *obj_kind_name(enum obj_kind kind)
{
	static const char *names[] = {"server", "queue", "node", "sched"};
	return kind < OBJ_NKINDS ? names[kind] : "?";
}

const struct attrdef *obj_attrdef(enum obj_kind kind, const char *name)
{
	for (const struct attrdef *d = defs_of(kind); d && d->name; d++) {
		if (d->flags & AF_PREFIX) {
			size_t n = strlen(d->name);
			if (strncmp(name, d->name, n) == 0 && name[n])
				return d;
		} else if (strcmp(name, d->name) == 0) {
			return d;
		}
	}
	return NULL;
}

bool obj_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 64)
		return false;
	if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z') ||
	      (name[0] >= '0' && name[0] <= '9')))
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      ch == '_' || ch == '-' || ch == '.'))
			return false;
	}
	return true;
}

/* Comma list helpers: normalise "a, b ,c" -> "a,b,c"; add/remove items. */
static char *list_norm(const char *v)
{
	struct corral_buf b;
	buf_init(&b);
	for (const char *p = v; *p;) {
		while (*p == ' ' || *p == '\t')
			p++;
		const char *e = p;
		while (*e && *e != ',')
			e++;
		const char *t = e;
		while (t > p && (t[-1] == ' ' || t[-1] == '\t'))
			t--;
		if (t > p) {
			if (b.len)
				buf_lit(&b, ",");
			buf_append(&b, p, (size_t)(t - p));
		}
		p = *e ? e + 1 : e;
	}
	buf_append(&b, "", 1);
	return b.data;
}

bool list_has(const char *list, const char *item)
{
	size_t n = strlen(item);
	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == n && strncmp(p, item, n) == 0)
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

static char *list_apply(const char *cur, char op, const char *items)
{
	char *norm = list_norm(items);
	struct corral_buf b;
	buf_init(&b);
	if (op == '+') {
		buf_printf(&b, "%s", cur ? cur : "");
		for (char *p = norm, *e; p && *p; p = e ? e + 1 : NULL) {
			e = strchr(p, ',');
			if (e)
				*e = '\0';
			if (!list_has(b.data ? b.data : "", p))
				buf_printf(&b, "%s%s", b.len ? "," : "", p);
		}
	} else { /* '-' */
		for (const char *p = cur; p && *p;) {
			const char *e = strchr(p, ',');
			size_t l = e ? (size_t)(e - p) : strlen(p);
			char *item = xstrndup(p, l);
			if (!list_has(norm, item))
				buf_printf(&b, "%s%s", b.len ? "," : "", item);
			free(item);
			p = e ? e + 1 : NULL;
		}
	}
	free(norm);
	buf_append(&b, "", 1);
	return b.data;
}

int obj_check_value(enum obj_kind kind, const char *name, char op, const char *value,
		    const char *cur, char **out, int *pbs_errno, corral_error_t *err)
{
	const struct attrdef *d = obj_attrdef(kind, name);
	*pbs_errno = PBSE_NOATTR;
	if (!d)
		return corral_errorf(err, EINVAL, "Unknown attribute %s for a %s", name,
				     obj_kind_name(kind));
	*pbs_errno = PBSE_BADATVAL;
	if (op != '=' && d->type != A_LIST && d->type != A_NSTATE)
		return corral_errorf(err, EINVAL, "%s is not a list: use = not %c=", name, op);
	if (!value)
		return corral_errorf(err, EINVAL, "%s needs a value", name);
	long l;
	int b;
	switch (d->type) {
	case A_STR:
		if (strchr(value, '\n'))
			return corral_errorf(err, EINVAL, "Illegal value for %s: newline", name);
		if (kind == OBJ_NODE && (!strcmp(name, "start") || !strcmp(name, "rank"))) {
			corral_error_t perr = {0};
			struct sc_expr *e = sc_expr_parse(value, &perr);
			if (!e)
				return corral_errorf(err, EINVAL, "%s: %s", name, perr.text);
			sc_expr_destroy(e);
		}
		*out = xstrdup(value);
		return 0;
	case A_LONG:
		if (corral_parse_long(value, 0, 0x7fffffffffffL, &l) < 0)
			return corral_errorf(err, EINVAL,
					     "Illegal attribute or resource value for %s: '%s' "
					     "(a non-negative integer)",
					     name, value);
		*out = xasprintf("%ld", l);
		return 0;
	case A_BOOL:
		if ((b = corral_parse_bool(value)) < 0)
			return corral_errorf(err, EINVAL,
					     "Illegal attribute or resource value for %s: '%s' "
					     "(true or false)",
					     name, value);
		*out = xstrdup(b ? "True" : "False");
		return 0;
	case A_DURATION: {
		int64_t secs;
		char tmp[32];
		if (corral_duration_parse(value, &secs, err) < 0)
			return -EINVAL;
		*out = xstrdup(corral_duration_format(secs, tmp, sizeof tmp));
		return 0;
	}
	case A_RES: {
		const char *res = strchr(name, '.') + 1;
		return corral_res_normalize(res, value, out, err) < 0 ? -EINVAL : 0;
	}
	case A_QTYPE:
		if (strncasecmp(value, "execution", strlen(value)) == 0 && *value)
			*out = xstrdup("Execution");
		else if (strncasecmp(value, "route", strlen(value)) == 0 && *value)
			*out = xstrdup("Route");
		else
			return corral_errorf(err, EINVAL,
					     "Illegal value for queue_type: '%s' (Execution or "
					     "Route)",
					     value);
		return 0;
	case A_NSTATE: {
		/* Only the admin flag "offline" may be set; "free" clears it. */
		char *norm = list_norm(value);
		for (char *p = norm, *e; p && *p; p = e ? e + 1 : NULL) {
			e = strchr(p, ',');
			if (e)
				*e = '\0';
			if (strcmp(p, "offline") != 0 && !(op == '=' && strcmp(p, "free") == 0)) {
				free(norm);
				*pbs_errno = PBSE_BADNDATVAL;
				return corral_errorf(err, EINVAL,
						     "Illegal value for node state: '%s' (only "
						     "offline may be set or cleared)",
						     value);
			}
			if (e)
				*e = ',';
		}
		free(norm);
		/* The stored value is the admin flag list; derived states are added
		 * at stat time. */
		bool off = strstr(value, "offline") != NULL;
		if (op == '=')
			*out = xstrdup(off ? "offline" : "");
		else if (op == '+')
			*out = xstrdup(off ? "offline" : (cur ? cur : ""));
		else
			*out = xstrdup(off ? "" : (cur ? cur : ""));
		return 0;
	}
	case A_LIST:
		*out = op == '=' ? list_norm(value) : list_apply(cur, op, value);
		return 0;
	case A_TIME:
		if (corral_parse_long(value, 0, 0x7fffffffffffL, &l) < 0)
			return corral_errorf(err, EINVAL, "Illegal time for %s: '%s'", name, value);
		*out = xasprintf("%ld", l);
		return 0;
	}
	return corral_errorf(err, EINVAL, "bad attribute %s", name);
}

/* ---- JSON text of a kv ---------------------------------------------- */

void json_escape_append(struct corral_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strlen(s);
	/* Worst case: every byte becomes \u00XX.  Reserving it once keeps
	 * this loop free of bounds checks; most strings need no escape. */
	char *o = buf_reserve(b, 6 * n + 2), *start = o;
	*o++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch >= 0x20 && ch != '"' && ch != '\\') {
			*o++ = (char)ch;
			continue;
		}
		*o++ = '\\';
		if (ch == '"' || ch == '\\') {
			*o++ = (char)ch;
		} else if (ch == '\n') {
			*o++ = 'n';
		} else if (ch == '\t') {
			*o++ = 't';
		} else {
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hex[ch >> 4];
			*o++ = hex[ch & 15];
		}
	}
	*o++ = '"';
	b->len += (size_t)(o - start);
}

void attrs_dump(const struct kv *kv, struct corral_buf *b)
{
	buf_lit(b, "{");
	bool first = true;
	for (const char *k = kv_first(kv); k; k = kv_next(kv, k)) {
		if (!first)
			buf_lit(b, ",");
		first = false;
		json_escape_append(b, k);
		buf_lit(b, ":");
		json_escape_append(b, kv_val(k));
	}
	buf_lit(b, "}");
}

int attrs_load(struct kv *kv, const char *text, size_t len)
{
	json_t *o = json_loadb(text, len, 0, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		return -EINVAL;
	}
	kv_clear(kv);
	/* Keys of a JSON object are unique: the list is built in one
	 * allocation, without lookups (a restart loads every job this way). */
	const char *k;
	json_t *v;
	size_t total = 0;
	json_object_foreach(o, k, v)
	{
		if (json_is_string(v))
			total += strlen(k) + json_string_length(v) + 2;
	}
	if (total == 0 || total > UINT32_MAX) {
		json_decref(o);
		return total ? -E2BIG : 0;
	}
	kv->buf = xmalloc(total);
	json_object_foreach(o, k, v)
	{
		if (!json_is_string(v))
			continue;
		size_t kl = strlen(k) + 1, vl = strlen(json_string_value(v)) + 1;
		memcpy(kv->buf + kv->len, k, kl);
		memcpy(kv->buf + kv->len + kl, json_string_value(v), vl);
		kv->len += (uint32_t)(kl + vl);
	}
	json_decref(o);
	return 0;
}

/* ---- objects ---------------------------------------------------------- */

static size_t name_hash(const char *name)
{
	size_t h = 1469598103934665603ull; /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	return h;
}

static void hash_insert(struct server *s, struct obj *o)
{
	enum obj_kind k = o->kind;
	if (s->objs_count[k] >= s->objs_hsize[k]) { /* grow and rehash */
		size_t n = s->objs_hsize[k] ? 2 * s->objs_hsize[k] : 64;
		struct obj **t = xcalloc(n, sizeof *t);
		for (size_t i = 0; i < s->objs_hsize[k]; i++)
			for (struct obj *e = s->objs_hash[k][i], *nx; e; e = nx) {
				nx = e->hnext;
				size_t b = name_hash(e->name) & (n - 1);
				e->hnext = t[b];
				t[b] = e;
			}
		free(s->objs_hash[k]);
		s->objs_hash[k] = t;
		s->objs_hsize[k] = n;
	}
	size_t b = name_hash(o->name) & (s->objs_hsize[k] - 1);
	o->hnext = s->objs_hash[k][b];
	s->objs_hash[k][b] = o;
	s->objs_count[k]++;
}

struct obj *obj_find(struct server *s, enum obj_kind kind, const char *name)
{
	if (kind == OBJ_SERVER)
		return &s->srv;
	if (!s->objs_hsize[kind])
		return NULL;
	size_t b = name_hash(name) & (s->objs_hsize[kind] - 1);
	for (struct obj *o = s->objs_hash[kind][b]; o; o = o->hnext)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

static void set_defaults(struct obj *o)
{
	for (const struct attrdef *d = defs_of(o->kind); d && d->name; d++)
		if (d->dflt && !kv_get(&o->attrs, d->name))
			kv_set(&o->attrs, d->name, d->dflt);
}

static void link_obj(struct server *s, struct obj *o)
{
	o->next = NULL;
	if (s->objs_tail[o->kind])
		s->objs_tail[o->kind]->next = o;
	else
		s->objs[o->kind] = o;
	s->objs_tail[o->kind] = o;
	hash_insert(s, o);
}

struct obj *obj_create(struct server *s, enum obj_kind kind, const char *name)
{
	struct obj *o = xcalloc(1, sizeof *o);
	o->kind = kind;
	o->name = xstrdup(name);
	if (kind == OBJ_NODE) { /* PBS shows these first */
		kv_set(&o->attrs, "Mom", name);
		kv_set(&o->attrs, "Port", "15002");
		kv_set(&o->attrs, "ntype", "PBS");
	}
	set_defaults(o);
	if (kind == OBJ_SCHED) {
		kv_set(&o->attrs, "sched_host", corral_hostname());
		char *p = strcmp(name, "default") == 0 ? corral_path("sched_priv")
						       : xasprintf("%s/sched_priv_%s", corral_home(), name);
		kv_set(&o->attrs, "sched_priv", p);
		free(p);
		p = strcmp(name, "default") == 0 ? corral_path("sched_logs")
						 : xasprintf("%s/sched_logs_%s", corral_home(), name);
		kv_set(&o->attrs, "sched_log", p);
		free(p);
		if (strcmp(name, "default") != 0)
			kv_set(&o->attrs, "scheduling", "False");
	}
	link_obj(s, o);
	return o;
}

void obj_remove(struct server *s, struct obj *o)
{
	struct obj **pp = &s->objs[o->kind], *prev = NULL;
	while (*pp && *pp != o) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (*pp)
		*pp = o->next;
	if (s->objs_tail[o->kind] == o)
		s->objs_tail[o->kind] = prev;
	if (s->objs_hsize[o->kind]) {
		struct obj **hp = &s->objs_hash[o->kind][name_hash(o->name) &
							  (s->objs_hsize[o->kind] - 1)];
		while (*hp && *hp != o)
			hp = &(*hp)->hnext;
		if (*hp) {
			*hp = o->hnext;
			s->objs_count[o->kind]--;
		}
	}
	if (o->kind == OBJ_NODE)
		sched_node_forget(o);
	node_rt_free(o);
	sched_rt_free(o);
	kv_clear(&o->attrs);
	free(o->name);
	free(o);
}

int obj_save(struct server *s, struct obj *o)
{
	struct corral_buf b;
	int rc = txn_begin(s);
	if (rc < 0)
		return rc;
	buf_init(&b);
	attrs_dump(&o->attrs, &b);
	buf_append(&b, "", 1);
	if (o->kind == OBJ_SERVER)
		rc = store_meta_put(s->store, "server_attrs", b.data);
	else
		rc = store_obj_put(s->store, obj_kind_name(o->kind), o->name, b.data);
	buf_free(&b);
	txn_touch_obj(s, o->kind, o->name);
	return rc;
}

struct load_ctx {
	struct server *s;
	enum obj_kind kind;
};

static int load_one(void *arg, const char *name, const char *attrs)
{
	struct load_ctx *lc = arg;
	struct obj *o = xcalloc(1, sizeof *o);
	o->kind = lc->kind;
	o->name = xstrdup(name);
	if (attrs_load(&o->attrs, attrs, strlen(attrs)) < 0)
		corral_log(LOG_ERR, "store", "%s %s: unreadable attributes, using defaults",
			   obj_kind_name(lc->kind), name);
	link_obj(lc->s, o);
	return 0;
}

int obj_load_all(struct server *s, corral_error_t *err)
{
	char *text = NULL;
	bool first = false;
	s->srv.kind = OBJ_SERVER;
	s->srv.name = xstrdup(s->name);
	int rc = store_meta_get(s->store, "server_attrs", &text);
	if (rc == 0) {
		attrs_load(&s->srv.attrs, text, strlen(text));
		free(text);
	} else if (rc == -ENOENT) {
		first = true;
	} else {
		return corral_errorf(err, -rc, "cannot read server attributes: %s",
				     store_errmsg(s->store));
	}
	for (enum obj_kind k = OBJ_QUEUE; k < OBJ_NKINDS; k++) {
		struct load_ctx lc = {s, k};
		if ((rc = store_obj_load(s->store, obj_kind_name(k), load_one, &lc)) < 0)
			return corral_errorf(err, -rc, "cannot load %ss: %s", obj_kind_name(k),
					     store_errmsg(s->store));
	}
	/* Defaults of attributes added by newer versions appear on load too. */
	set_defaults(&s->srv);
	if (first) {
		struct obj *q = obj_create(s, OBJ_QUEUE, "workq");
		kv_set(&q->attrs, "enabled", "True");
		kv_set(&q->attrs, "started", "True");
		if ((rc = obj_save(s, q)) < 0 || (rc = obj_save(s, &s->srv)) < 0)
			return corral_errorf(err, -rc, "cannot initialise the store: %s",
					     store_errmsg(s->store));
		corral_log(LOG_NOTICE, "server", "first start: created queue workq");
	}
	if (!obj_find(s, OBJ_SCHED, "default")) {
		struct obj *d = obj_create(s, OBJ_SCHED, "default");
		if ((rc = obj_save(s, d)) < 0)
			return corral_errorf(err, -rc, "cannot create sched default: %s",
					     store_errmsg(s->store));
	}
	return 0;
}

void obj_reload(struct server *s, enum obj_kind kind, const char *name)
{
	char *text = NULL;
	if (kind == OBJ_SERVER) {
		if (store_meta_get(s->store, "server_attrs", &text) == 0)
			attrs_load(&s->srv.attrs, text, strlen(text));
		free(text);
		return;
	}
	struct obj *o = obj_find(s, kind, name);
	int rc = store_obj_get(s->store, obj_kind_name(kind), name, &text);
	if (rc == 0) {
		if (!o)
			o = obj_create(s, kind, name);
		attrs_load(&o->attrs, text, strlen(text));
	} else if (rc == -ENOENT && o) {
		obj_remove(s, o);
	}
	free(text);
}

int state_slot(char state)
{
	switch (state) {
	case 'T':
		return 0;
	case 'Q':
		return 1;
	case 'H':
		return 2;
	case 'W':
		return 3;
	case 'R':
		return 4;
	case 'E':
		return 5;
	case 'B':
		return 6;
	default:
		return 7; /* F and anything finished */
	}
}

void state_count_text(const int c[NSTATES], char *buf, size_t n)
{
	snprintf(buf, n, "Transit:%d Queued:%d Held:%d Waiting:%d Running:%d Exiting:%d Begun:%d ",
		 c[0], c[1], c[2], c[3], c[4], c[5], c[6]);
}

json_t *obj_stat_attrs(struct server *s, struct obj *o)
{
	json_t *a = json_object();
	char tmp[160];
	for (const char *k = kv_first(&o->attrs); k; k = kv_next(&o->attrs, k)) {
		if (k[0] == '_' || (o->kind == OBJ_NODE && strcmp(k, "state") == 0))
			continue;
		json_object_set_new(a, k, json_string(kv_val(k)));
		if (o->kind == OBJ_NODE && strcmp(k, "ntype") == 0) {
			/* Until a node daemon reports, a node's state is unknown. */
			const char *admin = kv_get(&o->attrs, "state");
			const char *live = kv_get(&o->attrs, "_live_state");
			snprintf(tmp, sizeof tmp, "%s%s%s", live ? live : "state-unknown,down",
				 admin && *admin ? "," : "", admin ? admin : "");
			json_object_set_new(a, "state", json_string(tmp));
		}
	}
	switch (o->kind) {
	case OBJ_SERVER: {
		int counts[NSTATES] = {0};
		int total = 0;
		for (struct obj *q = s->objs[OBJ_QUEUE]; q; q = q->next) {
			for (int i = 0; i < NSTATES; i++)
				counts[i] += q->counts[i];
			total += q->total;
		}
		json_object_set_new(a, "server_state",
				    json_string(srv_attr_bool(s, "scheduling", true) ? "Active"
										     : "Idle"));
		json_object_set_new(a, "server_host", json_string(corral_hostname()));
		json_object_set_new(a, "total_jobs", json_sprintf("%d", total));
		state_count_text(counts, tmp, sizeof tmp);
		json_object_set_new(a, "state_count", json_string(tmp));
		json_object_set_new(a, "pbs_version", json_string("corral-" CORRAL_VERSION));
		break;
	}
	case OBJ_QUEUE:
		json_object_set_new(a, "total_jobs", json_sprintf("%d", o->total));
		state_count_text(o->counts, tmp, sizeof tmp);
		json_object_set_new(a, "state_count", json_string(tmp));
		break;
	case OBJ_NODE:
		node_stat_attrs(s, o, a);
		break;
	case OBJ_SCHED:
		if (!kv_get(&o->attrs, "state"))
			json_object_set_new(a, "state", json_string("down"));
		break;
	default:
		break;
	}
	return a;
}
