/* test_node_spool.c - spool records and slots, the lock, listing and
 * removal (src/node/spool.h), and the shepherd: its slots, messages and a
 * whole run, with and without a spare set (src/node/shepherd.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
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

static int open_new(const char *name, char *path, size_t n)
{
	snprintf(path, n, "%s/%s", dir, name);
	unlink(path);
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	return fd;
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

static void test_kv_format_parse(void **state)
{
	(void)state;
	struct kv in = {0}, out = {0};
	kv_set(&in, "id", "12.vm");
	kv_set(&in, "comment", "line one\nline two \\ with = signs");
	kv_set(&in, "empty", "");
	kv_set(&in, "crlf", "a\r\nb");
	char text[512];
	size_t len;
	assert_true(spool_kv_format(&in, text, sizeof text, &len));
	assert_int_equal(len, strlen(text));
	spool_kv_parse(text, len, &out);
	assert_string_equal(kv_get(&out, "id"), "12.vm");
	assert_string_equal(kv_get(&out, "comment"), "line one\nline two \\ with = signs");
	assert_string_equal(kv_get(&out, "empty"), "");
	assert_string_equal(kv_get(&out, "crlf"), "a\r\nb");
	kv_clear(&out);
	/* too small: false, and what fit is there */
	assert_false(spool_kv_format(&in, text, 20, &len));
	assert_true(len < 20);
	kv_clear(&in);
	/* junk lines are skipped */
	spool_kv_parse("noequals\n=novalue\nk=v", 22, &out);
	assert_string_equal(kv_get(&out, "k"), "v");
	assert_null(kv_get(&out, ""));
	assert_null(kv_get(&out, "noequals"));
	kv_clear(&out);
}

static void test_slots(void **state)
{
	(void)state;
	char path[256], buf[SPOOL_SLOT_SIZE];
	size_t len;
	int fd = open_new("slots.JB", path, sizeof path);
	/* nothing written yet: every slot is absent */
	assert_int_equal(spool_slot_read(fd, SLOT_JOB, buf, &len), -ENOENT);
	assert_int_equal(spool_slot_read(fd, SLOT_EXIT, buf, &len), -ENOENT);
	assert_int_equal(spool_slot_write(fd, SLOT_START, "a=1\nb=two\n", 10), 0);
	/* a slot before it in the file is a hole: still absent */
	assert_int_equal(spool_slot_read(fd, SLOT_JOB, buf, &len), -ENOENT);
	assert_int_equal(spool_slot_read(fd, SLOT_START, buf, &len), 0);
	assert_int_equal(len, 10);
	assert_string_equal(buf, "a=1\nb=two\n");
	struct kv kv = {0};
	assert_int_equal(spool_slot_read_kv(fd, SLOT_START, &kv), 0);
	assert_string_equal(kv_get(&kv, "b"), "two");
	assert_null(kv_get(&kv, "sum"));
	kv_clear(&kv);
	/* text without a final line break gets one */
	assert_int_equal(spool_slot_write(fd, SLOT_JOB, "x=1", 3), 0);
	assert_int_equal(spool_slot_read(fd, SLOT_JOB, buf, &len), 0);
	assert_string_equal(buf, "x=1\n");
	/* rewritten shorter in place: nothing of the old text stays */
	assert_int_equal(spool_slot_write(fd, SLOT_START, "c=3\n", 4), 0);
	assert_int_equal(spool_slot_read(fd, SLOT_START, buf, &len), 0);
	assert_string_equal(buf, "c=3\n");
	/* a torn or half-copied slot does not count */
	assert_int_equal(pwrite(fd, "c=4", 3, SPOOL_SLOT_SIZE), 3);
	assert_int_equal(spool_slot_read(fd, SLOT_START, buf, &len), -EINVAL);
	assert_int_equal(pwrite(fd, "c=3\nsum=", 8, SPOOL_SLOT_SIZE), 8);
	assert_int_equal(spool_slot_read(fd, SLOT_START, buf, &len), 0);
	const char half[] = "pid=42\nproc_start=1";
	char page[SPOOL_SLOT_SIZE] = {0};
	memcpy(page, half, sizeof half - 1);
	assert_int_equal(pwrite(fd, page, sizeof page, 2 * SPOOL_SLOT_SIZE), sizeof page);
	assert_int_equal(spool_slot_read(fd, SLOT_EXIT, buf, &len), -EINVAL);
	/* too big, or with a NUL inside: refused */
	char big[SPOOL_SLOT_SIZE];
	memset(big, 'a', sizeof big);
	assert_int_equal(spool_slot_write(fd, SLOT_JOB, big, SPOOL_SLOT_TEXT), -E2BIG);
	assert_int_equal(spool_slot_write(fd, SLOT_JOB, "a\0b\n", 4), -E2BIG);
	assert_int_equal(spool_slot_read(fd, SLOT_JOB, buf, &len), 0); /* unchanged */
	/* a reused record: slot 0 rewritten, 1 and 2 cleared */
	assert_int_equal(spool_slot_write(fd, SLOT_EXIT, "wstatus=0\n", 10), 0);
	assert_int_equal(spool_record_reset(fd, "id=2.vm\n", 8), 0);
	assert_int_equal(spool_slot_read(fd, SLOT_JOB, buf, &len), 0);
	assert_string_equal(buf, "id=2.vm\n");
	assert_int_equal(spool_slot_read(fd, SLOT_START, buf, &len), -ENOENT);
	assert_int_equal(spool_slot_read(fd, SLOT_EXIT, buf, &len), -ENOENT);
	close(fd);
}

