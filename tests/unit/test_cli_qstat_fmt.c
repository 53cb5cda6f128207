/* test_cli_qstat_fmt.c - qstat's output shapes (src/cli/lib/qstat_fmt.h):
 * the job table and its '*' truncation, -f wrapping, the JSON conversion
 * (nested resources, numbers vs strings, Variable_List) and the
 * streaming JSON writer held to it byte for byte, the queue and server
 * summaries, the alternate display, and the job-list scanner. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "src/cli/lib/jobcmd.h"
#include "src/cli/lib/qstat_fmt.h"

/* ---- capture helpers ------------------------------------------------ */

struct cap {
	char *buf;
	size_t len;
	FILE *f;
};

static void cap_open(struct cap *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
}

static char *cap_close(struct cap *c)
{
	fclose(c->f);
	return c->buf;
}

static json_t *attrs_of(const char *json)
{
	json_error_t e;
	json_t *a = json_loads(json, 0, &e);
	if (!a)
		fail_msg("bad test JSON: %s", e.text);
	return a;
}

/* ---- truncation ----------------------------------------------------- */

static void test_trunc(void **state)
{
	(void)state;
	char buf[32];
	assert_string_equal(qstat_trunc("abc", 5, buf), "abc");
	assert_string_equal(qstat_trunc("abcde", 5, buf), "abcde");
	assert_string_equal(qstat_trunc("abcdef", 5, buf), "abcd*");
	assert_string_equal(qstat_trunc(NULL, 5, buf), "");
	assert_string_equal(qstat_trunc("Execution", 4, buf), "Exe*");
}

/* ---- default job table ---------------------------------------------- */

static void test_job_table(void **state)
{
	(void)state;
	struct cap c;
	json_t *a = attrs_of("{\"Job_Name\":\"STDIN\",\"Job_Owner\":\"alice@host.example\","
			     "\"job_state\":\"Q\",\"queue\":\"workq\"}");
	cap_open(&c);
	qstat_job_header(c.f, 0);
	qstat_job_row(c.f, "1.vm", a, 0);
	char *out = cap_close(&c);
	assert_string_equal(
	    out,
	    "Job id            Name             User              Time Use S Queue\n"
	    "----------------  ---------------- ----------------  -------- - -----\n"
	    "1.vm              STDIN            alice                    0 Q workq           \n");
	free(out);
	json_decref(a);
}

static void test_job_table_truncation(void **state)
{
	(void)state;
	struct cap c;
	/* the id loses all but the first component of the server name and is
	 * then cut to 17; a name of exactly 16 is cut (PBS: l >= 16), 15 is not; user, queue,
	 * time use and id cut only when longer than the column */
	json_t *a = attrs_of("{\"Job_Name\":\"abcdefghijklmnop\","
			     "\"Job_Owner\":\"averyveryverylonguser@h\","
			     "\"resources_used.cput\":\"123:45:06\","
			     "\"job_state\":\"R\",\"queue\":\"averyveryverylongqueue\"}");
	cap_open(&c);
	qstat_job_row(c.f, "123456789012345.server.example.com", a, 0);
	char *out = cap_close(&c);
	assert_string_equal(
	    out,
	    "123456789012345.* abcdefghijklmno* averyveryverylo*  123:45:* R averyveryverylo*\n");
	free(out);
	json_decref(a);

	a = attrs_of("{\"Job_Name\":\"abcdefghijklmno\",\"Job_Owner\":\"bob\","
		     "\"resources_used.cput\":\"00:01:02\",\"job_state\":\"R\",\"queue\":\"q\"}");
	cap_open(&c);
	qstat_job_row(c.f, "42.vm.example.com", a, 0);
	out = cap_close(&c);
	assert_string_equal(
	    out,
	    "42.vm             abcdefghijklmno  bob               00:01:02 R q               \n");
	free(out);
	json_decref(a);
}

static void test_job_table_wide_incr(void **state)
{
	(void)state;
	struct cap c;
	json_t *a = attrs_of("{\"Job_Name\":\"abcdefghijklmno\",\"Job_Owner\":\"bob\","
			     "\"job_state\":\"Q\",\"queue\":\"workq\"}");
	cap_open(&c);
	qstat_job_header(c.f, QSTAT_TBL_INCR);
	qstat_job_row(c.f, "12345678901.vm", a, QSTAT_TBL_INCR);
	char *out = cap_close(&c);
	assert_string_equal(
	    out, "Job id                 Name             User              Time Use S Queue\n"
		 "---------------------  ---------------- ----------------  -------- - -----\n"
		 "12345678901.vm         abcdefghijklmno  bob                      0 Q workq       "
		 "    \n");
	free(out);

	cap_open(&c);
	qstat_job_row(c.f, "7.vm", a, QSTAT_TBL_WIDE);
	out = cap_close(&c);
	/* wide: name column 15, so a 15-character name is cut */
	assert_string_equal(out, "7.vm                           abcdefghijklmn* bob               "
				 "      0 Q workq          \n");
	free(out);
	json_decref(a);
}

static void test_percent(void **state)
{
	(void)state;
	json_t *a = attrs_of("{\"job_state\":\"R\",\"Resource_List.walltime\":\"01:00:00\","
			     "\"resources_used.walltime\":\"00:30:00\"}");
	char *p = qstat_percent(a);
	assert_string_equal(p, " 50 ");
	free(p);
	json_decref(a);
	a = attrs_of("{\"job_state\":\"Q\"}");
	p = qstat_percent(a);
	assert_string_equal(p, "-- ");
	free(p);
	json_decref(a);
}

