/* test_sched_expr.c - the requirements/rank/start expression language
 * (src/sched/expr.h): literals and units, precedence, Kleene logic,
 * coercion, regex, functions, parse errors with columns, limits, a small
 * deterministic fuzz loop, evaluation without allocation, and a rough
 * evaluation speed figure (printed, never asserted). */
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "src/sched/expr.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* deterministic pseudo-random numbers (xorshift) for the fuzz loops */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

/* ---- a little attribute table standing in for a node or a job ----------- */

struct attr {
	const char *name;
	struct sc_value v;
};

struct obj {
	struct attr *attrs;
	int n;
	int lookups; /* lookup calls, to see short-circuits */
};

#define S(n, s) {n, {SC_STR, 0, s, sizeof(s) - 1}}
#define N(n, x) {n, {SC_NUM, x, NULL, 0}}
#define B(n, x) {n, {SC_BOOL, x, NULL, 0}}

static struct attr node_attrs[] = {
	S("arch", "x86_64"),
	S("mem", "16gb"),
	S("ncpus", "8"),
	S("features", "ssd, ib ,fast"),
	S("host", "n042"),
	S("has_gpu", "True"),
	S("walltime", "01:30:00"),
	N("ngpus", 2),
	B("exclusive", 0),
	S("Resource_List.ncpus", "4"),
	S("empty", ""),
	S("word", "hello"),
	N("nmem", 17179869184.0),
	S("missing_on_this_node", "unused"), /* the test resolves it but reports undefined */
};

static int resolve(void *ctx, const char *name)
{
	struct obj *o = ctx;
	for (int i = 0; i < o->n; i++)
		if (strcmp(o->attrs[i].name, name) == 0)
			return i;
	return -1;
}

static void lookup(void *ctx, int key, struct sc_value *out)
{
	struct obj *o = ctx;
	o->lookups++;
	assert_int_equal(out->type, SC_UNDEF);
	assert_true(key >= 0 && key < o->n);
	if (strcmp(o->attrs[key].name, "missing_on_this_node") == 0)
		return;
	*out = o->attrs[key].v;
}

static struct obj node = {node_attrs, (int)ARRAY_LEN(node_attrs), 0};

static struct sc_expr *parse_ok(const char *text)
{
	corral_error_t err = {0};
	struct sc_expr *e = sc_expr_parse(text, &err);
	if (!e)
		fail_msg("parse of '%s' failed: %s", text, err.text);
	assert_int_equal(err.code, 0);
	return e;
}

static struct sc_value eval(const char *text)
{
	struct sc_expr *e = parse_ok(text);
	struct sc_value v;
	assert_true(sc_expr_bind(e, resolve, &node) >= 0);
	assert_int_equal(sc_expr_eval(e, lookup, &node, &v), 0);
	/* strings borrowed from the expression die with it; tests compare
	 * strings through eval_str instead */
	if (v.type == SC_STR)
		v.str = NULL;
	sc_expr_destroy(e);
	return v;
}

static void expect_num(const char *text, double want)
{
	struct sc_value v = eval(text);
	print_message("%s\n", text);
	if (v.type != SC_NUM)
		fail_msg("'%s': type %d, want number %g", text, v.type, want);
	if (fabs(v.num - want) > 1e-9 * fmax(1, fabs(want)))
		fail_msg("'%s' = %.17g, want %.17g", text, v.num, want);
}

/* want: 1 true, 0 false, -1 undefined */
static void expect_bool(const char *text, int want)
{
	struct sc_value v = eval(text);
	int got = v.type == SC_UNDEF ? -1 : v.type == SC_BOOL ? (int)v.num : 99;
	if (got != want)
		fail_msg("'%s': got %d (type %d), want %d", text, got, v.type, want);
}

static void expect_str(const char *text, const char *want)
{
	struct sc_expr *e = parse_ok(text);
	struct sc_value v;
	sc_expr_bind(e, resolve, &node);
	sc_expr_eval(e, lookup, &node, &v);
	assert_int_equal(v.type, SC_STR);
	assert_int_equal(v.len, strlen(want));
	assert_memory_equal(v.str, want, v.len);
	sc_expr_destroy(e);
}

static void expect_error(const char *text, const char *msg)
{
	corral_error_t err = {0};
	struct sc_expr *e = sc_expr_parse(text, &err);
	if (e)
		fail_msg("'%s' parsed, want error '%s'", text, msg);
	assert_int_equal(err.code, EINVAL);
	if (strncmp(err.text, msg, strlen(msg)) != 0)
		fail_msg("'%s': error '%s', want '%s'", text, err.text, msg);
}

/* ---- literals ----------------------------------------------------------- */

static void test_literals(void **state)
{
	expect_num("42", 42);
	expect_num("3.5", 3.5);
	expect_num(".5", 0.5);
	expect_num("0.1", 0.1);
	expect_num("007", 7);
	expect_num("4gb", 4294967296.0);
	expect_num("4GB", 4294967296.0);
	expect_num("512mb", 536870912.0);
	expect_num("100kb", 102400);
	expect_num("100b", 100);
	expect_num("1.5gb", 1610612736.0);
	expect_num("2tb", 2199023255552.0);
	expect_num("1pb", 1125899906842624.0);
	expect_num("2w", 16);
	expect_num("1kw", 8192);
	expect_num("01:00:00", 3600);
	expect_num("1:02:03", 3723);
	expect_num("30:00", 1800);
	expect_num("100:00:00", 360000);
	expect_bool("true", 1);
	expect_bool("True", 1);
	expect_bool("FALSE", 0);
	expect_str("\"x86_64\"", "x86_64");
	expect_str("\"\"", "");
	expect_str("\"a\\\"b\\\\c\"", "a\"b\\c");
	expect_str("\"a\\.b\\n\"", "a\\.b\\n"); /* other escapes stay as written */
	expect_str("\"it's (here) && || 4gb\"", "it's (here) && || 4gb");
	expect_bool("4gb == 4096mb", 1);
	expect_bool("1gb == 1048576kb", 1);
	expect_bool("01:00:00 == 3600", 1);
	expect_bool("60:00 == 1:00:00", 1);
}

