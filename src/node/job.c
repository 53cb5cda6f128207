/* job.c - see job.h.
 *
 * State of a job and who moves it:
 *
 *   job.launch --> STARTING  (record ID.JB created and locked, shepherd
 *                            forked)
 *   STARTING --> RUNNING     'S' from the shepherd / job_check(): slot 1
 *   STARTING --> ENDED       launch failure (-1, -10), or slot 2 says failed
 *   RUNNING  --> ENDED       'E' from the shepherd, SIGCHLD, poll: slot 2
 *   sim: job.launch --> RUNNING; timer or job.kill --> ENDED
 *   ENDED --> (gone)         "ended" acknowledged: ID.JB (and whatever the
 *                            shepherd did not remove) removed
 *
 * The shepherds this daemon started all write to one pipe (struct
 * shep_msg); the daemon reads it whenever it is readable and before it
 * looks at a reaped shepherd, so in the usual run of a job the daemon
 * writes one file and reads none.  Re-adopted shepherds (started by an
 * earlier daemon) are polled every second through their record file: its
 * lock held means alive, slot 2 written means ended.
 *
 * One timer per job serves its next deadline: the end of a sim job, the
 * walltime limit, or the SIGKILL that follows a SIGTERM by kill_delay.
 * Times are epoch seconds (sim: milliseconds) so a restarted daemon can
 * re-arm them from the record.
 */
#include "src/node/job.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "src/common/buf.h"
#include "src/common/kv.h"
#include "src/common/log.h"
#include "src/common/resource.h"
#include "src/common/util.h"
#include "src/node/jobenv.h"
#include "src/link/link.h"
#include "src/node/proc.h"
#include "src/node/report.h"
#include "src/node/shepherd.h"
#include "src/node/spare.h"
#include "src/node/users.h"
#include "src/proto/msg.h"

#define MAX_BATCH_EVENTS 2000
#define MAX_BATCHES_INFLIGHT 8
#define RETRY_MS 5000
#define POLL_MS 1000
#define DEFAULT_KILL_DELAY 10
#define USER_TTL_S 5.0 /* how long a user's passwd and groups are kept */
#define USER_CACHE_MAX 256

enum jstate { J_STARTING, J_RUNNING, J_ENDED };
enum ev { EV_NONE, EV_PENDING, EV_INFLIGHT, EV_DONE };
enum kill_reason { KR_NONE, KR_WALLTIME, KR_DELETE };

struct job {
	char *id;
	struct jobs *js;
	struct job *hnext;	 /* hash chain */
	struct job *prev, *next; /* js->head list */
	struct job *evnext;	 /* js->evq */
	bool in_evq;
	enum jstate state;
	bool sim;

	/* real jobs */
	pid_t shep_pid;	 /* our child's pid; 0: not our child */
	bool own_child;	 /* the shepherd is our child */
	bool shep_gone;	 /* reaped, or found dead */
	bool files_left; /* ID.SC, ID.NF or TMPDIR may still exist */
	char *spare;	 /* the spare set lent to the shepherd (spare.h) */
	bool forget;	 /* recovery: never started, drop without a word */
	bool watched;	/* polled every second */
	pid_t pid;	/* the job (process group leader); 0 before start */
	unsigned long long proc_start;
	int64_t start_ms; /* epoch ms; 0 before start */
	uid_t uid;
	gid_t gid;
	int64_t walltime_limit; /* seconds; 0: none */
	int kill_delay;
	enum kill_reason kill_reason;
	int64_t kill_ms; /* SIGTERM sent (or asked for) at, epoch ms */
	bool sigkill_sent;
	int pending_sig; /* signal asked for before the pid was known */

	/* sim jobs */
	int64_t sim_end_ms; /* epoch ms */

	/* the end */
	int exit_status;
	int64_t end_ms;
	int64_t wall_used, cput_us, mem_kb;
	char *comment;

	enum ev ev_started, ev_ended;

	uv_timer_t timer; /* next deadline */
	int handles;	  /* open handles; the job is freed at 0 once removed */
	bool removed;
};

struct batch {
	int n;
	struct {
		struct job *j;
		char kind; /* 'S' started, 'E' ended */
	} item[];
};

struct jobs {
	struct node *n;
	struct job **tab;
	size_t nbuckets, count;
	struct job *head;
	struct job *evq_head, *evq_tail;
	uv_timer_t flush; /* flushes events once per burst */
	uv_timer_t retry; /* after a refused batch */
	uv_timer_t poll;  /* watched (adopted) jobs */
	uv_signal_t sigchld;
	/* the pipe every shepherd of ours writes its struct shep_msg to */
	int notify_rd, notify_wr;
	uv_poll_t notify;
	bool notify_active;
	size_t nlen; /* bytes in nbuf (at most a partial message between reads) */
	char nbuf[16 * sizeof(struct shep_msg)];
	struct users *users;
	struct spares spares;
	int nwatched;
	int batches;	 /* in flight */
	bool recovering; /* inside jobs_recover() */
	bool destroying;
	int handles;
	void (*done_cb)(void *);
	void *done_arg;
};

static void job_arm_timer(struct job *j);
static void schedule_flush(struct jobs *js);

/* Wall clock in ms (gettimeofday, as the shepherd uses). */
static int64_t now_ms(void) { return (int64_t)(corral_now() * 1000.0); }
static void job_check(struct job *j);

/* ---- table -------------------------------------------------------------- */

