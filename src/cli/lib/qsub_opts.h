/* qsub_opts.h - qsub/qalter options and "#PBS" directives -> job attributes.
 *
 * Turns qsub options (argv style) and the directives of a job script into
 * the JSON object of PBS job attributes that job.submit and job.alter carry
 * (docs/protocol.md), every value a string: Job_Name, queue,
 * Resource_List.*, Output_Path, Variable_List, Execution_Time (epoch), ...
 *
 * Precedence is PBS's: an option given on the command line beats the same
 * option in a directive, and within one source the last occurrence wins.
 * -l counts per resource, so "-l walltime=1:00:00" on the command line
 * replaces only the walltime of "#PBS -l select=2:ncpus=4,walltime=2:00:00".
 * Parse the command line first (it may carry -C, which decides how the
 * script is scanned), then the script; each option remembers which source
 * set it, so directives never override the command line.
 *
 * Typical use (qsub):
 *   o = qsub_opts_create(QSUB_OPTS_SUBMIT, NULL);
 *   qsub_opts_parse_args(o, argc, argv, &err);      options, then operands
 *   qsub_opts_parse_script(o, text, len, &err);     "#PBS" directives
 *   qsub_opts_finish(o, script_path, &err);         Job_Name default, Variable_List...
 *   json_t *attrs = qsub_opts_attrs(o);
 *
 * In QSUB_OPTS_ALTER mode (qalter) only the attributes of the options given
 * are produced, -h takes a hold list, and the options qalter lacks
 * (-q -v -V -C -z -f -I -J -X) are usage errors.
 *
 * Errors: every parse function returns 0 or a negative errno and fills err
 * with the text qsub prints after "qsub: " (for directives it may hold two
 * lines, as PBS prints: the reason, then "qsub: directive error: ...").
 * qsub_opts_exit_status() then gives the status PBS's qsub exits with.
 * After an error the options object may be partly filled; callers exit.
 */
#ifndef CORRAL_CLI_QSUB_OPTS_H
#define CORRAL_CLI_QSUB_OPTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "src/common/error.h"

enum qsub_opts_mode {
	QSUB_OPTS_SUBMIT, /* qsub: defaults, Variable_List, Submit_arguments... */
	QSUB_OPTS_ALTER,  /* qalter: only what the options say */
};

/* Where qsub runs.  Every member is optional (NULL/0: ask the system); the
 * unit tests fill them to get reproducible attributes. */
struct qsub_ctx {
	char **envp;	     /* "NAME=value" strings (NULL: environ) */
	const char *cwd;     /* NULL: $PWD when it is ".", else getcwd() */
	const char *host;    /* PBS_O_HOST, Submit_Host, -o/-e (NULL: corral_hostname) */
	const char *sysname; /* PBS_O_SYSTEM (NULL: uname's sysname) */
	const char *user;    /* the submitter, for -u (NULL: user of getuid()) */
	time_t now;	     /* reference time for -a (0: time(NULL)) */
};

/* Exit statuses of PBS's qsub:
 *   QSUB_EXIT_FAIL      directive error, refused feature, file trouble
 *   QSUB_EXIT_USAGE     bad option or illegal option value (print usage too)
 *   QSUB_EXIT_BADATVAL  bad resource value: PBSE_BADATVAL (15014) % 256 */
enum { QSUB_EXIT_FAIL = 1, QSUB_EXIT_USAGE = 2, QSUB_EXIT_BADATVAL = 15014 % 256 };

/* Create an empty option set; ctx (may be NULL) is copied.  Caller owns. */
struct qsub_opts *qsub_opts_create(enum qsub_opts_mode mode, const struct qsub_ctx *ctx);
/* Free; accepts NULL. */
void qsub_opts_destroy(struct qsub_opts *o);

/* Parse argv[1..argc-1] (argv[0] is the program) as command-line options.
 * Options stop at the first operand or at "--".  The operands are then
 * available from qsub_opts_operands(): for qsub at most one script path
 * ("-" means standard input) or, after "--", a command and its arguments;
 * for qalter the job ids.  A bad option or a missing operand
 * (-ENOENT for qalter without job ids) is an error.  Also records
 * Submit_arguments (qsub). */
int qsub_opts_parse_args(struct qsub_opts *o, int argc, char **argv, corral_error_t *err);

/* Scan a script for directives: lines that start (after blanks) with the
 * directive prefix - -C's value, else $PBS_DPREFIX, else "#PBS"; an empty
 * prefix turns scanning off - up to the first executable line (not blank,
 * not a "#" comment, not starting with ":").  A directive ending in a
 * backslash continues on the next line.  Each directive is split into words
 * like a shell would ('...', "...", backslash) and parsed as options with
 * lower precedence than the command line.  -C in a directive is ignored. */
int qsub_opts_parse_script(struct qsub_opts *o, const char *text, size_t len, corral_error_t *err);

/* Complete the attributes (qsub only; a no-op for qalter): Job_Name
 * defaults to the basename of script_path, or of the command after "--",
 * or "STDIN" when script_path is NULL; Variable_List gets the PBS_O_*
 * variables, then -v, then -V (all of the environment), then PBS_O_HOST;
 * Submit_Host; Shell_Path_List from $PBS_SHELL when -S is absent. */
int qsub_opts_finish(struct qsub_opts *o, const char *script_path, corral_error_t *err);

/* The attributes: a JSON object of strings, borrowed (valid until destroy). */
json_t *qsub_opts_attrs(const struct qsub_opts *o);
/* Operands after the options (borrowed from argv); returns their count. */
int qsub_opts_operands(const struct qsub_opts *o, char ***ops);
/* True when the operands are a command given after "--". */
bool qsub_opts_is_command(const struct qsub_opts *o);
/* -z was given: do not print the job id. */
bool qsub_opts_quiet(const struct qsub_opts *o);
/* Server part of -q queue@server (borrowed), or NULL. */
const char *qsub_opts_server(const struct qsub_opts *o);
/* Exit status for the last error (QSUB_EXIT_*), 0 when none. */
int qsub_opts_exit_status(const struct qsub_opts *o);

/* ---- helpers, exported for the unit tests ---- */

/* "#!/bin/sh\nexec 'cmd' 'arg' ...\n" with every word single-quoted for
 * sh (' becomes '\'').  Caller frees. */
char *qsub_opts_command_script(int argc, char *const argv[]);
/* POSIX touch date [[[[CC]YY]MM]DD]hhmm[.SS] in local time, relative to now:
 * a portion left out is the current one unless the next smaller given
 * portion has already passed, then the next one (hhmm earlier than now is
 * tomorrow).  0 and *out, or -EINVAL. */
int qsub_opts_cvtdate(const char *s, time_t now, time_t *out);
/* -o/-e path -> "host:/absolute/path": a relative path is taken from cwd,
 * an existing directory gets a trailing '/', "otherhost:path" is kept as
 * given.  NULL (and err) when malformed.  Caller frees. */
char *qsub_opts_expand_path(const char *path, const char *cwd, const char *host,
			    corral_error_t *err);
/* PBS job name rule: 1..236 printable non-blank characters, the first a
 * letter or digit. */
bool qsub_opts_name_ok(const char *name);

#endif