static void test_str_to_num(void **state)
{
	static const struct {
		const char *s;
		double v;
	} ok[] = {
		{"8", 8}, {" 8 ", 8}, {"-3", -3}, {"+3", 3}, {"16gb", 17179869184.0},
		{"16GB", 17179869184.0}, {"01:30:00", 5400}, {"1.25", 1.25}, {"0", 0},
		{"\t2kb\n", 2048},
	};
	static const char *const bad[] = {
		"", " ", "x", "8x", "8 gb", "1e5", "-", "1:2:3:4", "1::2", ":1", "1:", "inf",
		"nan", "0x10", "1.2.3", "gb", "--1", "1.5.gb",
	};
	for (size_t i = 0; i < ARRAY_LEN(ok); i++) {
		double d = -1;
		print_message("'%s'\n", ok[i].s);
		assert_true(sc_expr_str_to_num(ok[i].s, strlen(ok[i].s), &d));
		assert_true(d == ok[i].v);
	}
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		double d = 12345;
		print_message("'%s'\n", bad[i]);
		assert_false(sc_expr_str_to_num(bad[i], strlen(bad[i]), &d));
		assert_true(d == 12345);
	}
	/* length-bounded: "8gb" cut to "8g" is not a number, to "8" is */
	double d;
	assert_false(sc_expr_str_to_num("8gb", 2, &d));
	assert_true(sc_expr_str_to_num("8gb", 1, &d) && d == 8);
	assert_false(sc_expr_str_to_num(NULL, 0, &d));
}

/* ---- precedence and arithmetic ----------------------------------------- */

static void test_precedence(void **state)
{
	expect_num("1 + 2 * 3", 7);
	expect_num("(1 + 2) * 3", 9);
	expect_num("10 - 4 - 3", 3);
	expect_num("8 / 4 / 2", 1);
	expect_num("-2 * 3", -6);
	expect_num("- -2", 2);
	expect_num("2 - -2", 4);
	expect_num("-(1 + 2) * 2", -6);
	expect_num("1+2*3-4/2", 5);
	expect_bool("true || false && false", 1);
	expect_bool("(true || false) && false", 0);
	expect_bool("false && false || true", 1);
	expect_bool("1 + 1 == 2", 1);
	expect_bool("2 * 3 > 5 && 1 < 2", 1);
	/* a leading ! covers a comparison; after an operator it binds tight */
	expect_bool("!1 == 2", 1);
	expect_bool("!(1 == 1)", 0);
	expect_bool("!!true", 1);
	expect_bool("!!!true", 0);
	expect_bool("true == !false", 1);
	expect_bool("false == !false", 0);
	expect_bool("true && !false", 1);
	expect_bool("!false && !false", 1);
	expect_bool("! false || false", 1);
	expect_bool("arch == \"x86_64\" && mem >= 8gb", 1);
	expect_bool("arch == \"ppc64le\" || mem >= 8gb && ncpus >= 8", 1);
	expect_bool("(arch == \"ppc64le\" || mem >= 8gb) && ncpus > 8", 0);
}

static void test_arithmetic(void **state)
{
	expect_num("ncpus * 2", 16);
	expect_num("mem / 1gb", 16);
	expect_num("ncpus + true", 9);
	expect_num("min(3, 5)", 3);
	expect_num("max(3, 5)", 5);
	expect_num("max(ncpus, ngpus)", 8);
	expect_num("min(mem, 8gb) / 1gb", 8);
	expect_num("max(-1, -2)", -1);
	expect_num("7 / 2", 3.5);
	expect_num("\"8\" + 1", 9);
	expect_bool("1 / 0", -1);
	expect_bool("0 / 0", -1);
	expect_bool("arch + 1", -1);
	expect_bool("nosuch + 1", -1);
	expect_bool("min(nosuch, 1)", -1);
	expect_bool("max(1, arch)", -1);
	expect_bool("-arch", -1);
	expect_bool("-nosuch", -1);
	expect_num("walltime / 60", 90);
}

/* ---- three-valued logic -------------------------------------------------- */

static void test_kleene(void **state)
{
	/* T F U in every combination */
	static const char *const vals[] = {"true", "false", "nosuch"};
	static const int tv[] = {1, 0, -1};
	for (int i = 0; i < 3; i++) {
		for (int j = 0; j < 3; j++) {
			char buf[64];
			int a = tv[i], b = tv[j];
			int and = (a == 0 || b == 0) ? 0 : (a == 1 && b == 1) ? 1 : -1;
			int or = (a == 1 || b == 1) ? 1 : (a == 0 && b == 0) ? 0 : -1;
			snprintf(buf, sizeof buf, "%s && %s", vals[i], vals[j]);
			expect_bool(buf, and);
			snprintf(buf, sizeof buf, "%s || %s", vals[i], vals[j]);
			expect_bool(buf, or);
		}
	}
	expect_bool("!nosuch", -1);
	expect_bool("nosuch == 1", -1);
	expect_bool("nosuch != 1", -1);
	expect_bool("nosuch == nosuch", -1);
	expect_bool("nosuch < 1 || true", 1);
	expect_bool("nosuch < 1 && false", 0);
	expect_bool("missing_on_this_node == \"unused\"", -1);
	/* a string in logic: read as a bool or a number, else undefined */
	expect_bool("has_gpu && true", 1);
	expect_bool("word && true", -1);
	expect_bool("word || true", 1);
	expect_bool("\"no\" || false", 0);
	expect_bool("ncpus && true", 1);
	expect_bool("0 || false", 0);
	expect_bool("2 && true", 1);
	/* short-circuit: the right side is not looked up when decided */
	struct sc_expr *e = parse_ok("exclusive && arch == \"x\"");
	sc_expr_bind(e, resolve, &node);
	node.lookups = 0;
	assert_false(sc_expr_holds(e, lookup, &node));
	assert_int_equal(node.lookups, 1);
	sc_expr_destroy(e);
	e = parse_ok("has_gpu || arch == \"x\" || mem > 1");
	sc_expr_bind(e, resolve, &node);
	node.lookups = 0;
	assert_true(sc_expr_holds(e, lookup, &node));
	assert_int_equal(node.lookups, 1);
	sc_expr_destroy(e);
}

/* ---- coercion ----------------------------------------------------------- */

static void test_coercion(void **state)
{
	expect_bool("mem >= 8gb", 1);
	expect_bool("mem >= 16gb", 1);
	expect_bool("mem > 16gb", 0);
	expect_bool("mem == 16384mb", 1);
	expect_bool("nmem == mem", 1);
	expect_bool("ncpus == 8", 1);
	expect_bool("8 == ncpus", 1);
	expect_bool("ncpus >= 4", 1);
	expect_bool("ncpus == \"8\"", 1);
	expect_bool("ncpus == \"8.0\"", 0); /* two strings: bytes */
	expect_bool("walltime > 1:00:00", 1);
	expect_bool("walltime == 5400", 1);
	expect_bool("arch == 5", -1);
	expect_bool("arch != 5", -1);
	expect_bool("arch < 5", -1);
	expect_bool("empty == 0", -1);
	expect_bool("empty == \"\"", 1);
	/* string ordering: numbers when both read as numbers, else bytes */
	expect_bool("\"10\" > \"9\"", 1);
	expect_bool("\"10gb\" > \"9gb\"", 1);
	expect_bool("\"b\" > \"a\"", 1);
	expect_bool("\"ab\" < \"abc\"", 1);
	expect_bool("\"abc\" <= \"abc\"", 1);
	expect_bool("\"B\" < \"a\"", 1);
	expect_bool("\"abc\" > \"abd\"", 0);
	/* case-sensitive equality */
	expect_bool("arch == \"X86_64\"", 0);
	expect_bool("arch != \"X86_64\"", 1);
	/* bools */
	expect_bool("has_gpu == true", 1);
	expect_bool("has_gpu != false", 1);
	expect_bool("exclusive == false", 1);
	expect_bool("1 == true", 1);
	expect_bool("0 == false", 1);
	expect_bool("word == true", -1);
	expect_bool("ncpus == true", 1); /* "8" reads as a non-zero number */
	expect_bool("true > false", 1);
}

