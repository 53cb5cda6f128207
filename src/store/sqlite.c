/* sqlite.c - the embedded SQLite back end of store.h.
 *
 * One connection per handle.  The journal is a WAL with synchronous=FULL,
 * so a committed transaction survives a crash or power loss, and readers
 * (an operator's sqlite3 shell, a backup) never block the server.  Every
 * statement the store runs is prepared once at store_open() with
 * SQLITE_PREPARE_PERSISTENT; a call only binds, steps and resets, so the
 * server can write 100,000 jobs a second inside one transaction.
 *
 * Schema, version 1 (meta "schema_version" = "1"):
 *   meta(key TEXT PRIMARY KEY, value TEXT)          server-wide values
 *   obj(kind, name, attrs, PRIMARY KEY(kind, name)) WITHOUT ROWID
 *   job(seq INTEGER PRIMARY KEY, attrs TEXT)        job attributes (JSON)
 *   job_script(seq INTEGER PRIMARY KEY, script BLOB)
 * A database with a newer version is refused rather than misread.
 *
 * SQLite result codes are translated in one place (sqlite_errno()); the
 * text of sqlite3_errmsg() is kept in the handle for store_errmsg().
 */
#include "src/store/faultvfs.h"
#include "src/store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "src/common/buf.h"

#define SCHEMA_VERSION 1
#define BUSY_TIMEOUT_MS 5000

/* Page cache of 64 MiB (negative cache_size is KiB): a big group commit
 * stays in memory until COMMIT instead of spilling pages into the WAL one
 * at a time.  journal_size_limit truncates a WAL grown by such a commit
 * back to 64 MiB after the next checkpoint. */
static const char pragma_sql[] = "PRAGMA synchronous=FULL;"
				 "PRAGMA wal_autocheckpoint=0;"
				 "PRAGMA foreign_keys=OFF;"
				 "PRAGMA cache_size=-65536;"
				 "PRAGMA temp_store=MEMORY;"
				 "PRAGMA journal_size_limit=67108864;";

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS obj(kind TEXT, name TEXT, attrs TEXT,"
    " PRIMARY KEY(kind, name)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS job(seq INTEGER PRIMARY KEY, attrs TEXT);"
    "CREATE TABLE IF NOT EXISTS job_script(seq INTEGER PRIMARY KEY, script BLOB);";

enum stmt_id {
	S_BEGIN,
	S_COMMIT,
	S_ROLLBACK,
	S_META_GET,
	S_META_PUT,
	S_OBJ_PUT,
	S_OBJ_DEL,
	S_OBJ_LOAD,
	S_JOB_PUT,
	S_JOB_DEL,
	S_JOB_LOAD,
	S_JOB_COUNT,
	S_SCRIPT_PUT,
	S_SCRIPT_GET,
	S_SCRIPT_DEL,
	S_OBJ_GET,
	S_JOB_GET,
	S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
    [S_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [S_META_PUT] = "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)",
    [S_OBJ_PUT] = "INSERT OR REPLACE INTO obj(kind, name, attrs) VALUES(?1, ?2, ?3)",
    [S_OBJ_DEL] = "DELETE FROM obj WHERE kind = ?1 AND name = ?2",
    [S_OBJ_LOAD] = "SELECT name, attrs FROM obj WHERE kind = ?1 ORDER BY name",
    [S_JOB_PUT] = "INSERT OR REPLACE INTO job(seq, attrs) VALUES(?1, ?2)",
    [S_JOB_DEL] = "DELETE FROM job WHERE seq = ?1",
    [S_JOB_LOAD] = "SELECT seq, attrs FROM job ORDER BY seq",
    [S_JOB_COUNT] = "SELECT count(*) FROM job",
    [S_SCRIPT_PUT] = "INSERT OR REPLACE INTO job_script(seq, script) VALUES(?1, ?2)",
    [S_SCRIPT_GET] = "SELECT script FROM job_script WHERE seq = ?1",
    [S_SCRIPT_DEL] = "DELETE FROM job_script WHERE seq = ?1",
    [S_OBJ_GET] = "SELECT attrs FROM obj WHERE kind = ?1 AND name = ?2",
    [S_JOB_GET] = "SELECT attrs FROM job WHERE seq = ?1",
};

struct corral_store {
	sqlite3 *db;
	sqlite3_stmt *stmt[S_COUNT]; /* prepared at open, finalized at close */
	bool in_txn;		     /* store_begin() done, not yet ended */
	int txn_err;		     /* 0, or the -errno that failed the open txn */
	char txn_msg[256];	     /* errmsg at the time txn_err was set */
	char errmsg[256];	     /* text of the last error, "" when none */
};

/* The one translation of SQLite result codes into errno values. */
static int sqlite_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EAGAIN;
	case SQLITE_TOOBIG: /* an argument over SQLite's length limit */
		return -EINVAL;
	default:
		return -EIO;
	}
}

