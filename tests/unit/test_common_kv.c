/* test_common_kv.c - the compact attribute list (src/common/kv.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/common/kv.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* "a=1,b=2" for the names and values in iteration order, so a test states
 * the whole expected list in one string. */
static void kv_dump(const struct kv *kv, char *out, size_t n)
{
	size_t used = 0;
	out[0] = '\0';
	for (const char *k = kv_first(kv); k; k = kv_next(kv, k)) {
		int w = snprintf(out + used, n - used, "%s%s=%s", used ? "," : "", k, kv_val(k));
		assert_true(w >= 0 && (size_t)w < n - used);
		used += (size_t)w;
	}
}

/* The stored length must be exactly the sum of the entries. */
static void assert_len_consistent(const struct kv *kv)
{
	size_t sum = 0;
	for (const char *k = kv_first(kv); k; k = kv_next(kv, k))
		sum += strlen(k) + 1 + strlen(kv_val(k)) + 1;
	assert_int_equal(sum, kv->len);
	if (kv->len == 0)
		assert_null(kv->buf);
}

#define ASSERT_KV(kv, want)                                                                        \
	do {                                                                                       \
		char _got[4096];                                                                   \
		kv_dump((kv), _got, sizeof _got);                                                  \
		assert_string_equal(_got, (want));                                                 \
		assert_len_consistent(kv);                                                         \
	} while (0)

static void test_empty(void **state)
{
	struct kv kv = {0};
	assert_null(kv_first(&kv));
	assert_null(kv_get(&kv, "x"));
	assert_null(kv_get(&kv, ""));
	/* removing from an empty list is a no-op */
	kv_set(&kv, "x", NULL);
	assert_null(kv.buf);
	assert_int_equal(kv.len, 0);
	kv_remove_prefix(&kv, "");
	kv_remove_prefix(&kv, "x");
	assert_int_equal(kv.len, 0);
	kv_clear(&kv);
	kv_clear(&kv); /* twice is fine */
	assert_null(kv.buf);
}

static void test_set_get_order(void **state)
{
	struct kv kv = {0};
	kv_set(&kv, "Job_Name", "STDIN");
	kv_set(&kv, "Job_Owner", "alice@host");
	kv_set(&kv, "queue", "workq");
	ASSERT_KV(&kv, "Job_Name=STDIN,Job_Owner=alice@host,queue=workq");
	assert_string_equal(kv_get(&kv, "Job_Name"), "STDIN");
	assert_string_equal(kv_get(&kv, "Job_Owner"), "alice@host");
	assert_string_equal(kv_get(&kv, "queue"), "workq");
	/* exact match only: no prefix or case folding */
	assert_null(kv_get(&kv, "Job"));
	assert_null(kv_get(&kv, "job_name"));
	assert_null(kv_get(&kv, "queuex"));
	/* a value is not a name */
	assert_null(kv_get(&kv, "STDIN"));

	/* replacing keeps the position */
	kv_set(&kv, "Job_Name", "other");
	ASSERT_KV(&kv, "Job_Name=other,Job_Owner=alice@host,queue=workq");
	kv_set(&kv, "Job_Owner", "bob@h");
	ASSERT_KV(&kv, "Job_Name=other,Job_Owner=bob@h,queue=workq");
	kv_set(&kv, "queue", "q");
	ASSERT_KV(&kv, "Job_Name=other,Job_Owner=bob@h,queue=q");
	/* same value again */
	kv_set(&kv, "queue", "q");
	ASSERT_KV(&kv, "Job_Name=other,Job_Owner=bob@h,queue=q");

	/* a new name goes at the end */
	kv_set(&kv, "Priority", "0");
	ASSERT_KV(&kv, "Job_Name=other,Job_Owner=bob@h,queue=q,Priority=0");
	kv_clear(&kv);
	assert_null(kv.buf);
	assert_int_equal(kv.len, 0);
}

