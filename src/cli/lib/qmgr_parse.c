/* qmgr_parse.c - the qmgr directive language (see qmgr_parse.h).
 *
 * Two stages, both pure:
 *   1. split the input into directive texts: physical lines joined on a
 *      trailing '\', then cut at ';' and at a '#' comment (neither counts
 *      inside quotes);
 *   2. parse each text: command word, object word, an optional name list,
 *      then the attribute list, following the rules of PBS qmgr's parse(),
 *      parse_request(), check_list(), attributes() and pbs_quote_parse().
 * Errors carry the column of the offending character so the caller can
 * print the directive with a caret under it, as PBS qmgr does.
 */
#include "src/cli/lib/qmgr_parse.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/common/buf.h"

/* ---- character classes (PBS qmgr.h: White, EOL, Oper) ---- */

static bool is_white(char c) { return isspace((unsigned char)c) != 0; }

static bool is_oper(const char *p)
{
	return p[0] == '=' || ((p[0] == '+' || p[0] == '-') && p[1] == '=');
}

static int oper_len(const char *p) { return p[0] == '=' ? 1 : 2; }

/* ---- names ---- */

const char *qmgr_cmd_name(enum qmgr_cmd c)
{
	static const char *names[] = {"create", "delete", "set",  "unset",
				      "list",	"print",  "help", "quit"};
	return (unsigned)c < sizeof names / sizeof names[0] ? names[c] : "?";
}

const char *qmgr_obj_name(enum qmgr_obj o)
{
	switch (o) {
	case QMGR_OBJ_SERVER:
		return "server";
	case QMGR_OBJ_QUEUE:
		return "queue";
	case QMGR_OBJ_NODE:
		return "node";
	case QMGR_OBJ_SCHED:
		return "sched";
	default:
		return "";
	}
}

const char *qmgr_op_name(enum qmgr_op op)
{
	switch (op) {
	case QMGR_OP_SET:
		return "=";
	case QMGR_OP_INCR:
		return "+=";
	case QMGR_OP_DECR:
		return "-=";
	default:
		return "";
	}
}

/* Command words in PBS's matching order: a prefix picks the first match,
 * so "s" is set and "p" is print.  active/import/export are PBS commands
 * Corral does not have; they are kept so their prefixes resolve as in PBS
 * and are then refused. */
static const struct {
	const char *word;
	int cmd; /* enum qmgr_cmd, or -1 for unsupported */
} commands[] = {
    {"create", QMGR_CMD_CREATE},
    {"delete", QMGR_CMD_DELETE},
    {"set", QMGR_CMD_SET},
    {"unset", QMGR_CMD_UNSET},
    {"list", QMGR_CMD_LIST},
    {"print", QMGR_CMD_PRINT},
    {"active", -1},
    {"import", -1},
    {"export", -1},
    {"help", QMGR_CMD_HELP},
    {"?", QMGR_CMD_HELP},
    {"quit", QMGR_CMD_QUIT},
    {"exit", QMGR_CMD_QUIT},
};

static const struct {
	const char *word;
	int obj; /* enum qmgr_obj, or -1 for unsupported */
} objects[] = {
    {"server", QMGR_OBJ_SERVER},
    {"queue", QMGR_OBJ_QUEUE},
    {"queues", QMGR_OBJ_QUEUE},
    {"node", QMGR_OBJ_NODE},
    {"nodes", QMGR_OBJ_NODE},
    {"resource", -1},
    {"sched", QMGR_OBJ_SCHED},
    {"hook", -1},
    {"pbshook", -1},
};

/* True when word (length n) is a prefix of full. */
static bool prefix_of(const char *word, size_t n, const char *full)
{
	return n > 0 && n <= strlen(full) && strncmp(word, full, n) == 0;
}

/* Attribute names whose values may hold unquoted blanks (PBS entlim
 * attributes: "[u:PBS_GENERIC=10]"). */
