/* qstat - show the status of jobs, queues and the server (PBS qstat).
 *
 * One connection: server.stat (when the display needs the server's
 * comment or max_job_sequence_id), then one job.stat per group of operands
 * (consecutive job ids share one request; each destination gets its own).
 * A job.stat reply can be large (qstat -f of 100,000 jobs is ~75 MB of
 * JSON), so it is fetched unparsed (corral_call_raw) and walked with
 * qstat_scan_jobs, each job printed as it is met by the formatters of
 * src/cli/lib/qstat_fmt.h: no jansson tree of the jobs is ever built, and
 * -F json is written as it goes.  The default table asks only for the
 * attributes it shows ("attrs"); output is buffered in large chunks.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "src/cli/lib/cli.h"
#include "src/cli/lib/jobcmd.h"
#include "src/cli/lib/qstat_fmt.h"
#include "src/common/buf.h"
#include "src/common/log.h"
#include "src/proto/msg.h"

static const char usage_text[] =
    "usage: \n"
    "qstat [-f] [-J] [-p] [-t] [-x] [-E] [-F format | -w] [-D delim] [ job_identifier... | "
    "destination... ]\n"
    "qstat [-a|-i|-r|-H] [-J] [-t] [-u user] [-n] [-s] [-G|-M] [-1] [-w]\n"
    "\t[ job_identifier... | destination... ]\n"
    "qstat -Q [-f] [-F format] [-D delim] [ destination... ]\n"
    "qstat -q [-G|-M] [ destination... ]\n"
    "qstat -B [-f] [-F format] [-D delim] [ server_name... ]\n"
    "qstat --version\n";

static const char help_text[] =
    "NAME\n"
    "    qstat - show the status of batch jobs, queues and the server\n"
    "\n"
    "SYNOPSIS\n"
    "    qstat [-f [-F json|dsv [-D delim]]] [-p] [-J] [-t] [-x] [-w]\n"
    "          [job_identifier... | destination...]\n"
    "    qstat -a|-i|-r|-H [-u user[,user...]] [-n] [-s] [-1] [-G|-M] [-w]\n"
    "          [job_identifier... | destination...]\n"
    "    qstat -Q [-f [-F json|dsv]] [destination...]\n"
    "    qstat -q [-G|-M] [destination...]\n"
    "    qstat -B [-f [-F json|dsv]] [server_name...]\n"
    "    qstat --help | --version\n"
    "\n"
    "DESCRIPTION\n"
    "    Without options qstat lists the jobs of the server in the PBS table\n"
    "    (Job id, Name, User, Time Use, S, Queue); values wider than their\n"
    "    column are cut and end in '*'.  A job identifier (SEQ or SEQ.server)\n"
    "    selects that job; a destination (queue, queue@server or @server)\n"
    "    selects the jobs of a queue.  Finished jobs are shown only with -x\n"
    "    (or -H).  Times in full output are shown as dates.\n"
    "\n"
    "OPTIONS\n"
    "    -f          full display: every attribute as \"name = value\"\n"
    "    -F format   with -f: json (one JSON document) or dsv (one line per\n"
    "                object, attributes separated by '|' or the -D string)\n"
    "    -D delim    delimiter for -F dsv\n"
    "    -x          include finished (history) jobs\n"
    "    -p          show the percentage done instead of the CPU time used\n"
    "    -J          show array jobs only\n"
    "    -t, -E      accepted for compatibility (no effect)\n"
    "    -w          wide columns\n"
    "    -a          alternate display (Username, SessID, NDS, TSK, Req'd\n"
    "                Memory and Time, Elap Time)\n"
    "    -i          alternate display of jobs not running (E H Q T W)\n"
    "    -r          alternate display of running jobs (R S)\n"
    "    -H          alternate display of finished jobs only\n"
    "    -u user[,user...]  only jobs of these users (alternate display)\n"
    "    -n          alternate display with the hosts of each job\n"
    "    -s          alternate display with the comment of each job\n"
    "    -1          with -n or -s: on the job's own line\n"
    "    -G, -M      show memory in gb, or in megawords\n"
    "    -Q          queue summary (Max Tot Ena Str Que Run Hld Wat Trn Ext Type Partition)\n"
    "    -q          alternate queue summary (limits and Run/Que totals)\n"
    "    -B          server summary (Max Tot Que Run Hld Wat Trn Ext Status)\n"
    "    --help      show this text\n"
    "    --version   show the version\n"
    "\n"
    "EXIT STATUS\n"
    "    0 on success.  When a job, queue or server cannot be shown, qstat\n"
    "    prints \"qstat: message\" and exits with the PBS error number modulo\n"
    "    256 of the last failure (unknown job id: 153), or 1.  Bad usage\n"
    "    exits 2.\n";

enum fmt { FMT_DEFAULT, FMT_DSV, FMT_JSON };
enum mode { MODE_JOBS, MODE_QUEUES, MODE_SERVERS };

enum alt_bits {
	ALT_A = 1 << 0,
	ALT_I = 1 << 1,
	ALT_R = 1 << 2,
	ALT_U = 1 << 3,
	ALT_N = 1 << 4,
	ALT_S = 1 << 5,
	ALT_H = 1 << 6,
	ALT_Q = 1 << 7,
	ALT_MW = 1 << 8,
	ALT_G = 1 << 9,
	ALT_1L = 1 << 10,
	ALT_W = 1 << 11,
};

struct opts {
	enum mode mode;
	enum fmt fmt;
	const char *delim;
	unsigned alt;
	bool full, history, percent, arrays_only, wide;
	const char *states; /* -i/-r/-H: job_state letters to keep, or NULL */
	char **users;	    /* -u names (NULL-terminated) or NULL */
	int nusers;
};

