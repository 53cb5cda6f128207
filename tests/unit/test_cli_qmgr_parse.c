/* test_cli_qmgr_parse.c - the qmgr directive parser (src/cli/lib/qmgr_parse.h):
 * abbreviations, names, attribute lists, quoting, operators, the sched
 * default name, several directives per input, comments, and errors with
 * their columns and messages; and the list/print layouts of qmgr_print.h,
 * which qmgr builds from what the parser gives it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h> /* after the headers it needs */

#include "src/cli/lib/qmgr_parse.h"
#include "src/cli/lib/qmgr_print.h"

/* Parse input that must hold exactly one valid directive. */
static struct qmgr_script one(const char *input)
{
	struct qmgr_script s;
	qmgr_parse(input, &s);
	assert_int_equal(s.n, 1);
	if (!s.items[0].ok)
		fprintf(stderr, "unexpected error:\n%s", s.items[0].message);
	assert_true(s.items[0].ok);
	return s;
}

/* Parse input that must hold exactly one invalid directive; returns it. */
static struct qmgr_script bad(const char *input, enum qmgr_err_kind kind, int column)
{
	struct qmgr_script s;
	qmgr_parse(input, &s);
	assert_int_equal(s.n, 1);
	assert_false(s.items[0].ok);
	assert_int_equal(s.items[0].kind, kind);
	assert_int_equal(s.items[0].column, column);
	return s;
}

static void test_abbreviations(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		enum qmgr_cmd cmd;
		enum qmgr_obj obj;
	} cases[] = {
	    {"c q q1", QMGR_CMD_CREATE, QMGR_OBJ_QUEUE},
	    {"d q q1", QMGR_CMD_DELETE, QMGR_OBJ_QUEUE},
	    {"s s scheduling=true", QMGR_CMD_SET, QMGR_OBJ_SERVER},
	    {"u s comment", QMGR_CMD_UNSET, QMGR_OBJ_SERVER},
	    {"l n", QMGR_CMD_LIST, QMGR_OBJ_NODE},
	    {"p s", QMGR_CMD_PRINT, QMGR_OBJ_SERVER},
	    {"p sc", QMGR_CMD_PRINT, QMGR_OBJ_SCHED},
	    {"list queues", QMGR_CMD_LIST, QMGR_OBJ_QUEUE},
	    {"list nodes", QMGR_CMD_LIST, QMGR_OBJ_NODE},
	    {"cre queue q1", QMGR_CMD_CREATE, QMGR_OBJ_QUEUE},
	    {"print server", QMGR_CMD_PRINT, QMGR_OBJ_SERVER},
	    {"se sch scheduling=false", QMGR_CMD_SET, QMGR_OBJ_SCHED},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct qmgr_script s = one(cases[i].in);
		assert_int_equal(s.items[0].d.cmd, cases[i].cmd);
		assert_int_equal(s.items[0].d.obj, cases[i].obj);
		qmgr_script_destroy(&s);
	}

	struct qmgr_script s = one("q");
	assert_int_equal(s.items[0].d.cmd, QMGR_CMD_QUIT);
	qmgr_script_destroy(&s);
	s = one("exit");
	assert_int_equal(s.items[0].d.cmd, QMGR_CMD_QUIT);
	qmgr_script_destroy(&s);
	s = one("h set");
	assert_int_equal(s.items[0].d.cmd, QMGR_CMD_HELP);
	assert_string_equal(s.items[0].d.help_topic, "set");
	qmgr_script_destroy(&s);
	s = one("?");
	assert_int_equal(s.items[0].d.cmd, QMGR_CMD_HELP);
	assert_null(s.items[0].d.help_topic);
	qmgr_script_destroy(&s);
}

