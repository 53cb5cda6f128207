/* test_client_client.c - the blocking client API (src/client/client.h).
 *
 * corral_connect() connects by path, so each test listens on a Unix socket
 * at $CORRAL_HOME/run/server.sock in a mkdtemp directory and forks a child
 * that plays the server: it answers hello and then follows a small script
 * keyed by the request's "op" (see serve_op).  The child is reaped by the
 * test (its exit status must be 0) or, when a test fails early, killed by
 * pid in the teardown.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "src/client/client.h"
#include "src/common/buf.h"
#include "src/common/error.h"
#include "src/common/util.h"
#include "src/proto/frame.h"
#include "src/proto/msg.h"

#define BIG_REPLY ((size_t)300000)

/* How the fake server answers hello. */
enum hello_mode {
	HELLO_OK,    /* the normal reply */
	HELLO_PUSH,  /* a pushed message first, then the reply */
	HELLO_ERR,   /* an error reply */
	HELLO_CLOSE, /* close without answering */
};

struct fixture {
	char home[64];
	char sock[128];
	char *old_home; /* CORRAL_HOME before the test */
	int lfd;
	pid_t pid;
};

/* ---- the fake server (runs in the child) -------------------------------- */

static void die(int code) { _exit(code); /* no atexit, no leak check in the child */ }

static void send_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die(3);
		c += w;
		n -= (size_t)w;
	}
}

static void send_json(int fd, json_t *m)
{
	struct corral_buf b;
	buf_init(&b);
	if (corral_frame_encode(&b, m) < 0)
		die(4);
	send_all(fd, buf_peek(&b), buf_unread(&b));
	buf_free(&b);
	json_decref(m);
}

static void send_raw_frame(int fd, const char *payload)
{
	size_t n = strlen(payload);
	unsigned char h[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16),
			      (unsigned char)(n >> 8), (unsigned char)n};
	send_all(fd, h, 4);
	send_all(fd, payload, n);
}

static json_t *ok_reply(json_int_t id) { return corral_msg_ok(id); }

struct child_state {
	json_int_t slow_id;	/* request held by "slow" */
	json_int_t pipe_ids[2]; /* requests held by "pipe" */
	int npipe;
};

