/* cycle.c - one scheduling cycle (core.h): order the queued jobs, walk
 * them, and for each decide run / top job / not running, with the reason
 * in PBS words.  Matching is in match.c, the backfill calendar in
 * backfill.c.
 *
 * Per job:
 *   class answer   the job's equivalence class (its interned request)
 *                  already failed this cycle: same comment, no matching;
 *                  a class that met a reservation with duration w answers
 *                  "conflict" for members at least as long
 *   fast fail      the job's totals exceed the free totals of the up vnodes
 *   match          first-fit placement now, honouring reservations
 *   run            placement found: the job runs now
 *   top job        with backfill, while fewer than backfill_depth: the
 *                  calendar finds its earliest start and reserves it
 *   blocked        strict_ordering: a job that cannot run and holds no
 *                  reservation stops every later job
 *
 * Order: the model keeps the queued jobs in the last cycle's order (new
 * ones appended), so a cycle checks it in one pass and sorts only when it
 * is wrong.  With backfill_shortest, the jobs after the last top job are
 * re-sorted by walltime for that cycle only.  Without a comment callback
 * (the simulator) reasons are not formatted.
 *
 * Allocation per cycle is linear in queued jobs (the sort array) plus
 * vnodes (scratch arrays) plus classes, never jobs times vnodes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/common/util.h"
#include "src/sched/core_private.h"

#define MSG_NR "Not Running"
#define MSG_NEVER "Can Never Run"
#define MSG_CONFLICT "Not Running: Job would conflict with reservation or top job"
#define MSG_STRICT "Not Running: Job would break strict sorted order"
#define MSG_REQS "Not Running: Job requirements not met by any vnode"
#define MSG_NOFREE "Not Running: Not enough free nodes available"
#define MSG_NOTOTAL "Can Never Run: Not enough total nodes available"
#define MSG_EXCL "Not Running: Job is requesting an exclusive node and node is in use"
#define MSG_QSTOP "Not Running: Queue not started."

/* Duration of j, or -1: its own walltime, its queue's default, the
 * policy's default. */
static int64_t walltime_of(const struct sc_cyc *c, const struct sc_job *j)
{
	if (j->walltime >= 0)
		return j->walltime;
	if (j->queue && j->queue->default_walltime >= 0)
		return j->queue->default_walltime;
	return c->p->default_walltime;
}

int64_t sc__run_end(const struct sc_cyc *c, const struct sc_job *j)
{
	int64_t e = j->end;
	if (e == SC_NEVER) {
		int64_t w = walltime_of(c, j);
		if (w < 0)
			return SC_NEVER;
		e = j->start + w;
	}
	return e > c->now ? e : c->now + 1;
}

/* ---- vnodes at the start of a cycle --------------------------------- */

struct nkey {
	int64_t prio;
	int idx;
};

static int nkey_cmp(const void *a, const void *b)
{
	const struct nkey *x = a, *y = b;
	if (x->prio != y->prio)
		return x->prio > y->prio ? -1 : 1;
	return x->idx - y->idx;
}

