/* test_sim_engine.c - the simulator's replay (src/sim/engine.h) and its
 * metrics (src/sim/metrics.h) on a hand-made trace whose schedules are
 * worked out below for fcfs, easy and conservative; plus the event order
 * at equal times, predictions, and the comparison with a reference.
 *
 * The trace, on one pool of 4 cpus (submit, cpus, run, requested time):
 *
 *   J1  0  2  10  10
 *   J2  1  3  10  10
 *   J3  2  4  10  10
 *   J4  3  1  20  20
 *   J5  4  1   5   6
 *
 * A submission is followed by a cycle only when the new job fits in the
 * free cpus (J2, J3 come while J1 holds 2 of 4: no cycle).
 *
 * fcfs: J1 runs at 0.  At 10 J1 ends and J2 runs (3 cpus) to 20; J3 needs
 * all 4 and waits for J2; at 20 J3 runs to 30; at 30 J4 and J5 run.
 *   starts 0 10 20 30 30, waits 0 9 18 27 26 (mean 16, max 27)
 *   bsld 1, 1.9, 2.8, 47/20 = 2.35, 31/10 = 3.1 (mean 2.23)
 *   makespan 50, work 115 cpu-s, utilization 115 / 200 = 0.575
 *
 * easy: at 3 (J4 fits the 2 free cpus: a cycle) J2 cannot run and
 * reserves 3 cpus over [10, 20); J3 cannot run; J4 (1 cpu over [3, 23))
 * leaves J2 its 3 cpus at 10: it runs.  At 4 J5 (1 cpu, requested 6 s:
 * [4, 10)) ends before the reservation: it runs (and ends at 9).  At 10 J2
 * runs; J3 now holds the reservation: at 20 only 3 cpus are free (J4 runs
 * to 23), so J3 starts at 23.
 *   starts 0 10 23 3 4, waits 0 9 21 0 0 (mean 6, max 21)
 *   bsld 1, 1.9, 3.1, 1, 1 (mean 1.6); makespan 33, utilization 115 / 132
 *
 * conservative: at 3 J2 reserves [10, 20) and J3, which needs the whole
 * pool, [20, 30); J4 would overlap J3's reservation at 20, so it waits
 * (reserved [30, 50)).  J5 fits before 10: it runs at 4.  Then J2 at 10,
 * J3 at 20, J4 at 30.
 *   starts 0 10 20 30 4, waits 0 9 18 27 0 (mean 10.8, max 27)
 *   bsld 1, 1.9, 2.8, 2.35, 1 (mean 1.81); makespan 50, utilization 0.575
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/sim/engine.h"
#include "src/sim/metrics.h"
#include "src/sim/predict.h"

static const int64_t trace[5][4] = {
    {0, 2, 10, 10}, {1, 3, 10, 10}, {2, 4, 10, 10}, {3, 1, 20, 20}, {4, 1, 5, 6},
};

static void load(struct engine_job *jobs)
{
	memset(jobs, 0, 5 * sizeof *jobs);
	for (int i = 0; i < 5; i++) {
		jobs[i].id = i + 1;
		jobs[i].submit = trace[i][0];
		jobs[i].procs = (int32_t)trace[i][1];
		jobs[i].run = trace[i][2];
		jobs[i].req = trace[i][3];
		jobs[i].user = 1;
	}
}

static void replay(struct engine_job *jobs, enum engine_policy pol, int nodes, int64_t cpn,
		   struct engine_stats *st)
{
	load(jobs);
	struct engine_conf c = {.policy = pol, .cpus = 4, .nodes = nodes, .cpus_per_node = cpn};
	corral_error_t err = {0};
	assert_int_equal(engine_run(jobs, 5, &c, st, &err), 0);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(jobs[i].end, jobs[i].start + jobs[i].run);
		assert_true(jobs[i].gone);
	}
}

static void starts_are(const struct engine_job *jobs, const int64_t *want)
{
	for (int i = 0; i < 5; i++) {
		if (jobs[i].start != want[i])
			fail_msg("J%d starts at %lld, not %lld", i + 1, (long long)jobs[i].start,
				 (long long)want[i]);
	}
}

static void test_fcfs(void **state)
{
	(void)state;
	struct engine_job jobs[5];
	struct engine_stats st;
	replay(jobs, ENGINE_FCFS, 0, 0, &st);
	starts_are(jobs, (const int64_t[]){0, 10, 20, 30, 30});
	struct metrics m;
	metrics_compute(jobs, 5, 4, &m);
	assert_int_equal(m.all.jobs, 5);
	assert_float_equal(m.all.mean_wait, 16.0, 1e-9);
	assert_int_equal(m.all.max_wait, 27);
	assert_float_equal(m.all.mean_bsld, 2.23, 1e-9);
	assert_float_equal(m.all.max_bsld, 3.1, 1e-9);
	assert_int_equal(m.first_submit, 0);
	assert_int_equal(m.last_end, 50);
	assert_int_equal(m.makespan, 50);
	assert_float_equal(m.utilization, 0.575, 1e-9);
	assert_int_equal(m.all.backfilled, 0);
	/* by size: J4 and J5 (1 cpu), J1-J3 (2-4 cpus) */
	assert_int_equal(m.nclasses, 2);
	assert_int_equal(m.classes[0].lo, 1);
	assert_int_equal(m.classes[0].hi, 1);
	assert_int_equal(m.classes[0].s.jobs, 2);
	assert_float_equal(m.classes[0].s.mean_wait, 26.5, 1e-9);
	assert_float_equal(m.classes[0].s.mean_bsld, (2.35 + 3.1) / 2, 1e-9);
	assert_int_equal(m.classes[1].lo, 2);
	assert_int_equal(m.classes[1].hi, 4);
	assert_int_equal(m.classes[1].s.jobs, 3);
	assert_float_equal(m.classes[1].s.mean_wait, 9.0, 1e-9);
	assert_int_equal(m.classes[1].s.max_wait, 18);
	assert_float_equal(m.classes[1].s.mean_bsld, 1.9, 1e-9);
	assert_int_equal(st.max_queue, 4);
}

