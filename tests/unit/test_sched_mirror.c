/* test_sched_mirror.c - corral-sched's mirror (src/sched/mirror.h) fed
 * with JSON fixtures shaped like the server's sched.snapshot, sched.delta
 * and sched.configure: the model it builds, the sched.run and job.alter
 * texts it produces, optimistic runs and their replies, coalescing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/sched/mirror.h"

#define NOW 1800000000

static const char *snapshot_text =
    "{\"op\":\"sched.snapshot\","
    "\"server\":{\"eligible_time_enable\":\"True\",\"default_chunk.ncpus\":\"1\"},"
    "\"sched\":{\"backfill\":\"True\",\"backfill_depth\":\"2\",\"strict_ordering\":\"False\","
    "\"attr_update_period\":\"0\",\"sched_cycle_length\":\"00:20:00\",\"scheduling\":\"True\"},"
    "\"queues\":[{\"name\":\"workq\",\"attrs\":{\"queue_type\":\"Execution\",\"started\":\"True\","
    "\"enabled\":\"True\"}},"
    "{\"name\":\"fast\",\"attrs\":{\"queue_type\":\"Execution\",\"started\":\"True\","
    "\"priority\":\"100\"}}],"
    "\"nodes\":["
    "{\"name\":\"vn0\",\"attrs\":{\"state\":\"free\",\"resources_available.ncpus\":\"4\","
    "\"resources_available.mem\":\"8gb\",\"resources_available.host\":\"h\","
    "\"resources_available.arch\":\"x86_64\",\"resources_assigned.ncpus\":\"2\"}},"
    "{\"name\":\"vn1\",\"attrs\":{\"state\":\"free\",\"resources_available.ncpus\":\"4\","
    "\"resources_available.mem\":\"8gb\",\"resources_available.host\":\"h\"}},"
    "{\"name\":\"vn2\",\"attrs\":{\"state\":\"state-unknown,down\",\"resources_available.ncpus\":"
    "\"4\"}}"
    "],"
    "\"jobs\":["
    "{\"id\":\"1.srv\",\"attrs\":{\"job_state\":\"R\",\"queue\":\"workq\",\"Job_Owner\":\"ann@h\","
    "\"Resource_List.select\":\"1:ncpus=2\",\"Resource_List.place\":\"pack\","
    "\"Resource_List.ncpus\":\"2\",\"Resource_List.walltime\":\"01:00:00\","
    "\"exec_vnode\":\"(vn0:ncpus=2)\",\"stime\":\"1799999000\",\"accrue_type\":\"3\"}},"
    "{\"id\":\"2.srv\",\"attrs\":{\"job_state\":\"Q\",\"queue\":\"workq\",\"Job_Owner\":\"bob@h\","
    "\"Resource_List.select\":\"1:ncpus=4\",\"Resource_List.place\":\"pack\","
    "\"Resource_List.walltime\":\"00:10:00\",\"Priority\":\"0\"}},"
    "{\"id\":\"3.srv\",\"attrs\":{\"job_state\":\"Q\",\"queue\":\"fast\",\"Job_Owner\":\"cy@h\","
    "\"Resource_List.select\":\"1:ncpus=2\",\"Resource_List.place\":\"pack\","
    "\"Resource_List.walltime\":\"00:10:00\"}},"
    "{\"id\":\"4.srv\",\"attrs\":{\"job_state\":\"H\",\"queue\":\"workq\",\"Job_Owner\":\"dee@h\","
    "\"Resource_List.select\":\"1:ncpus=1\",\"Hold_Types\":\"u\"}},"
    "{\"id\":\"5.srv\",\"attrs\":{\"job_state\":\"Q\",\"queue\":\"workq\",\"Job_Owner\":\"eve@h\","
    "\"Resource_List.select\":\"1:ncpus=1\",\"Resource_List.walltime\":\"00:05:00\","
    "\"requirements\":\"arch == \\\"x86_64\\\"\",\"comment\":\"old words\"}}"
    "]}";

static json_t *parse(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	if (!j)
		fail_msg("fixture: %s at %d", e.text, e.position);
	return j;
}

static struct mirror *loaded(void)
{
	struct mirror *mr = mirror_create();
	json_t *snap = parse(snapshot_text);
	corral_error_t err = {0};
	assert_int_equal(mirror_snapshot(mr, snap, &err), 0);
	json_decref(snap);
	return mr;
}

/* The request text the mirror produced, closed and parsed. */
static json_t *taken(struct corral_buf *b)
{
	buf_append(b, "}", 1);
	buf_append(b, "", 1);
	json_t *j = parse(buf_peek(b));
	buf_reset(b);
	return j;
}