/* Answer one request; returns 0 to go on, 1 to close the connection. */
static int serve_op(int fd, json_t *req, struct child_state *cs)
{
	json_int_t id = json_integer_value(json_object_get(req, "id"));
	const char *op = corral_msg_str(req, "op");
	if (id <= 0 || !op)
		die(5);
	if (strcmp(op, "echo") == 0) {
		json_t *r = ok_reply(id);
		json_t *x = json_object_get(req, "x");
		json_object_set(r, "echo", x ? x : json_null());
		send_json(fd, r);
	} else if (strcmp(op, "fail") == 0) {
		send_json(fd, corral_msg_err(id, EPERM, PBSE_PERM, "not allowed: %s", "job 1.t"));
	} else if (strcmp(op, "fail_nopbs") == 0) {
		send_json(fd, corral_msg_err(id, ENOENT, 0, "no such thing"));
	} else if (strcmp(op, "push") == 0) {
		/* two pushes and a reply to an id nobody waits for, then the
		 * reply, all in one write */
		struct corral_buf b;
		buf_init(&b);
		json_t *m[4] = {json_pack("{s:s,s:i}", "op", "event.test", "n", 1),
				json_pack("{s:I,s:b}", "id", (json_int_t)999, "ok", 1),
				json_pack("{s:s,s:i}", "op", "event.test", "n", 2),
				json_pack("{s:I,s:b,s:s}", "id", id, "ok", 1, "what", "push")};
		for (int i = 0; i < 4; i++) {
			corral_frame_encode(&b, m[i]);
			json_decref(m[i]);
		}
		send_all(fd, buf_peek(&b), buf_unread(&b));
		buf_free(&b);
	} else if (strcmp(op, "pipe") == 0) {
		/* hold until two have arrived, then answer both in one write */
		cs->pipe_ids[cs->npipe++] = id;
		if (cs->npipe == 2) {
			struct corral_buf b;
			buf_init(&b);
			for (int i = 0; i < 2; i++) {
				json_t *r = json_pack("{s:I,s:b,s:i}", "id", cs->pipe_ids[i], "ok",
						      1, "seq", i);
				corral_frame_encode(&b, r);
				json_decref(r);
			}
			send_all(fd, buf_peek(&b), buf_unread(&b));
			buf_free(&b);
			cs->npipe = 0;
		}
	} else if (strcmp(op, "slow") == 0) {
		cs->slow_id = id; /* answered by "wake" */
	} else if (strcmp(op, "wake") == 0) {
		json_t *r = ok_reply(cs->slow_id);
		json_object_set_new(r, "late", json_true());
		send_json(fd, r);
		send_json(fd, ok_reply(id));
	} else if (strcmp(op, "split") == 0) {
		/* the reply one byte per write, with a pause in the middle */
		struct corral_buf b;
		buf_init(&b);
		json_t *r = json_pack("{s:I,s:b,s:s}", "id", id, "ok", 1, "text", "in pieces");
		corral_frame_encode(&b, r);
		json_decref(r);
		for (size_t i = 0; i < buf_unread(&b); i++) {
			send_all(fd, buf_peek(&b) + i, 1);
			if (i == 2 || i == 10)
				usleep(20 * 1000);
		}
		buf_free(&b);
	} else if (strcmp(op, "garbage") == 0) {
		send_raw_frame(fd, "{this is not json");
		json_t *r = ok_reply(id);
		json_object_set_new(r, "after", json_string("garbage"));
		send_json(fd, r);
	} else if (strcmp(op, "huge") == 0) {
		send_all(fd, "\x04\0\0\x01", 4); /* 64 MiB + 1 announced, no body */
	} else if (strcmp(op, "big") == 0) {
		/* a reply several read chunks long */
		char *text = xmalloc(BIG_REPLY + 1);
		for (size_t i = 0; i < BIG_REPLY; i++)
			text[i] = (char)('a' + i % 26);
		text[BIG_REPLY] = '\0';
		json_t *r = ok_reply(id);
		json_object_set_new(r, "text", json_string(text));
		free(text);
		send_json(fd, r);
	} else if (strcmp(op, "half") == 0) {
		send_all(fd, "\0\0\0\x20{\"id\":", 10); /* then EOF */
		return 1;
	} else if (strcmp(op, "bye") == 0) {
		return 1; /* EOF without a reply */
	} else {
		send_json(fd, corral_msg_err(id, ENOSYS, PBSE_UNKREQ, "unknown op %s", op));
	}
	return 0;
}

static int serve_hello(int fd, json_t *req, enum hello_mode mode)
{
	json_int_t id = json_integer_value(json_object_get(req, "id"));
	const char *op = corral_msg_str(req, "op");
	const char *client = corral_msg_str(req, "client");
	/* the client must open with hello, version 1, and name itself */
	if (id <= 0 || !op || strcmp(op, "hello") != 0 || !client ||
	    json_integer_value(json_object_get(req, "version")) != CORRAL_PROTO_VERSION)
		die(6);
	switch (mode) {
	case HELLO_CLOSE:
		return 1;
	case HELLO_ERR:
		send_json(fd, corral_msg_err(id, EPROTO, PBSE_PROTOCOL, "unsupported version"));
		return 0;
	case HELLO_PUSH:
		send_json(fd, json_pack("{s:s,s:s}", "op", "event.motd", "text", "welcome"));
		/* fall through */
	case HELLO_OK:
		send_json(
		    fd,
		    json_pack("{s:I,s:b,s:i,s:s,s:s,s:s,s:s,s:s}", "id", id, "ok", 1, "version", 1,
			      "server_name", "t", "user", "u", "role", "user", "nonce",
			      "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
			      "client_seen", client));
		return 0;
	}
	return 1;
}

/* Serve nconn connections one after the other, then exit 0. */
static void child_main(int lfd, int nconn, enum hello_mode mode)
{
	alarm(10); /* never outlive a broken test */
	for (int n = 0; n < nconn; n++) {
		int fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			die(2);
		struct corral_buf in;
		struct child_state cs = {0};
		bool said_hello = false, done = false;
		buf_init(&in);
		while (!done) {
			json_t *req = NULL;
			int rc = corral_frame_decode(&in, CORRAL_FRAME_MAX_DEFAULT, &req, NULL);
			if (rc < 0)
				die(7);
			if (rc == 1) {
				if (!said_hello) {
					said_hello = true;
					done = serve_hello(fd, req, mode) != 0;
				} else {
					done = serve_op(fd, req, &cs) != 0;
				}
				json_decref(req);
				continue;
			}
			char *p = buf_reserve(&in, 65536);
			ssize_t r = read(fd, p, 65536);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break; /* the client went away */
			in.len += (size_t)r;
		}
		buf_free(&in);
		close(fd);
	}
	die(0);
}

