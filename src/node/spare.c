/* spare.c - see spare.h. */
#include "src/node/spare.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "src/common/buf.h"
#include "src/common/log.h"

struct spare_user {
	uid_t uid;
	char **names; /* free sets: base names "uUID.G.K" */
	int n, cap;
};

static const char *const set_ext[] = {"SC", "NF", "TD"};
#define NEXT 3

static void push(char ***v, int *n, int *cap, char *s)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = xrealloc(*v, (size_t)*cap * sizeof **v);
	}
	(*v)[(*n)++] = s;
}

static struct spare_user *user(struct spares *sp, uid_t uid, bool create)
{
	for (int i = 0; i < sp->nu; i++)
		if (sp->u[i].uid == uid)
			return &sp->u[i];
	if (!create)
		return NULL;
	if (sp->nu == sp->capu) {
		sp->capu = sp->capu ? sp->capu * 2 : 8;
		sp->u = xrealloc(sp->u, (size_t)sp->capu * sizeof *sp->u);
	}
	struct spare_user *u = &sp->u[sp->nu++];
	memset(u, 0, sizeof *u);
	u->uid = uid;
	return u;
}

/* Remove the entries of set base (files, and the TMPDIR when empty). */
static void remove_set(int dfd, const char *base)
{
	char name[256];
	for (int i = 0; i < NEXT; i++) {
		snprintf(name, sizeof name, "%s.%s", base, set_ext[i]);
		int rc = unlinkat(dfd, name, i == 2 ? AT_REMOVEDIR : 0);
		if (rc < 0 && errno == ENOTDIR) /* not what it should be */
			rc = unlinkat(dfd, name, 0);
		if (rc < 0 && errno != ENOENT)
			corral_log_errno(LOG_WARNING, errno, "spare", "cannot remove spare %s",
					 name);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "uUID.G.K.EXT": uid and the index of EXT; false when not of that form. */
static bool parse_set_entry(const char *name, uid_t *uid, int *ext, size_t *baselen)
{
	if (name[0] != 'u')
		return false;
	char *end;
	errno = 0;
	unsigned long v = strtoul(name + 1, &end, 10);
	if (end == name + 1 || *end != '.' || errno)
		return false;
	const char *dot = strrchr(name, '.');
	if (!dot || dot == end)
		return false;
	for (int i = 0; i < NEXT; i++) {
		if (strcmp(dot + 1, set_ext[i]) == 0) {
			*uid = (uid_t)v;
			*ext = i;
			*baselen = (size_t)(dot - name);
			return true;
		}
	}
	return false;
}

static void scan(struct spares *sp, DIR *d)
{
	int dfd = dirfd(d);
	char **setents = NULL;
	int nset = 0, capset = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *name = de->d_name;
		if (name[0] == '.')
			continue;
		struct stat sb;
		if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (name[0] == 'r' && name[1] == '.') {
			if (S_ISREG(sb.st_mode) && sb.st_uid == 0 && sp->nrec < sp->maxrec)
				push(&sp->rec, &sp->nrec, &sp->caprec, xstrdup(name));
			else if (!S_ISDIR(sb.st_mode))
				unlinkat(dfd, name, 0);
			continue;
		}
		uid_t uid;
		int ext;
		size_t bl;
		if (parse_set_entry(name, &uid, &ext, &bl))
			push(&setents, &nset, &capset, xstrdup(name));
	}
	/* Group the entries of each set: sorted, a set's three are adjacent
	 * (same base, then ".NF", ".SC", ".TD"). */
	if (nset > 0)
		qsort(setents, (size_t)nset, sizeof *setents, cmp_str);
	for (int i = 0; i < nset;) {
		uid_t uid;
		int ext;
		size_t bl;
		parse_set_entry(setents[i], &uid, &ext, &bl);
		char *base = xstrndup(setents[i], bl);
		int mask = 0;
		int j = i;
		for (; j < nset && strncmp(setents[j], base, bl) == 0 && setents[j][bl] == '.'; j++) {
			uid_t u2;
			int e2;
			size_t bl2;
			struct stat sb;
			if (!parse_set_entry(setents[j], &u2, &e2, &bl2) || bl2 != bl || u2 != uid ||
			    fstatat(dfd, setents[j], &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
			    sb.st_uid != uid)
				continue;
			if (e2 == 2 ? S_ISDIR(sb.st_mode) : S_ISREG(sb.st_mode))
				mask |= 1 << e2;
		}
		if (mask == (1 << NEXT) - 1 && sp->sets < sp->maxsets) {
			struct spare_user *u = user(sp, uid, true);
			push(&u->names, &u->n, &u->cap, base);
			sp->sets++;
		} else {
			remove_set(dfd, base);
			free(base);
		}
		for (; i < j; i++) /* j > i: the first entry matches its own base */
			free(setents[i]);
	}
	free(setents);
}

void spares_init(struct spares *sp, const char *dir, int max)
{
	memset(sp, 0, sizeof *sp);
	sp->maxsets = max > 0 ? max : 0;
	sp->maxrec = 2 * sp->maxsets;
	snprintf(sp->tag, sizeof sp->tag, "%lxp%x", (unsigned long)time(NULL),
		 (unsigned)getpid());
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		corral_log_errno(LOG_WARNING, errno, "spare", "cannot create %s: no spares", dir);
		return;
	}
	struct stat sb;
	if (lstat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode) || sb.st_uid != geteuid() ||
	    (chmod(dir, 0700) < 0)) {
		corral_log(LOG_WARNING, "spare", "%s is not our directory: no spares", dir);
		return;
	}
	DIR *d = opendir(dir);
	if (!d) {
		corral_log_errno(LOG_WARNING, errno, "spare", "cannot read %s: no spares", dir);
		return;
	}
	sp->dir = xstrdup(dir);
	scan(sp, d);
	closedir(d);
	if (sp->sets > 0 || sp->nrec > 0)
		corral_log(LOG_INFO, "spare", "%d spare file sets and %d spare records in %s",
			   sp->sets, sp->nrec, dir);
}