static void test_files(void **state)
{
	(void)state;
	char path[256], text[64];
	struct stat sb;
	snprintf(path, sizeof path, "%s/f.SC", dir);
	assert_int_equal(spool_create_file(path, "echo hi\n", 8, 0700, (uid_t)-1, (gid_t)-1), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0700);
	assert_int_equal(sb.st_size, 8);
	/* a leftover of the same name is replaced */
	assert_int_equal(spool_create_file(path, "true\n", 5, 0644, (uid_t)-1, (gid_t)-1), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0644);
	assert_int_equal(sb.st_size, 5);
	ino_t ino = sb.st_ino;
	/* rewritten in place: the same inode, the new text, the new mode */
	chmod(path, 0666);
	assert_int_equal(spool_rewrite_file(path, "a longer script\n", 16, 0700), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(sb.st_ino == ino);
	assert_int_equal(sb.st_mode & 07777, 0700);
	assert_int_equal(spool_rewrite_file(path, "ab\n", 3, 0700), 0);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = '\0';
	assert_string_equal(text, "ab\n");
	/* not a regular file, or missing: an error */
	assert_int_equal(spool_rewrite_file(dir, "x", 1, 0700), -EISDIR);
	snprintf(path, sizeof path, "%s/missing", dir);
	assert_int_equal(spool_rewrite_file(path, "x", 1, 0700), -ENOENT);
	snprintf(path, sizeof path, "%s/nodir/x", dir);
	assert_int_equal(spool_create_file(path, "x", 1, 0600, (uid_t)-1, (gid_t)-1), -ENOENT);
}

static void write_record(const struct spool *s, const char *id)
{
	char p[4096], text[256];
	assert_true(spool_job_path(s, id, ".JB", p, sizeof p));
	int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	snprintf(text, sizeof text, "id=%s\n", id);
	assert_int_equal(spool_slot_write(fd, SLOT_JOB, text, strlen(text)), 0);
	close(fd);
}

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
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
	assert_non_null(strstr(s.spare, "/spare"));
	/* a second daemon on the same spool is refused (flock is per open
	 * file, so this works inside one process too) */
	assert_int_equal(spool_open(&s2, sd, &err), -EBUSY);
	assert_non_null(strstr(err.text, "another corral-node"));

	char p[4096];
	const char *ids[] = {"3.vm", "12[1].vm", "1.vm"};
	for (int i = 0; i < 3; i++) {
		write_record(&s, ids[i]);
		assert_true(spool_job_path(&s, ids[i], ".SC", p, sizeof p));
		assert_int_equal(spool_create_file(p, "echo\n", 5, 0700, (uid_t)-1, (gid_t)-1), 0);
		assert_true(spool_tmp_path(&s, ids[i], p, sizeof p));
		assert_int_equal(mkdir(p, 0700), 0);
	}
	/* debris: files of a job without a record, older layouts' files */
	const char *junk[] = {"9.vm.SC", "9.vm.NF", "3.vm.ST", "3.vm.EX", "1.vm.JB.tmp"};
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", s.jobs, junk[i]);
		touch(p);
	}
	char orphan[4096], full[4096], kept[4200];
	assert_true(spool_tmp_path(&s, "9.vm", orphan, sizeof orphan));
	assert_int_equal(mkdir(orphan, 0700), 0);
	assert_true(spool_tmp_path(&s, "8.vm", full, sizeof full));
	assert_int_equal(mkdir(full, 0700), 0);
	snprintf(kept, sizeof kept, "%s/kept", full);
	touch(kept);

	char **list = NULL;
	int n = spool_list_jobs(&s, &list);
	assert_int_equal(n, 3);
	assert_string_equal(list[0], "1.vm");
	assert_string_equal(list[1], "12[1].vm");
	assert_string_equal(list[2], "3.vm");
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", s.jobs, junk[i]);
		assert_int_equal(access(p, F_OK), -1);
	}
	assert_int_equal(access(orphan, F_OK), -1); /* empty: removed */
	assert_int_equal(access(full, F_OK), 0);    /* the user's files: kept */
	assert_true(spool_job_path(&s, "3.vm", ".SC", p, sizeof p));
	assert_int_equal(access(p, F_OK), 0); /* a recorded job's files stay */

	spool_remove_job(&s, "1.vm");
	assert_true(spool_job_path(&s, "1.vm", ".SC", p, sizeof p));
	assert_int_equal(access(p, F_OK), -1);
	assert_true(spool_tmp_path(&s, "1.vm", p, sizeof p));
	assert_int_equal(access(p, F_OK), -1);
	spool_remove_record(&s, "3.vm");
	assert_true(spool_job_path(&s, "3.vm", ".JB", p, sizeof p));
	assert_int_equal(access(p, F_OK), -1);
	n = spool_list_jobs(&s, &list);
	assert_int_equal(n, 1);
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
	/* 3.vm lost its record: its script went with the listing */
	assert_true(spool_job_path(&s, "3.vm", ".SC", p, sizeof p));
	assert_int_equal(access(p, F_OK), -1);
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
	char longid[SPOOL_ID_MAX + 2];
	memset(longid, 'a', sizeof longid);
	longid[SPOOL_ID_MAX] = '\0';
	assert_true(spool_id_ok(longid));
	longid[SPOOL_ID_MAX] = 'a';
	longid[SPOOL_ID_MAX + 1] = '\0';
	assert_false(spool_id_ok(longid));
}

