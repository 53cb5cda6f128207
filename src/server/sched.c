/* sched.c - see sched.h. */
#include "src/server/sched.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "src/common/buf.h"
#include "src/common/log.h"
#include "src/common/util.h"
#include "src/proto/msg.h"
#include "src/server/conn.h"
#include "src/server/dispatch.h"
#include "src/server/job.h"
#include "src/server/node.h"
#include "src/server/objects.h"
#include "src/server/txn.h"

struct sched_rt {
	struct obj *o;
	struct conn *c;          /* registered connection, or NULL */
	long cycle;              /* number of the last cycle sent */
	bool in_cycle;           /* schedule sent, cycle_end not yet back */
	bool pending;            /* a trigger arrived: one more cycle */
	char reason[16];         /* reason of the pending cycle */
	uint64_t pending_since;  /* for job_accumulation_time (mono ms) */
	bool send_now;           /* push sched.schedule in this flush */
	bool configure;          /* push sched.configure in this flush */
	bool snapshot;           /* push the snapshot in this flush */
	time_t next_timer;       /* scheduler_iteration */
	uint64_t cycle_started;  /* mono ms */
	/* the local process */
	uv_process_t proc;
	bool proc_running;
	bool proc_closing;
	int deaths;              /* quick deaths in a row */
	time_t last_start;
	time_t restart_at;       /* 0: not waiting to restart */
	bool delta_pending;      /* something in its partitions changed */
};

/* Changes of this iteration, for the deltas. */
static int64_t *dirty_jobs;
static size_t ndirty, capdirty;
static struct {
	int64_t seq;
	struct obj *sched;
} *gone_jobs;
static size_t ngone, capgone;
static struct obj **dirty_nodes; /* each once: marked with delta_gen */
static size_t ndnodes, capdnodes;
static unsigned delta_gen = 1;
static bool queues_dirty, server_dirty;
static char *sched_exe; /* corral-sched next to corral-server, or NULL */

static struct sched_rt *rt_of(struct obj *o)
{
	if (!o->srt) {
		o->srt = xcalloc(1, sizeof *o->srt);
		o->srt->o = o;
	}
	return o->srt;
}

static bool sched_scheduling(struct server *s, struct obj *o)
{
	const char *v = kv_get(&o->attrs, "scheduling");
	if (v && strcmp(v, "True") != 0)
		return false;
	if (strcmp(o->name, "default") == 0 && !srv_attr_bool(s, "scheduling", true))
		return false;
	return true;
}

/* ---- partitions ---------------------------------------------------------- */

static struct obj *sched_of_partition(struct server *s, const char *part)
{
	if (!part || !*part)
		return obj_find(s, OBJ_SCHED, "default");
	for (struct obj *o = s->objs[OBJ_SCHED]; o; o = o->next)
		if (list_has(kv_get(&o->attrs, "partition"), part))
			return o;
	return NULL;
}

struct obj *sched_of_queue(struct server *s, struct obj *q)
{
	return q ? sched_of_partition(s, kv_get(&q->attrs, "partition")) : NULL;
}

static struct obj *sched_of_node(struct server *s, struct obj *n)
{
	return sched_of_partition(s, kv_get(&n->attrs, "partition"));
}

static struct obj *sched_of_job(struct server *s, struct job *j)
{
	return sched_of_queue(s, j->queue);
}

/* ---- change tracking ------------------------------------------------------ */

void sched_job_changed(struct server *s, struct job *j)
{
	if (!s->nsched_conns)
		return;
	if (ndirty && dirty_jobs[ndirty - 1] == j->seq)
		return;
	if (ndirty == capdirty) {
		capdirty = capdirty ? 2 * capdirty : 1024;
		dirty_jobs = xrealloc(dirty_jobs, capdirty * sizeof *dirty_jobs);
	}
	dirty_jobs[ndirty++] = j->seq;
}

void sched_job_gone(struct server *s, struct job *j)
{
	if (!s->nsched_conns)
		return;
	if (ngone == capgone) {
		capgone = capgone ? 2 * capgone : 256;
		gone_jobs = xrealloc(gone_jobs, capgone * sizeof *gone_jobs);
	}
	gone_jobs[ngone].seq = j->seq;
	gone_jobs[ngone++].sched = sched_of_job(s, j);
}