/* Record a non-SQLite error; returns -code. */
static int fail(struct corral_store *st, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct corral_store *st, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(st->errmsg, sizeof st->errmsg, fmt, ap);
	va_end(ap);
	return -code;
}

/* Record the connection's error for SQLite result rc; returns the errno.
 * Call before sqlite3_reset() so the message is the step's own. */
static int db_fail(struct corral_store *st, int rc, const char *what)
{
	snprintf(st->errmsg, sizeof st->errmsg, "%s: %s", what, sqlite3_errmsg(st->db));
	return sqlite_errno(rc);
}

/* A write of the open transaction failed in SQLite: fail the whole
 * transaction.  SQLite may even have rolled it back already (SQLITE_FULL,
 * SQLITE_IOERR, ...), after which later writes would run in autocommit
 * mode, outside the group commit. */
static void txn_fail(struct corral_store *st, int err)
{
	if (st->txn_err == 0) {
		st->txn_err = err;
		memcpy(st->txn_msg, st->errmsg, sizeof st->txn_msg);
	}
}

/* Every write starts here: it needs an open transaction that has not
 * failed. */
static int write_check(struct corral_store *st, const char *what)
{
	if (!st->in_txn)
		return fail(st, EINVAL, "%s: no transaction open", what);
	if (st->txn_err)
		return fail(st, -st->txn_err, "%s: transaction failed earlier: %s", what,
			    st->txn_msg);
	return 0;
}

/* Step a bound write statement to completion and reset it. */
static int write_step(struct corral_store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	int ret = 0;
	if (rc != SQLITE_DONE) {
		ret = db_fail(st, rc, what);
		txn_fail(st, ret);
	}
	sqlite3_reset(s);
	return ret;
}

/* A malloc'ed NUL-terminated copy of n bytes at p (p may be NULL if n is
 * 0, as sqlite3_column_blob() returns for an empty blob). */
static char *copy_bytes(const void *p, size_t n)
{
	char *s = xmalloc(n + 1);
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* Run one-time SQL during store_open(). */
static int open_exec(struct corral_store *st, const char *path, const char *sql,
		     corral_error_t *err)
{
	char *msg = NULL;
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);
	if (rc == SQLITE_OK)
		return 0;
	int ret =
	    corral_errorf(err, -sqlite_errno(rc), "%s: %s", path, msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	return ret;
}

/* journal_mode=WAL answers with the mode in force, which stays "delete"
 * (or "memory") when WAL is impossible; a silent fallback would lose the
 * durability and concurrency the server relies on. */
static int set_wal(struct corral_store *st, const char *path, corral_error_t *err)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, "PRAGMA journal_mode=WAL", -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	int ret = 0;
	if (rc == SQLITE_ROW) {
		const char *mode = (const char *)sqlite3_column_text(s, 0);
		if (!mode || strcasecmp(mode, "wal") != 0)
			ret = corral_errorf(err, EIO, "%s: cannot use WAL journal (mode is %s)",
					    path, mode ? mode : "unknown");
	} else {
		ret = corral_errorf(err, -sqlite_errno(rc), "%s: %s", path, sqlite3_errmsg(st->db));
	}
	sqlite3_finalize(s);
	return ret;
}