static void test_shepherd_slots(void **state)
{
	(void)state;
	char path[256], buf[SPOOL_SLOT_TEXT];
	int fd = open_new("1.vm.JB", path, sizeof path);
	struct shep_start st = {.pid = 4242, .proc_start = 99887766ULL, .start_ms = 1795324153250LL};
	struct shep_start st2;
	assert_int_equal(shep_start_read(fd, &st2), -ENOENT);
	size_t len = shep_start_format(&st, buf, sizeof buf);
	assert_int_equal(spool_slot_write(fd, SLOT_START, buf, len), 0);
	assert_int_equal(shep_start_read(fd, &st2), 0);
	assert_int_equal(st2.pid, 4242);
	assert_true(st2.proc_start == 99887766ULL);
	assert_true(st2.start_ms == 1795324153250LL);

	struct shep_exit ex = {.wstatus = 768,
			       .cleaned = true,
			       .spared = true,
			       .utime_us = 1500000,
			       .stime_us = 500000,
			       .maxrss_kb = 2048,
			       .end_ms = 17000};
	struct shep_exit ex2;
	assert_int_equal(shep_exit_read(fd, &ex2), -ENOENT);
	len = shep_exit_format(&ex, buf, sizeof buf);
	assert_int_equal(spool_slot_write(fd, SLOT_EXIT, buf, len), 0);
	assert_int_equal(shep_exit_read(fd, &ex2), 0);
	assert_false(ex2.failed);
	assert_true(ex2.cleaned && ex2.spared);
	assert_int_equal(report_exit_status(ex2.wstatus), 3);
	assert_true(ex2.utime_us == 1500000 && ex2.stime_us == 500000 && ex2.maxrss_kb == 2048);
	assert_int_equal(ex2.end_ms, 17000);
	assert_string_equal(ex2.comment, "");

	memset(&ex, 0, sizeof ex);
	ex.failed = true;
	ex.status = EXIT_FAILUID;
	ex.end_ms = 5000;
	snprintf(ex.comment, sizeof ex.comment, "cannot switch\nuser");
	len = shep_exit_format(&ex, buf, sizeof buf);
	assert_int_equal(spool_slot_write(fd, SLOT_EXIT, buf, len), 0);
	assert_int_equal(shep_exit_read(fd, &ex2), 0);
	assert_true(ex2.failed);
	assert_false(ex2.cleaned || ex2.spared);
	assert_int_equal(ex2.status, EXIT_FAILUID);
	assert_string_equal(ex2.comment, "cannot switch\nuser");

	/* malformed: neither a wait status nor a failure */
	assert_int_equal(spool_slot_write(fd, SLOT_EXIT, "nothing=here\n", 13), 0);
	assert_int_equal(shep_exit_read(fd, &ex2), -EINVAL);
	assert_int_equal(spool_slot_write(fd, SLOT_START, "start_ms=1\n", 11), 0);
	assert_int_equal(shep_start_read(fd, &st2), -EINVAL);
	assert_int_equal(shep_start_parse("pid=7\n", 6, &st2), 0);
	assert_int_equal(st2.pid, 7);
	close(fd);
	/* a message goes through a pipe in one write */
	assert_true(sizeof(struct shep_msg) < PIPE_BUF);
}

