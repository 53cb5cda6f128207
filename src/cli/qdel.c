/* qdel - delete batch jobs (PBS qdel): one job.delete request for all ids. */
#include <string.h>

#include "src/cli/lib/jobcmd.h"

static const char usage_text[] = "usage:\n"
				 "\tqdel [-W force|suppress_email=X] [-x] job_identifier...\n"
				 "\tqdel --version\n";

static const char help_text[] =
    "NAME\n"
    "    qdel - delete batch jobs\n"
    "\n"
    "SYNOPSIS\n"
    "    qdel [-W force|suppress_email=N] [-x] job_identifier...\n"
    "    qdel --help | --version\n"
    "\n"
    "DESCRIPTION\n"
    "    Deletes the given jobs, all in one request to the server.  A queued\n"
    "    or held job is removed; a running job is sent SIGTERM and, after the\n"
    "    queue's kill_delay, SIGKILL.  A job identifier is SEQ or SEQ.server.\n"
    "\n"
    "OPTIONS\n"
    "    -x          also delete finished jobs and remove their history\n"
    "    -W force    accepted for compatibility\n"
    "    -W suppress_email=N\n"
    "                accepted for compatibility (no mail is sent)\n"
    "    --help      show this text\n"
    "    --version   show the version\n"
    "\n"
    "EXIT STATUS\n"
    "    0 when every job was deleted.  For each job that was not, qdel\n"
    "    prints \"qdel: message\" and exits with the PBS error number modulo\n"
    "    256 of the last failure (unknown job id: 153), or 1.  Bad usage\n"
    "    exits 2.\n";

/* -x: purge; -W: force or suppress_email=N, both ignored. */
static bool option(int c, const char *arg, json_t *extra)
{
	if (c == 'x')
		return json_object_set_new(extra, "purge", json_true()) == 0;
	return strcmp(arg, "force") == 0 || strncmp(arg, "suppress_email=", 15) == 0;
}

int main(int argc, char **argv)
{
	static const struct jobcmd cmd = {
	    .name = "qdel",
	    .op = "job.delete",
	    .optstring = "W:x",
	    .usage = usage_text,
	    .help = help_text,
	    .defaults = "{\"purge\": false}",
	    .option = option,
	};
	return jobcmd_main(&cmd, argc, argv);
}
