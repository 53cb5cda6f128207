/* mirror.c - see mirror.h.
 *
 * Jobs are kept in a hash by id, each an sc_job (what the core needs) plus
 * the few texts updates compare with and start expressions may read
 * (comment, estimated.*, accrue_type, owner, group, name, project, custom
 * Resource_List.*): some 400 bytes a job.  Big pushes are read as text,
 * one list element at a time (flat.h), never as one JSON tree.
 */
#include "src/sched/mirror.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/common/buf.h"
#include "src/common/resource.h"
#include "src/common/util.h"
#include "src/sched/flat.h"

enum { F_SEEN = 1, F_PENDING = 2, F_OPTIMISTIC = 4 };

/* Wishes of the cycles not sent yet. */
struct upd {
	char *comment;	 /* NULL: no wish; "" unsets */
	char *est_start; /* with est_ev: NULL no wish */
	char *est_ev;
	char accrue[8]; /* "": no wish */
};

struct mjob {
	struct sc_job sj; /* first: the core hands back &sj */
	char *id;
	struct mjob *hnext;
	char state; /* job_state as the server last said */
	uint8_t flags;
	int pos_t, pos_a; /* in the throttled / accrue update lists, -1 */
	struct upd *upd;
	char *exec_vnode; /* what the model's allocation was made from */
	int64_t stime;
	struct kv attrs; /* comment, estimated.*, accrue_type, owner... */
};

struct mirror {
	struct sc_model *m;
	struct mirror_conf conf;
	struct mjob **bucket;
	size_t nbuckets, njobs;
	bool *nseen; /* per vnode index: listed by the snapshot */
	int nseen_cap;
	int nres_seen; /* consumables when the vnodes were last read */
	char **runs;   /* ids of jobs whose run is to be sent */
	int nruns, capruns, runs_head;
	struct mjob **upd_t, **upd_a;
	int nupd_t, nupd_a, capupd_t, capupd_a;
	struct mirror_counts counts;
	char **jnames; /* job attribute names of start expressions */
	int njnames;
	struct flat flat;	 /* scratch for one element */
	struct {		 /* mirror_feed's place in the frame */
		int st;
		char list[32];	 /* the list member being read */
		char op[48];
		bool snap;
	} feed;
	bool (*stop_fn)(void *); /* the caller's sched_cycle_length check */
	void *stop_arg;
};

/* ---- small helpers -------------------------------------------------- */

int64_t mirror_job_seq(const char *id) { return id ? strtoll(id, NULL, 10) : 0; }

static const char *str_of(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void json_str(struct corral_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	buf_append(b, "\"", 1);
	const char *run = s;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_append(b, run, (size_t)(s - run));
		char esc[8];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			buf_append(b, esc, 2);
		} else if (c == '\n') {
			buf_append(b, "\\n", 2);
		} else if (c == '\t') {
			buf_append(b, "\\t", 2);
		} else {
			esc[0] = '\\';
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			buf_append(b, esc, 6);
		}
		run = s + 1;
	}
	buf_append(b, run, (size_t)(s - run));
	buf_append(b, "\"", 1);
}

static bool same(const char *a, const char *b) { return strcmp(a ? a : "", b ? b : "") == 0; }

/* ---- jobs ------------------------------------------------------------- */

static size_t jbucket(const struct mirror *mr, const char *id)
{
	uint64_t h = 1469598103934665603ull;
	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 1099511628211ull;
	return (size_t)(h % mr->nbuckets);
}

static struct mjob *jfind(const struct mirror *mr, const char *id)
{
	for (struct mjob *j = mr->bucket[jbucket(mr, id)]; j; j = j->hnext)
		if (strcmp(j->id, id) == 0)
			return j;
	return NULL;
}

static void jrehash(struct mirror *mr)
{
	size_t old = mr->nbuckets;
	struct mjob **ob = mr->bucket;
	mr->nbuckets = old * 4;
	mr->bucket = xcalloc(mr->nbuckets, sizeof *mr->bucket);
	for (size_t b = 0; b < old; b++)
		for (struct mjob *j = ob[b], *n; j; j = n) {
			n = j->hnext;
			size_t h = jbucket(mr, j->id);
			j->hnext = mr->bucket[h];
			mr->bucket[h] = j;
		}
	free(ob);
}

static struct mjob *jadd(struct mirror *mr, const char *id)
{
	if (mr->njobs >= mr->nbuckets)
		jrehash(mr);
	struct mjob *j = xcalloc(1, sizeof *j);
	sc_job_init(&j->sj);
	j->id = xstrdup(id);
	j->sj.seq = mirror_job_seq(id);
	j->pos_t = j->pos_a = -1;
	j->state = '?';
	size_t h = jbucket(mr, id);
	j->hnext = mr->bucket[h];
	mr->bucket[h] = j;
	mr->njobs++;
	return j;
}

static void upd_free(struct upd *u)
{
	if (!u)
		return;
	free(u->comment);
	free(u->est_start);
	free(u->est_ev);
	free(u);
}

static void list_push(struct mjob ***l, int *n, int *cap, struct mjob *j, int *pos)
{
	if (*pos >= 0)
		return;
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 1024;
		*l = xrealloc(*l, (size_t)*cap * sizeof **l);
	}
	*pos = *n;
	(*l)[(*n)++] = j;
}

static void list_del_t(struct mirror *mr, struct mjob *j)
{
	if (j->pos_t < 0)
		return;
	struct mjob *last = mr->upd_t[--mr->nupd_t];
	mr->upd_t[j->pos_t] = last;
	last->pos_t = j->pos_t;
	j->pos_t = -1;
}

static void list_del_a(struct mirror *mr, struct mjob *j)
{
	if (j->pos_a < 0)
		return;
	struct mjob *last = mr->upd_a[--mr->nupd_a];
	mr->upd_a[j->pos_a] = last;
	last->pos_a = j->pos_a;
	j->pos_a = -1;
}

static void drop_wishes(struct mirror *mr, struct mjob *j)
{
	list_del_t(mr, j);
	list_del_a(mr, j);
	upd_free(j->upd);
	j->upd = NULL;
}

