/* jobops.c - the job.* request handlers: submit, stat, delete, hold,
 * release, alter, move, signal, rerun (docs/protocol.md, "Jobs"). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/common/buf.h"
#include "src/common/log.h"
#include "src/common/util.h"
#include "src/proto/msg.h"
#include "src/server/acct.h"
#include "src/server/conn.h"
#include "src/server/handlers.h"
#include "src/server/job.h"
#include "src/sched/expr.h"
#include "src/server/node.h"
#include "src/server/sched.h"
#include "src/server/jobres.h"
#include "src/server/objects.h"
#include "src/server/txn.h"
#include "src/store/store.h"

#define RL "Resource_List."

/* ---- attributes a client may give -------------------------------- */

enum { SET_SUBMIT = 1, SET_ALTER = 2 };

static const struct {
	const char *name;
	unsigned when;
} settable[] = {
	{"Job_Name", SET_SUBMIT | SET_ALTER},
	{"queue", SET_SUBMIT},
	{"Output_Path", SET_SUBMIT | SET_ALTER},
	{"Error_Path", SET_SUBMIT | SET_ALTER},
	{"Join_Path", SET_SUBMIT | SET_ALTER},
	{"Keep_Files", SET_SUBMIT | SET_ALTER},
	{"Variable_List", SET_SUBMIT},
	{"Hold_Types", SET_SUBMIT | SET_ALTER},
	{"Priority", SET_SUBMIT | SET_ALTER},
	{"Execution_Time", SET_SUBMIT | SET_ALTER},
	{"Rerunable", SET_SUBMIT | SET_ALTER},
	{"Mail_Points", SET_SUBMIT | SET_ALTER},
	{"Mail_Users", SET_SUBMIT | SET_ALTER},
	{"Shell_Path_List", SET_SUBMIT | SET_ALTER},
	{"Account_Name", SET_SUBMIT | SET_ALTER},
	{"project", SET_SUBMIT | SET_ALTER},
	{"Checkpoint", SET_SUBMIT | SET_ALTER},
	{"Submit_arguments", SET_SUBMIT},
	{"Submit_Host", SET_SUBMIT},
	{"group_list", SET_SUBMIT | SET_ALTER},
	{"umask", SET_SUBMIT | SET_ALTER},
	{"sandbox", SET_SUBMIT | SET_ALTER},
	{"User_List", SET_SUBMIT | SET_ALTER},
	{"comment", SET_ALTER}, /* operators and managers only */
	{"requirements", SET_SUBMIT | SET_ALTER},
	{"rank", SET_SUBMIT | SET_ALTER},
};

static const char *not_yet[] = {"depend", "block", "array_indices_submitted", "interactive",
				"stagein", "stageout", "executable", "argument_list"};

/* Check one client-given attribute; 0, or -errno with err/pbs set.
 * owner: the job's owner (the caller at submission). */
static int check_attr(struct conn *c, const char *name, const char *value, unsigned when,
		      const char *owner, char **canon, int *pbs, corral_error_t *err)
{
	long l;
	*pbs = PBSE_BADATVAL;
	for (size_t i = 0; i < sizeof not_yet / sizeof not_yet[0]; i++)
		if (strcmp(name, not_yet[i]) == 0) {
			*pbs = PBSE_NOSUP;
			return corral_errorf(err, ENOTSUP, "%s is not supported yet", name);
		}
	if (strncmp(name, RL, strlen(RL)) == 0) {
		*canon = xstrdup(value); /* checked by jobres_prepare */
		return 0;
	}
	bool known = false;
	for (size_t i = 0; i < sizeof settable / sizeof settable[0]; i++)
		if (strcmp(name, settable[i].name) == 0) {
			if (!(settable[i].when & when)) {
				*pbs = PBSE_ATTRRO;
				return corral_errorf(err, EPERM, "%s cannot be %s", name,
						     when == SET_SUBMIT ? "given at submission"
									: "altered");
			}
			known = true;
		}
	if (!known) {
		/* Attributes the server owns are read-only, others unknown. */
		static const char *ro[] = {"Job_Owner", "euser", "egroup", "job_state", "substate",
					   "ctime", "mtime", "qtime", "etime", "stime", "server",
					   "queue_rank", "queue_type", "exec_host", "exec_vnode",
					   "Exit_status", "session_id", "run_count", "partition"};
		for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++)
			if (strcmp(name, ro[i]) == 0) {
				*pbs = PBSE_ATTRRO;
				return corral_errorf(err, EPERM,
						     "%s is set by the server and cannot be given",
						     name);
			}
		if (!strncmp(name, "estimated.", 10) || !strcmp(name, "accrue_type") ||
		    !strcmp(name, "eligible_time")) {
			*pbs = PBSE_ATTRRO;
			return corral_errorf(err, EPERM,
					     "%s is set by the scheduler (service role) only", name);
		}
		*pbs = PBSE_NOATTR;
		return corral_errorf(err, EINVAL, "Unknown attribute %s", name);
	}
	if (strchr(value, '\n') && strcmp(name, "Variable_List") != 0)
		return corral_errorf(err, EINVAL, "Illegal attribute value for %s: newline", name);
	if (!strcmp(name, "Job_Name")) {
		size_t n = strlen(value);
		if (n == 0 || n > 236)
			return corral_errorf(err, EINVAL,
					     "Illegal job name '%.40s': 1 to 236 characters", value);
		for (const char *p = value; *p; p++)
			if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
				return corral_errorf(err, EINVAL,
						     "Illegal job name '%.40s': no white space", value);
	} else if (!strcmp(name, "Priority")) {
		if (corral_parse_long(value, -1024, 1023, &l) < 0)
			return corral_errorf(err, EINVAL,
					     "Illegal attribute or resource value for Priority: '%s' "
					     "(-1024 to 1023)",
					     value);
		*canon = xasprintf("%ld", l);
		return 0;
	} else if (!strcmp(name, "Execution_Time")) {
		if (corral_parse_long(value, 0, 0x7fffffffffffL, &l) < 0)
			return corral_errorf(err, EINVAL, "Illegal Execution_Time '%s'", value);
	} else if (!strcmp(name, "Rerunable")) {
		int b = corral_parse_bool(value);
		if (b < 0)
			return corral_errorf(err, EINVAL, "Illegal value for Rerunable: '%s' (y or n)",
					     value);
		*canon = xstrdup(b ? "True" : "False");
		return 0;
	} else if (!strcmp(name, "Join_Path")) {
		if (strcmp(value, "oe") && strcmp(value, "eo") && strcmp(value, "n"))
			return corral_errorf(err, EINVAL,
					     "Illegal value for Join_Path: '%s' (oe, eo or n)", value);
	} else if (!strcmp(name, "Hold_Types")) {
		if (!*value || strspn(value, "uosn") != strlen(value))
			return corral_errorf(err, EINVAL,
					     "Illegal value for Hold_Types: '%s' (u, o, s or n)",
					     value);
		if ((strchr(value, 'o') || strchr(value, 's')) && conn_role(c) < ROLE_OPERATOR) {
			*pbs = PBSE_PERM;
			return corral_errorf(err, EPERM,
					     "only operators and managers may set o or s holds");
		}
	} else if (!strcmp(name, "Mail_Points")) {
		if (!*value || strspn(value, "abejn") != strlen(value))
			return corral_errorf(err, EINVAL,
					     "Illegal value for Mail_Points: '%s' (a, b, e, j or n)",
					     value);
	} else if (!strcmp(name, "Keep_Files")) {
		if (!*value || strspn(value, "oedn") != strlen(value))
			return corral_errorf(err, EINVAL,
					     "Illegal value for Keep_Files: '%s' (o, e, d or n)", value);
	} else if (!strcmp(name, "User_List")) {
		/* Nobody runs a job as somebody else, and nobody (not even a
		 * manager altering it) makes a job name another user. */
		const char *u = value;
		const char *at = strchr(u, '@');
		size_t ul = at ? (size_t)(at - u) : strlen(u);
		if (c->is_tcp || ul != strlen(owner) || strncmp(u, owner, ul) != 0) {
			*pbs = PBSE_PERM;
			return corral_errorf(err, EPERM,
					     "a job runs as its owner: User_List may only name %s",
					     owner);
		}
	} else if (!strcmp(name, "requirements") || !strcmp(name, "rank")) {
		/* Checked here so a bad expression is refused at submission,
		 * not found by the scheduler later. */
		corral_error_t perr = {0};
		struct sc_expr *e = sc_expr_parse(value, &perr);
		if (!e) {
			*pbs = PBSE_BADATVAL;
			return corral_errorf(err, EINVAL, "%s: %s", name, perr.text);
		}
		sc_expr_destroy(e);
	} else if (!strcmp(name, "comment")) {
		if (conn_role(c) < ROLE_OPERATOR) {
			*pbs = PBSE_PERM;
			return corral_errorf(err, EPERM,
					     "only operators and managers may set a job's comment");
		}
	}
	*canon = xstrdup(value);
	return 0;
}