/* Read meta.schema_version: 0 and *found false when absent. */
static int read_version(struct corral_store *st, const char *path, long *version, bool *found,
			corral_error_t *err)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = 'schema_version'",
				    -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	int ret = 0;
	*found = false;
	if (rc == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(s, 0);
		char *end = NULL;
		errno = 0;
		long v = text ? strtol(text, &end, 10) : 0;
		if (!text || end == text || *end != '\0' || errno || v < 1)
			ret = corral_errorf(err, EIO, "%s: bad schema version '%s' in meta", path,
					    text ? text : "NULL");
		*version = v;
		*found = true;
	} else if (rc != SQLITE_DONE) {
		ret = corral_errorf(err, -sqlite_errno(rc), "%s: %s", path, sqlite3_errmsg(st->db));
	}
	sqlite3_finalize(s);
	return ret;
}

/* Create the schema of a new database or check that of an existing one,
 * in one write transaction so two servers opening a new file at once
 * cannot both create it. */
static int schema_setup(struct corral_store *st, const char *path, corral_error_t *err)
{
	long version = 0;
	bool found;
	int ret = open_exec(st, path, "BEGIN IMMEDIATE", err);
	if (ret < 0)
		return ret;
	ret = open_exec(st, path,
			"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT)", err);
	if (ret == 0)
		ret = read_version(st, path, &version, &found, err);
	if (ret == 0 && !found) {
		ret = open_exec(st, path, schema_sql, err);
		if (ret == 0) {
			char *sql = xasprintf("INSERT INTO meta(key, value)"
					      " VALUES('schema_version', '%d')",
					      SCHEMA_VERSION);
			ret = open_exec(st, path, sql, err);
			free(sql);
		}
	} else if (ret == 0 && version > SCHEMA_VERSION) {
		ret = corral_errorf(err, ENOTSUP,
				    "%s: database schema version %ld is newer than this"
				    " program supports (%d); use a newer corral-server",
				    path, version, SCHEMA_VERSION);
	}
	if (ret == 0)
		ret = open_exec(st, path, "COMMIT", err);
	if (ret < 0 && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return ret;
}

/* Create the database file with mode 0600 unless it exists.  SQLite would
 * create it 0644 (less the umask), and gives the -wal and -shm files the
 * mode of the database file.  *created tells the caller to remove the file
 * again if the open fails. */
static int create_file(const char *path, bool *created, corral_error_t *err)
{
	*created = false;
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return 0;
		return corral_errorf(err, errno, "%s: %s", path, strerror(errno));
	}
	*created = true;
	/* The umask may have removed bits we need. */
	if (fchmod(fd, 0600) < 0) {
		int e = errno;
		close(fd);
		return corral_errorf(err, e, "%s: chmod: %s", path, strerror(e));
	}
	close(fd);
	return 0;
}

