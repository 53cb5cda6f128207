/* jobcmd.c - shared code of the job-id commands; see jobcmd.h. */
#include "src/cli/lib/jobcmd.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/cli/lib/cli.h"
#include "src/common/buf.h"
#include "src/common/log.h"
#include "src/proto/msg.h"

bool jobcmd_valid_id(const char *s)
{
	const char *p = s;
	if (!isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '[') {
		const char *close = strchr(p, ']');
		if (!close)
			return false;
		p = close + 1;
	}
	if (*p == '\0')
		return true;
	if (*p != '.' && *p != '@')
		return false;
	/* the server part: no blanks, not empty */
	if (p[1] == '\0')
		return false;
	for (const char *q = p; *q; q++)
		if (isspace((unsigned char)*q) || *q == ',')
			return false;
	return true;
}

char *jobcmd_wire_id(const char *s)
{
	const char *at = strchr(s, '@');
	return at ? xstrndup(s, (size_t)(at - s)) : xstrdup(s);
}

char *jobcmd_full_id(const char *id, const char *server)
{
	if (!id)
		return xstrdup("");
	const char *at = strchr(id, '@');
	size_t l = at ? (size_t)(at - id) : strlen(id);
	if (server && *server && !memchr(id, '.', l))
		return xasprintf("%.*s.%s", (int)l, id, server);
	return xstrndup(id, l);
}

bool jobcmd_msg_names(const char *msg, const char *id)
{
	size_t il = strlen(id);
	if (!msg || il == 0)
		return false;
	const char *p = msg;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *e = strchr(p, ' ');
		size_t wl = e ? (size_t)(e - p) : strlen(p);
		if (wl >= il && strncmp(p, id, il) == 0 &&
		    (wl == il || p[il] == '.' || p[il] == '[' || p[il] == ','))
			return true;
		p += wl;
	}
	return false;
}

int jobcmd_item_error(const char *id, const json_t *errobj)
{
	corral_error_t err = {0};
	int pbs_errno = 0;
	corral_msg_error(errobj, &err, &pbs_errno);
	if (id && *id && !jobcmd_msg_names(err.text, id))
		log_msg("%s %s", err.text, id);
	else
		log_msg("%s", err.text);
	return cli_exit_code(err.code ? err.code : 1, pbs_errno);
}

int jobcmd_run(corral_conn_t *c, const char *op, char *const *ids, int nids, const json_t *extra)
{
	int rc = 0;
	json_t *arr = json_array();
	json_t *given = json_array(); /* the ids as sent, for results without "id" */

	for (int i = 0; i < nids; i++) {
		if (!jobcmd_valid_id(ids[i])) {
			log_msg("illegally formed job identifier: %s", ids[i]);
			rc = 1;
			continue;
		}
		char *w = jobcmd_wire_id(ids[i]);
		json_array_append_new(arr, json_string(w));
		json_array_append_new(given, json_string(w));
		free(w);
	}
	if (json_array_size(arr) == 0) {
		json_decref(arr);
		json_decref(given);
		return rc;
	}

	json_t *req = corral_msg_request(op);
	if (extra)
		json_object_update(req, (json_t *)extra);
	json_object_set_new(req, "ids", arr); /* steals arr */
	json_t *rep = cli_rpc(c, req);
	json_decref(req);

	const char *server = corral_conn_server_name(c);
	json_t *results = json_object_get(rep, "results");
	size_t i;
	json_t *item;
	json_array_foreach(results, i, item)
	{
		if (json_is_true(json_object_get(item, "ok")))
			continue;
		const char *id = json_string_value(json_object_get(item, "id"));
		if (!id)
			id = json_string_value(json_array_get(given, i));
		char *full = jobcmd_full_id(id, server);
		json_t *e = json_object_get(item, "error");
		rc = jobcmd_item_error(full, e ? e : item);
		free(full);
	}
	json_decref(rep);
	json_decref(given);
	return rc;
}

