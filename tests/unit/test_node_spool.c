/* test_node_spool.c - spool records, the lock, listing and removal
 * (src/node/spool.h), and the shepherd's files (src/node/shepherd.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "src/node/report.h"
#include "src/node/shepherd.h"
#include "src/node/spool.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/test_node_spool.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_fmt_line(void **state)
{
	(void)state;
	char buf[64];
	size_t pos = 0;
	assert_true(spool_fmt_line(buf, sizeof buf, &pos, "a", "1"));
	assert_true(spool_fmt_line(buf, sizeof buf, &pos, "c", "x\ny\\z"));
	assert_string_equal(buf, "a=1\nc=x\\ny\\\\z\n");
	/* too long: nothing written, position kept */
	size_t before = pos;
	char big[100];
	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_false(spool_fmt_line(buf, sizeof buf, &pos, "big", big));
	assert_int_equal(pos, before);
}

static void test_kv_roundtrip(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof path, "%s/rec", dir);
	struct kv in = {0}, out = {0};
	kv_set(&in, "id", "12.vm");
	kv_set(&in, "comment", "line one\nline two \\ with = signs");
	kv_set(&in, "empty", "");
	kv_set(&in, "crlf", "a\r\nb");
	assert_int_equal(spool_kv_write(path, &in), 0);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(spool_kv_read(path, &out), 0);
	assert_string_equal(kv_get(&out, "id"), "12.vm");
	assert_string_equal(kv_get(&out, "comment"), "line one\nline two \\ with = signs");
	assert_string_equal(kv_get(&out, "empty"), "");
	assert_string_equal(kv_get(&out, "crlf"), "a\r\nb");
	/* no temporary file is left behind */
	char tmp[300];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	assert_int_equal(access(tmp, F_OK), -1);
	kv_clear(&in);
	kv_clear(&out);
	snprintf(path, sizeof path, "%s/missing", dir);
	assert_int_equal(spool_kv_read(path, &out), -ENOENT);
	/* junk lines are skipped */
	spool_kv_parse("noequals\n=novalue\nk=v", 22, &out);
	assert_string_equal(kv_get(&out, "k"), "v");
	assert_null(kv_get(&out, ""));
	assert_null(kv_get(&out, "noequals"));
	kv_clear(&out);
}

