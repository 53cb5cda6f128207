/* model.c - the scheduling core's model: consumable resources, interned
 * requests, queues, vnodes and the job lists by state, with the
 * accounting of what running jobs hold on each vnode (see core.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/common/buf.h"
#include "src/common/resource.h"
#include "src/common/util.h"
#include "src/sched/core_private.h"

/* ---- names ---------------------------------------------------------- */

uint64_t sc__hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

int sc__names_find(const struct sc_names *t, const char *s)
{
	if (!t->nbuckets)
		return -1;
	for (int id = t->bucket[sc__hash(s) % (unsigned)t->nbuckets]; id >= 0; id = t->next[id])
		if (strcmp(t->name[id], s) == 0)
			return id;
	return -1;
}

static void names_rehash(struct sc_names *t, int nb)
{
	free(t->bucket);
	t->bucket = xmalloc((size_t)nb * sizeof *t->bucket);
	for (int i = 0; i < nb; i++)
		t->bucket[i] = -1;
	t->nbuckets = nb;
	for (int id = 0; id < t->n; id++) {
		unsigned b = (unsigned)(sc__hash(t->name[id]) % (unsigned)nb);
		t->next[id] = t->bucket[b];
		t->bucket[b] = id;
	}
}

int sc__names_add(struct sc_names *t, const char *s)
{
	int id = sc__names_find(t, s);
	if (id >= 0)
		return id;
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->name = xrealloc(t->name, (size_t)t->cap * sizeof *t->name);
		t->next = xrealloc(t->next, (size_t)t->cap * sizeof *t->next);
	}
	id = t->n++;
	t->name[id] = xstrdup(s);
	if (t->n > t->nbuckets) {
		names_rehash(t, t->nbuckets ? 2 * t->nbuckets : 64);
	} else {
		unsigned b = (unsigned)(sc__hash(s) % (unsigned)t->nbuckets);
		t->next[id] = t->bucket[b];
		t->bucket[b] = id;
	}
	return id;
}

void sc__names_free(struct sc_names *t)
{
	for (int i = 0; i < t->n; i++)
		free(t->name[i]);
	free(t->name);
	free(t->next);
	free(t->bucket);
	memset(t, 0, sizeof *t);
}

/* ---- arena ---------------------------------------------------------- */

