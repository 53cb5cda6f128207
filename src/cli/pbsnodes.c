/* pbsnodes.c - show nodes and mark them offline, as PBS pbsnodes does.
 *
 *   pbsnodes -a[v] [-F default|dsv|json] [-D delim]   every node
 *   pbsnodes [-v] node...                            the named nodes
 *   pbsnodes -H host...                              vnodes of those hosts
 *   pbsnodes -a[v]S[j][L] / -S[j][L] node...         one-line summaries
 *   pbsnodes -l                                      nodes down or offline
 *   pbsnodes -o node... [-C comment]                 state += offline
 *   pbsnodes -r node... [-C comment]                 state -= offline
 *   pbsnodes -C comment node...                      set the comment
 *
 * Node attributes come from node.stat; changes go as one "mgr" set of
 * node objects (docs/protocol.md).  Output layouts are OpenPBS's: the name
 * on a line, then "     attr = value"; the -F json document with
 * resources_available / resources_assigned as nested objects, jobs as an
 * array and numeric-looking values as numbers.  Corral has vnodes only, so
 * -a and -av show the same list.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "src/cli/lib/cli.h"
#include "src/common/buf.h"
#include "src/common/log.h"
#include "src/common/util.h"
#include "src/proto/msg.h"

static const char usage_short[] = "usage:\tpbsnodes [-{o|r}][-C comment][-s server] host host ...\n"
				  "\tpbsnodes -l [-s server]\n"
				  "\tpbsnodes [-s server] -v vnode vnode ...\n"
				  "\tpbsnodes -a[v][S[j][L]][-F format][-D delim][-s server]\n"
				  "\tpbsnodes -[H][S[j][L]][-F format][-D delim] host host ...\n"
				  "\tpbsnodes --version\n\n";

static const char usage_long[] =
    "NAME\n"
    "       pbsnodes - show nodes, mark them offline or back online\n"
    "\n"
    "SYNOPSIS\n"
    "       pbsnodes [-o | -r] [-C comment] [-s server] node ...\n"
    "       pbsnodes -l [-s server]\n"
    "       pbsnodes [-s server] [-v] vnode ...\n"
    "       pbsnodes -a[v][S[j][L]] [-F format] [-D delim] [-s server]\n"
    "       pbsnodes -[H][S[j][L]] [-F format] [-D delim] host ...\n"
    "       pbsnodes --version\n"
    "\n"
    "DESCRIPTION\n"
    "       Without -o, -r, -C or -l, pbsnodes shows the named nodes (or all of\n"
    "       them with -a): the node name on a line of its own, then one\n"
    "       \"     attribute = value\" line per attribute, then an empty line.\n"
    "       Corral nodes are vnodes, so -v changes nothing.\n"
    "\n"
    "OPTIONS\n"
    "       -a     Show every node.\n"
    "       -v     Show vnodes (the same as nodes in Corral).\n"
    "       -H     Show the vnodes whose resources_available.host is one of the\n"
    "              hosts given.\n"
    "       -l     List the nodes that are down or offline: name, state, comment.\n"
    "       -o     Mark the named nodes offline (state += offline).\n"
    "       -r     Clear offline from the named nodes (state -= offline).\n"
    "       -C comment\n"
    "              Set the comment of the named nodes; with -o or -r, together\n"
    "              with the state change.\n"
    "       -S     One line per node: state, OS, hardware, host, queue, mem,\n"
    "              ncpus, nmics, ngpus, comment.\n"
    "       -j     With -S: jobs, and free/total mem, ncpus, nmics, ngpus.\n"
    "       -L     With -S: do not cut fields to the column widths.\n"
    "       -F default|dsv|json\n"
    "              Output format.  json is the PBS document with timestamp,\n"
    "              pbs_version, pbs_server and nodes.\n"
    "       -D delim\n"
    "              Delimiter for -F dsv (default \"|\").\n"
    "       -q     Print no error messages.\n"
    "       -s server\n"
    "              Accepted for compatibility; the server is the one of\n"
    "              $CORRAL_HOME.\n"
    "       --help Print this text.\n"
    "       --version\n"
    "              Print the version.\n"
    "\n"
    "EXIT STATUS\n"
    "       0 on success; 1 when a node is unknown, a change is refused or the\n"
    "       server cannot be reached; 2 for bad usage.\n";

enum oper { LISTSP, ALL, LISTMRK, OFFLINE, RESET, UPDATE_COMMENT, LISTSPNV };
enum format { FMT_DEFAULT, FMT_DSV, FMT_JSON };

static enum format g_format = FMT_DEFAULT;
static const char *g_delim = "|";
static bool g_quiet;

/* ---- JSON in the layout of PBS's generate_json ---- */

