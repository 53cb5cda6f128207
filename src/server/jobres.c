/* jobres.c - see jobres.h. */
#include "src/server/jobres.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/common/buf.h"
#include "src/common/resource.h"
#include "src/proto/msg.h"

#define RL "Resource_List."
#define RL_LEN (sizeof RL - 1)

/* Numeric value of a resource for comparisons; false when not numeric. */
static bool res_number(const char *name, const char *value, double *out)
{
	corral_error_t err;
	switch (corral_res_type(name)) {
	case RES_LONG: {
		char *end;
		long long v = strtoll(value, &end, 10);
		if (*end)
			return false;
		*out = (double)v;
		return true;
	}
	case RES_SIZE: {
		uint64_t b;
		if (corral_size_parse(value, &b, &err) < 0)
			return false;
		*out = (double)b;
		return true;
	}
	case RES_DURATION: {
		int64_t secs;
		if (corral_duration_parse(value, &secs, &err) < 0)
			return false;
		*out = (double)secs;
		return true;
	}
	default:
		return false;
	}
}

/* Chunk-level resources that a job-wide request turns into a chunk. */
static bool chunk_resource(const char *name)
{
	return !strcmp(name, "ncpus") || !strcmp(name, "mem") || !strcmp(name, "ngpus") ||
	       !strcmp(name, "vmem") || !strcmp(name, "mpiprocs") || !strcmp(name, "ompthreads");
}

