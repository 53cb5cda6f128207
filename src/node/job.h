/* job.h - the jobs of one node daemon.
 *
 * A job here is what the server pushed with job.launch and this daemon
 * runs (it is the first vnode's daemon; sister daemons keep nothing).
 *
 *   STARTING --'S' from the shepherd / slot 1--> RUNNING --slot 2--> ENDED
 *   STARTING --failure before the script ran (bad user, no shell)--> ENDED
 *   (sim: RUNNING at once; ENDED when its timer fires or it is killed)
 *
 * Each job owes the server two events, "started" and "ended"
 * (node.job_events).  An event is pending until sent, in flight until
 * answered, done when acknowledged; a lost connection puts in-flight
 * events back to pending and they go again after the next registration.
 * Once "ended" is acknowledged the job's spool files and the job go away.
 * Events are batched: everything that became pending in one loop
 * iteration goes in one request.
 *
 * Re-adoption: at start jobs_recover() reads every record of the spool.
 * A job whose shepherd still lives (it holds the lock of the job's record
 * file) is watched by polling the record every second; one whose shepherd
 * is gone is finished from what the shepherd wrote into the record (slot
 * 2), or, when it never started (the daemon died between writing the
 * record and forking), forgotten so that the server requeues it.
 */
#ifndef CORRAL_NODE_JOB_H
#define CORRAL_NODE_JOB_H

#include <jansson.h>

#include "src/node/node.h"

struct jobs *jobs_create(struct node *n);
/* Stop the handles and free every job (running jobs keep running: their
 * shepherds do not depend on us).  done_cb runs once all is closed. */
void jobs_destroy(struct jobs *js, void (*done_cb)(void *), void *arg);

/* Read the spool: re-adopt running jobs, queue unreported ends.
 * Returns the number of jobs recovered. */
int jobs_recover(struct jobs *js);

/* The "jobs" array of node.register: every job not yet reported ended
 * and acknowledged (caller owns). */
json_t *jobs_register_list(struct jobs *js);
/* The link registered / went down. */
void jobs_link_ready(struct jobs *js);
void jobs_link_down(struct jobs *js);
/* A pushed message: job.launch, job.kill, job.signal. */
void jobs_push(struct jobs *js, json_t *msg);

/* Number of jobs known (running or waiting for an acknowledgement). */
size_t jobs_count(const struct jobs *js);

#endif
