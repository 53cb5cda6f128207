/* schedd.c - see schedd.h. */
#include "src/sched/daemon/schedd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "src/common/buf.h"
#include "src/common/log.h"
#include "src/common/util.h"
#include "src/proto/msg.h"

/* ---- replies -------------------------------------------------------- */

static void on_run_reply(struct link *l, json_t *rep, void *arg)
{
	struct schedd *d = arg;
	(void)l;
	if (!rep)
		return; /* the connection dropped: on_down settles every run */
	corral_error_t err = {0};
	if (corral_msg_error(rep, &err, NULL) < 0) {
		/* the whole batch was refused: its runs are refused */
		corral_log(LOG_ERR, "sched", "sched.run refused: %s", err.text);
		return; /* they stay pending until the snapshot after a reconnect */
	}
	size_t i;
	json_t *r;
	long refused = 0;
	json_array_foreach(json_object_get(rep, "results"), i, r)
	{
		const char *job = json_string_value(json_object_get(r, "job"));
		bool ok = json_is_true(json_object_get(r, "ok"));
		if (!ok) {
			corral_error_t e = {0};
			corral_msg_error(r, &e, NULL);
			if (refused++ < 10)
				corral_log(LOG_INFO, "sched", "run of %s refused: %s",
					   job ? job : "?", e.text);
			mirror_run_result(d->mr, job, false, e.text);
		} else {
			mirror_run_result(d->mr, job, true, NULL);
		}
	}
	if (refused > 10)
		corral_log(LOG_INFO, "sched", "%ld runs of this batch refused", refused);
}

static void on_alter_reply(struct link *l, json_t *rep, void *arg)
{
	(void)l;
	(void)arg;
	if (!rep)
		return;
	corral_error_t err = {0};
	if (corral_msg_error(rep, &err, NULL) < 0) {
		corral_log(LOG_WARNING, "sched", "job.alter refused: %s", err.text);
		return;
	}
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(rep, "results"), i, r)
	{
		if (json_is_true(json_object_get(r, "ok")))
			continue;
		corral_error_t e = {0};
		corral_msg_error(r, &e, NULL);
		corral_log(LOG_DEBUG, "sched", "update of %s refused: %s",
			   json_string_value(json_object_get(r, "id")) ?: "?", e.text);
	}
}

static void on_cycle_end_reply(struct link *l, json_t *rep, void *arg)
{
	(void)l;
	(void)arg;
	corral_error_t err = {0};
	if (rep && corral_msg_error(rep, &err, NULL) < 0)
		corral_log(LOG_WARNING, "sched", "sched.cycle_end refused: %s", err.text);
}

/* ---- the cycle ------------------------------------------------------ */

static bool stop_check(void *arg)
{
	struct schedd *d = arg;
	return d->stop_at && uv_hrtime() / 1000000 >= d->stop_at;
}

/* Send what the mirror holds: runs, then updates (throttled ones only
 * when their time came).  Returns requests sent; counts in *runs, *upd. */
static void send_batches(struct schedd *d, long *runs, long *upd, bool *throttled_out)
{
	struct corral_buf b;
	buf_init(&b);
	int n;
	while ((n = mirror_take_runs(d->mr, d->cycle, SCHEDD_BATCH, &b)) > 0) {
		link_send_text(d->link, buf_peek(&b), buf_unread(&b), on_run_reply, d);
		buf_reset(&b);
		*runs += n;
	}
	const struct mirror_conf *c = mirror_conf(d->mr);
	uint64_t now = uv_now(d->loop);
	bool throttled = c->attr_update_period <= 0 || !d->flushed_once ||
			 now - d->last_throttled >= (uint64_t)c->attr_update_period * 1000;
	if (throttled && mirror_updates_waiting(d->mr, true)) {
		d->last_throttled = now;
		d->flushed_once = true;
	}
	while ((n = mirror_take_updates(d->mr, throttled, SCHEDD_BATCH, &b)) > 0) {
		link_send_text(d->link, buf_peek(&b), buf_unread(&b), on_alter_reply, d);
		buf_reset(&b);
		*upd += n;
	}
	*throttled_out = throttled;
	buf_free(&b);
}