/* ---- regex, has(), defined() -------------------------------------------- */

static void test_regex(void **state)
{
	expect_bool("arch =~ \"^x86\"", 1);
	expect_bool("arch =~ \"86\"", 1);
	expect_bool("arch =~ \"^86\"", 0);
	expect_bool("host =~ \"^n[0-9]+$\"", 1);
	expect_bool("host =~ \"^n0(4|5)2$\"", 1);
	expect_bool("host =~ \"^N\"", 0);
	expect_bool("arch =~ \"x86\\\\.64\"", 0);
	expect_bool("arch =~ \"x86.64\"", 1);
	expect_bool("arch =~ \"x86\\.64\"", 0); /* \. kept: a literal dot */
	expect_bool("nosuch =~ \"x\"", -1);
	expect_bool("ngpus =~ \"^2$\"", 1);
	expect_bool("exclusive =~ \"^false$\"", 1);
	expect_bool("empty =~ \"^$\"", 1);
	expect_bool("!(host =~ \"^login\")", 1);
	expect_bool("host =~ \"^n\" && arch =~ \"_64$\"", 1);
	expect_bool("host =~ \"a{2,100}\" || true", 1);
	expect_error("arch =~ \"(\"", "bad regular expression at column 9: unmatched (");
	expect_error("arch =~ \"(a)\\\\1\"", "bad regular expression at column 9: back-references are not supported");
	expect_error("arch =~ \"a{256}\"", "bad regular expression at column 9: interval bound above 255");
	expect_error("arch =~ \"(a{100}){100}\"", "bad regular expression at column 9: pattern too large");
	expect_error("arch =~ \"(a{,5})\"", "bad regular expression at column 9: bad interval");
	expect_error("arch =~ \"a{2,1}\"", "bad regular expression at column 9: bad interval");
	expect_error("arch =~ \"a{1\"", "bad regular expression at column 9: bad interval");
	expect_error("arch =~ \"a{x}\"", "bad regular expression at column 9: bad interval");
	expect_error("arch =~ \"*a\"", "bad regular expression at column 9: nothing to repeat");
	expect_error("arch =~ \"a|+\"", "bad regular expression at column 9: nothing to repeat");
	expect_error("arch =~ \"(?:a)\"", "bad regular expression at column 9: nothing to repeat");
	expect_error("arch =~ \"(a\"", "bad regular expression at column 9: unmatched (");
	expect_error("arch =~ \"a)\"", "bad regular expression at column 9: unmatched )");
	expect_error("arch =~ \"[a\"", "bad regular expression at column 9: unterminated [");
	expect_error("arch =~ \"[[:alpha:]\"", "bad regular expression at column 9: unterminated [");
	expect_error("arch =~ \"[[:alpha]]\"", "bad regular expression at column 9: unterminated [");
	expect_error("arch =~ \"[[:foo:]]\"", "bad regular expression at column 9: unknown character class");
	expect_error("arch =~ \"[z-a]\"", "bad regular expression at column 9: invalid range");
	expect_error("arch =~ \"[[.ab.]]\"", "bad regular expression at column 9: unsupported collating element");
	expect_error("arch =~ \"\\\\\"", "bad regular expression at column 9: trailing backslash");
	expect_error("arch =~ host", "expected a string (regular expression) at column 9");
	expect_error("arch =~ \"a\" =~ \"b\"", "unexpected '=~' at column 13 (comparisons do not chain; use &&)");
}

/* subject =~ pattern through the public API; both may hold any byte but
 * NUL (quotes and backslashes are escaped for the string literals). */
static int re_eval(const char *subject, const char *pattern, corral_error_t *err)
{
	char text[2 * SC_EXPR_MAX_TEXT + 16], *o = text;
	assert_true(strlen(subject) + strlen(pattern) < SC_EXPR_MAX_TEXT);
	const char *parts[2] = {subject, pattern};
	for (int k = 0; k < 2; k++) {
		*o++ = '"';
		for (const char *c = parts[k]; *c; c++) {
			if (*c == '"' || *c == '\\')
				*o++ = '\\';
			*o++ = *c;
		}
		*o++ = '"';
		if (k == 0)
			o = stpcpy(o, " =~ ");
	}
	*o = '\0';
	struct sc_expr *e = sc_expr_parse(text, err);
	if (!e)
		return -2;
	struct sc_value v;
	sc_expr_eval(e, NULL, NULL, &v);
	sc_expr_destroy(e);
	assert_int_equal(v.type, SC_BOOL);
	return (int)v.num;
}

