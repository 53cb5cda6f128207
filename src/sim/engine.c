/* engine.c - the event loop of the simulator (engine.h).
 *
 * Submissions come straight from the job array (it is in submit order);
 * ends and prediction corrections wait in a binary heap ordered by time,
 * then kind (corrections first), then creation order: for ends, the
 * order in which the jobs started.  Every event at one time is taken off
 * the heap before any is handled, so the ordering of engine.h can be
 * applied to them as a batch; no event made while handling time t falls
 * at t (run times and predictions are at least one second).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/common/buf.h"
#include "src/sim/engine.h"

enum { EV_CORRECT = 0, EV_END = 1 };

struct ev {
	int64_t t;
	uint64_t order; /* kind in the top bit, then creation order */
	struct engine_job *j;
};

struct engine {
	const struct engine_conf *conf;
	struct sc_model *m;
	struct sc_policy pol;
	struct predictor *pred;
	struct engine_stats *st;
	struct sc_req **reqs; /* interned request per processor count */
	int32_t maxprocs;     /* of any job: reqs[0 .. maxprocs] */
	int64_t cpus;	      /* of the cluster */
	int64_t free;	      /* cpus not held by running jobs */
	struct ev *heap;
	size_t nheap, capheap;
	uint64_t evseq, startseq;
	struct engine_job **started; /* by the current cycle */
	size_t nstarted, capstarted;
	struct engine_job *jobs;
	size_t n, head; /* jobs[head]: the oldest job not started yet */
	size_t submitted, queued, ended;
	int64_t now;
};

/* ---- the heap ------------------------------------------------------- */

static bool ev_less(const struct ev *a, const struct ev *b)
{
	if (a->t != b->t)
		return a->t < b->t;
	return a->order < b->order;
}

static void push(struct engine *e, int64_t t, int kind, struct engine_job *j)
{
	if (e->nheap == e->capheap) {
		e->capheap = e->capheap ? 2 * e->capheap : 1024;
		e->heap = xrealloc(e->heap, e->capheap * sizeof *e->heap);
	}
	uint64_t seq = kind == EV_END ? j->start_seq : ++e->evseq;
	struct ev x = {t, ((uint64_t)kind << 63) | seq, j};
	size_t i = e->nheap++;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!ev_less(&x, &e->heap[p]))
			break;
		e->heap[i] = e->heap[p];
		i = p;
	}
	e->heap[i] = x;
}

static struct ev pop(struct engine *e)
{
	struct ev top = e->heap[0];
	struct ev x = e->heap[--e->nheap];
	size_t i = 0, n = e->nheap;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && ev_less(&e->heap[c + 1], &e->heap[c]))
			c++;
		if (!ev_less(&e->heap[c], &x))
			break;
		e->heap[i] = e->heap[c];
		i = c;
	}
	if (n)
		e->heap[i] = x;
	return top;
}

/* ---- the core's callbacks ------------------------------------------- */

static void on_run(void *ctx, struct sc_job *sj, const char *exec_vnode)
{
	struct engine *e = ctx;
	struct engine_job *j = (struct engine_job *)sj;
	(void)exec_vnode;
	j->start = e->now;
	j->end = e->now + j->run;
	j->start_seq = ++e->startseq;
	e->free -= j->procs;
	e->queued--;
	push(e, j->end, EV_END, j);
	if (j->pred < j->run)
		push(e, e->now + j->pred, EV_CORRECT, j);
	if (e->nstarted == e->capstarted) {
		e->capstarted = e->capstarted ? 2 * e->capstarted : 64;
		e->started = xrealloc(e->started, e->capstarted * sizeof *e->started);
	}
	e->started[e->nstarted++] = j;
}