/* Append "key":value with fixed decimals (jansson would print binary
 * noise like 0.00013221899999999999). */
static void put_seconds(struct corral_buf *b, const char *key, uint64_t ns)
{
	buf_printf(b, ",\"%s\":%.6f", key, (double)ns / 1e9);
}

static void run_cycle(struct schedd *d)
{
	d->cycle_due = false;
	if (!link_ready(d->link))
		return;
	uint64_t t0 = uv_hrtime();
	uint64_t t1 = t0, t2 = t0;
	struct sc_stats st = {0};
	long runs = 0, upd = 0;
	bool throttled = false;
	json_t *stats = json_object();
	json_object_set_new(stats, "cycle", json_integer(d->cycle));
	if (d->have_snapshot) {
		const struct mirror_conf *c = mirror_conf(d->mr);
		d->stop_at =
		    c->cycle_length > 0 ? t0 / 1000000 + (uint64_t)c->cycle_length * 1000 : 0;
		struct mirror_counts before;
		mirror_counts(d->mr, &before);
		mirror_cycle(d->mr, (int64_t)time(NULL), stop_check, d, &st);
		t1 = uv_hrtime();
		send_batches(d, &runs, &upd, &throttled);
		t2 = uv_hrtime();
		struct mirror_counts after;
		mirror_counts(d->mr, &after);
		json_object_set_new(stats, "jobs_queued", json_integer(st.queued));
		json_object_set_new(stats, "jobs_considered", json_integer(st.considered));
		json_object_set_new(stats, "started", json_integer(st.started));
		json_object_set_new(stats, "top_jobs", json_integer(st.top_jobs));
		json_object_set_new(stats, "never", json_integer(st.never));
		json_object_set_new(stats, "not_running", json_integer(st.blocked));
		json_object_set_new(stats, "classes", json_integer(st.classes));
		json_object_set_new(stats, "matched", json_integer(st.matched));
		json_object_set_new(stats, "comments_set",
				    json_integer(after.comments_set - before.comments_set));
		json_object_set_new(stats, "updates_sent", json_integer(upd));
		json_object_set_new(stats, "jobs", json_integer(after.jobs));
		json_object_set_new(stats, "vnodes", json_integer(after.nodes));
		if (st.stopped)
			json_object_set_new(stats, "stopped", json_string("sched_cycle_length"));
		corral_log(LOG_INFO, "sched",
			   "cycle %ld: queued=%ld considered=%ld started=%ld top=%ld classes=%ld "
			   "comments=%ld updates=%ld%s seconds=%.3f core=%.3f send=%.3f%s",
			   d->cycle, st.queued, st.considered, st.started, st.top_jobs, st.classes,
			   after.comments_set - before.comments_set, upd,
			   throttled ? "" : " (comments held back)",
			   (double)(t2 - (d->asked_ns ? d->asked_ns : t0)) / 1e9,
			   (double)(t1 - t0) / 1e9, (double)(t2 - t1) / 1e9,
			   st.stopped ? " stopped=sched_cycle_length" : "");
	} else {
		json_object_set_new(stats, "skipped", json_string("no snapshot yet"));
	}
	/* {"op":"sched.cycle_end","cycle":N,"stats":{...,"seconds":S}} with
	 * seconds from the schedule's arrival to now */
	char *counts = json_dumps(stats, JSON_COMPACT);
	json_decref(stats);
	struct corral_buf b;
	buf_init(&b);
	buf_printf(&b, "{\"op\":\"sched.cycle_end\",\"cycle\":%ld,\"stats\":", d->cycle);
	buf_append(&b, counts, strlen(counts) - 1); /* without its '}' */
	free(counts);
	if (d->have_snapshot) {
		put_seconds(&b, "core_seconds", t1 - t0);
		put_seconds(&b, "send_seconds", t2 - t1);
	}
	uint64_t now = uv_hrtime();
	put_seconds(&b, "seconds", now - (d->asked_ns ? d->asked_ns : t0));
	buf_append(&b, "}", 1);
	link_send_text(d->link, buf_peek(&b), buf_unread(&b), on_cycle_end_reply, d);
	buf_free(&b);
	d->cycles_run++;
}

