/* conn.h - listeners and client connections of corral-server.
 *
 * A connection reads frames into its input buffer and hands each decoded
 * message to dispatch().  Replies are *held* (conn_reply) until the end of
 * the loop iteration: then the iteration's transaction commits and every
 * held reply is written, or, when the commit failed, replies to requests
 * that changed state are replaced by an error (conn_flush_all).
 */
#ifndef CORRAL_SERVER_CONN_H
#define CORRAL_SERVER_CONN_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>
#include <uv.h>

#include "src/common/buf.h"
#include "src/proto/auth.h"
#include "src/server/server.h"

struct held {
	json_t *reply; /* owned; NULL when raw is used */
	char *raw;     /* owned: a reply already encoded as JSON text */
	size_t rawlen;
	bool mutating; /* replaced by an error if the commit fails */
	bool push;     /* a pushed message: dropped if the commit fails */
};

/* Work that continues a request over several loop iterations; returns
 * true when done. */
typedef bool (*conn_work_fn)(struct conn *c, void *state);

struct conn {
	union {
		uv_handle_t handle;
		uv_stream_t stream;
		uv_pipe_t pipe;
		uv_tcp_t tcp;
	} h;                       /* embedded handle: freed in close cb */
	struct server *srv;
	struct conn *prev, *next;  /* srv->conns */
	bool is_tcp;
	bool hello_done;
	enum role role;
	uid_t uid;                 /* Unix peers (SO_PEERCRED) */
	gid_t gid;
	char user[64];             /* user name, "" for TCP peers */
	char group[64];            /* primary group name (egroup of its jobs) */
	char peer[64];             /* for logs: "uid 1000" or "127.0.0.1:5555" */
	char client[32];           /* program named in hello */
	char nonce[CORRAL_HEX_LEN];
	uint64_t created_ms;
	uint64_t partial_ms;       /* since when c->in holds an incomplete frame */
	struct corral_buf in;      /* unread input */
	struct held *held;         /* replies waiting for the commit */
	size_t nheld, capheld;
	bool in_flush_list;
	struct conn *flush_next;
	bool closing;
	bool close_after_flush;    /* close once held replies are written */
	size_t write_bytes;        /* bytes handed to uv_write, not done */
	struct daemon *daemon;     /* set when a node daemon registered here */
	struct obj *sched;         /* set when a scheduler registered here */
	conn_work_fn work;         /* a request being continued (conn_continue) */
	void (*work_free)(void *state);
	void *work_state;
};

/* Start listening on the Unix socket and (when enabled) TCP. */
int conn_listen(struct server *s);
/* Stop listening (shutdown). */
void conn_stop_listening(struct server *s);
/* Hold reply (stolen) for c until the iteration's commit. */
void conn_reply(struct conn *c, json_t *reply, bool mutating);
/* Push msg (stolen) to c after this iteration's commit; dropped when the
 * commit fails (a push announces a committed change). */
void conn_push(struct conn *c, json_t *msg);
/* As conn_push, for a message already encoded as JSON text (b holds 4
 * reserved header bytes then the JSON; its storage is taken). */
void conn_push_raw(struct conn *c, struct corral_buf *b);
/* Hold a reply given as JSON text (malloc'ed, stolen); never mutating. */
void conn_reply_raw(struct conn *c, char *text, size_t len);
/* Convenience: hold an error reply to request id. */
void conn_reply_err(struct conn *c, json_int_t id, int code, int pbs_errno, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Write every held reply (commit_rc: result of the commit, 0 = ok). */
void conn_flush_all(struct server *s, int commit_rc, const char *commit_err);
/* Close c once what is queued has been written (or at once). */
void conn_close(struct conn *c);
/* Close c after the next flush (its last reply goes out first). */
void conn_close_after_flush(struct conn *c);
/* Close connections idle before authenticating (tick timer). */
void conn_sweep(struct server *s);
/* Close everything (shutdown). */
void conn_close_all(struct server *s);

/* Continue the request being handled over the next loop iterations: work
 * is called once per iteration until it returns true.  Meanwhile no
 * further frame of c is read or dispatched (its requests keep their order)
 * while the loop serves the other peers and commits after every slice, so
 * a big batch of one peer (a scheduler's thousands of runs) delays no one
 * by more than a slice.  free_fn releases state afterwards, or when c
 * closes first. */
void conn_continue(struct conn *c, conn_work_fn work, void (*free_fn)(void *), void *state);

/* A bulk request: fn gives the result of one item; items are applied
 * CONN_BULK_SLICE per loop iteration (conn_continue; each slice is
 * committed), then the reply {"id":..,"ok":true,"results":[...]} is held
 * (mutating).  msg and items are borrowed; references are kept as needed.
 * 256 items take ~15 ms: others wait for that, not for a batch of 5,000. */
#define CONN_BULK_SLICE 256
typedef json_t *(*conn_item_fn)(struct conn *c, json_t *msg, json_t *item);
void conn_bulk(struct conn *c, json_int_t id, json_t *msg, json_t *items, conn_item_fn fn);

/* Identity of a local peer: user name for Job_Owner etc. */
const char *conn_user(const struct conn *c);

#endif
