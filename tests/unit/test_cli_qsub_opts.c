/* test_cli_qsub_opts.c - qsub/qalter option and directive parsing
 * (src/cli/lib/qsub_opts.h): precedence, -l, -v escaping, -a, -o/-e,
 * refusals, "--" commands, the directive prefix and where scanning stops. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "src/cli/lib/qsub_opts.h"

static char *test_env[] = {
    "HOME=/home/alice",
    "LANG=C",
    "LOGNAME=alice",
    "PATH=/bin:/usr/bin",
    "SHELL=/bin/bash",
    "FOO=a,b\\c",
    "QUOTE=say \"hi\"",
    "PBS_O_HOST=spoofed",
    NULL,
};

/* 2026-03-10 12:00:00 UTC, a Tuesday; TZ is UTC in main(). */
#define NOW ((time_t)1773144000)

static struct qsub_ctx ctx(char **envp)
{
	struct qsub_ctx c = {
	    .envp = envp ? envp : test_env,
	    .cwd = "/work/dir",
	    .host = "hostA",
	    .sysname = "Linux",
	    .user = "alice",
	    .now = NOW,
	};
	return c;
}

/* Parse a NULL-terminated argv (without the program name). */
static int parse(struct qsub_opts *o, corral_error_t *err, const char *first, ...)
{
	char *argv[64];
	int argc = 0;
	argv[argc++] = "qsub";
	va_list ap;
	va_start(ap, first);
	for (const char *a = first; a; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	static char *keep[64]; /* operands point into argv: keep it alive */
	memcpy(keep, argv, sizeof argv);
	return qsub_opts_parse_args(o, argc, keep, err);
}

static struct qsub_opts *submit(void)
{
	struct qsub_ctx c = ctx(NULL);
	return qsub_opts_create(QSUB_OPTS_SUBMIT, &c);
}

static const char *attr(struct qsub_opts *o, const char *name)
{
	return json_string_value(json_object_get(qsub_opts_attrs(o), name));
}

static int script(struct qsub_opts *o, const char *text, corral_error_t *err)
{
	return qsub_opts_parse_script(o, text, strlen(text), err);
}

/* ---- precedence ------------------------------------------------------- */

static void test_cmdline_beats_directives(void **state)
{
	struct qsub_opts *o = submit();
	corral_error_t err = {0};
	assert_int_equal(parse(o, &err, "-N", "cmdname", "-l", "walltime=1:00:00", "job.sh", NULL),
			 0);
	assert_int_equal(script(o,
				"#!/bin/sh\n"
				"#PBS -N dirname\n"
				"#PBS -q dq\n"
				"#PBS -l walltime=2:00:00,ncpus=2\n"
				"#PBS -l mem=4gb\n"
				"echo hi\n",
				&err),
			 0);
	assert_int_equal(qsub_opts_finish(o, "job.sh", &err), 0);
	assert_string_equal(attr(o, "Job_Name"), "cmdname");
	assert_string_equal(attr(o, "queue"), "dq");
	assert_string_equal(attr(o, "Resource_List.walltime"), "01:00:00");
	assert_string_equal(attr(o, "Resource_List.ncpus"), "2");
	assert_string_equal(attr(o, "Resource_List.mem"), "4gb");
	assert_string_equal(attr(o, "Submit_arguments"), "-N cmdname -l walltime=1:00:00 job.sh");
	assert_string_equal(attr(o, "Submit_Host"), "hostA");
	/* nothing the server defaults */
	assert_null(attr(o, "Output_Path"));
	assert_null(attr(o, "Hold_Types"));
	assert_null(attr(o, "Priority"));
	assert_null(attr(o, "Job_Owner"));
	qsub_opts_destroy(o);
}

static void test_last_directive_wins(void **state)
{
	struct qsub_opts *o = submit();
	corral_error_t err = {0};
	assert_int_equal(parse(o, &err, "job.sh", NULL), 0);
	assert_int_equal(script(o, "#PBS -N first\n#PBS -N second -p 5\n#PBS -p 7\n", &err), 0);
	assert_int_equal(qsub_opts_finish(o, "job.sh", &err), 0);
	assert_string_equal(attr(o, "Job_Name"), "second");
	assert_string_equal(attr(o, "Priority"), "7");
	qsub_opts_destroy(o);
}

static void test_default_job_name(void **state)
{
	corral_error_t err = {0};
	struct qsub_opts *o = submit();
	assert_int_equal(parse(o, &err, "dir/run.sh", NULL), 0);
	assert_int_equal(qsub_opts_finish(o, "dir/run.sh", &err), 0);
	assert_string_equal(attr(o, "Job_Name"), "run.sh");
	qsub_opts_destroy(o);

	o = submit();
	assert_int_equal(parse(o, &err, NULL), 0);
	assert_int_equal(qsub_opts_operands(o, NULL), 0);
	assert_int_equal(qsub_opts_finish(o, NULL, &err), 0);
	assert_string_equal(attr(o, "Job_Name"), "STDIN");
	assert_null(attr(o, "Submit_arguments"));
	qsub_opts_destroy(o);

	/* a script name that is no job name must be named with -N */
	o = submit();
	assert_int_equal(parse(o, &err, "my job.sh", NULL), 0);
	assert_true(qsub_opts_finish(o, "my job.sh", &err) < 0);
	assert_non_null(strstr(err.text, "illegal -N value"));
	qsub_opts_destroy(o);
}

/* ---- -l ------------------------------------------------------------------ */

static void test_l_parsing(void **state)
{
	struct qsub_opts *o = submit();
	corral_error_t err = {0};
	assert_int_equal(parse(o, &err, "-l",
			       "select=2:ncpus=4:mem=4gb+1:ncpus=1,place=scatter:excl", "-l",
			       "walltime=90", "-l", "ngpus=1,scratch=fast", "-l", "NCPUS=8", "-l",
			       "mem=1536mb", NULL),
			 0);
	const char *sel = attr(o, "Resource_List.select");
	assert_non_null(sel);
	assert_non_null(strstr(sel, "ncpus=4"));
	assert_non_null(strstr(sel, "+1:ncpus=1"));
	assert_non_null(attr(o, "Resource_List.place"));
	assert_non_null(strstr(attr(o, "Resource_List.place"), "scatter"));
	assert_string_equal(attr(o, "Resource_List.walltime"), "00:01:30");
	assert_string_equal(attr(o, "Resource_List.ngpus"), "1");
	assert_string_equal(attr(o, "Resource_List.scratch"), "fast");
	assert_string_equal(attr(o, "Resource_List.ncpus"), "8"); /* built-in: lower case */
	assert_string_equal(attr(o, "Resource_List.mem"), "1536mb");
	qsub_opts_destroy(o);
}

static void test_l_errors(void **state)
{
	static const char *bad_value[] = {"walltime=abc", "ncpus=-1", "mem=4xb",
					  "select=2:ncpus=", "place=sideways"};
	for (size_t i = 0; i < sizeof bad_value / sizeof bad_value[0]; i++) {
		struct qsub_opts *o = submit();
		corral_error_t err = {0};
		print_message("%s\n", bad_value[i]);
		assert_true(parse(o, &err, "-l", bad_value[i], NULL) < 0);
		assert_non_null(
		    strstr(err.text, "Illegal attribute or resource value Resource_List."));
		assert_int_equal(qsub_opts_exit_status(o), 166);
		qsub_opts_destroy(o);
	}
	struct qsub_opts *o = submit();
	corral_error_t err = {0};
	assert_true(parse(o, &err, "-l", "walltime=abc", NULL) < 0);
	assert_string_equal(err.text, "Illegal attribute or resource value Resource_List.walltime");
	qsub_opts_destroy(o);

	static const char *bad_syntax[] = {"ncpus", "=4", "ncpus=", "a=1,", "software='x"};
	for (size_t i = 0; i < sizeof bad_syntax / sizeof bad_syntax[0]; i++) {
		o = submit();
		print_message("%s\n", bad_syntax[i]);
		assert_true(parse(o, &err, "-l", bad_syntax[i], NULL) < 0);
		assert_string_equal(err.text, "illegal -l value");
		assert_int_equal(qsub_opts_exit_status(o), QSUB_EXIT_USAGE);
		qsub_opts_destroy(o);
	}

	/* a bad value in a directive keeps the resource message and status */
	o = submit();
	assert_int_equal(parse(o, &err, "job.sh", NULL), 0);
	assert_true(script(o, "#PBS -l walltime=1:xx\n", &err) < 0);
	assert_string_equal(err.text, "Illegal attribute or resource value Resource_List.walltime");
	assert_int_equal(qsub_opts_exit_status(o), 166);
	qsub_opts_destroy(o);
}

/* ---- -v / -V / Variable_List --------------------------------------------- */

static void test_variable_list_basic(void **state)
{
	struct qsub_opts *o = submit();
	corral_error_t err = {0};
	assert_int_equal(parse(o, &err, "job.sh", NULL), 0);
	assert_int_equal(qsub_opts_finish(o, "job.sh", &err), 0);
	assert_string_equal(attr(o, "Variable_List"),
			    "PBS_O_HOME=/home/alice,PBS_O_LANG=C,PBS_O_LOGNAME=alice,"
			    "PBS_O_PATH=/bin:/usr/bin,PBS_O_SHELL=/bin/bash,"
			    "PBS_O_WORKDIR=/work/dir,PBS_O_SYSTEM=Linux,PBS_O_HOST=hostA");
	qsub_opts_destroy(o);

	/* HOME unset: "/"; MAIL and TZ only when set */
	static char *env2[] = {"TZ=Europe/Paris", "MAIL=/var/mail/a", NULL};
	struct qsub_ctx c = ctx(env2);
	o = qsub_opts_create(QSUB_OPTS_SUBMIT, &c);
	assert_int_equal(parse(o, &err, "job.sh", NULL), 0);
	assert_int_equal(qsub_opts_finish(o, "job.sh", &err), 0);
	assert_string_equal(attr(o, "Variable_List"),
			    "PBS_O_HOME=/,PBS_O_MAIL=/var/mail/a,PBS_O_TZ=Europe/Paris,"
			    "PBS_O_WORKDIR=/work/dir,PBS_O_SYSTEM=Linux,PBS_O_HOST=hostA");
	qsub_opts_destroy(o);
}

static void test_v_escaping(void **state)
{
	struct qsub_opts *o = submit();
	corral_error_t err = {0};
	assert_int_equal(parse(o, &err, "-v",
			       "FOO,BAR=x\\,y,Q='a,b',E=,QUOTE,PBS_O_HOME=/x,B2=c\\\\d", "job.sh",
			       NULL),
			 0);
	assert_int_equal(qsub_opts_finish(o, "job.sh", &err), 0);
	const char *vl = attr(o, "Variable_List");
	print_message("%s\n", vl);
	assert_non_null(strstr(vl, ",PBS_O_SYSTEM=Linux,FOO=a\\,b\\\\c,BAR=x\\,y,Q=a\\,b,E=,"
				   "QUOTE=say \\\"hi\\\",B2=c\\\\d,PBS_O_HOST=hostA"));
	assert_null(strstr(vl, "PBS_O_HOME=/x"));
	qsub_opts_destroy(o);

	/* a double quote inside single quotes stays, escaped */
	o = submit();
	assert_int_equal(parse(o, &err, "-v", "A='x\"y'", NULL), 0);
	assert_int_equal(qsub_opts_finish(o, NULL, &err), 0);
	assert_non_null(strstr(attr(o, "Variable_List"), ",A=x\\\"y,"));
	qsub_opts_destroy(o);

	/* a variable that is not set cannot be sent */
	o = submit();
	assert_true(parse(o, &err, "-v", "NOPE", NULL) < 0);
	assert_string_equal(err.text, "cannot send environment with the job");
	qsub_opts_destroy(o);
	o = submit();
	assert_true(parse(o, &err, "-v", "A='open", NULL) < 0);
	qsub_opts_destroy(o);
	o = submit();
	assert_true(parse(o, &err, "-v", "=x", NULL) < 0);
	assert_string_equal(err.text, "illegal -v value");
	qsub_opts_destroy(o);

	/* command line -v replaces a directive's -v as a whole */
	o = submit();
	assert_int_equal(parse(o, &err, "-v", "A=1", "job.sh", NULL), 0);
	assert_int_equal(script(o, "#PBS -v B=2\n", &err), 0);
	assert_int_equal(qsub_opts_finish(o, "job.sh", &err), 0);
	assert_non_null(strstr(attr(o, "Variable_List"), ",A=1,"));
	assert_null(strstr(attr(o, "Variable_List"), "B=2"));
	qsub_opts_destroy(o);
}

static void test_V_exports_environment(void **state)
{
	struct qsub_opts *o = submit();
	corral_error_t err = {0};
	assert_int_equal(parse(o, &err, "-V", "-v", "X=1", NULL), 0);
	assert_int_equal(qsub_opts_finish(o, NULL, &err), 0);
	const char *vl = attr(o, "Variable_List");
	print_message("%s\n", vl);
	assert_non_null(strstr(vl, ",PBS_O_SYSTEM=Linux,X=1,HOME=/home/alice,LANG=C,"));
	assert_non_null(strstr(vl, ",FOO=a\\,b\\\\c,QUOTE=say \\\"hi\\\",PBS_O_HOST=hostA"));
	assert_null(strstr(vl, "spoofed")); /* PBS_O_* from the environment stay out */
	qsub_opts_destroy(o);
}

/* ---- -a ------------------------------------------------------------------ */

static time_t utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = {.tm_year = y - 1900,
			.tm_mon = mo - 1,
			.tm_mday = d,
			.tm_hour = h,
			.tm_min = mi,
			.tm_sec = s};
	return timegm(&tm);
}

