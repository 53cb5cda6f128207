/* link.h - corral-node's connection to the server (docs/protocol.md,
 * "Node daemons"), asynchronous on the daemon's libuv loop.
 *
 *   IDLE --retry timer--> RESOLVING --> CONNECTING --> HELLO --> AUTH
 *        --> REGISTERING --> READY
 *   any failure or EOF: close, pending requests get a NULL reply, back to
 *   IDLE and retry after a backoff (0.5 s doubling, capped at 30 s, with
 *   jitter: a random delay between half and all of it), reset once READY.
 *
 * Requests carry ids chosen here; replies come in request order.  Pushed
 * messages (they have an "op"; replies do not) go to ops->on_push once
 * node.register is sent: the server may push before it replies (job.kill
 * of a reported job it does not run here).  While READY a
 * heartbeat goes out every `heartbeat` s (from the register reply); a
 * request unanswered for 3 heartbeats (at least 30 s) counts as a dead
 * server and the link starts over.  The server's port, when not given, is
 * looked up again at every attempt ($CORRAL_HOME/run/server.port, then
 * $CORRAL_PORT, then 15001), and so is the cluster key, so a restarted
 * server on a new port or a fixed key file is picked up by itself.
 */
#ifndef CORRAL_NODE_LINK_H
#define CORRAL_NODE_LINK_H

#include <jansson.h>
#include <stdbool.h>
#include <uv.h>

struct link;

/* reply: the server's reply (borrowed; "ok" may be false), or NULL when
 * the connection dropped before it came. */
typedef void (*link_reply_cb)(struct link *l, json_t *reply, void *arg);

struct link_ops {
	/* Build the node.register request (without id); caller of the op
	 * owns the result.  Called once per connection, after auth. */
	json_t *(*build_register)(void *ctx);
	/* Registered: requests may be sent.  reply is the register reply. */
	void (*on_ready)(void *ctx, json_t *reply);
	/* The connection is gone (pending callbacks already ran with NULL). */
	void (*on_down)(void *ctx);
	/* A pushed message (borrowed); may come before on_ready. */
	void (*on_push)(void *ctx, json_t *msg);
};

struct link_cfg {
	const char *host;    /* NULL: 127.0.0.1 */
	int port;	     /* 0: discover at every attempt */
	const char *keyfile; /* cluster key path */
	const char *client;  /* name in hello: "corral-node" */
};

/* Copies cfg.  Does not connect until link_start(). */
struct link *link_create(uv_loop_t *loop, const struct link_cfg *cfg, const struct link_ops *ops,
			 void *ctx);
/* Connect now (and keep reconnecting). */
void link_start(struct link *l);
/* Close the connection and every handle; done_cb runs once everything is
 * closed (the link is freed then). */
void link_destroy(struct link *l, void (*done_cb)(void *arg), void *arg);

bool link_ready(const struct link *l);
/* Requests sent and not yet answered. */
int link_inflight(const struct link *l);
/* Send req (borrowed; its "id" is set) once READY.  cb (may be NULL) runs
 * exactly once, never from inside this call when it succeeds.  0, or
 * -ENOTCONN when not READY (cb does not run). */
int link_send(struct link *l, json_t *req, link_reply_cb cb, void *arg);
/* Server name from the register reply (or hello), "" before. */
const char *link_server_name(const struct link *l);

/* Backoff before attempt n (0-based) in ms, given a random r in [0,1):
 * min(30000, 500 * 2^n) scaled into [half, all].  Exposed for tests. */
unsigned link_backoff_ms(unsigned attempt, double r);

#endif