static size_t hash(const char *s)
{
	size_t h = 14695981039346656037ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct job *job_lookup(struct jobs *js, const char *id)
{
	for (struct job *j = js->tab[hash(id) % js->nbuckets]; j; j = j->hnext)
		if (strcmp(j->id, id) == 0)
			return j;
	return NULL;
}

static void rehash(struct jobs *js)
{
	size_t nb = js->nbuckets * 4;
	struct job **t = xcalloc(nb, sizeof *t);
	for (struct job *j = js->head; j; j = j->next) {
		size_t b = hash(j->id) % nb;
		j->hnext = t[b];
		t[b] = j;
	}
	free(js->tab);
	js->tab = t;
	js->nbuckets = nb;
}

static struct job *job_new(struct jobs *js, const char *id)
{
	struct job *j = xcalloc(1, sizeof *j);
	j->id = xstrdup(id);
	j->js = js;
	j->kill_delay = DEFAULT_KILL_DELAY;
	uv_timer_init(js->n->loop, &j->timer);
	j->timer.data = j;
	j->handles = 1;
	if (js->count + 1 > js->nbuckets * 2)
		rehash(js);
	size_t b = hash(id) % js->nbuckets;
	j->hnext = js->tab[b];
	js->tab[b] = j;
	j->next = js->head;
	if (js->head)
		js->head->prev = j;
	js->head = j;
	js->count++;
	return j;
}

static void job_free(struct job *j)
{
	free(j->id);
	free(j->comment);
	free(j);
}

static void jobs_maybe_done(struct jobs *js)
{
	if (!js->destroying || js->handles > 0)
		return;
	void (*cb)(void *) = js->done_cb;
	void *arg = js->done_arg;
	/* our shepherds go on: their writes fail once the read end is gone */
	if (js->notify_rd >= 0)
		close(js->notify_rd);
	if (js->notify_wr >= 0)
		close(js->notify_wr);
	users_free(js->users);
	spares_free(&js->spares);
	free(js->tab);
	free(js);
	if (cb)
		cb(arg);
}

static void on_job_handle_closed(uv_handle_t *h)
{
	struct job *j = h->data;
	struct jobs *js = j->js;
	if (--j->handles == 0 && j->removed) {
		job_free(j);
		js->handles--; /* counted by job_remove */
		jobs_maybe_done(js);
	}
}

static void unwatch(struct job *j)
{
	if (j->watched) {
		j->watched = false;
		if (--j->js->nwatched == 0)
			uv_timer_stop(&j->js->poll);
	}
}

/* Unlink j from the table and lists and close its handles; it is freed
 * once they are closed. */
static void job_remove(struct job *j)
{
	struct jobs *js = j->js;
	struct job **pp = &js->tab[hash(j->id) % js->nbuckets];
	while (*pp != j)
		pp = &(*pp)->hnext;
	*pp = j->hnext;
	if (j->prev)
		j->prev->next = j->next;
	else
		js->head = j->next;
	if (j->next)
		j->next->prev = j->prev;
	if (j->in_evq) {
		struct job **q = &js->evq_head, *prev = NULL;
		while (*q != j) {
			prev = *q;
			q = &(*q)->evnext;
		}
		*q = j->evnext;
		if (js->evq_tail == j)
			js->evq_tail = prev;
		j->in_evq = false;
	}
	js->count--;
	if (j->spare) { /* its shepherd never said it gave the set back */
		spares_put_set(&js->spares, j->uid, j->spare, false);
		free(j->spare);
		j->spare = NULL;
	}
	js->handles++; /* until the job is freed */
	unwatch(j);
	j->removed = true;
	uv_timer_stop(&j->timer);
	uv_close((uv_handle_t *)&j->timer, on_job_handle_closed);
}

size_t jobs_count(const struct jobs *js) { return js->count; }

/* ---- records ------------------------------------------------------------ */

static char *jpath(struct job *j, const char *suffix, char *buf, size_t n)
{
	if (!spool_job_path(&j->js->n->spool, j->id, suffix, buf, n))
		buf[0] = '\0';
	return buf;
}

/* Slot 0 of j's record: what a restarted daemon needs to carry on. */
static int job_record_text(struct job *j, char *text, size_t n, size_t *len)
{
	struct kv kv = {0};
	kv_append(&kv, "id", j->id);
	kv_append(&kv, "exec", j->sim ? "sim" : "real");
	kv_append(&kv, "state", j->state == J_ENDED ? "ended" : "running");
	if (!j->sim) {
		kv_setf(&kv, "uid", "%u", (unsigned)j->uid);
		kv_setf(&kv, "gid", "%u", (unsigned)j->gid);
	}
	kv_setf(&kv, "start_ms", "%lld", (long long)j->start_ms);
	kv_setf(&kv, "walltime_limit", "%lld", (long long)j->walltime_limit);
	kv_setf(&kv, "kill_delay", "%d", j->kill_delay);
	if (j->kill_reason != KR_NONE) {
		kv_append(&kv, "kill_reason",
			  j->kill_reason == KR_WALLTIME ? "walltime" : "delete");
		kv_setf(&kv, "kill_ms", "%lld", (long long)j->kill_ms);
	}
	if (j->sim)
		kv_setf(&kv, "sim_end_ms", "%lld", (long long)j->sim_end_ms);
	/* a sim job's end status is decided at launch */
	if (j->state == J_ENDED || j->sim) {
		kv_setf(&kv, "exit_status", "%d", j->exit_status);
		kv_setf(&kv, "end_ms", "%lld", (long long)j->end_ms);
		kv_setf(&kv, "wall_used", "%lld", (long long)j->wall_used);
		kv_setf(&kv, "cput_us", "%lld", (long long)j->cput_us);
		kv_setf(&kv, "mem_kb", "%lld", (long long)j->mem_kb);
		if (j->comment) {
			/* kept short enough for the slot whatever it holds */
			char c[1024];
			snprintf(c, sizeof c, "%s", j->comment);
			kv_append(&kv, "comment", c);
		}
	}
	int rc = spool_kv_format(&kv, text, n, len) ? 0 : -E2BIG;
	kv_clear(&kv);
	return rc;
}

static int job_save_fd(struct job *j, int fd)
{
	char text[SPOOL_SLOT_TEXT];
	size_t len;
	int rc = job_record_text(j, text, sizeof text, &len);
	return rc < 0 ? rc : spool_slot_write(fd, SLOT_JOB, text, len);
}

static void job_save(struct job *j)
{
	char path[4096];
	int fd = open(jpath(j, ".JB", path, sizeof path),
		      O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	int rc = fd < 0 ? -errno : job_save_fd(j, fd);
	if (fd >= 0 && close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc < 0)
		corral_log_errno(LOG_ERR, rc, "job", "%s: cannot write %s", j->id, path);
}

/* ---- events ------------------------------------------------------------- */

static void ev_queue(struct job *j)
{
	struct jobs *js = j->js;
	if (j->in_evq || j->removed)
		return;
	j->in_evq = true;
	j->evnext = NULL;
	if (js->evq_tail)
		js->evq_tail->evnext = j;
	else
		js->evq_head = j;
	js->evq_tail = j;
	schedule_flush(js);
}

static json_t *event_json(struct job *j, char kind)
{
	if (kind == 'S')
		return json_pack("{s:s,s:s,s:i,s:I}", "id", j->id, "event", "started", "pid",
				 (int)j->pid, "start_time", (json_int_t)(j->start_ms / 1000));
	json_t *e =
	    json_pack("{s:s,s:s,s:i,s:I,s:o}", "id", j->id, "event", "ended", "exit_status",
		      j->exit_status, "end_time", (json_int_t)(j->end_ms / 1000), "resources_used",
		      report_resources(j->wall_used, j->cput_us, j->mem_kb)); /* o steals */
	if (j->comment && *j->comment)
		json_object_set_new(e, "comment", json_string(j->comment));
	return e;
}

static bool transient(int code)
{
	return code == EAGAIN || code == EIO || code == ENOSPC || code == ENOMEM ||
	       code == ETIMEDOUT || code == ESHUTDOWN || code == EBUSY;
}

static void on_retry(uv_timer_t *t) { schedule_flush(t->data); }

static void on_events_reply(struct link *l, json_t *rep, void *arg)
{
	struct batch *b = arg;
	struct jobs *js = NULL;
	(void)l;
	if (b->n > 0)
		js = b->item[0].j->js;
	corral_error_t whole = {0};
	bool refused = rep && corral_msg_error(rep, &whole, NULL) < 0;
	json_t *results = rep ? json_object_get(rep, "results") : NULL;
	if (refused)
		corral_log(LOG_WARNING, "job",
			   "the server refused %d job events: %s (%s); retrying", b->n, whole.text,
			   corral_errno_name(whole.code));
	bool retry = false;
	for (int i = 0; i < b->n; i++) {
		struct job *j = b->item[i].j;
		char kind = b->item[i].kind;
		enum ev *ev = kind == 'S' ? &j->ev_started : &j->ev_ended;
		json_t *r = json_array_get(results, (size_t)i);
		if (!rep || refused || !r) {
			/* lost or refused as a whole: again later */
			*ev = EV_PENDING;
			if (rep)
				retry = true;
			else
				ev_queue(j);
			continue;
		}
		const char *rid = corral_msg_str(r, "id");
		if (rid && strcmp(rid, j->id) != 0)
			corral_log(LOG_WARNING, "job", "event result %d names %s, expected %s", i,
				   rid, j->id);
		corral_error_t e = {0};
		if (corral_msg_error(r, &e, NULL) < 0) {
			if (transient(e.code)) {
				*ev = EV_PENDING;
				retry = true;
				continue;
			}
			corral_log(LOG_WARNING, "job", "%s: the server refused the %s event: %s",
				   j->id, kind == 'S' ? "started" : "ended", e.text);
		}
		*ev = EV_DONE;
		if (kind == 'E') {
			corral_log(LOG_DEBUG, "job", "%s: end acknowledged", j->id);
			/* a sim job has its record only; a real one the
			 * files its shepherd did not remove.  A record no
			 * shepherd holds any more becomes a spare. */
			char path[4096];
			if (j->files_left)
				spool_remove_job(&js->n->spool, j->id);
			else if (!(j->sim || (j->own_child && j->shep_gone)) ||
				 !spares_put_record(&js->spares, jpath(j, ".JB", path, sizeof path)))
				spool_remove_record(&js->n->spool, j->id);
			job_remove(j);
		}
	}
	if (retry && js) {
		for (int i = 0; i < b->n; i++) {
			struct job *j = b->item[i].j;
			if (!j->removed &&
			    (j->ev_started == EV_PENDING || j->ev_ended == EV_PENDING)) {
				/* queued, but flushed only by the retry timer */
				if (!j->in_evq) {
					j->in_evq = true;
					j->evnext = NULL;
					if (js->evq_tail)
						js->evq_tail->evnext = j;
					else
						js->evq_head = j;
					js->evq_tail = j;
				}
			}
		}
		if (!js->destroying)
			uv_timer_start(&js->retry, on_retry, RETRY_MS, 0);
	}
	if (js) {
		js->batches--;
		if (js->evq_head && !uv_is_active((uv_handle_t *)&js->retry))
			schedule_flush(js);
	}
	free(b);
}

static void flush_events(struct jobs *js)
{
	struct link *l = js->n->link;
	while (js->evq_head && js->batches < MAX_BATCHES_INFLIGHT && l && link_ready(l)) {
		struct batch *b = xmalloc(sizeof *b + 2 * MAX_BATCH_EVENTS * sizeof b->item[0]);
		b->n = 0;
		json_t *events = json_array();
		while (js->evq_head && b->n + 2 <= 2 * MAX_BATCH_EVENTS &&
		       json_array_size(events) < MAX_BATCH_EVENTS) {
			struct job *j = js->evq_head;
			js->evq_head = j->evnext;
			if (!js->evq_head)
				js->evq_tail = NULL;
			j->in_evq = false;
			if (j->ev_started == EV_PENDING) {
				json_array_append_new(events, event_json(j, 'S'));
				j->ev_started = EV_INFLIGHT;
				b->item[b->n].j = j;
				b->item[b->n++].kind = 'S';
			}
			/* "ended" only after "started" went (same or earlier batch) */
			if (j->ev_ended == EV_PENDING && j->ev_started != EV_PENDING) {
				json_array_append_new(events, event_json(j, 'E'));
				j->ev_ended = EV_INFLIGHT;
				b->item[b->n].j = j;
				b->item[b->n++].kind = 'E';
			}
		}
		if (b->n == 0) {
			json_decref(events);
			free(b);
			continue;
		}
		json_t *req = json_pack("{s:s,s:o}", "op", "node.job_events", "events", events);
		corral_log(LOG_DEBUG, "job", "sending %d job events", b->n);
		if (link_send(l, req, on_events_reply, b) < 0) {
			/* not ready after all: put them back */
			for (int i = 0; i < b->n; i++) {
				struct job *j = b->item[i].j;
				*(b->item[i].kind == 'S' ? &j->ev_started : &j->ev_ended) =
				    EV_PENDING;
				ev_queue(j);
			}
			free(b);
			json_decref(req);
			return;
		}
		js->batches++;
		json_decref(req);
	}
}

static void on_flush(uv_timer_t *t) { flush_events(t->data); }

static void schedule_flush(struct jobs *js)
{
	if (!js->destroying && !uv_is_active((uv_handle_t *)&js->flush))
		uv_timer_start(&js->flush, on_flush, 0, 0);
}

/* ---- state changes ------------------------------------------------------ */

static void job_started(struct job *j, pid_t pid, unsigned long long proc_start, int64_t start)
{
	if (j->state != J_STARTING)
		return;
	j->state = J_RUNNING;
	j->pid = pid;
	j->proc_start = proc_start;
	j->start_ms = start;
	j->ev_started = EV_PENDING;
	corral_log(j->js->recovering ? LOG_DEBUG : LOG_INFO, "job", "%s: started, pid %d", j->id,
		   (int)pid);
	if (j->kill_reason != KR_NONE) {
		if (pid > 0)
			kill(-pid, SIGTERM);
	} else if (j->pending_sig && pid > 0) {
		kill(-pid, j->pending_sig);
	}
	j->pending_sig = 0;
	job_arm_timer(j);
	ev_queue(j);
}

static void job_ended(struct job *j, int exit_status, int64_t end, const char *comment)
{
	if (j->state == J_ENDED)
		return;
	j->state = J_ENDED;
	j->exit_status = exit_status;
	j->end_ms = end;
	free(j->comment);
	j->comment = comment && *comment ? xstrdup(comment) : NULL;
	j->ev_ended = EV_PENDING;
	unwatch(j);
	uv_timer_stop(&j->timer);
	corral_log(LOG_INFO, "job", "%s: ended, exit status %d%s%s", j->id, exit_status,
		   j->comment ? ": " : "", j->comment ? j->comment : "");
	ev_queue(j);
}

/* A failure of ours (not the shepherd's): recorded in ID.JB. */
static void job_fail(struct job *j, int exit_status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void job_fail(struct job *j, int exit_status, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	corral_log(LOG_WARNING, "job", "%s: %s", j->id, text);
	job_ended(j, exit_status, now_ms(), text);
	job_save(j);
}

/* Finish j from what its shepherd recorded in slot 2 (or said on the
 * pipe). */
static void finish_from_exit(struct job *j, const struct shep_exit *ex)
{
	/* The comment: why it failed, or the walltime kill, else the
	 * shepherd's warnings (the job's stderr has those too). */
	char comment[1024];
	snprintf(comment, sizeof comment, "%s", ex->comment);
	int status;
	if (ex->failed) {
		status = ex->status;
	} else {
		status = report_exit_status(ex->wstatus);
		if (j->kill_reason == KR_WALLTIME) {
			int64_t used = (j->kill_ms - j->start_ms) / 1000;
			report_walltime_comment(used > j->walltime_limit ? used : j->walltime_limit,
						j->walltime_limit, comment, sizeof comment);
			status = EXIT_WALLTIME;
		}
	}
	j->wall_used =
	    j->start_ms && ex->end_ms >= j->start_ms ? (ex->end_ms - j->start_ms) / 1000 : 0;
	j->cput_us = ex->utime_us + ex->stime_us;
	j->mem_kb = ex->maxrss_kb;
	j->files_left = !ex->cleaned;
	if (j->spare) {
		spares_put_set(&j->js->spares, j->uid, j->spare, ex->spared);
		free(j->spare);
		j->spare = NULL;
	}
	if (j->state == J_STARTING)
		j->state = J_RUNNING; /* failed before it ran: ended without started */
	job_ended(j, status, ex->end_ms ? ex->end_ms : now_ms(), comment);
}

static void on_poll(uv_timer_t *t)
{
	struct jobs *js = t->data;
	for (struct job *j = js->head, *next; j; j = next) {
		next = j->next;
		if (j->watched)
			job_check(j);
	}
}

static void watch(struct job *j)
{
	if (j->watched || j->state == J_ENDED)
		return;
	j->watched = true;
	if (j->js->nwatched++ == 0)
		uv_timer_start(&j->js->poll, on_poll, POLL_MS, POLL_MS);
}

/* Look at the record file and processes of a real job and move it on. */
static void job_check(struct job *j)
{
	char path[4096];
	if (j->sim || j->state == J_ENDED)
		return;
	if (j->own_child && !j->shep_gone)
		return; /* our shepherd runs: its messages and SIGCHLD tell */
	int fd = open(jpath(j, ".JB", path, sizeof path), O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (j->state == J_STARTING)
			j->state = J_RUNNING;
		job_fail(j, EXIT_INITABT, "job lost: cannot read its record %s: %s", path,
			 strerror(e));
		return;
	}
	struct shep_start st;
	struct shep_exit ex;
	if (j->state == J_STARTING && shep_start_read(fd, &st) == 0)
		job_started(j, st.pid, st.proc_start, st.start_ms);
	int rc = shep_exit_read(fd, &ex);
	bool alive = false;
	if (rc != 0 && !j->shep_gone) {
		/* The record's lock lives as long as the shepherd does. */
		if (flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK) {
			alive = true;
		} else {
			/* gone: it may have written its end just before */
			j->shep_gone = true;
			if (j->state == J_STARTING && shep_start_read(fd, &st) == 0)
				job_started(j, st.pid, st.proc_start, st.start_ms);
			rc = shep_exit_read(fd, &ex);
		}
	}
	close(fd);
	if (rc == 0) {
		finish_from_exit(j, &ex);
		return;
	}
	if (alive) {
		watch(j);
		return;
	}
	/* No shepherd and no exit status: the end was never recorded.  A job
	 * still alive is watched until it goes; its status stays unknown. */
	if (j->pid > 0 && proc_alive(j->pid, j->proc_start)) {
		watch(j);
		return;
	}
	if (j->js->recovering && !j->own_child && j->state == J_STARTING && j->pid == 0) {
		/* Found at start: no shepherd holds the record and none
		 * wrote slot 1 or 2, which a shepherd always does unless it
		 * is killed itself: the daemon died between writing the
		 * record and forking, and the job never ran.  Forgotten, it
		 * is a job the server launched and we do not report, which
		 * it requeues (as when we die before writing the record). */
		j->forget = true;
		return;
	}
	if (j->state == J_STARTING)
		j->state = J_RUNNING;
	j->wall_used = j->start_ms ? (now_ms() - j->start_ms) / 1000 : 0;
	job_fail(j, EXIT_INITABT, "job lost: its shepherd ended without recording an exit status");
}

/* ---- signals and deadlines --------------------------------------------- */

static void send_sig(struct job *j, int sig)
{
	unsigned long long t;
	if (j->pid <= 0)
		return;
	/* Only while the leader is the job (a zombie leader still is): a
	 * recycled pid must not be signalled. */
	if (j->proc_start && (proc_stat(j->pid, NULL, &t) < 0 || t != j->proc_start))
		return;
	if (kill(-j->pid, sig) < 0 && errno != ESRCH)
		corral_log_errno(LOG_WARNING, errno, "job", "%s: cannot send signal %d to %d",
				 j->id, sig, (int)j->pid);
}

static void sim_end(struct job *j, int status, const char *comment)
{
	int64_t now = now_ms();
	j->wall_used = now > j->start_ms ? (now - j->start_ms) / 1000 : 0;
	job_ended(j, status, now, comment);
}

/* SIGTERM now, SIGKILL after delay; why: walltime or qdel. */
static void start_kill(struct job *j, enum kill_reason why, int delay)
{
	if (j->state == J_ENDED)
		return;
	if (j->sim) {
		if (why == KR_WALLTIME) {
			char wc[160];
			report_walltime_comment(j->walltime_limit, j->walltime_limit, wc,
						sizeof wc);
			sim_end(j, EXIT_WALLTIME, wc);
		} else {
			sim_end(j, 256 + SIGTERM, NULL);
		}
		job_save(j);
		return;
	}
	if (j->kill_reason != KR_NONE)
		return; /* already on its way out */
	j->kill_reason = why;
	j->kill_ms = now_ms();
	j->kill_delay = delay;
	job_save(j);
	if (j->pid > 0) {
		corral_log(LOG_INFO, "job", "%s: SIGTERM to process group %d (%s), SIGKILL in %d s",
			   j->id, (int)j->pid, why == KR_WALLTIME ? "walltime" : "deleted", delay);
		send_sig(j, SIGTERM);
	}
	job_arm_timer(j);
}

static void on_job_timer(uv_timer_t *t)
{
	struct job *j = t->data;
	int64_t now = now_ms();
	if (j->state == J_ENDED)
		return;
	if (j->sim) {
		if (now >= j->sim_end_ms) {
			/* the planned end: status and comment were decided at launch */
			j->wall_used = (j->sim_end_ms - j->start_ms) / 1000;
			char *c = j->comment ? xstrdup(j->comment) : NULL;
			job_ended(j, j->exit_status, j->sim_end_ms, c);
			free(c);
			return;
		}
	} else if (j->state == J_RUNNING) {
		if (j->kill_reason != KR_NONE && !j->sigkill_sent &&
		    now >= j->kill_ms + (int64_t)j->kill_delay * 1000) {
			corral_log(LOG_INFO, "job", "%s: SIGKILL to process group %d", j->id,
				   (int)j->pid);
			send_sig(j, SIGKILL);
			j->sigkill_sent = true;
		} else if (j->kill_reason == KR_NONE && j->walltime_limit > 0 &&
			   now >= j->start_ms + j->walltime_limit * 1000) {
			corral_log(LOG_NOTICE, "job", "%s: walltime limit %lld s reached", j->id,
				   (long long)j->walltime_limit);
			start_kill(j, KR_WALLTIME, j->kill_delay);
			return;
		}
	}
	job_arm_timer(j);
}

static void job_arm_timer(struct job *j)
{
	int64_t due;
	if (j->state == J_ENDED || j->removed) {
		uv_timer_stop(&j->timer);
		return;
	}
	if (j->sim)
		due = j->sim_end_ms;
	else if (j->state != J_RUNNING)
		due = -1;
	else if (j->kill_reason != KR_NONE && !j->sigkill_sent)
		due = j->kill_ms + (int64_t)j->kill_delay * 1000;
	else if (j->kill_reason == KR_NONE && j->walltime_limit > 0)
		due = j->start_ms + j->walltime_limit * 1000;
	else
		due = -1;
	if (due < 0) {
		uv_timer_stop(&j->timer);
		return;
	}
	/* libuv's clock may lag ours a little: a timer that fires early finds
	 * nothing due and re-arms (on_job_timer). */
	int64_t ms = due - now_ms();
	uv_timer_start(&j->timer, on_job_timer, ms > 0 ? (uint64_t)ms : 0, 0);
}

/* ---- children ----------------------------------------------------------- */

/* A message from one of our shepherds: what it wrote into slot 1 or 2. */
static void handle_msg(struct jobs *js, struct shep_msg *m)
{
	m->jobid[sizeof m->jobid - 1] = '\0';
	m->exit.comment[sizeof m->exit.comment - 1] = '\0';
	struct job *j = job_lookup(js, m->jobid);
	/* a job's SIGCHLD may have been handled first (and the job may be
	 * gone, even launched again): only its own shepherd counts */
	if (!j || !j->own_child || j->shep_pid != m->shep_pid || j->state == J_ENDED)
		return;
	if (m->kind == 'S')
		job_started(j, m->start.pid, m->start.proc_start, m->start.start_ms);
	else if (m->kind == 'E')
		finish_from_exit(j, &m->exit);
}

/* Read every message waiting on the shepherds' pipe. */
static void notify_drain(struct jobs *js)
{
	const size_t msz = sizeof(struct shep_msg);
	if (js->notify_rd < 0)
		return;
	for (;;) {
		ssize_t r = read(js->notify_rd, js->nbuf + js->nlen, sizeof js->nbuf - js->nlen);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break; /* EAGAIN: all read (no EOF: we hold a write end) */
		js->nlen += (size_t)r;
		size_t off = 0;
		while (js->nlen - off >= msz) {
			struct shep_msg m;
			memcpy(&m, js->nbuf + off, msz);
			off += msz;
			handle_msg(js, &m);
		}
		memmove(js->nbuf, js->nbuf + off, js->nlen - off);
		js->nlen -= off;
	}
}

static void on_notify(uv_poll_t *h, int status, int events)
{
	(void)status;
	(void)events;
	notify_drain(h->data);
}

static void on_sigchld(uv_signal_t *h, int sig)
{
	struct jobs *js = h->data;
	(void)sig;
	int st;
	pid_t pid;
	/* What a shepherd said before it went is read first, so that a
	 * reaped shepherd is normally a job that has already ended. */
	notify_drain(js);
	/* Every child of ours is a shepherd. */
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (struct job *j = js->head; j; j = j->next) {
			if (j->own_child && j->shep_pid == pid) {
				j->shep_gone = true;
				job_check(j);
				break;
			}
		}
	}
}

/* ---- launch ------------------------------------------------------------- */

static const char *attr(json_t *attrs, const char *name)
{
	return json_string_value(json_object_get(attrs, name));
}

/* "host:/path" -> "/path" (a prefix without '/' before the first ':'). */
static const char *strip_host(const char *p)
{
	const char *colon = p ? strchr(p, ':') : NULL;
	if (!colon)
		return p;
	const char *slash = strchr(p, '/');
	return slash && slash < colon ? p : colon + 1;
}

/* p made absolute against dir (the submission directory): PBS takes a
 * relative -o/-e from there.  NULL or "" gives NULL.  Caller frees. */
static char *abs_path(const char *p, const char *dir)
{
	if (!p || !*p)
		return NULL;
	return p[0] == '/' ? xstrdup(p) : xasprintf("%s/%s", dir, p);
}

/* First entry of Shell_Path_List ("path[@host][,...]") for this host. */
static char *pick_shell(const char *list, const char *host)
{
	if (!list || !*list)
		return xstrdup("/bin/sh");
	char *copy = xstrdup(list), *save = NULL, *first = NULL, *found = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		while (*t == ' ')
			t++;
		char *at = strchr(t, '@');
		if (at)
			*at = '\0';
		if (!first)
			first = t;
		if (!at || strcmp(at + 1, host) == 0) {
			found = t;
			break;
		}
	}
	char *r = xstrdup(found ? found : first ? first : "/bin/sh");
	free(copy);
	return r;
}

static int64_t duration_attr(json_t *attrs, const char *name)
{
	const char *v = attr(attrs, name);
	int64_t secs = 0;
	corral_error_t e;
	if (v && corral_duration_parse(v, &secs, &e) == 0)
		return secs;
	return 0;
}

static int record_create(struct job *j, char *path, size_t n);

static void launch_sim(struct job *j, json_t *attrs)
{
	int64_t runtime = 0;
	const char *rt = attr(attrs, "Resource_List.sim_runtime");
	corral_error_t e;
	if (!rt || corral_duration_parse(rt, &runtime, &e) < 0)
		runtime = j->walltime_limit;
	int64_t now = now_ms();
	j->sim = true;
	j->start_ms = now;
	j->state = J_RUNNING;
	j->ev_started = EV_PENDING;
	/* A run longer than its walltime is cut there, as a real one would be. */
	if (j->walltime_limit > 0 && runtime > j->walltime_limit) {
		char wc[160];
		report_walltime_comment(j->walltime_limit, j->walltime_limit, wc, sizeof wc);
		j->exit_status = EXIT_WALLTIME;
		j->comment = xstrdup(wc);
		runtime = j->walltime_limit;
	}
	j->sim_end_ms = now + runtime * 1000;
	char path[4096];
	int fd = record_create(j, path, sizeof path);
	if (fd >= 0)
		close(fd);
	else
		corral_log_errno(LOG_ERR, fd, "job", "%s: cannot write %s", j->id, path);
	job_arm_timer(j);
	ev_queue(j);
}

/* Create j's record file (a leftover of that name goes first) and lock
 * it; the descriptor, or -errno. */
static int record_create(struct job *j, char *path, size_t n)
{
	char text[SPOOL_SLOT_TEXT], sp[4096];
	size_t len;
	int rc = job_record_text(j, text, sizeof text, &len);
	if (rc < 0)
		return rc;
	jpath(j, ".JB", path, n);
	/* A spare, complete before it takes the record's name. */
	if (spares_take_record(&j->js->spares, sp, sizeof sp)) {
		int fd = open(sp, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
		    spool_record_reset(fd, text, len) == 0 && rename(sp, path) == 0)
			return fd;
		if (fd >= 0)
			close(fd);
		unlink(sp);
	}
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 && errno == EEXIST) {
		/* Not a job of ours (every record was read at start): debris. */
		unlink(path);
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	}
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		rc = -errno;
	if (rc == 0)
		rc = spool_slot_write(fd, SLOT_JOB, text, len);
	if (rc < 0) {
		close(fd);
		unlink(path);
		return rc;
	}
	return fd;
}

