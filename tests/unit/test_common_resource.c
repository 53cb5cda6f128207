/* test_common_resource.c - sizes, durations, select, place and
 * corral_res_normalize (src/common/resource.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/common/resource.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- types -------------------------------------------------------------- */

static void test_res_type(void **state)
{
	static const struct {
		const char *name;
		enum corral_res_type type;
	} cases[] = {
		{"ncpus", RES_LONG},          {"ngpus", RES_LONG},         {"nodect", RES_LONG},
		{"mpiprocs", RES_LONG},       {"ompthreads", RES_LONG},    {"naccelerators", RES_LONG},
		{"mem", RES_SIZE},            {"vmem", RES_SIZE},          {"pmem", RES_SIZE},
		{"pvmem", RES_SIZE},          {"walltime", RES_DURATION},  {"cput", RES_DURATION},
		{"soft_walltime", RES_DURATION}, {"min_walltime", RES_DURATION},
		{"max_walltime", RES_DURATION}, {"arch", RES_STRING},      {"host", RES_STRING},
		{"vnode", RES_STRING},        {"software", RES_STRING},    {"aoe", RES_STRING},
		{"accelerator_model", RES_STRING}, {"select", RES_SELECT}, {"place", RES_PLACE},
		{"NCPUS", RES_LONG},          {"Mem", RES_SIZE},           {"scratch", RES_UNKNOWN},
		{"", RES_UNKNOWN},            {"ncpus ", RES_UNKNOWN},     {"ncpu", RES_UNKNOWN},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		print_message("%s\n", cases[i].name);
		assert_int_equal(corral_res_type(cases[i].name), cases[i].type);
	}
	assert_int_equal(corral_res_type(NULL), RES_UNKNOWN);
}

/* ---- sizes -------------------------------------------------------------- */

static void test_size_parse_ok(void **state)
{
	static const struct {
		const char *in;
		uint64_t bytes;
	} cases[] = {
		{"0", 0},
		{"1024", 1024},
		{"100b", 100},
		{"100B", 100},
		{"1kb", 1024},
		{"4gb", UINT64_C(4) << 30},
		{"4GB", UINT64_C(4) << 30},
		{"4Gb", UINT64_C(4) << 30},
		{"512mb", UINT64_C(512) << 20},
		{"3tb", UINT64_C(3) << 40},
		{"2pb", UINT64_C(2) << 50},
		{"2w", 16},
		{"1kw", 8192},
		{"1mw", UINT64_C(8) << 20},
		{"1gw", UINT64_C(8) << 30},
		{"1tw", UINT64_C(8) << 40},
		{"1pw", UINT64_C(8) << 50},
		{"007mb", UINT64_C(7) << 20},
		{"0gb", 0},
		{"18446744073709551615", UINT64_MAX},
		{"18446744073709551615b", UINT64_MAX},
		{"16383pb", UINT64_C(16383) << 50},
		{"2047pw", UINT64_C(2047) << 53},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		corral_error_t err = {0};
		uint64_t v = 12345;
		print_message("%s\n", cases[i].in);
		assert_int_equal(corral_size_parse(cases[i].in, &v, &err), 0);
		assert_true(v == cases[i].bytes);
		assert_int_equal(err.code, 0);
	}
	/* NULL err and NULL output are allowed */
	assert_int_equal(corral_size_parse("4gb", NULL, NULL), 0);
}

static void test_size_parse_bad(void **state)
{
	static const struct {
		const char *in;
		int code;
	} cases[] = {
		{"", EINVAL},
		{"-1", EINVAL},
		{"-1gb", EINVAL},
		{"+1", EINVAL},
		{"1.5gb", EINVAL},
		{"4gib", EINVAL},
		{"gb", EINVAL},
		{"b", EINVAL},
		{"4 gb", EINVAL},
		{" 4gb", EINVAL},
		{"4gb ", EINVAL},
		{"4xb", EINVAL},
		{"4bb", EINVAL},
		{"4kbb", EINVAL},
		{"4k", EINVAL},
		{"4g", EINVAL},
		{"4gbw", EINVAL},
		{"0x10", EINVAL},
		{"1e3", EINVAL},
		{"4gb\n", EINVAL},
		{"18446744073709551616", ERANGE},
		{"99999999999999999999999999999", ERANGE},
		{"16384pb", ERANGE},
		{"2048pw", ERANGE},
		{"18446744073709551615kb", ERANGE},
		{"2305843009213693952w", ERANGE},
		{"99999999999999999999999gib", EINVAL}, /* garbage wins over range */
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		corral_error_t err = {0};
		uint64_t v = 12345;
		print_message("%s\n", cases[i].in);
		assert_int_equal(corral_size_parse(cases[i].in, &v, &err), -cases[i].code);
		assert_int_equal(err.code, cases[i].code);
		assert_true(v == 12345); /* untouched */
		assert_true(strlen(err.text) > 0);
	}
	corral_error_t err = {0};
	uint64_t v = 7;
	assert_int_equal(corral_size_parse(NULL, &v, &err), -EINVAL);
	assert_true(v == 7);
	assert_int_equal(corral_size_parse("4gib", &v, NULL), -EINVAL);
	assert_int_equal(corral_size_parse("4gib", &v, &err), -EINVAL);
	assert_string_equal(err.text, "invalid size '4gib' (sizes look like 4gb, 512mb)");
}