struct corral_store *store_open(const char *path, corral_error_t *err)
{
	if (!path || !*path) {
		corral_errorf(err, EINVAL, "store: no database path");
		return NULL;
	}
	struct corral_store *st = xcalloc(1, sizeof *st);
	bool created = false;
	if (create_file(path, &created, err) < 0)
		goto fail;
	int rc = sqlite3_open_v2(path, &st->db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
				 store_fault_vfs());
	if (rc != SQLITE_OK) {
		corral_errorf(err, -sqlite_errno(rc), "%s: %s", path,
			      st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
	if (set_wal(st, path, err) < 0 || open_exec(st, path, pragma_sql, err) < 0 ||
	    schema_setup(st, path, err) < 0)
		goto fail;
	for (int i = 0; i < S_COUNT; i++) {
		rc = sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
					&st->stmt[i], NULL);
		if (rc != SQLITE_OK) {
			corral_errorf(err, -sqlite_errno(rc), "%s: %s: %s", path, stmt_sql[i],
				      sqlite3_errmsg(st->db));
			goto fail;
		}
	}
	return st;
fail:
	store_close(st);
	if (created)
		unlink(path);
	return NULL;
}

void store_close(struct corral_store *st)
{
	if (!st)
		return;
	int saved = errno;
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(st->stmt[i]); /* accepts NULL */
	/* Rolls back an open transaction; succeeds since every statement is
	 * finalized. */
	sqlite3_close(st->db);
	free(st);
	errno = saved;
}

int store_begin(struct corral_store *st)
{
	if (st->in_txn)
		return 0;
	sqlite3_stmt *s = st->stmt[S_BEGIN];
	int rc = sqlite3_step(s);
	int ret = rc == SQLITE_DONE ? 0 : db_fail(st, rc, "begin");
	sqlite3_reset(s);
	if (ret == 0) {
		st->in_txn = true;
		st->txn_err = 0;
	}
	return ret;
}

bool store_in_txn(const struct corral_store *st) { return st->in_txn; }

/* End the transaction by ROLLBACK unless SQLite has already done so. */
static int rollback(struct corral_store *st)
{
	st->in_txn = false;
	st->txn_err = 0;
	if (sqlite3_get_autocommit(st->db))
		return 0;
	sqlite3_stmt *s = st->stmt[S_ROLLBACK];
	int rc = sqlite3_step(s);
	int ret = rc == SQLITE_DONE ? 0 : db_fail(st, rc, "rollback");
	sqlite3_reset(s);
	return ret;
}

int store_commit(struct corral_store *st)
{
	if (!st->in_txn)
		return 0;
	if (st->txn_err) {
		int ret = st->txn_err;
		char msg[sizeof st->txn_msg];
		memcpy(msg, st->txn_msg, sizeof msg);
		rollback(st);
		return fail(st, -ret, "commit: transaction failed: %s", msg);
	}
	sqlite3_stmt *s = st->stmt[S_COMMIT];
	int rc = sqlite3_step(s);
	int ret = rc == SQLITE_DONE ? 0 : db_fail(st, rc, "commit");
	sqlite3_reset(s);
	if (ret == 0) {
		st->in_txn = false;
		return 0;
	}
	/* SQLite leaves a transaction open after some COMMIT failures (busy);
	 * the contract is that a failed commit has rolled back. */
	char keep[sizeof st->errmsg];
	memcpy(keep, st->errmsg, sizeof keep);
	rollback(st);
	memcpy(st->errmsg, keep, sizeof keep);
	return ret;
}

int store_rollback(struct corral_store *st)
{
	if (!st->in_txn)
		return 0;
	return rollback(st);
}

const char *store_errmsg(const struct corral_store *st) { return st ? st->errmsg : "no store"; }

int store_meta_get(struct corral_store *st, const char *key, char **value)
{
	if (!key || !value)
		return fail(st, EINVAL, "meta_get: NULL argument");
	sqlite3_stmt *s = st->stmt[S_META_GET];
	int rc = sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (rc != SQLITE_OK)
		return db_fail(st, rc, "meta_get");
	rc = sqlite3_step(s);
	int ret = 0;
	if (rc == SQLITE_ROW) {
		const void *v = sqlite3_column_text(s, 0);
		*value = copy_bytes(v, (size_t)sqlite3_column_bytes(s, 0));
	} else if (rc == SQLITE_DONE) {
		ret = fail(st, ENOENT, "meta_get: no key '%s'", key);
	} else {
		ret = db_fail(st, rc, "meta_get");
	}
	sqlite3_reset(s);
	return ret;
}

int store_meta_put(struct corral_store *st, const char *key, const char *value)
{
	if (!key || !value)
		return fail(st, EINVAL, "meta_put: NULL argument");
	int ret = write_check(st, "meta_put");
	if (ret < 0)
		return ret;
	sqlite3_stmt *s = st->stmt[S_META_PUT];
	int rc = sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	if (rc != SQLITE_OK)
		return db_fail(st, rc, "meta_put");
	return write_step(st, s, "meta_put");
}

int store_obj_put(struct corral_store *st, const char *kind, const char *name, const char *attrs)
{
	if (!kind || !name || !attrs)
		return fail(st, EINVAL, "obj_put: NULL argument");
	int ret = write_check(st, "obj_put");
	if (ret < 0)
		return ret;
	sqlite3_stmt *s = st->stmt[S_OBJ_PUT];
	int rc = sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 3, attrs, -1, SQLITE_STATIC);
	if (rc != SQLITE_OK)
		return db_fail(st, rc, "obj_put");
	return write_step(st, s, "obj_put");
}

int store_obj_del(struct corral_store *st, const char *kind, const char *name)
{
	if (!kind || !name)
		return fail(st, EINVAL, "obj_del: NULL argument");
	int ret = write_check(st, "obj_del");
	if (ret < 0)
		return ret;
	sqlite3_stmt *s = st->stmt[S_OBJ_DEL];
	int rc = sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	if (rc != SQLITE_OK)
		return db_fail(st, rc, "obj_del");
	ret = write_step(st, s, "obj_del");
	if (ret == 0 && sqlite3_changes(st->db) == 0)
		ret = fail(st, ENOENT, "obj_del: no %s '%s'", kind, name);
	return ret;
}

