/* test_sched_core.c - the scheduling core (src/sched/core.h) on small
 * hand-made clusters: ordering, placement, backfilling, strict ordering,
 * every "Not Running" reason, expressions both ways, classes. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/sched/core.h"

#define NOW 1000000

struct tjob {
	struct sc_job sj; /* first: the core's pointer is ours */
	char name[16];
	char comment[200];
	char exec[200];
	char est_ev[200];
	int64_t est;
	int ncomments;
	bool ran;
	int accrue;
};

struct h {
	struct sc_model *m;
	struct sc_policy p;
	struct tjob jobs[2100];
	int n;
	char runs[2100][16];
	int nruns;
	struct sc_stats st;
	int stop_after; /* ops->stop answers true after this many calls (0: never) */
	int stops;
};

static struct h *h_new(void)
{
	struct h *h = calloc(1, sizeof *h);
	h->m = sc_model_create();
	sc_policy_default(&h->p);
	return h;
}

static void h_free(struct h *h)
{
	for (int i = 0; i < h->n; i++)
		sc_job_remove(h->m, &h->jobs[i].sj);
	sc_model_destroy(h->m);
	free(h);
}

static int node(struct h *h, const char *name, int64_t ncpus, const char *mem, const char *host)
{
	int i = sc_node_add(h->m, name);
	struct sc_node *n = sc_node_get(h->m, i);
	n->avail[SC_NCPUS] = ncpus;
	if (mem)
		assert_int_equal(sc_res_parse(h->m, SC_MEM, mem, &n->avail[SC_MEM]), 0);
	n->state = SC_NODE_UP;
	if (host)
		kv_set(&n->attrs, "resources_available.host", host);
	sc_node_changed(h->m, i);
	return i;
}

static void node_attr(struct h *h, int i, const char *k, const char *v)
{
	struct sc_node *n = sc_node_get(h->m, i);
	kv_set(&n->attrs, k, v);
	sc_node_changed(h->m, i);
}

static struct tjob *job(struct h *h, const char *name, const char *select, const char *place,
			int64_t walltime, int64_t prio)
{
	struct tjob *t = &h->jobs[h->n];
	memset(t, 0, sizeof *t);
	sc_job_init(&t->sj);
	snprintf(t->name, sizeof t->name, "%s", name);
	t->sj.seq = h->n;
	t->sj.priority = prio;
	t->sj.walltime = walltime;
	t->est = -1;
	t->sj.queue = sc_queue_get(h->m, "workq");
	corral_error_t err = {0};
	struct sc_req *r = sc_req_get(h->m, select, place, &err);
	assert_non_null(r);
	sc_job_set_req(h->m, &t->sj, r);
	sc_req_put(h->m, r);
	sc_job_enqueue(h->m, &t->sj);
	h->n++;
	return t;
}

/* A job already running since start on exec_vnode ev. */
static struct tjob *running(struct h *h, const char *name, const char *select, const char *ev,
			    int64_t walltime, int64_t start)
{
	struct tjob *t = job(h, name, select, NULL, walltime, 0);
	struct sc_alloc *a = NULL;
	corral_error_t err = {0};
	int n = sc_exec_vnode_parse(h->m, ev, &a, &err);
	assert_true(n > 0);
	assert_int_equal(sc_job_set_running(h->m, &t->sj, a, n, start), 0);
	free(a);
	return t;
}

static void on_run(void *ctx, struct sc_job *j, const char *ev)
{
	struct h *h = ctx;
	struct tjob *t = (struct tjob *)j;
	t->ran = true;
	snprintf(t->exec, sizeof t->exec, "%s", ev);
	snprintf(h->runs[h->nruns++], 16, "%s", t->name);
}

static void on_comment(void *ctx, struct sc_job *j, const char *c)
{
	struct tjob *t = (struct tjob *)j;
	(void)ctx;
	snprintf(t->comment, sizeof t->comment, "%s", c);
	t->ncomments++;
}

static void on_estimate(void *ctx, struct sc_job *j, int64_t start, const char *ev)
{
	struct tjob *t = (struct tjob *)j;
	(void)ctx;
	t->est = start;
	snprintf(t->est_ev, sizeof t->est_ev, "%s", ev ? ev : "");
}

static void on_accrue(void *ctx, struct sc_job *j, enum sc_accrue a)
{
	(void)ctx;
	((struct tjob *)j)->accrue = (int)a;
}

static bool on_stop(void *ctx)
{
	struct h *h = ctx;
	return h->stop_after && ++h->stops >= h->stop_after;
}

static const struct sc_ops ops = {.run = on_run,
				  .comment = on_comment,
				  .estimate = on_estimate,
				  .accrue = on_accrue,
				  .stop = on_stop};

static void cycle(struct h *h)
{
	h->nruns = 0;
	sc_cycle(h->m, &h->p, NOW, &ops, h, &h->st);
}

/* ---- ordering ------------------------------------------------------- */