/* ---- -f ------------------------------------------------------------- */

static void test_print_attr_wrap(void **state)
{
	(void)state;
	struct cap c;
	cap_open(&c);
	qstat_print_attr(c.f, "Variable_List",
			 "PBS_O_HOME=/home/alice,PBS_O_LANG=C.UTF-8,PBS_O_LOGNAME=alice,"
			 "PBS_O_PATH=/usr/local/bin:/usr/bin:/bin,PBS_O_SHELL=/bin/bash");
	char *out = cap_close(&c);
	assert_string_equal(out, "    Variable_List = PBS_O_HOME=/home/alice,PBS_O_LANG=C.UTF-8,\n"
				 "\tPBS_O_LOGNAME=alice,PBS_O_PATH=/usr/local/bin:/usr/bin:/bin,\n"
				 "\tPBS_O_SHELL=/bin/bash");
	free(out);

	/* one token longer than a line is broken every 78 columns */
	char big[101];
	memset(big, 'a', 100);
	big[100] = '\0';
	cap_open(&c);
	qstat_print_attr(c.f, "x", big);
	out = cap_close(&c);
	char want[256];
	snprintf(want, sizeof want, "    x = %.71s\n\t%.29s", big, big);
	assert_string_equal(out, want);
	free(out);

	/* short values, empty commas vanish as with PBS's strtok */
	cap_open(&c);
	qstat_print_attr(c.f, "Resource_List.ncpus", "4");
	qstat_print_attr(c.f, "a", "x,,y,");
	qstat_print_attr(c.f, "e", "");
	out = cap_close(&c);
	assert_string_equal(out, "    Resource_List.ncpus = 4    a = x,y    e = ");
	free(out);
}

static void test_full(void **state)
{
	(void)state;
	struct cap c;
	char when[64];
	time_t t = 1700000000;
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%a %b %e %H:%M:%S %Y", &tm);

	json_t *a = attrs_of("{\"Job_Name\":\"STDIN\",\"ctime\":\"1700000000\","
			     "\"estimated.start_time\":\"0\",\"Resource_List.ncpus\":\"1\"}");
	cap_open(&c);
	qstat_full(c.f, QSTAT_JOB, "1.vm", a);
	char *out = cap_close(&c);
	char want[512];
	snprintf(want, sizeof want,
		 "Job Id: 1.vm\n"
		 "    Job_Name = STDIN\n"
		 "    ctime = %s\n"
		 "    estimated.start_time = UNKNOWN\n"
		 "    Resource_List.ncpus = 1\n"
		 "\n",
		 when);
	assert_string_equal(out, want);
	free(out);

	cap_open(&c);
	qstat_full(c.f, QSTAT_SERVER, "vm", json_object_get(a, "nothing"));
	out = cap_close(&c);
	assert_string_equal(out, "Server: vm\n\n\n");
	free(out);
	json_decref(a);
}

static void test_dsv(void **state)
{
	(void)state;
	struct cap c;
	json_t *a = attrs_of("{\"Job_Name\":\"a|b\",\"comment\":\"x\\ny\"}");
	cap_open(&c);
	qstat_dsv(c.f, QSTAT_QUEUE, "workq", a, "|");
	char *out = cap_close(&c);
	assert_string_equal(out, "Queue: workq|Job_Name=a\\|b|comment=x\\ny\n");
	free(out);
	json_decref(a);
}

/* ---- JSON ----------------------------------------------------------- */

static void assert_json_int(json_t *v, long long want)
{
	assert_true(json_is_integer(v));
	assert_int_equal(json_integer_value(v), want);
	json_decref(v);
}

static void assert_json_str(json_t *v, const char *want)
{
	assert_true(json_is_string(v));
	assert_string_equal(json_string_value(v), want);
	json_decref(v);
}

static void assert_json_real(json_t *v, double want)
{
	assert_true(json_is_real(v));
	assert_true(json_real_value(v) == want);
	json_decref(v);
}

static void test_json_value(void **state)
{
	(void)state;
	assert_json_int(qstat_json_value("1"), 1);
	assert_json_int(qstat_json_value("-3"), -3);
	assert_json_int(qstat_json_value("0"), 0);
	assert_json_int(qstat_json_value("-0"), 0);
	assert_json_int(qstat_json_value("9223372036854775807"), INT64_MAX);
	assert_json_int(qstat_json_value("-9223372036854775808"), INT64_MIN);
	assert_json_real(qstat_json_value("1.5"), 1.5);
	assert_json_real(qstat_json_value("-0.25"), -0.25);
	assert_json_real(qstat_json_value("0.1"), 0.1);
	assert_json_real(qstat_json_value("1.50"), 1.5);
	assert_json_real(qstat_json_value("123456789.012345"), 123456789.012345);
	assert_json_real(qstat_json_value("0.000000000000001"), 0.000000000000001);
	/* only plain decimal numbers: no exponents, leading zeros, blanks,
	 * signs other than '-', hex, digits lost to a double, or 64-bit
	 * overflow */
	static const char *strings[] = {
	    "4gb",
	    "01:00:00",
	    "007",
	    "",
	    " 1",
	    "1 ",
	    " 5",
	    "1.",
	    ".5",
	    "+1",
	    "-",
	    "--1",
	    "1e5",
	    "2e3",
	    "1E5",
	    "1.5e3",
	    "0x10",
	    "nan",
	    "NaN",
	    "inf",
	    "Infinity",
	    "True",
	    "true",
	    "null",
	    "1,000",
	    "00",
	    "-01",
	    "0.1.2",
	    "99999999999999999999",
	    "9223372036854775808",
	    "-9223372036854775809",
	    "1234567890.123456",
	    "0.1234567890123456",
	    "1\n",
	};
	for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
		json_t *v = qstat_json_value(strings[i]);
		if (!json_is_string(v))
			fail_msg("\"%s\" should stay a string", strings[i]);
		assert_json_str(v, strings[i]);
		assert_int_equal(qstat_json_number(strings[i]), 0);
	}
	assert_int_equal(qstat_json_number("12"), 1);
	assert_int_equal(qstat_json_number("12.0"), 2);
	assert_int_equal(qstat_json_number("100000000000000.0"), 2);  /* 15 digits */
	assert_int_equal(qstat_json_number("1000000000000000.5"), 0); /* 17 */
	assert_int_equal(qstat_json_number("0.00000000000000000001"), 2);
}