int store_obj_load(struct corral_store *st, const char *kind, store_obj_cb cb, void *arg)
{
	if (!kind || !cb)
		return fail(st, EINVAL, "obj_load: NULL argument");
	sqlite3_stmt *s = st->stmt[S_OBJ_LOAD];
	/* A callback starting a walk would reset the statement under us. */
	if (sqlite3_stmt_busy(s))
		return fail(st, EINVAL, "obj_load: called from a load callback");
	int rc = sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	if (rc != SQLITE_OK)
		return db_fail(st, rc, "obj_load");
	int ret = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);
		const char *attrs = (const char *)sqlite3_column_text(s, 1);
		ret = cb(arg, name ? name : "", attrs ? attrs : "");
		if (ret != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = db_fail(st, rc, "obj_load");
	sqlite3_reset(s); /* ends the read transaction, if any */
	return ret;
}

int store_job_put(struct corral_store *st, int64_t seq, const char *attrs, size_t len)
{
	if (!attrs)
		return fail(st, EINVAL, "job_put: NULL attrs");
	int ret = write_check(st, "job_put");
	if (ret < 0)
		return ret;
	sqlite3_stmt *s = st->stmt[S_JOB_PUT];
	int rc = sqlite3_bind_int64(s, 1, seq);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text64(s, 2, attrs, len, SQLITE_STATIC, SQLITE_UTF8);
	if (rc != SQLITE_OK)
		return db_fail(st, rc, "job_put");
	return write_step(st, s, "job_put");
}

int store_job_put_script(struct corral_store *st, int64_t seq, const char *script, size_t len)
{
	if (!script && len)
		return fail(st, EINVAL, "job_put_script: NULL script");
	int ret = write_check(st, "job_put_script");
	if (ret < 0)
		return ret;
	sqlite3_stmt *s = st->stmt[S_SCRIPT_PUT];
	int rc = sqlite3_bind_int64(s, 1, seq);
	/* A NULL pointer would bind SQL NULL; "" gives an empty blob. */
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_blob64(s, 2, len ? script : "", len, SQLITE_STATIC);
	if (rc != SQLITE_OK)
		return db_fail(st, rc, "job_put_script");
	return write_step(st, s, "job_put_script");
}

int store_job_get_script(struct corral_store *st, int64_t seq, char **script, size_t *len)
{
	if (!script || !len)
		return fail(st, EINVAL, "job_get_script: NULL argument");
	sqlite3_stmt *s = st->stmt[S_SCRIPT_GET];
	int rc = sqlite3_bind_int64(s, 1, seq);
	if (rc != SQLITE_OK)
		return db_fail(st, rc, "job_get_script");
	rc = sqlite3_step(s);
	int ret = 0;
	if (rc == SQLITE_ROW) {
		/* blob before bytes: the documented safe order */
		const void *p = sqlite3_column_blob(s, 0);
		size_t n = (size_t)sqlite3_column_bytes(s, 0);
		*script = copy_bytes(p, n);
		*len = n;
	} else if (rc == SQLITE_DONE) {
		ret = fail(st, ENOENT, "job_get_script: no script for job %lld", (long long)seq);
	} else {
		ret = db_fail(st, rc, "job_get_script");
	}
	sqlite3_reset(s);
	return ret;
}

int store_job_del(struct corral_store *st, int64_t seq)
{
	int ret = write_check(st, "job_del");
	if (ret < 0)
		return ret;
	sqlite3_stmt *s = st->stmt[S_JOB_DEL];
	int rc = sqlite3_bind_int64(s, 1, seq);
	if (rc != SQLITE_OK)
		return db_fail(st, rc, "job_del");
	if ((ret = write_step(st, s, "job_del")) < 0)
		return ret;
	int n = sqlite3_changes(st->db);
	/* If this one fails, the transaction is failed as a whole, so the
	 * job row deleted above never reaches the database alone. */
	s = st->stmt[S_SCRIPT_DEL];
	rc = sqlite3_bind_int64(s, 1, seq);
	if (rc != SQLITE_OK) {
		ret = db_fail(st, rc, "job_del");
		txn_fail(st, ret);
		return ret;
	}
	if ((ret = write_step(st, s, "job_del")) < 0)
		return ret;
	n += sqlite3_changes(st->db);
	if (n == 0)
		return fail(st, ENOENT, "job_del: no job %lld", (long long)seq);
	return 0;
}

