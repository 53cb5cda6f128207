/* jobcmd.h - what the job-id commands share (qdel, qhold, qrls, qsig,
 * qrerun, qmove, and qstat's per-id errors), and the option handling that
 * starts qsub and qalter.
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

#include "src/cli/lib/qsub_opts.h"
#include "src/client/client.h"
#include "src/common/error.h"

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

/* What one job-id command is made of; everything else is jobcmd_main's.
 * The options are getopt's optstring plus --help and --version. */
struct jobcmd {
	const char *name;      /* "qdel": the prefix of its own messages */
	const char *op;	       /* "job.delete" */
	const char *optstring; /* short options, e.g. "W:x" */
	const char *usage;     /* short usage: stderr, exit 2 */
	const char *help;      /* --help text: stdout, exit 0 */
	const char *defaults;  /* JSON object text of the payload before
				* options (NULL: {}), e.g. {"purge": false} */
	/* Take short option c with its argument arg (NULL for a flag) into
	 * the payload extra; false when the value is illegal (then
	 * "NAME: illegal -c value" and the usage are printed, exit 2).  NULL
	 * when optstring is empty. */
	bool (*option)(int c, const char *arg, json_t *extra);
	/* The first nlead operands are not job ids (qmove's destination):
	 * lead takes them into extra, or prints an error and returns false
	 * (exit 1).  Fewer than nlead + 1 operands is bad usage. */
	bool (*lead)(char *const *ops, json_t *extra);
	int nlead;
};

/* The whole of a job-id command: parse argv, then send one op request
 * for the job ids (jobcmd_run) and return its exit status.  --help,
 * --version and bad usage exit here. */
int jobcmd_main(const struct jobcmd *cmd, int argc, char **argv);

/* An option handler for qhold/qrls -h: blanks before the list are
 * skipped, the list must pass jobcmd_hold_types_ok; sets "hold_types". */
bool jobcmd_hold_option(int c, const char *arg, json_t *extra);

/* The start of qsub and qalter: "--help" as the first argument prints help
 * (exit 0), "--version" as the only one prints the version (exit 0); else
 * the arguments are parsed into a new option set of the mode, which is
 * returned.  A parse error exits through jobcmd_opts_fail. */
struct qsub_opts *jobcmd_qsub_start(enum qsub_opts_mode mode, int argc, char **argv,
				    const char *usage, const char *help);

/* Print "prog: ERR" and exit with o's qsub_opts_exit_status (1 when it has
 * none); a usage error (2) prints usage to stderr too. */
void jobcmd_opts_fail(struct qsub_opts *o, const corral_error_t *err, const char *usage)
    __attribute__((noreturn));

#endif