static void test_order_priority(void **state)
{
	(void)state;
	struct h *h = h_new();
	node(h, "n0", 2, NULL, NULL);
	struct tjob *a = job(h, "A", "1:ncpus=1", NULL, 60, 0);
	job(h, "B", "1:ncpus=1", NULL, 60, 10);
	job(h, "C", "1:ncpus=1", NULL, 60, 5);
	h->p.backfill = false;
	cycle(h);
	assert_int_equal(h->nruns, 2);
	assert_string_equal(h->runs[0], "B");
	assert_string_equal(h->runs[1], "C");
	assert_false(a->ran);
	assert_string_equal(a->comment,
			    "Not Running: Insufficient amount of resource: ncpus (R: 1 A: 0 T: 2)");
	assert_int_equal(h->st.started, 2);
	h_free(h);
}

static void test_order_queue_and_keys(void **state)
{
	(void)state;
	struct h *h = h_new();
	node(h, "n0", 4, NULL, NULL);
	struct sc_queue *hi = sc_queue_get(h->m, "express");
	hi->priority = 100;
	job(h, "small", "1:ncpus=1", NULL, 60, 50);
	job(h, "big", "1:ncpus=3", NULL, 60, 0);
	struct tjob *ex = job(h, "ex", "1:ncpus=1", NULL, 60, -100);
	ex->sj.queue = hi;
	/* queue priority first, then Priority */
	h->p.backfill = false;
	cycle(h);
	assert_int_equal(h->nruns, 2);
	assert_string_equal(h->runs[0], "ex");
	assert_string_equal(h->runs[1], "small");
	h_free(h);

	/* job_sort_key ncpus HIGH puts big first among equal priorities */
	h = h_new();
	node(h, "n0", 3, NULL, NULL);
	job(h, "s1", "1:ncpus=1", NULL, 60, 0);
	job(h, "b", "1:ncpus=3", NULL, 60, 0);
	corral_error_t err = {0};
	assert_int_equal(sc_policy_sort_keys(h->m, &h->p, "ncpus HIGH", &err), 0);
	assert_int_equal(h->p.nkeys, 1);
	h->p.backfill = false;
	cycle(h);
	assert_int_equal(h->nruns, 1);
	assert_string_equal(h->runs[0], "b");
	assert_int_equal(sc_policy_sort_keys(h->m, &h->p, "ncpus SIDEWAYS", &err), -EINVAL);
	assert_int_equal(h->p.nkeys, 1);
	assert_int_equal(sc_policy_sort_keys(h->m, &h->p, "walltime LOW, job_priority HIGH", &err),
			 0);
	assert_int_equal(h->p.nkeys, 2);
	assert_int_equal(sc_policy_sort_keys(h->m, &h->p, "", &err), 0);
	assert_int_equal(h->p.nkeys, 0);
	h_free(h);

	/* submit order breaks ties */
	h = h_new();
	node(h, "n0", 1, NULL, NULL);
	job(h, "first", "1:ncpus=1", NULL, 60, 0);
	job(h, "second", "1:ncpus=1", NULL, 60, 0);
	cycle(h);
	assert_int_equal(h->nruns, 1);
	assert_string_equal(h->runs[0], "first");
	h_free(h);
}

/* The queued order is kept from cycle to cycle; jobs coming back or
 * changing priority still take their place. */
static void test_order_cache(void **state)
{
	(void)state;
	struct h *h = h_new();
	node(h, "n0", 1, NULL, NULL);
	struct tjob *a = job(h, "A", "1:ncpus=1", NULL, 60, 0);
	job(h, "B", "1:ncpus=1", NULL, 60, 0);
	struct tjob *c = job(h, "C", "1:ncpus=1", NULL, 60, 0);
	h->p.backfill = false;
	cycle(h);
	assert_string_equal(h->runs[0], "A");
	/* A comes back (requeued): behind B and C in the list, first by seq */
	sc_job_enqueue(h->m, &a->sj);
	cycle(h);
	assert_int_equal(h->nruns, 1);
	assert_string_equal(h->runs[0], "A");
	sc_job_enqueue(h->m, &a->sj);
	sc_job_hold(h->m, &c->sj);
	c->sj.priority = 10;
	sc_job_enqueue(h->m, &c->sj);
	cycle(h);
	assert_string_equal(h->runs[0], "C");
	sc_job_enqueue(h->m, &c->sj);
	/* many jobs in and out: still in order */
	for (int i = 0; i < 3000 - 3; i += 2) {
		struct tjob *x = job(h, "x", "1:ncpus=1", NULL, 60, 0);
		if (i % 6 == 0)
			sc_job_remove(h->m, &x->sj);
	}
	c->sj.priority = 0; /* changed while queued: the next cycle re-sorts */
	cycle(h);
	assert_string_equal(h->runs[0], "A");
	h_free(h);
}

/* ---- placement ------------------------------------------------------ */

