/* link.c - see link.h.
 *
 * Each connection attempt gets its own heap object (struct lconn) holding
 * the socket and its input buffer.  Dropping a connection detaches it from
 * the link at once (l->conn = NULL) and frees it in the close callback, so
 * late callbacks of an old attempt (a write completing, a resolution
 * arriving) see that they are stale and do nothing.
 */
#include "src/link/link.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/common/buf.h"
#include "src/common/log.h"
#include "src/common/util.h"
#include "src/proto/auth.h"
#include "src/proto/frame.h"
#include "src/proto/msg.h"

#define HANDSHAKE_TIMEOUT_MS 20000
#define BACKOFF_BASE_MS 500
#define BACKOFF_CAP_MS 30000
#define READ_CHUNK 65536
#define MAX_BACKLOG ((size_t)256 << 20)
#define MAX_FRAME ((size_t)1 << 30)
#define STREAM_MIN ((size_t)1 << 16) /* pushes this big are streamed */

enum link_state { L_IDLE, L_RESOLVING, L_CONNECTING, L_HELLO, L_AUTH, L_REGISTERING, L_READY };

struct pending {
	long long id;
	link_reply_cb cb;
	void *arg;
	uint64_t sent_ms;
	struct pending *next;
};

struct lconn {
	uv_tcp_t tcp; /* embedded; the lconn is freed in its close cb */
	uv_connect_t creq;
	struct link *l; /* NULL once detached */
	struct corral_buf in;
	size_t backlog; /* bytes handed to uv_write, not yet written */
	size_t stream_left; /* bytes of a streamed push frame still to come */
	bool stream_first;
};

struct gai {
	uv_getaddrinfo_t req;
	struct link *l; /* NULL when the attempt was abandoned */
};

struct link {
	uv_loop_t *loop;
	char *host;
	int port;
	char *keyfile;
	char *client;      /* name in hello */
	char *heartbeat;   /* heartbeat op, NULL: none */
	char *text_prefix; /* "{\"op\":\"PREFIX": pushes handed over as text */
	size_t text_prefix_len;
	struct link_ops ops;
	void *ctx;

	enum link_state state;
	struct lconn *conn;
	struct gai *gai;
	uv_timer_t timer; /* backoff, then handshake deadline */
	uv_timer_t hb;	  /* heartbeats and the dead-server check */
	int heartbeat_s;
	unsigned attempt;
	int cur_port;
	char peer[300];

	struct pending *phead, *ptail;
	int npending;
	long long next_id;
	unsigned char key[CORRAL_KEY_BYTES];
	char nonce[CORRAL_HEX_LEN], cnonce[CORRAL_HEX_LEN];
	char server_name[256];

	bool destroying;
	int open_handles;
	void (*done_cb)(void *);
	void *done_arg;
};

static void drop(struct link *l, const char *why);
static void schedule_retry(struct link *l);
static void on_timer(uv_timer_t *t);

unsigned link_backoff_ms(unsigned attempt, double r)
{
	uint64_t d = BACKOFF_BASE_MS;
	for (unsigned i = 0; i < attempt && d < BACKOFF_CAP_MS; i++)
		d *= 2;
	if (d > BACKOFF_CAP_MS)
		d = BACKOFF_CAP_MS;
	if (r < 0)
		r = 0;
	if (r >= 1)
		r = 0.999999;
	return (unsigned)(d / 2 + (uint64_t)((double)(d - d / 2) * r));
}

bool link_ready(const struct link *l) { return l->state == L_READY; }

int link_inflight(const struct link *l) { return l->npending; }

const char *link_server_name(const struct link *l) { return l->server_name; }

/* ---- output ------------------------------------------------------------- */

struct wreq {
	uv_write_t req;
	struct lconn *c;
	size_t len;
	char data[];
};

static void on_write(uv_write_t *req, int status)
{
	struct wreq *w = (struct wreq *)req;
	struct lconn *c = w->c;
	c->backlog -= w->len;
	if (status < 0 && c->l && c->l->conn == c)
		drop(c->l, uv_strerror(status));
	free(w);
}

