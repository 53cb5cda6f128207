/* jobenv.c - see jobenv.h. */
#include "src/node/jobenv.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/common/buf.h"

void envlist_init(struct envlist *e)
{
	e->n = 0;
	e->cap = 16;
	e->v = xcalloc(e->cap + 1, sizeof *e->v);
}

void envlist_free(struct envlist *e)
{
	if (!e || !e->v)
		return;
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i]);
	free(e->v);
	e->v = NULL;
	e->n = e->cap = 0;
}

static long find(const struct envlist *e, const char *name, size_t nl)
{
	for (size_t i = 0; i < e->n; i++)
		if (strncmp(e->v[i], name, nl) == 0 && e->v[i][nl] == '=')
			return (long)i;
	return -1;
}

void envlist_set(struct envlist *e, const char *name, const char *value)
{
	if (!e->v)
		envlist_init(e);
	size_t nl = strlen(name);
	char *s = xasprintf("%s=%s", name, value ? value : "");
	long i = find(e, name, nl);
	if (i >= 0) {
		free(e->v[i]);
		e->v[i] = s;
		return;
	}
	if (e->n == e->cap) {
		e->cap *= 2;
		e->v = xrealloc(e->v, (e->cap + 1) * sizeof *e->v);
	}
	e->v[e->n++] = s;
	e->v[e->n] = NULL;
}

const char *envlist_get(const struct envlist *e, const char *name)
{
	if (!e->v)
		return NULL;
	size_t nl = strlen(name);
	long i = find(e, name, nl);
	return i >= 0 ? e->v[i] + nl + 1 : NULL;
}

static bool ident_ok(const char *s, size_t n)
{
	if (n == 0 || isdigit((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

int varlist_parse(const char *vl, struct envlist *e)
{
	int added = 0;
	if (!vl)
		return 0;
	struct corral_buf item;
	buf_init(&item);
	const char *p = vl;
	for (;;) {
		/* One entry, unescaped, up to an unescaped comma or the end. */
		buf_reset(&item);
		size_t eq = (size_t)-1;
		bool escaped_name = false;
		for (; *p && *p != ','; p++) {
			char c = *p;
			if (c == '\\' && p[1]) {
				c = *++p;
				if (eq == (size_t)-1)
					escaped_name = true;
			} else if (c == '=' && eq == (size_t)-1) {
				eq = buf_unread(&item);
			}
			buf_append(&item, &c, 1);
		}
		buf_append(&item, "", 1);
		char *s = buf_peek(&item);
		if (eq != (size_t)-1 && !escaped_name && ident_ok(s, eq)) {
			s[eq] = '\0';
			envlist_set(e, s, s + eq + 1);
			added++;
		}
		if (!*p)
			break;
		p++; /* the comma */
	}
	buf_free(&item);
	return added;
}

void jobenv_build(const struct jobenv_in *in, struct envlist *e)
{
	char num[32];
	if (!e->v)
		envlist_init(e);
	varlist_parse(in->varlist, e);
	/* PATH: -v/-V's PATH, else the submitter's, else a default.  Decided
	 * before the daemon's variables go in. */
	const char *path = envlist_get(e, "PATH");
	if (!path || !*path)
		path = envlist_get(e, "PBS_O_PATH");
	char *pathcopy = xstrdup(path && *path ? path : JOBENV_DEFAULT_PATH);
	envlist_set(e, "PBS_JOBID", in->jobid);
	envlist_set(e, "PBS_JOBNAME", in->jobname ? in->jobname : "STDIN");
	if (in->queue)
		envlist_set(e, "PBS_QUEUE", in->queue);
	if (in->nodefile)
		envlist_set(e, "PBS_NODEFILE", in->nodefile);
	envlist_set(e, "PBS_ENVIRONMENT", "PBS_BATCH");
	envlist_set(e, "PBS_NODENUM", "0");
	envlist_set(e, "PBS_TASKNUM", "1");
	snprintf(num, sizeof num, "%ld", in->ncpus > 0 ? in->ncpus : 1);
	envlist_set(e, "NCPUS", num);
	envlist_set(e, "OMP_NUM_THREADS", num);
	if (in->tmpdir)
		envlist_set(e, "TMPDIR", in->tmpdir);
	if (in->home)
		envlist_set(e, "HOME", in->home);
	if (in->user) {
		envlist_set(e, "USER", in->user);
		envlist_set(e, "LOGNAME", in->user);
	}
	if (in->shell)
		envlist_set(e, "SHELL", in->shell);
	envlist_set(e, "PATH", pathcopy);
	free(pathcopy);
}
