/* jobcmd.h - what the job-id commands share (qdel, qhold, qrls, qsig,
 * qrerun, qmove, and qstat's per-id errors).
 *
 * Each command sends ONE bulk request for all its ids (docs/protocol.md,
 * "job.delete, job.hold, job.release, job.rerun, job.signal", "job.move")
 * and reports every failed item the way PBS's prt_job_err does:
 *     qdel: Unknown Job Id 99.vm
 *     qhold: Request invalid for state of job 12.vm
 * then exits with the code of the last failure (pbs_errno % 256, else 1).
 */
#ifndef CORRAL_CLI_JOBCMD_H
#define CORRAL_CLI_JOBCMD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "src/client/client.h"

/* True when s is a well-formed job id: SEQ digits, an optional "[...]"
 * array index, then nothing, ".server" or "@server" parts. */
bool jobcmd_valid_id(const char *s);

/* The id as sent to the server: s without an "@server" suffix.
 * Caller frees. */
char *jobcmd_wire_id(const char *s);

/* The id as shown in messages: "SEQ" completed to "SEQ.server" (server
 * may be NULL: unchanged).  Caller frees. */
char *jobcmd_full_id(const char *id, const char *server);

/* True when message names id already: a space-separated word equal to
 * id, or starting with id followed by '.' or '['. */
bool jobcmd_msg_names(const char *msg, const char *id);

/* Print one failed item as "prog: MESSAGE ID" (ID left out when the
 * message names it) and return its exit code (never 0). */
int jobcmd_item_error(const char *id, const json_t *errobj);

/* Send {"op": op, "ids": [...], <members of extra>} for the ids on the
 * open connection c, print each failed item, return the exit status: 0
 * when every item succeeded, else the code of the last failure.  Ids that
 * are not job ids are reported ("prog: illegally formed job identifier:
 * X", code 1) and not sent; with none left nothing is sent.  extra is
 * borrowed and may be NULL.  A failure of the whole request is printed
 * and the program exits (cli_rpc). */
int jobcmd_run(corral_conn_t *c, const char *op, char *const *ids, int nids, const json_t *extra);

/* -h hold list for qhold/qrls: non-empty, letters from "uosnp" only. */
bool jobcmd_hold_types_ok(const char *s);

/* qsig -s value in the form the server takes: numbers unchanged,
 * "suspend"/"resume"/"admin-suspend"/"admin-resume" unchanged, names
 * upper-cased with "SIG" added ("kill" -> "SIGKILL").  0, or -EINVAL for
 * an empty value or one with characters no signal name has. */
int jobcmd_signal_name(const char *s, char *out, size_t n);

/* "--version": print "pbs_version = X" as PBS commands do, exit 0. */
void jobcmd_version_exit(void) __attribute__((noreturn));

#endif