static void test_size_format(void **state)
{
	static const struct {
		uint64_t bytes;
		const char *out;
	} cases[] = {
		{0, "0kb"},
		{1, "1b"},
		{100, "100b"},
		{1023, "1023b"},
		{1024, "1kb"},
		{1536, "1536b"},
		{3072, "3kb"},
		{UINT64_C(4) << 30, "4gb"},
		{UINT64_C(1610612736), "1536mb"},
		{UINT64_C(1) << 40, "1tb"},
		{UINT64_C(5) << 50, "5pb"},
		{UINT64_C(1) << 60, "1024pb"},
		{UINT64_MAX, "18446744073709551615b"},
		{UINT64_MAX - 1023, "18014398509481983kb"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char buf[24];
		assert_ptr_equal(corral_size_format(cases[i].bytes, buf, sizeof buf), buf);
		assert_string_equal(buf, cases[i].out);
	}
	/* small buffer: truncated, terminated, nothing written past n */
	char small[8];
	memset(small, 'X', sizeof small);
	corral_size_format(UINT64_MAX, small, 4);
	assert_string_equal(small, "184");
	assert_int_equal(small[4], 'X');
	/* n == 0 writes nothing */
	small[0] = 'Q';
	assert_ptr_equal(corral_size_format(5, small, 0), small);
	assert_int_equal(small[0], 'Q');
}

static void test_size_roundtrip(void **state)
{
	uint64_t x = 88172645463325252ULL; /* xorshift64 */
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* mix in values with many trailing zero bits */
		uint64_t v = x >> (x % 64);
		if (i % 3 == 0)
			v <<= (i % 50);
		char buf[24];
		uint64_t back = 0;
		corral_size_format(v, buf, sizeof buf);
		assert_int_equal(corral_size_parse(buf, &back, NULL), 0);
		assert_true(back == v);
	}
}

/* ---- durations ---------------------------------------------------------- */

static void test_duration_parse_ok(void **state)
{
	static const struct {
		const char *in;
		int64_t secs;
	} cases[] = {
		{"0", 0},
		{"59", 59},
		{"3600", 3600},
		{"1:00", 60},
		{"01:01:01", 3661},
		{"100:00:00", 360000},
		{"1:90:00", 3600 + 5400},
		{"0:0:90", 90},
		{"10.5", 10},
		{"1:02.999", 62},
		{"1:00:00.0", 3600},
		{"00:00:00", 0},
		{"9223372036854775807", INT64_MAX},
		{"2562047788015215:30:07", INT64_MAX},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		corral_error_t err = {0};
		int64_t v = -5;
		print_message("%s\n", cases[i].in);
		assert_int_equal(corral_duration_parse(cases[i].in, &v, &err), 0);
		assert_true(v == cases[i].secs);
	}
	assert_int_equal(corral_duration_parse("1:00", NULL, NULL), 0);
}

static void test_duration_parse_bad(void **state)
{
	static const struct {
		const char *in;
		int code;
	} cases[] = {
		{"", EINVAL},
		{"-1", EINVAL},
		{"1:-1", EINVAL},
		{"1::2", EINVAL},
		{":30", EINVAL},
		{"30:", EINVAL},
		{"1:2:3:4", EINVAL},
		{"a", EINVAL},
		{"1h", EINVAL},
		{" 10", EINVAL},
		{"10 ", EINVAL},
		{".5", EINVAL},
		{"1.", EINVAL},
		{"1.5:00", EINVAL},
		{"1.5.5", EINVAL},
		{"1:2.x", EINVAL},
		{"+5", EINVAL},
		{"9223372036854775808", ERANGE},
		{"2562047788015215:30:08", ERANGE},
		{"99999999999999999999:00:00", ERANGE},
		{"5124095576030432:00:00", ERANGE},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		corral_error_t err = {0};
		int64_t v = -5;
		print_message("%s\n", cases[i].in);
		assert_int_equal(corral_duration_parse(cases[i].in, &v, &err), -cases[i].code);
		assert_int_equal(err.code, cases[i].code);
		assert_true(v == -5);
	}
	corral_error_t err = {0};
	assert_int_equal(corral_duration_parse(NULL, NULL, &err), -EINVAL);
	assert_int_equal(corral_duration_parse("1:2:3:4", NULL, &err), -EINVAL);
	assert_non_null(strstr(err.text, "'1:2:3:4'"));
}

