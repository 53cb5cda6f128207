/* error.h - error text for humans and errno names for the wire.
 *
 * Functions return 0 or a count on success, -errno on failure.  When the
 * reason matters to a person, they also fill a corral_error_t, usually in
 * one line:  return corral_errorf(err, EINVAL, "bad walltime '%s'", s);
 * On the wire an errno travels by name ("EPERM") with the text.
 */
#ifndef CORRAL_COMMON_ERROR_H
#define CORRAL_COMMON_ERROR_H

typedef struct {
	int code;       /* positive errno value, 0 when no error */
	char text[160]; /* human-readable message, truncated with "..." */
} corral_error_t;

/* Fill err (may be NULL) with code and a formatted message; return -code.
 * A message that does not fit is cut and ends in "...". */
int corral_errorf(corral_error_t *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Name of a positive errno value from the fixed wire list ("EPERM"); unknown
 * values map to "EIO". */
const char *corral_errno_name(int code);
/* Inverse of corral_errno_name; unknown names map to EIO. */
int corral_errno_from_name(const char *name);

#endif
