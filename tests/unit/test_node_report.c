/* test_node_report.c - exit status encoding, resources_used, signal names
 * (src/node/report.h) and /proc stat parsing (src/node/proc.h). */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "src/node/proc.h"
#include "src/node/report.h"

/* Real wait statuses from real children. */
static int status_of_child(int how)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (how >= 0)
			_exit(how);
		raise(-how);
		_exit(99);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	return st;
}

static void test_exit_status(void **state)
{
	(void)state;
	assert_int_equal(report_exit_status(status_of_child(0)), 0);
	assert_int_equal(report_exit_status(status_of_child(3)), 3);
	assert_int_equal(report_exit_status(status_of_child(255)), 255);
	assert_int_equal(report_exit_status(status_of_child(-SIGTERM)), 271);
	assert_int_equal(report_exit_status(status_of_child(-SIGKILL)), 265);
	assert_int_equal(report_exit_status(status_of_child(-SIGUSR1)), 256 + SIGUSR1);
	/* a stopped status is no end */
	assert_int_equal(report_exit_status(0x137f), -1);
}

static void test_resources(void **state)
{
	(void)state;
	json_t *r = report_resources(47, 12500000, 10240);
	assert_string_equal(json_string_value(json_object_get(r, "walltime")), "00:00:47");
	assert_string_equal(json_string_value(json_object_get(r, "cput")), "00:00:12");
	assert_string_equal(json_string_value(json_object_get(r, "mem")), "10240kb");
	json_decref(r);
	r = report_resources(100 * 3600 + 61, 0, -1);
	assert_string_equal(json_string_value(json_object_get(r, "walltime")), "100:01:01");
	assert_string_equal(json_string_value(json_object_get(r, "cput")), "00:00:00");
	assert_string_equal(json_string_value(json_object_get(r, "mem")), "0kb");
	json_decref(r);
}

static void test_walltime_comment(void **state)
{
	(void)state;
	char buf[160];
	assert_string_equal(report_walltime_comment(2, 2, buf, sizeof buf),
			    "job killed: walltime 00:00:02 exceeded limit 00:00:02");
	assert_string_equal(report_walltime_comment(3661, 3600, buf, sizeof buf),
			    "job killed: walltime 01:01:01 exceeded limit 01:00:00");
}

static void test_signal_names(void **state)
{
	(void)state;
	assert_int_equal(report_signal_number("SIGUSR1"), SIGUSR1);
	assert_int_equal(report_signal_number("USR1"), SIGUSR1);
	assert_int_equal(report_signal_number("usr2"), SIGUSR2);
	assert_int_equal(report_signal_number("sigterm"), SIGTERM);
	assert_int_equal(report_signal_number("10"), 10);
	assert_int_equal(report_signal_number("9"), SIGKILL);
	assert_int_equal(report_signal_number("suspend"), SIGSTOP);
	assert_int_equal(report_signal_number("resume"), SIGCONT);
	assert_int_equal(report_signal_number("KILL"), SIGKILL);
	assert_int_equal(report_signal_number("0"), -EINVAL);
	assert_int_equal(report_signal_number("999"), -EINVAL);
	assert_int_equal(report_signal_number("SIGNOPE"), -EINVAL);
	assert_int_equal(report_signal_number(""), -EINVAL);
	assert_int_equal(report_signal_number(NULL), -EINVAL);
}

static void test_proc_parse(void **state)
{
	(void)state;
	char st = 0;
	unsigned long long t = 0;
	const char *line =
	    "4242 (sleep) S 1 4242 4242 0 -1 4194560 93 0 0 0 0 0 0 0 20 0 1 0 "
	    "123456 8495104 196 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 "
	    "0 0 0\n";
	assert_int_equal(proc_stat_parse(line, &st, &t), 0);
	assert_int_equal(st, 'S');
	assert_true(t == 123456);
	/* a command name with spaces and parentheses */
	const char *odd = "7 (a) b) (c) Z 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99 0 0\n";
	assert_int_equal(proc_stat_parse(odd, &st, &t), 0);
	assert_int_equal(st, 'Z');
	assert_true(t == 99);
	assert_int_equal(proc_stat_parse("garbage", &st, &t), -EINVAL);
	assert_int_equal(proc_stat_parse("1 (x) S 1 2\n", &st, &t), -EINVAL);
}

static void test_proc_live(void **state)
{
	(void)state;
	char st;
	unsigned long long t = 0;
	assert_int_equal(proc_stat(getpid(), &st, &t), 0);
	assert_true(proc_alive(getpid(), t));
	assert_false(proc_alive(getpid(), t + 1));
	assert_int_equal(proc_stat(0, &st, &t), -ESRCH);
	time_t e = proc_start_epoch(t);
	assert_true(e > 1600000000 && e <= time(NULL) + 1);
	/* a child that has exited is not alive, even before it is reaped */
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	unsigned long long ct = 0;
	proc_stat(pid, NULL, &ct);
	usleep(100000);
	assert_false(proc_alive(pid, ct));
	waitpid(pid, NULL, 0);
	assert_int_equal(proc_stat(pid, &st, &ct), -ESRCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exit_status),	     cmocka_unit_test(test_resources),
	    cmocka_unit_test(test_walltime_comment), cmocka_unit_test(test_signal_names),
	    cmocka_unit_test(test_proc_parse),	     cmocka_unit_test(test_proc_live),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
