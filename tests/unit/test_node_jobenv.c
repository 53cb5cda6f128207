/* test_node_jobenv.c - Variable_List splitting and the job environment
 * (src/node/jobenv.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/node/jobenv.h"

static void test_envlist(void **state)
{
	(void)state;
	struct envlist e = {0};
	envlist_set(&e, "A", "1");
	envlist_set(&e, "B", "2");
	envlist_set(&e, "A", "3"); /* replaced in place */
	assert_int_equal(e.n, 2);
	assert_string_equal(e.v[0], "A=3");
	assert_string_equal(e.v[1], "B=2");
	assert_null(e.v[2]);
	assert_string_equal(envlist_get(&e, "B"), "2");
	assert_null(envlist_get(&e, "AB"));
	assert_null(envlist_get(&e, ""));
	for (int i = 0; i < 100; i++) {
		char n[16];
		snprintf(n, sizeof n, "V%d", i);
		envlist_set(&e, n, n);
	}
	assert_int_equal(e.n, 102);
	assert_null(e.v[102]);
	assert_string_equal(envlist_get(&e, "V99"), "V99");
	envlist_free(&e);
	envlist_free(&e); /* twice is fine */
}

static void test_varlist_split(void **state)
{
	(void)state;
	struct envlist e = {0};
	int n = varlist_parse("PBS_O_HOME=/home/a,PBS_O_PATH=/bin:/usr/bin,X=a\\,b,"
			      "Y=back\\\\slash,Z=,Q=say \\\"hi\\\",EQ=a=b",
			      &e);
	assert_int_equal(n, 7);
	assert_string_equal(envlist_get(&e, "PBS_O_HOME"), "/home/a");
	assert_string_equal(envlist_get(&e, "PBS_O_PATH"), "/bin:/usr/bin");
	assert_string_equal(envlist_get(&e, "X"), "a,b");
	assert_string_equal(envlist_get(&e, "Y"), "back\\slash");
	assert_string_equal(envlist_get(&e, "Z"), "");
	assert_string_equal(envlist_get(&e, "Q"), "say \"hi\"");
	assert_string_equal(envlist_get(&e, "EQ"), "a=b");
	envlist_free(&e);
}

static void test_varlist_odd(void **state)
{
	(void)state;
	struct envlist e = {0};
	/* empty items, names without '=', bad names, a trailing backslash */
	assert_int_equal(varlist_parse(",,NOVALUE,1BAD=x,A-B=y,=z,OK=1,", &e), 1);
	assert_string_equal(envlist_get(&e, "OK"), "1");
	assert_int_equal(varlist_parse("T=end\\", &e), 1);
	assert_string_equal(envlist_get(&e, "T"), "end\\");
	assert_int_equal(varlist_parse("", &e), 0);
	assert_int_equal(varlist_parse(NULL, &e), 0);
	/* a later value wins */
	assert_int_equal(varlist_parse("OK=2", &e), 1);
	assert_string_equal(envlist_get(&e, "OK"), "2");
	/* a newline inside a value stays */
	assert_int_equal(varlist_parse("NL=a\nb", &e), 1);
	assert_string_equal(envlist_get(&e, "NL"), "a\nb");
	envlist_free(&e);
}

static struct jobenv_in base_in(void)
{
	struct jobenv_in in = {
	    .jobid = "12.vm",
	    .jobname = "myjob",
	    .queue = "workq",
	    .varlist = "PBS_O_HOME=/home/alice,PBS_O_LOGNAME=alice,PBS_O_PATH=/opt/x:/usr/bin,"
		       "PBS_O_WORKDIR=/home/alice/run,PBS_O_HOST=vm,PBS_O_QUEUE=workq,"
		       "MYVAR=hello\\, world",
	    .nodefile = "/spool/jobs/12.vm.NF",
	    .tmpdir = "/spool/tmp/12.vm",
	    .home = "/home/alice",
	    .user = "alice",
	    .shell = "/bin/sh",
	    .ncpus = 4,
	};
	return in;
}

static void test_jobenv(void **state)
{
	(void)state;
	struct jobenv_in in = base_in();
	struct envlist e = {0};
	jobenv_build(&in, &e);
	assert_string_equal(envlist_get(&e, "PBS_JOBID"), "12.vm");
	assert_string_equal(envlist_get(&e, "PBS_JOBNAME"), "myjob");
	assert_string_equal(envlist_get(&e, "PBS_QUEUE"), "workq");
	assert_string_equal(envlist_get(&e, "PBS_O_WORKDIR"), "/home/alice/run");
	assert_string_equal(envlist_get(&e, "PBS_O_HOST"), "vm");
	assert_string_equal(envlist_get(&e, "PBS_NODEFILE"), "/spool/jobs/12.vm.NF");
	assert_string_equal(envlist_get(&e, "PBS_ENVIRONMENT"), "PBS_BATCH");
	assert_string_equal(envlist_get(&e, "NCPUS"), "4");
	assert_string_equal(envlist_get(&e, "OMP_NUM_THREADS"), "4");
	assert_string_equal(envlist_get(&e, "TMPDIR"), "/spool/tmp/12.vm");
	assert_string_equal(envlist_get(&e, "HOME"), "/home/alice");
	assert_string_equal(envlist_get(&e, "USER"), "alice");
	assert_string_equal(envlist_get(&e, "LOGNAME"), "alice");
	assert_string_equal(envlist_get(&e, "SHELL"), "/bin/sh");
	assert_string_equal(envlist_get(&e, "PATH"), "/opt/x:/usr/bin");
	assert_string_equal(envlist_get(&e, "MYVAR"), "hello, world");
	/* NULL-terminated for execve */
	assert_null(e.v[e.n]);
	envlist_free(&e);
}

static void test_jobenv_overrides(void **state)
{
	(void)state;
	struct jobenv_in in = base_in();
	struct envlist e = {0};
	/* -v/-V values of daemon-owned names lose, except PATH which wins */
	in.varlist = "PBS_O_PATH=/opt/x,PATH=/mine,HOME=/fake,PBS_JOBID=nope,NCPUS=99";
	in.ncpus = 0;
	in.jobname = NULL;
	jobenv_build(&in, &e);
	assert_string_equal(envlist_get(&e, "PATH"), "/mine");
	assert_string_equal(envlist_get(&e, "HOME"), "/home/alice");
	assert_string_equal(envlist_get(&e, "PBS_JOBID"), "12.vm");
	assert_string_equal(envlist_get(&e, "NCPUS"), "1");
	assert_string_equal(envlist_get(&e, "PBS_JOBNAME"), "STDIN");
	envlist_free(&e);
	/* no PATH at all: the default */
	in.varlist = NULL;
	jobenv_build(&in, &e);
	assert_string_equal(envlist_get(&e, "PATH"), JOBENV_DEFAULT_PATH);
	assert_null(envlist_get(&e, "PBS_O_WORKDIR"));
	envlist_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_envlist),	     cmocka_unit_test(test_varlist_split),
	    cmocka_unit_test(test_varlist_odd),	     cmocka_unit_test(test_jobenv),
	    cmocka_unit_test(test_jobenv_overrides),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