static void test_names_and_attrs(void **state)
{
	(void)state;
	struct qmgr_script s =
	    one("set queue workq,q2 resources_max.walltime = 24:00:00, enabled=true");
	struct qmgr_directive *d = &s.items[0].d;
	assert_int_equal(d->nnames, 2);
	assert_string_equal(d->names[0], "workq");
	assert_string_equal(d->names[1], "q2");
	assert_int_equal(d->nattrs, 2);
	assert_string_equal(d->attrs[0].name, "resources_max.walltime");
	assert_int_equal(d->attrs[0].op, QMGR_OP_SET);
	assert_string_equal(d->attrs[0].value, "24:00:00");
	assert_string_equal(d->attrs[1].name, "enabled");
	assert_string_equal(d->attrs[1].value, "true");
	qmgr_script_destroy(&s);

	/* a=b,c=d lists, no blanks */
	s = one("s s a=b,c=d");
	d = &s.items[0].d;
	assert_int_equal(d->nnames, 0);
	assert_int_equal(d->nattrs, 2);
	assert_string_equal(d->attrs[0].name, "a");
	assert_string_equal(d->attrs[0].value, "b");
	assert_string_equal(d->attrs[1].name, "c");
	assert_string_equal(d->attrs[1].value, "d");
	qmgr_script_destroy(&s);

	/* the word after the object is an attribute when known, or followed by OP */
	s = one("set server scheduling = True");
	assert_int_equal(s.items[0].d.nnames, 0);
	assert_string_equal(s.items[0].d.attrs[0].name, "scheduling");
	qmgr_script_destroy(&s);
	s = one("set server my_site_attr=1");
	assert_int_equal(s.items[0].d.nnames, 0);
	assert_string_equal(s.items[0].d.attrs[0].name, "my_site_attr");
	qmgr_script_destroy(&s);
	s = one("unset server comment,managers");
	assert_int_equal(s.items[0].d.nnames, 0);
	assert_int_equal(s.items[0].d.nattrs, 2);
	assert_int_equal(s.items[0].d.attrs[1].op, QMGR_OP_NONE);
	assert_null(s.items[0].d.attrs[1].value);
	qmgr_script_destroy(&s);
	s = one("unset server some_site_attr");
	assert_string_equal(s.items[0].d.attrs[0].name, "some_site_attr");
	qmgr_script_destroy(&s);

	/* server names are accepted */
	s = one("set server vm max_running = 5");
	assert_int_equal(s.items[0].d.nnames, 1);
	assert_string_equal(s.items[0].d.names[0], "vm");
	qmgr_script_destroy(&s);

	/* list with a name and attribute filter */
	s = one("list node n1 state,comment");
	d = &s.items[0].d;
	assert_int_equal(d->nnames, 1);
	assert_string_equal(d->names[0], "n1");
	assert_int_equal(d->nattrs, 2);
	assert_string_equal(d->attrs[0].name, "state");
	assert_string_equal(d->attrs[1].name, "comment");
	qmgr_script_destroy(&s);

	/* @server parts are dropped; "@default" alone means all */
	s = one("list queue workq@default,q2");
	assert_int_equal(s.items[0].d.nnames, 2);
	assert_string_equal(s.items[0].d.names[0], "workq");
	assert_string_equal(s.items[0].d.names[1], "q2");
	assert_false(s.items[0].d.all);
	qmgr_script_destroy(&s);
	s = one("print node @default");
	assert_int_equal(s.items[0].d.nnames, 0);
	assert_true(s.items[0].d.all);
	qmgr_script_destroy(&s);

	/* node names may start with a digit and hold dots */
	s = one("set node 001.cluster.org comment=x");
	assert_string_equal(s.items[0].d.names[0], "001.cluster.org");
	qmgr_script_destroy(&s);

	/* create without attributes */
	s = one("create queue q1");
	assert_int_equal(s.items[0].d.nattrs, 0);
	assert_int_equal(s.items[0].d.nnames, 1);
	qmgr_script_destroy(&s);
	s = one("create queue q1 queue_type=e");
	assert_int_equal(s.items[0].d.nattrs, 1);
	qmgr_script_destroy(&s);
}

