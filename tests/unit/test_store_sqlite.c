/* test_store_sqlite.c - the contract of store.h on the SQLite back end.
 *
 * Each test gets a fresh database in its own mkdtemp() directory.  Error
 * paths use real failures: a table dropped behind the store's back by a
 * second connection, and RLIMIT_FSIZE to make the WAL write at COMMIT fail.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "src/store/store.h"

struct fixture {
	char dir[64];
	char path[128];
	struct corral_store *st;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	strcpy(f->dir, "/tmp/test_store_sqlite.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/corral.db", f->dir);
	corral_error_t err = {0};
	f->st = store_open(f->path, &err);
	if (!f->st)
		fail_msg("store_open: %s", err.text);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	static const char *const files[] = {"corral.db", "corral.db-wal", "corral.db-shm",
					    "junk.db",	 "new.db",	  "new.db-wal",
					    "new.db-shm"};
	char p[192];
	store_close(f->st);
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", f->dir, files[i]);
		unlink(p);
	}
	assert_int_equal(rmdir(f->dir), 0);
	free(f);
	return 0;
}

static void reopen(struct fixture *f)
{
	corral_error_t err = {0};
	store_close(f->st);
	f->st = store_open(f->path, &err);
	if (!f->st)
		fail_msg("store_open: %s", err.text);
}

/* Run one statement on a second, raw connection and return its first
 * column as text ("" when no row). */
static char *raw_query(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	int rc = sqlite3_step(s);
	assert_true(rc == SQLITE_ROW || rc == SQLITE_DONE);
	const char *t = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : NULL;
	char *r = strdup(t ? t : "");
	sqlite3_finalize(s);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	return r;
}

static void assert_meta(struct corral_store *st, const char *key, const char *want)
{
	char *v = NULL;
	assert_int_equal(store_meta_get(st, key, &v), 0);
	assert_string_equal(v, want);
	free(v);
}

/* --- collecting callbacks ------------------------------------------- */

struct rows {
	int n;
	int stop_at; /* return stop_ret at this call (1-based); 0: never */
	int stop_ret;
	char names[16][32];
	char attrs[16][64];
	int64_t seqs[16];
	size_t lens[16];
	struct corral_store *st; /* for the nested-walk test */
	int nested_ret;
};

static int obj_cb(void *arg, const char *name, const char *attrs)
{
	struct rows *r = arg;
	if (r->n < 16) {
		snprintf(r->names[r->n], sizeof r->names[0], "%s", name);
		snprintf(r->attrs[r->n], sizeof r->attrs[0], "%s", attrs);
	}
	r->n++;
	return r->n == r->stop_at ? r->stop_ret : 0;
}

static int job_cb(void *arg, int64_t seq, const char *attrs, size_t len)
{
	struct rows *r = arg;
	if (r->n < 16) {
		r->seqs[r->n] = seq;
		r->lens[r->n] = len;
		snprintf(r->attrs[r->n], sizeof r->attrs[0], "%s", attrs);
	}
	assert_int_equal(strlen(attrs), len);
	r->n++;
	return r->n == r->stop_at ? r->stop_ret : 0;
}

static int nested_cb(void *arg, int64_t seq, const char *attrs, size_t len)
{
	struct rows *r = arg;
	struct rows inner = {0};
	r->nested_ret = store_job_load(r->st, job_cb, &inner);
	r->n++;
	return 0;
}

/* --- tests ------------------------------------------------------------ */

static void test_schema_created(void **state)
{
	struct fixture *f = *state;
	struct stat sb;

	assert_string_equal(store_errmsg(f->st), "");
	assert_false(store_in_txn(f->st));
	assert_meta(f->st, "schema_version", "1");
	int64_t n = -1;
	assert_int_equal(store_job_count(f->st, &n), 0);
	assert_int_equal(n, 0);

	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);

	char *t = raw_query(f->path, "SELECT group_concat(name, ',') FROM"
				     " (SELECT name FROM sqlite_master WHERE type = 'table'"
				     " ORDER BY name)");
	assert_string_equal(t, "job,job_script,meta,obj");
	free(t);
	t = raw_query(f->path, "PRAGMA journal_mode");
	assert_string_equal(t, "wal");
	free(t);
	t = raw_query(f->path, "SELECT sql FROM sqlite_master WHERE name = 'obj'");
	assert_non_null(strstr(t, "WITHOUT ROWID"));
	free(t);

	/* The database is 0600 whatever the umask allows. */
	char p[192];
	snprintf(p, sizeof p, "%s/new.db", f->dir);
	mode_t old = umask(0);
	corral_error_t err = {0};
	struct corral_store *st = store_open(p, &err);
	umask(old);
	assert_non_null(st);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	snprintf(p, sizeof p, "%s/new.db-wal", f->dir);
	if (stat(p, &sb) == 0)
		assert_int_equal(sb.st_mode & 0777, 0600);
	store_close(st);
}

