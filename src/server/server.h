/* server.h - corral-server's context: a table of contents of its parts.
 *
 * One thread, one libuv loop.  Every request is handled to completion by
 * a handler in the dispatch table (dispatch.c).  Changes go to memory and
 * to the store inside the current loop iteration's transaction (txn.c);
 * the replies of an iteration are held until that transaction commits.
 */
#ifndef CORRAL_SERVER_SERVER_H
#define CORRAL_SERVER_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <uv.h>

#include "src/common/kv.h"
#include "src/proto/auth.h"

struct store;
struct corral_store;
struct conn;
struct job;
struct jobtab;
struct acct;
struct txn;
struct vnode_rt;
struct sched_rt;
struct daemon;

enum role { ROLE_NONE = 0, ROLE_USER = 1, ROLE_OPERATOR = 2, ROLE_MANAGER = 3, ROLE_SERVICE = 4 };
const char *role_name(enum role r);

/* A named object: queue, node or sched.  Attributes in a kv. */
enum obj_kind { OBJ_SERVER, OBJ_QUEUE, OBJ_NODE, OBJ_SCHED, OBJ_NKINDS };

/* Job state counts, indexed by the state letter's slot (job.h). */
#define NSTATES 8

struct obj {
	enum obj_kind kind;
	char *name;
	struct kv attrs;
	int counts[NSTATES]; /* queues: jobs per state */
	int total;           /* queues: non-finished jobs */
	struct vnode_rt *rt; /* nodes: what is not persisted (node.c) */
	struct sched_rt *srt; /* scheds: connection, cycles, process (sched.c) */
	struct obj *next;    /* list in creation order */
	struct obj *hnext;   /* name hash chain (objects.c) */
	unsigned delta_gen;  /* nodes: listed in this iteration's deltas (sched.c) */
};

struct server {
	uv_loop_t *loop;
	char *home;                 /* CORRAL_HOME */
	char *name;                 /* server name: job id suffix */
	int port;                   /* TCP port (0: ephemeral) */
	bool tcp_enabled;
	unsigned char key[CORRAL_KEY_BYTES];
	uid_t uid;                  /* our own uid: always a manager */

	struct corral_store *store;
	struct txn *txn;            /* this iteration's group commit */
	struct acct *acct;          /* accounting log */
	struct jobtab *jobs;        /* all jobs, by seq and in order */

	struct obj srv;             /* the server object (attrs) */
	struct obj *objs[OBJ_NKINDS]; /* lists of queues, nodes, scheds */
	struct obj *objs_tail[OBJ_NKINDS];
	struct obj **objs_hash[OBJ_NKINDS]; /* by name; sizes a power of two */
	size_t objs_hsize[OBJ_NKINDS], objs_count[OBJ_NKINDS];

	int64_t next_seq;           /* next job sequence number */
	int64_t max_seq;            /* max_job_sequence_id */

	/* limits (server attributes) */
	size_t max_frame;
	int max_conns;
	int unauth_timeout;         /* seconds */
	int frame_timeout;          /* seconds an incomplete frame may wait */
	size_t max_output;          /* unread output per connection (bytes) */

	/* listeners and connections */
	uv_pipe_t unix_listener;
	uv_tcp_t tcp_listener;
	struct conn *conns;         /* doubly linked */
	int nconns;
	uv_check_t check;           /* end of iteration: commit, flush */
	uv_idle_t idle;             /* runs while requests continue (conn_continue) */
	int nworking;               /* connections with a request continuing */
	bool reply_held;            /* a reply waits for this iteration's commit */
	uv_timer_t tick;            /* once a second: timeouts, history */
	uv_signal_t sigterm, sigint;
	bool shutting_down;
	struct daemon *daemons;     /* connected node daemons (node.c) */
	int nsched_conns;           /* registered schedulers (sched.c) */
	time_t started;             /* when this server process started */
	uint64_t last_commit_ms;    /* monotonic time of the last commit */
	int64_t ckpt_size;          /* WAL size at the last checkpoint started */
};

/* Server attribute helpers (objects.c). */
const char *srv_attr(struct server *s, const char *name);
long srv_attr_long(struct server *s, const char *name, long dflt);
bool srv_attr_bool(struct server *s, const char *name, bool dflt);

#endif