static void test_regex_engine(void **state)
{
	static const struct {
		const char *re, *s;
		int want;
	} cases[] = {
		{"", "", 1},                 {"", "abc", 1},             {"a", "", 0},
		{"abc", "xabcx", 1},         {"^abc", "xabc", 0},        {"abc$", "abcx", 0},
		{"^abc$", "abc", 1},         {"^$", "", 1},              {"^$", "a", 0},
		{"a.c", "abc", 1},           {"a.c", "ac", 0},           {"a.c", "a\nc", 1},
		{"ab*c", "ac", 1},           {"ab*c", "abbbc", 1},       {"ab+c", "ac", 0},
		{"ab+c", "abbc", 1},         {"ab?c", "abbc", 0},        {"ab?c", "abc", 1},
		{"^a{3}$", "aaa", 1},        {"^a{3}$", "aa", 0},        {"^a{3}$", "aaaa", 0},
		{"^a{2,}$", "a", 0},         {"^a{2,}$", "aaaaa", 1},    {"^a{2,3}$", "aaa", 1},
		{"^a{2,3}$", "aaaa", 0},     {"^a{0}b$", "b", 1},        {"^a{0,1}b$", "ab", 1},
		{"^(ab){2}$", "abab", 1},    {"^(ab){2}$", "aba", 0},    {"^(a|b)*$", "abba", 1},
		{"^(a|b)*$", "abca", 0},     {"^(cat|dog)s?$", "dogs", 1}, {"^(cat|dog)s?$", "cow", 0},
		{"x(a|)y", "xy", 1},         {"x(a|)y", "xay", 1},       {"x()y", "xy", 1},
		{"^(a*)*$", "aaa", 1},       {"^(a*)+$", "", 1},         {"^(a?)+b$", "aab", 1},
		{"^a**$", "aa", 1},          {"^a+?$", "", 1},           {"^(a|b|c)+$", "cab", 1},
		{"a|b|c", "zzc", 1},         {"^a|b$", "xb", 1},         {"^a|b$", "bx", 0},
		{"^(^a|b)$", "a", 1},        {"a^b", "a^b", 0},          {"a$b", "ab", 0},
		{"[abc]", "zzb", 1},         {"[^abc]", "abc", 0},       {"[^abc]", "abcd", 1},
		{"^[a-c]+$", "abcabc", 1},   {"^[a-c]+$", "abcd", 0},    {"[]a]", "]", 1},
		{"[^]a]", "]a", 0},          {"[a-]", "-", 1},           {"[-a]", "-", 1},
		{"^[[:digit:]]+$", "0123", 1}, {"^[[:digit:]]+$", "01a", 0}, {"[[:upper:]]", "abC", 1},
		{"^[[:alpha:][:digit:]_]+$", "n042_x", 1}, {"[[:space:]]", "a b", 1},
		{"[[:punct:]]", "abc", 0},   {"[[:xdigit:]]{4}", "beef", 1}, {"[[=a=]]", "a", 1},
		{"[[.-.]]", "-", 1},         {"[\\d]", "\\", 1},         {"[\\d]", "1", 0},
		{"\\d+", "n42", 1},          {"^\\d+$", "n42", 0},       {"\\D", "123", 0},
		{"\\s", "a\tb", 1},          {"\\S", " \t", 0},          {"^\\w+$", "ab_9", 1},
		{"\\W", "ab_9", 0},          {"a\\.b", "a.b", 1},        {"a\\.b", "axb", 0},
		{"\\(x\\)", "(x)", 1},       {"\\*", "*", 1},            {"\\{", "{", 1},
		{"a}", "a}", 1},             {"]", "]", 1},              {"^n[0-9]{3}$", "n042", 1},
		{"^n[0-9]{3}$", "n0422", 0}, {"(a|ab)(c|bcd)(d*)", "abcd", 1},
		{"^((a|b)*c){2}$", "abcbbc", 1}, {"\xc3\xa9", "caf\xc3\xa9", 1},
		{"^.{4}$", "caf\xc3\xa9", 0}, {"^.{5}$", "caf\xc3\xa9", 1},
		{"^(a?){30}a{30}$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1},
		{"a?+?+?+?+?+?+?+?+?+?+?+?+?+?+?+?+b", "aaaaaaaaaaaaaaaac", 0},
		{"(((((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+b", "aaaaaaaaaaaaaaaaaaaaaaaaa", 0},
		{"(x+x+)+y", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 0},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		corral_error_t err = {0};
		int got = re_eval(cases[i].s, cases[i].re, &err);
		if (got != cases[i].want)
			fail_msg("'%s' =~ '%s': got %d, want %d %s", cases[i].s, cases[i].re, got,
				 cases[i].want, err.text);
	}
	/* groups: 64 deep is fine, 65 is not */
	char pat[200], *o = pat;
	for (int i = 0; i < SC_EXPR_MAX_DEPTH; i++)
		*o++ = '(';
	*o++ = 'a';
	for (int i = 0; i < SC_EXPR_MAX_DEPTH; i++)
		*o++ = ')';
	*o = '\0';
	corral_error_t err = {0};
	assert_int_equal(re_eval("a", pat, &err), 1);
	memmove(pat + 1, pat, strlen(pat) + 1);
	strcat(pat, ")");
	assert_int_equal(re_eval("a", pat, &err), -2);
	assert_string_equal(err.text, "bad regular expression at column 8: groups nested too deep");
	/* the biggest program, a 4000-byte subject */
	char subject[4001];
	memset(subject, 'a', 4000);
	subject[4000] = '\0';
	assert_int_equal(re_eval(subject, "(a|aa|b?){1,250}(b|ab)", &err), -2);
	assert_string_equal(err.text, "bad regular expression at column 4007: pattern too large");
	subject[3000] = '\0';
	assert_int_equal(re_eval(subject, "^(a|b?){1,200}(b|ab)", &err), 0);
	assert_int_equal(re_eval(subject, "(a|b?){1,200}a$", &err), 1);
}

/* Differential check against the C library on random well-formed patterns
 * (no constructs POSIX leaves undefined) and random subjects. */
static bool gen_re(char *buf, size_t cap, size_t *len, int depth)
{
	static const char *const atoms[] = {"a", "b", "c", ".", "[ab]", "[^a]", "[a-b]"};
	static const char *const reps[] = {"", "", "", "*", "+", "?", "{2}", "{1,2}", "{0,}", "{0,1}"};
	int nalt = 1 + (int)(rnd() % (depth < 2 ? 3 : 1));
	for (int a = 0; a < nalt; a++) {
		if (a > 0) {
			if (*len + 2 >= cap)
				return false;
			buf[(*len)++] = '|';
		}
		int ncat = 1 + (int)(rnd() % 3);
		for (int k = 0; k < ncat; k++) {
			if (depth < 3 && rnd() % 4 == 0) {
				if (*len + 2 >= cap)
					return false;
				buf[(*len)++] = '(';
				if (!gen_re(buf, cap, len, depth + 1) || *len + 2 >= cap)
					return false;
				buf[(*len)++] = ')';
			} else {
				const char *at = atoms[rnd() % ARRAY_LEN(atoms)];
				if (*len + strlen(at) + 1 >= cap)
					return false;
				*len += (size_t)sprintf(buf + *len, "%s", at);
			}
			const char *rp = reps[rnd() % ARRAY_LEN(reps)];
			if (*len + strlen(rp) + 1 >= cap)
				return false;
			*len += (size_t)sprintf(buf + *len, "%s", rp);
		}
	}
	buf[*len] = '\0';
	return true;
}

static void test_regex_vs_libc(void **state)
{
	int compared = 0, matched = 0;
	for (int it = 0; it < 3000; it++) {
		char pat[200];
		size_t len = 0;
		if (rnd() % 4 == 0)
			pat[len++] = '^';
		if (!gen_re(pat + len, sizeof pat - 2 - len, &(size_t){0}, 0))
			continue; /* too long: skip */
		len = strlen(pat);
		if (rnd() % 4 == 0)
			pat[len++] = '$';
		pat[len] = '\0';
		regex_t re;
		if (regcomp(&re, pat, REG_EXTENDED | REG_NOSUB) != 0)
			fail_msg("libc refused '%s'", pat);
		for (int k = 0; k < 10; k++) {
			char subj[8];
			int n = (int)(rnd() % 7);
			for (int i = 0; i < n; i++)
				subj[i] = "abc"[rnd() % 3];
			subj[n] = '\0';
			corral_error_t err = {0};
			int ours = re_eval(subj, pat, &err);
			int libc = regexec(&re, subj, 0, NULL, 0) == 0;
			if (ours != libc)
				fail_msg("'%s' =~ '%s': ours %d, libc %d %s", subj, pat, ours, libc, err.text);
			compared++;
			matched += libc;
		}
		regfree(&re);
	}
	print_message("regex: %d subjects agree with libc (%d matches)\n", compared, matched);
}

static void test_has_defined(void **state)
{
	expect_bool("has(features, \"ssd\")", 1);
	expect_bool("has(features, \"ib\")", 1);
	expect_bool("has(features, \"fast\")", 1);
	expect_bool("has(features, \"gpu\")", 0);
	expect_bool("has(features, \"ss\")", 0);
	expect_bool("has(features, \"ssd, ib\")", 0);
	expect_bool("has(\"a,,b\", \"\")", 1);
	expect_bool("has(\"a,b\", \"\")", 0);
	expect_bool("has(\"1,2,3\", 2)", 1);
	expect_bool("has(\"x,true\", true)", 1);
	expect_bool("has(nosuch, \"ssd\")", -1);
	expect_bool("has(features, nosuch)", -1);
	expect_bool("has(\"SSD\", \"ssd\")", 0);
	expect_bool("!has(features, \"gpu\")", 1);
	expect_bool("!defined(nosuch) || !has(nosuch, \"gpu\")", 1);
	expect_bool("defined(arch)", 1);
	expect_bool("defined(nosuch)", 0);
	expect_bool("defined(missing_on_this_node)", 0);
	expect_bool("defined(1 / 0)", 0);
	expect_bool("defined(arch == 5)", 0);
	expect_bool("defined(has(features, \"x\"))", 1);
	/* function names are ordinary names without '(' */
	expect_bool("has == 1", -1);
	expect_bool("defined(defined)", 0);
}

/* ---- API contract ------------------------------------------------------- */

static int count_resolve(void *ctx, const char *name)
{
	int *calls = ctx;
	(*calls)++;
	return strcmp(name, "b") == 0 ? 7 : -1;
}

static void const_lookup(void *ctx, int key, struct sc_value *out)
{
	assert_int_equal(key, 7);
	out->type = SC_NUM;
	out->num = 3;
}

static void bad_lookup(void *ctx, int key, struct sc_value *out)
{
	int *mode = ctx;
	switch (*mode) {
	case 0: out->type = (enum sc_vtype)42; break;
	case 1: out->type = SC_STR; out->str = NULL; out->len = 5; break;
	case 2: out->type = SC_NUM; out->num = NAN; break;
	default: out->type = SC_BOOL; out->num = 5; break;
	}
}

static void test_api(void **state)
{
	corral_error_t err = {0};
	struct sc_value v = {SC_NUM, 1, NULL, 0};

	sc_expr_destroy(NULL);
	assert_int_equal(sc_expr_eval(NULL, NULL, NULL, &v), -EINVAL);
	assert_int_equal(v.type, SC_UNDEF);
	assert_true(sc_expr_holds(NULL, NULL, NULL));
	assert_true(sc_expr_number(NULL, NULL, NULL, -5) == -5);
	assert_null(sc_expr_text(NULL));
	assert_int_equal(sc_expr_nnames(NULL), 0);
	assert_null(sc_expr_name(NULL, 0));
	assert_null(sc_expr_parse(NULL, &err));
	assert_int_equal(err.code, EINVAL);
	assert_null(sc_expr_parse("(", NULL)); /* err may be NULL */

	const char *text = "  a + b * a > c || b == 3 ";
	struct sc_expr *e = parse_ok(text);
	assert_string_equal(sc_expr_text(e), text);
	assert_int_equal(sc_expr_nnames(e), 3);
	assert_string_equal(sc_expr_name(e, 0), "a");
	assert_string_equal(sc_expr_name(e, 1), "b");
	assert_string_equal(sc_expr_name(e, 2), "c");
	assert_null(sc_expr_name(e, 3));
	assert_null(sc_expr_name(e, -1));
	assert_int_equal(sc_expr_eval(e, NULL, NULL, NULL), -EINVAL);

	/* unbound: every name undefined */
	assert_int_equal(sc_expr_eval(e, const_lookup, NULL, &v), 0);
	assert_int_equal(v.type, SC_UNDEF);
	assert_false(sc_expr_holds(e, const_lookup, NULL));

	int calls = 0;
	assert_int_equal(sc_expr_bind(NULL, count_resolve, &calls), -EINVAL);
	assert_int_equal(sc_expr_bind(e, NULL, &calls), -EINVAL);
	assert_int_equal(sc_expr_bind(e, count_resolve, &calls), 2); /* a and c unknown */
	assert_int_equal(calls, 3);                                  /* once per distinct name */
	assert_true(sc_expr_holds(e, const_lookup, NULL));           /* b == 3 */
	assert_false(sc_expr_holds(e, NULL, NULL));                  /* no lookup: undefined */
	/* rebinding replaces the keys */
	assert_int_equal(sc_expr_bind(e, resolve, &node), 3);
	assert_false(sc_expr_holds(e, lookup, &node));
	sc_expr_destroy(e);

	/* rank */
	e = parse_ok("ncpus * 10 + ngpus");
	sc_expr_bind(e, resolve, &node);
	assert_true(sc_expr_number(e, lookup, &node, -1) == 82);
	sc_expr_destroy(e);
	e = parse_ok("mem");
	sc_expr_bind(e, resolve, &node);
	assert_true(sc_expr_number(e, lookup, &node, -1) == 17179869184.0);
	sc_expr_destroy(e);
	e = parse_ok("arch");
	sc_expr_bind(e, resolve, &node);
	assert_true(sc_expr_number(e, lookup, &node, -1) == -1);
	assert_false(sc_expr_holds(e, lookup, &node)); /* a string that is no bool */
	sc_expr_destroy(e);
	e = parse_ok("has_gpu");
	sc_expr_bind(e, resolve, &node);
	assert_true(sc_expr_holds(e, lookup, &node));
	assert_true(sc_expr_number(e, lookup, &node, -1) == -1);
	sc_expr_destroy(e);
	e = parse_ok("ncpus >= 8");
	sc_expr_bind(e, resolve, &node);
	assert_true(sc_expr_number(e, lookup, &node, -1) == 1);
	sc_expr_destroy(e);

	/* garbage from a lookup reads as undefined; bools are normalized */
	e = parse_ok("defined(x)");
	sc_expr_bind(e, count_resolve, &calls);
	sc_expr_destroy(e);
	e = parse_ok("b");
	assert_int_equal(sc_expr_bind(e, count_resolve, &calls), 0);
	for (int mode = 0; mode < 3; mode++) {
		assert_int_equal(sc_expr_eval(e, bad_lookup, &mode, &v), 0);
		assert_int_equal(v.type, SC_UNDEF);
	}
	int mode = 3;
	sc_expr_eval(e, bad_lookup, &mode, &v);
	assert_int_equal(v.type, SC_BOOL);
	assert_true(v.num == 1);
	sc_expr_destroy(e);

	/* a string result is borrowed from the expression */
	e = parse_ok("\"abc\"");
	sc_expr_eval(e, NULL, NULL, &v);
	assert_int_equal(v.type, SC_STR);
	assert_int_equal(v.len, 3);
	assert_memory_equal(v.str, "abc", 3);
	sc_expr_destroy(e);
}

/* ---- parse errors -------------------------------------------------------- */

static void test_parse_errors(void **state)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{"(arch == \"x86_64\"", "expected ')' at column 18"},
		{"(arch == \"x86_64\" || (mem > 4gb)", "expected ')' at column 33"},
		{"arch ==", "expected an operand at column 8"},
		{"arch == )", "expected an operand at column 9"},
		{")", "expected an operand at column 1"},
		{"arch = \"x\"", "unexpected '=' at column 6 (did you mean '=='?)"},
		{"a & b", "unexpected '&' at column 3 (did you mean '&&'?)"},
		{"a | b", "unexpected '|' at column 3 (did you mean '||'?)"},
		{"\"abc", "unterminated string starting at column 1"},
		{"a == \"abc\\\"", "unterminated string starting at column 6"},
		{"mem >= 4xb", "bad number '4xb' at column 8"},
		{"mem >= 4 gb", "unexpected 'gb' at column 10"},
		{"1:2:3:4", "bad number '1:2:3:4' at column 1"},
		{"1.2.3", "bad number '1.2.3' at column 1"},
		{"4gb2", "bad number '4gb2' at column 1"},
		{"foo(1)", "unknown function 'foo' at column 1"},
		{"has(a)", "expected ',' at column 6"},
		{"min(1, 2, 3)", "expected ')' at column 9"},
		{"defined()", "expected an operand at column 9"},
		{"max(1,", "expected an operand at column 7"},
		{"a < b < c", "unexpected '<' at column 7 (comparisons do not chain; use &&)"},
		{"a == b != c", "unexpected '!=' at column 8 (comparisons do not chain; use &&)"},
		{"a b", "unexpected 'b' at column 3"},
		{"a )", "unexpected ')' at column 3"},
		{"a \"s\"", "unexpected string at column 3"},
		{"true false", "unexpected 'false' at column 6"},
		{"#", "unexpected character '#' at column 1"},
		{"a == 'x'", "unexpected character '\\x27' at column 6"},
		{"\x01", "unexpected character '\\x01' at column 1"},
		{"a == \xc3\xa9", "unexpected character '\\xc3' at column 6"},
		{"", "empty expression"},
		{"  \t\n ", "empty expression"},
		{"a &&", "expected an operand at column 5"},
		{"!", "expected an operand at column 2"},
		{"-", "expected an operand at column 2"},
		{"a + * b", "expected an operand at column 5"},
		{"()", "expected an operand at column 2"},
		{"a.b..c ==", "expected an operand at column 10"},
		{"1 +", "expected an operand at column 4"},
		{"=~ \"x\"", "expected an operand at column 1"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		print_message("%s\n", cases[i].text);
		expect_error(cases[i].text, cases[i].msg);
	}
	/* a long token is cut in the message */
	char text[200];
	memset(text, 'x', sizeof text);
	memcpy(text, "a ", 2);
	text[sizeof text - 1] = '\0';
	expect_error(text, "unexpected 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' at column 3");
}