/* Read the two messages of a run (or fewer when the pipe closes). */
static int read_msgs(int fd, struct shep_msg *m, int max)
{
	int got = 0;
	while (got < max) {
		ssize_t r = read(fd, &m[got], sizeof *m);
		if (r <= 0)
			break;
		assert_int_equal(r, sizeof *m);
		got++;
	}
	return got;
}

struct run {
	char out[256], rec[256], sc[256], nf[256], tmpd[256];
	struct launch l;
	char *argv[4];
	char *envp[3];
	char envj[64], envt[300];
	int pfd[2];
};

static void run_init(struct run *r, const char *id, const char *script)
{
	memset(r, 0, sizeof *r);
	snprintf(r->out, sizeof r->out, "%s/%s.out", dir, id);
	snprintf(r->rec, sizeof r->rec, "%s/%s.JB", dir, id);
	snprintf(r->sc, sizeof r->sc, "%s/%s.SC", dir, id);
	snprintf(r->nf, sizeof r->nf, "%s/%s.NF", dir, id);
	snprintf(r->tmpd, sizeof r->tmpd, "%s/tmp.%s", dir, id);
	snprintf(r->envj, sizeof r->envj, "PBS_JOBID=%s", id);
	snprintf(r->envt, sizeof r->envt, "TMPDIR=%s", r->tmpd);
	r->argv[0] = "/bin/sh";
	r->argv[1] = r->sc;
	r->envp[0] = r->envj;
	r->envp[1] = r->envt;
	assert_int_equal(pipe2(r->pfd, O_CLOEXEC), 0);
	r->l = (struct launch){
	    .jobid = id,
	    .setids = false,
	    .shell = "/bin/sh",
	    .argv = r->argv,
	    .envp = r->envp,
	    .cwd = dir,
	    .out_path = r->out,
	    .err_path = r->out,
	    .join = JOIN_OE,
	    .umask = 077,
	    .script_path = r->sc,
	    .script = script,
	    .script_len = strlen(script),
	    .nodefile_path = r->nf,
	    .nodefile = "vm\nvm\n",
	    .nodefile_len = 6,
	    .tmpdir = r->tmpd,
	    .notify_fd = r->pfd[1],
	};
}