static void setup_nodes(struct sc_cyc *c)
{
	struct sc_model *m = c->m;
	int nn = c->nnodes = sc_node_count(m);
	int nh = m->hosts.n;
	size_t nz = nn ? (size_t)nn : 1;
	c->pos = xmalloc(nz * sizeof *c->pos);
	c->ord = xmalloc(nz * sizeof *c->ord);
	struct nkey *keys = xmalloc(nz * sizeof *keys);
	c->nord = 0;
	memset(c->tot_all, 0, sizeof c->tot_all);
	memset(c->free_up, 0, sizeof c->free_up);
	for (int i = 0; i < nn; i++) {
		struct sc_node *nd = m->nodes[i];
		c->pos[i] = -1;
		if (nd->gone)
			continue;
		for (int r = 0; r < c->nres; r++)
			c->tot_all[r] += nd->avail[r];
		if (nd->state != SC_NODE_UP)
			continue;
		keys[c->nord].prio = nd->priority;
		keys[c->nord].idx = i;
		c->nord++;
		const int64_t *f = &m->free[(size_t)i * SC_NRES];
		for (int r = 0; r < c->nres; r++)
			c->free_up[r] += f[r] > 0 ? f[r] : 0;
	}
	qsort(keys, (size_t)c->nord, sizeof *keys, nkey_cmp);
	for (int p = 0; p < c->nord; p++) {
		c->ord[p] = keys[p].idx;
		c->pos[keys[p].idx] = p;
	}
	free(keys);

	/* up hosts in order of their first vnode, and their vnodes */
	c->hid = xmalloc((nh ? (size_t)nh : 1) * sizeof *c->hid);
	for (int h = 0; h < nh; h++)
		c->hid[h] = -1;
	c->nhost = 0;
	for (int p = 0; p < c->nord; p++) {
		int h = m->nodes[c->ord[p]]->host;
		if (c->hid[h] < 0)
			c->hid[h] = c->nhost++;
	}
	size_t hz = c->nhost ? (size_t)c->nhost : 1;
	c->hstart = xcalloc(hz, sizeof *c->hstart);
	c->hlen = xcalloc(hz, sizeof *c->hlen);
	c->hbusy = xcalloc(hz, sizeof *c->hbusy);
	c->hused = xcalloc(hz, 1);
	c->hvn = xmalloc(nz * sizeof *c->hvn);
	for (int p = 0; p < c->nord; p++)
		c->hlen[c->hid[m->nodes[c->ord[p]]->host]]++;
	for (int h = 1; h < c->nhost; h++)
		c->hstart[h] = c->hstart[h - 1] + c->hlen[h - 1];
	int *fill = xcalloc(hz, sizeof *fill);
	for (int p = 0; p < c->nord; p++) {
		const struct sc_node *nd = m->nodes[c->ord[p]];
		int h = c->hid[nd->host];
		c->hvn[c->hstart[h] + fill[h]++] = c->ord[p];
		if (nd->nruns)
			c->hbusy[h]++;
	}
	free(fill);

	c->tent = xcalloc(nz * SC_NRES, sizeof *c->tent);
	c->tflag = xcalloc(nz, 1);
	c->touched = xmalloc(nz * sizeof *c->touched);
	c->calfree = xmalloc(nz * SC_NRES * sizeof *c->calfree);
	c->changed = xcalloc(nz, 1);
	c->chlist = xmalloc(nz * sizeof *c->chlist);

	/* distinct start expressions */
	c->sidx = xmalloc(nz * sizeof *c->sidx);
	c->starts = xmalloc(nz * sizeof *c->starts);
	c->nstart = 0;
	for (int i = 0; i < nn; i++) {
		const struct sc_node *nd = m->nodes[i];
		c->sidx[i] = nd->bad_start ? -2 : -1;
		if (nd->gone || !nd->start)
			continue;
		int s;
		for (s = 0; s < c->nstart && c->starts[s] != nd->start; s++)
			;
		if (s == c->nstart)
			c->starts[c->nstart++] = nd->start;
		c->sidx[i] = s;
	}
}

static void cleanup(struct sc_cyc *c)
{
	free(c->pos);
	free(c->ord);
	free(c->hid);
	free(c->hstart);
	free(c->hlen);
	free(c->hbusy);
	free(c->hused);
	free(c->hvn);
	free(c->tent);
	free(c->tflag);
	free(c->touched);
	free(c->inst);
	free(c->resv);
	free(c->rnode);
	free(c->rends);
	sc__plans_free(c);
	free(c->hint);
	free(c->hint_stamp);
	free(c->ev);
	free(c->calfree);
	free(c->changed);
	free(c->chlist);
	free(c->sidx);
	free(c->starts);
	free(c->cbucket);
	buf_free(&c->text);
	sc__arena_free(&c->arena);
}

/* ---- classes and reasons -------------------------------------------- */

static bool value_eq(const char *have, const char *want)
{
	if (strcmp(have, want) == 0)
		return true;
	int a = corral_parse_bool(have), b = corral_parse_bool(want);
	return a >= 0 && b >= 0 && a == b;
}

