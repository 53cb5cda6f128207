/* authpeer.c - a scriptable TCP peer that can prove the cluster key.
 *
 *   authpeer --tcp HOST:PORT [--key FILE] [--client NAME] [--wait MS] ACTION...
 *
 * The service role for tests (tests/integration/t0500-authority.sh): it
 * speaks the handshake of docs/protocol.md itself, so a test can run
 * several ops on one authenticated connection (node.register then
 * node.heartbeat, sched.register then sched.run), capture a real auth
 * exchange and replay it elsewhere, or stay unauthenticated.
 *
 * Actions run in order on one connection:
 *   hello        send hello, read its reply (keeps the server nonce), print it
 *   auth         answer the nonce with HMAC(key) as a cluster member does,
 *                read the reply, print it; fails unless the server answered
 *                with a MAC proving it holds the key too
 *   show-auth    print the auth request the last "auth" sent (for replays)
 *   call JSON    send the request JSON (an "id" is added when it has none),
 *                read frames until the reply with that id (pushed messages
 *                are skipped) and print it
 *   frame JSON   send JSON as given, read nothing
 *   read         read one frame and print it
 *   expect-close succeed only if the server closes within --wait ms
 *   waitfile PATH  pause until PATH exists (at most 60 s): lets a test
 *                run commands between two actions
 * Everything printed is one compact JSON object per line.
 * Exit status: 0 when every action worked (an error reply counts as
 * worked), 1 on I/O failure or timeout, 2 on bad usage.
 */
#include <errno.h>
#include <jansson.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "src/common/buf.h"
#include "src/common/util.h"
#include "src/proto/auth.h"
#include "src/proto/frame.h"

static int fd = -1;
static int wait_ms = 5000;
static struct corral_buf in;
static json_int_t next_id = 1;
static char nonce[CORRAL_HEX_LEN];
static char *auth_sent; /* the last auth request, compact JSON */

static int sendall(const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static int send_json(const json_t *msg)
{
	struct corral_buf out;
	buf_init(&out);
	int rc = corral_frame_encode(&out, msg);
	if (rc == 0)
		rc = sendall(buf_peek(&out), buf_unread(&out));
	buf_free(&out);
	return rc;
}

static int send_text(const char *text)
{
	size_t n = strlen(text);
	unsigned char h[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16),
			      (unsigned char)(n >> 8), (unsigned char)n};
	return sendall(h, 4) < 0 ? -1 : sendall(text, n);
}

/* 1: *msg read (caller owns it), 0: EOF, -1: timeout, error or bad frame */
static int read_msg(json_t **msg)
{
	for (;;) {
		corral_error_t err = {0};
		int rc = corral_frame_decode(&in, (size_t)1 << 30, msg, &err);
		if (rc == 1)
			return 1;
		if (rc < 0) {
			fprintf(stderr, "authpeer: bad frame: %s\n", err.text);
			return -1;
		}
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (poll(&pfd, 1, wait_ms) <= 0)
			return -1;
		char *p = buf_reserve(&in, 65536);
		ssize_t r = read(fd, p, 65536);
		if (r < 0 && errno == ECONNRESET)
			return 0;
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		in.len += (size_t)r;
	}
}

static void print_msg(const json_t *msg)
{
	char *t = json_dumps(msg, JSON_COMPACT | JSON_SORT_KEYS);
	puts(t ? t : "{}");
	fflush(stdout);
	free(t);
}

/* Send req (id added when missing), read until its reply; *rep owned by
 * the caller.  0 or -1. */
static int call(json_t *req, json_t **rep)
{
	json_t *jid = json_object_get(req, "id");
	json_int_t id;
	if (json_is_integer(jid)) {
		id = json_integer_value(jid);
	} else {
		id = next_id++;
		json_object_set_new(req, "id", json_integer(id));
	}
	if (send_json(req) < 0)
		return -1;
	for (;;) {
		json_t *m = NULL;
		if (read_msg(&m) != 1)
			return -1;
		json_t *rid = json_object_get(m, "id");
		if (json_is_integer(rid) && (json_integer_value(rid) == id || json_integer_value(rid) == 0)) {
			*rep = m;
			return 0;
		}
		json_decref(m); /* a pushed message, or a reply to a frame sent raw */
	}
}

static int do_hello(const char *client)
{
	json_t *req = json_pack("{s:s,s:i,s:s}", "op", "hello", "version", 1, "client", client);
	json_t *rep = NULL;
	int rc = call(req, &rep);
	json_decref(req);
	if (rc < 0)
		return -1;
	const char *n = json_string_value(json_object_get(rep, "nonce"));
	snprintf(nonce, sizeof nonce, "%s", n ? n : "");
	print_msg(rep);
	json_decref(rep);
	return 0;
}

