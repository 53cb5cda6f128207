/* qrun.c - run a queued job now (operators and managers). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "src/cli/lib/cli.h"
#include "src/common/log.h"

static const char usage_text[] =
	"NAME\n"
	"    qrun - run a queued job now\n"
	"\n"
	"SYNOPSIS\n"
	"    qrun [-H vnode_spec] job_id...\n"
	"\n"
	"DESCRIPTION\n"
	"    Starts each job at once, bypassing the scheduler. With -H the job\n"
	"    runs on the given vnodes: \"vn1\", \"vn1+vn2\" (one chunk on each, in\n"
	"    order) or \"(vn1:ncpus=2)+(vn2:ncpus=2)\"; without it, on the first\n"
	"    vnodes with enough free resources. Only operators and managers may\n"
	"    use qrun.\n"
	"\n"
	"OPTIONS\n"
	"    -H spec   vnodes to run on\n"
	"    --help    show this text\n"
	"\n"
	"EXIT STATUS\n"
	"    0 when every job started; otherwise the PBS error number modulo 256\n"
	"    of the last failure (15001 unknown job -> 153), or 2 for bad usage.\n";

int main(int argc, char **argv)
{
	const char *spec = NULL;
	cli_init(argv[0]);
	if (argc > 1 && !strcmp(argv[1], "--help"))
		cli_usage(usage_text, true);
	int ch;
	while ((ch = getopt(argc, argv, "H:")) != -1) {
		if (ch == 'H')
			spec = optarg;
		else
			cli_usage("usage: qrun [-H vnode_spec] job_id...\n", false);
	}
	if (optind >= argc)
		cli_usage("usage: qrun [-H vnode_spec] job_id...\n", false);
	corral_conn_t *c = cli_connect();
	int status = 0;
	for (int i = optind; i < argc; i++) {
		json_t *req = json_pack("{s:s,s:s}", "op", "job.run", "job", argv[i]);
		if (spec)
			json_object_set_new(req, "vnodes", json_string(spec));
		corral_error_t err = {0};
		json_t *rep = corral_call(c, req, &err);
		json_decref(req);
		if (!rep) {
			log_msg("%s", err.text);
			status = 1;
			break;
		}
		json_t *e = json_object_get(rep, "error");
		if (e)
			status = cli_item_error(e);
		json_decref(rep);
	}
	corral_close(c);
	return status;
}
