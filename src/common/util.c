/* util.c - see util.h. */
#include "src/common/util.h"
#include "src/common/buf.h"

#include <ctype.h>
#include <fcntl.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#ifndef CORRAL_DEFAULT_HOME
#define CORRAL_DEFAULT_HOME "/var/spool/corral"
#endif

const char *corral_home(void)
{
	const char *h = getenv("CORRAL_HOME");
	return (h && *h) ? h : CORRAL_DEFAULT_HOME;
}

char *corral_path(const char *rel)
{
	return xasprintf("%s/%s", corral_home(), rel);
}

const char *corral_hostname(void)
{
	static char name[256];
	if (!name[0]) {
		if (gethostname(name, sizeof name - 1) < 0 || !name[0])
			strcpy(name, "localhost");
		char *dot = strchr(name, '.');
		if (dot)
			*dot = '\0';
	}
	return name;
}

int corral_mkdir_p(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];
	size_t n = strlen(path);
	if (n == 0 || n >= sizeof tmp)
		return -ENAMETOOLONG;
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0) {
		struct stat sb;
		if (errno != EEXIST)
			return -errno;
		if (stat(tmp, &sb) < 0 || !S_ISDIR(sb.st_mode))
			return -ENOTDIR;
	}
	return 0;
}

char *corral_ctime(time_t t, char *buf, size_t n)
{
	struct tm tm;
	localtime_r(&t, &tm);
	if (strftime(buf, n, "%a %b %e %H:%M:%S %Y", &tm) == 0 && n > 0)
		buf[0] = '\0'; /* too small: an empty string, never garbage */
	return buf;
}

double corral_now(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

uint64_t corral_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int corral_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	if (!s || !*s || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int corral_parse_bool(const char *s)
{
	static const char *yes[] = {"true", "t", "yes", "y", "1", "on"};
	static const char *no[] = {"false", "f", "no", "n", "0", "off"};
	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	return -EINVAL;
}

char *corral_username(uid_t uid, char *buf, size_t n)
{
	struct passwd pw, *res = NULL;
	char tmp[4096];
	if (getpwuid_r(uid, &pw, tmp, sizeof tmp, &res) == 0 && res)
		snprintf(buf, n, "%s", res->pw_name);
	else
		snprintf(buf, n, "%u", (unsigned)uid);
	return buf;
}

void corral_daemonize(int keep_stderr)
{
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid > 0)
		_exit(0);
	setsid();
	pid = fork();
	if (pid > 0)
		_exit(0);
	int fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		if (!keep_stderr)
			dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}