static void test_cvtdate(void **state)
{
	static const struct {
		const char *in;
		time_t want;
	} ok[] = {
	    {"1300", 0}, /* today 13:00 */
	    {"1100", 0}, /* 11:00 has passed: tomorrow */
	    {"1200", 0}, /* now exactly: tomorrow */
	    {"1300.30", 0},
	    {"111300", 0},     /* the 11th of this month */
	    {"091300", 0},     /* the 9th has passed: next month */
	    {"05101300", 0},   /* May 10 this year */
	    {"02101300", 0},   /* February has passed: next year */
	    {"2712250800", 0}, /* YY < 69: 20YY */
	    {"201012250800.05", 0},
	};
	time_t want[] = {
	    utc(2026, 3, 10, 13, 0, 0),	 utc(2026, 3, 11, 11, 0, 0), utc(2026, 3, 11, 12, 0, 0),
	    utc(2026, 3, 10, 13, 0, 30), utc(2026, 3, 11, 13, 0, 0), utc(2026, 4, 9, 13, 0, 0),
	    utc(2026, 5, 10, 13, 0, 0),	 utc(2027, 2, 10, 13, 0, 0), utc(2027, 12, 25, 8, 0, 0),
	    utc(2010, 12, 25, 8, 0, 5),
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		time_t t = 0;
		print_message("%s\n", ok[i].in);
		assert_int_equal(qsub_opts_cvtdate(ok[i].in, NOW, &t), 0);
		assert_int_equal((long long)t, (long long)want[i]);
	}
	static const char *bad[] = {"",		"13",	  "130",     "13000",	     "2400",
				    "1260",	"1300.6", "1300.61", "13:00",	     "321300",
				    "13101300", "abcd",	  "1300.",   "1234567890123"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		time_t t = 0;
		print_message("bad %s\n", bad[i]);
		assert_int_equal(qsub_opts_cvtdate(bad[i], NOW, &t), -EINVAL);
	}

	/* through the option: epoch seconds */
	struct qsub_opts *o = submit();
	corral_error_t err = {0};
	assert_int_equal(parse(o, &err, "-a", "1300", NULL), 0);
	char buf[32];
	snprintf(buf, sizeof buf, "%lld", (long long)utc(2026, 3, 10, 13, 0, 0));
	assert_string_equal(attr(o, "Execution_Time"), buf);
	qsub_opts_destroy(o);
	o = submit();
	assert_true(parse(o, &err, "-a", "tomorrow", NULL) < 0);
	assert_string_equal(err.text, "illegal -a value");
	assert_int_equal(qsub_opts_exit_status(o), QSUB_EXIT_USAGE);
	qsub_opts_destroy(o);
}