/* ---- limits ------------------------------------------------------------- */

static char *repeat(const char *pre, int n, const char *mid, const char *post, int m)
{
	size_t len = strlen(pre) * (size_t)n + strlen(mid) + strlen(post) * (size_t)m + 1;
	char *s = malloc(len), *o = s;
	for (int i = 0; i < n; i++)
		o = stpcpy(o, pre);
	o = stpcpy(o, mid);
	for (int i = 0; i < m; i++)
		o = stpcpy(o, post);
	return s;
}

static char *xasprintf_test(const char *fmt, const char *arg)
{
	size_t n = strlen(fmt) + strlen(arg) + 1;
	char *s = malloc(n);
	snprintf(s, n, fmt, arg);
	return s;
}

static void test_limits(void **state)
{
	corral_error_t err;
	char *s;
	struct sc_expr *e;

	/* parentheses: 64 deep is fine, 65 is not */
	s = repeat("(", SC_EXPR_MAX_DEPTH, "1", ")", SC_EXPR_MAX_DEPTH);
	e = parse_ok(s);
	assert_true(sc_expr_number(e, NULL, NULL, 0) == 1);
	sc_expr_destroy(e);
	free(s);
	s = repeat("(", SC_EXPR_MAX_DEPTH + 1, "1", ")", SC_EXPR_MAX_DEPTH + 1);
	expect_error(s, "nesting deeper than 64 at column 65");
	free(s);
	/* 100k of '(' is refused by length before anything else */
	s = repeat("(", 100000, "", "", 0);
	expect_error(s, "expression too long (100000 bytes, at most 4096)");
	free(s);
	s = repeat("(", 4000, "", "", 0);
	expect_error(s, "nesting deeper than 64 at column 65");
	free(s);
	/* prefix operators and function calls count too */
	s = repeat("!", SC_EXPR_MAX_DEPTH, "true", "", 0);
	e = parse_ok(s);
	assert_true(sc_expr_holds(e, NULL, NULL)); /* an even number of ! */
	sc_expr_destroy(e);
	free(s);
	s = repeat("-", 4000, "1", "", 0);
	expect_error(s, "nesting deeper than 64 at column 65");
	free(s);
	s = repeat("1 == !", 1, "", "!", 4000);
	expect_error(s, "nesting deeper than 64 at column 70");
	free(s);
	s = repeat("max(1, ", SC_EXPR_MAX_DEPTH + 1, "1", ")", SC_EXPR_MAX_DEPTH + 1);
	expect_error(s, "nesting deeper than 64 at column");
	free(s);
	s = repeat("max(1, ", SC_EXPR_MAX_DEPTH, "2", ")", SC_EXPR_MAX_DEPTH);
	e = parse_ok(s);
	assert_true(sc_expr_number(e, NULL, NULL, 0) == 2);
	sc_expr_destroy(e);
	free(s);

	/* long flat chains are fine up to the text limit: no recursion */
	s = repeat("1+", 2047, "1", "", 0); /* 4095 bytes */
	e = parse_ok(s);
	assert_true(sc_expr_number(e, NULL, NULL, 0) == 2048);
	sc_expr_destroy(e);
	free(s);
	s = repeat("true&&", 682, "true", "", 0); /* 4096 bytes */
	assert_int_equal(strlen(s), SC_EXPR_MAX_TEXT);
	e = parse_ok(s);
	assert_true(sc_expr_holds(e, NULL, NULL));
	sc_expr_destroy(e);
	free(s);
	s = repeat("x||", 1364, "true", "", 0); /* 4096 bytes */
	e = parse_ok(s);
	assert_true(sc_expr_holds(e, NULL, NULL));
	assert_int_equal(sc_expr_nnames(e), 1);
	sc_expr_destroy(e);
	free(s);
	s = repeat("a", 4097, "", "", 0);
	expect_error(s, "expression too long (4097 bytes, at most 4096)");
	free(s);

	/* regex groups: 64 deep is fine, 65 is not */
	s = repeat("(", SC_EXPR_MAX_DEPTH, "a", ")", SC_EXPR_MAX_DEPTH);
	{
		char *t = xasprintf_test("\"a\" =~ \"%s\"", s);
		e = parse_ok(t);
		assert_true(sc_expr_holds(e, NULL, NULL));
		sc_expr_destroy(e);
		free(t);
	}
	free(s);
	s = repeat("(", SC_EXPR_MAX_DEPTH + 1, "a", ")", SC_EXPR_MAX_DEPTH + 1);
	{
		char *t = xasprintf_test("x =~ \"%s\"", s);
		expect_error(t, "bad regular expression at column 6: groups nested too deep");
		free(t);
	}
	free(s);

	/* the deepest stack nesting allows: every level keeps operands pending */
	s = repeat("1||1&&1==1+1*(", SC_EXPR_MAX_DEPTH, "1", ")", SC_EXPR_MAX_DEPTH);
	e = sc_expr_parse(s, &err);
	assert_non_null(e);
	assert_true(sc_expr_holds(e, NULL, NULL));
	sc_expr_destroy(e);
	free(s);
	s = repeat("has(\"1\",1||1&&1==1+1*-", SC_EXPR_MAX_DEPTH / 2, "1", ")", SC_EXPR_MAX_DEPTH / 2);
	e = sc_expr_parse(s, &err);
	assert_non_null(e);
	sc_expr_destroy(e);
	free(s);
}

