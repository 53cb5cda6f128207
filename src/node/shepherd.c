/* shepherd.c - see shepherd.h.
 *
 * Everything after fork() runs in a copy of the daemon that must not touch
 * the event loop, the log or the heap state of other threads: only system
 * calls, snprintf and the allocation-free spool writers.  Both children end
 * with _exit() (or execve), never by returning.
 *
 * The job child is started with clone(CLONE_VM | CLONE_VFORK) on a stack of
 * its own, as posix_spawn() does: the shepherd's page tables are not
 * copied, its pages not made copy-on-write and nothing is torn down at
 * the exec.  The shepherd waits (CLONE_VFORK) until the child has called
 * execve() or _exit(); until then the child only makes system calls and
 * formats messages on its own stack, never touching memory the shepherd
 * uses.
 *
 * File descriptors in the shepherd: 0-2 /dev/null, 3 the notification
 * pipe (when there is one), 4 the job's record file (holding the lock that
 * tells a restarted daemon we are alive); both close-on-exec, and the job
 * child closes them first thing.
 */
#include "src/node/shepherd.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "src/common/kv.h"
#include "src/node/proc.h"
#include "src/node/report.h"
#include "src/node/spool.h"

/* A message from the job child to the shepherd, one write() each (below
 * PIPE_BUF, so atomic).  'W': a warning, the job goes on; 'F': fatal, the
 * child exits and status is the PBS exit status to report. */
struct child_msg {
	char kind;
	int status;
	char text[240];
};

static void child_say(int fd, char kind, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void child_say(int fd, char kind, int status, const char *fmt, ...)
{
	struct child_msg m;
	memset(&m, 0, sizeof m);
	m.kind = kind;
	m.status = status;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m.text, sizeof m.text, fmt, ap);
	va_end(ap);
	ssize_t w;
	do
		w = write(fd, &m, sizeof m);
	while (w < 0 && errno == EINTR);
}

#define NOTIFY_FD 3
#define RECORD_FD 4

/* The signals the shepherd ignores; the job gets them back at default. */
static const int shep_ignored[] = {SIGPIPE, SIGHUP, SIGINT, SIGTERM};

/* Every disposition to default (the daemon's handlers are libuv's, which
 * must not run here), no signal blocked; then the shepherd's own ignores.
 * The job child inherits this and only undoes the ignores. */
static void shepherd_signals(void)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &sa, NULL); /* fails harmlessly for reserved ones */
	for (size_t i = 0; i < sizeof shep_ignored / sizeof shep_ignored[0]; i++)
		signal(shep_ignored[i], SIG_IGN);
}

static void close_from(int lowfd)
{
#ifdef CLOSE_RANGE_UNSHARE
	if (close_range((unsigned)lowfd, ~0U, 0) == 0)
		return;
#endif
	long max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = lowfd; fd < max; fd++)
		close(fd);
}

/* Open an output file as the (already switched) user.  O_NONBLOCK so that
 * a FIFO without a reader fails instead of hanging the job; then cleared. */
static int open_out(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY | O_NONBLOCK, mode);
	if (fd >= 0) {
		int fl = fcntl(fd, F_GETFL);
		if (fl >= 0)
			fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	}
	return fd;
}

/* Open stdout/stderr of the job: the path; a directory gets
 * "<dir>/<jobid>.OU" (".ER") as in PBS; when that fails, a file of the
 * same name in the working directory (the home), and as a last resort
 * /dev/null, with a warning to the shepherd each time. */
static int open_output(const struct launch *l, const char *path, const char *ext, int msgfd)
{
	char alt[PATH_MAX];
	int fd = open_out(path, 0666);
	if (fd < 0 && errno == EISDIR) {
		snprintf(alt, sizeof alt, "%s/%s.%s", path, l->jobid, ext);
		fd = open_out(alt, 0666);
		if (fd >= 0)
			return fd;
		path = alt;
	}
	if (fd >= 0)
		return fd;
	int e = errno;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	int w = snprintf(alt, sizeof alt, "%s/%s", l->cwd, base);
	if (w > 0 && (size_t)w < sizeof alt && strcmp(alt, path) != 0 &&
	    (fd = open_out(alt, 0666)) >= 0) {
		child_say(msgfd, 'W', 0, "cannot create %s (%s): output written to %s", path,
			  strerror(e), alt);
		return fd;
	}
	child_say(msgfd, 'W', 0, "cannot create %s (%s): output lost", path, strerror(e));
	return open("/dev/null", O_WRONLY);
}