static void test_snapshot(void **state)
{
	(void)state;
	struct mirror *mr = loaded();
	struct sc_model *m = mirror_model(mr);
	assert_int_equal(sc_model_njobs(m, SC_JOB_QUEUED), 3);
	assert_int_equal(sc_model_njobs(m, SC_JOB_HELD), 1);
	assert_int_equal(sc_model_njobs(m, SC_JOB_RUNNING), 1);
	const struct mirror_conf *c = mirror_conf(mr);
	assert_true(c->policy.backfill);
	assert_int_equal(c->policy.backfill_depth, 2);
	assert_true(c->policy.eligible_time_enable);
	assert_int_equal(c->cycle_length, 1200);
	struct sc_node *vn0 = sc_node_get(m, sc_node_find(m, "vn0"));
	assert_int_equal(vn0->avail[SC_NCPUS], 4);
	assert_int_equal(vn0->avail[SC_MEM], (int64_t)8 << 30);
	assert_int_equal(vn0->used[SC_NCPUS], 2);
	assert_int_equal(vn0->state, SC_NODE_UP);
	struct sc_node *vn2 = sc_node_get(m, sc_node_find(m, "vn2"));
	assert_int_equal(vn2->state, SC_NODE_DOWN);
	assert_int_equal(sc_queue_get(m, "fast")->priority, 100);
	struct mirror_counts k;
	mirror_counts(mr, &k);
	assert_int_equal(k.jobs, 5);
	assert_int_equal(k.nodes, 3);
	assert_int_equal(mirror_job_seq("12.srv"), 12);
	assert_int_equal(mirror_job_seq("7[3].srv"), 7);
	mirror_destroy(mr);
	mirror_destroy(NULL);
}

static void test_cycle_texts(void **state)
{
	(void)state;
	struct mirror *mr = loaded();
	struct sc_stats st;
	mirror_cycle(mr, NOW, NULL, NULL, &st);
	/* 3 (fast queue) on vn0's 2 free cpus, 2 on vn1; 5 wants x86_64 (vn0) */
	assert_int_equal(st.started, 2);
	assert_int_equal(mirror_runs_waiting(mr), 2);
	struct corral_buf b;
	buf_init(&b);
	assert_int_equal(mirror_take_runs(mr, 7, 1, &b), 1);
	json_t *r1 = taken(&b);
	assert_string_equal(json_string_value(json_object_get(r1, "op")), "sched.run");
	assert_int_equal(json_integer_value(json_object_get(r1, "cycle")), 7);
	json_t *run = json_array_get(json_object_get(r1, "runs"), 0);
	assert_string_equal(json_string_value(json_object_get(run, "job")), "3.srv");
	assert_string_equal(json_string_value(json_object_get(run, "exec_vnode")), "(vn0:ncpus=2)");
	assert_int_equal(mirror_take_runs(mr, 7, 5000, &b), 1);
	json_t *r2 = taken(&b);
	run = json_array_get(json_object_get(r2, "runs"), 0);
	assert_string_equal(json_string_value(json_object_get(run, "job")), "2.srv");
	assert_string_equal(json_string_value(json_object_get(run, "exec_vnode")), "(vn1:ncpus=4)");
	assert_int_equal(mirror_take_runs(mr, 7, 5000, &b), 0);
	assert_int_equal(b.len, 0);

	/* updates: 5 gets a comment and an estimate; 4 (held) ineligible */
	assert_int_equal(mirror_updates_waiting(mr, false), 1);
	assert_int_equal(mirror_updates_waiting(mr, true), 2);
	assert_int_equal(mirror_take_updates(mr, true, 5000, &b), 2);
	json_t *u = taken(&b);
	assert_string_equal(json_string_value(json_object_get(u, "op")), "job.alter");
	json_t *items = json_object_get(u, "items");
	assert_int_equal(json_array_size(items), 2);
	bool saw5 = false, saw4 = false;
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it)
	{
		const char *id = json_string_value(json_object_get(it, "id"));
		json_t *a = json_object_get(it, "attrs");
		if (!strcmp(id, "5.srv")) {
			saw5 = true;
			assert_string_equal(json_string_value(json_object_get(a, "comment")),
					    "Not Running: Insufficient amount of resource: ncpus "
					    "(R: 1 A: 0 T: 12)");
			assert_string_equal(
			    json_string_value(json_object_get(a, "estimated.exec_vnode")),
			    "(vn0:ncpus=1)");
			assert_string_equal(
			    json_string_value(json_object_get(a, "estimated.start_time")),
			    "1800000600");
		} else if (!strcmp(id, "4.srv")) {
			saw4 = true;
			assert_string_equal(json_string_value(json_object_get(a, "accrue_type")),
					    "1");
		}
	}
	assert_true(saw5 && saw4);
	json_decref(u);
	/* the same cycle again: nothing new to say, nothing to run */
	mirror_cycle(mr, NOW, NULL, NULL, &st);
	assert_int_equal(st.started, 0);
	assert_int_equal(mirror_updates_waiting(mr, true), 0);
	json_decref(r1);
	json_decref(r2);
	buf_free(&b);
	mirror_destroy(mr);
}

