/* qmgr.c - the PBS administrator command: create, delete, set, unset, list
 * and print servers, queues, nodes and scheds.
 *
 * Input: one directive with -c, else directives from stdin (a file, a pipe,
 * or a terminal, where libedit gives a "Qmgr: " prompt and history).
 * Directives are parsed by src/cli/lib/qmgr_parse; create/delete/set/unset
 * become the "mgr" op, list/print use server.stat, queue.stat, node.stat
 * and sched.stat (docs/protocol.md) and are shown by src/cli/lib/qmgr_print.
 *
 * Errors: syntax errors as PBS prints them (directive and a caret);
 * server errors as "qmgr obj=NAME svr=default: message" followed by
 * "qmgr: Error (N) returned from server".  qmgr goes on with the next
 * directive unless -a.  Exit status: 0, the PBS parse code (1-4) of a
 * syntax error, pbs_errno % 256 of a server error (1 when it has none),
 * of the last directive that failed; 3 when the server cannot be reached.
 */
#include <errno.h>
#include <getopt.h>
#include <histedit.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/cli/lib/cli.h"
#include "src/cli/lib/qmgr_parse.h"
#include "src/cli/lib/qmgr_print.h"
#include "src/common/buf.h"
#include "src/common/log.h"
#include "src/proto/msg.h"

static const char usage_short[] = "Usage: qmgr [-a] [-c command] [-e] [-f] [-n] [-z] [server...]\n"
				  "       qmgr --version\n";

static const char usage_long[] =
    "NAME\n"
    "       qmgr - administer the Corral server, its queues, nodes and schedulers\n"
    "\n"
    "SYNOPSIS\n"
    "       qmgr [-a] [-c directive] [-e] [-f] [-n] [-z] [server...]\n"
    "       qmgr --version\n"
    "\n"
    "DESCRIPTION\n"
    "       qmgr reads directives from the -c option, or else from standard input:\n"
    "       a file, a pipe, or a terminal (then with the prompt \"Qmgr: \", line\n"
    "       editing and history kept in ~/.corral_qmgr_history).  A directive is\n"
    "\n"
    "           command object [name[,name...]] [attr[.resource] OP value[,...]]\n"
    "\n"
    "       command is create, delete, set, unset, list, print, help, quit or exit,\n"
    "       or any prefix of one (c d s u l p h q); object is server (s), queue (q),\n"
    "       node (n) or sched (sc); OP is =, += or -=.  Values holding blanks or\n"
    "       commas are quoted with \"...\" or '...'.  Directives are separated by ';'\n"
    "       or newlines; '#' starts a comment; a line ending in '\\' continues.\n"
    "       \"set sched attr=value\" without a name sets the sched named default.\n"
    "       \"print server\" writes directives that recreate the queues and the\n"
    "       server attributes and can be fed back to qmgr.  Type \"help\" inside\n"
    "       qmgr for more.\n"
    "\n"
    "OPTIONS\n"
    "       -a     Abort on the first directive that fails.\n"
    "       -c directive\n"
    "              Run the directive(s) and exit.\n"
    "       -e     Echo each directive to standard output before running it.\n"
    "       -f     Force: delete a sched even while its partitions hold queued\n"
    "              or running jobs (they stay queued with no scheduler).\n"
    "       -n     Check the syntax only; send nothing to the server.\n"
    "       -z     Print no error messages.\n"
    "       server Accepted for compatibility; qmgr always talks to the server\n"
    "              of $CORRAL_HOME.\n"
    "       --help Print this text.\n"
    "       --version\n"
    "              Print the version.\n"
    "\n"
    "EXIT STATUS\n"
    "       0 when every directive succeeded.  Otherwise the status of the last\n"
    "       failure: 1 illegal command, 2 bad object type, 3 bad name list, 4 bad\n"
    "       attribute list, the PBS error number modulo 256 for an error from\n"
    "       the server (1 when it gives none), 3 when the server cannot be\n"
    "       reached, 2 for bad usage.\n";

struct qmgr {
	corral_conn_t *conn; /* connected at the first directive that needs it */
	bool aopt;	     /* -a: stop at the first failure */
	bool fopt;	     /* -f: force (delete sched with jobs) */
	bool eopt;	     /* -e: echo directives */
	bool nopt;	     /* -n: syntax check only */
	bool zopt;	     /* -z: no error messages */
	bool stdin_tty;	     /* stdin is a terminal (PBS's isatty(0) rule) */
	int status;	     /* exit status of the last failure, 0 when none */
};

static void flush_out(void) { fflush(stdout); }