static void test_values_grow_and_shrink(void **state)
{
	struct kv kv = {0};
	kv_set(&kv, "a", "1");
	kv_set(&kv, "b", "22");
	kv_set(&kv, "c", "333");

	/* grow the middle one a lot: the tail must move intact */
	char big[1000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	kv_set(&kv, "b", big);
	assert_string_equal(kv_get(&kv, "a"), "1");
	assert_string_equal(kv_get(&kv, "b"), big);
	assert_string_equal(kv_get(&kv, "c"), "333");
	assert_len_consistent(&kv);

	/* shrink it back */
	kv_set(&kv, "b", "y");
	ASSERT_KV(&kv, "a=1,b=y,c=333");

	/* grow and shrink the first and the last */
	kv_set(&kv, "a", "first-value-longer");
	ASSERT_KV(&kv, "a=first-value-longer,b=y,c=333");
	kv_set(&kv, "c", "last-value-longer-still");
	ASSERT_KV(&kv, "a=first-value-longer,b=y,c=last-value-longer-still");
	kv_set(&kv, "a", "");
	ASSERT_KV(&kv, "a=,b=y,c=last-value-longer-still");
	kv_set(&kv, "c", "");
	ASSERT_KV(&kv, "a=,b=y,c=");
	kv_set(&kv, "a", "A");
	ASSERT_KV(&kv, "a=A,b=y,c=");
	kv_clear(&kv);
}

static void test_remove_keeps_order(void **state)
{
	struct kv kv = {0};
	kv_set(&kv, "a", "1");
	kv_set(&kv, "b", "2");
	kv_set(&kv, "c", "3");
	kv_set(&kv, "d", "4");

	kv_set(&kv, "b", NULL); /* middle */
	ASSERT_KV(&kv, "a=1,c=3,d=4");
	assert_null(kv_get(&kv, "b"));
	kv_set(&kv, "b", NULL); /* absent: no-op */
	ASSERT_KV(&kv, "a=1,c=3,d=4");
	kv_set(&kv, "a", NULL); /* first */
	ASSERT_KV(&kv, "c=3,d=4");
	kv_set(&kv, "d", NULL); /* last */
	ASSERT_KV(&kv, "c=3");
	/* a removed name comes back at the end */
	kv_set(&kv, "a", "again");
	ASSERT_KV(&kv, "c=3,a=again");
	kv_set(&kv, "c", NULL);
	kv_set(&kv, "a", NULL);
	/* the list is empty again and owns nothing */
	assert_int_equal(kv.len, 0);
	assert_null(kv.buf);
	assert_null(kv_first(&kv));
	kv_set(&kv, "z", "26");
	ASSERT_KV(&kv, "z=26");
	kv_clear(&kv);
}

static void test_empty_strings(void **state)
{
	struct kv kv = {0};
	/* an empty value is a value, not a removal */
	kv_set(&kv, "e", "");
	assert_non_null(kv_get(&kv, "e"));
	assert_string_equal(kv_get(&kv, "e"), "");
	kv_set(&kv, "f", "x");
	ASSERT_KV(&kv, "e=,f=x");
	/* an empty name is a name like any other */
	kv_set(&kv, "", "anon");
	ASSERT_KV(&kv, "e=,f=x,=anon");
	assert_string_equal(kv_get(&kv, ""), "anon");
	kv_set(&kv, "", "");
	ASSERT_KV(&kv, "e=,f=x,=");
	assert_string_equal(kv_get(&kv, ""), "");
	kv_set(&kv, "", NULL);
	ASSERT_KV(&kv, "e=,f=x");
	assert_null(kv_get(&kv, ""));
	/* empty name first in the list */
	kv_clear(&kv);
	kv_set(&kv, "", "");
	kv_set(&kv, "a", "");
	ASSERT_KV(&kv, "=,a=");
	assert_int_equal(kv.len, 5);
	kv_set(&kv, "", NULL);
	ASSERT_KV(&kv, "a=");
	kv_clear(&kv);
}

static void test_setf(void **state)
{
	struct kv kv = {0};
	kv_setf(&kv, "n", "%d-%s", 42, "x");
	assert_string_equal(kv_get(&kv, "n"), "42-x");
	/* longer than the 128-byte fast path */
	char big[600];
	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	kv_setf(&kv, "big", "<%s>", big);
	const char *v = kv_get(&kv, "big");
	assert_int_equal(strlen(v), sizeof big + 1);
	assert_int_equal(v[0], '<');
	assert_int_equal(v[sizeof big], '>');
	/* exactly at the boundary: 127 and 128 characters */
	kv_setf(&kv, "b127", "%.*s", 127, big);
	assert_int_equal(strlen(kv_get(&kv, "b127")), 127);
	kv_setf(&kv, "b128", "%.*s", 128, big);
	assert_int_equal(strlen(kv_get(&kv, "b128")), 128);
	kv_setf(&kv, "n", "%s", "");
	assert_string_equal(kv_get(&kv, "n"), "");
	/* order: n first (replaced in place), then the others */
	assert_string_equal(kv_first(&kv), "n");
	assert_len_consistent(&kv);
	kv_clear(&kv);
}

static void test_remove_prefix(void **state)
{
	struct kv kv = {0};
	kv_set(&kv, "Resource_List.ncpus", "4");
	kv_set(&kv, "Job_Name", "j");
	kv_set(&kv, "Resource_List.mem", "1gb");
	kv_set(&kv, "Resource_List.walltime", "01:00:00");
	kv_set(&kv, "resources_used.cput", "00:00:01");
	kv_set(&kv, "Resource_List", "bare");
	kv_set(&kv, "queue", "workq");

	kv_remove_prefix(&kv, "Resource_List.");
	ASSERT_KV(&kv, "Job_Name=j,resources_used.cput=00:00:01,Resource_List=bare,queue=workq");
	/* nothing matches: unchanged */
	kv_remove_prefix(&kv, "nomatch");
	ASSERT_KV(&kv, "Job_Name=j,resources_used.cput=00:00:01,Resource_List=bare,queue=workq");
	/* case matters */
	kv_remove_prefix(&kv, "RESOURCES_USED");
	ASSERT_KV(&kv, "Job_Name=j,resources_used.cput=00:00:01,Resource_List=bare,queue=workq");
	/* a prefix equal to a whole name removes it; values are not looked at */
	kv_remove_prefix(&kv, "j");
	ASSERT_KV(&kv, "Job_Name=j,resources_used.cput=00:00:01,Resource_List=bare,queue=workq");
	kv_remove_prefix(&kv, "queue");
	ASSERT_KV(&kv, "Job_Name=j,resources_used.cput=00:00:01,Resource_List=bare");
	/* the empty prefix removes everything */
	kv_remove_prefix(&kv, "");
	assert_int_equal(kv.len, 0);
	assert_null(kv.buf);
	assert_null(kv_first(&kv));

	/* adjacent matches at the head, and all entries matching */
	kv_set(&kv, "x.1", "a");
	kv_set(&kv, "x.2", "b");
	kv_set(&kv, "y", "c");
	kv_set(&kv, "x.3", "d");
	kv_remove_prefix(&kv, "x.");
	ASSERT_KV(&kv, "y=c");
	kv_set(&kv, "x.4", "e");
	kv_remove_prefix(&kv, "y");
	ASSERT_KV(&kv, "x.4=e");
	kv_remove_prefix(&kv, "x");
	assert_null(kv.buf);
	kv_clear(&kv);
}

static void test_copy(void **state)
{
	struct kv src = {0}, dst = {0};
	/* copying an empty list gives an empty list */
	kv_copy(&dst, &src);
	assert_null(dst.buf);
	assert_int_equal(dst.len, 0);

	kv_set(&src, "a", "1");
	kv_set(&src, "b", "");
	kv_set(&src, "c", "three");
	kv_copy(&dst, &src);
	ASSERT_KV(&dst, "a=1,b=,c=three");
	assert_ptr_not_equal(dst.buf, src.buf);
	assert_int_equal(dst.len, src.len);
	assert_memory_equal(dst.buf, src.buf, src.len);

	/* the copy is independent of the source */
	kv_set(&src, "a", "changed-and-longer");
	kv_set(&src, "d", "4");
	kv_set(&dst, "c", NULL);
	ASSERT_KV(&src, "a=changed-and-longer,b=,c=three,d=4");
	ASSERT_KV(&dst, "a=1,b=");

	/* copying over a non-empty destination replaces it (no leak: ASan) */
	kv_copy(&dst, &src);
	ASSERT_KV(&dst, "a=changed-and-longer,b=,c=three,d=4");
	/* and an empty source empties the destination */
	struct kv empty = {0};
	kv_copy(&dst, &empty);
	assert_null(dst.buf);
	assert_int_equal(dst.len, 0);
	kv_clear(&src);
	kv_clear(&dst);
}

static void test_iteration(void **state)
{
	struct kv kv = {0};
	static const char *names[] = {"one", "two", "three", "", "five"};
	static const char *vals[] = {"1", "", "3", "four", "5"};
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		kv_set(&kv, names[i], vals[i]);
	size_t i = 0;
	for (const char *k = kv_first(&kv); k; k = kv_next(&kv, k), i++) {
		assert_true(i < ARRAY_LEN(names));
		assert_string_equal(k, names[i]);
		assert_string_equal(kv_val(k), vals[i]);
		/* pointers stay inside the buffer */
		assert_true(k >= kv.buf && k < kv.buf + kv.len);
	}
	assert_int_equal(i, ARRAY_LEN(names));
	/* kv_next on the last entry ends the walk */
	const char *last = NULL;
	for (const char *k = kv_first(&kv); k; k = kv_next(&kv, k))
		last = k;
	assert_string_equal(last, "five");
	assert_null(kv_next(&kv, last));
	kv_clear(&kv);
}

static void test_many_entries(void **state)
{
	enum { N = 1000 };
	struct kv kv = {0};
	char name[32], val[64];
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof name, "attr%04d", i);
		snprintf(val, sizeof val, "%d", i * 7);
		kv_set(&kv, name, val);
	}
	assert_len_consistent(&kv);
	/* every other one gets a longer value, in place */
	for (int i = 0; i < N; i += 2) {
		snprintf(name, sizeof name, "attr%04d", i);
		snprintf(val, sizeof val, "value-%d-longer-than-before", i);
		kv_set(&kv, name, val);
	}
	/* every third removed */
	for (int i = 0; i < N; i += 3) {
		snprintf(name, sizeof name, "attr%04d", i);
		kv_set(&kv, name, NULL);
	}
	assert_len_consistent(&kv);
	int prev = -1, count = 0;
	for (const char *k = kv_first(&kv); k; k = kv_next(&kv, k)) {
		int i = atoi(k + 4);
		assert_true(i > prev); /* original order */
		assert_int_not_equal(i % 3, 0);
		if (i % 2 == 0)
			snprintf(val, sizeof val, "value-%d-longer-than-before", i);
		else
			snprintf(val, sizeof val, "%d", i * 7);
		assert_string_equal(kv_val(k), val);
		prev = i;
		count++;
	}
	assert_int_equal(count, N - (N + 2) / 3);
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof name, "attr%04d", i);
		if (i % 3 == 0)
			assert_null(kv_get(&kv, name));
		else
			assert_non_null(kv_get(&kv, name));
	}
	/* prefix removal over a big list: attr05xx */
	kv_remove_prefix(&kv, "attr05");
	assert_len_consistent(&kv);
	for (const char *k = kv_first(&kv); k; k = kv_next(&kv, k))
		assert_false(k[4] == '0' && k[5] == '5');
	assert_non_null(kv_get(&kv, "attr0001"));
	assert_null(kv_get(&kv, "attr0501"));
	assert_non_null(kv_get(&kv, "attr0601"));
	kv_clear(&kv);
}

