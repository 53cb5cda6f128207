/* spool.c - corral-node's spool (API in spool.h).
 *
 * Layout (DIR is --spool, default $CORRAL_HOME/spool/node-<name>):
 *
 *   DIR/lock          flock()ed by the running daemon; holds its pid
 *   DIR/jobs/ID.JB    the job's record file, created by the daemon (0600,
 *                     O_EXCL) before it forks the shepherd, removed once the
 *                     server acknowledged the job's "ended" event.  Fixed
 *                     4 KiB slots, each written in place with one pwrite():
 *                       0  the daemon's record (key=value: exec, state, uid,
 *                          gid, walltime_limit, kill_delay, kill_reason,
 *                          kill_ms, sim times, and the end when the daemon
 *                          decided it); rewritten in place when it changes
 *                       1  the shepherd's "started": job pid, its /proc
 *                          start time, epoch start time
 *                       2  the shepherd's "ended": wait status, rusage, end
 *                          time (or why the job could not start) and
 *                          whether the shepherd removed the job's files
 *                     Each slot ends with "sum=<fnv1a32>\n"; a slot with
 *                     no valid sum does not count (torn or in progress).
 *                     The file is also the shepherd's liveness: the daemon
 *                     flock()s it before fork and closes its descriptor
 *                     after, so the lock lives exactly as long as the
 *                     shepherd (which inherited the open file) does.  A
 *                     restarted daemon that cannot take the lock knows the
 *                     shepherd still runs, one that can knows it is gone
 *                     (no pid reuse question, no window between fork and a
 *                     pid being written down).
 *   DIR/jobs/ID.SC    the job script (owned by the job's user, 0700) and
 *   DIR/jobs/ID.NF    PBS_NODEFILE (owned by the job's user, 0644): put in
 *                     place by the shepherd (nothing refers to them before
 *                     the record exists, so no temporary names) and taken
 *                     away by it when the job ends, before it writes slot 2
 *   DIR/tmp/ID/       the job's TMPDIR, owned by the user, 0700: likewise
 *   DIR/spare/        (root, 0700) spare records, and spare sets of script,
 *                     node file and TMPDIR per user (spare.h): a record
 *                     file is rewritten whole, then renamed to ID.JB; a
 *                     user's set is renamed into place for that user's next
 *                     job and back when it ends.  Without a spare, files
 *                     are created (O_EXCL, mkdir) and removed.
 *
 * So in the steady state a job creates and removes no inode at all: the
 * daemon renames one record into place and back, the shepherd (in
 * parallel, off the daemon's loop) renames three entries in and out and
 * rewrites two small files.  Nothing is fsync()ed: the spool guards
 * against the daemon dying (kill -9), where a completed pwrite() of one
 * page is never torn; after a machine crash the jobs are gone anyway, and
 * the checksums keep half-written slots from being believed.
 *
 * Recovery (spool_list_jobs): every ID.JB is a job; files of a job without
 * a record (a launch cut short) and leftovers of older layouts are removed.
 */
#include "src/node/spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/common/buf.h"
#include "src/common/util.h"

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
	s->spare = xasprintf("%s/spare", dir);
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
	free(s->spare);
	memset(s, 0, sizeof *s);
	s->lockfd = -1;
}

bool spool_id_ok(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > SPOOL_ID_MAX || strcmp(id, ".") == 0 || strcmp(id, "..") == 0 ||
	    id[0] == '.')
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

bool spool_tmp_path(const struct spool *s, const char *id, char *buf, size_t n)
{
	int w = snprintf(buf, n, "%s/%s", s->tmp, id);
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

bool spool_kv_format(const struct kv *kv, char *buf, size_t n, size_t *len)
{
	size_t pos = 0;
	bool ok = true;
	if (n > 0)
		buf[0] = '\0';
	for (const char *k = kv_first(kv); k; k = kv_next(kv, k))
		if (!spool_fmt_line(buf, n, &pos, k, kv_val(k)))
			ok = false;
	*len = pos;
	return ok;
}

/* ---- slots -------------------------------------------------------------- */

#define SUM_LINE 13 /* "sum=" 8 hex digits "\n" */

static uint32_t fnv1a(const char *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
}

int spool_slot_write(int fd, enum spool_slot slot, const char *text, size_t len)
{
	char page[SPOOL_SLOT_SIZE];
	if (len + 1 > SPOOL_SLOT_TEXT || memchr(text, '\0', len))
		return -E2BIG;
	memcpy(page, text, len);
	if (len > 0 && text[len - 1] != '\n')
		page[len++] = '\n'; /* the sum goes on a line of its own */
	snprintf(page + len, SUM_LINE + 1, "sum=%08x\n", (unsigned)fnv1a(page, len));
	memset(page + len + SUM_LINE, 0, sizeof page - len - SUM_LINE);
	off_t off = (off_t)slot * SPOOL_SLOT_SIZE;
	ssize_t w;
	do
		w = pwrite(fd, page, sizeof page, off);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return -errno;
	return w == (ssize_t)sizeof page ? 0 : -EIO;
}

int spool_slot_read(int fd, enum spool_slot slot, char *buf, size_t *len)
{
	off_t off = (off_t)slot * SPOOL_SLOT_SIZE;
	ssize_t r;
	do
		r = pread(fd, buf, SPOOL_SLOT_SIZE, off);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0 || buf[0] == '\0')
		return -ENOENT; /* beyond the end, or a hole: never written */
	size_t n = (size_t)r;
	const char *nul = memchr(buf, '\0', n);
	if (!nul)
		return -EINVAL; /* no padding: not ours */
	n = (size_t)(nul - buf);
	if (n < SUM_LINE)
		return -EINVAL;
	const char *sl = buf + n - SUM_LINE;
	if (memcmp(sl, "sum=", 4) != 0 || sl[SUM_LINE - 1] != '\n' || (sl > buf && sl[-1] != '\n'))
		return -EINVAL;
	char *end;
	char hex[9];
	memcpy(hex, sl + 4, 8);
	hex[8] = '\0';
	unsigned long want = strtoul(hex, &end, 16);
	if (*end || want != fnv1a(buf, (size_t)(sl - buf)))
		return -EINVAL;
	*len = (size_t)(sl - buf);
	buf[*len] = '\0';
	return 0;
}

