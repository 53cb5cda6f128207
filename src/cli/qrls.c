/* qrls - release holds on batch jobs (PBS qrls): one job.release request. */
#include "src/cli/lib/jobcmd.h"

static const char usage_text[] = "usage: qrls [-h hold_list] job_identifier...\n"
				 "       qrls --version\n";

static const char help_text[] =
    "NAME\n"
    "    qrls - release holds on batch jobs\n"
    "\n"
    "SYNOPSIS\n"
    "    qrls [-h hold_list] job_identifier...\n"
    "    qrls --help | --version\n"
    "\n"
    "DESCRIPTION\n"
    "    Removes holds from the given jobs, all in one request to the server.\n"
    "    A job whose holds are all gone becomes eligible to run again.\n"
    "\n"
    "OPTIONS\n"
    "    -h hold_list\n"
    "                the holds to remove, any of: u (user, the default),\n"
    "                o (operator), s (system), p (bad password), n (none).\n"
    "                o and s need operator or manager privilege.\n"
    "    --help      show this text\n"
    "    --version   show the version\n"
    "\n"
    "EXIT STATUS\n"
    "    0 when every job was released.  For each job that was not, qrls prints\n"
    "    \"qrls: message\" and exits with the PBS error number modulo 256 of\n"
    "    the last failure (unknown job id: 153), or 1.  Bad usage exits 2.\n";

int main(int argc, char **argv)
{
	static const struct jobcmd cmd = {
	    .name = "qrls",
	    .op = "job.release",
	    .optstring = "h:",
	    .usage = usage_text,
	    .help = help_text,
	    .defaults = "{\"hold_types\": \"u\"}",
	    .option = jobcmd_hold_option,
	};
	return jobcmd_main(&cmd, argc, argv);
}