static void test_reopen(void **state)
{
	struct fixture *f = *state;
	reopen(f);
	assert_meta(f->st, "schema_version", "1");
	reopen(f);
	assert_meta(f->st, "schema_version", "1");
}

static void test_newer_schema_refused(void **state)
{
	struct fixture *f = *state;
	corral_error_t err = {0};

	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(store_meta_put(f->st, "schema_version", "2"), 0);
	assert_int_equal(store_commit(f->st), 0);
	store_close(f->st);
	f->st = store_open(f->path, &err);
	assert_null(f->st);
	assert_int_equal(err.code, ENOTSUP);
	assert_non_null(strstr(err.text, "schema version 2 is newer"));
	assert_non_null(strstr(err.text, f->path));

	/* Refusing did not touch the file. */
	char *t = raw_query(f->path, "SELECT value FROM meta WHERE key = 'schema_version'");
	assert_string_equal(t, "2");
	free(t);
	t = raw_query(f->path, "UPDATE meta SET value = 'x1' WHERE key = 'schema_version'");
	free(t);
	memset(&err, 0, sizeof err);
	assert_null(store_open(f->path, &err));
	assert_int_equal(err.code, EIO);
	assert_non_null(strstr(err.text, "bad schema version 'x1'"));

	t = raw_query(f->path, "UPDATE meta SET value = '1' WHERE key = 'schema_version'");
	free(t);
	reopen(f);
}

static void test_open_errors(void **state)
{
	struct fixture *f = *state;
	corral_error_t err = {0};
	char p[192];

	assert_null(store_open(NULL, &err));
	assert_int_equal(err.code, EINVAL);
	assert_null(store_open("", NULL));

	snprintf(p, sizeof p, "%s/junk.db", f->dir);
	FILE *fp = fopen(p, "w");
	assert_non_null(fp);
	for (int i = 0; i < 100; i++)
		fputs("this is not an SQLite database\n", fp);
	fclose(fp);
	memset(&err, 0, sizeof err);
	assert_null(store_open(p, &err));
	assert_int_equal(err.code, EIO);
	assert_non_null(strstr(err.text, "not a database"));
	assert_int_equal(access(p, F_OK), 0); /* not ours to remove */

	snprintf(p, sizeof p, "%s/no/such/dir/x.db", f->dir);
	memset(&err, 0, sizeof err);
	assert_null(store_open(p, &err));
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.text, "x.db"));
}

static void test_meta(void **state)
{
	struct fixture *f = *state;
	char *v = (char *)"untouched";

	assert_int_equal(store_meta_get(f->st, "next_seq", &v), -ENOENT);
	assert_string_equal(v, "untouched");
	assert_non_null(strstr(store_errmsg(f->st), "next_seq"));

	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(store_meta_put(f->st, "next_seq", "17"), 0);
	assert_meta(f->st, "next_seq", "17"); /* own uncommitted write */
	assert_int_equal(store_meta_put(f->st, "next_seq", "18"), 0);
	assert_int_equal(store_meta_put(f->st, "empty", ""), 0);
	assert_int_equal(store_meta_put(f->st, NULL, "x"), -EINVAL);
	assert_int_equal(store_commit(f->st), 0);
	assert_meta(f->st, "next_seq", "18");
	assert_meta(f->st, "empty", "");
	assert_int_equal(store_meta_get(f->st, "next_seq", NULL), -EINVAL);
}

