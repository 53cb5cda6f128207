/* proc.h - identity of processes through /proc.
 *
 * A pid alone does not identify a process across a daemon restart: pids are
 * reused.  (pid, starttime) does: field 22 of /proc/<pid>/stat, the start
 * time in clock ticks since boot, never changes for a process.  The
 * readers use only open/read/close, so a freshly forked child may call
 * them.
 */
#ifndef CORRAL_NODE_PROC_H
#define CORRAL_NODE_PROC_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

/* Parse the text of /proc/<pid>/stat: *state (field 3) and *starttime
 * (field 22).  The command name (field 2) may hold spaces and ')': the
 * fields after it are counted from its last ')'.  0 or -EINVAL. */
int proc_stat_parse(const char *text, char *state, unsigned long long *starttime);

/* Read /proc/<pid>/stat.  0, -ESRCH when there is no such process, or
 * -EINVAL. */
int proc_stat(pid_t pid, char *state, unsigned long long *starttime);

/* Is pid alive (not a zombie) and started at starttime? */
bool proc_alive(pid_t pid, unsigned long long starttime);

/* Epoch seconds of a /proc starttime (boot time from /proc/stat "btime"
 * plus ticks / CLK_TCK); 0 when unknown. */
time_t proc_start_epoch(unsigned long long starttime);

#endif