static struct obj *find_queue(struct server *s, const char *name, int *pbs, corral_error_t *err,
			      bool submit)
{
	struct obj *q = obj_find(s, OBJ_QUEUE, name);
	if (!q) {
		*pbs = PBSE_UNKQUE;
		corral_errorf(err, ENOENT, "Unknown queue %s", name);
		return NULL;
	}
	const char *qt = kv_get(&q->attrs, "queue_type");
	if (qt && strcmp(qt, "Route") == 0) {
		*pbs = PBSE_NOSUP;
		corral_errorf(err, ENOTSUP, "routing queue %s: routing is not supported yet", name);
		return NULL;
	}
	if (submit) {
		const char *en = kv_get(&q->attrs, "enabled");
		if (!en || strcmp(en, "True") != 0) {
			*pbs = PBSE_QUNOENB;
			corral_errorf(err, EPERM, "Queue %s is not enabled", name);
			return NULL;
		}
	}
	return q;
}


/* A queue with acl_user_enable admits the jobs of the users in acl_users
 * only (entries as in managers: user, user@host, user@*). */
static int check_queue_acl(struct obj *q, const char *user, int *pbs, corral_error_t *err)
{
	const char *en = kv_get(&q->attrs, "acl_user_enable");
	if (!en || corral_parse_bool(en) != 1 ||
	    dispatch_in_acl(kv_get(&q->attrs, "acl_users"), user))
		return 0;
	*pbs = PBSE_PERM;
	return corral_errorf(err, EPERM,
			     "Unauthorized Request: user %s is not in acl_users of queue %s", user,
			     q->name);
}

/* The job-attribute order of qstat -f in PBS, with where each value comes
 * from when the client did not give it. */
enum dflt {
	D_NONE, D_NAME, D_OWNER, D_STATE, D_QUEUE, D_SERVER, D_CHECKPOINT, D_NOW, D_EPATH,
	D_OPATH, D_N, D_MAIL, D_ZERO, D_TRUE, D_SUBSTATE, D_EUSER, D_EGROUP, D_RANK, D_QTYPE,
	D_PROJECT, D_HOST, D_RESOURCES
};
static const struct {
	const char *name;
	enum dflt d;
} attr_order[] = {
	{"Job_Name", D_NAME},	     {"Job_Owner", D_OWNER},	    {"job_state", D_STATE},
	{"queue", D_QUEUE},	     {"server", D_SERVER},	    {"Account_Name", D_NONE},
	{"Checkpoint", D_CHECKPOINT}, {"ctime", D_NOW},		    {"Error_Path", D_EPATH},
	{"Hold_Types", D_N},	     {"Join_Path", D_N},	    {"Keep_Files", D_N},
	{"Mail_Points", D_MAIL},     {"Mail_Users", D_NONE},	    {"mtime", D_NOW},
	{"Output_Path", D_OPATH},    {"Priority", D_ZERO},	    {"qtime", D_NOW},
	{"Rerunable", D_TRUE},	     {NULL, D_RESOURCES},	    {"Shell_Path_List", D_NONE},
	{"substate", D_SUBSTATE},    {"Variable_List", D_NONE},	    {"euser", D_EUSER},
	{"egroup", D_EGROUP},	     {"queue_rank", D_RANK},	    {"queue_type", D_QTYPE},
	{"comment", D_NONE},	     {"etime", D_NOW},		    {"Execution_Time", D_NONE},
	{"Submit_arguments", D_NONE}, {"group_list", D_NONE},	    {"umask", D_NONE},
	{"sandbox", D_NONE},	     {"User_List", D_NONE},	    {"project", D_PROJECT},
	{"Submit_Host", D_HOST},     {"requirements", D_NONE},	    {"rank", D_NONE},
};

static int64_t take_seq(struct server *s)
{
	for (int64_t tries = 0; tries <= s->max_seq; tries++) {
		int64_t seq = s->next_seq;
		s->next_seq = seq >= s->max_seq ? 0 : seq + 1;
		if (!job_lookup(s, seq))
			return seq;
	}
	return -1;
}

