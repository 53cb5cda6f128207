/* core_private.h - internals shared by the files of the scheduling core
 * (model.c, cycle.c, match.c, backfill.c).  Not for the daemon. */
#ifndef CORRAL_SCHED_CORE_PRIVATE_H
#define CORRAL_SCHED_CORE_PRIVATE_H

#include "src/common/buf.h"
#include "src/sched/core.h"

/* A chained hash of names (vnodes, hosts, requests' keys). */
struct sc_names {
	char **name; /* id -> name, owned */
	int *next;   /* id -> next id in its bucket, -1 */
	int *bucket; /* hash -> first id, -1 */
	int n, cap, nbuckets;
};

int sc__names_find(const struct sc_names *t, const char *s);
int sc__names_add(struct sc_names *t, const char *s); /* existing id or a new one */
void sc__names_free(struct sc_names *t);
uint64_t sc__hash(const char *s);

struct sc_model {
	int nres;
	char *resname[SC_NRES];
	bool res_size[SC_NRES]; /* amounts are sizes (mem, vmem, ...) */
	int64_t default_ncpus;

	struct sc_req **req_bucket; /* interned requests */
	size_t req_nbuckets, nreqs;

	struct sc_queue *queues;

	struct sc_node **nodes; /* by index; never shrinks */
	int capnodes;
	struct sc_names node_names; /* name -> index (same ids) */
	struct sc_names hosts;	    /* host name -> host id */
	int64_t *free;		    /* [index * SC_NRES + r]: live free amounts */
	bool order_dirty;

	struct sc_job **jobs[4]; /* per sc_job_state (NONE unused) */
	int njobs[4], capjobs[4];
	/* The queued jobs in the order of the last cycle, jobs queued since
	 * then appended, NULL where a job left the queue: mostly sorted
	 * already, so a cycle checks the order in one pass instead of sorting
	 * (cycle.c). */
	struct sc_job **order;
	int norder, caporder;

	uint64_t epoch; /* cycles run, for per-cycle caches */

	/* expressions (attrs.c) */
	struct sc_xent **x_bucket; /* interned by side and text */
	size_t x_nbuckets, x_n;
	struct sc_names nattr; /* vnode attribute names -> keys */
	int *nattr_kind, *nattr_res, nattr_cap;
	char **nattr_kv;
	struct sc_names jattr; /* job attribute names -> keys */
	int *jattr_kind, *jattr_res, jattr_cap;
	struct sc_job_lookup jl;
	bool has_jl;
};

/* attrs.c */
void sc__exprs_free(struct sc_model *m);
void sc__job_exprs_drop(struct sc_model *m, struct sc_job *j);
void sc__node_start_drop(struct sc_model *m, struct sc_node *nd);
bool sc__requirements_hold(struct sc_model *m, const struct sc_expr *e, const struct sc_node *nd);
double sc__rank(struct sc_model *m, const struct sc_expr *e, const struct sc_node *nd);
bool sc__start_holds(struct sc_model *m, const struct sc_expr *e, const struct sc_job *j,
		     int64_t walltime);

/* Recompute m->free for node n. */
void sc__node_refresh(struct sc_model *m, struct sc_node *n);

