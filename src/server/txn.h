/* txn.h - group commit: one store transaction per loop iteration.
 *
 * A handler that changes state calls txn_begin() before its first store
 * write and marks its reply as mutating.  The end-of-iteration check handle
 * calls txn_end(): commit, then write the accounting records of the
 * iteration, then (in conn_flush_all) the replies.  If the commit fails,
 * the in-memory objects touched in the iteration are reloaded from the
 * store (which rolled back), accounting records are dropped, and mutating
 * replies become errors: nothing is acknowledged that is not on disk.
 */
#ifndef CORRAL_SERVER_TXN_H
#define CORRAL_SERVER_TXN_H

#include <stdint.h>

#include "src/server/server.h"

/* Open the iteration's transaction if needed; 0 or -errno (then the
 * handler must answer with an error and change nothing). */
int txn_begin(struct server *s);
/* Note that job seq / object (kind,name) / server meta changed in this
 * iteration, so a failed commit can restore it from the store. */
void txn_touch_job(struct server *s, int64_t seq);
void txn_touch_obj(struct server *s, enum obj_kind kind, const char *name);
/* Commit (if a transaction is open).  Returns 0 or -errno; *errtext
 * points at a description of the failure. */
int txn_end(struct server *s, const char **errtext);
/* True while the store refuses writes (after a failed commit, until a
 * probe succeeds). */
int txn_create(struct server *s);
void txn_destroy(struct server *s);

#endif
