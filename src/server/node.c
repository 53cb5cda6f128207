/* node.c - see node.h.  Also the life of a running job: qrun (job.run)
 * places it and pushes job.launch; node.job_events moves it to R and then
 * to F (or back to Q); failed nodes requeue or end their jobs. */
#include "src/server/node.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/common/buf.h"
#include "src/common/log.h"
#include "src/common/resource.h"
#include "src/common/util.h"
#include "src/proto/msg.h"
#include "src/server/acct.h"
#include "src/server/conn.h"
#include "src/server/dispatch.h"
#include "src/server/job.h"
#include "src/server/objects.h"
#include "src/server/sched.h"
#include "src/server/txn.h"
#include "src/store/store.h"

/* Resources the server tracks per vnode. */
enum { R_NCPUS, R_MEM, R_NGPUS, R_N };
static const char *const rnames[R_N] = {"ncpus", "mem", "ngpus"};

struct vnode_rt {
	struct daemon *d;     /* serving daemon, NULL when none is connected */
	struct kv reported;   /* what the daemon reported (resources_available.*, attrs) */
	char live[32];        /* free, job-busy, down, state-unknown,down */
	char comment[160];    /* server's comment (down since ...) */
	uint64_t avail[R_N];  /* effective resources_available */
	uint64_t used[R_N];   /* resources_assigned */
	int njobs;            /* jobs holding part of this vnode */
	struct {
		int64_t seq;
		uint64_t ncpus;
	} *jobs;              /* who holds what, for the "jobs" attribute */
	size_t njobslots, capjobslots;
	bool excl;            /* a job holds it exclusively */
	time_t last_change;   /* last_state_change_time */
	time_t last_heard;    /* last heartbeat (or server start) */
};

struct daemon {
	struct conn *c;
	char host[64];
	char exec[8];            /* real or sim */
	struct obj **vnodes;     /* the vnodes it serves */
	size_t nvnodes;
	time_t last_heard;
	bool reconciled;         /* lost jobs checked after register */
	int64_t *suspects;       /* jobs running there at register it did not report */
	size_t nsuspects;
	int64_t *stale;          /* jobs it reported at register that do not run there (an
				  * earlier run, killed): their events are ignored and they do
				  * not start there until it reports them ended */
	size_t nstale;
	struct daemon *next;
};

static struct server *g_srv; /* for change notices from helpers without it */

static uint64_t parse_res(int r, const char *v)
{
	if (!v)
		return 0;
	if (r == R_MEM) {
		uint64_t b;
		corral_error_t e;
		return corral_size_parse(v, &b, &e) == 0 ? b : 0;
	}
	return strtoull(v, NULL, 10);
}

static struct vnode_rt *rt_of(struct obj *n)
{
	if (!n->rt) {
		n->rt = xcalloc(1, sizeof *n->rt);
		snprintf(n->rt->live, sizeof n->rt->live, "state-unknown,down");
		n->rt->last_change = time(NULL);
		n->rt->last_heard = time(NULL);
	}
	return n->rt;
}

/* Effective resources_available: what an admin set wins over reports. */
static const char *avail_attr(struct obj *n, const char *name)
{
	const char *v = kv_get(&n->attrs, name);
	if (!v && n->rt)
		v = kv_get(&n->rt->reported, name);
	return v;
}

static void refresh_avail(struct obj *n)
{
	struct vnode_rt *rt = rt_of(n);
	char key[64];
	for (int r = 0; r < R_N; r++) {
		snprintf(key, sizeof key, "resources_available.%s", rnames[r]);
		rt->avail[r] = parse_res(r, avail_attr(n, key));
	}
}

static bool is_offline(struct obj *n)
{
	const char *st = kv_get(&n->attrs, "state");
	return st && strstr(st, "offline");
}

static void set_live(struct obj *n, const char *state, const char *comment)
{
	struct vnode_rt *rt = rt_of(n);
	if (strcmp(rt->live, state) != 0) {
		/* A vnode coming up adds capacity: worth a cycle.  (Busy vnodes
		 * freeing up come with a job end, which triggers one anyway.) */
		bool up = strstr(rt->live, "down") && !strstr(state, "down");
		snprintf(rt->live, sizeof rt->live, "%s", state);
		rt->last_change = time(NULL);
		if (g_srv && up)
			sched_trigger_node(g_srv, n, "node");
	}
	if (g_srv)
		sched_node_changed(g_srv, n);
	if (comment)
		snprintf(rt->comment, sizeof rt->comment, "%s", comment);
	(void)0;
}

/* free or job-busy from usage, when a daemon serves it. */
static void update_busy(struct obj *n)
{
	struct vnode_rt *rt = rt_of(n);
	if (!rt->d)
		return;
	bool full = rt->excl || (rt->avail[R_NCPUS] > 0 && rt->used[R_NCPUS] >= rt->avail[R_NCPUS]);
	set_live(n, full ? (rt->excl ? "job-exclusive" : "job-busy") : "free", NULL);
}

void node_rt_free(struct obj *n)
{
	if (!n->rt)
		return;
	kv_clear(&n->rt->reported);
	free(n->rt->jobs);
	free(n->rt);
	n->rt = NULL;
}

int node_can_delete(struct server *s, struct obj *n)
{
	(void)s;
	if (n->rt && n->rt->njobs > 0)
		return -EBUSY;
	if (n->rt && n->rt->d) { /* the daemon keeps serving its other vnodes */
		struct daemon *d = n->rt->d;
		for (size_t i = 0; i < d->nvnodes; i++)
			if (d->vnodes[i] == n) {
				d->vnodes[i] = d->vnodes[--d->nvnodes];
				break;
			}
	}
	node_rt_free(n);
	return 0;
}

/* ---- exec_vnode: "(vn1:ncpus=2:mem=1gb)+(vn2:ncpus=2)" -------------- */