static bool str_ok(const struct sc_node *nd, const struct sc_chunkreq *ch)
{
	for (int s = 0; s < ch->nstr; s++) {
		const char *have = kv_get(&nd->attrs, ch->str[s].key);
		if (!have || !value_eq(have, ch->str[s].value))
			return false;
	}
	return true;
}

static bool elig(const struct sc_cls *k, int ci, int n)
{
	const uint8_t *b = k->elig ? k->elig[ci] : NULL;
	return !b || (b[n >> 3] >> (n & 7)) & 1;
}

static const char *insufficient(struct sc_cyc *c, const char *prefix, int r, int64_t R, int64_t A,
				int64_t T)
{
	char a[32], b[32], d[32];
	if (c->quiet)
		return prefix; /* nobody reads the text: the reason is enough */
	if (A < 0)
		A = 0;
	return sc__arena_printf(
	    &c->arena, "%s: Insufficient amount of resource: %s (R: %s A: %s T: %s)", prefix,
	    sc_res_name(c->m, r), sc_res_format(c->m, r, R, a, sizeof a),
	    sc_res_format(c->m, r, A, b, sizeof b), sc_res_format(c->m, r, T, d, sizeof d));
}

/* Eligible vnodes for any chunk of k, counted per host (scatter) or per
 * vnode (vscatter), and per-host sums for pack; up only or all. */
struct spread {
	int units;	       /* hosts or vnodes that qualify */
	int64_t hmax[SC_NRES]; /* largest per-host sum */
};

static void spread_of(struct sc_cyc *c, struct sc_cls *k, bool up_only, bool now_fit,
		      struct spread *out)
{
	struct sc_model *m = c->m;
	const struct sc_req *rq = k->req;
	int nh = m->hosts.n;
	int64_t *hsum = xcalloc((size_t)(nh ? nh : 1) * SC_NRES, sizeof *hsum);
	uint8_t *hseen = xcalloc((size_t)(nh ? nh : 1), 1);
	memset(out, 0, sizeof *out);
	for (int n = 0; n < c->nnodes; n++) {
		const struct sc_node *nd = m->nodes[n];
		if (nd->gone || (up_only && c->pos[n] < 0))
			continue;
		const int64_t *f = &m->free[(size_t)n * SC_NRES];
		bool any = false;
		for (int ci = 0; ci < rq->nchunks && !any; ci++) {
			if (!elig(k, ci, n))
				continue;
			bool fits = true;
			for (int r = 0; r < c->nres && fits; r++)
				fits = rq->chunks[ci].res[r] <= (now_fit ? f[r] : nd->avail[r]);
			any = fits && !(now_fit && nd->excl);
		}
		if (!any)
			continue;
		if (rq->arrangement == SC_SCATTER) {
			if (!hseen[nd->host]++)
				out->units++;
		} else {
			out->units++;
		}
		for (int r = 0; r < c->nres; r++)
			hsum[(size_t)nd->host * SC_NRES + r] +=
			    now_fit ? (f[r] > 0 ? f[r] : 0) : nd->avail[r];
	}
	for (int h = 0; h < nh; h++)
		for (int r = 0; r < c->nres; r++)
			if (hsum[(size_t)h * SC_NRES + r] > out->hmax[r])
				out->hmax[r] = hsum[(size_t)h * SC_NRES + r];
	free(hsum);
	free(hseen);
}