/* ---- fuzz --------------------------------------------------------------- */

static void fuzz_one(const char *text)
{
	corral_error_t err = {0};
	struct sc_expr *e = sc_expr_parse(text, &err);
	if (!e) {
		assert_int_equal(err.code, EINVAL);
		assert_true(err.text[0] != '\0');
		return;
	}
	struct sc_value v;
	sc_expr_bind(e, resolve, &node);
	assert_int_equal(sc_expr_eval(e, lookup, &node, &v), 0);
	assert_true(v.type >= SC_UNDEF && v.type <= SC_STR);
	(void)sc_expr_holds(e, lookup, &node);
	(void)sc_expr_number(e, lookup, &node, 0);
	sc_expr_destroy(e);
}

/* A random expression from the grammar, mostly well-formed. */
static void gen(char *buf, size_t cap, size_t *len, int depth)
{
	static const char *const atoms[] = {
		"arch", "mem", "ncpus", "features", "host", "nosuch", "has_gpu", "walltime", "empty",
		"ngpus", "exclusive", "nmem", "4gb", "8", "0", "1.5", "01:00:00", "\"x86_64\"",
		"\"\"", "\"8\"", "\"16gb\"", "true", "false", "\"ib\"", "\"True\"",
	};
	static const char *const binops[] = {
		" || ", " && ", " == ", " != ", " < ", " <= ", " > ", " >= ", " + ", " - ", " * ", " / ",
	};
	static const char *const fns[] = {"min(", "max(", "has("};
	char piece[64];
	int k = depth > 6 ? 0 : (int)(rnd() % 8);
	switch (k) {
	case 0:
	case 1:
		snprintf(piece, sizeof piece, "%s", atoms[rnd() % ARRAY_LEN(atoms)]);
		break;
	case 2:
		snprintf(piece, sizeof piece, "%s", rnd() % 2 ? "!" : "-");
		break;
	case 3:
		snprintf(piece, sizeof piece, "(");
		break;
	case 4:
		snprintf(piece, sizeof piece, "%s", fns[rnd() % ARRAY_LEN(fns)]);
		break;
	case 5:
		snprintf(piece, sizeof piece, "defined(");
		break;
	default:
		piece[0] = '\0';
		break;
	}
	size_t pl = strlen(piece);
	if (*len + pl + 1 >= cap)
		return;
	memcpy(buf + *len, piece, pl + 1);
	*len += pl;
	switch (k) {
	case 2:
		gen(buf, cap, len, depth + 1);
		return;
	case 3:
	case 4:
	case 5:
		gen(buf, cap, len, depth + 1);
		if (k == 4 && *len + 3 < cap) {
			memcpy(buf + *len, ", ", 3);
			*len += 2;
			gen(buf, cap, len, depth + 1);
		}
		if (*len + 2 < cap) {
			buf[(*len)++] = ')';
			buf[*len] = '\0';
		}
		return;
	case 6:
	case 7: {
		gen(buf, cap, len, depth + 1);
		const char *op = rnd() % 8 ? binops[rnd() % ARRAY_LEN(binops)] : " =~ ";
		if (*len + strlen(op) + 1 >= cap)
			return;
		strcpy(buf + *len, op);
		*len += strlen(op);
		if (op[1] == '=' && op[2] == '~') {
			const char *re = rnd() % 2 ? "\"^n[0-9]+$\"" : "\"8|x\"";
			if (*len + strlen(re) + 1 < cap) {
				strcpy(buf + *len, re);
				*len += strlen(re);
			}
			return;
		}
		gen(buf, cap, len, depth + 1);
		return;
	}
	default:
		return;
	}
}

