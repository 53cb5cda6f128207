/* test_sched_scale.c - the scheduling core at the benchmark's size (issue
 * 4): 1,000 vnodes x 50 cpus and 100,000 queued 1-cpu jobs; then 10,000
 * multi-chunk jobs of mixed sizes with backfilling.  Checks the outcome
 * (every cpu used once, every other job commented, top jobs reserved)
 * and prints the cycle time on stderr; no timed assertion.  SC_SCALE=N
 * divides the sizes by N (for slow sanitizer runs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "src/sched/core.h"

#define NOW 1000000

struct ctx {
	long runs, comments, estimates, none;
	const char *last_comment;
};

static void on_run(void *c, struct sc_job *j, const char *ev)
{
	(void)j;
	(void)ev;
	((struct ctx *)c)->runs++;
}

static void on_comment(void *c, struct sc_job *j, const char *s)
{
	(void)j;
	((struct ctx *)c)->comments++;
	((struct ctx *)c)->last_comment = s;
}

static void on_estimate(void *c, struct sc_job *j, int64_t t, const char *ev)
{
	(void)j;
	(void)ev;
	if (t >= 0)
		((struct ctx *)c)->estimates++;
	else
		((struct ctx *)c)->none++;
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int scale(void)
{
	const char *s = getenv("SC_SCALE");
	int n = s ? atoi(s) : 1;
	return n > 0 ? n : 1;
}

static void add_nodes(struct sc_model *m, int n, int ncpus)
{
	char name[32];
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof name, "sim%d", i);
		int x = sc_node_add(m, name);
		struct sc_node *nd = sc_node_get(m, x);
		nd->avail[SC_NCPUS] = ncpus;
		nd->avail[SC_MEM] = (int64_t)64 << 30;
		nd->state = SC_NODE_UP;
		kv_set(&nd->attrs, "resources_available.host", "simhost");
		kv_set(&nd->attrs, "resources_available.arch", "x86_64");
		sc_node_changed(m, x);
	}
}

static void test_uniform(void **state)
{
	(void)state;
	int k = scale();
	int nnodes = 1000 / k, njobs = 100000 / k;
	struct sc_model *m = sc_model_create();
	add_nodes(m, nnodes, 50);
	struct sc_queue *q = sc_queue_get(m, "workq");
	struct sc_job *jobs = calloc((size_t)njobs, sizeof *jobs);
	corral_error_t err = {0};
	struct sc_req *r = sc_req_get(m, "1:ncpus=1", "pack", &err);
	for (int i = 0; i < njobs; i++) {
		sc_job_init(&jobs[i]);
		jobs[i].seq = i;
		jobs[i].queue = q;
		jobs[i].walltime = 600 + i % 3600;
		sc_job_set_req(m, &jobs[i], r);
		sc_job_enqueue(m, &jobs[i]);
	}
	sc_req_put(m, r);
	struct sc_policy p;
	sc_policy_default(&p);
	p.eligible_time_enable = true;
	struct ctx c = {0};
	struct sc_ops ops = {.run = on_run, .comment = on_comment, .estimate = on_estimate};
	struct sc_stats st;
	double t0 = mono();
	sc_cycle(m, &p, NOW, &ops, &c, &st);
	double t1 = mono();
	fprintf(stderr,
		"uniform: %d jobs, %d cpus: cycle %.3f s, %ld started, %ld comments, %ld top\n",
		njobs, nnodes * 50, t1 - t0, st.started, c.comments, st.top_jobs);
	assert_int_equal(st.started, nnodes * 50);
	assert_int_equal(c.runs, nnodes * 50);
	assert_int_equal(c.comments, njobs - nnodes * 50);
	assert_int_equal(st.top_jobs, 10);
	assert_int_equal(c.estimates, 10);
	/* a second cycle with nothing changed: nothing starts */
	t0 = mono();
	sc_cycle(m, &p, NOW + 1, &ops, &c, &st);
	t1 = mono();
	fprintf(stderr, "uniform: second cycle %.3f s\n", t1 - t0);
	assert_int_equal(st.started, 0);
	for (int i = 0; i < njobs; i++)
		sc_job_remove(m, &jobs[i]);
	free(jobs);
	sc_model_destroy(m);
}

static void test_mixed(void **state)
{
	(void)state;
	int k = scale();
	int nnodes = 1000 / k, njobs = 10000 / k;
	struct sc_model *m = sc_model_create();
	add_nodes(m, nnodes, 50);
	struct sc_queue *q = sc_queue_get(m, "workq");
	struct sc_job *jobs = calloc((size_t)njobs, sizeof *jobs);
	static const char *const shapes[][2] = {
	    {"1:ncpus=1", "pack"},	     {"1:ncpus=4:mem=8gb", "pack"},
	    {"2:ncpus=8", "vscatter"},	     {"4:ncpus=16+1:ncpus=2", "free"},
	    {"8:ncpus=50", "vscatter:excl"}, {"1:ncpus=32:arch=x86_64", "free"},
	    {"16:ncpus=25", "free"},	     {"3:ncpus=2:mem=1gb", "pack"},
	};
	int nshapes = sizeof shapes / sizeof shapes[0];
	corral_error_t err = {0};
	for (int i = 0; i < njobs; i++) {
		sc_job_init(&jobs[i]);
		jobs[i].seq = i;
		jobs[i].queue = q;
		jobs[i].priority = (i * 7919) % 100;
		jobs[i].walltime = 300 + (i * 104729) % 7200;
		struct sc_req *r =
		    sc_req_get(m, shapes[i % nshapes][0], shapes[i % nshapes][1], &err);
		assert_non_null(r);
		sc_job_set_req(m, &jobs[i], r);
		sc_req_put(m, r);
		sc_job_enqueue(m, &jobs[i]);
	}
	struct sc_policy p;
	sc_policy_default(&p);
	struct ctx c = {0};
	struct sc_ops ops = {.run = on_run, .comment = on_comment, .estimate = on_estimate};
	struct sc_stats st;
	double t0 = mono();
	sc_cycle(m, &p, NOW, &ops, &c, &st);
	double t1 = mono();
	long used = 0;
	for (int i = 0; i < nnodes; i++)
		used += sc_node_get(m, i)->used[SC_NCPUS];
	fprintf(stderr,
		"mixed: %d jobs: cycle %.3f s, %ld started, %ld cpus used of %d, %ld top, %ld "
		"classes, %ld matched\n",
		njobs, t1 - t0, st.started, used, nnodes * 50, st.top_jobs, st.classes, st.matched);
	assert_true(st.started > 0);
	assert_int_equal(st.top_jobs, 10);
	assert_int_equal(c.comments + st.started, njobs);
	/* a second cycle with nothing changed */
	t0 = mono();
	sc_cycle(m, &p, NOW + 1, &ops, &c, &st);
	t1 = mono();
	fprintf(stderr, "mixed: second cycle %.3f s, %ld started\n", t1 - t0, st.started);
	for (int i = 0; i < njobs; i++)
		sc_job_remove(m, &jobs[i]);
	free(jobs);
	sc_model_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_uniform),
	    cmocka_unit_test(test_mixed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
