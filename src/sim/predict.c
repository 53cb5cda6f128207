/* predict.c - run-time predictors and Tsafrir's corrector (predict.h).
 * The per-user history is an open-addressing table keyed by user id. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "src/common/buf.h"
#include "src/sim/predict.h"

struct hist {
	int32_t user;
	bool used;
	int64_t last, prev; /* run times of the last two ended jobs, 0: none */
};

struct predictor {
	enum predict_kind kind;
	struct hist *tab;
	size_t cap, n; /* cap a power of two */
};

struct predictor *predictor_create(enum predict_kind kind)
{
	struct predictor *p = xcalloc(1, sizeof *p);
	p->kind = kind;
	return p;
}

void predictor_destroy(struct predictor *p)
{
	if (!p)
		return;
	free(p->tab);
	free(p);
}

static size_t slot_of(const struct predictor *p, int32_t user)
{
	uint32_t h = (uint32_t)user * 2654435761u;
	size_t i = h & (p->cap - 1);
	while (p->tab[i].used && p->tab[i].user != user)
		i = (i + 1) & (p->cap - 1);
	return i;
}

static struct hist *hist_get(struct predictor *p, int32_t user, bool create)
{
	if (!p->cap) {
		if (!create)
			return NULL;
		p->cap = 1024;
		p->tab = xcalloc(p->cap, sizeof *p->tab);
	}
	struct hist *h = &p->tab[slot_of(p, user)];
	if (h->used)
		return h;
	if (!create)
		return NULL;
	if (2 * (p->n + 1) > p->cap) {
		struct hist *old = p->tab;
		size_t ocap = p->cap;
		p->cap *= 2;
		p->tab = xcalloc(p->cap, sizeof *p->tab);
		for (size_t i = 0; i < ocap; i++)
			if (old[i].used)
				p->tab[slot_of(p, old[i].user)] = old[i];
		free(old);
		h = &p->tab[slot_of(p, user)];
	}
	h->used = true;
	h->user = user;
	p->n++;
	return h;
}

int64_t predictor_predict(struct predictor *p, int32_t user, int64_t req, int64_t run)
{
	int64_t v = req;
	if (p->kind == PREDICT_EXACT) {
		v = run;
	} else if (p->kind == PREDICT_TSAFRIR) {
		const struct hist *h = hist_get(p, user, false);
		if (h && h->prev > 0) {
			int64_t avg = (h->last + h->prev) / 2;
			v = avg < req ? avg : req;
		}
	}
	return v >= 1 ? v : 1;
}

void predictor_fit(struct predictor *p, int32_t user, int64_t run)
{
	if (p->kind != PREDICT_TSAFRIR)
		return;
	struct hist *h = hist_get(p, user, true);
	h->prev = h->last;
	h->last = run;
}

int64_t predict_correct(int64_t pred, int ncorr, int64_t req)
{
	static const int64_t add[] = {0,	 60,	    5 * 60,    15 * 60,
				      30 * 60,	 3600,	    2 * 3600,  5 * 3600,
				      10 * 3600, 20 * 3600, 50 * 3600, 100 * 3600};
	const int n = (int)(sizeof add / sizeof add[0]);
	if (ncorr < 0)
		ncorr = 0;
	if (ncorr + 1 >= n)
		return req;
	int64_t v = pred - add[ncorr] + add[ncorr + 1];
	return v < req ? v : req;
}
