/* qmgr_print.c - qmgr "list" and "print" output (see qmgr_print.h).
 *
 * Layouts follow OpenPBS qmgr's display(): list indents four blanks and
 * breaks long comma-separated values at 80 columns with "\n\t"; print
 * emits "set <object> [<name> ]attr = value" lines, splitting list
 * attributes on commas into "=" then "+=" lines, and quoting values that
 * hold a blank, comma or quote.
 */
#include "src/cli/lib/qmgr_print.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "src/common/buf.h"

/* Does attribute name match pattern?  A pattern ending in ".*" matches
 * every resource of that attribute; otherwise the names must be equal. */
static bool name_matches(const char *pattern, const char *attr)
{
	size_t n = strlen(pattern);
	if (n >= 2 && strcmp(pattern + n - 2, ".*") == 0)
		return strncmp(pattern, attr, n - 1) == 0;
	return strcmp(pattern, attr) == 0;
}

bool qmgr_filter_match(const struct qmgr_filter *f, const char *attr)
{
	if (!f || f->n == 0)
		return true;
	for (int i = 0; i < f->n; i++) {
		const char *want = f->attrs[i].name;
		size_t n = strlen(want);
		if (strcmp(want, attr) == 0)
			return true;
		/* "resources_max" selects "resources_max.walltime" */
		if (!strchr(want, '.') && strncmp(want, attr, n) == 0 && attr[n] == '.')
			return true;
	}
	return false;
}

/* Attributes the server computes (PBS read-only attributes).  Corral's
 * server does not say which attributes are read-only yet, so the table
 * lives here. */
/* clang-format off */
static const char *const ro_server[] = {
	"server_state", "server_host", "server_name", "total_jobs", "state_count",
	"pbs_version", "resources_assigned.*", "license_count", "FLicenses",
	"server_uptime", "connections", NULL,
};
static const char *const ro_queue[] = {
	"total_jobs", "state_count", "hasnodes", "resources_assigned.*", NULL,
};
static const char *const ro_node[] = {
	"jobs", "resources_assigned.*", "pcpus", "ntype", "license", "license_info",
	"pbs_version", "last_state_change_time", "last_used_time", "in_multivnode_host",
	"maintenance_jobs", "topology_info", "resv", "current_eoe", "server_instance_id",
	"connected", "registered", NULL,
};
static const char *const ro_sched[] = {
	"state", "pbs_version", "last_cycle", "last_cycle_time", "last_cycle_start",
	"last_cycle_end", "last_cycle_duration", "last_cycle_jobs_run", "cycle_count",
	"cycles", "connected", "pid", "sched_pid", NULL,
};
/* clang-format on */

bool qmgr_attr_readonly(enum qmgr_obj obj, const char *attr)
{
	const char *const *t = obj == QMGR_OBJ_SERVER  ? ro_server
			       : obj == QMGR_OBJ_QUEUE ? ro_queue
			       : obj == QMGR_OBJ_NODE  ? ro_node
			       : obj == QMGR_OBJ_SCHED ? ro_sched
						       : NULL;
	for (; t && *t; t++)
		if (name_matches(*t, attr))
			return true;
	return false;
}

bool qmgr_attr_is_list(const char *attr)
{
	/* The server's list-typed attributes (src/server/objects.c A_LIST):
	 * they take += and -=.  Limits such as max_run are plain strings in
	 * Corral, so they are printed whole, quoted. */
	static const char *const lists[] = {
	    "managers",	 "operators",	       "acl_users", "acl_hosts", "acl_groups",
	    "acl_roots", "route_destinations", "partition", NULL,
	};
	for (const char *const *t = lists; *t; t++)
		if (name_matches(*t, attr))
			return true;
	return false;
}

char *qmgr_quote(const char *value)
{
	if (!strpbrk(value, "\"' ,"))
		return xstrdup(value);
	char q = strchr(value, '"') ? '\'' : '"';
	return xasprintf("%c%s%c", q, value, q);
}

static const char *list_title(enum qmgr_obj obj)
{
	switch (obj) {
	case QMGR_OBJ_SERVER:
		return "Server";
	case QMGR_OBJ_QUEUE:
		return "Queue";
	case QMGR_OBJ_NODE:
		return "Node";
	case QMGR_OBJ_SCHED:
		return "Sched";
	default:
		return "";
	}
}

void qmgr_print_list(FILE *out, enum qmgr_obj obj, const char *name, const json_t *attrs,
		     const struct qmgr_filter *f)
{
	const char *key;
	json_t *v;

	fprintf(out, "%s %s\n", list_title(obj), name ? name : "");
	json_object_foreach((json_t *)attrs, key, v)
	{
		if (!qmgr_filter_match(f, key))
			continue;
		const char *value = json_is_string(v) ? json_string_value(v) : NULL;
		char *owned = NULL;
		if (!value) /* numbers or booleans from a lenient server */
			value = owned = json_dumps(v, JSON_ENCODE_ANY);
		fprintf(out, "    %s = ", key);

		/* Break after commas once the line passes 80 columns (PBS counts
		 * the name plus 11 and does not reset after a break). */
		size_t l = strlen(key) + 11;
		bool first = true;
		const char *c = value;
		for (;;) {
			const char *e = strchr(c, ',');
			size_t n = e ? (size_t)(e - c) : strlen(c);
			l += n + 1;
			if (!first && l >= 80) {
				fputs("\n\t", out);
				while (n > 0 && isspace((unsigned char)*c)) {
					c++;
					n--;
				}
			}
			fwrite(c, 1, n, out);
			first = false;
			if (!e)
				break;
			fputc(',', out);
			c = e + 1;
		}
		fputc('\n', out);
		free(owned);
	}
	fputc('\n', out);
}

