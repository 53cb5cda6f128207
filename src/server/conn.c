/* conn.c - see conn.h.
 *
 * Life of a connection:
 *   accept -> (hello) -> [TCP: auth] -> requests ... -> close
 * Input: libuv reads into c->in; every complete frame is decoded and
 * dispatched at once.  Output: handlers hold replies; conn_flush_all(),
 * called by the end-of-iteration check handle after the commit, encodes
 * them and writes them (uv_try_write first, uv_write for the rest).
 */
#include "src/server/conn.h"

#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/common/log.h"
#include "src/common/util.h"
#include "src/proto/frame.h"
#include "src/proto/msg.h"
#include "src/server/dispatch.h"
#include "src/server/node.h"
#include "src/server/sched.h"

#define READ_CHUNK (256 * 1024)

static struct conn *flush_list;
static void on_idle(uv_idle_t *h);
struct bulk;
static struct bulk *bulks; /* see conn_bulk */
static void bulks_committed(int rc, const char *errtext);

struct wreq {
	uv_write_t req;
	struct conn *c;
	size_t len;
	char *owned; /* the allocation holding the bytes, freed when written */
};

static void on_close(uv_handle_t *h)
{
	struct conn *c = h->data;
	struct server *s = c->srv;
	if (c->daemon)
		node_conn_closed(c);
	if (c->sched)
		sched_conn_closed(c);
	if (c->prev)
		c->prev->next = c->next;
	else if (s->conns == c)
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nconns--;
	if (c->work) {
		c->work_free(c->work_state);
		c->work = NULL;
		s->nworking--;
	}
	buf_free(&c->in);
	for (size_t i = 0; i < c->nheld; i++) {
		json_decref(c->held[i].reply);
		free(c->held[i].raw);
	}
	free(c->held);
	/* A connection still in the flush list is skipped there (closing). */
	if (!c->in_flush_list)
		free(c);
	else
		c->srv = NULL; /* freed by conn_flush_all */
}

void conn_close(struct conn *c)
{
	if (c->closing)
		return;
	c->closing = true;
	corral_log(LOG_DEBUG, "conn", "closing %s", c->peer);
	uv_read_stop(&c->h.stream);
	uv_close(&c->h.handle, on_close);
}

const char *conn_user(const struct conn *c)
{
	return c->user;
}

static void on_write(uv_write_t *req, int status)
{
	struct wreq *w = (struct wreq *)req;
	struct conn *c = w->c;
	if (c) {
		c->write_bytes -= w->len;
		if (status < 0 && status != UV_ECANCELED && !c->closing) {
			corral_log(LOG_DEBUG, "conn", "write to %s failed: %s", c->peer,
				   uv_strerror(status));
			conn_close(c);
		}
	}
	free(w->owned);
	free(w);
}

/* Write n bytes at p to c and free 'owned' (the allocation p lies in)
 * once written: synchronously as far as the socket takes them, the rest
 * through uv_write without copying. */
static void conn_write_take(struct conn *c, char *owned, const char *p, size_t n)
{
	if (c->closing || n == 0) {
		free(owned);
		return;
	}
	if (c->write_bytes == 0) {
		uv_buf_t b = uv_buf_init((char *)p, (unsigned)n);
		int w = uv_try_write(&c->h.stream, &b, 1);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
		} else if (w < 0 && w != UV_EAGAIN) {
			free(owned);
			conn_close(c);
			return;
		}
	}
	if (n == 0) {
		free(owned);
		return;
	}
	if (c->write_bytes + n > c->srv->max_output) {
		corral_log(LOG_WARNING, "conn",
			   "%s does not read its replies (over max_output_buffer, %zu bytes): closing",
			   c->peer, c->srv->max_output);
		free(owned);
		conn_close(c);
		return;
	}
	struct wreq *w = xmalloc(sizeof *w);
	w->c = c;
	w->len = n;
	w->owned = owned;
	uv_buf_t b = uv_buf_init((char *)p, (unsigned)n);
	c->write_bytes += n;
	if (uv_write(&w->req, &c->h.stream, &b, 1, on_write) < 0) {
		c->write_bytes -= n;
		free(owned);
		free(w);
		conn_close(c);
	}
}

/* Write a copy of n bytes at p. */
static void conn_write(struct conn *c, const char *p, size_t n)
{
	char *copy = xmalloc(n ? n : 1);
	memcpy(copy, p, n);
	conn_write_take(c, copy, copy, n);
}