static const char *never_reason(struct sc_cyc *c, struct sc_cls *k)
{
	struct sc_model *m = c->m;
	const struct sc_req *rq = k->req;
	for (int r = 0; r < c->nres; r++)
		if (rq->total[r] > c->tot_all[r])
			return insufficient(c, MSG_NEVER, r, rq->total[r], c->free_up[r],
					    c->tot_all[r]);
	for (int ci = 0; ci < rq->nchunks; ci++) {
		const struct sc_chunkreq *ch = &rq->chunks[ci];
		bool any = false;
		int64_t maxav[SC_NRES] = {0}, maxfree[SC_NRES] = {0};
		for (int n = 0; n < c->nnodes; n++) {
			const struct sc_node *nd = m->nodes[n];
			if (nd->gone || !elig(k, ci, n))
				continue;
			any = true;
			const int64_t *f = &m->free[(size_t)n * SC_NRES];
			for (int r = 0; r < c->nres; r++) {
				if (nd->avail[r] > maxav[r])
					maxav[r] = nd->avail[r];
				if (c->pos[n] >= 0 && f[r] > maxfree[r])
					maxfree[r] = f[r];
			}
		}
		if (!any)
			return MSG_REQS;
		for (int r = 0; r < c->nres; r++)
			if (ch->res[r] > maxav[r])
				return insufficient(c, MSG_NEVER, r, ch->res[r], maxfree[r],
						    maxav[r]);
	}
	if (rq->ninst > 1 && rq->arrangement != SC_FREE) {
		struct spread all, up;
		spread_of(c, k, false, false, &all);
		if ((rq->arrangement == SC_SCATTER || rq->arrangement == SC_VSCATTER) &&
		    all.units < rq->ninst)
			return MSG_NOTOTAL;
		if (rq->arrangement == SC_PACK)
			for (int r = 0; r < c->nres; r++)
				if (rq->total[r] > all.hmax[r]) {
					spread_of(c, k, true, true, &up);
					return insufficient(c, MSG_NEVER, r, rq->total[r],
							    up.hmax[r], all.hmax[r]);
				}
	}
	return NULL;
}

static const char *nofit_reason(struct sc_cyc *c, struct sc_cls *k)
{
	struct sc_model *m = c->m;
	const struct sc_req *rq = k->req;
	for (int r = 0; r < c->nres; r++)
		if (rq->total[r] > c->free_up[r])
			return insufficient(c, MSG_NR, r, rq->total[r], c->free_up[r],
					    c->tot_all[r]);
	for (int ci = 0; ci < rq->nchunks; ci++) {
		const struct sc_chunkreq *ch = &rq->chunks[ci];
		bool any_up = false, any_unused = false;
		for (int p = 0; p < c->nord; p++) {
			const struct sc_node *nd = m->nodes[c->ord[p]];
			if (elig(k, ci, nd->idx)) {
				any_up = true;
				any_unused |= nd->nruns == 0 && !nd->excl;
			}
		}
		if (!any_up)
			return "Not Running: Node is in an ineligible state: down";
		if (rq->sharing != SC_SHARED && !any_unused)
			return MSG_EXCL;
		/* A funnel over the resources in order: among the vnodes that
		 * have enough of every resource before r, is there one with
		 * enough r?  The first r without one is the reason. */
		for (int r = 0; r < c->nres; r++) {
			if (!ch->res[r])
				continue;
			int64_t maxav = 0, maxfree = 0;
			bool some = false;
			for (int p = 0; p < c->nord; p++) {
				int n = c->ord[p];
				const struct sc_node *nd = m->nodes[n];
				if (!elig(k, ci, n) || nd->excl)
					continue;
				const int64_t *f = &m->free[(size_t)n * SC_NRES];
				bool before = true;
				for (int q = 0; q < r && before; q++)
					before = ch->res[q] <= f[q];
				if (!before)
					continue;
				some = true;
				if (nd->avail[r] > maxav)
					maxav = nd->avail[r];
				if (f[r] > maxfree)
					maxfree = f[r];
			}
			if (some && ch->res[r] > maxfree) {
				/* T: the most any eligible vnode has */
				for (int p = 0; p < c->nord; p++)
					if (elig(k, ci, c->ord[p]) &&
					    m->nodes[c->ord[p]]->avail[r] > maxav)
						maxav = m->nodes[c->ord[p]]->avail[r];
				return insufficient(c, MSG_NR, r, ch->res[r], maxfree, maxav);
			}
			if (!some)
				break;
		}
	}
	if (rq->ninst > 1 && rq->arrangement != SC_FREE) {
		struct spread now, up;
		spread_of(c, k, true, true, &now);
		if (rq->arrangement == SC_PACK) {
			spread_of(c, k, true, false, &up);
			for (int r = 0; r < c->nres; r++)
				if (rq->total[r] > now.hmax[r])
					return insufficient(c, MSG_NR, r, rq->total[r], now.hmax[r],
							    up.hmax[r]);
		} else if (now.units < rq->ninst) {
			return MSG_NOFREE;
		}
	}
	return MSG_NOFREE;
}