static void jremove(struct mirror *mr, struct mjob *j)
{
	size_t h = jbucket(mr, j->id);
	for (struct mjob **pp = &mr->bucket[h]; *pp; pp = &(*pp)->hnext)
		if (*pp == j) {
			*pp = j->hnext;
			break;
		}
	mr->njobs--;
	drop_wishes(mr, j);
	sc_job_remove(mr->m, &j->sj);
	kv_clear(&j->attrs);
	free(j->exec_vnode);
	free(j->id);
	free(j);
}

/* The attributes kept as text: what updates compare with and what start
 * expressions may read. */
static bool kept(const char *k)
{
	static const char *const names[] = {
	    "comment", "accrue_type",  "Job_Owner", "euser",	     "egroup",
	    "project", "Account_Name", "Job_Name",  "eligible_time", NULL};
	static const char *const core_rl[] = {"select", "place", "walltime", "ncpus",
					      "mem",	"ngpus", "nodect",   NULL};
	if (strncmp(k, "estimated.", 10) == 0)
		return true;
	if (strncmp(k, "Resource_List.", 14) == 0) {
		for (int i = 0; core_rl[i]; i++)
			if (strcmp(k + 14, core_rl[i]) == 0)
				return false;
		return true;
	}
	for (int i = 0; names[i]; i++)
		if (strcmp(k, names[i]) == 0)
			return true;
	return false;
}

/* Put the job in the model as the server and its pending run say. */
static void sync_core(struct mirror *mr, struct mjob *j, const char *ev)
{
	struct sc_model *m = mr->m;
	if ((j->flags & (F_PENDING | F_OPTIMISTIC)) && j->state == 'Q' &&
	    j->sj.state == SC_JOB_RUNNING)
		return; /* our run stands until the server says otherwise */
	switch (j->state) {
	case 'Q':
		sc_job_enqueue(m, &j->sj);
		return;
	case 'R':
	case 'E': {
		if (j->sj.state == SC_JOB_RUNNING && same(ev, j->exec_vnode)) {
			if (j->sj.start != j->stime)
				sc_job_set_start(m, &j->sj, j->stime);
			return;
		}
		struct sc_alloc *a = NULL;
		int n = ev ? sc_exec_vnode_parse(m, ev, &a, NULL) : -EINVAL;
		if (n > 0 && sc_job_set_running(m, &j->sj, a, n, j->stime) == 0) {
			free(j->exec_vnode);
			j->exec_vnode = xstrdup(ev);
		} else {
			sc_job_hold(m, &j->sj); /* holds nothing we know of */
		}
		free(a);
		return;
	}
	default:
		sc_job_hold(m, &j->sj);
	}
}

#define A(k) flat_get(f, (k), true)

static void apply_job(struct mirror *mr, const char *id, const struct flat *f)
{
	struct sc_model *m = mr->m;
	struct mjob *j = jfind(mr, id);
	if (!j)
		j = jadd(mr, id);
	j->flags |= F_SEEN;
	if (!(j->flags & F_PENDING))
		j->flags &= ~F_OPTIMISTIC; /* news after the run's reply: the server's word */
	/* one pass over the attributes: the fields, and the kept texts */
	const char *st = NULL, *qn = NULL, *pr = NULL, *wt = NULL, *stime = NULL, *sel = NULL,
		   *place = NULL, *rq = NULL, *rk = NULL, *ev = NULL;
	kv_clear(&j->attrs);
	for (int i = 0; i < f->n; i++) {
		if (!f->kv[i].attr)
			continue;
		const char *k = flat_key(f, i), *v = flat_val(f, i);
		switch (k[0]) {
		case 'j':
			if (!strcmp(k, "job_state"))
				st = v;
			continue;
		case 'q':
			if (!strcmp(k, "queue"))
				qn = v;
			continue;
		case 'P':
			if (!strcmp(k, "Priority"))
				pr = v;
			continue;
		case 's':
			if (!strcmp(k, "stime"))
				stime = v;
			continue;
		case 'r':
			if (!strcmp(k, "requirements"))
				rq = v;
			else if (!strcmp(k, "rank"))
				rk = v;
			continue;
		case 'e':
			if (!strcmp(k, "exec_vnode")) {
				ev = v;
				continue;
			}
			break;
		case 'R':
			if (!strcmp(k, "Resource_List.select"))
				sel = v;
			else if (!strcmp(k, "Resource_List.place"))
				place = v;
			else if (!strcmp(k, "Resource_List.walltime"))
				wt = v;
			break;
		case 'c':
		case 'a':
		case 'J':
		case 'p':
		case 'A':
			break;
		default:
			continue;
		}
		if (kept(k))
			kv_append(&j->attrs, k, v);
	}
	j->state = st && *st ? *st : 'Q';
	j->sj.queue = qn ? sc_queue_get(m, qn) : NULL;
	j->sj.priority = pr ? strtoll(pr, NULL, 10) : 0;
	int64_t secs = -1;
	if (wt && corral_duration_parse(wt, &secs, NULL) < 0)
		secs = -1;
	bool wchanged = secs != j->sj.walltime;
	j->sj.walltime = secs;
	j->stime = stime ? strtoll(stime, NULL, 10) : 0;

	/* select and place: interned, so compare the key first */
	if (!sel) {
		sc_job_set_req(m, &j->sj, NULL);
	} else {
		bool same_req = false;
		if (j->sj.req) {
			const char *key = j->sj.req->key;
			size_t ls = strlen(sel);
			same_req = strncmp(key, sel, ls) == 0 && key[ls] == '|' &&
				   strcmp(key + ls + 1, place ? place : "") == 0;
		}
		if (!same_req) {
			struct sc_req *r = sc_req_get(m, sel, place, NULL);
			sc_job_set_req(m, &j->sj, r);
			sc_req_put(m, r);
		}
	}
	if (!same(rq, j->sj.requirements ? sc_expr_text(j->sj.requirements) : NULL) ||
	    !same(rk, j->sj.rank ? sc_expr_text(j->sj.rank) : NULL) || j->sj.bad_expr)
		sc_job_set_exprs(m, &j->sj, rq, rk, NULL);

	/* a wish the server now already shows is done */
	if (j->upd) {
		struct upd *u = j->upd;
		if (u->comment && same(u->comment, kv_get(&j->attrs, "comment"))) {
			free(u->comment);
			u->comment = NULL;
		}
		if (u->accrue[0] && same(u->accrue, kv_get(&j->attrs, "accrue_type")))
			u->accrue[0] = '\0';
	}
	if (wchanged && j->sj.state == SC_JOB_RUNNING)
		sc_job_set_start(m, &j->sj, j->sj.start);
	sync_core(mr, j, ev);
}

