/* dispatch.h - the op table of corral-server.
 *
 * dispatch() runs the generic checks every request gets (an id, an op
 * string, hello first, authentication over TCP, the minimum role), then
 * calls the op's handler, which replies exactly once with conn_reply().
 */
#ifndef CORRAL_SERVER_DISPATCH_H
#define CORRAL_SERVER_DISPATCH_H

#include <jansson.h>

#include "src/server/server.h"

struct conn;

typedef void (*handler_fn)(struct conn *c, json_int_t id, json_t *msg);

/* Handle one decoded message from c (borrowed). */
void dispatch(struct conn *c, json_t *msg);
/* Role of a local user: manager (root, our uid, "managers"), operator
 * ("operators") or user. */
enum role dispatch_role_of(struct server *s, const char *user, uid_t uid);
/* Is user@host (or user@*) in the comma-separated list? */
bool dispatch_in_acl(const char *list, const char *user);
/* Effective role of a connection now (re-evaluated: managers may change). */
enum role conn_role(struct conn *c);

#endif