static uint64_t start_bits(struct sc_cyc *c, const struct sc_job *j, int64_t w)
{
	uint64_t bits = 0;
	for (int i = 0; i < c->nstart && i < 64; i++)
		if (sc__start_holds(c->m, c->starts[i], j, w))
			bits |= (uint64_t)1 << i;
	return bits;
}

static bool start_ok(const struct sc_cyc *c, const struct sc_cls *k, int n)
{
	int s = c->sidx[n];
	if (s == -1)
		return true;
	if (s == -2)
		return false;
	if (k->solo)
		return sc__start_holds(c->m, c->starts[s], k->solo, -1);
	return (k->bits >> s) & 1;
}

static struct sc_cls *new_class(struct sc_cyc *c, struct sc_job *j, uint64_t bits, bool solo,
				struct sc_stats *st)
{
	struct sc_model *m = c->m;
	struct sc_req *rq = j->req;
	struct sc_cls *k = sc__arena_alloc(&c->arena, sizeof *k);
	k->req = rq;
	k->xreq = j->requirements;
	k->xrank = j->rank;
	k->bits = bits;
	k->solo = solo ? j : NULL;
	k->conflict_wall = SC_NEVER;
	k->cursor = sc__arena_alloc(&c->arena, (size_t)rq->nchunks * sizeof *k->cursor);
	bool filtered = j->requirements || c->nstart > 0;
	for (int n = 0; n < c->nnodes && !filtered; n++)
		filtered = c->sidx[n] == -2;
	uint8_t *common = NULL;
	if (filtered) {
		common = sc__arena_alloc(&c->arena, (size_t)c->nnodes / 8 + 1);
		for (int n = 0; n < c->nnodes; n++) {
			const struct sc_node *nd = m->nodes[n];
			if (!nd->gone && start_ok(c, k, n) &&
			    (!j->requirements || sc__requirements_hold(m, j->requirements, nd)))
				common[n >> 3] |= (uint8_t)(1u << (n & 7));
		}
	}
	for (int ci = 0; ci < rq->nchunks; ci++) {
		const struct sc_chunkreq *ch = &rq->chunks[ci];
		if (!ch->nstr && !common)
			continue;
		if (!k->elig)
			k->elig = sc__arena_alloc(&c->arena, (size_t)rq->nchunks * sizeof *k->elig);
		if (!ch->nstr) {
			k->elig[ci] = common;
			continue;
		}
		uint8_t *b = sc__arena_alloc(&c->arena, (size_t)c->nnodes / 8 + 1);
		for (int n = 0; n < c->nnodes; n++)
			if ((!common || (common[n >> 3] >> (n & 7)) & 1) && str_ok(m->nodes[n], ch))
				b[n >> 3] |= (uint8_t)(1u << (n & 7));
		k->elig[ci] = b;
	}
	if (j->rank) {
		k->rankv = sc__arena_alloc(&c->arena,
					   (size_t)(c->nnodes ? c->nnodes : 1) * sizeof *k->rankv);
		for (int p = 0; p < c->nord; p++)
			k->rankv[c->ord[p]] = sc__rank(m, j->rank, m->nodes[c->ord[p]]);
	}
	k->never = never_reason(c, k);
	k->checked = true;
	st->classes++;
	return k;
}

static size_t ckey_hash(const struct sc_req *rq, const struct sc_expr *a, const struct sc_expr *b,
			uint64_t bits, const struct sc_job *solo)
{
	uint64_t h = (uint64_t)(uintptr_t)rq * 0x9E3779B97F4A7C15ull;
	h ^= (uint64_t)(uintptr_t)a * 0xC2B2AE3D27D4EB4Full;
	h ^= (uint64_t)(uintptr_t)b * 0x165667B19E3779F9ull;
	h ^= bits * 0x27D4EB2F165667C5ull;
	h ^= (uint64_t)(uintptr_t)solo * 0x94D049BB133111EBull;
	return (size_t)(h ^ (h >> 29));
}