static void test_json_varlist(void **state)
{
	(void)state;
	json_t *v = qstat_json_varlist("PBS_O_HOME=/home/a,N=42,LIST=a\\,b\\,c,EMPTY=,BARE,X=y=z");
	assert_int_equal(json_object_size(v), 6);
	/* values stay strings, even numeric ones (PBS bug #1255) */
	assert_string_equal(json_string_value(json_object_get(v, "N")), "42");
	assert_string_equal(json_string_value(json_object_get(v, "PBS_O_HOME")), "/home/a");
	assert_string_equal(json_string_value(json_object_get(v, "LIST")), "a,b,c");
	assert_string_equal(json_string_value(json_object_get(v, "EMPTY")), "");
	assert_string_equal(json_string_value(json_object_get(v, "BARE")), "");
	assert_string_equal(json_string_value(json_object_get(v, "X")), "y=z");
	json_decref(v);

	v = qstat_json_varlist("");
	assert_int_equal(json_object_size(v), 0);
	json_decref(v);

	/* a repeated name keeps its first place, with the last value */
	v = qstat_json_varlist("A=1,B=2,A=3,,=x");
	char *t = json_dumps(v, JSON_COMPACT);
	assert_string_equal(t, "{\"A\":\"3\",\"B\":\"2\",\"\":\"x\"}");
	free(t);
	json_decref(v);
}

static void test_json_doc(void **state)
{
	(void)state;
	json_t *a = attrs_of("{\"Job_Name\":\"STDIN\",\"Resource_List.ncpus\":\"1\","
			     "\"job_state\":\"Q\",\"Resource_List.walltime\":\"01:00:00\","
			     "\"resources_used.cpupercent\":\"0\",\"Priority\":\"-5\","
			     "\"Variable_List\":\"A=1,B=x\\\\,y\",\"estimated.start_time\":\"0\","
			     "\"comment\":\"say \\\"hi\\\"\"}");
	json_t *doc = qstat_json_doc(1700000000, "0.1.0", "vm");
	json_t *jobs = json_object();
	json_object_set_new(jobs, "1.vm", qstat_json_attrs(a));
	json_object_set_new(doc, "Jobs", jobs);

	struct cap c;
	cap_open(&c);
	assert_int_equal(qstat_json_print(c.f, doc), 0);
	char *out = cap_close(&c);
	assert_string_equal(out, "{\n"
				 "    \"timestamp\":1700000000,\n"
				 "    \"pbs_version\":\"0.1.0\",\n"
				 "    \"pbs_server\":\"vm\",\n"
				 "    \"Jobs\":{\n"
				 "        \"1.vm\":{\n"
				 "            \"Job_Name\":\"STDIN\",\n"
				 "            \"Resource_List\":{\n"
				 "                \"ncpus\":1,\n"
				 "                \"walltime\":\"01:00:00\"\n"
				 "            },\n"
				 "            \"job_state\":\"Q\",\n"
				 "            \"resources_used\":{\n"
				 "                \"cpupercent\":0\n"
				 "            },\n"
				 "            \"Priority\":-5,\n"
				 "            \"Variable_List\":{\n"
				 "                \"A\":\"1\",\n"
				 "                \"B\":\"x,y\"\n"
				 "            },\n"
				 "            \"estimated\":{\n"
				 "                \"start_time\":\"UNKNOWN\"\n"
				 "            },\n"
				 "            \"comment\":\"say \\\"hi\\\"\"\n"
				 "        }\n"
				 "    }\n"
				 "}\n");
	/* and it is valid JSON */
	json_error_t e;
	json_t *back = json_loads(out, 0, &e);
	assert_non_null(back);
	json_decref(back);
	free(out);
	json_decref(doc);
	json_decref(a);
}

static void test_json_real_format(void **state)
{
	(void)state;
	json_t *doc = json_object();
	json_object_set_new(doc, "x", qstat_json_value("0.1"));
	struct cap c;
	cap_open(&c);
	qstat_json_print(c.f, doc);
	char *out = cap_close(&c);
	assert_string_equal(out, "{\n    \"x\":0.1\n}\n");
	free(out);
	json_decref(doc);
}

/* ---- JSON, streamed, against the jansson tree ----------------------- */

