/* qhold - place holds on batch jobs (PBS qhold): one job.hold request. */
#include "src/cli/lib/jobcmd.h"

static const char usage_text[] = "usage: qhold [-h hold_list] job_identifier...\n"
				 "       qhold --version\n";

static const char help_text[] =
    "NAME\n"
    "    qhold - place holds on batch jobs\n"
    "\n"
    "SYNOPSIS\n"
    "    qhold [-h hold_list] job_identifier...\n"
    "    qhold --help | --version\n"
    "\n"
    "DESCRIPTION\n"
    "    Adds holds to the given jobs, all in one request to the server.  A\n"
    "    held job is not run until every hold is released (qrls).\n"
    "\n"
    "OPTIONS\n"
    "    -h hold_list\n"
    "                the holds to add, any of: u (user, the default),\n"
    "                o (operator), s (system), p (bad password), n (none).\n"
    "                o and s need operator or manager privilege.\n"
    "    --help      show this text\n"
    "    --version   show the version\n"
    "\n"
    "EXIT STATUS\n"
    "    0 when every job was held.  For each job that was not, qhold prints\n"
    "    \"qhold: message\" and exits with the PBS error number modulo 256 of\n"
    "    the last failure (unknown job id: 153), or 1.  Bad usage exits 2.\n";

int main(int argc, char **argv)
{
	static const struct jobcmd cmd = {
	    .name = "qhold",
	    .op = "job.hold",
	    .optstring = "h:",
	    .usage = usage_text,
	    .help = help_text,
	    .defaults = "{\"hold_types\": \"u\"}",
	    .option = jobcmd_hold_option,
	};
	return jobcmd_main(&cmd, argc, argv);
}
