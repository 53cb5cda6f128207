/* client.c - see client.h. */
#include "src/client/client.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "src/common/buf.h"
#include "src/common/util.h"
#include "src/proto/auth.h"
#include "src/proto/frame.h"
#include "src/proto/msg.h"

struct corral_conn {
	int fd;
	long long next_id;
	struct corral_buf in;  /* bytes read, not yet decoded */
	struct corral_buf out; /* frames buffered by corral_send_buffered */
	json_t *pushed;        /* array of messages kept while waiting in call */
	char *server_name;
	char *user;
	char *role;
	char nonce[CORRAL_HEX_LEN];
};

char *corral_socket_path(const char *home)
{
	return xasprintf("%s/run/server.sock", home ? home : corral_home());
}

static corral_conn_t *conn_new(int fd)
{
	corral_conn_t *c = xcalloc(1, sizeof *c);
	c->fd = fd;
	c->next_id = 1;
	buf_init(&c->in);
	buf_init(&c->out);
	c->pushed = json_array();
	return c;
}

void corral_close(corral_conn_t *c)
{
	if (!c)
		return;
	int saved = errno;
	if (c->fd >= 0)
		close(c->fd);
	buf_free(&c->in);
	buf_free(&c->out);
	json_decref(c->pushed);
	free(c->server_name);
	free(c->user);
	free(c->role);
	free(c);
	errno = saved;
}

static int write_all(int fd, const char *p, size_t n, corral_error_t *err)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return corral_errorf(err, errno == EPIPE ? ENOTCONN : errno,
					     "cannot send to server: %s", strerror(errno));
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

long long corral_send_buffered(corral_conn_t *c, json_t *req, corral_error_t *err)
{
	long long id = c->next_id++;
	json_object_set_new(req, "id", json_integer(id));
	if (corral_frame_encode(&c->out, req) < 0)
		return corral_errorf(err, EINVAL, "request cannot be encoded as JSON");
	return id;
}

int corral_flush(corral_conn_t *c, corral_error_t *err)
{
	int rc = write_all(c->fd, buf_peek(&c->out), buf_unread(&c->out), err);
	buf_reset(&c->out);
	return rc;
}

long long corral_send(corral_conn_t *c, json_t *req, corral_error_t *err)
{
	long long id = corral_send_buffered(c, req, err);
	if (id < 0)
		return id;
	int rc = corral_flush(c, err);
	return rc < 0 ? rc : id;
}

static json_t *read_frame(corral_conn_t *c, int timeout_ms, corral_error_t *err)
{
	uint64_t deadline = timeout_ms >= 0 ? corral_mono_ms() + (uint64_t)timeout_ms : 0;
	for (;;) {
		json_t *msg = NULL;
		/* Replies may be far larger than requests (a full qstat of 100,000
		 * jobs): accept any length the frame header can carry. */
		int rc = corral_frame_decode(&c->in, (size_t)UINT32_MAX, &msg, err);
		if (rc == 1)
			return msg;
		if (rc < 0)
			return NULL;
		if (timeout_ms >= 0) {
			uint64_t now = corral_mono_ms();
			int left = now >= deadline ? 0 : (int)(deadline - now);
			struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
			int pr = poll(&pfd, 1, left);
			if (pr < 0 && errno == EINTR)
				continue;
			if (pr == 0) {
				corral_errorf(err, ETIMEDOUT, "timed out waiting for the server");
				return NULL;
			}
		}
		char *p = buf_reserve(&c->in, 65536);
		ssize_t n = read(c->fd, p, 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			corral_errorf(err, errno, "cannot read from server: %s", strerror(errno));
			return NULL;
		}
		if (n == 0) {
			corral_errorf(err, ENOTCONN, "the server closed the connection");
			return NULL;
		}
		c->in.len += (size_t)n;
	}
}

json_t *corral_recv(corral_conn_t *c, int timeout_ms, corral_error_t *err)
{
	if (json_array_size(c->pushed) > 0) {
		json_t *m = json_incref(json_array_get(c->pushed, 0));
		json_array_remove(c->pushed, 0);
		return m;
	}
	return read_frame(c, timeout_ms, err);
}

json_t *corral_call(corral_conn_t *c, json_t *req, corral_error_t *err)
{
	long long id = corral_send(c, req, err);
	if (id < 0)
		return NULL;
	for (;;) {
		json_t *m = read_frame(c, -1, err);
		if (!m)
			return NULL;
		json_t *mid = json_object_get(m, "id");
		if (mid && json_integer_value(mid) == id)
			return m;
		if (!mid)
			json_array_append(c->pushed, m);
		json_decref(m); /* replies to other ids: dropped */
	}
}

json_t *corral_rpc(corral_conn_t *c, json_t *req, corral_error_t *err, int *pbs_errno)
{
	json_t *rep = corral_call(c, req, err);
	if (!rep)
		return NULL;
	if (corral_msg_error(rep, err, pbs_errno) < 0) {
		json_decref(rep);
		return NULL;
	}
	return rep;
}

static int hello(corral_conn_t *c, const char *client, corral_error_t *err)
{
	json_t *req = json_pack("{s:s,s:i,s:s}", "op", "hello", "version", CORRAL_PROTO_VERSION,
				"client", client ? client : "libcorral");
	json_t *rep = corral_rpc(c, req, err, NULL);
	json_decref(req);
	if (!rep)
		return -(err ? err->code : EPROTO);
	c->server_name = xstrdup(corral_msg_str(rep, "server_name"));
	c->user = xstrdup(corral_msg_str(rep, "user"));
	c->role = xstrdup(corral_msg_str(rep, "role"));
	const char *nonce = corral_msg_str(rep, "nonce");
	snprintf(c->nonce, sizeof c->nonce, "%s", nonce ? nonce : "");
	json_decref(rep);
	return 0;
}