struct jw {
	FILE *out;
	int indent;
	bool comma;
};

static void jw_escaped(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\b':
			fputs("\\b", out);
			break;
		case '\f':
			fputs("\\f", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (c < 0x20)
				fprintf(out, "\\u%04x", c);
			else
				fputc(c, out);
		}
	}
	fputc('"', out);
}

static void jw_sep(struct jw *w, const char *key)
{
	fputs(w->comma ? ",\n" : "\n", w->out);
	fprintf(w->out, "%*s", w->indent, "");
	if (key) {
		jw_escaped(w->out, key);
		fputc(':', w->out);
	}
}

static void jw_begin(struct jw *w, FILE *out)
{
	w->out = out;
	w->indent = 4;
	w->comma = false;
	fputc('{', out);
}

static void jw_end(struct jw *w) { fputs("\n}\n", w->out); }

static void jw_open(struct jw *w, const char *key, char bracket)
{
	jw_sep(w, key);
	fputc(bracket, w->out);
	w->indent += 4;
	w->comma = false;
}

static void jw_close(struct jw *w, char bracket)
{
	w->indent -= 4;
	fprintf(w->out, "\n%*s%c", w->indent, "", bracket);
	w->comma = true;
}

static void jw_string(struct jw *w, const char *key, const char *value)
{
	jw_sep(w, key);
	jw_escaped(w->out, value);
	w->comma = true;
}

static void jw_number(struct jw *w, const char *key, long long v)
{
	jw_sep(w, key);
	fprintf(w->out, "%lld", v);
	w->comma = true;
}

/* PBS emits a value as a number when strtod takes all of it and it has no
 * leading zero (unless it is below 1); we also require JSON number syntax
 * so that the document stays valid ("+5", "1.", "inf" stay strings). */
static bool looks_numeric(const char *s)
{
	const char *p = s;
	if (!*p)
		return false;
	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return false;
	if (*p == '0' && isdigit((unsigned char)p[1]))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p)
		return false;
	return s[0] != '0' || strtod(s, NULL) < 1;
}

static void jw_auto(struct jw *w, const char *key, const char *value)
{
	if (looks_numeric(value)) {
		jw_sep(w, key);
		fputs(value, w->out);
		w->comma = true;
	} else {
		jw_string(w, key, value);
	}
}

/* ---- node objects ---- */

