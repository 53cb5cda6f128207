/* fuzz_cli_qsub_opts.c - libFuzzer target: qsub/qalter options and "#PBS"
 * directives (src/cli/lib/qsub_opts.h).
 *
 * Input: an optional command line, then a job script:
 *
 *     qsub\n-l\nselect=2:ncpus=4\n-N\nrun1\n\0#!/bin/sh\n#PBS -l walltime=1:00:00\n...
 *
 * When the input holds a NUL byte, the text before the first one is the
 * command line, one word per line, the first word being the program:
 * "qalter" selects QSUB_OPTS_ALTER, anything else QSUB_OPTS_SUBMIT; the
 * rest is the script.  Without a NUL the whole input is the script of a
 * plain "qsub".  The context (environment, cwd, host, user, clock) is
 * fixed so a run is reproducible; nothing is written anywhere.
 *
 * Checks beyond "no crash, no leak": every attribute is a UTF-8 string and
 * a failure leaves a non-empty message and an exit status.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/cli/lib/qsub_opts.h"
#include "src/common/buf.h"
#include "src/common/error.h"

#define MAX_WORDS 64

static char *env[] = {
    "HOME=/home/alice",
    "LOGNAME=alice",
    "PATH=/usr/local/bin:/usr/bin:/bin",
    "SHELL=/bin/bash",
    "LANG=C.UTF-8",
    "TZ=UTC",
    "MAIL=/var/mail/alice",
    "PWD=/nonexistent/corral-fuzz",
    "EDITOR=vi",
    "QUOTED=a,b\\c'\"d",
    NULL,
};

static void check_attrs(const struct qsub_opts *o)
{
	const char *k;
	json_t *v;
	json_object_foreach(qsub_opts_attrs(o), k, v)
	{
		if (!json_is_string(v))
			abort();
	}
}

static void check_fail(const struct qsub_opts *o, int rc, const corral_error_t *err)
{
	if (rc >= 0)
		return;
	if (err->code != -rc || err->text[0] == '\0' || qsub_opts_exit_status(o) == 0) {
		fprintf(stderr, "failure without reason: rc %d code %d status %d\n", rc, err->code,
			qsub_opts_exit_status(o));
		abort();
	}
}

/* -a dates are local time: make them the same everywhere. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const uint8_t *nul = memchr(data, '\0', size);
	char *line = NULL;
	char *argv[MAX_WORDS + 1];
	int argc = 0;
	const char *script = text;
	size_t slen = size;

	if (nul) {
		/* argv: the words of the first part, one per line */
		line = strndup(text, (size_t)(nul - data));
		if (!line)
			return 0;
		for (char *w = line; w && argc < MAX_WORDS;) {
			char *end = strchr(w, '\n');
			if (end)
				*end++ = '\0';
			argv[argc++] = w; /* may be empty: qsub -C "" */
			w = end;
		}
		script = (const char *)nul + 1;
		slen = size - (size_t)(nul - data) - 1;
	}
	if (argc == 0)
		argv[argc++] = "qsub";
	argv[argc] = NULL;

	enum qsub_opts_mode mode =
	    strcmp(argv[0], "qalter") == 0 ? QSUB_OPTS_ALTER : QSUB_OPTS_SUBMIT;
	struct qsub_ctx ctx = {
	    .envp = env,
	    .cwd = "/nonexistent/corral-fuzz",
	    .host = "login1",
	    .sysname = "Linux",
	    .user = "alice",
	    .now = 1767225600, /* 2026-01-01 00:00:00 UTC */
	};
	struct qsub_opts *o = qsub_opts_create(mode, &ctx);
	corral_error_t err = {0};

	int rc = qsub_opts_parse_args(o, argc, argv, &err);
	check_fail(o, rc, &err);
	{
		/* qsub stops at a bad command line, but the directive parser
		 * must stand alone too: then the script goes to a fresh set. */
		struct qsub_opts *target = rc < 0 ? qsub_opts_create(mode, &ctx) : o;
		corral_error_t serr = {0};
		int src = qsub_opts_parse_script(target, script, slen, &serr);
		check_fail(target, src, &serr);
		if (src == 0) {
			corral_error_t ferr = {0};
			char **ops = NULL;
			int nops = qsub_opts_operands(target, &ops);
			const char *path =
			    nops > 0 && !qsub_opts_is_command(target) ? ops[0] : "job.sh";
			int frc = qsub_opts_finish(target, path, &ferr);
			check_fail(target, frc, &ferr);
			if (qsub_opts_is_command(target) && nops > 0) {
				char *s = qsub_opts_command_script(nops, ops);
				if (!s || strncmp(s, "#!/bin/sh\nexec ", 15) != 0)
					abort();
				free(s);
			}
		}
		check_attrs(target);
		(void)qsub_opts_server(target);
		(void)qsub_opts_quiet(target);
		if (target != o)
			qsub_opts_destroy(target);
	}
	check_attrs(o);
	qsub_opts_destroy(o);

	/* The exported helpers, on the first script line. */
	const char *nl = memchr(script, '\n', slen);
	size_t l0 = nl ? (size_t)(nl - script) : slen;
	char *first = strndup(script, l0 > 300 ? 300 : l0);
	if (first) {
		time_t t;
		(void)qsub_opts_cvtdate(first, ctx.now, &t);
		(void)qsub_opts_name_ok(first);
		corral_error_t perr = {0};
		free(qsub_opts_expand_path(first, ctx.cwd, ctx.host, &perr));
		free(first);
	}
	free(line);
	return 0;
}
