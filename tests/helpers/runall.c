/* runall.c - run every queued job through job.run (qrun) as nodes free
 * up, until no job is left unfinished; a stand-in for a scheduler in
 * launch benchmarks and tests.
 *   runall [--expect N] [--timeout S]
 * Exits 0 once N jobs (default: those queued at start) have finished;
 * prints {"finished":N,"seconds":S}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/client/client.h"
#include "src/common/util.h"

int main(int argc, char **argv)
{
	long expect = -1, timeout = 600;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--expect"))
			expect = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--timeout"))
			timeout = atol(argv[i + 1]);
	}
	corral_error_t err = {0};
	corral_conn_t *c = corral_connect(NULL, "runall", &err);
	if (!c) {
		fprintf(stderr, "runall: %s\n", err.text);
		return 1;
	}
	double t0 = corral_now();
	long finished = 0;
	json_t *seen = json_object(); /* every job id ever listed */
	for (;;) {
		/* Unfinished jobs only: the list shrinks as jobs end. */
		json_t *req = json_pack("{s:s,s:[s]}", "op", "job.stat", "attrs", "job_state");
		json_t *rep = corral_call(c, req, &err);
		json_decref(req);
		if (!rep) {
			fprintf(stderr, "runall: %s\n", err.text);
			return 1;
		}
		json_t *jobs = json_object_get(rep, "jobs");
		long queued = 0, remaining = (long)json_array_size(jobs);
		size_t i;
		json_t *j;
		json_array_foreach(jobs, i, j)
		{
			const char *st =
				json_string_value(json_object_get(json_object_get(j, "attrs"), "job_state"));
			const char *id = json_string_value(json_object_get(j, "id"));
			if (id)
				json_object_set(seen, id, json_true());
			if (st && *st == 'Q') {
				json_t *r = json_pack("{s:s,s:O}", "op", "job.run", "job",
						      json_object_get(j, "id"));
				corral_send_buffered(c, r, &err);
				json_decref(r);
				queued++;
			}
		}
		if (expect < 0)
			expect = remaining;
		finished = (long)json_object_size(seen) - remaining;
		json_decref(rep);
		corral_flush(c, &err);
		long started = 0;
		for (long k = 0; k < queued; k++) {
			json_t *r = corral_recv(c, -1, &err);
			if (!r) {
				fprintf(stderr, "runall: %s\n", err.text);
				return 1;
			}
			if (json_is_true(json_object_get(r, "ok")))
				started++;
			json_decref(r);
		}
		if (finished >= expect)
			break;
		if (corral_now() - t0 > timeout) {
			fprintf(stderr, "runall: timed out with %ld of %ld finished\n", finished, expect);
			return 1;
		}
		if (started == 0)
			usleep(5000);
	}
	printf("{\"finished\":%ld,\"seconds\":%.3f}\n", finished, corral_now() - t0);
	json_decref(seen);
	corral_close(c);
	return 0;
}