static void launch_real(struct jobs *js, struct job *j, json_t *jobmsg, json_t *attrs)
{
	struct node *n = js->n;
	char why[300], script[4096], nodefile[4096], tmpdir[4096], record[4096], ubuf[256];
	char spare[4096];
	const char *euser = attr(attrs, "euser");
	const char *egroup = attr(attrs, "egroup");
	const struct user_info *pw;
	j->state = J_STARTING;
	if (!euser || !*euser) {
		const char *owner = attr(attrs, "Job_Owner");
		if (owner) {
			snprintf(ubuf, sizeof ubuf, "%s", owner);
			ubuf[strcspn(ubuf, "@")] = '\0';
			euser = ubuf;
		}
	}
	if (!euser || !*euser) {
		job_fail(j, EXIT_FAILUID, "job has no euser");
		return;
	}
	if (users_lookup(js->users, euser, egroup, (double)uv_now(n->loop) / 1000.0, &pw, why,
			 sizeof why) < 0) {
		job_fail(j, EXIT_FAILUID, "%s", why);
		return;
	}
	j->uid = pw->uid;
	j->gid = pw->gid;
	if (!n->root && pw->uid != n->uid) {
		char me[64];
		job_fail(j, EXIT_FAILUID,
			 "cannot run a job of user %s (uid %u): this node daemon runs as %s (uid "
			 "%u), not root, and only runs its own user's jobs",
			 pw->name, (unsigned)pw->uid, corral_username(n->uid, me, sizeof me),
			 (unsigned)n->uid);
		return;
	}
	if (!spool_job_path(&n->spool, j->id, ".SC", script, sizeof script) ||
	    !spool_job_path(&n->spool, j->id, ".NF", nodefile, sizeof nodefile) ||
	    !spool_tmp_path(&n->spool, j->id, tmpdir, sizeof tmpdir)) {
		job_fail(j, EXIT_FAIL1, "spool path too long for %s", j->id);
		return;
	}
	/* The script, the node file and TMPDIR are the shepherd's to make. */
	json_t *sj = json_object_get(jobmsg, "script");
	const char *body = json_is_string(sj) ? json_string_value(sj) : "";
	size_t blen = json_is_string(sj) ? json_string_length(sj) : 0;
	struct corral_buf nf;
	buf_init(&nf);
	json_t *lines = json_object_get(jobmsg, "nodefile");
	json_t *vnodes = json_object_get(jobmsg, "vnodes");
	size_t i;
	json_t *v;
	if (json_array_size(lines) > 0) {
		json_array_foreach(lines, i, v) if (json_is_string(v))
		    buf_printf(&nf, "%s\n", json_string_value(v));
	} else {
		json_array_foreach(vnodes, i, v)
		{
			const char *name = json_string_value(json_object_get(v, "name"));
			json_int_t c = json_integer_value(json_object_get(v, "ncpus"));
			for (json_int_t k = 0; name && k < (c > 0 ? c : 1); k++)
				buf_printf(&nf, "%s\n", name);
		}
	}

	/* Environment and command. */
	json_int_t ncpus = json_integer_value(json_object_get(json_array_get(vnodes, 0), "ncpus"));
	if (ncpus <= 0) {
		const char *nc = attr(attrs, "Resource_List.ncpus");
		ncpus = nc ? atoll(nc) : 1;
	}
	char *shell = pick_shell(attr(attrs, "Shell_Path_List"), n->host);
	struct envlist env = {0};
	struct jobenv_in in = {
	    .jobid = j->id,
	    .jobname = attr(attrs, "Job_Name"),
	    .queue = attr(attrs, "queue"),
	    .varlist = attr(attrs, "Variable_List"),
	    .nodefile = nodefile,
	    .tmpdir = tmpdir,
	    .home = pw->home,
	    .user = pw->name,
	    .shell = shell,
	    .ncpus = (long)ncpus,
	};
	jobenv_build(&in, &env);
	char *argv[] = {shell, script, NULL};

	/* Output files: "host:path"; defaults as the server would set them. */
	const char *jobname = in.jobname ? in.jobname : "STDIN";
	char seq[64];
	snprintf(seq, sizeof seq, "%s", j->id);
	seq[strcspn(seq, ".")] = '\0';
	const char *wd = envlist_get(&env, "PBS_O_WORKDIR");
	char *dflt_out = xasprintf("%s/%s.o%s", wd ? wd : pw->home, jobname, seq);
	char *dflt_err = xasprintf("%s/%s.e%s", wd ? wd : pw->home, jobname, seq);
	char *out = abs_path(strip_host(attr(attrs, "Output_Path")), wd ? wd : pw->home);
	char *err = abs_path(strip_host(attr(attrs, "Error_Path")), wd ? wd : pw->home);
	const char *join = attr(attrs, "Join_Path");
	const char *um = attr(attrs, "umask");
	long umask_v = 077;
	if (um && *um) {
		char *end;
		long u = strtol(um, &end, 8);
		if (!*end && u >= 0 && u <= 0777)
			umask_v = u;
	}
	struct launch L = {
	    .jobid = j->id,
	    .setids = n->root,
	    .uid = pw->uid,
	    .gid = pw->gid,
	    .groups = pw->groups,
	    .ngroups = pw->ngroups,
	    .shell = shell,
	    .argv = argv,
	    .envp = env.v,
	    .cwd = pw->home,
	    .out_path = out && *out ? out : dflt_out,
	    .err_path = err && *err ? err : dflt_err,
	    .join = join && strncmp(join, "oe", 2) == 0	  ? JOIN_OE
		    : join && strncmp(join, "eo", 2) == 0 ? JOIN_EO
							  : JOIN_NONE,
	    .umask = (mode_t)umask_v,
	    .script_path = script,
	    .script = body,
	    .script_len = blen,
	    .nodefile_path = nodefile,
	    .nodefile = buf_peek(&nf),
	    .nodefile_len = buf_unread(&nf),
	    .tmpdir = tmpdir,
	    .notify_fd = js->notify_wr,
	};
	/* Files of an earlier job of this user, if there is a spare set. */
	if (spares_take_set(&js->spares, pw->uid, spare, sizeof spare))
		L.spare = j->spare = xstrdup(spare);
	/* The record before the fork: a crash in between leaves a trace.  Its
	 * lock goes to the shepherd with the descriptor. */
	pid_t sp = -1;
	corral_error_t e = {0};
	int rfd = record_create(j, record, sizeof record);
	if (rfd < 0) {
		corral_errorf(&e, -rfd, "cannot create the job record %s: %s", record,
			      strerror(-rfd));
	} else {
		L.record_fd = rfd;
		sp = shepherd_start(&L, &e);
		close(rfd);
	}
	free(dflt_out);
	free(dflt_err);
	free(out);
	free(err);
	envlist_free(&env);
	free(shell);
	buf_free(&nf);
	if (sp < 0) {
		if (j->spare) { /* untouched */
			spares_put_set(&js->spares, j->uid, j->spare, true);
			free(j->spare);
			j->spare = NULL;
		}
		job_fail(j, EXIT_FAIL1, "cannot start the job: %s", e.text);
		return;
	}
	j->shep_pid = sp;
	j->own_child = true;
	j->files_left = true; /* until the shepherd says it removed them */
	corral_log(LOG_INFO, "job", "%s: launched as %s, shepherd %d", j->id, euser, (int)sp);
}