struct chunk_use {
	struct obj *n;
	uint64_t use[R_N];
};

/* Parse a job's exec_vnode into uses; returns the count (0 on error). */
static size_t parse_exec_vnode(struct server *s, const char *ev, struct chunk_use **out)
{
	size_t cap = 4, n = 0;
	struct chunk_use *u = xcalloc(cap, sizeof *u);
	const char *p = ev;
	while (p && *p) {
		if (*p == '+')
			p++;
		if (*p != '(')
			break;
		const char *e = strchr(p, ')');
		if (!e)
			break;
		char *chunk = xstrndup(p + 1, (size_t)(e - p - 1));
		char *save = NULL;
		char *name = strtok_r(chunk, ":", &save);
		struct obj *node = name ? obj_find(s, OBJ_NODE, name) : NULL;
		if (node) {
			if (n == cap) {
				cap *= 2;
				u = xrealloc(u, cap * sizeof *u);
			}
			memset(&u[n], 0, sizeof u[n]);
			u[n].n = node;
			for (char *kvp; (kvp = strtok_r(NULL, ":", &save));) {
				char *eq = strchr(kvp, '=');
				if (!eq)
					continue;
				*eq = '\0';
				for (int r = 0; r < R_N; r++)
					if (!strcmp(kvp, rnames[r]))
						u[n].use[r] = parse_res(r, eq + 1);
			}
			n++;
		}
		free(chunk);
		p = e + 1;
	}
	*out = u;
	return n;
}

static void hold_resources(struct server *s, struct job *j, int sign)
{
	struct chunk_use *u = NULL;
	const char *ev = kv_get(&j->attrs, "exec_vnode");
	size_t n = ev ? parse_exec_vnode(s, ev, &u) : 0;
	const char *place = kv_get(&j->attrs, "Resource_List.place");
	bool excl = place && strstr(place, "excl");
	for (size_t i = 0; i < n; i++) {
		struct vnode_rt *rt = rt_of(u[i].n);
		if (sign > 0) {
			if (rt->njobslots == rt->capjobslots) {
				rt->capjobslots = rt->capjobslots ? 2 * rt->capjobslots : 4;
				rt->jobs = xrealloc(rt->jobs, rt->capjobslots * sizeof *rt->jobs);
			}
			rt->jobs[rt->njobslots].seq = j->seq;
			rt->jobs[rt->njobslots++].ncpus = u[i].use[R_NCPUS];
		} else {
			for (size_t k = 0; k < rt->njobslots; k++)
				if (rt->jobs[k].seq == j->seq) {
					rt->jobs[k] = rt->jobs[--rt->njobslots];
					break;
				}
		}
		for (int r = 0; r < R_N; r++) {
			if (sign > 0)
				rt->used[r] += u[i].use[r];
			else
				rt->used[r] = rt->used[r] > u[i].use[r] ? rt->used[r] - u[i].use[r] : 0;
		}
		bool first_of_node = true;
		for (size_t k = 0; k < i; k++)
			if (u[k].n == u[i].n)
				first_of_node = false;
		if (first_of_node) {
			rt->njobs += sign;
			if (excl)
				rt->excl = sign > 0;
		}
		update_busy(u[i].n);
	}
	free(u);
}

void node_init(struct server *s)
{
	g_srv = s;
	for (struct obj *n = s->objs[OBJ_NODE]; n; n = n->next) {
		rt_of(n);
		refresh_avail(n);
	}
	for (struct job *j = job_first(s); j; j = j->next)
		if (j->state == 'R' || j->state == 'E')
			hold_resources(s, j, +1);
}

static struct obj *first_vnode(struct server *s, struct job *j)
{
	const char *ev = kv_get(&j->attrs, "exec_vnode");
	if (!ev || ev[0] != '(')
		return NULL;
	size_t l = strcspn(ev + 1, ":)");
	char name[128];
	if (l >= sizeof name)
		return NULL;
	memcpy(name, ev + 1, l);
	name[l] = '\0';
	return obj_find(s, OBJ_NODE, name);
}

/* ---- the end of a run ------------------------------------------------ */

static const char *jid(struct server *s, struct job *j)
{
	static char buf[64];
	return job_id(s, j, buf, sizeof buf);
}

/* Accounting fields every S/E/R record carries, in PBS order; one pass
 * over the job's attributes. */
static void acct_common(struct server *s, struct job *j, struct corral_buf *b)
{
	const char *egroup = "", *name = "", *ctime_ = "0", *qtime = "0", *etime = "0";
	const char *stime = NULL, *ehost = "", *evnode = "";
	char user[64];
	(void)s;
	for (const char *k = kv_first(&j->attrs); k; k = kv_next(&j->attrs, k)) {
		const char *v = kv_val(k);
		switch (k[0]) {
		case 'e':
			if (!strcmp(k, "egroup"))
				egroup = v;
			else if (!strcmp(k, "etime"))
				etime = v;
			else if (!strcmp(k, "exec_host"))
				ehost = v;
			else if (!strcmp(k, "exec_vnode"))
				evnode = v;
			break;
		case 'J':
			if (!strcmp(k, "Job_Name"))
				name = v;
			break;
		case 'c':
			if (!strcmp(k, "ctime"))
				ctime_ = v;
			break;
		case 'q':
			if (!strcmp(k, "qtime"))
				qtime = v;
			break;
		case 's':
			if (!strcmp(k, "stime"))
				stime = v;
			break;
		}
	}
	buf_printf(b, "user=%s group=%s jobname=%s queue=%s ctime=%s qtime=%s etime=%s",
		   job_owner_user(j, user, sizeof user), egroup, name, j->queue ? j->queue->name : "",
		   ctime_, qtime, etime);
	if (stime)
		buf_printf(b, " start=%s", stime);
	buf_printf(b, " exec_host=%s exec_vnode=%s", ehost, evnode);
	for (const char *k = kv_first(&j->attrs); k; k = kv_next(&j->attrs, k))
		if (k[0] == 'R' && !strncmp(k, "Resource_List.", 14))
			buf_printf(b, " %s=%s", k, kv_val(k));
}