static void test_place(void **state)
{
	(void)state;
	struct h *h = h_new();
	node(h, "a0", 4, "8gb", "ha");
	node(h, "a1", 4, "8gb", "ha");
	node(h, "b0", 4, "8gb", "hb");
	struct tjob *f = job(h, "free", "2:ncpus=2:mem=1gb", "free", 60, 9);
	struct tjob *v = job(h, "vs", "2:ncpus=1", "vscatter", 60, 8);
	struct tjob *s = job(h, "sc", "2:ncpus=1", "scatter", 60, 7);
	cycle(h);
	assert_string_equal(f->exec, "(a0:ncpus=2:mem=1gb)+(a0:ncpus=2:mem=1gb)");
	assert_string_equal(v->exec, "(a1:ncpus=1)+(b0:ncpus=1)");
	assert_string_equal(s->exec, "(a1:ncpus=1)+(b0:ncpus=1)");
	h_free(h);

	/* pack: one host, even when the first host has room for one chunk */
	h = h_new();
	node(h, "a0", 2, NULL, "ha");
	node(h, "b0", 2, NULL, "hb");
	node(h, "b1", 2, NULL, "hb");
	running(h, "r", "1:ncpus=1", "(a0:ncpus=1)", 100, NOW);
	struct tjob *p = job(h, "pk", "2:ncpus=2", "pack", 60, 0);
	cycle(h);
	assert_string_equal(p->exec, "(b0:ncpus=2)+(b1:ncpus=2)");
	h_free(h);

	/* excl: a vnode nobody uses, held whole */
	h = h_new();
	node(h, "n0", 4, NULL, NULL);
	node(h, "n1", 4, NULL, NULL);
	running(h, "r", "1:ncpus=1", "(n0:ncpus=1)", 100, NOW);
	struct tjob *x = job(h, "ex", "1:ncpus=1", "excl", 60, 5);
	struct tjob *y = job(h, "after", "1:ncpus=4", NULL, 60, 0);
	cycle(h);
	assert_string_equal(x->exec, "(n1:ncpus=1)");
	assert_false(y->ran);
	assert_int_equal(sc_node_get(h->m, 1)->used[SC_NCPUS], 4);
	h_free(h);

	/* free placement spreads a chunk list over vnodes as needed */
	h = h_new();
	node(h, "n0", 2, NULL, NULL);
	node(h, "n1", 2, NULL, NULL);
	struct tjob *g = job(h, "g", "1:ncpus=2+2:ncpus=1", NULL, 60, 0);
	cycle(h);
	assert_string_equal(g->exec, "(n0:ncpus=2)+(n1:ncpus=1)+(n1:ncpus=1)");
	h_free(h);
}

/* ---- backfilling ---------------------------------------------------- */

static void test_backfill(void **state)
{
	(void)state;
	struct h *h = h_new();
	node(h, "n0", 4, NULL, NULL);
	running(h, "r", "1:ncpus=2", "(n0:ncpus=2)", 100, NOW);
	struct tjob *big = job(h, "big", "1:ncpus=4", NULL, 100, 10);
	struct tjob *lng = job(h, "long", "1:ncpus=1", NULL, 200, 0);
	struct tjob *nowall = job(h, "nowall", "1:ncpus=1", NULL, -1, 0);
	struct tjob *shrt = job(h, "short", "1:ncpus=1", NULL, 50, 0);
	cycle(h);
	/* the big job is the top job: it starts when r ends */
	assert_false(big->ran);
	assert_int_equal(big->est, NOW + 100);
	assert_string_equal(big->est_ev, "(n0:ncpus=4)");
	assert_string_equal(big->comment,
			    "Not Running: Insufficient amount of resource: ncpus (R: 4 A: 2 T: 4)");
	/* the long job would delay it; one without walltime never ends */
	assert_false(lng->ran);
	assert_string_equal(lng->comment,
			    "Not Running: Job would conflict with reservation or top job");
	/* within backfill_depth they are top jobs too, after big */
	assert_int_equal(lng->est, NOW + 200);
	assert_false(nowall->ran);
	assert_string_equal(nowall->comment,
			    "Not Running: Job would conflict with reservation or top job");
	assert_int_equal(nowall->est, NOW + 200);
	/* the short one ends before */
	assert_true(shrt->ran);
	assert_int_equal(h->st.top_jobs, 3);
	h_free(h);

	/* a default walltime makes the job without one backfillable */
	h = h_new();
	node(h, "n0", 4, NULL, NULL);
	running(h, "r", "1:ncpus=2", "(n0:ncpus=2)", 100, NOW);
	job(h, "big", "1:ncpus=4", NULL, 100, 10);
	struct tjob *nw = job(h, "nowall", "1:ncpus=1", NULL, -1, 0);
	h->p.default_walltime = 30;
	cycle(h);
	assert_true(nw->ran);
	h_free(h);

	/* without backfill the long job simply runs (and may delay big) */
	h = h_new();
	node(h, "n0", 4, NULL, NULL);
	running(h, "r", "1:ncpus=2", "(n0:ncpus=2)", 100, NOW);
	struct tjob *b2 = job(h, "big", "1:ncpus=4", NULL, 100, 10);
	struct tjob *l2 = job(h, "long", "1:ncpus=1", NULL, 200, 0);
	h->p.backfill = false;
	cycle(h);
	assert_true(l2->ran);
	assert_int_equal(b2->est, -1);
	h_free(h);

	/* the top job waits for a second job too; other vnodes stay open */
	h = h_new();
	node(h, "n0", 4, NULL, NULL);
	node(h, "n1", 4, NULL, NULL);
	running(h, "r0", "1:ncpus=4", "(n0:ncpus=4)", 100, NOW);
	running(h, "r1", "1:ncpus=3", "(n1:ncpus=3)", 300, NOW);
	struct tjob *wide = job(h, "wide", "2:ncpus=4", "vscatter", 100, 10);
	struct tjob *l3 = job(h, "long", "1:ncpus=1", NULL, 1000, 0);
	cycle(h);
	assert_int_equal(wide->est, NOW + 300);
	assert_string_equal(wide->est_ev, "(n0:ncpus=4)+(n1:ncpus=4)");
	assert_false(l3->ran);
	h_free(h);

	/* backfill_depth: only the first jobs that cannot run are top jobs */
	h = h_new();
	node(h, "n0", 2, NULL, NULL);
	running(h, "r", "1:ncpus=2", "(n0:ncpus=2)", 100, NOW);
	struct tjob *t1 = job(h, "t1", "1:ncpus=2", NULL, 100, 0);
	struct tjob *t2 = job(h, "t2", "1:ncpus=2", NULL, 100, 0);
	struct tjob *t3 = job(h, "t3", "1:ncpus=2", NULL, 100, 0);
	h->p.backfill_depth = 2;
	cycle(h);
	assert_int_equal(t1->est, NOW + 100);
	assert_int_equal(t2->est, NOW + 200);
	assert_int_equal(t3->est, -1);
	assert_string_equal(t3->comment, t1->comment);
	assert_int_equal(h->st.top_jobs, 2);
	h_free(h);
}