/* ---- vnodes and queues ---------------------------------------------- */

static void read_node_res(struct mirror *mr, struct sc_node *nd)
{
	struct sc_model *m = mr->m;
	char key[96];
	for (int r = 0; r < sc_res_count(m); r++) {
		snprintf(key, sizeof key, "resources_available.%s", sc_res_name(m, r));
		int64_t v = 0;
		const char *t = kv_get(&nd->attrs, key);
		nd->avail[r] = t && sc_res_parse(m, r, t, &v) == 0 ? v : 0;
		snprintf(key, sizeof key, "resources_assigned.%s", sc_res_name(m, r));
		t = kv_get(&nd->attrs, key);
		v = 0;
		nd->reported[r] = t && sc_res_parse(m, r, t, &v) == 0 ? v : 0;
	}
}

static int node_state_bits(const char *st)
{
	if (!st)
		return SC_NODE_DOWN;
	int bits = 0;
	if (strstr(st, "down") || strstr(st, "unknown") || strstr(st, "unresolvable"))
		bits |= SC_NODE_DOWN;
	if (strstr(st, "offline"))
		bits |= SC_NODE_OFFLINE;
	return bits;
}

static void apply_node(struct mirror *mr, const char *name, const struct flat *f)
{
	struct sc_model *m = mr->m;
	int idx = sc_node_add(m, name);
	struct sc_node *nd = sc_node_get(m, idx);
	if (idx >= mr->nseen_cap) {
		int cap = mr->nseen_cap ? 2 * mr->nseen_cap : 256;
		while (cap <= idx)
			cap *= 2;
		mr->nseen = xrealloc(mr->nseen, (size_t)cap * sizeof *mr->nseen);
		memset(mr->nseen + mr->nseen_cap, 0,
		       (size_t)(cap - mr->nseen_cap) * sizeof *mr->nseen);
		mr->nseen_cap = cap;
	}
	mr->nseen[idx] = true;
	kv_clear(&nd->attrs);
	for (int i = 0; i < f->n; i++) {
		const char *k = flat_key(f, i);
		if (f->kv[i].attr && (strncmp(k, "resources_available.", 20) == 0 ||
				      strncmp(k, "resources_assigned.", 19) == 0))
			kv_append(&nd->attrs, k, flat_val(f, i));
	}
	read_node_res(mr, nd);
	nd->state = node_state_bits(A("state"));
	const char *pr = A("priority");
	nd->priority = pr ? strtoll(pr, NULL, 10) : 0;
	const char *start = A("start");
	if (!same(start, nd->start ? sc_expr_text(nd->start) : NULL) || nd->bad_start)
		sc_node_set_start(m, idx, start, NULL);
	sc_node_changed(m, idx);
}

static void apply_queue(struct mirror *mr, const char *name, const struct flat *f)
{
	struct sc_queue *q = sc_queue_get(mr->m, name);
	const char *pr = A("priority");
	q->priority = pr ? strtoll(pr, NULL, 10) : 0;
	const char *st = A("started");
	const char *type = A("queue_type");
	q->started = st && corral_parse_bool(st) == 1 && !(type && (*type == 'R' || *type == 'r'));
	const char *dw = A("resources_default.walltime");
	int64_t secs = -1;
	if (!dw || corral_duration_parse(dw, &secs, NULL) < 0)
		secs = -1;
	q->default_walltime = secs;
}

static void apply_server(struct mirror *mr, const json_t *attrs)
{
	if (!json_is_object(attrs))
		return;
	const char *v = str_of(attrs, "eligible_time_enable");
	mr->conf.policy.eligible_time_enable = v && corral_parse_bool(v) == 1;
	v = str_of(attrs, "default_walltime");
	int64_t secs = -1;
	if (!v || corral_duration_parse(v, &secs, NULL) < 0)
		secs = -1;
	mr->conf.policy.default_walltime = secs;
	v = str_of(attrs, "default_chunk.ncpus");
	sc_model_set_default_ncpus(mr->m, v ? strtoll(v, NULL, 10) : 1);
}

static void apply_sched(struct mirror *mr, const json_t *attrs)
{
	if (!json_is_object(attrs))
		return;
	struct mirror_conf *c = &mr->conf;
	const char *v;
	if ((v = str_of(attrs, "backfill")))
		c->policy.backfill = corral_parse_bool(v) != 0;
	if ((v = str_of(attrs, "backfill_depth")))
		c->policy.backfill_depth = (int)strtol(v, NULL, 10);
	if ((v = str_of(attrs, "strict_ordering")))
		c->policy.strict_ordering = corral_parse_bool(v) == 1;
	if ((v = str_of(attrs, "backfill_shortest")))
		c->policy.backfill_shortest = corral_parse_bool(v) == 1;
	v = str_of(attrs, "job_sort_key");
	corral_error_t e = {0};
	c->error[0] = '\0';
	if (sc_policy_sort_keys(mr->m, &c->policy, v, &e) < 0)
		snprintf(c->error, sizeof c->error, "%s", e.text);
	if ((v = str_of(attrs, "attr_update_period")))
		c->attr_update_period = strtol(v, NULL, 10);
	int64_t secs;
	if ((v = str_of(attrs, "sched_cycle_length")) && corral_duration_parse(v, &secs, NULL) == 0)
		c->cycle_length = (long)secs;
	if ((v = str_of(attrs, "scheduling")))
		c->scheduling = corral_parse_bool(v) != 0;
}

