/* client.h - libcorral: the C client API used by every command and by the
 * scheduler and node daemons' tests.
 *
 * A corral_conn_t is one blocking connection to corral-server.  Requests
 * may be pipelined: corral_send() any number, then corral_recv() replies
 * as they come (each carries the id corral_send() returned).  corral_call()
 * is send + wait for that id.  Messages pushed by the server (no "id")
 * that arrive while corral_call() waits are kept for corral_recv().
 *
 * All functions returning int give 0 (or a count/id) or -errno, with err
 * filled when given.
 */
#ifndef CORRAL_CLIENT_CLIENT_H
#define CORRAL_CLIENT_CLIENT_H

#include <jansson.h>
#include <stdbool.h>

#include "src/common/error.h"

typedef struct corral_conn corral_conn_t;

/* Connect over the Unix socket $CORRAL_HOME/run/server.sock (home NULL:
 * corral_home()) and exchange hello.  client names the program ("qsub"). */
corral_conn_t *corral_connect(const char *home, const char *client, corral_error_t *err);
/* Connect over TCP to host:port, exchange hello, then authenticate with
 * the cluster key file (keyfile NULL: no auth, the connection can only say
 * hello).  The server's own proof is checked too. */
corral_conn_t *corral_connect_tcp(const char *host, int port, const char *keyfile,
				  const char *client, corral_error_t *err);
/* Close and free; accepts NULL. */
void corral_close(corral_conn_t *c);

/* Send req (not stolen) after setting its "id"; returns the id (> 0). */
long long corral_send(corral_conn_t *c, json_t *req, corral_error_t *err);
/* Write out everything buffered by corral_send_buffered(). */
int corral_flush(corral_conn_t *c, corral_error_t *err);
/* As corral_send, but only buffers the frame (for pipelining bursts). */
long long corral_send_buffered(corral_conn_t *c, json_t *req, corral_error_t *err);
/* Next message (reply or push).  timeout_ms < 0 waits for ever.  NULL on
 * EOF (-ENOTCONN), timeout (-ETIMEDOUT) or protocol error. */
json_t *corral_recv(corral_conn_t *c, int timeout_ms, corral_error_t *err);
/* Send req and wait for its reply, which is returned even when "ok" is
 * false.  NULL only on transport failure. */
json_t *corral_call(corral_conn_t *c, json_t *req, corral_error_t *err);
/* As corral_call, but a reply with "ok": false is turned into NULL with
 * err filled; *pbs_errno (may be NULL) gets its PBS error number. */
json_t *corral_rpc(corral_conn_t *c, json_t *req, corral_error_t *err, int *pbs_errno);

/* Raw variants for very large replies: send req and return the reply's
 * JSON text unparsed (*text malloc'ed, not NUL-terminated beyond *len...
 * it is NUL-terminated for convenience), skipping pushed messages.  The
 * caller parses what it needs.  0 or -errno. */
int corral_call_raw(corral_conn_t *c, json_t *req, char **text, size_t *len, corral_error_t *err);
/* The next reply to request id, unparsed, as corral_call_raw (a streamed
 * reply comes in several frames with the same id). */
int corral_read_raw(corral_conn_t *c, long long id, char **text, size_t *len,
		    corral_error_t *err);

const char *corral_conn_server_name(const corral_conn_t *c);
const char *corral_conn_user(const corral_conn_t *c);
const char *corral_conn_role(const corral_conn_t *c);
int corral_conn_fd(const corral_conn_t *c);

/* Path of the server's Unix socket under home (NULL: corral_home()). */
char *corral_socket_path(const char *home);

#endif