void sched_node_changed(struct server *s, struct obj *n)
{
	if (!s->nsched_conns)
		return;
	if (n->delta_gen == delta_gen)
		return;
	n->delta_gen = delta_gen;
	if (ndnodes == capdnodes) {
		capdnodes = capdnodes ? 2 * capdnodes : 64;
		dirty_nodes = xrealloc(dirty_nodes, capdnodes * sizeof *dirty_nodes);
	}
	dirty_nodes[ndnodes++] = n;
}

void sched_node_forget(struct obj *n)
{
	if (n->delta_gen != delta_gen)
		return;
	for (size_t i = 0; i < ndnodes; i++)
		if (dirty_nodes[i] == n) {
			dirty_nodes[i] = dirty_nodes[--ndnodes];
			break;
		}
	n->delta_gen = 0;
}

void sched_queue_changed(struct server *s, struct obj *q)
{
	(void)q;
	if (s->nsched_conns)
		queues_dirty = true;
}

void sched_server_changed(struct server *s)
{
	if (s->nsched_conns)
		server_dirty = true;
}

/* ---- what a scheduler sees of a job ----------------------------------------- */

/* Is k an attribute the scheduler mirrors?  Called for every attribute of
 * every changed job: dispatch on the first letter, compare few names. */
static bool sched_attr(const char *k)
{
	switch (k[0]) {
	case 'R':
		return !strncmp(k, "Resource_List.", 14);
	case 'e':
		return !strncmp(k, "estimated.", 10) || !strcmp(k, "etime") ||
		       !strcmp(k, "exec_vnode") || !strcmp(k, "euser") || !strcmp(k, "egroup") ||
		       !strcmp(k, "eligible_time");
	case 'j':
		return !strcmp(k, "job_state");
	case 'q':
		return !strcmp(k, "queue") || !strcmp(k, "qtime");
	case 'J':
		return !strcmp(k, "Job_Owner") || !strcmp(k, "Job_Name");
	case 'P':
		return !strcmp(k, "Priority");
	case 'c':
		return !strcmp(k, "ctime") || !strcmp(k, "comment");
	case 's':
		return !strcmp(k, "stime") || !strcmp(k, "substate");
	case 'E':
		return !strcmp(k, "Execution_Time");
	case 'H':
		return !strcmp(k, "Hold_Types");
	case 'r':
		return !strcmp(k, "requirements") || !strcmp(k, "rank");
	case 'a':
		return !strcmp(k, "accrue_type");
	case 'p':
		return !strcmp(k, "project");
	case 'A':
		return !strcmp(k, "Account_Name");
	default:
		return false;
	}
}

static void dump_job(struct server *s, struct corral_buf *b, struct job *j)
{
	char idbuf[64];
	buf_lit(b, "{\"id\":");
	json_escape_append(b, job_id(s, j, idbuf, sizeof idbuf));
	buf_lit(b, ",\"attrs\":{");
	bool first = true;
	for (const char *k = kv_first(&j->attrs); k; k = kv_next(&j->attrs, k)) {
		if (!sched_attr(k))
			continue;
		if (!first)
			buf_lit(b, ",");
		first = false;
		json_escape_append(b, k);
		buf_lit(b, ":");
		json_escape_append(b, kv_val(k));
	}
	buf_lit(b, "}}");
}

static void dump_obj(struct server *s, struct corral_buf *b, struct obj *o, bool with_name)
{
	json_t *a = obj_stat_attrs(s, o);
	char *text = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	if (with_name) {
		buf_lit(b, "{\"name\":");
		json_escape_append(b, o->name);
		buf_printf(b, ",\"attrs\":%s}", text);
	} else {
		buf_printf(b, "%s", text);
	}
	free(text);
}