/* What the output needs from the server object. */
struct server_info {
	char *name;
	char *comment;
	bool incr_width; /* max_job_sequence_id > 9,999,999 */
};

/* Names already shown, when the same object may come twice (-F json
 * holds each name once). */
struct nameset {
	char **slot;
	size_t size, used;
};

struct out_state {
	bool header_done;
	struct qstat_out out;  /* stdout, for -f and -F */
	struct qstat_jout *js; /* -F json document, or NULL */
	struct nameset *seen;  /* -F json with operands: names shown, or NULL */
	int rc;		       /* exit status so far */
};

static void usage_exit(void) { cli_usage(usage_text, false); }

static void conflict_exit(void)
{
	fputs("qstat: conflicting options.\n", stderr);
	usage_exit();
}

static void split_users(struct opts *o, const char *arg)
{
	char *copy = xstrdup(arg), *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		o->users = xrealloc(o->users, sizeof(char *) * (size_t)(o->nusers + 2));
		/* "user@host" selects by user name */
		char *at = strchr(t, '@');
		o->users[o->nusers++] = at ? xstrndup(t, (size_t)(at - t)) : xstrdup(t);
		o->users[o->nusers] = NULL;
	}
	free(copy);
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h' + 256},
	    {"version", no_argument, NULL, 'v' + 256},
	    {NULL, 0, NULL, 0},
	};
	int c, errflg = 0;
	bool Q = false, B = false;

	memset(o, 0, sizeof *o);
	o->delim = "|";
	while ((c = getopt_long(argc, argv, "ainpqrstwxu:fGHJMQEB1F:D:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h' + 256:
			cli_usage(help_text, true);
		case 'v' + 256:
			jobcmd_version_exit();
		case 'a':
			o->alt |= ALT_A;
			break;
		case 'i':
			o->alt |= ALT_I;
			o->states = "EHQTW";
			break;
		case 'r':
			o->alt |= ALT_R;
			o->states = "RS";
			break;
		case 'H':
			o->alt |= ALT_H;
			o->history = true;
			o->states = "FMX";
			break;
		case 'u':
			o->alt |= ALT_U;
			split_users(o, optarg);
			break;
		case 'n':
			o->alt |= ALT_N;
			o->full = false;
			break;
		case 's':
			o->alt |= ALT_S;
			o->full = false;
			break;
		case 'p':
			o->percent = true;
			break;
		case 'q':
			o->alt |= ALT_Q;
			o->mode = MODE_QUEUES;
			break;
		case 'G':
			o->alt |= ALT_G;
			break;
		case 'M':
			o->alt |= ALT_MW;
			break;
		case 'J':
			o->arrays_only = true;
			break;
		case '1':
			o->alt |= ALT_1L;
			break;
		case 'w':
			o->alt |= ALT_W;
			o->wide = true;
			break;
		case 't':
		case 'E':
			break;
		case 'x':
			o->history = true;
			break;
		case 'f':
			o->full = true;
			break;
		case 'B':
			B = true;
			o->mode = MODE_SERVERS;
			if (Q || ((o->alt & ~ALT_W) && !o->wide))
				conflict_exit();
			break;
		case 'Q':
			Q = true;
			o->mode = MODE_QUEUES;
			if (B || ((o->alt & ~ALT_W) && !o->wide))
				conflict_exit();
			break;
		case 'D':
			if (o->fmt == FMT_DSV)
				o->delim = optarg;
			else
				errflg++;
			break;
		case 'F':
			if (strcasecmp(optarg, "default") == 0)
				o->fmt = FMT_DEFAULT;
			else if (strcasecmp(optarg, "dsv") == 0)
				o->fmt = FMT_DSV;
			else if (strcasecmp(optarg, "json") == 0)
				o->fmt = FMT_JSON;
			else
				errflg++;
			break;
		default:
			errflg++;
			break;
		}
	}
	/* combinations PBS refuses */
	unsigned sel = o->alt & (ALT_A | ALT_I | ALT_R | ALT_Q | ALT_H);
	if (sel && sel != ALT_A && sel != ALT_I && sel != ALT_R && sel != ALT_Q && sel != ALT_H)
		conflict_exit();
	if ((o->alt & (ALT_MW | ALT_G)) == (ALT_MW | ALT_G))
		conflict_exit();
	if (!(o->fmt == FMT_DEFAULT || o->full))
		conflict_exit();
	if ((o->alt & ALT_Q) && o->full)
		conflict_exit();
	if ((o->alt & ALT_1L) && !(o->alt & (ALT_N | ALT_S)))
		conflict_exit();
	if (o->wide && o->fmt != FMT_DEFAULT) {
		fputs("qstat: option w cannot be used with -F\n", stderr);
		errflg++;
	}
	if (errflg)
		usage_exit();
}

