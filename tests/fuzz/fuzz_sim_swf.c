/* fuzz_sim_swf.c - libFuzzer target: the Standard Workload Format reader
 * of the simulator (src/sim/swf.h), and a short replay of what it reads
 * (src/sim/engine.h, through the scheduling core).
 *
 * Input: the text of a trace, e.g.
 *     ; MaxProcs: 8
 *     1 0 -1 30 2 -1 -1 2 60 -1 1 1 1 -1 1 1 -1 -1
 * The first byte picks the options (bit 0: the requested time is needed;
 * bits 1-2: the policy; bits 3-4: the predictor); the second the size of
 * the pieces the rest is also fed in (1 to 256 bytes).
 *
 * Checks beyond "no crash, no leak": feeding in pieces reads exactly what
 * one buffer reads; every job kept has a positive run time and size, a
 * size that is max(allocated, requested), a submit time in range, and a
 * requested time when it is needed; the skip counts add up and a
 * malformed line's number is recorded.  Then up to 40 of the jobs (on a
 * pool of the largest size, at most 64 cpus) are replayed: every job
 * starts, no earlier than its submission, and ends after its run time.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/sim/engine.h"
#include "src/sim/swf.h"

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static void check_trace(const struct swf_trace *t, bool need_reqtime)
{
	size_t sum = 0;
	for (int k = 0; k < SWF_NSKIP; k++)
		sum += t->skipped[k];
	CHECK(sum == t->nskipped, "skip counts %zu != %zu", sum, t->nskipped);
	CHECK(t->njobs + t->nskipped <= t->lines, "%zu jobs + %zu skipped > %zu lines", t->njobs,
	      t->nskipped, t->lines);
	CHECK((t->first_malformed != 0) == (t->skipped[SWF_SKIP_MALFORMED] != 0),
	      "first malformed line %lld with %zu malformed", (long long)t->first_malformed,
	      t->skipped[SWF_SKIP_MALFORMED]);
	CHECK(t->first_malformed <= (int64_t)t->lines, "first malformed line past the end");
	for (size_t i = 0; i < t->njobs; i++) {
		const struct swf_job *j = &t->jobs[i];
		CHECK(j->run > 0 && j->run <= SWF_MAX_TIME, "job %zu: run %lld", i,
		      (long long)j->run);
		CHECK(j->procs > 0 && j->procs == (j->alloc > j->req ? j->alloc : j->req),
		      "job %zu: procs %d from %d, %d", i, j->procs, j->alloc, j->req);
		CHECK(j->submit >= 0 && j->submit <= SWF_MAX_TIME, "job %zu: submit %lld", i,
		      (long long)j->submit);
		CHECK(!need_reqtime || j->req_time > 0, "job %zu: no requested time", i);
		CHECK(j->line >= 1 && j->line <= (int64_t)t->lines, "job %zu: line %lld", i,
		      (long long)j->line);
		CHECK(i == 0 || j->line > t->jobs[i - 1].line, "job %zu: lines out of order", i);
	}
}

static void replay(const struct swf_trace *t, int opt)
{
	enum { MAXJOBS = 40, MAXCPUS = 64 };
	struct engine_job jobs[MAXJOBS];
	size_t n = 0;
	int64_t cpus = 1;
	memset(jobs, 0, sizeof jobs);
	for (size_t i = 0; i < t->njobs && n < MAXJOBS; i++) {
		const struct swf_job *s = &t->jobs[i];
		if (s->procs > MAXCPUS)
			continue;
		/* in submit order: keep the array sorted by insertion */
		size_t k = n++;
		while (k > 0 && jobs[k - 1].submit > s->submit) {
			jobs[k] = jobs[k - 1];
			k--;
		}
		struct engine_job *j = &jobs[k];
		memset(j, 0, sizeof *j);
		j->id = s->id;
		j->submit = s->submit;
		j->procs = s->procs;
		j->user = s->user;
		j->req = s->req_time > 0 ? s->req_time : s->run;
		j->run = s->run < j->req ? s->run : j->req;
		if (s->procs > cpus)
			cpus = s->procs;
	}
	if (!n)
		return;
	struct engine_conf c = {
	    .policy = (enum engine_policy)((opt >> 1) & 3),
	    .predictor = (enum predict_kind)(((opt >> 3) & 3) % 3),
	    .cpus = cpus,
	};
	corral_error_t err = {0};
	int rc = engine_run(jobs, n, &c, NULL, &err);
	CHECK(rc == 0, "replay failed: %s", err.text);
	for (size_t i = 0; i < n; i++) {
		CHECK(jobs[i].start >= jobs[i].submit, "job %zu starts before it comes", i);
		CHECK(jobs[i].end == jobs[i].start + jobs[i].run, "job %zu: end", i);
		CHECK(jobs[i].gone, "job %zu never left", i);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	int opt = data[0];
	size_t step = (size_t)data[1] + 1;
	const char *text = (const char *)data + 2;
	size_t len = size - 2;
	struct swf_opts o = {.need_reqtime = opt & 1};

	struct swf_trace whole, pieces;
	swf_parse(&whole, text, len, &o);
	check_trace(&whole, o.need_reqtime);

	swf_init(&pieces, &o);
	for (size_t i = 0; i < len; i += step)
		swf_feed(&pieces, text + i, len - i < step ? len - i : step);
	swf_finish(&pieces);
	CHECK(pieces.njobs == whole.njobs && pieces.nskipped == whole.nskipped &&
		  pieces.lines == whole.lines && pieces.first_malformed == whole.first_malformed,
	      "pieces of %zu: %zu jobs %zu skipped %zu lines, whole: %zu %zu %zu", step,
	      pieces.njobs, pieces.nskipped, pieces.lines, whole.njobs, whole.nskipped,
	      whole.lines);
	CHECK(memcmp(&pieces.hdr, &whole.hdr, sizeof whole.hdr) == 0, "headers differ");
	CHECK(whole.njobs == 0 ||
		  memcmp(pieces.jobs, whole.jobs, whole.njobs * sizeof *whole.jobs) == 0,
	      "jobs differ");
	swf_free(&pieces);

	replay(&whole, opt);
	swf_free(&whole);
	return 0;
}
