/* policy.c - the policy defaults and job_sort_key parsing (core.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/common/buf.h"
#include "src/sched/core_private.h"

void sc_policy_default(struct sc_policy *p)
{
	memset(p, 0, sizeof *p);
	p->backfill = true;
	p->backfill_depth = 10;
	p->default_walltime = -1;
}

int sc_policy_sort_keys(struct sc_model *m, struct sc_policy *p, const char *text,
			corral_error_t *err)
{
	struct sc_sort_key keys[SC_MAX_KEYS];
	int n = 0;
	char *copy = xstrdup(text ? text : ""), *save = NULL;
	int rc = 0;
	for (char *item = strtok_r(copy, ",;", &save); item; item = strtok_r(NULL, ",;", &save)) {
		char *s2 = NULL;
		char *name = strtok_r(item, " \t\"", &s2);
		char *dir = strtok_r(NULL, " \t\"", &s2);
		if (!name)
			continue;
		if (n == SC_MAX_KEYS) {
			rc = corral_errorf(err, EINVAL, "job_sort_key: at most %d keys",
					   SC_MAX_KEYS);
			goto out;
		}
		struct sc_sort_key k = {.high = true};
		if (dir && strcasecmp(dir, "low") == 0)
			k.high = false;
		else if (dir && strcasecmp(dir, "high") != 0) {
			rc = corral_errorf(err, EINVAL,
					   "job_sort_key: '%s' is not HIGH or LOW (after %s)", dir,
					   name);
			goto out;
		}
		if (strtok_r(NULL, " \t\"", &s2)) {
			rc = corral_errorf(err, EINVAL,
					   "job_sort_key: trailing words after '%s %s'", name, dir);
			goto out;
		}
		if (strcmp(name, "walltime") == 0)
			k.kind = SC_KEY_WALLTIME;
		else if (strcmp(name, "job_priority") == 0 || strcmp(name, "Priority") == 0)
			k.kind = SC_KEY_PRIORITY;
		else {
			int r = sc_res_index(m, name, true);
			if (r < 0 || sc_res_ignored(name)) {
				rc = corral_errorf(
				    err, EINVAL,
				    "job_sort_key: '%s' is not a consumable resource, "
				    "walltime or job_priority",
				    name);
				goto out;
			}
			k.kind = SC_KEY_RES;
			k.res = r;
		}
		keys[n++] = k;
	}
	memcpy(p->keys, keys, sizeof keys);
	p->nkeys = n;
out:
	free(copy);
	return rc;
}
