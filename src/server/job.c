/* job.c - see job.h. */
#include "src/server/job.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/common/buf.h"
#include "src/common/log.h"
#include "src/server/objects.h"
#include "src/server/sched.h"
#include "src/server/txn.h"
#include "src/store/store.h"

struct jobtab {
	struct job **slots; /* chains by seq */
	size_t nslots;      /* power of two */
	size_t count;
	struct job *head, *tail;
	struct job_cursor *cursors; /* open cursors (job_cursor_open) */
};

struct jobtab *jobtab_create(void)
{
	struct jobtab *t = xcalloc(1, sizeof *t);
	t->nslots = 1024;
	t->slots = xcalloc(t->nslots, sizeof *t->slots);
	return t;
}

void jobtab_destroy(struct jobtab *t)
{
	if (!t)
		return;
	for (struct job *j = t->head, *n; j; j = n) {
		n = j->next;
		kv_clear(&j->attrs);
		free(j);
	}
	free(t->slots);
	free(t);
}

static size_t slot_of(const struct jobtab *t, int64_t seq)
{
	uint64_t h = (uint64_t)seq * 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 20) & (t->nslots - 1);
}

static void grow(struct jobtab *t)
{
	size_t n = t->nslots * 2;
	struct job **slots = xcalloc(n, sizeof *slots);
	struct job **old = t->slots;
	size_t oldn = t->nslots;
	t->slots = slots;
	t->nslots = n;
	for (size_t i = 0; i < oldn; i++)
		for (struct job *j = old[i], *nx; j; j = nx) {
			nx = j->hnext;
			size_t k = slot_of(t, j->seq);
			j->hnext = slots[k];
			slots[k] = j;
		}
	free(old);
}

struct job *job_lookup(struct server *s, int64_t seq)
{
	struct jobtab *t = s->jobs;
	for (struct job *j = t->slots[slot_of(t, seq)]; j; j = j->hnext)
		if (j->seq == seq)
			return j;
	return NULL;
}

struct job *job_first(struct server *s)
{
	return s->jobs->head;
}

void job_cursor_open(struct server *s, struct job_cursor *c)
{
	c->next = s->jobs->head;
	c->link = s->jobs->cursors;
	s->jobs->cursors = c;
}

void job_cursor_close(struct server *s, struct job_cursor *c)
{
	struct job_cursor **pp = &s->jobs->cursors;
	while (*pp && *pp != c)
		pp = &(*pp)->link;
	if (*pp)
		*pp = c->link;
}

size_t job_count(struct server *s)
{
	return s->jobs->count;
}

void job_insert(struct server *s, struct job *j)
{
	struct jobtab *t = s->jobs;
	if (t->count >= t->nslots)
		grow(t);
	size_t k = slot_of(t, j->seq);
	j->hnext = t->slots[k];
	t->slots[k] = j;
	/* Keep seq order: new jobs almost always go at the tail. */
	struct job *after = t->tail;
	while (after && after->seq > j->seq)
		after = after->prev;
	j->prev = after;
	j->next = after ? after->next : t->head;
	if (j->next)
		j->next->prev = j;
	else
		t->tail = j;
	if (after)
		after->next = j;
	else
		t->head = j;
	t->count++;
	if (j->queue) {
		j->queue->counts[state_slot(j->state)]++;
		if (j->state != 'F')
			j->queue->total++;
	}
}

void job_free(struct server *s, struct job *j)
{
	struct jobtab *t = s->jobs;
	if (j->state != 'F')
		sched_job_gone(s, j);
	for (struct job_cursor *c = t->cursors; c; c = c->link)
		if (c->next == j)
			c->next = j->next;
	struct job **pp = &t->slots[slot_of(t, j->seq)];
	while (*pp && *pp != j)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = j->hnext;
	if (j->prev)
		j->prev->next = j->next;
	else
		t->head = j->next;
	if (j->next)
		j->next->prev = j->prev;
	else
		t->tail = j->prev;
	t->count--;
	if (j->queue) {
		j->queue->counts[state_slot(j->state)]--;
		if (j->state != 'F')
			j->queue->total--;
	}
	kv_clear(&j->attrs);
	free(j);
}

char *job_id(struct server *s, const struct job *j, char *buf, size_t n)
{
	snprintf(buf, n, "%lld.%s", (long long)j->seq, s->name);
	return buf;
}