int store_job_load(struct corral_store *st, store_job_cb cb, void *arg)
{
	if (!cb)
		return fail(st, EINVAL, "job_load: NULL callback");
	sqlite3_stmt *s = st->stmt[S_JOB_LOAD];
	if (sqlite3_stmt_busy(s))
		return fail(st, EINVAL, "job_load: called from a load callback");
	int rc;
	int ret = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *attrs = (const char *)sqlite3_column_text(s, 1);
		size_t len = (size_t)sqlite3_column_bytes(s, 1);
		ret = cb(arg, sqlite3_column_int64(s, 0), attrs ? attrs : "", attrs ? len : 0);
		if (ret != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = db_fail(st, rc, "job_load");
	sqlite3_reset(s);
	return ret;
}

int store_job_count(struct corral_store *st, int64_t *n)
{
	if (!n)
		return fail(st, EINVAL, "job_count: NULL argument");
	sqlite3_stmt *s = st->stmt[S_JOB_COUNT];
	int rc = sqlite3_step(s);
	int ret = 0;
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	else
		ret = db_fail(st, rc, "job_count");
	sqlite3_reset(s);
	return ret;
}

int store_checkpoint(struct corral_store *st)
{
	if (st->in_txn)
		return fail(st, EINVAL, "checkpoint: transaction open");
	/* PASSIVE never waits: frames a reader still needs stay in the WAL
	 * for the next call. */
	int rc = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	if (rc != SQLITE_OK)
		return db_fail(st, rc, "checkpoint");
	return 0;
}

/* Step a prepared single-column SELECT and copy its text out. */
static int get_text(struct corral_store *st, sqlite3_stmt *s, char **out, const char *what)
{
	int rc = sqlite3_step(s);
	int ret = 0;
	if (rc == SQLITE_ROW) {
		const void *p = sqlite3_column_text(s, 0);
		size_t n = (size_t)sqlite3_column_bytes(s, 0);
		*out = copy_bytes(p, n);
	} else if (rc == SQLITE_DONE) {
		ret = fail(st, ENOENT, "%s: not found", what);
	} else {
		ret = db_fail(st, rc, what);
	}
	sqlite3_reset(s);
	return ret;
}

int store_obj_get(struct corral_store *st, const char *kind, const char *name, char **attrs)
{
	if (!kind || !name || !attrs)
		return fail(st, EINVAL, "obj_get: NULL argument");
	sqlite3_stmt *s = st->stmt[S_OBJ_GET];
	int rc = sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	if (rc != SQLITE_OK)
		return db_fail(st, rc, "obj_get");
	return get_text(st, s, attrs, "obj_get");
}

int store_job_get(struct corral_store *st, int64_t seq, char **attrs)
{
	if (!attrs)
		return fail(st, EINVAL, "job_get: NULL argument");
	sqlite3_stmt *s = st->stmt[S_JOB_GET];
	int rc = sqlite3_bind_int64(s, 1, seq);
	if (rc != SQLITE_OK)
		return db_fail(st, rc, "job_get");
	return get_text(st, s, attrs, "job_get");
}

int store_checkpoint_file(const char *path, char *errbuf, size_t n)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
				 store_fault_vfs());
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, 1000);
		/* Through SQL: a fresh connection learns the database is in WAL
		 * mode only once it has read it (wal_checkpoint_v2 alone would
		 * see "not WAL" and do nothing). */
		rc = sqlite3_exec(db, "PRAGMA wal_checkpoint(PASSIVE)", NULL, NULL, NULL);
	}
	int ret = rc == SQLITE_OK ? 0 : sqlite_errno(rc);
	if (ret < 0 && errbuf)
		snprintf(errbuf, n, "%s", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	sqlite3_close(db);
	return ret;
}