static void conn_write(struct link *l, const char *p, size_t n)
{
	struct lconn *c = l->conn;
	if (!c || n == 0)
		return;
	if (c->backlog == 0) {
		uv_buf_t b = uv_buf_init((char *)p, (unsigned)n);
		int w = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
		} else if (w < 0 && w != UV_EAGAIN) {
			drop(l, uv_strerror(w));
			return;
		}
	}
	if (n == 0)
		return;
	if (c->backlog + n > MAX_BACKLOG) {
		drop(l, "the server does not read what we send");
		return;
	}
	struct wreq *w = xmalloc(sizeof *w + n);
	w->c = c;
	w->len = n;
	memcpy(w->data, p, n);
	uv_buf_t b = uv_buf_init(w->data, (unsigned)n);
	c->backlog += n;
	int rc = uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_write);
	if (rc < 0) {
		c->backlog -= n;
		free(w);
		drop(l, uv_strerror(rc));
	}
}

/* Queue a pending reply slot for id. */
static void add_pending(struct link *l, long long id, link_reply_cb cb, void *arg)
{
	struct pending *p = xcalloc(1, sizeof *p);
	p->id = id;
	p->cb = cb;
	p->arg = arg;
	p->sent_ms = uv_now(l->loop);
	if (l->ptail)
		l->ptail->next = p;
	else
		l->phead = p;
	l->ptail = p;
	l->npending++;
}

/* Send req on the current connection in any connected state. */
static int send_req(struct link *l, json_t *req, link_reply_cb cb, void *arg)
{
	if (!l->conn)
		return -ENOTCONN;
	long long id = ++l->next_id;
	json_object_set_new(req, "id", json_integer(id));
	struct corral_buf out;
	buf_init(&out);
	if (corral_frame_encode(&out, req) < 0) {
		buf_free(&out);
		return -EINVAL;
	}
	add_pending(l, id, cb, arg);
	conn_write(l, buf_peek(&out), buf_unread(&out));
	buf_free(&out);
	return 0;
}

int link_send_text(struct link *l, const char *text, size_t len, link_reply_cb cb, void *arg)
{
	if (l->state != L_READY || !l->conn)
		return -ENOTCONN;
	long long id = ++l->next_id;
	char tail[48];
	int tl = snprintf(tail, sizeof tail, ",\"id\":%lld}", id);
	size_t n = len + (size_t)tl;
	unsigned char hdr[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16),
				(unsigned char)(n >> 8), (unsigned char)n};
	add_pending(l, id, cb, arg);
	conn_write(l, (const char *)hdr, 4);
	conn_write(l, text, len);
	conn_write(l, tail, (size_t)tl);
	return 0;
}

size_t link_backlog(const struct link *l) { return l->conn ? l->conn->backlog : 0; }

int link_send(struct link *l, json_t *req, link_reply_cb cb, void *arg)
{
	if (l->state != L_READY)
		return -ENOTCONN;
	return send_req(l, req, cb, arg);
}

/* ---- teardown ----------------------------------------------------------- */

static void free_conn(uv_handle_t *h)
{
	struct lconn *c = h->data;
	buf_free(&c->in);
	free(c);
}

static void fail_pending(struct link *l)
{
	/* Callbacks may not send (state is no longer READY), so the list
	 * cannot grow while it drains. */
	while (l->phead) {
		struct pending *p = l->phead;
		l->phead = p->next;
		if (!l->phead)
			l->ptail = NULL;
		l->npending--;
		if (p->cb)
			p->cb(l, NULL, p->arg);
		free(p);
	}
}

static void drop(struct link *l, const char *why)
{
	bool was_ready = l->state == L_READY;
	if (l->conn) {
		struct lconn *c = l->conn;
		l->conn = NULL;
		c->l = NULL;
		uv_read_stop((uv_stream_t *)&c->tcp);
		if (!uv_is_closing((uv_handle_t *)&c->tcp))
			uv_close((uv_handle_t *)&c->tcp, free_conn);
	}
	if (l->gai) {
		l->gai->l = NULL; /* freed by its callback */
		uv_cancel((uv_req_t *)&l->gai->req);
		l->gai = NULL;
	}
	uv_timer_stop(&l->hb);
	l->state = L_IDLE;
	if (l->destroying)
		corral_log(LOG_INFO, "link", "disconnected from %s", l->peer);
	else if (was_ready)
		corral_log(LOG_WARNING, "link", "lost the server at %s: %s", l->peer, why);
	else if (why)
		corral_log(l->attempt < 3 || l->attempt % 10 == 0 ? LOG_WARNING : LOG_DEBUG, "link",
			   "cannot register with the server at %s: %s", l->peer, why);
	fail_pending(l);
	if (was_ready && l->ops.on_down)
		l->ops.on_down(l->ctx);
	if (!l->destroying)
		schedule_retry(l);
}