static const char *var_get(const char *vlist, const char *name, char *buf, size_t n)
{
	size_t nl = strlen(name);
	for (const char *p = vlist; p && *p;) {
		if (strncmp(p, name, nl) == 0 && p[nl] == '=') {
			const char *v = p + nl + 1;
			size_t i = 0;
			while (*v && i + 1 < n) {
				if (*v == '\\' && v[1]) {
					v++;
				} else if (*v == ',') {
					break;
				}
				buf[i++] = *v++;
			}
			buf[i] = '\0';
			return buf;
		}
		/* skip to the next unescaped comma */
		while (*p && *p != ',') {
			if (*p == '\\' && p[1])
				p++;
			p++;
		}
		if (*p == ',')
			p++;
	}
	return NULL;
}

/* Build, check and store one job.  Returns the job or NULL with errobj. */
static struct job *submit_one(struct conn *c, json_t *item, json_t **errobj)
{
	struct server *s = c->srv;
	corral_error_t err = {0};
	int pbs = 0;
	json_t *attrs = json_object_get(item, "attrs");
	json_t *jscript = json_object_get(item, "script");
	struct kv in = {0}, req = {0};
	struct job *j = NULL;
	char tmp[4096], idbuf[64];
	time_t now = time(NULL);

	if (!json_is_object(item) || (attrs && !json_is_object(attrs)) || !json_is_string(jscript)) {
		*errobj = corral_msg_errobj(EINVAL, PBSE_IVALREQ,
					    "a job needs \"attrs\" (object) and \"script\" (string)");
		return NULL;
	}
	const char *k;
	json_t *v;
	json_object_foreach(attrs, k, v)
	{
		char *canon = NULL;
		if (!json_is_string(v)) {
			corral_errorf(&err, EINVAL, "attribute %s: value must be a string", k);
			pbs = PBSE_BADATVAL;
			goto fail;
		}
		if (check_attr(c, k, json_string_value(v), SET_SUBMIT, c->user, &canon, &pbs,
			       &err) < 0)
			goto fail;
		if (strncmp(k, RL, strlen(RL)) == 0)
			kv_set(&req, k, canon);
		else
			kv_set(&in, k, canon);
		free(canon);
	}
	if (json_string_length(jscript) == 0) {
		corral_errorf(&err, EINVAL, "the job script is empty");
		pbs = PBSE_BADSCRIPT;
		goto fail;
	}

	const char *qname = kv_get(&in, "queue");
	if (!qname || !*qname)
		qname = srv_attr(s, "default_queue");
	if (!qname) {
		corral_errorf(&err, EINVAL, "no queue given and the server has no default_queue");
		pbs = PBSE_QUENODFLT;
		goto fail;
	}
	struct obj *q = find_queue(s, qname, &pbs, &err, true);
	if (!q || check_queue_acl(q, c->user, &pbs, &err) < 0)
		goto fail;
	if (jobres_prepare(s, q, &req, &pbs, &err) < 0)
		goto fail;
	/* PBS adds the queue the job was submitted to.  (Changes 'in':
	 * take no pointers into it before this.) */
	if (!kv_get(&in, "Variable_List") || !strstr(kv_get(&in, "Variable_List"), "PBS_O_QUEUE=")) {
		const char *ov = kv_get(&in, "Variable_List");
		char *nv = xasprintf("%s%sPBS_O_QUEUE=%s", ov ? ov : "", ov && *ov ? "," : "", q->name);
		kv_set(&in, "Variable_List", nv);
		free(nv);
	}

	int64_t seq = take_seq(s);
	if (seq < 0) {
		corral_errorf(&err, EAGAIN, "no free job sequence number");
		pbs = PBSE_SYSTEM;
		goto fail;
	}

	j = xcalloc(1, sizeof *j);
	j->seq = seq;
	j->state = 'Q';
	const char *host = kv_get(&in, "Submit_Host");
	if (!host)
		host = corral_hostname();
	const char *name = kv_get(&in, "Job_Name");
	if (!name)
		name = "STDIN";
	const char *vl = kv_get(&in, "Variable_List");
	const char *wd = var_get(vl, "PBS_O_WORKDIR", tmp, sizeof tmp);
	if (!wd)
		wd = "/";
	char *opath = xasprintf("%s:%s/%s.o%lld", host, wd, name, (long long)seq);
	char *epath = xasprintf("%s:%s/%s.e%lld", host, wd, name, (long long)seq);
	const char *holds = kv_get(&in, "Hold_Types");
	bool held = holds && strcmp(holds, "n") != 0;
	const char *et = kv_get(&in, "Execution_Time");
	bool waiting = et && atoll(et) > (long long)now;

	/* Assemble in PBS order; values given by the client win over defaults.
	 * Names are unique by construction: build the packed list in a scratch
	 * buffer and copy it once. */
	static struct corral_buf scratch;
	buf_reset(&scratch);
	char nowtext[24], ranktext[24];
	snprintf(nowtext, sizeof nowtext, "%lld", (long long)now);
	snprintf(ranktext, sizeof ranktext, "%lld", (long long)seq);
	char *owner = xasprintf("%s@%s", c->user, host);
	for (size_t i = 0; i < sizeof attr_order / sizeof attr_order[0]; i++) {
		const char *n = attr_order[i].name;
		if (attr_order[i].d == D_RESOURCES) {
			for (const char *rk = kv_first(&req); rk; rk = kv_next(&req, rk))
				if (rk[0] != '_') {
					buf_append(&scratch, rk, strlen(rk) + 1);
					buf_append(&scratch, kv_val(rk), strlen(kv_val(rk)) + 1);
				}
			continue;
		}
		const char *val = kv_get(&in, n);
		if (!val) {
			switch (attr_order[i].d) {
			case D_NAME: val = name; break;
			case D_OWNER: val = owner; break;
			case D_STATE: val = "Q"; break;
			case D_QUEUE: val = q->name; break;
			case D_SERVER: val = s->name; break;
			case D_CHECKPOINT: val = "u"; break;
			case D_NOW: val = nowtext; break;
			case D_EPATH: val = epath; break;
			case D_OPATH: val = opath; break;
			case D_N: val = "n"; break;
			case D_MAIL: val = "a"; break;
			case D_ZERO: val = "0"; break;
			case D_TRUE: val = "True"; break;
			case D_SUBSTATE: val = "10"; break;
			case D_EUSER: val = c->user; break;
			case D_EGROUP: val = c->group; break;
			case D_RANK: val = ranktext; break;
			case D_QTYPE: val = "E"; break;
			case D_PROJECT: val = "_pbs_project_default"; break;
			case D_HOST: val = host; break;
			default: break;
			}
		}
		if (val) {
			buf_append(&scratch, n, strlen(n) + 1);
			buf_append(&scratch, val, strlen(val) + 1);
		}
	}
	free(owner);
	struct kv *a = &j->attrs;
	a->buf = xmalloc(scratch.len);
	memcpy(a->buf, scratch.data, scratch.len);
	a->len = (uint32_t)scratch.len;
	if (kv_get(&req, "_select_derived"))
		kv_set(a, "_select_derived", "1");
	const char *part = kv_get(&q->attrs, "partition");
	if (part && *part)
		kv_set(a, "partition", part);
	free(opath);
	free(epath);

