/* core.h - the scheduling core: a model of jobs, vnodes and queues, a
 * policy, and a cycle that turns them into decisions.
 *
 * Pure: no I/O, no clock, no globals.  The caller (corral-sched's mirror,
 * or the simulator in virtual time) owns the model and keeps it current
 * through the functions below, then calls sc_cycle() with the time "now".
 * Decisions come back through an ops struct of callbacks while the cycle
 * runs:
 *
 *   run       a job to start now on a placement (exec_vnode text); the
 *             core has already moved the job to running in the model and
 *             charged its vnodes (optimistic; sc_job_enqueue() undoes it)
 *   comment   why a queued job is not running, in PBS words
 *             ("Not Running: Insufficient amount of resource: ncpus
 *             (R: 8 A: 4 T: 64)", "Can Never Run: ...")
 *   estimate  estimated.start_time / estimated.exec_vnode of the top jobs
 *             (the first backfill_depth jobs that cannot run now), and
 *             "no estimate" for every other queued job considered
 *   accrue    accrue_type for eligible-time accounting
 *
 * Cycle, in order (see cycle.c):
 *   1. queued jobs sorted by queue priority, Priority, job_sort_key, then
 *      submit order;
 *   2. each job in turn: its equivalence class (same request, same
 *      requirements and rank, accepted by the same vnode start
 *      expressions) answers at once when the class already failed in this
 *      cycle; otherwise the select chunks are matched first-fit onto the
 *      up vnodes in priority order (the best rank first when the job has
 *      one), on vnodes whose attributes meet the chunk's string resources
 *      and the job's requirements and whose start accepts the job,
 *      honouring place (free, pack, scatter, vscatter, excl, exclhost) and
 *      the reservations of top jobs;
 *   3. with backfill, a job that cannot run now becomes a top job (up to
 *      backfill_depth of them): the earliest time it fits, from the
 *      expected ends of running jobs and the other top jobs' reservations,
 *      is reserved, and later jobs run now only when they do not touch a
 *      reservation before they would end (EASY / conservative for the top
 *      jobs).  Jobs without walltime never end: they are only started
 *      where no reservation is, and resources held by a running job
 *      without walltime are never counted as freed.
 *      With backfill_shortest the jobs after the last top job are tried
 *      shortest walltime first (EASY++).
 *   4. strict_ordering: a job that cannot run and gets no reservation
 *      blocks every later job ("Job would break strict sorted order").
 *
 * A job that can never fit (more than the partition has, or a chunk larger
 * than any vnode) is "Can Never Run" and is neither a top job nor a block
 * under strict_ordering.
 *
 * Resource accounting: a vnode's free amount of a consumable is
 * resources_available minus what the running jobs in the model hold (or
 * the caller-reported resources_assigned, when that is larger).  A job
 * placed with excl holds whole vnodes.
 */
#ifndef CORRAL_SCHED_CORE_H
#define CORRAL_SCHED_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/common/error.h"
#include "src/common/kv.h"
#include "src/sched/expr.h"

/* Consumable resources per vnode and per chunk: ncpus, mem (bytes) and
 * ngpus always, plus custom numeric resources as they are first seen. */
#define SC_NRES 8
enum { SC_NCPUS = 0, SC_MEM = 1, SC_NGPUS = 2 };

#define SC_NEVER INT64_MAX /* an end time that never comes */

struct sc_model;
struct sc_req;

/* ---- model ---------------------------------------------------------- */

struct sc_model *sc_model_create(void);
/* Frees the model's own objects (requests, nodes, queues, allocations);
 * the caller's sc_job structs are not freed.  NULL is fine. */
void sc_model_destroy(struct sc_model *m);

/* Index of consumable resource name (0 ncpus, 1 mem, 2 ngpus, then custom
 * ones in order of first use); with create, a new name gets the next
 * index.  -ENOENT (unknown, not created) or -ENOSPC (SC_NRES in use). */
int sc_res_index(struct sc_model *m, const char *name, bool create);
const char *sc_res_name(const struct sc_model *m, int r);
int sc_res_count(const struct sc_model *m);
/* Resources that are numbers but never consumed (mpiprocs, ompthreads,
 * nodect...). */
bool sc_res_ignored(const char *name);
/* Parse a value of consumable r ("4gb" for mem and sizes, else an integer
 * or a size); 0 or -EINVAL. */