static void test_quoting(void **state)
{
	(void)state;
	struct qmgr_script s = one("set node n1 comment = \"down for maintenance, back soon\"");
	assert_string_equal(s.items[0].d.attrs[0].value, "down for maintenance, back soon");
	qmgr_script_destroy(&s);

	s = one("set server default_qsub_arguments='-m n -r n', comment=x");
	assert_int_equal(s.items[0].d.nattrs, 2);
	assert_string_equal(s.items[0].d.attrs[0].value, "-m n -r n");
	assert_string_equal(s.items[0].d.attrs[1].value, "x");
	qmgr_script_destroy(&s);

	/* the other quote character is plain inside quotes; quotes mid-value */
	s = one("set server comment=\"it's\"");
	assert_string_equal(s.items[0].d.attrs[0].value, "it's");
	qmgr_script_destroy(&s);
	s = one("set server comment=a\"b c\"d");
	assert_string_equal(s.items[0].d.attrs[0].value, "ab cd");
	qmgr_script_destroy(&s);

	/* ';' and '#' inside quotes do not split or comment */
	s = one("set server comment=\"a;b #c\"");
	assert_string_equal(s.items[0].d.attrs[0].value, "a;b #c");
	qmgr_script_destroy(&s);

	/* empty quoted value */
	s = one("set server comment=\"\"");
	assert_string_equal(s.items[0].d.attrs[0].value, "");
	qmgr_script_destroy(&s);

	/* entlim attributes take unquoted blanks */
	s = one("set server max_run = [u:PBS_GENERIC=10] ");
	assert_string_equal(s.items[0].d.attrs[0].value, "[u:PBS_GENERIC=10]");
	qmgr_script_destroy(&s);
}

static void test_operators(void **state)
{
	(void)state;
	struct qmgr_script s = one("set server managers += alice@*,operators-=bob@host");
	struct qmgr_directive *d = &s.items[0].d;
	assert_int_equal(d->nattrs, 2);
	assert_int_equal(d->attrs[0].op, QMGR_OP_INCR);
	assert_string_equal(d->attrs[0].value, "alice@*");
	assert_int_equal(d->attrs[1].op, QMGR_OP_DECR);
	assert_string_equal(d->attrs[1].value, "bob@host");
	assert_string_equal(qmgr_op_name(d->attrs[0].op), "+=");
	assert_string_equal(qmgr_op_name(d->attrs[1].op), "-=");
	qmgr_script_destroy(&s);

	/* '-' inside a value or name is not an operator */
	s = one("set node n-1 state=job-busy");
	assert_string_equal(s.items[0].d.names[0], "n-1");
	assert_string_equal(s.items[0].d.attrs[0].value, "job-busy");
	qmgr_script_destroy(&s);

	/* no blanks needed around the operator after a name */
	s = one("set node n1 state+=offline");
	assert_int_equal(s.items[0].d.attrs[0].op, QMGR_OP_INCR);
	assert_string_equal(s.items[0].d.attrs[0].value, "offline");
	qmgr_script_destroy(&s);
}

static void test_sched_default(void **state)
{
	(void)state;
	struct qmgr_script s = one("set sched scheduling=true");
	assert_int_equal(s.items[0].d.obj, QMGR_OBJ_SCHED);
	assert_int_equal(s.items[0].d.nnames, 1);
	assert_string_equal(s.items[0].d.names[0], "default");
	qmgr_script_destroy(&s);

	s = one("unset sched comment");
	assert_string_equal(s.items[0].d.names[0], "default");
	qmgr_script_destroy(&s);

	s = one("set sched s2 partition=p2");
	assert_string_equal(s.items[0].d.names[0], "s2");
	qmgr_script_destroy(&s);

	s = one("create sched s2 partition=p2");
	assert_int_equal(s.items[0].d.cmd, QMGR_CMD_CREATE);
	assert_string_equal(s.items[0].d.names[0], "s2");
	qmgr_script_destroy(&s);

	/* list/print/delete without a name: no default substituted */
	s = one("list sched");
	assert_int_equal(s.items[0].d.nnames, 0);
	qmgr_script_destroy(&s);
	s = one("delete sched");
	assert_int_equal(s.items[0].d.nnames, 0);
	qmgr_script_destroy(&s);

	/* set server has no name */
	s = one("set server comment=hi");
	assert_int_equal(s.items[0].d.nnames, 0);
	qmgr_script_destroy(&s);
}

