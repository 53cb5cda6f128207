/* test_node_users.c - the cache of job owners' passwd and group entries
 * (src/node/users.h). */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "src/node/users.h"

static void test_lookup_and_ttl(void **state)
{
	(void)state;
	struct passwd *me = getpwuid(getuid());
	assert_non_null(me);
	char name[256], home[4096];
	snprintf(name, sizeof name, "%s", me->pw_name);
	snprintf(home, sizeof home, "%s", me->pw_dir && *me->pw_dir ? me->pw_dir : "/");
	gid_t gid = me->pw_gid;

	struct users *u = users_new(5.0, 4);
	const struct user_info *a, *b;
	char why[256];
	long hits, misses;
	assert_int_equal(users_lookup(u, name, NULL, 100.0, &a, why, sizeof why), 0);
	assert_int_equal(a->uid, getuid());
	assert_int_equal(a->gid, gid);
	assert_string_equal(a->name, name);
	assert_string_equal(a->home, home);
	assert_true(a->ngroups >= 1);
	bool primary = false;
	for (int i = 0; i < a->ngroups; i++)
		primary |= a->groups[i] == gid;
	assert_true(primary);
	/* within the ttl: the same entry, no lookup */
	assert_int_equal(users_lookup(u, name, "", 104.9, &b, why, sizeof why), 0);
	assert_ptr_equal(a, b);
	users_stats(u, &hits, &misses);
	assert_int_equal(hits, 1);
	assert_int_equal(misses, 1);
	/* past it: looked up again */
	assert_int_equal(users_lookup(u, name, NULL, 105.0, &b, why, sizeof why), 0);
	assert_int_equal(b->uid, getuid());
	users_stats(u, &hits, &misses);
	assert_int_equal(misses, 2);
	/* a clock going back does not keep an entry forever */
	assert_int_equal(users_lookup(u, name, NULL, 50.0, &b, why, sizeof why), 0);
	users_stats(u, &hits, &misses);
	assert_int_equal(misses, 3);
	users_free(u);
}

static void test_group_and_unknown(void **state)
{
	(void)state;
	struct passwd *me = getpwuid(getuid());
	assert_non_null(me);
	char name[256];
	snprintf(name, sizeof name, "%s", me->pw_name);
	struct group *g = getgrgid(0);
	assert_non_null(g);
	char gname[256];
	snprintf(gname, sizeof gname, "%s", g->gr_name);

	struct users *u = users_new(5.0, 2);
	const struct user_info *a;
	char why[256];
	/* a group given: its gid; an unknown group: the primary one */
	assert_int_equal(users_lookup(u, name, gname, 1.0, &a, why, sizeof why), 0);
	assert_int_equal(a->gid, 0);
	assert_int_equal(users_lookup(u, name, "no-such-group-corral", 1.0, &a, why, sizeof why),
			 0);
	assert_int_equal(a->gid, me->pw_gid);
	/* an unknown user: an error, and not kept (found once created) */
	long hits, misses;
	assert_int_equal(users_lookup(u, "no-such-user-corral", NULL, 1.0, &a, why, sizeof why),
			 -ENOENT);
	assert_non_null(strstr(why, "unknown user no-such-user-corral"));
	assert_int_equal(users_lookup(u, "no-such-user-corral", NULL, 1.0, &a, why, sizeof why),
			 -ENOENT);
	users_stats(u, &hits, &misses);
	assert_int_equal(hits, 0);
	assert_int_equal(misses, 4);
	/* full (2 entries): the oldest makes room */
	assert_int_equal(users_lookup(u, name, NULL, 2.0, &a, why, sizeof why), 0);
	users_stats(u, &hits, &misses);
	assert_int_equal(misses, 5);
	assert_int_equal(users_lookup(u, name, "no-such-group-corral", 2.5, &a, why, sizeof why),
			 0); /* kept */
	users_stats(u, &hits, &misses);
	assert_int_equal(hits, 1);
	assert_int_equal(users_lookup(u, name, gname, 2.6, &a, why, sizeof why), 0); /* gone */
	users_stats(u, &hits, &misses);
	assert_int_equal(hits, 1);
	assert_int_equal(misses, 6);
	users_free(u);

	/* ttl 0: never kept */
	u = users_new(0, 4);
	assert_int_equal(users_lookup(u, name, NULL, 1.0, &a, why, sizeof why), 0);
	assert_int_equal(users_lookup(u, name, NULL, 1.0, &a, why, sizeof why), 0);
	users_stats(u, &hits, &misses);
	assert_int_equal(hits, 0);
	assert_int_equal(misses, 2);
	users_free(u);
	users_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lookup_and_ttl),
	    cmocka_unit_test(test_group_and_unknown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
