/* qsig - send a signal to batch jobs (PBS qsig): one job.signal request. */
#include "src/cli/lib/jobcmd.h"

static const char usage_text[] = "usage: qsig [-s signal] job_identifier...\n"
				 "       qsig --version\n";

static const char help_text[] =
    "NAME\n"
    "    qsig - send a signal to batch jobs\n"
    "\n"
    "SYNOPSIS\n"
    "    qsig [-s signal] job_identifier...\n"
    "    qsig --help | --version\n"
    "\n"
    "DESCRIPTION\n"
    "    Asks the server to send a signal to the given running jobs, all in\n"
    "    one request.\n"
    "\n"
    "OPTIONS\n"
    "    -s signal   the signal: a name with or without SIG (TERM, SIGUSR1,\n"
    "                kill), a number, or one of suspend, resume,\n"
    "                admin-suspend, admin-resume (operator or manager).\n"
    "                Default SIGTERM.\n"
    "    --help      show this text\n"
    "    --version   show the version\n"
    "\n"
    "EXIT STATUS\n"
    "    0 when every job was signalled.  For each job that was not, qsig\n"
    "    prints \"qsig: message\" and exits with the PBS error number modulo\n"
    "    256 of the last failure (unknown job id: 153), or 1.  Bad usage\n"
    "    exits 2.\n";

/* -s: the signal, as the server takes it. */
static bool option(int c, const char *arg, json_t *extra)
{
	char sig[64];
	(void)c;
	if (jobcmd_signal_name(arg, sig, sizeof sig) < 0)
		return false;
	return json_object_set_new(extra, "signal", json_string(sig)) == 0;
}

int main(int argc, char **argv)
{
	static const struct jobcmd cmd = {
	    .name = "qsig",
	    .op = "job.signal",
	    .optstring = "s:",
	    .usage = usage_text,
	    .help = help_text,
	    .defaults = "{\"signal\": \"SIGTERM\"}",
	    .option = option,
	};
	return jobcmd_main(&cmd, argc, argv);
}