/* ---- fixture (parent) --------------------------------------------------- */

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	f->lfd = -1;
	f->pid = -1;
	snprintf(f->home, sizeof f->home, "/tmp/corral-ut-client-XXXXXX");
	if (!mkdtemp(f->home)) {
		free(f);
		return -1;
	}
	char run[96];
	snprintf(run, sizeof run, "%s/run", f->home);
	snprintf(f->sock, sizeof f->sock, "%s/run/server.sock", f->home);
	if (mkdir(run, 0700) < 0)
		return -1;
	const char *h = getenv("CORRAL_HOME");
	f->old_home = h ? xstrdup(h) : NULL;
	setenv("CORRAL_HOME", f->home, 1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	if (f->pid > 0) { /* the test failed before reaping its child */
		kill(f->pid, SIGKILL);
		waitpid(f->pid, NULL, 0);
	}
	if (f->lfd >= 0)
		close(f->lfd);
	if (f->old_home) {
		setenv("CORRAL_HOME", f->old_home, 1);
		free(f->old_home);
	} else {
		unsetenv("CORRAL_HOME");
	}
	char *cmd = xasprintf("rm -rf '%s'", f->home);
	int rc = system(cmd);
	free(cmd);
	free(f);
	return rc == 0 ? 0 : -1;
}

static int listen_at(const char *path, bool do_listen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	if (do_listen)
		assert_int_equal(listen(fd, 8), 0);
	return fd;
}

static void start_server(struct fixture *f, int nconn, enum hello_mode mode)
{
	f->lfd = listen_at(f->sock, true);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child_main(f->lfd, nconn, mode);
	f->pid = pid;
}