static void test_fuzz(void **state)
{
	static const char *const pieces[] = {
		"arch", "mem", "ncpus", "features", "host", "nosuch", "has_gpu", "walltime", "empty",
		"4gb", "8", "0", "1.5", "01:00:00", "30:00", "\"x86_64\"", "\"\"", "\"a\\\"b\"", "true",
		"false", "(", ")", "(", ")", ",", "||", "&&", "!", "==", "!=", "<", "<=", ">", ">=",
		"=~", "+", "-", "*", "/", "defined(", "has(", "min(", "max(", "\"^n[0-9]+$\"", "\"(\"",
		" ", " ", "\"", "\\", "=", "&", "|", "1:", "4xb", "\"a{3}\"",
	};
	char buf[600];
	int parsed = 0;
	/* random bytes */
	for (int it = 0; it < 20000; it++) {
		int n = (int)(rnd() % 64);
		for (int i = 0; i < n; i++) {
			char c;
			do
				c = (char)(rnd() & 0xff);
			while (c == '\0');
			buf[i] = c;
		}
		buf[n] = '\0';
		fuzz_one(buf);
	}
	/* token soup, which parses far more often */
	for (int it = 0; it < 60000; it++) {
		int n = 1 + (int)(rnd() % 24);
		size_t len = 0;
		for (int i = 0; i < n; i++) {
			const char *p = pieces[rnd() % ARRAY_LEN(pieces)];
			size_t pl = strlen(p);
			if (len + pl + 2 >= sizeof buf)
				break;
			memcpy(buf + len, p, pl);
			len += pl;
			if (rnd() % 2)
				buf[len++] = ' ';
		}
		buf[len] = '\0';
		corral_error_t err;
		struct sc_expr *e = sc_expr_parse(buf, &err);
		if (e) {
			parsed++;
			sc_expr_destroy(e);
		}
		fuzz_one(buf);
	}
	print_message("fuzz: %d of 60000 token soups parsed\n", parsed);
	assert_true(parsed > 1000);
	/* grammar-generated expressions, some with one byte changed */
	int gparsed = 0, defined_results = 0;
	for (int it = 0; it < 30000; it++) {
		size_t len = 0;
		buf[0] = '\0';
		gen(buf, sizeof buf, &len, 0);
		if (len > 0 && rnd() % 4 == 0)
			buf[rnd() % len] = " ()!\"=,x9"[rnd() % 10];
		corral_error_t err;
		struct sc_expr *e = sc_expr_parse(buf, &err);
		if (e) {
			struct sc_value v;
			gparsed++;
			sc_expr_bind(e, resolve, &node);
			sc_expr_eval(e, lookup, &node, &v);
			defined_results += v.type != SC_UNDEF;
			sc_expr_destroy(e);
		}
		fuzz_one(buf);
	}
	print_message("fuzz: %d of 30000 generated parsed, %d with a defined value\n", gparsed,
		      defined_results);
	assert_true(gparsed > 10000);
}