static struct sc_cls *class_of(struct sc_cyc *c, struct sc_job *j, int64_t w, struct sc_stats *st)
{
	struct sc_req *rq = j->req;
	if (!j->requirements && !j->rank && c->nstart == 0) {
		if (rq->cls && rq->cls_epoch == c->m->epoch)
			return rq->cls;
		struct sc_cls *k = new_class(c, j, 0, false, st);
		rq->cls = k;
		rq->cls_epoch = c->m->epoch;
		return k;
	}
	bool solo = c->nstart > 64;
	uint64_t bits = solo ? 0 : start_bits(c, j, w);
	const struct sc_job *sj = solo ? j : NULL;
	if (c->ncls >= 2 * c->ncbuckets) {
		int nb = c->ncbuckets ? 4 * c->ncbuckets : 256;
		struct sc_cls **nbk = xcalloc((size_t)nb, sizeof *nbk);
		for (int b = 0; b < c->ncbuckets; b++)
			for (struct sc_cls *k = c->cbucket[b], *nx; k; k = nx) {
				nx = k->hnext;
				size_t h = ckey_hash(k->req, k->xreq, k->xrank, k->bits, k->solo) %
					   (size_t)nb;
				k->hnext = nbk[h];
				nbk[h] = k;
			}
		free(c->cbucket);
		c->cbucket = nbk;
		c->ncbuckets = nb;
	}
	size_t h = ckey_hash(rq, j->requirements, j->rank, bits, sj) % (size_t)c->ncbuckets;
	for (struct sc_cls *k = c->cbucket[h]; k; k = k->hnext)
		if (k->req == rq && k->xreq == j->requirements && k->xrank == j->rank &&
		    k->bits == bits && k->solo == sj)
			return k;
	struct sc_cls *k = new_class(c, j, bits, solo, st);
	k->hnext = c->cbucket[h];
	c->cbucket[h] = k;
	c->ncls++;
	return k;
}

/* ---- ordering ------------------------------------------------------- */

#define NK (3 + SC_MAX_KEYS)

struct ent {
	int64_t k[NK];
	struct sc_job *j;
};

static int ent_cmp(const void *a, const void *b, void *arg)
{
	const struct ent *x = a, *y = b;
	int nk = *(const int *)arg;
	for (int i = 0; i < nk; i++)
		if (x->k[i] != y->k[i])
			return x->k[i] < y->k[i] ? -1 : 1;
	return 0;
}

/* backfill_shortest: order[from..n) by walltime (none: last), keeping
 * the order of equal walltimes.  The sort keys are spent by then: k[0]
 * takes the walltime, k[NK - 1] the position. */
static int short_cmp(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;
	if (x->k[0] != y->k[0])
		return x->k[0] < y->k[0] ? -1 : 1;
	return x->k[NK - 1] < y->k[NK - 1] ? -1 : x->k[NK - 1] > y->k[NK - 1];
}

static void shortest_first(struct sc_cyc *c, struct ent *e, int from, int n)
{
	for (int i = from; i < n; i++) {
		int64_t w = walltime_of(c, e[i].j);
		e[i].k[0] = w < 0 ? INT64_MAX : w;
		e[i].k[NK - 1] = i;
	}
	if (n - from > 1)
		qsort(e + from, (size_t)(n - from), sizeof *e, short_cmp);
}