static void delta(struct mirror *mr, const char *text)
{
	json_t *d = parse(text);
	corral_error_t err = {0};
	assert_int_equal(mirror_delta(mr, d, &err), 0);
	json_decref(d);
}

static void test_runs_settled(void **state)
{
	(void)state;
	struct mirror *mr = loaded();
	struct sc_model *m = mirror_model(mr);
	struct sc_stats st;
	struct corral_buf b;
	buf_init(&b);
	mirror_cycle(mr, NOW, NULL, NULL, &st);
	while (mirror_take_runs(mr, 1, 5000, &b))
		buf_reset(&b);
	int running = sc_model_njobs(m, SC_JOB_RUNNING);
	assert_int_equal(running, 3);
	/* a stale delta (before the run) does not undo a pending run */
	delta(mr,
	      "{\"op\":\"sched.delta\",\"jobs\":[{\"id\":\"3.srv\",\"attrs\":{\"job_state\":\"Q\","
	      "\"queue\":\"fast\",\"Resource_List.select\":\"1:ncpus=2\",\"Resource_List.place\":"
	      "\"pack\",\"Resource_List.walltime\":\"00:10:00\",\"comment\":\"x\"}}]}");
	assert_int_equal(sc_model_njobs(m, SC_JOB_RUNNING), 3);
	/* refused: 2 goes back to the queue and is matched again */
	mirror_run_result(mr, "2.srv", false, "no");
	assert_int_equal(sc_model_njobs(m, SC_JOB_RUNNING), 2);
	mirror_run_result(mr, "3.srv", true, NULL);
	assert_int_equal(sc_model_njobs(m, SC_JOB_RUNNING), 2);
	/* a second reply for the same job changes nothing */
	mirror_run_result(mr, "3.srv", false, "late");
	assert_int_equal(sc_model_njobs(m, SC_JOB_RUNNING), 2);
	mirror_cycle(mr, NOW + 1, NULL, NULL, &st);
	assert_int_equal(st.started, 1);
	assert_int_equal(mirror_take_runs(mr, 2, 5000, &b), 1);
	buf_reset(&b);
	/* the server confirms 3 running, then it ends */
	delta(mr,
	      "{\"op\":\"sched.delta\",\"jobs\":[{\"id\":\"3.srv\",\"attrs\":{\"job_state\":\"R\","
	      "\"queue\":\"fast\",\"Resource_List.select\":\"1:ncpus=2\",\"Resource_List.place\":"
	      "\"pack\",\"Resource_List.walltime\":\"00:10:00\",\"exec_vnode\":\"(vn0:ncpus=2)\","
	      "\"stime\":\"1800000001\"}}]}");
	struct sc_node *vn0 = sc_node_get(m, sc_node_find(m, "vn0"));
	assert_int_equal(vn0->used[SC_NCPUS], 4);
	delta(mr, "{\"op\":\"sched.delta\",\"jobs_gone\":[\"3.srv\",\"1.srv\",\"99.srv\"]}");
	assert_int_equal(vn0->used[SC_NCPUS], 0);
	/* a lost connection: pending runs are as good as refused */
	assert_int_equal(sc_model_njobs(m, SC_JOB_RUNNING), 1); /* 2, pending */
	mirror_runs_lost(mr);
	assert_int_equal(sc_model_njobs(m, SC_JOB_RUNNING), 0);
	buf_free(&b);
	mirror_destroy(mr);
}