/* ---- inputs found by tests/fuzz/fuzz_sched_expr (docs/fuzzing.md) ------ */

/* Each is also kept in tests/fuzz/corpus/sched_expr/. */
static void test_fuzz_regressions(void **state)
{
	/* x{m} of an empty group as the first thing of a pattern: re_repeat()
	 * copied its zero instructions with memcpy(frag, &re->prog[s], 0)
	 * while re->prog was still NULL (UBSan: null pointer passed to
	 * memcpy).  An empty group matches the empty string everywhere. */
	expect_bool("word =~ \"(){1}\"", 1);
	expect_bool("word =~ \"(){2,3}\"", 1);
	expect_bool("word =~ \"((()){1}){1}h\"", 1);
	expect_bool("1 =~ \"(){1}\"", 1);
}

/* ---- no allocation during evaluation ------------------------------------ */

/* Under AddressSanitizer the allocator offers hooks; elsewhere the test
 * only reports that it cannot check. */
void __sanitizer_install_malloc_and_free_hooks(void (*m)(const volatile void *, size_t),
					       void (*f)(const volatile void *)) __attribute__((weak));

static volatile int nalloc;

static void malloc_hook(const volatile void *p, size_t n)
{
	nalloc++;
}

static void free_hook(const volatile void *p)
{
}

static void test_no_alloc(void **state)
{
	static const char *const exprs[] = {
		"arch == \"x86_64\" && mem >= 8gb",
		"has(features, \"ib\") && !has(features, \"gpu\") || defined(nosuch)",
		"max(ncpus, 4) * 2 + min(mem / 1gb, 64) - walltime / 3600",
		"ngpus == 2 && has(ngpus, 2) && \"10\" > \"9\" && has_gpu",
		"host =~ \"^n[0-9]{3}$\" && arch =~ \"x86|arm\" && ngpus =~ \"^2$\"",
	};
	if (!__sanitizer_install_malloc_and_free_hooks) {
		print_message("no allocator hooks (not an ASan build): not checked\n");
		return;
	}
	for (size_t i = 0; i < ARRAY_LEN(exprs); i++) {
		struct sc_expr *e = parse_ok(exprs[i]);
		struct sc_value v;
		sc_expr_bind(e, resolve, &node);
		sc_expr_eval(e, lookup, &node, &v); /* warm up */
		__sanitizer_install_malloc_and_free_hooks(malloc_hook, free_hook);
		nalloc = 0;
		for (int k = 0; k < 100; k++) {
			sc_expr_eval(e, lookup, &node, &v);
			(void)sc_expr_holds(e, lookup, &node);
			(void)sc_expr_number(e, lookup, &node, 0);
		}
		int n = nalloc;
		__sanitizer_install_malloc_and_free_hooks(NULL, NULL);
		print_message("%s: %d allocations\n", exprs[i], n);
		assert_int_equal(n, 0);
		sc_expr_destroy(e);
	}
}

/* ---- speed (printed only) ----------------------------------------------- */

static struct attr fast_attrs[] = {
	S("arch", "x86_64"),
	N("mem", 17179869184.0),
	S("mem_s", "16gb"),
};

static void fast_lookup(void *ctx, int key, struct sc_value *out)
{
	*out = fast_attrs[key].v;
}

static double ns_per_eval(const char *text)
{
	struct obj o = {fast_attrs, (int)ARRAY_LEN(fast_attrs), 0};
	struct sc_expr *e = parse_ok(text);
	struct timespec t0, t1;
	const int n = 1000000;
	int held = 0;
	assert_int_equal(sc_expr_bind(e, resolve, &o), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++)
		held += sc_expr_holds(e, fast_lookup, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(held, n);
	sc_expr_destroy(e);
	return ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / n;
}

static void test_speed(void **state)
{
	print_message("speed: %.1f ns/eval  arch == \"x86_64\" && mem >= 8gb (mem a number)\n",
		      ns_per_eval("arch == \"x86_64\" && mem >= 8gb"));
	print_message("speed: %.1f ns/eval  arch == \"x86_64\" && mem_s >= 8gb (mem a string)\n",
		      ns_per_eval("arch == \"x86_64\" && mem_s >= 8gb"));
	print_message("speed: %.1f ns/eval  arch =~ \"^x86\" (regex)\n", ns_per_eval("arch =~ \"^x86\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_str_to_num),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_arithmetic),
		cmocka_unit_test(test_kleene),
		cmocka_unit_test(test_coercion),
		cmocka_unit_test(test_regex),
		cmocka_unit_test(test_regex_engine),
		cmocka_unit_test(test_regex_vs_libc),
		cmocka_unit_test(test_has_defined),
		cmocka_unit_test(test_api),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_fuzz_regressions),
		cmocka_unit_test(test_no_alloc),
		cmocka_unit_test(test_speed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