static void test_easy(void **state)
{
	(void)state;
	struct engine_job jobs[5];
	struct engine_stats st;
	replay(jobs, ENGINE_EASY, 0, 0, &st);
	starts_are(jobs, (const int64_t[]){0, 10, 23, 3, 4});
	struct metrics m;
	metrics_compute(jobs, 5, 4, &m);
	assert_float_equal(m.all.mean_wait, 6.0, 1e-9);
	assert_int_equal(m.all.max_wait, 21);
	assert_float_equal(m.all.mean_bsld, 1.6, 1e-9);
	assert_int_equal(m.makespan, 33);
	assert_float_equal(m.utilization, 115.0 / 132.0, 1e-9);
	assert_int_equal(m.all.backfilled, 2);
	assert_true(jobs[3].backfilled && jobs[4].backfilled);
	assert_false(jobs[1].backfilled);
	assert_int_equal(st.backfilled, 2);
	/* easy++ tries J4 (20 s) before nothing else here: the same */
	replay(jobs, ENGINE_EASYPP, 0, 0, &st);
	starts_are(jobs, (const int64_t[]){0, 10, 23, 3, 4});
}

static void test_conservative(void **state)
{
	(void)state;
	struct engine_job jobs[5];
	struct engine_stats st;
	replay(jobs, ENGINE_CONSERVATIVE, 0, 0, &st);
	starts_are(jobs, (const int64_t[]){0, 10, 20, 30, 4});
	struct metrics m;
	metrics_compute(jobs, 5, 4, &m);
	assert_float_equal(m.all.mean_wait, 10.8, 1e-9);
	assert_int_equal(m.all.max_wait, 27);
	assert_float_equal(m.all.mean_bsld, 1.81, 1e-9);
	assert_int_equal(m.makespan, 50);
	assert_float_equal(m.utilization, 0.575, 1e-9);
	assert_int_equal(m.all.backfilled, 1);
}

