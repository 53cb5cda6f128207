/* qstat_fmt.h - the output shapes of qstat, as OpenPBS prints them
 * (src/cmds/qstat.c, man qstat.1B; PBS-REFERENCE.md section 3.4).
 *
 * Input is what job.stat / queue.stat / server.stat return: an object name
 * ("12.vm", "workq") and its attributes, name -> string value (flat names:
 * "Resource_List.ncpus"), either as a jansson object or as the name/value
 * array that qstat_scan_jobs hands out for each job of a job.stat reply.
 * Output goes to a FILE (stdout in qstat, a memory stream in the unit
 * tests), for the bulk formats (-f, -F dsv, -F json) through a struct
 * qstat_out buffer.  Nothing here talks to the server, so every shape is
 * unit-testable.
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

struct qstat_jvar;

/* Borrowed string value of attribute name in attrs, or NULL. */
const char *qstat_attr(const json_t *attrs, const char *name);

/* Attributes as a plain array (what qstat_scan_jobs hands out). */
struct qstat_kv {
	const char *name;
	const char *value;
};
/* Borrowed value of name in kv[0..n), or NULL. */
const char *qstat_kv_get(const struct qstat_kv *kv, size_t n, const char *name);
/* The string members of a jansson object as an array (names and values
 * borrowed from attrs; the array is malloc'ed, caller frees).  *n gets the
 * count; NULL attrs gives an empty array. */
struct qstat_kv *qstat_kv_from_json(const json_t *attrs, size_t *n);

/* ---- buffered output ------------------------------------------------ */

/* The bulk formats write through a large buffer handed to the FILE in big
 * chunks: with 100,000 jobs, per-call stdio work would be a good part of
 * qstat's time. */
struct qstat_out {
	FILE *f;
	char *buf;
	size_t len, cap;
	bool failed; /* a write to f failed */
};
void qstat_out_init(struct qstat_out *o, FILE *f);
/* Hand the buffered bytes to o->f and fflush it.  0, or -EIO when a write
 * failed (now or before). */
int qstat_out_flush(struct qstat_out *o);
/* Flush, then free the buffer.  As qstat_out_flush. */
int qstat_out_close(struct qstat_out *o);

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
void qstat_full_kv(struct qstat_out *out, enum qstat_obj kind, const char *name,
		   const struct qstat_kv *kv, size_t n);
/* -F dsv: "Job Id: 1.vm|name=value|...\n"; delimiter characters inside
 * values are escaped with '\', newlines shown as "\n". */
void qstat_dsv(FILE *out, enum qstat_obj kind, const char *name, const json_t *attrs,
	       const char *delim);
void qstat_dsv_kv(struct qstat_out *out, enum qstat_obj kind, const char *name,
		  const struct qstat_kv *kv, size_t n, const char *delim);

/* ---- JSON (-F json) -------------------------------------------------- */

/* The document qstat -F json prints, in PBS's layout (4-space indent,
 * "key":value):
 *   {"timestamp":N, "pbs_version":V, "pbs_server":S,
 *    GROUP:{NAME:{members},...}}
 * where GROUP is "Jobs", "Queue" or "Server" and only present when it has
 * an object.  An object's members are its attributes in order, except:
 * "a.b" names nest as {"a":{"b":..}} (Resource_List, resources_used,
 * estimated, ...: all "a." members go into one "a" object, placed where
 * the first one was), Variable_List "A=1,B=x\,y" becomes an object of
 * strings {"A":"1","B":"x,y"}, times are shown as in -f, and values that
 * are plain decimal numbers become JSON numbers (qstat_json_number).
 *
 * The document is written as it goes (struct qstat_jout), so 100,000 jobs
 * need no jansson tree.  The jansson functions below build the same
 * document as a tree; they are the reference the unit tests hold the
 * streaming writer to, and serve small documents. */

/* How a value is shown in JSON: 1 as an integer (-?(0|[1-9][0-9]*) that
 * fits 64 bits), 2 as a real (the same with a fraction, at most 15
 * significant digits), 0 as a string (everything else: "007", "1e5",
 * " 5", "0x10", "1.", "+1", ""). */
int qstat_json_number(const char *s);

struct qstat_jout {
	struct qstat_out *out;
	long long now;
	char *version, *server;
	bool started;	     /* the document's head is written */
	char group[16];	     /* the group being filled, "" for none */
	size_t nmembers;     /* objects in it so far */
	size_t *plen, *nlen; /* per-attribute scratch: prefix, name lengths */
	unsigned char *done;
	size_t scap;
	char *vbuf; /* Variable_List scratch */
	size_t vcap;
	struct qstat_jvar *vars;
	size_t varcap;
};
/* Start a document (nothing is written before the first object or
 * qstat_jout_end, so a command that fails early prints no JSON). */
void qstat_jout_begin(struct qstat_jout *j, struct qstat_out *out, time_t now, const char *version,
		      const char *server);
/* One object in group ("Jobs", "Queue", "Server"). */
void qstat_jout_object(struct qstat_jout *j, const char *group, const char *name,
		       const struct qstat_kv *kv, size_t n);
/* Close the document (newline included) and free j's scratch space. */
void qstat_jout_end(struct qstat_jout *j);

/* Reference (jansson) versions: a value as qstat -F json shows it (a JSON
 * number per qstat_json_number, else a string).  New reference. */
json_t *qstat_json_value(const char *s);
/* Variable_List "A=1,B=x\,y,C" -> {"A":"1","B":"x,y","C":""}: split at
 * unescaped commas ("\," is a literal comma), then at the first '='.
 * Values stay strings; a repeated name keeps its first place and its last
 * value.  New reference. */
json_t *qstat_json_varlist(const char *s);
/* The members of one object as described above.  New reference. */
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

/* Walk the text of a job.stat reply without building a DOM (qstat -f of
 * 100,000 jobs is ~75 MB of JSON; jansson would spend most of qstat's time
 * building and freeing objects).  fn is called for each element of
 * "jobs", in order; strings there are decoded in place, so text is
 * modified.  *rest
 * (may be NULL) gets the other top-level members ("id", "ok", "error",
 * "errors") as a new JSON object.  Returns 0, or -EPROTO when text is not
 * a JSON object of that shape (fn may have been called for the jobs before
 * the fault). */
int qstat_scan_jobs(char *text, size_t n, qstat_job_fn fn, void *arg, json_t **rest);

#endif