static void test_open_lock_list(void **state)
{
	(void)state;
	struct spool s, s2;
	corral_error_t err = {0};
	char sd[256];
	snprintf(sd, sizeof sd, "%s/spool/node-x", dir);
	assert_int_equal(spool_open(&s, sd, &err), 0);
	struct stat sb;
	assert_int_equal(stat(s.tmp, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0711);
	/* a second daemon on the same spool is refused (flock is per open
	 * file, so this works inside one process too) */
	assert_int_equal(spool_open(&s2, sd, &err), -EBUSY);
	assert_non_null(strstr(err.text, "another corral-node"));

	char p[4096];
	const char *ids[] = {"3.vm", "12[1].vm", "1.vm"};
	for (int i = 0; i < 3; i++) {
		struct kv kv = {0};
		kv_set(&kv, "id", ids[i]);
		assert_true(spool_job_path(&s, ids[i], ".JB", p, sizeof p));
		assert_int_equal(spool_kv_write(p, &kv), 0);
		kv_clear(&kv);
		assert_true(spool_job_path(&s, ids[i], ".SC", p, sizeof p));
		assert_int_equal(spool_write_atomic(p, "echo\n", 5, 0700, (uid_t)-1, (gid_t)-1), 0);
	}
	char **list = NULL;
	int n = spool_list_jobs(&s, &list);
	assert_int_equal(n, 3);
	assert_string_equal(list[0], "1.vm");
	assert_string_equal(list[1], "12[1].vm");
	assert_string_equal(list[2], "3.vm");
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
	spool_remove_job(&s, "1.vm");
	assert_true(spool_job_path(&s, "1.vm", ".SC", p, sizeof p));
	assert_int_equal(access(p, F_OK), -1);
	n = spool_list_jobs(&s, &list);
	assert_int_equal(n, 2);
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
	spool_close(&s);
	/* the lock goes with the daemon */
	assert_int_equal(spool_open(&s2, sd, &err), 0);
	spool_close(&s2);
	spool_close(&s2); /* twice is fine */
}

static void test_id_ok(void **state)
{
	(void)state;
	assert_true(spool_id_ok("12.vm"));
	assert_true(spool_id_ok("12[3].server-1"));
	assert_false(spool_id_ok(""));
	assert_false(spool_id_ok("."));
	assert_false(spool_id_ok(".."));
	assert_false(spool_id_ok(".hidden"));
	assert_false(spool_id_ok("a/b"));
	assert_false(spool_id_ok("a\nb"));
}

static void test_shepherd_files(void **state)
{
	(void)state;
	char p[256];
	snprintf(p, sizeof p, "%s/1.vm.ST", dir);
	struct shep_start st;
	assert_int_equal(shep_start_read(p, &st), -ENOENT);
	const char *text = "pid=4242\nproc_start=99887766\nstart_ms=1795324153250\n";
	assert_int_equal(spool_write_atomic(p, text, strlen(text), 0644, (uid_t)-1, (gid_t)-1), 0);
	assert_int_equal(shep_start_read(p, &st), 0);
	assert_int_equal(st.pid, 4242);
	assert_true(st.proc_start == 99887766ULL);
	assert_true(st.start_ms == 1795324153250LL);

	snprintf(p, sizeof p, "%s/1.vm.EX", dir);
	struct shep_exit ex;
	text = "wstatus=768\nutime_us=1500000\nstime_us=500000\nmaxrss_kb=2048\nend_ms=17000\n";
	assert_int_equal(spool_write_atomic(p, text, strlen(text), 0644, (uid_t)-1, (gid_t)-1), 0);
	assert_int_equal(shep_exit_read(p, &ex), 0);
	assert_false(ex.failed);
	assert_int_equal(report_exit_status(ex.wstatus), 3);
	assert_true(ex.utime_us == 1500000 && ex.stime_us == 500000 && ex.maxrss_kb == 2048);
	assert_int_equal(ex.end_ms, 17000);
	assert_string_equal(ex.comment, "");
	text = "failed=-10\nend_ms=5000\ncomment=cannot switch\\nuser\n";
	assert_int_equal(spool_write_atomic(p, text, strlen(text), 0644, (uid_t)-1, (gid_t)-1), 0);
	assert_int_equal(shep_exit_read(p, &ex), 0);
	assert_true(ex.failed);
	assert_int_equal(ex.status, EXIT_FAILUID);
	assert_string_equal(ex.comment, "cannot switch\nuser");
	text = "nothing=here\n";
	assert_int_equal(spool_write_atomic(p, text, strlen(text), 0644, (uid_t)-1, (gid_t)-1), 0);
	assert_int_equal(shep_exit_read(p, &ex), -EINVAL);
}

/* A whole shepherd run with the test's own uid: output file, exit status,
 * the .ST and .EX files and the TMPDIR removal. */
static void test_shepherd_run(void **state)
{
	(void)state;
	char out[256], startp[256], exitp[256], tmpd[256];
	snprintf(out, sizeof out, "%s/job.out", dir);
	snprintf(startp, sizeof startp, "%s/2.vm.ST", dir);
	snprintf(exitp, sizeof exitp, "%s/2.vm.EX", dir);
	snprintf(tmpd, sizeof tmpd, "%s/tmp2", dir);
	assert_int_equal(mkdir(tmpd, 0700), 0);
	char tmpfile[300];
	snprintf(tmpfile, sizeof tmpfile, "%s/left", tmpd);
	char *argv[] = {"/bin/sh", "-c",
			"echo out:$PBS_JOBID; echo err >&2; touch \"$TMPDIR/x\"; exit 7", NULL};
	char envj[] = "PBS_JOBID=2.vm";
	char envt[300];
	snprintf(envt, sizeof envt, "TMPDIR=%s", tmpd);
	char *envp[] = {envj, envt, NULL};
	struct launch l = {
	    .jobid = "2.vm",
	    .setids = false,
	    .shell = "/bin/sh",
	    .argv = argv,
	    .envp = envp,
	    .cwd = dir,
	    .out_path = out,
	    .err_path = out,
	    .join = JOIN_OE,
	    .umask = 077,
	    .start_path = startp,
	    .exit_path = exitp,
	    .tmpdir = tmpd,
	};
	int nfd = -1;
	corral_error_t err = {0};
	pid_t pid = shepherd_start(&l, &nfd, &err);
	assert_true(pid > 0);
	char buf[16] = "";
	size_t got = 0;
	ssize_t r;
	while ((r = read(nfd, buf + got, sizeof buf - 1 - got)) > 0)
		got += (size_t)r;
	buf[got] = '\0';
	assert_string_equal(buf, "S\nE\n");
	close(nfd);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	struct shep_start ss;
	struct shep_exit ex;
	assert_int_equal(shep_start_read(startp, &ss), 0);
	assert_true(ss.pid > 0 && ss.proc_start > 0 && ss.start_ms > 0);
	assert_int_equal(shep_exit_read(exitp, &ex), 0);
	assert_false(ex.failed);
	assert_int_equal(report_exit_status(ex.wstatus), 7);
	FILE *f = fopen(out, "r");
	assert_non_null(f);
	char text[128] = "";
	size_t n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = '\0';
	assert_string_equal(text, "out:2.vm\nerr\n");
	struct stat sb;
	assert_int_equal(stat(out, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600); /* umask 077 */
	assert_int_equal(access(tmpd, F_OK), -1);  /* TMPDIR gone */

	/* A shell that does not exist: failed, -1, with a comment. */
	l.shell = "/nonexistent/shell";
	pid = shepherd_start(&l, &nfd, &err);
	assert_true(pid > 0);
	while (read(nfd, buf, sizeof buf) > 0)
		;
	close(nfd);
	waitpid(pid, &st, 0);
	assert_int_equal(shep_exit_read(exitp, &ex), 0);
	assert_true(ex.failed);
	assert_int_equal(ex.status, EXIT_FAIL1);
	assert_non_null(strstr(ex.comment, "/nonexistent/shell"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fmt_line),	   cmocka_unit_test(test_kv_roundtrip),
	    cmocka_unit_test(test_open_lock_list), cmocka_unit_test(test_id_ok),
	    cmocka_unit_test(test_shepherd_files), cmocka_unit_test(test_shepherd_run),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