/* Two nodes of two cpus, jobs as chunks of one cpu: the same schedules. */
static void test_nodes(void **state)
{
	(void)state;
	struct engine_job jobs[5];
	replay(jobs, ENGINE_FCFS, 2, 2, NULL);
	starts_are(jobs, (const int64_t[]){0, 10, 20, 30, 30});
	replay(jobs, ENGINE_EASY, 2, 2, NULL);
	starts_are(jobs, (const int64_t[]){0, 10, 23, 3, 4});
	replay(jobs, ENGINE_CONSERVATIVE, 2, 2, NULL);
	starts_are(jobs, (const int64_t[]){0, 10, 20, 30, 4});
}

/* Equal times: a job planned to end now frees its cpus before the
 * submissions of that second; one ending before its plan only after
 * them, in its own cycle. */
static void test_event_order(void **state)
{
	(void)state;
	struct engine_job j[3];
	memset(j, 0, sizeof j);
	/* A: 2 cpus 0..10 as planned; B: 1 cpu, ends at 10, planned 100; C
	 * submitted at 10 wants 2 cpus: A's, free when C comes */
	int64_t in[3][4] = {{0, 2, 10, 10}, {0, 1, 10, 100}, {10, 2, 5, 5}};
	for (int i = 0; i < 3; i++) {
		j[i].id = i + 1;
		j[i].submit = in[i][0];
		j[i].procs = (int32_t)in[i][1];
		j[i].run = in[i][2];
		j[i].req = in[i][3];
	}
	struct engine_conf c = {.policy = ENGINE_EASY, .cpus = 3};
	struct engine_stats st;
	assert_int_equal(engine_run(j, 3, &c, &st, NULL), 0);
	assert_int_equal(j[2].start, 10);
	/* cycles: A's and B's submissions; C's, which runs it (A left
	 * before it came: otherwise C would not fit and get no cycle); the
	 * ends of A, B and C */
	assert_int_equal(st.cycles, 6);
	assert_true(j[0].start_seq < j[1].start_seq);
	assert_true(j[1].start_seq < j[2].start_seq);
}

static void test_predictions(void **state)
{
	(void)state;
	/* Tsafrir's corrector: +1 min, +5 min, +15 min ... capped */
	assert_int_equal(predict_correct(100, 0, 100000), 160);
	assert_int_equal(predict_correct(160, 1, 100000), 400);
	assert_int_equal(predict_correct(400, 2, 100000), 1000);
	assert_int_equal(predict_correct(1000, 2, 500), 500);
	assert_int_equal(predict_correct(100, 11, 9999999), 9999999);

	struct predictor *p = predictor_create(PREDICT_TSAFRIR);
	assert_int_equal(predictor_predict(p, 7, 3600, 50), 3600); /* no history */
	predictor_fit(p, 7, 100);
	assert_int_equal(predictor_predict(p, 7, 3600, 50), 3600); /* one job */
	predictor_fit(p, 7, 201);
	assert_int_equal(predictor_predict(p, 7, 3600, 50), 150); /* (100 + 201) / 2 */
	assert_int_equal(predictor_predict(p, 7, 120, 50), 120);  /* at most the request */
	predictor_fit(p, 7, 1);
	assert_int_equal(predictor_predict(p, 7, 3600, 50), 101);
	assert_int_equal(predictor_predict(p, 8, 60, 50), 60); /* another user */
	for (int u = 0; u < 5000; u++)			       /* the table grows */
		predictor_fit(p, u + 100, u + 1);
	predictor_fit(p, 100, 3);
	assert_int_equal(predictor_predict(p, 100, 3600, 50), 2);
	assert_int_equal(predictor_predict(p, 7, 3600, 50), 101);
	predictor_destroy(p);
	predictor_destroy(NULL);

	p = predictor_create(PREDICT_EXACT);
	assert_int_equal(predictor_predict(p, 1, 3600, 42), 42);
	predictor_destroy(p);
	p = predictor_create(PREDICT_NONE);
	assert_int_equal(predictor_predict(p, 1, 3600, 42), 3600);
	predictor_destroy(p);

	/* a replay with corrections: user 1 runs 10 s twice, then a job of
	 * 100 s (request 1000) is predicted 10 s, corrected to 70, 310 */
	struct engine_job j[4];
	memset(j, 0, sizeof j);
	int64_t in[4][3] = {{0, 10, 1000}, {20, 10, 1000}, {40, 100, 1000}, {41, 5, 5}};
	for (int i = 0; i < 4; i++) {
		j[i].id = i + 1;
		j[i].submit = in[i][0];
		j[i].run = in[i][1];
		j[i].req = in[i][2];
		j[i].procs = i == 3 ? 2 : 1;
		j[i].user = i == 3 ? 2 : 1;
	}
	struct engine_conf c = {.policy = ENGINE_EASYPP, .predictor = PREDICT_TSAFRIR, .cpus = 2};
	struct engine_stats st;
	assert_int_equal(engine_run(j, 4, &c, &st, NULL), 0);
	assert_int_equal(j[2].pred0, 10);
	assert_int_equal(j[2].ncorr, 2);
	assert_int_equal(j[2].pred, 310);
	assert_int_equal(st.corrections, 2);
	assert_int_equal(j[2].start, 40);
	assert_int_equal(j[3].start, 140); /* the whole pool: after the long job */
}