/* ---- -o / -e -------------------------------------------------------------- */

static void test_paths(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"out.txt", "hostA:/work/dir/out.txt"},
	    {"sub/out", "hostA:/work/dir/sub/out"},
	    {"/abs/x.out", "hostA:/abs/x.out"},
	    {"/tmp", "hostA:/tmp/"}, /* an existing directory */
	    {"/tmp/", "hostA:/tmp/"},
	    {"other:rel/x", "other:rel/x"},
	    {"other.dom-1:/abs", "other.dom-1:/abs"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		corral_error_t err = {0};
		char *p = qsub_opts_expand_path(cases[i].in, "/work/dir", "hostA", &err);
		print_message("%s\n", cases[i].in);
		assert_non_null(p);
		assert_string_equal(p, cases[i].want);
		free(p);
	}
	static const char *bad[] = {"", "  ", "bad host:/x", ":x", "h:", "/a/b:c"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		corral_error_t err = {0};
		print_message("bad '%s'\n", bad[i]);
		assert_null(qsub_opts_expand_path(bad[i], "/work/dir", "hostA", &err));
		assert_int_equal(err.code, EINVAL);
	}

	struct qsub_opts *o = submit();
	corral_error_t err = {0};
	assert_int_equal(
	    parse(o, &err, "-o", "job.out", "-e", "/var/tmp/job.err", "-j", "oe", NULL), 0);
	assert_string_equal(attr(o, "Output_Path"), "hostA:/work/dir/job.out");
	assert_string_equal(attr(o, "Error_Path"), "hostA:/var/tmp/job.err");
	assert_string_equal(attr(o, "Join_Path"), "oe");
	qsub_opts_destroy(o);
	o = submit();
	assert_true(parse(o, &err, "-o", "a b:c", NULL) < 0);
	assert_string_equal(err.text, "illegal -o value");
	qsub_opts_destroy(o);
}