/* backfill_shortest (EASY++): after the reservations, the shortest jobs
 * are tried first; depth INT_MAX (conservative): every job reserves, and
 * a later job may not run into any reservation. */
static void test_backfill_shortest_and_all(void **state)
{
	(void)state;
	struct h *h = h_new();
	node(h, "n0", 4, NULL, NULL);
	running(h, "r", "1:ncpus=2", "(n0:ncpus=2)", 100, NOW);
	job(h, "big", "1:ncpus=4", NULL, 100, 10);
	struct tjob *e90 = job(h, "e90", "1:ncpus=2", NULL, 90, 0);
	struct tjob *c50 = job(h, "c50", "1:ncpus=2", NULL, 50, 0);
	h->p.backfill_depth = 1;
	cycle(h);
	assert_true(e90->ran); /* queue order: the first that fits */
	assert_false(c50->ran);
	h_free(h);

	h = h_new();
	node(h, "n0", 4, NULL, NULL);
	running(h, "r", "1:ncpus=2", "(n0:ncpus=2)", 100, NOW);
	job(h, "big", "1:ncpus=4", NULL, 100, 10);
	e90 = job(h, "e90", "1:ncpus=2", NULL, 90, 0);
	struct tjob *nw = job(h, "nowall", "1:ncpus=2", NULL, -1, 0);
	c50 = job(h, "c50", "1:ncpus=2", NULL, 50, 0);
	h->p.backfill_depth = 1;
	h->p.backfill_shortest = true;
	cycle(h);
	assert_true(c50->ran); /* shortest first */
	assert_false(e90->ran);
	assert_false(nw->ran);
	assert_int_equal(h->nruns, 1);
	/* the same again: the order cache does not keep the backfill order */
	sc_job_enqueue(h->m, &c50->sj);
	c50->ran = false;
	h->p.backfill_shortest = false;
	cycle(h);
	assert_true(e90->ran);
	assert_false(c50->ran);
	h_free(h);

	/* every job reserves.  r holds 3 of 4 cpus to 100; t1 (3 cpus)
	 * reserves [100, 200), t2 (4 cpus) [200, 300).  s1 (1 cpu to 250) fits
	 * beside t1 but not t2: easy runs it, conservative does not. */
	for (int all = 0; all < 2; all++) {
		h = h_new();
		node(h, "n0", 4, NULL, NULL);
		running(h, "r", "1:ncpus=3", "(n0:ncpus=3)", 100, NOW);
		struct tjob *t1 = job(h, "t1", "1:ncpus=3", NULL, 100, 0);
		struct tjob *t2 = job(h, "t2", "1:ncpus=4", NULL, 100, 0);
		struct tjob *s1 = job(h, "s1", "1:ncpus=1", NULL, 250, 0);
		struct tjob *s2 = job(h, "s2", "1:ncpus=1", NULL, 150, 0);
		struct tjob *s3 = job(h, "s3", "1:ncpus=1", NULL, 199, 0);
		h->p.backfill_depth = all ? INT_MAX : 1;
		cycle(h);
		assert_int_equal(t1->est, NOW + 100);
		if (!all) {
			assert_true(s1->ran);
			assert_int_equal(t2->est, -1);
			assert_int_equal(h->st.top_jobs, 1);
			h_free(h);
			continue;
		}
		assert_int_equal(t2->est, NOW + 200);
		assert_false(s1->ran);
		assert_string_equal(s1->comment,
				    "Not Running: Job would conflict with reservation or top job");
		assert_int_equal(s1->est, NOW + 300);
		assert_true(s2->ran); /* ends at 150, beside t1 */
		/* s3: no cpu now; at 100 s2 and t1 fill n0, at 150 t2 is in its
		 * window: after t2, beside s1 */
		assert_false(s3->ran);
		assert_int_equal(s3->est, NOW + 300);
		assert_int_equal(h->st.top_jobs, 4);
		h_free(h);
	}
}