/* ---- input -------------------------------------------------------------- */

static void handle_reply(struct link *l, json_t *msg)
{
	json_int_t id = json_integer_value(json_object_get(msg, "id"));
	struct pending *prev = NULL, *p = l->phead;
	while (p && p->id != id) {
		prev = p;
		p = p->next;
	}
	if (!p) {
		if (id == 0 && json_is_false(json_object_get(msg, "ok"))) {
			corral_error_t e = {0};
			corral_msg_error(msg, &e, NULL);
			corral_log(LOG_WARNING, "link", "server: %s", e.text);
		} else if (log_level() >= LOG_DEBUG) {
			char *text = json_dumps(msg, JSON_COMPACT);
			corral_log(LOG_DEBUG, "link", "reply to unknown request %lld: %.300s",
				   (long long)id, text ? text : "?");
			free(text);
		}
		return;
	}
	if (prev)
		prev->next = p->next;
	else
		l->phead = p->next;
	if (l->ptail == p)
		l->ptail = prev;
	l->npending--;
	if (p->cb)
		p->cb(l, msg, p->arg);
	free(p);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
	struct lconn *c = h->data;
	(void)suggested;
	b->base = buf_reserve(&c->in, READ_CHUNK);
	b->len = READ_CHUNK;
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *b)
{
	struct lconn *c = st->data;
	struct link *l = c->l;
	(void)b;
	if (!l)
		return;
	if (nread < 0) {
		drop(l, nread == UV_EOF ? "the server closed the connection"
					: uv_strerror((int)nread));
		return;
	}
	c->in.len += (size_t)nread;
	while (l->conn == c) {
		size_t have = buf_unread(&c->in);
		if (c->stream_left) { /* inside a streamed push */
			if (!have)
				break;
			size_t give = have < c->stream_left ? have : c->stream_left;
			bool final = give == c->stream_left;
			long used = l->ops.on_push_stream(l->ctx, buf_peek(&c->in), give,
							  c->stream_first, final);
			if (l->conn != c)
				return;
			if (used < 0 || (size_t)used > give || (final && (size_t)used != give)) {
				drop(l, "a push from the server could not be read");
				return;
			}
			c->stream_first = false;
			buf_consume(&c->in, (size_t)used);
			c->stream_left -= (size_t)used;
			if ((size_t)used < give)
				break; /* an element is not complete yet */
			continue;
		}
		if (have < 4)
			break;
		const unsigned char *h = (const unsigned char *)buf_peek(&c->in);
		size_t n = (size_t)h[0] << 24 | (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3];
		if (n > MAX_FRAME) {
			drop(l, "a frame from the server is too large");
			return;
		}
		/* A big push of the text kind (a scheduler's snapshot) is
		 * streamed: read and applied as it arrives, never held whole. */
		if (n >= STREAM_MIN && l->ops.on_push_stream && l->text_prefix &&
		    (l->state == L_READY || l->state == L_REGISTERING)) {
			if (have < 4 + l->text_prefix_len)
				break;
			if (memcmp(buf_peek(&c->in) + 4, l->text_prefix, l->text_prefix_len) == 0) {
				buf_consume(&c->in, 4);
				c->stream_left = n;
				c->stream_first = true;
				continue;
			}
		}
		if (have < 4 + n) {
			/* make room for the whole frame at once */
			buf_reserve(&c->in, 4 + n - have);
			break;
		}
		const char *text = buf_peek(&c->in) + 4;
		/* Pushes of the text kind ({"op":"sched....) go out as text: a
		 * snapshot is too big for one JSON tree.  Replies are small. */
		if (l->text_prefix && n > l->text_prefix_len &&
		    memcmp(text, l->text_prefix, l->text_prefix_len) == 0 && l->ops.on_push_text &&
		    (l->state == L_READY || l->state == L_REGISTERING)) {
			l->ops.on_push_text(l->ctx, text, n);
			if (l->conn == c)
				buf_consume(&c->in, 4 + n);
			continue;
		}
		json_error_t je;
		json_t *msg = json_loadb(text, n, 0, &je);
		buf_consume(&c->in, 4 + n);
		if (!msg || !json_is_object(msg)) {
			corral_log(LOG_WARNING, "link", "bad message from the server: %s",
				   msg ? "not an object" : je.text);
			json_decref(msg);
			continue;
		}
		/* A push has "op"; a reply has none. */
		if (!json_object_get(msg, "op"))
			handle_reply(l, msg);
		else if ((l->state == L_READY || l->state == L_REGISTERING) && l->ops.on_push)
			l->ops.on_push(l->ctx, msg);
		else
			corral_log(LOG_DEBUG, "link", "push before registration ignored");
		json_decref(msg);
	}
	if (l->conn == c && buf_unread(&c->in) == 0 && c->in.cap > 4 * READ_CHUNK)
		buf_free(&c->in);
}