struct sc_arena_blk {
	struct sc_arena_blk *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

void *sc__arena_alloc(struct sc_arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct sc_arena_blk *b = a->blk;
	if (!b || b->used + n > b->cap) {
		size_t cap = n > 65536 ? n : 65536;
		b = xmalloc(sizeof *b + cap);
		b->cap = cap;
		b->used = 0;
		b->next = a->blk;
		a->blk = b;
	}
	void *p = b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

char *sc__arena_printf(struct sc_arena *a, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int len = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (len < 0)
		len = 0;
	if ((size_t)len >= sizeof tmp)
		len = sizeof tmp - 1;
	char *p = sc__arena_alloc(a, (size_t)len + 1);
	memcpy(p, tmp, (size_t)len);
	p[len] = '\0';
	return p;
}

void sc__arena_free(struct sc_arena *a)
{
	while (a->blk) {
		struct sc_arena_blk *n = a->blk->next;
		free(a->blk);
		a->blk = n;
	}
}

/* ---- model and resources -------------------------------------------- */

struct sc_model *sc_model_create(void)
{
	struct sc_model *m = xcalloc(1, sizeof *m);
	m->resname[SC_NCPUS] = xstrdup("ncpus");
	m->resname[SC_MEM] = xstrdup("mem");
	m->resname[SC_NGPUS] = xstrdup("ngpus");
	m->res_size[SC_MEM] = true;
	m->nres = 3;
	m->default_ncpus = 1;
	m->req_nbuckets = 256;
	m->req_bucket = xcalloc(m->req_nbuckets, sizeof *m->req_bucket);
	return m;
}

static void req_free(struct sc_req *r)
{
	for (int c = 0; c < r->nchunks; c++) {
		for (int s = 0; s < r->chunks[c].nstr; s++) {
			free(r->chunks[c].str[s].key);
			free(r->chunks[c].str[s].value);
		}
		free(r->chunks[c].str);
	}
	free(r->chunks);
	free(r->key);
	free(r);
}

static void node_free(struct sc_node *n)
{
	kv_clear(&n->attrs);
	free(n->runs);
	free(n->name);
	free(n);
}

void sc_model_destroy(struct sc_model *m)
{
	if (!m)
		return;
	for (int st = 0; st < 4; st++) {
		for (int i = 0; i < m->njobs[st]; i++) {
			struct sc_job *j = m->jobs[st][i];
			free(j->alloc);
			j->alloc = NULL;
			j->nalloc = 0;
			j->state = SC_JOB_NONE;
			j->req = NULL;			  /* freed below with every request */
			j->requirements = j->rank = NULL; /* and expressions */
		}
		free(m->jobs[st]);
	}
	free(m->order);
	for (size_t b = 0; b < m->req_nbuckets; b++)
		for (struct sc_req *r = m->req_bucket[b], *n; r; r = n) {
			n = r->hnext;
			req_free(r);
		}
	free(m->req_bucket);
	for (struct sc_queue *q = m->queues, *n; q; q = n) {
		n = q->next;
		free(q->name);
		free(q);
	}
	for (int i = 0; i < m->node_names.n; i++) {
		m->nodes[i]->start = NULL; /* freed with every expression */
		node_free(m->nodes[i]);
	}
	sc__exprs_free(m);
	free(m->nodes);
	free(m->free);
	sc__names_free(&m->node_names);
	sc__names_free(&m->hosts);
	for (int r = 0; r < m->nres; r++)
		free(m->resname[r]);
	free(m);
}

void sc_model_set_default_ncpus(struct sc_model *m, int64_t ncpus)
{
	m->default_ncpus = ncpus >= 0 ? ncpus : 1;
}

bool sc_res_ignored(const char *name)
{
	static const char *const no[] = {"mpiprocs", "ompthreads", "nodect", "nodes", "walltime",
					 "cput",     "pcput",	   "select", "place", NULL};
	for (int i = 0; no[i]; i++)
		if (strcmp(no[i], name) == 0)
			return true;
	return false;
}

int sc_res_index(struct sc_model *m, const char *name, bool create)
{
	for (int r = 0; r < m->nres; r++)
		if (strcmp(m->resname[r], name) == 0)
			return r;
	if (!create)
		return -ENOENT;
	if (m->nres == SC_NRES)
		return -ENOSPC;
	m->resname[m->nres] = xstrdup(name);
	m->res_size[m->nres] = corral_res_type(name) == RES_SIZE;
	return m->nres++;
}

const char *sc_res_name(const struct sc_model *m, int r)
{
	return r >= 0 && r < m->nres ? m->resname[r] : "?";
}

int sc_res_count(const struct sc_model *m) { return m->nres; }

/* A number, or a size with a unit. */
static int parse_amount(const char *v, bool size, int64_t *out)
{
	corral_error_t e;
	if (!v || !*v)
		return -EINVAL;
	if (!size) {
		char *end;
		long long x = strtoll(v, &end, 10);
		if (*end == '\0' && end != v) {
			*out = x < 0 ? 0 : x;
			return 0;
		}
	}
	uint64_t b;
	if (corral_size_parse(v, &b, &e) < 0)
		return -EINVAL;
	*out = b > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)b;
	return 0;
}

int sc_res_parse(const struct sc_model *m, int r, const char *value, int64_t *out)
{
	return parse_amount(value, r >= 0 && r < m->nres && m->res_size[r], out);
}

char *sc_res_format(const struct sc_model *m, int r, int64_t v, char *buf, size_t n)
{
	if (r >= 0 && r < m->nres && m->res_size[r])
		return corral_size_format((uint64_t)(v < 0 ? 0 : v), buf, n);
	snprintf(buf, n, "%lld", (long long)v);
	return buf;
}

/* ---- requests ------------------------------------------------------- */

static bool is_number_text(const char *v)
{
	int64_t x;
	return parse_amount(v, false, &x) == 0;
}

struct sc_req *sc_req_get(struct sc_model *m, const char *select, const char *place,
			  corral_error_t *err)
{
	if (!select || !*select) {
		corral_errorf(err, EINVAL, "no select");
		return NULL;
	}
	char *key = xasprintf("%s|%s", select, place ? place : "");
	size_t b = sc__hash(key) % m->req_nbuckets;
	for (struct sc_req *r = m->req_bucket[b]; r; r = r->hnext)
		if (strcmp(r->key, key) == 0) {
			free(key);
			r->refs++;
			return r;
		}

	struct corral_select *sel = NULL;
	struct corral_place pl = {.arrangement = PLACE_FREE, .sharing = PLACE_SHARED};
	if (corral_select_parse(select, &sel, err) < 0) {
		free(key);
		return NULL;
	}
	if (place && *place && corral_place_parse(place, &pl, err) < 0) {
		corral_select_destroy(sel);
		free(key);
		return NULL;
	}
	struct sc_req *r = xcalloc(1, sizeof *r);
	r->key = key;
	r->nchunks = sel->nchunks;
	r->chunks = xcalloc((size_t)sel->nchunks, sizeof *r->chunks);
	for (int c = 0; c < sel->nchunks; c++) {
		struct corral_chunk *ch = &sel->chunks[c];
		struct sc_chunkreq *cr = &r->chunks[c];
		cr->count = ch->count > 0 ? ch->count : 1;
		bool has_ncpus = false;
		for (int k = 0; k < ch->nres; k++) {
			const char *name = ch->res[k].name, *val = ch->res[k].value;
			if (sc_res_ignored(name))
				continue;
			bool numeric =
			    corral_res_type(name) == RES_LONG ||
			    corral_res_type(name) == RES_SIZE ||
			    (corral_res_type(name) == RES_UNKNOWN && is_number_text(val));
			if (numeric) {
				int ri = sc_res_index(m, name, true);
				if (ri < 0) {
					corral_errorf(err, ENOSPC,
						      "too many consumable resources (at most %d)",
						      SC_NRES);
					r->nchunks = c + 1;
					corral_select_destroy(sel);
					req_free(r);
					return NULL;
				}
				int64_t v = 0;
				parse_amount(val, m->res_size[ri], &v);
				cr->res[ri] = v;
				has_ncpus |= ri == SC_NCPUS;
			} else {
				cr->str =
				    xrealloc(cr->str, (size_t)(cr->nstr + 1) * sizeof *cr->str);
				cr->str[cr->nstr].key = xasprintf("resources_available.%s", name);
				cr->str[cr->nstr].value = xstrdup(val);
				cr->nstr++;
			}
		}
		if (!has_ncpus)
			cr->res[SC_NCPUS] = m->default_ncpus;
		r->ninst += cr->count;
		for (int k = 0; k < SC_NRES; k++)
			r->total[k] += cr->res[k] * cr->count;
	}
	corral_select_destroy(sel);
	switch (pl.arrangement) {
	case PLACE_PACK:
		r->arrangement = SC_PACK;
		break;
	case PLACE_SCATTER:
		r->arrangement = SC_SCATTER;
		break;
	case PLACE_VSCATTER:
		r->arrangement = SC_VSCATTER;
		break;
	default:
		r->arrangement = SC_FREE;
	}
	r->sharing = pl.sharing == PLACE_EXCL	    ? SC_EXCL
		     : pl.sharing == PLACE_EXCLHOST ? SC_EXCLHOST
						    : SC_SHARED;
	r->refs = 1;
	r->hnext = m->req_bucket[b];
	m->req_bucket[b] = r;
	m->nreqs++;
	return r;
}

void sc_req_put(struct sc_model *m, struct sc_req *r)
{
	if (!r || --r->refs > 0)
		return;
	size_t b = sc__hash(r->key) % m->req_nbuckets;
	for (struct sc_req **pp = &m->req_bucket[b]; *pp; pp = &(*pp)->hnext)
		if (*pp == r) {
			*pp = r->hnext;
			break;
		}
	m->nreqs--;
	req_free(r);
}

/* ---- queues --------------------------------------------------------- */

struct sc_queue *sc_queue_get(struct sc_model *m, const char *name)
{
	for (struct sc_queue *q = m->queues; q; q = q->next)
		if (strcmp(q->name, name) == 0)
			return q;
	struct sc_queue *q = xcalloc(1, sizeof *q);
	q->name = xstrdup(name);
	q->started = true;
	q->default_walltime = -1;
	q->next = m->queues;
	m->queues = q;
	return q;
}

/* ---- vnodes --------------------------------------------------------- */

void sc__node_refresh(struct sc_model *m, struct sc_node *n)
{
	int64_t *f = &m->free[(size_t)n->idx * SC_NRES];
	for (int r = 0; r < SC_NRES; r++) {
		int64_t u = n->used[r] > n->reported[r] ? n->used[r] : n->reported[r];
		f[r] = n->avail[r] - u;
	}
}

int sc_node_add(struct sc_model *m, const char *name)
{
	int id = sc__names_find(&m->node_names, name);
	if (id >= 0) {
		struct sc_node *n = m->nodes[id];
		if (n->gone) {
			n->gone = false;
			m->order_dirty = true;
		}
		return id;
	}
	id = sc__names_add(&m->node_names, name);
	if (id >= m->capnodes) {
		m->capnodes = m->capnodes ? 2 * m->capnodes : 64;
		m->nodes = xrealloc(m->nodes, (size_t)m->capnodes * sizeof *m->nodes);
		m->free = xrealloc(m->free, (size_t)m->capnodes * SC_NRES * sizeof *m->free);
	}
	struct sc_node *n = xcalloc(1, sizeof *n);
	n->name = xstrdup(name);
	n->idx = id;
	n->state = SC_NODE_DOWN;
	n->host = sc__names_add(&m->hosts, name);
	m->nodes[id] = n;
	sc__node_refresh(m, n);
	m->order_dirty = true;
	return id;
}

int sc_node_find(const struct sc_model *m, const char *name)
{
	return sc__names_find(&m->node_names, name);
}

struct sc_node *sc_node_get(struct sc_model *m, int idx)
{
	return idx >= 0 && idx < m->node_names.n ? m->nodes[idx] : NULL;
}

int sc_node_count(const struct sc_model *m) { return m->node_names.n; }

void sc_node_changed(struct sc_model *m, int idx)
{
	struct sc_node *n = sc_node_get(m, idx);
	if (!n)
		return;
	const char *h = kv_get(&n->attrs, "resources_available.host");
	n->host = sc__names_add(&m->hosts, h && *h ? h : n->name);
	sc__node_refresh(m, n);
	m->order_dirty = true;
}

void sc_node_remove(struct sc_model *m, int idx)
{
	struct sc_node *n = sc_node_get(m, idx);
	if (!n)
		return;
	n->gone = true;
	n->state = SC_NODE_DOWN;
	m->order_dirty = true;
}

/* ---- jobs ----------------------------------------------------------- */

void sc_job_init(struct sc_job *j)
{
	memset(j, 0, sizeof *j);
	j->walltime = -1;
	j->pos = -1;
	j->opos = -1;
}

void sc_job_set_req(struct sc_model *m, struct sc_job *j, struct sc_req *r)
{
	if (r)
		r->refs++;
	sc_req_put(m, j->req);
	j->req = r;
}

static void list_add(struct sc_model *m, struct sc_job *j, enum sc_job_state st)
{
	if (m->njobs[st] == m->capjobs[st]) {
		m->capjobs[st] = m->capjobs[st] ? 2 * m->capjobs[st] : 1024;
		m->jobs[st] = xrealloc(m->jobs[st], (size_t)m->capjobs[st] * sizeof *m->jobs[st]);
	}
	j->pos = m->njobs[st]++;
	m->jobs[st][j->pos] = j;
	j->state = st;
	if (st == SC_JOB_QUEUED) {
		if (m->norder == m->caporder) {
			/* compact the holes first; grow only when full of jobs */
			int x = 0;
			for (int i = 0; i < m->norder; i++)
				if (m->order[i]) {
					m->order[x] = m->order[i];
					m->order[x]->opos = x;
					x++;
				}
			m->norder = x;
			if (2 * x >= m->caporder) {
				m->caporder = m->caporder ? 2 * m->caporder : 1024;
				m->order =
				    xrealloc(m->order, (size_t)m->caporder * sizeof *m->order);
			}
		}
		j->opos = m->norder++;
		m->order[j->opos] = j;
	}
}

static void release(struct sc_model *m, struct sc_job *j)
{
	for (int i = 0; i < j->nalloc; i++) {
		struct sc_alloc *a = &j->alloc[i];
		struct sc_node *n = m->nodes[a->node];
		for (int r = 0; r < SC_NRES; r++)
			n->used[r] -= a->res[r];
		/* swap-remove from the vnode's list */
		struct sc_alloc *last = n->runs[--n->nruns];
		n->runs[a->slot] = last;
		last->slot = a->slot;
		if (a->excl && n->excl > 0)
			n->excl--;
		sc__node_refresh(m, n);
	}
	free(j->alloc);
	j->alloc = NULL;
	j->nalloc = 0;
}

static void list_del(struct sc_model *m, struct sc_job *j)
{
	if (j->state == SC_JOB_NONE)
		return;
	enum sc_job_state st = j->state;
	struct sc_job *last = m->jobs[st][--m->njobs[st]];
	m->jobs[st][j->pos] = last;
	last->pos = j->pos;
	if (st == SC_JOB_QUEUED) {
		m->order[j->opos] = NULL;
		j->opos = -1;
	}
	if (st == SC_JOB_RUNNING)
		release(m, j);
	j->state = SC_JOB_NONE;
	j->pos = -1;
}

void sc_job_enqueue(struct sc_model *m, struct sc_job *j)
{
	if (j->state == SC_JOB_QUEUED)
		return;
	list_del(m, j);
	list_add(m, j, SC_JOB_QUEUED);
}

void sc_job_hold(struct sc_model *m, struct sc_job *j)
{
	if (j->state == SC_JOB_HELD)
		return;
	list_del(m, j);
	list_add(m, j, SC_JOB_HELD);
}

int sc_job_set_running(struct sc_model *m, struct sc_job *j, const struct sc_alloc *a, int n,
		       int64_t start)
{
	for (int i = 0; i < n; i++)
		if (a[i].node < 0 || a[i].node >= m->node_names.n)
			return -EINVAL;
	list_del(m, j);
	enum sc_sharing sh = j->req ? j->req->sharing : SC_SHARED;
	/* exclhost: every vnode of the hosts used is held */
	int extra = 0;
	if (sh == SC_EXCLHOST)
		for (int i = 0; i < m->node_names.n; i++) {
			struct sc_node *nd = m->nodes[i];
			bool host_used = false, listed = false;
			for (int k = 0; k < n; k++) {
				host_used |= m->nodes[a[k].node]->host == nd->host;
				listed |= a[k].node == i;
			}
			extra += host_used && !listed && !nd->gone;
		}
	j->alloc = xcalloc((size_t)(n + extra) ? (size_t)(n + extra) : 1, sizeof *j->alloc);
	j->nalloc = 0;
	for (int i = 0; i < n; i++)
		j->alloc[j->nalloc++] = a[i];
	if (extra)
		for (int i = 0; i < m->node_names.n; i++) {
			struct sc_node *nd = m->nodes[i];
			bool host_used = false, listed = false;
			for (int k = 0; k < n; k++) {
				host_used |= m->nodes[a[k].node]->host == nd->host;
				listed |= a[k].node == i;
			}
			if (host_used && !listed && !nd->gone) {
				memset(&j->alloc[j->nalloc], 0, sizeof j->alloc[0]);
				j->alloc[j->nalloc++].node = i;
			}
		}
	for (int i = 0; i < j->nalloc; i++) {
		struct sc_alloc *al = &j->alloc[i];
		struct sc_node *nd = m->nodes[al->node];
		al->job = j;
		al->excl = sh != SC_SHARED;
		if (al->excl) {
			memcpy(al->res, nd->avail, sizeof al->res);
			nd->excl++;
		}
		for (int r = 0; r < SC_NRES; r++)
			nd->used[r] += al->res[r];
		if (nd->nruns == nd->capruns) {
			nd->capruns = nd->capruns ? 2 * nd->capruns : 8;
			nd->runs = xrealloc(nd->runs, (size_t)nd->capruns * sizeof *nd->runs);
		}
		al->slot = nd->nruns;
		nd->runs[nd->nruns++] = al;
		sc__node_refresh(m, nd);
	}
	list_add(m, j, SC_JOB_RUNNING);
	sc_job_set_start(m, j, start);
	return 0;
}

void sc_job_set_start(struct sc_model *m, struct sc_job *j, int64_t start)
{
	(void)m;
	j->start = start;
	int64_t w = j->walltime >= 0				  ? j->walltime
		    : j->queue && j->queue->default_walltime >= 0 ? j->queue->default_walltime
								  : -1;
	j->end = w >= 0 ? start + w : SC_NEVER;
}

void sc_job_remove(struct sc_model *m, struct sc_job *j)
{
	list_del(m, j);
	sc_req_put(m, j->req);
	j->req = NULL;
	sc__job_exprs_drop(m, j);
}

int sc_model_njobs(const struct sc_model *m, enum sc_job_state st)
{
	return st > SC_JOB_NONE && st <= SC_JOB_RUNNING ? m->njobs[st] : 0;
}

/* ---- exec_vnode ----------------------------------------------------- */

int sc_exec_vnode_parse(struct sc_model *m, const char *ev, struct sc_alloc **out,
			corral_error_t *err)
{
	struct sc_alloc *a = NULL;
	int n = 0, cap = 0;
	const char *p = ev;
	if (!ev || !*ev)
		return corral_errorf(err, EINVAL, "empty exec_vnode");
	while (*p) {
		if (*p == '+')
			p++;
		bool paren = *p == '(';
		if (paren)
			p++;
		/* one chunk: vn:res=v:res=v, maybe several vnodes joined by + */
		size_t len = paren ? strcspn(p, ")") : strcspn(p, "+");
		if (paren && p[len] != ')') {
			free(a);
			return corral_errorf(err, EINVAL, "unbalanced '(' in exec_vnode '%.60s'",
					     ev);
		}
		char *chunk = xstrndup(p, len);
		p += len + (paren ? 1 : 0);
		char *save = NULL;
		for (char *part = strtok_r(chunk, "+", &save); part;
		     part = strtok_r(NULL, "+", &save)) {
			char *s2 = NULL;
			char *name = strtok_r(part, ":", &s2);
			if (!name || !*name)
				continue;
			int node = sc_node_add(m, name);
			int k;
			for (k = 0; k < n && a[k].node != node; k++)
				;
			if (k == n) {
				if (n == cap) {
					cap = cap ? 2 * cap : 4;
					a = xrealloc(a, (size_t)cap * sizeof *a);
				}
				memset(&a[n], 0, sizeof a[n]);
				a[n].node = node;
				n++;
			}
			for (char *kv; (kv = strtok_r(NULL, ":", &s2));) {
				char *eq = strchr(kv, '=');
				if (!eq)
					continue;
				*eq = '\0';
				if (sc_res_ignored(kv))
					continue;
				int r = sc_res_index(m, kv, false);
				if (r < 0 && is_number_text(eq + 1))
					r = sc_res_index(m, kv, true);
				int64_t v;
				if (r >= 0 && sc_res_parse(m, r, eq + 1, &v) == 0)
					a[k].res[r] += v;
			}
		}
		free(chunk);
		if (*p && *p != '+') {
			free(a);
			return corral_errorf(err, EINVAL, "bad exec_vnode '%.60s'", ev);
		}
	}
	if (n == 0) {
		free(a);
		return corral_errorf(err, EINVAL, "no vnode in exec_vnode '%.60s'", ev);
	}
	*out = a;
	return n;
}