static void test_delta_and_configure(void **state)
{
	(void)state;
	struct mirror *mr = loaded();
	struct sc_model *m = mirror_model(mr);
	/* vn1 goes offline, vn2 comes up with 8 cpus, a new job, priorities */
	delta(mr, "{\"op\":\"sched.delta\",\"nodes\":["
		  "{\"name\":\"vn1\",\"attrs\":{\"state\":\"free,offline\",\"resources_available."
		  "ncpus\":\"4\"}},"
		  "{\"name\":\"vn2\",\"attrs\":{\"state\":\"free\",\"resources_available.ncpus\":"
		  "\"8\"}}],"
		  "\"jobs\":[{\"id\":\"6.srv\",\"attrs\":{\"job_state\":\"Q\",\"queue\":\"workq\","
		  "\"Resource_List.select\":\"1:ncpus=8\",\"Priority\":\"500\",\"Resource_List."
		  "walltime\":\"60\"}}],"
		  "\"queues\":[{\"name\":\"workq\",\"attrs\":{\"started\":\"True\",\"priority\":"
		  "\"200\"}}],"
		  "\"nodes_gone\":[\"vn0\"]}");
	assert_int_equal(sc_node_get(m, sc_node_find(m, "vn1"))->state, SC_NODE_OFFLINE);
	assert_true(sc_node_get(m, sc_node_find(m, "vn0"))->gone);
	struct sc_stats st;
	mirror_cycle(mr, NOW, NULL, NULL, &st);
	struct corral_buf b;
	buf_init(&b);
	assert_int_equal(mirror_take_runs(mr, 1, 5000, &b), 1);
	json_t *r = taken(&b);
	json_t *run = json_array_get(json_object_get(r, "runs"), 0);
	assert_string_equal(json_string_value(json_object_get(run, "job")), "6.srv");
	assert_string_equal(json_string_value(json_object_get(run, "exec_vnode")), "(vn2:ncpus=8)");
	json_decref(r);

	/* configure: strict ordering, no backfill, throttle 60 s */
	json_t *c = parse(
	    "{\"op\":\"sched.configure\",\"attrs\":{\"backfill\":\"False\","
	    "\"strict_ordering\":\"True\",\"attr_update_period\":\"60\","
	    "\"sched_cycle_length\":\"10\",\"job_sort_key\":\"ncpus LOW\"},"
	    "\"server\":{\"eligible_time_enable\":\"False\",\"default_walltime\":\"00:30:00\"}}");
	corral_error_t err = {0};
	assert_int_equal(mirror_configure(mr, c, &err), 0);
	json_decref(c);
	const struct mirror_conf *cf = mirror_conf(mr);
	assert_false(cf->policy.backfill);
	assert_true(cf->policy.strict_ordering);
	assert_int_equal(cf->attr_update_period, 60);
	assert_int_equal(cf->cycle_length, 10);
	assert_int_equal(cf->policy.nkeys, 1);
	assert_false(cf->policy.eligible_time_enable);
	assert_int_equal(cf->policy.default_walltime, 1800);
	assert_string_equal(cf->error, "");
	c = parse("{\"op\":\"sched.configure\",\"attrs\":{\"job_sort_key\":\"ncpus UPWARDS\"}}");
	assert_int_equal(mirror_configure(mr, c, &err), 0);
	json_decref(c);
	assert_string_not_equal(cf->error, "");
	assert_int_equal(cf->policy.nkeys, 1);
	c = parse("{\"op\":\"sched.configure\"}");
	assert_int_equal(mirror_configure(mr, c, &err), -EPROTO);
	json_decref(c);

	/* a malformed entry is reported, the rest applies */
	json_t *d = parse("{\"op\":\"sched.delta\",\"jobs\":[{\"attrs\":{}},"
			  "{\"id\":\"7.srv\",\"attrs\":{\"job_state\":\"Q\",\"Resource_List."
			  "select\":\"1:ncpus=1\"}}]}");
	assert_int_equal(mirror_delta(mr, d, &err), -EPROTO);
	json_decref(d);
	struct mirror_counts k;
	mirror_counts(mr, &k);
	assert_int_equal(k.jobs, 7);
	buf_free(&b);
	mirror_destroy(mr);
}