int sc_res_parse(const struct sc_model *m, int r, const char *value, int64_t *out);
/* Text of an amount of r as PBS prints it ("4gb", "8"); returns buf. */
char *sc_res_format(const struct sc_model *m, int r, int64_t v, char *buf, size_t n);

/* ncpus of a chunk that names none (server attribute default_chunk.ncpus,
 * default 1). */
void sc_model_set_default_ncpus(struct sc_model *m, int64_t ncpus);

/* ---- requests: a job's select and place, interned ------------------- */

enum sc_arrangement { SC_FREE, SC_PACK, SC_SCATTER, SC_VSCATTER };
enum sc_sharing { SC_SHARED, SC_EXCL, SC_EXCLHOST };

struct sc_strres {
	char *key;   /* node attribute to compare: "resources_available.arch" */
	char *value; /* wanted value */
};

struct sc_chunkreq {
	int count;	      /* instances */
	int64_t res[SC_NRES]; /* consumables, per instance */
	int nstr;
	struct sc_strres *str; /* non-numeric resources: must equal the vnode's */
};

struct sc_req {
	int nchunks;
	struct sc_chunkreq *chunks;
	int ninst;		/* sum of counts */
	int64_t total[SC_NRES]; /* sum over instances */
	enum sc_arrangement arrangement;
	enum sc_sharing sharing;
	/* core-owned */
	char *key; /* select "|" place, the intern key */
	unsigned refs;
	struct sc_req *hnext;
	void *cls; /* equivalence class of the current cycle */
	uint64_t cls_epoch;
};

/* The interned request for select text and place text (NULL place: free
 * for an explicit select).  The caller holds one reference, released with
 * sc_req_put().  NULL with err filled for text that does not parse or a
 * request naming more than SC_NRES consumables. */
struct sc_req *sc_req_get(struct sc_model *m, const char *select, const char *place,
			  corral_error_t *err);
void sc_req_put(struct sc_model *m, struct sc_req *r);

/* ---- queues --------------------------------------------------------- */

struct sc_queue {
	char *name;		  /* core-owned */
	int64_t priority;	  /* queue priority (higher first) */
	bool started;		  /* false: its jobs are not considered */
	int64_t default_walltime; /* resources_default.walltime, -1 none */
	struct sc_queue *next;	  /* core-owned */
};

/* The queue of that name, created (priority 0, started) when new.  Queues
 * live as long as the model. */
struct sc_queue *sc_queue_get(struct sc_model *m, const char *name);

/* ---- vnodes --------------------------------------------------------- */

enum sc_node_state_bits {
	SC_NODE_UP = 0,	     /* free, job-busy, job-exclusive */
	SC_NODE_DOWN = 1,    /* down, state-unknown, ... */
	SC_NODE_OFFLINE = 2, /* admin offline */
};

struct sc_alloc;

struct sc_node {
	/* caller-set; call sc_node_changed() after changing any of them */
	int64_t avail[SC_NRES];	   /* resources_available */
	int64_t reported[SC_NRES]; /* resources_assigned as reported, or 0 */
	int state;		   /* SC_NODE_* bits, 0 = up */
	int64_t priority;	   /* higher first; then order of creation */
	struct kv attrs;	   /* "resources_available.host" etc. */
	/* core-owned */
	struct sc_expr *start; /* sc_node_set_start(); NULL: accepts any job */
	bool bad_start;	       /* start did not parse: accepts no job */
	char *name;
	int idx;
	bool gone;	       /* removed (slot kept for its index) */
	int host;	       /* host id (resources_available.host) */
	int64_t used[SC_NRES]; /* held by running jobs of the model */
	int nruns;	       /* allocations on this vnode */
	int capruns;
	struct sc_alloc **runs; /* the running allocations here */
	int excl;		/* exclusive holders (0 or 1) */
};

/* The vnode of that name, created (down, nothing available) when new;
 * returns its index.  Indexes are stable for the life of the model. */
int sc_node_add(struct sc_model *m, const char *name);
int sc_node_find(const struct sc_model *m, const char *name);
struct sc_node *sc_node_get(struct sc_model *m, int idx);
int sc_node_count(const struct sc_model *m);
/* After the caller changed avail/reported/state/priority/attrs. */
void sc_node_changed(struct sc_model *m, int idx);
/* The vnode left the partition: it is down for good until added again. */
void sc_node_remove(struct sc_model *m, int idx);
/* Set the vnode's start expression (over job attributes; NULL or "":
 * none).  -EINVAL with err for text that does not parse (the vnode then
 * accepts no job until fixed). */
