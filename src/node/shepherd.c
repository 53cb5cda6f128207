/* shepherd.c - see shepherd.h.
 *
 * Everything after fork() runs in a copy of the daemon that must not touch
 * the event loop, the log or the heap state of other threads: only system
 * calls, snprintf and the allocation-free spool writers.  Both children end
 * with _exit() (or execve), never by returning.
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
#include <sys/prctl.h>
#include <sys/resource.h>
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

static void reset_signals(void)
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
	/* Default dispositions for the job (the shepherd ignores some). */
	reset_signals();
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

static void notify(int fd, const char *what)
{
	ssize_t w;
	do
		w = write(fd, what, strlen(what));
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

/* Remove the job's TMPDIR: its contents as the user (a root walk over a
 * tree the user controls could be led astray by symlink swaps), then the
 * directory itself as root. */
static void remove_tmpdir(const struct launch *l)
{
	if (!l->tmpdir || rmdir(l->tmpdir) == 0 || errno == ENOENT)
		return;
	pid_t pid = fork();
	if (pid == 0) {
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

static void append_comment(char *buf, size_t n, const char *text)
{
	size_t used = strlen(buf);
	if (used + 3 >= n)
		return;
	snprintf(buf + used, n - used, "%s%s", used ? "; " : "", text);
}

static void write_exit(const struct launch *l, const struct shep_exit *ex)
{
	char buf[2048], num[64];
	size_t pos = 0;
	buf[0] = '\0';
	if (ex->failed) {
		snprintf(num, sizeof num, "%d", ex->status);
		spool_fmt_line(buf, sizeof buf, &pos, "failed", num);
	} else {
		snprintf(num, sizeof num, "%d", ex->wstatus);
		spool_fmt_line(buf, sizeof buf, &pos, "wstatus", num);
	}
	snprintf(num, sizeof num, "%lld", (long long)ex->utime_us);
	spool_fmt_line(buf, sizeof buf, &pos, "utime_us", num);
	snprintf(num, sizeof num, "%lld", (long long)ex->stime_us);
	spool_fmt_line(buf, sizeof buf, &pos, "stime_us", num);
	snprintf(num, sizeof num, "%lld", (long long)ex->maxrss_kb);
	spool_fmt_line(buf, sizeof buf, &pos, "maxrss_kb", num);
	snprintf(num, sizeof num, "%lld", (long long)ex->end_ms);
	spool_fmt_line(buf, sizeof buf, &pos, "end_ms", num);
	if (ex->comment[0])
		spool_fmt_line(buf, sizeof buf, &pos, "comment", ex->comment);
	spool_write_atomic(l->exit_path, buf, pos, 0644, (uid_t)-1, (gid_t)-1);
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

static void shepherd_main(const struct launch *l, int notify_fd) __attribute__((noreturn));
static void shepherd_main(const struct launch *l, int notify_fd)
{
	reset_signals();
	setsid();
	set_title(l->jobid);
	/* Keep only the notification pipe (as fd 3) and /dev/null on 0-2: the
	 * daemon's sockets, its log and the loop's fds must not stay open in a
	 * process that may outlive it. */
	if (notify_fd != 3) {
		dup2(notify_fd, 3);
		close(notify_fd);
	}
	fcntl(3, F_SETFD, FD_CLOEXEC);
	close_from(4);
	int nul = open("/dev/null", O_RDWR);
	if (nul >= 0) {
		dup2(nul, 0);
		dup2(nul, 1);
		dup2(nul, 2);
		if (nul > 2)
			close(nul);
	}
	struct shep_exit ex;
	memset(&ex, 0, sizeof ex);
	int mp[2];
	if (pipe2(mp, O_CLOEXEC) < 0) {
		ex.failed = true;
		ex.status = EXIT_FAIL1;
		snprintf(ex.comment, sizeof ex.comment, "shepherd: pipe: %s", strerror(errno));
		ex.end_ms = now_ms();
		write_exit(l, &ex);
		notify(3, "E\n");
		_exit(1);
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(mp[0]);
		close(3);
		job_child(l, mp[1]);
	}
	close(mp[1]);
	/* The shepherd itself is not to be stopped by job-control signals or
	 * a daemon shutdown; the job got default dispositions above. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	if (pid < 0) {
		ex.failed = true;
		ex.status = EXIT_FAIL1;
		snprintf(ex.comment, sizeof ex.comment, "cannot fork the job: %s", strerror(errno));
		ex.end_ms = now_ms();
		write_exit(l, &ex);
		notify(3, "E\n");
		_exit(1);
	}
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
		unsigned long long ps = 0;
		proc_stat(pid, NULL, &ps);
		char buf[512], num[64];
		size_t pos = 0;
		snprintf(num, sizeof num, "%d", (int)pid);
		spool_fmt_line(buf, sizeof buf, &pos, "pid", num);
		snprintf(num, sizeof num, "%llu", ps);
		spool_fmt_line(buf, sizeof buf, &pos, "proc_start", num);
		snprintf(num, sizeof num, "%lld", (long long)now_ms());
		spool_fmt_line(buf, sizeof buf, &pos, "start_ms", num);
		spool_write_atomic(l->start_path, buf, pos, 0644, (uid_t)-1, (gid_t)-1);
		notify(3, "S\n");
	}
	int st = 0;
	struct rusage ru;
	memset(&ru, 0, sizeof ru);
	while (wait4(pid, &st, 0, &ru) < 0 && errno == EINTR)
		;
	ex.end_ms = now_ms();
	if (!ex.failed) {
		/* What the job left behind in its process group goes too. */
		kill(-pid, SIGKILL);
		ex.wstatus = st;
		ex.utime_us = (int64_t)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec;
		ex.stime_us = (int64_t)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec;
		ex.maxrss_kb = ru.ru_maxrss;
	}
	write_exit(l, &ex);
	notify(3, "E\n");
	remove_tmpdir(l);
	_exit(0);
}

pid_t shepherd_start(const struct launch *l, int *notify_fd, corral_error_t *err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return corral_errorf(err, errno, "pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return corral_errorf(err, e, "fork: %s", strerror(e));
	}
	if (pid == 0) {
		close(p[0]);
		shepherd_main(l, p[1]);
	}
	close(p[1]);
	*notify_fd = p[0];
	return pid;
}

static int read_kv(const char *path, struct kv *kv)
{
	int rc = spool_kv_read(path, kv);
	return rc == -ENOENT ? -ENOENT : rc < 0 ? -EINVAL : 0;
}

static long long kv_ll(const struct kv *kv, const char *k, long long dflt)
{
	const char *v = kv_get(kv, k);
	return v && *v ? atoll(v) : dflt;
}

int shep_start_read(const char *path, struct shep_start *st)
{
	struct kv kv = {0};
	int rc = read_kv(path, &kv);
	if (rc == 0) {
		if (!kv_get(&kv, "pid")) {
			rc = -EINVAL;
		} else {
			st->pid = (pid_t)kv_ll(&kv, "pid", 0);
			st->proc_start = (unsigned long long)kv_ll(&kv, "proc_start", 0);
			st->start_ms = kv_ll(&kv, "start_ms", 0);
		}
	}
	kv_clear(&kv);
	return rc;
}

int shep_exit_read(const char *path, struct shep_exit *ex)
{
	struct kv kv = {0};
	int rc = read_kv(path, &kv);
	if (rc == 0) {
		memset(ex, 0, sizeof *ex);
		if (kv_get(&kv, "failed")) {
			ex->failed = true;
			ex->status = (int)kv_ll(&kv, "failed", EXIT_FAIL1);
		} else if (kv_get(&kv, "wstatus")) {
			ex->wstatus = (int)kv_ll(&kv, "wstatus", 0);
		} else {
			rc = -EINVAL;
		}
		ex->utime_us = kv_ll(&kv, "utime_us", 0);
		ex->stime_us = kv_ll(&kv, "stime_us", 0);
		ex->maxrss_kb = kv_ll(&kv, "maxrss_kb", 0);
		ex->end_ms = kv_ll(&kv, "end_ms", 0);
		const char *c = kv_get(&kv, "comment");
		snprintf(ex->comment, sizeof ex->comment, "%s", c ? c : "");
	}
	kv_clear(&kv);
	return rc;
}