/* ---- talking to the server ------------------------------------------ */

/* The reply to req, which must come (even when "ok" is false). */
static json_t *call(corral_conn_t *c, json_t *req)
{
	corral_error_t err = {0};
	json_t *rep = corral_call(c, req, &err);
	if (!rep)
		log_err_exit(1, "%s", err.text);
	return rep;
}

/* Whether name was seen before; remembers it. */
static bool nameset_seen(struct nameset *ns, const char *name)
{
	if (2 * (ns->used + 1) > ns->size) {
		struct nameset old = *ns;
		ns->size = old.size ? old.size * 2 : 64;
		ns->slot = xcalloc(ns->size, sizeof *ns->slot);
		ns->used = 0;
		for (size_t i = 0; i < old.size; i++)
			if (old.slot[i])
				(void)nameset_seen(ns, old.slot[i]), free(old.slot[i]);
		free(old.slot);
	}
	unsigned long h = 5381;
	for (const char *p = name; *p; p++)
		h = h * 33 + (unsigned char)*p;
	for (size_t i = h & (ns->size - 1);; i = (i + 1) & (ns->size - 1)) {
		if (!ns->slot[i]) {
			ns->slot[i] = xstrdup(name);
			ns->used++;
			return false;
		}
		if (strcmp(ns->slot[i], name) == 0)
			return true;
	}
}

static void nameset_free(struct nameset *ns)
{
	for (size_t i = 0; i < ns->size; i++)
		free(ns->slot[i]);
	free(ns->slot);
}

