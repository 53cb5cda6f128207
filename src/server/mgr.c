/* mgr.c - qmgr's create/delete/set/unset (op "mgr") and the stat ops for
 * the server, queues, nodes and sched objects (docs/protocol.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/common/buf.h"
#include "src/common/log.h"
#include "src/proto/msg.h"
#include "src/server/conn.h"
#include "src/server/handlers.h"
#include "src/server/job.h"
#include "src/server/node.h"
#include "src/server/sched.h"
#include "src/server/objects.h"
#include "src/server/txn.h"
#include "src/store/store.h"

void server_apply_limits(struct server *s); /* main.c */

static int unknown_pbs(enum obj_kind kind)
{
	switch (kind) {
	case OBJ_QUEUE:
		return PBSE_UNKQUE;
	case OBJ_NODE:
		return PBSE_UNKNODE;
	case OBJ_SCHED:
		return PBSE_UNKSCHED;
	default:
		return PBSE_IVALREQ;
	}
}

static const char *kind_title(enum obj_kind kind)
{
	static const char *t[] = {"Server", "Queue", "Node", "Sched"};
	return kind < OBJ_NKINDS ? t[kind] : "?";
}

static void stat_kind(struct conn *c, json_int_t id, json_t *msg, enum obj_kind kind,
		      const char *key)
{
	struct server *s = c->srv;
	json_t *names = json_object_get(msg, "names");
	json_t *list = json_array(), *errors = json_array();
	if (names && !json_is_array(names)) {
		json_decref(list);
		json_decref(errors);
		conn_reply_err(c, id, EINVAL, PBSE_IVALREQ, "\"names\" must be an array");
		return;
	}
	if (names && json_array_size(names) > 0) {
		size_t i;
		json_t *n;
		json_array_foreach(names, i, n)
		{
			const char *name = json_string_value(n);
			struct obj *o = name ? obj_find(s, kind, name) : NULL;
			if (o)
				json_array_append_new(list, json_pack("{s:s,s:o}", "name", o->name,
								      "attrs",
								      obj_stat_attrs(s, o)));
			else
				json_array_append_new(
					errors,
					json_pack("{s:s,s:o}", "name", name ? name : "?", "error",
						  corral_msg_errobj(ENOENT, unknown_pbs(kind),
								    "Unknown %s %s",
								    obj_kind_name(kind),
								    name ? name : "?")));
		}
	} else {
		for (struct obj *o = s->objs[kind]; o; o = o->next)
			json_array_append_new(list, json_pack("{s:s,s:o}", "name", o->name, "attrs",
							      obj_stat_attrs(s, o)));
	}
	json_t *rep = corral_msg_ok(id);
	json_object_set_new(rep, key, list);
	json_object_set_new(rep, "errors", errors);
	conn_reply(c, rep, false);
}

void h_server_stat(struct conn *c, json_int_t id, json_t *msg)
{
	(void)msg;
	json_t *rep = corral_msg_ok(id);
	json_object_set_new(rep, "server",
			    json_pack("{s:s,s:o}", "name", c->srv->name, "attrs",
				      obj_stat_attrs(c->srv, &c->srv->srv)));
	conn_reply(c, rep, false);
}

void h_queue_stat(struct conn *c, json_int_t id, json_t *msg)
{
	stat_kind(c, id, msg, OBJ_QUEUE, "queues");
}

void h_node_stat(struct conn *c, json_int_t id, json_t *msg)
{
	stat_kind(c, id, msg, OBJ_NODE, "nodes");
}

void h_sched_stat(struct conn *c, json_int_t id, json_t *msg)
{
	stat_kind(c, id, msg, OBJ_SCHED, "scheds");
}

/* ---- mgr ------------------------------------------------------------ */

enum mgr_cmd { CMD_CREATE, CMD_DELETE, CMD_SET, CMD_UNSET };

static const struct attrdef *default_def(enum obj_kind kind, const char *name)
{
	return obj_attrdef(kind, name);
}

