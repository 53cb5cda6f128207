/* qsub.c - submit a batch job (PBS qsub).
 *
 * Reads the job script (a file, standard input, or a command given after
 * "--"), turns options and "#PBS" directives into job attributes
 * (src/cli/lib/qsub_opts.h), sends one job.submit (docs/protocol.md) and
 * prints the new job id.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/cli/lib/cli.h"
#include "src/cli/lib/jobcmd.h"
#include "src/cli/lib/qsub_opts.h"
#include "src/common/buf.h"
#include "src/common/log.h"

static const char usage_text[] =
    "usage: qsub [-a date_time] [-A account_string] [-c interval]\n"
    "\t[-C directive_prefix] [-e path] [-f ] [-h ] [-j oe|eo|n]\n"
    "\t[-k keep] [-l resource_list] [-m mail_options] [-M user_list]\n"
    "\t[-N jobname] [-o path] [-p priority] [-P project] [-q queue] [-r y|n]\n"
    "\t[-S path] [-u user_list] [-W otherattributes=value...]\n"
    "\t[-v variable_list] [-V ] [-z] [script | -- command [arg1 ...]]\n"
    "       qsub --version\n";

static const char help_text[] =
    "NAME\n"
    "       qsub - submit a batch job\n"
    "\n"
    "SYNOPSIS\n"
    "       qsub [-a date_time] [-A account_string] [-c interval]\n"
    "            [-C directive_prefix] [-e path] [-f] [-h] [-j oe|eo|n] [-k keep]\n"
    "            [-l resource_list] [-m mail_events] [-M user_list] [-N name]\n"
    "            [-o path] [-p priority] [-P project] [-q destination] [-r y|n]\n"
    "            [-S path_list] [-u user_list] [-v variable_list] [-V]\n"
    "            [-W attribute=value[,attribute=value...]] [-z]\n"
    "            [script | -- command [arg ...]]\n"
    "       qsub --version\n"
    "       qsub --help\n"
    "\n"
    "DESCRIPTION\n"
    "       Submits a job to the Corral server and prints its identifier\n"
    "       (SEQ.SERVER) on standard output.  The job runs script, or the\n"
    "       script read from standard input when none is named (or \"-\"), or\n"
    "       command with its arguments when they follow \"--\".\n"
    "\n"
    "       Lines of the script that start with the directive prefix (\"#PBS\",\n"
    "       see -C) before its first command are read as options.  Options on\n"
    "       the command line take precedence over directives; -l counts per\n"
    "       resource.\n"
    "\n"
    "       The job's Variable_List holds PBS_O_HOME, PBS_O_LANG, PBS_O_LOGNAME,\n"
    "       PBS_O_PATH, PBS_O_MAIL, PBS_O_SHELL, PBS_O_TZ (those that are set),\n"
    "       PBS_O_WORKDIR, PBS_O_SYSTEM and PBS_O_HOST, plus -v and -V.\n"
    "\n"
    "OPTIONS\n"
    "       -a [[[[CC]YY]MM]DD]hhmm[.SS]\n"
    "              Do not run the job before this time (Execution_Time).\n"
    "       -A account_string\n"
    "              Account_Name.\n"
    "       -c n|s|c|c=minutes|w|w=minutes\n"
    "              Checkpoint.\n"
    "       -C directive_prefix\n"
    "              Prefix of directives (default $PBS_DPREFIX, else \"#PBS\"); an\n"
    "              empty prefix turns directives off.  Command line only.\n"
    "       -e path, -o path\n"
    "              Standard error / output file, [host:]path (Error_Path,\n"
    "              Output_Path).  A relative path is taken from the current\n"
    "              directory on this host.\n"
    "       -f     Accepted for compatibility; no effect.\n"
    "       -h     Submit the job with a user hold (Hold_Types=u).\n"
    "       -j oe|eo|n\n"
    "              Join standard error into output (oe), output into error (eo),\n"
    "              or neither (n).\n"
    "       -k keep\n"
    "              Keep_Files: n, or any of o, e, d.\n"
    "       -l resource=value[,resource=value...]\n"
    "              Resources: select=[N:]chunk[+[N:]chunk...], place=..., ncpus,\n"
    "              mem, walltime, ngpus or any custom resource.  Repeated -l add up.\n"
    "       -m n|[a][b][e][j]\n"
    "              Mail_Points: mail on abort, begin, end.\n"
    "       -M user[@host][,...]\n"
    "              Mail_Users.\n"
    "       -N name\n"
    "              Job_Name: up to 236 printable, non-blank characters starting\n"
    "              with a letter or digit.  Default: the script's name, the\n"
    "              command's name, or STDIN.\n"
    "       -p priority\n"
    "              Priority, -1024 to 1023.\n"
    "       -P project\n"
    "              project.\n"
    "       -q queue | @server | queue@server\n"
    "              Destination (default: the server's default queue).\n"
    "       -r y|n Rerunable.\n"
    "       -S path[@host][,...]\n"
    "              Shell_Path_List (default $PBS_SHELL, else the login shell).\n"
    "       -u user\n"
    "              Accepted when it names yourself only.\n"
    "       -v var[=value][,...]\n"
    "              Export these variables (value from the environment when absent).\n"
    "       -V     Export the whole environment.\n"
    "       -W group_list=g[@host][,...] | umask=NNNN | sandbox=HOME|PRIVATE\n"
    "              Other attributes.  depend, block, stagein and stageout are not\n"
    "              supported yet.\n"
    "       -z     Do not print the job identifier.\n"
    "       -I, -X, -J\n"
    "              Interactive and array jobs are not supported yet.\n"
    "\n"
    "EXIT STATUS\n"
    "       0 on success.  2 for bad usage or an illegal option value.  166\n"
    "       for a bad resource value (PBSE_BADATVAL 15014).  The server's PBS\n"
    "       error number modulo 256 when it refuses the job (unknown queue\n"
    "       15018 -> 170).  1 for other errors.\n";

/* Read all of fd; NULL with errno on failure. */
static char *read_all(int fd, size_t *len)
{
	struct corral_buf b;
	buf_init(&b);
	for (;;) {
		char *p = buf_reserve(&b, 65536);
		ssize_t n = read(fd, p, 65536);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			buf_free(&b);
			errno = e;
			return NULL;
		}
		if (n == 0)
			break;
		b.len += (size_t)n;
	}
	*len = b.len;
	buf_append(&b, "", 1);
	return b.data; /* ownership moves to the caller */
}