int jobres_prepare(struct server *s, struct obj *q, struct kv *req, int *pbs_errno,
		   corral_error_t *err)
{
	struct kv out = {0};
	int rc = 0;
	*pbs_errno = PBSE_BADATVAL;

	/* 1. Canonical values. */
	for (const char *k = kv_first(req); k; k = kv_next(req, k)) {
		if (strncmp(k, RL, RL_LEN) != 0)
			continue;
		const char *name = k + RL_LEN;
		char *canon = NULL;
		if (strcmp(name, "nodect") == 0 || strcmp(name, "nodes") == 0) {
			rc = corral_errorf(err, EINVAL,
					   "Resource_List.%s cannot be requested: use select", name);
			*pbs_errno = PBSE_INVALJOBRESC;
			goto fail;
		}
		if (corral_res_normalize(name, kv_val(k), &canon, err) < 0) {
			rc = -EINVAL;
			goto fail;
		}
		kv_set(&out, k, canon);
		free(canon);
	}

	/* 2. select: derive it from job-wide chunk resources when absent (or
	 * when it was derived before and those changed), else derive the
	 * job-wide totals from it. */
	const char *sel = kv_get(&out, RL "select");
	bool derived = kv_get(req, "_select_derived") != NULL;
	if (!sel || derived) {
		struct corral_buf b;
		buf_init(&b);
		buf_printf(&b, "1");
		bool any_ncpus = false;
		for (const char *k = kv_first(&out); k; k = kv_next(&out, k)) {
			const char *name = k + RL_LEN;
			if (chunk_resource(name)) {
				buf_printf(&b, ":%s=%s", name, kv_val(k));
				any_ncpus |= strcmp(name, "ncpus") == 0;
			}
		}
		if (!any_ncpus) {
			const char *dc = srv_attr(s, "default_chunk.ncpus");
			buf_printf(&b, ":ncpus=%s", dc ? dc : "1");
		}
		buf_append(&b, "", 1);
		kv_set(&out, RL "select", b.data);
		buf_free(&b);
		kv_set(&out, "_select_derived", "1");
		if (!kv_get(&out, RL "place"))
			kv_set(&out, RL "place", "pack");
	} else {
		kv_set(&out, "_select_derived", NULL);
		if (!kv_get(&out, RL "place"))
			kv_set(&out, RL "place", "free");
	}
	struct corral_select *cs = NULL;
	if (corral_select_parse(kv_get(&out, RL "select"), &cs, err) < 0) {
		rc = -EINVAL;
		*pbs_errno = PBSE_INVALSELECTRESC;
		goto fail;
	}
	/* Totals over chunks; a chunk without ncpus gets default_chunk.ncpus. */
	uint64_t ncpus = 0, mem = 0, ngpus = 0;
	long dflt_ncpus = srv_attr_long(s, "default_chunk.ncpus", 1);
	bool have_mem = false, have_gpus = false;
	for (int i = 0; i < cs->nchunks; i++) {
		struct corral_chunk *ch = &cs->chunks[i];
		bool got = false;
		for (int r = 0; r < ch->nres; r++) {
			const char *n = ch->res[r].name, *v = ch->res[r].value;
			if (!strcmp(n, "ncpus")) {
				ncpus += (uint64_t)ch->count * strtoull(v, NULL, 10);
				got = true;
			} else if (!strcmp(n, "ngpus")) {
				ngpus += (uint64_t)ch->count * strtoull(v, NULL, 10);
				have_gpus = true;
			} else if (!strcmp(n, "mem")) {
				uint64_t b;
				corral_error_t e2;
				if (corral_size_parse(v, &b, &e2) == 0)
					mem += (uint64_t)ch->count * b;
				have_mem = true;
			}
		}
		if (!got)
			ncpus += (uint64_t)ch->count * (uint64_t)dflt_ncpus;
	}
	char tmp[64];
	kv_setf(&out, RL "ncpus", "%llu", (unsigned long long)ncpus);
	if (have_mem)
		kv_set(&out, RL "mem", corral_size_format(mem, tmp, sizeof tmp));
	if (have_gpus)
		kv_setf(&out, RL "ngpus", "%llu", (unsigned long long)ngpus);
	kv_setf(&out, RL "nodect", "%d", corral_select_nodect(cs));
	corral_select_destroy(cs);

	/* 3. Defaults: the queue's, then the server's. */
	struct obj *srcs[2] = {q, &s->srv};
	for (int i = 0; i < 2; i++) {
		if (!srcs[i])
			continue;
		struct kv *a = &srcs[i]->attrs;
		for (const char *k = kv_first(a); k; k = kv_next(a, k)) {
			if (strncmp(k, "resources_default.", 18) != 0)
				continue;
			char *name = xasprintf(RL "%s", k + 18);
			if (!kv_get(&out, name))
				kv_set(&out, name, kv_val(k));
			free(name);
		}
	}
	if (!kv_get(&out, RL "walltime")) {
		const char *dw = srv_attr(s, "default_walltime");
		if (dw)
			kv_set(&out, RL "walltime", dw);
	}

	/* 4. Limits. */
	if ((rc = jobres_check_limits(s, q, &out, pbs_errno, err)) < 0)
		goto fail;

	/* Keep non-resource entries of req (none today) and swap. */
	kv_clear(req);
	*req = out;
	return 0;
fail:
	kv_clear(&out);
	return rc;
}

int jobres_check_limits(struct server *s, struct obj *q, const struct kv *req, int *pbs_errno,
			corral_error_t *err)
{
	struct obj *srcs[2] = {q, &s->srv};
	for (int i = 0; i < 2; i++) {
		if (!srcs[i])
			continue;
		const struct kv *a = &srcs[i]->attrs;
		for (const char *k = kv_first(a); k; k = kv_next(a, k)) {
			bool is_max = strncmp(k, "resources_max.", 14) == 0;
			bool is_min = strncmp(k, "resources_min.", 14) == 0;
			if (!is_max && !is_min)
				continue;
			const char *name = k + 14;
			char key[128];
			snprintf(key, sizeof key, RL "%s", name);
			const char *v = kv_get(req, key);
			double have, lim;
			if (!v || !res_number(name, v, &have) || !res_number(name, kv_val(k), &lim))
				continue;
			if ((is_max && have > lim) || (is_min && have < lim)) {
				*pbs_errno = PBSE_EXCQRESC;
				return corral_errorf(
					err, ERANGE,
					"Job %s %s resource limits: %s %s %s (%s %s.%s)",
					is_max ? "exceeds" : "violates",
					i == 0 ? "queue" : "server", name, v, is_max ? ">" : "<",
					kv_val(k), i == 0 ? q->name : "server", k);
			}
		}
	}
	return 0;
}