/* The job stopped running: back to Q (requeue) or finished (F). */
static void run_ended(struct server *s, struct job *j, int exit_status, json_t *used,
		      const char *comment, bool requeue)
{
	time_t now = time(NULL);
	hold_resources(s, j, -1);
	sched_trigger_job(s, j, "job_end");
	const char *k;
	json_t *v;
	json_object_foreach(used, k, v)
	{
		char key[80];
		if (json_is_string(v)) {
			snprintf(key, sizeof key, "resources_used.%s", k);
			kv_set(&j->attrs, key, json_string_value(v));
		}
	}
	if (comment && *comment)
		kv_set(&j->attrs, "comment", comment);
	kv_setf(&j->attrs, "mtime", "%lld", (long long)now);
	kv_set(&j->attrs, "_deleting", NULL);
	kv_set(&j->attrs, "_rerun", NULL);
	struct corral_buf b;
	buf_init(&b);
	if (requeue) {
		acct_common(s, j, &b);
		buf_append(&b, "", 1);
		acct_record(s, 'R', jid(s, j), "%s", b.data);
		kv_set(&j->attrs, "exec_host", NULL);
		kv_set(&j->attrs, "exec_vnode", NULL);
		kv_set(&j->attrs, "session_id", NULL);
		kv_setf(&j->attrs, "qtime", "%lld", (long long)now);
		const char *h = kv_get(&j->attrs, "Hold_Types");
		if (h && strcmp(h, "n") != 0)
			job_set_state(s, j, 'H', SUB_HELD);
		else
			job_set_state(s, j, 'Q', SUB_QUEUED);
		job_save(s, j);
		buf_free(&b);
		return;
	}
	kv_setf(&j->attrs, "Exit_status", "%d", exit_status);
	kv_setf(&j->attrs, "obittime", "%lld", (long long)now);
	kv_setf(&j->attrs, "history_timestamp", "%lld", (long long)now);
	acct_common(s, j, &b);
	buf_printf(&b, " session=%s end=%lld Exit_status=%d", kv_get(&j->attrs, "session_id") ?: "0",
		   (long long)now, exit_status);
	for (const char *ak = kv_first(&j->attrs); ak; ak = kv_next(&j->attrs, ak))
		if (!strncmp(ak, "resources_used.", 15))
			buf_printf(&b, " %s=%s", ak, kv_val(ak));
	buf_printf(&b, " run_count=%s", kv_get(&j->attrs, "run_count") ?: "1");
	buf_append(&b, "", 1);
	acct_record(s, 'E', jid(s, j), "%s", b.data);
	buf_free(&b);
	j->hist_time = now;
	job_set_state(s, j, 'F', exit_status == 0 ? SUB_FINISHED : SUB_FAILED);
	if (!srv_attr_bool(s, "job_history_enable", true)) {
		if (txn_begin(s) == 0)
			store_job_del(s->store, j->seq);
		txn_touch_job(s, j->seq);
		job_free(s, j);
		return;
	}
	job_save(s, j);
}

/* A node failed with j on it: rerunnable jobs go back to Q, others end. */
static void run_lost(struct server *s, struct job *j, const char *why)
{
	const char *rr = kv_get(&j->attrs, "Rerunable");
	char comment[200];
	if (!rr || strcmp(rr, "False") != 0) {
		snprintf(comment, sizeof comment, "Requeued: %s", why);
		corral_log(LOG_NOTICE, "job", "%s: %s", jid(s, j), comment);
		run_ended(s, j, 0, NULL, comment, true);
	} else {
		snprintf(comment, sizeof comment, "Job failed: %s (not rerunnable)", why);
		corral_log(LOG_NOTICE, "job", "%s: %s", jid(s, j), comment);
		run_ended(s, j, -3, NULL, comment, false);
	}
}

void node_end_job(struct server *s, struct job *j, int exit_status, const char *comment)
{
	run_ended(s, j, exit_status, NULL, comment, false);
}

void node_refresh(struct obj *n)
{
	refresh_avail(n);
	update_busy(n);
}

/* ---- daemons --------------------------------------------------------- */

static void daemon_unlink(struct server *s, struct daemon *d)
{
	struct daemon **pp = &s->daemons;
	while (*pp && *pp != d)
		pp = &(*pp)->next;
	if (*pp)
		*pp = d->next;
	for (size_t i = 0; i < d->nvnodes; i++)
		if (d->vnodes[i]->rt && d->vnodes[i]->rt->d == d) {
			d->vnodes[i]->rt->d = NULL;
			d->vnodes[i]->rt->last_heard = d->last_heard;
		}
	free(d->vnodes);
	free(d->suspects);
	free(d->stale);
	free(d);
}

static bool is_stale(const struct daemon *d, int64_t seq)
{
	for (size_t i = 0; d && i < d->nstale; i++)
		if (d->stale[i] == seq)
			return true;
	return false;
}

void node_conn_closed(struct conn *c)
{
	struct server *s = c->srv;
	struct daemon *d = c->daemon;
	c->daemon = NULL;
	if (!d)
		return;
	/* The vnodes stay as they are until node_timeout passes without the
	 * daemon coming back: a restarted daemon re-adopts its jobs. */
	corral_log(LOG_NOTICE, "node", "daemon on %s (%zu vnodes) disconnected", d->host,
		   d->nvnodes);
	daemon_unlink(s, d);
}