/* Apply the attribute list to a copy of o's attributes; on success the
 * copy replaces them.  Returns 0 or -errno with err/pbs. */
static int apply_attrs(struct conn *c, enum obj_kind kind, struct obj *o, enum mgr_cmd cmd,
		       json_t *attrs, int *pbs, corral_error_t *err)
{
	struct server *s = c->srv;
	struct kv work = {0};
	enum role role = conn_role(c);
	kv_copy(&work, &o->attrs);
	size_t i;
	json_t *a;
	int rc = 0;
	json_array_foreach(attrs, i, a)
	{
		const char *name = json_string_value(json_object_get(a, "name"));
		const char *op = json_string_value(json_object_get(a, "op"));
		const char *value = json_string_value(json_object_get(a, "value"));
		if (!name) {
			*pbs = PBSE_IVALREQ;
			rc = corral_errorf(err, EINVAL, "an attribute needs a \"name\"");
			goto out;
		}
		const struct attrdef *d = default_def(kind, name);
		if (!d) {
			*pbs = PBSE_NOATTR;
			rc = corral_errorf(err, EINVAL, "Unknown attribute %s for %s %s", name,
					   obj_kind_name(kind), o->name);
			goto out;
		}
		if ((d->flags & AF_RO) && role < ROLE_SERVICE) {
			*pbs = PBSE_ATTRRO;
			rc = corral_errorf(err, EPERM, "Cannot set attribute, read only: %s", name);
			goto out;
		}
		if (role < ROLE_MANAGER && !((d->flags & AF_OPER) && role >= ROLE_OPERATOR)) {
			*pbs = PBSE_PERM;
			rc = corral_errorf(err, EPERM,
					   "Unauthorized Request: setting %s of a %s needs %s "
					   "privilege",
					   name, obj_kind_name(kind),
					   (d->flags & AF_OPER) ? "operator or manager" : "manager");
			goto out;
		}
		if (kind == OBJ_SCHED && strcmp(o->name, "default") == 0 &&
		    (!strcmp(name, "partition") || !strcmp(name, "sched_priv") ||
		     !strcmp(name, "sched_log"))) {
			*pbs = PBSE_SCHED_OP_NOT_PERMITTED;
			rc = corral_errorf(err, EPERM,
					   "Operation is not permitted on default scheduler: %s",
					   name);
			goto out;
		}
		if (cmd == CMD_UNSET) {
			if (d->dflt && !(d->flags & AF_PREFIX))
				kv_set(&work, name, d->dflt);
			else
				kv_set(&work, name, NULL);
			continue;
		}
		char opc = op && !strcmp(op, "+=") ? '+' : op && !strcmp(op, "-=") ? '-' : '=';
		if (op && opc == '=' && strcmp(op, "=") != 0) {
			*pbs = PBSE_IVALREQ;
			rc = corral_errorf(err, EINVAL, "unknown operator '%s' (=, += or -=)", op);
			goto out;
		}
		char *canon = NULL;
		if ((rc = obj_check_value(kind, name, opc, value, kv_get(&work, name), &canon, pbs,
					  err)) < 0)
			goto out;
		if (kind == OBJ_SERVER && !strcmp(name, "default_queue") &&
		    !obj_find(s, OBJ_QUEUE, canon)) {
			*pbs = PBSE_UNKQUE;
			rc = corral_errorf(err, ENOENT, "Unknown queue %s", canon);
			free(canon);
			goto out;
		}
		if (kind == OBJ_SERVER && !strcmp(name, "max_job_sequence_id")) {
			long v = atol(canon);
			if (v < 9999999 || v > 999999999999L) {
				*pbs = PBSE_ATVALERANGE;
				rc = corral_errorf(err, ERANGE,
						   "max_job_sequence_id must be between 9999999 and "
						   "999999999999");
				free(canon);
				goto out;
			}
		}
		if (kind == OBJ_SCHED && !strcmp(name, "partition")) {
			/* A partition belongs to one sched at most. */
			char *list = xstrdup(canon), *save = NULL;
			for (char *p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
				for (struct obj *other = s->objs[OBJ_SCHED]; other;
				     other = other->next) {
					if (other == o ||
					    !list_has(kv_get(&other->attrs, "partition"), p))
						continue;
					*pbs = PBSE_SCHED_PARTITION_ALREADY_EXISTS;
					rc = corral_errorf(err, EBUSY,
							   "Partition %s already belongs to sched %s",
							   p, other->name);
					free(list);
					free(canon);
					goto out;
				}
			}
			free(list);
		}
		/* An empty list or admin state means "unset". */
		kv_set(&work, name, *canon || d->type == A_STR ? canon : NULL);
		if (d->type == A_NSTATE && !*canon)
			kv_set(&work, name, NULL);
		free(canon);
	}
	kv_clear(&o->attrs);
	o->attrs = work;
	return 0;
out:
	kv_clear(&work);
	return rc;
}

