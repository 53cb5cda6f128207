/* acct.c - see acct.h. */
#include "src/server/acct.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "src/common/buf.h"
#include "src/common/log.h"
#include "src/common/util.h"

struct acct {
	char *dir;
	int fd;             /* current day's file, -1 when closed */
	char day[16];       /* YYYYMMDD of fd */
	struct corral_buf pending;
};

int acct_open(struct server *s)
{
	struct acct *a = xcalloc(1, sizeof *a);
	a->dir = corral_path("accounting");
	a->fd = -1;
	buf_init(&a->pending);
	int rc = corral_mkdir_p(a->dir, 0750);
	if (rc < 0)
		corral_log_errno(LOG_ERR, rc, "acct", "cannot create %s", a->dir);
	s->acct = a;
	return rc;
}

void acct_close(struct server *s)
{
	struct acct *a = s->acct;
	if (!a)
		return;
	if (a->fd >= 0)
		close(a->fd);
	buf_free(&a->pending);
	free(a->dir);
	free(a);
	s->acct = NULL;
}

void acct_record(struct server *s, char type, const char *id, const char *fmt, ...)
{
	struct acct *a = s->acct;
	time_t now = time(NULL);
	struct tm tm;
	char ts[32];
	localtime_r(&now, &tm);
	strftime(ts, sizeof ts, "%m/%d/%Y %H:%M:%S", &tm);
	buf_printf(&a->pending, "%s;%c;%s;", ts, type, id);
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *p = buf_reserve(&a->pending, (size_t)n + 2);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	a->pending.len += (size_t)n;
	buf_lit(&a->pending, "\n");
}

void acct_flush(struct server *s, bool write_out)
{
	struct acct *a = s->acct;
	if (!a || buf_unread(&a->pending) == 0)
		return;
	if (write_out) {
		time_t now = time(NULL);
		struct tm tm;
		char day[16];
		localtime_r(&now, &tm);
		strftime(day, sizeof day, "%Y%m%d", &tm);
		if (a->fd < 0 || strcmp(day, a->day) != 0) {
			if (a->fd >= 0)
				close(a->fd);
			char *path = xasprintf("%s/%s", a->dir, day);
			a->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
			if (a->fd < 0)
				corral_log_errno(LOG_ERR, errno, "acct", "cannot open %s", path);
			free(path);
			snprintf(a->day, sizeof a->day, "%s", day);
		}
		if (a->fd >= 0) {
			const char *p = buf_peek(&a->pending);
			size_t n = buf_unread(&a->pending);
			while (n > 0) {
				ssize_t w = write(a->fd, p, n);
				if (w < 0) {
					if (errno == EINTR)
						continue;
					corral_log_errno(LOG_ERR, errno, "acct",
							 "cannot write the accounting log");
					break;
				}
				p += w;
				n -= (size_t)w;
			}
		}
	}
	buf_reset(&a->pending);
}