static void test_multiple_and_comments(void **state)
{
	(void)state;
	struct qmgr_script s;
	qmgr_parse("create queue q1; set queue q1 queue_type=e\n"
		   "# a comment line\n"
		   "   \n"
		   "set queue q1 enabled=true # trailing comment\n"
		   "set queue q1 \\\n"
		   "  started=true;;list queue q1\n"
		   "set server comment=a#b\n",
		   &s);
	assert_int_equal(s.n, 6);
	for (int i = 0; i < s.n; i++)
		assert_true(s.items[i].ok);
	assert_int_equal(s.items[0].d.cmd, QMGR_CMD_CREATE);
	assert_string_equal(s.items[1].text, "set queue q1 queue_type=e");
	assert_int_equal(s.items[2].d.nattrs, 1);
	assert_string_equal(s.items[2].d.attrs[0].value, "true");
	assert_string_equal(s.items[3].d.attrs[0].name, "started");
	assert_int_equal(s.items[4].d.cmd, QMGR_CMD_LIST);
	/* '#' not after a blank is part of the value */
	assert_string_equal(s.items[5].d.attrs[0].value, "a#b");
	qmgr_script_destroy(&s);

	/* an error in one directive does not stop the others */
	qmgr_parse("set queue q1 max_run 5; list server", &s);
	assert_int_equal(s.n, 2);
	assert_false(s.items[0].ok);
	assert_true(s.items[1].ok);
	qmgr_script_destroy(&s);

	/* empty input, comments only */
	qmgr_parse("", &s);
	assert_int_equal(s.n, 0);
	qmgr_script_destroy(&s);
	qmgr_parse("# nothing\n\n  ;  ; \n", &s);
	assert_int_equal(s.n, 0);
	qmgr_script_destroy(&s);
}