static void test_obj(void **state)
{
	struct fixture *f = *state;
	struct rows r = {0};

	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(store_obj_put(f->st, "queue", "workq", "{\"v\":1}"), 0);
	assert_int_equal(store_obj_put(f->st, "queue", "batch", "{\"v\":2}"), 0);
	assert_int_equal(store_obj_put(f->st, "queue", "long", "{\"v\":3}"), 0);
	assert_int_equal(store_obj_put(f->st, "node", "n001", "{}"), 0);
	assert_int_equal(store_obj_put(f->st, "queue", "batch", "{\"v\":22}"), 0); /* replace */
	assert_int_equal(store_obj_put(f->st, "queue", NULL, "{}"), -EINVAL);
	assert_int_equal(store_commit(f->st), 0);

	assert_int_equal(store_obj_load(f->st, "queue", obj_cb, &r), 0);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.names[0], "batch");
	assert_string_equal(r.attrs[0], "{\"v\":22}");
	assert_string_equal(r.names[1], "long");
	assert_string_equal(r.names[2], "workq");
	assert_string_equal(r.attrs[2], "{\"v\":1}");

	memset(&r, 0, sizeof r);
	assert_int_equal(store_obj_load(f->st, "node", obj_cb, &r), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.names[0], "n001");
	memset(&r, 0, sizeof r);
	assert_int_equal(store_obj_load(f->st, "sched", obj_cb, &r), 0);
	assert_int_equal(r.n, 0);

	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(store_obj_del(f->st, "queue", "long"), 0);
	assert_int_equal(store_obj_del(f->st, "queue", "long"), -ENOENT);
	assert_int_equal(store_obj_del(f->st, "node", "workq"), -ENOENT); /* other kind */
	assert_non_null(strstr(store_errmsg(f->st), "workq"));
	/* -ENOENT does not fail the transaction */
	assert_int_equal(store_commit(f->st), 0);

	reopen(f);
	memset(&r, 0, sizeof r);
	assert_int_equal(store_obj_load(f->st, "queue", obj_cb, &r), 0);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.names[0], "batch");
	assert_string_equal(r.names[1], "workq");
}