static bool allows_white(const char *name)
{
	static const char *entlim[] = {
	    "max_run",	  "max_run_res",    "max_run_soft",	     "max_run_res_soft",
	    "max_queued", "max_queued_res", "queued_jobs_threshold", "queued_jobs_threshold_res"};
	size_t n = strcspn(name, ".");
	for (size_t i = 0; i < sizeof entlim / sizeof entlim[0]; i++)
		if (strlen(entlim[i]) == n && strncasecmp(entlim[i], name, n) == 0)
			return true;
	return false;
}

/* Well-known attribute names of servers, queues, nodes and scheds (the part
 * before any '.').  Only used to tell "set server comment" (an attribute)
 * from "list queue workq" (a name) when no operator follows the word, as
 * PBS does with its attribute tables. */
static bool known_attribute(const char *word, size_t n)
{
	/* clang-format off */
	static const char *attrs[] = {
		"acl_group_enable", "acl_groups", "acl_host_enable", "acl_hosts", "acl_roots",
		"acl_user_enable", "acl_users", "alt_router", "attr_update_period", "backfill",
		"backfill_depth", "backfill_shortest", "comment", "default_chunk", "default_qdel_arguments",
		"default_qsub_arguments", "default_queue", "eligible_time_enable", "enabled",
		"flatuid", "default_walltime", "max_connections", "start", "rank", "last_cycle",
		"frame_timeout", "max_output_buffer",
		"from_route_only", "hasnodes", "job_accumulation_time", "job_history_duration",
		"job_history_enable", "job_sort_formula", "job_sort_key", "jobs", "kill_delay",
		"last_state_change_time", "last_used_time", "log_events", "mail_from",
		"managers", "max_array_size", "max_frame_size", "max_group_run",
		"max_job_sequence_id", "max_queuable", "max_queued", "max_queued_res", "max_run",
		"max_run_res", "max_run_res_soft", "max_run_soft", "max_running", "max_user_run",
		"Mom", "node_fail_requeue", "node_heartbeat", "node_timeout", "ntype",
		"operators", "partition", "pbs_version", "pcpus", "Port", "Priority", "priority",
		"query_other_jobs", "queue", "queue_type", "queued_jobs_threshold",
		"queued_jobs_threshold_res", "resources_assigned", "resources_available",
		"resources_default", "resources_max", "resources_min", "resv_enable",
		"route_destinations", "route_held_jobs", "route_lifetime", "route_retry_time",
		"route_waiting_jobs", "sched_cycle_length", "sched_host", "sched_log",
		"sched_port", "sched_priv", "scheduler_iteration", "scheduling", "server_host",
		"server_state", "sharing", "started", "state", "state_count", "strict_ordering",
		"total_jobs", "unauth_timeout",
	};
	/* clang-format on */
	for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
		if (strlen(attrs[i]) == n && strncmp(attrs[i], word, n) == 0)
			return true;
	return false;
}

/* ---- items ---- */

static void set_error(struct qmgr_item *it, enum qmgr_err_kind kind, int column, const char *fmt,
		      ...) __attribute__((format(printf, 4, 5)));

static void set_error(struct qmgr_item *it, enum qmgr_err_kind kind, int column, const char *fmt,
		      ...)
{
	struct corral_buf b;
	va_list ap;

	buf_init(&b);
	if (fmt) {
		char *msg;
		va_start(ap, fmt);
		if (vasprintf(&msg, fmt, ap) < 0)
			abort();
		va_end(ap);
		buf_printf(&b, "%s", msg);
		free(msg);
	} else {
		/* PBS CaretErr: the directive, then blanks and a caret. */
		buf_printf(&b, "qmgr: Syntax error\n%s\n%*s^\n", it->text, column, "");
	}
	buf_append(&b, "", 1);
	free(it->message);
	it->message = xstrdup(b.data);
	buf_free(&b);
	it->ok = false;
	it->kind = kind;
	it->column = column;
}