static struct ent *sorted_jobs(struct sc_cyc *c, int *count)
{
	struct sc_model *m = c->m;
	const struct sc_policy *p = c->p;
	int nq = m->njobs[SC_JOB_QUEUED];
	struct ent *e = xmalloc((size_t)(nq ? nq : 1) * sizeof *e);
	/* the last cycle's order, compacted: usually sorted already */
	int i = 0;
	for (int o = 0; o < m->norder; o++) {
		struct sc_job *j = m->order[o];
		if (!j)
			continue;
		m->order[i] = j;
		j->opos = i;
		int x = 0;
		e[i].j = j;
		e[i].k[x++] = -(j->queue ? j->queue->priority : 0);
		e[i].k[x++] = -j->priority;
		for (int q = 0; q < p->nkeys; q++) {
			const struct sc_sort_key *sk = &p->keys[q];
			int64_t v = 0;
			if (sk->kind == SC_KEY_PRIORITY)
				v = j->priority;
			else if (sk->kind == SC_KEY_WALLTIME) {
				v = walltime_of(c, j);
				if (v < 0)
					v = INT64_MAX / 2;
			} else if (j->req && sk->res < SC_NRES)
				v = j->req->total[sk->res];
			e[i].k[x++] = sk->high ? -v : v;
		}
		e[i].k[x++] = j->seq;
		i++;
	}
	m->norder = i; /* == nq */
	int nk = 3 + p->nkeys;
	bool sorted = true;
	for (int k = 1; k < nq && sorted; k++)
		sorted = ent_cmp(&e[k - 1], &e[k], &nk) <= 0;
	if (!sorted) {
		qsort_r(e, (size_t)nq, sizeof *e, ent_cmp, &nk);
		for (int k = 0; k < nq; k++) {
			m->order[k] = e[k].j;
			e[k].j->opos = k;
		}
	}
	*count = nq;
	return e;
}

/* ---- the cycle ------------------------------------------------------ */

static void note(const struct sc_ops *ops, void *ctx, struct sc_job *j, const char *comment,
		 bool estimate_none)
{
	if (ops->comment && comment)
		ops->comment(ctx, j, comment);
	if (estimate_none && ops->estimate)
		ops->estimate(ctx, j, -1, NULL);
}

/* Start j on the tentative placement. */
static void run_job(struct sc_cyc *c, struct sc_cls *k, struct sc_job *j, const struct sc_ops *ops,
		    void *ctx)
{
	struct sc_model *m = c->m;
	const char *text = sc__exec_vnode(c, k->req);
	struct sc_alloc *a = xmalloc((size_t)c->ntouched * sizeof *a);
	int64_t before[SC_NRES] = {0};
	for (int i = 0; i < c->ntouched; i++) {
		int n = c->touched[i];
		memset(&a[i], 0, sizeof a[i]);
		a[i].node = n;
		memcpy(a[i].res, &c->tent[(size_t)n * SC_NRES], sizeof a[i].res);
		const int64_t *f = &m->free[(size_t)n * SC_NRES];
		for (int r = 0; r < c->nres; r++)
			before[r] += f[r] > 0 ? f[r] : 0;
	}
	int nt = c->ntouched;
	sc__untent(c);
	sc_job_set_running(m, j, a, nt, c->now);
	free(a);
	if (k->req->sharing == SC_EXCLHOST) {
		/* whole hosts taken: recount */
		memset(c->free_up, 0, sizeof c->free_up);
		for (int p = 0; p < c->nord; p++) {
			const int64_t *f = &m->free[(size_t)c->ord[p] * SC_NRES];
			for (int r = 0; r < c->nres; r++)
				c->free_up[r] += f[r] > 0 ? f[r] : 0;
		}
	} else {
		for (int i = 0; i < j->nalloc; i++) {
			const int64_t *f = &m->free[(size_t)j->alloc[i].node * SC_NRES];
			for (int r = 0; r < c->nres; r++)
				before[r] -= f[r] > 0 ? f[r] : 0;
		}
		for (int r = 0; r < c->nres; r++)
			c->free_up[r] -= before[r];
	}
	for (int i = 0; i < j->nalloc; i++) {
		const struct sc_node *nd = m->nodes[j->alloc[i].node];
		if (nd->nruns == 1 && c->pos[nd->idx] >= 0)
			c->hbusy[c->hid[nd->host]]++;
	}
	sc__calendar_note_run(c, j);
	if (ops->run)
		ops->run(ctx, j, text);
}