static void hold(struct conn *c, struct held h)
{
	if (c->nheld == c->capheld) {
		c->capheld = c->capheld ? 2 * c->capheld : 16;
		c->held = xrealloc(c->held, c->capheld * sizeof *c->held);
	}
	c->held[c->nheld++] = h;
	if (!h.push)
		c->srv->reply_held = true;
	if (!c->in_flush_list) {
		c->in_flush_list = true;
		c->flush_next = flush_list;
		flush_list = c;
	}
}

void conn_reply(struct conn *c, json_t *reply, bool mutating)
{
	hold(c, (struct held){.reply = reply, .mutating = mutating});
}

void conn_push(struct conn *c, json_t *msg)
{
	hold(c, (struct held){.reply = msg, .mutating = true, .push = true});
}

void conn_push_raw(struct conn *c, struct corral_buf *b)
{
	hold(c, (struct held){.raw = b->data, .rawlen = b->len, .mutating = true, .push = true});
	buf_init(b);
}

void conn_reply_raw(struct conn *c, char *text, size_t len)
{
	/* text[0..3] is room for the frame header; the JSON follows. */
	hold(c, (struct held){.raw = text, .rawlen = len});
}

void conn_reply_err(struct conn *c, json_int_t id, int code, int pbs_errno, const char *fmt, ...)
{
	char text[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	conn_reply(c, corral_msg_err(id, code, pbs_errno, "%s", text), false);
}

/* Hand the frames gathered in out to c (ownership moves). */
static void write_out(struct conn *c, struct corral_buf *out)
{
	if (buf_unread(out))
		conn_write_take(c, out->data, buf_peek(out), buf_unread(out));
	else
		free(out->data);
	buf_init(out);
}

void conn_flush_all(struct server *s, int commit_rc, const char *commit_err)
{
	s->reply_held = false;
	if (bulks)
		bulks_committed(commit_rc, commit_err);
	while (flush_list) {
		struct conn *c = flush_list;
		flush_list = c->flush_next;
		c->in_flush_list = false;
		if (!c->srv) { /* closed meanwhile */
			free(c);
			continue;
		}
		struct corral_buf out;
		buf_init(&out);
		for (size_t i = 0; i < c->nheld; i++) {
			json_t *r = c->held[i].reply;
			if (!r && commit_rc < 0 && c->held[i].push) {
				free(c->held[i].raw); /* announced a change not saved */
				c->held[i].raw = NULL;
				continue;
			}
			if (!r) {
				/* A raw reply: its frame header goes in the 4 bytes
				 * reserved at its start, and it is written as is. */
				size_t n = c->held[i].rawlen - 4;
				unsigned char *h = (unsigned char *)c->held[i].raw;
				h[0] = (unsigned char)(n >> 24);
				h[1] = (unsigned char)(n >> 16);
				h[2] = (unsigned char)(n >> 8);
				h[3] = (unsigned char)n;
				write_out(c, &out);
				conn_write_take(c, c->held[i].raw, c->held[i].raw, c->held[i].rawlen);
				c->held[i].raw = NULL;
				continue;
			}
			if (commit_rc < 0 && c->held[i].push) {
				json_decref(r);
				continue;
			}
			if (commit_rc < 0 && c->held[i].mutating) {
				json_int_t id = json_integer_value(json_object_get(r, "id"));
				json_decref(r);
				r = corral_msg_err(id, -commit_rc,
						   commit_rc == -ENOSPC ? PBSE_SAVE_ERR : PBSE_SYSTEM,
						   "change not saved: %s", commit_err);
			}
			corral_frame_encode(&out, r);
			json_decref(r);
		}
		c->nheld = 0;
		if (c->closing)
			buf_free(&out);
		else
			write_out(c, &out);
		if (c->close_after_flush)
			conn_close(c);
	}
	(void)s;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
	struct conn *c = h->data;
	(void)suggested;
	b->base = buf_reserve(&c->in, READ_CHUNK);
	b->len = READ_CHUNK;
}

/* Dispatch every complete frame in c->in, until a request continues over
 * later iterations (conn_continue). */
static void process_input(struct conn *c)
{
	bool rc_frames = false; /* a frame completed: what is left is a new one */
	while (!c->closing && !c->work) {
		json_t *msg = NULL;
		corral_error_t err = {0};
		int rc = corral_frame_decode(&c->in, c->srv->max_frame, &msg, &err);
		if (rc == 0)
			break;
		if (rc == -EMSGSIZE) {
			corral_log(LOG_NOTICE, "conn", "%s: %s: closing", c->peer, err.text);
			struct corral_buf out;
			buf_init(&out);
			json_t *e = corral_msg_err(0, EMSGSIZE, PBSE_PROTOCOL, "%s", err.text);
			corral_frame_encode(&out, e);
			json_decref(e);
			conn_write(c, buf_peek(&out), buf_unread(&out));
			buf_free(&out);
			conn_close(c);
			return;
		}
		rc_frames = true;
		if (rc < 0) {
			conn_reply_err(c, 0, EPROTO, PBSE_PROTOCOL, "%s", err.text);
			continue;
		}
		dispatch(c, msg);
		json_decref(msg);
	}
	if (c->closing)
		return;
	/* Since when an incomplete frame waits (frame_timeout). */
	if (buf_unread(&c->in) == 0)
		c->partial_ms = 0;
	else if (!c->partial_ms || rc_frames)
		c->partial_ms = corral_mono_ms();
	if (c->work && !c->closing)
		uv_read_stop(&c->h.stream);
	/* Keep the input buffer from holding a large allocation forever. */
	if (buf_unread(&c->in) == 0 && c->in.cap > 4 * READ_CHUNK)
		buf_free(&c->in);
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *b)
{
	struct conn *c = st->data;
	(void)b;
	if (nread < 0) {
		conn_close(c);
		return;
	}
	c->in.len += (size_t)nread;
	process_input(c);
}

void conn_continue(struct conn *c, conn_work_fn work, void (*free_fn)(void *), void *state)
{
	struct server *s = c->srv;
	c->work = work;
	c->work_free = free_fn;
	c->work_state = state;
	s->nworking++;
	if (!uv_is_closing((uv_handle_t *)&s->idle))
		uv_idle_start(&s->idle, on_idle); /* (no-op when active) */
}

/* A bulk request's results are confirmed by the commits of its slices:
 * every bulk stays on the list `bulks` until the commit after its last
 * slice, and a failed commit turns the results of the slices it held into
 * errors before the reply goes out (the reply itself is held as a read:
 * its items tell what was saved). */
struct bulk {
	json_int_t id;
	json_t *msg, *items, *results;
	size_t next;      /* first item not applied yet */
	size_t confirmed; /* results before this one are committed */
	conn_item_fn fn;
	bool released;    /* done (or its connection closed): free once confirmed */
	struct bulk *link;
};

static void bulk_release(void *p)
{
	((struct bulk *)p)->released = true;
}

static void bulk_free(struct bulk *b)
{
	json_decref(b->msg);
	json_decref(b->items);
	json_decref(b->results);
	free(b);
}

/* After a commit (rc 0) or a failed one (rc < 0, memory rolled back). */
static void bulks_committed(int rc, const char *errtext)
{
	struct bulk **pp = &bulks;
	while (*pp) {
		struct bulk *b = *pp;
		for (; rc < 0 && b->confirmed < b->next; b->confirmed++) {
			json_t *r = json_array_get(b->results, b->confirmed);
			json_object_set_new(r, "ok", json_false());
			json_object_set_new(r, "error",
					    corral_msg_errobj(-rc, rc == -ENOSPC ? PBSE_SAVE_ERR : PBSE_SYSTEM,
							      "change not saved: %s", errtext));
		}
		b->confirmed = b->next;
		if (b->released) {
			*pp = b->link;
			bulk_free(b);
		} else {
			pp = &b->link;
		}
	}
}

static bool bulk_work(struct conn *c, void *p)
{
	struct bulk *b = p;
	size_t n = json_array_size(b->items);
	size_t end = b->next + CONN_BULK_SLICE < n ? b->next + CONN_BULK_SLICE : n;
	for (; b->next < end; b->next++)
		json_array_append_new(b->results, b->fn(c, b->msg, json_array_get(b->items, b->next)));
	if (b->next < n)
		return false;
	json_t *rep = corral_msg_ok(b->id);
	json_object_set(rep, "results", b->results);
	conn_reply(c, rep, false);
	return true;
}

void conn_bulk(struct conn *c, json_int_t id, json_t *msg, json_t *items, conn_item_fn fn)
{
	struct bulk *b = xcalloc(1, sizeof *b);
	b->id = id;
	b->msg = json_incref(msg);
	b->items = json_incref(items);
	b->results = json_array();
	b->fn = fn;
	b->link = bulks;
	bulks = b;
	if (bulk_work(c, b))
		bulk_release(b);
	else
		conn_continue(c, bulk_work, bulk_release, b);
}

/* Once per loop iteration while requests continue: a slice of each. */
static void on_idle(uv_idle_t *h)
{
	struct server *s = h->data;
	/* Stopped one iteration after the last work ended, not at once: an
	 * active idle handle makes this iteration's poll not block, so the
	 * check handle flushes the last reply now, not at the next timer. */
	if (s->nworking == 0) {
		uv_idle_stop(h);
		return;
	}
	for (struct conn *c = s->conns; c; c = c->next) {
		if (!c->work || c->closing || !c->work(c, c->work_state))
			continue;
		c->work_free(c->work_state);
		c->work = NULL;
		s->nworking--;
		process_input(c); /* frames that came meanwhile */
		if (!c->work && !c->closing && !c->close_after_flush)
			uv_read_start(&c->h.stream, on_alloc, on_read);
	}
}

static struct conn *conn_new(struct server *s, bool is_tcp)
{
	struct conn *c = xcalloc(1, sizeof *c);
	c->srv = s;
	c->is_tcp = is_tcp;
	c->created_ms = corral_mono_ms();
	buf_init(&c->in);
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->nconns++;
	return c;
}

/* Connections managers may open beyond max_connections (over the Unix
 * socket, where they are known at once): an administrator can always get
 * in to look at a flood and raise the limit. */
#define MANAGER_RESERVE 16

/* One log line per 10 s however many connections a flood brings. */
static void log_refused(struct server *s, const char *who)
{
	static uint64_t last;
	static long count;
	uint64_t now = corral_mono_ms();
	count++;
	if (last && now - last < 10000)
		return;
	corral_log(LOG_WARNING, "conn", "max_connections (%d) reached: refused %ld connection%s (last: %s)",
		   s->max_conns, count, count == 1 ? "" : "s", who);
	last = now;
	count = 0;
}

static bool too_many(struct server *s, uv_stream_t *listener, int limit)
{
	if (s->nconns < limit)
		return false;
	/* Accept and drop at once so the backlog does not fill up. */
	uv_pipe_t *tmp = xmalloc(sizeof(uv_tcp_t) > sizeof(uv_pipe_t) ? sizeof(uv_tcp_t)
								     : sizeof(uv_pipe_t));
	if (listener->type == UV_TCP)
		uv_tcp_init(s->loop, (uv_tcp_t *)tmp);
	else
		uv_pipe_init(s->loop, tmp, 0);
	if (uv_accept(listener, (uv_stream_t *)tmp) == 0)
		log_refused(s, listener->type == UV_TCP ? "a TCP peer" : "a local user");
	uv_close((uv_handle_t *)tmp, (uv_close_cb)free);
	return true;
}

static void on_unix_conn(uv_stream_t *l, int status)
{
	struct server *s = l->data;
	if (status < 0 || too_many(s, l, s->max_conns + MANAGER_RESERVE))
		return;
	struct conn *c = conn_new(s, false);
	uv_pipe_init(s->loop, &c->h.pipe, 0);
	c->h.handle.data = c;
	if (uv_accept(l, &c->h.stream) < 0) {
		conn_close(c);
		return;
	}
	uv_os_fd_t fd;
	struct ucred cred;
	socklen_t len = sizeof cred;
	if (uv_fileno(&c->h.handle, &fd) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		corral_log(LOG_WARNING, "conn", "no peer credentials on a Unix connection");
		conn_close(c);
		return;
	}
	c->uid = cred.uid;
	c->gid = cred.gid;
	corral_username(cred.uid, c->user, sizeof c->user);
	{
		struct group gr, *res = NULL;
		char tmp[4096];
		if (getgrgid_r(cred.gid, &gr, tmp, sizeof tmp, &res) == 0 && res)
			snprintf(c->group, sizeof c->group, "%s", res->gr_name);
		else
			snprintf(c->group, sizeof c->group, "%u", (unsigned)cred.gid);
	}
	snprintf(c->peer, sizeof c->peer, "uid %u pid %d", (unsigned)cred.uid, (int)cred.pid);
	c->role = dispatch_role_of(s, c->user, c->uid);
	if (s->nconns > s->max_conns && c->role != ROLE_MANAGER) {
		log_refused(s, c->peer);
		conn_close(c);
		return;
	}
	uv_read_start(&c->h.stream, on_alloc, on_read);
}

static void on_tcp_conn(uv_stream_t *l, int status)
{
	struct server *s = l->data;
	if (status < 0 || too_many(s, l, s->max_conns))
		return;
	struct conn *c = conn_new(s, true);
	uv_tcp_init(s->loop, &c->h.tcp);
	c->h.handle.data = c;
	if (uv_accept(l, &c->h.stream) < 0) {
		conn_close(c);
		return;
	}
	uv_tcp_nodelay(&c->h.tcp, 1);
	struct sockaddr_storage ss;
	int sl = sizeof ss;
	char host[48] = "?";
	int port = 0;
	if (uv_tcp_getpeername(&c->h.tcp, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET) {
			uv_ip4_name((struct sockaddr_in *)&ss, host, sizeof host);
			port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			uv_ip6_name((struct sockaddr_in6 *)&ss, host, sizeof host);
			port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		}
	}
	snprintf(c->peer, sizeof c->peer, "%s:%d", host, port);
	c->role = ROLE_NONE;
	uv_read_start(&c->h.stream, on_alloc, on_read);
}

int conn_listen(struct server *s)
{
	char *path = corral_path("run/server.sock");
	int rc;
	unlink(path);
	uv_idle_init(s->loop, &s->idle);
	s->idle.data = s;
	uv_pipe_init(s->loop, &s->unix_listener, 0);
	s->unix_listener.data = s;
	if ((rc = uv_pipe_bind(&s->unix_listener, path)) < 0 ||
	    (rc = uv_listen((uv_stream_t *)&s->unix_listener, 1024, on_unix_conn)) < 0) {
		corral_log(LOG_ERR, "conn", "cannot listen on %s: %s", path, uv_strerror(rc));
		free(path);
		return rc;
	}
	chmod(path, 0777); /* every local user may connect; identity is SO_PEERCRED */
	free(path);
	if (!s->tcp_enabled)
		return 0;
	struct sockaddr_in6 a6;
	uv_ip6_addr("::", s->port, &a6);
	uv_tcp_init(s->loop, &s->tcp_listener);
	s->tcp_listener.data = s;
	rc = uv_tcp_bind(&s->tcp_listener, (struct sockaddr *)&a6, 0);
	if (rc < 0) { /* no IPv6: fall back to IPv4 */
		struct sockaddr_in a4;
		uv_close((uv_handle_t *)&s->tcp_listener, NULL);
		uv_run(s->loop, UV_RUN_NOWAIT);
		uv_ip4_addr("0.0.0.0", s->port, &a4);
		uv_tcp_init(s->loop, &s->tcp_listener);
		s->tcp_listener.data = s;
		rc = uv_tcp_bind(&s->tcp_listener, (struct sockaddr *)&a4, 0);
	}
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&s->tcp_listener, 1024, on_tcp_conn);
	if (rc < 0) {
		corral_log(LOG_ERR, "conn", "cannot listen on TCP port %d: %s", s->port,
			   uv_strerror(rc));
		return rc;
	}
	struct sockaddr_storage ss;
	int sl = sizeof ss;
	uv_tcp_getsockname(&s->tcp_listener, (struct sockaddr *)&ss, &sl);
	s->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						  : ((struct sockaddr_in *)&ss)->sin_port);
	return 0;
}

