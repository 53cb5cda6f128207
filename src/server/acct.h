/* acct.h - the accounting log, in the PBS layout so PBS reporting tools
 * read it: $CORRAL_HOME/accounting/YYYYMMDD, one line per record
 *   MM/DD/YYYY HH:MM:SS;T;JOBID;key=value key=value ...
 * Records made during a loop iteration are written only after that
 * iteration's commit succeeded (acct_flush). */
#ifndef CORRAL_SERVER_ACCT_H
#define CORRAL_SERVER_ACCT_H

#include "src/server/server.h"

int acct_open(struct server *s);
void acct_close(struct server *s);
/* Queue a record: type is the PBS letter (Q S E D A R M a). */
void acct_record(struct server *s, char type, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Write (write=true) or drop the queued records. */
void acct_flush(struct server *s, bool write);

#endif