/* Read the script file or stdin; exits on error. */
static char *read_script(const char *path, size_t *len)
{
	int fd = 0;
	if (path) {
		struct stat st;
		if (stat(path, &st) < 0)
			log_err_exit(1, "script file %s: %s", path, strerror(errno));
		if (!S_ISREG(st.st_mode))
			log_err_exit(1, "script not a file: %s", path);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			log_err_exit(1, "cannot open script file %s: %s", path, strerror(errno));
	}
	char *text = read_all(fd, len);
	if (!text)
		log_err_exit(1, "error reading script%s%s: %s", path ? " file " : "",
			     path ? path : "", strerror(errno));
	if (path)
		close(fd);
	if (*len == 0 || strspn(text, " \t\r\n") == *len)
		log_err_exit(1, "script file is empty");
	if (memchr(text, '\0', *len) || (*len >= 4 && memcmp(text, "\177ELF", 4) == 0))
		log_err_exit(1, "file must be an ascii script");
	return text;
}

int main(int argc, char **argv)
{
	struct qsub_opts *o =
	    jobcmd_qsub_start(QSUB_OPTS_SUBMIT, argc, argv, usage_text, help_text);
	corral_error_t err = {0};

	char **ops;
	int nops = qsub_opts_operands(o, &ops);
	const char *path = NULL;
	char *script;
	size_t len;
	if (qsub_opts_is_command(o)) {
		script = qsub_opts_command_script(nops, ops);
		len = strlen(script);
	} else {
		if (nops == 1 && strcmp(ops[0], "-") != 0)
			path = ops[0];
		script = read_script(path, &len);
		if (qsub_opts_parse_script(o, script, len, &err) < 0)
			jobcmd_opts_fail(o, &err, usage_text);
	}
	if (qsub_opts_finish(o, path, &err) < 0)
		jobcmd_opts_fail(o, &err, usage_text);

	json_t *jscript = json_stringn(script, len);
	if (!jscript)
		log_err_exit(1, "script is not valid UTF-8 text");
	free(script);

	corral_conn_t *c = cli_connect();
	const char *server = qsub_opts_server(o);
	const char *sname = corral_conn_server_name(c);
	if (server && sname && strcmp(server, sname) != 0 &&
	    !(strncmp(sname, server, strlen(server)) == 0 && sname[strlen(server)] == '.') &&
	    !(strncmp(server, sname, strlen(sname)) == 0 && server[strlen(sname)] == '.'))
		log_err_exit(1,
			     "cannot submit to server %s: only the local server (%s) is reachable",
			     server, sname);

	/* {"op":"job.submit","jobs":[{"attrs":{...},"script":"..."}]} */
	json_t *req = json_pack("{s:s, s:[{s:O, s:o}]}", "op", "job.submit", "jobs", "attrs",
				qsub_opts_attrs(o), "script", jscript);
	json_t *rep = cli_rpc(c, req);
	json_t *res = json_array_get(json_object_get(rep, "results"), 0);
	int status = 0;
	if (!res) {
		log_msg("protocol error: job.submit reply without results");
		status = 1;
	} else if (!json_is_true(json_object_get(res, "ok"))) {
		status = cli_item_error(json_object_get(res, "error"));
	} else {
		const char *id = json_string_value(json_object_get(res, "id"));
		if (!qsub_opts_quiet(o))
			printf("%s\n", id ? id : "");
	}
	json_decref(rep);
	json_decref(req);
	corral_close(c);
	qsub_opts_destroy(o);
	return status;
}