static void job_child(const struct launch *l, int msgfd) __attribute__((noreturn));
static void job_child(const struct launch *l, int msgfd)
{
	/* The record's lock is the shepherd's, not ours. */
	close(NOTIFY_FD);
	close(RECORD_FD);
	/* Default dispositions for the job: the shepherd reset everything
	 * before it forked us, except what it ignores itself. */
	for (size_t i = 0; i < sizeof shep_ignored / sizeof shep_ignored[0]; i++)
		signal(shep_ignored[i], SIG_DFL);
	setsid();
	if (l->setids) {
		if (setgroups((size_t)l->ngroups, l->groups) < 0 || setgid(l->gid) < 0 ||
		    setuid(l->uid) < 0) {
			child_say(msgfd, 'F', EXIT_FAILUID, "cannot switch to uid %u gid %u: %s",
				  (unsigned)l->uid, (unsigned)l->gid, strerror(errno));
			_exit(127);
		}
	}
	umask(l->umask);
	int in = open("/dev/null", O_RDONLY);
	if (in >= 0 && in != 0) {
		dup2(in, 0);
		close(in);
	}
	int out, err;
	if (l->join == JOIN_OE) {
		out = err = open_output(l, l->out_path, "OU", msgfd);
	} else if (l->join == JOIN_EO) {
		out = err = open_output(l, l->err_path, "ER", msgfd);
	} else {
		out = open_output(l, l->out_path, "OU", msgfd);
		err = open_output(l, l->err_path, "ER", msgfd);
	}
	/* dup2 onto 1 and 2 without closing a source that is already 1 or 2 */
	if (out >= 0 && out != 1)
		dup2(out, 1);
	if (err >= 0 && err != 2)
		dup2(err, 2);
	if (out > 2)
		close(out);
	if (err > 2 && err != out)
		close(err);
	if (chdir(l->cwd) < 0) {
		int e = errno;
		dprintf(2, "corral: cannot change to home directory %s: %s; running in /\n", l->cwd,
			strerror(e));
		child_say(msgfd, 'W', 0, "cannot change to home directory %s: %s", l->cwd,
			  strerror(e));
		if (chdir("/") < 0) {
			/* nothing more to try */
		}
	}
	execve(l->shell, l->argv, l->envp);
	int e = errno;
	dprintf(2, "corral: cannot run %s: %s\n", l->shell, strerror(e));
	child_say(msgfd, 'F', EXIT_FAIL1, "cannot run shell %s: %s", l->shell, strerror(e));
	_exit(127);
}

/* gettimeofday, not time(): time() reads a coarse clock that may lag a
 * second boundary, and the daemon compares with gettimeofday. */
static int64_t now_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static bool have_notify;

static void notify(const struct launch *l, char kind, const struct shep_start *st,
		   const struct shep_exit *ex)
{
	if (!have_notify)
		return;
	struct shep_msg m;
	memset(&m, 0, sizeof m);
	m.kind = kind;
	m.shep_pid = getpid();
	snprintf(m.jobid, sizeof m.jobid, "%s", l->jobid);
	if (st)
		m.start = *st;
	if (ex)
		m.exit = *ex;
	ssize_t w;
	/* Fails (EPIPE, ignored) once the daemon that started us is gone. */
	do
		w = write(NOTIFY_FD, &m, sizeof m);
	while (w < 0 && errno == EINTR);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	if (ftw->level == 0)
		return 0; /* the TMPDIR itself: its parent is root's */
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* Remove what is in the job's TMPDIR as the user (a root walk over a tree
 * the user controls could be led astray by symlink swaps), then the
 * directory itself as root. */