/* Wait for the child and require a clean exit. */
static void reap_server(struct fixture *f)
{
	int st = 0;
	assert_int_equal(waitpid(f->pid, &st, 0), f->pid);
	f->pid = -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		print_error("fake server: %s %d\n", WIFEXITED(st) ? "exit" : "signal",
			    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static json_t *req_op(const char *op) { return json_pack("{s:s}", "op", op); }

static corral_conn_t *connect_ok(void)
{
	corral_error_t err = {0};
	corral_conn_t *c = corral_connect(NULL, "test", &err);
	if (!c)
		print_error("connect: %s\n", err.text);
	assert_non_null(c);
	return c;
}

/* ---- tests -------------------------------------------------------------- */

static void test_connect_and_call(void **state)
{
	struct fixture *f = *state;
	start_server(f, 1, HELLO_OK);
	corral_conn_t *c = connect_ok();
	assert_string_equal(corral_conn_server_name(c), "t");
	assert_string_equal(corral_conn_user(c), "u");
	assert_string_equal(corral_conn_role(c), "user");
	assert_true(corral_conn_fd(c) >= 0);

	/* corral_call: the reply to our id, the request not stolen */
	corral_error_t err = {0};
	json_t *req = json_pack("{s:s,s:{s:i}}", "op", "echo", "x", "n", 5);
	json_t *rep = corral_call(c, req, &err);
	assert_non_null(rep);
	json_int_t id1 = json_integer_value(json_object_get(req, "id"));
	assert_true(id1 > 0);
	assert_int_equal(json_integer_value(json_object_get(rep, "id")), id1);
	assert_true(json_is_true(json_object_get(rep, "ok")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(rep, "echo"), "n")), 5);
	json_decref(rep);

	/* the same request object again gets a new, larger id */
	rep = corral_call(c, req, &err);
	assert_non_null(rep);
	json_int_t id2 = json_integer_value(json_object_get(req, "id"));
	assert_true(id2 > id1);
	assert_int_equal(json_integer_value(json_object_get(rep, "id")), id2);
	json_decref(rep);
	json_decref(req);

	/* corral_rpc with an ok reply returns it; pbs_errno 0 */
	req = req_op("echo");
	int pbs = 77;
	rep = corral_rpc(c, req, &err, &pbs);
	assert_non_null(rep);
	assert_int_equal(pbs, 0);
	assert_true(json_is_null(json_object_get(rep, "echo")));
	json_decref(rep);
	json_decref(req);

	/* an op the server does not know: a normal error reply */
	req = req_op("nosuch");
	rep = corral_call(c, req, &err);
	assert_non_null(rep);
	assert_true(json_is_false(json_object_get(rep, "ok")));
	json_decref(rep);
	json_decref(req);

	corral_close(c);
	reap_server(f);
}

static void test_connect_explicit_home(void **state)
{
	struct fixture *f = *state;
	start_server(f, 1, HELLO_OK);
	/* the home argument wins over $CORRAL_HOME */
	setenv("CORRAL_HOME", "/nonexistent/corral", 1);
	corral_error_t err = {0};
	corral_conn_t *c = corral_connect(f->home, NULL, &err);
	assert_non_null(c);
	char *p = corral_socket_path(f->home);
	assert_string_equal(p, f->sock);
	free(p);
	p = corral_socket_path(NULL);
	assert_string_equal(p, "/nonexistent/corral/run/server.sock");
	free(p);
	corral_close(c);
	reap_server(f);
}

static void test_rpc_error(void **state)
{
	struct fixture *f = *state;
	start_server(f, 1, HELLO_OK);
	corral_conn_t *c = connect_ok();
	corral_error_t err = {0};
	int pbs = 0;

	json_t *req = req_op("fail");
	json_t *rep = corral_rpc(c, req, &err, &pbs);
	assert_null(rep);
	assert_int_equal(err.code, EPERM);
	assert_string_equal(err.text, "not allowed: job 1.t");
	assert_int_equal(pbs, PBSE_PERM);
	/* pbs_errno may be NULL */
	memset(&err, 0, sizeof err);
	assert_null(corral_rpc(c, req, &err, NULL));
	assert_int_equal(err.code, EPERM);
	json_decref(req);

	/* without pbs_errno in the reply: 0 */
	req = req_op("fail_nopbs");
	pbs = 123;
	assert_null(corral_rpc(c, req, &err, &pbs));
	assert_int_equal(err.code, ENOENT);
	assert_string_equal(err.text, "no such thing");
	assert_int_equal(pbs, 0);
	json_decref(req);

	/* corral_call hands the same error reply back as it is */
	req = req_op("fail");
	rep = corral_call(c, req, &err);
	assert_non_null(rep);
	assert_true(json_is_false(json_object_get(rep, "ok")));
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(rep, "error"), "code")), "EPERM");
	json_decref(rep);
	json_decref(req);

	/* the connection is still fine after errors */
	req = req_op("echo");
	rep = corral_rpc(c, req, &err, &pbs);
	assert_non_null(rep);
	json_decref(rep);
	json_decref(req);

	corral_close(c);
	reap_server(f);
}

static void test_pushed_messages_kept(void **state)
{
	struct fixture *f = *state;
	start_server(f, 1, HELLO_OK);
	corral_conn_t *c = connect_ok();
	corral_error_t err = {0};

	json_t *req = req_op("push");
	json_t *rep = corral_call(c, req, &err);
	assert_non_null(rep);
	assert_int_equal(json_integer_value(json_object_get(rep, "id")),
			 json_integer_value(json_object_get(req, "id")));
	assert_string_equal(corral_msg_str(rep, "what"), "push");
	json_decref(rep);
	json_decref(req);

	/* the two pushes come out of corral_recv in order, without reading */
	json_t *m = corral_recv(c, 0, &err);
	assert_non_null(m);
	assert_string_equal(corral_msg_str(m, "op"), "event.test");
	assert_int_equal(json_integer_value(json_object_get(m, "n")), 1);
	json_decref(m);
	m = corral_recv(c, 0, &err);
	assert_non_null(m);
	assert_int_equal(json_integer_value(json_object_get(m, "n")), 2);
	json_decref(m);
	/* the reply to id 999 nobody waited for was dropped */
	memset(&err, 0, sizeof err);
	assert_null(corral_recv(c, 50, &err));
	assert_int_equal(err.code, ETIMEDOUT);

	corral_close(c);
	reap_server(f);
}