struct jctx {
	struct qstat_jout *js;
	const char *group;
};

static void jout_cb(void *arg, const char *id, const struct qstat_kv *kv, size_t n)
{
	struct jctx *j = arg;
	qstat_jout_object(j->js, j->group, id, kv, n);
}

/* The document for a job.stat reply: streamed from its text (scanner and
 * writer) and built as a jansson tree then printed, as qstat did before.
 * Both must be the same bytes, and valid JSON. */
static void compare_json(const char *reply)
{
	/* the reference: a tree */
	json_error_t e;
	json_t *rep = json_loads(reply, 0, &e);
	if (!rep)
		fail_msg("bad test reply: %s", e.text);
	json_t *doc = qstat_json_doc(1700000000, "1.2.3", "vm\"x");
	json_t *jobs = NULL;
	size_t i;
	json_t *job;
	json_array_foreach(json_object_get(rep, "jobs"), i, job)
	{
		if (!jobs) {
			jobs = json_object();
			json_object_set_new(doc, "Jobs", jobs);
		}
		json_object_set_new(jobs, json_string_value(json_object_get(job, "id")),
				    qstat_json_attrs(json_object_get(job, "attrs")));
	}
	struct cap c;
	cap_open(&c);
	assert_int_equal(qstat_json_print(c.f, doc), 0);
	char *want = cap_close(&c);
	json_decref(doc);
	json_decref(rep);

	/* streamed */
	struct qstat_out out;
	struct qstat_jout js;
	struct jctx j = {.js = &js, .group = "Jobs"};
	cap_open(&c);
	qstat_out_init(&out, c.f);
	qstat_jout_begin(&js, &out, 1700000000, "1.2.3", "vm\"x");
	char *text = strdup(reply);
	assert_int_equal(qstat_scan_jobs(text, strlen(text), jout_cb, &j, NULL), 0);
	free(text);
	qstat_jout_end(&js);
	assert_int_equal(qstat_out_close(&out), 0);
	char *got = cap_close(&c);

	if (strcmp(want, got) != 0)
		fail_msg("streamed JSON differs\n--- tree:\n%s\n--- streamed:\n%s", want, got);
	json_t *back = json_loads(got, 0, &e);
	if (!back)
		fail_msg("streamed JSON does not parse: %s", e.text);
	json_decref(back);
	free(want);
	free(got);
}

static void test_json_stream(void **state)
{
	(void)state;
	/* escapes and unicode, in names, values and ids */
	compare_json("{\"id\":1,\"ok\":true,\"jobs\":[{\"id\":\"1.vm\",\"attrs\":{"
		     "\"Job_Name\":\"say \\\"hi\\\" back\\\\slash \\/ "
		     "\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\","
		     "\"comment\":\"\\u00e9\\u4e2d\\ud83d\\ude00 \xc3\xa9 \xe2\x82\xac\","
		     "\"na\\\"me\\u00e9\":\"x\",\"empty\":\"\","
		     "\"Resource_List.ncpus\":\"4\",\"Resource_List.mem\":\"4gb\","
		     "\"Resource_List.a\\\"b\":\"\\\"\"}},"
		     "{\"id\":\"2.v\\u00e9\\\"m\",\"attrs\":{}}],\"errors\":[]}");

	/* numbers and look-alikes */
	compare_json("{\"id\":2,\"ok\":true,\"jobs\":[{\"id\":\"3.vm\",\"attrs\":{"
		     "\"a\":\"1e5\",\"b\":\"007\",\"c\":\"-3\",\"d\":\" 5\",\"e\":\"0x10\","
		     "\"f\":\"1.5\",\"g\":\"0.1\",\"h\":\"-0\",\"i\":\"-0.0\",\"j\":\"1.50\","
		     "\"k\":\"99999999999999999999\",\"l\":\"9223372036854775807\","
		     "\"m\":\"-9223372036854775808\",\"n\":\"9223372036854775808\","
		     "\"o\":\"1234567890.123456\",\"p\":\"123456789.012345\",\"q\":\"0.000001\","
		     "\"r\":\"1.\",\"s\":\".5\",\"t\":\"+1\",\"u\":\"1,000\",\"v\":\"NaN\","
		     "\"w\":\"true\",\"x\":\"null\",\"y\":\"100000000000000.0\",\"z\":\"2.0\","
		     "\"Priority\":\"-1024\",\"resources_used.cpupercent\":\"0\","
		     "\"resources_used.cput\":\"00:00:01\",\"resources_used.mem\":\"0kb\","
		     "\"Resource_List.walltime\":\"01:00:00\",\"Resource_List.ncpus\":\"2\"}}],"
		     "\"errors\":[]}");

	/* nesting: parents apart, odd dots; times; Variable_List */
	compare_json("{\"id\":3,\"ok\":true,\"jobs\":[{\"id\":\"4.vm\",\"attrs\":{"
		     "\"Resource_List.a\":\"1\",\"x\":\"y\",\"resources_used.b\":\"2\","
		     "\"Resource_List.b\":\"3\",\".hidden\":\"4\",\"trail.\":\"5\",\"a.b.c\":\"6\","
		     "\"resources_used.c\":\"7\",\"a.d\":\"8\","
		     "\"ctime\":\"1700000000\",\"mtime\":\"1700000001\",\"qtime\":\"bad\","
		     "\"estimated.start_time\":\"0\",\"estimated.exec_vnode\":\"(n1:ncpus=1)\","
		     "\"Execution_Time\":\"1700000000\",\"history_timestamp\":\"-5\","
		     "\"stime\":\"99999999999999999999\","
		     "\"Variable_List\":\"PBS_O_HOME=/home/a,N=42,LIST=a\\\\,b,EMPTY=,BARE,X=y=z,"
		     "Q=\\\"q\\\",U=\\u00e9,N=43,=v,,\"}},"
		     "{\"id\":\"5.vm\",\"attrs\":{\"Variable_List\":\"\",\"Job_Name\":\"\"}},"
		     "{\"id\":\"6.vm\",\"attrs\":{\"Variable_List\":\",,,\"}}],\"errors\":[]}");

	/* a long Variable_List with repeats (the hashed de-duplication) */
	char reply[8192];
	int l = snprintf(reply, sizeof reply,
			 "{\"id\":4,\"ok\":true,\"jobs\":[{\"id\":\"7.vm\",\"attrs\":{"
			 "\"Variable_List\":\"");
	for (int i = 0; i < 60; i++)
		l += snprintf(reply + l, sizeof reply - (size_t)l, "%sV%d=%d", i ? "," : "", i % 23,
			      i);
	snprintf(reply + l, sizeof reply - (size_t)l, "\"}}],\"errors\":[]}");
	compare_json(reply);

	/* no jobs: no "Jobs" */
	compare_json("{\"id\":5,\"ok\":true,\"jobs\":[],\"errors\":[]}");
}

