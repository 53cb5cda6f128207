/* qmgr_parse.h - the qmgr directive language as a pure function.
 *
 * Input is text (a -c argument, a line of a script, a whole file); output is
 * a list of items in input order, each either one parsed directive or one
 * syntax error carrying the directive text, the column of the offending
 * character and the message qmgr prints.  Nothing here does I/O.
 *
 * Grammar (PBS qmgr.8B, PBS-REFERENCE 3.6):
 *
 *   input     := directive { (';' | '\n') directive }
 *   directive := command [object [names] [attrlist]]
 *   command   := create | delete | set | unset | list | print | help | quit | exit
 *                (any prefix: "c", "d", "s", "u", "l", "p", "h", "q"; "?" = help;
 *                 ambiguous prefixes resolve in that order, as PBS does)
 *   object    := server | queue[s] | node[s] | sched   (prefixes: s q n sc)
 *   names     := name[@server]{,name[@server]} | @server
 *   attrlist  := attr[.resource] [OP value] {, attr[.resource] [OP value]}
 *   OP        := '=' | '+=' | '-='
 *   value     := characters up to an unquoted ',' or blank; "..." and '...'
 *                quote blanks and commas (the quotes are removed).
 *
 * '#' at the start of a directive or after a blank starts a comment that
 * runs to the end of the line; a line ending in '\' continues on the next.
 * Blank directives are skipped.  The third word is taken as an attribute,
 * not a name, when an operator follows it, when it names a well-known
 * attribute of the object type, or (server/sched unset) when nothing follows.
 * Names are checked: queue/server/sched names start with a letter, node
 * names with a letter or digit.  "@server" parts are accepted and dropped
 * (Corral has one server); a bare "@server" means "all objects".
 * A sched directive without a name gets the name "default" (PBS
 * back-compat), except delete, list and print.
 */
#ifndef CORRAL_CLI_QMGR_PARSE_H
#define CORRAL_CLI_QMGR_PARSE_H

#include <stdbool.h>

enum qmgr_cmd {
	QMGR_CMD_CREATE,
	QMGR_CMD_DELETE,
	QMGR_CMD_SET,
	QMGR_CMD_UNSET,
	QMGR_CMD_LIST,
	QMGR_CMD_PRINT,
	QMGR_CMD_HELP,
	QMGR_CMD_QUIT, /* quit and exit */
};

enum qmgr_obj {
	QMGR_OBJ_NONE = 0, /* help, quit */
	QMGR_OBJ_SERVER,
	QMGR_OBJ_QUEUE,
	QMGR_OBJ_NODE,
	QMGR_OBJ_SCHED,
};

enum qmgr_op {
	QMGR_OP_NONE = 0, /* no operator and no value (unset, list, print) */
	QMGR_OP_SET,	  /* = */
	QMGR_OP_INCR,	  /* += */
	QMGR_OP_DECR,	  /* -= */
};

struct qmgr_attr {
	char *name; /* "comment", "resources_max.walltime" (owned) */
	enum qmgr_op op;
	char *value; /* unquoted value, NULL when op is QMGR_OP_NONE (owned) */
};

struct qmgr_directive {
	enum qmgr_cmd cmd;
	enum qmgr_obj obj;
	int nnames;
	char **names; /* object names without "@server" (owned) */
	bool all;     /* names was "@server": every object of the type */
	int nattrs;
	struct qmgr_attr *attrs;
	char *help_topic; /* word after "help", or NULL (owned) */
};

/* Kinds of parse error; the values are PBS qmgr's parse codes, which qmgr
 * -c uses as its exit status. */
enum qmgr_err_kind {
	QMGR_ERR_OPERATION = 1, /* "qmgr: Illegal operation: X" */
	QMGR_ERR_OBJECT = 2,	/* "qmgr: No object type given" / "Illegal object type" */
	QMGR_ERR_NAME = 3,	/* bad object name list: "qmgr: Syntax error" + caret */
	QMGR_ERR_SYNTAX = 4,	/* bad attribute list: "qmgr: Syntax error" + caret */
};

struct qmgr_item {
	char *text; /* the directive as written, leading blanks removed (owned) */
	bool ok;
	struct qmgr_directive d; /* valid when ok */
	enum qmgr_err_kind kind; /* valid when !ok */
	int column;		 /* 0-based offset into text of the error (NAME, SYNTAX), else -1 */
	char *message;		 /* full text qmgr prints on stderr, ending in '\n' (owned) */
};

struct qmgr_script {
	int n;
	struct qmgr_item *items;
};

/* Parse input into *out (caller frees with qmgr_script_destroy).  Never
 * fails except by aborting on out-of-memory; syntax errors are items. */
void qmgr_parse(const char *input, struct qmgr_script *out);
void qmgr_script_destroy(struct qmgr_script *s);

/* Parse one directive text (no ';', newline or comment handling) into
 * *item.  Returns true when it is a valid directive.  Caller frees with
 * qmgr_item_clear. */
bool qmgr_parse_directive(const char *text, struct qmgr_item *item);
void qmgr_item_clear(struct qmgr_item *item);

/* Names used on the wire and in messages: "create", "server", "+=". */
const char *qmgr_cmd_name(enum qmgr_cmd c);
const char *qmgr_obj_name(enum qmgr_obj o);
const char *qmgr_op_name(enum qmgr_op op);

/* Help text for a topic (NULL or "" for the overview); static. */
const char *qmgr_help_text(const char *topic);

#endif
