/* shepherd.h - the per-job shepherd process.
 *
 * corral-node does not run a job itself: it forks a shepherd, which starts
 * a new session (so it outlives a kill -9 of the daemon and is not hit by
 * signals to the daemon's process group), prepares the job's files, forks
 * the job, waits for it and writes what happened into the job's record
 * file (slots, see spool.c):
 *
 *   daemon: ID.JB created and flock()ed, then
 *   daemon --fork--> shepherd (root, own session, ignores HUP/INT/TERM/PIPE,
 *                    keeps ID.JB open: its lock says "shepherd alive")
 *                       |  ID.SC, ID.NF and TMPDIR, owned by the user:
 *                       |  the user's spare set renamed into place, else
 *                       |  created (O_EXCL, mkdir)
 *                       |--fork--> job: setsid, setgroups/setgid/setuid,
 *                       |          umask, stdin /dev/null, stdout/stderr
 *                       |          opened as the user, chdir home, execve
 *                       |          the shell with the script
 *                       |  exec succeeded (CLOEXEC pipe closed): slot 1
 *                       |  wait4(job): SIGKILL to what is left of the job's
 *                       |  process group, ID.SC, ID.NF and TMPDIR back
 *                       |  to the spare set (or removed), slot 2 (wait
 *                       |  status, rusage)
 *
 * The job is a session and process-group leader: signals for the job
 * (qdel, qsig, walltime) go to its process group, never to the shepherd.
 * Supplementary groups are set with setgroups() from a list the daemon
 * looked up (getgrouplist) before forking, so the child calls no NSS code.
 *
 * The daemon learns of progress through one pipe shared by all the
 * shepherds it started: each writes a struct shep_msg ('S' once slot 1 is
 * written, 'E' once slot 2 is), one write() of less than PIPE_BUF, so
 * messages never interleave.  The message carries what the slot holds, so
 * the daemon need not read the file.  After a daemon restart the pipe is
 * gone (writes fail quietly) and the new daemon polls the record file
 * instead; the file is the truth either way.
 */
#ifndef CORRAL_NODE_SHEPHERD_H
#define CORRAL_NODE_SHEPHERD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "src/common/error.h"
#include "src/node/spool.h"

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
	/* Files the shepherd creates for the job (owned by uid/gid when
	 * setids) and removes when it has ended; each may be NULL. */
	const char *script_path; /* 0700, holding script[0..script_len) */
	const char *script;
	size_t script_len;
	const char *nodefile_path; /* 0644, holding nodefile[0..nodefile_len) */
	const char *nodefile;
	size_t nodefile_len;
	const char *tmpdir; /* 0700 */
	/* A spare set of uid's to take the files from and give them back to
	 * (DIR/spare/uUID.G.K, see spare.h); NULL: new files, removed at
	 * the end. */
	const char *spare;
	int record_fd;	    /* ID.JB, open read-write and flock()ed */
	int notify_fd;	    /* write end of the daemon's pipe; -1: none */
};

/* Memory the shepherd may overwrite with its own title ("corral-shepherd
 * 12.vm") so that ps tells it from the daemon: main() passes the area of
 * its argv strings.  Optional. */
void shepherd_set_title_area(char *start, size_t len);

/* Fork the shepherd.  Returns its pid (the daemon's child), or -errno with
 * err filled (nothing was started).  The caller closes its own copy of
 * record_fd afterwards; the lock stays with the shepherd. */
pid_t shepherd_start(const struct launch *l, corral_error_t *err);

/* Slot 1: the job runs. */
struct shep_start {
	pid_t pid;
	unsigned long long proc_start; /* /proc starttime of pid */
	int64_t start_ms;	       /* epoch milliseconds */
};
/* Slot 2: the job has ended (or never started: failed). */
struct shep_exit {
	bool failed; /* the job could not start; status holds why */
	bool cleaned; /* the shepherd removed ID.SC, ID.NF and TMPDIR */
	bool spared;  /* ... by giving them back to the spare set */
	int status;  /* failed: PBS exit status (-1, -10) */
	int wstatus; /* not failed: wait() status */
	int64_t utime_us, stime_us, maxrss_kb;
	int64_t end_ms;	   /* epoch milliseconds */
	char comment[512]; /* failure text and warnings ("" when none) */
};

/* Slot text of st / ex into buf (allocation-free); the length. */
size_t shep_start_format(const struct shep_start *st, char *buf, size_t n);
size_t shep_exit_format(const struct shep_exit *ex, char *buf, size_t n);
/* Parse slot text: 0 or -EINVAL when required keys are missing. */
int shep_start_parse(const char *text, size_t len, struct shep_start *st);
int shep_exit_parse(const char *text, size_t len, struct shep_exit *ex);
/* Read slot 1 / 2 of a record file: 0, -ENOENT when not written (yet),
 * -EINVAL when malformed or incomplete. */
int shep_start_read(int record_fd, struct shep_start *st);
int shep_exit_read(int record_fd, struct shep_exit *ex);

/* A message on the notification pipe (one write(), < PIPE_BUF). */
struct shep_msg {
	char kind;	/* 'S' (start valid) or 'E' (exit valid) */
	pid_t shep_pid; /* the sender */
	char jobid[SPOOL_ID_MAX + 8];
	struct shep_start start;
	struct shep_exit exit;
};

#endif