static void directive_clear(struct qmgr_directive *d)
{
	for (int i = 0; i < d->nnames; i++)
		free(d->names[i]);
	free(d->names);
	for (int i = 0; i < d->nattrs; i++) {
		free(d->attrs[i].name);
		free(d->attrs[i].value);
	}
	free(d->attrs);
	free(d->help_topic);
	memset(d, 0, sizeof *d);
}

void qmgr_item_clear(struct qmgr_item *item)
{
	if (!item)
		return;
	directive_clear(&item->d);
	free(item->text);
	free(item->message);
	memset(item, 0, sizeof *item);
}

static void add_name(struct qmgr_directive *d, const char *s, size_t n)
{
	d->names = xrealloc(d->names, (size_t)(d->nnames + 1) * sizeof *d->names);
	d->names[d->nnames++] = xstrndup(s, n);
}

static struct qmgr_attr *add_attr(struct qmgr_directive *d, const char *s, size_t n)
{
	d->attrs = xrealloc(d->attrs, (size_t)(d->nattrs + 1) * sizeof *d->attrs);
	struct qmgr_attr *a = &d->attrs[d->nattrs++];
	a->name = xstrndup(s, n);
	a->op = QMGR_OP_NONE;
	a->value = NULL;
	return a;
}

/* ---- one directive ---- */

/* Check a name list (PBS check_list): "name[@server][,name[@server]...]"
 * or "@server".  Returns -1 when fine, else the offset of the bad
 * character. */
static int check_names(const char *list, size_t n, enum qmgr_obj obj)
{
	size_t i = 0;
	while (i < n) {
		char c = list[i];
		bool ok =
		    obj == QMGR_OBJ_NODE ? isalnum((unsigned char)c) : isalpha((unsigned char)c);
		if (!ok && c != '@')
			return (int)i;
		while (i < n && list[i] != ',' && list[i] != '@')
			i++;
		if (i < n && list[i] == '@') {
			i++;
			if (i == n || list[i] == ',' || list[i] == '@')
				return (int)(i < n ? i : i - 1); /* "name@", "name@,", "@@" */
			while (i < n && list[i] != ',' && list[i] != '@')
				i++;
			if (i < n && list[i] == '@')
				return (int)i; /* name@svr@x */
		}
		if (i < n && list[i] == ',') {
			i++;
			if (i == n)
				return (int)(i - 1); /* trailing comma */
		}
	}
	return -1;
}

/* Split a checked name list into d->names; "@server" alone sets d->all. */
static void store_names(struct qmgr_directive *d, const char *list, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t start = i;
		while (i < n && list[i] != ',' && list[i] != '@')
			i++;
		if (i > start)
			add_name(d, list + start, i - start);
		else
			d->all = true;
		while (i < n && list[i] != ',')
			i++; /* drop "@server" */
		if (i < n)
			i++;
	}
}

/* Parse a value as pbs_quote_parse does.  p points at its first
 * character (not a blank).  On success *out is the unquoted value and the
 * return is the offset just past it; on failure the return is negative:
 * -(1 + offset of the error). */
static long parse_value(const char *p, bool allow_white, char **out)
{
	struct corral_buf b;
	char quotechar = 0;
	bool quoting = false;
	long i = 0;

	buf_init(&b);
	for (; p[i]; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c < 0x80 && !isprint(c) && !isspace(c)) {
			buf_free(&b);
			return -(1 + i); /* illegal character */
		}
		if (quoting) {
			if ((char)c == quotechar)
				quoting = false;
			else if (c == '&') {
				buf_free(&b);
				return -(1 + i);
			} else
				buf_append(&b, &p[i], 1);
		} else if ((c == '"' || c == '\'') && (!allow_white || i == 0)) {
			if (quotechar && quotechar != (char)c) {
				buf_append(&b, &p[i], 1); /* the other quote is plain */
			} else {
				quotechar = (char)c;
				quoting = true;
			}
		} else if (c == ',' || (isspace(c) && !allow_white)) {
			break;
		} else if (c == '&') {
			buf_free(&b);
			return -(1 + i);
		} else {
			buf_append(&b, &p[i], 1);
		}
	}
	if (quoting) {
		buf_free(&b);
		return -1; /* no closing quote: PBS points at the value */
	}
	if (allow_white) /* trailing blanks before ',' or the end are not part of it */
		while (b.len > 0 && isspace((unsigned char)b.data[b.len - 1]))
			b.len--;
	buf_append(&b, "", 1);
	*out = xstrdup(b.data);
	buf_free(&b);
	return i;
}

