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
 * whole window [t, t + walltime).  The first t that works is reserved.
 *
 * Plans.  A vnode that holds part of a reservation gets a plan: a step
 * function of what is committed on it from now on (running jobs until
 * their expected ends, what its reported assignment holds beyond them,
 * reservations over their windows).  Matching asks the plan whether a
 * chunk fits beside it over the job's window (sc__plan_fits); starting a
 * job or reserving adds an interval to the plans of its vnodes.  A check
 * costs the segments inside the window, whatever the number of
 * reservations, so a cycle where every queued job holds one (conservative
 * backfilling) stays near-linear per job.
 *
 * Hints.  When a single-chunk job does not fit on a planned vnode at t
 * because some segment [a, b) inside its window is too full, no start
 * before b can fit there either (its window would still cover that
 * segment); the sweep then skips that vnode until b.
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

/* ---- plans ---------------------------------------------------------- */

static void plan_grow(struct sc_plan *p, int need)
{
	if (need <= p->cap)
		return;
	int cap = p->cap ? 2 * p->cap : 16;
	while (cap < need)
		cap *= 2;
	p->t = xrealloc(p->t, (size_t)cap * sizeof *p->t);
	p->amt = xrealloc(p->amt, (size_t)cap * SC_NRES * sizeof *p->amt);
	p->cap = cap;
}