/* Hand what -f/-F wrote to stdout (before messages go to stderr). */
static void flush_out(struct out_state *st)
{
	if (qstat_out_flush(&st->out) < 0)
		log_err_exit(1, "cannot write the output: %s", strerror(errno));
}

/* A reply with "ok": false: print it (naming what, when given) and
 * return its exit code. */
static int reply_error(const json_t *rep, const char *what)
{
	return jobcmd_item_error(what, json_object_get(rep, "error"));
}

static void server_info_from(const json_t *rep, struct server_info *si, const char *fallback)
{
	const json_t *srv = json_object_get(rep, "server");
	const json_t *attrs = json_object_get(srv, "attrs");
	const char *name = json_string_value(json_object_get(srv, "name"));
	si->name = xstrdup(name ? name : fallback ? fallback : "");
	const char *comment = qstat_attr(attrs, "comment");
	si->comment = comment ? xstrdup(comment) : NULL;
	const char *maxseq = qstat_attr(attrs, "max_job_sequence_id");
	si->incr_width = maxseq && strtoll(maxseq, NULL, 10) > 9999999LL;
}

/* ---- output helpers ------------------------------------------------- */

static bool keep_job(const struct opts *o, const char *id, const char *state, const char *ow)
{
	if (o->states) {
		const char *s = state;
		if (!s || !*s || !strchr(o->states, *s))
			return false;
	}
	if (o->arrays_only && (!id || !strstr(id, "[]")))
		return false;
	if (o->nusers > 1) {
		char owner[256];
		if (!ow)
			return false;
		snprintf(owner, sizeof owner, "%s", ow);
		char *at = strchr(owner, '@');
		if (at)
			*at = '\0';
		bool found = false;
		for (int i = 0; i < o->nusers; i++)
			if (strcmp(o->users[i], owner) == 0)
				found = true;
		if (!found)
			return false;
	}
	return true;
}

static bool use_alt(const struct opts *o)
{
	/* PBS: any alternate flag, unless -w with -f; -F json/dsv always give
	 * the full form (PBS mixed text into the JSON there) */
	if (o->fmt != FMT_DEFAULT)
		return false;
	return (o->alt & ~ALT_W) != 0 && !(o->wide && o->full);
}

static unsigned alt_flags(const struct opts *o, const struct server_info *si)
{
	unsigned f = 0;
	if (o->wide)
		f |= QSTAT_ALT_WIDE;
	if (o->alt & ALT_N)
		f |= QSTAT_ALT_NODES;
	if (o->alt & ALT_S)
		f |= QSTAT_ALT_COMMENT;
	if (o->alt & ALT_1L)
		f |= QSTAT_ALT_ONELINE;
	if (o->alt & ALT_G)
		f |= QSTAT_ALT_GB;
	if (o->alt & ALT_MW)
		f |= QSTAT_ALT_MW;
	if (si && si->incr_width)
		f |= QSTAT_ALT_INCR;
	return f;
}

/* Each job of a job.stat reply, straight from the scanner
 * (qstat_scan_jobs): a row of the table or the alternate display, or the
 * full display in one of its formats. */
struct rowctx {
	const struct opts *o;
	const struct server_info *si;
	struct out_state *st;
	bool rows, alt;
	unsigned tflags, aflags;
};

static void job_cb(void *arg, const char *id, const struct qstat_kv *kv, size_t n)
{
	struct rowctx *r = arg;
	const struct opts *o = r->o;
	struct out_state *st = r->st;
	if (!keep_job(o, id, qstat_kv_get(kv, n, "job_state"), qstat_kv_get(kv, n, "Job_Owner")))
		return;
	if (!r->rows) {
		if (o->fmt == FMT_JSON) {
			if (!st->seen || !nameset_seen(st->seen, id))
				qstat_jout_object(st->js, "Jobs", id, kv, n);
		} else if (o->fmt == FMT_DSV) {
			qstat_dsv_kv(&st->out, QSTAT_JOB, id, kv, n, o->delim);
		} else {
			qstat_full_kv(&st->out, QSTAT_JOB, id, kv, n);
		}
	} else if (r->alt) {
		if (!st->header_done)
			qstat_alt_header(stdout, r->si->name, r->si->comment, r->aflags);
		st->header_done = true;
		qstat_alt_row_kv(stdout, id, kv, n, r->aflags);
	} else {
		if (!st->header_done) {
			if (r->si->comment)
				printf("%s\n", r->si->comment);
			qstat_job_header(stdout, r->tflags);
		}
		st->header_done = true;
		qstat_job_row_kv(stdout, id, kv, n, r->tflags);
	}
}