/* Parse the attribute list starting at text[pos].  Returns -1 when fine,
 * else the column of the error (PBS attributes()). */
static int parse_attrs(const char *text, size_t pos, struct qmgr_directive *d)
{
	const char *t = text;
	size_t c = pos;
	bool valued = d->cmd == QMGR_CMD_SET || d->cmd == QMGR_CMD_CREATE;
	bool comma_ends_resource =
	    d->cmd == QMGR_CMD_UNSET || d->cmd == QMGR_CMD_LIST || d->cmd == QMGR_CMD_PRINT;

	while (is_white(t[c]))
		c++;
	if (!t[c])
		return -1; /* no attributes */

	for (;;) {
		while (is_white(t[c]))
			c++;
		if (!t[c])
			return (int)c; /* "a=1," : nothing after the comma */
		size_t start = c;
		while (t[c] && t[c] != '.' && t[c] != ',' && !is_oper(&t[c]) && !is_white(t[c]))
			c++;
		if (c == start)
			return (int)c; /* no attribute name */
		if (t[c] == '.') {
			size_t rstart = ++c;
			while (t[c] && !is_white(t[c]) && !is_oper(&t[c]) &&
			       !(comma_ends_resource && t[c] == ','))
				c++;
			if (c == rstart)
				return (int)rstart; /* "attr." without resource */
		}
		struct qmgr_attr *a = add_attr(d, t + start, c - start);

		while (is_white(t[c]))
			c++;
		if (!t[c]) {
			if (valued)
				return (int)c; /* set/create need "OP value" */
			return -1;
		}
		if (t[c] == ',') {
			if (valued)
				return (int)c;
			c++;
			continue;
		}
		if (!is_oper(&t[c]))
			return (int)c;
		if (d->cmd == QMGR_CMD_UNSET)
			return (int)c; /* unset takes names only */
		a->op = t[c] == '=' ? QMGR_OP_SET : t[c] == '+' ? QMGR_OP_INCR : QMGR_OP_DECR;
		c += (size_t)oper_len(&t[c]);

		while (is_white(t[c]))
			c++;
		if (!t[c])
			return (int)c; /* operator without a value */
		long r = parse_value(t + c, allows_white(a->name), &a->value);
		if (r < 0)
			return (int)(c + (size_t)(-r - 1));
		c += (size_t)r;

		while (is_white(t[c]))
			c++;
		if (!t[c])
			return -1;
		if (t[c] != ',')
			return (int)c; /* junk after a value */
		c++;
	}
}

/* Scan a word the way PBS parse_request does: it ends at a blank, an
 * operator or the end.  *start gets its offset; returns its length. */
static size_t scan_word(const char *t, size_t *pos, size_t *start)
{
	size_t p = *pos;
	while (is_white(t[p]))
		p++;
	*start = p;
	while (t[p] && !is_white(t[p]) && !is_oper(&t[p]))
		p++;
	*pos = p;
	return p - *start;
}

