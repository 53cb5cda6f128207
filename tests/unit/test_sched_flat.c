/* test_sched_flat.c - the flat object reader (src/sched/flat.h): members,
 * attrs, escapes, skipped values, malformed text, the jansson route. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/sched/flat.h"

static int parse(struct flat *f, const char *s) { return flat_parse(f, s, strlen(s)); }

static void test_members(void **state)
{
	(void)state;
	struct flat f;
	flat_init(&f);
	assert_int_equal(parse(&f, " {\"id\" : \"12.vm\", \"n\": 5, \"x\": [1, {\"a\": \"}\"}], "
				   "\"attrs\": {\"job_state\": \"Q\", \"Priority\": \"-3\", "
				   "\"nested\": {\"deep\": \"no\"}, \"t\": true, \"z\": null}} "),
			 0);
	assert_true(f.has_attrs);
	assert_string_equal(flat_get(&f, "id", false), "12.vm");
	assert_null(flat_get(&f, "id", true));
	assert_null(flat_get(&f, "n", false)); /* not a string */
	assert_string_equal(flat_get(&f, "job_state", true), "Q");
	assert_string_equal(flat_get(&f, "Priority", true), "-3");
	assert_null(flat_get(&f, "deep", true));
	assert_null(flat_get(&f, "nested", true));
	assert_int_equal(f.n, 3);
	/* reused: the previous contents go */
	assert_int_equal(parse(&f, "{\"name\":\"vn0\",\"attrs\":{}}"), 0);
	assert_int_equal(f.n, 1);
	assert_true(f.has_attrs);
	assert_int_equal(parse(&f, "{}"), 0);
	assert_false(f.has_attrs);
	flat_free(&f);
}

static void test_escapes(void **state)
{
	(void)state;
	struct flat f;
	flat_init(&f);
	assert_int_equal(parse(&f, "{\"attrs\":{\"c\":\"a\\\"b\\\\c\\/d\\n\\t\\u00e9\\u20ac"
				   "\\ud83d\\ude00\"}}"),
			 0);
	assert_string_equal(flat_get(&f, "c", true),
			    "a\"b\\c/d\n\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	/* a NUL cannot be a C string */
	assert_int_equal(parse(&f, "{\"a\":\"x\\u0000y\"}"), -EPROTO);
	assert_int_equal(parse(&f, "{\"a\":\"bad \\q escape\"}"), -EPROTO);
	assert_int_equal(parse(&f, "{\"a\":\"raw\ncontrol\"}"), -EPROTO);
	flat_free(&f);
}

static void test_malformed(void **state)
{
	(void)state;
	struct flat f;
	flat_init(&f);
	static const char *const bad[] = {
	    "",
	    "[]",
	    "{",
	    "{\"a\"}",
	    "{\"a\":}",
	    "{\"a\":\"b\"",
	    "{\"a\":\"b\" \"c\":\"d\"}",
	    "{a:\"b\"}",
	    "{\"a\":\"b\"} trailing",
	    "{\"a\":[1,2}",
	    "{\"a\":\"unterminated}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(parse(&f, bad[i]), -EPROTO);
	/* parse_next reads one object and says where it ended */
	const char *two = "{\"id\":\"1\",\"attrs\":{}},{\"id\":\"2\",\"attrs\":{}}";
	size_t used = 0;
	assert_int_equal(flat_parse_next(&f, two, strlen(two), &used), 0);
	assert_string_equal(flat_get(&f, "id", false), "1");
	assert_int_equal(two[used], ',');
	assert_int_equal(flat_parse_next(&f, two + used + 1, strlen(two) - used - 1, &used), 0);
	assert_string_equal(flat_get(&f, "id", false), "2");
	flat_free(&f);
}

static void test_from_json(void **state)
{
	(void)state;
	struct flat f;
	flat_init(&f);
	json_t *o = json_pack("{s:s,s:i,s:{s:s,s:i}}", "id", "3.vm", "n", 1, "attrs", "queue",
			      "workq", "x", 2);
	assert_int_equal(flat_from_json(&f, o), 0);
	assert_string_equal(flat_get(&f, "id", false), "3.vm");
	assert_string_equal(flat_get(&f, "queue", true), "workq");
	assert_null(flat_get(&f, "x", true));
	assert_true(f.has_attrs);
	json_decref(o);
	o = json_array();
	assert_int_equal(flat_from_json(&f, o), -EPROTO);
	json_decref(o);
	flat_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_members),
	    cmocka_unit_test(test_escapes),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_from_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