static void remove_tmpdir_tree(const struct launch *l)
{
	pid_t pid = fork();
	if (pid == 0) {
		close(NOTIFY_FD);
		close(RECORD_FD);
		if (l->setids &&
		    (setgroups(0, NULL) < 0 || setgid(l->gid) < 0 || setuid(l->uid) < 0))
			_exit(1);
		nftw(l->tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
		_exit(0);
	}
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	rmdir(l->tmpdir);
}

/* Is the directory path empty?  (getdents64 on the stack: no allocation
 * in the shepherd.) */
static bool dir_empty(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	char buf[1024];
	bool empty = true;
	long n;
	while (empty && (n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
		for (long off = 0; off < n;) {
			/* struct linux_dirent64: ino, off, reclen, type, name */
			unsigned short reclen;
			memcpy(&reclen, buf + off + 16, sizeof reclen);
			const char *name = buf + off + 19;
			if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
				empty = false;
				break;
			}
			off += reclen;
		}
	}
	if (n < 0)
		empty = false;
	close(fd);
	return empty;
}

static void spare_path(const struct launch *l, const char *ext, char *buf, size_t n)
{
	snprintf(buf, n, "%s.%s", l->spare, ext);
}

/* The job's file path holding data: the spare set's one renamed into
 * place and rewritten, else a new one.  0 or -errno. */
static int make_file(const struct launch *l, const char *ext, const char *path, const char *data,
		     size_t len, mode_t mode)
{
	char sp[PATH_MAX];
	if (l->spare) {
		spare_path(l, ext, sp, sizeof sp);
		if (rename(sp, path) == 0) {
			if (spool_rewrite_file(path, data, len, mode) == 0)
				return 0;
			unlink(path); /* not usable: a new one below */
		}
	}
	return spool_create_file(path, data, len, mode, l->setids ? l->uid : (uid_t)-1,
				 l->setids ? l->gid : (gid_t)-1);
}

/* The job's TMPDIR: the spare set's (checked empty), else a new one. */
static int make_tmpdir(const struct launch *l)
{
	char sp[PATH_MAX];
	if (l->spare) {
		spare_path(l, "TD", sp, sizeof sp);
		if (rename(sp, l->tmpdir) == 0) {
			if (dir_empty(l->tmpdir) && chmod(l->tmpdir, 0700) == 0)
				return 0;
			remove_tmpdir_tree(l); /* something was left in it */
		}
	}
	if (mkdir(l->tmpdir, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (l->setids && chown(l->tmpdir, l->uid, l->gid) < 0)
		return -errno;
	return 0;
}

/* Largest script or node file kept in a spare set: the pool is not to
 * hold on to big files (nor to what a job appended to its own script). */
#define SPARE_FILE_MAX (64 * 1024)

static bool small_file(const char *path)
{
	struct stat sb;
	return lstat(path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size <= SPARE_FILE_MAX;
}

/* Give the job's files back to the spare set: true when all three went
 * (a TMPDIR only when empty, files only when small); else none did. */
static bool return_files(const struct launch *l)
{
	char sc[PATH_MAX], nf[PATH_MAX], td[PATH_MAX];
	if (!l->spare || !l->script_path || !l->nodefile_path || !l->tmpdir ||
	    !small_file(l->script_path) || !small_file(l->nodefile_path))
		return false;
	spare_path(l, "SC", sc, sizeof sc);
	spare_path(l, "NF", nf, sizeof nf);
	spare_path(l, "TD", td, sizeof td);
	if (!dir_empty(l->tmpdir) || rename(l->tmpdir, td) < 0)
		return false;
	if (rename(l->script_path, sc) == 0) {
		if (rename(l->nodefile_path, nf) == 0)
			return true;
		unlink(sc);
	}
	rmdir(td);
	return false;
}

/* Remove the job's files; true when all are gone (a TMPDIR the job left
 * files in is not: remove_tmpdir_tree() does it later). */
static bool remove_files(const struct launch *l)
{
	if (l->script_path)
		unlink(l->script_path);
	if (l->nodefile_path)
		unlink(l->nodefile_path);
	return !l->tmpdir || rmdir(l->tmpdir) == 0 || errno == ENOENT;
}

static void append_comment(char *buf, size_t n, const char *text)
{
	size_t used = strlen(buf);
	if (used + 3 >= n)
		return;
	snprintf(buf + used, n - used, "%s%s", used ? "; " : "", text);
}

static void put_num(char *buf, size_t n, size_t *pos, const char *key, long long v)
{
	char num[32];
	snprintf(num, sizeof num, "%lld", v);
	spool_fmt_line(buf, n, pos, key, num);
}

size_t shep_start_format(const struct shep_start *st, char *buf, size_t n)
{
	size_t pos = 0;
	if (n > 0)
		buf[0] = '\0';
	put_num(buf, n, &pos, "pid", (long long)st->pid);
	put_num(buf, n, &pos, "proc_start", (long long)st->proc_start);
	put_num(buf, n, &pos, "start_ms", (long long)st->start_ms);
	return pos;
}

size_t shep_exit_format(const struct shep_exit *ex, char *buf, size_t n)
{
	size_t pos = 0;
	if (n > 0)
		buf[0] = '\0';
	if (ex->failed)
		put_num(buf, n, &pos, "failed", ex->status);
	else
		put_num(buf, n, &pos, "wstatus", ex->wstatus);
	put_num(buf, n, &pos, "cleaned", ex->cleaned);
	put_num(buf, n, &pos, "spared", ex->spared);
	put_num(buf, n, &pos, "utime_us", ex->utime_us);
	put_num(buf, n, &pos, "stime_us", ex->stime_us);
	put_num(buf, n, &pos, "maxrss_kb", ex->maxrss_kb);
	put_num(buf, n, &pos, "end_ms", ex->end_ms);
	if (ex->comment[0])
		spool_fmt_line(buf, n, &pos, "comment", ex->comment);
	return pos;
}

static void write_exit(const struct launch *l, struct shep_exit *ex)
{
	char buf[SPOOL_SLOT_TEXT];
	size_t len = shep_exit_format(ex, buf, sizeof buf);
	spool_slot_write(RECORD_FD, SLOT_EXIT, buf, len);
	notify(l, 'E', NULL, ex);
}

/* The job never ran: say why in slot 2 and go. */
static void fail(const struct launch *l, struct shep_exit *ex, int status, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 4, 5)));
static void fail(const struct launch *l, struct shep_exit *ex, int status, const char *fmt, ...)
{
	char text[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	ex->failed = true;
	ex->status = status;
	append_comment(ex->comment, sizeof ex->comment, text);
	ex->cleaned = remove_files(l);
	ex->end_ms = now_ms();
	write_exit(l, ex);
	_exit(1);
}

static char *title_start;
static size_t title_len;

void shepherd_set_title_area(char *start, size_t len)
{
	title_start = start;
	title_len = len;
}

static void set_title(const char *jobid)
{
	char t[256];
	snprintf(t, sizeof t, "corral-shepherd %s", jobid);
	prctl(PR_SET_NAME, "shepherd", 0, 0, 0);
	if (title_start && title_len > 1) {
		memset(title_start, 0, title_len);
		size_t n = strlen(t);
		memcpy(title_start, t, n < title_len - 1 ? n : title_len - 1);
	}
}

/* Keep the notification pipe as fd 3 and the record as fd 4 (both
 * close-on-exec), /dev/null on 0-2, nothing else: the daemon's sockets,
 * its log and the loop's fds must not stay open in a process that may
 * outlive it. */
static void shepherd_fds(const struct launch *l)
{
	int rfd = fcntl(l->record_fd, F_DUPFD_CLOEXEC, 10);
	int nfd = l->notify_fd >= 0 ? fcntl(l->notify_fd, F_DUPFD_CLOEXEC, 10) : -1;
	if (rfd < 0 || dup3(rfd, RECORD_FD, O_CLOEXEC) < 0)
		_exit(1); /* no record to write to: nothing to do but go */
	if (nfd >= 0 && dup3(nfd, NOTIFY_FD, O_CLOEXEC) == NOTIFY_FD)
		have_notify = true;
	else
		close(NOTIFY_FD);
	close_from(RECORD_FD + 1);
	int nul = open("/dev/null", O_RDWR);
	if (nul >= 0) {
		dup2(nul, 0);
		dup2(nul, 1);
		dup2(nul, 2);
		if (nul > 2)
			close(nul);
	}
}

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
struct child_args {
	const struct launch *l;
	int msgfd;  /* write end of the child's message pipe */
	int readfd; /* its read end: the shepherd's */
};

static int job_child_entry(void *arg)
{
	struct child_args *a = arg;
	close(a->readfd);
	job_child(a->l, a->msgfd);
}
#endif

/* Start the job child: 0 in the child when it had to be fork()ed, its pid
 * in the shepherd, -1 with errno on failure. */
static pid_t spawn_job(const struct launch *l, int mp[2])
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	(void)l;
	(void)mp;
	return fork(); /* sanitizers do not follow a child on a foreign stack */
#else
	const size_t size = 256 * 1024;
	void *stack = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return fork();
	struct child_args a = {.l = l, .msgfd = mp[1], .readfd = mp[0]};
	/* returns once the child has exec'd or exited: the stack is free */
	pid_t pid = clone(job_child_entry, (char *)stack + size, CLONE_VM | CLONE_VFORK | SIGCHLD,
			  &a);
	int e = errno;
	munmap(stack, size);
	errno = e;
	return pid;
#endif
}

static void shepherd_main(const struct launch *l) __attribute__((noreturn));
static void shepherd_main(const struct launch *l)
{
	shepherd_signals();
	setsid();
	set_title(l->jobid);
	shepherd_fds(l);
	struct shep_exit ex;
	memset(&ex, 0, sizeof ex);

	/* The job's files, owned by the user. */
	int rc;
	if (l->script_path && (rc = make_file(l, "SC", l->script_path, l->script,
					      l->script_len, 0700)) < 0)
		fail(l, &ex, EXIT_FAIL1, "cannot write the job script %s: %s", l->script_path,
		     strerror(-rc));
	if (l->nodefile_path && (rc = make_file(l, "NF", l->nodefile_path, l->nodefile,
						l->nodefile_len, 0644)) < 0)
		fail(l, &ex, EXIT_FAIL1, "cannot write %s: %s", l->nodefile_path, strerror(-rc));
	if (l->tmpdir && (rc = make_tmpdir(l)) < 0)
		fail(l, &ex, EXIT_FAIL1, "cannot create TMPDIR %s for uid %u: %s", l->tmpdir,
		     (unsigned)l->uid, strerror(-rc));

	int mp[2];
	if (pipe2(mp, O_CLOEXEC) < 0)
		fail(l, &ex, EXIT_FAIL1, "shepherd: pipe: %s", strerror(errno));
	pid_t pid = spawn_job(l, mp);
	if (pid == 0) {
		close(mp[0]);
		job_child(l, mp[1]);
	}
	close(mp[1]);
	if (pid < 0)
		fail(l, &ex, EXIT_FAIL1, "cannot fork the job: %s", strerror(errno));
	/* Read the child's messages until exec closes the pipe. */
	struct child_msg m;
	for (;;) {
		ssize_t r = read(mp[0], &m, sizeof m);
		if (r < 0 && errno == EINTR)
			continue;
		if (r != (ssize_t)sizeof m)
			break;
		m.text[sizeof m.text - 1] = '\0';
		append_comment(ex.comment, sizeof ex.comment, m.text);
		if (m.kind == 'F') {
			ex.failed = true;
			ex.status = m.status;
		}
	}
	close(mp[0]);
	if (!ex.failed) {
		struct shep_start st = {.pid = pid};
		proc_stat(pid, NULL, &st.proc_start);
		st.start_ms = now_ms();
		char buf[256];
		size_t len = shep_start_format(&st, buf, sizeof buf);
		spool_slot_write(RECORD_FD, SLOT_START, buf, len);
		notify(l, 'S', &st, NULL);
	}
	int status = 0;
	struct rusage ru;
	memset(&ru, 0, sizeof ru);
	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	ex.end_ms = now_ms();
	if (!ex.failed) {
		/* What the job left behind in its process group goes too. */
		kill(-pid, SIGKILL);
		ex.wstatus = status;
		ex.utime_us = (int64_t)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec;
		ex.stime_us = (int64_t)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec;
		ex.maxrss_kb = ru.ru_maxrss;
	}
	ex.spared = return_files(l);
	ex.cleaned = ex.spared || remove_files(l);
	write_exit(l, &ex);
	if (!ex.cleaned)
		remove_tmpdir_tree(l);
	_exit(0);
}

pid_t shepherd_start(const struct launch *l, corral_error_t *err)
{
	pid_t pid = fork();
	if (pid < 0)
		return corral_errorf(err, errno, "fork: %s", strerror(errno));
	if (pid == 0)
		shepherd_main(l);
	return pid;
}

static long long kv_ll(const struct kv *kv, const char *k, long long dflt)
{
	const char *v = kv_get(kv, k);
	return v && *v ? atoll(v) : dflt;
}

int shep_start_parse(const char *text, size_t len, struct shep_start *st)
{
	struct kv kv = {0};
	spool_kv_parse(text, len, &kv);
	int rc = 0;
	if (!kv_get(&kv, "pid")) {
		rc = -EINVAL;
	} else {
		st->pid = (pid_t)kv_ll(&kv, "pid", 0);
		st->proc_start = (unsigned long long)kv_ll(&kv, "proc_start", 0);
		st->start_ms = kv_ll(&kv, "start_ms", 0);
	}
	kv_clear(&kv);
	return rc;
}

int shep_exit_parse(const char *text, size_t len, struct shep_exit *ex)
{
	struct kv kv = {0};
	spool_kv_parse(text, len, &kv);
	int rc = 0;
	memset(ex, 0, sizeof *ex);
	if (kv_get(&kv, "failed")) {
		ex->failed = true;
		ex->status = (int)kv_ll(&kv, "failed", EXIT_FAIL1);
	} else if (kv_get(&kv, "wstatus")) {
		ex->wstatus = (int)kv_ll(&kv, "wstatus", 0);
	} else {
		rc = -EINVAL;
	}
	ex->cleaned = kv_ll(&kv, "cleaned", 0) != 0;
	ex->spared = kv_ll(&kv, "spared", 0) != 0;
	ex->utime_us = kv_ll(&kv, "utime_us", 0);
	ex->stime_us = kv_ll(&kv, "stime_us", 0);
	ex->maxrss_kb = kv_ll(&kv, "maxrss_kb", 0);
	ex->end_ms = kv_ll(&kv, "end_ms", 0);
	const char *c = kv_get(&kv, "comment");
	snprintf(ex->comment, sizeof ex->comment, "%s", c ? c : "");
	kv_clear(&kv);
	return rc;
}

int shep_start_read(int record_fd, struct shep_start *st)
{
	char buf[SPOOL_SLOT_SIZE];
	size_t len;
	int rc = spool_slot_read(record_fd, SLOT_START, buf, &len);
	return rc == 0 ? shep_start_parse(buf, len, st) : rc == -ENOENT ? -ENOENT : -EINVAL;
}

int shep_exit_read(int record_fd, struct shep_exit *ex)
{
	char buf[SPOOL_SLOT_SIZE];
	size_t len;
	int rc = spool_slot_read(record_fd, SLOT_EXIT, buf, &len);
	return rc == 0 ? shep_exit_parse(buf, len, ex) : rc == -ENOENT ? -ENOENT : -EINVAL;
}