/* Start the shepherd of r with a new locked record, as the daemon does. */
static pid_t run_start(struct run *r)
{
	unlink(r->rec);
	int fd = open(r->rec, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(spool_slot_write(fd, SLOT_JOB, "id=x\n", 5), 0);
	r->l.record_fd = fd;
	corral_error_t err = {0};
	pid_t pid = shepherd_start(&r->l, &err);
	assert_true(pid > 0);
	close(fd);
	close(r->pfd[1]); /* only the shepherd writes now */
	return pid;
}

static bool record_locked(const char *rec)
{
	int fd = open(rec, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	bool locked = flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd);
	return locked;
}

static char *slurp(const char *path, char *buf, size_t n)
{
	buf[0] = '\0';
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t got = fread(buf, 1, n - 1, f);
	fclose(f);
	buf[got] = '\0';
	return buf;
}

/* A whole shepherd run with the test's own uid: script and node file
 * written and removed, TMPDIR made and removed (with what the job left in
 * it), the record's slots and lock, the messages. */
static void test_shepherd_run(void **state)
{
	(void)state;
	struct run r;
	run_init(&r, "2.vm",
		 "read line < \"$0.go\"\n"
		 "echo out:$PBS_JOBID; echo err >&2; cat \"$(dirname $0)/2.vm.NF\"\n"
		 "touch \"$TMPDIR/x\"; [ -d \"$TMPDIR\" ] && exit 7\n");
	char gate[300];
	snprintf(gate, sizeof gate, "%s.go", r.sc);
	assert_int_equal(mkfifo(gate, 0600), 0);
	pid_t pid = run_start(&r);
	/* The job waits at the fifo: the shepherd is alive and holds the
	 * record's lock; slot 1 is written and 'S' sent. */
	struct shep_msg m[3];
	assert_int_equal(read_msgs(r.pfd[0], m, 1), 1);
	assert_int_equal(m[0].kind, 'S');
	assert_int_equal(m[0].shep_pid, pid);
	assert_string_equal(m[0].jobid, "2.vm");
	assert_true(m[0].start.pid > 0 && m[0].start.proc_start > 0 && m[0].start.start_ms > 0);
	assert_true(record_locked(r.rec));
	int rfd = open(r.rec, O_RDONLY | O_CLOEXEC);
	struct shep_start ss;
	struct shep_exit ex;
	assert_int_equal(shep_start_read(rfd, &ss), 0);
	assert_int_equal(ss.pid, m[0].start.pid);
	assert_int_equal(shep_exit_read(rfd, &ex), -ENOENT);
	char text[256];
	assert_non_null(slurp(r.sc, text, sizeof text));
	struct stat sb;
	assert_int_equal(stat(r.sc, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0700);
	assert_int_equal(stat(r.tmpd, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	int g = open(gate, O_WRONLY | O_CLOEXEC);
	assert_true(g >= 0);
	assert_int_equal(write(g, "go\n", 3), 3);
	close(g);

	assert_int_equal(read_msgs(r.pfd[0], m + 1, 2), 1); /* then EOF */
	close(r.pfd[0]);
	assert_int_equal(m[1].kind, 'E');
	assert_false(m[1].exit.failed);
	assert_false(m[1].exit.spared);
	assert_int_equal(report_exit_status(m[1].exit.wstatus), 7);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_false(record_locked(r.rec)); /* the shepherd is gone */
	assert_int_equal(shep_exit_read(rfd, &ex), 0);
	close(rfd);
	assert_int_equal(report_exit_status(ex.wstatus), 7);
	assert_true(ex.end_ms >= ss.start_ms);
	assert_false(ex.cleaned); /* TMPDIR had x in it when slot 2 was written */
	assert_string_equal(slurp(r.out, text, sizeof text), "out:2.vm\nerr\nvm\nvm\n");
	assert_int_equal(stat(r.out, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600); /* umask 077 */
	assert_int_equal(access(r.tmpd, F_OK), -1); /* TMPDIR gone all the same */
	assert_int_equal(access(r.sc, F_OK), -1);
	assert_int_equal(access(r.nf, F_OK), -1);
	unlink(gate);

	/* A shell that does not exist: failed, -1, with a comment; the files
	 * are cleaned up. */
	run_init(&r, "3.vm", "true\n");
	r.l.shell = "/nonexistent/shell";
	pid = run_start(&r);
	assert_int_equal(read_msgs(r.pfd[0], m, 3), 1);
	close(r.pfd[0]);
	assert_int_equal(m[0].kind, 'E');
	assert_true(m[0].exit.failed);
	assert_true(m[0].exit.cleaned);
	assert_int_equal(m[0].exit.status, EXIT_FAIL1);
	assert_non_null(strstr(m[0].exit.comment, "/nonexistent/shell"));
	waitpid(pid, &st, 0);
	rfd = open(r.rec, O_RDONLY | O_CLOEXEC);
	assert_int_equal(shep_exit_read(rfd, &ex), 0);
	assert_int_equal(shep_start_read(rfd, &ss), -ENOENT);
	close(rfd);
	assert_true(ex.failed);
	assert_int_equal(access(r.sc, F_OK), -1);
	assert_int_equal(access(r.tmpd, F_OK), -1);

	/* The script cannot be written: failed before the job, no 'S'. */
	run_init(&r, "4.vm", "true\n");
	r.l.script_path = "/nonexistent/dir/4.vm.SC";
	pid = run_start(&r);
	assert_int_equal(read_msgs(r.pfd[0], m, 3), 1);
	close(r.pfd[0]);
	assert_int_equal(m[0].kind, 'E');
	assert_true(m[0].exit.failed);
	assert_non_null(strstr(m[0].exit.comment, "cannot write the job script"));
	waitpid(pid, &st, 0);
}

/* With a spare set: the first run creates the files and gives them back,
 * the second takes the same inodes, rewrites them and gives them back;
 * a run that leaves something in TMPDIR does not give the set back. */
static void test_shepherd_spare(void **state)
{
	(void)state;
	char spare[256], p[300], text[256];
	snprintf(spare, sizeof spare, "%s/u%u.t.1", dir, (unsigned)getuid());
	struct stat sb;
	ino_t ino_sc = 0, ino_td = 0;
	const char *scripts[] = {"echo first; cat \"$0\" | wc -l\n", "echo two\n"};
	for (int i = 0; i < 2; i++) {
		struct run r;
		char id[16];
		snprintf(id, sizeof id, "%d.sp", 10 + i);
		run_init(&r, id, scripts[i]);
		r.l.spare = spare;
		pid_t pid = run_start(&r);
		struct shep_msg m[2];
		assert_int_equal(read_msgs(r.pfd[0], m, 2), 2);
		close(r.pfd[0]);
		int st;
		waitpid(pid, &st, 0);
		assert_int_equal(m[1].kind, 'E');
		assert_int_equal(report_exit_status(m[1].exit.wstatus), 0);
		assert_true(m[1].exit.spared && m[1].exit.cleaned);
		/* everything went back to the set */
		assert_int_equal(access(r.sc, F_OK), -1);
		assert_int_equal(access(r.nf, F_OK), -1);
		assert_int_equal(access(r.tmpd, F_OK), -1);
		snprintf(p, sizeof p, "%s.SC", spare);
		assert_int_equal(stat(p, &sb), 0);
		assert_string_equal(slurp(p, text, sizeof text), scripts[i]);
		if (i == 0)
			ino_sc = sb.st_ino;
		else
			assert_true(sb.st_ino == ino_sc); /* the same file, rewritten */
		snprintf(p, sizeof p, "%s.NF", spare);
		assert_string_equal(slurp(p, text, sizeof text), "vm\nvm\n");
		snprintf(p, sizeof p, "%s.TD", spare);
		assert_int_equal(stat(p, &sb), 0);
		assert_true(S_ISDIR(sb.st_mode));
		if (i == 0)
			ino_td = sb.st_ino;
		else
			assert_true(sb.st_ino == ino_td);
		assert_string_equal(slurp(r.out, text, sizeof text), i == 0 ? "first\n1\n" : "two\n");
	}
	/* A job that leaves a file in TMPDIR: the set is not given back. */
	struct run r;
	run_init(&r, "12.sp", "touch \"$TMPDIR/left\"\n");
	r.l.spare = spare;
	pid_t pid = run_start(&r);
	struct shep_msg m[2];
	assert_int_equal(read_msgs(r.pfd[0], m, 2), 2);
	close(r.pfd[0]);
	int st;
	waitpid(pid, &st, 0);
	assert_false(m[1].exit.spared);
	assert_int_equal(access(r.tmpd, F_OK), -1); /* removed all the same */
	assert_int_equal(access(r.sc, F_OK), -1);
	snprintf(p, sizeof p, "%s.SC", spare);
	assert_int_equal(access(p, F_OK), -1);
	snprintf(p, sizeof p, "%s.TD", spare);
	assert_int_equal(access(p, F_OK), -1);

	/* A job that made its script big: the set is not given back. */
	snprintf(spare, sizeof spare, "%s/u%u.t.3", dir, (unsigned)getuid());
	run_init(&r, "14.sp", "head -c 70000 /dev/zero >> \"$0\"\n");
	r.l.spare = spare;
	pid = run_start(&r);
	assert_int_equal(read_msgs(r.pfd[0], m, 2), 2);
	close(r.pfd[0]);
	waitpid(pid, &st, 0);
	assert_int_equal(report_exit_status(m[1].exit.wstatus), 0);
	assert_false(m[1].exit.spared);
	assert_true(m[1].exit.cleaned);
	assert_int_equal(access(r.sc, F_OK), -1);
	snprintf(p, sizeof p, "%s.SC", spare);
	assert_int_equal(access(p, F_OK), -1);

	/* A spare TMPDIR found not empty is not used as it is. */
	snprintf(spare, sizeof spare, "%s/u%u.t.2", dir, (unsigned)getuid());
	snprintf(p, sizeof p, "%s.TD", spare);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof p, "%s.TD/stale", spare);
	touch(p);
	run_init(&r, "13.sp", "ls -A \"$TMPDIR\"; stat -c %a \"$TMPDIR\"\n");
	r.l.spare = spare;
	pid = run_start(&r);
	assert_int_equal(read_msgs(r.pfd[0], m, 2), 2);
	close(r.pfd[0]);
	waitpid(pid, &st, 0);
	assert_true(m[1].exit.spared);
	assert_string_equal(slurp(r.out, text, sizeof text), "700\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fmt_line),	   cmocka_unit_test(test_kv_format_parse),
	    cmocka_unit_test(test_slots),	   cmocka_unit_test(test_files),
	    cmocka_unit_test(test_open_lock_list), cmocka_unit_test(test_id_ok),
	    cmocka_unit_test(test_shepherd_slots), cmocka_unit_test(test_shepherd_run),
	    cmocka_unit_test(test_shepherd_spare),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
