/* qrerun - requeue running batch jobs (PBS qrerun): one job.rerun request. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cli/lib/cli.h"
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

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h' + 256},
	    {"version", no_argument, NULL, 'v' + 256},
	    {NULL, 0, NULL, 0},
	};
	int c, errflg = 0;

	cli_init(argv[0]);
	while ((c = getopt_long(argc, argv, "W:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h' + 256:
			cli_usage(help_text, true);
		case 'v' + 256:
			jobcmd_version_exit();
		case 'W':
			if (strcmp(optarg, "force") != 0) {
				fprintf(stderr, "qrerun: illegal -W value\n");
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
	int rc = jobcmd_run(conn, "job.rerun", argv + optind, argc - optind, NULL);
	corral_close(conn);
	return rc;
}
