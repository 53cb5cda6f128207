/* cli.h - what every command shares: connecting, reporting errors the PBS
 * way, exit codes, job-id handling and formatting attribute values. */
#ifndef CORRAL_CLI_CLI_H
#define CORRAL_CLI_CLI_H

#include <jansson.h>
#include <stdbool.h>

#include "src/client/client.h"
#include "src/common/error.h"

/* Set the program name for messages (argv[0]). */
void cli_init(const char *argv0);
/* Connect to the local server or exit(1) with "prog: cannot connect ...". */
corral_conn_t *cli_connect(void);
/* Call op and return the reply; on transport failure or "ok": false,
 * print "prog: message" and exit with the PBS-style code. */
json_t *cli_rpc(corral_conn_t *c, json_t *req);
/* Exit status for an error: pbs_errno % 256 when known (15001 -> 153),
 * else 1; never 0 for an error. */
int cli_exit_code(int code, int pbs_errno);
/* Print a per-item error {"code","message","pbs_errno"} as "prog: message"
 * and return its exit code. */
int cli_item_error(const json_t *errobj);
/* True when attribute name holds epoch seconds on the wire. */
bool cli_attr_is_time(const char *name);
/* Display text of an attribute value: times as "Sun Nov 22 04:53:00 2026",
 * everything else unchanged.  Returns buf or value. */
const char *cli_attr_display(const char *name, const char *value, char *buf, size_t n);
/* Print usage text to stdout (help) and exit 0, or to stderr and exit 2. */
void cli_usage(const char *text, bool help) __attribute__((noreturn));

#endif
