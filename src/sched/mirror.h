/* mirror.h - corral-sched's copy of its partitions, kept current from the
 * server's sched.snapshot and sched.delta pushes (docs/protocol.md,
 * "Schedulers"), around the scheduling core's model.
 *
 * Pure like the core (JSON in, JSON text out, no I/O, no clock): the daemon
 * feeds it messages and the time, and sends what it hands back.
 *
 * Runs are optimistic.  A cycle's runs are applied to the model at once
 * (the job holds its vnodes) and queued as sched.run batches; the server's
 * reply to each run settles it:
 *
 *   queued --cycle runs it--> PENDING (running in the model, reply due)
 *   PENDING --ok--> running (until the server's delta says otherwise)
 *   PENDING --refused--> back to what the server last said (queued: the
 *                        job is matched again next cycle, never run twice)
 *
 * While a run is pending a delta that still shows the job queued is older
 * than the run and does not undo it; any other state from the server wins.
 *
 * Attribute updates (comment, estimated.start_time, estimated.exec_vnode,
 * accrue_type) are coalesced per job: the cycle's wish is compared with
 * the value the server last reported (or that was last sent), only a
 * difference is kept, and a later wish replaces an earlier one.  comment
 * and estimated.* wait for the throttle (attr_update_period); accrue_type
 * goes out with the next batch.
 */
#ifndef CORRAL_SCHED_MIRROR_H
#define CORRAL_SCHED_MIRROR_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "src/common/buf.h"
#include "src/common/error.h"
#include "src/sched/core.h"

struct mirror;

struct mirror_conf {
	struct sc_policy policy; /* backfill, depth, strict, keys, defaults */
	long attr_update_period; /* s; 0: every cycle */
	long cycle_length;	 /* sched_cycle_length in s; 0: no limit */
	bool scheduling;
	char error[160]; /* last bad setting (the old value stays), or "" */
};

struct mirror *mirror_create(void);
void mirror_destroy(struct mirror *mr);

struct sc_model *mirror_model(struct mirror *mr);
const struct mirror_conf *mirror_conf(const struct mirror *mr);

/* Pushed messages (borrowed).  A snapshot replaces the mirror's contents
 * (jobs and vnodes it does not list leave; runs still pending stay
 * pending).  0, or -EPROTO with err for a malformed message (whatever was
 * valid in it is applied). */
int mirror_snapshot(struct mirror *mr, const json_t *msg, corral_error_t *err);
int mirror_delta(struct mirror *mr, const json_t *msg, corral_error_t *err);
/* sched.configure: "attrs" are the sched object's, "server" the server's. */
int mirror_configure(struct mirror *mr, const json_t *msg, corral_error_t *err);
/* The same three from the message's JSON text, without building one tree
 * for the whole message: list elements (jobs, vnodes) are parsed one at a
 * time, so a snapshot of 100,000 jobs costs its text plus one job.  *op
 * (opn bytes) gets the message's op; other ops are ignored. */
int mirror_apply_text(struct mirror *mr, const char *text, size_t len, char *op, size_t opn,
		      corral_error_t *err);

/* Streaming: the bytes of one push frame, fed as they arrive.  data[0..n)
 * continues where the previous call's consumed bytes ended; the call
 * returns how many it consumed (whole list elements and members; the rest
 * must come again with more bytes after it), or -EPROTO with err (the
 * message is abandoned).  first: data starts the frame; final: data ends
 * it (all of it must then be consumed).  Memory stays at one element, so
 * a snapshot of any size costs what its jobs cost in the model.  The op
 * must be the first member (the server writes it so); *op (opn bytes)
 * gets it as soon as it is known. */
long mirror_feed(struct mirror *mr, const char *data, size_t n, bool first, bool final, char *op,
		 size_t opn, corral_error_t *err);

/* Run one cycle of the core at now; stop(arg) is polled between jobs to
 * let a sched_cycle_length limit end it (stop may be NULL).  The runs and
 * updates it decides wait in the mirror for the take functions. */
void mirror_cycle(struct mirror *mr, int64_t now, bool (*stop)(void *arg), void *arg,
		  struct sc_stats *st);

/* Runs waiting to be sent. */
int mirror_runs_waiting(const struct mirror *mr);
/* Append one sched.run request (without id; up to max runs) for cycle to
 * out as JSON text without the closing brace ("{"op":...,"runs":[...]"),
 * so the sender can add ,"id":N}.  Returns the number of runs in it (0:
 * none waiting, out untouched).  The reply names each job. */
int mirror_take_runs(struct mirror *mr, long cycle, int max, struct corral_buf *out);
/* The server's answer to one run: ok, or refused with text. */
void mirror_run_result(struct mirror *mr, const char *job, bool ok, const char *text);
/* Every run of a lost connection is unanswered: they count as refused
 * (the next snapshot tells what really happened). */
void mirror_runs_lost(struct mirror *mr);

/* Updates waiting: throttled ones (comment, estimated.*) and others. */
int mirror_updates_waiting(const struct mirror *mr, bool throttled);
/* Append one job.alter request (no id, no closing brace, as above) with
 * up to max jobs' updates; throttled: include comment and estimated.*
 * (else only accrue_type).  The values sent become the mirror's.  Returns
 * the number of jobs in it. */
int mirror_take_updates(struct mirror *mr, bool throttled, int max, struct corral_buf *out);

/* Counters since the mirror was created. */
struct mirror_counts {
	long jobs, nodes, queues; /* in the mirror now */
	long comments_set;	  /* comment values sent */
	long runs_sent, runs_refused;
	long deltas;
};
void mirror_counts(const struct mirror *mr, struct mirror_counts *c);

/* Sequence number of a job id ("123.srv" -> 123, "12[3].srv" -> 12). */
int64_t mirror_job_seq(const char *id);

#endif
