/* qterm - stop the server (PBS qterm): sends server.shutdown. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cli/lib/cli.h"
#include "src/cli/lib/jobcmd.h"
#include "src/proto/msg.h"

static const char usage_text[] =
    "usage: qterm [-t immediate|delay|quick] [-m] [-s] [-f | -F | -i] [server...]\n"
    "       qterm --version\n";

static const char help_text[] =
    "NAME\n"
    "    qterm - stop the batch server\n"
    "\n"
    "SYNOPSIS\n"
    "    qterm [-t immediate|delay|quick] [-m] [-s] [-f | -F | -i] [server...]\n"
    "    qterm --help | --version\n"
    "\n"
    "DESCRIPTION\n"
    "    Asks the server to shut down: it commits its state, closes its\n"
    "    listeners and exits.  Jobs keep their state and are recovered at\n"
    "    the next start.  Needs manager privilege.\n"
    "\n"
    "OPTIONS\n"
    "    -t type     immediate, delay or quick; accepted for compatibility\n"
    "                (the server always stops the same way)\n"
    "    -m, -s, -f, -F, -i\n"
    "                accepted for compatibility (node daemons and schedulers\n"
    "                reconnect by themselves and are not stopped)\n"
    "    --help      show this text\n"
    "    --version   show the version\n"
    "\n"
    "EXIT STATUS\n"
    "    0 when the server accepted the request.  Otherwise qterm prints\n"
    "    \"qterm: message\" and exits with the PBS error number modulo 256\n"
    "    (no permission: 15), or 1.  Bad usage exits 2.\n";

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h' + 256},
	    {"version", no_argument, NULL, 'v' + 256},
	    {NULL, 0, NULL, 0},
	};
	int c, errflg = 0, fopts = 0;

	cli_init(argv[0]);
	while ((c = getopt_long(argc, argv, "t:msfFi", longopts, NULL)) != -1) {
		switch (c) {
		case 'h' + 256:
			cli_usage(help_text, true);
		case 'v' + 256:
			jobcmd_version_exit();
		case 't':
			if (strcmp(optarg, "immediate") != 0 && strcmp(optarg, "delay") != 0 &&
			    strcmp(optarg, "quick") != 0) {
				fprintf(stderr, "qterm: illegal -t value\n");
				errflg++;
			}
			break;
		case 'f':
		case 'F':
		case 'i':
			fopts++;
			break;
		case 'm':
		case 's':
			break;
		default:
			errflg++;
			break;
		}
	}
	if (fopts > 1)
		errflg++;
	if (errflg)
		cli_usage(usage_text, false);

	corral_conn_t *conn = cli_connect();
	json_t *req = corral_msg_request("server.shutdown");
	json_t *rep = cli_rpc(conn, req); /* exits on failure */
	json_decref(req);
	json_decref(rep);
	corral_close(conn);
	return 0;
}