static void test_json_stream_groups(void **state)
{
	(void)state;
	struct cap c;
	struct qstat_out out;
	struct qstat_jout js;
	struct qstat_kv kv[] = {{"enabled", "True"}, {"total_jobs", "3"}};

	cap_open(&c);
	qstat_out_init(&out, c.f);
	qstat_jout_begin(&js, &out, 5, "v", "s");
	qstat_jout_object(&js, "Queue", "workq", kv, 2);
	qstat_jout_object(&js, "Queue", "q2", kv, 0);
	qstat_jout_end(&js);
	qstat_out_close(&out);
	char *got = cap_close(&c);
	assert_string_equal(got, "{\n"
				 "    \"timestamp\":5,\n"
				 "    \"pbs_version\":\"v\",\n"
				 "    \"pbs_server\":\"s\",\n"
				 "    \"Queue\":{\n"
				 "        \"workq\":{\n"
				 "            \"enabled\":\"True\",\n"
				 "            \"total_jobs\":3\n"
				 "        },\n"
				 "        \"q2\":{}\n"
				 "    }\n"
				 "}\n");
	free(got);

	/* bytes that are not UTF-8 (never sent by the server) still give
	 * valid JSON */
	struct qstat_kv bad[] = {{"a\xff", "x\xc3(\xed\xa0\x80y\xf4\x90\x80\x80"}};
	cap_open(&c);
	qstat_out_init(&out, c.f);
	qstat_jout_begin(&js, &out, 5, "v", "s");
	qstat_jout_object(&js, "Jobs", "1.vm", bad, 1);
	qstat_jout_end(&js);
	qstat_out_close(&out);
	got = cap_close(&c);
	json_error_t e;
	json_t *back = json_loads(got, 0, &e);
	if (!back)
		fail_msg("invalid JSON: %s\n%s", e.text, got);
	json_decref(back);
	free(got);
}

/* The bulk -f and dsv writers, on scanner arrays, show times as
 * qstat_display_value does. */
static void test_full_kv_times(void **state)
{
	(void)state;
	static const char *names[] = {
	    "ctime",
	    "mtime",
	    "qtime",
	    "etime",
	    "stime",
	    "obittime",
	    "Execution_Time",
	    "estimated.start_time",
	    "last_state_change_time",
	    "last_used_time",
	    "history_timestamp",
	    "Resource_List.walltime",
	    "Job_Name",
	};
	static const char *values[] = {"1700000000", "1700000001", "0", "x", "-1", ""};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		for (size_t k = 0; k < sizeof values / sizeof values[0]; k++) {
			char tbuf[64], want[256];
			const char *shown =
			    qstat_display_value(names[i], values[k], tbuf, sizeof tbuf);
			snprintf(want, sizeof want, "Job Id: 1.vm\n    %s = %s\n\n", names[i],
				 shown);
			/* twice: the second comes from the kept answers */
			for (int rep = 0; rep < 2; rep++) {
				struct qstat_kv kv = {names[i], values[k]};
				struct cap c;
				struct qstat_out out;
				cap_open(&c);
				qstat_out_init(&out, c.f);
				qstat_full_kv(&out, QSTAT_JOB, "1.vm", &kv, 1);
				qstat_out_close(&out);
				char *got = cap_close(&c);
				assert_string_equal(got, want);
				free(got);
			}
		}
	}
	/* a time really is converted */
	char tbuf[64];
	assert_string_not_equal(
	    qstat_display_value("history_timestamp", "1700000000", tbuf, sizeof tbuf),
	    "1700000000");
}