static bool names_attr(json_t *attrs, const char *name)
{
	size_t i;
	json_t *a;
	json_array_foreach(attrs, i, a)
	{
		const char *n = json_string_value(json_object_get(a, "name"));
		if (n && !strcmp(n, name))
			return true;
	}
	return false;
}

/* A queue or node changed partition: its jobs follow the queue (their
 * partition attribute), and every scheduler starts over from a snapshot,
 * since objects moved between mirrors. */
static void partition_moved(struct server *s, struct obj *o)
{
	if (o->kind == OBJ_QUEUE) {
		const char *p = kv_get(&o->attrs, "partition");
		for (struct job *j = job_first(s); j; j = j->next) {
			if (j->queue != o || j->state == 'F')
				continue;
			kv_set(&j->attrs, "partition", p && *p ? p : NULL);
			job_save(s, j);
		}
	}
	sched_resnapshot_all(s);
}

static json_t *mgr_one(struct conn *c, enum mgr_cmd cmd, enum obj_kind kind, const char *name,
		       json_t *attrs, bool force)
{
	struct server *s = c->srv;
	corral_error_t err = {0};
	int pbs = 0, rc = 0;
	enum role role = conn_role(c);
	struct obj *o = NULL;
	json_t *r = json_pack("{s:s}", "name", name);

	if ((cmd == CMD_SET || cmd == CMD_UNSET) && role < ROLE_OPERATOR) {
		/* Even with no attributes: a user changes no object. */
		pbs = PBSE_PERM;
		rc = corral_errorf(&err, EPERM,
				   "Unauthorized Request: %s %s needs operator or manager privilege",
				   cmd == CMD_SET ? "set" : "unset", obj_kind_name(kind));
		goto done;
	}
	if ((cmd == CMD_CREATE || cmd == CMD_DELETE) && role < ROLE_MANAGER) {
		pbs = PBSE_PERM;
		rc = corral_errorf(&err, EPERM, "Unauthorized Request: %s %s needs manager privilege",
				   cmd == CMD_CREATE ? "create" : "delete", obj_kind_name(kind));
		goto done;
	}
	if (kind == OBJ_SERVER && (cmd == CMD_CREATE || cmd == CMD_DELETE)) {
		pbs = PBSE_IVALREQ;
		rc = corral_errorf(&err, EINVAL, "the server cannot be created or deleted");
		goto done;
	}
	if (cmd == CMD_CREATE) {
		if (!obj_name_ok(name)) {
			pbs = PBSE_IVAL_OBJ_NAME;
			rc = corral_errorf(&err, EINVAL,
					   "Illegal %s name '%.64s': letters, digits, _ - . only, at "
					   "most 64",
					   obj_kind_name(kind), name);
			goto done;
		}
		if (obj_find(s, kind, name)) {
			pbs = kind == OBJ_QUEUE ? PBSE_QUEEXIST
			      : kind == OBJ_NODE ? PBSE_NODEEXIST
						 : PBSE_SCHEDEXIST;
			rc = corral_errorf(&err, EEXIST, "%s %s already exists", kind_title(kind),
					   name);
			goto done;
		}
		o = obj_create(s, kind, name);
		if ((rc = apply_attrs(c, kind, o, CMD_SET, attrs, &pbs, &err)) < 0) {
			obj_remove(s, o);
			goto done;
		}
		rc = obj_save(s, o);
		if (kind == OBJ_SCHED)
			sched_obj_created(s, o);
		else if (kind == OBJ_QUEUE)
			sched_queue_changed(s, o);
		else if (kind == OBJ_NODE)
			sched_node_changed(s, o);
		sched_trigger_all(s, "qmgr");
		goto done;
	}
	o = obj_find(s, kind, name);
	if (!o) {
		pbs = unknown_pbs(kind);
		rc = corral_errorf(&err, ENOENT, "Unknown %s %s", obj_kind_name(kind), name);
		goto done;
	}
	if (cmd == CMD_DELETE) {
		if (kind == OBJ_SCHED && strcmp(name, "default") == 0) {
			pbs = PBSE_SCHED_NO_DEL;
			rc = corral_errorf(&err, EPERM, "sched default cannot be deleted");
			goto done;
		}
		if (kind == OBJ_SCHED && !force) {
			/* Not while its partitions hold unfinished jobs (say which). */
			char list[96] = "";
			int n = 0;
			for (struct job *j = job_first(s); j; j = j->next) {
				if (j->state == 'F' || sched_of_queue(s, j->queue) != o)
					continue;
				if (n++ < 4) {
					char idb[40];
					snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
						 n > 1 ? " " : "", job_id(s, j, idb, sizeof idb));
				}
			}
			if (n > 0) {
				pbs = PBSE_QUEBUSY;
				rc = corral_errorf(&err, EBUSY,
						   "sched %s still has %d unfinished jobs in its "
						   "partitions (%s%s); use qmgr -f to delete it anyway",
						   name, n, list, n > 4 ? " ..." : "");
				goto done;
			}
		}
		if (kind == OBJ_NODE && node_can_delete(s, o) < 0) {
			pbs = PBSE_QUEBUSY;
			rc = corral_errorf(&err, EBUSY, "Node %s has running jobs", name);
			goto done;
		}
		if (kind == OBJ_QUEUE && o->total > 0) {
			pbs = PBSE_QUEBUSY;
			rc = corral_errorf(&err, EBUSY, "Queue %s is not empty: it has %d jobs", name,
					   o->total);
			goto done;
		}
		if ((rc = txn_begin(s)) < 0)
			goto done;
		if (kind == OBJ_SCHED)
			sched_obj_deleting(s, o);
		if (kind == OBJ_QUEUE)
			sched_queue_changed(s, o);
		rc = store_obj_del(s->store, obj_kind_name(kind), name);
		txn_touch_obj(s, kind, name);
		if (kind == OBJ_QUEUE) /* finished jobs keep the name, not a pointer */
			for (struct job *j = job_first(s); j; j = j->next)
				if (j->queue == o) {
					o->counts[state_slot(j->state)]--;
					j->queue = NULL;
				}
		obj_remove(s, o);
		goto done;
	}
	if ((rc = apply_attrs(c, kind, o, cmd, attrs, &pbs, &err)) < 0)
		goto done;
	/* The server's scheduling and the default sched's are one switch. */
	if (kind == OBJ_SERVER || (kind == OBJ_SCHED && !strcmp(o->name, "default"))) {
		struct obj *other = kind == OBJ_SERVER ? obj_find(s, OBJ_SCHED, "default") : &s->srv;
		const char *v = kv_get(&o->attrs, "scheduling");
		const char *ov = other ? kv_get(&other->attrs, "scheduling") : NULL;
		if (other && v && (!ov || strcmp(v, ov) != 0)) {
			kv_set(&other->attrs, "scheduling", v);
			obj_save(s, other);
		}
	}
	rc = obj_save(s, o);
	if (kind == OBJ_SERVER) {
		server_apply_limits(s);
		sched_server_changed(s);
		struct obj *d = obj_find(s, OBJ_SCHED, "default");
		if (d)
			sched_obj_changed(s, d, false);
	}
	if (kind == OBJ_NODE) {
		node_refresh(o);
		sched_node_changed(s, o);
	}
	if (kind == OBJ_QUEUE)
		sched_queue_changed(s, o);
	if (kind == OBJ_SCHED)
		sched_obj_changed(s, o, names_attr(attrs, "partition"));
	if ((kind == OBJ_QUEUE || kind == OBJ_NODE) && names_attr(attrs, "partition"))
		partition_moved(s, o);
	sched_trigger_all(s, "qmgr");
