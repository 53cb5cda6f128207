/* jobenv.h - the environment of a batch job (PBS-REFERENCE.md 3.3).
 *
 * Variable_List is PBS's "name=value,name=value" text: qsub escapes a ','
 * or '\' (and quotes of values taken from the environment) inside a value
 * with a backslash, so a reader splits at unescaped commas and turns every
 * "\x" into "x".  It holds the PBS_O_* variables and those of -v/-V.
 *
 * The job's environment is Variable_List's variables, then what the node
 * daemon sets (which wins): PBS_JOBID PBS_JOBNAME PBS_QUEUE PBS_NODEFILE
 * PBS_ENVIRONMENT=PBS_BATCH PBS_NODENUM PBS_TASKNUM NCPUS OMP_NUM_THREADS
 * TMPDIR HOME USER LOGNAME SHELL, and PATH: a PATH given with -v/-V, else
 * PBS_O_PATH, else a default.  Pure code: tests/unit/test_node_jobenv.c.
 */
#ifndef CORRAL_NODE_JOBENV_H
#define CORRAL_NODE_JOBENV_H

#include <stddef.h>

#define JOBENV_DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

/* A list of "NAME=value" strings, kept NULL-terminated (v[n] == NULL) so
 * it can be handed to execve(). */
struct envlist {
	char **v; /* owned strings */
	size_t n;
	size_t cap;
};

void envlist_init(struct envlist *e);
void envlist_free(struct envlist *e);
/* Set NAME to value, replacing an earlier value in place. */
void envlist_set(struct envlist *e, const char *name, const char *value);
/* Value of NAME (borrowed) or NULL. */
const char *envlist_get(const struct envlist *e, const char *name);

/* Split a Variable_List into e (envlist_set for each "name=value"):
 * unescaped commas separate entries, "\x" becomes "x", entries without
 * '=' or with an empty or non-identifier name are skipped.  Returns the
 * number of variables added. */
int varlist_parse(const char *vl, struct envlist *e);

struct jobenv_in {
	const char *jobid;    /* PBS_JOBID */
	const char *jobname;  /* Job_Name */
	const char *queue;    /* queue */
	const char *varlist;  /* Variable_List (may be NULL) */
	const char *nodefile; /* path of PBS_NODEFILE */
	const char *tmpdir;   /* TMPDIR */
	const char *home;     /* from the owner's passwd entry */
	const char *user;
	const char *shell; /* SHELL: the job's shell */
	long ncpus;	   /* ncpus of the first chunk; < 1 means 1 */
};

/* Build the job environment into e (which should be empty). */
void jobenv_build(const struct jobenv_in *in, struct envlist *e);

#endif