bool qmgr_parse_directive(const char *text, struct qmgr_item *item)
{
	memset(item, 0, sizeof *item);
	while (is_white(*text))
		text++;
	item->text = xstrdup(text);
	item->column = -1;
	item->ok = true;

	const char *t = item->text;
	struct qmgr_directive *d = &item->d;
	size_t pos = 0, s0, s1, s2;

	/* command */
	size_t n0 = scan_word(t, &pos, &s0);
	if (n0 == 0) {
		set_error(item, QMGR_ERR_SYNTAX, (int)s0, NULL);
		return false;
	}
	int cmd = -2;
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (prefix_of(t + s0, n0, commands[i].word)) {
			cmd = commands[i].cmd;
			break;
		}
	if (cmd < 0) {
		set_error(item, QMGR_ERR_OPERATION, -1,
			  "qmgr: Illegal operation: %.*s\nTry 'help' if you are having trouble.\n",
			  (int)n0, t + s0);
		return false;
	}
	d->cmd = (enum qmgr_cmd)cmd;
	if (d->cmd == QMGR_CMD_QUIT)
		return true;

	/* object (or help topic) */
	size_t n1 = scan_word(t, &pos, &s1);
	if (d->cmd == QMGR_CMD_HELP) {
		if (n1)
			d->help_topic = xstrndup(t + s1, n1);
		return true;
	}
	if (n1 == 0) {
		set_error(item, QMGR_ERR_OBJECT, -1, "qmgr: No object type given\n");
		return false;
	}
	int obj = -2;
	for (size_t i = 0; i < sizeof objects / sizeof objects[0]; i++)
		if (prefix_of(t + s1, n1, objects[i].word)) {
			obj = objects[i].obj;
			break;
		}
	if (obj == -1) {
		set_error(item, QMGR_ERR_OBJECT, -1,
			  "qmgr: Object type %.*s is not supported by Corral\n", (int)n1, t + s1);
		return false;
	}
	if (obj < 0) {
		set_error(item, QMGR_ERR_OBJECT, -1, "qmgr: Illegal object type: %.*s.\n", (int)n1,
			  t + s1);
		return false;
	}
	d->obj = (enum qmgr_obj)obj;

	/* names, or the first attribute */
	size_t words_end = pos;
	size_t attrs_at = pos;
	size_t n2 = scan_word(t, &pos, &s2);
	if (n2) {
		size_t after = pos;
		while (is_white(t[after]))
			after++;
		size_t base = 0; /* "resources_max" of "resources_max.mem,comment" */
		while (base < n2 && t[s2 + base] != '.' && t[s2 + base] != ',')
			base++;
		bool is_attr = is_oper(&t[after]) || known_attribute(t + s2, base) ||
			       (d->cmd == QMGR_CMD_UNSET && !t[after] &&
				(d->obj == QMGR_OBJ_SERVER || d->obj == QMGR_OBJ_SCHED));
		if (is_attr) {
			attrs_at = s2;
		} else {
			int bad = check_names(t + s2, n2, d->obj);
			if (bad >= 0) {
				set_error(item, QMGR_ERR_NAME, (int)s2 + bad, NULL);
				return false;
			}
			store_names(d, t + s2, n2);
			attrs_at = pos;
			words_end = pos;
		}
	}

	int bad = parse_attrs(t, attrs_at, d);
	if (bad >= 0) {
		set_error(item, QMGR_ERR_SYNTAX, bad, NULL);
		return false;
	}
	if ((d->cmd == QMGR_CMD_SET || d->cmd == QMGR_CMD_UNSET) && d->nattrs == 0) {
		set_error(item, QMGR_ERR_SYNTAX, (int)words_end, NULL);
		return false;
	}

	/* PBS back-compat: "set sched a=b" means the sched named default. */
	if (d->obj == QMGR_OBJ_SCHED && d->nnames == 0 && !d->all &&
	    (d->cmd == QMGR_CMD_CREATE || d->cmd == QMGR_CMD_SET || d->cmd == QMGR_CMD_UNSET))
		add_name(d, "default", 7);
	return true;
}

/* ---- splitting ---- */

static void add_item(struct qmgr_script *s, const char *text, size_t n)
{
	size_t i = 0;
	while (i < n && is_white(text[i]))
		i++;
	if (i == n)
		return; /* blank directive */
	char *copy = xstrndup(text + i, n - i);
	s->items = xrealloc(s->items, (size_t)(s->n + 1) * sizeof *s->items);
	qmgr_parse_directive(copy, &s->items[s->n++]);
	free(copy);
}

