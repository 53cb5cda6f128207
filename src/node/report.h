/* report.h - what a node tells the server about a job's end: the PBS exit
 * status and resources_used (docs/protocol.md, node.job_events;
 * PBS-REFERENCE.md 3.9).
 *
 *   0..255   the script's exit code
 *   256+N    killed by signal N (271: SIGTERM, e.g. qdel; 265: SIGKILL)
 *   -1       could not start (bad shell, cannot create files)
 *   -4       lost: the daemon restarted and nothing recorded the end
 *   -10      bad user (unknown, or another uid on a non-root daemon)
 *   -29      killed for exceeding its walltime
 */
#ifndef CORRAL_NODE_REPORT_H
#define CORRAL_NODE_REPORT_H

#include <jansson.h>
#include <stdint.h>

#define EXIT_FAIL1 (-1)
#define EXIT_INITABT (-4)
#define EXIT_FAILUID (-10)
#define EXIT_WALLTIME (-29)

/* PBS exit status of a wait() status: WEXITSTATUS, or 256 + WTERMSIG;
 * -1 for anything else. */
int report_exit_status(int wstatus);

/* {"walltime":"HH:MM:SS","cput":"HH:MM:SS","mem":"NNNkb"}; caller owns.
 * cput is rounded down to whole seconds. */
json_t *report_resources(int64_t walltime_s, int64_t cput_us, int64_t mem_kb);

/* "job killed: walltime HH:MM:SS exceeded limit HH:MM:SS" into buf. */
char *report_walltime_comment(int64_t used_s, int64_t limit_s, char *buf, size_t n);

/* Signal number of a qsig-style name: "SIGUSR1", "USR1", "usr1", "10",
 * "suspend" (SIGSTOP), "resume" (SIGCONT); -EINVAL when unknown. */
int report_signal_number(const char *name);

#endif