static void test_strict_ordering(void **state)
{
	(void)state;
	for (int mode = 0; mode < 4; mode++) {
		struct h *h = h_new();
		node(h, "n0", 4, NULL, NULL);
		running(h, "r", "1:ncpus=3", "(n0:ncpus=3)", 100, NOW);
		struct tjob *x = job(h, "X", "1:ncpus=2", NULL, 100, 10);
		struct tjob *y = job(h, "Y", "1:ncpus=1", NULL, 50, 0);
		h->p.strict_ordering = mode & 1;
		h->p.backfill = mode & 2;
		cycle(h);
		assert_false(x->ran);
		if (mode == 1) { /* strict, no backfill: Y waits behind X */
			assert_false(y->ran);
			assert_string_equal(y->comment,
					    "Not Running: Job would break strict sorted order");
		} else { /* greedy, or backfilled around X's reservation */
			assert_true(y->ran);
		}
		h_free(h);
	}
	/* strict with backfill: a job that gets no reservation blocks */
	struct h *h = h_new();
	node(h, "n0", 4, NULL, NULL);
	running(h, "r", "1:ncpus=3", "(n0:ncpus=3)", 100, NOW);
	struct tjob *x1 = job(h, "X1", "1:ncpus=2", NULL, 100, 10);
	struct tjob *x2 = job(h, "X2", "1:ncpus=2", NULL, 100, 9);
	struct tjob *y = job(h, "Y", "1:ncpus=1", NULL, 50, 0);
	h->p.strict_ordering = true;
	h->p.backfill_depth = 1;
	cycle(h);
	assert_int_equal(x1->est, NOW + 100);
	assert_int_equal(x2->est, -1);
	assert_false(y->ran);
	assert_string_equal(y->comment, "Not Running: Job would break strict sorted order");
	/* a job that can never run does not block */
	h_free(h);
	h = h_new();
	node(h, "n0", 4, NULL, NULL);
	struct tjob *huge = job(h, "huge", "1:ncpus=8", NULL, 100, 10);
	struct tjob *ok = job(h, "ok", "1:ncpus=1", NULL, 100, 0);
	h->p.strict_ordering = true;
	h->p.backfill = false;
	cycle(h);
	assert_string_equal(
	    huge->comment,
	    "Can Never Run: Insufficient amount of resource: ncpus (R: 8 A: 4 T: 4)");
	assert_true(ok->ran);
	h_free(h);
}

/* ---- reasons -------------------------------------------------------- */

