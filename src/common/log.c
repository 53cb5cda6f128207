/* log.c - see log.h. */
#include "src/common/log.h"

#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static const char *g_prog = "corral";
static int g_level = LOG_INFO;
static FILE *g_out;

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