/* The queues or nodes of sched o, comma-separated. */
static void dump_objs(struct server *s, struct corral_buf *b, enum obj_kind kind, struct obj *o)
{
	bool first = true;
	for (struct obj *x = s->objs[kind]; x; x = x->next) {
		if ((kind == OBJ_QUEUE ? sched_of_queue(s, x) : sched_of_node(s, x)) != o)
			continue;
		if (!first)
			buf_lit(b, ",");
		first = false;
		dump_obj(s, b, x, true);
	}
}

/* Push raw JSON text (with its 4 reserved header bytes) to c. */
static void push_raw(struct conn *c, struct corral_buf *b)
{
	conn_reply_raw(c, b->data, b->len);
	buf_init(b);
}

static void begin_msg(struct corral_buf *b, const char *op)
{
	buf_init(b);
	buf_append(b, "\0\0\0\0", 4);
	buf_printf(b, "{\"op\":\"%s\"", op);
}

static void send_snapshot(struct server *s, struct sched_rt *r)
{
	struct corral_buf b;
	begin_msg(&b, "sched.snapshot");
	buf_lit(&b, ",\"server\":");
	dump_obj(s, &b, &s->srv, false);
	buf_lit(&b, ",\"sched\":");
	dump_obj(s, &b, r->o, false);
	buf_lit(&b, ",\"queues\":[");
	dump_objs(s, &b, OBJ_QUEUE, r->o);
	buf_lit(&b, "],\"nodes\":[");
	dump_objs(s, &b, OBJ_NODE, r->o);
	buf_lit(&b, "],\"jobs\":[");
	bool first = true;
	for (struct job *j = job_first(s); j; j = j->next) {
		if (j->state == 'F' || sched_of_job(s, j) != r->o)
			continue;
		if (!first)
			buf_lit(&b, ",");
		first = false;
		dump_job(s, &b, j);
	}
	buf_lit(&b, "]}");
	push_raw(r->c, &b);
}

static void send_configure(struct server *s, struct sched_rt *r)
{
	struct corral_buf b;
	begin_msg(&b, "sched.configure");
	buf_lit(&b, ",\"attrs\":");
	dump_obj(s, &b, r->o, false);
	buf_lit(&b, ",\"server\":");
	dump_obj(s, &b, &s->srv, false);
	buf_lit(&b, "}");
	push_raw(r->c, &b);
}

static void send_delta(struct server *s, struct sched_rt *r)
{
	struct corral_buf b;
	char idbuf[64];
	bool any = false, first;
	begin_msg(&b, "sched.delta");
	/* jobs changed and still in this sched's partitions */
	first = true;
	for (size_t i = 0; i < ndirty; i++) {
		struct job *j = job_lookup(s, dirty_jobs[i]);
		if (!j || j->state == 'F' || sched_of_job(s, j) != r->o)
			continue;
		buf_append(&b, first ? ",\"jobs\":[" : ",", first ? 9 : 1);
		first = false;
		dump_job(s, &b, j);
	}
	if (!first) {
		buf_lit(&b, "]");
		any = true;
	}
	first = true;
	for (size_t i = 0; i < ndirty; i++) { /* finished: leave the mirror */
		struct job *j = job_lookup(s, dirty_jobs[i]);
		if (!j || j->state != 'F' || sched_of_job(s, j) != r->o)
			continue;
		buf_append(&b, first ? ",\"jobs_gone\":[" : ",", first ? 14 : 1);
		first = false;
		json_escape_append(&b, job_id(s, j, idbuf, sizeof idbuf));
	}
	for (size_t i = 0; i < ngone; i++) {
		if (gone_jobs[i].sched != r->o)
			continue;
		buf_append(&b, first ? ",\"jobs_gone\":[" : ",", first ? 14 : 1);
		first = false;
		snprintf(idbuf, sizeof idbuf, "%lld.%s", (long long)gone_jobs[i].seq, s->name);
		json_escape_append(&b, idbuf);
	}
	if (!first) {
		buf_lit(&b, "]");
		any = true;
	}
	first = true;
	for (size_t i = 0; i < ndnodes; i++) {
		struct obj *n = dirty_nodes[i];
		if (sched_of_node(s, n) != r->o)
			continue;
		buf_append(&b, first ? ",\"nodes\":[" : ",", first ? 10 : 1);
		first = false;
		dump_obj(s, &b, n, true);
	}
	if (!first) {
		buf_lit(&b, "]");
		any = true;
	}
	if (queues_dirty) {
		buf_lit(&b, ",\"queues\":[");
		dump_objs(s, &b, OBJ_QUEUE, r->o);
		buf_lit(&b, "]");
		any = true;
	}
	if (server_dirty) {
		buf_lit(&b, ",\"server\":");
		dump_obj(s, &b, &s->srv, false);
		any = true;
	}
	buf_lit(&b, "}");
	if (any)
		push_raw(r->c, &b);
	else
		buf_free(&b);
}