	j->queue = q;
	job_insert(s, j);
	if (held)
		job_set_state(s, j, 'H', SUB_HELD);
	else if (waiting)
		job_set_state(s, j, 'W', SUB_WAITING);
	else
		job_set_state(s, j, 'Q', SUB_QUEUED);

	int rc = job_save(s, j);
	if (rc == 0)
		rc = store_job_put_script(s->store, seq, json_string_value(jscript),
					  json_string_length(jscript));
	if (rc < 0) {
		corral_errorf(&err, -rc, "cannot store the job: %s", store_errmsg(s->store));
		pbs = PBSE_SAVE_ERR;
		job_free(s, j);
		j = NULL;
		goto fail;
	}
	job_id(s, j, idbuf, sizeof idbuf);
	acct_record(s, 'Q', idbuf, "queue=%s", q->name);
	if (j->state == 'Q')
		sched_trigger_job(s, j, "submit");
	kv_clear(&in);
	kv_clear(&req);
	return j;
fail:
	kv_clear(&in);
	kv_clear(&req);
	*errobj = corral_msg_errobj(err.code ? err.code : EINVAL, pbs, "%s", err.text);
	return NULL;
}

void h_job_submit(struct conn *c, json_int_t id, json_t *msg)
{
	json_t *jobs = json_object_get(msg, "jobs");
	if (c->is_tcp) {
		/* A job runs as its owner; a TCP peer is a cluster member, not a
		 * user, so there is nobody the job could run as. */
		conn_reply_err(c, id, EPERM, PBSE_PERM,
			       "job.submit needs a user: submit through the local Unix socket "
			       "(TCP peers have no user identity)");
		return;
	}
	if (!json_is_array(jobs)) {
		conn_reply_err(c, id, EINVAL, PBSE_IVALREQ, "job.submit needs \"jobs\" (array)");
		return;
	}
	json_t *results = json_array();
	size_t i;
	json_t *item;
	char idbuf[64];
	json_array_foreach(jobs, i, item)
	{
		json_t *e = NULL;
		struct job *j = submit_one(c, item, &e);
		if (j)
			json_array_append_new(results,
					      json_pack("{s:b,s:s}", "ok", 1, "id",
							job_id(c->srv, j, idbuf, sizeof idbuf)));
		else
			json_array_append_new(results, json_pack("{s:b,s:o}", "ok", 0, "error", e));
	}
	json_t *rep = corral_msg_ok(id);
	json_object_set_new(rep, "results", results);
	conn_reply(c, rep, true);
}

/* The id as PBS prints it: "99" -> "99.vm". */
static const char *full_id(struct server *s, const char *sid, char *buf, size_t n)
{
	if (!sid)
		return "?";
	if (sid[0] && strspn(sid, "0123456789") == strlen(sid))
		snprintf(buf, n, "%s.%s", sid, s->name);
	else
		snprintf(buf, n, "%s", sid);
	return buf;
}

/* ---- stat -------------------------------------------------------------- */

/* The attribute names a stat asked for, as C strings (borrowed). */
struct want {
	const char **names;
	size_t *lens;
	size_t n;
};

static void put_attr(struct corral_buf *b, bool *f, const char *k, const char *v)
{
	if (!*f)
		buf_lit(b, ",");
	*f = false;
	json_escape_append(b, k);
	buf_lit(b, ":");
	json_escape_append(b, v);
}

static void stat_one(struct server *s, struct corral_buf *b, struct job *j,
		     const struct want *w, bool *first)
{
	char idbuf[64];
	if (!*first)
		buf_lit(b, ",");
	*first = false;
	buf_lit(b, "{\"id\":");
	json_escape_append(b, job_id(s, j, idbuf, sizeof idbuf));
	buf_lit(b, ",\"attrs\":{");
	bool f = true;
	if (!w) {
		for (const char *k = kv_first(&j->attrs); k; k = kv_next(&j->attrs, k))
			if (k[0] != '_')
				put_attr(b, &f, k, kv_val(k));
	} else {
		/* Few names are asked for: look each up rather than matching
		 * every attribute against the list.  "X." asks for a prefix. */
		for (size_t i = 0; i < w->n; i++) {
			const char *name = w->names[i];
			size_t nl = w->lens[i];
			if (nl && name[nl - 1] == '.') {
				for (const char *k = kv_first(&j->attrs); k; k = kv_next(&j->attrs, k))
					if (strncmp(k, name, nl) == 0)
						put_attr(b, &f, k, kv_val(k));
			} else if (name[0] != '_') {
				const char *v = kv_get(&j->attrs, name);
				if (v)
					put_attr(b, &f, name, v);
			}
		}
	}
	buf_lit(b, "}}");
}

static void append_err(struct corral_buf *b, bool *first, const char *id, int code, int pbs,
		       const char *text)
{
	if (!*first)
		buf_lit(b, ",");
	*first = false;
	json_t *e = corral_msg_errobj(code, pbs, "%s", text);
	char *et = json_dumps(e, JSON_COMPACT);
	buf_lit(b, "{\"id\":");
	json_escape_append(b, id);
	buf_printf(b, ",\"error\":%s}", et);
	free(et);
	json_decref(e);
}

/* A job.stat with "stream":true and no ids: the jobs go out in parts of up
 * to STAT_PART, one part per loop iteration ({"id":N,"more":true,
 * "jobs":[...]}, then the last with "ok":true and "errors"), so a client
 * converts one part while the server builds the next, and no one else
 * waits for a whole listing. */
#define STAT_PART 2000

struct stat_stream {
	struct server *s;
	struct job_cursor cur;
	json_int_t id;
	json_t *msg; /* the request: user, queue and attribute names live in it */
	const char *user, *queue;
	struct want want, *w;
	bool history, see_all;
};

static bool stat_wanted(struct conn *c, struct job *j, const struct stat_stream *st)
{
	char ubuf[64];
	if (j->state == 'F' && !st->history)
		return false;
	if (st->user && !list_has(st->user, job_owner_user(j, ubuf, sizeof ubuf)))
		return false;
	if (!st->see_all && strcmp(job_owner_user(j, ubuf, sizeof ubuf), c->user) != 0)
		return false;
	return !st->queue || (j->queue && strcmp(j->queue->name, st->queue) == 0);
}

static void stat_stream_free(void *p)
{
	struct stat_stream *st = p;
	job_cursor_close(st->s, &st->cur);
	json_decref(st->msg);
	free(st->want.names);
	free(st->want.lens);
	free(st);
}