corral_conn_t *corral_connect(const char *home, const char *client, corral_error_t *err)
{
	char *path = corral_socket_path(home);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof sa.sun_path) {
		corral_errorf(err, ENAMETOOLONG, "socket path too long: %s", path);
		free(path);
		return NULL;
	}
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int e = errno;
		corral_errorf(err, e == ENOENT ? ECONNREFUSED : e,
			      "cannot connect to server at %s: %s (is corral-server running?)",
			      path, strerror(e));
		if (fd >= 0)
			close(fd);
		free(path);
		return NULL;
	}
	free(path);
	corral_conn_t *c = conn_new(fd);
	if (hello(c, client, err) < 0) {
		corral_close(c);
		return NULL;
	}
	return c;
}

corral_conn_t *corral_connect_tcp(const char *host, int port, const char *keyfile,
				  const char *client, corral_error_t *err)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL, *ai;
	char portstr[16];
	unsigned char key[CORRAL_KEY_BYTES];
	snprintf(portstr, sizeof portstr, "%d", port);
	if (keyfile && corral_key_load(keyfile, key, err) < 0)
		return NULL;
	int gai = getaddrinfo(host, portstr, &hints, &res);
	if (gai != 0) {
		corral_errorf(err, EINVAL, "cannot resolve %s: %s", host, gai_strerror(gai));
		return NULL;
	}
	int fd = -1, e = 0;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		corral_errorf(err, e ? e : ECONNREFUSED, "cannot connect to %s:%d: %s", host, port,
			      strerror(e ? e : ECONNREFUSED));
		return NULL;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	corral_conn_t *c = conn_new(fd);
	if (hello(c, client, err) < 0)
		goto fail;
	if (keyfile) {
		char cnonce[CORRAL_HEX_LEN], mac[CORRAL_HEX_LEN];
		corral_auth_nonce(cnonce);
		corral_auth_mac(key, CORRAL_AUTH_CLIENT, c->nonce, cnonce, mac);
		json_t *req = json_pack("{s:s,s:s,s:s}", "op", "auth", "cnonce", cnonce, "mac", mac);
		json_t *rep = corral_rpc(c, req, err, NULL);
		json_decref(req);
		if (!rep)
			goto fail;
		if (corral_auth_verify(key, CORRAL_AUTH_SERVER, c->nonce, cnonce,
				       corral_msg_str(rep, "mac")) < 0) {
			json_decref(rep);
			corral_errorf(err, EACCES, "the server did not prove it holds the cluster key");
			goto fail;
		}
		free(c->role);
		c->role = xstrdup(corral_msg_str(rep, "role"));
		json_decref(rep);
	}
	return c;
fail:
	corral_close(c);
	return NULL;
}

const char *corral_conn_server_name(const corral_conn_t *c)
{
	return c->server_name;
}

const char *corral_conn_user(const corral_conn_t *c)
{
	return c->user;
}

const char *corral_conn_role(const corral_conn_t *c)
{
	return c->role;
}

int corral_conn_fd(const corral_conn_t *c)
{
	return c->fd;
}

int corral_call_raw(corral_conn_t *c, json_t *req, char **text, size_t *len, corral_error_t *err)
{
	long long id = corral_send(c, req, err);
	if (id < 0)
		return (int)id;
	return corral_read_raw(c, id, text, len, err);
}

int corral_read_raw(corral_conn_t *c, long long id, char **text, size_t *len, corral_error_t *err)
{
	char idkey[48];
	int kl = snprintf(idkey, sizeof idkey, "{\"id\":%lld,", id);
	for (;;) {
		/* Read until one whole frame is buffered. */
		size_t n = 0;
		while (buf_unread(&c->in) < 4 ||
		       buf_unread(&c->in) < 4 + (n = ((size_t)(unsigned char)buf_peek(&c->in)[0] << 24 |
						   (size_t)(unsigned char)buf_peek(&c->in)[1] << 16 |
						   (size_t)(unsigned char)buf_peek(&c->in)[2] << 8 |
						   (size_t)(unsigned char)buf_peek(&c->in)[3]))) {
			size_t want = buf_unread(&c->in) >= 4 ? 4 + n - buf_unread(&c->in) : 65536;
			if (want < 65536)
				want = 65536;
			char *p = buf_reserve(&c->in, want);
			ssize_t r = read(c->fd, p, want);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return corral_errorf(err, r == 0 ? ENOTCONN : errno,
						     r == 0 ? "the server closed the connection"
							    : "cannot read from server");
			c->in.len += (size_t)r;
		}
		const char *payload = buf_peek(&c->in) + 4;
		/* The server writes "id" first in every reply. */
		if (n >= (size_t)kl && memcmp(payload, idkey, (size_t)kl) == 0) {
			*text = xmalloc(n + 1);
			memcpy(*text, payload, n);
			(*text)[n] = '\0';
			*len = n;
			buf_consume(&c->in, 4 + n);
			return 0;
		}
		json_t *m = NULL;
		if (corral_frame_decode(&c->in, (size_t)UINT32_MAX, &m, err) == 1) {
			if (!json_object_get(m, "id"))
				json_array_append(c->pushed, m);
			json_decref(m);
		}
	}
}