static void test_reference(void **state)
{
	(void)state;
	struct engine_job jobs[5];
	replay(jobs, ENGINE_EASY, 0, 0, NULL);
	/* the fcfs schedule as a "reference", plus a job we do not have */
	struct metrics_refjob ref[6] = {
	    {1, 0, 0, 10},  {2, 1, 9, 10}, {3, 2, 18, 10},
	    {4, 3, 27, 20}, {5, 4, 26, 5}, {99, 0, 5, 5},
	};
	struct metrics_ref r;
	metrics_compare(jobs, 5, ref, 6, &r);
	assert_int_equal(r.jobs, 6);
	assert_int_equal(r.compared, 5);
	assert_int_equal(r.identical, 2); /* J1, J2 */
	assert_int_equal(r.max_diff, 27); /* J4: 30 vs 3 */
	assert_int_equal(r.max_diff_id, 4);
	assert_float_equal(r.mean_wait, (0 + 9 + 18 + 27 + 26 + 5) / 6.0, 1e-9);
	assert_float_equal(r.mean_bsld, (1 + 1.9 + 2.8 + 2.35 + 3.1 + 1) / 6.0, 1e-9);
	metrics_compare(jobs, 5, NULL, 0, &r);
	assert_int_equal(r.jobs, 0);
	assert_int_equal(r.max_diff_id, -1);

	assert_float_equal(metrics_bsld(0, 1), 1.0, 1e-12);
	assert_float_equal(metrics_bsld(90, 5), 9.5, 1e-12);
	assert_float_equal(metrics_bsld(100, 100), 2.0, 1e-12);
}

static void test_bad_input(void **state)
{
	(void)state;
	struct engine_job jobs[5];
	load(jobs);
	corral_error_t err = {0};
	struct engine_conf c = {.policy = ENGINE_EASY, .cpus = 3};
	assert_int_equal(engine_run(jobs, 5, &c, NULL, &err), -22);
	assert_non_null(strstr(err.text, "needs 4 cpus"));
	load(jobs);
	jobs[2].submit = 0; /* out of order */
	c.cpus = 4;
	assert_int_equal(engine_run(jobs, 5, &c, NULL, &err), -22);
	c.cpus = 0;
	assert_int_equal(engine_run(jobs, 5, &c, NULL, &err), -22);
	assert_int_equal(engine_run(jobs, 0, &(struct engine_conf){.cpus = 1}, NULL, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fcfs),	 cmocka_unit_test(test_easy),
	    cmocka_unit_test(test_conservative), cmocka_unit_test(test_nodes),
	    cmocka_unit_test(test_event_order),	 cmocka_unit_test(test_predictions),
	    cmocka_unit_test(test_reference),	 cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