/* ---- handshake ---------------------------------------------------------- */

static const char *reply_error(json_t *rep, char *buf, size_t n)
{
	if (!rep)
		return "connection lost";
	corral_error_t e = {0};
	if (corral_msg_error(rep, &e, NULL) == 0)
		return NULL;
	snprintf(buf, n, "%s (%s)", e.text, corral_errno_name(e.code));
	return buf;
}

/* A refused heartbeat means the server no longer counts this connection
 * as registered (it may have marked the node down): start over, so that
 * we register again. */
static void on_heartbeat_reply(struct link *l, json_t *rep, void *arg)
{
	char buf[256], why[300];
	const char *e;
	(void)arg;
	if (rep && (e = reply_error(rep, buf, sizeof buf)) && l->state == L_READY) {
		snprintf(why, sizeof why, "heartbeat refused: %s; registering again", e);
		drop(l, why);
	}
}

static void on_hb(uv_timer_t *t)
{
	struct link *l = t->data;
	if (l->state != L_READY)
		return;
	uint64_t now = uv_now(l->loop);
	uint64_t limit = (uint64_t)(3 * l->heartbeat_s > 30 ? 3 * l->heartbeat_s : 30) * 1000;
	if (l->phead && now - l->phead->sent_ms > limit) {
		drop(l, "no reply for too long");
		return;
	}
	json_t *req = json_pack("{s:s}", "op", l->heartbeat);
	send_req(l, req, on_heartbeat_reply, NULL);
	json_decref(req);
}

static void on_register_reply(struct link *l, json_t *rep, void *arg)
{
	char buf[400];
	(void)arg;
	if (!rep)
		return; /* drop() is under way */
	const char *e = reply_error(rep, buf, sizeof buf);
	if (e) {
		corral_log(LOG_ERR, "link", "the server refused to register %s: %s", l->client, e);
		drop(l, NULL);
		return;
	}
	const char *sn = corral_msg_str(rep, "server_name");
	if (sn)
		snprintf(l->server_name, sizeof l->server_name, "%s", sn);
	l->state = L_READY;
	l->attempt = 0;
	uv_timer_stop(&l->timer);
	if (l->heartbeat) {
		json_int_t hb = json_integer_value(json_object_get(rep, "heartbeat"));
		l->heartbeat_s = hb > 0 && hb < 86400 ? (int)hb : 10;
		uv_timer_start(&l->hb, on_hb, (uint64_t)l->heartbeat_s * 1000,
			       (uint64_t)l->heartbeat_s * 1000);
		corral_log(LOG_NOTICE, "link", "registered with server %s at %s (heartbeat %d s)",
			   l->server_name, l->peer, l->heartbeat_s);
	} else {
		corral_log(LOG_NOTICE, "link", "registered with server %s at %s", l->server_name,
			   l->peer);
	}
	if (l->ops.on_ready)
		l->ops.on_ready(l->ctx, rep);
}

