/* dispatch.c - see dispatch.h.  Also the hello and auth handlers, which
 * act on the connection itself. */
#include "src/server/dispatch.h"

#include <errno.h>
#include <string.h>

#include "src/common/log.h"
#include "src/common/util.h"
#include "src/proto/frame.h"
#include "src/proto/msg.h"
#include "src/server/conn.h"
#include "src/server/handlers.h"
#include "src/server/node.h"
#include "src/server/sched.h"

enum op_flags {
	F_PRE_HELLO = 1 << 0, /* allowed before hello */
	F_PRE_AUTH = 1 << 1,  /* allowed on TCP before auth */
};

struct op {
	const char *name;
	handler_fn fn;
	enum role min_role;
	unsigned flags;
};

static void h_hello(struct conn *c, json_int_t id, json_t *msg);
static void h_auth(struct conn *c, json_int_t id, json_t *msg);

static const struct op ops[] = {
	{"hello", h_hello, ROLE_NONE, F_PRE_HELLO | F_PRE_AUTH},
	{"auth", h_auth, ROLE_NONE, F_PRE_AUTH},
	{"job.submit", h_job_submit, ROLE_USER, 0},
	{"job.stat", h_job_stat, ROLE_USER, 0},
	{"job.delete", h_job_delete, ROLE_USER, 0},
	{"job.hold", h_job_hold, ROLE_USER, 0},
	{"job.release", h_job_release, ROLE_USER, 0},
	{"job.alter", h_job_alter, ROLE_USER, 0},
	{"job.move", h_job_move, ROLE_USER, 0},
	{"job.signal", h_job_signal, ROLE_USER, 0},
	{"job.rerun", h_job_rerun, ROLE_OPERATOR, 0},
	{"server.stat", h_server_stat, ROLE_USER, 0},
	{"queue.stat", h_queue_stat, ROLE_USER, 0},
	{"node.stat", h_node_stat, ROLE_USER, 0},
	{"sched.stat", h_sched_stat, ROLE_USER, 0},
	{"mgr", h_mgr, ROLE_USER, 0}, /* finer checks per attribute in mgr.c */
	{"server.shutdown", h_server_shutdown, ROLE_MANAGER, 0},
	{"job.run", h_job_run, ROLE_OPERATOR, 0},
	{"node.register", h_node_register, ROLE_SERVICE, 0},
	{"node.heartbeat", h_node_heartbeat, ROLE_SERVICE, 0},
	{"node.job_events", h_node_job_events, ROLE_SERVICE, 0},
	{"sched.register", h_sched_register, ROLE_SERVICE, 0},
	{"sched.run", h_sched_run, ROLE_SERVICE, 0},
	{"sched.cycle_end", h_sched_cycle_end, ROLE_SERVICE, 0},
};

const char *role_name(enum role r)
{
	static const char *names[] = {"none", "user", "operator", "manager", "service"};
	return r <= ROLE_SERVICE ? names[r] : "?";
}

/* Is user@host (or user@*) in the comma-separated list?  (Also the queue
 * ACLs of jobops.c.) */
bool dispatch_in_acl(const char *list, const char *user)
{
	if (!list)
		return false;
	size_t ul = strlen(user);
	const char *host = corral_hostname();
	for (const char *p = list; *p;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		while (n && *p == ' ')
			p++, n--;
		if (n > ul && strncmp(p, user, ul) == 0 && p[ul] == '@') {
			const char *h = p + ul + 1;
			size_t hl = n - ul - 1;
			if ((hl == 1 && *h == '*') || (hl == strlen(host) && !strncmp(h, host, hl)) ||
			    (hl > strlen(host) && !strncmp(h, host, strlen(host)) &&
			     h[strlen(host)] == '.'))
				return true;
		} else if (n == ul && strncmp(p, user, ul) == 0) {
			return true;
		}
		if (!e)
			break;
		p = e + 1;
	}
	return false;
}

enum role dispatch_role_of(struct server *s, const char *user, uid_t uid)
{
	if (uid == 0 || uid == s->uid || dispatch_in_acl(srv_attr(s, "managers"), user))
		return ROLE_MANAGER;
	if (dispatch_in_acl(srv_attr(s, "operators"), user))
		return ROLE_OPERATOR;
	return ROLE_USER;
}

enum role conn_role(struct conn *c)
{
	if (c->is_tcp)
		return c->role;
	return dispatch_role_of(c->srv, c->user, c->uid);
}