static void test_job(void **state)
{
	struct fixture *f = *state;
	static const char script[] = "#!/bin/sh\n\0binary\xff\0tail";
	const size_t slen = sizeof script - 1;
	char *s = NULL;
	size_t len = 99;
	struct rows r = {0};
	int64_t n = 0;

	assert_int_equal(store_begin(f->st), 0);
	/* the length counts, not the NUL: only {"s":3} is stored */
	assert_int_equal(store_job_put(f->st, 3, "{\"s\":3}GARBAGE", 7), 0);
	assert_int_equal(store_job_put(f->st, 1, "{\"s\":1}", 7), 0);
	assert_int_equal(store_job_put(f->st, 2, "{\"s\":0}", 7), 0);
	assert_int_equal(store_job_put(f->st, 2, "{\"s\":2}", 7), 0); /* replace */
	assert_int_equal(store_job_put(f->st, 4, NULL, 0), -EINVAL);
	assert_int_equal(store_job_put_script(f->st, 1, script, slen), 0);
	assert_int_equal(store_job_put_script(f->st, 3, "old", 3), 0);
	assert_int_equal(store_job_put_script(f->st, 3, NULL, 0), 0); /* empty, replaces */
	assert_int_equal(store_job_put_script(f->st, 4, NULL, 5), -EINVAL);
	assert_int_equal(store_job_put_script(f->st, 9, "orphan", 6), 0);
	assert_int_equal(store_commit(f->st), 0);

	assert_int_equal(store_job_count(f->st, &n), 0);
	assert_int_equal(n, 3);

	assert_int_equal(store_job_get_script(f->st, 1, &s, &len), 0);
	assert_int_equal(len, slen);
	assert_memory_equal(s, script, slen);
	assert_int_equal(s[len], '\0');
	free(s);
	assert_int_equal(store_job_get_script(f->st, 3, &s, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(s, "");
	free(s);
	s = NULL;
	len = 99;
	assert_int_equal(store_job_get_script(f->st, 2, &s, &len), -ENOENT);
	assert_null(s);
	assert_int_equal(len, 99);

	assert_int_equal(store_job_load(f->st, job_cb, &r), 0);
	assert_int_equal(r.n, 3);
	for (int i = 0; i < 3; i++) {
		char want[16];
		snprintf(want, sizeof want, "{\"s\":%d}", i + 1);
		assert_int_equal(r.seqs[i], i + 1);
		assert_int_equal(r.lens[i], 7);
		assert_string_equal(r.attrs[i], want);
	}

	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(store_job_del(f->st, 1), 0);
	assert_int_equal(store_job_del(f->st, 1), -ENOENT);
	assert_int_equal(store_job_del(f->st, 42), -ENOENT);
	assert_int_equal(store_job_del(f->st, 2), 0); /* job without a script */
	assert_int_equal(store_job_del(f->st, 9), 0); /* script without a job */
	assert_int_equal(store_commit(f->st), 0);

	reopen(f);
	assert_int_equal(store_job_get_script(f->st, 1, &s, &len), -ENOENT);
	assert_int_equal(store_job_get_script(f->st, 9, &s, &len), -ENOENT);
	assert_int_equal(store_job_count(f->st, &n), 0);
	assert_int_equal(n, 1);
	memset(&r, 0, sizeof r);
	assert_int_equal(store_job_load(f->st, job_cb, &r), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.seqs[0], 3);
}

static void test_write_needs_txn(void **state)
{
	struct fixture *f = *state;
	struct corral_store *st = f->st;

	assert_false(store_in_txn(st));
	assert_int_equal(store_commit(st), 0); /* nothing open: no-op */
	assert_int_equal(store_rollback(st), 0);
	assert_int_equal(store_meta_put(st, "k", "v"), -EINVAL);
	assert_non_null(strstr(store_errmsg(st), "no transaction"));
	assert_int_equal(store_obj_put(st, "queue", "q", "{}"), -EINVAL);
	assert_int_equal(store_obj_del(st, "queue", "q"), -EINVAL);
	assert_int_equal(store_job_put(st, 1, "{}", 2), -EINVAL);
	assert_int_equal(store_job_put_script(st, 1, "x", 1), -EINVAL);
	assert_int_equal(store_job_del(st, 1), -EINVAL);

	char *v = NULL;
	int64_t n = -1;
	assert_int_equal(store_meta_get(st, "k", &v), -ENOENT);
	assert_int_equal(store_job_count(st, &n), 0);
	assert_int_equal(n, 0);
}

static void test_rollback(void **state)
{
	struct fixture *f = *state;
	char *v = NULL;
	int64_t n = -1;

	assert_int_equal(store_begin(f->st), 0);
	assert_true(store_in_txn(f->st));
	assert_int_equal(store_begin(f->st), 0); /* already open: no-op */
	assert_int_equal(store_meta_put(f->st, "k", "v"), 0);
	assert_int_equal(store_job_put(f->st, 1, "{}", 2), 0);
	assert_int_equal(store_obj_put(f->st, "queue", "q", "{}"), 0);
	assert_int_equal(store_job_count(f->st, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_checkpoint(f->st), -EINVAL);
	assert_int_equal(store_rollback(f->st), 0);
	assert_false(store_in_txn(f->st));

	assert_int_equal(store_meta_get(f->st, "k", &v), -ENOENT);
	assert_int_equal(store_job_count(f->st, &n), 0);
	assert_int_equal(n, 0);
	struct rows r = {0};
	assert_int_equal(store_obj_load(f->st, "queue", obj_cb, &r), 0);
	assert_int_equal(r.n, 0);
}

static void test_commit_persists(void **state)
{
	struct fixture *f = *state;
	int64_t n = 0;

	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(store_meta_put(f->st, "server_name", "head"), 0);
	assert_int_equal(store_job_put(f->st, 7, "{\"j\":7}", 7), 0);
	assert_int_equal(store_job_put_script(f->st, 7, "sleep 1\n", 8), 0);
	assert_int_equal(store_commit(f->st), 0);
	assert_false(store_in_txn(f->st));
	assert_int_equal(store_checkpoint(f->st), 0);

	/* An open transaction is rolled back by close. */
	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(store_job_put(f->st, 8, "{\"j\":8}", 7), 0);
	reopen(f);

	assert_meta(f->st, "server_name", "head");
	assert_int_equal(store_job_count(f->st, &n), 0);
	assert_int_equal(n, 1);
	char *s = NULL;
	size_t len = 0;
	assert_int_equal(store_job_get_script(f->st, 7, &s, &len), 0);
	assert_string_equal(s, "sleep 1\n");
	free(s);
}

static void test_callback_stop(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(store_begin(f->st), 0);
	for (int i = 1; i <= 5; i++) {
		char name[8];
		snprintf(name, sizeof name, "q%d", i);
		assert_int_equal(store_obj_put(f->st, "queue", name, "{}"), 0);
		assert_int_equal(store_job_put(f->st, i, "{}", 2), 0);
	}
	assert_int_equal(store_commit(f->st), 0);

	struct rows r = {.stop_at = 3, .stop_ret = 7};
	assert_int_equal(store_job_load(f->st, job_cb, &r), 7);
	assert_int_equal(r.n, 3);
	r = (struct rows){.stop_at = 2, .stop_ret = -42};
	assert_int_equal(store_obj_load(f->st, "queue", obj_cb, &r), -42);
	assert_int_equal(r.n, 2);

	/* The stopped walks left nothing running: a full walk works. */
	r = (struct rows){0};
	assert_int_equal(store_job_load(f->st, job_cb, &r), 0);
	assert_int_equal(r.n, 5);

	/* A walk from inside the same walk is refused. */
	r = (struct rows){.st = f->st};
	assert_int_equal(store_job_load(f->st, nested_cb, &r), 0);
	assert_int_equal(r.n, 5);
	assert_int_equal(r.nested_ret, -EINVAL);
}

static void test_close_null(void **state)
{
	struct fixture *f = *state;
	store_close(NULL);
	assert_string_equal(store_errmsg(NULL), "no store");

	errno = ERANGE;
	store_close(f->st); /* leaves errno alone */
	assert_int_equal(errno, ERANGE);
	f->st = NULL;
}

static void test_bulk_insert(void **state)
{
	struct fixture *f = *state;
	enum { N = 100000 };
	char attrs[128];
	int64_t n = 0;

	assert_int_equal(store_begin(f->st), 0);
	for (int i = 1; i <= N; i++) {
		int len =
		    snprintf(attrs, sizeof attrs,
			     "{\"Job_Name\":\"job%d\",\"job_state\":\"Q\",\"queue\":\"workq\"}", i);
		assert_int_equal(store_job_put(f->st, i, attrs, (size_t)len), 0);
	}
	assert_int_equal(store_commit(f->st), 0);
	assert_int_equal(store_job_count(f->st, &n), 0);
	assert_int_equal(n, N);
	assert_int_equal(store_checkpoint(f->st), 0);

	reopen(f);
	assert_int_equal(store_job_count(f->st, &n), 0);
	assert_int_equal(n, N);
	struct rows r = {0};
	assert_int_equal(store_job_load(f->st, job_cb, &r), 0);
	assert_int_equal(r.n, N);
	assert_int_equal(r.seqs[15], 16);
}

/* A SQLite failure inside a transaction fails the whole transaction. */
static void test_failed_write_fails_txn(void **state)
{
	struct fixture *f = *state;
	char *v = NULL;

	free(raw_query(f->path, "DROP TABLE job_script"));
	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(store_meta_put(f->st, "k", "v"), 0);
	assert_int_equal(store_job_put_script(f->st, 1, "x", 1), -EIO);
	assert_non_null(strstr(store_errmsg(f->st), "no such table"));
	assert_true(store_in_txn(f->st));
	assert_int_equal(store_meta_put(f->st, "k2", "v"), -EIO);
	assert_non_null(strstr(store_errmsg(f->st), "failed earlier"));
	assert_int_equal(store_commit(f->st), -EIO);
	assert_false(store_in_txn(f->st));
	assert_non_null(strstr(store_errmsg(f->st), "no such table"));
	assert_int_equal(store_meta_get(f->st, "k", &v), -ENOENT);

	/* The next transaction starts clean. */
	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(store_meta_put(f->st, "k", "v2"), 0);
	assert_int_equal(store_commit(f->st), 0);
	assert_meta(f->st, "k", "v2");
}

/* COMMIT writes the WAL; a file size limit makes that write fail. */
static void test_failed_commit_rolls_back(void **state)
{
	struct fixture *f = *state;
	static char attrs[1024];
	struct rlimit old, lim;
	int64_t n = -1;

	memset(attrs, 'a', sizeof attrs);
	assert_int_equal(store_begin(f->st), 0);
	for (int i = 1; i <= 2000; i++)
		assert_int_equal(store_job_put(f->st, i, attrs, sizeof attrs), 0);

	void (*oldsig)(int) = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 256 * 1024;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	int rc = store_commit(f->st);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, oldsig);

	assert_true(rc == -ENOSPC || rc == -EIO);
	assert_false(store_in_txn(f->st));
	assert_non_null(strstr(store_errmsg(f->st), "commit"));
	assert_int_equal(store_job_count(f->st, &n), 0);
	assert_int_equal(n, 0);

	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(store_job_put(f->st, 1, "{}", 2), 0);
	assert_int_equal(store_commit(f->st), 0);
	reopen(f);
	assert_int_equal(store_job_count(f->st, &n), 0);
	assert_int_equal(n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_schema_created, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_meta, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_obj, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_job, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_write_needs_txn, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rollback, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_commit_persists, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_callback_stop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_close_null, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bulk_insert, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_write_fails_txn, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_commit_rolls_back, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
