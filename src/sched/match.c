/* match.c - placing a job's select chunks onto vnodes.
 *
 * First fit over the up vnodes in order (priority, then creation), one
 * chunk instance at a time, with the usage tentatively added so later
 * instances see it.  place=free puts instances anywhere (several on one
 * vnode when they fit), vscatter on distinct vnodes, scatter on distinct
 * hosts, pack all on one host; excl and exclhost want vnodes (hosts) no
 * other job uses and hold them whole.
 *
 * Speed comes from the class cursors: a vnode that cannot hold an
 * instance of a chunk with live free amounts (nothing of the job being
 * matched on it) never will in this cycle, so the class's cursor for that
 * chunk moves past it for good and the next job of the class starts
 * after it.  A cycle over jobs of one class is then linear in jobs plus
 * vnodes.  Reservations: a vnode where a top job holds something has a
 * plan (backfill.c) of what running jobs and reservations commit on it
 * over time; the job must fit beside it over its whole window.
 */
#include <stdio.h>
#include <string.h>

#include "src/sched/core_private.h"

static inline bool eligible(const struct sc_cls *k, int ci, int n)
{
	const uint8_t *b = k->elig ? k->elig[ci] : NULL;
	return !b || (b[n >> 3] >> (n & 7)) & 1;
}

int sc__fit(struct sc_cyc *c, struct sc_cls *k, int ci, int n, const struct sc_view *v)
{
	const struct sc_node *nd = c->m->nodes[n];
	const struct sc_req *rq = k->req;
	const struct sc_chunkreq *ch = &rq->chunks[ci];
	const int64_t *f = &v->free[(size_t)n * SC_NRES];
	const int64_t *t = &c->tent[(size_t)n * SC_NRES];
	int64_t u[SC_NRES];
	int nres = c->nres;

	if (!eligible(k, ci, n))
		return SC_NOFREE;
	if (rq->sharing != SC_SHARED) {
		if (c->tflag[n]) { /* ours already: the rest of the vnode is ours too */
			for (int r = 0; r < nres; r++)
				if (t[r] + ch->res[r] > nd->avail[r])
					return SC_NOFREE;
			return SC_FIT;
		}
		if (v->live && (nd->nruns > 0 || nd->excl))
			return SC_NOFREE;
		for (int r = 0; r < nres; r++)
			if (f[r] < nd->avail[r] || ch->res[r] > nd->avail[r])
				return SC_NOFREE;
		if (rq->sharing == SC_EXCLHOST && v->live && c->hbusy[c->hid[nd->host]])
			return SC_NOFREE;
		memcpy(u, nd->avail, sizeof u);
	} else {
		if (v->live && nd->excl)
			return SC_NOFREE;
		for (int r = 0; r < nres; r++) {
			u[r] = t[r] + ch->res[r];
			if (u[r] > f[r])
				return SC_NOFREE;
		}
	}
	if (v->resv && sc__has_plan(c, n) && !sc__plan_fits(c, n, u, v->T, v->E, &c->fit_until))
		return SC_CONFLICT;
	return SC_FIT;
}

static void tent_add(struct sc_cyc *c, int n, const struct sc_chunkreq *ch)
{
	if (!c->tflag[n]) {
		c->tflag[n] = 1;
		c->touched[c->ntouched++] = n;
		c->hused[c->hid[c->m->nodes[n]->host]] = 1;
	}
	int64_t *t = &c->tent[(size_t)n * SC_NRES];
	for (int r = 0; r < c->nres; r++)
		t[r] += ch->res[r];
	if (c->ninst == c->capinst) {
		c->capinst = c->capinst ? 2 * c->capinst : 64;
		c->inst = xrealloc(c->inst, (size_t)c->capinst * sizeof *c->inst);
	}
	c->inst[c->ninst++] = n;
}

void sc__untent(struct sc_cyc *c)
{
	for (int i = 0; i < c->ntouched; i++) {
		int n = c->touched[i];
		memset(&c->tent[(size_t)n * SC_NRES], 0, SC_NRES * sizeof(int64_t));
		c->tflag[n] = 0;
		c->hused[c->hid[c->m->nodes[n]->host]] = 0;
	}
	c->ntouched = 0;
	c->ninst = 0;
}

