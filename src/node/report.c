/* report.c - see report.h. */
#include "src/node/report.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

#include "src/common/resource.h"
#include "src/common/util.h"

int report_exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 256 + WTERMSIG(wstatus);
	return -1;
}

json_t *report_resources(int64_t walltime_s, int64_t cput_us, int64_t mem_kb)
{
	char wt[32], ct[32], mem[32];
	corral_duration_format(walltime_s > 0 ? walltime_s : 0, wt, sizeof wt);
	corral_duration_format(cput_us > 0 ? cput_us / 1000000 : 0, ct, sizeof ct);
	snprintf(mem, sizeof mem, "%lldkb", (long long)(mem_kb > 0 ? mem_kb : 0));
	/* pack "s" copies the strings */
	return json_pack("{s:s,s:s,s:s}", "walltime", wt, "cput", ct, "mem", mem);
}

char *report_walltime_comment(int64_t used_s, int64_t limit_s, char *buf, size_t n)
{
	char u[32], l[32];
	snprintf(buf, n, "job killed: walltime %s exceeded limit %s",
		 corral_duration_format(used_s, u, sizeof u),
		 corral_duration_format(limit_s, l, sizeof l));
	return buf;
}

static const struct {
	const char *name;
	int sig;
} signals[] = {
    {"HUP", SIGHUP},	   {"INT", SIGINT},   {"QUIT", SIGQUIT},   {"ILL", SIGILL},
    {"TRAP", SIGTRAP},	   {"ABRT", SIGABRT}, {"BUS", SIGBUS},	   {"FPE", SIGFPE},
    {"KILL", SIGKILL},	   {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},   {"USR2", SIGUSR2},
    {"PIPE", SIGPIPE},	   {"ALRM", SIGALRM}, {"TERM", SIGTERM},   {"CHLD", SIGCHLD},
    {"CONT", SIGCONT},	   {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN},
    {"TTOU", SIGTTOU},	   {"URG", SIGURG},   {"XCPU", SIGXCPU},   {"XFSZ", SIGXFSZ},
    {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO},
    {"PWR", SIGPWR},	   {"SYS", SIGSYS},
};

int report_signal_number(const char *name)
{
	long l;
	if (!name || !*name)
		return -EINVAL;
	if (strcasecmp(name, "suspend") == 0)
		return SIGSTOP;
	if (strcasecmp(name, "resume") == 0)
		return SIGCONT;
	if (corral_parse_long(name, 1, NSIG - 1, &l) == 0)
		return (int)l;
	const char *n = strncasecmp(name, "SIG", 3) == 0 ? name + 3 : name;
	for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
		if (strcasecmp(n, signals[i].name) == 0)
			return signals[i].sig;
	return -EINVAL;
}
