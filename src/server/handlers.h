/* handlers.h - the request handlers named in dispatch.c's op table.
 * Each unpacks and checks its payload, authorises, acts, and replies
 * exactly once with conn_reply(). */
#ifndef CORRAL_SERVER_HANDLERS_H
#define CORRAL_SERVER_HANDLERS_H

#include "src/server/dispatch.h"

/* jobops.c */
void h_job_submit(struct conn *c, json_int_t id, json_t *msg);
void h_job_stat(struct conn *c, json_int_t id, json_t *msg);
void h_job_delete(struct conn *c, json_int_t id, json_t *msg);
void h_job_hold(struct conn *c, json_int_t id, json_t *msg);
void h_job_release(struct conn *c, json_int_t id, json_t *msg);
void h_job_alter(struct conn *c, json_int_t id, json_t *msg);
void h_job_move(struct conn *c, json_int_t id, json_t *msg);
void h_job_signal(struct conn *c, json_int_t id, json_t *msg);
void h_job_rerun(struct conn *c, json_int_t id, json_t *msg);

/* mgr.c */
void h_server_stat(struct conn *c, json_int_t id, json_t *msg);
void h_queue_stat(struct conn *c, json_int_t id, json_t *msg);
void h_node_stat(struct conn *c, json_int_t id, json_t *msg);
void h_sched_stat(struct conn *c, json_int_t id, json_t *msg);
void h_mgr(struct conn *c, json_int_t id, json_t *msg);

/* main.c */
void h_server_shutdown(struct conn *c, json_int_t id, json_t *msg);

#endif
