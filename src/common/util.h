/* util.h - small helpers shared by every program: CORRAL_HOME, paths,
 * host names, PBS date formatting, clocks. */
#ifndef CORRAL_COMMON_UTIL_H
#define CORRAL_COMMON_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* $CORRAL_HOME, or the build's default (CORRAL_DEFAULT_HOME). Borrowed. */
const char *corral_home(void);
/* "<home>/<rel>", caller frees. */
char *corral_path(const char *rel);
/* Short host name (up to the first dot), cached. Borrowed. */
const char *corral_hostname(void);
/* mkdir -p with mode for created directories; 0 or -errno. */
int corral_mkdir_p(const char *path, mode_t mode);
/* Become a daemon: fork twice around setsid, stdin and stdout (and stderr
 * unless keep_stderr) on /dev/null. */
void corral_daemonize(int keep_stderr);
/* PBS date layout "Sun Nov 22 04:53:00 2026" (local time) into buf. */
char *corral_ctime(time_t t, char *buf, size_t n);
/* Wall clock seconds (double) and monotonic milliseconds. */
double corral_now(void);
uint64_t corral_mono_ms(void);
/* Parse a decimal integer in [min,max]; 0 or -EINVAL / -ERANGE. */
int corral_parse_long(const char *s, long min, long max, long *out);
/* Parse "true/false/yes/no/1/0/t/f/y/n" (any case) -> 1/0, else -EINVAL. */
int corral_parse_bool(const char *s);
/* User name of uid, or the decimal uid when unknown, into buf. */
char *corral_username(uid_t uid, char *buf, size_t n);

#endif
