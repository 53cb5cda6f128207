/* log.c - see log.h. */
#include "src/common/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static const char *g_prog = "corral";
static int g_level = LOG_INFO;
static FILE *g_out;
static char *g_path; /* the file of log_open(), NULL: none */

void log_init(const char *prog, int level, FILE *out)
{
	if (prog) {
		const char *slash = strrchr(prog, '/');
		g_prog = slash ? slash + 1 : prog;
	}
	g_level = level;
	g_out = out;
}

int log_level(void)
{
	return g_level;
}

void log_set_level(int level)
{
	g_level = level;
}

static FILE *open_log(const char *path)
{
	FILE *f = fopen(path, "a");
	if (f)
		setvbuf(f, NULL, _IOLBF, 0);
	return f;
}

int log_open(const char *path)
{
	if (strcmp(path, "-") == 0) {
		log_close();
		return 0;
	}
	FILE *f = open_log(path);
	if (!f)
		return -errno;
	log_close();
	g_out = f;
	g_path = strdup(path);
	return 0;
}

void log_reopen(void)
{
	FILE *f = g_path ? open_log(g_path) : NULL;
	if (!f)
		return;
	fclose(g_out);
	g_out = f;
	corral__log(LOG_NOTICE, NULL, "log reopened");
}

void log_close(void)
{
	if (g_path) {
		fclose(g_out);
		free(g_path);
		g_path = NULL;
	}
	g_out = stderr;
}

int log_to_stderr(void)
{
	return g_path == NULL;
}

const char *log_prog(void)
{
	return g_prog;
}

static const char *level_name(int level)
{
	static const char *names[] = {"EMERG", "ALERT", "CRIT", "ERROR",
				      "WARN",  "NOTICE", "INFO", "DEBUG"};
	return (level >= 0 && level <= LOG_DEBUG) ? names[level] : "?";
}

static void vlog(int level, int errnum, const char *subsys, const char *fmt, va_list ap)
{
	FILE *out = g_out ? g_out : stderr;
	struct timeval tv;
	struct tm tm;
	char ts[32];

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(out, "%s.%03ld %s %s: ", ts, (long)(tv.tv_usec / 1000), level_name(level),
		subsys ? subsys : g_prog);
	vfprintf(out, fmt, ap);
	if (errnum)
		fprintf(out, ": %s", strerror(errnum < 0 ? -errnum : errnum));
	fputc('\n', out);
	fflush(out);
}

void corral__log(int level, const char *subsys, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(level, 0, subsys, fmt, ap);
	va_end(ap);
}

void corral__log_errno(int level, int errnum, const char *subsys, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(level, errnum, subsys, fmt, ap);
	va_end(ap);
}

void log_msg(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", g_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void log_err_exit(int status, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", g_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}