/* Output larger than the buffer, and single writes larger than it. */
static void test_out_large(void **state)
{
	(void)state;
	struct cap c;
	struct qstat_out out;
	size_t big = (3u << 20) + 17;
	char *v = malloc(big + 1);
	memset(v, 'v', big);
	v[big] = '\0';
	struct qstat_kv kv[] = {{"a", "1"}, {"b", v}};
	cap_open(&c);
	qstat_out_init(&out, c.f);
	for (int i = 0; i < 3; i++)
		qstat_dsv_kv(&out, QSTAT_JOB, "1.vm", kv, 2, "|");
	assert_int_equal(qstat_out_close(&out), 0);
	char *got = cap_close(&c);
	size_t line = strlen("Job Id: 1.vm|a=1|b=") + big + 1;
	assert_int_equal(strlen(got), 3 * line);
	assert_memory_equal(got + 2 * line, "Job Id: 1.vm|a=1|b=vvv", 22);
	free(got);
	free(v);
}

/* ---- queue and server summaries ------------------------------------- */

static void test_state_counts(void **state)
{
	(void)state;
	struct qstat_counts c;
	qstat_state_counts("Transit:0 Queued:1 Held:2 Waiting:3 Running:4 Exiting:5 Begun:6", &c);
	assert_string_equal(c.trn, "0");
	assert_string_equal(c.que, "1");
	assert_string_equal(c.hld, "2");
	assert_string_equal(c.wat, "3");
	assert_string_equal(c.run, "4");
	assert_string_equal(c.ext, "5");
	qstat_state_counts("Queued:1234567 Running:12", &c);
	assert_string_equal(c.que, "1234*");
	assert_string_equal(c.run, "12");
	assert_string_equal(c.hld, "0");
	qstat_state_counts(NULL, &c);
	assert_string_equal(c.que, "0");
}

static void test_queue_table(void **state)
{
	(void)state;
	struct cap c;
	json_t *a = attrs_of("{\"queue_type\":\"Execution\",\"total_jobs\":\"1\","
			     "\"state_count\":\"Transit:0 Queued:1 Held:0 Waiting:0 Running:0 "
			     "Exiting:0 Begun:0\",\"enabled\":\"True\",\"started\":\"False\","
			     "\"partition\":\"gpu\"}");
	cap_open(&c);
	qstat_queue_header(c.f);
	qstat_queue_row(c.f, "workq", a);
	qstat_queue_row(c.f, "averyveryverylongqueue", json_object_get(a, "none"));
	char *out = cap_close(&c);
	assert_string_equal(
	    out, "Queue              Max   Tot Ena Str   Que   Run   Hld   Wat   Trn   Ext Type "
		 "Partition\n"
		 "---------------- ----- ----- --- --- ----- ----- ----- ----- ----- ----- ---- "
		 "---------\n"
		 "workq                0     1 yes  no     1     0     0     0     0     0 Exe* gpu\n"
		 "averyveryverylo*     0     0  no  no     0     0     0     0     0     0 not "
		 "defined --\n");
	free(out);
	json_decref(a);
}

static void test_server_table(void **state)
{
	(void)state;
	struct cap c;
	json_t *a = attrs_of("{\"server_state\":\"Active\",\"total_jobs\":\"3\","
			     "\"state_count\":\"Transit:0 Queued:1 Held:0 Waiting:0 Running:2 "
			     "Exiting:0 Begun:0\"}");
	cap_open(&c);
	qstat_server_header(c.f);
	qstat_server_row(c.f, "vm", a);
	char *out = cap_close(&c);
	assert_string_equal(
	    out, "Server             Max   Tot   Que   Run   Hld   Wat   Trn   Ext Status\n"
		 "---------------- ----- ----- ----- ----- ----- ----- ----- ----- -----------\n"
		 "vm                   0     3     1     2     0     0     0     0 Active    \n");
	free(out);
	json_decref(a);
}

static void test_altq(void **state)
{
	(void)state;
	struct cap c;
	int run = 0, que = 0;
	json_t *a = attrs_of("{\"enabled\":\"True\",\"started\":\"True\","
			     "\"state_count\":\"Transit:0 Queued:1 Held:2 Waiting:0 Running:3 "
			     "Exiting:0 Begun:0\",\"resources_max.walltime\":\"24:00:00\"}");
	cap_open(&c);
	qstat_altq_header(c.f, "vm");
	qstat_altq_row(c.f, "workq", a, 0, &run, &que);
	qstat_altq_footer(c.f, run, que);
	char *out = cap_close(&c);
	assert_string_equal(
	    out, "\nserver: vm\n\n"
		 "Queue            Memory CPU Time Walltime Node   Run   Que   Lm  State\n"
		 "---------------- ------ -------- -------- ---- ----- ----- ----  -----\n"
		 "workq              --      --    24:00:00  --      3     3   --   E R\n"
		 "                                               ----- -----\n"
		 "                                                   3     3\n");
	free(out);
	json_decref(a);
}

/* ---- alternate display ---------------------------------------------- */

static void test_cnv_size(void **state)
{
	(void)state;
	char b[32];
	assert_string_equal(qstat_cnv_size("4gb", 0, b, sizeof b), "4gb");
	assert_string_equal(qstat_cnv_size("1048576kb", 0, b, sizeof b), "1024mb");
	assert_string_equal(qstat_cnv_size("512mb", QSTAT_ALT_GB, b, sizeof b), "1gb");
	assert_string_equal(qstat_cnv_size("100", 0, b, sizeof b), "100 b");
}

