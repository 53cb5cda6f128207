/* qmove - move batch jobs to another queue (PBS qmove): one job.move
 * request for all ids. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cli/lib/cli.h"
#include "src/cli/lib/jobcmd.h"
#include "src/common/buf.h"

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

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h' + 256},
	    {"version", no_argument, NULL, 'v' + 256},
	    {NULL, 0, NULL, 0},
	};
	int c, errflg = 0;

	cli_init(argv[0]);
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'h' + 256:
			cli_usage(help_text, true);
		case 'v' + 256:
			jobcmd_version_exit();
		default:
			errflg++;
			break;
		}
	}
	if (errflg || argc - optind < 2)
		cli_usage(usage_text, false);

	const char *dest = argv[optind];
	const char *at = strchr(dest, '@');
	char *queue = at ? xstrndup(dest, (size_t)(at - dest)) : xstrdup(dest);
	if (!*queue) {
		fprintf(stderr, "qmove: illegally formed destination: %s\n", dest);
		free(queue);
		return 1;
	}

	corral_conn_t *conn = cli_connect();
	json_t *extra = json_pack("{s:s}", "queue", queue);
	int rc = jobcmd_run(conn, "job.move", argv + optind + 1, argc - optind - 1, extra);
	json_decref(extra);
	free(queue);
	corral_close(conn);
	return rc;
}