static void test_errors(void **state)
{
	(void)state;
	/* value without operator: caret under the value */
	struct qmgr_script s = bad("set queue workq max_run 5", QMGR_ERR_SYNTAX, 24);
	assert_string_equal(s.items[0].message, "qmgr: Syntax error\n"
						"set queue workq max_run 5\n"
						"                        ^\n");
	qmgr_script_destroy(&s);

	/* leading blanks are not part of the text or the column */
	s = bad("   set queue workq max_run 5", QMGR_ERR_SYNTAX, 24);
	assert_string_equal(s.items[0].text, "set queue workq max_run 5");
	qmgr_script_destroy(&s);

	/* set without attributes: caret after the last word */
	s = bad("set queue workq", QMGR_ERR_SYNTAX, 15);
	qmgr_script_destroy(&s);
	s = bad("set server", QMGR_ERR_SYNTAX, 10);
	qmgr_script_destroy(&s);

	/* operator without value, trailing comma */
	s = bad("set server comment =", QMGR_ERR_SYNTAX, 20);
	qmgr_script_destroy(&s);
	s = bad("set server comment=a,", QMGR_ERR_SYNTAX, 21);
	qmgr_script_destroy(&s);

	/* unset with an operator */
	s = bad("unset server comment=x", QMGR_ERR_SYNTAX, 20);
	qmgr_script_destroy(&s);

	/* unclosed quote: at the value */
	s = bad("set server comment=\"abc", QMGR_ERR_SYNTAX, 19);
	qmgr_script_destroy(&s);

	/* '&' is reserved */
	s = bad("set server comment=a&b", QMGR_ERR_SYNTAX, 20);
	qmgr_script_destroy(&s);

	/* junk after a value */
	s = bad("set server comment = a b", QMGR_ERR_SYNTAX, 23);
	qmgr_script_destroy(&s);

	/* "attr." without a resource */
	s = bad("set queue q resources_max. = 1", QMGR_ERR_SYNTAX, 26);
	qmgr_script_destroy(&s);

	/* bad names: queue names start with a letter, no trailing comma */
	s = bad("list queue 1q", QMGR_ERR_NAME, 11);
	assert_string_equal(s.items[0].message, "qmgr: Syntax error\n"
						"list queue 1q\n"
						"           ^\n");
	qmgr_script_destroy(&s);
	s = bad("list queue q1,", QMGR_ERR_NAME, 13);
	qmgr_script_destroy(&s);
	s = bad("list queue q1,,q2", QMGR_ERR_NAME, 14);
	qmgr_script_destroy(&s);
	s = bad("list queue q1@", QMGR_ERR_NAME, 13);
	qmgr_script_destroy(&s);

	/* unknown command and object */
	s = bad("frobnicate queue q1", QMGR_ERR_OPERATION, -1);
	assert_string_equal(s.items[0].message, "qmgr: Illegal operation: frobnicate\n"
						"Try 'help' if you are having trouble.\n");
	qmgr_script_destroy(&s);
	s = bad("set", QMGR_ERR_OBJECT, -1);
	assert_string_equal(s.items[0].message, "qmgr: No object type given\n");
	qmgr_script_destroy(&s);
	s = bad("set widget w1 a=b", QMGR_ERR_OBJECT, -1);
	assert_string_equal(s.items[0].message, "qmgr: Illegal object type: widget.\n");
	qmgr_script_destroy(&s);
	/* PBS objects Corral does not have */
	s = bad("list hook", QMGR_ERR_OBJECT, -1);
	qmgr_script_destroy(&s);
	/* "settt" is not a prefix of set */
	s = bad("settt server a=b", QMGR_ERR_OPERATION, -1);
	qmgr_script_destroy(&s);
	/* a directive starting with an operator */
	s = bad("= 5", QMGR_ERR_SYNTAX, 0);
	qmgr_script_destroy(&s);
}

static void test_help_text(void **state)
{
	(void)state;
	assert_non_null(qmgr_help_text(NULL));
	assert_non_null(strstr(qmgr_help_text("set"), "Syntax: set"));
	assert_non_null(strstr(qmgr_help_text("operators"), "+="));
	assert_null(qmgr_help_text("frobnicate"));
	assert_string_equal(qmgr_cmd_name(QMGR_CMD_UNSET), "unset");
	assert_string_equal(qmgr_obj_name(QMGR_OBJ_SCHED), "sched");
}

static void test_item_clear_null(void **state)
{
	(void)state;
	qmgr_item_clear(NULL);
	qmgr_script_destroy(NULL);
	struct qmgr_item it;
	assert_true(qmgr_parse_directive("  list server", &it));
	assert_string_equal(it.text, "list server");
	qmgr_item_clear(&it);
	assert_null(it.text);
}

/* ---- qmgr_print ---- */

/* Run f into a memory stream and return what it wrote (caller frees). */
#define CAPTURE(buf, stmt)                                                                         \
	do {                                                                                       \
		size_t _n;                                                                         \
		FILE *out = open_memstream(&(buf), &_n);                                           \
		stmt;                                                                              \
		fclose(out);                                                                       \
	} while (0)

