/* test_cli_qstat_fmt.c - qstat's output shapes (src/cli/lib/qstat_fmt.h):
 * the job table and its '*' truncation, -f wrapping, the JSON conversion
 * (nested resources, numbers vs strings, Variable_List), the queue and
 * server summaries, and the alternate display. */
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

static void test_json_value(void **state)
{
	(void)state;
	assert_json_int(qstat_json_value("1"), 1);
	assert_json_int(qstat_json_value("-3"), -3);
	assert_json_int(qstat_json_value("0"), 0);
	json_t *r = qstat_json_value("1.5");
	assert_true(json_is_real(r));
	assert_true(json_real_value(r) == 1.5);
	json_decref(r);
	r = qstat_json_value("2e3");
	assert_true(json_is_real(r));
	json_decref(r);
	r = qstat_json_value("99999999999999999999"); /* too big for 64 bits */
	assert_true(json_is_real(r));
	json_decref(r);
	assert_json_str(qstat_json_value("4gb"), "4gb");
	assert_json_str(qstat_json_value("01:00:00"), "01:00:00");
	assert_json_str(qstat_json_value("007"), "007");
	assert_json_str(qstat_json_value(""), "");
	assert_json_str(qstat_json_value(" 1"), " 1");
	assert_json_str(qstat_json_value("1."), "1.");
	assert_json_str(qstat_json_value("nan"), "nan");
	assert_json_str(qstat_json_value("True"), "True");
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
			     "Exiting:0 Begun:0\",\"enabled\":\"True\",\"started\":\"False\"}");
	cap_open(&c);
	qstat_queue_header(c.f);
	qstat_queue_row(c.f, "workq", a);
	qstat_queue_row(c.f, "averyveryverylongqueue", json_object_get(a, "none"));
	char *out = cap_close(&c);
	assert_string_equal(
	    out, "Queue              Max   Tot Ena Str   Que   Run   Hld   Wat   Trn   Ext Type\n"
		 "---------------- ----- ----- --- --- ----- ----- ----- ----- ----- ----- ----\n"
		 "workq                0     1 yes  no     1     0     0     0     0     0 Exe*\n"
		 "averyveryverylo*     0     0  no  no     0     0     0     0     0     0 not "
		 "defined\n");
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