int sc_node_set_start(struct sc_model *m, int idx, const char *text, corral_error_t *err);

/* ---- jobs ----------------------------------------------------------- */

enum sc_job_state {
	SC_JOB_NONE = 0, /* not in the model */
	SC_JOB_QUEUED,	 /* eligible: considered by cycles */
	SC_JOB_HELD,	 /* held or waiting: not considered (accrue ineligible) */
	SC_JOB_RUNNING,	 /* holds its allocation until its end */
};

/* One vnode's share of a running job. */
struct sc_alloc {
	struct sc_job *job;
	int node;
	int slot;	      /* position in the vnode's runs[] */
	int64_t res[SC_NRES]; /* amounts held (whole vnode for excl) */
	bool excl;	      /* holds the vnode exclusively */
};

enum sc_accrue {
	SC_ACCRUE_INITIAL,
	SC_ACCRUE_INELIGIBLE,
	SC_ACCRUE_ELIGIBLE,
	SC_ACCRUE_RUN,
	SC_ACCRUE_EXIT
};

struct sc_job {
	/* caller-set; while the job is in the model change them only through
	 * sc_job_set_req() or with the job out of the model / held */
	int64_t seq;		/* submit order (lower first) */
	int64_t priority;	/* Priority (higher first) */
	struct sc_queue *queue; /* may be NULL */
	int64_t walltime;	/* seconds; -1: none (queue/policy default applies) */
	struct sc_req *req;	/* holds a reference: use sc_job_set_req() */
	/* core-owned (sc_job_set_exprs) */
	struct sc_expr *requirements; /* over vnode attributes; NULL: none */
	struct sc_expr *rank;	      /* over vnode attributes: higher preferred */
	bool bad_expr;		      /* requirements or rank did not parse */
	enum sc_job_state state;
	int pos;	    /* index in the model's list for its state */
	int opos;	    /* queued: index in the model's cached cycle order */
	int64_t start, end; /* running: start, expected end (SC_NEVER) */
	int nalloc;
	struct sc_alloc *alloc;
};

/* Zero a job (state NONE, walltime -1). */
void sc_job_init(struct sc_job *j);
/* Replace j's request (takes a new reference to r, drops the old one;
 * r may be NULL).  A job without a request is never started. */
void sc_job_set_req(struct sc_model *m, struct sc_job *j, struct sc_req *r);
/* Set j's requirements and rank expressions (NULL or "": none), parsed
 * once per distinct text and shared.  A text that does not parse gives
 * -EINVAL with err, and the job can never run until it is fixed. */
int sc_job_set_exprs(struct sc_model *m, struct sc_job *j, const char *requirements,
		     const char *rank, corral_error_t *err);
/* Move j (in any state, or not in the model) to queued / held; a running
 * job's allocation is released. */
void sc_job_enqueue(struct sc_model *m, struct sc_job *j);
void sc_job_hold(struct sc_model *m, struct sc_job *j);
/* Move j to running on the given allocation (copied; slot/job ignored;
 * for excl requests the whole vnodes are held), started at start, ending
 * start + walltime (SC_NEVER without walltime).  -EINVAL for a vnode
 * index out of range (nothing changes). */
int sc_job_set_running(struct sc_model *m, struct sc_job *j, const struct sc_alloc *a, int n,
		       int64_t start);
/* A running job's start time or walltime changed: its expected end is
 * computed again (the simulator moves a job's planned end this way). */
void sc_job_set_start(struct sc_model *m, struct sc_job *j, int64_t start);
/* Take j out of the model (releasing what it holds) and drop its request
 * reference.  The caller may free j afterwards. */
void sc_job_remove(struct sc_model *m, struct sc_job *j);

/* Parse exec_vnode "(vn1:ncpus=2:mem=1gb)+(vn2:ncpus=2)" into allocations
 * (one per vnode, amounts summed) on the model's vnodes (created when
 * unknown).  Returns the count and *out (caller frees), or -EINVAL. */
int sc_exec_vnode_parse(struct sc_model *m, const char *ev, struct sc_alloc **out,
			corral_error_t *err);

