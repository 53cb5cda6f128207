/* attrs.c - expressions in the model: requirements and rank of jobs (read
 * vnode attributes), start of vnodes (read job attributes).  Each distinct
 * text is parsed and bound once and shared by reference count; names are
 * resolved once per expression to small keys whose meaning is kept here
 * (see core.h, "expression attributes"). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/common/buf.h"
#include "src/sched/core_private.h"

/* ---- interned expressions ------------------------------------------- */

struct sc_xent {
	char *text;
	int side; /* 0: reads vnodes, 1: reads jobs */
	struct sc_expr *e;
	unsigned refs;
	struct sc_xent *next;
};

static size_t xbucket(const struct sc_model *m, const char *text, int side)
{
	return (sc__hash(text) + (uint64_t)side) % m->x_nbuckets;
}

static void xrehash(struct sc_model *m)
{
	size_t nb = m->x_nbuckets ? 2 * m->x_nbuckets : 64;
	struct sc_xent **nbk = xcalloc(nb, sizeof *nbk);
	for (size_t b = 0; b < m->x_nbuckets; b++)
		for (struct sc_xent *x = m->x_bucket[b], *n; x; x = n) {
			n = x->next;
			size_t h = (sc__hash(x->text) + (uint64_t)x->side) % nb;
			x->next = nbk[h];
			nbk[h] = x;
		}
	free(m->x_bucket);
	m->x_bucket = nbk;
	m->x_nbuckets = nb;
}

static int node_resolve(void *ctx, const char *name);
static int job_resolve(void *ctx, const char *name);

static struct sc_expr *xget(struct sc_model *m, const char *text, int side, corral_error_t *err)
{
	if (m->x_n >= m->x_nbuckets)
		xrehash(m);
	size_t b = xbucket(m, text, side);
	for (struct sc_xent *x = m->x_bucket[b]; x; x = x->next)
		if (x->side == side && strcmp(x->text, text) == 0) {
			x->refs++;
			return x->e;
		}
	struct sc_expr *e = sc_expr_parse(text, err);
	if (!e)
		return NULL;
	sc_expr_bind(e, side ? job_resolve : node_resolve, m);
	struct sc_xent *x = xcalloc(1, sizeof *x);
	x->text = xstrdup(text);
	x->side = side;
	x->e = e;
	x->refs = 1;
	x->next = m->x_bucket[b];
	m->x_bucket[b] = x;
	m->x_n++;
	return e;
}

static void xput(struct sc_model *m, struct sc_expr *e, int side)
{
	if (!e)
		return;
	size_t b = xbucket(m, sc_expr_text(e), side);
	for (struct sc_xent **pp = &m->x_bucket[b]; *pp; pp = &(*pp)->next) {
		struct sc_xent *x = *pp;
		if (x->e != e)
			continue;
		if (--x->refs == 0) {
			*pp = x->next;
			sc_expr_destroy(x->e);
			free(x->text);
			free(x);
			m->x_n--;
		}
		return;
	}
}

void sc__exprs_free(struct sc_model *m)
{
	for (size_t b = 0; b < m->x_nbuckets; b++)
		for (struct sc_xent *x = m->x_bucket[b], *n; x; x = n) {
			n = x->next;
			sc_expr_destroy(x->e);
			free(x->text);
			free(x);
		}
	free(m->x_bucket);
	m->x_bucket = NULL;
	m->x_nbuckets = m->x_n = 0;
	sc__names_free(&m->nattr);
	free(m->nattr_kind);
	free(m->nattr_res);
	for (int i = 0; i < m->nattr_cap; i++)
		free(m->nattr_kv ? m->nattr_kv[i] : NULL);
	free(m->nattr_kv);
	sc__names_free(&m->jattr);
	free(m->jattr_kind);
	free(m->jattr_res);
}

/* ---- vnode attributes ----------------------------------------------- */

enum { NA_RES, NA_HOST, NA_VNODE, NA_PRIO, NA_KV };