static void push(struct daemon *d, json_t *msg)
{
	if (d && d->c && !d->c->closing)
		conn_push(d->c, msg);
	else
		json_decref(msg);
}

int node_kill_job(struct server *s, struct job *j, const char *reason)
{
	struct obj *n = first_vnode(s, j);
	struct daemon *d = n && n->rt ? n->rt->d : NULL;
	if (!d)
		return -ENOTCONN;
	const char *kd = j->queue ? kv_get(&j->queue->attrs, "kill_delay") : NULL;
	push(d, json_pack("{s:s,s:s,s:s,s:i}", "op", "job.kill", "job", jid(s, j), "reason", reason,
			  "kill_delay", kd ? atoi(kd) : 10));
	return 0;
}

int node_signal_job(struct server *s, struct job *j, const char *sig)
{
	struct obj *n = first_vnode(s, j);
	struct daemon *d = n && n->rt ? n->rt->d : NULL;
	if (!d)
		return -ENOTCONN;
	push(d, json_pack("{s:s,s:s,s:s}", "op", "job.signal", "job", jid(s, j), "signal", sig));
	return 0;
}

/* Jobs the server runs whose first vnode is served by d. */
static bool job_on_daemon(struct server *s, struct job *j, struct daemon *d)
{
	struct obj *n = first_vnode(s, j);
	return n && n->rt && n->rt->d == d;
}

static bool reported(json_t *jobs, const char *id)
{
	size_t i;
	json_t *e;
	json_array_foreach(jobs, i, e)
	{
		const char *r = json_string_value(json_object_get(e, "id"));
		if (r && strcmp(r, id) == 0)
			return true;
	}
	return false;
}

void h_node_register(struct conn *c, json_int_t id, json_t *msg)
{
	struct server *s = c->srv;
	const char *host = json_string_value(json_object_get(msg, "host"));
	const char *exec = json_string_value(json_object_get(msg, "exec"));
	json_t *vnodes = json_object_get(msg, "vnodes");
	json_t *jobs = json_object_get(msg, "jobs");
	if (!host || !json_is_array(vnodes) || json_array_size(vnodes) == 0 ||
	    (jobs && !json_is_array(jobs))) {
		conn_reply_err(c, id, EINVAL, PBSE_IVALREQ,
			       "node.register needs \"host\" and \"vnodes\" (non-empty array)");
		return;
	}
	if (c->daemon) {
		conn_reply_err(c, id, EALREADY, PBSE_IVALREQ, "this connection already registered");
		return;
	}
	/* Check every vnode before changing anything. */
	size_t i;
	json_t *vn;
	json_array_foreach(vnodes, i, vn)
	{
		const char *name = json_string_value(json_object_get(vn, "name"));
		if (!name || !obj_name_ok(name)) {
			conn_reply_err(c, id, EINVAL, PBSE_IVAL_OBJ_NAME, "bad vnode name '%s'",
				       name ? name : "(none)");
			return;
		}
		struct obj *n = obj_find(s, OBJ_NODE, name);
		if (n && n->rt && n->rt->d && n->rt->d->c != c) {
			conn_reply_err(c, id, EBUSY, PBSE_NODEEXIST,
				       "vnode %s is served by another connected daemon (%s)", name,
				       n->rt->d->host);
			return;
		}
	}
	struct daemon *d = xcalloc(1, sizeof *d);
	d->c = c;
	snprintf(d->host, sizeof d->host, "%s", host);
	snprintf(d->exec, sizeof d->exec, "%s", exec && !strcmp(exec, "sim") ? "sim" : "real");
	d->last_heard = time(NULL);
	d->vnodes = xcalloc(json_array_size(vnodes), sizeof *d->vnodes);
	json_array_foreach(vnodes, i, vn)
	{
		const char *name = json_string_value(json_object_get(vn, "name"));
		struct obj *n = obj_find(s, OBJ_NODE, name);
		if (!n) {
			n = obj_create(s, OBJ_NODE, name);
			obj_save(s, n);
			corral_log(LOG_NOTICE, "node", "new vnode %s (host %s)", name, host);
		}
		struct vnode_rt *rt = rt_of(n);
		kv_clear(&rt->reported);
		json_t *ra = json_object_get(vn, "resources_available");
		const char *k;
		json_t *v;
		json_object_foreach(ra, k, v)
		{
			char key[96];
			char *canon = NULL;
			corral_error_t e;
			if (!json_is_string(v) || strlen(k) > 63)
				continue;
			if (corral_res_normalize(k, json_string_value(v), &canon, &e) < 0)
				continue;
			snprintf(key, sizeof key, "resources_available.%s", k);
			kv_set(&rt->reported, key, canon);
			free(canon);
		}
		char hk[96];
		snprintf(hk, sizeof hk, "resources_available.host");
		kv_set(&rt->reported, hk, host);
		kv_set(&rt->reported, "resources_available.vnode", name);
		json_t *at = json_object_get(vn, "attrs");
		json_object_foreach(at, k, v)
		{
			char key[96];
			if (!json_is_string(v) || strlen(k) > 63 || strchr(json_string_value(v), '\n'))
				continue;
			snprintf(key, sizeof key, "resources_available.%s", k);
			kv_set(&rt->reported, key, json_string_value(v));
		}
		rt->d = d;
		rt->last_heard = d->last_heard;
		rt->comment[0] = '\0';
		refresh_avail(n);
		set_live(n, "free", NULL);
		update_busy(n);
		d->vnodes[d->nvnodes++] = n;
	}
	d->next = s->daemons;
	s->daemons = d;
	c->daemon = d;

	/* Jobs the daemon still has that the server does not run there: kill. */
	json_t *j1;
	json_array_foreach(jobs, i, j1)
	{
		const char *jidtext = json_string_value(json_object_get(j1, "id"));
		int64_t seq = jidtext ? job_parse_id(s, jidtext) : -1;
		struct job *j = seq >= 0 ? job_lookup(s, seq) : NULL;
		if (!j || (j->state != 'R' && j->state != 'E') || !job_on_daemon(s, j, d)) {
			corral_log(LOG_WARNING, "node",
				   "%s reports job %s that does not run there: killing it", host,
				   jidtext ? jidtext : "?");
			/* Requeued meanwhile, the job may be run again on this very
			 * daemon: the end of the old run must not end the new one. */
			if (j && !is_stale(d, j->seq)) {
				d->stale = xrealloc(d->stale, (d->nstale + 1) * sizeof *d->stale);
				d->stale[d->nstale++] = j->seq;
			}
			push(d, json_pack("{s:s,s:s,s:s,s:i}", "op", "job.kill", "job",
					  jidtext ? jidtext : "?", "reason", "unknown", "kill_delay", 0));
		}
	}
	corral_log(LOG_NOTICE, "node", "daemon on %s registered %zu vnodes (%s)", host, d->nvnodes,
		   d->exec);
	json_t *rep = corral_msg_ok(id);
	json_object_set_new(rep, "heartbeat", json_integer(srv_attr_long(s, "node_heartbeat", 10)));
	json_object_set_new(rep, "server_name", json_string(s->name));
	conn_reply(c, rep, true);
	/* Jobs it should run but does not report are lost, unless their end
	 * event comes first: the daemon sends pending events right after
	 * registering, before its first heartbeat, which settles them. */
	for (struct job *j = job_first(s); j; j = j->next) {
		if ((j->state != 'R' && j->state != 'E') || !job_on_daemon(s, j, d) ||
		    reported(jobs, jid(s, j)))
			continue;
		d->suspects = xrealloc(d->suspects, (d->nsuspects + 1) * sizeof *d->suspects);
		d->suspects[d->nsuspects++] = j->seq;
	}
	d->reconciled = d->nsuspects == 0;
}