static void on_cycle_timer(uv_timer_t *t)
{
	struct schedd *d = t->data;
	if (d->exit_on_down)
		schedd_stop(d); /* from on_down: not inside the link's callback */
	else if (d->cycle_due)
		run_cycle(d);
}

/* ---- pushes --------------------------------------------------------- */

static void on_push(void *ctx, json_t *msg)
{
	struct schedd *d = ctx;
	const char *op = corral_msg_str(msg, "op");
	corral_error_t err = {0};
	if (!op)
		return;
	if (strcmp(op, "sched.delta") == 0) {
		if (mirror_delta(d->mr, msg, &err) < 0)
			corral_log(LOG_WARNING, "sched", "delta: %s", err.text);
	} else if (strcmp(op, "sched.snapshot") == 0) {
		uint64_t t0 = uv_hrtime();
		if (mirror_snapshot(d->mr, msg, &err) < 0)
			corral_log(LOG_WARNING, "sched", "snapshot: %s", err.text);
		d->have_snapshot = true;
		struct mirror_counts c;
		mirror_counts(d->mr, &c);
		corral_log(LOG_NOTICE, "sched", "snapshot: jobs=%ld vnodes=%ld seconds=%.3f",
			   c.jobs, c.nodes, (double)(uv_hrtime() - t0) / 1e9);
	} else if (strcmp(op, "sched.configure") == 0) {
		if (mirror_configure(d->mr, msg, &err) < 0)
			corral_log(LOG_WARNING, "sched", "configure: %s", err.text);
		const struct mirror_conf *c = mirror_conf(d->mr);
		if (c->error[0])
			corral_log(LOG_WARNING, "sched", "configure: %s (kept the old value)",
				   c->error);
		corral_log(LOG_INFO, "sched",
			   "configured: backfill %s%s depth %d, strict_ordering %s, %d sort keys, "
			   "attr_update_period %ld s, sched_cycle_length %ld s",
			   c->policy.backfill ? "on" : "off",
			   c->policy.backfill && c->policy.backfill_shortest ? " (shortest first)" : "",
			   c->policy.backfill_depth,
			   c->policy.strict_ordering ? "on" : "off", c->policy.nkeys,
			   c->attr_update_period, c->cycle_length);
	} else if (strcmp(op, "sched.schedule") == 0) {
		d->cycle = (long)json_integer_value(json_object_get(msg, "cycle"));
		corral_log(LOG_DEBUG, "sched", "cycle %ld asked (%s)", d->cycle,
			   corral_msg_str(msg, "reason") ?: "?");
		d->cycle_due = true;
		d->asked_ns = uv_hrtime();
		uv_timer_start(&d->cycle_timer, on_cycle_timer, 0, 0);
	} else if (strcmp(op, "sched.quit") == 0) {
		corral_log(LOG_NOTICE, "sched", "the server asked us to quit");
		schedd_stop(d);
	} else {
		corral_log(LOG_DEBUG, "sched", "unknown push %s ignored", op);
	}
}

static bool starts(const char *text, size_t len, const char *op)
{
	size_t n = strlen(op);
	return len > n + 8 && memcmp(text, "{\"op\":\"", 7) == 0 && memcmp(text + 7, op, n) == 0 &&
	       text[7 + n] == '"';
}

/* Big pushes arrive as text: the mirror reads them without a JSON tree. */
static void on_push_text(void *ctx, const char *text, size_t len)
{
	struct schedd *d = ctx;
	corral_error_t err = {0};
	if (starts(text, len, "sched.snapshot")) {
		uint64_t t0 = uv_hrtime();
		if (mirror_apply_text(d->mr, text, len, NULL, 0, &err) < 0)
			corral_log(LOG_WARNING, "sched", "snapshot: %s", err.text);
		d->have_snapshot = true;
		struct mirror_counts c;
		mirror_counts(d->mr, &c);
		corral_log(LOG_NOTICE, "sched",
			   "snapshot: jobs=%ld vnodes=%ld bytes=%zu seconds=%.3f", c.jobs, c.nodes,
			   len, (double)(uv_hrtime() - t0) / 1e9);
		return;
	}
	if (starts(text, len, "sched.delta")) {
		if (mirror_apply_text(d->mr, text, len, NULL, 0, &err) < 0)
			corral_log(LOG_WARNING, "sched", "delta: %s", err.text);
		return;
	}
	json_error_t je;
	json_t *msg = json_loadb(text, len, 0, &je);
	if (!msg) {
		corral_log(LOG_WARNING, "sched", "bad push from the server: %s", je.text);
		return;
	}
	on_push(ctx, msg);
	json_decref(msg);
}