static void test_resnapshot(void **state)
{
	(void)state;
	struct mirror *mr = loaded();
	struct sc_model *m = mirror_model(mr);
	json_t *s = parse("{\"op\":\"sched.snapshot\",\"server\":{},\"sched\":{},\"queues\":[],"
			  "\"nodes\":[{\"name\":\"vn1\",\"attrs\":{\"state\":\"free\","
			  "\"resources_available.ncpus\":\"4\"}}],"
			  "\"jobs\":[{\"id\":\"2.srv\",\"attrs\":{\"job_state\":\"Q\","
			  "\"Resource_List.select\":\"1:ncpus=4\"}}]}");
	corral_error_t err = {0};
	assert_int_equal(mirror_snapshot(mr, s, &err), 0);
	json_decref(s);
	struct mirror_counts k;
	mirror_counts(mr, &k);
	assert_int_equal(k.jobs, 1);
	assert_int_equal(k.nodes, 1);
	assert_int_equal(sc_model_njobs(m, SC_JOB_RUNNING), 0);
	struct sc_stats st;
	mirror_cycle(mr, NOW, NULL, NULL, &st);
	assert_int_equal(st.started, 1);
	mirror_destroy(mr);
}

static void test_throttle_and_start(void **state)
{
	(void)state;
	struct mirror *mr = loaded();
	struct sc_stats st;
	/* vn1 accepts only eve's jobs; vn0 has room for 2 cpus */
	delta(mr,
	      "{\"op\":\"sched.delta\",\"nodes\":[{\"name\":\"vn1\",\"attrs\":{\"state\":\"free\","
	      "\"resources_available.ncpus\":\"4\",\"resources_available.mem\":\"8gb\","
	      "\"start\":\"user == \\\"eve\\\"\"}}]}");
	mirror_cycle(mr, NOW, NULL, NULL, &st);
	assert_int_equal(st.started, 1); /* 3 on vn0; 5 needs arch (vn0 full) */
	struct corral_buf b;
	buf_init(&b);
	/* not yet time for comments: only accrue_type goes */
	assert_int_equal(mirror_take_updates(mr, false, 5000, &b), 1);
	json_t *u = taken(&b);
	json_t *a = json_object_get(json_array_get(json_object_get(u, "items"), 0), "attrs");
	assert_int_equal(json_object_size(a), 1);
	json_decref(u);
	assert_int_equal(mirror_updates_waiting(mr, false), 0);
	int waiting = mirror_updates_waiting(mr, true);
	assert_true(waiting >= 2);
	/* the next cycle's wishes coalesce with the waiting ones */
	mirror_cycle(mr, NOW + 1, NULL, NULL, &st);
	assert_int_equal(mirror_updates_waiting(mr, true), waiting);
	assert_int_equal(mirror_take_updates(mr, true, 1, &b), 1);
	buf_reset(&b);
	assert_int_equal(mirror_take_updates(mr, true, 5000, &b), waiting - 1);
	buf_reset(&b);
	buf_free(&b);
	mirror_destroy(mr);
}

