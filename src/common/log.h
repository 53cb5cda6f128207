/* log.h - one logging API for daemons and a tiny one for commands.
 *
 * Daemons call log_init() once and then corral_log(LOG_xxx, "subsys", ...).
 * The level is checked before the arguments are formatted.  Lines go to the
 * log file (or stderr) as "YYYY-MM-DDTHH:MM:SS.mmm LEVEL subsys: text".
 * Commands use log_msg() and log_err_exit(), which prefix the program name.
 */
#ifndef CORRAL_COMMON_LOG_H
#define CORRAL_COMMON_LOG_H

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h> /* LOG_ERR ... LOG_DEBUG */

/* Set the program name, minimum level and output (NULL: stderr). */
void log_init(const char *prog, int level, FILE *out);
/* Current threshold; changing it. */
int log_level(void);
void log_set_level(int level);

/* Daemons: log to the file path from now on (appended, line-buffered;
 * "-" is stderr).  0, or -errno (nothing changed). */
int log_open(const char *path);
/* Open that path again (after a rotation: daemons call it on SIGHUP); the
 * old file is closed.  Nothing changes when it cannot be opened. */
void log_reopen(void);
/* Close the log file: stderr from then on. */
void log_close(void);
/* Do lines go to stderr (no log file)? */
int log_to_stderr(void);
const char *log_prog(void);

void corral__log(int level, const char *subsys, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* As corral__log, appending ": strerror(errnum)". errnum may be negative. */
void corral__log_errno(int level, int errnum, const char *subsys, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define corral_log(level, subsys, ...)                                                             \
	do {                                                                                       \
		if ((level) <= log_level())                                                        \
			corral__log((level), (subsys), __VA_ARGS__);                               \
	} while (0)
#define corral_log_errno(level, errnum, subsys, ...)                                               \
	do {                                                                                       \
		if ((level) <= log_level())                                                        \
			corral__log_errno((level), (errnum), (subsys), __VA_ARGS__);               \
	} while (0)

/* Commands: "prog: text" on stderr. */
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "prog: text" and exit(status). */
void log_err_exit(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

#endif
