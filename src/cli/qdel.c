/* qdel - delete batch jobs (PBS qdel): one job.delete request for all ids. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cli/lib/cli.h"
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

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h' + 256},
	    {"version", no_argument, NULL, 'v' + 256},
	    {NULL, 0, NULL, 0},
	};
	int c, errflg = 0;
	bool purge = false;

	cli_init(argv[0]);
	while ((c = getopt_long(argc, argv, "W:x", longopts, NULL)) != -1) {
		switch (c) {
		case 'h' + 256:
			cli_usage(help_text, true);
		case 'v' + 256:
			jobcmd_version_exit();
		case 'x':
			purge = true;
			break;
		case 'W':
			if (strcmp(optarg, "force") == 0)
				break;
			if (strncmp(optarg, "suppress_email=", 15) == 0)
				break;
			fprintf(stderr, "qdel: illegal -W value\n");
			errflg++;
			break;
		default:
			errflg++;
			break;
		}
	}
	if (errflg || optind >= argc)
		cli_usage(usage_text, false);

	corral_conn_t *conn = cli_connect();
	json_t *extra = json_pack("{s:b}", "purge", purge);
	int rc = jobcmd_run(conn, "job.delete", argv + optind, argc - optind, extra);
	json_decref(extra);
	corral_close(conn);
	return rc;
}