static bool stat_stream_part(struct conn *c, void *p)
{
	struct stat_stream *st = p;
	struct corral_buf b;
	bool first = true;
	size_t sent = 0, visited = 0;
	buf_init(&b);
	buf_reserve(&b, (size_t)STAT_PART * 1024);
	buf_append(&b, "\0\0\0\0", 4); /* frame header, filled when sent */
	buf_printf(&b, "{\"id\":%lld,", (long long)st->id);
	size_t mark = b.len; /* "more" or "ok" goes here */
	buf_lit(&b, "\"more\":true,\"jobs\":[");
	while (st->cur.next && sent < STAT_PART && visited < 20 * STAT_PART) {
		struct job *j = st->cur.next;
		st->cur.next = j->next;
		visited++;
		if (stat_wanted(c, j, st)) {
			stat_one(st->s, &b, j, st->w, &first);
			sent++;
		}
	}
	bool done = st->cur.next == NULL;
	if (done) {
		/* "ok":true,  is as long as "more":true, */
		memcpy(b.data + mark, "\"ok\":true,  ", 12);
		buf_lit(&b, "],\"errors\":[]}");
	} else {
		buf_lit(&b, "]}");
	}
	conn_reply_raw(c, b.data, b.len);
	return done;
}

void h_job_stat(struct conn *c, json_int_t id, json_t *msg)
{
	struct server *s = c->srv;
	json_t *ids = json_object_get(msg, "ids");
	json_t *attrs = json_object_get(msg, "attrs");
	bool history = json_is_true(json_object_get(msg, "history"));
	const char *user = json_string_value(json_object_get(msg, "user"));
	const char *queue = json_string_value(json_object_get(msg, "queue"));
	if ((ids && !json_is_array(ids)) || (attrs && !json_is_array(attrs))) {
		conn_reply_err(c, id, EINVAL, PBSE_IVALREQ, "\"ids\" and \"attrs\" must be arrays");
		return;
	}
	if (queue && !obj_find(s, OBJ_QUEUE, queue)) {
		conn_reply_err(c, id, ENOENT, PBSE_UNKQUE, "Unknown queue %s", queue);
		return;
	}
	struct want want = {0}, *w = NULL;
	if (attrs) {
		want.n = json_array_size(attrs);
		want.names = xcalloc(want.n, sizeof *want.names);
		want.lens = xcalloc(want.n, sizeof *want.lens);
		for (size_t i = 0; i < want.n; i++) {
			const char *nm = json_string_value(json_array_get(attrs, i));
			want.names[i] = nm ? nm : "_";
			want.lens[i] = strlen(want.names[i]);
		}
		w = &want;
	}
	/* query_other_jobs = False: users see their own jobs only. */
	bool see_all = conn_role(c) >= ROLE_OPERATOR || srv_attr_bool(s, "query_other_jobs", true);
	if (!ids && json_is_true(json_object_get(msg, "stream"))) {
		struct stat_stream *st = xcalloc(1, sizeof *st);
		st->s = s;
		st->id = id;
		st->msg = json_incref(msg);
		st->user = user;
		st->queue = queue;
		st->want = want;
		st->w = w ? &st->want : NULL;
		st->history = history;
		st->see_all = see_all;
		job_cursor_open(s, &st->cur);
		if (stat_stream_part(c, st))
			stat_stream_free(st);
		else
			conn_continue(c, stat_stream_part, stat_stream_free, st);
		return;
	}
	struct corral_buf b, errs;
	buf_init(&b);
	buf_init(&errs);
	bool first = true, efirst = true;
	char ubuf[64], text[200];
	/* Size the reply once: a full stat of 100,000 jobs is ~75 MB and
	 * growing it step by step costs more than building it. */
	if (!ids) {
		size_t est = 64;
		for (struct job *j = job_first(s); j; j = j->next)
			est += w ? 32 + 24 * w->n : 48 + (size_t)j->attrs.len * 5 / 4;
		buf_reserve(&b, est);
	}
	buf_append(&b, "\0\0\0\0", 4); /* frame header, filled when sent */
	buf_printf(&b, "{\"id\":%lld,\"ok\":true,\"jobs\":[", (long long)id);
	if (ids) {
		size_t i;
		json_t *ji;
		json_array_foreach(ids, i, ji)
		{
			const char *sid = json_string_value(ji);
			int64_t seq = sid ? job_parse_id(s, sid) : -1;
			struct job *j = seq >= 0 ? job_lookup(s, seq) : NULL;
			if (!j) {
				char fb[128];
				snprintf(text, sizeof text, "Unknown Job Id %s",
					 full_id(s, sid, fb, sizeof fb));
				append_err(&errs, &efirst, sid ? sid : "?", ENOENT, PBSE_UNKJOBID, text);
			} else if (j->state == 'F' && !history) {
				char idbuf[64];
				snprintf(text, sizeof text,
					 "%s Job has finished, use -x or -H to obtain historical "
					 "job information",
					 job_id(s, j, idbuf, sizeof idbuf));
				append_err(&errs, &efirst, sid, ENOENT, PBSE_HISTJOBID, text);
			} else if (!see_all &&
				   strcmp(job_owner_user(j, ubuf, sizeof ubuf), c->user) != 0) {
				char idbuf[64];
				snprintf(text, sizeof text,
					 "Unauthorized Request  %s (query_other_jobs is False)",
					 job_id(s, j, idbuf, sizeof idbuf));
				append_err(&errs, &efirst, sid, EPERM, PBSE_PERM, text);
			} else {
				stat_one(s, &b, j, w, &first);
			}
		}
	} else {
		struct stat_stream all = {.user = user, .queue = queue, .history = history,
					  .see_all = see_all};
		for (struct job *j = job_first(s); j; j = j->next)
			if (stat_wanted(c, j, &all))
				stat_one(s, &b, j, w, &first);
	}
	buf_lit(&b, "],\"errors\":[");
	buf_append(&b, buf_peek(&errs), buf_unread(&errs));
	buf_lit(&b, "]}");
	buf_free(&errs);
	free(want.names);
	free(want.lens);
	conn_reply_raw(c, b.data, b.len);
}

/* ---- actions on lists of jobs --------------------------------------- */

/* An action on one job: 0, or -errno with err and *pbs set.  May change
 * the job (then it saves it). */
typedef int (*job_action_fn)(struct conn *c, struct job *j, json_t *msg, json_t *item, int *pbs,
			     corral_error_t *err);

static bool may_act(struct conn *c, struct job *j)
{
	char ubuf[64];
	if (conn_role(c) >= ROLE_OPERATOR)
		return true;
	return !c->is_tcp && strcmp(job_owner_user(j, ubuf, sizeof ubuf), c->user) == 0;
}