static void test_duration_format(void **state)
{
	static const struct {
		int64_t secs;
		const char *out;
	} cases[] = {
		{0, "00:00:00"},
		{59, "00:00:59"},
		{3661, "01:01:01"},
		{360000, "100:00:00"},
		{86399, "23:59:59"},
		{-61, "-00:01:01"},
		{INT64_MAX, "2562047788015215:30:07"},
		{INT64_MIN, "-2562047788015215:30:08"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char buf[32];
		assert_ptr_equal(corral_duration_format(cases[i].secs, buf, sizeof buf), buf);
		assert_string_equal(buf, cases[i].out);
	}
	char small[6];
	memset(small, 'X', sizeof small);
	corral_duration_format(3661, small, 3);
	assert_string_equal(small, "01");
	assert_int_equal(small[3], 'X');

	/* round trip */
	for (int64_t s = 0; s < 400000; s += 997) {
		char buf[32];
		int64_t back = -1;
		corral_duration_format(s, buf, sizeof buf);
		assert_int_equal(corral_duration_parse(buf, &back, NULL), 0);
		assert_true(back == s);
	}
}

/* ---- normalize ---------------------------------------------------------- */

static void test_normalize_ok(void **state)
{
	static const struct {
		const char *name, *in, *out;
	} cases[] = {
		{"ncpus", "4", "4"},
		{"ncpus", "0", "0"},
		{"ncpus", "007", "7"},
		{"NCPUS", "8", "8"},
		{"nodect", "9223372036854775807", "9223372036854775807"},
		{"mem", "4096mb", "4gb"},
		{"mem", "4GB", "4gb"},
		{"vmem", "1610612736", "1536mb"},
		{"pmem", "0", "0kb"},
		{"pvmem", "2w", "16b"},
		{"walltime", "1:00:00", "01:00:00"},
		{"walltime", "100:00:00", "100:00:00"},
		{"cput", "3661", "01:01:01"},
		{"soft_walltime", "90.5", "00:01:30"},
		{"arch", "linux", "linux"},
		{"host", "node01", "node01"},
		{"software", "abc:def+x", "abc:def+x"},
		{"scratch", "fast", "fast"},
		{"my_res-2", "anything/goes:here", "anything/goes:here"},
		{"select", "2:ncpus=4:mem=4096mb+1:ncpus=1", "2:ncpus=4:mem=4gb+1:ncpus=1"},
		{"select", "3", "3:ncpus=1"},
		{"place", "excl:scatter", "scatter:excl"},
		{"place", "shared", "free"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		corral_error_t err = {0};
		char *out = NULL;
		print_message("%s=%s\n", cases[i].name, cases[i].in);
		assert_int_equal(corral_res_normalize(cases[i].name, cases[i].in, &out, &err), 0);
		assert_non_null(out);
		assert_string_equal(out, cases[i].out);
		/* canonical text is a fixed point */
		char *again = NULL;
		assert_int_equal(corral_res_normalize(cases[i].name, out, &again, &err), 0);
		assert_string_equal(again, out);
		free(again);
		free(out);
	}
	/* NULL out: validation only */
	assert_int_equal(corral_res_normalize("mem", "1gb", NULL, NULL), 0);
}

static void test_normalize_bad(void **state)
{
	static const struct {
		const char *name, *in;
		int code;
	} cases[] = {
		{"ncpus", "-1", EINVAL},
		{"ncpus", "", EINVAL},
		{"ncpus", "1.5", EINVAL},
		{"ncpus", "two", EINVAL},
		{"ncpus", " 1", EINVAL},
		{"ncpus", "9223372036854775808", ERANGE},
		{"mem", "4gib", EINVAL},
		{"mem", "", EINVAL},
		{"mem", "99999pb", ERANGE},
		{"walltime", "1:2:3:4", EINVAL},
		{"walltime", "", EINVAL},
		{"walltime", "99999999999999999999", ERANGE},
		{"arch", "", EINVAL},
		{"arch", "a,b", EINVAL},
		{"arch", "a=b", EINVAL},
		{"arch", "a b", EINVAL},
		{"scratch", "", EINVAL},
		{"scratch", "x\ty", EINVAL},
		{"scratch", "x\ny", EINVAL},
		{"scratch", "x\x7fy", EINVAL},
		{"select", "", EINVAL},
		{"select", "1:ncpus=2++", EINVAL},
		{"place", "pack:scatter", EINVAL},
		{"", "1", EINVAL},
		{"1abc", "1", EINVAL},
		{"a b", "1", EINVAL},
		{"a=b", "1", EINVAL},
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "1", EINVAL},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		corral_error_t err = {0};
		char *out = (char *)"untouched";
		print_message("%s=%s\n", cases[i].name, cases[i].in);
		assert_int_equal(corral_res_normalize(cases[i].name, cases[i].in, &out, &err),
				 -cases[i].code);
		assert_int_equal(err.code, cases[i].code);
		assert_string_equal(out, "untouched");
		assert_true(strlen(err.text) > 0);
	}

	corral_error_t err = {0};
	char *out = NULL;
	assert_int_equal(corral_res_normalize("mem", "4gib", &out, &err), -EINVAL);
	assert_string_equal(err.text,
			    "invalid value for resource mem: '4gib' (sizes look like 4gb, 512mb)");
	assert_int_equal(corral_res_normalize("walltime", "1:2:3:4", &out, &err), -EINVAL);
	assert_string_equal(err.text, "Illegal attribute or resource value for walltime: '1:2:3:4'");
	assert_int_equal(corral_res_normalize("ncpus", "-1", &out, &err), -EINVAL);
	assert_non_null(strstr(err.text, "ncpus"));
	assert_non_null(strstr(err.text, "'-1'"));
	assert_int_equal(corral_res_normalize("mem", "99999pb", &out, &err), -ERANGE);
	assert_non_null(strstr(err.text, "mem"));
	assert_non_null(strstr(err.text, "'99999pb'"));
	assert_int_equal(corral_res_normalize(NULL, "1", &out, &err), -EINVAL);
	assert_int_equal(corral_res_normalize("ncpus", NULL, &out, &err), -EINVAL);
	assert_null(out);
	/* exactly 63 characters is fine, 64 is not */
	char name[65];
	memset(name, 'a', 63);
	name[63] = '\0';
	assert_int_equal(corral_res_normalize(name, "v", &out, &err), 0);
	free(out);
	out = NULL;
	name[63] = 'a';
	name[64] = '\0';
	assert_int_equal(corral_res_normalize(name, "v", &out, &err), -EINVAL);
	assert_non_null(strstr(err.text, "too long"));
	assert_null(out);
}

static void test_normalize_messages_bounded(void **state)
{
	/* a long value with control bytes: message stays printable and cut */
	char value[300];
	memset(value, 'x', sizeof value - 1);
	value[sizeof value - 1] = '\0';
	value[3] = '\x01';
	value[4] = '\x1b';
	corral_error_t err = {0};
	char *out = NULL;
	assert_int_equal(corral_res_normalize("mem", value, &out, &err), -EINVAL);
	assert_null(out);
	assert_true(strlen(err.text) < sizeof err.text);
	for (const char *p = err.text; *p; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
	assert_non_null(strstr(err.text, "xxx??xx"));
	assert_non_null(strstr(err.text, "..."));

	/* an overlong value is refused before any parsing */
	size_t n = 100000;
	char *big = malloc(n + 1);
	assert_non_null(big);
	memset(big, 'a', n);
	big[n] = '\0';
	assert_int_equal(corral_res_normalize("scratch", big, &out, &err), -E2BIG);
	assert_int_equal(corral_res_normalize("select", big, &out, &err), -E2BIG);
	assert_int_equal(corral_res_normalize("place", big, &out, &err), -E2BIG);
	memset(big, '9', n);
	assert_int_equal(corral_res_normalize("mem", big, &out, &err), -E2BIG);
	uint64_t b = 3;
	assert_true(corral_size_parse(big, &b, &err) < 0);
	assert_true(b == 3);
	int64_t d = 3;
	assert_true(corral_duration_parse(big, &d, &err) < 0);
	assert_true(d == 3);
	assert_null(out);
	free(big);
}

/* ---- select ------------------------------------------------------------- */

static char *select_roundtrip(const char *in)
{
	struct corral_select *sel = NULL;
	corral_error_t err = {0};
	int rc = corral_select_parse(in, &sel, &err);
	if (rc < 0)
		fail_msg("select '%s': %s", in, err.text);
	char *text = corral_select_format(sel);
	corral_select_destroy(sel);
	return text;
}

static void test_select_parse_ok(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"ncpus=4", "1:ncpus=4"},
		{"1:ncpus=4:mem=4gb+2:ncpus=1", "1:ncpus=4:mem=4gb+2:ncpus=1"},
		{"2:ncpus=4:mem=4096mb+ncpus=1", "2:ncpus=4:mem=4gb+1:ncpus=1"},
		{"3", "3:ncpus=1"},
		{"03", "3:ncpus=1"},
		{"mem=1GB", "1:mem=1gb"},
		{"NCPUS=2:Mem=2048kb", "1:ncpus=2:mem=2mb"},
		{"ncpus=0", "1:ncpus=0"},
		{"ncpus=007", "1:ncpus=7"},
		{"host=node1:ncpus=1", "1:host=node1:ncpus=1"},
		{"10:scratch=fast:MyRes=X", "10:scratch=fast:MyRes=X"},
		{"ngpus=2+ngpus=2+ngpus=2", "1:ngpus=2+1:ngpus=2+1:ngpus=2"},
		{"2147483647:ncpus=1", "2147483647:ncpus=1"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		print_message("%s\n", cases[i].in);
		char *text = select_roundtrip(cases[i].in);
		assert_string_equal(text, cases[i].out);
		/* canonical text parses back to itself */
		char *again = select_roundtrip(text);
		assert_string_equal(again, text);
		free(again);
		free(text);
	}
}

static void test_select_structure(void **state)
{
	struct corral_select *sel = NULL;
	assert_int_equal(corral_select_parse("2:ncpus=4:mem=4096mb+host=n1", &sel, NULL), 0);
	assert_non_null(sel);
	assert_int_equal(sel->nchunks, 2);
	assert_int_equal(sel->chunks[0].count, 2);
	assert_int_equal(sel->chunks[0].nres, 2);
	assert_string_equal(sel->chunks[0].res[0].name, "ncpus");
	assert_string_equal(sel->chunks[0].res[0].value, "4");
	assert_string_equal(sel->chunks[0].res[1].name, "mem");
	assert_string_equal(sel->chunks[0].res[1].value, "4gb");
	assert_int_equal(sel->chunks[1].count, 1);
	assert_int_equal(sel->chunks[1].nres, 1);
	assert_string_equal(sel->chunks[1].res[0].name, "host");
	assert_string_equal(sel->chunks[1].res[0].value, "n1");
	corral_select_destroy(sel);

	assert_int_equal(corral_select_parse("5", &sel, NULL), 0);
	assert_int_equal(sel->nchunks, 1);
	assert_int_equal(sel->chunks[0].count, 5);
	assert_int_equal(sel->chunks[0].nres, 1);
	assert_string_equal(sel->chunks[0].res[0].name, "ncpus");
	assert_string_equal(sel->chunks[0].res[0].value, "1");
	corral_select_destroy(sel);

	/* destroy accepts NULL and leaves errno alone */
	errno = EBUSY;
	corral_select_destroy(NULL);
	assert_int_equal(errno, EBUSY);
	assert_int_equal(corral_select_parse("ncpus=1", &sel, NULL), 0);
	errno = EBUSY;
	corral_select_destroy(sel);
	assert_int_equal(errno, EBUSY);

	assert_null(corral_select_format(NULL));
	struct corral_select empty = {0};
	char *t = corral_select_format(&empty);
	assert_string_equal(t, "");
	free(t);
}

static void test_select_parse_bad(void **state)
{
	static const struct {
		const char *in;
		int code;
		const char *needle; /* expected in the message */
	} cases[] = {
		{"", EINVAL, "empty"},
		{"0", EINVAL, "positive"},
		{"1:ncpus=2++", EINVAL, "chunk 2 is empty"},
		{"+ncpus=1", EINVAL, "chunk 1 is empty"},
		{"ncpus=1+", EINVAL, "chunk 2 is empty"},
		{"1:ncpus=2:", EINVAL, "empty resource"},
		{"1::ncpus=2", EINVAL, "empty resource"},
		{":ncpus=2", EINVAL, "empty resource"},
		{"ncpus", EINVAL, "missing '=' in 'ncpus'"},
		{"1:ncpus=1:mem", EINVAL, "missing '=' in 'mem'"},
		{"2+ncpus=1", EINVAL, "no resources"},
		{"2:", EINVAL, "empty resource"},
		{"-1:ncpus=1", EINVAL, "positive, not '-1'"},
		{"0:ncpus=1", EINVAL, "positive, not '0'"},
		{"-1", EINVAL, "positive, not '-1'"},
		{"2147483648:ncpus=1", ERANGE, "too large"},
		{"99999999999999999999999:ncpus=1", ERANGE, "too large"},
		{"99999999999999999999999", ERANGE, "too large"},
		{"2147483647:ncpus=1+1:ncpus=1", ERANGE, "chunks"},
		{"ncpus=1:ncpus=2", EINVAL, "ncpus given twice"},
		{"ncpus=1:NCPUS=2", EINVAL, "ncpus given twice"},
		{"foo=1:FOO=2", EINVAL, "given twice"},
		{"ncpus=-1", EINVAL, "bad value for ncpus: '-1'"},
		{"ncpus=x", EINVAL, "bad value for ncpus: 'x'"},
		{"ncpus=", EINVAL, "bad value for ncpus: ''"},
		{"mem=4gib", EINVAL, "bad value for mem: '4gib' (sizes look like 4gb, 512mb)"},
		{"mem=99999pb", ERANGE, "too large"},
		{"ncpus=99999999999999999999", ERANGE, "too large"},
		{"=4", EINVAL, "invalid resource name ''"},
		{"1x=4", EINVAL, "invalid resource name '1x'"},
		{"n cpus=4", EINVAL, "invalid resource name"},
		{"ncpus==4", EINVAL, "bad value for ncpus"},
		{"host=a=b", EINVAL, "bad value for host"},
		{"host=a,b", EINVAL, "bad value for host"},
		{"host=\"a\"", EINVAL, "bad value for host"},
		{"host=a b", EINVAL, "bad value for host"},
		{"scratch=", EINVAL, "bad value for scratch"},
		{"select=1", EINVAL, "select cannot appear"},
		{"place=pack", EINVAL, "place cannot appear"},
		{"ncpus=1 ", EINVAL, "bad value"},
		{" ncpus=1", EINVAL, "invalid resource name"},
		{"walltime=1:00:00", EINVAL, "walltime cannot appear"},
		{"ncpus=1:cput=90", EINVAL, "cput cannot appear"},
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1", EINVAL,
		 "too long"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		corral_error_t err = {0};
		struct corral_select *sel = (struct corral_select *)&err; /* sentinel */
		print_message("%s\n", cases[i].in);
		assert_int_equal(corral_select_parse(cases[i].in, &sel, &err), -cases[i].code);
		assert_int_equal(err.code, cases[i].code);
		assert_ptr_equal(sel, (struct corral_select *)&err); /* untouched */
		print_message("  -> %s\n", err.text);
		assert_non_null(strstr(err.text, cases[i].needle));
		/* NULL err works too */
		assert_int_equal(corral_select_parse(cases[i].in, &sel, NULL), -cases[i].code);
	}
	corral_error_t err = {0};
	struct corral_select *sel = NULL;
	assert_int_equal(corral_select_parse(NULL, &sel, &err), -EINVAL);
	assert_null(sel);

	/* 63-character names are accepted */
	char text[80];
	memset(text, 'a', 63);
	strcpy(text + 63, "=1");
	assert_int_equal(corral_select_parse(text, &sel, &err), 0);
	corral_select_destroy(sel);
}

static void test_select_total(void **state)
{
	struct corral_select *sel = NULL;
	assert_int_equal(
		corral_select_parse("2:ncpus=4:mem=4gb:ngpus=1+3:mem=512mb+1:ncpus=1:host=a", &sel, NULL),
		0);
	assert_true(corral_select_total(sel, "ncpus") == 9);
	assert_true(corral_select_total(sel, "NCPUS") == 9);
	assert_true(corral_select_total(sel, "mem") == (UINT64_C(8) << 30) + (UINT64_C(1536) << 20));
	assert_true(corral_select_total(sel, "ngpus") == 2);
	assert_true(corral_select_total(sel, "mpiprocs") == 0);
	assert_true(corral_select_total(sel, "host") == 0);     /* not a number */
	assert_true(corral_select_total(sel, "walltime") == 0); /* not LONG/SIZE */
	assert_true(corral_select_total(sel, "nosuch") == 0);
	assert_true(corral_select_total(sel, NULL) == 0);
	assert_true(corral_select_total(NULL, "ncpus") == 0);
	assert_int_equal(corral_select_nodect(sel), 6);
	assert_int_equal(corral_select_nodect(NULL), 0);
	corral_select_destroy(sel);

	assert_int_equal(corral_select_parse("4", &sel, NULL), 0);
	assert_true(corral_select_total(sel, "ncpus") == 4);
	assert_int_equal(corral_select_nodect(sel), 4);
	corral_select_destroy(sel);

	/* totals saturate instead of wrapping */
	assert_int_equal(corral_select_parse("2147483647:mem=16383pb", &sel, NULL), 0);
	assert_true(corral_select_total(sel, "mem") == UINT64_MAX);
	assert_int_equal(corral_select_nodect(sel), 2147483647);
	corral_select_destroy(sel);
	assert_int_equal(corral_select_parse("1000:ncpus=9223372036854775807", &sel, NULL), 0);
	assert_true(corral_select_total(sel, "ncpus") == UINT64_MAX);
	corral_select_destroy(sel);

	/* hand-built selects: bad values count as 0, nodect saturates */
	struct corral_res_kv kv[2] = {{(char *)"ncpus", (char *)"junk"},
				      {(char *)"mem", (char *)"2kb"}};
	struct corral_chunk ch[3] = {{INT32_MAX, 2, kv}, {INT32_MAX, 0, NULL}, {-5, 2, kv}};
	struct corral_select hand = {3, ch};
	assert_true(corral_select_total(&hand, "ncpus") == 0);
	assert_true(corral_select_total(&hand, "mem") == (uint64_t)INT32_MAX * 2048);
	assert_int_equal(corral_select_nodect(&hand), INT32_MAX);
}

/* ---- place -------------------------------------------------------------- */

static void test_place_ok(void **state)
{
	static const struct {
		const char *in, *out;
		enum corral_place_arr arr;
		enum corral_place_share share;
		const char *group;
	} cases[] = {
		{"pack", "pack", PLACE_PACK, PLACE_SHARED, ""},
		{"free", "free", PLACE_FREE, PLACE_SHARED, ""},
		{"scatter:excl", "scatter:excl", PLACE_SCATTER, PLACE_EXCL, ""},
		{"excl:scatter", "scatter:excl", PLACE_SCATTER, PLACE_EXCL, ""},
		{"vscatter:exclhost", "vscatter:exclhost", PLACE_VSCATTER, PLACE_EXCLHOST, ""},
		{"shared", "free", PLACE_FREE, PLACE_SHARED, ""},
		{"pack:shared", "pack", PLACE_PACK, PLACE_SHARED, ""},
		{"excl", "free:excl", PLACE_FREE, PLACE_EXCL, ""},
		{"group=switch", "free:group=switch", PLACE_FREE, PLACE_SHARED, "switch"},
		{"free:group=switch", "free:group=switch", PLACE_FREE, PLACE_SHARED, "switch"},
		{"group=rack:excl:pack", "pack:excl:group=rack", PLACE_PACK, PLACE_EXCL, "rack"},
		{"PACK:EXCL", "pack:excl", PLACE_PACK, PLACE_EXCL, ""},
		{"group=HOST", "free:group=host", PLACE_FREE, PLACE_SHARED, "host"},
		{"GROUP=MyRes", "free:group=MyRes", PLACE_FREE, PLACE_SHARED, "MyRes"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct corral_place p;
		corral_error_t err = {0};
		char buf[128];
		memset(&p, 0x5a, sizeof p);
		print_message("%s\n", cases[i].in);
		assert_int_equal(corral_place_parse(cases[i].in, &p, &err), 0);
		assert_int_equal(p.arrangement, cases[i].arr);
		assert_int_equal(p.sharing, cases[i].share);
		assert_string_equal(p.group, cases[i].group);
		assert_ptr_equal(corral_place_format(&p, buf, sizeof buf), buf);
		assert_string_equal(buf, cases[i].out);
		struct corral_place q;
		assert_int_equal(corral_place_parse(buf, &q, NULL), 0);
		assert_int_equal(q.arrangement, p.arrangement);
		assert_int_equal(q.sharing, p.sharing);
		assert_string_equal(q.group, p.group);
	}
	/* longest group name fits */
	char in[80] = "group=";
	memset(in + 6, 'g', 63);
	in[69] = '\0';
	struct corral_place p;
	assert_int_equal(corral_place_parse(in, &p, NULL), 0);
	assert_int_equal(strlen(p.group), 63);
	char buf[128];
	corral_place_format(&p, buf, sizeof buf);
	assert_string_equal(buf + strlen("free:"), in);
	assert_int_equal(corral_place_parse(in, NULL, NULL), 0);
}

static void test_place_bad(void **state)
{
	static const struct {
		const char *in;
		const char *needle;
	} cases[] = {
		{"", "empty"},
		{"pack:scatter", "more than one arrangement ('pack' and 'scatter')"},
		{"pack:pack", "more than one arrangement"},
		{"excl:shared", "more than one sharing ('excl' and 'shared')"},
		{"group=a:group=b", "more than one group"},
		{"packed", "unknown element 'packed'"},
		{"pack:bogus", "unknown element 'bogus'"},
		{"pack:", "empty element"},
		{":pack", "empty element"},
		{"pack::excl", "empty element"},
		{"group=", "invalid resource name ''"},
		{"group=1a", "invalid resource name '1a'"},
		{"group=a b", "invalid resource name"},
		{"group", "unknown element 'group'"},
		{"pack excl", "unknown element"},
		{"pack+excl", "unknown element"},
		{"group=gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg",
		 "too long"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct corral_place p, before;
		corral_error_t err = {0};
		memset(&p, 0x5a, sizeof p);
		before = p;
		print_message("%s\n", cases[i].in);
		assert_int_equal(corral_place_parse(cases[i].in, &p, &err), -EINVAL);
		assert_int_equal(err.code, EINVAL);
		assert_memory_equal(&p, &before, sizeof p);
		print_message("  -> %s\n", err.text);
		assert_non_null(strstr(err.text, cases[i].needle));
	}
	corral_error_t err = {0};
	struct corral_place p;
	assert_int_equal(corral_place_parse(NULL, &p, &err), -EINVAL);
}

static void test_place_format_edges(void **state)
{
	struct corral_place p = {.arrangement = PLACE_VSCATTER, .sharing = PLACE_EXCLHOST};
	memset(p.group, 'g', sizeof p.group); /* not terminated: format stays bounded */
	char buf[128];
	corral_place_format(&p, buf, sizeof buf);
	assert_int_equal(strlen(buf), strlen("vscatter:exclhost:group=") + 63);

	/* out-of-range enums from a hand-built struct do not index out of bounds */
	struct corral_place bad = {.arrangement = (enum corral_place_arr)99,
				   .sharing = (enum corral_place_share)99};
	corral_place_format(&bad, buf, sizeof buf);
	assert_string_equal(buf, "free");

	char small[5];
	memset(small, 'X', sizeof small);
	struct corral_place q = {.arrangement = PLACE_SCATTER, .sharing = PLACE_EXCL};
	corral_place_format(&q, small, 4);
	assert_string_equal(small, "sca");
	assert_int_equal(small[4], 'X');
	corral_place_format(NULL, buf, sizeof buf);
	assert_string_equal(buf, "");
}

/* ---- random input ------------------------------------------------------- */

/* Throw random strings over a small alphabet at every parser: under ASan
 * and UBSan this checks for crashes, leaks and overflows, and it checks
 * that whatever parses formats to a fixed point. */
static void test_random_input(void **state)
{
	static const char alphabet[] = "0123456789:+=.,-kmgtpbwKMGBncpusemhostpackfreexlcput \t\x01\xff";
	static const char *const names[] = {"ncpus", "mem", "walltime", "select", "place", "host",
					    "scratch"};
	static const char *const tokens[] = {
		"ncpus", "mem", "ngpus", "host", "scratch", "walltime", "=", "=", ":", ":", "+",
		"1", "2", "0", "4gb", "512mb", "x", "pack", "excl", "scatter", "group=", "rack",
		"1:00", "-1", "3:",
	};
	int parsed_select = 0, parsed_place = 0;
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	char s[48];
	for (int iter = 0; iter < 60000; iter++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		size_t len = (size_t)(x % (sizeof s));
		uint64_t y = x;
		if (iter % 2) { /* characters */
			for (size_t i = 0; i < len; i++) {
				y = y * 6364136223846793005ULL + 1442695040888963407ULL;
				s[i] = alphabet[(y >> 33) % (sizeof alphabet - 1)];
			}
			s[len] = '\0';
		} else { /* tokens, to reach deeper into select and place */
			s[0] = '\0';
			for (size_t i = 0; i < len / 4; i++) {
				y = y * 6364136223846793005ULL + 1442695040888963407ULL;
				const char *t = tokens[(y >> 33) % ARRAY_LEN(tokens)];
				if (strlen(s) + strlen(t) >= sizeof s)
					break;
				strcat(s, t);
			}
		}

		uint64_t b;
		int64_t d;
		corral_error_t err;
		char buf[128];
		if (corral_size_parse(s, &b, &err) == 0) {
			uint64_t b2;
			assert_int_equal(corral_size_parse(corral_size_format(b, buf, sizeof buf), &b2,
							   NULL),
					 0);
			assert_true(b == b2);
		}
		if (corral_duration_parse(s, &d, &err) == 0) {
			int64_t d2;
			corral_duration_format(d, buf, sizeof buf);
			assert_int_equal(corral_duration_parse(buf, &d2, NULL), 0);
			assert_true(d == d2);
		}
		struct corral_select *sel = NULL;
		if (corral_select_parse(s, &sel, &err) == 0) {
			char *t = corral_select_format(sel);
			char *t2 = select_roundtrip(t);
			assert_string_equal(t, t2);
			(void)corral_select_total(sel, "ncpus");
			(void)corral_select_total(sel, "mem");
			(void)corral_select_nodect(sel);
			free(t);
			free(t2);
			corral_select_destroy(sel);
			parsed_select++;
		}
		struct corral_place p;
		if (corral_place_parse(s, &p, &err) == 0) {
			struct corral_place p2;
			corral_place_format(&p, buf, sizeof buf);
			assert_int_equal(corral_place_parse(buf, &p2, NULL), 0);
			assert_memory_equal(&p, &p2, sizeof p);
			parsed_place++;
		}
		char *out = NULL;
		const char *name = names[x % ARRAY_LEN(names)];
		if (corral_res_normalize(name, s, &out, &err) == 0) {
			char *again = NULL;
			assert_int_equal(corral_res_normalize(name, out, &again, NULL), 0);
			assert_string_equal(out, again);
			free(again);
			free(out);
		} else {
			assert_null(out);
		}
		(void)corral_res_normalize(s, "1", NULL, &err); /* as a name */
	}
	print_message("random: %d selects and %d places parsed\n", parsed_select, parsed_place);
	assert_true(parsed_select > 100);
	assert_true(parsed_place > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_res_type),
		cmocka_unit_test(test_size_parse_ok),
		cmocka_unit_test(test_size_parse_bad),
		cmocka_unit_test(test_size_format),
		cmocka_unit_test(test_size_roundtrip),
		cmocka_unit_test(test_duration_parse_ok),
		cmocka_unit_test(test_duration_parse_bad),
		cmocka_unit_test(test_duration_format),
		cmocka_unit_test(test_normalize_ok),
		cmocka_unit_test(test_normalize_bad),
		cmocka_unit_test(test_normalize_messages_bounded),
		cmocka_unit_test(test_select_parse_ok),
		cmocka_unit_test(test_select_structure),
		cmocka_unit_test(test_select_parse_bad),
		cmocka_unit_test(test_select_total),
		cmocka_unit_test(test_place_ok),
		cmocka_unit_test(test_place_bad),
		cmocka_unit_test(test_place_format_edges),
		cmocka_unit_test(test_random_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