/* Big pushes (snapshots, the deltas after big cycles) are applied while
 * they arrive. */
static long on_push_stream(void *ctx, const char *data, size_t n, bool first, bool final)
{
	struct schedd *d = ctx;
	corral_error_t err = {0};
	char op[48] = "";
	if (first) {
		d->stream_ns = uv_hrtime();
		d->stream_bytes = 0;
	}
	long used = mirror_feed(d->mr, data, n, first, final, op, sizeof op, &err);
	if (used < 0) {
		corral_log(LOG_ERR, "sched", "push from the server: %s", err.text);
		return -1;
	}
	if (err.code)
		corral_log(LOG_WARNING, "sched", "push from the server: %s", err.text);
	d->stream_bytes += (size_t)used;
	if (op[0])
		snprintf(d->stream_op, sizeof d->stream_op, "%s", op);
	if (final) {
		if (strcmp(d->stream_op, "sched.snapshot") == 0) {
			d->have_snapshot = true;
			struct mirror_counts c;
			mirror_counts(d->mr, &c);
			corral_log(LOG_NOTICE, "sched",
				   "snapshot: jobs=%ld vnodes=%ld bytes=%zu seconds=%.3f (streamed)",
				   c.jobs, c.nodes, d->stream_bytes,
				   (double)(uv_hrtime() - d->stream_ns) / 1e9);
		} else {
			corral_log(LOG_DEBUG, "sched", "%s: bytes=%zu seconds=%.3f (streamed)",
				   d->stream_op, d->stream_bytes,
				   (double)(uv_hrtime() - d->stream_ns) / 1e9);
		}
		d->stream_op[0] = '\0';
	}
	return used;
}

static void on_ready(void *ctx, json_t *reply)
{
	(void)ctx;
	(void)reply;
	corral_log(LOG_INFO, "sched", "registered; waiting for the snapshot");
}

static void on_down(void *ctx)
{
	struct schedd *d = ctx;
	d->have_snapshot = false;
	d->cycle_due = false;
	mirror_runs_lost(d->mr);
	if (d->server_parent && getppid() != d->server_parent && !d->quitting) {
		corral_log(LOG_NOTICE, "sched",
			   "the server that started this scheduler (pid %d) is gone; a restarted "
			   "server starts its own: stopping",
			   d->server_parent);
		d->exit_on_down = true;
		uv_timer_start(&d->cycle_timer, on_cycle_timer, 0, 0);
	}
}

/* ---- life ----------------------------------------------------------- */

static json_t *build_register(void *ctx)
{
	struct schedd *d = ctx;
	return json_pack("{s:s,s:s}", "op", "sched.register", "name", d->name);
}

void schedd_init(struct schedd *d, uv_loop_t *loop, const struct link_cfg *cfg, const char *name)
{
	memset(d, 0, sizeof *d);
	d->loop = loop;
	d->name = xstrdup(name);
	d->mr = mirror_create();
	static const struct link_ops ops = {
	    .build_register = build_register,
	    .on_ready = on_ready,
	    .on_down = on_down,
	    .on_push = on_push,
	    .on_push_text = on_push_text,
	    .on_push_stream = on_push_stream,
	};
	d->link = link_create(loop, cfg, &ops, d);
	uv_timer_init(loop, &d->cycle_timer);
	d->cycle_timer.data = d;
}

void schedd_start(struct schedd *d) { link_start(d->link); }

static void on_timer_closed(uv_handle_t *h)
{
	struct schedd *d = h->data;
	mirror_destroy(d->mr);
	d->mr = NULL;
	free(d->name);
	d->name = NULL;
}

void schedd_stop(struct schedd *d)
{
	if (d->quitting)
		return;
	d->quitting = true;
	link_destroy(d->link, NULL, NULL);
	d->link = NULL;
	uv_close((uv_handle_t *)&d->cycle_timer, on_timer_closed);
}