static void test_push_during_hello(void **state)
{
	struct fixture *f = *state;
	start_server(f, 1, HELLO_PUSH);
	corral_conn_t *c = connect_ok();
	assert_string_equal(corral_conn_server_name(c), "t");
	corral_error_t err = {0};
	json_t *m = corral_recv(c, 0, &err);
	assert_non_null(m);
	assert_string_equal(corral_msg_str(m, "op"), "event.motd");
	json_decref(m);
	corral_close(c);
	reap_server(f);
}

static void test_pipelining(void **state)
{
	struct fixture *f = *state;
	start_server(f, 1, HELLO_OK);
	corral_conn_t *c = connect_ok();
	corral_error_t err = {0};

	json_t *r1 = req_op("pipe"), *r2 = req_op("pipe");
	long long id1 = corral_send_buffered(c, r1, &err);
	long long id2 = corral_send_buffered(c, r2, &err);
	assert_true(id1 > 0);
	assert_true(id2 > id1);
	/* buffered only: nothing has gone out, so nothing comes back */
	assert_null(corral_recv(c, 50, &err));
	assert_int_equal(err.code, ETIMEDOUT);

	assert_int_equal(corral_flush(c, &err), 0);
	/* both replies arrive in one write; each recv returns one, in order */
	json_t *a = corral_recv(c, 2000, &err);
	assert_non_null(a);
	json_t *b = corral_recv(c, 2000, &err);
	assert_non_null(b);
	assert_int_equal(json_integer_value(json_object_get(a, "id")), id1);
	assert_int_equal(json_integer_value(json_object_get(a, "seq")), 0);
	assert_int_equal(json_integer_value(json_object_get(b, "id")), id2);
	assert_int_equal(json_integer_value(json_object_get(b, "seq")), 1);
	json_decref(a);
	json_decref(b);
	/* a second flush with nothing buffered sends nothing and succeeds */
	assert_int_equal(corral_flush(c, &err), 0);
	json_decref(r1);
	json_decref(r2);

	/* mixing: corral_send is send_buffered + flush */
	r1 = req_op("pipe");
	r2 = req_op("pipe");
	id1 = corral_send(c, r1, &err);
	id2 = corral_send(c, r2, &err);
	assert_true(id2 > id1 && id1 > 0);
	a = corral_recv(c, -1, &err);
	b = corral_recv(c, -1, &err);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(json_integer_value(json_object_get(a, "id")), id1);
	assert_int_equal(json_integer_value(json_object_get(b, "id")), id2);
	json_decref(a);
	json_decref(b);
	json_decref(r1);
	json_decref(r2);

	corral_close(c);
	reap_server(f);
}

static void test_timeout(void **state)
{
	struct fixture *f = *state;
	start_server(f, 1, HELLO_OK);
	corral_conn_t *c = connect_ok();
	corral_error_t err = {0};

	json_t *slow = req_op("slow");
	long long sid = corral_send(c, slow, &err);
	assert_true(sid > 0);
	uint64_t t0 = corral_mono_ms();
	assert_null(corral_recv(c, 100, &err));
	uint64_t dt = corral_mono_ms() - t0;
	assert_int_equal(err.code, ETIMEDOUT);
	assert_true(dt >= 95);
	assert_true(dt < 1000);
	/* timeout 0 polls once */
	memset(&err, 0, sizeof err);
	t0 = corral_mono_ms();
	assert_null(corral_recv(c, 0, &err));
	assert_int_equal(err.code, ETIMEDOUT);
	assert_true(corral_mono_ms() - t0 < 100);

	/* the connection survives a timeout: the late reply still arrives */
	json_t *wake = req_op("wake");
	long long wid = corral_send(c, wake, &err);
	json_t *m = corral_recv(c, 2000, &err);
	assert_non_null(m);
	assert_int_equal(json_integer_value(json_object_get(m, "id")), sid);
	assert_true(json_is_true(json_object_get(m, "late")));
	json_decref(m);
	m = corral_recv(c, 2000, &err);
	assert_non_null(m);
	assert_int_equal(json_integer_value(json_object_get(m, "id")), wid);
	json_decref(m);
	json_decref(slow);
	json_decref(wake);

	corral_close(c);
	reap_server(f);
}