static void cycle(struct engine *e)
{
	static const struct sc_ops ops = {.run = on_run};
	e->nstarted = 0;
	sc_cycle(e->m, &e->pol, e->now, &ops, e, NULL);
	e->st->cycles++;
	if (!e->nstarted)
		return;
	while (e->head < e->submitted && e->jobs[e->head].start >= 0)
		e->head++;
	/* started behind a job that still waits: backfilled */
	for (size_t i = 0; i < e->nstarted; i++) {
		struct engine_job *j = e->started[i];
		if (e->head < e->submitted && j > &e->jobs[e->head]) {
			j->backfilled = true;
			e->st->backfilled++;
		}
	}
}

/* ---- events --------------------------------------------------------- */

static void leave(struct engine *e, struct engine_job *j)
{
	if (j->gone)
		return;
	j->gone = true;
	sc_job_remove(e->m, &j->sj);
	e->free += j->procs;
}

static void submit(struct engine *e, struct engine_job *j)
{
	j->pred0 = j->pred = predictor_predict(e->pred, j->user, j->req, j->run);
	j->sj.walltime = j->pred;
	sc_job_set_req(e->m, &j->sj, e->reqs[j->procs]);
	sc_job_enqueue(e->m, &j->sj);
	e->submitted++;
	e->queued++;
	if (e->queued > e->st->max_queue)
		e->st->max_queue = e->queued;
	if (e->conf->policy == ENGINE_EASYPP || j->procs <= e->free)
		cycle(e);
}

static void correct(struct engine *e, struct engine_job *j)
{
	j->pred = predict_correct(j->pred, j->ncorr, j->req);
	j->ncorr++;
	e->st->corrections++;
	j->sj.walltime = j->pred;
	sc_job_set_start(e->m, &j->sj, j->start);
	if (j->pred < j->run)
		push(e, j->start + j->pred, EV_CORRECT, j);
}

static void end(struct engine *e, struct engine_job *j)
{
	leave(e, j);
	predictor_fit(e->pred, j->user, j->run);
	e->ended++;
	cycle(e);
}

/* ---- set-up --------------------------------------------------------- */

static int setup(struct engine *e, corral_error_t *err)
{
	const struct engine_conf *c = e->conf;
	struct sc_model *m = e->m;
	int nodes = c->nodes > 0 ? c->nodes : 1;
	int64_t per = c->nodes > 0 ? c->cpus_per_node : c->cpus;
	if (per <= 0 || per > INT_MAX || (int64_t)nodes * per > INT_MAX)
		return corral_errorf(err, EINVAL, "bad cluster size: %d x %lld cpus", nodes,
				     (long long)per);
	e->cpus = e->free = (int64_t)nodes * per;
	for (int i = 0; i < nodes; i++) {
		char name[32];
		snprintf(name, sizeof name, nodes == 1 ? "sim" : "sim%d", i);
		int idx = sc_node_add(m, name);
		struct sc_node *nd = sc_node_get(m, idx);
		nd->avail[SC_NCPUS] = per;
		nd->state = SC_NODE_UP;
		sc_node_changed(m, idx);
	}
	sc_policy_default(&e->pol);
	switch (c->policy) {
	case ENGINE_FCFS:
		e->pol.backfill = false;
		e->pol.strict_ordering = true;
		break;
	case ENGINE_EASY:
		e->pol.backfill_depth = 1;
		break;
	case ENGINE_EASYPP:
		e->pol.backfill_depth = 1;
		e->pol.backfill_shortest = true;
		break;
	case ENGINE_CONSERVATIVE:
		e->pol.backfill_depth = INT_MAX;
		break;
	}
	/* one interned request per processor count in use */
	e->maxprocs = 0;
	for (size_t i = 0; i < e->n; i++)
		if (e->jobs[i].procs > e->maxprocs)
			e->maxprocs = e->jobs[i].procs;
	e->reqs = xcalloc((size_t)e->maxprocs + 1, sizeof *e->reqs);
	for (size_t i = 0; i < e->n; i++) {
		struct engine_job *j = &e->jobs[i];
		if (j->procs < 1 || j->procs > e->cpus)
			return corral_errorf(err, EINVAL,
					     "job %lld needs %d cpus, the cluster has %lld",
					     (long long)j->id, j->procs, (long long)e->cpus);
		if (j->run < 1 || j->req < j->run || j->submit < 0 || j->submit > ENGINE_MAX_TIME ||
		    j->req > ENGINE_MAX_TIME || (i && j->submit < e->jobs[i - 1].submit))
			return corral_errorf(err, EINVAL,
					     "job %lld: bad times (submit %lld, run %lld, "
					     "request %lld)",
					     (long long)j->id, (long long)j->submit,
					     (long long)j->run, (long long)j->req);
		if (e->reqs[j->procs])
			continue;
		char sel[64];
		if (c->nodes > 0)
			snprintf(sel, sizeof sel, "%d:ncpus=1", j->procs);
		else
			snprintf(sel, sizeof sel, "1:ncpus=%d", j->procs);
		e->reqs[j->procs] = sc_req_get(m, sel, NULL, err);
		if (!e->reqs[j->procs])
			return -EINVAL;
	}
	return 0;
}