void sc_cycle(struct sc_model *m, const struct sc_policy *p, int64_t now, const struct sc_ops *ops,
	      void *ctx, struct sc_stats *st)
{
	static const struct sc_ops none = {0};
	struct sc_stats dummy;
	if (!ops)
		ops = &none;
	if (!st)
		st = &dummy;
	memset(st, 0, sizeof *st);
	struct sc_cyc cy = {.m = m, .p = p, .now = now, .nres = m->nres, .quiet = !ops->comment};
	struct sc_cyc *c = &cy;
	buf_init(&c->text);
	m->epoch++;
	setup_nodes(c);

	int nq = 0;
	struct ent *order = sorted_jobs(c, &nq);
	int nrun0 = m->njobs[SC_JOB_RUNNING]; /* jobs started here go after these */
	st->queued = nq;
	bool blocked = false;
	int depth = p->backfill ? p->backfill_depth : 0;

	for (int i = 0; i < nq; i++) {
		struct sc_job *j = order[i].j;
		if (ops->stop && i && (i & 63) == 0 && ops->stop(ctx)) {
			st->stopped = true;
			break;
		}
		st->considered++;
		if (p->eligible_time_enable && ops->accrue)
			ops->accrue(ctx, j, SC_ACCRUE_ELIGIBLE);
		if (!j->req) {
			note(ops, ctx, j, "Can Never Run: No Select", true);
			st->never++;
			continue;
		}
		if (j->bad_expr) {
			note(ops, ctx, j,
			     "Can Never Run: Job requirements or rank cannot be parsed", true);
			st->never++;
			continue;
		}
		if (j->queue && !j->queue->started) {
			note(ops, ctx, j, MSG_QSTOP, true);
			st->blocked++;
			continue;
		}
		if (blocked) {
			note(ops, ctx, j, MSG_STRICT, true);
			st->blocked++;
			continue;
		}
		int64_t w = walltime_of(c, j);
		struct sc_cls *k = class_of(c, j, w, st);
		const struct sc_req *rq = k->req;
		int64_t wd = w < 0 ? SC_NEVER : w;
		const char *msg = NULL;
		bool never = false;
		if (k->never) {
			msg = k->never;
			never = true;
		} else if (k->nofit) {
			msg = k->nofit;
		} else if (k->conflicted && wd >= k->conflict_wall) {
			msg = MSG_CONFLICT;
		} else {
			for (int r = 0; r < c->nres && !msg; r++)
				if (rq->total[r] > c->free_up[r])
					msg = k->nofit = insufficient(c, MSG_NR, r, rq->total[r],
								      c->free_up[r], c->tot_all[r]);
			if (!msg) {
				st->matched++;
				struct sc_view v = {
				    .free = m->free,
				    .T = now,
				    .E = w < 0 ? SC_NEVER : now + w,
				    .live = true,
				    .resv = c->nresv > 0,
				};
				int fr = sc__place(c, k, &v);
				if (fr == SC_FIT) {
					run_job(c, k, j, ops, ctx);
					st->started++;
					continue;
				}
				if (fr == SC_CONFLICT) {
					v.resv = false;
					if (sc__place(c, k, &v) == SC_FIT) {
						sc__untent(c);
						k->conflicted = true;
						if (wd < k->conflict_wall)
							k->conflict_wall = wd;
						msg = MSG_CONFLICT;
					}
				}
				if (!msg)
					msg = k->nofit = nofit_reason(c, k);
			}
		}
		bool top = false;
		if (!never && st->top_jobs < depth) {
			const char *evtext = NULL;
			int64_t t = sc__calendar(c, k, j, w, &evtext);
			if (t >= 0) {
				top = true;
				st->top_jobs++;
				if (ops->estimate)
					ops->estimate(ctx, j, t, evtext);
				if (p->backfill_shortest && st->top_jobs == depth)
					shortest_first(c, order, i + 1, nq);
			}
		}
		note(ops, ctx, j, msg, !top);
		if (never)
			st->never++;
		else
			st->blocked++;
		if (!top && !never && p->strict_ordering)
			blocked = true;
	}
	free(order);

	if (p->eligible_time_enable && ops->accrue) {
		for (int i = 0; i < m->njobs[SC_JOB_HELD]; i++)
			ops->accrue(ctx, m->jobs[SC_JOB_HELD][i], SC_ACCRUE_INELIGIBLE);
		/* jobs started in this cycle: the server sets theirs on run */
		for (int i = 0; i < nrun0 && i < m->njobs[SC_JOB_RUNNING]; i++)
			ops->accrue(ctx, m->jobs[SC_JOB_RUNNING][i], SC_ACCRUE_RUN);
	}
	cleanup(c);
}
