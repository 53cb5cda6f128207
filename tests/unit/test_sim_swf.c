/* test_sim_swf.c - the Standard Workload Format reader (src/sim/swf.h):
 * header lines, comments, every reason a record is skipped, malformed
 * lines, input fed in pieces, and files (plain, gzip, missing, truncated). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "src/sim/swf.h"

#define J(id, submit, run, alloc, req, reqtime)                                                    \
#id " " #submit " 5 " #run " " #alloc " -1 -1 " #req " " #reqtime " -1 1 3 1 -1 2 1 -1 -1\n"

static const char trace[] =
    "; Version: 2.2\n"
    ";  Computer:   IBM SP2  \n"
    "; MaxJobs: 5\n"
    ";MaxProcs:128\n"
    "; maxnodes: 64\n"
    "; UnixStartTime: 893466664\n"
    "; MaxRecords: not-a-number\n"
    ";\n"
    "; Note: a free comment: with a colon\n"
    "\n" J(1, 0, 100, 4, 8, 3600) "   \t\n" J(2, 10, 50, 16, -1, 600) "; a comment between jobs\n";

static void test_header_and_jobs(void **state)
{
	(void)state;
	struct swf_trace t;
	swf_parse(&t, trace, strlen(trace), NULL);
	assert_int_equal(t.hdr.max_procs, 128);
	assert_int_equal(t.hdr.max_nodes, 64);
	assert_int_equal(t.hdr.max_jobs, 5);
	assert_int_equal(t.hdr.unix_start, 893466664);
	assert_int_equal(t.hdr.max_records, -1); /* not a number: ignored */
	assert_string_equal(t.hdr.computer, "IBM SP2");
	assert_int_equal(t.njobs, 2);
	assert_int_equal(t.nskipped, 0);
	assert_int_equal(t.lines, 14);
	const struct swf_job *a = &t.jobs[0], *b = &t.jobs[1];
	assert_int_equal(a->id, 1);
	assert_int_equal(a->submit, 0);
	assert_int_equal(a->wait, 5);
	assert_int_equal(a->run, 100);
	assert_int_equal(a->alloc, 4);
	assert_int_equal(a->req, 8);
	assert_int_equal(a->procs, 8); /* max(allocated, requested) */
	assert_int_equal(a->req_time, 3600);
	assert_int_equal(a->status, 1);
	assert_int_equal(a->user, 3);
	assert_int_equal(a->queue, 2);
	assert_int_equal(a->line, 11);
	assert_int_equal(b->procs, 16);
	assert_int_equal(b->line, 13);
	swf_free(&t);
	swf_free(&t); /* twice is fine */
	swf_free(NULL);
}

static void test_no_header(void **state)
{
	(void)state;
	struct swf_trace t;
	const char *s = J(7, 3, 1, 1, 1, 1);
	swf_parse(&t, s, strlen(s) - 1, NULL); /* no final newline */
	assert_int_equal(t.njobs, 1);
	assert_int_equal(t.hdr.max_procs, -1);
	assert_int_equal(t.hdr.max_nodes, -1);
	assert_string_equal(t.hdr.computer, "");
	swf_free(&t);

	swf_parse(&t, "", 0, NULL);
	assert_int_equal(t.njobs, 0);
	assert_int_equal(t.lines, 0);
	swf_free(&t);
}

static void test_skips(void **state)
{
	(void)state;
	static const char s[] = J(1, 0, 0, 4, 4, 60)	       /* runtime 0 */
	    J(2, 0, -1, 4, 4, 60)			       /* runtime unknown */
	    J(3, 0, 10, -1, -1, 60)			       /* size unknown */
	    J(4, 0, 10, 0, 0, 60)			       /* size 0 */
	    J(5, -1, 10, 1, 1, 60)			       /* submit < 0 */
	    J(6, 0, 10, 1, 1, -1)			       /* no requested time */
	    J(7, 0, -1, -1, -1, -1)			       /* counted once: runtime */
	    J(8, 5, 10, -1, 2, 60)			       /* size from field 8 */
	    "9 0 5 10 1 -1 -1 1 60 -1 1 3 1 -1 2 1 -1\n"       /* 17 fields */
	    "10 0 5 10 1 -1 -1 1 60 -1 1 3 1 -1 2 1 -1 -1 0\n" /* 19 fields */
	    "11 0 5 ten 1 -1 -1 1 60 -1 1 3 1 -1 2 1 -1 -1\n"  /* text */
	    "12 0 5 10 1 -1 -1 1 60 -1 1 3 1 -1 2 1 -1 -1x\n"  /* junk after a number */
	    "13 0 5 99999999999999999999 1 -1 -1 1 60 -1 1 3 1 -1 2 1 -1 -1\n" /* overflow */
	    "14 0 5 10 1 12.75 -1 1 60 -1 1 3 1 -1 2 1 -1 -1\r\n"	       /* real, CRLF */
	    "15 0 5 1e2 1 -1 -1 1 60 -1 1 3 1 -1 2 1 -1 -1\n"		       /* exponent */
	    "16 0 5 - 1 -1 -1 1 60 -1 1 3 1 -1 2 1 -1 -1\n"		       /* sign only */
	    "17 2000000000000 5 10 1 -1 -1 1 60 -1 1 3 1 -1 2 1 -1 -1\n";      /* far future */
	struct swf_opts need = {.need_reqtime = true};
	struct swf_trace t;
	swf_parse(&t, s, sizeof s - 1, &need);
	assert_int_equal(t.njobs, 3);
	assert_int_equal(t.jobs[0].id, 8);
	assert_int_equal(t.jobs[0].procs, 2);
	assert_int_equal(t.jobs[1].id, 14);
	assert_int_equal(t.jobs[2].id, 15);
	assert_int_equal(t.jobs[2].run, 100);
	assert_int_equal(t.skipped[SWF_SKIP_RUNTIME], 3);
	assert_int_equal(t.skipped[SWF_SKIP_SIZE], 2);
	assert_int_equal(t.skipped[SWF_SKIP_SUBMIT], 1);
	assert_int_equal(t.skipped[SWF_SKIP_REQTIME], 1);
	assert_int_equal(t.skipped[SWF_SKIP_MALFORMED], 7);
	assert_int_equal(t.nskipped, 14);
	assert_int_equal(t.first_malformed, 9);
	assert_string_equal(swf_skip_name(SWF_SKIP_MALFORMED), "malformed");
	assert_string_equal(swf_skip_name(SWF_SKIP_REQTIME), "reqtime");
	assert_string_equal(swf_skip_name(SWF_NSKIP), "?");
	swf_free(&t);

	/* without need_reqtime the job without a requested time stays */
	swf_parse(&t, s, sizeof s - 1, NULL);
	assert_int_equal(t.njobs, 4);
	assert_int_equal(t.skipped[SWF_SKIP_REQTIME], 0);
	assert_int_equal(t.jobs[0].id, 6);
	assert_int_equal(t.jobs[0].req_time, -1);
	swf_free(&t);
}