int engine_run(struct engine_job *jobs, size_t n, const struct engine_conf *conf,
	       struct engine_stats *stats, corral_error_t *err)
{
	struct engine_stats dummy;
	struct engine eng = {.conf = conf, .jobs = jobs, .n = n, .st = stats ? stats : &dummy};
	struct engine *e = &eng;
	memset(e->st, 0, sizeof *e->st);
	e->m = sc_model_create();
	for (size_t i = 0; i < n; i++) {
		struct engine_job *j = &jobs[i];
		sc_job_init(&j->sj);
		j->sj.seq = (int64_t)i;
		j->start = j->end = -1;
		j->start_seq = 0;
		j->ncorr = 0;
		j->backfilled = j->gone = false;
		j->pred0 = j->pred = j->req;
	}
	int rc = setup(e, err);
	if (rc < 0)
		goto out;
	e->pred = predictor_create(conf->predictor);

	size_t next = 0;		  /* next submission */
	struct engine_job **batch = NULL; /* the ends at one time */
	size_t nbatch = 0, capbatch = 0;
	size_t every = n / 200 + 1, last = 0;
	while (next < n || e->nheap) {
		int64_t t = next < n ? jobs[next].submit : INT64_MAX;
		if (e->nheap && e->heap[0].t < t)
			t = e->heap[0].t;
		e->now = t;
		/* 1. corrections */
		while (e->nheap && e->heap[0].t == t && (e->heap[0].order >> 63) == EV_CORRECT) {
			struct ev x = pop(e);
			correct(e, x.j);
			e->st->events++;
		}
		/* 2. ends at t, in start order; those planned to end now leave */
		nbatch = 0;
		while (e->nheap && e->heap[0].t == t) {
			struct ev x = pop(e);
			if (nbatch == capbatch) {
				capbatch = capbatch ? 2 * capbatch : 64;
				batch = xrealloc(batch, capbatch * sizeof *batch);
			}
			batch[nbatch++] = x.j;
			if (x.j->sj.end <= t)
				leave(e, x.j);
		}
		/* 3. submissions */
		for (; next < n && jobs[next].submit == t; next++) {
			submit(e, &jobs[next]);
			e->st->events++;
		}
		/* 4. ends */
		for (size_t i = 0; i < nbatch; i++) {
			end(e, batch[i]);
			e->st->events++;
		}
		if (conf->progress && e->ended - last >= every) {
			last = e->ended;
			conf->progress(conf->progress_ctx, e->ended, n);
		}
	}
	free(batch);
	if (conf->progress)
		conf->progress(conf->progress_ctx, e->ended, n);
out:
	for (size_t i = 0; i < n; i++)
		if (jobs[i].sj.state != SC_JOB_NONE || jobs[i].sj.req)
			sc_job_remove(e->m, &jobs[i].sj);
	if (e->reqs)
		for (int32_t p = 0; p <= e->maxprocs; p++)
			sc_req_put(e->m, e->reqs[p]);
	free(e->reqs);
	free(e->heap);
	free(e->started);
	predictor_destroy(e->pred);
	sc_model_destroy(e->m);
	return rc;
}
