/* users.h - who a job runs as: passwd, group and supplementary groups of
 * its owner, cached for a few seconds.
 *
 * A launch needs getpwnam_r, getgrnam_r (for -W group_list / egroup) and
 * getgrouplist, which with the usual NSS "files" setup read /etc/passwd
 * and /etc/group in full each time; a burst of launches for one user would
 * read them hundreds of times a second.  Entries are kept for ttl seconds
 * (a change to a user or group takes effect within that time); failed
 * lookups are not kept, so a user created just now is found at once.
 */
#ifndef CORRAL_NODE_USERS_H
#define CORRAL_NODE_USERS_H

#include <stddef.h>
#include <sys/types.h>

struct user_info {
	uid_t uid;
	gid_t gid; /* egroup's gid when given and known, else the primary group */
	char *name;
	char *home; /* "/" when the passwd entry has none */
	gid_t *groups; /* supplementary groups (getgrouplist of name, gid) */
	int ngroups;
};

struct users;

/* A cache keeping entries for ttl seconds (0: no caching) and at most max
 * of them. */
struct users *users_new(double ttl, int max);
void users_free(struct users *u);

/* Look up user (and group, NULL or "" for the primary one) at time now
 * (seconds, any monotonic origin).  0 with *out pointing into the cache
 * (valid until the next users_lookup or users_free), or -ENOENT with the
 * reason in why. */
int users_lookup(struct users *u, const char *user, const char *group, double now,
		 const struct user_info **out, char *why, size_t n);

/* Lookups answered from the cache and from NSS (for tests and logs). */
void users_stats(const struct users *u, long *hits, long *misses);

#endif