void h_node_heartbeat(struct conn *c, json_int_t id, json_t *msg)
{
	struct server *s = c->srv;
	struct daemon *d = c->daemon;
	(void)msg;
	if (!d) {
		conn_reply_err(c, id, EPROTO, PBSE_IVALREQ, "register first (node.register)");
		return;
	}
	d->last_heard = time(NULL);
	if (!d->reconciled) {
		d->reconciled = true;
		for (size_t i = 0; i < d->nsuspects; i++) {
			struct job *j = job_lookup(s, d->suspects[i]);
			if (j && (j->state == 'R' || j->state == 'E') && job_on_daemon(s, j, d))
				run_lost(s, j, "its node daemon restarted without it");
		}
		free(d->suspects);
		d->suspects = NULL;
		d->nsuspects = 0;
	}
	conn_reply(c, corral_msg_ok(id), true);
}

static int apply_event(struct server *s, struct daemon *d, json_t *ev, int *pbs,
		       corral_error_t *err)
{
	const char *id = json_string_value(json_object_get(ev, "id"));
	const char *what = json_string_value(json_object_get(ev, "event"));
	int64_t seq = id ? job_parse_id(s, id) : -1;
	struct job *j = seq >= 0 ? job_lookup(s, seq) : NULL;
	if (!what || (strcmp(what, "started") && strcmp(what, "ended"))) {
		*pbs = PBSE_IVALREQ;
		return corral_errorf(err, EINVAL, "event must be started or ended");
	}
	/* Events of a run the daemon had before it registered, which the
	 * server does not run there, are ignored; once that run ended the job
	 * may start there again. */
	if (j && is_stale(d, seq)) {
		if (!strcmp(what, "ended")) {
			for (size_t i = 0; i < d->nstale; i++)
				if (d->stale[i] == seq) {
					d->stale[i] = d->stale[--d->nstale];
					break;
				}
			if (j->state == 'Q')
				sched_trigger_job(s, j, "job_end");
		}
		return 0;
	}
	/* Applied once: events about jobs that are gone, finished, or not
	 * running on this daemon are acknowledged and ignored. */
	if (!j || (j->state != 'R' && j->state != 'E') || !job_on_daemon(s, j, d))
		return 0;
	if (!strcmp(what, "started")) {
		json_int_t pid = json_integer_value(json_object_get(ev, "pid"));
		if (pid > 0)
			kv_setf(&j->attrs, "session_id", "%lld", (long long)pid);
		job_set_state(s, j, 'R', SUB_RUNNING);
		return job_save(s, j);
	}
	json_t *es = json_object_get(ev, "exit_status");
	int status = json_is_integer(es) ? (int)json_integer_value(es) : -1;
	const char *comment = json_string_value(json_object_get(ev, "comment"));
	bool rerun = kv_get(&j->attrs, "_rerun") != NULL;
	run_ended(s, j, status, json_object_get(ev, "resources_used"), comment, rerun);
	return 0;
}

static json_t *event_item(struct conn *c, json_t *msg, json_t *ev)
{
	corral_error_t err = {0};
	int pbs = 0;
	const char *eid = json_string_value(json_object_get(ev, "id"));
	json_t *r = json_pack("{s:s}", "id", eid ? eid : "?");
	(void)msg;
	if (c->daemon && apply_event(c->srv, c->daemon, ev, &pbs, &err) == 0) {
		json_object_set_new(r, "ok", json_true());
	} else {
		json_object_set_new(r, "ok", json_false());
		json_object_set_new(r, "error", corral_msg_errobj(err.code ? err.code : EPROTO, pbs,
								 "%s", err.text));
	}
	return r;
}

/* Applied in slices (conn_bulk): thousands of job ends do not hold up the
 * other peers. */