int64_t job_parse_id(struct server *s, const char *id)
{
	const char *p = id;
	int64_t seq = 0;
	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9') {
		if (seq > (INT64_MAX - 9) / 10)
			return -1;
		seq = seq * 10 + (*p++ - '0');
	}
	if (*p == '\0')
		return seq;
	if (*p != '.')
		return -1;
	p++;
	/* The suffix must name this server: equal, or one is the other's
	 * first label(s) ("vm" vs "vm.example.org"). */
	size_t sl = strlen(s->name), pl = strlen(p);
	if (pl == sl && strcmp(p, s->name) == 0)
		return seq;
	if (pl > sl && strncmp(p, s->name, sl) == 0 && p[sl] == '.')
		return seq;
	if (sl > pl && strncmp(s->name, p, pl) == 0 && s->name[pl] == '.')
		return seq;
	return -1;
}

void job_set_state(struct server *s, struct job *j, char state, int substate)
{
	(void)s;
	if (j->queue) {
		j->queue->counts[state_slot(j->state)]--;
		if (j->state != 'F')
			j->queue->total--;
		j->queue->counts[state_slot(state)]++;
		if (state != 'F')
			j->queue->total++;
	}
	j->state = state;
	char st[2] = {state, 0};
	kv_set(&j->attrs, "job_state", st);
	kv_setf(&j->attrs, "substate", "%d", substate);
}

void job_set_queue(struct server *s, struct job *j, struct obj *q)
{
	(void)s;
	if (j->queue) {
		j->queue->counts[state_slot(j->state)]--;
		if (j->state != 'F')
			j->queue->total--;
	}
	j->queue = q;
	q->counts[state_slot(j->state)]++;
	if (j->state != 'F')
		q->total++;
	kv_set(&j->attrs, "queue", q->name);
}

int job_save(struct server *s, struct job *j)
{
	int rc = txn_begin(s);
	if (rc < 0)
		return rc;
	static struct corral_buf b; /* reused: the loop is single-threaded */
	buf_reset(&b);
	attrs_dump(&j->attrs, &b);
	rc = store_job_put(s->store, j->seq, buf_peek(&b), buf_unread(&b));
	txn_touch_job(s, j->seq);
	sched_job_changed(s, j);
	return rc;
}

static struct job *job_from_text(struct server *s, int64_t seq, const char *text, size_t len)
{
	struct job *j = xcalloc(1, sizeof *j);
	j->seq = seq;
	if (attrs_load(&j->attrs, text, len) < 0) {
		corral_log(LOG_ERR, "job", "job %lld: unreadable attributes in the store: skipped",
			   (long long)seq);
		free(j);
		return NULL;
	}
	const char *st = kv_get(&j->attrs, "job_state");
	j->state = st && *st ? st[0] : 'Q';
	const char *qn = kv_get(&j->attrs, "queue");
	j->queue = qn ? obj_find(s, OBJ_QUEUE, qn) : NULL;
	if (!j->queue) {
		/* Its queue is gone (should not happen: queues with jobs cannot be
		 * deleted).  Put it in the default queue so it stays visible. */
		const char *dq = srv_attr(s, "default_queue");
		j->queue = dq ? obj_find(s, OBJ_QUEUE, dq) : NULL;
		if (!j->queue)
			j->queue = s->objs[OBJ_QUEUE];
		corral_log(LOG_WARNING, "job", "job %lld: queue %s missing, shown in %s",
			   (long long)seq, qn ? qn : "(none)", j->queue ? j->queue->name : "none");
	}
	const char *ht = kv_get(&j->attrs, "history_timestamp");
	j->hist_time = ht ? (time_t)atoll(ht) : 0;
	return j;
}

static int load_cb(void *arg, int64_t seq, const char *attrs, size_t len)
{
	struct server *s = arg;
	struct job *j = job_from_text(s, seq, attrs, len);
	if (j)
		job_insert(s, j);
	if (seq >= s->next_seq)
		s->next_seq = seq + 1;
	return 0;
}

int job_load_all(struct server *s)
{
	return store_job_load(s->store, load_cb, s);
}

void job_reload(struct server *s, int64_t seq)
{
	struct job *j = job_lookup(s, seq);
	char *text = NULL;
	int rc = store_job_get(s->store, seq, &text);
	if (j)
		job_free(s, j);
	if (rc == 0) {
		struct job *nj = job_from_text(s, seq, text, strlen(text));
		if (nj)
			job_insert(s, nj);
	}
	free(text);
}

const char *job_owner_user(const struct job *j, char *buf, size_t n)
{
	const char *o = kv_get(&j->attrs, "Job_Owner");
	if (!o)
		o = "";
	const char *at = strchr(o, '@');
	size_t l = at ? (size_t)(at - o) : strlen(o);
	if (l >= n)
		l = n - 1;
	memcpy(buf, o, l);
	buf[l] = '\0';
	return buf;
}