static int do_auth(const unsigned char key[CORRAL_KEY_BYTES])
{
	char cnonce[CORRAL_HEX_LEN], mac[CORRAL_HEX_LEN];
	corral_auth_nonce(cnonce);
	corral_auth_mac(key, CORRAL_AUTH_CLIENT, nonce, cnonce, mac);
	json_t *req = json_pack("{s:I,s:s,s:s,s:s}", "id", next_id++, "op", "auth", "cnonce",
				cnonce, "mac", mac);
	free(auth_sent);
	auth_sent = json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS);
	json_t *rep = NULL;
	int rc = call(req, &rep);
	json_decref(req);
	if (rc < 0)
		return -1;
	print_msg(rep);
	if (json_is_true(json_object_get(rep, "ok")) &&
	    corral_auth_verify(key, CORRAL_AUTH_SERVER, nonce, cnonce,
			       json_string_value(json_object_get(rep, "mac"))) < 0) {
		fprintf(stderr, "authpeer: the server did not prove it holds the key\n");
		rc = -1;
	}
	json_decref(rep);
	return rc;
}

static int connect_to(const char *tcp)
{
	char host[256];
	const char *colon = strrchr(tcp, ':');
	if (!colon || colon == tcp || (size_t)(colon - tcp) >= sizeof host)
		return -1;
	snprintf(host, sizeof host, "%.*s", (int)(colon - tcp), tcp);
	if (host[0] == '[') { /* [::1]:15001 */
		memmove(host, host + 1, strlen(host));
		host[strcspn(host, "]")] = '\0';
	}
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
	if (getaddrinfo(host, colon + 1, &hints, &res) != 0)
		return -1;
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int rc = fd < 0 ? -1 : connect(fd, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	if (rc == 0) {
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
	return rc;
}

int main(int argc, char **argv)
{
	const char *tcp = NULL, *keyfile = NULL, *client = "authpeer";
	unsigned char key[CORRAL_KEY_BYTES];
	bool have_key = false;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--tcp") && i + 1 < argc)
			tcp = argv[++i];
		else if (!strcmp(argv[i], "--key") && i + 1 < argc)
			keyfile = argv[++i];
		else if (!strcmp(argv[i], "--client") && i + 1 < argc)
			client = argv[++i];
		else if (!strcmp(argv[i], "--wait") && i + 1 < argc)
			wait_ms = atoi(argv[++i]);
		else {
			fprintf(stderr, "authpeer: bad option %s\n", argv[i]);
			return 2;
		}
	}
	if (!tcp) {
		fprintf(stderr, "authpeer: --tcp HOST:PORT is required\n");
		return 2;
	}
	buf_init(&in);
	if (connect_to(tcp) < 0) {
		perror("authpeer: connect");
		return 1;
	}
	int status = 0;
	for (; i < argc && status == 0; i++) {
		const char *a = argv[i];
		const char *arg = i + 1 < argc ? argv[i + 1] : NULL;
		int rc = 0;
		if (!strcmp(a, "hello")) {
			rc = do_hello(client);
		} else if (!strcmp(a, "auth")) {
			if (!have_key) {
				corral_error_t err = {0};
				char *kp = keyfile ? xstrdup(keyfile) : corral_path("cluster.key");
				rc = corral_key_load(kp, key, &err);
				free(kp);
				if (rc < 0) {
					fprintf(stderr, "authpeer: %s\n", err.text);
					status = 1;
					break;
				}
				have_key = true;
			}
			rc = do_auth(key);
		} else if (!strcmp(a, "show-auth")) {
			if (auth_sent)
				puts(auth_sent);
			else
				rc = -1;
		} else if (!strcmp(a, "call") || !strcmp(a, "frame")) {
			json_error_t jerr;
			json_t *req = arg ? json_loads(arg, 0, &jerr) : NULL;
			i++;
			if (!json_is_object(req)) {
				fprintf(stderr, "authpeer: %s wants a JSON object\n", a);
				json_decref(req);
				status = 2;
				break;
			}
			if (a[0] == 'f') {
				rc = send_text(arg);
			} else {
				json_t *rep = NULL;
				rc = call(req, &rep);
				if (rc == 0)
					print_msg(rep);
				json_decref(rep);
			}
			json_decref(req);
		} else if (!strcmp(a, "read")) {
			json_t *m = NULL;
			rc = read_msg(&m) == 1 ? 0 : -1;
			if (rc == 0)
				print_msg(m);
			json_decref(m);
		} else if (!strcmp(a, "waitfile") && arg) {
			i++;
			int k = 0;
			while (access(arg, F_OK) != 0 && k++ < 1200)
				usleep(50000);
			rc = access(arg, F_OK) == 0 ? 0 : -1;
		} else if (!strcmp(a, "expect-close")) {
			json_t *m = NULL;
			int r;
			while ((r = read_msg(&m)) == 1) {
				print_msg(m);
				json_decref(m);
				m = NULL;
			}
			rc = r == 0 ? 0 : -1;
		} else {
			fprintf(stderr, "authpeer: unknown action %s\n", a);
			status = 2;
			break;
		}
		if (rc < 0) {
			fprintf(stderr, "authpeer: action %s failed\n", a);
			status = 1;
		}
	}
	free(auth_sent);
	buf_free(&in);
	close(fd);
	return status;
}
