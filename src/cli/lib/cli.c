/* cli.c - see cli.h. */
#include "src/cli/lib/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/common/log.h"
#include "src/common/util.h"
#include "src/proto/msg.h"

void cli_init(const char *argv0)
{
	log_init(argv0, LOG_WARNING, stderr);
}

corral_conn_t *cli_connect(void)
{
	corral_error_t err = {0};
	corral_conn_t *c = corral_connect(NULL, log_prog(), &err);
	if (!c) {
		log_msg("%s", err.text);
		exit(1);
	}
	return c;
}

int cli_exit_code(int code, int pbs_errno)
{
	if (pbs_errno > 0 && pbs_errno % 256 != 0)
		return pbs_errno % 256;
	return code ? 1 : 0;
}

json_t *cli_rpc(corral_conn_t *c, json_t *req)
{
	corral_error_t err = {0};
	int pbs_errno = 0;
	json_t *rep = corral_rpc(c, req, &err, &pbs_errno);
	if (!rep) {
		log_msg("%s", err.text);
		exit(cli_exit_code(err.code ? err.code : 1, pbs_errno));
	}
	return rep;
}

int cli_item_error(const json_t *errobj)
{
	corral_error_t err = {0};
	int pbs_errno = 0;
	corral_msg_error(errobj, &err, &pbs_errno);
	log_msg("%s", err.text);
	return cli_exit_code(err.code ? err.code : 1, pbs_errno);
}

bool cli_attr_is_time(const char *name)
{
	static const char *times[] = {"ctime",	       "mtime",
				      "qtime",	       "etime",
				      "stime",	       "obittime",
				      "Execution_Time", "estimated.start_time",
				      "last_state_change_time", "last_used_time",
				      "history_timestamp"};
	for (size_t i = 0; i < sizeof times / sizeof times[0]; i++)
		if (strcmp(name, times[i]) == 0)
			return true;
	return false;
}

const char *cli_attr_display(const char *name, const char *value, char *buf, size_t n)
{
	long t;
	if (value && cli_attr_is_time(name) &&
	    corral_parse_long(value, 0, 0x7fffffffffffL, &t) == 0)
		return corral_ctime((time_t)t, buf, n);
	return value;
}

void cli_usage(const char *text, bool help)
{
	fputs(text, help ? stdout : stderr);
	exit(help ? 0 : 2);
}
