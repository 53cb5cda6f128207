/* metrics.h - what a replay achieved: makespan, utilization, waits and
 * bounded slowdowns, overall and per job-size class, and the comparison
 * with a reference schedule.
 *
 * For a job: wait = start - submit; bounded slowdown (tau = 10 s)
 * bsld = max(1, (wait + run) / max(run, 10)).  Over the jobs: makespan =
 * last end - first submit; utilization = sum(run * procs) / (cpus *
 * makespan).  Size classes by processors: 1, 2-4, 5-16, 17-64, 65-256,
 * 257-1024, 1025 and more (empty classes are left out).
 */
#ifndef CORRAL_SIM_METRICS_H
#define CORRAL_SIM_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "src/sim/engine.h"

#define METRICS_NCLASS 7

struct metrics_sum {
	size_t jobs;
	double mean_wait; /* seconds */
	int64_t max_wait;
	double mean_bsld;
	double max_bsld;
	size_t backfilled;
};

struct metrics {
	struct metrics_sum all;
	int64_t first_submit, last_end, makespan;
	double utilization;
	int nclasses; /* non-empty classes, in size order */
	struct {
		int lo, hi; /* processors, hi 0: no upper bound */
		struct metrics_sum s;
	} classes[METRICS_NCLASS];
};

/* Bounded slowdown of one job. */
double metrics_bsld(int64_t wait, int64_t run);
/* Metrics of the ended jobs of a replay on a cluster of cpus. */
void metrics_compute(const struct engine_job *jobs, size_t n, int64_t cpus, struct metrics *out);

/* One job of a reference schedule, as recorded. */
struct metrics_refjob {
	int64_t id, submit, wait, run;
};

/* How our starts compare with a reference schedule's. */
struct metrics_ref {
	size_t jobs;		     /* jobs the reference has */
	size_t compared;	     /* of ours, those it has too */
	size_t identical;	     /* started at the same second */
	int64_t max_diff;	     /* largest |ours - reference|, seconds */
	int64_t max_diff_id;	     /* the job with it (-1: none) */
	double mean_wait, mean_bsld; /* the reference's own, over its jobs */
};

/* Compare our starts with the reference's (submit + wait), matching jobs
 * by number. */
void metrics_compare(const struct engine_job *jobs, size_t n, const struct metrics_refjob *ref,
		     size_t nref, struct metrics_ref *out);

#endif