static void send_schedule(struct server *s, struct sched_rt *r)
{
	r->cycle++;
	r->in_cycle = true;
	r->pending = false;
	r->cycle_started = corral_mono_ms();
	kv_set(&r->o->attrs, "state", "scheduling");
	conn_push(r->c, json_pack("{s:s,s:I,s:s}", "op", "sched.schedule", "cycle",
				  (json_int_t)r->cycle, "reason", r->reason[0] ? r->reason : "timer"));
	r->reason[0] = '\0';
	r->next_timer = time(NULL) + srv_attr_long(s, "scheduler_iteration", 600);
	const char *it = kv_get(&r->o->attrs, "scheduler_iteration");
	if (it)
		r->next_timer = time(NULL) + atol(it);
}

void sched_flush(struct server *s, bool committed)
{
	(void)committed;
	for (struct obj *o = s->objs[OBJ_SCHED]; o; o = o->next) {
		struct sched_rt *r = o->srt;
		if (!r || !r->c || r->c->closing)
			continue;
		if (r->snapshot) {
			r->snapshot = false;
			send_snapshot(s, r);
		} else {
			send_delta(s, r);
		}
		if (r->configure) {
			r->configure = false;
			send_configure(s, r);
		}
		if (r->send_now && !r->in_cycle && sched_scheduling(s, o)) {
			r->send_now = false;
			send_schedule(s, r);
		}
	}
	ndirty = ngone = ndnodes = 0;
	delta_gen++;
	queues_dirty = server_dirty = false;
}

/* ---- triggers --------------------------------------------------------------- */

static void trigger(struct server *s, struct obj *o, const char *reason)
{
	if (!o)
		return;
	struct sched_rt *r = rt_of(o);
	if (!r->c)
		return; /* it gets a "first" cycle when it registers */
	if (!r->reason[0])
		snprintf(r->reason, sizeof r->reason, "%s", reason);
	if (r->in_cycle) {
		r->pending = true;
		return;
	}
	long acc = atol(kv_get(&o->attrs, "job_accumulation_time") ?: "0");
	if (acc > 0 && strcmp(reason, "submit") == 0) {
		if (!r->pending) {
			r->pending = true;
			r->pending_since = corral_mono_ms();
		}
		return; /* sched_tick sends it once the time passed */
	}
	r->send_now = true;
	(void)s;
}

void sched_resnapshot_all(struct server *s)
{
	for (struct obj *o = s->objs[OBJ_SCHED]; o; o = o->next)
		if (o->srt && o->srt->c)
			o->srt->snapshot = true;
}

void sched_trigger_job(struct server *s, struct job *j, const char *reason)
{
	if (s->nsched_conns)
		trigger(s, sched_of_job(s, j), reason);
}

void sched_trigger_node(struct server *s, struct obj *n, const char *reason)
{
	if (s->nsched_conns)
		trigger(s, sched_of_node(s, n), reason);
}

void sched_trigger_all(struct server *s, const char *reason)
{
	if (!s->nsched_conns)
		return;
	for (struct obj *o = s->objs[OBJ_SCHED]; o; o = o->next)
		trigger(s, o, reason);
}

/* ---- ops ------------------------------------------------------------------- */