/* ---- simple options ----------------------------------------------------- */

static void test_simple_options(void **state)
{
	struct qsub_opts *o = submit();
	corral_error_t err = {0};
	assert_int_equal(parse(o, &err, "-h", "-p", "-1024", "-r", "n", "-m", "abe", "-M", "a@b,c",
			       "-S", "/bin/bash", "-A", "acct", "-P", "proj1", "-c", "c=10", "-k",
			       "oe", "-W", "group_list=g1@h1,g2@h2,umask=022", "-W",
			       "sandbox=private", "-z", "-f", "-u", "alice@anyhost", "-q",
			       "workq@server1", NULL),
			 0);
	assert_string_equal(attr(o, "Hold_Types"), "u");
	assert_string_equal(attr(o, "Priority"), "-1024");
	assert_string_equal(attr(o, "Rerunable"), "False");
	assert_string_equal(attr(o, "Mail_Points"), "abe");
	assert_string_equal(attr(o, "Mail_Users"), "a@b,c");
	assert_string_equal(attr(o, "Shell_Path_List"), "/bin/bash");
	assert_string_equal(attr(o, "Account_Name"), "acct");
	assert_string_equal(attr(o, "project"), "proj1");
	assert_string_equal(attr(o, "Checkpoint"), "c=10");
	assert_string_equal(attr(o, "Keep_Files"), "oe");
	assert_string_equal(attr(o, "group_list"), "g1@h1,g2@h2");
	assert_string_equal(attr(o, "umask"), "022");
	assert_string_equal(attr(o, "sandbox"), "PRIVATE");
	assert_string_equal(attr(o, "queue"), "workq");
	assert_string_equal(qsub_opts_server(o), "server1");
	assert_true(qsub_opts_quiet(o));
	assert_null(attr(o, "User_List")); /* -u yourself sends nothing */
	qsub_opts_destroy(o);

	o = submit();
	assert_int_equal(parse(o, &err, "-r", "y", "-hz", "-q", "@srv", "-Nclustered", NULL), 0);
	assert_string_equal(attr(o, "Rerunable"), "True");
	assert_string_equal(attr(o, "Hold_Types"), "u");
	assert_true(qsub_opts_quiet(o));
	assert_null(attr(o, "queue"));
	assert_string_equal(qsub_opts_server(o), "srv");
	assert_string_equal(attr(o, "Job_Name"), "clustered");
	qsub_opts_destroy(o);

	static const char *const bad[][2] = {
	    {"-p", "1024"},  {"-p", "x"},	  {"-r", "yes"}, {"-j", "eoe"}, {"-m", "abx"},
	    {"-m", "aa"},    {"-k", "on"},	  {"-c", "u"},	 {"-c", "c=0"}, {"-P", "a/b"},
	    {"-N", "a b"},   {"-N", "_x"},	  {"-N", ""},	 {"-q", ""},	{"-W", "umask=999"},
	    {"-W", "nokey"}, {"-W", "sandbox=x"}, {"-a", "99"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		o = submit();
		print_message("%s %s\n", bad[i][0], bad[i][1]);
		assert_true(parse(o, &err, bad[i][0], bad[i][1], NULL) < 0);
		assert_int_equal(qsub_opts_exit_status(o), QSUB_EXIT_USAGE);
		qsub_opts_destroy(o);
	}

	/* job names: 236 characters at most */
	char name[240];
	memset(name, 'n', 236);
	name[236] = '\0';
	o = submit();
	assert_int_equal(parse(o, &err, "-N", name, NULL), 0);
	qsub_opts_destroy(o);
	name[236] = 'n';
	name[237] = '\0';
	o = submit();
	assert_true(parse(o, &err, "-N", name, NULL) < 0);
	assert_non_null(strstr(err.text, "illegal -N value"));
	qsub_opts_destroy(o);
	assert_true(qsub_opts_name_ok("9lives"));
	assert_false(qsub_opts_name_ok("tab\tname"));
	assert_false(qsub_opts_name_ok(NULL));

	/* usage errors */
	o = submit();
	assert_true(parse(o, &err, "-Q", NULL) < 0);
	assert_string_equal(err.text, "invalid option -- 'Q'");
	assert_int_equal(qsub_opts_exit_status(o), QSUB_EXIT_USAGE);
	qsub_opts_destroy(o);
	o = submit();
	assert_true(parse(o, &err, "-N", NULL) < 0);
	assert_string_equal(err.text, "option requires an argument -- 'N'");
	qsub_opts_destroy(o);
	o = submit();
	assert_true(parse(o, &err, "a.sh", "b.sh", NULL) < 0);
	assert_int_equal(qsub_opts_exit_status(o), QSUB_EXIT_USAGE);
	qsub_opts_destroy(o);
}

/* ---- refusals ----------------------------------------------------------- */

static void test_refusals(void **state)
{
	static const struct {
		const char *opt, *arg, *text;
	} cases[] = {
	    {"-W", "depend=afterok:12", "-W depend is not supported yet"},
	    {"-W", "block=true", "-W block is not supported yet"},
	    {"-W", "stagein=a@h:b", "-W stagein is not supported yet"},
	    {"-W", "interactive=true", "interactive jobs are not supported yet"},
	    {"-J", "1-10", "array jobs (-J) are not supported yet"},
	    {"-I", NULL, "interactive jobs are not supported yet"},
	    {"-X", NULL, "interactive jobs are not supported yet"},
	    {"-u", "bob", NULL},
	    {"-u", "alice,bob@h", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct qsub_opts *o = submit();
		corral_error_t err = {0};
		print_message("%s %s\n", cases[i].opt, cases[i].arg ? cases[i].arg : "");
		assert_true(parse(o, &err, cases[i].opt, cases[i].arg, NULL) < 0);
		if (cases[i].text)
			assert_string_equal(err.text, cases[i].text);
		else
			assert_non_null(strstr(err.text, "bob"));
		assert_int_equal(qsub_opts_exit_status(o), QSUB_EXIT_FAIL);
		qsub_opts_destroy(o);
	}
	/* unknown -W attribute */
	struct qsub_opts *o = submit();
	corral_error_t err = {0};
	assert_true(parse(o, &err, "-W", "frobnicate=1", NULL) < 0);
	assert_non_null(strstr(err.text, "illegal -W value"));
	assert_non_null(strstr(err.text, "frobnicate"));
	qsub_opts_destroy(o);
	/* refused in a directive too */
	o = submit();
	assert_int_equal(parse(o, &err, "job.sh", NULL), 0);
	assert_true(script(o, "#PBS -W depend=afterany:3\n", &err) < 0);
	assert_string_equal(err.text, "-W depend is not supported yet\n"
				      "qsub: directive error: -W depend=afterany:3");
	assert_int_equal(qsub_opts_exit_status(o), QSUB_EXIT_FAIL);
	qsub_opts_destroy(o);
}

/* ---- "--" commands ------------------------------------------------------ */

static void test_command(void **state)
{
	struct qsub_opts *o = submit();
	corral_error_t err = {0};
	assert_int_equal(parse(o, &err, "-l", "ncpus=1", "--", "/bin/echo", "it's", "a b", NULL),
			 0);
	assert_true(qsub_opts_is_command(o));
	char **ops;
	int n = qsub_opts_operands(o, &ops);
	assert_int_equal(n, 3);
	assert_string_equal(ops[0], "/bin/echo");
	char *s = qsub_opts_command_script(n, ops);
	assert_string_equal(s, "#!/bin/sh\nexec '/bin/echo' 'it'\\''s' 'a b'\n");
	free(s);
	assert_int_equal(qsub_opts_finish(o, NULL, &err), 0);
	assert_string_equal(attr(o, "Job_Name"), "echo");
	assert_string_equal(attr(o, "Submit_arguments"), "-l ncpus=1 -- /bin/echo it's a b");
	qsub_opts_destroy(o);

	o = submit();
	assert_int_equal(parse(o, &err, "-N", "named", "--", "sleep", "10", NULL), 0);
	assert_int_equal(qsub_opts_finish(o, NULL, &err), 0);
	assert_string_equal(attr(o, "Job_Name"), "named");
	qsub_opts_destroy(o);

	/* "--" must be followed by a command */
	o = submit();
	assert_true(parse(o, &err, "--", NULL) < 0);
	assert_int_equal(qsub_opts_exit_status(o), QSUB_EXIT_USAGE);
	qsub_opts_destroy(o);

	s = qsub_opts_command_script(0, NULL);
	assert_string_equal(s, "#!/bin/sh\nexec\n");
	free(s);
}

/* ---- directive scanning ------------------------------------------------- */

static void test_directive_prefix(void **state)
{
	const char *text = "#!/bin/sh\n#XX -N viaxx\n#PBS -N viapbs\n";
	corral_error_t err = {0};

	struct qsub_opts *o = submit();
	assert_int_equal(parse(o, &err, "-C", "#XX", "s.sh", NULL), 0);
	assert_int_equal(script(o, text, &err), 0);
	assert_string_equal(attr(o, "Job_Name"), "viaxx");
	qsub_opts_destroy(o);

	o = submit();
	assert_int_equal(parse(o, &err, "s.sh", NULL), 0);
	assert_int_equal(script(o, text, &err), 0);
	assert_string_equal(attr(o, "Job_Name"), "viapbs");
	qsub_opts_destroy(o);

	/* -C "": no directives at all */
	o = submit();
	assert_int_equal(parse(o, &err, "-C", "", "s.sh", NULL), 0);
	assert_int_equal(script(o, text, &err), 0);
	assert_null(attr(o, "Job_Name"));
	qsub_opts_destroy(o);

	/* $PBS_DPREFIX, beaten by -C */
	static char *env[] = {"PBS_DPREFIX=#XX", NULL};
	struct qsub_ctx c = ctx(env);
	o = qsub_opts_create(QSUB_OPTS_SUBMIT, &c);
	assert_int_equal(parse(o, &err, "s.sh", NULL), 0);
	assert_int_equal(script(o, text, &err), 0);
	assert_string_equal(attr(o, "Job_Name"), "viaxx");
	qsub_opts_destroy(o);
	o = qsub_opts_create(QSUB_OPTS_SUBMIT, &c);
	assert_int_equal(parse(o, &err, "-C", "#PBS", "s.sh", NULL), 0);
	assert_int_equal(script(o, text, &err), 0);
	assert_string_equal(attr(o, "Job_Name"), "viapbs");
	qsub_opts_destroy(o);

	/* -C inside a directive is ignored */
	o = submit();
	assert_int_equal(parse(o, &err, "s.sh", NULL), 0);
	assert_int_equal(script(o, "#PBS -C #XX\n#XX -N no\n#PBS -N yes\n", &err), 0);
	assert_string_equal(attr(o, "Job_Name"), "yes");
	qsub_opts_destroy(o);
}

static void test_directives_stop_at_first_command(void **state)
{
	corral_error_t err = {0};
	struct qsub_opts *o = submit();
	assert_int_equal(parse(o, &err, "run.sh", NULL), 0);
	assert_int_equal(script(o,
				"#!/bin/bash\n"
				"\n"
				"# a comment\n"
				"   \t\n"
				": a no-op line is not a command\n"
				"  #PBS -q early\n"
				"cd $PBS_O_WORKDIR\n"
				"#PBS -N late\n"
				"#PBS -W depend=after:1\n",
				&err),
			 0);
	assert_int_equal(qsub_opts_finish(o, "run.sh", &err), 0);
	assert_string_equal(attr(o, "queue"), "early");
	assert_string_equal(attr(o, "Job_Name"), "run.sh");
	qsub_opts_destroy(o);
}

static void test_directive_words(void **state)
{
	corral_error_t err = {0};
	struct qsub_opts *o = submit();
	assert_int_equal(parse(o, &err, "s.sh", NULL), 0);
	assert_int_equal(script(o,
				"#PBS -M 'a b@c' -A \"x y\"\n"
				"#PBS -N cont \\\n"
				"   -q q2\n"
				"#PBS -S /bin/my\\ sh\n"
				"#PBS\n"
				"#PBS -l select=1:ncpus=2\r\n"
				"#PBS -j oe -ko",
				&err),
			 0);
	assert_string_equal(attr(o, "Mail_Users"), "a b@c");
	assert_string_equal(attr(o, "Account_Name"), "x y");
	assert_string_equal(attr(o, "Job_Name"), "cont");
	assert_string_equal(attr(o, "queue"), "q2");
	assert_string_equal(attr(o, "Shell_Path_List"), "/bin/my sh");
	assert_non_null(attr(o, "Resource_List.select"));
	assert_string_equal(attr(o, "Join_Path"), "oe");
	assert_string_equal(attr(o, "Keep_Files"), "o");
	qsub_opts_destroy(o);

	/* errors name the directive, on a second line */
	o = submit();
	assert_int_equal(parse(o, &err, "s.sh", NULL), 0);
	assert_true(script(o, "#PBS -r maybe\n", &err) < 0);
	assert_string_equal(err.text, "illegal -r value\nqsub: directive error: -r maybe");
	assert_int_equal(qsub_opts_exit_status(o), QSUB_EXIT_FAIL);
	qsub_opts_destroy(o);
	o = submit();
	assert_int_equal(parse(o, &err, "s.sh", NULL), 0);
	assert_true(script(o, "#PBS -l walltime=1:00:00 # one hour\n", &err) < 0);
	assert_non_null(strstr(err.text, "directive error"));
	qsub_opts_destroy(o);
	o = submit();
	assert_int_equal(parse(o, &err, "s.sh", NULL), 0);
	assert_true(script(o, "#PBS -N 'open\n", &err) < 0);
	assert_non_null(strstr(err.text, "unmatched"));
	qsub_opts_destroy(o);
}

/* ---- qalter mode -------------------------------------------------------- */

static void test_alter_mode(void **state)
{
	struct qsub_ctx c = ctx(NULL);
	corral_error_t err = {0};
	struct qsub_opts *o = qsub_opts_create(QSUB_OPTS_ALTER, &c);
	assert_int_equal(parse(o, &err, "-l", "walltime=10:00", "-N", "renamed", "-h", "uo", "12",
			       "13.srv", NULL),
			 0);
	char **ids;
	assert_int_equal(qsub_opts_operands(o, &ids), 2);
	assert_string_equal(ids[0], "12");
	assert_string_equal(ids[1], "13.srv");
	assert_int_equal(qsub_opts_finish(o, NULL, &err), 0);
	json_t *attrs = qsub_opts_attrs(o);
	assert_int_equal(json_object_size(attrs), 3);
	assert_string_equal(attr(o, "Resource_List.walltime"), "00:10:00");
	assert_string_equal(attr(o, "Job_Name"), "renamed");
	assert_string_equal(attr(o, "Hold_Types"), "uo");
	qsub_opts_destroy(o);

	static const char *bad[] = {"-q", "-v", "-V", "-z", "-C", "-I", "-J"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		o = qsub_opts_create(QSUB_OPTS_ALTER, &c);
		print_message("%s\n", bad[i]);
		assert_true(parse(o, &err, bad[i], "x", "12", NULL) < 0);
		assert_int_equal(qsub_opts_exit_status(o), QSUB_EXIT_USAGE);
		qsub_opts_destroy(o);
	}
	o = qsub_opts_create(QSUB_OPTS_ALTER, &c);
	assert_int_equal(parse(o, &err, "-N", "x", NULL), -ENOENT);
	qsub_opts_destroy(o);
	o = qsub_opts_create(QSUB_OPTS_ALTER, &c);
	assert_true(parse(o, &err, "-h", "x", "12", NULL) < 0);
	assert_string_equal(err.text, "illegal -h value");
	qsub_opts_destroy(o);
	o = qsub_opts_create(QSUB_OPTS_ALTER, &c);
	assert_true(parse(o, &err, "-W", "depend=afterok:1", "12", NULL) < 0);
	assert_string_equal(err.text, "-W depend is not supported yet");
	qsub_opts_destroy(o);
}

static void test_destroy_null(void **state)
{
	errno = 42;
	qsub_opts_destroy(NULL);
	assert_int_equal(errno, 42);
	struct qsub_opts *o = submit();
	errno = 7;
	qsub_opts_destroy(o);
	assert_int_equal(errno, 7);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cmdline_beats_directives),
	    cmocka_unit_test(test_last_directive_wins),
	    cmocka_unit_test(test_default_job_name),
	    cmocka_unit_test(test_l_parsing),
	    cmocka_unit_test(test_l_errors),
	    cmocka_unit_test(test_variable_list_basic),
	    cmocka_unit_test(test_v_escaping),
	    cmocka_unit_test(test_V_exports_environment),
	    cmocka_unit_test(test_cvtdate),
	    cmocka_unit_test(test_paths),
	    cmocka_unit_test(test_simple_options),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_command),
	    cmocka_unit_test(test_directive_prefix),
	    cmocka_unit_test(test_directives_stop_at_first_command),
	    cmocka_unit_test(test_directive_words),
	    cmocka_unit_test(test_alter_mode),
	    cmocka_unit_test(test_destroy_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