static void h_launch(struct jobs *js, json_t *msg)
{
	json_t *jobmsg = json_object_get(msg, "job");
	const char *id = json_string_value(json_object_get(jobmsg, "id"));
	json_t *attrs = json_object_get(jobmsg, "attrs");
	if (!id || !json_is_object(attrs)) {
		corral_log(LOG_WARNING, "job", "job.launch without job.id or job.attrs: ignored");
		return;
	}
	if (!spool_id_ok(id)) {
		corral_log(LOG_WARNING, "job", "job.launch with unusable id '%s': ignored", id);
		return;
	}
	json_t *vnodes = json_object_get(jobmsg, "vnodes");
	const char *first = json_string_value(json_object_get(json_array_get(vnodes, 0), "name"));
	if (first && !node_has_vnode(js->n, first)) {
		corral_log(LOG_DEBUG, "job", "%s: sister vnode only (script runs on %s)", id,
			   first);
		return;
	}
	struct job *j = job_lookup(js, id);
	if (j) {
		corral_log(LOG_INFO, "job", "%s: launched again while known here: ignored", id);
		if (j->state != J_STARTING && j->ev_started == EV_DONE) {
			j->ev_started = EV_PENDING;
			ev_queue(j);
		}
		return;
	}
	j = job_new(js, id);
	j->walltime_limit = duration_attr(attrs, "Resource_List.walltime");
	const char *kd = attr(attrs, "kill_delay");
	int64_t kds;
	corral_error_t e;
	if (kd && corral_duration_parse(kd, &kds, &e) == 0 && kds >= 0 && kds < 86400 * 365)
		j->kill_delay = (int)kds;
	if (js->n->conf->exec == EXEC_SIM)
		launch_sim(j, attrs);
	else
		launch_real(js, j, jobmsg, attrs);
}