static void errtext(const struct qmgr *q, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void errtext(const struct qmgr *q, const char *fmt, ...)
{
	va_list ap;
	if (q->zopt)
		return;
	flush_out();
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static corral_conn_t *conn(struct qmgr *q)
{
	if (!q->conn) {
		corral_error_t err = {0};
		q->conn = corral_connect(NULL, "qmgr", &err);
		if (!q->conn) {
			errtext(q, "qmgr: %s\n", err.text);
			exit(3);
		}
	}
	return q->conn;
}

/* Send req and return the reply (ok or not); a lost connection ends qmgr
 * as PBS's "Protocol error, server disconnected" does. */
static json_t *call(struct qmgr *q, json_t *req)
{
	corral_error_t err = {0};
	json_t *rep = corral_call(conn(q), req, &err);
	if (!rep) {
		errtext(q, "qmgr: %s\nqmgr: Protocol error, server disconnected\n", err.text);
		exit(1);
	}
	return rep;
}

/* Report a server error about object name (may be "") and record the exit
 * status.  errobj is {"code","message","pbs_errno"}. */
static void server_error(struct qmgr *q, const struct qmgr_directive *d, const char *name,
			 const json_t *errobj)
{
	const char *msg = corral_msg_str(errobj, "message");
	const char *code = corral_msg_str(errobj, "code");
	json_int_t pbs_errno = json_integer_value(json_object_get(errobj, "pbs_errno"));

	q->status = cli_exit_code(code ? corral_errno_from_name(code) : EIO, (int)pbs_errno);
	/* PBS stays quiet about read-only node attributes when a "print node"
	 * script is replayed from a file. */
	if (!q->stdin_tty && d->cmd == QMGR_CMD_SET && d->obj == QMGR_OBJ_NODE &&
	    pbs_errno == PBSE_ATTRRO)
		return;
	errtext(q, "qmgr obj=%s svr=default: %s\n", name ? name : "",
		msg ? msg : (code ? code : "error"));
	if (pbs_errno)
		errtext(q, "qmgr: Error (%lld) returned from server\n", (long long)pbs_errno);
}

static const char *stat_op(enum qmgr_obj obj)
{
	switch (obj) {
	case QMGR_OBJ_SERVER:
		return "server.stat";
	case QMGR_OBJ_QUEUE:
		return "queue.stat";
	case QMGR_OBJ_NODE:
		return "node.stat";
	default:
		return "sched.stat";
	}
}

static const char *stat_key(enum qmgr_obj obj)
{
	switch (obj) {
	case QMGR_OBJ_QUEUE:
		return "queues";
	case QMGR_OBJ_NODE:
		return "nodes";
	default:
		return "scheds";
	}
}

/* Name of an entry of a stat reply's "errors" list. */
static const char *err_entry_name(const json_t *e)
{
	const char *n = corral_msg_str(e, "name");
	return n ? n : corral_msg_str(e, "id");
}

/* Stat queues, nodes or scheds (names NULL: all).  Returns the reply
 * (caller decrefs) or NULL after reporting an error for the directive. */
static json_t *stat_objects(struct qmgr *q, const struct qmgr_directive *d, enum qmgr_obj obj,
			    char **names, int nnames)
{
	json_t *req = corral_msg_request(stat_op(obj));
	if (nnames > 0) {
		json_t *a = json_array();
		for (int i = 0; i < nnames; i++)
			json_array_append_new(a, json_string(names[i]));
		json_object_set_new(req, "names", a);
	}
	json_t *rep = call(q, req);
	json_decref(req);
	if (!json_is_true(json_object_get(rep, "ok"))) {
		server_error(q, d, nnames > 0 ? names[0] : "", json_object_get(rep, "error"));
		json_decref(rep);
		return NULL;
	}
	return rep;
}

/* Find the object called name in a stat reply's array (borrowed). */
static json_t *find_object(json_t *arr, const char *name)
{
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o)
	{
		const char *n = corral_msg_str(o, "name");
		if (n && strcmp(n, name) == 0)
			return o;
	}
	return NULL;
}

/* For each requested name, in order, call show() or report the error;
 * with no names, show every object in the server's order. */
static void each_object(struct qmgr *q, const struct qmgr_directive *d, json_t *rep,
			void (*show)(struct qmgr *, const struct qmgr_directive *, const char *,
				     const json_t *))
{
	json_t *arr = json_object_get(rep, stat_key(d->obj));
	json_t *errors = json_object_get(rep, "errors");
	size_t i;
	json_t *o;

	if (d->nnames == 0) {
		json_array_foreach(arr, i, o)
		    show(q, d, corral_msg_str(o, "name"), json_object_get(o, "attrs"));
		json_array_foreach(errors, i, o)
		    server_error(q, d, err_entry_name(o), json_object_get(o, "error"));
		return;
	}
	for (int k = 0; k < d->nnames; k++) {
		json_t *obj = find_object(arr, d->names[k]);
		if (obj) {
			show(q, d, d->names[k], json_object_get(obj, "attrs"));
			continue;
		}
		json_t *err = NULL;
		json_array_foreach(errors, i, o)
		{
			const char *n = err_entry_name(o);
			if (n && strcmp(n, d->names[k]) == 0) {
				err = json_object_get(o, "error");
				break;
			}
		}
		if (err) {
			server_error(q, d, d->names[k], err);
		} else {
			json_t *e = corral_msg_errobj(ENOENT, 0, "Unknown %s %s",
						      qmgr_obj_name(d->obj), d->names[k]);
			server_error(q, d, d->names[k], e);
			json_decref(e);
		}
	}
}

static void show_list(struct qmgr *q, const struct qmgr_directive *d, const char *name,
		      const json_t *attrs)
{
	struct qmgr_filter f = {d->nattrs, d->attrs};
	(void)q;
	qmgr_print_list(stdout, d->obj, name, attrs, &f);
}

static void show_print(struct qmgr *q, const struct qmgr_directive *d, const char *name,
		       const json_t *attrs)
{
	struct qmgr_filter f = {d->nattrs, d->attrs};
	(void)q;
	qmgr_print_object(stdout, d->obj, name, attrs, &f);
}

static void do_server_stat(struct qmgr *q, const struct qmgr_directive *d)
{
	json_t *req = corral_msg_request("server.stat");
	json_t *rep = call(q, req);
	json_decref(req);
	if (!json_is_true(json_object_get(rep, "ok"))) {
		server_error(q, d, "", json_object_get(rep, "error"));
		json_decref(rep);
		return;
	}
	json_t *srv = json_object_get(rep, "server");
	const char *name = corral_msg_str(srv, "name");
	json_t *attrs = json_object_get(srv, "attrs");
	struct qmgr_filter f = {d->nattrs, d->attrs};

	if (d->cmd == QMGR_CMD_LIST) {
		qmgr_print_list(stdout, QMGR_OBJ_SERVER,
				name ? name : corral_conn_server_name(q->conn), attrs, &f);
	} else {
		/* "print server": the queues first (unless attributes were named),
		 * then the server's own attributes. */
		if (d->nattrs == 0) {
			struct qmgr_directive qd = *d;
			qd.obj = QMGR_OBJ_QUEUE;
			qd.nnames = 0;
			json_t *qrep = stat_objects(q, &qd, QMGR_OBJ_QUEUE, NULL, 0);
			if (!qrep) {
				json_decref(rep);
				return;
			}
			if (json_array_size(json_object_get(qrep, "queues")) > 0) {
				qmgr_print_header(stdout, QMGR_OBJ_QUEUE);
				each_object(q, &qd, qrep, show_print);
			}
			json_decref(qrep);
		}
		qmgr_print_header(stdout, QMGR_OBJ_SERVER);
		qmgr_print_object(stdout, QMGR_OBJ_SERVER, name, attrs, &f);
	}
	json_decref(rep);
}

static void do_show(struct qmgr *q, const struct qmgr_directive *d)
{
	if (d->obj == QMGR_OBJ_SERVER) {
		do_server_stat(q, d);
		return;
	}
	json_t *rep = stat_objects(q, d, d->obj, d->names, d->nnames);
	if (!rep)
		return;
	if (d->cmd == QMGR_CMD_LIST) {
		each_object(q, d, rep, show_list);
	} else {
		/* PBS writes the section comment for queues and nodes even when
		 * printing one of them; scheds have none. */
		if (json_array_size(json_object_get(rep, stat_key(d->obj))) > 0)
			qmgr_print_header(stdout, d->obj);
		each_object(q, d, rep, show_print);
	}
	json_decref(rep);
}

static void do_mgr(struct qmgr *q, const struct qmgr_directive *d)
{
	struct qmgr_directive dd = *d;
	json_t *expanded = NULL; /* holds the names of "@server" (all objects) */

	if (d->obj == QMGR_OBJ_SERVER) {
		dd.nnames = 0; /* one server: any server name means this one */
	} else if (d->nnames == 0 && d->all) {
		json_t *rep = stat_objects(q, d, d->obj, NULL, 0);
		if (!rep)
			return;
		json_t *arr = json_object_get(rep, stat_key(d->obj));
		size_t i;
		json_t *o;
		expanded = json_array();
		json_array_foreach(arr, i, o)
		    json_array_append(expanded, json_object_get(o, "name"));
		json_decref(rep);
		if (json_array_size(expanded) == 0) {
			json_decref(expanded);
			return; /* nothing to do */
		}
	} else if (d->nnames == 0) {
		const char *what = d->obj == QMGR_OBJ_QUEUE  ? "Queues"
				   : d->obj == QMGR_OBJ_NODE ? "Nodes"
							     : "Scheds";
		errtext(q, "No Active %s, nothing done.\n", what);
		q->status = 1;
		return;
	}

	json_t *req = corral_msg_request("mgr");
	json_object_set_new(req, "cmd", json_string(qmgr_cmd_name(d->cmd)));
	json_object_set_new(req, "type", json_string(qmgr_obj_name(d->obj)));
	json_t *names = expanded ? expanded : json_array();
	if (!expanded)
		for (int i = 0; i < dd.nnames; i++)
			json_array_append_new(names, json_string(dd.names[i]));
	json_object_set_new(req, "names", names); /* steals names */
	json_t *attrs = json_array();
	for (int i = 0; i < d->nattrs; i++) {
		const struct qmgr_attr *a = &d->attrs[i];
		json_t *ja = json_pack("{s:s}", "name", a->name);
		if (a->op != QMGR_OP_NONE) {
			json_object_set_new(ja, "op", json_string(qmgr_op_name(a->op)));
			json_object_set_new(ja, "value", json_string(a->value ? a->value : ""));
		}
		json_array_append_new(attrs, ja);
	}
	json_object_set_new(req, "attrs", attrs);
	if (q->fopt)
		json_object_set_new(req, "force", json_true());

	json_t *rep = call(q, req);
	if (!json_is_true(json_object_get(rep, "ok"))) {
		/* the whole request was refused: say so for every object */
		json_t *err = json_object_get(rep, "error");
		if (json_array_size(names) == 0) {
			server_error(q, d, "", err);
		} else {
			size_t i;
			json_t *n;
			json_array_foreach(names, i, n)
			    server_error(q, d, json_string_value(n), err);
		}
	} else {
		size_t i;
		json_t *r;
		json_array_foreach(json_object_get(rep, "results"), i, r)
		{
			if (json_is_true(json_object_get(r, "ok")))
				continue;
			const char *n = corral_msg_str(r, "name");
			server_error(q, d, d->obj == QMGR_OBJ_SERVER ? "" : n,
				     json_object_get(r, "error"));
		}
	}
	json_decref(rep);
	json_decref(req);
}

/* Run one parsed item; returns false when qmgr must stop (quit, or a
 * failure under -a). */
static bool run_item(struct qmgr *q, const struct qmgr_item *it)
{
	if (q->eopt) {
		printf("%s\n", it->text);
	}
	if (!it->ok) {
		errtext(q, "%s", it->message);
		q->status = (int)it->kind;
		return !q->aopt;
	}
	const struct qmgr_directive *d = &it->d;
	switch (d->cmd) {
	case QMGR_CMD_QUIT:
		return false;
	case QMGR_CMD_HELP: {
		const char *text = qmgr_help_text(d->help_topic);
		if (text)
			printf("%s\n", text);
		else
			printf("No help available on: %s\nTry \"help\" for the list of topics.\n\n",
			       d->help_topic);
		return true;
	}
	default:
		break;
	}
	if (q->nopt)
		return true;

	int before = q->status;
	q->status = 0;
	if (d->cmd == QMGR_CMD_LIST || d->cmd == QMGR_CMD_PRINT)
		do_show(q, d);
	else
		do_mgr(q, d);
	flush_out();
	if (q->status != 0)
		return !q->aopt;
	q->status = before;
	return true;
}

/* Parse and run text (one or more directives).  Returns false to stop. */
static bool run_text(struct qmgr *q, const char *text)
{
	struct qmgr_script s;
	bool go = true;
	qmgr_parse(text, &s);
	for (int i = 0; i < s.n && go; i++)
		go = run_item(q, &s.items[i]);
	qmgr_script_destroy(&s);
	flush_out();
	return go;
}

/* stdin is a file or pipe: read logical lines (joined on a trailing '\')
 * and run each as it comes. */
static void run_stream(struct qmgr *q, FILE *in)
{
	struct corral_buf acc;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	buf_init(&acc);
	while ((n = getline(&line, &cap, in)) > 0) {
		buf_append(&acc, line, (size_t)n);
		size_t len = (size_t)n;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (len > 0 && line[len - 1] == '\\')
			continue; /* continued on the next line */
		buf_append(&acc, "", 1);
		bool go = run_text(q, buf_peek(&acc));
		buf_reset(&acc);
		if (!go)
			break;
	}
	if (buf_unread(&acc)) {
		buf_append(&acc, "", 1);
		run_text(q, buf_peek(&acc));
	}
	buf_free(&acc);
	free(line);
}

/* ---- interactive: libedit ---- */

static const char *cur_prompt = "Qmgr: ";

static char *el_prompt(EditLine *e)
{
	(void)e;
	return (char *)cur_prompt;
}

static void run_interactive(struct qmgr *q)
{
	EditLine *el = el_init("qmgr", stdin, stdout, stderr);
	History *hist = history_init();
	HistEvent ev;
	char *histfile = NULL;
	const char *home = getenv("HOME");
	struct corral_buf acc;

	if (!el || !hist) { /* no terminal support: read plainly */
		if (el)
			el_end(el);
		if (hist)
			history_end(hist);
		run_stream(q, stdin);
		return;
	}
	el_set(el, EL_PROMPT, el_prompt);
	el_set(el, EL_EDITOR, "emacs");
	history(hist, &ev, H_SETSIZE, 500);
	history(hist, &ev, H_SETUNIQUE, 1);
	el_set(el, EL_HIST, history, hist);
	if (home) {
		histfile = xasprintf("%s/.corral_qmgr_history", home);
		history(hist, &ev, H_LOAD, histfile);
	}

	printf("Max open servers: 49\n");
	buf_init(&acc);
	for (;;) {
		int count = 0;
		const char *line = el_gets(el, &count);
		if (!line || count <= 0) {
			if (!line)
				fputc('\n', stdout);
			break;
		}
		size_t len = strlen(line);
		buf_append(&acc, line, len);
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (len > 0 && line[len - 1] == '\\') {
			cur_prompt = "Qmgr< ";
			continue;
		}
		cur_prompt = "Qmgr: ";
		buf_append(&acc, "", 1);
		char *text = xstrdup(buf_peek(&acc));
		buf_reset(&acc);
		/* history: the logical line, continuations joined, no newline */
		char *h = xstrdup(text);
		size_t hl = 0;
		for (const char *p = text; *p; p++) {
			if (p[0] == '\\' && p[1] == '\n') {
				h[hl++] = ' ';
				p++;
			} else if (*p != '\n' && *p != '\r') {
				h[hl++] = *p;
			}
		}
		while (hl > 0 && h[hl - 1] == ' ')
			hl--;
		h[hl] = '\0';
		if (hl > 0) {
			history(hist, &ev, H_ENTER, h);
			if (histfile)
				history(hist, &ev, H_SAVE, histfile);
		}
		free(h);
		bool go = run_text(q, text);
		free(text);
		if (!go)
			break;
	}
	buf_free(&acc);
	free(histfile);
	history_end(hist);
	el_end(el);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'H'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct qmgr q = {0};
	const char *copt = NULL;
	int c;

	cli_init(argv[0]);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ac:efnz", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			q.aopt = true;
			break;
		case 'c':
			copt = optarg;
			break;
		case 'e':
			q.eopt = true;
			break;
		case 'f':
			q.fopt = true;
			break;
		case 'n':
			q.nopt = true;
			break;
		case 'z':
			q.zopt = true;
			break;
		case 'H':
			cli_usage(usage_long, true);
		case 'V':
			printf("pbs_version = %s\n", CORRAL_VERSION);
			return 0;
		default:
			if (optopt == 'c')
				fprintf(stderr, "qmgr: option requires an argument -- 'c'\n");
			else if (optopt)
				fprintf(stderr, "qmgr: invalid option -- '%c'\n", optopt);
			else
				fprintf(stderr, "qmgr: unrecognized option '%s'\n",
					argv[optind - 1]);
			cli_usage(usage_short, false);
		}
	}
	/* Operands name servers; Corral has one, found through $CORRAL_HOME. */

	q.stdin_tty = isatty(STDIN_FILENO);
	if (copt)
		run_text(&q, copt);
	else if (q.stdin_tty && isatty(STDOUT_FILENO))
		run_interactive(&q);
	else
		run_stream(&q, stdin);
	fflush(stdout);
	corral_close(q.conn);
	return q.status;
}