/* Names and values are copied: changing the caller's strings afterwards
 * does not reach the list. */
static void test_copies_strings(void **state)
{
	struct kv kv = {0};
	char name[8] = "name", val[8] = "val";
	kv_set(&kv, name, val);
	strcpy(name, "XXXX");
	strcpy(val, "YYY");
	ASSERT_KV(&kv, "name=val");
	/* kv_get's pointer stays valid while nothing changes */
	kv_set(&kv, "other", "o");
	const char *v = kv_get(&kv, "name");
	assert_string_equal(kv_get(&kv, "other"), "o");
	assert_string_equal(v, "val");
	ASSERT_KV(&kv, "name=val,other=o");
	kv_clear(&kv);
}

static void test_append(void **state)
{
	struct kv a = {0}, b = {0};
	/* appending new names builds the same list as kv_set */
	static const char *names[] = {"Job_Name", "queue", "", "empty", "x"};
	static const char *vals[] = {"j", "workq", "anon", "", "y"};
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		kv_append(&a, names[i], vals[i]);
		kv_set(&b, names[i], vals[i]);
	}
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len);
	ASSERT_KV(&a, "Job_Name=j,queue=workq,=anon,empty=,x=y");
	/* and the result is an ordinary list for every other function */
	kv_set(&a, "queue", "other-queue");
	kv_set(&a, "Job_Name", NULL);
	kv_append(&a, "z", "last");
	ASSERT_KV(&a, "queue=other-queue,=anon,empty=,x=y,z=last");
	assert_string_equal(kv_get(&a, "z"), "last");
	kv_remove_prefix(&a, "e");
	ASSERT_KV(&a, "queue=other-queue,=anon,x=y,z=last");
	kv_clear(&a);
	kv_clear(&b);
	/* onto an empty list */
	kv_append(&a, "n", "v");
	ASSERT_KV(&a, "n=v");
	kv_clear(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_set_get_order),
	    cmocka_unit_test(test_values_grow_and_shrink),
	    cmocka_unit_test(test_remove_keeps_order),
	    cmocka_unit_test(test_empty_strings),
	    cmocka_unit_test(test_setf),
	    cmocka_unit_test(test_remove_prefix),
	    cmocka_unit_test(test_copy),
	    cmocka_unit_test(test_iteration),
	    cmocka_unit_test(test_many_entries),
	    cmocka_unit_test(test_copies_strings),
	    cmocka_unit_test(test_append),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