/* The job a job.kill or job.signal is about: "job" (docs/protocol.md);
 * "id", which the first draft of the protocol used, is accepted too. */
static const char *push_job_id(json_t *msg)
{
	const char *id = corral_msg_str(msg, "job");
	return id ? id : corral_msg_str(msg, "id");
}

static void h_kill(struct jobs *js, json_t *msg)
{
	const char *id = push_job_id(msg);
	struct job *j = id ? job_lookup(js, id) : NULL;
	if (!j) {
		corral_log(LOG_INFO, "job", "job.kill for %s, which does not run here",
			   id ? id : "?");
		return;
	}
	json_t *kd = json_object_get(msg, "kill_delay");
	int delay = json_is_integer(kd) && json_integer_value(kd) >= 0 ? (int)json_integer_value(kd)
								       : j->kill_delay;
	const char *reason = corral_msg_str(msg, "reason");
	corral_log(LOG_INFO, "job", "%s: kill (%s)", j->id, reason ? reason : "no reason given");
	start_kill(j, KR_DELETE, delay);
}

static void h_signal(struct jobs *js, json_t *msg)
{
	const char *id = push_job_id(msg);
	const char *name = corral_msg_str(msg, "signal");
	struct job *j = id ? job_lookup(js, id) : NULL;
	if (!j) {
		corral_log(LOG_INFO, "job", "job.signal for %s, which does not run here",
			   id ? id : "?");
		return;
	}
	int sig = report_signal_number(name);
	if (sig < 0) {
		corral_log(LOG_WARNING, "job", "%s: unknown signal '%s'", j->id, name ? name : "");
		return;
	}
	if (j->state == J_ENDED)
		return;
	if (j->sim) {
		if (sig == SIGKILL || sig == SIGTERM || sig == SIGINT || sig == SIGHUP) {
			sim_end(j, 256 + sig, NULL);
			job_save(j);
		}
		return;
	}
	corral_log(LOG_INFO, "job", "%s: signal %s (%d)", j->id, name, sig);
	if (j->pid > 0)
		send_sig(j, sig);
	else
		j->pending_sig = sig;
}