void h_node_job_events(struct conn *c, json_int_t id, json_t *msg)
{
	struct daemon *d = c->daemon;
	json_t *events = json_object_get(msg, "events");
	if (!d) {
		conn_reply_err(c, id, EPROTO, PBSE_IVALREQ, "register first (node.register)");
		return;
	}
	if (!json_is_array(events)) {
		conn_reply_err(c, id, EINVAL, PBSE_IVALREQ, "node.job_events needs \"events\" (array)");
		return;
	}
	d->last_heard = time(NULL);
	conn_bulk(c, id, msg, events, event_item);
}

/* ---- placement (qrun) ------------------------------------------------ */

static bool usable(struct obj *n)
{
	return n->rt && n->rt->d && !is_offline(n) && !n->rt->excl &&
	       (strcmp(n->rt->live, "free") == 0 || strcmp(n->rt->live, "job-busy") == 0);
}

static bool fits(struct obj *n, const uint64_t need[R_N], const uint64_t extra[R_N], bool excl)
{
	struct vnode_rt *rt = n->rt;
	if (excl && (rt->njobs > 0 || extra[R_NCPUS] || extra[R_MEM] || extra[R_NGPUS]))
		return false;
	for (int r = 0; r < R_N; r++)
		if (need[r] && rt->used[r] + extra[r] + need[r] > rt->avail[r])
			return false;
	return true;
}

/* Choose vnodes for every chunk instance of j's select, on the vnodes named
 * in spec (qrun -H) or anywhere.  Builds exec_vnode/exec_host/nodefile. */
static int place_job(struct server *s, struct job *j, const char *spec, struct corral_buf *ev,
		     struct corral_buf *eh, json_t *nodefile, json_t *vnodes_out, int *pbs,
		     corral_error_t *err)
{
	struct corral_select *sel = NULL;
	const char *seltext = kv_get(&j->attrs, "Resource_List.select");
	const char *place = kv_get(&j->attrs, "Resource_List.place");
	bool excl = place && strstr(place, "excl");
	*pbs = PBSE_RESCUNAV;
	if (!seltext || corral_select_parse(seltext, &sel, err) < 0)
		return corral_errorf(err, EINVAL, "job has no usable select");
	/* Candidate vnodes: named ones, in order, or all of them. */
	struct obj **cand = NULL;
	size_t ncand = 0;
	if (spec) {
		char *copy = xstrdup(spec), *save = NULL;
		for (char *t = strtok_r(copy, "+", &save); t; t = strtok_r(NULL, "+", &save)) {
			if (*t == '(')
				t++;
			t[strcspn(t, ":)")] = '\0';
			struct obj *n = obj_find(s, OBJ_NODE, t);
			if (!n) {
				*pbs = PBSE_UNKNODE;
				corral_errorf(err, ENOENT, "Unknown node %s", t);
				free(copy);
				free(cand);
				corral_select_destroy(sel);
				return -ENOENT;
			}
			cand = xrealloc(cand, (ncand + 1) * sizeof *cand);
			cand[ncand++] = n;
		}
		free(copy);
	} else {
		for (struct obj *n = s->objs[OBJ_NODE]; n; n = n->next) {
			cand = xrealloc(cand, (ncand + 1) * sizeof *cand);
			cand[ncand++] = n;
		}
	}
	/* Tentative extra use per candidate while placing. */
	uint64_t(*extra)[R_N] = xcalloc(ncand ? ncand : 1, sizeof *extra);
	int rc = 0;
	size_t inst = 0;
	long dflt_ncpus = srv_attr_long(s, "default_chunk.ncpus", 1);
	for (int ci = 0; ci < sel->nchunks && rc == 0; ci++) {
		struct corral_chunk *ch = &sel->chunks[ci];
		uint64_t need[R_N] = {0};
		bool has_ncpus = false;
		for (int r = 0; r < ch->nres; r++)
			for (int k = 0; k < R_N; k++)
				if (!strcmp(ch->res[r].name, rnames[k])) {
					need[k] = parse_res(k, ch->res[r].value);
					has_ncpus |= k == R_NCPUS;
				}
		if (!has_ncpus)
			need[R_NCPUS] = (uint64_t)dflt_ncpus;
		for (int c = 0; c < ch->count && rc == 0; c++, inst++) {
			size_t pick = ncand;
			if (spec && ncand > 1) { /* -H a+b: chunk i on the i-th vnode */
				size_t k = inst < ncand ? inst : ncand - 1;
				if (usable(cand[k]) && fits(cand[k], need, extra[k], excl))
					pick = k;
			} else {
				for (size_t k = 0; k < ncand; k++)
					if (usable(cand[k]) && fits(cand[k], need, extra[k], excl)) {
						pick = k;
						break;
					}
			}
			if (pick == ncand) {
				rc = corral_errorf(err, EAGAIN,
						   "Insufficient resources: no %svnode with ncpus=%llu "
						   "free for chunk %zu",
						   spec ? "named " : "",
						   (unsigned long long)need[R_NCPUS], inst + 1);
				break;
			}
			for (int r = 0; r < R_N; r++)
				extra[pick][r] += need[r];
			struct obj *n = cand[pick];
			char mem[32];
			buf_printf(ev, "%s(%s:ncpus=%llu", ev->len ? "+" : "", n->name,
				   (unsigned long long)need[R_NCPUS]);
			if (need[R_MEM])
				buf_printf(ev, ":mem=%s", corral_size_format(need[R_MEM], mem, sizeof mem));
			if (need[R_NGPUS])
				buf_printf(ev, ":ngpus=%llu", (unsigned long long)need[R_NGPUS]);
			buf_printf(ev, ")");
			const char *host = avail_attr(n, "resources_available.host");
			buf_printf(eh, "%s%s/%llu*%llu", eh->len ? "+" : "", host ? host : n->name,
				   (unsigned long long)(n->rt->used[R_NCPUS] + extra[pick][R_NCPUS] -
							need[R_NCPUS]),
				   (unsigned long long)need[R_NCPUS]);
			json_array_append_new(vnodes_out,
					      json_pack("{s:s,s:I,s:s}", "name", n->name, "ncpus",
							(json_int_t)need[R_NCPUS], "mem",
							need[R_MEM] ? mem : "0b"));
			for (uint64_t k = 0; k < (need[R_NCPUS] ? need[R_NCPUS] : 1); k++)
				json_array_append_new(nodefile, json_string(host ? host : n->name));
		}
	}
	free(extra);
	free(cand);
	corral_select_destroy(sel);
	return rc;
}