/* ---- job attributes for start expressions ----------------------------- */

enum { K_USER = 0, K_GROUP = 1, K_NAME = 2, K_BASE = 16 };

static int jl_resolve(void *ctx, const char *name)
{
	struct mirror *mr = ctx;
	if (!strcmp(name, "user") || !strcmp(name, "euser"))
		return K_USER;
	if (!strcmp(name, "group") || !strcmp(name, "egroup"))
		return K_GROUP;
	if (!strcmp(name, "name") || !strcmp(name, "Job_Name"))
		return K_NAME;
	for (int i = 0; i < mr->njnames; i++)
		if (strcmp(mr->jnames[i], name) == 0)
			return K_BASE + i;
	mr->jnames = xrealloc(mr->jnames, (size_t)(mr->njnames + 1) * sizeof *mr->jnames);
	mr->jnames[mr->njnames] = xstrdup(name);
	return K_BASE + mr->njnames++;
}

static void jl_lookup(void *ctx, const struct sc_job *sj, int key, struct sc_value *out)
{
	struct mirror *mr = ctx;
	const struct mjob *j = (const struct mjob *)sj;
	const char *v = NULL;
	size_t len;
	if (key == K_USER) {
		v = kv_get(&j->attrs, "euser");
		if (!v && (v = kv_get(&j->attrs, "Job_Owner"))) {
			len = strcspn(v, "@");
			out->type = SC_STR;
			out->str = v;
			out->len = len;
			return;
		}
	} else if (key == K_GROUP) {
		v = kv_get(&j->attrs, "egroup");
	} else if (key == K_NAME) {
		v = kv_get(&j->attrs, "Job_Name");
	} else if (key >= K_BASE && key - K_BASE < mr->njnames) {
		const char *n = mr->jnames[key - K_BASE];
		v = kv_get(&j->attrs, n);
		if (!v && strncmp(n, "Resource_List.", 14) != 0) {
			char rl[128];
			snprintf(rl, sizeof rl, "Resource_List.%s", n);
			v = kv_get(&j->attrs, rl);
		}
	}
	if (v) {
		out->type = SC_STR;
		out->str = v;
		out->len = strlen(v);
	}
}

/* ---- life ------------------------------------------------------------- */

struct mirror *mirror_create(void)
{
	struct mirror *mr = xcalloc(1, sizeof *mr);
	mr->m = sc_model_create();
	sc_policy_default(&mr->conf.policy);
	mr->conf.scheduling = true;
	mr->conf.cycle_length = 1200;
	mr->nbuckets = 1024;
	mr->bucket = xcalloc(mr->nbuckets, sizeof *mr->bucket);
	flat_init(&mr->flat);
	struct sc_job_lookup jl = {jl_resolve, jl_lookup, mr};
	sc_model_set_job_lookup(mr->m, &jl);
	return mr;
}

void mirror_destroy(struct mirror *mr)
{
	if (!mr)
		return;
	for (size_t b = 0; b < mr->nbuckets; b++)
		for (struct mjob *j = mr->bucket[b], *n; j; j = n) {
			n = j->hnext;
			upd_free(j->upd);
			sc_job_remove(mr->m, &j->sj);
			kv_clear(&j->attrs);
			free(j->exec_vnode);
			free(j->id);
			free(j);
		}
	free(mr->bucket);
	for (int i = mr->runs_head; i < mr->nruns; i++)
		free(mr->runs[i]);
	free(mr->runs);
	free(mr->upd_t);
	free(mr->upd_a);
	free(mr->nseen);
	for (int i = 0; i < mr->njnames; i++)
		free(mr->jnames[i]);
	free(mr->jnames);
	flat_free(&mr->flat);
	sc_model_destroy(mr->m);
	free(mr);
}

struct sc_model *mirror_model(struct mirror *mr) { return mr->m; }

const struct mirror_conf *mirror_conf(const struct mirror *mr) { return &mr->conf; }

void mirror_counts(const struct mirror *mr, struct mirror_counts *c)
{
	*c = mr->counts;
	c->jobs = (long)mr->njobs;
	c->nodes = 0;
	for (int i = 0; i < sc_node_count(mr->m); i++)
		c->nodes += !sc_node_get(mr->m, i)->gone;
}

/* ---- messages ----------------------------------------------------------- */

static int bad(corral_error_t *err, const char *what)
{
	return corral_errorf(err, EPROTO, "malformed %s", what);
}

static bool is_object_list(const char *key)
{
	return !strcmp(key, "jobs") || !strcmp(key, "nodes") || !strcmp(key, "queues");
}

/* An element of jobs, nodes or queues, read into mr->flat. */
static int apply_flat(struct mirror *mr, const char *key, corral_error_t *err)
{
	const struct flat *f = &mr->flat;
	const char *name = flat_get(f, key[0] == 'j' ? "id" : "name", false);
	if (!name || !f->has_attrs)
		return bad(err, key[0] == 'j' ? "job" : key[0] == 'n' ? "node" : "queue");
	if (key[0] == 'j')
		apply_job(mr, name, f);
	else if (key[0] == 'n')
		apply_node(mr, name, f);
	else
		apply_queue(mr, name, f);
	return 0;
}

/* One element of a list member of a snapshot or delta. */
static int apply_elem(struct mirror *mr, const char *key, const json_t *it, corral_error_t *err)
{
	if (is_object_list(key)) {
		if (flat_from_json(&mr->flat, it) < 0)
			return bad(err, key);
		return apply_flat(mr, key, err);
	}
	if (!json_is_string(it))
		return bad(err, key);
	const char *name = json_string_value(it);
	if (!strcmp(key, "jobs_gone")) {
		struct mjob *j = jfind(mr, name);
		if (j)
			jremove(mr, j);
	} else if (!strcmp(key, "nodes_gone")) {
		int idx = sc_node_find(mr->m, name);
		if (idx >= 0)
			sc_node_remove(mr->m, idx);
	} else if (!strcmp(key, "queues_gone")) {
		sc_queue_get(mr->m, name)->started = false;
	}
	return 0;
}