static void test_split_reply(void **state)
{
	struct fixture *f = *state;
	start_server(f, 1, HELLO_OK);
	corral_conn_t *c = connect_ok();
	corral_error_t err = {0};
	json_t *req = req_op("split");
	json_t *rep = corral_call(c, req, &err);
	assert_non_null(rep);
	assert_string_equal(corral_msg_str(rep, "text"), "in pieces");
	json_decref(rep);
	/* and with recv and a timeout long enough for the pauses */
	long long id = corral_send(c, req, &err);
	rep = corral_recv(c, 2000, &err);
	assert_non_null(rep);
	assert_int_equal(json_integer_value(json_object_get(rep, "id")), id);
	json_decref(rep);
	json_decref(req);
	corral_close(c);
	reap_server(f);
}

static void test_bad_frames_from_server(void **state)
{
	struct fixture *f = *state;
	start_server(f, 1, HELLO_OK);
	corral_conn_t *c = connect_ok();
	corral_error_t err = {0};

	/* malformed JSON: an EPROTO error, then the next frame is fine */
	json_t *req = req_op("garbage");
	long long id = corral_send(c, req, &err);
	assert_null(corral_recv(c, 2000, &err));
	assert_int_equal(err.code, EPROTO);
	json_t *m = corral_recv(c, 2000, &err);
	assert_non_null(m);
	assert_int_equal(json_integer_value(json_object_get(m, "id")), id);
	assert_string_equal(corral_msg_str(m, "after"), "garbage");
	json_decref(m);
	json_decref(req);

	/* a reply longer than one read */
	req = req_op("big");
	m = corral_call(c, req, &err);
	assert_non_null(m);
	const char *text = corral_msg_str(m, "text");
	assert_non_null(text);
	assert_int_equal(strlen(text), BIG_REPLY);
	assert_int_equal(text[BIG_REPLY - 1], 'a' + (BIG_REPLY - 1) % 26);
	json_decref(m);
	json_decref(req);

	/* a length beyond the server's 64 MiB default is not refused by the
	 * client (replies may be huge, src/client/client.c read_frame): it
	 * waits for the body */
	req = req_op("huge");
	corral_send(c, req, &err);
	memset(&err, 0, sizeof err);
	assert_null(corral_recv(c, 100, &err));
	assert_int_equal(err.code, ETIMEDOUT);
	json_decref(req);

	corral_close(c);
	reap_server(f);
}

static void test_call_raw(void **state)
{
	struct fixture *f = *state;
	start_server(f, 1, HELLO_OK);
	corral_conn_t *c = connect_ok();
	corral_error_t err = {0};

	/* the reply's text as sent, pushes kept, other ids dropped */
	json_t *req = req_op("push");
	char *text = NULL;
	size_t len = 0;
	assert_int_equal(corral_call_raw(c, req, &text, &len, &err), 0);
	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	json_int_t id = json_integer_value(json_object_get(req, "id"));
	json_t *rep = json_loads(text, 0, NULL);
	assert_non_null(rep);
	assert_int_equal(json_integer_value(json_object_get(rep, "id")), id);
	assert_string_equal(corral_msg_str(rep, "what"), "push");
	json_decref(rep);
	free(text);
	json_decref(req);
	json_t *m = corral_recv(c, 0, &err);
	assert_non_null(m);
	assert_int_equal(json_integer_value(json_object_get(m, "n")), 1);
	json_decref(m);
	m = corral_recv(c, 0, &err);
	assert_non_null(m);
	assert_int_equal(json_integer_value(json_object_get(m, "n")), 2);
	json_decref(m);
	assert_null(corral_recv(c, 20, &err));
	assert_int_equal(err.code, ETIMEDOUT);

	/* a big reply, and an error reply is returned as text too */
	req = req_op("big");
	assert_int_equal(corral_call_raw(c, req, &text, &len, &err), 0);
	assert_true(len > BIG_REPLY);
	free(text);
	json_decref(req);
	req = req_op("fail");
	assert_int_equal(corral_call_raw(c, req, &text, &len, &err), 0);
	assert_non_null(strstr(text, "\"EPERM\""));
	free(text);
	json_decref(req);

	/* EOF */
	req = req_op("bye");
	memset(&err, 0, sizeof err);
	text = NULL;
	assert_int_equal(corral_call_raw(c, req, &text, &len, &err), -ENOTCONN);
	assert_int_equal(err.code, ENOTCONN);
	assert_null(text);
	json_decref(req);

	corral_close(c);
	reap_server(f);
}