void jobs_push(struct jobs *js, json_t *msg)
{
	const char *op = corral_msg_str(msg, "op");
	if (!op)
		return;
	if (strcmp(op, "job.launch") == 0)
		h_launch(js, msg);
	else if (strcmp(op, "job.kill") == 0)
		h_kill(js, msg);
	else if (strcmp(op, "job.signal") == 0)
		h_signal(js, msg);
	else
		corral_log(LOG_DEBUG, "job", "ignoring pushed %s", op);
}

/* ---- registration ------------------------------------------------------- */

json_t *jobs_register_list(struct jobs *js)
{
	json_t *a = json_array();
	for (struct job *j = js->head; j; j = j->next)
		json_array_append_new(a, json_pack("{s:s,s:i,s:I}", "id", j->id, "pid", (int)j->pid,
						   "start_time", (json_int_t)(j->start_ms / 1000)));
	return a;
}

void jobs_link_ready(struct jobs *js) { schedule_flush(js); }

void jobs_link_down(struct jobs *js)
{
	(void)js; /* in-flight events came back through their callbacks */
}

/* ---- recovery ----------------------------------------------------------- */

static long long kvll(const struct kv *kv, const char *k)
{
	const char *v = kv_get(kv, k);
	return v ? atoll(v) : 0;
}