static bool is_list(const char *key)
{
	static const char *const lists[] = {"jobs",	  "nodes",	 "queues", "jobs_gone",
					    "nodes_gone", "queues_gone", NULL};
	for (int i = 0; lists[i]; i++)
		if (!strcmp(key, lists[i]))
			return true;
	return false;
}

/* Any member of a snapshot, delta or configure. */
static int apply_member(struct mirror *mr, const char *key, const json_t *v, corral_error_t *err)
{
	int rc = 0;
	if (is_list(key)) {
		size_t i;
		json_t *it;
		if (!json_is_array(v))
			return bad(err, key);
		json_array_foreach(v, i, it)
		{
			if (apply_elem(mr, key, it, err) < 0)
				rc = -EPROTO;
		}
	} else if (!strcmp(key, "server")) {
		apply_server(mr, v);
	} else if (!strcmp(key, "sched") || !strcmp(key, "attrs")) {
		apply_sched(mr, v);
	}
	return rc;
}

static void snapshot_begin(struct mirror *mr)
{
	for (size_t b = 0; b < mr->nbuckets; b++)
		for (struct mjob *j = mr->bucket[b]; j; j = j->hnext)
			j->flags &= (uint8_t)~F_SEEN;
	if (mr->nseen)
		memset(mr->nseen, 0, (size_t)mr->nseen_cap * sizeof *mr->nseen);
}

static void snapshot_end(struct mirror *mr)
{
	for (size_t b = 0; b < mr->nbuckets; b++)
		for (struct mjob *j = mr->bucket[b], *n; j; j = n) {
			n = j->hnext;
			if (!(j->flags & F_SEEN))
				jremove(mr, j);
		}
	for (int i = 0; i < sc_node_count(mr->m); i++)
		if (i >= mr->nseen_cap || !mr->nseen[i])
			sc_node_remove(mr->m, i);
}

static int apply_object(struct mirror *mr, const json_t *msg, corral_error_t *err)
{
	int rc = 0;
	const char *k;
	json_t *v;
	/* the server and sched settings first: jobs and vnodes may use them */
	if (json_object_get(msg, "sched"))
		apply_sched(mr, json_object_get(msg, "sched"));
	if (json_object_get(msg, "server"))
		apply_server(mr, json_object_get(msg, "server"));
	json_object_foreach((json_t *)msg, k, v)
	{
		if (is_list(k) && apply_member(mr, k, v, err) < 0)
			rc = -EPROTO;
	}
	return rc;
}

int mirror_snapshot(struct mirror *mr, const json_t *msg, corral_error_t *err)
{
	snapshot_begin(mr);
	int rc = apply_object(mr, msg, err);
	snapshot_end(mr);
	return rc;
}

int mirror_delta(struct mirror *mr, const json_t *msg, corral_error_t *err)
{
	mr->counts.deltas++;
	return apply_object(mr, msg, err);
}

int mirror_configure(struct mirror *mr, const json_t *msg, corral_error_t *err)
{
	const json_t *a = json_object_get(msg, "attrs");
	if (!json_is_object(a))
		return bad(err, "sched.configure");
	apply_sched(mr, a);
	apply_server(mr, json_object_get(msg, "server"));
	return 0;
}

/* ---- messages as text ------------------------------------------------------
 * A snapshot of 100,000 jobs is some 40 MB of JSON; as one jansson tree it
 * would take ten times that.  So big pushes are walked as text: the
 * members of the top object are found by skipping values, and the
 * elements of the lists are parsed one at a time. */