/* The text route: same model as the tree route; deltas and configure too. */
static void test_text(void **state)
{
	(void)state;
	struct mirror *mr = mirror_create();
	struct sc_model *m = mirror_model(mr);
	char op[32];
	corral_error_t err = {0};
	assert_int_equal(
	    mirror_apply_text(mr, snapshot_text, strlen(snapshot_text), op, sizeof op, &err), 0);
	assert_string_equal(op, "sched.snapshot");
	assert_int_equal(sc_model_njobs(m, SC_JOB_QUEUED), 3);
	assert_int_equal(sc_model_njobs(m, SC_JOB_HELD), 1);
	assert_int_equal(sc_model_njobs(m, SC_JOB_RUNNING), 1);
	assert_int_equal(mirror_conf(mr)->policy.backfill_depth, 2);
	assert_int_equal(sc_queue_get(m, "fast")->priority, 100);
	struct sc_stats st;
	mirror_cycle(mr, NOW, NULL, NULL, &st);
	assert_int_equal(st.started, 2);

	const char *d =
	    "{\"op\":\"sched.delta\",\"jobs_gone\":[\"1.srv\"],\"jobs\":[{\"id\":\"9.srv\","
	    "\"attrs\":{\"job_state\":\"Q\",\"queue\":\"workq\",\"Resource_List.select\":"
	    "\"1:ncpus=2\",\"Job_Name\":\"a \\\"quoted\\\" name\"}}],"
	    "\"nodes\":[{\"name\":\"vn2\",\"attrs\":{\"state\":\"free\","
	    "\"resources_available.ncpus\":\"4\"}}]}";
	assert_int_equal(mirror_apply_text(mr, d, strlen(d), op, sizeof op, &err), 0);
	assert_string_equal(op, "sched.delta");
	struct mirror_counts k;
	mirror_counts(mr, &k);
	assert_int_equal(k.jobs, 5);
	assert_int_equal(sc_node_get(m, sc_node_find(m, "vn2"))->state, SC_NODE_UP);
	mirror_cycle(mr, NOW, NULL, NULL, &st);
	assert_int_equal(st.started, 2); /* 5 on vn0 (freed by 1), 9 on vn2 */

	const char *c =
	    "{\"op\":\"sched.configure\",\"attrs\":{\"backfill_depth\":\"7\"},\"server\":{}}";
	assert_int_equal(mirror_apply_text(mr, c, strlen(c), op, sizeof op, &err), 0);
	assert_int_equal(mirror_conf(mr)->policy.backfill_depth, 7);
	const char *q = "{\"op\":\"sched.quit\"}";
	assert_int_equal(mirror_apply_text(mr, q, strlen(q), op, sizeof op, &err), 0);
	assert_string_equal(op, "sched.quit");
	/* malformed: an element that is not an object, a broken top */
	const char *b1 = "{\"op\":\"sched.delta\",\"jobs\":[7,{\"id\":\"10.srv\",\"attrs\":{\"job_"
			 "state\":\"H\"}}]}";
	assert_int_equal(mirror_apply_text(mr, b1, strlen(b1), op, sizeof op, &err), -EPROTO);
	const char *b2 =
	    "{\"op\":\"sched.delta\",\"jobs\":[{\"id\":\"11.srv\",\"attrs\":{}},{\"attrs\":{}}]}";
	assert_int_equal(mirror_apply_text(mr, b2, strlen(b2), op, sizeof op, &err), -EPROTO);
	mirror_counts(mr, &k);
	assert_int_equal(k.jobs, 6); /* 11 arrived, the nameless one did not */
	assert_int_equal(mirror_apply_text(mr, "{\"op\":", 7, op, sizeof op, &err), -EPROTO);
	mirror_destroy(mr);
}

/* Feed text in pieces of chunk bytes the way the link does: what was not
 * consumed comes again with the next piece.  Returns 0 or -EPROTO. */
static int feed_all(struct mirror *mr, const char *text, size_t chunk, char *op, size_t opn)
{
	size_t len = strlen(text), given = 0, consumed = 0;
	corral_error_t err = {0};
	bool first = true;
	while (consumed < len) {
		given = given + chunk < len ? given + chunk : len;
		bool final = given == len;
		long used = mirror_feed(mr, text + consumed, given - consumed, first, final, op,
					opn, &err);
		if (used < 0)
			return -EPROTO;
		assert_true((size_t)used <= given - consumed);
		if (final)
			assert_int_equal((size_t)used, given - consumed);
		first = false;
		consumed += (size_t)used;
	}
	return 0;
}

