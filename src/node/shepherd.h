/* shepherd.h - the per-job shepherd process.
 *
 * corral-node does not run a job itself: it forks a shepherd, which starts
 * a new session (so it outlives a kill -9 of the daemon and is not hit by
 * signals to the daemon's process group), forks the job, waits for it and
 * writes what happened into the spool:
 *
 *   daemon --fork--> shepherd (root, own session, ignores HUP/INT/TERM/PIPE)
 *                       |--fork--> job: setsid, setgroups/setgid/setuid,
 *                       |          umask, stdin /dev/null, stdout/stderr
 *                       |          opened as the user, chdir home, execve
 *                       |          the shell with the script
 *                       |  exec succeeded (CLOEXEC pipe closed): ID.ST
 *                       |  wait4(job): ID.EX (wait status, rusage), then
 *                       |  SIGKILL to what is left of the job's process
 *                       |  group and removal of the TMPDIR
 *
 * The job is a session and process-group leader: signals for the job
 * (qdel, qsig, walltime) go to its process group, never to the shepherd.
 * Supplementary groups are set with setgroups() from a list the daemon
 * looked up (getgrouplist) before forking, so the child calls no NSS code.
 *
 * The daemon learns of progress through a pipe: the shepherd writes "S\n"
 * once ID.ST exists and "E\n" once ID.EX exists.  After a daemon restart
 * the pipe is gone (writes fail quietly) and the new daemon polls the
 * shepherd's pid instead; the files are the truth either way.
 */
#ifndef CORRAL_NODE_SHEPHERD_H
#define CORRAL_NODE_SHEPHERD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "src/common/error.h"

enum launch_join { JOIN_NONE, JOIN_OE, JOIN_EO };

/* Everything the shepherd and the job need, prepared by the daemon.
 * Borrowed: valid until shepherd_start() returns (the child has a copy). */
struct launch {
	const char *jobid;
	bool setids; /* daemon is root: become uid/gid/groups */
	uid_t uid;
	gid_t gid;
	const gid_t *groups; /* supplementary groups */
	int ngroups;
	const char *shell;     /* program to exec */
	char *const *argv;     /* its argv (NULL-terminated) */
	char *const *envp;     /* the job environment */
	const char *cwd;       /* working directory (the owner's home) */
	const char *out_path;  /* stdout file */
	const char *err_path;  /* stderr file */
	enum launch_join join; /* oe: both into out_path; eo: both into err_path */
	mode_t umask;
	const char *start_path; /* ID.ST */
	const char *exit_path;	/* ID.EX */
	const char *tmpdir;	/* the job's TMPDIR, removed at the end; may be NULL */
};

/* Memory the shepherd may overwrite with its own title ("corral-shepherd
 * 12.vm") so that ps tells it from the daemon: main() passes the area of
 * its argv strings.  Optional. */
void shepherd_set_title_area(char *start, size_t len);

/* Fork the shepherd.  Returns its pid (the daemon's child) and the read
 * end of the notification pipe (CLOEXEC) in *notify_fd, or -errno with err
 * filled (nothing was started). */
pid_t shepherd_start(const struct launch *l, int *notify_fd, corral_error_t *err);

/* ID.ST: the job runs. */
struct shep_start {
	pid_t pid;
	unsigned long long proc_start; /* /proc starttime of pid */
	int64_t start_ms;	       /* epoch milliseconds */
};
/* ID.EX: the job has ended (or never started: failed). */
struct shep_exit {
	bool failed; /* the job could not start; status holds why */
	int status;  /* failed: PBS exit status (-1, -10) */
	int wstatus; /* not failed: wait() status */
	int64_t utime_us, stime_us, maxrss_kb;
	int64_t end_ms;	   /* epoch milliseconds */
	char comment[512]; /* failure text and warnings ("" when none) */
};

/* 0, -ENOENT when the file does not exist yet, -EINVAL when malformed. */
int shep_start_read(const char *path, struct shep_start *st);
int shep_exit_read(const char *path, struct shep_exit *ex);

#endif