void conn_stop_listening(struct server *s)
{
	if (!uv_is_closing((uv_handle_t *)&s->idle)) {
		uv_idle_stop(&s->idle);
		uv_close((uv_handle_t *)&s->idle, NULL);
	}
	if (!uv_is_closing((uv_handle_t *)&s->unix_listener))
		uv_close((uv_handle_t *)&s->unix_listener, NULL);
	if (s->tcp_enabled && !uv_is_closing((uv_handle_t *)&s->tcp_listener))
		uv_close((uv_handle_t *)&s->tcp_listener, NULL);
}

void conn_close_after_flush(struct conn *c)
{
	c->close_after_flush = true;
	uv_read_stop(&c->h.stream);
}

void conn_sweep(struct server *s)
{
	uint64_t now = corral_mono_ms();
	for (struct conn *c = s->conns, *n; c; c = n) {
		n = c->next;
		bool authed = c->hello_done && (!c->is_tcp || c->role != ROLE_NONE);
		if (!authed && !c->closing &&
		    now - c->created_ms > (uint64_t)s->unauth_timeout * 1000) {
			corral_log(LOG_NOTICE, "conn", "%s did not authenticate within %d s: closing",
				   c->peer, s->unauth_timeout);
			conn_close(c);
		} else if (c->partial_ms && !c->work && !c->closing &&
			   now - c->partial_ms > (uint64_t)s->frame_timeout * 1000) {
			corral_log(LOG_NOTICE, "conn",
				   "%s left a frame incomplete for %d s (frame_timeout): closing",
				   c->peer, s->frame_timeout);
			conn_close(c);
		}
	}
}

void conn_close_all(struct server *s)
{
	for (struct conn *c = s->conns; c; c = c->next)
		conn_close(c);
}
