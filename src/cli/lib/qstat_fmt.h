/* qstat_fmt.h - the output shapes of qstat, as OpenPBS prints them
 * (src/cmds/qstat.c, man qstat.1B; PBS-REFERENCE.md section 3.4).
 *
 * Input is what job.stat / queue.stat / server.stat return: an object name
 * ("12.vm", "workq") and a jansson object of attribute name -> string value
 * (flat names: "Resource_List.ncpus").  Output goes to a FILE (stdout in
 * qstat, a memory stream in the unit tests).  Nothing here talks to the
 * server, so every shape is unit-testable.
 *
 * Column rule (PBS DISPLAY_TRUNC_CHAR): a value wider than its column is cut
 * to the column width and its last kept character replaced by '*'.
 */
#ifndef CORRAL_CLI_QSTAT_FMT_H
#define CORRAL_CLI_QSTAT_FMT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

/* Borrowed string value of attribute name in attrs, or NULL. */
const char *qstat_attr(const json_t *attrs, const char *name);

/* Attributes as a plain array (what qstat_scan_jobs hands out). */
struct qstat_kv {
	const char *name;
	const char *value;
};
/* Borrowed value of name in kv[0..n), or NULL. */
const char *qstat_kv_get(const struct qstat_kv *kv, size_t n, const char *name);

/* Copy v into buf (size >= width + 1), cut to width characters with the
 * last one replaced by '*' when longer.  Returns buf.  NULL v gives "". */
char *qstat_trunc(const char *v, size_t width, char *buf);

/* ---- default job table ---------------------------------------------- */

enum qstat_table_flags {
	QSTAT_TBL_WIDE = 1 << 0,    /* -w: 30/15/15/8/1/15 columns */
	QSTAT_TBL_INCR = 1 << 1,    /* max_job_sequence_id > 9999999: id column 22 */
	QSTAT_TBL_PERCENT = 1 << 2, /* -p: "% done" instead of Time Use */
};

/* The two header lines ("Job id ... Time Use S Queue" and the dashes). */
void qstat_job_header(FILE *out, unsigned flags);
/* One row.  The id is shown up to the first component of the server name
 * ("1.vm.example.com" -> "1.vm"); Job_Owner loses its "@host" part; Time
 * Use is resources_used.cput or "0". */
void qstat_job_row(FILE *out, const char *id, const json_t *attrs, unsigned flags);
void qstat_job_row_kv(FILE *out, const char *id, const struct qstat_kv *kv, size_t n,
		      unsigned flags);
/* -p: percentage done as PBS computes it ("-- " for Q/T/W, "100" for X,
 * else max(cput used/requested, walltime used/requested)).  Caller frees. */
char *qstat_percent(const json_t *attrs);

/* ---- alternate job display (-a -i -r -H -u -n -s) -------------------- */

enum qstat_alt_flags {
	QSTAT_ALT_WIDE = 1 << 0,    /* -w */
	QSTAT_ALT_NODES = 1 << 1,   /* -n: exec_host under each job */
	QSTAT_ALT_COMMENT = 1 << 2, /* -s: comment under each job */
	QSTAT_ALT_ONELINE = 1 << 3, /* -1: -n/-s on the job's line */
	QSTAT_ALT_GB = 1 << 4,	    /* -G: memory in gb */
	QSTAT_ALT_MW = 1 << 5,	    /* -M: memory in mw */
	QSTAT_ALT_INCR = 1 << 6,    /* id column 20 */
};

/* "\nSERVER: COMMENT" then the three header lines. */
void qstat_alt_header(FILE *out, const char *server, const char *comment, unsigned flags);
void qstat_alt_row(FILE *out, const char *id, const json_t *attrs, unsigned flags);
void qstat_alt_row_kv(FILE *out, const char *id, const struct qstat_kv *kv, size_t n,
		      unsigned flags);
/* PBS cnv_size: "4gb" -> "4gb", "1048576kb" -> "1024mb"; -G/-M convert.
 * Writes into buf (>= 24 bytes) and returns it. */
char *qstat_cnv_size(const char *value, unsigned flags, char *buf, size_t n);
/* exec_host lines as -n prints them (domain stripped, '+'-joined, lines
 * of at most 77 characters, "   " indent; oneline: no indent/newline
 * except the last). */
void qstat_print_nodes(FILE *out, const char *exec_host, bool oneline);

/* ---- full display (-f) ---------------------------------------------- */

