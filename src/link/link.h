/* link.h - a daemon's connection to the server (corral-node: "Node
 * daemons", corral-sched: "Schedulers" in docs/protocol.md), asynchronous
 * on the daemon's libuv loop.
 *
 *   IDLE --retry timer--> RESOLVING --> CONNECTING --> HELLO --> AUTH
 *        --> REGISTERING --> READY
 *   any failure or EOF: close, pending requests get a NULL reply, back to
 *   IDLE and retry after a backoff (0.5 s doubling, capped at 30 s, with
 *   jitter: a random delay between half and all of it), reset once READY.
 *
 * Requests carry ids chosen here; replies come in request order.  Pushed
 * messages (they have an "op"; replies do not) go to ops->on_push once
 * the register request is sent: the server may push before it replies
 * (a scheduler's snapshot right behind the reply, job.kill of a job a node
 * reported that the server does not run there).  With a heartbeat op, while
 * READY that op goes out every `heartbeat` s (from the register reply); a
 * request unanswered for 3 heartbeats (at least 30 s) counts as a dead
 * server and the link starts over.  The server's port, when not given, is
 * looked up again at every attempt ($CORRAL_HOME/run/server.port, then
 * $CORRAL_PORT, then 15001), and so is the cluster key, so a restarted
 * server on a new port or a fixed key file is picked up by itself.  A
 * refused registration is retried with the same backoff.
 */
#ifndef CORRAL_LINK_LINK_H
#define CORRAL_LINK_LINK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

struct link;

/* reply: the server's reply (borrowed; "ok" may be false), or NULL when
 * the connection dropped before it came. */
typedef void (*link_reply_cb)(struct link *l, json_t *reply, void *arg);

struct link_ops {
	/* Build the register request (without id; node.register,
	 * sched.register); the link owns the result.  Called once per
	 * connection, after auth. */
	json_t *(*build_register)(void *ctx);
	/* Registered: requests may be sent.  reply is the register reply. */
	void (*on_ready)(void *ctx, json_t *reply);
	/* The connection is gone (pending callbacks already ran with NULL). */
	void (*on_down)(void *ctx);
	/* A pushed message (borrowed). */
	void (*on_push)(void *ctx, json_t *msg);
	/* A pushed message whose op starts with cfg.text_push_op_prefix, as its
	 * JSON text (borrowed for the call), not parsed; when set, on_push gets
	 * the other pushes only. */
	void (*on_push_text)(void *ctx, const char *text, size_t len);
	/* Such a message of 64 KiB or more, fed as it arrives:
	 * data[0..n) continues where the consumed bytes of the previous call
	 * ended; return how many were consumed (the rest comes again with
	 * more), or -1 to drop the connection.  first/final: the frame starts
	 * / ends with this data (then everything must be consumed). */
	long (*on_push_stream)(void *ctx, const char *data, size_t n, bool first, bool final);
};

struct link_cfg {
	const char *host;    /* NULL: 127.0.0.1 */
	int port;	     /* 0: discover at every attempt */
	const char *keyfile; /* cluster key path */
	const char *client;  /* name in hello: "corral-node", "corral-sched" */
	const char *heartbeat_op;        /* "node.heartbeat"; NULL: none */
	const char *text_push_op_prefix; /* "sched.": such pushes go to on_push_text /
					  * on_push_stream; NULL: none */
};

/* Copies cfg.  Does not connect until link_start(). */
struct link *link_create(uv_loop_t *loop, const struct link_cfg *cfg, const struct link_ops *ops,
			 void *ctx);
void link_start(struct link *l);
/* Close the connection and every handle; done_cb runs once all is closed
 * (the link is freed then). */
void link_destroy(struct link *l, void (*done_cb)(void *arg), void *arg);

bool link_ready(const struct link *l);
int link_inflight(const struct link *l);
/* Bytes handed to the socket and not yet written. */
size_t link_backlog(const struct link *l);
/* Send req (borrowed; its "id" is set) once READY.  cb (may be NULL) runs
 * exactly once, never from inside this call when it succeeds.  0, or
 * -ENOTCONN when not READY (cb does not run). */
int link_send(struct link *l, json_t *req, link_reply_cb cb, void *arg);
/* The same for a request already written as JSON text without its closing
 * brace ("{\"op\":...,\"runs\":[...]"): the link adds ",\"id\":N}". */
int link_send_text(struct link *l, const char *text, size_t len, link_reply_cb cb, void *arg);

/* Backoff before attempt n (0-based) in ms, given a random r in [0,1). */
unsigned link_backoff_ms(unsigned attempt, double r);

#endif