static void test_reasons(void **state)
{
	(void)state;
	struct h *h = h_new();
	node(h, "n0", 32, "16gb", NULL);
	node(h, "n1", 32, "16gb", NULL);
	running(h, "r0", "1:ncpus=32", "(n0:ncpus=32)", 100, NOW);
	running(h, "r1", "1:ncpus=28:mem=12gb", "(n1:ncpus=28:mem=12gb)", 100, NOW);
	struct tjob *tot = job(h, "tot", "1:ncpus=8", NULL, 60, 0);
	struct tjob *never = job(h, "never", "1:ncpus=128", NULL, 60, 0);
	struct tjob *chunk = job(h, "chunk", "1:ncpus=48", NULL, 60, 0);
	struct tjob *mem = job(h, "mem", "1:ncpus=1:mem=8gb", NULL, 60, 0);
	struct tjob *arch = job(h, "arch", "1:ncpus=1:arch=sparc", NULL, 60, 0);
	h->p.backfill = false;
	cycle(h);
	assert_string_equal(
	    tot->comment, "Not Running: Insufficient amount of resource: ncpus (R: 8 A: 4 T: 64)");
	assert_string_equal(
	    never->comment,
	    "Can Never Run: Insufficient amount of resource: ncpus (R: 128 A: 4 T: 64)");
	assert_string_equal(
	    chunk->comment,
	    "Can Never Run: Insufficient amount of resource: ncpus (R: 48 A: 4 T: 32)");
	assert_string_equal(
	    mem->comment,
	    "Not Running: Insufficient amount of resource: mem (R: 8gb A: 4gb T: 16gb)");
	assert_string_equal(arch->comment, "Not Running: Job requirements not met by any vnode");
	assert_int_equal(h->st.never, 3);
	h_free(h);

	/* fragmentation: enough in total, not on one vnode */
	h = h_new();
	node(h, "n0", 8, NULL, NULL);
	node(h, "n1", 8, NULL, NULL);
	running(h, "r0", "1:ncpus=4", "(n0:ncpus=4)", 100, NOW);
	running(h, "r1", "1:ncpus=4", "(n1:ncpus=4)", 100, NOW);
	struct tjob *frag = job(h, "frag", "1:ncpus=6", NULL, 60, 0);
	struct tjob *ex = job(h, "ex", "1:ncpus=1", "excl", 60, 0);
	struct tjob *sc = job(h, "sc", "3:ncpus=1", "scatter", 60, 0);
	struct tjob *pk = job(h, "pk", "2:ncpus=3", "pack", 60, 0);
	h->p.backfill = false;
	cycle(h);
	assert_string_equal(frag->comment,
			    "Not Running: Insufficient amount of resource: ncpus (R: 6 A: 4 T: 8)");
	assert_string_equal(ex->comment,
			    "Not Running: Job is requesting an exclusive node and node is in use");
	assert_string_equal(sc->comment, "Can Never Run: Not enough total nodes available");
	assert_string_equal(pk->comment,
			    "Not Running: Insufficient amount of resource: ncpus (R: 6 A: 4 T: 8)");
	h_free(h);

	/* scatter with enough hosts, one of them full */
	h = h_new();
	node(h, "n0", 2, NULL, NULL);
	node(h, "n1", 2, NULL, NULL);
	node(h, "n2", 2, NULL, NULL);
	running(h, "r0", "1:ncpus=2", "(n2:ncpus=2)", 100, NOW);
	struct tjob *s3 = job(h, "s3", "3:ncpus=1", "scatter", 60, 0);
	h->p.backfill = false;
	cycle(h);
	assert_string_equal(s3->comment, "Not Running: Not enough free nodes available");
	h_free(h);

	/* vnodes down or offline hold nothing available */
	h = h_new();
	int n0 = node(h, "n0", 4, NULL, NULL);
	sc_node_get(h->m, n0)->state = SC_NODE_DOWN;
	sc_node_changed(h->m, n0);
	struct tjob *dn = job(h, "dn", "1:ncpus=1", NULL, 60, 0);
	cycle(h);
	assert_string_equal(dn->comment,
			    "Not Running: Insufficient amount of resource: ncpus (R: 1 A: 0 T: 4)");
	sc_node_get(h->m, n0)->state = SC_NODE_UP | SC_NODE_OFFLINE;
	sc_node_changed(h->m, n0);
	cycle(h);
	assert_false(dn->ran);
	sc_node_get(h->m, n0)->state = SC_NODE_UP;
	sc_node_changed(h->m, n0);
	cycle(h);
	assert_true(dn->ran);
	h_free(h);

	/* a queue that is not started */
	h = h_new();
	node(h, "n0", 4, NULL, NULL);
	struct tjob *qs = job(h, "qs", "1:ncpus=1", NULL, 60, 0);
	sc_queue_get(h->m, "workq")->started = false;
	cycle(h);
	assert_false(qs->ran);
	assert_string_equal(qs->comment, "Not Running: Queue not started.");
	h_free(h);
}

/* ---- expressions ---------------------------------------------------- */