/* "    name = value" without the newline, with PBS's wrapping: the value is
 * cut at commas into tokens; a token that would reach column 78 starts a
 * new line indented by a tab; a token longer than a line is broken every
 * 78 columns. */
void qstat_print_attr(FILE *out, const char *name, const char *value);

enum qstat_obj { QSTAT_JOB, QSTAT_QUEUE, QSTAT_SERVER };

/* Header word of an object kind: "Job Id", "Queue", "Server". */
const char *qstat_obj_title(enum qstat_obj kind);
/* Display text of an attribute value in -f/-F output: epoch times as
 * ctime text (estimated.start_time 0 as "UNKNOWN"), others unchanged.
 * Returns value or buf. */
const char *qstat_display_value(const char *name, const char *value, char *buf, size_t n);
/* "Job Id: 1.vm", one qstat_print_attr line per attribute, a blank line. */
void qstat_full(FILE *out, enum qstat_obj kind, const char *name, const json_t *attrs);
/* -F dsv: "Job Id: 1.vm|name=value|...\n"; delimiter characters inside
 * values are escaped with '\', newlines shown as "\n". */
void qstat_dsv(FILE *out, enum qstat_obj kind, const char *name, const json_t *attrs,
	       const char *delim);

/* ---- JSON (-F json) -------------------------------------------------- */

/* A value as qstat -F json shows it: a JSON number when s is a JSON
 * number literal (integers that fit 64 bits as integers), else a string.
 * New reference. */
json_t *qstat_json_value(const char *s);
/* Variable_List "A=1,B=x\,y,C" -> {"A":"1","B":"x,y","C":""}: split at
 * unescaped commas ("\," is a literal comma), then at the first '='.
 * Values stay strings.  New reference. */
json_t *qstat_json_varlist(const char *s);
/* The members of one object: "a.b" names nest as {"a":{"b":..}}
 * (Resource_List, resources_used, estimated, ...), Variable_List is
 * parsed, times are shown as in -f, the rest go through qstat_json_value.
 * New reference. */
json_t *qstat_json_attrs(const json_t *attrs);
/* {"timestamp":now,"pbs_version":version,"pbs_server":server}.  New ref. */
json_t *qstat_json_doc(time_t now, const char *version, const char *server);
/* Print doc as qstat does (4-space indent, "key":value) and a newline.
 * 0 or -ENOMEM. */
int qstat_json_print(FILE *out, const json_t *doc);

/* ---- queue and server summaries (-Q, -q, -B) ------------------------ */

/* Counts from "Transit:0 Queued:1 Held:0 Waiting:0 Running:0 Exiting:0
 * Begun:0", each cut to 5 characters as PBS does.  Missing ones "0". */
struct qstat_counts {
	char que[6], run[6], hld[6], wat[6], trn[6], ext[6];
};
void qstat_state_counts(const char *state_count, struct qstat_counts *c);

void qstat_queue_header(FILE *out);
void qstat_queue_row(FILE *out, const char *name, const json_t *attrs);
void qstat_server_header(FILE *out);
void qstat_server_row(FILE *out, const char *name, const json_t *attrs);

/* -q: "\nserver: NAME\n\n" and the header lines; one row per queue
 * (adds to *tot_run / *tot_que); the totals lines. */
void qstat_altq_header(FILE *out, const char *server);
void qstat_altq_row(FILE *out, const char *name, const json_t *attrs, unsigned flags, int *tot_run,
		    int *tot_que);
void qstat_altq_footer(FILE *out, int tot_run, int tot_que);

/* ---- fast job list --------------------------------------------------- */

/* One element of a job.stat reply's "jobs": its id and string attributes
 * (borrowed: valid during the call only). */
typedef void (*qstat_job_fn)(void *arg, const char *id, const struct qstat_kv *attrs,
			     size_t nattrs);

/* Walk the text of a job.stat reply without building a DOM (100,000 jobs
 * are ~10 MB of JSON; jansson would spend most of qstat's time building
 * and freeing objects).  fn is called for each element of "jobs", in
 * order; strings there are decoded in place, so text is modified.  *rest
 * (may be NULL) gets the other top-level members ("id", "ok", "error",
 * "errors") as a new JSON object.  Returns 0, or -EPROTO when text is not
 * a JSON object of that shape (fn may have been called for the jobs before
 * the fault). */
int qstat_scan_jobs(char *text, size_t n, qstat_job_fn fn, void *arg, json_t **rest);

#endif
