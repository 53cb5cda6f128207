/* spool.h - corral-node's spool directory: what survives a daemon restart.
 * The layout, who writes what and why it is safe are described at the top
 * of spool.c.
 *
 * Records are "key=value" lines; in values '\' and a line break are
 * written "\\" and "\n".  A job's record file ID.JB holds fixed 4 KiB
 * slots, each written in place with one pwrite() and closed by a checksum
 * line, so a reader never takes a half-written slot for a record.  The slot
 * and file writers below use no allocation, so the shepherd (a forked
 * child) may call them too.
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
	char *spare; /* DIR/spare (see spare.h) */
	int lockfd; /* -1 when not locked */
};

/* Create the directories (0755; tmp 0711), take the lock (-EBUSY with a
 * message when another daemon holds it) and write our pid into it. */
int spool_open(struct spool *s, const char *dir, corral_error_t *err);
void spool_close(struct spool *s);

/* "DIR/jobs/<id><suffix>" into buf; false when it does not fit. */
bool spool_job_path(const struct spool *s, const char *id, const char *suffix, char *buf, size_t n);
/* "DIR/tmp/<id>" (the job's TMPDIR) into buf; false when it does not fit. */
bool spool_tmp_path(const struct spool *s, const char *id, char *buf, size_t n);
/* Is id usable as a file name (no '/', not "." or "..", no control
 * characters, at most 200 bytes)? */
bool spool_id_ok(const char *id);
#define SPOOL_ID_MAX 200

/* Append "key=value\n" with value escaped to buf[*pos..n); false (and
 * *pos unchanged) when it does not fit. */
bool spool_fmt_line(char *buf, size_t n, size_t *pos, const char *key, const char *value);
/* Parse key=value lines into kv (appended; unescaped).  Lines without '='
 * are ignored. */
void spool_kv_parse(const char *text, size_t len, struct kv *kv);
/* kv as key=value lines into buf (NUL-terminated), *len the length; false
 * when it does not fit (then buf holds the lines that did). */
bool spool_kv_format(const struct kv *kv, char *buf, size_t n, size_t *len);

/* The slots of a record file (ID.JB). */
#define SPOOL_SLOT_SIZE 4096
enum spool_slot {
	SLOT_JOB = 0,	/* the daemon's record of the job */
	SLOT_START = 1, /* the shepherd: the job runs */
	SLOT_EXIT = 2,	/* the shepherd: the job has ended */
};
/* Largest text a slot takes (the checksum line needs the rest). */
#define SPOOL_SLOT_TEXT (SPOOL_SLOT_SIZE - 32)

/* Write text (key=value lines) into slot of the open record fd: one
 * pwrite of the whole slot, the text followed by "sum=<hex>\n" and zero
 * padding.  0, -E2BIG when the text does not fit, or -errno. */
int spool_slot_write(int fd, enum spool_slot slot, const char *text, size_t len);
/* Read slot of fd into buf (SPOOL_SLOT_SIZE bytes) and check it: 0 with
 * the text (NUL-terminated, without the checksum line) and *len; -ENOENT
 * when the slot was never written; -EINVAL when it is not a complete
 * record (torn or still being written); -errno. */
int spool_slot_read(int fd, enum spool_slot slot, char *buf, size_t *len);
/* spool_slot_read() parsed into kv (appended). */
int spool_slot_read_kv(int fd, enum spool_slot slot, struct kv *kv);

/* Create path with O_EXCL (a leftover of that name is removed first),
 * write data, give it to uid/gid when uid is not (uid_t)-1, with mode.
 * Nothing refers to these files before the job's record does, so no
 * temporary name is needed.  0 or -errno (the file is removed). */
int spool_create_file(const char *path, const void *data, size_t len, mode_t mode, uid_t uid,
		      gid_t gid);

/* Rewrite the existing regular file path (a spare renamed into place)
 * to hold data with mode: written over what it held, then cut to len, so
 * that blocks it had are kept rather than freed and allocated again.
 * 0 or -errno. */
int spool_rewrite_file(const char *path, const void *data, size_t len, mode_t mode);

/* Write slot 0 of fd with text and zero slots 1 and 2 (a record file
 * reused for another job).  0 or -errno. */
int spool_record_reset(int fd, const char *text, size_t len);

/* Ids of every DIR/jobs/ *.JB record, sorted; *ids is a malloc'ed array of
 * malloc'ed strings.  Files of jobs without a record (a launch cut short,
 * leftovers of older versions: *.tmp, *.ST, *.EX) and empty TMPDIRs of
 * such jobs are removed.  Call only with the spool locked, before jobs
 * start.  Returns the count or -errno. */
int spool_list_jobs(const struct spool *s, char ***ids);
/* Remove every file of job id: script, node file, an empty TMPDIR, then
 * the record. */
void spool_remove_job(const struct spool *s, const char *id);
/* Remove the record of job id only (its other files are gone). */
void spool_remove_record(const struct spool *s, const char *id);

#endif
