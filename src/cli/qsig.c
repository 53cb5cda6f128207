/* qsig - send a signal to batch jobs (PBS qsig): one job.signal request. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "src/cli/lib/cli.h"
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

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h' + 256},
	    {"version", no_argument, NULL, 'v' + 256},
	    {NULL, 0, NULL, 0},
	};
	int c, errflg = 0;
	char sig[64] = "SIGTERM";

	cli_init(argv[0]);
	while ((c = getopt_long(argc, argv, "s:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h' + 256:
			cli_usage(help_text, true);
		case 'v' + 256:
			jobcmd_version_exit();
		case 's':
			if (jobcmd_signal_name(optarg, sig, sizeof sig) < 0) {
				fprintf(stderr, "qsig: illegal -s value\n");
				errflg++;
			}
			break;
		default:
			errflg++;
			break;
		}
	}
	if (errflg || optind >= argc)
		cli_usage(usage_text, false);

	corral_conn_t *conn = cli_connect();
	json_t *extra = json_pack("{s:s}", "signal", sig);
	int rc = jobcmd_run(conn, "job.signal", argv + optind, argc - optind, extra);
	json_decref(extra);
	corral_close(conn);
	return rc;
}
