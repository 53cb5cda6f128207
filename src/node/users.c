/* users.c - see users.h. */
#include "src/node/users.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/common/buf.h"
#include "src/common/log.h"

struct entry {
	char *user, *group; /* the key; group "" for the primary one */
	double at;	    /* when looked up */
	struct user_info info;
};

struct users {
	double ttl;
	int max, n;
	struct entry *e;
	long hits, misses;
};

struct users *users_new(double ttl, int max)
{
	struct users *u = xcalloc(1, sizeof *u);
	u->ttl = ttl;
	u->max = max > 0 ? max : 1;
	u->e = xcalloc((size_t)u->max, sizeof *u->e);
	return u;
}

static void entry_free(struct entry *e)
{
	free(e->user);
	free(e->group);
	free(e->info.name);
	free(e->info.home);
	free(e->info.groups);
	memset(e, 0, sizeof *e);
}

void users_free(struct users *u)
{
	if (!u)
		return;
	for (int i = 0; i < u->n; i++)
		entry_free(&u->e[i]);
	free(u->e);
	free(u);
}

void users_stats(const struct users *u, long *hits, long *misses)
{
	*hits = u->hits;
	*misses = u->misses;
}

static int lookup_nss(const char *user, const char *group, struct user_info *out, char *why,
		      size_t n)
{
	struct passwd pw, *pr = NULL;
	char buf[16384];
	memset(out, 0, sizeof *out);
	if (getpwnam_r(user, &pw, buf, sizeof buf, &pr) != 0 || !pr) {
		snprintf(why, n, "unknown user %s on this node", user);
		return -ENOENT;
	}
	out->uid = pw.pw_uid;
	out->gid = pw.pw_gid;
	out->name = xstrdup(pw.pw_name);
	out->home = xstrdup(pw.pw_dir && *pw.pw_dir ? pw.pw_dir : "/");
	int ng = 32;
	for (;;) {
		out->groups = xrealloc(out->groups, (size_t)ng * sizeof *out->groups);
		int got = ng;
		if (getgrouplist(out->name, out->gid, out->groups, &got) >= 0) {
			out->ngroups = got;
			break;
		}
		if (got <= ng)
			got = ng * 2;
		if (got > 65536) {
			out->ngroups = 0;
			break;
		}
		ng = got;
	}
	/* egroup: a group of the user's only (their groups include it). */
	if (group && *group) {
		struct group gr, *grp = NULL;
		char *gbuf = xmalloc(65536);
		bool member = false;
		if (getgrnam_r(group, &gr, gbuf, 65536, &grp) == 0 && grp)
			for (int i = 0; i < out->ngroups; i++)
				member = member || (gid_t)out->groups[i] == gr.gr_gid;
		if (member)
			out->gid = gr.gr_gid;
		else
			corral_log(LOG_WARNING, "job",
				   "group %s is not a group of %s here: using the primary group",
				   group, user);
		free(gbuf);
	}
	return 0;
}

int users_lookup(struct users *u, const char *user, const char *group, double now,
		 const struct user_info **out, char *why, size_t n)
{
	const char *g = group ? group : "";
	for (int i = 0; i < u->n; i++) {
		struct entry *e = &u->e[i];
		if (strcmp(e->user, user) != 0 || strcmp(e->group, g) != 0)
			continue;
		if (now >= e->at && now - e->at < u->ttl) {
			u->hits++;
			*out = &e->info;
			return 0;
		}
		/* stale: dropped, looked up again below */
		entry_free(e);
		u->e[i] = u->e[--u->n];
		break;
	}
	u->misses++;
	struct user_info info;
	int rc = lookup_nss(user, g, &info, why, n);
	if (rc < 0)
		return rc;
	if (u->n == u->max) {
		/* full: the oldest entry goes */
		int old = 0;
		for (int i = 1; i < u->n; i++)
			if (u->e[i].at < u->e[old].at)
				old = i;
		entry_free(&u->e[old]);
		u->e[old] = u->e[--u->n];
	}
	struct entry *e = &u->e[u->n++];
	e->user = xstrdup(user);
	e->group = xstrdup(g);
	e->at = now;
	e->info = info;
	*out = &e->info;
	return 0;
}
