/* spool.c - see spool.h. */
#include "src/node/spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/common/buf.h"
#include "src/common/util.h"

static const char *const job_suffixes[] = {".JB", ".SC", ".NF", ".ST", ".EX"};

int spool_open(struct spool *s, const char *dir, corral_error_t *err)
{
	memset(s, 0, sizeof *s);
	s->lockfd = -1;
	int rc = corral_mkdir_p(dir, 0755);
	if (rc < 0)
		return corral_errorf(err, -rc, "cannot create spool %s: %s", dir, strerror(-rc));
	s->dir = xstrdup(dir);
	s->jobs = xasprintf("%s/jobs", dir);
	s->tmp = xasprintf("%s/tmp", dir);
	if (mkdir(s->jobs, 0755) < 0 && errno != EEXIST)
		goto fail_dir;
	/* Users must reach their own TMPDIR (0700 each) but not list others. */
	if (mkdir(s->tmp, 0711) < 0 && errno != EEXIST)
		goto fail_dir;
	chmod(s->tmp, 0711);
	char *lock = xasprintf("%s/lock", dir);
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = corral_errorf(err, errno, "cannot open %s: %s", lock, strerror(errno));
		free(lock);
		spool_close(s);
		return rc;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		char pid[32] = "";
		ssize_t n = read(fd, pid, sizeof pid - 1);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		rc = corral_errorf(err, EBUSY,
				   "another corral-node (pid %s) uses the spool %s; give each "
				   "daemon its own --name or --spool",
				   pid[0] ? pid : "?", dir);
		close(fd);
		free(lock);
		spool_close(s);
		return rc;
	}
	free(lock);
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
		/* not fatal: the lock is what matters */
	}
	s->lockfd = fd;
	return 0;
fail_dir:
	rc = corral_errorf(err, errno, "cannot create directories in %s: %s", dir, strerror(errno));
	spool_close(s);
	return rc;
}

void spool_close(struct spool *s)
{
	if (!s)
		return;
	if (s->lockfd >= 0)
		close(s->lockfd);
	free(s->dir);
	free(s->jobs);
	free(s->tmp);
	memset(s, 0, sizeof *s);
	s->lockfd = -1;
}

bool spool_id_ok(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > 200 || strcmp(id, ".") == 0 || strcmp(id, "..") == 0 || id[0] == '.')
		return false;
	for (const char *p = id; *p; p++)
		if (*p == '/' || (unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

bool spool_job_path(const struct spool *s, const char *id, const char *suffix, char *buf, size_t n)
{
	int w = snprintf(buf, n, "%s/%s%s", s->jobs, id, suffix);
	return w > 0 && (size_t)w < n;
}

bool spool_fmt_line(char *buf, size_t n, size_t *pos, const char *key, const char *value)
{
	size_t p = *pos;
	for (const char *k = key; *k; k++) {
		if (p + 1 >= n)
			return false;
		buf[p++] = *k;
	}
	if (p + 1 >= n)
		return false;
	buf[p++] = '=';
	for (const char *v = value ? value : ""; *v; v++) {
		char c = *v;
		if (c == '\\' || c == '\n' || c == '\r') {
			if (p + 2 >= n)
				return false;
			buf[p++] = '\\';
			buf[p++] = c == '\\' ? '\\' : c == '\n' ? 'n' : 'r';
		} else {
			if (p + 1 >= n)
				return false;
			buf[p++] = c;
		}
	}
	if (p + 1 >= n)
		return false;
	buf[p++] = '\n';
	buf[p] = '\0';
	*pos = p;
	return true;
}

int spool_write_atomic(const char *path, const void *data, size_t len, mode_t mode, uid_t uid,
		       gid_t gid)
{
	char tmp[4096];
	int w = snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if (w < 0 || (size_t)w >= sizeof tmp)
		return -ENAMETOOLONG;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	const char *p = data;
	size_t left = len;
	int rc = 0;
	while (left > 0) {
		ssize_t r = write(fd, p, left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			break;
		}
		p += r;
		left -= (size_t)r;
	}
	if (rc == 0 && uid != (uid_t)-1 && fchown(fd, uid, gid) < 0)
		rc = -errno;
	if (rc == 0 && fchmod(fd, mode) < 0) /* the umask may have cut it */
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0)
		unlink(tmp);
	return rc;
}

void spool_kv_parse(const char *text, size_t len, struct kv *kv)
{
	const char *p = text, *end = text + len;
	struct corral_buf val;
	buf_init(&val);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *eq = memchr(p, '=', (size_t)(le - p));
		if (eq && eq > p) {
			char *key = xstrndup(p, (size_t)(eq - p));
			buf_reset(&val);
			for (const char *v = eq + 1; v < le; v++) {
				char c = *v;
				if (c == '\\' && v + 1 < le) {
					c = *++v;
					c = c == 'n' ? '\n' : c == 'r' ? '\r' : c;
				}
				buf_append(&val, &c, 1);
			}
			buf_append(&val, "", 1);
			kv_set(kv, key, buf_peek(&val));
			free(key);
		}
		p = le + 1;
	}
	buf_free(&val);
}

int spool_kv_read(const char *path, struct kv *kv)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct corral_buf b;
	buf_init(&b);
	int rc = 0;
	for (;;) {
		char *p = buf_reserve(&b, 4096);
		ssize_t r = read(fd, p, 4096);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			break;
		}
		if (r == 0)
			break;
		b.len += (size_t)r;
	}
	close(fd);
	if (rc == 0)
		spool_kv_parse(buf_peek(&b), buf_unread(&b), kv);
	buf_free(&b);
	return rc;
}

int spool_kv_write(const char *path, const struct kv *kv)
{
	struct corral_buf b;
	buf_init(&b);
	for (const char *k = kv_first(kv); k; k = kv_next(kv, k)) {
		const char *v = kv_val(k);
		size_t need = strlen(k) + 2 * strlen(v) + 4, pos = 0;
		char *dst = buf_reserve(&b, need);
		spool_fmt_line(dst, need, &pos, k, v);
		b.len += pos;
	}
	int rc = spool_write_atomic(path, buf_peek(&b), buf_unread(&b), 0600, (uid_t)-1, (gid_t)-1);
	buf_free(&b);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int spool_list_jobs(const struct spool *s, char ***ids)
{
	DIR *d = opendir(s->jobs);
	if (!d)
		return -errno;
	size_t n = 0, cap = 16;
	char **v = xmalloc(cap * sizeof *v);
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l > 4 && strcmp(de->d_name + l - 4, ".tmp") == 0) {
			/* a write cut short by a crash */
			unlinkat(dirfd(d), de->d_name, 0);
			continue;
		}
		if (l <= 3 || strcmp(de->d_name + l - 3, ".JB") != 0)
			continue;
		if (n == cap) {
			cap *= 2;
			v = xrealloc(v, cap * sizeof *v);
		}
		v[n++] = xstrndup(de->d_name, l - 3);
	}
	closedir(d);
	qsort(v, n, sizeof *v, cmp_str);
	*ids = v;
	return (int)n;
}

void spool_remove_job(const struct spool *s, const char *id)
{
	char path[4096];
	/* The record last: a crash in between leaves a record whose other
	 * files are gone, which recovery handles; never the reverse. */
	for (size_t i = sizeof job_suffixes / sizeof job_suffixes[0]; i-- > 0;)
		if (spool_job_path(s, id, job_suffixes[i], path, sizeof path))
			unlink(path);
}