static const char *skip_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* p at '"': past the closing quote, or NULL. */
static const char *skip_string(const char *p, const char *e)
{
	for (p++; p < e; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/* Past one value, or NULL. */
static const char *skip_value(const char *p, const char *e)
{
	if (p >= e)
		return NULL;
	if (*p == '"')
		return skip_string(p, e);
	if (*p == '{' || *p == '[') {
		int depth = 0;
		for (; p < e; p++) {
			if (*p == '"') {
				p = skip_string(p, e);
				if (!p)
					return NULL;
				p--;
			} else if (*p == '{' || *p == '[') {
				depth++;
			} else if (*p == '}' || *p == ']') {
				if (--depth == 0)
					return p + 1;
			}
		}
		return NULL;
	}
	while (p < e && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n')
		p++;
	return p;
}

struct member {
	char key[32];
	const char *v, *ve; /* the value's text */
};

/* The members of the object in text (at most max). */
static int members(const char *p, const char *e, struct member *out, int max)
{
	int n = 0;
	p = skip_ws(p, e);
	if (p >= e || *p != '{')
		return -1;
	p = skip_ws(p + 1, e);
	while (p < e && *p != '}') {
		if (*p != '"')
			return -1;
		const char *ks = p + 1, *ke = skip_string(p, e);
		if (!ke)
			return -1;
		p = skip_ws(ke, e);
		if (p >= e || *p != ':')
			return -1;
		p = skip_ws(p + 1, e);
		const char *ve = skip_value(p, e);
		if (!ve)
			return -1;
		if (n < max) {
			size_t kl = (size_t)(ke - 1 - ks);
			if (kl >= sizeof out[n].key)
				kl = sizeof out[n].key - 1;
			memcpy(out[n].key, ks, kl);
			out[n].key[kl] = '\0';
			out[n].v = p;
			out[n].ve = ve;
			n++;
		}
		p = skip_ws(ve, e);
		if (p < e && *p == ',')
			p = skip_ws(p + 1, e);
	}
	return p < e ? n : -1;
}

static int apply_text_list(struct mirror *mr, const struct member *mb, corral_error_t *err)
{
	const char *p = skip_ws(mb->v, mb->ve), *e = mb->ve;
	int rc = 0;
	if (p >= e || *p != '[')
		return bad(err, mb->key);
	p = skip_ws(p + 1, e);
	while (p < e && *p != ']') {
		if (is_object_list(mb->key)) {
			size_t used;
			if (flat_parse_next(&mr->flat, p, (size_t)(e - p), &used) < 0)
				return bad(err, mb->key);
			if (apply_flat(mr, mb->key, err) < 0)
				rc = -EPROTO;
			p = skip_ws(p + used, e);
			if (p < e && *p == ',')
				p = skip_ws(p + 1, e);
			continue;
		}
		const char *ve = skip_value(p, e);
		if (!ve)
			return bad(err, mb->key);
		{
			json_error_t je;
			json_t *it = json_loadb(p, (size_t)(ve - p), JSON_DECODE_ANY, &je);
			if (!it || apply_elem(mr, mb->key, it, err) < 0)
				rc = bad(err, mb->key);
			json_decref(it);
		}
		p = skip_ws(ve, e);
		if (p < e && *p == ',')
			p = skip_ws(p + 1, e);
	}
	return rc;
}

int mirror_apply_text(struct mirror *mr, const char *text, size_t len, char *op, size_t opn,
		      corral_error_t *err)
{
	struct member mb[32];
	int n = members(text, text + len, mb, 32);
	if (n < 0)
		return corral_errorf(err, EPROTO, "malformed push");
	char opname[48] = "";
	for (int i = 0; i < n; i++)
		if (!strcmp(mb[i].key, "op") && mb[i].ve - mb[i].v < (long)sizeof opname + 2 &&
		    *mb[i].v == '"') {
			memcpy(opname, mb[i].v + 1, (size_t)(mb[i].ve - mb[i].v - 2));
			opname[mb[i].ve - mb[i].v - 2] = '\0';
		}
	if (op)
		snprintf(op, opn, "%s", opname);
	bool snap = !strcmp(opname, "sched.snapshot");
	if (!snap && strcmp(opname, "sched.delta") != 0) {
		/* anything else is small: the ordinary way */
		json_error_t je;
		json_t *msg = json_loadb(text, len, 0, &je);
		if (!msg)
			return corral_errorf(err, EPROTO, "malformed push: %s", je.text);
		int rc = !strcmp(opname, "sched.configure") ? mirror_configure(mr, msg, err) : 0;
		json_decref(msg);
		return rc;
	}
	if (snap)
		snapshot_begin(mr);
	else
		mr->counts.deltas++;
	int rc = 0;
	/* settings first, then the lists */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < n; i++) {
			bool list = is_list(mb[i].key);
			if ((pass == 0) == list)
				continue;
			if (list) {
				if (apply_text_list(mr, &mb[i], err) < 0)
					rc = -EPROTO;
				continue;
			}
			if (strcmp(mb[i].key, "server") && strcmp(mb[i].key, "sched"))
				continue;
			json_error_t je;
			json_t *v = json_loadb(mb[i].v, (size_t)(mb[i].ve - mb[i].v), 0, &je);
			if (v)
				apply_member(mr, mb[i].key, v, err);
			else
				rc = bad(err, mb[i].key);
			json_decref(v);
		}
	if (snap)
		snapshot_end(mr);
	return rc;
}

/* ---- streamed messages ------------------------------------------------- */

enum { FS_OPEN, FS_MEMBER, FS_AFTER_MEMBER, FS_ELEM, FS_AFTER_ELEM, FS_END };

/* The end of the value at p, or NULL when it is not all in [p, e) yet. */
static const char *value_end(const char *p, const char *e, bool final)
{
	const char *ve = skip_value(p, e);
	if (ve && ve == e && !final && *p != '"' && *p != '{' && *p != '[')
		return NULL; /* a number or literal that may go on */
	return ve;
}

static int feed_elem(struct mirror *mr, const char *p, const char *ve, corral_error_t *err)
{
	const char *key = mr->feed.list;
	if (is_object_list(key)) {
		if (flat_parse(&mr->flat, p, (size_t)(ve - p)) < 0)
			return bad(err, key);
		return apply_flat(mr, key, err);
	}
	json_error_t je;
	json_t *it = json_loadb(p, (size_t)(ve - p), JSON_DECODE_ANY, &je);
	int rc = it ? apply_elem(mr, key, it, err) : bad(err, key);
	json_decref(it);
	return rc;
}

/* A member that is not a list: op, server, sched. */
static int feed_member(struct mirror *mr, const char *key, const char *p, const char *ve,
		       corral_error_t *err)
{
	if (!strcmp(key, "op")) {
		if (*p != '"' || ve - p - 2 >= (long)sizeof mr->feed.op)
			return bad(err, "op");
		memcpy(mr->feed.op, p + 1, (size_t)(ve - p - 2));
		mr->feed.op[ve - p - 2] = '\0';
		mr->feed.snap = !strcmp(mr->feed.op, "sched.snapshot");
		if (mr->feed.snap)
			snapshot_begin(mr);
		else
			mr->counts.deltas++;
		return 0;
	}
	if (strcmp(key, "server") && strcmp(key, "sched") && strcmp(key, "attrs"))
		return 0;
	json_error_t je;
	json_t *v = json_loadb(p, (size_t)(ve - p), 0, &je);
	if (!v)
		return bad(err, key);
	apply_member(mr, key, v, err);
	json_decref(v);
	return 0;
}

long mirror_feed(struct mirror *mr, const char *data, size_t n, bool first, bool final, char *op,
		 size_t opn, corral_error_t *err)
{
	const char *p = data, *e = data + n, *done = data;
	int rc = 0;
	if (first) {
		mr->feed.st = FS_OPEN;
		mr->feed.op[0] = '\0';
		mr->feed.snap = false;
	}
	for (;;) {
		p = skip_ws(p, e);
		done = p;
		if (p >= e || mr->feed.st == FS_END)
			break;
		switch (mr->feed.st) {
		case FS_OPEN:
			if (*p != '{')
				goto malformed;
			p++;
			mr->feed.st = FS_MEMBER;
			continue;
		case FS_AFTER_MEMBER:
			if (*p == '}') {
				p++;
				mr->feed.st = FS_END;
			} else if (*p == ',') {
				p++;
				mr->feed.st = FS_MEMBER;
			} else {
				goto malformed;
			}
			continue;
		case FS_MEMBER: {
			if (*p == '}') {
				p++;
				mr->feed.st = FS_END;
				continue;
			}
			if (*p != '"')
				goto malformed;
			const char *ke = skip_string(p, e);
			if (!ke)
				goto more;
			char key[32];
			size_t kl = (size_t)(ke - p - 2);
			snprintf(key, sizeof key, "%.*s", (int)kl, p + 1);
			const char *q = skip_ws(ke, e);
			if (q >= e)
				goto more;
			if (*q != ':')
				goto malformed;
			q = skip_ws(q + 1, e);
			if (q >= e)
				goto more;
			if (!mr->feed.op[0] && strcmp(key, "op") != 0)
				return corral_errorf(err, EPROTO, "a streamed push must start with its op");
			if (is_list(key)) {
				if (*q != '[')
					goto malformed;
				snprintf(mr->feed.list, sizeof mr->feed.list, "%s", key);
				p = q + 1;
				mr->feed.st = FS_ELEM;
				continue;
			}
			const char *ve = value_end(q, e, final);
			if (!ve)
				goto more;
			if (feed_member(mr, key, q, ve, err) < 0)
				rc = -EPROTO;
			if (op)
				snprintf(op, opn, "%s", mr->feed.op);
			p = ve;
			mr->feed.st = FS_AFTER_MEMBER;
			continue;
		}
		case FS_ELEM: {
			if (*p == ']') {
				p++;
				mr->feed.st = FS_AFTER_MEMBER;
				continue;
			}
			const char *ve = value_end(p, e, final);
			if (!ve)
				goto more;
			if (feed_elem(mr, p, ve, err) < 0)
				rc = -EPROTO;
			p = ve;
			mr->feed.st = FS_AFTER_ELEM;
			continue;
		}
		case FS_AFTER_ELEM:
			if (*p == ',') {
				p++;
				mr->feed.st = FS_ELEM;
			} else if (*p == ']') {
				p++;
				mr->feed.st = FS_AFTER_MEMBER;
			} else {
				goto malformed;
			}
			continue;
		}
	}
more:
	if (final) {
		if (mr->feed.st != FS_END || skip_ws(done, e) != e)
			goto malformed;
		if (mr->feed.snap)
			snapshot_end(mr);
		done = e;
	}
	if (rc < 0 && err && !err->code)
		corral_errorf(err, EPROTO, "malformed element");
	/* element errors are reported but do not stop the stream */
	return (long)(done - data);
malformed:
	return corral_errorf(err, EPROTO, "malformed push at byte %ld of this part",
			     (long)(p - data));
}

/* ---- the cycle ---------------------------------------------------------- */

static struct upd *upd_of(struct mjob *j)
{
	if (!j->upd)
		j->upd = xcalloc(1, sizeof *j->upd);
	return j->upd;
}

static void on_run(void *ctx, struct sc_job *sj, const char *ev)
{
	struct mirror *mr = ctx;
	struct mjob *j = (struct mjob *)sj;
	j->flags |= F_PENDING;
	free(j->exec_vnode);
	j->exec_vnode = xstrdup(ev);
	drop_wishes(mr, j); /* the server sets the comment of a job it runs */
	if (mr->nruns == mr->capruns) {
		if (mr->runs_head > 0) { /* reuse the sent part */
			memmove(mr->runs, mr->runs + mr->runs_head,
				(size_t)(mr->nruns - mr->runs_head) * sizeof *mr->runs);
			mr->nruns -= mr->runs_head;
			mr->runs_head = 0;
		}
		if (mr->nruns == mr->capruns) {
			mr->capruns = mr->capruns ? 2 * mr->capruns : 1024;
			mr->runs = xrealloc(mr->runs, (size_t)mr->capruns * sizeof *mr->runs);
		}
	}
	mr->runs[mr->nruns++] = xstrdup(j->id);
}

static void on_comment(void *ctx, struct sc_job *sj, const char *text)
{
	struct mirror *mr = ctx;
	struct mjob *j = (struct mjob *)sj;
	if (j->upd && j->upd->comment) {
		if (strcmp(j->upd->comment, text) == 0)
			return;
		free(j->upd->comment);
		j->upd->comment = NULL;
	}
	if (same(kv_get(&j->attrs, "comment"), text))
		return;
	upd_of(j)->comment = xstrdup(text);
	list_push(&mr->upd_t, &mr->nupd_t, &mr->capupd_t, j, &j->pos_t);
}

static void on_estimate(void *ctx, struct sc_job *sj, int64_t start, const char *ev)
{
	struct mirror *mr = ctx;
	struct mjob *j = (struct mjob *)sj;
	char st[32] = "";
	if (start >= 0)
		snprintf(st, sizeof st, "%lld", (long long)start);
	if (!ev)
		ev = "";
	struct upd *u = j->upd;
	if (u && u->est_start) {
		if (strcmp(u->est_start, st) == 0 && strcmp(u->est_ev, ev) == 0)
			return;
		free(u->est_start);
		free(u->est_ev);
		u->est_start = u->est_ev = NULL;
	}
	if (same(kv_get(&j->attrs, "estimated.start_time"), st) &&
	    same(kv_get(&j->attrs, "estimated.exec_vnode"), ev))
		return;
	u = upd_of(j);
	u->est_start = xstrdup(st);
	u->est_ev = xstrdup(ev);
	list_push(&mr->upd_t, &mr->nupd_t, &mr->capupd_t, j, &j->pos_t);
}

static void on_accrue(void *ctx, struct sc_job *sj, enum sc_accrue type)
{
	struct mirror *mr = ctx;
	struct mjob *j = (struct mjob *)sj;
	char a[8];
	if (type == SC_ACCRUE_RUN)
		return; /* the server's business when it starts a job, as in PBS */
	snprintf(a, sizeof a, "%d", (int)type);
	const char *cur = kv_get(&j->attrs, "accrue_type");
	if (j->upd && j->upd->accrue[0]) {
		if (strcmp(j->upd->accrue, a) == 0)
			return;
		j->upd->accrue[0] = '\0';
	}
	/* the server's default is eligible: no value means eligible */
	if (same(cur, a) || (!cur && type == SC_ACCRUE_ELIGIBLE))
		return;
	snprintf(upd_of(j)->accrue, sizeof j->upd->accrue, "%s", a);
	list_push(&mr->upd_a, &mr->nupd_a, &mr->capupd_a, j, &j->pos_a);
}

static bool stop_tramp(void *ctx)
{
	struct mirror *mr = ctx;
	return mr->stop_fn(mr->stop_arg);
}

void mirror_cycle(struct mirror *mr, int64_t now, bool (*stop)(void *arg), void *arg,
		  struct sc_stats *st)
{
	struct sc_model *m = mr->m;
	/* consumables named for the first time since the vnodes were read */
	if (sc_res_count(m) != mr->nres_seen) {
		for (int i = 0; i < sc_node_count(m); i++) {
			read_node_res(mr, sc_node_get(m, i));
			sc_node_changed(m, i);
		}
		mr->nres_seen = sc_res_count(m);
	}
	mr->stop_fn = stop;
	mr->stop_arg = arg;
	struct sc_ops ops = {
	    .run = on_run,
	    .comment = on_comment,
	    .estimate = on_estimate,
	    .accrue = on_accrue,
	    .stop = stop ? stop_tramp : NULL,
	};
	sc_cycle(m, &mr->conf.policy, now, &ops, mr, st);
}

/* ---- runs --------------------------------------------------------------- */

int mirror_runs_waiting(const struct mirror *mr) { return mr->nruns - mr->runs_head; }

int mirror_take_runs(struct mirror *mr, long cycle, int max, struct corral_buf *out)
{
	int n = 0;
	while (mr->runs_head < mr->nruns && n < max) {
		char *id = mr->runs[mr->runs_head++];
		struct mjob *j = jfind(mr, id);
		if (j && (j->flags & F_PENDING) && j->exec_vnode) {
			if (n == 0)
				buf_printf(out, "{\"op\":\"sched.run\",\"cycle\":%ld,\"runs\":[",
					   cycle);
			else
				buf_append(out, ",", 1);
			buf_append(out, "{\"job\":", 7);
			json_str(out, j->id);
			buf_append(out, ",\"exec_vnode\":", 14);
			json_str(out, j->exec_vnode);
			buf_append(out, "}", 1);
			n++;
		}
		free(id);
	}
	if (mr->runs_head == mr->nruns)
		mr->runs_head = mr->nruns = 0;
	if (n)
		buf_append(out, "]", 1);
	mr->counts.runs_sent += n;
	return n;
}

void mirror_run_result(struct mirror *mr, const char *job, bool ok, const char *text)
{
	(void)text;
	struct mjob *j = job ? jfind(mr, job) : NULL;
	if (!j || !(j->flags & F_PENDING))
		return;
	j->flags &= (uint8_t)~F_PENDING;
	if (ok) {
		if (j->state == 'Q')
			j->flags |= F_OPTIMISTIC; /* until the server's delta */
		return;
	}
	mr->counts.runs_refused++;
	j->flags &= (uint8_t)~F_OPTIMISTIC;
	if (j->state == 'Q' && j->sj.state == SC_JOB_RUNNING) {
		free(j->exec_vnode);
		j->exec_vnode = NULL;
		sc_job_enqueue(mr->m, &j->sj);
	}
}

void mirror_runs_lost(struct mirror *mr)
{
	for (size_t b = 0; b < mr->nbuckets; b++)
		for (struct mjob *j = mr->bucket[b]; j; j = j->hnext)
			if (j->flags & (F_PENDING | F_OPTIMISTIC)) {
				j->flags |= F_PENDING;
				mirror_run_result(mr, j->id, false, "connection lost");
			}
	for (int i = mr->runs_head; i < mr->nruns; i++)
		free(mr->runs[i]);
	mr->runs_head = mr->nruns = 0;
}

/* ---- updates ------------------------------------------------------------ */

int mirror_updates_waiting(const struct mirror *mr, bool throttled)
{
	return mr->nupd_a + (throttled ? mr->nupd_t : 0);
}

/* Append "name":"value" for one wish and make it the mirror's value. */
static void put_attr(struct corral_buf *out, struct mjob *j, const char *name, const char *val,
		     bool *first)
{
	buf_append(out, *first ? "" : ",", *first ? 0 : 1);
	*first = false;
	json_str(out, name);
	buf_append(out, ":", 1);
	json_str(out, val);
	kv_set(&j->attrs, name, *val ? val : NULL);
}

int mirror_take_updates(struct mirror *mr, bool throttled, int max, struct corral_buf *out)
{
	int n = 0;
	while (n < max) {
		struct mjob *j;
		if (throttled && mr->nupd_t)
			j = mr->upd_t[mr->nupd_t - 1];
		else if (mr->nupd_a)
			j = mr->upd_a[mr->nupd_a - 1];
		else
			break;
		struct upd *u = j->upd;
		bool first = true;
		size_t mark = out->len;
		const char *head = n ? "," : "{\"op\":\"job.alter\",\"items\":[";
		buf_append(out, head, strlen(head));
		buf_append(out, "{\"id\":", 6);
		json_str(out, j->id);
		buf_append(out, ",\"attrs\":{", 10);
		if (u && u->accrue[0])
			put_attr(out, j, "accrue_type", u->accrue, &first);
		if (throttled && u) {
			if (u->comment) {
				put_attr(out, j, "comment", u->comment, &first);
				mr->counts.comments_set++;
			}
			if (u->est_start) {
				put_attr(out, j, "estimated.start_time", u->est_start, &first);
				put_attr(out, j, "estimated.exec_vnode", u->est_ev, &first);
			}
		}
		buf_append(out, "}}", 2);
		if (first) /* nothing left to say: take it back */
			out->len = mark;
		else
			n++;
		list_del_a(mr, j);
		if (u)
			u->accrue[0] = '\0';
		if (throttled || !u || (!u->comment && !u->est_start))
			drop_wishes(mr, j);
	}
	if (n)
		buf_append(out, "]", 1);
	return n;
}