static void test_quote(void **state)
{
	(void)state;
	char *q = qmgr_quote("plain");
	assert_string_equal(q, "plain");
	free(q);
	q = qmgr_quote("two words");
	assert_string_equal(q, "\"two words\"");
	free(q);
	q = qmgr_quote("a,b");
	assert_string_equal(q, "\"a,b\"");
	free(q);
	q = qmgr_quote("say \"hi\"");
	assert_string_equal(q, "'say \"hi\"'");
	free(q);
	assert_true(qmgr_attr_readonly(QMGR_OBJ_QUEUE, "resources_assigned.ncpus"));
	assert_true(qmgr_attr_readonly(QMGR_OBJ_SERVER, "server_state"));
	assert_false(qmgr_attr_readonly(QMGR_OBJ_SERVER, "scheduling"));
	assert_true(qmgr_attr_is_list("managers"));
	assert_true(qmgr_attr_is_list("partition"));
	assert_false(qmgr_attr_is_list("max_run"));
	assert_false(qmgr_attr_is_list("comment"));
}

static void test_print_list(void **state)
{
	(void)state;
	json_t *attrs = json_pack("{s:s,s:s,s:s}", "queue_type", "Execution", "enabled", "True",
				  "resources_max.walltime", "24:00:00");
	char *buf = NULL;
	CAPTURE(buf, qmgr_print_list(out, QMGR_OBJ_QUEUE, "workq", attrs, NULL));
	assert_string_equal(buf, "Queue workq\n"
				 "    queue_type = Execution\n"
				 "    enabled = True\n"
				 "    resources_max.walltime = 24:00:00\n"
				 "\n");
	free(buf);

	/* a filter: "resources_max" selects its resources */
	struct qmgr_attr fa[] = {{"resources_max", QMGR_OP_NONE, NULL}};
	struct qmgr_filter f = {1, fa};
	CAPTURE(buf, qmgr_print_list(out, QMGR_OBJ_QUEUE, "workq", attrs, &f));
	assert_string_equal(buf, "Queue workq\n    resources_max.walltime = 24:00:00\n\n");
	free(buf);
	json_decref(attrs);

	/* long comma lists break at 80 columns with "\n\t", and every later
	 * element goes on its own line (PBS does not reset its count) */
	attrs = json_pack("{s:s}", "managers",
			  "root@headnode.example.org,alice@headnode.example.org,"
			  "bob@headnode.example.org,carol@x");
	CAPTURE(buf, qmgr_print_list(out, QMGR_OBJ_SERVER, "vm", attrs, NULL));
	assert_string_equal(buf,
			    "Server vm\n"
			    "    managers = root@headnode.example.org,alice@headnode.example.org,\n"
			    "\tbob@headnode.example.org,\n"
			    "\tcarol@x\n"
			    "\n");
	free(buf);
	json_decref(attrs);
}

