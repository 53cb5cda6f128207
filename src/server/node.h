/* node.h - vnodes at run time and the node daemons serving them.
 *
 * What an administrator sets on a node (qmgr) is persisted in its obj's
 * attributes; what a daemon reports (resources_available.* it detected,
 * arch...) and everything derived (state, resources_assigned.*, jobs) lives
 * in the node's vnode_rt and is rebuilt after a restart from the daemon's
 * registration and the running jobs.
 *
 * Vnode states (pbsnodes):
 *
 *   state-unknown,down --register--> free <--> job-busy (all ncpus used)
 *          ^                           |
 *          +--- no heartbeat for node_timeout (comment says since when)
 *   offline: an admin flag on top of any of these (pbsnodes -o / -r).
 */
#ifndef CORRAL_SERVER_NODE_H
#define CORRAL_SERVER_NODE_H

#include <jansson.h>
#include <stdint.h>
#include <time.h>

#include "src/common/error.h"
#include "src/server/server.h"

struct conn;
struct job;

/* After objects and jobs are loaded: runtime state of every vnode, and the
 * resources running jobs hold. */
void node_init(struct server *s);
/* A daemon's connection closed. */
void node_conn_closed(struct conn *c);
/* Once a second: heartbeat timeouts, jobs on failed nodes. */
void node_tick(struct server *s, time_t now);
/* Add the runtime attributes of vnode n to a stat reply object. */
void node_stat_attrs(struct server *s, struct obj *n, json_t *a);
/* Forget the runtime part of a node being deleted; -EBUSY when jobs run
 * on it. */
int node_can_delete(struct server *s, struct obj *n);
void node_rt_free(struct obj *n);

/* Ask the daemon running j to kill it (qdel, qrerun); -ENOTCONN when no
 * daemon serves its first vnode now. */
int node_kill_job(struct server *s, struct job *j, const char *reason);
/* End a running job now, without its daemon (its node is unreachable). */
void node_end_job(struct server *s, struct job *j, int exit_status, const char *comment);
/* Re-read resources_available after an admin changed a node. */
void node_refresh(struct obj *n);
/* Deliver a signal to a running job. */
int node_signal_job(struct server *s, struct job *j, const char *sig);

/* Start j now on the vnodes of spec (an exec_vnode or "vn1+vn2"), or on
 * the first that fit (spec NULL): state R, accounting S, job.launch. */
int node_start_job(struct server *s, struct job *j, const char *spec, int *pbs,
		   corral_error_t *err);

/* Handlers (dispatch table). */
void h_node_register(struct conn *c, json_int_t id, json_t *msg);
void h_node_heartbeat(struct conn *c, json_int_t id, json_t *msg);
void h_node_job_events(struct conn *c, json_int_t id, json_t *msg);
void h_job_run(struct conn *c, json_int_t id, json_t *msg);

#endif