/* job.launch, written as JSON text directly: at 50,000 runs a cycle the
 * message is most of a run's cost. */
static void launch(struct server *s, struct job *j, json_t *vnodes, json_t *nodefile)
{
	struct obj *first = first_vnode(s, j);
	struct daemon *d = first && first->rt ? first->rt->d : NULL;
	if (!d || !d->c || d->c->closing)
		return; /* the reconciliation at its next registration settles it */
	bool sim = !strcmp(d->exec, "sim");
	char *script = NULL;
	size_t len = 0;
	if (!sim && store_job_get_script(s->store, j->seq, &script, &len) < 0)
		script = NULL;
	static const char *pass[] = {"Job_Name", "Job_Owner", "euser", "egroup", "queue",
				     "Output_Path", "Error_Path", "Join_Path", "Keep_Files",
				     "Variable_List", "Shell_Path_List", "exec_vnode", "exec_host",
				     "umask", "sandbox"};
	struct corral_buf b;
	buf_init(&b);
	buf_append(&b, "\0\0\0\0", 4);
	buf_lit(&b, "{\"op\":\"job.launch\",\"job\":{\"id\":");
	json_escape_append(&b, jid(s, j));
	buf_lit(&b, ",\"attrs\":{");
	/* One pass over the job's attributes (not one lookup per name); a
	 * simulated node needs its resources only. */
	for (const char *k = kv_first(&j->attrs); k; k = kv_next(&j->attrs, k)) {
		bool want = !strncmp(k, "Resource_List.", 14);
		for (size_t i = 0; !want && !sim && i < sizeof pass / sizeof pass[0]; i++)
			want = k[0] == pass[i][0] && !strcmp(k, pass[i]);
		if (!want)
			continue;
		json_escape_append(&b, k);
		buf_lit(&b, ":");
		json_escape_append(&b, kv_val(k));
		buf_lit(&b, ",");
	}
	const char *kd = j->queue ? kv_get(&j->queue->attrs, "kill_delay") : NULL;
	buf_lit(&b, "\"kill_delay\":");
	json_escape_append(&b, kd ? kd : "10");
	buf_lit(&b, "},\"script\":");
	if (script) {
		/* the script may hold NUL bytes: escape through jansson */
		json_t *js = json_stringn(script, len);
		char *t = js ? json_dumps(js, JSON_ENCODE_ANY) : NULL;
		buf_printf(&b, "%s", t ? t : "\"\"");
		free(t);
		json_decref(js);
	} else {
		buf_lit(&b, "\"\"");
	}
	char *vt = json_dumps(vnodes, JSON_COMPACT);
	char *nt = sim ? NULL : json_dumps(nodefile, JSON_COMPACT);
	buf_printf(&b, ",\"vnodes\":%s,\"nodefile\":%s}}", vt, nt ? nt : "[]");
	free(vt);
	free(nt);
	free(script);
	conn_push_raw(d->c, &b);
}

/* Put j into R on the given placement and send it to its first daemon. */
static int start_job(struct server *s, struct job *j, const char *spec, int *pbs,
		     corral_error_t *err)
{
	struct corral_buf ev, eh;
	buf_init(&ev);
	buf_init(&eh);
	json_t *nodefile = json_array(), *vnodes = json_array();
	int rc = place_job(s, j, spec, &ev, &eh, nodefile, vnodes, pbs, err);
	if (rc == 0) {
		/* Not where an earlier run of it is still being ended. */
		const char *v0 = json_string_value(json_object_get(json_array_get(vnodes, 0), "name"));
		struct obj *n0 = v0 ? obj_find(s, OBJ_NODE, v0) : NULL;
		if (n0 && n0->rt && is_stale(n0->rt->d, j->seq)) {
			*pbs = PBSE_RESCUNAV;
			rc = corral_errorf(err, EAGAIN,
					   "an earlier run of %s is still being ended on %s: not yet",
					   jid(s, j), v0);
		}
	}
	if (rc == 0) {
		time_t now = time(NULL);
		buf_append(&ev, "", 1);
		buf_append(&eh, "", 1);
		kv_set(&j->attrs, "exec_vnode", ev.data);
		kv_set(&j->attrs, "exec_host", eh.data);
		kv_setf(&j->attrs, "stime", "%lld", (long long)now);
		kv_setf(&j->attrs, "mtime", "%lld", (long long)now);
		const char *rcnt = kv_get(&j->attrs, "run_count");
		kv_setf(&j->attrs, "run_count", "%d", rcnt ? atoi(rcnt) + 1 : 1);
		kv_set(&j->attrs, "Exit_status", NULL);
		kv_set(&j->attrs, "comment", NULL);
		if (srv_attr_bool(s, "eligible_time_enable", false))
			kv_set(&j->attrs, "accrue_type", "3"); /* run */
		job_set_state(s, j, 'R', SUB_PRERUN);
		hold_resources(s, j, +1);
		rc = job_save(s, j);
		struct corral_buf b;
		buf_init(&b);
		acct_common(s, j, &b);
		buf_append(&b, "", 1);
		acct_record(s, 'S', jid(s, j), "%s", b.data);
		buf_free(&b);
		launch(s, j, vnodes, nodefile);
	}
	json_decref(nodefile);
	json_decref(vnodes);
	buf_free(&ev);
	buf_free(&eh);
	return rc;
}