static json_t *act_one(struct conn *c, const char *sid, json_t *msg, json_t *item,
		       job_action_fn fn, bool allow_finished)
{
	struct server *s = c->srv;
	corral_error_t err = {0};
	int pbs = 0;
	char idbuf[64];
	int64_t seq = sid ? job_parse_id(s, sid) : -1;
	struct job *j = seq >= 0 ? job_lookup(s, seq) : NULL;
	json_t *r = json_pack("{s:s}", "id", sid ? sid : "?");
	if (!j) {
		pbs = PBSE_UNKJOBID;
		corral_errorf(&err, ENOENT, "Unknown Job Id %s", full_id(s, sid, idbuf, sizeof idbuf));
	} else if (j->state == 'F' && !allow_finished) {
		pbs = PBSE_HISTJOBID;
		corral_errorf(&err, ENOENT, "Job has finished %s", job_id(s, j, idbuf, sizeof idbuf));
	} else if (!may_act(c, j)) {
		pbs = PBSE_PERM;
		corral_errorf(&err, EPERM, "Unauthorized Request  %s (not the job's owner)",
			      job_id(s, j, idbuf, sizeof idbuf));
	} else {
		/* The id first: the action may free the job (qdel -x). */
		json_object_set_new(r, "id", json_string(job_id(s, j, idbuf, sizeof idbuf)));
		if (fn(c, j, msg, item, &pbs, &err) == 0) {
			json_object_set_new(r, "ok", json_true());
			return r;
		}
	}
	json_object_set_new(r, "ok", json_false());
	json_object_set_new(r, "error", corral_msg_errobj(err.code, pbs, "%s", err.text));
	return r;
}

static void act_on_ids(struct conn *c, json_int_t id, json_t *msg, job_action_fn fn,
		       bool allow_finished)
{
	json_t *ids = json_object_get(msg, "ids");
	if (!json_is_array(ids)) {
		conn_reply_err(c, id, EINVAL, PBSE_IVALREQ, "this op needs \"ids\" (array)");
		return;
	}
	json_t *results = json_array();
	size_t i;
	json_t *ji;
	json_array_foreach(ids, i, ji)
		json_array_append_new(results, act_one(c, json_string_value(ji), msg, NULL, fn,
						       allow_finished));
	json_t *rep = corral_msg_ok(id);
	json_object_set_new(rep, "results", results);
	conn_reply(c, rep, true);
}

static void touch_mtime(struct job *j)
{
	kv_setf(&j->attrs, "mtime", "%lld", (long long)time(NULL));
}

static bool exec_time_future(struct job *j)
{
	const char *et = kv_get(&j->attrs, "Execution_Time");
	return et && atoll(et) > (long long)time(NULL);
}

/* Remove a finished job from memory and the store. */
static int job_purge(struct server *s, struct job *j)
{
	int rc = txn_begin(s);
	if (rc == 0)
		rc = store_job_del(s->store, j->seq);
	if (rc == -ENOENT)
		rc = 0;
	txn_touch_job(s, j->seq);
	job_free(s, j);
	return rc;
}

static int do_delete(struct conn *c, struct job *j, json_t *msg, json_t *item, int *pbs,
		     corral_error_t *err)
{
	struct server *s = c->srv;
	char idbuf[64];
	(void)item;
	job_id(s, j, idbuf, sizeof idbuf);
	if (j->state == 'F') {
		if (!json_is_true(json_object_get(msg, "purge"))) {
			*pbs = PBSE_HISTJOBID;
			return corral_errorf(err, ENOENT, "Job has finished %s (use -x to purge it)",
					     idbuf);
		}
		return job_purge(s, j);
	}
	if (j->state == 'R' || j->state == 'E') {
		/* SIGTERM, kill_delay, SIGKILL on the node; the job ends (F) when
		 * the daemon reports it gone. */
		acct_record(s, 'D', idbuf, "requestor=%s@%s", c->is_tcp ? "service" : c->user,
			    corral_hostname());
		kv_set(&j->attrs, "_deleting", "1");
		kv_set(&j->attrs, "_rerun", NULL);
		if (node_kill_job(s, j, "qdel") < 0)
			node_end_job(s, j, -3, "deleted while its node daemon was not connected");
		else
			job_save(s, j);
		return 0;
	}
	acct_record(s, 'D', idbuf, "requestor=%s@%s", c->is_tcp ? "service" : c->user,
		    corral_hostname());
	if (!srv_attr_bool(s, "job_history_enable", true))
		return job_purge(s, j);
	time_t now = time(NULL);
	job_set_state(s, j, 'F', SUB_TERMINATED);
	j->hist_time = now;
	kv_setf(&j->attrs, "history_timestamp", "%lld", (long long)now);
	kv_setf(&j->attrs, "obittime", "%lld", (long long)now);
	touch_mtime(j);
	return job_save(s, j);
}

void h_job_delete(struct conn *c, json_int_t id, json_t *msg)
{
	act_on_ids(c, id, msg, do_delete, true);
}

static int check_hold_perm(struct conn *c, const char *types, int *pbs, corral_error_t *err)
{
	if (!*types || strspn(types, "uosn") != strlen(types)) {
		*pbs = PBSE_BADATVAL;
		return corral_errorf(err, EINVAL, "Illegal hold type '%s' (u, o, s or n)", types);
	}
	if ((strchr(types, 'o') || strchr(types, 's')) && conn_role(c) < ROLE_OPERATOR) {
		*pbs = PBSE_PERM;
		return corral_errorf(err, EPERM,
				     "only operators and managers may set or release o or s holds");
	}
	return 0;
}

static int do_hold(struct conn *c, struct job *j, json_t *msg, json_t *item, int *pbs,
		   corral_error_t *err)
{
	const char *types = json_string_value(json_object_get(msg, "hold_types"));
	(void)item;
	if (!types)
		types = "u";
	if (check_hold_perm(c, types, pbs, err) < 0)
		return -err->code;
	const char *cur = kv_get(&j->attrs, "Hold_Types");
	char nh[8] = "";
	size_t nn = 0;
	for (const char *t = "uos"; *t; t++)
		if ((cur && strchr(cur, *t)) || strchr(types, *t))
			nh[nn++] = *t;
	if (!*nh)
		return 0; /* "n": nothing to hold */
	kv_set(&j->attrs, "Hold_Types", nh);
	if (j->state == 'Q' || j->state == 'W')
		job_set_state(c->srv, j, 'H', SUB_HELD);
	touch_mtime(j);
	return job_save(c->srv, j);
}

void h_job_hold(struct conn *c, json_int_t id, json_t *msg)
{
	act_on_ids(c, id, msg, do_hold, false);
}