static const char *attr_str(const json_t *attrs, const char *key)
{
	const json_t *v = json_object_get(attrs, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Value of an attribute as text; numbers from a lenient server are
 * printed.  Returns a pointer valid until the next call. */
static const char *value_text(const json_t *v)
{
	static char *buf;
	if (json_is_string(v))
		return json_string_value(v);
	free(buf);
	buf = json_dumps(v, JSON_ENCODE_ANY);
	return buf ? buf : "";
}

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Job ids of a "jobs" value ("1.vm/0, 1.vm/1, 2.vm/0"): blanks removed,
 * "/slot" dropped, repeats in a row dropped.  Returns a JSON array of
 * strings (caller decrefs). */
static json_t *job_list(const char *value)
{
	json_t *a = json_array();
	char *copy = xstrdup(value), *save = NULL, *prev = NULL;
	char *d = copy;
	for (const char *s = value; *s; s++)
		if (*s != ' ')
			*d++ = *s;
	*d = '\0';
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *slash = strchr(t, '/');
		if (slash)
			*slash = '\0';
		if (!prev || strcmp(prev, t) != 0)
			json_array_append_new(a, json_string(t));
		prev = t;
	}
	free(copy);
	return a;
}

static void json_node(struct jw *w, const char *name, const json_t *attrs)
{
	static const char *const groups[] = {"resources_available", "resources_assigned"};
	bool done[2] = {false, false};
	const char *key;
	json_t *v;

	jw_open(w, name, '{');
	json_object_foreach((json_t *)attrs, key, v)
	{
		int g = -1;
		for (int i = 0; i < 2; i++)
			if (has_prefix(key, groups[i]) && key[strlen(groups[i])] == '.')
				g = i;
		if (g >= 0) {
			/* all resources of the group go together, where the first is */
			if (done[g])
				continue;
			done[g] = true;
			jw_open(w, groups[g], '{');
			const char *k2;
			json_t *v2;
			size_t pl = strlen(groups[g]) + 1;
			json_object_foreach((json_t *)attrs, k2, v2)
			{
				if (!has_prefix(k2, groups[g]) || k2[pl - 1] != '.')
					continue;
				const char *val = value_text(v2);
				if (g == 1 && strtod(val, NULL) == 0) {
					/* PBS drops assigned amounts that are zero */
					if (val[0] != '0')
						jw_string(w, k2 + pl, val);
					continue;
				}
				jw_auto(w, k2 + pl, val);
			}
			jw_close(w, '}');
		} else if (strcmp(key, "jobs") == 0) {
			json_t *jobs = job_list(value_text(v));
			size_t i;
			json_t *j;
			jw_open(w, "jobs", '[');
			json_array_foreach(jobs, i, j) jw_string(w, NULL, json_string_value(j));
			jw_close(w, ']');
			json_decref(jobs);
		} else {
			jw_auto(w, key, value_text(v));
		}
	}
	jw_close(w, '}');
}

static bool is_time_attr(const char *key)
{
	return strcmp(key, "last_state_change_time") == 0 || strcmp(key, "last_used_time") == 0;
}

static void print_node(struct jw *w, const char *name, const json_t *attrs)
{
	const char *key;
	json_t *v;

	switch (g_format) {
	case FMT_JSON:
		json_node(w, name, attrs);
		break;
	case FMT_DSV: {
		printf("Name=%s%s", name, g_delim);
		bool first = true;
		json_object_foreach((json_t *)attrs, key, v)
		{
			if (!first)
				fputs(g_delim, stdout);
			first = false;
			const char *val = value_text(v);
			printf("%s=", key);
			if (strcmp(key, "jobs") == 0) {
				for (const char *p = val; *p; p++)
					if (*p != ' ')
						putchar(*p);
			} else {
				fputs(val, stdout);
			}
		}
		putchar('\n');
		break;
	}
	default:
		printf("%s\n", name);
		json_object_foreach((json_t *)attrs, key, v)
		{
			const char *val = value_text(v);
			long t;
			char buf[64];
			if (is_time_attr(key) &&
			    corral_parse_long(val, 0, 0x7fffffffffffL, &t) == 0)
				val = corral_ctime((time_t)t, buf, sizeof buf);
			printf("     %s = %s\n", key, val);
		}
		putchar('\n');
		break;
	}
}

/* ---- one-line summaries (-S, -Sj) ---- */

/* A size attribute ("4194304kb") as a count and a unit index into
 * " kmgtp?" (PBS prt_node_summary). */
static void size_split(const char *v, long *amount, int *unit)
{
	char *end;
	*amount = strtol(v, &end, 10);
	switch (*end) {
	case 'k':
		*unit = 1;
		break;
	case 'm':
		*unit = 2;
		break;
	case 'g':
		*unit = 3;
		break;
	case 't':
		*unit = 4;
		break;
	default:
		*unit = 0;
	}
}

static void size_shrink(long *amount, int *unit)
{
	while (*amount > 999 && *unit < 6) {
		*amount = ((*amount % 1024) + *amount) >> 10;
		(*unit)++;
	}
}

static const char suffix[] = " kmgtp?";

static const char *or_dash(const char *s) { return s ? s : "--"; }

static long attr_long(const json_t *attrs, const char *key)
{
	const char *v = attr_str(attrs, key);
	return v ? atol(v) : 0;
}

static void print_summary(struct jw *w, const char *server, const char *name, const json_t *attrs,
			  bool jobs_view, bool long_view)
{
	static bool headers;
	char mem[64], ncpus[32], nmics[32], ngpus[32];
	const char *stv = attr_str(attrs, "state");
	char *state = xstrdup(stv ? stv : "--");
	if (!long_view)
		state[strcspn(state, ",")] = '\0';
	const char *comment = or_dash(attr_str(attrs, "comment"));
	const char *queue = or_dash(attr_str(attrs, "queue"));
	const char *os = or_dash(attr_str(attrs, "resources_available.OS"));
	const char *hw = or_dash(attr_str(attrs, "resources_available.hardware"));
	const char *host = or_dash(attr_str(attrs, "resources_available.host"));

	if (g_format == FMT_DEFAULT && !headers) {
		if (jobs_view) {
			printf("                                                        mem       "
			       "ncpus   nmics   ngpus\n");
			printf("vnode           state           njobs   run   susp      f/t        "
			       "f/t     f/t     f/t   jobs\n");
			printf("--------------- --------------- ------ ----- ------ ------------ "
			       "------- ------- ------- -------\n");
		} else {
			printf("vnode           state           OS       hardware host            "
			       "queue        mem     ncpus   nmics   ngpus  comment\n");
			printf("--------------- --------------- -------- -------- --------------- "
			       "---------- -------- ------- ------- ------- ---------\n");
		}
		headers = true;
	}

	long total_mem = 0, avail_mem = 0;
	int tunit = 0, aunit = 0;
	const char *memv = attr_str(attrs, "resources_available.mem");
	if (memv) {
		size_split(memv, &total_mem, &tunit);
		avail_mem = total_mem;
		aunit = tunit;
		const char *asg = attr_str(attrs, "resources_assigned.mem");
		if (jobs_view && asg) {
			long used;
			int uunit;
			size_split(asg, &used, &uunit);
			while (uunit != tunit) { /* bring to the total's unit */
				if (uunit < tunit) {
					used = ((used % 1024) + used) >> 10;
					uunit++;
				} else {
					used <<= 10;
					uunit--;
				}
			}
			avail_mem = total_mem - used;
			size_shrink(&avail_mem, &aunit);
		}
		size_shrink(&total_mem, &tunit);
	}
	long tc = attr_long(attrs, "resources_available.ncpus");
	long tm = attr_long(attrs, "resources_available.nmics");
	long tg = attr_long(attrs, "resources_available.ngpus");
	if (!memv) {
		snprintf(mem, sizeof mem, "%s", jobs_view ? "0kb/0kb" : "0kb");
	} else if (jobs_view) {
		snprintf(mem, sizeof mem, "%ld%cb/%ld%cb", avail_mem, suffix[aunit], total_mem,
			 suffix[tunit]);
	} else {
		snprintf(mem, sizeof mem, "%ld%cb", total_mem, suffix[tunit]);
	}
	if (jobs_view) {
		snprintf(ncpus, sizeof ncpus, "%ld/%ld",
			 tc - attr_long(attrs, "resources_assigned.ncpus"), tc);
		snprintf(nmics, sizeof nmics, "%ld/%ld",
			 tm - attr_long(attrs, "resources_assigned.nmics"), tm);
		snprintf(ngpus, sizeof ngpus, "%ld/%ld",
			 tg - attr_long(attrs, "resources_assigned.ngpus"), tg);
	} else {
		snprintf(ncpus, sizeof ncpus, "%ld", tc);
		snprintf(nmics, sizeof nmics, "%ld", tm);
		snprintf(ngpus, sizeof ngpus, "%ld", tg);
	}

	/* jobs: short ids (without ".server" when it is ours), each once */
	json_t *jobs = json_array();
	const char *jv = attr_str(attrs, "jobs");
	if (jv) {
		json_t *all = job_list(jv);
		size_t i;
		json_t *j;
		json_array_foreach(all, i, j)
		{
			const char *id = json_string_value(j);
			const char *dot = strchr(id, '.');
			char *shortid = dot && server && strcmp(dot + 1, server) == 0
					    ? xstrndup(id, (size_t)(dot - id))
					    : xstrdup(id);
			bool dup = false;
			size_t k;
			json_t *x;
			json_array_foreach(jobs, k, x) if (strcmp(json_string_value(x), shortid) ==
							   0) dup = true;
			if (!dup)
				json_array_append_new(jobs, json_string(shortid));
			free(shortid);
		}
		json_decref(all);
	}
	long run = (long)json_array_size(jobs), susp = 0, njobs = run + susp;
	struct corral_buf jb;
	buf_init(&jb);
	{
		size_t i;
		json_t *j;
		json_array_foreach(jobs, i, j)
		    buf_printf(&jb, "%s%s", i ? "," : "", json_string_value(j));
	}
	buf_append(&jb, "", 1);
	const char *jobstr = run ? jb.data : "--";

	switch (g_format) {
	case FMT_DSV:
		if (jobs_view)
			printf("vnode=%s%sstate=%s%snjobs=%ld%srun=%ld%ssusp=%ld%smem(f/"
			       "t)=%s%sncpus(f/t)=%s%snmics(f/t)=%s%sngpus(f/t)=%s%sjobs=%s\n",
			       name, g_delim, state, g_delim, njobs, g_delim, run, g_delim, susp,
			       g_delim, mem, g_delim, ncpus, g_delim, nmics, g_delim, ngpus,
			       g_delim, jobstr);
		else
			printf("vnode=%s%sstate=%s%sOS=%s%shardware=%s%shost=%s%squeue=%s%smem=%s%"
			       "sncpus=%s%snmics=%s%sngpus=%s%scomment=%s\n",
			       name, g_delim, state, g_delim, os, g_delim, hw, g_delim, host,
			       g_delim, queue, g_delim, mem, g_delim, ncpus, g_delim, nmics,
			       g_delim, ngpus, g_delim, comment);
		break;
	case FMT_JSON:
		jw_open(w, name, '{');
		jw_string(w, "State", state);
		if (jobs_view) {
			jw_number(w, "Total Jobs", njobs);
			jw_number(w, "Running Jobs", run);
			jw_number(w, "Suspended Jobs", susp);
			jw_string(w, "mem f/t", mem);
			jw_string(w, "ncpus f/t", ncpus);
			jw_string(w, "nmics f/t", nmics);
			jw_string(w, "ngpus f/t", ngpus);
			jw_open(w, "jobs", '[');
			size_t i;
			json_t *j;
			json_array_foreach(jobs, i, j) jw_string(w, NULL, json_string_value(j));
			jw_close(w, ']');
		} else {
			jw_string(w, "OS", os);
			jw_string(w, "hardware", hw);
			jw_string(w, "host", host);
			jw_string(w, "queue", queue);
			jw_string(w, "Memory", mem);
			jw_number(w, "ncpus", tc);
			jw_number(w, "nmics", tm);
			jw_number(w, "ngpus", tg);
			jw_string(w, "comment", comment);
		}
		jw_close(w, '}');
		break;
	default:
		if (jobs_view) {
			if (long_view)
				printf("%-15s %-15s %6ld %5ld %6ld %12s %7s %7s %7s %s\n", name,
				       state, njobs, run, susp, mem, ncpus, nmics, ngpus, jobstr);
			else
				printf("%-15.15s %-15.15s %6ld %5ld %6ld %12.12s %7.7s %7.7s %7.7s "
				       "%s\n",
				       name, state, njobs, run, susp, mem, ncpus, nmics, ngpus,
				       jobstr);
		} else {
			if (long_view)
				printf("%-15s %-15s %-8s %-8s %-15s %-10s %8s %7s %7s %7s %s\n",
				       name, state, os, hw, host, queue, mem, ncpus, nmics, ngpus,
				       comment);
			else
				printf("%-15.15s %-15.15s %-8.8s %-8.8s %-15.15s %-10.10s %8.8s "
				       "%7.7s %7.7s %7.7s %s\n",
				       name, state, os, hw, host, queue, mem, ncpus, nmics, ngpus,
				       comment);
		}
	}
	buf_free(&jb);
	json_decref(jobs);
	free(state);
}

/* ---- requests ---- */

/* node.stat for names (NULL: all); returns the reply or NULL after
 * printing "pbsnodes: message" (caller exits 1). */
static json_t *node_stat(corral_conn_t *c, char **names, int n)
{
	corral_error_t err = {0};
	json_t *req = corral_msg_request("node.stat");
	if (names) {
		json_t *a = json_array();
		for (int i = 0; i < n; i++)
			json_array_append_new(a, json_string(names[i]));
		json_object_set_new(req, "names", a);
	}
	json_t *rep = corral_rpc(c, req, &err, NULL);
	json_decref(req);
	if (!rep && !g_quiet)
		fprintf(stderr, "pbsnodes: %s\n", err.text);
	return rep;
}

static json_t *find_node(const json_t *rep, const char *name, json_t **error)
{
	size_t i;
	json_t *o;
	*error = NULL;
	json_array_foreach(json_object_get(rep, "nodes"), i, o)
	{
		const char *n = corral_msg_str(o, "name");
		if (n && strcmp(n, name) == 0)
			return o;
	}
	json_array_foreach(json_object_get(rep, "errors"), i, o)
	{
		const char *n = corral_msg_str(o, "name");
		if (!n)
			n = corral_msg_str(o, "id");
		if (n && strcmp(n, name) == 0) {
			*error = json_object_get(o, "error");
			return NULL;
		}
	}
	return NULL;
}

/* Set state and/or comment on nodes with one mgr request; errors are
 * "Error marking node N - message".  Returns 0 or 1. */
static int mark_nodes(corral_conn_t *c, char **names, int n, const char *op, const char *comment)
{
	corral_error_t err = {0};
	json_t *req = corral_msg_request("mgr");
	json_t *jn = json_array();
	json_t *attrs = json_array();
	int rc = 0;

	for (int i = 0; i < n; i++)
		json_array_append_new(jn, json_string(names[i]));
	if (op)
		json_array_append_new(attrs, json_pack("{s:s,s:s,s:s}", "name", "state", "op", op,
						       "value", "offline"));
	if (comment)
		json_array_append_new(attrs, json_pack("{s:s,s:s,s:s}", "name", "comment", "op",
						       "=", "value", comment));
	json_object_set_new(req, "cmd", json_string("set"));
	json_object_set_new(req, "type", json_string("node"));
	json_object_set_new(req, "names", jn);
	json_object_set_new(req, "attrs", attrs);

	json_t *rep = corral_call(c, req, &err);
	if (!rep) {
		if (!g_quiet)
			fprintf(stderr, "pbsnodes: %s\n", err.text);
		json_decref(req);
		return 1;
	}
	if (!json_is_true(json_object_get(rep, "ok"))) {
		const char *msg = corral_msg_str(json_object_get(rep, "error"), "message");
		for (int i = 0; i < n && !g_quiet; i++)
			fprintf(stderr, "Error marking node %s - %s\n", names[i],
				msg ? msg : "error");
		rc = 1;
	} else {
		size_t i;
		json_t *r;
		json_array_foreach(json_object_get(rep, "results"), i, r)
		{
			if (json_is_true(json_object_get(r, "ok")))
				continue;
			rc = 1;
			if (!g_quiet) {
				const char *msg =
				    corral_msg_str(json_object_get(r, "error"), "message");
				fprintf(stderr, "Error marking node %s - %s\n",
					or_dash(corral_msg_str(r, "name")), msg ? msg : "error");
			}
		}
	}
	json_decref(rep);
	json_decref(req);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 1000},
	    {"version", no_argument, NULL, 1001},
	    {NULL, 0, NULL, 0},
	};
	enum oper oper = LISTSP;
	bool errflg = argc == 1, do_vnodes = false, jobs_view = false, long_view = false;
	bool summary = false;
	const char *comment = NULL;
	int c, rc = 0;

	cli_init(argv[0]);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "aC:D:F:HjlLoqrSs:v", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (oper == LISTSP)
				oper = ALL;
			else
				errflg = true;
			break;
		case 'C':
			if (oper == LISTSP) {
				oper = UPDATE_COMMENT;
				comment = optarg;
			} else if (oper == OFFLINE || oper == RESET) {
				comment = optarg;
			} else {
				errflg = true;
			}
			break;
		case 'D':
			if (oper == LISTSP || oper == ALL || oper == LISTSPNV)
				g_delim = optarg;
			else
				errflg = true;
			break;
		case 'F':
			if (strcasecmp(optarg, "default") == 0)
				g_format = FMT_DEFAULT;
			else if (strcasecmp(optarg, "dsv") == 0)
				g_format = FMT_DSV;
			else if (strcasecmp(optarg, "json") == 0)
				g_format = FMT_JSON;
			else
				errflg = true;
			break;
		case 'H':
			if (oper == LISTSP)
				oper = LISTSPNV;
			else
				errflg = true;
			break;
		case 'j':
			if (oper == LISTSP || oper == ALL || oper == LISTSPNV)
				jobs_view = true;
			else
				errflg = true;
			break;
		case 'l':
			if (oper == LISTSP || do_vnodes)
				oper = LISTMRK;
			else
				errflg = true;
			break;
		case 'L':
			if (oper == LISTSP || oper == ALL || oper == LISTSPNV)
				long_view = true;
			else
				errflg = true;
			break;
		case 'o':
			if (oper == LISTSP || do_vnodes || oper == UPDATE_COMMENT)
				oper = OFFLINE;
			else
				errflg = true;
			break;
		case 'q':
			g_quiet = true;
			break;
		case 'r':
			if (oper == LISTSP || do_vnodes || oper == UPDATE_COMMENT)
				oper = RESET;
			else
				errflg = true;
			break;
		case 's':
			break; /* one server: the one of $CORRAL_HOME */
		case 'S':
			if (oper == LISTSP || oper == ALL || oper == LISTSPNV)
				summary = true;
			else
				errflg = true;
			break;
		case 'v':
			if (oper == LISTSP || oper == ALL)
				do_vnodes = true;
			else
				errflg = true;
			break;
		case 1000:
			cli_usage(usage_long, true);
		case 1001:
			printf("pbs_version = %s\n", CORRAL_VERSION);
			return 0;
		default:
			if (!g_quiet) {
				if (optopt && strchr("CDFs", optopt))
					fprintf(stderr,
						"pbsnodes: option requires an argument -- '%c'\n",
						optopt);
				else if (optopt)
					fprintf(stderr, "pbsnodes: invalid option -- '%c'\n",
						optopt);
				else
					fprintf(stderr, "pbsnodes: unrecognized option '%s'\n",
						argv[optind - 1]);
			}
			errflg = true;
		}
	}
	int nargs = argc - optind;
	char **args = argv + optind;
	(void)do_vnodes;
	if (errflg || (oper == LISTMRK && nargs) ||
	    ((oper == OFFLINE || oper == RESET || oper == LISTSPNV || oper == LISTSP ||
	      oper == UPDATE_COMMENT) &&
	     nargs == 0) ||
	    (summary && oper != LISTSP && oper != LISTSPNV && oper != ALL)) {
		if (!g_quiet)
			fputs(usage_short, stderr);
		return 2;
	}

	corral_conn_t *conn = cli_connect();
	const char *server = corral_conn_server_name(conn);
	json_t *all = NULL;

	if (oper == ALL || oper == LISTMRK || oper == LISTSPNV) {
		all = node_stat(conn, NULL, 0);
		if (!all) {
			corral_close(conn);
			return 1;
		}
		if (json_array_size(json_object_get(all, "nodes")) == 0) {
			/* what PBS's server answers when it has no nodes */
			if (!g_quiet)
				fprintf(stderr, "pbsnodes: Server has no node list\n");
			json_decref(all);
			corral_close(conn);
			return 1;
		}
	}

	struct jw w = {0};
	bool listing = oper == ALL || oper == LISTSP || oper == LISTSPNV;
	if (listing && g_format == FMT_JSON) {
		jw_begin(&w, stdout);
		jw_number(&w, "timestamp", (long long)time(NULL));
		jw_string(&w, "pbs_version", CORRAL_VERSION);
		jw_string(&w, "pbs_server", server ? server : "");
		jw_open(&w, "nodes", '{');
	}

	switch (oper) {
	case OFFLINE:
		rc = mark_nodes(conn, args, nargs, "+=", comment);
		break;
	case RESET:
		rc = mark_nodes(conn, args, nargs, "-=", comment);
		break;
	case UPDATE_COMMENT:
		rc = mark_nodes(conn, args, nargs, NULL, comment);
		break;
	case LISTMRK: {
		size_t i;
		json_t *o;
		json_array_foreach(json_object_get(all, "nodes"), i, o)
		{
			json_t *attrs = json_object_get(o, "attrs");
			const char *st = attr_str(attrs, "state");
			if (st && (strstr(st, "down") || strstr(st, "offline"))) {
				const char *cm = attr_str(attrs, "comment");
				printf("%-20s %s %s\n", or_dash(corral_msg_str(o, "name")), st,
				       cm ? cm : "");
			}
		}
		break;
	}
	case ALL: {
		size_t i;
		json_t *o;
		json_array_foreach(json_object_get(all, "nodes"), i, o)
		{
			const char *name = corral_msg_str(o, "name");
			json_t *attrs = json_object_get(o, "attrs");
			if (summary)
				print_summary(&w, server, name ? name : "", attrs, jobs_view,
					      long_view);
			else
				print_node(&w, name ? name : "", attrs);
		}
		break;
	}
	case LISTSP: {
		json_t *rep = node_stat(conn, args, nargs);
		if (!rep) {
			rc = 1;
			break;
		}
		for (int k = 0; k < nargs; k++) {
			json_t *error = NULL;
			json_t *o = find_node(rep, args[k], &error);
			if (!o) {
				const char *msg = error ? corral_msg_str(error, "message") : NULL;
				if (!msg)
					msg = "Unknown node";
				if (g_format == FMT_JSON) {
					jw_open(&w, args[k], '{');
					jw_string(&w, "Error", msg);
					jw_close(&w, '}');
				} else {
					if (!g_quiet)
						fprintf(stderr, "Node: %s,  Error: %s\n", args[k],
							msg);
					rc = 1;
				}
				continue;
			}
			json_t *attrs = json_object_get(o, "attrs");
			if (summary)
				print_summary(&w, server, args[k], attrs, jobs_view, long_view);
			else
				print_node(&w, args[k], attrs);
		}
		json_decref(rep);
		break;
	}
	case LISTSPNV: {
		size_t i;
		json_t *o;
		json_array_foreach(json_object_get(all, "nodes"), i, o)
		{
			json_t *attrs = json_object_get(o, "attrs");
			const char *host = attr_str(attrs, "resources_available.host");
			const char *name = corral_msg_str(o, "name");
			for (int k = 0; k < nargs; k++) {
				if (host && strcmp(host, args[k]) == 0) {
					if (summary)
						print_summary(&w, server, name ? name : "", attrs,
							      jobs_view, long_view);
					else
						print_node(&w, name ? name : "", attrs);
					break;
				}
			}
		}
		for (int k = 0; k < nargs; k++) {
			bool found = false;
			json_array_foreach(json_object_get(all, "nodes"), i, o)
			{
				const char *host = attr_str(json_object_get(o, "attrs"),
							    "resources_available.host");
				const char *name = corral_msg_str(o, "name");
				if ((host && strcmp(host, args[k]) == 0) ||
				    (name && strcmp(name, args[k]) == 0))
					found = true;
			}
			if (found)
				continue;
			if (g_format == FMT_JSON) {
				jw_open(&w, args[k], '{');
				jw_string(&w, "Error", "Unknown node");
				jw_close(&w, '}');
			} else {
				if (!g_quiet)
					fprintf(stderr, "Node: %s,  Error: Unknown node\n",
						args[k]);
				rc = 1;
			}
		}
		break;
	}
	}

	if (listing && g_format == FMT_JSON) {
		jw_close(&w, '}');
		jw_end(&w);
	}
	fflush(stdout);
	json_decref(all);
	corral_close(conn);
	return rc ? 1 : 0;
}
