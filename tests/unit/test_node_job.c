/* test_node_job.c - recovery of a restarted node daemon from its spool
 * (src/node/job.h, jobs_recover): records are made by hand as a daemon
 * and its shepherds would have left them, then a fresh "daemon" (no
 * server link) reads them.
 *   - record only, nobody holds its lock: the daemon died before forking
 *     the shepherd; the job never ran and is forgotten (for the server to
 *     requeue), its files removed
 *   - record with slots 1 and 2: the job ended while the daemon was away;
 *     it is reported (started and ended)
 *   - record held by a live "shepherd": re-adopted and polled; once that
 *     process writes slot 2 and exits, the job ends
 *   - a record whose slot 0 is torn or names another job: removed */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
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

#include "src/node/job.h"
#include "src/node/shepherd.h"
#include "src/node/spool.h"

static char dir[64];

bool node_has_vnode(const struct node *n, const char *name)
{
	for (int i = 0; i < n->nvnodes; i++)
		if (strcmp(n->vnodes[i].name, name) == 0)
			return true;
	return false;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/test_node_job.XXXXXX");
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

struct fixture {
	struct node n;
	struct node_conf conf;
	struct vnode_spec vn;
	uv_loop_t loop;
};

static void node_up(struct fixture *f, const char *spooldir)
{
	memset(f, 0, sizeof *f);
	conf_init(&f->conf);
	assert_int_equal(uv_loop_init(&f->loop), 0);
	snprintf(f->vn.name, sizeof f->vn.name, "vm");
	f->vn.ncpus = 4;
	f->n.loop = &f->loop;
	f->n.conf = &f->conf;
	f->n.vnodes = &f->vn;
	f->n.nvnodes = 1;
	f->n.host = "vm";
	f->n.root = geteuid() == 0;
	f->n.uid = getuid();
	corral_error_t err = {0};
	assert_int_equal(spool_open(&f->n.spool, spooldir, &err), 0);
	f->n.jobs = jobs_create(&f->n);
}

static void on_closed(void *arg) { *(bool *)arg = true; }

static void node_down(struct fixture *f)
{
	bool closed = false;
	jobs_destroy(f->n.jobs, on_closed, &closed);
	uv_run(&f->loop, UV_RUN_DEFAULT);
	assert_true(closed);
	assert_int_equal(uv_loop_close(&f->loop), 0);
	spool_close(&f->n.spool);
	conf_free(&f->conf);
}

static void on_stop(uv_timer_t *t) { uv_stop(t->loop); }

/* Run the loop for ms milliseconds. */
static void run_for(struct fixture *f, uint64_t ms)
{
	uv_timer_t t;
	uv_timer_init(&f->loop, &t);
	uv_timer_start(&t, on_stop, ms, 0);
	uv_run(&f->loop, UV_RUN_DEFAULT);
	uv_close((uv_handle_t *)&t, NULL);
	uv_run(&f->loop, UV_RUN_NOWAIT);
}

/* A record as launch_real() leaves it; the open descriptor (locked when
 * lock is set). */
static int make_record(const struct spool *s, const char *id, const char *slot0, bool lock)
{
	char p[4096];
	assert_true(spool_job_path(s, id, ".JB", p, sizeof p));
	int fd = open(p, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	if (lock)
		assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	char text[512];
	snprintf(text, sizeof text,
		 "id=%s\nexec=real\nstate=running\nuid=%u\ngid=%u\nstart_ms=0\n"
		 "walltime_limit=0\nkill_delay=10\n%s",
		 id, (unsigned)getuid(), (unsigned)getgid(), slot0 ? slot0 : "");
	assert_int_equal(spool_slot_write(fd, SLOT_JOB, text, strlen(text)), 0);
	return fd;
}

static void write_start(int fd, pid_t pid, int64_t ms)
{
	struct shep_start st = {.pid = pid, .proc_start = 1, .start_ms = ms};
	char buf[256];
	size_t len = shep_start_format(&st, buf, sizeof buf);
	assert_int_equal(spool_slot_write(fd, SLOT_START, buf, len), 0);
}

static void write_exit(int fd, int wstatus, int64_t ms)
{
	struct shep_exit ex = {.wstatus = wstatus, .cleaned = true, .end_ms = ms};
	char buf[1024];
	size_t len = shep_exit_format(&ex, buf, sizeof buf);
	assert_int_equal(spool_slot_write(fd, SLOT_EXIT, buf, len), 0);
}

static bool file_exists(const struct spool *s, const char *id, const char *suffix)
{
	char p[4096];
	assert_true(spool_job_path(s, id, suffix, p, sizeof p));
	return access(p, F_OK) == 0;
}

/* The ids in a node.register "jobs" list, sorted into one string. */
static void reported(struct jobs *js, char *buf, size_t n)
{
	json_t *a = jobs_register_list(js);
	buf[0] = '\0';
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
	{
		size_t used = strlen(buf);
		snprintf(buf + used, n - used, "%s%s", used ? " " : "",
			 json_string_value(json_object_get(v, "id")));
	}
	json_decref(a);
}

static void test_recover(void **state)
{
	(void)state;
	char sd[256], ids[512];
	snprintf(sd, sizeof sd, "%s/spool", dir);
	struct spool s;
	corral_error_t err = {0};
	assert_int_equal(spool_open(&s, sd, &err), 0);

	/* 1.vm: record only, no shepherd: never ran */
	int fd = make_record(&s, "1.vm", NULL, false);
	close(fd);
	char p[4096];
	assert_true(spool_job_path(&s, "1.vm", ".SC", p, sizeof p));
	assert_int_equal(spool_create_file(p, "true\n", 5, 0700, (uid_t)-1, (gid_t)-1), 0);
	/* 2.vm: ended while we were away */
	fd = make_record(&s, "2.vm", NULL, false);
	write_start(fd, 4242, 1000);
	write_exit(fd, 3 << 8, 5000);
	close(fd);
	/* 3.vm: its "shepherd" (a child of ours) holds the lock, the job
	 * runs (slot 1); it ends when told to */
	int go[2], ready[2];
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(ready), 0);
	pid_t shep = fork();
	assert_true(shep >= 0);
	if (shep == 0) {
		close(s.lockfd); /* the spool's lock is the daemon's */
		close(go[1]);
		close(ready[0]);
		int rfd = make_record(&s, "3.vm", NULL, true);
		write_start(rfd, getpid(), 2000);
		char c = 'r';
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(1);
		write_exit(rfd, 0, 9000);
		_exit(0);
	}
	close(go[0]);
	close(ready[1]);
	char c;
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	/* 4.vm: slot 0 names another job; 5.vm: slot 0 torn */
	fd = make_record(&s, "4.vm", NULL, false);
	close(fd);
	char p4[4096], p5[4096];
	assert_true(spool_job_path(&s, "4.vm", ".JB", p4, sizeof p4));
	assert_true(spool_job_path(&s, "5.vm", ".JB", p5, sizeof p5));
	fd = open(p4, O_RDWR | O_CLOEXEC);
	assert_int_equal(spool_slot_write(fd, SLOT_JOB, "id=9.vm\nexec=real\n", 18), 0);
	close(fd);
	fd = open(p5, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	assert_int_equal(pwrite(fd, "id=5.vm\nexec=re", 15, 0), 15);
	close(fd);
	spool_close(&s); /* the "old daemon" goes */

	struct fixture f;
	node_up(&f, sd);
	assert_int_equal(jobs_recover(f.n.jobs), 5); /* records found */
	/* 1.vm forgotten with its files; 4.vm and 5.vm removed */
	assert_false(file_exists(&f.n.spool, "1.vm", ".JB"));
	assert_false(file_exists(&f.n.spool, "1.vm", ".SC"));
	assert_false(file_exists(&f.n.spool, "4.vm", ".JB"));
	assert_false(file_exists(&f.n.spool, "5.vm", ".JB"));
	/* 2.vm (ended, not yet acknowledged) and 3.vm (running) are reported */
	assert_int_equal(jobs_count(f.n.jobs), 2);
	reported(f.n.jobs, ids, sizeof ids);
	assert_non_null(strstr(ids, "2.vm"));
	assert_non_null(strstr(ids, "3.vm"));
	assert_null(strstr(ids, "1.vm"));
	json_t *a = jobs_register_list(f.n.jobs);
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
	{
		const char *id = json_string_value(json_object_get(v, "id"));
		json_int_t pid = json_integer_value(json_object_get(v, "pid"));
		if (strcmp(id, "3.vm") == 0)
			assert_int_equal(pid, shep); /* slot 1 read */
		else
			assert_int_equal(pid, 4242);
	}
	json_decref(a);
	/* 3.vm is watched: still there after a poll */
	run_for(&f, 1200);
	assert_int_equal(jobs_count(f.n.jobs), 2);
	assert_true(file_exists(&f.n.spool, "3.vm", ".JB"));
	/* it ends: the next poll finishes it (kept until the server
	 * acknowledges, so still counted) */
	assert_int_equal(write(go[1], "x", 1), 1);
	close(go[1]);
	int st;
	assert_int_equal(waitpid(shep, &st, 0), shep);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	run_for(&f, 1200);
	assert_int_equal(jobs_count(f.n.jobs), 2);
	node_down(&f);

	/* A second restart finds the same two: an end is reported until the
	 * server acknowledged it, never lost. */
	node_up(&f, sd);
	assert_int_equal(jobs_recover(f.n.jobs), 2);
	reported(f.n.jobs, ids, sizeof ids);
	assert_string_equal(ids, "3.vm 2.vm");
	node_down(&f);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_recover),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