static int do_release(struct conn *c, struct job *j, json_t *msg, json_t *item, int *pbs,
		      corral_error_t *err)
{
	const char *types = json_string_value(json_object_get(msg, "hold_types"));
	(void)item;
	if (!types)
		types = "u";
	if (check_hold_perm(c, types, pbs, err) < 0)
		return -err->code;
	const char *cur = kv_get(&j->attrs, "Hold_Types");
	char nh[8] = "";
	size_t nn = 0;
	for (const char *t = "uos"; *t; t++)
		if (cur && strchr(cur, *t) && !strchr(types, *t))
			nh[nn++] = *t;
	kv_set(&j->attrs, "Hold_Types", *nh ? nh : "n");
	if (!*nh && j->state == 'H') {
		if (exec_time_future(j))
			job_set_state(c->srv, j, 'W', SUB_WAITING);
		else
			job_set_state(c->srv, j, 'Q', SUB_QUEUED);
		sched_trigger_job(c->srv, j, "submit");
	}
	touch_mtime(j);
	return job_save(c->srv, j);
}

void h_job_release(struct conn *c, json_int_t id, json_t *msg)
{
	act_on_ids(c, id, msg, do_release, false);
}

/* Replace the job's Resource_List with req (prepared). */
static void set_resources(struct job *j, struct kv *req)
{
	kv_remove_prefix(&j->attrs, RL);
	kv_set(&j->attrs, "_select_derived", NULL);
	for (const char *k = kv_first(req); k; k = kv_next(req, k))
		kv_set(&j->attrs, k, kv_val(k));
}

static int do_alter(struct conn *c, struct job *j, json_t *msg, json_t *item, int *pbs,
		    corral_error_t *err)
{
	struct server *s = c->srv;
	json_t *attrs = json_object_get(item, "attrs");
	(void)msg;
	if (!json_is_object(attrs)) {
		*pbs = PBSE_IVALREQ;
		return corral_errorf(err, EINVAL, "job.alter items need \"attrs\" (object)");
	}
	if (j->state != 'Q' && j->state != 'H' && j->state != 'W') {
		*pbs = PBSE_MODATRRUN;
		return corral_errorf(err, EBUSY, "Cannot modify attribute while job running");
	}
	struct kv plain = {0}, req = {0};
	bool res_changed = false;
	const char *k;
	json_t *v;
	int rc = 0;
	char owner[64];
	job_owner_user(j, owner, sizeof owner);
	json_object_foreach(attrs, k, v)
	{
		char *canon = NULL;
		if (!json_is_string(v)) {
			*pbs = PBSE_BADATVAL;
			rc = corral_errorf(err, EINVAL, "attribute %s: value must be a string", k);
			goto out;
		}
		if ((rc = check_attr(c, k, json_string_value(v), SET_ALTER, owner, &canon, pbs,
				     err)) < 0)
			goto out;
		if (!strcmp(k, "Hold_Types") && conn_role(c) < ROLE_OPERATOR) {
			/* Replacing the holds must not drop an o or s hold. */
			const char *cur = kv_get(&j->attrs, "Hold_Types");
			for (const char *t = "os"; cur && *t; t++)
				if (strchr(cur, *t) && !strchr(canon, *t)) {
					free(canon);
					*pbs = PBSE_PERM;
					rc = corral_errorf(err, EPERM,
							   "only operators and managers may release "
							   "o or s holds");
					goto out;
				}
		}
		if (strncmp(k, RL, strlen(RL)) == 0) {
			if (!res_changed) {
				for (const char *jk = kv_first(&j->attrs); jk;
				     jk = kv_next(&j->attrs, jk))
					if (strncmp(jk, RL, strlen(RL)) == 0)
						kv_set(&req, jk, kv_val(jk));
				if (kv_get(&j->attrs, "_select_derived"))
					kv_set(&req, "_select_derived", "1");
			}
			res_changed = true;
			kv_set(&req, k, canon);
			if (!strcmp(k, RL "select"))
				kv_set(&req, "_select_derived", NULL);
		} else {
			kv_set(&plain, k, canon);
		}
		free(canon);
	}
	if (res_changed) {
		/* Totals are recomputed: from the explicit select, or the select is
		 * derived again from the job-wide requests. */
		kv_set(&req, RL "nodect", NULL);
		if (!kv_get(&req, "_select_derived"))
			for (const char *t = "ncpus\0mem\0ngpus\0"; *t; t += strlen(t) + 1) {
				char key[32];
				snprintf(key, sizeof key, RL "%s", t);
				if (json_object_get(attrs, key) && !json_object_get(attrs, RL "select")) {
					*pbs = PBSE_INVALJOBRESC;
					rc = corral_errorf(err, EINVAL,
							   "%s is the total of the job's select "
							   "chunks: alter select instead",
							   key);
					goto out;
				}
				kv_set(&req, key, NULL);
			}
		if ((rc = jobres_prepare(s, j->queue, &req, pbs, err)) < 0)
			goto out;
		set_resources(j, &req);
	}
	for (const char *pk = kv_first(&plain); pk; pk = kv_next(&plain, pk))
		kv_set(&j->attrs, pk, kv_val(pk));
	/* Holds and start times given through alter take effect now. */
	const char *h = kv_get(&j->attrs, "Hold_Types");
	if (h && strcmp(h, "n") != 0)
		job_set_state(s, j, 'H', SUB_HELD);
	else if (exec_time_future(j))
		job_set_state(s, j, 'W', SUB_WAITING);
	else
		job_set_state(s, j, 'Q', SUB_QUEUED);
	touch_mtime(j);
	rc = job_save(s, j);
	if (j->state == 'Q')
		sched_trigger_job(s, j, "submit");
out:
	kv_clear(&plain);
	kv_clear(&req);
	return rc;
}

/* The attributes a scheduler writes. */
static bool sched_written(const char *name)
{
	return !strcmp(name, "comment") || !strncmp(name, "estimated.", 10) ||
	       !strcmp(name, "accrue_type") || !strcmp(name, "eligible_time");
}

/* A scheduler's update: only its own attributes, any job state, and a value
 * that does not change is not written (no store write, no delta). */