static void test_requirements_start(void **state)
{
	(void)state;
	struct h *h = h_new();
	int x = node(h, "x", 4, "8gb", NULL);
	int a = node(h, "a", 4, "16gb", NULL);
	node_attr(h, x, "resources_available.arch", "x86_64");
	node_attr(h, a, "resources_available.arch", "aarch64");
	corral_error_t err = {0};
	struct tjob *j1 = job(h, "j1", "1:ncpus=1", NULL, 60, 9);
	assert_int_equal(sc_job_set_exprs(h->m, &j1->sj, "arch == \"aarch64\"", NULL, &err), 0);
	struct tjob *j2 = job(h, "j2", "1:ncpus=1", NULL, 60, 8);
	assert_int_equal(sc_job_set_exprs(h->m, &j2->sj, "mem >= 12gb", NULL, &err), 0);
	struct tjob *j3 = job(h, "j3", "1:ncpus=1", NULL, 60, 7);
	assert_int_equal(sc_job_set_exprs(h->m, &j3->sj, "arch == \"sparc\"", NULL, &err), 0);
	struct tjob *j4 = job(h, "j4", "1:ncpus=1", NULL, 60, 6);
	assert_int_equal(sc_job_set_exprs(h->m, &j4->sj, NULL, "mem", &err), 0);
	struct tjob *j5 = job(h, "j5", "1:ncpus=1", NULL, 60, 5);
	assert_int_equal(sc_job_set_exprs(h->m, &j5->sj, "arch ==", NULL, &err), -EINVAL);
	cycle(h);
	assert_string_equal(j1->exec, "(a:ncpus=1)");
	assert_string_equal(j2->exec, "(a:ncpus=1)");
	assert_false(j3->ran);
	assert_string_equal(j3->comment, "Not Running: Job requirements not met by any vnode");
	assert_string_equal(j4->exec, "(a:ncpus=1)"); /* rank prefers the bigger one */
	assert_false(j5->ran);
	assert_string_equal(j5->comment,
			    "Can Never Run: Job requirements or rank cannot be parsed");
	h_free(h);

	/* the other way: a vnode's start over job attributes */
	h = h_new();
	x = node(h, "x", 4, NULL, NULL);
	a = node(h, "a", 4, NULL, NULL);
	assert_int_equal(sc_node_set_start(h->m, x, "queue == \"special\" || ncpus >= 3", &err), 0);
	struct tjob *k1 = job(h, "k1", "1:ncpus=1", NULL, 60, 9);
	struct tjob *k2 = job(h, "k2", "1:ncpus=3", NULL, 60, 8);
	struct tjob *k3 = job(h, "k3", "1:ncpus=1", NULL, 60, 7);
	k3->sj.queue = sc_queue_get(h->m, "special");
	cycle(h);
	assert_string_equal(k1->exec, "(a:ncpus=1)");
	assert_string_equal(k2->exec, "(x:ncpus=3)");
	assert_string_equal(k3->exec, "(x:ncpus=1)");
	h_free(h);

	/* both ways together; and a start that refuses everyone */
	h = h_new();
	x = node(h, "x", 4, NULL, NULL);
	a = node(h, "a", 4, NULL, NULL);
	node_attr(h, x, "resources_available.arch", "x86_64");
	node_attr(h, a, "resources_available.arch", "x86_64");
	assert_int_equal(sc_node_set_start(h->m, a, "false", &err), 0);
	assert_int_equal(sc_node_set_start(h->m, x, "Priority > 5", &err), 0);
	struct tjob *hi = job(h, "hi", "1:ncpus=1", NULL, 60, 10);
	assert_int_equal(sc_job_set_exprs(h->m, &hi->sj, "arch == \"x86_64\"", NULL, &err), 0);
	struct tjob *lo = job(h, "lo", "1:ncpus=1", NULL, 60, 1);
	cycle(h);
	assert_string_equal(hi->exec, "(x:ncpus=1)");
	assert_false(lo->ran);
	assert_string_equal(lo->comment, "Not Running: Job requirements not met by any vnode");
	/* a job attribute from the caller */
	h_free(h);
}

static int user_resolve(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "user") == 0 ? 7 : -1;
}

static void user_lookup(void *ctx, const struct sc_job *j, int key, struct sc_value *out)
{
	(void)ctx;
	if (key == 7) {
		const char *u = j->priority > 0 ? "alice" : "bob";
		out->type = SC_STR;
		out->str = u;
		out->len = strlen(u);
	}
}

static void test_job_lookup(void **state)
{
	(void)state;
	struct h *h = h_new();
	int x = node(h, "x", 4, NULL, NULL);
	struct sc_job_lookup jl = {user_resolve, user_lookup, NULL};
	corral_error_t err = {0};
	assert_int_equal(sc_node_set_start(h->m, x, "user == \"alice\"", &err), 0);
	struct tjob *b = job(h, "b", "1:ncpus=1", NULL, 60, 0);
	struct tjob *a = job(h, "a", "1:ncpus=1", NULL, 60, 1);
	cycle(h); /* no lookup yet: user is undefined, nobody starts */
	assert_false(a->ran);
	sc_model_set_job_lookup(h->m, &jl);
	cycle(h);
	assert_true(a->ran);
	assert_false(b->ran);
	h_free(h);
}

/* ---- classes, state changes, stop ----------------------------------- */

static void test_classes(void **state)
{
	(void)state;
	struct h *h = h_new();
	for (int i = 0; i < 10; i++) {
		char name[16];
		snprintf(name, sizeof name, "n%d", i);
		node(h, name, 50, NULL, NULL);
	}
	for (int i = 0; i < 2000; i++)
		job(h, "j", "1:ncpus=1", NULL, 60, 0);
	cycle(h);
	assert_int_equal(h->st.started, 500);
	assert_int_equal(h->st.classes, 1);
	/* the 500 runs; the free totals answer the next, its class the others */
	assert_int_equal(h->st.matched, 500);
	assert_int_equal(h->st.top_jobs, 10);
	for (int i = 500; i < 2000; i++) {
		assert_false(h->jobs[i].ran);
		assert_string_equal(
		    h->jobs[i].comment,
		    "Not Running: Insufficient amount of resource: ncpus (R: 1 A: 0 T: 500)");
	}
	/* the top jobs start as the first running jobs end (all at NOW+60) */
	assert_int_equal(h->jobs[500].est, NOW + 60);
	assert_int_equal(h->jobs[509].est, NOW + 60);
	assert_int_equal(h->jobs[510].est, -1);
	/* every vnode got 50 */
	for (int i = 0; i < 10; i++)
		assert_int_equal(sc_node_get(h->m, i)->used[SC_NCPUS], 50);
	h_free(h);
}