done:
	if (rc < 0 && !err.code)
		corral_errorf(&err, -rc, "cannot save: %s", store_errmsg(s->store));
	json_object_set_new(r, "ok", json_boolean(rc == 0));
	if (rc < 0)
		json_object_set_new(r, "error", corral_msg_errobj(err.code, pbs, "%s", err.text));
	return r;
}

void h_mgr(struct conn *c, json_int_t id, json_t *msg)
{
	static const char *cmds[] = {"create", "delete", "set", "unset"};
	const char *cmd = json_string_value(json_object_get(msg, "cmd"));
	const char *type = json_string_value(json_object_get(msg, "type"));
	json_t *names = json_object_get(msg, "names");
	json_t *attrs = json_object_get(msg, "attrs");
	bool force = json_is_true(json_object_get(msg, "force"));
	int ci = -1, ki = -1;
	for (int i = 0; cmd && i < 4; i++)
		if (strcmp(cmd, cmds[i]) == 0)
			ci = i;
	for (int k = 0; type && k < OBJ_NKINDS; k++)
		if (strcmp(type, obj_kind_name(k)) == 0)
			ki = k;
	if (ci < 0 || ki < 0) {
		conn_reply_err(c, id, EINVAL, PBSE_IVALREQ,
			       "mgr needs \"cmd\" (create, delete, set, unset) and \"type\" "
			       "(server, queue, node, sched)");
		return;
	}
	if ((names && !json_is_array(names)) || (attrs && !json_is_array(attrs))) {
		conn_reply_err(c, id, EINVAL, PBSE_IVALREQ, "\"names\" and \"attrs\" must be arrays");
		return;
	}
	json_t *empty = json_array();
	if (!attrs)
		attrs = empty;
	json_t *results = json_array();
	if (ki == OBJ_SERVER) {
		json_array_append_new(results, mgr_one(c, ci, ki, c->srv->name, attrs, force));
	} else if (!names || json_array_size(names) == 0) {
		if (ci == CMD_SET || ci == CMD_UNSET) { /* all objects of the kind */
			for (struct obj *o = c->srv->objs[ki]; o; o = o->next)
				json_array_append_new(results, mgr_one(c, ci, ki, o->name, attrs, force));
		} else {
			json_decref(results);
			json_decref(empty);
			conn_reply_err(c, id, EINVAL, PBSE_IVALREQ, "%s %s needs a name", cmd, type);
			return;
		}
	} else {
		size_t i;
		json_t *n;
		json_array_foreach(names, i, n)
		{
			const char *name = json_string_value(n);
			if (!name) {
				json_array_append_new(
					results,
					json_pack("{s:s,s:b,s:o}", "name", "?", "ok", 0, "error",
						  corral_msg_errobj(EINVAL, PBSE_IVALREQ,
								    "names must be strings")));
				continue;
			}
			json_array_append_new(results, mgr_one(c, ci, ki, name, attrs, force));
		}
	}
	json_decref(empty);
	json_t *rep = corral_msg_ok(id);
	json_object_set_new(rep, "results", results);
	conn_reply(c, rep, true);
}