static void test_alt(void **state)
{
	(void)state;
	struct cap c;
	json_t *a =
	    attrs_of("{\"Job_Name\":\"averylongjobname\",\"Job_Owner\":\"alice@h\","
		     "\"job_state\":\"R\",\"queue\":\"workq\",\"session_id\":\"4242\","
		     "\"Resource_List.nodect\":\"1\",\"Resource_List.ncpus\":\"8\","
		     "\"Resource_List.mem\":\"4gb\",\"Resource_List.walltime\":\"01:00:00\","
		     "\"resources_used.walltime\":\"00:10:00\","
		     "\"exec_host\":\"node1.example.com/0*8\",\"comment\":\"Job run\"}");
	cap_open(&c);
	qstat_alt_header(c.f, "vm", NULL, 0);
	qstat_alt_row(c.f, "12.vm", a, QSTAT_ALT_NODES | QSTAT_ALT_COMMENT);
	char *out = cap_close(&c);
	assert_string_equal(
	    out,
	    "\nvm: \n"
	    "                                                            Req'd  Req'd   Elap\n"
	    "Job ID          Username Queue    Jobname    SessID NDS TSK Memory Time  S Time\n"
	    "--------------- -------- -------- ---------- ------ --- --- ------ ----- - -----\n"
	    "12.vm           alice    workq    averylong*   4242   1   8    4gb 01:00 R 00:10\n"
	    "   node1/0*8\n"
	    "   Job run\n");
	free(out);

	/* nothing known: " -- " everywhere */
	cap_open(&c);
	qstat_alt_row(c.f, "13.vm", json_object_get(a, "none"), 0);
	out = cap_close(&c);
	assert_string_equal(
	    out,
	    "13.vm            --       --       --           --   --  --    --    --      -- \n");
	free(out);
	json_decref(a);
}

static void test_print_nodes(void **state)
{
	(void)state;
	struct cap c;
	cap_open(&c);
	qstat_print_nodes(c.f, "a.x.y/0*2+b/1*2+10.0.0.1/0", false);
	char *out = cap_close(&c);
	assert_string_equal(out, "   a/0*2+b/1*2+10.0.0.1/0\n");
	free(out);

	/* long lists break before 77 characters, lines end in '+' */
	char list[400] = "";
	for (int i = 0; i < 12; i++)
		strcat(list, i ? "+node0001/0*16" : "node0001/0*16");
	cap_open(&c);
	qstat_print_nodes(c.f, list, false);
	out = cap_close(&c);
	assert_string_equal(
	    out, "   node0001/0*16+node0001/0*16+node0001/0*16+node0001/0*16+node0001/0*16+\n"
		 "   node0001/0*16+node0001/0*16+node0001/0*16+node0001/0*16+node0001/0*16+\n"
		 "   node0001/0*16+node0001/0*16\n");
	free(out);
}

/* ---- fast job-list scanner ----------------------------------------- */

struct seen {
	int n;
	char ids[4][32];
	char names[4][64];
	size_t nattrs[4];
};

static void seen_cb(void *arg, const char *id, const struct qstat_kv *kv, size_t n)
{
	struct seen *s = arg;
	if (s->n < 4) {
		snprintf(s->ids[s->n], sizeof s->ids[0], "%s", id);
		const char *name = qstat_kv_get(kv, n, "Job_Name");
		snprintf(s->names[s->n], sizeof s->names[0], "%s", name ? name : "(none)");
		s->nattrs[s->n] = n;
	}
	s->n++;
}

static int scan(const char *text, struct seen *s, json_t **rest)
{
	char *copy = strdup(text);
	memset(s, 0, sizeof *s);
	int rc = qstat_scan_jobs(copy, strlen(copy), seen_cb, s, rest);
	free(copy);
	return rc;
}

static void test_scan_jobs(void **state)
{
	(void)state;
	struct seen s;
	json_t *rest = NULL;
	const char *reply =
	    "{\"id\":7,\"ok\":true,\"jobs\":["
	    "{\"id\":\"1.vm\",\"attrs\":{\"Job_Name\":\"a\\\"b\\\\c\\n\",\"job_state\":\"Q\"}},"
	    " { \"extra\" : [1, {\"x\": \"]}\"}], \"attrs\" : { \"Job_Name\" : "
	    "\"\\u00e9\\ud83d\\ude00\" ,"
	    " \"n\": 5, \"o\": {\"p\": null} } , \"id\" : \"2.vm\" },"
	    "{\"id\":\"3.vm\",\"attrs\":{}},"
	    "{\"attrs\":{\"Job_Name\":\"no id\"}}"
	    "],\"errors\":[{\"id\":\"99\",\"error\":{\"code\":\"ENOENT\",\"pbs_errno\":15001}}]}\n";
	assert_int_equal(scan(reply, &s, &rest), 0);
	assert_int_equal(s.n, 3); /* the one without an id is not reported */
	assert_string_equal(s.ids[0], "1.vm");
	assert_string_equal(s.names[0], "a\"b\\c\n");
	assert_int_equal(s.nattrs[0], 2);
	assert_string_equal(s.ids[1], "2.vm");
	assert_string_equal(s.names[1], "\xc3\xa9\xf0\x9f\x98\x80"); /* e-acute, U+1F600 */
	assert_int_equal(s.nattrs[1], 1); /* non-string values are left out */
	assert_string_equal(s.ids[2], "3.vm");
	assert_int_equal(s.nattrs[2], 0);
	assert_non_null(rest);
	assert_int_equal(json_integer_value(json_object_get(rest, "id")), 7);
	assert_true(json_is_true(json_object_get(rest, "ok")));
	assert_int_equal(json_array_size(json_object_get(rest, "errors")), 1);
	assert_null(json_object_get(rest, "jobs"));
	json_decref(rest);

	/* error replies have no jobs */
	assert_int_equal(scan("{\"id\":3,\"ok\":false,\"error\":{\"code\":\"EPERM\"}}", &s, &rest),
			 0);
	assert_int_equal(s.n, 0);
	assert_false(json_is_true(json_object_get(rest, "ok")));
	json_decref(rest);

	/* malformed text */
	const char *bad[] = {
	    "",
	    "[]",
	    "{\"jobs\":[{\"id\":\"1\"}",
	    "{\"jobs\":[{\"id\":\"1\" \"attrs\":{}}]}",
	    "{\"jobs\":[{\"id\":\"bad \\x escape\"}]}",
	    "{\"jobs\":[{\"id\":\"\\ud800\"}]}",
	    "{\"jobs\":[]} trailing",
	    "{\"id\":1,}",
	    "{\"jobs\":[{\"id\":\"raw\ncontrol\"}]}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		rest = NULL;
		assert_int_equal(scan(bad[i], &s, &rest), -EPROTO);
		assert_null(rest);
	}
}