void qmgr_print_header(FILE *out, enum qmgr_obj obj)
{
	switch (obj) {
	case QMGR_OBJ_SERVER:
		fputs("#\n# Set server attributes.\n#\n", out);
		break;
	case QMGR_OBJ_QUEUE:
		fputs("#\n# Create queues and set their attributes.\n#\n", out);
		break;
	case QMGR_OBJ_NODE:
		fputs("#\n# Create nodes and set their properties.\n#\n", out);
		break;
	default:
		break;
	}
}

/* Node states an administrator sets; the others are derived and are not
 * replayed.  Returns the admin part of a state value ("offline" from
 * "offline,down"), or NULL when there is none; caller frees. */
static char *admin_state(const char *state)
{
	static const char *const admin[] = {"offline", "maintenance", "sleep", NULL};
	struct corral_buf b;
	const char *p = state;

	buf_init(&b);
	while (*p) {
		size_t n = strcspn(p, ",");
		const char *w = p;
		size_t wn = n;
		while (wn > 0 && isspace((unsigned char)*w)) {
			w++;
			wn--;
		}
		for (const char *const *a = admin; *a; a++)
			if (strlen(*a) == wn && strncmp(*a, w, wn) == 0) {
				if (b.len)
					buf_append(&b, ",", 1);
				buf_append(&b, w, wn);
			}
		p += n;
		if (*p == ',')
			p++;
	}
	char *r = b.len ? xstrndup(b.data, b.len) : NULL;
	buf_free(&b);
	return r;
}

/* One attribute as "set ..." lines. */
static void print_set(FILE *out, const char *prefix, const char *key, const char *value, bool list)
{
	if (!*value)
		return;
	if (!list) {
		char *q = qmgr_quote(value);
		fprintf(out, "%s%s = %s\n", prefix, key, q);
		free(q);
		return;
	}
	bool first = true;
	const char *c = value;
	while (*c) {
		size_t n = strcspn(c, ",");
		char *elem = xstrndup(c, n);
		char *q = qmgr_quote(elem);
		fprintf(out, "%s%s %s %s\n", prefix, key, first ? "=" : "+=", q);
		free(q);
		free(elem);
		first = false;
		c += n;
		if (*c == ',')
			c++;
	}
}

static const char *attr_string(const json_t *attrs, const char *key)
{
	const json_t *v = json_object_get(attrs, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

void qmgr_print_object(FILE *out, enum qmgr_obj obj, const char *name, const json_t *attrs,
		       const struct qmgr_filter *f)
{
	char *prefix;
	const char *key;
	json_t *v;

	switch (obj) {
	case QMGR_OBJ_QUEUE:
		fprintf(out, "#\n# Create and define queue %s\n#\ncreate queue %s\n", name, name);
		prefix = xasprintf("set queue %s ", name);
		break;
	case QMGR_OBJ_NODE: {
		fprintf(out, "#\n# Create and define node %s\n#\ncreate node %s", name, name);
		bool first = true;
		const char *mom = attr_string(attrs, "Mom");
		if (mom && strcmp(mom, name) != 0) {
			if (strchr(mom, ','))
				fprintf(out, " Mom=\"%s\"", mom);
			else
				fprintf(out, " Mom=%s", mom);
			first = false;
		}
		const char *port = attr_string(attrs, "Port");
		if (port && atoi(port) != 15002)
			fprintf(out, "%sPort=%s", first ? " " : ",", port);
		fputc('\n', out);
		prefix = xasprintf("set node %s ", name);
		break;
	}
	case QMGR_OBJ_SCHED:
		/* The sched "default" always exists: no create line for it, so
		 * that the script replays cleanly (PBS-REFERENCE 3.6). */
		fprintf(out, "#\n# Create and define scheduler %s\n#\n", name);
		if (strcmp(name, "default") == 0) {
			prefix = xstrdup("set sched ");
		} else {
			fprintf(out, "create sched %s\n", name);
			prefix = xasprintf("set sched %s ", name);
		}
		break;
	default:
		prefix = xstrdup("set server ");
		break;
	}

	/* A queue's type must be set before anything that depends on it
	 * (enabled, started), whatever order the server lists them in. */
	const char *qtype = obj == QMGR_OBJ_QUEUE ? attr_string(attrs, "queue_type") : NULL;
	if (qtype && qmgr_filter_match(f, "queue_type"))
		print_set(out, prefix, "queue_type", qtype, false);

	json_object_foreach((json_t *)attrs, key, v)
	{
		if (!json_is_string(v) || !qmgr_filter_match(f, key))
			continue;
		if (qtype && strcmp(key, "queue_type") == 0)
			continue;
		if (qmgr_attr_readonly(obj, key))
			continue;
		if (obj == QMGR_OBJ_SCHED && strcmp(name, "default") == 0 &&
		    (strcmp(key, "partition") == 0 || strcmp(key, "sched_priv") == 0 ||
		     strcmp(key, "sched_log") == 0))
			continue; /* fixed for the default sched: the server refuses them */
		const char *value = json_string_value(v);
		if (obj == QMGR_OBJ_NODE) {
			if (strcmp(key, "Mom") == 0 || strcmp(key, "Port") == 0 ||
			    strcmp(key, "Host") == 0)
				continue; /* on the create line */
			if (strcmp(key, "state") == 0) {
				char *st = admin_state(value);
				if (st) {
					print_set(out, prefix, key, st, true);
					free(st);
				}
				continue;
			}
		}
		print_set(out, prefix, key, value, qmgr_attr_is_list(key));
	}
	free(prefix);
}
