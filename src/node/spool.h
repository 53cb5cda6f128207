/* spool.h - corral-node's spool directory: what survives a daemon restart.
 *
 * Layout (DIR is --spool, default $CORRAL_HOME/spool/node-<name>):
 *   DIR/lock              flock()ed by the running daemon; holds its pid
 *   DIR/jobs/ID.JB        job record, written by the daemon (key=value)
 *   DIR/jobs/ID.SC        the job script (owned by the job's user, 0500)
 *   DIR/jobs/ID.NF        PBS_NODEFILE (owned by the job's user, 0400)
 *   DIR/jobs/ID.ST        written by the shepherd once the job runs:
 *                         its pid, /proc start time and epoch start time
 *   DIR/jobs/ID.EX        written by the shepherd when the job has ended:
 *                         wait status, rusage, end time (or a failure)
 *   DIR/tmp/ID/           the job's TMPDIR, owned by the user, 0700
 * A job's files go away once the server acknowledged its "ended" event.
 *
 * Records are "key=value" lines; in values '\' and a line break are
 * written "\\" and "\n".  Every file is written to a temporary name and
 * renamed, so a reader never sees half a record.  The writers below use no
 * allocation, so the shepherd (a forked child) may call them too.
 */
#ifndef CORRAL_NODE_SPOOL_H
#define CORRAL_NODE_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "src/common/error.h"
#include "src/common/kv.h"

struct spool {
	char *dir;  /* owned */
	char *jobs; /* DIR/jobs */
	char *tmp;  /* DIR/tmp */
	int lockfd; /* -1 when not locked */
};

/* Create the directories (0755; tmp 0711), take the lock (-EBUSY with a
 * message when another daemon holds it) and write our pid into it. */
int spool_open(struct spool *s, const char *dir, corral_error_t *err);
void spool_close(struct spool *s);

/* "DIR/jobs/<id><suffix>" into buf; false when it does not fit. */
bool spool_job_path(const struct spool *s, const char *id, const char *suffix, char *buf, size_t n);
/* Is id usable as a file name (no '/', not "." or "..", no control
 * characters, at most 200 bytes)? */
bool spool_id_ok(const char *id);

/* Append "key=value\n" with value escaped to buf[*pos..n); false (and
 * *pos unchanged) when it does not fit. */
bool spool_fmt_line(char *buf, size_t n, size_t *pos, const char *key, const char *value);
/* Write data to path atomically (path.tmp, then rename), with mode; when
 * uid is not (uid_t)-1, chown the file first.  0 or -errno. */
int spool_write_atomic(const char *path, const void *data, size_t len, mode_t mode, uid_t uid,
		       gid_t gid);

/* Parse key=value lines into kv (appended; unescaped).  Lines without '='
 * are ignored. */
void spool_kv_parse(const char *text, size_t len, struct kv *kv);
/* Read a record file into kv: 0, -ENOENT, or -errno. */
int spool_kv_read(const char *path, struct kv *kv);
/* Write kv as a record file (mode 0600, atomic). */
int spool_kv_write(const char *path, const struct kv *kv);

/* Ids of every DIR/jobs/ *.JB record, sorted; *ids is a malloc'ed array of
 * malloc'ed strings.  Leftover temporary files (*.tmp) are removed.
 * Returns the count or -errno. */
int spool_list_jobs(const struct spool *s, char ***ids);
/* Remove every file of job id (record, script, nodefile, start, exit). */
void spool_remove_job(const struct spool *s, const char *id);

#endif