/* The segment holding t (t before the plan: the first). */
static int plan_find(const struct sc_plan *p, int64_t t)
{
	int lo = 0, hi = p->n; /* last i with p->t[i] <= t */
	while (hi - lo > 1) {
		int mid = (lo + hi) / 2;
		if (p->t[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Index of the segment starting at t, splitting the one holding it. */
static int plan_split(struct sc_plan *p, int64_t t)
{
	int i = plan_find(p, t);
	if (p->t[i] >= t)
		return i;
	plan_grow(p, p->n + 1);
	memmove(&p->t[i + 2], &p->t[i + 1], (size_t)(p->n - i - 1) * sizeof *p->t);
	memmove(&p->amt[(size_t)(i + 2) * SC_NRES], &p->amt[(size_t)(i + 1) * SC_NRES],
		(size_t)(p->n - i - 1) * SC_NRES * sizeof *p->amt);
	p->t[i + 1] = t;
	memcpy(&p->amt[(size_t)(i + 1) * SC_NRES], &p->amt[(size_t)i * SC_NRES],
	       SC_NRES * sizeof *p->amt);
	p->n++;
	return i + 1;
}

/* Commit a over [s, e) (e SC_NEVER: for good). */
static void plan_add(const struct sc_cyc *c, struct sc_plan *p, int64_t s, int64_t e,
		     const int64_t *a)
{
	if (e <= s)
		return;
	int i = plan_split(p, s);
	int j = e == SC_NEVER ? p->n : plan_split(p, e);
	for (int k = i; k < j; k++)
		for (int r = 0; r < c->nres; r++)
			p->amt[(size_t)k * SC_NRES + r] += a[r];
}

/* The plan of vnode n, built from its running jobs on first use. */
static struct sc_plan *plan_of(struct sc_cyc *c, int n)
{
	if (!c->plans)
		c->plans = xcalloc((size_t)(c->nnodes ? c->nnodes : 1), sizeof *c->plans);
	struct sc_plan *p = &c->plans[n];
	if (p->n)
		return p;
	const struct sc_node *nd = c->m->nodes[n];
	struct sc_event *ends = xmalloc((size_t)(nd->nruns ? nd->nruns : 1) * sizeof *ends);
	int ne = 0;
	if (c->ev_sorted && c->pos[n] >= 0 && 16 * nd->nruns >= c->nev) {
		/* a vnode with a good share of the running jobs (one big pool):
		 * take its ends from the calendar, already in order */
		for (int i = 0; i < c->nev; i++)
			if (c->ev[i].a->node == n)
				ends[ne++] = c->ev[i];
	} else {
		for (int i = 0; i < nd->nruns; i++) {
			int64_t e = sc__run_end(c, nd->runs[i]->job);
			if (e != SC_NEVER)
				ends[ne++] = (struct sc_event){e, nd->runs[i]};
		}
		qsort(ends, (size_t)ne, sizeof *ends, ev_cmp);
	}
	plan_grow(p, ne + 3);
	/* now: all that is not free; then each end gives back its share */
	p->t[0] = c->now;
	const int64_t *f = &c->m->free[(size_t)n * SC_NRES];
	for (int r = 0; r < SC_NRES; r++)
		p->amt[r] = r < c->nres ? nd->avail[r] - f[r] : 0;
	p->n = 1;
	for (int i = 0; i < ne; i++) {
		int k = p->n - 1;
		if (ends[i].t > p->t[k]) {
			k = p->n++;
			p->t[k] = ends[i].t;
			memcpy(&p->amt[(size_t)k * SC_NRES], &p->amt[(size_t)(k - 1) * SC_NRES],
			       SC_NRES * sizeof *p->amt);
		}
		for (int r = 0; r < c->nres; r++)
			p->amt[(size_t)k * SC_NRES + r] -= ends[i].a->res[r];
	}
	free(ends);
	return p;
}

bool sc__plan_fits(const struct sc_cyc *c, int n, const int64_t *u, int64_t T, int64_t E,
		   int64_t *until)
{
	const struct sc_plan *p = &c->plans[n];
	const int64_t *avail = c->m->nodes[n]->avail;
	for (int i = plan_find(p, T); i < p->n && p->t[i] < E; i++) {
		const int64_t *a = &p->amt[(size_t)i * SC_NRES];
		for (int r = 0; r < c->nres; r++)
			if (a[r] + u[r] > avail[r]) {
				*until = i + 1 < p->n ? p->t[i + 1] : SC_NEVER;
				return false;
			}
	}
	return true;
}

void sc__plans_free(struct sc_cyc *c)
{
	if (!c->plans)
		return;
	for (int n = 0; n < c->nnodes; n++) {
		free(c->plans[n].t);
		free(c->plans[n].amt);
	}
	free(c->plans);
	c->plans = NULL;
}

void sc__calendar_note_run(struct sc_cyc *c, const struct sc_job *j)
{
	int64_t e = sc__run_end(c, j);
	if (c->plans)
		for (int i = 0; i < j->nalloc; i++)
			if (sc__has_plan(c, j->alloc[i].node))
				plan_add(c, &c->plans[j->alloc[i].node], c->now, e,
					 j->alloc[i].res);
	if (!c->ev_built || e == SC_NEVER)
		return;
	for (int i = 0; i < j->nalloc; i++)
		if (c->pos[j->alloc[i].node] >= 0)
			ev_push(c, e, &j->alloc[i]);
	c->ev_sorted = false;
}

/* ---- reservations --------------------------------------------------- */

static void reserve(struct sc_cyc *c, struct sc_job *j, int64_t start, int64_t end, bool excl)
{
	if (c->nresv == c->capresv) {
		c->capresv = c->capresv ? 2 * c->capresv : 16;
		c->resv = xrealloc(c->resv, (size_t)c->capresv * sizeof *c->resv);
	}
	int ri = c->nresv++;
	c->resv[ri] = (struct sc_resv){
	    .job = j, .start = start, .end = end, .rnode0 = c->nrnode, .nrnode = c->ntouched};
	for (int i = 0; i < c->ntouched; i++) {
		int n = c->touched[i];
		if (c->nrnode == c->caprnode) {
			c->caprnode = c->caprnode ? 2 * c->caprnode : 64;
			c->rnode = xrealloc(c->rnode, (size_t)c->caprnode * sizeof *c->rnode);
		}
		c->rnode[c->nrnode++] = n;
		plan_add(c, plan_of(c, n), start, end,
			 excl ? c->m->nodes[n]->avail : &c->tent[(size_t)n * SC_NRES]);
	}
	if (end == SC_NEVER)
		return;
	/* keep the ends in time order (equal ends: in reservation order) */
	if (c->nrends == c->caprends) {
		c->caprends = c->caprends ? 2 * c->caprends : 16;
		c->rends = xrealloc(c->rends, (size_t)c->caprends * sizeof *c->rends);
	}
	int lo = 0, hi = c->nrends;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (c->rends[mid].t <= end)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&c->rends[lo + 1], &c->rends[lo], (size_t)(c->nrends - lo) * sizeof *c->rends);
	c->rends[lo] = (struct sc_rend){end, ri};
	c->nrends++;
}

static void mark(struct sc_cyc *c, int n, int *nch)
{
	if (!c->changed[n]) {
		c->changed[n] = 1;
		c->chlist[(*nch)++] = n;
	}
}

/* Can chunk ci of k go on vnode n at the calendar's time v->T?  With a
 * single chunk, a plan that refuses it leaves a hint for later times. */
static bool cal_fit(struct sc_cyc *c, struct sc_cls *k, int ci, int n, const struct sc_view *v)
{
	const struct sc_req *rq = k->req;
	bool hinted = rq->nchunks == 1 && sc__has_plan(c, n);
	if (hinted && c->hint_stamp[n] == c->hint_now && v->T < c->hint[n])
		return false;
	int fr = sc__fit(c, k, ci, n, v);
	if (fr == SC_CONFLICT && hinted) { /* the plan refused it */
		c->hint[n] = c->fit_until;
		c->hint_stamp[n] = c->hint_now;
	}
	return fr == SC_FIT;
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
	if (!c->hint) {
		size_t nz = (size_t)(c->nnodes ? c->nnodes : 1);
		c->hint = xmalloc(nz * sizeof *c->hint);
		c->hint_stamp = xcalloc(nz, sizeof *c->hint_stamp);
	}
	c->hint_now++; /* hints of earlier calls no longer hold */

	int64_t found = -1;
	int i = 0, ri = 0;
	for (;;) {
		int64_t t = SC_NEVER;
		if (i < c->nev)
			t = c->ev[i].t;
		if (ri < c->nrends && c->rends[ri].t < t)
			t = c->rends[ri].t;
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
		for (; ri < c->nrends && c->rends[ri].t == t; ri++) {
			const struct sc_resv *R = &c->resv[c->rends[ri].resv];
			for (int x = 0; x < R->nrnode; x++)
				mark(c, c->rnode[R->rnode0 + x], &nch);
		}
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
				any = c->pos[n] >= 0 && cal_fit(c, k, ci, n, &v);
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
	return found;
}
