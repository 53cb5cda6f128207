/* loadgen.c - submit many jobs fast, for tests and benchmarks.
 *
 *   loadgen [--jobs N] [--batch B] [--window W] [--ids FILE] [--script TEXT]
 *           [--attr NAME=VALUE]...
 *
 * Sends N jobs over one Unix connection as job.submit requests of B jobs
 * each, keeping up to W requests in flight (pipelining).  --batch 1 with a
 * large window is "single-job requests pipelined"; --batch 1000 --window 1
 * is the bulk API.  Every acknowledged job id is written to --ids (one per
 * line, flushed as acknowledged).  Prints one JSON line with the counts and
 * the rate.  Exit status 1 when any submission failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/client/client.h"
#include "src/common/util.h"
#include "src/proto/msg.h"

int main(int argc, char **argv)
{
	long n = 1000, batch = 1, window = 64;
	const char *idsfile = NULL, *script = "#!/bin/sh\ntrue\n";
	json_t *attrs = json_object();
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v) {
			fprintf(stderr, "loadgen: %s needs a value\n", a);
			return 2;
		}
		if (!strcmp(a, "--jobs"))
			n = atol(v);
		else if (!strcmp(a, "--batch"))
			batch = atol(v);
		else if (!strcmp(a, "--window"))
			window = atol(v);
		else if (!strcmp(a, "--ids"))
			idsfile = v;
		else if (!strcmp(a, "--script"))
			script = v;
		else if (!strcmp(a, "--attr")) {
			const char *eq = strchr(v, '=');
			if (!eq) {
				fprintf(stderr, "loadgen: --attr wants NAME=VALUE\n");
				return 2;
			}
			char *name = strndup(v, (size_t)(eq - v));
			json_object_set_new(attrs, name, json_string(eq + 1));
			free(name);
		} else {
			fprintf(stderr, "loadgen: unknown option %s\n", a);
			return 2;
		}
		i++;
	}
	if (batch < 1 || window < 1 || n < 0) {
		fprintf(stderr, "loadgen: bad numbers\n");
		return 2;
	}
	if (!json_object_get(attrs, "Variable_List"))
		json_object_set_new(attrs, "Variable_List",
				    json_string("PBS_O_WORKDIR=/tmp,PBS_O_HOME=/root,PBS_O_PATH=/usr/bin:/bin"));
	FILE *ids = idsfile ? fopen(idsfile, "w") : NULL;
	if (idsfile && !ids) {
		perror(idsfile);
		return 1;
	}
	corral_error_t err = {0};
	corral_conn_t *c = corral_connect(NULL, "loadgen", &err);
	if (!c) {
		fprintf(stderr, "loadgen: %s\n", err.text);
		return 1;
	}
	json_t *job = json_pack("{s:O,s:s}", "attrs", attrs, "script", script);
	long sent = 0, acked = 0, failed = 0, inflight = 0;
	double t0 = corral_now();
	while (acked + failed < n) {
		while (sent < n && inflight < window) {
			long k = n - sent < batch ? n - sent : batch;
			json_t *jobs = json_array();
			for (long i = 0; i < k; i++)
				json_array_append(jobs, job);
			json_t *req = json_pack("{s:s,s:o}", "op", "job.submit", "jobs", jobs);
			if (corral_send_buffered(c, req, &err) < 0) {
				fprintf(stderr, "loadgen: %s\n", err.text);
				return 1;
			}
			json_decref(req);
			sent += k;
			inflight++;
		}
		if (corral_flush(c, &err) < 0) {
			fprintf(stderr, "loadgen: %s\n", err.text);
			break;
		}
		json_t *rep = corral_recv(c, -1, &err);
		if (!rep) {
			fprintf(stderr, "loadgen: %s\n", err.text);
			break;
		}
		inflight--;
		json_t *res = json_object_get(rep, "results");
		if (!json_is_array(res)) {
			corral_msg_error(rep, &err, NULL);
			fprintf(stderr, "loadgen: request failed: %s\n", err.text);
			failed += batch;
		}
		size_t i;
		json_t *r;
		json_array_foreach(res, i, r)
		{
			if (json_is_true(json_object_get(r, "ok"))) {
				acked++;
				if (ids)
					fprintf(ids, "%s\n", json_string_value(json_object_get(r, "id")));
			} else {
				failed++;
				if (failed < 5) {
					corral_msg_error(json_object_get(r, "error"), &err, NULL);
					fprintf(stderr, "loadgen: %s\n", err.text);
				}
			}
		}
		if (ids)
			fflush(ids);
		json_decref(rep);
	}
	double dt = corral_now() - t0;
	printf("{\"jobs\":%ld,\"acked\":%ld,\"failed\":%ld,\"seconds\":%.3f,\"jobs_per_s\":%.0f}\n", n,
	       acked, failed, dt, dt > 0 ? acked / dt : 0.0);
	if (ids)
		fclose(ids);
	json_decref(job);
	json_decref(attrs);
	corral_close(c);
	return failed || acked < n ? 1 : 0;
}
