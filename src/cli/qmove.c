/* qmove - move batch jobs to another queue (PBS qmove): one job.move
 * request for all ids. */
#include <stdio.h>
#include <string.h>

#include "src/cli/lib/jobcmd.h"

static const char usage_text[] = "usage: qmove destination job_identifier...\n"
				 "       qmove --version\n";

static const char help_text[] =
    "NAME\n"
    "    qmove - move batch jobs to another queue\n"
    "\n"
    "SYNOPSIS\n"
    "    qmove destination job_identifier...\n"
    "    qmove --help | --version\n"
    "\n"
    "DESCRIPTION\n"
    "    Moves the given queued or held jobs to the destination queue, all in\n"
    "    one request to the server.  The destination is queue or\n"
    "    queue@server (only this server's queues can be named).\n"
    "\n"
    "OPTIONS\n"
    "    --help      show this text\n"
    "    --version   show the version\n"
    "\n"
    "EXIT STATUS\n"
    "    0 when every job was moved.  For each job that was not, qmove\n"
    "    prints \"qmove: message\" and exits with the PBS error number modulo\n"
    "    256 of the last failure (unknown job id: 153, unknown queue: 2),\n"
    "    or 1.  Bad usage exits 2.\n";

/* The destination operand, queue or queue@server: "queue". */
static bool destination(char *const *ops, json_t *extra)
{
	const char *dest = ops[0];
	const char *at = strchr(dest, '@');
	size_t l = at ? (size_t)(at - dest) : strlen(dest);
	if (l == 0) {
		fprintf(stderr, "qmove: illegally formed destination: %s\n", dest);
		return false;
	}
	json_object_set_new(extra, "queue", json_stringn(dest, l));
	return true;
}

int main(int argc, char **argv)
{
	static const struct jobcmd cmd = {
	    .name = "qmove",
	    .op = "job.move",
	    .optstring = "",
	    .usage = usage_text,
	    .help = help_text,
	    .lead = destination,
	    .nlead = 1,
	};
	return jobcmd_main(&cmd, argc, argv);
}
