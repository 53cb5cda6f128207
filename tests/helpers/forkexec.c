/* forkexec.c - the raw fork+exec rate of a program on this machine:
 *   forkexec N [PROGRAM]   (default /bin/true)
 * spawns PROGRAM N times one after another (posix_spawn + waitpid) and
 * prints {"runs":N,"seconds":S,"per_s":R}. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "src/common/util.h"

extern char **environ;

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;
	char *prog = argc > 2 ? argv[2] : "/bin/true";
	char *args[] = {prog, NULL};
	double t0 = corral_now();
	for (long i = 0; i < n; i++) {
		pid_t pid;
		if (posix_spawn(&pid, prog, NULL, NULL, args, environ) != 0) {
			perror("posix_spawn");
			return 1;
		}
		int st;
		waitpid(pid, &st, 0);
	}
	double dt = corral_now() - t0;
	printf("{\"runs\":%ld,\"seconds\":%.3f,\"per_s\":%.0f}\n", n, dt, dt > 0 ? n / dt : 0.0);
	return 0;
}