static void recover_one(struct jobs *js, const char *id)
{
	char path[4096];
	struct kv kv = {0};
	int rc = -ENAMETOOLONG;
	if (spool_job_path(&js->n->spool, id, ".JB", path, sizeof path)) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		rc = fd < 0 ? -errno : spool_slot_read_kv(fd, SLOT_JOB, &kv);
		if (fd >= 0)
			close(fd);
		const char *rid = kv_get(&kv, "id");
		if (rc == 0 && (!rid || strcmp(rid, id) != 0))
			rc = -EINVAL; /* not this job's record */
	}
	if (rc < 0) {
		/* Written in one pwrite() before the shepherd was forked: a
		 * record without a valid slot 0 never got a job started. */
		corral_log(LOG_WARNING, "job", "%s: unreadable record %s (%s): removed", id, path,
			   rc == -ENOENT ? "empty" : rc == -EINVAL ? "incomplete" : strerror(-rc));
		spool_remove_job(&js->n->spool, id);
		kv_clear(&kv);
		return;
	}
	struct job *j = job_new(js, id);
	j->files_left = true; /* not known: removed with the record */
	const char *exec = kv_get(&kv, "exec");
	const char *state = kv_get(&kv, "state");
	const char *kr = kv_get(&kv, "kill_reason");
	j->sim = exec && strcmp(exec, "sim") == 0;
	j->uid = (uid_t)kvll(&kv, "uid");
	j->gid = (gid_t)kvll(&kv, "gid");
	j->start_ms = kvll(&kv, "start_ms");
	j->walltime_limit = kvll(&kv, "walltime_limit");
	j->kill_delay =
	    kv_get(&kv, "kill_delay") ? (int)kvll(&kv, "kill_delay") : DEFAULT_KILL_DELAY;
	j->kill_reason = !kr ? KR_NONE : strcmp(kr, "walltime") == 0 ? KR_WALLTIME : KR_DELETE;
	j->kill_ms = kvll(&kv, "kill_ms");
	j->sim_end_ms = kvll(&kv, "sim_end_ms");
	if (state && strcmp(state, "ended") == 0) {
		j->state = J_RUNNING;
		j->wall_used = kvll(&kv, "wall_used");
		j->cput_us = kvll(&kv, "cput_us");
		j->mem_kb = kvll(&kv, "mem_kb");
		if (j->start_ms)
			j->ev_started = EV_PENDING;
		job_ended(j, (int)kvll(&kv, "exit_status"), kvll(&kv, "end_ms"),
			  kv_get(&kv, "comment"));
		kv_clear(&kv);
		return;
	}
	if (j->sim) {
		j->state = J_RUNNING;
		j->ev_started = EV_PENDING;
		j->exit_status = (int)kvll(&kv, "exit_status");
		const char *c = kv_get(&kv, "comment");
		j->comment = c && *c ? xstrdup(c) : NULL;
		job_arm_timer(j);
		ev_queue(j);
		kv_clear(&kv);
		return;
	}
	/* A real job: what its shepherd recorded, and whether it is still
	 * there (it holds the record's lock), job_check() finds out. */
	j->state = J_STARTING;
	j->own_child = false;
	job_check(j);
	if (j->forget) {
		corral_log(LOG_NOTICE, "job", "%s: never started (the daemon stopped before its "
			   "shepherd did): forgotten, for the server to requeue", j->id);
		spool_remove_job(&js->n->spool, j->id);
		job_remove(j);
		kv_clear(&kv);
		return;
	}
	if (j->watched && !j->shep_gone)
		corral_log(LOG_NOTICE, "job", "%s: re-adopted (job pid %d)", j->id, (int)j->pid);
	/* a kill that was under way goes on */
	if (j->state == J_RUNNING)
		job_arm_timer(j);
	kv_clear(&kv);
}

