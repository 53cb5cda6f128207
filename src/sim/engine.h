/* engine.h - the simulation proper: a workload replayed through the
 * scheduling core (src/sched/core.h) in virtual time on an in-memory
 * cluster.
 *
 * The cluster is one vnode holding every cpu (the default: processors as
 * one pool, as SWF traces count them), or nodes vnodes of cpus_per_node
 * cpus each, where a job of P processors asks for P chunks of one cpu.
 * Each job is submitted at its submit time; when the core runs it, it
 * ends run seconds later (run is already capped at the requested time:
 * a job that exceeds its request is killed at it).  The core plans with
 * the job's prediction as its walltime (the requested time unless a
 * predictor says otherwise); a running job that reaches its prediction
 * gets a corrected one.
 *
 * Events at one time are handled in this order, which is the order of
 * the published pyss simulator (../shared/reference-schedules/README.md):
 *   1. running jobs that reached their prediction get a new one;
 *   2. jobs ending now whose planned end is now leave the cluster (the
 *      plan already counts their cpus as free);
 *   3. submissions, in trace order; each is followed by a scheduling cycle
 *      (with fcfs, easy and conservative only when the new job fits in
 *      the free cpus: otherwise nothing can have changed);
 *   4. jobs ending now, in the order they started; each leaves the
 *      cluster and is followed by a cycle.
 * Nothing else triggers a cycle.  A cycle at time t runs every job it
 * decides at t.
 *
 * Policies (struct sc_policy): fcfs (no backfill, strict order), easy
 * (one reservation, backfill in queue order), easy++ (one reservation,
 * backfill shortest prediction first), conservative (a reservation for
 * every queued job).
 */
#ifndef CORRAL_SIM_ENGINE_H
#define CORRAL_SIM_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/common/error.h"
#include "src/sched/core.h"
#include "src/sim/predict.h"

/* Submit times and requests beyond this (seconds) are refused. */
#define ENGINE_MAX_TIME 1000000000000LL

enum engine_policy { ENGINE_FCFS, ENGINE_EASY, ENGINE_EASYPP, ENGINE_CONSERVATIVE };

struct engine_conf {
	enum engine_policy policy;
	enum predict_kind predictor;
	int64_t cpus;	       /* one vnode of this many cpus, when nodes is 0 */
	int nodes;	       /* else this many vnodes ... */
	int64_t cpus_per_node; /* ... of this many cpus */
	/* called now and then with the jobs ended so far; may be NULL */
	void (*progress)(void *ctx, size_t ended, size_t total);
	void *progress_ctx;
};

/* One job: inputs set by the caller, the rest filled by engine_run. */
struct engine_job {
	struct sc_job sj; /* first: the core's pointer is ours */
	/* inputs */
	int64_t id;	/* job number */
	int64_t submit; /* 0 .. ENGINE_MAX_TIME */
	int64_t run;	/* > 0, at most req */
	int64_t req;	/* requested time (kill limit), run .. ENGINE_MAX_TIME */
	int32_t procs;	/* 1 .. the cluster's cpus */
	int32_t user;
	/* results */
	int64_t pred0;	    /* prediction at submission */
	int64_t pred;	    /* prediction now (after corrections) */
	int64_t start, end; /* -1 until started */
	uint64_t start_seq; /* order of starts, from 1 */
	int32_t ncorr;	    /* corrections of its prediction */
	bool backfilled;    /* started while an earlier job still waited */
	bool gone;	    /* left the cluster */
};

struct engine_stats {
	uint64_t cycles;    /* sc_cycle calls */
	uint64_t events;    /* submissions, ends, corrections */
	size_t max_queue;   /* most jobs waiting at once */
	size_t backfilled;  /* jobs started while an earlier one waited */
	size_t corrections; /* predictions corrected */
};

/* Replay jobs[0..n) (in submit order; equal submit times in array
 * order).  0, or -EINVAL with err for a configuration or job the
 * cluster cannot hold (nothing is simulated then). */
int engine_run(struct engine_job *jobs, size_t n, const struct engine_conf *conf,
	       struct engine_stats *stats, corral_error_t *err);

#endif
