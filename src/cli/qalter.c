/* qalter.c - change attributes of queued jobs (PBS qalter).
 *
 * Parses qsub-style options (src/cli/lib/qsub_opts.h, QSUB_OPTS_ALTER:
 * only the attributes of the options given) and sends one job.alter with
 * an item per job id (docs/protocol.md).  Each refused item is printed as
 * "qalter: message"; the exit status is that of the last error.
 */
#include "src/cli/lib/cli.h"
#include "src/cli/lib/jobcmd.h"
#include "src/cli/lib/qsub_opts.h"
#include "src/common/log.h"

static const char usage_text[] =
    "usage: qalter [-a date_time] [-A account_string] [-c interval] [-e path]\n"
    "\t[-h hold_list] [-j oe|eo|n] [-k keep] [-l resource_list]\n"
    "\t[-m mail_options] [-M user_list] [-N jobname] [-o path] [-p priority]\n"
    "\t[-P project] [-r y|n] [-S path] [-u user_list]\n"
    "\t[-W otherattributes=value...] job_identifier...\n"
    "       qalter --version\n";

static const char help_text[] =
    "NAME\n"
    "       qalter - change the attributes of queued jobs\n"
    "\n"
    "SYNOPSIS\n"
    "       qalter [-a date_time] [-A account_string] [-c interval] [-e path]\n"
    "              [-h hold_list] [-j oe|eo|n] [-k keep] [-l resource_list]\n"
    "              [-m mail_events] [-M user_list] [-N name] [-o path]\n"
    "              [-p priority] [-P project] [-r y|n] [-S path_list]\n"
    "              [-u user_list] [-W attribute=value[,attribute=value...]]\n"
    "              job_identifier ...\n"
    "       qalter --version\n"
    "       qalter --help\n"
    "\n"
    "DESCRIPTION\n"
    "       Sets the attributes named by the options on each job.  The options\n"
    "       mean what they mean to qsub(1B); only the attributes of the options\n"
    "       given change.  Jobs must be queued or held; a running job cannot\n"
    "       be altered.  Users may alter their own jobs only.  A job\n"
    "       identifier is SEQ, SEQ.SERVER or SEQ.prefix-of-the-server-name.\n"
    "\n"
    "OPTIONS\n"
    "       -a [[[[CC]YY]MM]DD]hhmm[.SS]\n"
    "              Execution_Time.\n"
    "       -A account_string\n"
    "              Account_Name.\n"
    "       -c n|s|c|c=minutes|w|w=minutes\n"
    "              Checkpoint.\n"
    "       -e path, -o path\n"
    "              Error_Path, Output_Path, [host:]path; a relative path is taken\n"
    "              from the current directory on this host.\n"
    "       -h n|[u][o][s][p]\n"
    "              Hold_Types.\n"
    "       -j oe|eo|n\n"
    "              Join_Path.\n"
    "       -k n|[o][e][d]\n"
    "              Keep_Files.\n"
    "       -l resource=value[,resource=value...]\n"
    "              Resource_List entries (select, place, ncpus, mem, walltime...).\n"
    "       -m n|[a][b][e][j]\n"
    "              Mail_Points.\n"
    "       -M user[@host][,...]\n"
    "              Mail_Users.\n"
    "       -N name\n"
    "              Job_Name.\n"
    "       -p priority\n"
    "              Priority, -1024 to 1023.\n"
    "       -P project\n"
    "              project.\n"
    "       -r y|n Rerunable.\n"
    "       -S path[@host][,...]\n"
    "              Shell_Path_List.\n"
    "       -u user\n"
    "              Accepted when it names yourself only.\n"
    "       -W group_list=... | umask=NNNN | sandbox=HOME|PRIVATE\n"
    "              Other attributes; depend and block are not supported yet.\n"
    "\n"
    "EXIT STATUS\n"
    "       0 when every job was altered.  2 for bad usage or an illegal option\n"
    "       value.  Otherwise the status of the last error: the server's PBS\n"
    "       error number modulo 256 (unknown job id 15001 -> 153, job running\n"
    "       15015 -> 167), else 1.\n";

int main(int argc, char **argv)
{
	struct qsub_opts *o = jobcmd_qsub_start(QSUB_OPTS_ALTER, argc, argv, usage_text, help_text);
	json_t *attrs = qsub_opts_attrs(o);
	if (json_object_size(attrs) == 0)
		cli_usage(usage_text, false); /* nothing to change */

	char **ids;
	int nids = qsub_opts_operands(o, &ids);
	json_t *items = json_array();
	for (int i = 0; i < nids; i++)
		json_array_append_new(items, json_pack("{s:s, s:O}", "id", ids[i], "attrs", attrs));
	json_t *req = json_pack("{s:s, s:o}", "op", "job.alter", "items", items);

	corral_conn_t *c = cli_connect();
	json_t *rep = cli_rpc(c, req);
	json_t *results = json_object_get(rep, "results");
	int status = 0;
	size_t i;
	json_t *r;
	json_array_foreach(results, i, r)
	{
		if (!json_is_true(json_object_get(r, "ok")))
			status = cli_item_error(json_object_get(r, "error"));
	}
	if (json_array_size(results) != (size_t)nids) {
		log_msg("protocol error: job.alter answered %zu results for %d jobs",
			json_array_size(results), nids);
		status = 1;
	}
	json_decref(rep);
	json_decref(req);
	corral_close(c);
	qsub_opts_destroy(o);
	return status;
}