static json_t *sched_alter_one(struct conn *c, json_t *item)
{
	struct server *s = c->srv;
	const char *sid = json_string_value(json_object_get(item, "id"));
	json_t *attrs = json_object_get(item, "attrs");
	int64_t seq = sid ? job_parse_id(s, sid) : -1;
	struct job *j = seq >= 0 ? job_lookup(s, seq) : NULL;
	json_t *r = json_pack("{s:s}", "id", sid ? sid : "?");
	if (!j || !json_is_object(attrs)) {
		json_object_set_new(r, "ok", json_false());
		json_object_set_new(r, "error",
				    corral_msg_errobj(ENOENT, PBSE_UNKJOBID, "Unknown Job Id %s",
						      sid ? sid : "?"));
		return r;
	}
	bool changed = false;
	const char *k;
	json_t *v;
	json_object_foreach(attrs, k, v)
	{
		const char *val = json_string_value(v);
		if (!sched_written(k) || !val || strchr(val, '\n'))
			continue;
		const char *cur = kv_get(&j->attrs, k);
		if (*val == '\0') { /* empty: unset */
			if (cur) {
				kv_set(&j->attrs, k, NULL);
				changed = true;
			}
		} else if (!cur || strcmp(cur, val) != 0) {
			kv_set(&j->attrs, k, val);
			changed = true;
		}
	}
	if (changed && job_save(s, j) < 0) {
		json_object_set_new(r, "ok", json_false());
		json_object_set_new(r, "error", corral_msg_errobj(EIO, PBSE_SAVE_ERR, "cannot save"));
		return r;
	}
	json_object_set_new(r, "ok", json_true());
	return r;
}

static bool only_sched_attrs(json_t *item)
{
	json_t *attrs = json_object_get(item, "attrs");
	const char *k;
	json_t *v;
	if (!json_is_object(attrs))
		return false;
	json_object_foreach(attrs, k, v)
	{
		if (!sched_written(k))
			return false;
	}
	return true;
}

static json_t *alter_item(struct conn *c, json_t *msg, json_t *it)
{
	if (conn_role(c) == ROLE_SERVICE && only_sched_attrs(it))
		return sched_alter_one(c, it);
	return act_one(c, json_string_value(json_object_get(it, "id")), msg, it, do_alter, false);
}

/* In slices (conn_bulk): a scheduler's thousands of comments do not hold
 * up the other peers. */
void h_job_alter(struct conn *c, json_int_t id, json_t *msg)
{
	json_t *items = json_object_get(msg, "items");
	if (!json_is_array(items)) {
		conn_reply_err(c, id, EINVAL, PBSE_IVALREQ, "job.alter needs \"items\" (array)");
		return;
	}
	conn_bulk(c, id, msg, items, alter_item);
}

static int do_move(struct conn *c, struct job *j, json_t *msg, json_t *item, int *pbs,
		   corral_error_t *err)
{
	struct server *s = c->srv;
	const char *qn = json_string_value(json_object_get(msg, "queue"));
	(void)item;
	if (!qn) {
		*pbs = PBSE_IVALREQ;
		return corral_errorf(err, EINVAL, "job.move needs \"queue\"");
	}
	const char *at = strchr(qn, '@');
	char qbuf[128];
	if (at) { /* queue@server: only this server */
		snprintf(qbuf, sizeof qbuf, "%.*s", (int)(at - qn), qn);
		qn = qbuf;
	}
	if (j->state != 'Q' && j->state != 'H' && j->state != 'W') {
		*pbs = PBSE_BADSTATE;
		return corral_errorf(err, EBUSY, "Request invalid for state of job");
	}
	struct obj *q = find_queue(s, qn, pbs, err, true);
	if (!q)
		return -err->code;
	char owner[64];
	/* Operators and managers move jobs past the queue's ACL, as in PBS. */
	if (conn_role(c) < ROLE_OPERATOR &&
	    check_queue_acl(q, job_owner_user(j, owner, sizeof owner), pbs, err) < 0)
		return -err->code;
	if (jobres_check_limits(s, q, &j->attrs, pbs, err) < 0)
		return -err->code;
	struct obj *before = sched_of_queue(s, j->queue);
	if (before != sched_of_queue(s, q))
		sched_job_gone(s, j); /* leaves the old sched's mirror */
	job_set_queue(s, j, q);
	const char *part = kv_get(&q->attrs, "partition");
	kv_set(&j->attrs, "partition", part && *part ? part : NULL);
	kv_setf(&j->attrs, "qtime", "%lld", (long long)time(NULL));
	touch_mtime(j);
	int rc = job_save(s, j);
	sched_trigger_job(s, j, "submit");
	return rc;
}

void h_job_move(struct conn *c, json_int_t id, json_t *msg)
{
	act_on_ids(c, id, msg, do_move, false);
}

static int do_signal(struct conn *c, struct job *j, json_t *msg, json_t *item, int *pbs,
		     corral_error_t *err)
{
	char idbuf[64];
	(void)item;
	if (j->state != 'R') {
		*pbs = PBSE_BADSTATE;
		return corral_errorf(err, EBUSY, "Request invalid for state of job %s",
				     job_id(c->srv, j, idbuf, sizeof idbuf));
	}
	const char *sig = json_string_value(json_object_get(msg, "signal"));
	if ((!strcmp(sig, "suspend") || !strcmp(sig, "resume") || strstr(sig, "admin-")) &&
	    conn_role(c) < ROLE_OPERATOR) {
		*pbs = PBSE_PERM;
		return corral_errorf(err, EPERM, "%s needs operator or manager privilege", sig);
	}
	if (node_signal_job(c->srv, j, sig) < 0) {
		*pbs = PBSE_NORELYMOM;
		return corral_errorf(err, EAGAIN, "the job's node daemon is not connected");
	}
	return 0;
}

static int do_rerun(struct conn *c, struct job *j, json_t *msg, json_t *item, int *pbs,
		    corral_error_t *err)
{
	char idbuf[64];
	(void)msg;
	(void)item;
	if (j->state != 'R') {
		*pbs = PBSE_BADSTATE;
		return corral_errorf(err, EBUSY, "Request invalid for state of job %s",
				     job_id(c->srv, j, idbuf, sizeof idbuf));
	}
	const char *rr = kv_get(&j->attrs, "Rerunable");
	if (rr && !strcmp(rr, "False")) {
		*pbs = PBSE_NORERUN;
		return corral_errorf(err, EPERM, "Job is not rerunnable");
	}
	if (node_kill_job(c->srv, j, "rerun") < 0) {
		*pbs = PBSE_NORELYMOM;
		return corral_errorf(err, EAGAIN, "the job's node daemon is not connected");
	}
	kv_set(&j->attrs, "_rerun", "1");
	return job_save(c->srv, j);
}

void h_job_signal(struct conn *c, json_int_t id, json_t *msg)
{
	if (!json_string_value(json_object_get(msg, "signal"))) {
		conn_reply_err(c, id, EINVAL, PBSE_IVALREQ, "job.signal needs \"signal\"");
		return;
	}
	act_on_ids(c, id, msg, do_signal, false);
}

void h_job_rerun(struct conn *c, json_int_t id, json_t *msg)
{
	act_on_ids(c, id, msg, do_rerun, false);
}