void dispatch(struct conn *c, json_t *msg)
{
	json_t *jid = json_object_get(msg, "id");
	json_int_t id = json_is_integer(jid) ? json_integer_value(jid) : 0;
	const char *opname = json_string_value(json_object_get(msg, "op"));
	if (!json_is_integer(jid) || id <= 0) {
		conn_reply_err(c, 0, EPROTO, PBSE_PROTOCOL,
			       "a request needs a positive integer \"id\"");
		return;
	}
	if (!opname) {
		conn_reply_err(c, id, EPROTO, PBSE_PROTOCOL, "a request needs a string \"op\"");
		return;
	}
	const struct op *op = NULL;
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (strcmp(ops[i].name, opname) == 0) {
			op = &ops[i];
			break;
		}
	if (!op) {
		conn_reply_err(c, id, ENOSYS, PBSE_UNKREQ, "unknown op '%.64s'", opname);
		return;
	}
	if (!c->hello_done && !(op->flags & F_PRE_HELLO)) {
		conn_reply_err(c, id, EPROTO, PBSE_PROTOCOL, "send hello first");
		return;
	}
	if (c->is_tcp && c->role == ROLE_NONE && !(op->flags & F_PRE_AUTH)) {
		conn_reply_err(c, id, EPERM, PBSE_PERM,
			       "TCP connections must authenticate with the cluster key first "
			       "(user commands use the local Unix socket)");
		return;
	}
	enum role r = conn_role(c);
	if (r < op->min_role) {
		conn_reply_err(c, id, EPERM, PBSE_PERM, "%s requires the %s role (you are %s)",
			       opname, role_name(op->min_role), role_name(r));
		return;
	}
	op->fn(c, id, msg);
}

static void h_hello(struct conn *c, json_int_t id, json_t *msg)
{
	json_int_t version = json_integer_value(json_object_get(msg, "version"));
	const char *client = json_string_value(json_object_get(msg, "client"));
	if (version != CORRAL_PROTO_VERSION) {
		conn_reply_err(c, id, ENOTSUP, PBSE_PROTOCOL,
			       "protocol version %lld is not supported (this server speaks %d)",
			       (long long)version, CORRAL_PROTO_VERSION);
		return;
	}
	if (c->hello_done) {
		conn_reply_err(c, id, EALREADY, PBSE_PROTOCOL, "hello was already exchanged");
		return;
	}
	snprintf(c->client, sizeof c->client, "%s", client ? client : "?");
	c->hello_done = true;
	corral_auth_nonce(c->nonce);
	json_t *rep = corral_msg_ok(id);
	json_object_set_new(rep, "version", json_integer(CORRAL_PROTO_VERSION));
	json_object_set_new(rep, "server_name", json_string(c->srv->name));
	json_object_set_new(rep, "nonce", json_string(c->nonce));
	if (!c->is_tcp)
		json_object_set_new(rep, "user", json_string(c->user));
	json_object_set_new(rep, "role", json_string(role_name(conn_role(c))));
	conn_reply(c, rep, false);
}

static void h_auth(struct conn *c, json_int_t id, json_t *msg)
{
	const char *cnonce = json_string_value(json_object_get(msg, "cnonce"));
	const char *mac = json_string_value(json_object_get(msg, "mac"));
	if (!c->is_tcp) {
		conn_reply_err(c, id, EINVAL, PBSE_IVALREQ,
			       "auth is for TCP peers; Unix peers are known by their uid");
		return;
	}
	if (c->role != ROLE_NONE) {
		conn_reply_err(c, id, EALREADY, PBSE_IVALREQ, "already authenticated");
		return;
	}
	if (!cnonce || strlen(cnonce) != 64 || !mac ||
	    corral_auth_verify(c->srv->key, CORRAL_AUTH_CLIENT, c->nonce, cnonce, mac) < 0) {
		corral_log(LOG_WARNING, "auth", "%s (%s): cluster key authentication failed",
			   c->peer, c->client);
		conn_reply_err(c, id, EACCES, PBSE_BADCRED,
			       "authentication failed: wrong cluster key");
		c->hello_done = false; /* nothing more is accepted */
		c->nonce[0] = '\0';
		conn_close_after_flush(c);
		return;
	}
	char smac[CORRAL_HEX_LEN];
	corral_auth_mac(c->srv->key, CORRAL_AUTH_SERVER, c->nonce, cnonce, smac);
	c->nonce[0] = '\0'; /* single use */
	c->role = ROLE_SERVICE;
	corral_log(LOG_INFO, "auth", "%s (%s) authenticated as a service peer", c->peer, c->client);
	json_t *rep = corral_msg_ok(id);
	json_object_set_new(rep, "role", json_string("service"));
	json_object_set_new(rep, "mac", json_string(smac));
	conn_reply(c, rep, false);
}