void h_sched_register(struct conn *c, json_int_t id, json_t *msg)
{
	struct server *s = c->srv;
	const char *name = json_string_value(json_object_get(msg, "name"));
	struct obj *o = name ? obj_find(s, OBJ_SCHED, name) : NULL;
	if (!o) {
		conn_reply_err(c, id, ENOENT, PBSE_UNKSCHED, "Unknown sched %s",
			       name ? name : "(no name)");
		return;
	}
	struct sched_rt *r = rt_of(o);
	if (r->c && r->c != c) {
		conn_reply_err(c, id, EBUSY, PBSE_SCHEDEXIST,
			       "sched %s is already registered by another connection (%s)", name,
			       r->c->peer);
		return;
	}
	if (c->sched && c->sched != o) {
		conn_reply_err(c, id, EALREADY, PBSE_IVALREQ, "this connection is sched %s",
			       c->sched->name);
		return;
	}
	r->c = c;
	c->sched = o;
	s->nsched_conns++;
	r->in_cycle = false;
	r->snapshot = true;
	kv_set(&o->attrs, "state", "idle");
	snprintf(r->reason, sizeof r->reason, "first");
	r->send_now = true;
	corral_log(LOG_NOTICE, "sched", "scheduler %s registered from %s", name, c->peer);
	conn_reply(c, json_pack("{s:I,s:b,s:s}", "id", id, "ok", 1, "sched", name), false);
}

void sched_conn_closed(struct conn *c)
{
	struct server *s = c->srv;
	struct obj *o = c->sched;
	c->sched = NULL;
	if (!o || !o->srt || o->srt->c != c)
		return;
	o->srt->c = NULL;
	o->srt->in_cycle = false;
	s->nsched_conns--;
	kv_set(&o->attrs, "state", "down");
	corral_log(LOG_NOTICE, "sched", "scheduler %s disconnected", o->name);
}

/* One run of a sched.run batch (applied in slices: conn_bulk). */
static json_t *apply_run(struct conn *c, json_t *msg, json_t *run)
{
	struct server *s = c->srv;
	const char *jid = json_string_value(json_object_get(run, "job"));
	const char *ev = json_string_value(json_object_get(run, "exec_vnode"));
	corral_error_t err = {0};
	int pbs = 0, rc = 0;
	int64_t seq = jid ? job_parse_id(s, jid) : -1;
	struct job *j = seq >= 0 ? job_lookup(s, seq) : NULL;
	(void)msg;
	if (!j) {
		pbs = PBSE_UNKJOBID;
		rc = corral_errorf(&err, ENOENT, "Unknown Job Id %s", jid ? jid : "?");
	} else if (!ev) {
		pbs = PBSE_IVALREQ;
		rc = corral_errorf(&err, EINVAL, "a run needs \"exec_vnode\"");
	} else if (j->state != 'Q') {
		pbs = PBSE_BADSTATE;
		rc = corral_errorf(&err, EBUSY, "job is not queued (state %c)", j->state);
	} else if (!c->sched || sched_of_job(s, j) != c->sched) {
		pbs = PBSE_PERM;
		rc = corral_errorf(&err, EPERM, "job is not in the partitions of sched %s",
				   c->sched ? c->sched->name : "(none)");
	} else {
		rc = node_start_job(s, j, ev, &pbs, &err);
	}
	json_t *r = json_pack("{s:s,s:b}", "job", jid ? jid : "?", "ok", rc == 0);
	if (rc < 0)
		json_object_set_new(r, "error", corral_msg_errobj(err.code ? err.code : EIO, pbs, "%s",
							 err.text));
	return r;
}

void h_sched_run(struct conn *c, json_int_t id, json_t *msg)
{
	json_t *runs = json_object_get(msg, "runs");
	if (!c->sched) {
		conn_reply_err(c, id, EPROTO, PBSE_IVALREQ, "register first (sched.register)");
		return;
	}
	if (!json_is_array(runs)) {
		conn_reply_err(c, id, EINVAL, PBSE_IVALREQ, "sched.run needs \"runs\" (array)");
		return;
	}
	conn_bulk(c, id, msg, runs, apply_run);
}