static void test_print_script(void **state)
{
	(void)state;
	char *buf = NULL;
	/* queue_type first, read-only skipped, quoting */
	json_t *attrs = json_pack("{s:s,s:s,s:s,s:s,s:s}", "enabled", "True", "queue_type",
				  "Execution", "total_jobs", "3", "comment", "hello, world",
				  "resources_assigned.ncpus", "2");
	CAPTURE(buf, qmgr_print_header(out, QMGR_OBJ_QUEUE);
		qmgr_print_object(out, QMGR_OBJ_QUEUE, "workq", attrs, NULL));
	assert_string_equal(buf, "#\n"
				 "# Create queues and set their attributes.\n"
				 "#\n"
				 "#\n"
				 "# Create and define queue workq\n"
				 "#\n"
				 "create queue workq\n"
				 "set queue workq queue_type = Execution\n"
				 "set queue workq enabled = True\n"
				 "set queue workq comment = \"hello, world\"\n");
	free(buf);
	json_decref(attrs);

	/* server: list attributes split into = and += */
	attrs = json_pack("{s:s,s:s,s:s}", "scheduling", "True", "managers", "root@*,alice@h1",
			  "server_state", "Active");
	CAPTURE(buf, qmgr_print_header(out, QMGR_OBJ_SERVER);
		qmgr_print_object(out, QMGR_OBJ_SERVER, "vm", attrs, NULL));
	assert_string_equal(buf, "#\n"
				 "# Set server attributes.\n"
				 "#\n"
				 "set server scheduling = True\n"
				 "set server managers = root@*\n"
				 "set server managers += alice@h1\n");
	free(buf);
	json_decref(attrs);

	/* node: Mom on the create line, only admin states, derived ones dropped */
	attrs = json_pack("{s:s,s:s,s:s,s:s,s:s}", "Mom", "host1", "Port", "15002", "state",
			  "down,offline", "resources_available.ncpus", "4", "jobs", "1.vm/0");
	CAPTURE(buf, qmgr_print_object(out, QMGR_OBJ_NODE, "n1", attrs, NULL));
	assert_string_equal(buf, "#\n"
				 "# Create and define node n1\n"
				 "#\n"
				 "create node n1 Mom=host1\n"
				 "set node n1 state = offline\n"
				 "set node n1 resources_available.ncpus = 4\n");
	free(buf);
	json_decref(attrs);
	attrs = json_pack("{s:s}", "state", "free");
	CAPTURE(buf, qmgr_print_object(out, QMGR_OBJ_NODE, "n2", attrs, NULL));
	assert_string_equal(buf, "#\n# Create and define node n2\n#\ncreate node n2\n");
	free(buf);
	json_decref(attrs);

	/* scheds: default has no create line and no name on set lines */
	attrs = json_pack("{s:s,s:s,s:s}", "scheduling", "True", "state", "idle", "sched_priv",
			  "/var/x");
	CAPTURE(buf, qmgr_print_object(out, QMGR_OBJ_SCHED, "default", attrs, NULL));
	assert_string_equal(buf, "#\n"
				 "# Create and define scheduler default\n"
				 "#\n"
				 "set sched scheduling = True\n");
	free(buf);
	CAPTURE(buf, qmgr_print_object(out, QMGR_OBJ_SCHED, "s2", attrs, NULL));
	assert_string_equal(buf, "#\n"
				 "# Create and define scheduler s2\n"
				 "#\n"
				 "create sched s2\n"
				 "set sched s2 scheduling = True\n"
				 "set sched s2 sched_priv = /var/x\n");
	free(buf);
	json_decref(attrs);
}

/* Inputs found by tests/fuzz/fuzz_cli_qmgr_parse (docs/fuzzing.md); each
 * is also kept in tests/fuzz/corpus/cli_qmgr_parse/.  Run under clang's
 * UBSan by `make fuzz`. */
static void test_fuzz_regressions(void **state)
{
	(void)state;
	struct qmgr_script s;

	/* An empty logical line before anything was buffered handed
	 * buf_peek() of a never-allocated buffer (NULL + 0) to the splitter. */
	static const char *const empty[] = {"\n", "\n\n\n", "\r\n", "\\\n", "   \n\t\n"};
	for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
		qmgr_parse(empty[i], &s);
		assert_int_equal(s.n, 0);
		qmgr_script_destroy(&s);
	}
	qmgr_parse("\nlist server\n\n", &s);
	assert_int_equal(s.n, 1);
	assert_true(s.items[0].ok);
	qmgr_script_destroy(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_abbreviations),   cmocka_unit_test(test_names_and_attrs),
	    cmocka_unit_test(test_quoting),	    cmocka_unit_test(test_operators),
	    cmocka_unit_test(test_sched_default),   cmocka_unit_test(test_multiple_and_comments),
	    cmocka_unit_test(test_errors),	    cmocka_unit_test(test_help_text),
	    cmocka_unit_test(test_item_clear_null), cmocka_unit_test(test_quote),
	    cmocka_unit_test(test_print_list),	    cmocka_unit_test(test_print_script),
	    cmocka_unit_test(test_fuzz_regressions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