int sc_model_njobs(const struct sc_model *m, enum sc_job_state st);

/* ---- expression attributes -------------------------------------------
 *
 * requirements and rank read vnode attributes: a consumable's name (ncpus,
 * mem, ngpus, custom) is resources_available of it, as a number; host,
 * vnode (or name) and priority are the vnode's; any other name X is the
 * vnode attribute resources_available.X, else X, as text.
 * start reads job attributes: a consumable's name (or Resource_List.NAME)
 * is the job's total request, walltime its walltime in seconds, Priority
 * (or priority) its priority, queue its queue's name; any other name goes
 * to the caller's lookup, when one is set. */
struct sc_job_lookup {
	/* name -> key >= 0, or -1 unknown */
	int (*resolve)(void *ctx, const char *name);
	/* value of key for job j (out arrives undefined) */
	void (*lookup)(void *ctx, const struct sc_job *j, int key, struct sc_value *out);
	void *ctx;
};
/* Set (copied) or clear (NULL) the caller's job attributes; existing start
 * expressions are bound again. */
void sc_model_set_job_lookup(struct sc_model *m, const struct sc_job_lookup *jl);

/* ---- policy --------------------------------------------------------- */

enum sc_key_kind { SC_KEY_RES, SC_KEY_WALLTIME, SC_KEY_PRIORITY };

struct sc_sort_key {
	enum sc_key_kind kind;
	int res;   /* SC_KEY_RES: consumable index (job total) */
	bool high; /* HIGH: larger first */
};

#define SC_MAX_KEYS 4

struct sc_policy {
	bool backfill;
	int backfill_depth; /* top jobs (reservations); INT_MAX: every job (conservative) */
	/* once backfill_depth reservations are made, the jobs still to
	 * consider are tried shortest walltime first (then in the usual
	 * order; no walltime: last): EASY++ backfilling */
	bool backfill_shortest;
	bool strict_ordering;
	int nkeys;
	struct sc_sort_key keys[SC_MAX_KEYS]; /* job_sort_key */
	int64_t default_walltime;	      /* server default_walltime, -1 none */
	bool eligible_time_enable;
};

/* backfill on, depth 10, no strict ordering, no keys, no default walltime,
 * eligible time off. */
void sc_policy_default(struct sc_policy *p);
/* Parse job_sort_key: "RES HIGH|LOW" items separated by ',' or ';'; RES
 * is a consumable (ncpus, mem, ngpus, custom), walltime, or job_priority.
 * NULL or "" clears the keys.  On error p is unchanged. */
int sc_policy_sort_keys(struct sc_model *m, struct sc_policy *p, const char *text,
			corral_error_t *err);

/* ---- the cycle ------------------------------------------------------ */

struct sc_ops {
	/* Start j now.  exec_vnode is borrowed for the call.  j is already
	 * running in the model. */
	void (*run)(void *ctx, struct sc_job *j, const char *exec_vnode);
	/* j stays queued; comment is borrowed for the call (often shared
	 * by a whole class: compare before copying). */
	void (*comment)(void *ctx, struct sc_job *j, const char *comment);
	/* Top job: estimated start and exec_vnode; start < 0 and exec_vnode
	 * NULL: no estimate (every other job considered). */
	void (*estimate)(void *ctx, struct sc_job *j, int64_t start, const char *exec_vnode);
	/* Only with eligible_time_enable: the accrue_type j should have. */
	void (*accrue)(void *ctx, struct sc_job *j, enum sc_accrue type);
	/* Polled between jobs (every 64 or so): true ends the cycle where it
	 * is (sched_cycle_length).  May be NULL. */
	bool (*stop)(void *ctx);
};

struct sc_stats {
	long queued;	 /* queued jobs at the start */
	long considered; /* jobs looked at */
	long started;	 /* runs decided */
	long top_jobs;	 /* reservations made */
	long never;	 /* Can Never Run */
	long blocked;	 /* not running for any other reason */
	long classes;	 /* equivalence classes seen */
	long matched;	 /* full matches attempted (not answered by the class) */
	bool stopped;	 /* ended early by ops->stop */
};

/* One cycle at time now.  Every callback of ops may be NULL. */
void sc_cycle(struct sc_model *m, const struct sc_policy *p, int64_t now, const struct sc_ops *ops,
	      void *ctx, struct sc_stats *stats);

#endif