static void test_requeue_and_remove(void **state)
{
	(void)state;
	struct h *h = h_new();
	node(h, "n0", 2, NULL, NULL);
	struct tjob *a = job(h, "a", "1:ncpus=2", NULL, 60, 1);
	struct tjob *b = job(h, "b", "1:ncpus=2", NULL, 60, 0);
	cycle(h);
	assert_true(a->ran);
	assert_false(b->ran);
	assert_int_equal(sc_model_njobs(h->m, SC_JOB_RUNNING), 1);
	/* the server refused the run: back to queued, resources released */
	sc_job_enqueue(h->m, &a->sj);
	assert_int_equal(sc_node_get(h->m, 0)->used[SC_NCPUS], 0);
	a->ran = false;
	cycle(h);
	assert_true(a->ran);
	/* a ends: b runs next */
	sc_job_remove(h->m, &a->sj);
	cycle(h);
	assert_true(b->ran);
	/* held jobs are not considered */
	struct tjob *c = job(h, "c", "1:ncpus=1", NULL, 60, 0);
	sc_job_hold(h->m, &c->sj);
	h->p.eligible_time_enable = true;
	cycle(h);
	assert_false(c->ran);
	assert_int_equal(c->accrue, SC_ACCRUE_INELIGIBLE);
	assert_int_equal(b->accrue, SC_ACCRUE_RUN);
	struct tjob *d = job(h, "d", "1:ncpus=1", NULL, 60, 0);
	cycle(h);
	assert_int_equal(d->accrue, SC_ACCRUE_ELIGIBLE);
	h_free(h);
}

static void test_stop(void **state)
{
	(void)state;
	struct h *h = h_new();
	node(h, "n0", 1000, NULL, NULL);
	for (int i = 0; i < 1000; i++)
		job(h, "j", "1:ncpus=1", NULL, 60, 0);
	h->stop_after = 2;
	cycle(h);
	assert_true(h->st.stopped);
	assert_int_equal(h->st.started, 128);
	h_free(h);
}

static void test_exec_vnode_parse(void **state)
{
	(void)state;
	struct sc_model *m = sc_model_create();
	struct sc_alloc *a = NULL;
	corral_error_t err = {0};
	int n =
	    sc_exec_vnode_parse(m, "(a:ncpus=2:mem=1gb)+(b:ncpus=1)+(a:ncpus=1:foo=3)", &a, &err);
	assert_int_equal(n, 2);
	assert_int_equal(a[0].res[SC_NCPUS], 3);
	assert_int_equal(a[0].res[SC_MEM], 1 << 30);
	assert_int_equal(a[0].res[sc_res_index(m, "foo", false)], 3);
	assert_int_equal(a[1].res[SC_NCPUS], 1);
	assert_string_equal(sc_node_get(m, a[1].node)->name, "b");
	free(a);
	/* several vnodes in one chunk */
	n = sc_exec_vnode_parse(m, "(a:ncpus=1+b:ncpus=2)", &a, &err);
	assert_int_equal(n, 2);
	free(a);
	assert_int_equal(sc_exec_vnode_parse(m, "(a:ncpus=1", &a, &err), -EINVAL);
	assert_int_equal(sc_exec_vnode_parse(m, "", &a, &err), -EINVAL);
	sc_model_destroy(m);
	sc_model_destroy(NULL);
}

static void test_requests(void **state)
{
	(void)state;
	struct sc_model *m = sc_model_create();
	corral_error_t err = {0};
	struct sc_req *a =
	    sc_req_get(m, "2:ncpus=4:mem=2gb:arch=x86_64+1:ngpus=1", "scatter:excl", &err);
	assert_non_null(a);
	struct sc_req *b =
	    sc_req_get(m, "2:ncpus=4:mem=2gb:arch=x86_64+1:ngpus=1", "scatter:excl", &err);
	assert_ptr_equal(a, b);
	assert_int_equal(a->nchunks, 2);
	assert_int_equal(a->ninst, 3);
	assert_int_equal(a->total[SC_NCPUS], 9); /* the second chunk gets 1 cpu */
	assert_int_equal(a->total[SC_NGPUS], 1);
	assert_int_equal(a->arrangement, SC_SCATTER);
	assert_int_equal(a->sharing, SC_EXCL);
	assert_int_equal(a->chunks[0].nstr, 1);
	assert_string_equal(a->chunks[0].str[0].key, "resources_available.arch");
	sc_req_put(m, a);
	sc_req_put(m, b);
	assert_null(sc_req_get(m, "2:ncpus=", NULL, &err));
	assert_null(sc_req_get(m, "1:ncpus=1", "sideways", &err));
	sc_model_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order_priority),
	    cmocka_unit_test(test_order_queue_and_keys),
	    cmocka_unit_test(test_order_cache),
	    cmocka_unit_test(test_place),
	    cmocka_unit_test(test_backfill),
	    cmocka_unit_test(test_backfill_shortest_and_all),
	    cmocka_unit_test(test_strict_ordering),
	    cmocka_unit_test(test_reasons),
	    cmocka_unit_test(test_requirements_start),
	    cmocka_unit_test(test_job_lookup),
	    cmocka_unit_test(test_classes),
	    cmocka_unit_test(test_requeue_and_remove),
	    cmocka_unit_test(test_stop),
	    cmocka_unit_test(test_exec_vnode_parse),
	    cmocka_unit_test(test_requests),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