static int node_resolve(void *ctx, const char *name)
{
	struct sc_model *m = ctx;
	const char *base = strncmp(name, "resources_available.", 20) == 0 ? name + 20 : name;
	int id = sc__names_add(&m->nattr, name);
	if (id >= m->nattr_cap) {
		int cap = m->nattr_cap ? 2 * m->nattr_cap : 16;
		while (cap <= id)
			cap *= 2;
		m->nattr_kind = xrealloc(m->nattr_kind, (size_t)cap * sizeof *m->nattr_kind);
		m->nattr_res = xrealloc(m->nattr_res, (size_t)cap * sizeof *m->nattr_res);
		m->nattr_kv = xrealloc(m->nattr_kv, (size_t)cap * sizeof *m->nattr_kv);
		for (int i = m->nattr_cap; i < cap; i++)
			m->nattr_kv[i] = NULL;
		m->nattr_cap = cap;
	}
	int r = sc_res_index(m, base, false);
	m->nattr_res[id] = r;
	if (r >= 0)
		m->nattr_kind[id] = NA_RES;
	else if (strcmp(base, "host") == 0)
		m->nattr_kind[id] = NA_HOST;
	else if (strcmp(base, "vnode") == 0 || strcmp(base, "name") == 0)
		m->nattr_kind[id] = NA_VNODE;
	else if (strcmp(base, "priority") == 0)
		m->nattr_kind[id] = NA_PRIO;
	else
		m->nattr_kind[id] = NA_KV;
	if (!m->nattr_kv[id])
		m->nattr_kv[id] = xasprintf("resources_available.%s", base);
	return id;
}

struct nctx {
	struct sc_model *m;
	const struct sc_node *nd;
};

static void set_str(struct sc_value *out, const char *s)
{
	if (!s)
		return;
	out->type = SC_STR;
	out->str = s;
	out->len = strlen(s);
}

static void node_lookup(void *ctx, int key, struct sc_value *out)
{
	struct nctx *c = ctx;
	struct sc_model *m = c->m;
	const struct sc_node *nd = c->nd;
	if (key < 0 || key >= m->nattr.n)
		return;
	switch (m->nattr_kind[key]) {
	case NA_RES:
		out->type = SC_NUM;
		out->num = (double)nd->avail[m->nattr_res[key]];
		return;
	case NA_HOST:
		set_str(out, m->hosts.name[nd->host]);
		return;
	case NA_VNODE:
		set_str(out, nd->name);
		return;
	case NA_PRIO:
		out->type = SC_NUM;
		out->num = (double)nd->priority;
		return;
	default: {
		const char *v = kv_get(&nd->attrs, m->nattr_kv[key]);
		if (!v)
			v = kv_get(&nd->attrs, m->nattr.name[key]);
		set_str(out, v);
	}
	}
}

bool sc__requirements_hold(struct sc_model *m, const struct sc_expr *e, const struct sc_node *nd)
{
	struct nctx c = {m, nd};
	return sc_expr_holds(e, node_lookup, &c);
}

double sc__rank(struct sc_model *m, const struct sc_expr *e, const struct sc_node *nd)
{
	struct nctx c = {m, nd};
	return sc_expr_number(e, node_lookup, &c, 0);
}

/* ---- job attributes ------------------------------------------------- */

enum { JA_RES, JA_WALL, JA_PRIO, JA_QUEUE, JA_CALLER, JA_NONE };

static int job_resolve(void *ctx, const char *name)
{
	struct sc_model *m = ctx;
	const char *base = strncmp(name, "Resource_List.", 14) == 0 ? name + 14 : name;
	int id = sc__names_add(&m->jattr, name);
	if (id >= m->jattr_cap) {
		int cap = m->jattr_cap ? 2 * m->jattr_cap : 16;
		while (cap <= id)
			cap *= 2;
		m->jattr_kind = xrealloc(m->jattr_kind, (size_t)cap * sizeof *m->jattr_kind);
		m->jattr_res = xrealloc(m->jattr_res, (size_t)cap * sizeof *m->jattr_res);
		m->jattr_cap = cap;
	}
	int r = sc_res_index(m, base, false);
	m->jattr_res[id] = r;
	if (r >= 0)
		m->jattr_kind[id] = JA_RES;
	else if (strcmp(base, "walltime") == 0)
		m->jattr_kind[id] = JA_WALL;
	else if (strcmp(base, "Priority") == 0 || strcmp(base, "priority") == 0)
		m->jattr_kind[id] = JA_PRIO;
	else if (strcmp(base, "queue") == 0)
		m->jattr_kind[id] = JA_QUEUE;
	else if (m->has_jl && (m->jattr_res[id] = m->jl.resolve(m->jl.ctx, name)) >= 0)
		m->jattr_kind[id] = JA_CALLER;
	else
		m->jattr_kind[id] = JA_NONE;
	return id;
}

