/* qrerun - requeue running batch jobs (PBS qrerun): one job.rerun request. */
#include <string.h>

#include "src/cli/lib/jobcmd.h"

static const char usage_text[] = "usage: qrerun [-W force] job_identifier...\n"
				 "       qrerun --version\n";

static const char help_text[] =
    "NAME\n"
    "    qrerun - requeue running batch jobs\n"
    "\n"
    "SYNOPSIS\n"
    "    qrerun [-W force] job_identifier...\n"
    "    qrerun --help | --version\n"
    "\n"
    "DESCRIPTION\n"
    "    Stops the given running jobs and puts them back in their queues to\n"
    "    be run again, all in one request to the server.  Jobs submitted\n"
    "    with -r n (not rerunnable) are refused.\n"
    "\n"
    "OPTIONS\n"
    "    -W force    accepted for compatibility\n"
    "    --help      show this text\n"
    "    --version   show the version\n"
    "\n"
    "EXIT STATUS\n"
    "    0 when every job was requeued.  For each job that was not, qrerun\n"
    "    prints \"qrerun: message\" and exits with the PBS error number\n"
    "    modulo 256 of the last failure (unknown job id: 153), or 1.  Bad\n"
    "    usage exits 2.\n";

/* -W force: accepted, ignored. */
static bool option(int c, const char *arg, json_t *extra)
{
	(void)c;
	(void)extra;
	return strcmp(arg, "force") == 0;
}

int main(int argc, char **argv)
{
	static const struct jobcmd cmd = {
	    .name = "qrerun",
	    .op = "job.rerun",
	    .optstring = "W:",
	    .usage = usage_text,
	    .help = help_text,
	    .option = option,
	};
	return jobcmd_main(&cmd, argc, argv);
}
