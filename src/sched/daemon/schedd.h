/* schedd.h - the corral-sched daemon: its link to the server, its mirror,
 * and what it does with the server's pushes (docs/protocol.md,
 * "Schedulers").
 *
 *   sched.snapshot   the mirror starts over from it
 *   sched.delta      the mirror follows
 *   sched.configure  policy applied at once
 *   sched.schedule   a cycle, run on the next loop turn (after the frames
 *                    already read): the core decides, every run goes out
 *                    in sched.run batches of SCHEDD_BATCH without waiting
 *                    for replies, attribute updates go out in job.alter
 *                    batches (comment and estimated.* at most every
 *                    attr_update_period s), then sched.cycle_end {stats}
 *   sched.quit       stop
 *
 * A lost connection makes every unanswered run count as refused; the
 * link reconnects and the next snapshot tells the truth.  A scheduler the
 * server started itself stops instead when that server process is gone:
 * the restarted server starts its own (two would race for the name).
 */
#ifndef CORRAL_SCHED_DAEMON_SCHEDD_H
#define CORRAL_SCHED_DAEMON_SCHEDD_H

#include <stdbool.h>
#include <uv.h>

#include "src/link/link.h"
#include "src/sched/mirror.h"

#define SCHEDD_BATCH 5000

struct schedd {
	uv_loop_t *loop;
	char *name;
	struct link *link;
	struct mirror *mr;
	bool have_snapshot;	 /* the mirror holds this connection's snapshot */
	long cycle;		 /* number of the cycle asked for */
	bool cycle_due;		 /* sched.schedule received, not yet run */
	uv_timer_t cycle_timer;	 /* runs the due cycle on the next loop turn */
	uint64_t last_throttled; /* mono ms of the last comment/estimate flush */
	bool flushed_once;
	uint64_t stop_at;  /* mono ms: sched_cycle_length of this cycle */
	uint64_t asked_ns; /* when the sched.schedule arrived (uv_hrtime) */
	int server_parent; /* pid of the corral-server that started us, or 0 */
	uint64_t stream_ns;	/* a streamed push: when it began */
	size_t stream_bytes;
	char stream_op[48];
	bool exit_on_down;
	bool quitting;
	int exit_status;
	long cycles_run;
};

/* Set up (not connected yet). */
void schedd_init(struct schedd *d, uv_loop_t *loop, const struct link_cfg *cfg, const char *name);
void schedd_start(struct schedd *d);
/* Close everything; the loop ends once all handles are closed. */
void schedd_stop(struct schedd *d);

#endif