static void test_job_row_kv(void **state)
{
	(void)state;
	struct qstat_kv kv[] = {
	    {"Job_Name", "STDIN"},
	    {"Job_Owner", "alice@h"},
	    {"job_state", "R"},
	    {"queue", "workq"},
	    {"resources_used.cput", "00:00:05"},
	};
	struct cap c;
	cap_open(&c);
	qstat_job_row_kv(c.f, "5.vm", kv, 5, 0);
	char *out = cap_close(&c);
	assert_string_equal(
	    out,
	    "5.vm              STDIN            alice             00:00:05 R workq           \n");
	free(out);
}

/* ---- jobcmd helpers used by qstat ------------------------------------ */

static void test_jobcmd(void **state)
{
	(void)state;
	assert_true(jobcmd_valid_id("12"));
	assert_true(jobcmd_valid_id("12.vm"));
	assert_true(jobcmd_valid_id("12[].vm"));
	assert_true(jobcmd_valid_id("12[3].vm@vm"));
	assert_false(jobcmd_valid_id("abc"));
	assert_false(jobcmd_valid_id("12x"));
	assert_false(jobcmd_valid_id("12."));
	assert_false(jobcmd_valid_id(""));

	assert_true(jobcmd_msg_names("Unknown Job Id 99.vm", "99"));
	assert_true(jobcmd_msg_names("Unknown Job Id 99.vm", "99.vm"));
	assert_false(jobcmd_msg_names("Unknown Job Id 99.vm", "9"));
	assert_false(jobcmd_msg_names("Request invalid for state of job", "12.vm"));

	char *s = jobcmd_full_id("12", "vm");
	assert_string_equal(s, "12.vm");
	free(s);
	s = jobcmd_full_id("12.other@x", "vm");
	assert_string_equal(s, "12.other");
	free(s);
	s = jobcmd_wire_id("12.vm@vm");
	assert_string_equal(s, "12.vm");
	free(s);

	char sig[32];
	assert_int_equal(jobcmd_signal_name("kill", sig, sizeof sig), 0);
	assert_string_equal(sig, "SIGKILL");
	assert_int_equal(jobcmd_signal_name("SIGUSR1", sig, sizeof sig), 0);
	assert_string_equal(sig, "SIGUSR1");
	assert_int_equal(jobcmd_signal_name("9", sig, sizeof sig), 0);
	assert_string_equal(sig, "9");
	assert_int_equal(jobcmd_signal_name("suspend", sig, sizeof sig), 0);
	assert_string_equal(sig, "suspend");
	assert_int_equal(jobcmd_signal_name("", sig, sizeof sig), -EINVAL);
	assert_int_equal(jobcmd_signal_name("a b", sig, sizeof sig), -EINVAL);

	assert_true(jobcmd_hold_types_ok("u"));
	assert_true(jobcmd_hold_types_ok("uos"));
	assert_false(jobcmd_hold_types_ok("x"));
	assert_false(jobcmd_hold_types_ok(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_trunc),
	    cmocka_unit_test(test_job_table),
	    cmocka_unit_test(test_job_table_truncation),
	    cmocka_unit_test(test_job_table_wide_incr),
	    cmocka_unit_test(test_percent),
	    cmocka_unit_test(test_print_attr_wrap),
	    cmocka_unit_test(test_full),
	    cmocka_unit_test(test_dsv),
	    cmocka_unit_test(test_json_value),
	    cmocka_unit_test(test_json_varlist),
	    cmocka_unit_test(test_json_doc),
	    cmocka_unit_test(test_json_real_format),
	    cmocka_unit_test(test_json_stream),
	    cmocka_unit_test(test_json_stream_groups),
	    cmocka_unit_test(test_full_kv_times),
	    cmocka_unit_test(test_out_large),
	    cmocka_unit_test(test_state_counts),
	    cmocka_unit_test(test_queue_table),
	    cmocka_unit_test(test_server_table),
	    cmocka_unit_test(test_altq),
	    cmocka_unit_test(test_cnv_size),
	    cmocka_unit_test(test_alt),
	    cmocka_unit_test(test_print_nodes),
	    cmocka_unit_test(test_scan_jobs),
	    cmocka_unit_test(test_job_row_kv),
	    cmocka_unit_test(test_jobcmd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