static void on_auth_reply(struct link *l, json_t *rep, void *arg)
{
	char buf[400];
	(void)arg;
	if (!rep)
		return;
	const char *e = reply_error(rep, buf, sizeof buf);
	if (e) {
		corral_log(LOG_ERR, "link",
			   "the server refused our cluster key %s: %s (is it the server's key?)",
			   l->keyfile, e);
		drop(l, NULL);
		return;
	}
	if (corral_auth_verify(l->key, CORRAL_AUTH_SERVER, l->nonce, l->cnonce,
			       corral_msg_str(rep, "mac")) < 0) {
		corral_log(LOG_ERR, "link",
			   "the server at %s did not prove it holds the cluster key", l->peer);
		drop(l, NULL);
		return;
	}
	l->state = L_REGISTERING;
	json_t *req = l->ops.build_register(l->ctx);
	send_req(l, req, on_register_reply, NULL);
	json_decref(req);
}

static void on_hello_reply(struct link *l, json_t *rep, void *arg)
{
	char buf[400];
	(void)arg;
	if (!rep)
		return;
	const char *e = reply_error(rep, buf, sizeof buf);
	if (e) {
		drop(l, e);
		return;
	}
	const char *nonce = corral_msg_str(rep, "nonce");
	const char *sn = corral_msg_str(rep, "server_name");
	if (!nonce || strlen(nonce) != CORRAL_HEX_LEN - 1) {
		drop(l, "hello reply without a nonce");
		return;
	}
	if (sn)
		snprintf(l->server_name, sizeof l->server_name, "%s", sn);
	snprintf(l->nonce, sizeof l->nonce, "%s", nonce);
	corral_auth_nonce(l->cnonce);
	char mac[CORRAL_HEX_LEN];
	corral_auth_mac(l->key, CORRAL_AUTH_CLIENT, l->nonce, l->cnonce, mac);
	l->state = L_AUTH;
	json_t *req = json_pack("{s:s,s:s,s:s}", "op", "auth", "cnonce", l->cnonce, "mac", mac);
	send_req(l, req, on_auth_reply, NULL);
	json_decref(req);
}

static void on_connect(uv_connect_t *req, int status)
{
	struct lconn *c = req->data;
	struct link *l = c->l;
	if (!l)
		return;
	if (status < 0) {
		drop(l, uv_strerror(status));
		return;
	}
	uv_tcp_nodelay(&c->tcp, 1);
	uv_tcp_keepalive(&c->tcp, 1, 60);
	uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
	l->state = L_HELLO;
	json_t *h = json_pack("{s:s,s:i,s:s}", "op", "hello", "version", CORRAL_PROTO_VERSION,
			      "client", l->client);
	send_req(l, h, on_hello_reply, NULL);
	json_decref(h);
}

static void connect_to(struct link *l, const struct sockaddr *sa)
{
	struct lconn *c = xcalloc(1, sizeof *c);
	buf_init(&c->in);
	c->l = l;
	uv_tcp_init(l->loop, &c->tcp);
	c->tcp.data = c;
	c->creq.data = c;
	l->conn = c;
	l->state = L_CONNECTING;
	int rc = uv_tcp_connect(&c->creq, &c->tcp, sa, on_connect);
	if (rc < 0)
		drop(l, uv_strerror(rc));
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	struct gai *g = (struct gai *)req;
	struct link *l = g->l;
	if (!l) {
		uv_freeaddrinfo(res);
		free(g);
		return;
	}
	l->gai = NULL;
	free(g);
	if (status < 0 || !res) {
		uv_freeaddrinfo(res);
		drop(l, status < 0 ? uv_strerror(status) : "no address");
		return;
	}
	connect_to(l, res->ai_addr);
	uv_freeaddrinfo(res);
}

static int discover_port(void)
{
	char *pp = corral_path("run/server.port");
	FILE *f = fopen(pp, "r");
	free(pp);
	long port = 0;
	if (f) {
		char buf[32] = "";
		if (fgets(buf, sizeof buf, f)) {
			buf[strcspn(buf, "\r\n")] = '\0';
			if (corral_parse_long(buf, 1, 65535, &port) < 0)
				port = 0;
		}
		fclose(f);
	}
	if (port == 0) {
		const char *e = getenv("CORRAL_PORT");
		if (!e || corral_parse_long(e, 1, 65535, &port) < 0)
			port = 0;
	}
	return port ? (int)port : 15001;
}