static void print_job_errors(const json_t *errors, const char *server, struct out_state *st)
{
	size_t i;
	json_t *e;
	json_array_foreach(errors, i, e)
	{
		const json_t *eo = json_object_get(e, "error");
		if (!eo)
			eo = e;
		char *full = jobcmd_full_id(json_string_value(json_object_get(e, "id")), server);
		/* the server words these as PBS does, e.g. "Unknown Job Id 99.vm",
		 * "12.vm Job has finished, use -x or -H to obtain historical job
		 * information" */
		st->rc = jobcmd_item_error(full, eo);
		free(full);
	}
}

/* ---- the three modes ------------------------------------------------ */

static const char *table_attrs[] = {"Job_Name",	 "Job_Owner", "resources_used.cput",
				    "job_state", "queue",     NULL};
static const char *percent_attrs[] = {"Resource_List.cput", "Resource_List.walltime",
				      "resources_used.walltime", "array_state_count", NULL};
static const char *alt_attrs[] = {"Job_Name",
				  "Job_Owner",
				  "job_state",
				  "queue",
				  "session_id",
				  "Resource_List.nodect",
				  "Resource_List.ncpus",
				  "Resource_List.mem",
				  "Resource_List.walltime",
				  "Resource_List.cput",
				  "resources_used.cput",
				  "resources_used.walltime",
				  NULL};

static void add_attrs(json_t *arr, const char **names)
{
	for (; *names; names++)
		json_array_append_new(arr, json_string(*names));
}

/* The job.stat request members every group shares. */
static json_t *job_stat_base(const struct opts *o)
{
	json_t *req = corral_msg_request("job.stat");
	/* Listings come in parts, each shown while the next is built. */
	json_object_set_new(req, "stream", json_true());
	if (o->history)
		json_object_set_new(req, "history", json_true());
	if (o->nusers == 1)
		json_object_set_new(req, "user", json_string(o->users[0]));
	if (o->fmt == FMT_DEFAULT && (!o->full || use_alt(o))) {
		json_t *attrs = json_array();
		if (use_alt(o)) {
			add_attrs(attrs, alt_attrs);
			if (o->alt & ALT_N)
				json_array_append_new(attrs, json_string("exec_host"));
			if (o->alt & ALT_S)
				json_array_append_new(attrs, json_string("comment"));
		} else {
			add_attrs(attrs, table_attrs);
			if (o->percent)
				add_attrs(attrs, percent_attrs);
		}
		json_object_set_new(req, "attrs", attrs);
	}
	return req;
}

struct group {
	json_t *req;
	char *what; /* destination name for errors, or NULL for ids */
};

static int run_jobs(corral_conn_t *c, const struct opts *o, int nops, char **ops,
		    struct out_state *st)
{
	struct group *groups = xcalloc((size_t)nops + 1, sizeof *groups);
	int ng = 0;
	json_t *ids = NULL; /* ids of the group being filled */

	if (nops == 0) {
		groups[ng++].req = job_stat_base(o);
	}
	for (int i = 0; i < nops; i++) {
		const char *op = ops[i];
		if (*op >= '0' && *op <= '9') {
			if (!jobcmd_valid_id(op)) {
				fprintf(stderr, "qstat: illegally formed job identifier: %s\n", op);
				st->rc = 1;
				continue;
			}
			if (!ids) {
				groups[ng].req = job_stat_base(o);
				ids = json_array();
				json_object_set_new(groups[ng].req, "ids", ids); /* req owns ids */
				ng++;
			}
			char *w = jobcmd_wire_id(op);
			json_array_append_new(ids, json_string(w));
			free(w);
			continue;
		}
		/* destination: queue, queue@server or @server */
		ids = NULL;
		const char *at = strchr(op, '@');
		char *queue = at ? xstrndup(op, (size_t)(at - op)) : xstrdup(op);
		groups[ng].req = job_stat_base(o);
		if (*queue) {
			json_object_set_new(groups[ng].req, "queue", json_string(queue));
			groups[ng].what = queue;
		} else {
			free(queue);
		}
		ng++;
	}

