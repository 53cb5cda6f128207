/* backfill.c - the calendar of a cycle: when a job that cannot run now
 * could start, and the reservations that keep that start for it.
 *
 * The expected ends of running jobs (start + walltime; jobs without one
 * never end) are sorted once per cycle, on first need, and kept sorted as
 * jobs start.  For a top job the sweep walks these ends in time order,
 * adding what each frees to a scratch copy of the free amounts, and tries
 * to place the job at each time t where (a) the partition's free totals
 * cover the job's totals and (b) some vnode that changed at t can now hold
 * one of its chunks: nothing else can turn a failed placement into a
 * successful one, so most times are skipped at the cost of a few
 * comparisons.  Times when earlier reservations end are swept too.  The
 * placement at t must also leave every reservation intact over the job's
 * whole window [t, t + walltime).  The first t that works is reserved: the
 * amounts it takes on each vnode are recorded as a reservation that
 * matching honours for every later job of the cycle.
 */
#include <stdlib.h>
#include <string.h>

#include "src/sched/core_private.h"

static int ev_cmp(const void *a, const void *b)
{
	int64_t x = ((const struct sc_event *)a)->t, y = ((const struct sc_event *)b)->t;
	return x < y ? -1 : x > y;
}

static void ev_push(struct sc_cyc *c, int64_t t, const struct sc_alloc *a)
{
	if (c->nev == c->capev) {
		c->capev = c->capev ? 2 * c->capev : 4096;
		c->ev = xrealloc(c->ev, (size_t)c->capev * sizeof *c->ev);
	}
	c->ev[c->nev].t = t;
	c->ev[c->nev].a = a;
	c->nev++;
}

static void ev_build(struct sc_cyc *c)
{
	c->nev = 0;
	for (int p = 0; p < c->nord; p++) {
		const struct sc_node *nd = c->m->nodes[c->ord[p]];
		for (int i = 0; i < nd->nruns; i++) {
			int64_t e = sc__run_end(c, nd->runs[i]->job);
			if (e != SC_NEVER)
				ev_push(c, e, nd->runs[i]);
		}
	}
	c->ev_built = true;
	c->ev_sorted = false;
}

void sc__calendar_note_run(struct sc_cyc *c, const struct sc_job *j)
{
	if (!c->ev_built)
		return;
	int64_t e = sc__run_end(c, j);
	if (e == SC_NEVER)
		return;
	for (int i = 0; i < j->nalloc; i++)
		if (c->pos[j->alloc[i].node] >= 0)
			ev_push(c, e, &j->alloc[i]);
	c->ev_sorted = false;
}

static void reserve(struct sc_cyc *c, struct sc_job *j, int64_t start, int64_t end, bool excl)
{
	if (c->nresv == c->capresv) {
		c->capresv = c->capresv ? 2 * c->capresv : 16;
		c->resv = xrealloc(c->resv, (size_t)c->capresv * sizeof *c->resv);
	}
	int ri = c->nresv++;
	c->resv[ri] = (struct sc_resv){.job = j, .start = start, .end = end};
	for (int i = 0; i < c->ntouched; i++) {
		int n = c->touched[i];
		if (c->nrent == c->caprent) {
			c->caprent = c->caprent ? 2 * c->caprent : 64;
			c->rent = xrealloc(c->rent, (size_t)c->caprent * sizeof *c->rent);
		}
		struct sc_rent *e = &c->rent[c->nrent];
		e->resv = ri;
		e->node = n;
		memcpy(e->res, excl ? c->m->nodes[n]->avail : &c->tent[(size_t)n * SC_NRES],
		       sizeof e->res);
		e->next = c->rhead[n];
		c->rhead[n] = c->nrent++;
	}
}

struct rend {
	int64_t t;
	int resv;
};

static int rend_cmp(const void *a, const void *b)
{
	int64_t x = ((const struct rend *)a)->t, y = ((const struct rend *)b)->t;
	return x < y ? -1 : x > y;
}

static void mark(struct sc_cyc *c, int n, int *nch)
{
	if (!c->changed[n]) {
		c->changed[n] = 1;
		c->chlist[(*nch)++] = n;
	}
}

int64_t sc__calendar(struct sc_cyc *c, struct sc_cls *k, struct sc_job *j, int64_t w,
		     const char **evtext)
{
	const struct sc_req *rq = k->req;
	if (!c->ev_built)
		ev_build(c);
	if (!c->ev_sorted && c->nev) {
		qsort(c->ev, (size_t)c->nev, sizeof *c->ev, ev_cmp);
		c->ev_sorted = true;
	}
	memcpy(c->calfree, c->m->free, (size_t)c->nnodes * SC_NRES * sizeof *c->calfree);
	int64_t tot[SC_NRES];
	memcpy(tot, c->free_up, sizeof tot);

	struct rend *re = NULL;
	int nre = 0;
	if (c->nresv) {
		re = xmalloc((size_t)c->nresv * sizeof *re);
		for (int i = 0; i < c->nresv; i++)
			if (c->resv[i].end != SC_NEVER)
				re[nre++] = (struct rend){c->resv[i].end, i};
		qsort(re, (size_t)nre, sizeof *re, rend_cmp);
	}

	int64_t found = -1;
	int i = 0, ri = 0;
	for (;;) {
		int64_t t = SC_NEVER;
		if (i < c->nev)
			t = c->ev[i].t;
		if (ri < nre && re[ri].t < t)
			t = re[ri].t;
		if (t == SC_NEVER)
			break;
		int nch = 0;
		for (; i < c->nev && c->ev[i].t == t; i++) {
			const struct sc_alloc *a = c->ev[i].a;
			int64_t *f = &c->calfree[(size_t)a->node * SC_NRES];
			for (int r = 0; r < c->nres; r++) {
				f[r] += a->res[r];
				tot[r] += a->res[r];
			}
			mark(c, a->node, &nch);
		}
		for (; ri < nre && re[ri].t == t; ri++)
			for (int e = 0; e < c->nrent; e++)
				if (c->rent[e].resv == re[ri].resv)
					mark(c, c->rent[e].node, &nch);
		bool enough = true;
		for (int r = 0; r < c->nres && enough; r++)
			enough = tot[r] >= rq->total[r];
		struct sc_view v = {
		    .free = c->calfree,
		    .T = t,
		    .E = w < 0 || t > SC_NEVER - w ? SC_NEVER : t + w,
		    .live = false,
		    .resv = true,
		};
		bool any = false;
		for (int x = 0; x < nch; x++) {
			int n = c->chlist[x];
			c->changed[n] = 0;
			for (int ci = 0; enough && !any && ci < rq->nchunks; ci++)
				any = c->pos[n] >= 0 && sc__fit(c, k, ci, n, &v) == SC_FIT;
		}
		if (!enough || !any)
			continue;
		if (sc__place(c, k, &v) == SC_FIT) {
			*evtext = sc__exec_vnode(c, rq);
			reserve(c, j, t, v.E, rq->sharing != SC_SHARED);
			sc__untent(c);
			found = t;
			break;
		}
	}
	free(re);
	return found;
}