/* free, scatter, vscatter */
static int place_spread(struct sc_cyc *c, struct sc_cls *k, const struct sc_view *v,
			enum sc_arrangement arr)
{
	const struct sc_req *rq = k->req;
	bool conflict = false;
	for (int ci = 0; ci < rq->nchunks; ci++) {
		for (int i = 0; i < rq->chunks[ci].count; i++) {
			int found = -1;
			for (int p = v->live ? k->cursor[ci] : 0; p < c->nord; p++) {
				int n = c->ord[p];
				if (arr == SC_VSCATTER && c->tflag[n])
					continue;
				if (arr == SC_SCATTER && c->hused[c->hid[c->m->nodes[n]->host]])
					continue;
				int fr = sc__fit(c, k, ci, n, v);
				if (fr == SC_FIT && k->rankv) { /* the best rank, first on ties */
					if (found < 0 || k->rankv[n] > k->rankv[found])
						found = n;
					continue;
				}
				if (fr == SC_FIT) {
					found = n;
					break;
				}
				if (fr == SC_CONFLICT)
					conflict = true;
				else if (v->live && p == k->cursor[ci] && !c->tflag[n])
					k->cursor[ci]++;
			}
			if (found < 0) {
				sc__untent(c);
				return conflict ? SC_CONFLICT : SC_NOFREE;
			}
			tent_add(c, found, &rq->chunks[ci]);
		}
	}
	return SC_FIT;
}

/* First vnode of host h at order position >= p. */
static int host_from(const struct sc_cyc *c, int h, int p)
{
	int lo = 0, hi = c->hlen[h];
	const int *vn = &c->hvn[c->hstart[h]];
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (c->pos[vn[mid]] < p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int place_pack(struct sc_cyc *c, struct sc_cls *k, const struct sc_view *v)
{
	const struct sc_req *rq = k->req;
	bool conflict = false;
	for (int h = v->live ? k->host_cursor : 0; h < c->nhost; h++) {
		const int *vn = &c->hvn[c->hstart[h]];
		bool ok = true, here = false;
		for (int ci = 0; ci < rq->nchunks && ok; ci++) {
			for (int i = 0; i < rq->chunks[ci].count && ok; i++) {
				int found = -1;
				for (int x = v->live ? host_from(c, h, k->cursor[ci]) : 0;
				     x < c->hlen[h]; x++) {
					int n = vn[x];
					int fr = sc__fit(c, k, ci, n, v);
					if (fr == SC_FIT && k->rankv) {
						if (found < 0 || k->rankv[n] > k->rankv[found])
							found = n;
						continue;
					}
					if (fr == SC_FIT) {
						found = n;
						break;
					}
					if (fr == SC_CONFLICT)
						here = true;
					else if (v->live && c->pos[n] == k->cursor[ci] &&
						 !c->tflag[n])
						k->cursor[ci]++;
				}
				if (found < 0)
					ok = false;
				else
					tent_add(c, found, &rq->chunks[ci]);
			}
		}
		if (ok)
			return SC_FIT;
		sc__untent(c);
		if (here)
			conflict = true;
		else if (v->live && h == k->host_cursor)
			k->host_cursor++;
	}
	return conflict ? SC_CONFLICT : SC_NOFREE;
}

int sc__place(struct sc_cyc *c, struct sc_cls *k, const struct sc_view *v)
{
	const struct sc_req *rq = k->req;
	c->ninst = 0;
	/* one instance: every arrangement is the same */
	enum sc_arrangement arr = rq->ninst == 1 ? SC_FREE : rq->arrangement;
	if (arr == SC_PACK)
		return place_pack(c, k, v);
	return place_spread(c, k, v, arr);
}

const char *sc__exec_vnode(struct sc_cyc *c, const struct sc_req *rq)
{
	struct corral_buf *b = &c->text;
	char val[32];
	buf_reset(b);
	int i = 0;
	for (int ci = 0; ci < rq->nchunks; ci++) {
		const struct sc_chunkreq *ch = &rq->chunks[ci];
		for (int x = 0; x < ch->count && i < c->ninst; x++, i++) {
			const struct sc_node *nd = c->m->nodes[c->inst[i]];
			buf_printf(b, "%s(%s:ncpus=%lld", i ? "+" : "", nd->name,
				   (long long)ch->res[SC_NCPUS]);
			for (int r = 1; r < c->nres; r++)
				if (ch->res[r])
					buf_printf(
					    b, ":%s=%s", sc_res_name(c->m, r),
					    sc_res_format(c->m, r, ch->res[r], val, sizeof val));
			buf_append(b, ")", 1);
		}
	}
	buf_append(b, "", 1);
	return buf_peek(b);
}