	/* the server object: for the table's comment line and id width, and
	 * the alternate display's header */
	bool rows = o->fmt == FMT_DEFAULT && (!o->full || use_alt(o));
	struct server_info si = {0};
	if (rows) {
		json_t *sreq = corral_msg_request("server.stat");
		json_t *rep = call(c, sreq);
		server_info_from(rep, &si, corral_conn_server_name(c));
		json_decref(rep);
		json_decref(sreq);
	} else {
		si.name = xstrdup(corral_conn_server_name(c) ? corral_conn_server_name(c) : "");
	}

	struct rowctx rc = {
	    .o = o,
	    .si = &si,
	    .st = st,
	    .rows = rows,
	    .alt = use_alt(o),
	    .tflags = (o->wide ? QSTAT_TBL_WIDE : 0) | (si.incr_width ? QSTAT_TBL_INCR : 0) |
		      (o->percent ? QSTAT_TBL_PERCENT : 0),
	    .aflags = alt_flags(o, &si),
	};
	for (int g = 0; g < ng; g++) {
		corral_error_t err = {0};
		char *text = NULL;
		size_t n = 0;
		json_t *rep = NULL;
		long long rid = corral_send(c, groups[g].req, &err);
		if (rid < 0)
			log_err_exit(1, "%s", err.text);
		for (;;) { /* the parts of a streamed reply, then its last */
			if (corral_read_raw(c, rid, &text, &n, &err) < 0)
				log_err_exit(1, "%s", err.text);
			if (qstat_scan_jobs(text, n, job_cb, &rc, &rep) < 0)
				log_err_exit(1, "malformed reply from the server");
			free(text);
			flush_out(st);
			if (!json_is_true(json_object_get(rep, "more")))
				break;
			json_decref(rep);
			rep = NULL;
		}
		fflush(stdout);
		if (!json_is_true(json_object_get(rep, "ok")))
			st->rc = reply_error(rep, groups[g].what);
		else
			print_job_errors(json_object_get(rep, "errors"), si.name, st);
		json_decref(rep);
		json_decref(groups[g].req);
		free(groups[g].what);
	}
	free(groups);
	free(si.name);
	free(si.comment);
	return st->rc;
}

static int run_queues(corral_conn_t *c, const struct opts *o, int nops, char **ops,
		      struct out_state *st)
{
	json_t *req = corral_msg_request("queue.stat");
	json_t *names = json_array();
	bool all = nops == 0;
	for (int i = 0; i < nops; i++) {
		const char *at = strchr(ops[i], '@');
		size_t l = at ? (size_t)(at - ops[i]) : strlen(ops[i]);
		if (l == 0) {
			all = true; /* "@server": every queue */
			continue;
		}
		char *q = xstrndup(ops[i], l);
		json_array_append_new(names, json_string(q));
		free(q);
	}
	if (!all)
		json_object_set_new(req, "names", names);
	else
		json_decref(names);
	json_t *rep = cli_rpc(c, req);
	json_decref(req);

	const char *server = corral_conn_server_name(c);
	const json_t *queues = json_object_get(rep, "queues");
	size_t i;
	json_t *q;
	int tot_run = 0, tot_que = 0;
	bool altq = o->alt & ALT_Q;
	unsigned aflags = alt_flags(o, NULL);

