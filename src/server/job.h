/* job.h - jobs in the server: the table, their attributes, their states.
 *
 * Job states (PBS letters) and who moves a job between them:
 *
 *        submit            release (no holds left)
 *   ---> Q <-------------------------------- H
 *        | \__ hold (jobops.c) ___________/^
 *        |                                 |
 *   submit with -a in the future -> W --(time reached)--> Q
 *        |
 *        | run (issue: node daemons)        end
 *        +------> R ---------------> E ------------> F (history)
 *   qdel of Q/H/W: -> F directly (substate 91, accounting D record)
 *
 * | from  | to | by                      | function          |
 * | Q,W   | H  | qhold                   | job_set_state     |
 * | H     | Q,W| qrls (all holds gone)   | job_set_state     |
 * | Q,H,W | F  | qdel                    | job_finish        |
 * | F     | -  | history expiry, qdel -x | job_purge         |
 *
 * A job's attributes live in a kv (all PBS names and string values); a few
 * hot fields are cached in the struct and kept in step by job_set_state()
 * and job_set_queue().  The script is only in the store.
 */
#ifndef CORRAL_SERVER_JOB_H
#define CORRAL_SERVER_JOB_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "src/common/kv.h"
#include "src/server/server.h"

/* PBS substates (qstat -f substate). */
enum {
	SUB_QUEUED = 10,
	SUB_HELD = 20,
	SUB_WAITING = 30,
	SUB_PRERUN = 41,
	SUB_RUNNING = 42,
	SUB_EXITING = 50,
	SUB_TERMINATED = 91,
	SUB_FINISHED = 92,
	SUB_FAILED = 93,
	SUB_MOVED = 94,
};

struct job {
	int64_t seq;
	char state;          /* Q H W R E F */
	struct obj *queue;   /* borrowed: the queue object */
	time_t hist_time;    /* when it became F (history), else 0 */
	struct kv attrs;     /* every attribute (job_state and queue too) */
	struct job *hnext;   /* hash chain */
	struct job *prev, *next; /* table order (seq order) */
};

struct jobtab;

struct jobtab *jobtab_create(void);
void jobtab_destroy(struct jobtab *t);
struct job *job_lookup(struct server *s, int64_t seq);
/* First job in order, next job; for walks. */
struct job *job_first(struct server *s);
/* A place in the job list kept over several loop iterations (a streamed
 * job.stat): next is the next job to visit, NULL at the end; job_free
 * moves it on when it removes that job.  Jobs added later are visited
 * when they come after it. */
struct job_cursor {
	struct job *next;
	struct job_cursor *link;
};
void job_cursor_open(struct server *s, struct job_cursor *c);
void job_cursor_close(struct server *s, struct job_cursor *c);
size_t job_count(struct server *s);
/* Insert (takes ownership). */
void job_insert(struct server *s, struct job *j);
/* Unlink and free. */
void job_free(struct server *s, struct job *j);

/* "SEQ.SERVER" into buf. */
char *job_id(struct server *s, const struct job *j, char *buf, size_t n);
/* Parse a job id as users type it ("12", "12.vm", "12.vm.example.org");
 * returns the seq or -1 when it is not one of ours. */
int64_t job_parse_id(struct server *s, const char *id);

/* Change state (and substate, counts, job_state attribute). */
void job_set_state(struct server *s, struct job *j, char state, int substate);
/* Move to queue q (counts, queue attribute). */
void job_set_queue(struct server *s, struct job *j, struct obj *q);
/* Write the job's attributes to the store (in the iteration's txn). */
int job_save(struct server *s, struct job *j);
/* Load every job from the store at start. */
int job_load_all(struct server *s);
/* Restore one job from the store after a failed commit. */
void job_reload(struct server *s, int64_t seq);
/* User name part of Job_Owner. */
const char *job_owner_user(const struct job *j, char *buf, size_t n);

#endif
