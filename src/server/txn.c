/* txn.c - see txn.h. */
#include "src/server/txn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/common/buf.h"
#include "src/common/log.h"
#include "src/common/util.h"
#include "src/server/acct.h"
#include "src/server/job.h"
#include "src/server/objects.h"
#include "src/store/store.h"

struct touched_obj {
	enum obj_kind kind;
	char *name;
};

struct txn {
	bool open;
	int64_t *jobs; /* seqs touched this iteration */
	size_t njobs, capjobs;
	struct touched_obj *objs;
	size_t nobjs, capobjs;
	int64_t saved_seq; /* next_seq as last committed */
	char errtext[256];
	bool failing; /* last commit failed: log recovery once */
};

int txn_create(struct server *s)
{
	s->txn = xcalloc(1, sizeof *s->txn);
	s->txn->saved_seq = s->next_seq;
	return 0;
}

void txn_destroy(struct server *s)
{
	if (!s->txn)
		return;
	free(s->txn->jobs);
	for (size_t i = 0; i < s->txn->nobjs; i++)
		free(s->txn->objs[i].name);
	free(s->txn->objs);
	free(s->txn);
	s->txn = NULL;
}

int txn_begin(struct server *s)
{
	struct txn *t = s->txn;
	if (t->open)
		return 0;
	int rc = store_begin(s->store);
	if (rc < 0) {
		snprintf(t->errtext, sizeof t->errtext, "%s", store_errmsg(s->store));
		return rc;
	}
	t->open = true;
	return 0;
}

void txn_touch_job(struct server *s, int64_t seq)
{
	struct txn *t = s->txn;
	if (t->njobs && t->jobs[t->njobs - 1] == seq)
		return;
	if (t->njobs == t->capjobs) {
		t->capjobs = t->capjobs ? 2 * t->capjobs : 256;
		t->jobs = xrealloc(t->jobs, t->capjobs * sizeof *t->jobs);
	}
	t->jobs[t->njobs++] = seq;
}

void txn_touch_obj(struct server *s, enum obj_kind kind, const char *name)
{
	struct txn *t = s->txn;
	for (size_t i = 0; i < t->nobjs; i++)
		if (t->objs[i].kind == kind && strcmp(t->objs[i].name, name) == 0)
			return;
	if (t->nobjs == t->capobjs) {
		t->capobjs = t->capobjs ? 2 * t->capobjs : 16;
		t->objs = xrealloc(t->objs, t->capobjs * sizeof *t->objs);
	}
	t->objs[t->nobjs++] = (struct touched_obj){kind, xstrdup(name)};
}

static void forget(struct txn *t)
{
	t->njobs = 0;
	for (size_t i = 0; i < t->nobjs; i++)
		free(t->objs[i].name);
	t->nobjs = 0;
}

int txn_end(struct server *s, const char **errtext)
{
	struct txn *t = s->txn;
	*errtext = t->errtext;
	if (!t->open)
		return 0;
	int rc = 0;
	if (s->next_seq != t->saved_seq) {
		char v[32];
		snprintf(v, sizeof v, "%lld", (long long)s->next_seq);
		rc = store_meta_put(s->store, "next_seq", v);
	}
	int crc = store_commit(s->store);
	if (rc == 0)
		rc = crc;
	else if (crc == 0)
		rc = 0; /* meta write failed but commit worked?: store fails the txn */
	t->open = false;
	if (rc == 0) {
		s->last_commit_ms = corral_mono_ms();
		t->saved_seq = s->next_seq;
		acct_flush(s, true);
		forget(t);
		if (t->failing) {
			corral_log(LOG_NOTICE, "store", "commits succeed again");
			t->failing = false;
		}
		return 0;
	}
	snprintf(t->errtext, sizeof t->errtext, "%s", store_errmsg(s->store));
	if (!t->failing)
		corral_log(LOG_ERR, "store", "commit failed, changes refused: %s", t->errtext);
	t->failing = true;
	/* The store rolled back: bring memory back to what it holds. */
	acct_flush(s, false);
	for (size_t i = 0; i < t->nobjs; i++)
		obj_reload(s, t->objs[i].kind, t->objs[i].name);
	for (size_t i = 0; i < t->njobs; i++)
		job_reload(s, t->jobs[i]);
	s->next_seq = t->saved_seq;
	forget(t);
	return rc;
}