	if (altq && json_array_size(queues) > 0)
		qstat_altq_header(stdout, server ? server : "");
	json_array_foreach(queues, i, q)
	{
		const char *name = json_string_value(json_object_get(q, "name"));
		const json_t *attrs = json_object_get(q, "attrs");
		if (!name)
			continue;
		if (o->fmt == FMT_JSON) {
			if (!nameset_seen(st->seen, name)) {
				size_t n;
				struct qstat_kv *kv = qstat_kv_from_json(attrs, &n);
				qstat_jout_object(st->js, "Queue", name, kv, n);
				free(kv);
			}
		} else if (o->fmt == FMT_DSV) {
			qstat_dsv(stdout, QSTAT_QUEUE, name, attrs, o->delim);
		} else if (altq) {
			qstat_altq_row(stdout, name, attrs, aflags, &tot_run, &tot_que);
		} else if (o->full) {
			qstat_full(stdout, QSTAT_QUEUE, name, attrs);
		} else {
			if (!st->header_done)
				qstat_queue_header(stdout);
			st->header_done = true;
			qstat_queue_row(stdout, name, attrs);
		}
	}
	if (altq && json_array_size(queues) > 0)
		qstat_altq_footer(stdout, tot_run, tot_que);
	flush_out(st);
	fflush(stdout);

	json_t *e;
	json_array_foreach(json_object_get(rep, "errors"), i, e)
	{
		const json_t *eo = json_object_get(e, "error");
		const char *name = json_string_value(json_object_get(e, "name"));
		if (!name)
			name = json_string_value(json_object_get(e, "id"));
		st->rc = jobcmd_item_error(name, eo ? eo : e);
	}
	json_decref(rep);
	return st->rc;
}

static int run_servers(corral_conn_t *c, const struct opts *o, struct out_state *st)
{
	json_t *req = corral_msg_request("server.stat");
	json_t *rep = cli_rpc(c, req);
	json_decref(req);
	const json_t *srv = json_object_get(rep, "server");
	const json_t *attrs = json_object_get(srv, "attrs");
	const char *name = json_string_value(json_object_get(srv, "name"));
	if (!name)
		name = corral_conn_server_name(c);
	if (!name)
		name = "";
	if (o->fmt == FMT_JSON) {
		size_t n;
		struct qstat_kv *kv = qstat_kv_from_json(attrs, &n);
		qstat_jout_object(st->js, "Server", name, kv, n);
		free(kv);
	} else if (o->fmt == FMT_DSV) {
		qstat_dsv(stdout, QSTAT_SERVER, name, attrs, o->delim);
	} else if (o->full) {
		qstat_full(stdout, QSTAT_SERVER, name, attrs);
	} else {
		qstat_server_header(stdout);
		qstat_server_row(stdout, name, attrs);
	}
	json_decref(rep);
	return st->rc;
}

int main(int argc, char **argv)
{
	static char outbuf[1 << 20];
	struct opts o;
	struct out_state st = {0};
	struct qstat_jout js;
	struct nameset seen = {0};

	cli_init(argv[0]);
	parse_args(argc, argv, &o);
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	qstat_out_init(&st.out, stdout);

	corral_conn_t *c = cli_connect();
	int nops = argc - optind;
	char **ops = argv + optind;
	if (o.fmt == FMT_JSON) {
		qstat_jout_begin(&js, &st.out, time(NULL), CORRAL_VERSION,
				 corral_conn_server_name(c));
		st.js = &js;
		/* a job named twice, or in two destinations named, is shown once */
		if (nops > 0 || o.mode != MODE_JOBS)
			st.seen = &seen;
	}

	switch (o.mode) {
	case MODE_JOBS:
		run_jobs(c, &o, nops, ops, &st);
		break;
	case MODE_QUEUES:
		run_queues(c, &o, nops, ops, &st);
		break;
	case MODE_SERVERS:
		run_servers(c, &o, &st);
		break;
	}

	if (st.js)
		qstat_jout_end(st.js);
	if (qstat_out_close(&st.out) < 0)
		log_err_exit(1, "cannot write the output: %s", strerror(errno));
	corral_close(c);
	nameset_free(&seen);
	for (int i = 0; i < o.nusers; i++)
		free(o.users[i]);
	free(o.users);
	return st.rc;
}