static void start_attempt(struct link *l)
{
	corral_error_t err = {0};
	const char *host = l->host ? l->host : "127.0.0.1";
	l->cur_port = l->port ? l->port : discover_port();
	snprintf(l->peer, sizeof l->peer, "%s:%d", host, l->cur_port);
	if (corral_key_load(l->keyfile, l->key, &err) < 0) {
		l->state = L_IDLE;
		corral_log(l->attempt < 3 || l->attempt % 10 == 0 ? LOG_WARNING : LOG_DEBUG, "link",
			   "cannot load the cluster key: %s", err.text);
		schedule_retry(l);
		return;
	}
	/* The handshake must finish within the deadline. */
	uv_timer_start(&l->timer, on_timer, HANDSHAKE_TIMEOUT_MS, 0);
	corral_log(LOG_DEBUG, "link", "connecting to %s", l->peer);
	struct sockaddr_in6 a6;
	struct sockaddr_in a4;
	if (uv_ip4_addr(host, l->cur_port, &a4) == 0) {
		connect_to(l, (struct sockaddr *)&a4);
		return;
	}
	if (uv_ip6_addr(host, l->cur_port, &a6) == 0 && strchr(host, ':')) {
		connect_to(l, (struct sockaddr *)&a6);
		return;
	}
	struct gai *g = xcalloc(1, sizeof *g);
	g->l = l;
	l->gai = g;
	l->state = L_RESOLVING;
	char port[16];
	snprintf(port, sizeof port, "%d", l->cur_port);
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
	int rc = uv_getaddrinfo(l->loop, &g->req, on_resolved, host, port, &hints);
	if (rc < 0) {
		l->gai = NULL;
		free(g);
		drop(l, uv_strerror(rc));
	}
}

static void on_timer(uv_timer_t *t)
{
	struct link *l = t->data;
	if (l->destroying)
		return;
	if (l->state == L_IDLE)
		start_attempt(l);
	else if (l->state != L_READY)
		drop(l, "handshake timed out");
}

static void schedule_retry(struct link *l)
{
	unsigned ms = link_backoff_ms(l->attempt, (double)rand() / ((double)RAND_MAX + 1.0));
	if (l->attempt < 1000)
		l->attempt++;
	corral_log(LOG_DEBUG, "link", "next attempt in %.1f s", ms / 1000.0);
	uv_timer_start(&l->timer, on_timer, ms, 0);
}

/* ---- life --------------------------------------------------------------- */

struct link *link_create(uv_loop_t *loop, const struct link_cfg *cfg, const struct link_ops *ops,
			 void *ctx)
{
	struct link *l = xcalloc(1, sizeof *l);
	l->loop = loop;
	l->host = cfg->host ? xstrdup(cfg->host) : NULL;
	l->port = cfg->port;
	l->keyfile = xstrdup(cfg->keyfile);
	l->client = xstrdup(cfg->client ? cfg->client : "corral");
	l->heartbeat = cfg->heartbeat_op ? xstrdup(cfg->heartbeat_op) : NULL;
	if (cfg->text_push_op_prefix) {
		l->text_prefix = xasprintf("{\"op\":\"%s", cfg->text_push_op_prefix);
		l->text_prefix_len = strlen(l->text_prefix);
	}
	l->heartbeat_s = 10;
	l->ops = *ops;
	l->ctx = ctx;
	uv_timer_init(loop, &l->timer);
	l->timer.data = l;
	uv_timer_init(loop, &l->hb);
	l->hb.data = l;
	return l;
}

void link_start(struct link *l)
{
	if (l->state == L_IDLE)
		start_attempt(l);
}

static void on_handle_closed(uv_handle_t *h)
{
	struct link *l = h->data;
	if (--l->open_handles > 0)
		return;
	void (*cb)(void *) = l->done_cb;
	void *arg = l->done_arg;
	free(l->host);
	free(l->keyfile);
	free(l->client);
	free(l->heartbeat);
	free(l->text_prefix);
	free(l);
	if (cb)
		cb(arg);
}

void link_destroy(struct link *l, void (*done_cb)(void *arg), void *arg)
{
	if (!l)
		return;
	l->destroying = true;
	l->done_cb = done_cb;
	l->done_arg = arg;
	drop(l, NULL);
	l->open_handles = 2;
	uv_close((uv_handle_t *)&l->timer, on_handle_closed);
	uv_close((uv_handle_t *)&l->hb, on_handle_closed);
}
