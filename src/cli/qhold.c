/* qhold - place holds on batch jobs (PBS qhold): one job.hold request. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "src/cli/lib/cli.h"
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
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'H' + 256},
	    {"version", no_argument, NULL, 'v' + 256},
	    {NULL, 0, NULL, 0},
	};
	int c, errflg = 0;
	const char *holds = "u";

	cli_init(argv[0]);
	while ((c = getopt_long(argc, argv, "h:", longopts, NULL)) != -1) {
		switch (c) {
		case 'H' + 256:
			cli_usage(help_text, true);
		case 'v' + 256:
			jobcmd_version_exit();
		case 'h':
			while (*optarg == ' ' || *optarg == '\t')
				optarg++;
			if (!jobcmd_hold_types_ok(optarg)) {
				fprintf(stderr, "qhold: illegal -h value\n");
				errflg++;
			}
			holds = optarg;
			break;
		default:
			errflg++;
			break;
		}
	}
	if (errflg || optind >= argc)
		cli_usage(usage_text, false);

	corral_conn_t *conn = cli_connect();
	json_t *extra = json_pack("{s:s}", "hold_types", holds);
	int rc = jobcmd_run(conn, "job.hold", argv + optind, argc - optind, extra);
	json_decref(extra);
	corral_close(conn);
	return rc;
}