int node_start_job(struct server *s, struct job *j, const char *spec, int *pbs,
		   corral_error_t *err)
{
	return start_job(s, j, spec, pbs, err);
}

void h_job_run(struct conn *c, json_int_t id, json_t *msg)
{
	struct server *s = c->srv;
	const char *sid = json_string_value(json_object_get(msg, "job"));
	const char *spec = json_string_value(json_object_get(msg, "vnodes"));
	corral_error_t err = {0};
	int pbs = 0;
	int64_t seq = sid ? job_parse_id(s, sid) : -1;
	struct job *j = seq >= 0 ? job_lookup(s, seq) : NULL;
	if (!j) {
		conn_reply_err(c, id, ENOENT, PBSE_UNKJOBID, "Unknown Job Id %s", sid ? sid : "?");
		return;
	}
	if (j->state != 'Q' && j->state != 'H' && j->state != 'W') {
		conn_reply_err(c, id, EBUSY, PBSE_BADSTATE, "Request invalid for state of job %s",
			       jid(s, j));
		return;
	}
	if (start_job(s, j, spec && *spec ? spec : NULL, &pbs, &err) < 0) {
		conn_reply_err(c, id, err.code ? err.code : EIO, pbs, "%s", err.text);
		return;
	}
	conn_reply(c, corral_msg_ok(id), true);
}

/* ---- timeouts ---------------------------------------------------------- */

void node_tick(struct server *s, time_t now)
{
	long timeout = srv_attr_long(s, "node_timeout", 30);
	/* Daemons that stopped heartbeating: their vnodes go down. */
	for (struct daemon *d = s->daemons; d; d = d->next)
		for (size_t i = 0; i < d->nvnodes; i++)
			d->vnodes[i]->rt->last_heard = d->last_heard;
	for (struct obj *n = s->objs[OBJ_NODE]; n; n = n->next) {
		struct vnode_rt *rt = rt_of(n);
		if (now - rt->last_heard < timeout || strstr(rt->live, "down"))
			continue;
		char when[64], comment[160];
		corral_ctime(rt->last_heard, when, sizeof when);
		snprintf(comment, sizeof comment, "node down: no heartbeat since %s", when);
		corral_log(LOG_WARNING, "node", "%s: %s", n->name, comment);
		set_live(n, "down", comment);
		/* A daemon still connected but silent must register again (and
		 * list its jobs) before its vnodes count: drop the connection. */
		if (rt->d && rt->d->c && !rt->d->c->closing)
			conn_close(rt->d->c);
		if (rt->njobs > 0)
			for (struct job *j = job_first(s), *nx; j; j = nx) {
				nx = j->next;
				if ((j->state == 'R' || j->state == 'E') && first_vnode(s, j) == n)
					run_lost(s, j, comment);
			}
	}
	/* Nodes that never came back since the server started, with jobs. */
	for (struct obj *n = s->objs[OBJ_NODE]; n; n = n->next) {
		struct vnode_rt *rt = n->rt;
		if (rt && !rt->d && rt->njobs > 0 && now - s->started >= timeout &&
		    now - rt->last_heard >= timeout)
			for (struct job *j = job_first(s), *nx; j; j = nx) {
				nx = j->next;
				if ((j->state == 'R' || j->state == 'E') && first_vnode(s, j) == n)
					run_lost(s, j, "its node did not come back");
			}
	}
}

void node_stat_attrs(struct server *s, struct obj *n, json_t *a)
{
	struct vnode_rt *rt = rt_of(n);
	char tmp[256];
	for (const char *k = kv_first(&rt->reported); k; k = kv_next(&rt->reported, k))
		if (!kv_get(&n->attrs, k))
			json_object_set_new(a, k, json_string(kv_val(k)));
	const char *admin = kv_get(&n->attrs, "state");
	snprintf(tmp, sizeof tmp, "%s%s%s", rt->live, admin && *admin ? "," : "", admin ? admin : "");
	json_object_set_new(a, "state", json_string(tmp));
	if (rt->avail[R_NCPUS])
		json_object_set_new(a, "pcpus", json_sprintf("%llu", (unsigned long long)rt->avail[R_NCPUS]));
	for (int r = 0; r < R_N; r++) {
		char key[64];
		snprintf(key, sizeof key, "resources_assigned.%s", rnames[r]);
		if (r == R_MEM)
			json_object_set_new(a, key, json_string(corral_size_format(rt->used[r], tmp, sizeof tmp)));
		else
			json_object_set_new(a, key, json_sprintf("%llu", (unsigned long long)rt->used[r]));
	}
	if (rt->comment[0] && !kv_get(&n->attrs, "comment"))
		json_object_set_new(a, "comment", json_string(rt->comment));
	if (rt->njobslots) {
		/* PBS lists one entry per cpu: "12.vm/0, 12.vm/1, 13.vm/2" */
		struct corral_buf b;
		buf_init(&b);
		uint64_t slot = 0;
		for (size_t k = 0; k < rt->njobslots; k++)
			for (uint64_t c = 0; c < (rt->jobs[k].ncpus ? rt->jobs[k].ncpus : 1); c++)
				buf_printf(&b, "%s%lld.%s/%llu", b.len ? ", " : "",
					   (long long)rt->jobs[k].seq, s->name, (unsigned long long)slot++);
		buf_append(&b, "", 1);
		json_object_set_new(a, "jobs", json_string(b.data));
		buf_free(&b);
	}
	json_object_set_new(a, "last_state_change_time", json_sprintf("%lld", (long long)rt->last_change));
	if (rt->d)
		json_object_set_new(a, "Mom", json_string(rt->d->host));
}