void spares_free(struct spares *sp)
{
	for (int i = 0; i < sp->nrec; i++)
		free(sp->rec[i]);
	free(sp->rec);
	for (int i = 0; i < sp->nu; i++) {
		for (int k = 0; k < sp->u[i].n; k++)
			free(sp->u[i].names[k]);
		free(sp->u[i].names);
	}
	free(sp->u);
	free(sp->dir);
	memset(sp, 0, sizeof *sp);
}

bool spares_take_record(struct spares *sp, char *buf, size_t n)
{
	if (!sp->dir || sp->nrec == 0)
		return false;
	char *name = sp->rec[--sp->nrec];
	int w = snprintf(buf, n, "%s/%s", sp->dir, name);
	free(name);
	return w > 0 && (size_t)w < n;
}

bool spares_put_record(struct spares *sp, const char *path)
{
	if (!sp->dir || sp->nrec >= sp->maxrec)
		return false;
	char *name = xasprintf("r.%s.%lu", sp->tag, sp->next++);
	char *to = xasprintf("%s/%s", sp->dir, name);
	bool ok = rename(path, to) == 0;
	free(to);
	if (ok)
		push(&sp->rec, &sp->nrec, &sp->caprec, name);
	else
		free(name);
	return ok;
}

bool spares_take_set(struct spares *sp, uid_t uid, char *buf, size_t n)
{
	if (!sp->dir || sp->maxsets == 0)
		return false;
	struct spare_user *u = user(sp, uid, true);
	char *name = NULL;
	if (u->n > 0) {
		name = u->names[--u->n];
	} else {
		if (sp->sets >= sp->maxsets) {
			/* full: a free set of another user makes room */
			struct spare_user *o = NULL;
			for (int i = 0; i < sp->nu && !o; i++)
				if (sp->u[i].n > 0)
					o = &sp->u[i];
			if (!o)
				return false;
			char *victim = o->names[--o->n];
			DIR *d = opendir(sp->dir);
			if (d) {
				remove_set(dirfd(d), victim);
				closedir(d);
			}
			free(victim);
			sp->sets--;
		}
		name = xasprintf("u%u.%s.%lu", (unsigned)uid, sp->tag, sp->next++);
		sp->sets++;
	}
	int w = snprintf(buf, n, "%s/%s", sp->dir, name);
	bool ok = w > 0 && (size_t)w < n;
	if (!ok) {
		sp->sets--;
		free(name);
		return false;
	}
	free(name);
	return true;
}

void spares_put_set(struct spares *sp, uid_t uid, const char *prefix, bool returned)
{
	if (!sp->dir)
		return;
	size_t dl = strlen(sp->dir);
	if (!returned || strncmp(prefix, sp->dir, dl) != 0 || prefix[dl] != '/') {
		sp->sets--;
		return;
	}
	struct spare_user *u = user(sp, uid, true);
	push(&u->names, &u->n, &u->cap, xstrdup(prefix + dl + 1));
}

int spares_free_records(const struct spares *sp) { return sp->nrec; }

int spares_free_sets(const struct spares *sp, uid_t uid)
{
	for (int i = 0; i < sp->nu; i++)
		if (sp->u[i].uid == uid)
			return sp->u[i].n;
	return 0;
}