struct jctx {
	struct sc_model *m;
	const struct sc_job *j;
	int64_t walltime;
};

static void job_lookup(void *ctx, int key, struct sc_value *out)
{
	struct jctx *c = ctx;
	struct sc_model *m = c->m;
	const struct sc_job *j = c->j;
	if (key < 0 || key >= m->jattr.n)
		return;
	switch (m->jattr_kind[key]) {
	case JA_RES:
		if (j->req) {
			out->type = SC_NUM;
			out->num = (double)j->req->total[m->jattr_res[key]];
		}
		return;
	case JA_WALL:
		if (c->walltime >= 0) {
			out->type = SC_NUM;
			out->num = (double)c->walltime;
		}
		return;
	case JA_PRIO:
		out->type = SC_NUM;
		out->num = (double)j->priority;
		return;
	case JA_QUEUE:
		if (j->queue)
			set_str(out, j->queue->name);
		return;
	case JA_CALLER:
		if (m->has_jl)
			m->jl.lookup(m->jl.ctx, j, m->jattr_res[key], out);
		return;
	default:
		return;
	}
}

bool sc__start_holds(struct sc_model *m, const struct sc_expr *e, const struct sc_job *j,
		     int64_t walltime)
{
	struct jctx c = {m, j, walltime};
	return sc_expr_holds(e, job_lookup, &c);
}

void sc_model_set_job_lookup(struct sc_model *m, const struct sc_job_lookup *jl)
{
	m->has_jl = jl != NULL;
	if (jl)
		m->jl = *jl;
	/* names resolve again: forget the old keys */
	sc__names_free(&m->jattr);
	for (size_t b = 0; b < m->x_nbuckets; b++)
		for (struct sc_xent *x = m->x_bucket[b]; x; x = x->next)
			if (x->side == 1)
				sc_expr_bind(x->e, job_resolve, m);
}

/* ---- setters -------------------------------------------------------- */

static bool blank(const char *s)
{
	if (!s)
		return true;
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '\0';
}

int sc_job_set_exprs(struct sc_model *m, struct sc_job *j, const char *requirements,
		     const char *rank, corral_error_t *err)
{
	struct sc_expr *rq = NULL, *rk = NULL;
	int rc = 0;
	corral_error_t e = {0};
	if (!blank(requirements) && !(rq = xget(m, requirements, 0, &e)))
		rc = corral_errorf(err, EINVAL, "requirements: %s", e.text);
	if (!blank(rank) && !(rk = xget(m, rank, 0, &e)) && rc == 0)
		rc = corral_errorf(err, EINVAL, "rank: %s", e.text);
	xput(m, j->requirements, 0);
	xput(m, j->rank, 0);
	j->requirements = rq;
	j->rank = rk;
	j->bad_expr = rc < 0;
	return rc;
}

void sc__job_exprs_drop(struct sc_model *m, struct sc_job *j)
{
	xput(m, j->requirements, 0);
	xput(m, j->rank, 0);
	j->requirements = j->rank = NULL;
	j->bad_expr = false;
}

int sc_node_set_start(struct sc_model *m, int idx, const char *text, corral_error_t *err)
{
	struct sc_node *nd = sc_node_get(m, idx);
	if (!nd)
		return corral_errorf(err, EINVAL, "no vnode %d", idx);
	struct sc_expr *e = NULL;
	corral_error_t e2 = {0};
	int rc = 0;
	if (!blank(text) && !(e = xget(m, text, 1, &e2)))
		rc = corral_errorf(err, EINVAL, "start: %s", e2.text);
	xput(m, nd->start, 1);
	nd->start = e;
	nd->bad_start = rc < 0;
	m->order_dirty = true;
	return rc;
}

void sc__node_start_drop(struct sc_model *m, struct sc_node *nd)
{
	xput(m, nd->start, 1);
	nd->start = NULL;
}
