/* metrics.c - replay metrics and the comparison with a reference
 * schedule (metrics.h). */
#include <stdlib.h>
#include <string.h>

#include "src/common/buf.h"
#include "src/sim/metrics.h"

static const int class_hi[METRICS_NCLASS] = {1, 4, 16, 64, 256, 1024, 0};

double metrics_bsld(int64_t wait, int64_t run)
{
	double r = run > 10 ? (double)run : 10.0;
	double b = (double)(wait + run) / r;
	return b > 1.0 ? b : 1.0;
}

static void add(struct metrics_sum *s, int64_t wait, double bsld, bool backfilled)
{
	s->jobs++;
	s->mean_wait += (double)wait; /* sums until finish() */
	s->mean_bsld += bsld;
	if (wait > s->max_wait)
		s->max_wait = wait;
	if (bsld > s->max_bsld)
		s->max_bsld = bsld;
	s->backfilled += backfilled;
}

static void finish(struct metrics_sum *s)
{
	if (s->jobs) {
		s->mean_wait /= (double)s->jobs;
		s->mean_bsld /= (double)s->jobs;
	}
}

void metrics_compute(const struct engine_job *jobs, size_t n, int64_t cpus, struct metrics *out)
{
	struct metrics_sum cls[METRICS_NCLASS];
	memset(out, 0, sizeof *out);
	memset(cls, 0, sizeof cls);
	double work = 0;
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		const struct engine_job *j = &jobs[i];
		if (j->start < 0)
			continue;
		int64_t wait = j->start - j->submit;
		double b = metrics_bsld(wait, j->run);
		add(&out->all, wait, b, j->backfilled);
		int c = 0;
		while (class_hi[c] && j->procs > class_hi[c])
			c++;
		add(&cls[c], wait, b, j->backfilled);
		work += (double)j->run * (double)j->procs;
		if (!any || j->submit < out->first_submit)
			out->first_submit = j->submit;
		if (!any || j->end > out->last_end)
			out->last_end = j->end;
		any = true;
	}
	finish(&out->all);
	out->makespan = any ? out->last_end - out->first_submit : 0;
	if (out->makespan > 0 && cpus > 0)
		out->utilization = work / ((double)cpus * (double)out->makespan);
	for (int c = 0; c < METRICS_NCLASS; c++) {
		if (!cls[c].jobs)
			continue;
		finish(&cls[c]);
		int k = out->nclasses++;
		out->classes[k].lo = c ? class_hi[c - 1] + 1 : 1;
		out->classes[k].hi = class_hi[c];
		out->classes[k].s = cls[c];
	}
}

struct idx {
	int64_t id;
	size_t i;
};

static int idx_cmp(const void *a, const void *b)
{
	const struct idx *x = a, *y = b;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

void metrics_compare(const struct engine_job *jobs, size_t n, const struct metrics_refjob *ref,
		     size_t nref, struct metrics_ref *out)
{
	memset(out, 0, sizeof *out);
	out->jobs = nref;
	out->max_diff_id = -1;
	struct idx *ours = xmalloc((n ? n : 1) * sizeof *ours);
	for (size_t i = 0; i < n; i++)
		ours[i] = (struct idx){jobs[i].id, i};
	qsort(ours, n, sizeof *ours, idx_cmp);
	for (size_t r = 0; r < nref; r++) {
		const struct metrics_refjob *x = &ref[r];
		out->mean_wait += (double)x->wait;
		out->mean_bsld += metrics_bsld(x->wait, x->run);
		size_t lo = 0, hi = n;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (ours[mid].id < x->id)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == n || ours[lo].id != x->id)
			continue;
		const struct engine_job *j = &jobs[ours[lo].i];
		if (j->start < 0)
			continue;
		out->compared++;
		int64_t d = j->start - (x->submit + x->wait);
		if (d < 0)
			d = -d;
		if (d == 0)
			out->identical++;
		if (d > out->max_diff) {
			out->max_diff = d;
			out->max_diff_id = x->id;
		}
	}
	if (nref) {
		out->mean_wait /= (double)nref;
		out->mean_bsld /= (double)nref;
	}
	free(ours);
}