int jobs_recover(struct jobs *js)
{
	char **ids = NULL;
	int n = spool_list_jobs(&js->n->spool, &ids);
	if (n < 0) {
		corral_log_errno(LOG_ERR, n, "job", "cannot read %s", js->n->spool.jobs);
		return n;
	}
	js->recovering = true;
	for (int i = 0; i < n; i++) {
		recover_one(js, ids[i]);
		free(ids[i]);
	}
	js->recovering = false;
	free(ids);
	if (n > 0)
		corral_log(LOG_NOTICE, "job", "recovered %zu of the %d jobs in the spool",
			   js->count, n);
	return n;
}

/* ---- life --------------------------------------------------------------- */

struct jobs *jobs_create(struct node *n)
{
	struct jobs *js = xcalloc(1, sizeof *js);
	js->n = n;
	js->nbuckets = 256;
	js->tab = xcalloc(js->nbuckets, sizeof *js->tab);
	uv_timer_init(n->loop, &js->flush);
	uv_timer_init(n->loop, &js->retry);
	uv_timer_init(n->loop, &js->poll);
	uv_signal_init(n->loop, &js->sigchld);
	js->flush.data = js->retry.data = js->poll.data = js->sigchld.data = js;
	uv_signal_start(&js->sigchld, on_sigchld, SIGCHLD);
	js->users = users_new(USER_TTL_S, USER_CACHE_MAX);
	/* Spare sets: enough for every cpu to run a job twice over. */
	long cpus = 0;
	for (int i = 0; i < n->nvnodes; i++)
		cpus += n->vnodes[i].ncpus > 0 ? n->vnodes[i].ncpus : 1;
	long max = 2 * cpus;
	spares_init(&js->spares, n->spool.spare, (int)(max < 64 ? 64 : max > 4096 ? 4096 : max));
	/* The shepherds' pipe: the read end ours and non-blocking, the write
	 * end (blocking: a shepherd may wait for room) inherited by each
	 * shepherd.  Without it shepherds are watched through SIGCHLD and
	 * their record files alone. */
	int p[2];
	js->notify_rd = js->notify_wr = -1;
	if (pipe2(p, O_CLOEXEC) < 0) {
		corral_log_errno(LOG_WARNING, errno, "job", "cannot create the shepherds' pipe");
	} else if (fcntl(p[0], F_SETFL, O_NONBLOCK) < 0 ||
		   uv_poll_init(n->loop, &js->notify, p[0]) < 0) {
		corral_log_errno(LOG_WARNING, errno, "job", "cannot watch the shepherds' pipe");
		close(p[0]);
		close(p[1]);
	} else {
		js->notify_rd = p[0];
		js->notify_wr = p[1];
		js->notify.data = js;
		js->notify_active = true;
		uv_poll_start(&js->notify, UV_READABLE, on_notify);
	}
	return js;
}

static void on_js_handle_closed(uv_handle_t *h)
{
	struct jobs *js = h->data;
	js->handles--;
	jobs_maybe_done(js);
}

void jobs_destroy(struct jobs *js, void (*done_cb)(void *), void *arg)
{
	js->destroying = true;
	js->done_cb = done_cb;
	js->done_arg = arg;
	js->handles++; /* held until every close is requested */
	while (js->head)
		job_remove(js->head);
	uv_handle_t *hs[] = {(uv_handle_t *)&js->flush, (uv_handle_t *)&js->retry,
			     (uv_handle_t *)&js->poll, (uv_handle_t *)&js->sigchld,
			     (uv_handle_t *)&js->notify};
	for (size_t i = 0; i < sizeof hs / sizeof hs[0]; i++) {
		if (hs[i] == (uv_handle_t *)&js->notify && !js->notify_active)
			continue;
		js->handles++;
		uv_close(hs[i], on_js_handle_closed);
	}
	js->handles--;
	jobs_maybe_done(js);
}