static void test_stream(void **state)
{
	(void)state;
	size_t chunks[] = {1, 2, 3, 7, 64, 1000, 100000};
	for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
		struct mirror *mr = mirror_create();
		struct sc_model *m = mirror_model(mr);
		char op[32] = "";
		assert_int_equal(feed_all(mr, snapshot_text, chunks[c], op, sizeof op), 0);
		assert_string_equal(op, "sched.snapshot");
		assert_int_equal(sc_model_njobs(m, SC_JOB_QUEUED), 3);
		assert_int_equal(sc_model_njobs(m, SC_JOB_HELD), 1);
		assert_int_equal(sc_model_njobs(m, SC_JOB_RUNNING), 1);
		assert_int_equal(mirror_conf(mr)->policy.backfill_depth, 2);
		assert_true(mirror_conf(mr)->policy.eligible_time_enable);
		struct mirror_counts k;
		mirror_counts(mr, &k);
		assert_int_equal(k.nodes, 3);
		/* a streamed snapshot replaces: a second, smaller one */
		const char *s2 = "{\"op\":\"sched.snapshot\",\"server\":{},\"sched\":{},"
				 "\"queues\":[],\"nodes\":[],\"jobs\":[{\"id\":\"2.srv\","
				 "\"attrs\":{\"job_state\":\"Q\",\"Resource_List.select\":\"1:ncpus=1\"}}]}";
		assert_int_equal(feed_all(mr, s2, chunks[c], op, sizeof op), 0);
		mirror_counts(mr, &k);
		assert_int_equal(k.jobs, 1);
		assert_int_equal(k.nodes, 0);
		/* a delta with numbers and literals at the ends of pieces */
		const char *d = "{\"op\":\"sched.delta\",\"x\":12345,\"y\":true,"
				"\"jobs_gone\":[\"2.srv\"],\"z\":null}";
		assert_int_equal(feed_all(mr, d, chunks[c], op, sizeof op), 0);
		assert_string_equal(op, "sched.delta");
		mirror_counts(mr, &k);
		assert_int_equal(k.jobs, 0);
		mirror_destroy(mr);
	}
	struct mirror *mr = mirror_create();
	char op[32];
	/* the op must come first; truncated or broken frames are refused */
	assert_int_equal(feed_all(mr, "{\"jobs\":[],\"op\":\"sched.delta\"}", 5, op, sizeof op),
			 -EPROTO);
	assert_int_equal(feed_all(mr, "{\"op\":\"sched.delta\",\"jobs\":[", 4, op, sizeof op),
			 -EPROTO);
	assert_int_equal(feed_all(mr, "{\"op\":\"sched.delta\"} x", 100, op, sizeof op), -EPROTO);
	assert_int_equal(feed_all(mr, "[1]", 100, op, sizeof op), -EPROTO);
	/* a bad element is reported but the rest goes on */
	corral_error_t err = {0};
	const char *b = "{\"op\":\"sched.delta\",\"jobs\":[{\"attrs\":{}},{\"id\":\"5.srv\","
			"\"attrs\":{\"job_state\":\"Q\"}}]}";
	assert_int_equal(mirror_feed(mr, b, strlen(b), true, true, op, sizeof op, &err),
			 (long)strlen(b));
	assert_int_equal(err.code, EPROTO);
	struct mirror_counts k;
	mirror_counts(mr, &k);
	assert_int_equal(k.jobs, 1);
	mirror_destroy(mr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_snapshot),	 cmocka_unit_test(test_cycle_texts),
	    cmocka_unit_test(test_runs_settled), cmocka_unit_test(test_delta_and_configure),
	    cmocka_unit_test(test_resnapshot),	 cmocka_unit_test(test_throttle_and_start),
	    cmocka_unit_test(test_text),
	    cmocka_unit_test(test_stream),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
