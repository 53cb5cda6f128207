/* swf.h - reading Standard Workload Format traces (the Parallel Workloads
 * Archive's format; ../shared/traces/README.md describes it).
 *
 * A trace is plain ASCII: lines starting with ';' are comments, some of
 * them structured header lines ("; MaxProcs: 100"); every other non-empty
 * line is one job of 18 whitespace-separated numbers (-1: unknown).  The
 * reader keeps the fields a replay needs and skips, counting each reason,
 * the jobs a replay cannot use:
 *
 *   malformed  not 18 numbers (missing or extra fields, text, overflow),
 *              or a time (fields 2, 3, 4, 9) past SWF_MAX_TIME
 *   runtime    run time (field 4) <= 0
 *   size       processors max(field 5, field 8) <= 0
 *   submit     submit time (field 2) < 0
 *   reqtime    requested time (field 9) <= 0, only when the caller needs
 *              it (swf_opts.need_reqtime)
 *
 * Checked in that order; a job counts under its first reason only.  These
 * are the "weak filter" of the published simulations
 * (../shared/reference-schedules/README.md).
 *
 * Input comes either from a file (swf_load: plain or gzip, "-" for stdin)
 * or from memory in pieces (swf_feed, then swf_finish), which is what the
 * file reader does with each block it reads; a line may be split anywhere
 * between two pieces.  Lines longer than SWF_MAX_LINE are malformed.
 */
#ifndef CORRAL_SIM_SWF_H
#define CORRAL_SIM_SWF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/common/error.h"

#define SWF_MAX_LINE 4096
#define SWF_MAX_TIME 1000000000000LL /* seconds: 31,000 years */

enum swf_skip {
	SWF_SKIP_MALFORMED,
	SWF_SKIP_RUNTIME,
	SWF_SKIP_SIZE,
	SWF_SKIP_SUBMIT,
	SWF_SKIP_REQTIME,
	SWF_NSKIP
};

/* One usable job: the fields a replay reads. */
struct swf_job {
	int64_t id;	  /* field 1, job number */
	int64_t submit;	  /* 2, seconds from the log start */
	int64_t wait;	  /* 3, as recorded (-1 unknown) */
	int64_t run;	  /* 4, > 0 */
	int64_t req_time; /* 9, requested wall time (-1 unknown) */
	int32_t alloc;	  /* 5, allocated processors (-1 unknown) */
	int32_t req;	  /* 8, requested processors (-1 unknown) */
	int32_t procs;	  /* max(alloc, req), > 0 */
	int32_t status;	  /* 11 */
	int32_t user;	  /* 12 */
	int32_t queue;	  /* 15 */
	int64_t line;	  /* line number in the input, from 1 */
};

/* Structured header comments; -1 when absent. */
struct swf_header {
	int64_t max_procs;   /* ; MaxProcs: */
	int64_t max_nodes;   /* ; MaxNodes: */
	int64_t max_jobs;    /* ; MaxJobs: */
	int64_t max_records; /* ; MaxRecords: */
	int64_t unix_start;  /* ; UnixStartTime: */
	char computer[80];   /* ; Computer: (cut), "" when absent */
};

struct swf_opts {
	bool need_reqtime; /* skip jobs without a requested time */
};

struct swf_trace {
	struct swf_header hdr;
	struct swf_job *jobs; /* usable jobs, in input order; owned */
	size_t njobs;
	size_t skipped[SWF_NSKIP]; /* per reason */
	size_t nskipped;	   /* their sum */
	size_t lines;		   /* lines read (comments and empty ones too) */
	int64_t first_malformed;   /* its line number, 0 when none */
	/* parse state */
	struct swf_opts opts;
	size_t capjobs;
	char *part; /* the unfinished line of the last piece */
	size_t npart;
	bool overlong; /* the current line is past SWF_MAX_LINE */
};

const char *swf_skip_name(enum swf_skip why);

/* Start reading (o may be NULL: defaults).  Zeroes t. */
void swf_init(struct swf_trace *t, const struct swf_opts *o);
/* Read the next piece of input. */
void swf_feed(struct swf_trace *t, const char *data, size_t len);
/* The input ended: the last line need not end in a newline. */
void swf_finish(struct swf_trace *t);
/* swf_init + swf_feed + swf_finish over one buffer. */
void swf_parse(struct swf_trace *t, const char *data, size_t len, const struct swf_opts *o);
/* Read a file (gzip or plain; "-" is stdin) into t (initialised here).
 * 0, or -errno with err filled: the file cannot be opened or read, or
 * is a corrupt gzip stream; t is then freed. */
int swf_load(struct swf_trace *t, const char *path, const struct swf_opts *o, corral_error_t *err);
/* Free what t holds (t itself is the caller's).  NULL is fine. */
void swf_free(struct swf_trace *t);

#endif
