/* proc.c - see proc.h. */
#include "src/node/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int proc_stat_parse(const char *text, char *state, unsigned long long *starttime)
{
	const char *p = strrchr(text, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -EINVAL;
	p += 2;
	char st = *p;
	/* p is at field 3; walk to field 22 */
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return -EINVAL;
		p++;
	}
	if (*p < '0' || *p > '9')
		return -EINVAL;
	unsigned long long v = 0;
	for (; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (unsigned long long)(*p - '0');
	if (state)
		*state = st;
	*starttime = v;
	return 0;
}

static ssize_t read_small(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t got = 0;
	while ((size_t)got < n - 1) {
		ssize_t r = read(fd, buf + got, n - 1 - (size_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += r;
	}
	close(fd);
	buf[got] = '\0';
	return got;
}

int proc_stat(pid_t pid, char *state, unsigned long long *starttime)
{
	char path[64], buf[1024];
	if (pid <= 0)
		return -ESRCH;
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	ssize_t n = read_small(path, buf, sizeof buf);
	if (n < 0)
		return n == -ENOENT ? -ESRCH : (int)n;
	return proc_stat_parse(buf, state, starttime);
}

bool proc_alive(pid_t pid, unsigned long long starttime)
{
	char st;
	unsigned long long t;
	if (proc_stat(pid, &st, &t) < 0)
		return false;
	return t == starttime && st != 'Z' && st != 'X';
}

time_t proc_start_epoch(unsigned long long starttime)
{
	static long long btime = -1;
	if (btime < 0) {
		char buf[16384];
		if (read_small("/proc/stat", buf, sizeof buf) <= 0)
			return 0;
		const char *p = strstr(buf, "\nbtime ");
		if (!p)
			return 0;
		btime = atoll(p + 7);
	}
	long hz = sysconf(_SC_CLK_TCK);
	if (hz <= 0)
		hz = 100;
	return (time_t)(btime + (long long)(starttime / (unsigned long long)hz));
}