/* Cut one logical line into directives at ';' and '#' (PBS get_request). */
static void split_line(struct qmgr_script *s, const char *line, size_t n)
{
	size_t start = 0, i = 0;
	char quote = 0;
	while (i < n) {
		char c = line[i];
		if (quote) {
			if (c == quote)
				quote = 0;
		} else if (c == '"' || c == '\'') {
			quote = c;
		} else if (c == ';') {
			add_item(s, line + start, i - start);
			start = i + 1;
		} else if (c == '#' && (i == 0 || is_white(line[i - 1]))) {
			break; /* comment to the end of the line */
		}
		i++;
	}
	add_item(s, line + start, i - start);
}

void qmgr_parse(const char *input, struct qmgr_script *out)
{
	struct corral_buf line;

	memset(out, 0, sizeof *out);
	if (!input)
		return;
	buf_init(&line);
	const char *p = input;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		const char *q = p;
		size_t lead = 0;
		while (lead < n && is_white(q[lead]))
			lead++;
		bool comment = lead < n && q[lead] == '#';
		bool cont = n > 0 && p[n - 1] == '\\';
		if (!comment) {
			/* (no zero-length appends: buf_append would memcpy to NULL) */
			if ((cont ? n - 1 : n) > 0)
				buf_append(&line, p, cont ? n - 1 : n);
			if (cont)
				buf_append(&line, " ", 1);
		}
		if (!cont) {
			/* (an empty line has no buffer yet: buf_peek would be
			 * NULL + 0, undefined behaviour) */
			if (buf_unread(&line))
				split_line(out, buf_peek(&line), buf_unread(&line));
			buf_reset(&line);
		}
		p = nl ? nl + 1 : p + strlen(p);
	}
	if (buf_unread(&line))
		split_line(out, buf_peek(&line), buf_unread(&line));
	buf_free(&line);
}

void qmgr_script_destroy(struct qmgr_script *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->n; i++)
		qmgr_item_clear(&s->items[i]);
	free(s->items);
	s->items = NULL;
	s->n = 0;
}

/* ---- help ---- */

