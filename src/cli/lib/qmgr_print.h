/* qmgr_print.h - how qmgr shows objects: the "list" layout and the
 * replayable "print" script, both as OpenPBS qmgr writes them.
 *
 * Objects come from server.stat / queue.stat / node.stat / sched.stat
 * (docs/protocol.md): a name and a JSON object of attribute name -> string
 * value, in the server's order.
 *
 * list:    "Queue workq\n    queue_type = Execution\n    ...\n\n"
 *          (Server / Queue / Node / Sched; four blanks; values longer than a
 *          line are broken after a comma and continued after a tab).
 * print:   "#\n# Create and define queue workq\n#\ncreate queue workq\n"
 *          "set queue workq queue_type = Execution\n" ...; read-only
 *          attributes are left out; list attributes (managers, acl_*,
 *          partition...) give one "=" line then one "+=" line per
 *          element; values holding blanks, commas or quotes are quoted.
 */
#ifndef CORRAL_CLI_QMGR_PRINT_H
#define CORRAL_CLI_QMGR_PRINT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "src/cli/lib/qmgr_parse.h"

/* An attribute filter: the attribute names of a list/print directive.
 * NULL or n == 0 selects everything.  "resources_max" selects every
 * "resources_max.*". */
struct qmgr_filter {
	int n;
	const struct qmgr_attr *attrs;
};

bool qmgr_filter_match(const struct qmgr_filter *f, const char *attr);

/* True for attributes the server computes, which "print" leaves out. */
bool qmgr_attr_readonly(enum qmgr_obj obj, const char *attr);

/* True for attributes holding comma-separated lists (managers, operators,
 * acl_users, route_destinations, a sched's partition), which "print"
 * splits into "=" and "+=" lines. */
bool qmgr_attr_is_list(const char *attr);

/* A value as print writes it: unchanged, or quoted with '"' (with '\''
 * when it holds a '"') when it holds a blank, comma or quote.  Caller
 * frees. */
char *qmgr_quote(const char *value);

/* "list" layout of one object, followed by an empty line. */
void qmgr_print_list(FILE *out, enum qmgr_obj obj, const char *name, const json_t *attrs,
		     const struct qmgr_filter *f);

/* The section comment print writes before queues ("Create queues and set
 * their attributes"), nodes and the server; nothing for scheds. */
void qmgr_print_header(FILE *out, enum qmgr_obj obj);

/* "print" script for one object: for queues, nodes and scheds the
 * "# Create and define ..." comment and the create line, then the set
 * lines.  A queue's queue_type comes first.  Node state is written only
 * for its admin part (offline, maintenance, sleep).  The sched "default"
 * gets no create line and "set sched attr = v" lines without its name,
 * and not the attributes the server fixes for it (partition, sched_priv,
 * sched_log); other scheds get "create sched X" and "set sched X ...". */
void qmgr_print_object(FILE *out, enum qmgr_obj obj, const char *name, const json_t *attrs,
		       const struct qmgr_filter *f);

#endif
