/* store.h - the persistence interface of corral-server.
 *
 * The server keeps every object in memory and uses the store as a journal:
 * it loads everything at start, then writes each change.  All writes made
 * in one event-loop iteration go into one transaction (group commit):
 * store_begin() at the first change, store_commit() before any reply is
 * sent.  A change is acknowledged only after store_commit() returned 0.
 *
 * Objects are opaque JSON texts (attribute maps) keyed by kind and name;
 * jobs are keyed by their sequence number and keep their script apart so
 * the server need not hold scripts in memory.
 *
 * Errors: every function returns 0 (or a count) or a negative errno:
 * -ENOSPC (disk or database full), -EAGAIN (database locked by another
 * process for longer than the busy timeout), -EIO (any other SQLite
 * failure), -ENOENT (no such row), -EINVAL (bad argument, e.g. no
 * transaction open).  The store handle keeps the text of the last error
 * (store_errmsg()).
 *
 * Group commit is all or nothing: once a write inside a transaction has
 * failed in SQLite, the transaction is marked failed; later writes return
 * the same error without doing anything and store_commit() rolls back and
 * returns it.  After a failed store_commit() the transaction has been
 * rolled back and store_in_txn() is false.
 *
 * A handle is used by one thread at a time.
 */
#ifndef CORRAL_STORE_STORE_H
#define CORRAL_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/common/error.h"

struct corral_store;

/* Open (creating if needed) the database at path: WAL journal,
 * synchronous=FULL, schema created or checked (schema version in meta).
 * NULL on failure with err filled. */
struct corral_store *store_open(const char *path, corral_error_t *err);
/* Close; an open transaction is rolled back.  Accepts NULL. */
void store_close(struct corral_store *st);

/* Transactions.  store_begin() (BEGIN IMMEDIATE: takes the write lock,
 * waiting up to the busy timeout) when one is already open is a no-op
 * returning 0.  store_commit() and store_rollback() with no transaction
 * open are no-ops returning 0.  store_errmsg() is "" before any error and
 * stays valid until the next failing call; accepts NULL. */
int store_begin(struct corral_store *st);
bool store_in_txn(const struct corral_store *st);
int store_commit(struct corral_store *st);
int store_rollback(struct corral_store *st);
const char *store_errmsg(const struct corral_store *st);

/* Small key/value table for server-wide data (server attributes, next job
 * sequence number).  get: *value is malloc'ed, caller frees; -ENOENT when
 * absent.  Writes need an open transaction (-EINVAL otherwise). */
int store_meta_get(struct corral_store *st, const char *key, char **value);
int store_meta_put(struct corral_store *st, const char *key, const char *value);

/* Named objects of a kind ("queue", "node", "sched"), attributes as JSON
 * text.  put inserts or replaces. */
int store_obj_put(struct corral_store *st, const char *kind, const char *name, const char *attrs);
int store_obj_del(struct corral_store *st, const char *kind, const char *name);
/* name and attrs are borrowed: valid only during the call.  A callback may
 * write to the store but must not start another walk (-EINVAL). */
typedef int (*store_obj_cb)(void *arg, const char *name, const char *attrs);
/* Calls cb for each object of kind, in name order; a non-zero return from
 * cb stops the walk and is returned.  Returns 0 when the walk completes. */
int store_obj_load(struct corral_store *st, const char *kind, store_obj_cb cb, void *arg);

/* One object's attribute text (*attrs malloc'ed); -ENOENT when absent. */
int store_obj_get(struct corral_store *st, const char *kind, const char *name, char **attrs);

/* Jobs.  put inserts or replaces the attribute text of job seq (len bytes,
 * need not be NUL-terminated); put_script likewise for the script, which
 * may hold any bytes. */
int store_job_put(struct corral_store *st, int64_t seq, const char *attrs, size_t len);
int store_job_put_script(struct corral_store *st, int64_t seq, const char *script, size_t len);
/* *script malloc'ed (NUL-terminated, *len excludes the NUL); -ENOENT. */
int store_job_get_script(struct corral_store *st, int64_t seq, char **script, size_t *len);
/* One job's attribute text (*attrs malloc'ed); -ENOENT when absent. */
int store_job_get(struct corral_store *st, int64_t seq, char **attrs);
/* Deletes the job and its script; -ENOENT when neither exists. */
int store_job_del(struct corral_store *st, int64_t seq);
/* attrs is borrowed (NUL-terminated, len excludes the NUL); same rules as
 * store_obj_cb. */
typedef int (*store_job_cb)(void *arg, int64_t seq, const char *attrs, size_t len);
/* Calls cb for every job in seq order; non-zero from cb stops the walk and
 * is returned.  Returns 0 when the walk completes. */
int store_job_load(struct corral_store *st, store_job_cb cb, void *arg);
/* Number of job rows (as seen by this handle, including its own
 * uncommitted writes) in *n. */
int store_job_count(struct corral_store *st, int64_t *n);

/* Passive WAL checkpoint: copies committed pages back into the database
 * file without waiting for readers or writers, so the WAL stays short.
 * Call it periodically between transactions; -EINVAL inside one. */
int store_checkpoint(struct corral_store *st);

/* Checkpoint the WAL of the database at path through a connection of its
 * own: safe to call from another thread while the owner of the store keeps
 * writing (the server runs it in the libuv thread pool, so the loop never
 * waits for it).  The store itself never checkpoints automatically
 * (wal_autocheckpoint=0).  0 or -errno, errbuf (may be NULL) gets text. */
int store_checkpoint_file(const char *path, char *errbuf, size_t n);

#endif