static void test_eof(void **state)
{
	struct fixture *f = *state;
	start_server(f, 2, HELLO_OK);

	/* the server closes instead of answering */
	corral_conn_t *c = connect_ok();
	corral_error_t err = {0};
	json_t *req = req_op("bye");
	assert_null(corral_call(c, req, &err));
	assert_int_equal(err.code, ENOTCONN);
	/* and again: still ENOTCONN, from recv or from send */
	memset(&err, 0, sizeof err);
	assert_null(corral_recv(c, 1000, &err));
	assert_int_equal(err.code, ENOTCONN);
	memset(&err, 0, sizeof err);
	assert_null(corral_call(c, req, &err));
	assert_int_equal(err.code, ENOTCONN);
	json_decref(req);
	corral_close(c);

	/* EOF in the middle of a frame */
	c = connect_ok();
	req = req_op("half");
	memset(&err, 0, sizeof err);
	assert_null(corral_call(c, req, &err));
	assert_int_equal(err.code, ENOTCONN);
	json_decref(req);
	corral_close(c);

	reap_server(f);
}

static void test_hello_refused(void **state)
{
	struct fixture *f = *state;
	start_server(f, 2, HELLO_ERR);
	corral_error_t err = {0};
	int fds_before = open("/dev/null", O_RDONLY);
	assert_true(fds_before >= 0);
	close(fds_before);
	assert_null(corral_connect(NULL, "test", &err));
	assert_int_equal(err.code, EPROTO);
	assert_string_equal(err.text, "unsupported version");
	/* err NULL is accepted too */
	assert_null(corral_connect(NULL, "test", NULL));
	/* the socket was closed: the next descriptor is the same again */
	int fd_after = open("/dev/null", O_RDONLY);
	close(fd_after);
	assert_int_equal(fd_after, fds_before);
	reap_server(f);
}

static void test_hello_eof(void **state)
{
	struct fixture *f = *state;
	start_server(f, 1, HELLO_CLOSE);
	corral_error_t err = {0};
	assert_null(corral_connect(NULL, "test", &err));
	assert_int_equal(err.code, ENOTCONN);
	reap_server(f);
}

static void test_connect_refused(void **state)
{
	struct fixture *f = *state;
	corral_error_t err = {0};

	/* no socket file at all */
	assert_null(corral_connect(NULL, "test", &err));
	assert_int_equal(err.code, ECONNREFUSED);
	assert_non_null(strstr(err.text, f->sock));

	/* a socket file nobody listens on (a server that died) */
	int fd = listen_at(f->sock, false);
	memset(&err, 0, sizeof err);
	assert_null(corral_connect(NULL, "test", &err));
	assert_int_equal(err.code, ECONNREFUSED);
	assert_non_null(strstr(err.text, f->sock));
	close(fd);

	/* an explicit home that does not exist */
	memset(&err, 0, sizeof err);
	assert_null(corral_connect("/nonexistent/corral-home", "test", &err));
	assert_int_equal(err.code, ECONNREFUSED);
	assert_non_null(strstr(err.text, "/nonexistent/corral-home/run/server.sock"));

	/* a path too long for sun_path */
	char longhome[200];
	memset(longhome, 'h', sizeof longhome - 1);
	longhome[0] = '/';
	longhome[sizeof longhome - 1] = '\0';
	memset(&err, 0, sizeof err);
	assert_null(corral_connect(longhome, "test", &err));
	assert_int_equal(err.code, ENAMETOOLONG);
}

static void test_close_null_and_errno(void **state)
{
	struct fixture *f = *state;
	corral_close(NULL);
	start_server(f, 1, HELLO_OK);
	corral_conn_t *c = connect_ok();
	errno = ENOSPC;
	corral_close(c);
	assert_int_equal(errno, ENOSPC);
	reap_server(f);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_connect_and_call),
	    T(test_connect_explicit_home),
	    T(test_rpc_error),
	    T(test_pushed_messages_kept),
	    T(test_push_during_hello),
	    T(test_pipelining),
	    T(test_timeout),
	    T(test_split_reply),
	    T(test_bad_frames_from_server),
	    T(test_call_raw),
	    T(test_eof),
	    T(test_hello_refused),
	    T(test_hello_eof),
	    T(test_connect_refused),
	    T(test_close_null_and_errno),
	};
#undef T
	if (getenv("CORRAL_TEST_FILTER")) /* run some tests only: a glob */
		cmocka_set_test_filter(getenv("CORRAL_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