int spool_slot_read_kv(int fd, enum spool_slot slot, struct kv *kv)
{
	char buf[SPOOL_SLOT_SIZE];
	size_t len;
	int rc = spool_slot_read(fd, slot, buf, &len);
	if (rc == 0)
		spool_kv_parse(buf, len, kv);
	return rc;
}

/* ---- files -------------------------------------------------------------- */

int spool_create_file(const char *path, const void *data, size_t len, mode_t mode, uid_t uid,
		      gid_t gid)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0 && errno == EEXIST) {
		/* a leftover of an earlier run of the same job id */
		unlink(path);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	}
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
	if (rc < 0)
		unlink(path);
	return rc;
}

static int write_all_at(int fd, const void *data, size_t len, off_t off)
{
	const char *p = data;
	while (len > 0) {
		ssize_t w = pwrite(fd, p, len, off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		len -= (size_t)w;
		off += w;
	}
	return 0;
}

int spool_rewrite_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	struct stat sb;
	int rc = 0;
	if (fstat(fd, &sb) < 0)
		rc = -errno;
	else if (!S_ISREG(sb.st_mode))
		rc = -EINVAL;
	if (rc == 0)
		rc = write_all_at(fd, data, len, 0);
	if (rc == 0 && (off_t)len != sb.st_size && ftruncate(fd, (off_t)len) < 0)
		rc = -errno;
	if (rc == 0 && (sb.st_mode & 07777) != mode && fchmod(fd, mode) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	return rc;
}

int spool_record_reset(int fd, const char *text, size_t len)
{
	static const char zero[2 * SPOOL_SLOT_SIZE];
	int rc = spool_slot_write(fd, SLOT_JOB, text, len);
	if (rc == 0)
		rc = write_all_at(fd, zero, sizeof zero, (off_t)SLOT_START * SPOOL_SLOT_SIZE);
	return rc;
}

/* ---- listing and removal ------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_suffix(const char *name, size_t l, const char *suffix)
{
	size_t sl = strlen(suffix);
	return l > sl && strcmp(name + l - sl, suffix) == 0;
}

static bool known(char **ids, size_t n, const char *id)
{
	return n > 0 && bsearch(&id, ids, n, sizeof *ids, cmp_str) != NULL;
}

int spool_list_jobs(const struct spool *s, char ***ids)
{
	static const char *const other[] = {".SC", ".NF", ".ST", ".EX"};
	DIR *d = opendir(s->jobs);
	if (!d)
		return -errno;
	size_t n = 0, cap = 16, nrest = 0, caprest = 16;
	char **v = xmalloc(cap * sizeof *v);
	char **rest = xmalloc(caprest * sizeof *rest); /* other files, checked below */
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (has_suffix(de->d_name, l, ".tmp")) {
			/* a write cut short by a crash (older layouts) */
			unlinkat(dirfd(d), de->d_name, 0);
			continue;
		}
		if (has_suffix(de->d_name, l, ".JB")) {
			if (n == cap) {
				cap *= 2;
				v = xrealloc(v, cap * sizeof *v);
			}
			v[n++] = xstrndup(de->d_name, l - 3);
			continue;
		}
		for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
			if (!has_suffix(de->d_name, l, other[i]))
				continue;
			if (nrest == caprest) {
				caprest *= 2;
				rest = xrealloc(rest, caprest * sizeof *rest);
			}
			rest[nrest++] = xstrdup(de->d_name);
			break;
		}
	}
	qsort(v, n, sizeof *v, cmp_str);
	for (size_t i = 0; i < nrest; i++) {
		/* A file of a job without a record: the launch was cut short
		 * (the shepherd creates them after the record), or .ST/.EX of
		 * an older layout. */
		char *name = rest[i];
		size_t l = strlen(name);
		bool old = has_suffix(name, l, ".ST") || has_suffix(name, l, ".EX");
		name[l - 3] = '\0';
		bool orphan = !known(v, n, name);
		name[l - 3] = '.';
		if (orphan || old)
			unlinkat(dirfd(d), name, 0);
		free(name);
	}
	free(rest);
	closedir(d);
	/* Empty TMPDIRs of jobs without a record (a full one belongs to the
	 * user and is left for the administrator). */
	DIR *t = opendir(s->tmp);
	if (t) {
		while ((de = readdir(t))) {
			if (de->d_name[0] == '.' || known(v, n, de->d_name))
				continue;
			unlinkat(dirfd(t), de->d_name, AT_REMOVEDIR);
		}
		closedir(t);
	}
	*ids = v;
	return (int)n;
}

void spool_remove_record(const struct spool *s, const char *id)
{
	char path[4096];
	if (spool_job_path(s, id, ".JB", path, sizeof path))
		unlink(path);
}

void spool_remove_job(const struct spool *s, const char *id)
{
	char path[4096];
	/* The record last: a crash in between leaves a record whose other
	 * files are gone, which recovery handles; never the reverse. */
	if (spool_job_path(s, id, ".SC", path, sizeof path))
		unlink(path);
	if (spool_job_path(s, id, ".NF", path, sizeof path))
		unlink(path);
	if (spool_tmp_path(s, id, path, sizeof path))
		rmdir(path);
	spool_remove_record(s, id);
}