const char *qmgr_help_text(const char *topic)
{
	static const struct {
		const char *topic;
		const char *text;
	} topics[] = {
	    {"create", "Syntax: create object name[,name...] [attribute OP value[,...]]\n"
		       "Objects can be \"queue\", \"node\" or \"sched\".\n"
		       "Creates the named objects, optionally setting attributes.\n"
		       "Examples:\n"
		       "create queue q1,q2 queue_type=execution\n"
		       "create sched s2 partition=p2\n"},
	    {"delete", "Syntax: delete object name[,name...]\n"
		       "Objects can be \"queue\", \"node\" or \"sched\".\n"
		       "Deletes the named objects.  A queue holding jobs and the sched\n"
		       "\"default\" cannot be deleted.\n"
		       "Example:\n"
		       "delete queue q1\n"},
	    {"set", "Syntax: set object [name[,name...]] attribute[.resource] OP value[,...]\n"
		    "Objects can be \"server\", \"queue\", \"node\" or \"sched\".\n"
		    "Sets attributes of the named objects.  Without a name, \"server\" is\n"
		    "this server and \"sched\" is the sched named default.\n"
		    "Examples:\n"
		    "set server managers = root@*\n"
		    "set server managers += alice@host\n"
		    "set queue q1 resources_max.walltime = 24:00:00\n"
		    "set node n1,n2 comment = \"being serviced\"\n"
		    "set sched scheduling = true\n"},
	    {"unset", "Syntax: unset object [name[,name...]] attribute[.resource][,...]\n"
		      "Objects can be \"server\", \"queue\", \"node\" or \"sched\".\n"
		      "Removes attribute values so that defaults apply again.\n"
		      "Examples:\n"
		      "unset server comment\n"
		      "unset queue q1 resources_max.walltime\n"},
	    {"list", "Syntax: list object [name[,name...]] [attribute[,...]]\n"
		     "Objects can be \"server\", \"queue\", \"node\" or \"sched\".\n"
		     "Shows the attributes of the named objects (all objects of the type\n"
		     "when no name is given), or only the attributes listed.\n"
		     "Examples:\n"
		     "list server\n"
		     "list queue q1\n"
		     "list node n1 state,comment\n"},
	    {"print", "Syntax: print object [name[,name...]]\n"
		      "Objects can be \"server\", \"queue\", \"node\" or \"sched\".\n"
		      "Writes qmgr directives that recreate the objects; the output can be\n"
		      "fed back to qmgr.  \"print server\" includes the queues.\n"
		      "Examples:\n"
		      "print server\n"
		      "print queue q1\n"
		      "print node @default\n"},
	    {"quit", "Syntax: quit\nLeaves qmgr.\n"},
	    {"exit", "Syntax: exit\nLeaves qmgr.\n"},
	    {"operators", "Syntax: ... attribute OP value\n"
			  "\t=\tAssign the value to the attribute.\n"
			  "\t+=\tAdd the value (an element of a list, or to a number).\n"
			  "\t-=\tRemove the value (an element of a list, or from a number).\n"},
	    {"values", "Values end at a blank or a comma.  Quote them with \"...\" or '...'\n"
		       "to include blanks or commas.  Sizes take a suffix: b kb mb gb tb\n"
		       "(or w kw mw gw tw for words), in any case; times are [[HH:]MM:]SS.\n"
		       "Examples:\n"
		       "100mb\n"
		       "24:00:00\n"
		       "\"two words\"\n"},
	    {"names", "Syntax: [name][@server]\n"
		      "A name selects one object; several are separated by commas with no\n"
		      "blanks.  \"@server\" alone selects every object of the type.\n"
		      "Examples:\n"
		      "workq\n"
		      "n1,n2,n3\n"
		      "@default\n"},
	    {"attributes", "Attribute names are those of PBS: for the server scheduling,\n"
			   "default_queue, managers, operators, resources_default.*, ...;\n"
			   "for queues queue_type, enabled, started, priority, partition,\n"
			   "resources_max.*, resources_min.*, resources_default.*, max_run, ...;\n"
			   "for nodes state, comment, queue, partition, resources_available.*;\n"
			   "for scheds partition, scheduling, scheduler_iteration, backfill,\n"
			   "backfill_depth, strict_ordering, job_sort_key, ...\n"
			   "Use \"list <object>\" to see the attributes an object has.\n"},
	};
	static const char overview[] =
	    "General syntax: command [object][@server] [name attribute[.resource] OP value]\n"
	    "To get help on any topic or subtopic, type help <topic>\n"
	    "Help is available on all commands and topics.\n"
	    "Available commands:\n"
	    "create                 Create the named objects.\n"
	    "delete                 Delete the named objects.\n"
	    "set                    Set attribute values of objects.\n"
	    "unset                  Unset attributes of objects.\n"
	    "list                   Show the attributes of objects.\n"
	    "print                  Print directives that recreate objects.\n"
	    "quit                   Leave qmgr (also \"exit\").\n"
	    "Other topics:\n"
	    "attributes             type help or ? <attributes>.\n"
	    "operators              type help or ? <operators>.\n"
	    "names                  type help or ? <names>.\n"
	    "values                 type help or ? <values>.\n";

	if (!topic || !*topic)
		return overview;
	size_t n = strlen(topic);
	for (size_t i = 0; i < sizeof topics / sizeof topics[0]; i++)
		if (strncmp(topic, topics[i].topic, strlen(topics[i].topic)) == 0 ||
		    prefix_of(topic, n, topics[i].topic))
			return topics[i].text;
	return NULL;
}