bool jobcmd_hold_types_ok(const char *s)
{
	if (!s || !*s)
		return false;
	for (const char *p = s; *p; p++)
		if (!strchr("uosnp", *p))
			return false;
	return true;
}

int jobcmd_signal_name(const char *s, char *out, size_t n)
{
	static const char *special[] = {"suspend", "resume", "admin-suspend", "admin-resume"};
	if (!s || !*s)
		return -EINVAL;
	for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) {
		if (strcmp(s, special[i]) == 0) {
			snprintf(out, n, "%s", s);
			return 0;
		}
	}
	bool digits = true;
	for (const char *p = s; *p; p++) {
		if (!isdigit((unsigned char)*p))
			digits = false;
		if (!isalnum((unsigned char)*p) && *p != '+' && *p != '-')
			return -EINVAL;
	}
	if (digits) {
		snprintf(out, n, "%s", s);
		return 0;
	}
	const char *body = s;
	if (strncasecmp(s, "SIG", 3) == 0)
		body = s + 3;
	if (!*body)
		return -EINVAL;
	size_t k = (size_t)snprintf(out, n, "SIG");
	for (const char *p = body; *p && k + 1 < n; p++)
		out[k++] = (char)toupper((unsigned char)*p);
	out[k < n ? k : n - 1] = '\0';
	return 0;
}

void jobcmd_version_exit(void)
{
	printf("pbs_version = %s\n", CORRAL_VERSION);
	exit(0);
}

enum { OPT_HELP = 256, OPT_VERSION };

int jobcmd_main(const struct jobcmd *cmd, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, OPT_HELP},
	    {"version", no_argument, NULL, OPT_VERSION},
	    {NULL, 0, NULL, 0},
	};
	json_t *extra = cmd->defaults ? json_loads(cmd->defaults, 0, NULL) : json_object();
	int c, errflg = 0;

	cli_init(argv[0]);
	while ((c = getopt_long(argc, argv, cmd->optstring, longopts, NULL)) != -1) {
		if (c == OPT_HELP)
			cli_usage(cmd->help, true);
		if (c == OPT_VERSION)
			jobcmd_version_exit();
		if (c == '?') {
			errflg++;
		} else if (!cmd->option(c, optarg, extra)) {
			fprintf(stderr, "%s: illegal -%c value\n", cmd->name, c);
			errflg++;
		}
	}
	if (errflg || argc - optind < cmd->nlead + 1)
		cli_usage(cmd->usage, false);
	if (cmd->lead && !cmd->lead(argv + optind, extra)) {
		json_decref(extra);
		return 1;
	}

	corral_conn_t *conn = cli_connect();
	int rc = jobcmd_run(conn, cmd->op, argv + optind + cmd->nlead, argc - optind - cmd->nlead,
			    extra);
	json_decref(extra);
	corral_close(conn);
	return rc;
}

bool jobcmd_hold_option(int c, const char *arg, json_t *extra)
{
	(void)c;
	while (*arg == ' ' || *arg == '\t')
		arg++;
	if (!jobcmd_hold_types_ok(arg))
		return false;
	json_object_set_new(extra, "hold_types", json_string(arg));
	return true;
}

void jobcmd_opts_fail(struct qsub_opts *o, const corral_error_t *err, const char *usage)
{
	log_msg("%s", err->text);
	int status = qsub_opts_exit_status(o);
	if (status == QSUB_EXIT_USAGE)
		cli_usage(usage, false);
	exit(status ? status : 1);
}

struct qsub_opts *jobcmd_qsub_start(enum qsub_opts_mode mode, int argc, char **argv,
				    const char *usage, const char *help)
{
	cli_init(argv[0]);
	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		cli_usage(help, true);
	if (argc == 2 && strcmp(argv[1], "--version") == 0)
		jobcmd_version_exit();

	corral_error_t err = {0};
	struct qsub_opts *o = qsub_opts_create(mode, NULL);
	if (qsub_opts_parse_args(o, argc, argv, &err) < 0)
		jobcmd_opts_fail(o, &err, usage);
	return o;
}