static void test_long_lines(void **state)
{
	(void)state;
	size_t n = 3 * SWF_MAX_LINE;
	char *s = malloc(n + 200);
	/* a long comment, a long job line, then a good job */
	memset(s, ' ', n + 200);
	s[0] = ';';
	s[SWF_MAX_LINE + 10] = '\n';
	memcpy(s + SWF_MAX_LINE + 11, "1", 1);
	s[2 * SWF_MAX_LINE + 50] = '\n';
	const char *good = J(2, 0, 10, 1, 1, 60);
	memcpy(s + 2 * SWF_MAX_LINE + 51, good, strlen(good));
	size_t len = 2 * SWF_MAX_LINE + 51 + strlen(good);
	struct swf_trace t;
	swf_parse(&t, s, len, NULL);
	assert_int_equal(t.njobs, 1);
	assert_int_equal(t.skipped[SWF_SKIP_MALFORMED], 1);
	assert_int_equal(t.first_malformed, 2);
	swf_free(&t);

	/* the same fed one byte at a time */
	swf_init(&t, NULL);
	for (size_t i = 0; i < len; i++)
		swf_feed(&t, s + i, 1);
	swf_finish(&t);
	assert_int_equal(t.njobs, 1);
	assert_int_equal(t.skipped[SWF_SKIP_MALFORMED], 1);
	assert_int_equal(t.lines, 3);
	swf_free(&t);
	free(s);
}

static void test_pieces(void **state)
{
	(void)state;
	struct swf_trace whole, t;
	swf_parse(&whole, trace, strlen(trace), NULL);
	for (size_t step = 1; step < 40; step += 3) {
		swf_init(&t, NULL);
		for (size_t i = 0; i < strlen(trace); i += step) {
			size_t k = strlen(trace) - i < step ? strlen(trace) - i : step;
			swf_feed(&t, trace + i, k);
		}
		swf_finish(&t);
		assert_int_equal(t.njobs, whole.njobs);
		assert_int_equal(t.lines, whole.lines);
		assert_int_equal(t.hdr.max_procs, 128);
		assert_memory_equal(t.jobs, whole.jobs, whole.njobs * sizeof *t.jobs);
		swf_free(&t);
	}
	swf_free(&whole);
}

/* ---- files ---------------------------------------------------------- */

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/test_sim_swf.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_files(void **state)
{
	(void)state;
	char plain[128], gz[128], cut[128], missing[128];
	snprintf(plain, sizeof plain, "%s/t.swf", dir);
	snprintf(gz, sizeof gz, "%s/t.swf.gz", dir);
	snprintf(cut, sizeof cut, "%s/cut.swf.gz", dir);
	snprintf(missing, sizeof missing, "%s/none.swf", dir);
	FILE *f = fopen(plain, "w");
	assert_non_null(f);
	fputs(trace, f);
	fclose(f);
	gzFile g = gzopen(gz, "wb9");
	assert_non_null(g);
	assert_int_equal(gzputs(g, trace), (int)strlen(trace));
	gzclose(g);

	struct swf_trace t;
	corral_error_t err = {0};
	assert_int_equal(swf_load(&t, plain, NULL, &err), 0);
	assert_int_equal(t.njobs, 2);
	assert_int_equal(t.hdr.max_procs, 128);
	swf_free(&t);
	assert_int_equal(swf_load(&t, gz, NULL, &err), 0);
	assert_int_equal(t.njobs, 2);
	assert_int_equal(t.hdr.max_nodes, 64);
	swf_free(&t);

	assert_int_equal(swf_load(&t, missing, NULL, &err), -ENOENT);
	assert_non_null(strstr(err.text, "none.swf"));
	assert_int_equal(swf_load(&t, dir, NULL, &err), -EISDIR);

	/* a gzip file cut in the middle */
	f = fopen(gz, "rb");
	char buf[4096];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	f = fopen(cut, "wb");
	fwrite(buf, 1, n / 2, f);
	fclose(f);
	assert_int_equal(swf_load(&t, cut, NULL, &err), -EIO);
	assert_non_null(strstr(err.text, "truncated"));
	assert_null(t.jobs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_header_and_jobs),
	    cmocka_unit_test(test_no_header),
	    cmocka_unit_test(test_skips),
	    cmocka_unit_test(test_long_lines),
	    cmocka_unit_test(test_pieces),
	    cmocka_unit_test_setup_teardown(test_files, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