void h_sched_cycle_end(struct conn *c, json_int_t id, json_t *msg)
{
	struct server *s = c->srv;
	struct obj *o = c->sched;
	if (!o) {
		conn_reply_err(c, id, EPROTO, PBSE_IVALREQ, "register first (sched.register)");
		return;
	}
	struct sched_rt *r = rt_of(o);
	json_t *stats = json_object_get(msg, "stats");
	if (stats) {
		char *text = json_dumps(stats, JSON_COMPACT);
		kv_set(&o->attrs, "last_cycle", text);
		free(text);
	}
	r->in_cycle = false;
	kv_set(&o->attrs, "state", "idle");
	if (r->pending && !r->pending_since)
		r->send_now = true;
	else if (r->pending) { /* accumulation time still running */
		r->in_cycle = false;
	}
	conn_reply(c, corral_msg_ok(id), false);
	(void)s;
}

/* ---- local scheduler processes ------------------------------------------------ */

static bool is_local(struct obj *o)
{
	const char *h = kv_get(&o->attrs, "sched_host");
	if (!h || !*h)
		return true;
	size_t n = strlen(corral_hostname());
	return strcmp(h, corral_hostname()) == 0 ||
	       (strncmp(h, corral_hostname(), n) == 0 && h[n] == '.') || strcmp(h, "localhost") == 0;
}

static void on_proc_closed(uv_handle_t *h)
{
	struct sched_rt *r = h->data;
	r->proc_closing = false;
	if (!r->o) /* its sched object was deleted meanwhile */
		free(r);
}

static void close_proc(struct sched_rt *r)
{
	r->proc_running = false;
	r->proc_closing = true;
	uv_close((uv_handle_t *)&r->proc, on_proc_closed);
}

static void on_sched_exit(uv_process_t *p, int64_t status, int sig)
{
	struct sched_rt *r = p->data;
	if (!r->o) { /* its sched was deleted: reaped, now let it go */
		close_proc(r);
		return;
	}
	r->proc_running = false;
	time_t now = time(NULL);
	corral_log(LOG_WARNING, "sched", "scheduler %s exited (status %lld, signal %d)",
		   r->o->name, (long long)status, sig);
	r->deaths = now - r->last_start < 60 ? r->deaths + 1 : 1;
	int delay = 1 << (r->deaths < 5 ? r->deaths : 5); /* 2 .. 32 s */
	r->restart_at = now + delay;
	if (r->deaths >= 5) {
		char comment[160];
		snprintf(comment, sizeof comment,
			 "scheduler keeps dying (%d times within a minute); retrying every %d s",
			 r->deaths, delay);
		kv_set(&r->o->attrs, "comment", comment);
		kv_set(&r->o->attrs, "state", "down");
	}
	close_proc(r);
}

static void start_proc(struct server *s, struct sched_rt *r)
{
	if (!sched_exe || r->proc_running || r->proc_closing)
		return;
	char *log = xasprintf("%s/log/sched-%s.log", corral_home(), r->o->name);
	char *args[] = {sched_exe, "--name", r->o->name, "--log", log, NULL};
	uv_process_options_t opt = {0};
	uv_stdio_container_t stdio[3] = {{.flags = UV_IGNORE}, {.flags = UV_IGNORE},
					 {.flags = UV_INHERIT_FD, .data.fd = 2}};
	opt.file = sched_exe;
	opt.args = args;
	opt.exit_cb = on_sched_exit;
	opt.stdio = stdio;
	opt.stdio_count = 3;
	r->proc.data = r;
	int rc = uv_spawn(s->loop, &r->proc, &opt);
	free(log);
	r->last_start = time(NULL);
	r->restart_at = 0;
	if (rc < 0) {
		corral_log(LOG_ERR, "sched", "cannot start %s: %s", sched_exe, uv_strerror(rc));
		close_proc(r);
		r->restart_at = time(NULL) + 30;
		return;
	}
	r->proc_running = true;
	corral_log(LOG_NOTICE, "sched", "started scheduler %s (pid %d)", r->o->name, r->proc.pid);
}

