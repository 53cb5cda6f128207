/* sched.h - the server's side of the schedulers (docs/protocol.md,
 * "Schedulers"): which sched serves which queues and nodes (partitions),
 * registration, the snapshot and the deltas of each sched's mirror, cycle
 * triggers and their coalescing, sched.run, cycle ends, and the corral-sched
 * processes the server starts and watches on its own host.
 *
 * Cycle state of a connected sched:
 *
 *   idle --trigger--> scheduling --cycle_end--> idle (--> scheduling again
 *                      |  ^                             if triggers came)
 *                      +--+ triggers while scheduling coalesce into one
 */
#ifndef CORRAL_SERVER_SCHED_H
#define CORRAL_SERVER_SCHED_H

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "src/server/server.h"

struct conn;
struct job;

/* After loading: runtime state of every sched; start local schedulers. */
void sched_init(struct server *s);
/* Once a second: scheduler_iteration timers, job_accumulation_time,
 * restarting schedulers that died. */
void sched_tick(struct server *s, time_t now);
/* Server shutdown: sched.quit to every scheduler, stop local ones. */
void sched_shutdown(struct server *s);
void sched_conn_closed(struct conn *c);
/* A sched object was created, changed or is being deleted. */
void sched_obj_created(struct server *s, struct obj *o);
void sched_obj_changed(struct server *s, struct obj *o, bool partitions);
void sched_obj_deleting(struct server *s, struct obj *o);
void sched_rt_free(struct obj *o);

/* Change tracking for the mirrors (cheap; deltas go out after the commit). */
void sched_job_changed(struct server *s, struct job *j);
void sched_job_gone(struct server *s, struct job *j);
void sched_node_changed(struct server *s, struct obj *n);
/* A node is being freed: drop it from the pending deltas. */
void sched_node_forget(struct obj *n);
void sched_queue_changed(struct server *s, struct obj *q);
void sched_server_changed(struct server *s);

/* Objects moved between partitions: every sched gets a new snapshot. */
void sched_resnapshot_all(struct server *s);

/* Cycle triggers: the sched serving job j / node n, or every sched. */
void sched_trigger_job(struct server *s, struct job *j, const char *reason);
void sched_trigger_node(struct server *s, struct obj *n, const char *reason);
void sched_trigger_all(struct server *s, const char *reason);

/* After the iteration's commit: deltas and schedule commands. */
void sched_flush(struct server *s, bool committed);

/* The sched object serving a queue (by its partition) or NULL. */
struct obj *sched_of_queue(struct server *s, struct obj *q);

void h_sched_register(struct conn *c, json_int_t id, json_t *msg);
void h_sched_run(struct conn *c, json_int_t id, json_t *msg);
void h_sched_cycle_end(struct conn *c, json_int_t id, json_t *msg);

#endif
