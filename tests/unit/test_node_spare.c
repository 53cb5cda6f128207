/* test_node_spare.c - the pool of spare records and per-user file sets
 * (src/node/spare.h): what a start-up scan adopts and removes, lending and
 * returning, the caps. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "src/node/spare.h"

static char dir[64], sdir[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/test_node_spare.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

/* Each test its own pool directory. */
static void new_pool(const char *name)
{
	snprintf(sdir, sizeof sdir, "%s/%s", dir, name);
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void touch(const char *name)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", sdir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
}

static void mkd(const char *name)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", sdir, name);
	assert_int_equal(mkdir(p, 0700), 0);
}

static bool exists(const char *name)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", sdir, name);
	return access(p, F_OK) == 0;
}

static void make_set(unsigned uid, const char *gk)
{
	char n[128];
	snprintf(n, sizeof n, "u%u.%s.SC", uid, gk);
	touch(n);
	snprintf(n, sizeof n, "u%u.%s.NF", uid, gk);
	touch(n);
	snprintf(n, sizeof n, "u%u.%s.TD", uid, gk);
	mkd(n);
}

static void test_scan(void **state)
{
	(void)state;
	struct spares sp;
	unsigned me = (unsigned)getuid();
	new_pool("scan");
	/* a first start creates the directory, root-only */
	spares_init(&sp, sdir, 8);
	struct stat sb;
	assert_int_equal(stat(sdir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	assert_int_equal(spares_free_records(&sp), 0);
	spares_free(&sp);

	make_set(me, "g1.1");
	make_set(me, "g1.10"); /* a prefix of another set's name must not mix */
	make_set(me, "g2.3");
	/* incomplete sets: removed */
	char n[128];
	snprintf(n, sizeof n, "u%u.g1.2.SC", me);
	touch(n);
	snprintf(n, sizeof n, "u%u.g1.4.TD", me);
	mkd(n);
	/* a set whose TMPDIR is a file: removed */
	snprintf(n, sizeof n, "u%u.g1.5.SC", me);
	touch(n);
	snprintf(n, sizeof n, "u%u.g1.5.NF", me);
	touch(n);
	snprintf(n, sizeof n, "u%u.g1.5.TD", me);
	touch(n);
	/* a set claiming another owner than its files have: removed */
	make_set(me + 1, "g1.6");
	touch("r.g1.1");
	touch("r.g1.2");
	mkd("r.g1.3"); /* not a record */
	touch("unrelated");

	spares_init(&sp, sdir, 8);
	assert_int_equal(spares_free_sets(&sp, me), 3);
	assert_int_equal(spares_free_sets(&sp, me + 1), 0);
	assert_int_equal(spares_free_records(&sp), 2);
	snprintf(n, sizeof n, "u%u.g1.2.SC", me);
	assert_false(exists(n));
	snprintf(n, sizeof n, "u%u.g1.4.TD", me);
	assert_false(exists(n));
	snprintf(n, sizeof n, "u%u.g1.5.SC", me);
	assert_false(exists(n));
	snprintf(n, sizeof n, "u%u.g1.5.TD", me);
	assert_false(exists(n));
	snprintf(n, sizeof n, "u%u.g1.6.NF", me + 1);
	assert_false(exists(n));
	snprintf(n, sizeof n, "u%u.g1.10.TD", me);
	assert_true(exists(n));
	assert_true(exists("unrelated")); /* not ours: left */
	spares_free(&sp);

	/* over the cap at start: the extra sets go */
	spares_init(&sp, sdir, 2);
	assert_int_equal(spares_free_sets(&sp, me), 2);
	spares_free(&sp);
	spares_init(&sp, sdir, 8);
	assert_int_equal(spares_free_sets(&sp, me), 2);
	spares_free(&sp);
}

static void test_sets(void **state)
{
	(void)state;
	struct spares sp;
	char p1[256], p2[256], p3[256];
	new_pool("sets");
	spares_init(&sp, sdir, 2);
	/* nothing spare yet: new names, lent until the cap */
	assert_true(spares_take_set(&sp, 1000, p1, sizeof p1));
	assert_true(spares_take_set(&sp, 1000, p2, sizeof p2));
	assert_non_null(strstr(p1, "/sets/u1000."));
	assert_string_not_equal(p1, p2);
	assert_false(spares_take_set(&sp, 1000, p3, sizeof p3)); /* cap: 2 lent */
	/* given back: lent again, same name */
	spares_put_set(&sp, 1000, p1, true);
	assert_int_equal(spares_free_sets(&sp, 1000), 1);
	assert_true(spares_take_set(&sp, 1000, p3, sizeof p3));
	assert_string_equal(p3, p1);
	/* not given back: it no longer counts */
	spares_put_set(&sp, 1000, p2, false);
	assert_true(spares_take_set(&sp, 1001, p2, sizeof p2));
	assert_non_null(strstr(p2, "/sets/u1001."));
	/* full, another user's free set makes room (its entries removed) */
	spares_put_set(&sp, 1000, p3, true);
	char sc[300];
	snprintf(sc, sizeof sc, "%s.SC", p3);
	int fd = open(sc, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	char p4[256];
	assert_true(spares_take_set(&sp, 1002, p4, sizeof p4));
	assert_int_equal(spares_free_sets(&sp, 1000), 0);
	assert_int_equal(access(sc, F_OK), -1);
	/* a set of a user never goes to another */
	spares_put_set(&sp, 1002, p4, true);
	assert_int_equal(spares_free_sets(&sp, 1002), 1);
	assert_int_equal(spares_free_sets(&sp, 1001), 0);
	spares_free(&sp);
}

static void test_records(void **state)
{
	(void)state;
	struct spares sp;
	char rec[256], got[256];
	new_pool("records");
	spares_init(&sp, sdir, 1); /* records: 2 */
	assert_false(spares_take_record(&sp, got, sizeof got));
	for (int i = 0; i < 3; i++) {
		snprintf(rec, sizeof rec, "%s/%d.vm.JB", dir, i);
		int fd = open(rec, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		assert_true(fd >= 0);
		close(fd);
		bool kept = spares_put_record(&sp, rec);
		assert_int_equal(kept, i < 2);
		assert_int_equal(access(rec, F_OK), kept ? -1 : 0);
	}
	assert_int_equal(spares_free_records(&sp), 2);
	assert_true(spares_take_record(&sp, got, sizeof got));
	assert_non_null(strstr(got, "/records/r."));
	assert_int_equal(access(got, F_OK), 0);
	assert_int_equal(spares_free_records(&sp), 1);
	spares_free(&sp);

	/* a pool that cannot be made: everything refused */
	char bad[256];
	snprintf(bad, sizeof bad, "%s/nodir/spare", dir);
	spares_init(&sp, bad, 8);
	assert_false(spares_take_set(&sp, 1000, got, sizeof got));
	assert_false(spares_take_record(&sp, got, sizeof got));
	assert_false(spares_put_record(&sp, rec));
	spares_put_set(&sp, 1000, "x", true); /* harmless */
	spares_free(&sp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scan),
	    cmocka_unit_test(test_sets),
	    cmocka_unit_test(test_records),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