void sched_init(struct server *s)
{
	/* Tells the schedulers this server starts that it is their server
	 * (they stop when it dies; a restarted server starts its own). */
	char pid[24];
	snprintf(pid, sizeof pid, "%d", (int)getpid());
	setenv("CORRAL_SERVER_PID", pid, 1);
	const char *exe = getenv("CORRAL_SCHED_EXE");
	if (exe && (!*exe || !strcmp(exe, "none"))) {
		sched_exe = NULL;
	} else if (exe) {
		sched_exe = xstrdup(exe);
	} else {
		char self[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
		if (n > 0) {
			self[n] = '\0';
			char *slash = strrchr(self, '/');
			if (slash)
				*slash = '\0';
			sched_exe = xasprintf("%s/corral-sched", self);
			if (access(sched_exe, X_OK) != 0) {
				corral_log(LOG_NOTICE, "sched", "no %s: schedulers are not started",
					   sched_exe);
				free(sched_exe);
				sched_exe = NULL;
			}
		}
	}
	for (struct obj *o = s->objs[OBJ_SCHED]; o; o = o->next) {
		struct sched_rt *r = rt_of(o);
		kv_set(&o->attrs, "state", "down");
		r->next_timer = time(NULL) + 600;
		if (is_local(o) && sched_scheduling(s, o))
			r->restart_at = time(NULL); /* at the first tick */
	}
}

void sched_tick(struct server *s, time_t now)
{
	for (struct obj *o = s->objs[OBJ_SCHED]; o; o = o->next) {
		struct sched_rt *r = rt_of(o);
		if (!r->proc_running && r->restart_at && now >= r->restart_at && is_local(o) &&
		    !s->shutting_down)
			start_proc(s, r);
		if (!r->c)
			continue;
		if (!r->in_cycle && now >= r->next_timer) {
			if (!r->reason[0])
				snprintf(r->reason, sizeof r->reason, "timer");
			r->send_now = true;
		}
		if (r->pending && r->pending_since && !r->in_cycle) {
			long acc = atol(kv_get(&o->attrs, "job_accumulation_time") ?: "0");
			if (corral_mono_ms() - r->pending_since >= (uint64_t)acc * 1000) {
				r->pending_since = 0;
				r->send_now = true;
			}
		}
	}
}

void sched_shutdown(struct server *s)
{
	for (struct obj *o = s->objs[OBJ_SCHED]; o; o = o->next) {
		struct sched_rt *r = o->srt;
		if (!r)
			continue;
		if (r->c && !r->c->closing)
			conn_push(r->c, json_pack("{s:s}", "op", "sched.quit"));
		if (r->proc_running) {
			uv_process_kill(&r->proc, SIGTERM);
			close_proc(r);
		}
	}
}

void sched_obj_created(struct server *s, struct obj *o)
{
	struct sched_rt *r = rt_of(o);
	kv_set(&o->attrs, "state", "down");
	r->next_timer = time(NULL) + 600;
	if (is_local(o) && sched_scheduling(s, o))
		r->restart_at = time(NULL);
}

void sched_obj_changed(struct server *s, struct obj *o, bool partitions)
{
	struct sched_rt *r = rt_of(o);
	r->configure = true;
	/* New partitions: its mirror starts over from a snapshot. */
	if (partitions)
		r->snapshot = true;
	if (sched_scheduling(s, o)) {
		if (!r->proc_running && is_local(o) && !r->restart_at)
			r->restart_at = time(NULL);
		trigger(s, o, "qmgr");
	}
}

void sched_obj_deleting(struct server *s, struct obj *o)
{
	struct sched_rt *r = o->srt;
	(void)s;
	if (!r)
		return;
	if (r->c && !r->c->closing)
		conn_push(r->c, json_pack("{s:s}", "op", "sched.quit"));
	/* SIGTERM; the exit callback reaps it and frees what is left (the
	 * handle stays open until then, or the child would stay a zombie). */
	if (r->proc_running)
		uv_process_kill(&r->proc, SIGTERM);
	r->restart_at = 0;
}

void sched_rt_free(struct obj *o)
{
	if (!o->srt)
		return;
	if (o->srt->c)
		o->srt->c->sched = NULL;
	o->srt->o = NULL;
	/* A process still running or closing frees it when done. */
	if (!o->srt->proc_closing && !o->srt->proc_running)
		free(o->srt);
	o->srt = NULL;
}
