/* spare.h - spare inodes for the spool: records, scripts, node files and
 * TMPDIRs are reused instead of being created and removed for every job.
 *
 * Creating and removing files and directories is most of what launching a
 * job costs the node (on ext4 without a journal every new inode is found
 * by skipping the inodes freed in the last minutes, so the cost grows with
 * the launch rate; a directory also needs a block allocated).  Renaming a
 * spare into place costs a few microseconds and allocates nothing.
 *
 * DIR/spare/ (root, 0700) holds
 *   r.G.K            spare record files (root, 0600): reused by any job;
 *                    the daemon rewrites one completely (slot 0, slots 1
 *                    and 2 zeroed) before renaming it to jobs/ID.JB, so a
 *                    record never appears half written
 *   uUID.G.K.SC      a user's spare set: script, node file and TMPDIR
 *   uUID.G.K.NF      owned by UID; the shepherd renames them into place,
 *   uUID.G.K.TD      rewrites the files (TMPDIR: checked empty) and at the
 *                    end renames them back (TMPDIR only when empty)
 * G is a tag of the daemon run that named the set (a set named by an
 * earlier run and returned late by its shepherd cannot collide), K a
 * counter.  A user's set is only ever reused for the same user: a process
 * of that user that kept a file open sees that user's next job, never
 * another user's.  The daemon hands each launch one set (or none, past the
 * cap: the job then gets new files that are removed at its end); the set
 * comes back when the shepherd reports it returned all three.  At start
 * every complete set and record found in DIR/spare is free; the rest is
 * removed (a non-empty TMPDIR is left alone, with a warning).
 */
#ifndef CORRAL_NODE_SPARE_H
#define CORRAL_NODE_SPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct spare_user;

struct spares {
	char *dir;	     /* DIR/spare; NULL: disabled */
	char tag[24];	     /* G */
	unsigned long next;  /* K */
	char **rec;	     /* free spare records (base names) */
	int nrec, caprec, maxrec;
	struct spare_user *u; /* per uid: free sets */
	int nu, capu;
	int sets;    /* sets free or lent out */
	int maxsets; /* cap on sets */
};

/* Scan (creating if need be) dir; max caps the user sets (records: twice
 * that).  A failure leaves the pool disabled (every take fails). */
void spares_init(struct spares *sp, const char *dir, int max);
void spares_free(struct spares *sp);

/* A spare record to rewrite and rename into place: its path into buf;
 * false when there is none (create a new file). */
bool spares_take_record(struct spares *sp, char *buf, size_t n);
/* Make record path (whose shepherd is gone) a spare; false when the pool
 * is full (then remove it). */
bool spares_put_record(struct spares *sp, const char *path);

/* A set for a job of uid: the path prefix ("DIR/spare/uUID.G.K") into buf
 * (an existing set, or a new name whose files the shepherd creates);
 * false when there is none to lend. */
bool spares_take_set(struct spares *sp, uid_t uid, char *buf, size_t n);
/* The set lent out as prefix came back (returned: its three entries are
 * in DIR/spare again) or did not (forgotten). */
void spares_put_set(struct spares *sp, uid_t uid, const char *prefix, bool returned);

/* Free records and sets (for tests and logs). */
int spares_free_records(const struct spares *sp);
int spares_free_sets(const struct spares *sp, uid_t uid);

#endif