/* A bump allocator for one cycle's small objects and texts. */
struct sc_arena {
	struct sc_arena_blk *blk;
};
void *sc__arena_alloc(struct sc_arena *a, size_t n); /* zeroed */
char *sc__arena_printf(struct sc_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sc__arena_free(struct sc_arena *a);

/* ---- one cycle (cycle.c, match.c, backfill.c) ------------------------ */

/* An equivalence class: jobs with the same request and node filters.
 * Within a cycle free resources only shrink and reservations only grow,
 * so a class that failed to fit stays failed, and a vnode that could not
 * hold a chunk of the class never can. */
struct sc_cls {
	struct sc_req *req;
	bool checked;	       /* never computed */
	const char *never;     /* "Can Never Run: ..." (or requirements), or NULL */
	const char *nofit;     /* set once it failed to fit now, ignoring reservations */
	bool conflicted;       /* it fitted but hit a reservation ... */
	int64_t conflict_wall; /* ... with this duration (SC_NEVER: none) */
	int *cursor;	       /* per chunk: order positions below cannot fit it */
	int host_cursor;       /* pack: hosts below cannot hold the job */
	uint8_t **elig;	       /* per chunk: bitmap by vnode index, NULL: any */
	double *rankv;	       /* rank of each vnode for the class, or NULL */
	/* key beyond the request (classes with expressions) */
	const struct sc_expr *xreq, *xrank;
	uint64_t bits;		   /* which start expressions accept the jobs */
	const struct sc_job *solo; /* too many start expressions: one job */
	struct sc_cls *hnext;
};

/* A top job's reservation: its window and the vnodes it holds
 * (c->rnode[rnode0 .. rnode0 + nrnode)). */
struct sc_resv {
	struct sc_job *job;
	int64_t start, end;
	int rnode0, nrnode;
};

/* A reservation's end, kept in time order for the calendar. */
struct sc_rend {
	int64_t t;
	int resv;
};

/* The plan of a vnode that holds a reservation: what is committed on it
 * from now on, by running jobs (until their expected ends), by what the
 * vnode's reported assignment holds beyond them, and by reservations.  A
 * step function: segment i covers [t[i], t[i + 1]) (the last one has no
 * end), t[0] is the cycle's now. */
struct sc_plan {
	int n, cap;   /* segments; n == 0: no plan */
	int64_t *t;   /* segment starts, increasing */
	int64_t *amt; /* [i * SC_NRES + r]: committed during segment i */
};

/* A running allocation's expected end, for the backfill calendar. */
struct sc_event {
	int64_t t;
	const struct sc_alloc *a;
};

/* What matching sees: free amounts at T, and the window [T, E) the job
 * would hold. */
struct sc_view {
	const int64_t *free; /* [node * SC_NRES + r] */
	int64_t T, E;
	bool live; /* T is now: live vnode flags and class cursors apply */
	bool resv; /* honour the reservations of top jobs */
};

enum { SC_FIT = 0, SC_NOFREE = 1, SC_CONFLICT = 2 };

struct sc_cyc {
	struct sc_model *m;
	const struct sc_policy *p;
	int64_t now;
	bool quiet; /* no comment callback: reasons are not written out */
	struct sc_arena arena;
	int nres, nnodes;

	int *ord, nord;		  /* up vnodes by priority, then index */
	int *pos;		  /* vnode index -> position in ord, or -1 */
	int nhost;		  /* up hosts, in order of their first vnode */
	int *hid;		  /* host id -> compact up-host index, or -1 */
	int *hstart, *hlen, *hvn; /* host h's vnodes: hvn[hstart[h] ...] in order */
	int *hbusy;		  /* up host -> vnodes holding running jobs */
	int64_t tot_all[SC_NRES]; /* resources_available over every vnode */
	int64_t free_up[SC_NRES]; /* free over the up vnodes */

	/* the job being matched */
	int64_t *tent;	/* [node * SC_NRES + r] tentatively taken */
	uint8_t *tflag; /* vnode holds part of it */
	uint8_t *hused; /* up host holds part of it */
	int *touched, ntouched;
	int *inst, ninst, capinst; /* vnode of each chunk instance */

	/* reservations of top jobs */
	struct sc_resv *resv;
	int nresv, capresv;
	int *rnode; /* the vnodes of each reservation */
	int nrnode, caprnode;
	struct sc_rend *rends; /* reservation ends (not SC_NEVER), in time order */
	int nrends, caprends;
	struct sc_plan *plans; /* per vnode, built at its first reservation; NULL: none yet */
	int64_t *hint;	       /* calendar: vnode -> no fit for the chunk before this ... */
	uint32_t *hint_stamp;  /* ... when equal to hint_now */
	uint32_t hint_now;
	int64_t fit_until; /* sc__fit: the bound of the last plan refusal */

	/* backfill calendar */
	struct sc_event *ev;
	int nev, capev;
	bool ev_built, ev_sorted;
	int64_t *calfree;
	uint8_t *changed;
	int *chlist;

	struct corral_buf text; /* exec_vnode being built */

	/* distinct start expressions of the vnodes */
	const struct sc_expr **starts;
	int nstart;
	int *sidx;		 /* vnode -> index in starts, -1 none, -2 bad */
	struct sc_cls **cbucket; /* classes with expressions */
	int ncbuckets, ncls;
};

/* Expected end of running job j as the calendar sees it (never before
 * now + 1; SC_NEVER when it has no walltime). */
int64_t sc__run_end(const struct sc_cyc *c, const struct sc_job *j);

/* backfill.c: the plans.  Does holding u on vnode n over [T, E) fit
 * beside what its plan commits?  When not, *until gets the end of the
 * first segment that does not fit (no start before it can fit either). */
static inline bool sc__has_plan(const struct sc_cyc *c, int n)
{
	return c->plans && c->plans[n].n > 0;
}
bool sc__plan_fits(const struct sc_cyc *c, int n, const int64_t *u, int64_t T, int64_t E,
		   int64_t *until);
void sc__plans_free(struct sc_cyc *c);

/* match.c */
int sc__fit(struct sc_cyc *c, struct sc_cls *k, int ci, int n, const struct sc_view *v);
/* Place every chunk instance of k's request: SC_FIT leaves the placement
 * tentative (c->inst, c->tent), anything else leaves nothing. */
int sc__place(struct sc_cyc *c, struct sc_cls *k, const struct sc_view *v);
void sc__untent(struct sc_cyc *c);
/* exec_vnode text of the tentative placement (in c->text). */
const char *sc__exec_vnode(struct sc_cyc *c, const struct sc_req *rq);

/* backfill.c */
/* Earliest start of j (class k, duration w or -1) from the expected ends
 * of running jobs and the reservations so far; on success the start is
 * reserved, *ev gets its exec_vnode (valid until the next call), and the
 * start is returned; -1 when no start can be found. */
int64_t sc__calendar(struct sc_cyc *c, struct sc_cls *k, struct sc_job *j, int64_t w,
		     const char **ev);
/* A job just started: its end joins the calendar. */
void sc__calendar_note_run(struct sc_cyc *c, const struct sc_job *j);

#endif
