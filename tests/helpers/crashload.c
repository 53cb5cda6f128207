/* crashload.c - load for the crash-consistency test, and its checker.
 *
 *   crashload --journal FILE [--round K] [--conns N] [--window W]
 *             [--batch B] [--max-submit N] [--seed S] [--max-seconds T]
 *   crashload --check FILE
 *
 * Load: opens N Unix connections (default 4) and keeps up to W requests
 * in flight on each (default 8, pipelined).  A request is a job.submit of
 * 1..B jobs (default 4), or a job.delete, job.hold, job.release or
 * job.alter of 1..4 of the jobs this connection submitted in this run.
 * Every job has at most one request in flight, and a deleted job is not
 * touched again, so for each job the acknowledged requests are totally
 * ordered and at most one request is in doubt when the server dies.
 * After --max-submit jobs (default 3000) a run only alters, holds,
 * releases and deletes; it deletes at most a third of its jobs.  It runs until a connection to the
 * server drops (the server was killed), then exits 0 with a JSON summary on stdout.
 *
 * The journal is appended to, one line per acknowledged item, written
 * after its reply was read (and flushed per reply):
 *   R ROUND                  a run starts
 *   S ID CONN                job submitted (CONN: connection index)
 *   D ID / H ID / L ID       deleted / held (u) / released (u)
 *   A ID ATTR VALUE          attribute altered
 *   X OP ID CODE             an item was refused (never expected here)
 * and, when the run ends, the requests sent but never answered:
 *   U S COUNT                COUNT submissions in doubt
 *   U D ID / U H ID / U L ID / U A ID ATTR VALUE
 *
 * Check (--check): reads the journal, stats every job (history included)
 * and verifies that every acknowledged job exists with its last
 * acknowledged state (F if deleted, else H if held, else Q; Hold_Types;
 * altered attributes), an operation in doubt being either applied or not;
 * that no id was acknowledged twice; that ids grow per connection within
 * a run and every run's ids are above all earlier runs'; that jobs the
 * journal does not know are no more than the submissions in doubt.
 * Prints the problems on stderr and a JSON summary on stdout; exit 1 when
 * there is any problem.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "src/client/client.h"
#include "src/common/buf.h"
#include "src/common/util.h"
#include "src/proto/msg.h"

#define MAX_CONNS 64
#define MAX_ITEMS 8
#define NATTRS 3

static const char *const alter_attrs[NATTRS] = {"Job_Name", "Priority", "Account_Name"};

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static long rnd_below(long n) { return n > 0 ? (long)(rnd() % (uint64_t)n) : 0; }

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "crashload: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

/* ---- load --------------------------------------------------------------- */

enum op { OP_SUBMIT, OP_DELETE, OP_HOLD, OP_RELEASE, OP_ALTER };
static const char op_letter[] = "SDHLA";
static const char *const op_name[] = {"job.submit", "job.delete", "job.hold", "job.release",
				      "job.alter"};

struct ljob {
	char *id;
	bool busy; /* a request about it is in flight */
	bool deleted;
};

struct req {
	long long rid;
	enum op op;
	int n;		     /* items (jobs submitted, or jobs acted on) */
	int job[MAX_ITEMS];  /* indices into the connection's jobs */
	int attr[MAX_ITEMS]; /* alter: index into alter_attrs */
	char val[MAX_ITEMS][40];
};

struct lconn {
	int idx;
	corral_conn_t *c;
	struct req *q; /* in flight, in request order (a ring) */
	size_t qhead, qn, qcap;
	struct ljob *jobs;
	size_t njobs, capjobs;
	int *live; /* indices of jobs not deleted */
	size_t nlive, caplive;
};

static FILE *journal;
static long n_submitted, n_acked_jobs, n_deleted, n_held, n_released, n_altered, n_refused;
static long n_requests, n_submit_inflight;
static long alter_counter;
static int round_no;

static struct req *q_push(struct lconn *lc)
{
	if (lc->qn == lc->qcap) {
		size_t ncap = lc->qcap ? 2 * lc->qcap : 16;
		struct req *nq = xcalloc(ncap, sizeof *nq);
		for (size_t i = 0; i < lc->qn; i++)
			nq[i] = lc->q[(lc->qhead + i) % lc->qcap];
		free(lc->q);
		lc->q = nq;
		lc->qhead = 0;
		lc->qcap = ncap;
	}
	struct req *r = &lc->q[(lc->qhead + lc->qn) % lc->qcap];
	lc->qn++;
	memset(r, 0, sizeof *r);
	return r;
}

static struct req *q_find(struct lconn *lc, long long rid)
{
	for (size_t i = 0; i < lc->qn; i++) {
		struct req *r = &lc->q[(lc->qhead + i) % lc->qcap];
		if (r->rid == rid)
			return r;
	}
	return NULL;
}

/* Remove r (replies come in request order: normally the head). */
static void q_remove(struct lconn *lc, struct req *r)
{
	size_t pos = 0;
	while (&lc->q[(lc->qhead + pos) % lc->qcap] != r)
		pos++;
	for (size_t i = pos; i > 0; i--)
		lc->q[(lc->qhead + i) % lc->qcap] = lc->q[(lc->qhead + i - 1) % lc->qcap];
	lc->qhead = (lc->qhead + 1) % lc->qcap;
	lc->qn--;
}

static int add_job(struct lconn *lc, const char *id)
{
	if (lc->njobs == lc->capjobs) {
		lc->capjobs = lc->capjobs ? 2 * lc->capjobs : 256;
		lc->jobs = xrealloc(lc->jobs, lc->capjobs * sizeof *lc->jobs);
	}
	int k = (int)lc->njobs++;
	lc->jobs[k] = (struct ljob){.id = xstrdup(id)};
	if (lc->nlive == lc->caplive) {
		lc->caplive = lc->caplive ? 2 * lc->caplive : 256;
		lc->live = xrealloc(lc->live, lc->caplive * sizeof *lc->live);
	}
	lc->live[lc->nlive++] = k;
	return k;
}

static void drop_live(struct lconn *lc, int k)
{
	for (size_t i = 0; i < lc->nlive; i++)
		if (lc->live[i] == k) {
			lc->live[i] = lc->live[--lc->nlive];
			return;
		}
}

/* Build and buffer one request on lc; 0 or -errno. */
static int send_one(struct lconn *lc, long batch, long max_submit, corral_error_t *err)
{
	static json_t *job_tmpl;
	if (!job_tmpl)
		job_tmpl = json_pack("{s:{s:s,s:s,s:s},s:s}", "attrs", "Variable_List",
				     "PBS_O_WORKDIR=/tmp,PBS_O_HOME=/root,PBS_O_PATH=/usr/bin:/bin",
				     "Output_Path", "/dev/null", "Error_Path", "/dev/null",
				     "script", "#!/bin/sh\ntrue\n");
	/* Pick the op: submissions until max_submit, else act on idle jobs. */
	long r = rnd_below(100);
	enum op op = r < 12   ? OP_SUBMIT
		     : r < 45 ? OP_ALTER
		     : r < 65 ? OP_HOLD
		     : r < 85 ? OP_RELEASE
			      : OP_DELETE;
	if (n_submitted + n_submit_inflight >= max_submit && op == OP_SUBMIT)
		op = OP_ALTER;
	if (op == OP_DELETE && 3 * n_deleted >= n_submitted)
		op = OP_HOLD; /* keep two thirds of the jobs to act on */
	int picked[MAX_ITEMS], np = 0;
	if (op != OP_SUBMIT) {
		int want = 1 + (int)rnd_below(4);
		for (int tries = 0; tries < 16 && np < want && lc->nlive > 0; tries++) {
			int k = lc->live[rnd_below((long)lc->nlive)];
			if (!lc->jobs[k].busy) {
				lc->jobs[k].busy = true;
				picked[np++] = k;
			}
		}
		if (np == 0) {
			if (n_submitted + n_submit_inflight >= max_submit)
				return 0; /* nothing to do now */
			op = OP_SUBMIT;
		}
	}
	struct req *rq = q_push(lc);
	rq->op = op;
	json_t *req = json_pack("{s:s}", "op", op_name[op]);
	if (op == OP_SUBMIT) {
		long k = 1 + rnd_below(batch);
		json_t *jobs = json_array();
		for (long i = 0; i < k; i++)
			json_array_append(jobs, job_tmpl);
		json_object_set_new(req, "jobs", jobs);
		rq->n = (int)k;
		n_submit_inflight += k;
	} else if (op == OP_ALTER) {
		json_t *items = json_array();
		for (int i = 0; i < np; i++) {
			int a = (int)rnd_below(NATTRS);
			rq->job[i] = picked[i];
			rq->attr[i] = a;
			if (a == 1)
				snprintf(rq->val[i], sizeof rq->val[i], "%ld",
					 rnd_below(2048) - 1024);
			else
				snprintf(rq->val[i], sizeof rq->val[i], "%c%d_%ld",
					 a == 0 ? 'n' : 'a', round_no, ++alter_counter);
			json_array_append_new(items, json_pack("{s:s,s:{s:s}}", "id",
							       lc->jobs[picked[i]].id, "attrs",
							       alter_attrs[a], rq->val[i]));
		}
		json_object_set_new(req, "items", items);
		rq->n = np;
	} else {
		json_t *ids = json_array();
		for (int i = 0; i < np; i++) {
			rq->job[i] = picked[i];
			json_array_append_new(ids, json_string(lc->jobs[picked[i]].id));
		}
		json_object_set_new(req, "ids", ids);
		if (op == OP_HOLD || op == OP_RELEASE)
			json_object_set_new(req, "hold_types", json_string("u"));
		rq->n = np;
	}
	long long rid = corral_send_buffered(lc->c, req, err);
	json_decref(req);
	if (rid < 0)
		return (int)rid;
	rq->rid = rid;
	n_requests++;
	return 0;
}

/* Journal what a reply acknowledged. */
static void on_reply(struct lconn *lc, json_t *rep)
{
	json_int_t rid = json_integer_value(json_object_get(rep, "id"));
	struct req *rq = rid > 0 ? q_find(lc, rid) : NULL;
	if (!rq)
		return; /* a push, or an error with id 0 */
	json_t *results = json_object_get(rep, "results");
	bool whole_ok = json_is_true(json_object_get(rep, "ok")) && json_is_array(results);
	if (rq->op == OP_SUBMIT)
		n_submit_inflight -= rq->n;
	for (int i = 0; i < rq->n; i++) {
		json_t *res = whole_ok ? json_array_get(results, (size_t)i) : NULL;
		bool ok = res && json_is_true(json_object_get(res, "ok"));
		const char *code = "?";
		json_t *e = res ? json_object_get(res, "error") : json_object_get(rep, "error");
		if (e && json_string_value(json_object_get(e, "code")))
			code = json_string_value(json_object_get(e, "code"));
		if (rq->op == OP_SUBMIT) {
			const char *id = res ? json_string_value(json_object_get(res, "id")) : NULL;
			if (ok && id) {
				add_job(lc, id);
				fprintf(journal, "S %s %d\n", id, lc->idx);
				n_submitted++;
				n_acked_jobs++;
			} else {
				fprintf(journal, "X S - %s\n", code);
				n_refused++;
			}
			continue;
		}
		struct ljob *j = &lc->jobs[rq->job[i]];
		j->busy = false;
		if (!ok) {
			fprintf(journal, "X %c %s %s\n", op_letter[rq->op], j->id, code);
			n_refused++;
			continue;
		}
		switch (rq->op) {
		case OP_DELETE:
			fprintf(journal, "D %s\n", j->id);
			j->deleted = true;
			drop_live(lc, rq->job[i]);
			n_deleted++;
			break;
		case OP_HOLD:
			fprintf(journal, "H %s\n", j->id);
			n_held++;
			break;
		case OP_RELEASE:
			fprintf(journal, "L %s\n", j->id);
			n_released++;
			break;
		case OP_ALTER:
			fprintf(journal, "A %s %s %s\n", j->id, alter_attrs[rq->attr[i]],
				rq->val[i]);
			n_altered++;
			break;
		default:
			break;
		}
	}
	fflush(journal);
	q_remove(lc, rq);
}

/* The requests never answered: in doubt. */
static long journal_in_doubt(struct lconn *lc)
{
	long n = 0, subs = 0;
	for (size_t k = 0; k < lc->qn; k++) {
		struct req *rq = &lc->q[(lc->qhead + k) % lc->qcap];
		n++;
		if (rq->op == OP_SUBMIT) {
			subs += rq->n;
			continue;
		}
		for (int i = 0; i < rq->n; i++) {
			const char *id = lc->jobs[rq->job[i]].id;
			if (rq->op == OP_ALTER)
				fprintf(journal, "U A %s %s %s\n", id, alter_attrs[rq->attr[i]],
					rq->val[i]);
			else
				fprintf(journal, "U %c %s\n", op_letter[rq->op], id);
		}
	}
	if (subs)
		fprintf(journal, "U S %ld\n", subs);
	return n;
}

static int run_load(const char *jpath, int nconns, long window, long batch, long max_submit,
		    double max_seconds)
{
	journal = fopen(jpath, "a");
	if (!journal) {
		perror(jpath);
		return 2;
	}
	fprintf(journal, "R %d\n", round_no);
	fflush(journal);
	struct lconn *lcs = xcalloc((size_t)nconns, sizeof *lcs);
	corral_error_t err = {0};
	const char *why = "connection dropped";
	int connected = 0;
	for (int i = 0; i < nconns; i++) {
		lcs[i].idx = i;
		lcs[i].c = corral_connect(NULL, "crashload", &err);
		if (!lcs[i].c) {
			why = err.text;
			break;
		}
		connected++;
	}
	double t0 = corral_now();
	bool running = connected == nconns;
	while (running) {
		for (int i = 0; i < nconns && running; i++) {
			struct lconn *lc = &lcs[i];
			while (lc->qn < (size_t)window) {
				size_t before = lc->qn;
				if (send_one(lc, batch, max_submit, &err) < 0) {
					why = err.text;
					running = false;
					break;
				}
				if (lc->qn == before)
					break; /* nothing to do */
			}
			if (running && corral_flush(lc->c, &err) < 0) {
				why = err.text;
				running = false;
			}
		}
		if (!running)
			break;
		if (max_seconds > 0 && corral_now() - t0 > max_seconds) {
			why = "time limit";
			break;
		}
		struct pollfd pfd[MAX_CONNS];
		for (int i = 0; i < nconns; i++)
			pfd[i] = (struct pollfd){.fd = corral_conn_fd(lcs[i].c), .events = POLLIN};
		int pr = poll(pfd, (nfds_t)nconns, 1000);
		if (pr < 0 && errno != EINTR) {
			why = "poll failed";
			break;
		}
		for (int i = 0; i < nconns && running; i++) {
			if (!pfd[i].revents)
				continue;
			for (;;) { /* every whole reply read so far */
				json_t *rep = corral_recv(lcs[i].c, 0, &err);
				if (!rep) {
					if (err.code != ETIMEDOUT) {
						why = err.text;
						running = false;
					}
					break;
				}
				on_reply(&lcs[i], rep);
				json_decref(rep);
			}
		}
	}
	long doubt = 0;
	for (int i = 0; i < connected; i++)
		doubt += journal_in_doubt(&lcs[i]);
	fclose(journal);
	double dt = corral_now() - t0;
	printf("{\"round\":%d,\"conns\":%d,\"requests\":%ld,\"jobs\":%ld,\"deleted\":%ld,"
	       "\"held\":%ld,\"released\":%ld,\"altered\":%ld,\"refused\":%ld,"
	       "\"in_doubt\":%ld,\"seconds\":%.3f}\n",
	       round_no, connected, n_requests, n_acked_jobs, n_deleted, n_held, n_released,
	       n_altered, n_refused, doubt, dt);
	fprintf(stderr, "crashload: round %d ends: %s\n", round_no, why);
	for (int i = 0; i < connected; i++) {
		corral_close(lcs[i].c);
		for (size_t k = 0; k < lcs[i].njobs; k++)
			free(lcs[i].jobs[k].id);
		free(lcs[i].jobs);
		free(lcs[i].live);
		free(lcs[i].q);
	}
	free(lcs);
	return 0;
}

/* ---- check -------------------------------------------------------------- */

struct xjob {
	char *id;
	int64_t seq;
	bool held, deleted, seen;
	char *val[NATTRS]; /* last acknowledged value, NULL: never altered */
	char doubt;	   /* 0, or the letter of the operation in doubt */
	int doubt_attr;
	char *doubt_val;
};

static struct xjob *xjobs;
static size_t nx, capx;
static json_t *xindex; /* id -> index in xjobs */
static long problems;

static void problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void problem(const char *fmt, ...)
{
	problems++;
	if (problems > 30)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "crashload: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static struct xjob *xfind(const char *id)
{
	json_t *v = json_object_get(xindex, id);
	return v ? &xjobs[json_integer_value(v)] : NULL;
}

static int attr_index(const char *name)
{
	for (int a = 0; a < NATTRS; a++)
		if (!strcmp(alter_attrs[a], name))
			return a;
	return -1;
}

/* Does the job as stat'ed match x, with its operation in doubt applied
 * or not?  why gets the first difference. */
static bool matches(const struct xjob *x, json_t *attrs, bool apply, char *why, size_t n)
{
	bool deleted = x->deleted, held = x->held;
	const char *val[NATTRS];
	for (int a = 0; a < NATTRS; a++)
		val[a] = x->val[a];
	if (apply) {
		switch (x->doubt) {
		case 'D':
			deleted = true;
			break;
		case 'H':
			held = true;
			break;
		case 'L':
			held = false;
			break;
		case 'A':
			val[x->doubt_attr] = x->doubt_val;
			break;
		default:
			break;
		}
	}
	const char *st = json_string_value(json_object_get(attrs, "job_state"));
	const char *want = deleted ? "F" : held ? "H" : "Q";
	if (!st || strcmp(st, want) != 0) {
		snprintf(why, n, "job_state %s, want %s", st ? st : "(none)", want);
		return false;
	}
	const char *ht = json_string_value(json_object_get(attrs, "Hold_Types"));
	if (!ht || strcmp(ht, held ? "u" : "n") != 0) {
		snprintf(why, n, "Hold_Types %s, want %s", ht ? ht : "(none)", held ? "u" : "n");
		return false;
	}
	for (int a = 0; a < NATTRS; a++) {
		if (!val[a])
			continue;
		const char *v = json_string_value(json_object_get(attrs, alter_attrs[a]));
		if (!v || strcmp(v, val[a]) != 0) {
			snprintf(why, n, "%s %s, want %s", alter_attrs[a], v ? v : "(none)",
				 val[a]);
			return false;
		}
	}
	return true;
}

static int run_check(const char *jpath)
{
	FILE *f = fopen(jpath, "r");
	if (!f) {
		perror(jpath);
		return 2;
	}
	xindex = json_object();
	char line[512];
	long lineno = 0, rounds = 0, doubt_subs = 0, refused = 0, ndoubt = 0;
	int64_t prev_max = -1, cur_max = -1, last_per_conn[MAX_CONNS];
	int cur_round = -1;
	for (int i = 0; i < MAX_CONNS; i++)
		last_per_conn[i] = -1;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		char *tok[5] = {0};
		int nt = 0;
		for (char *save = NULL, *t = strtok_r(line, " ", &save); t && nt < 5;
		     t = strtok_r(NULL, " ", &save))
			tok[nt++] = t;
		if (nt == 0)
			continue;
		char kind = tok[0][0];
		if (kind == 'R' && nt >= 2) {
			rounds++;
			cur_round = atoi(tok[1]);
			if (cur_max > prev_max)
				prev_max = cur_max;
			for (int i = 0; i < MAX_CONNS; i++)
				last_per_conn[i] = -1;
			continue;
		}
		if (kind == 'X') {
			refused++;
			problem("round %d: a request was refused: %s %s %s", cur_round,
				nt > 1 ? tok[1] : "?", nt > 2 ? tok[2] : "?",
				nt > 3 ? tok[3] : "?");
			continue;
		}
		if (kind == 'S' && nt >= 3) {
			int64_t seq = atoll(tok[1]);
			int conn = atoi(tok[2]);
			if (xfind(tok[1])) {
				problem("job id %s acknowledged twice (reused)", tok[1]);
				continue;
			}
			if (seq <= prev_max)
				problem(
				    "round %d: job id %s is not above the ids of earlier rounds "
				    "(max %lld)",
				    cur_round, tok[1], (long long)prev_max);
			if (conn >= 0 && conn < MAX_CONNS) {
				if (seq <= last_per_conn[conn])
					problem(
					    "round %d: job id %s after %lld on the same connection",
					    cur_round, tok[1], (long long)last_per_conn[conn]);
				last_per_conn[conn] = seq;
			}
			if (seq > cur_max)
				cur_max = seq;
			if (nx == capx) {
				capx = capx ? 2 * capx : 4096;
				xjobs = xrealloc(xjobs, capx * sizeof *xjobs);
			}
			xjobs[nx] = (struct xjob){.id = xstrdup(tok[1]), .seq = seq};
			json_object_set_new(xindex, tok[1], json_integer((json_int_t)nx));
			nx++;
			continue;
		}
		bool doubt = kind == 'U';
		char *const *t = doubt ? tok + 1 : tok;
		int tn = doubt ? nt - 1 : nt;
		if (tn < 2) {
			problem("journal line %ld unreadable", lineno);
			continue;
		}
		char op = t[0][0];
		if (doubt && op == 'S') {
			doubt_subs += atol(t[1]);
			continue;
		}
		struct xjob *x = xfind(t[1]);
		if (!x) {
			problem("journal line %ld names job %s never submitted", lineno, t[1]);
			continue;
		}
		if (x->doubt)
			problem("job %s: an operation after one in doubt", x->id);
		if (doubt) {
			ndoubt++;
			x->doubt = op;
			if (op == 'A' && tn >= 4) {
				x->doubt_attr = attr_index(t[2]);
				x->doubt_val = xstrdup(t[3]);
				if (x->doubt_attr < 0)
					x->doubt = 0;
			}
			continue;
		}
		if (x->deleted)
			problem("job %s: acknowledged %c after its deletion", x->id, op);
		switch (op) {
		case 'D':
			x->deleted = true;
			break;
		case 'H':
			x->held = true;
			break;
		case 'L':
			x->held = false;
			break;
		case 'A': {
			int a = tn >= 4 ? attr_index(t[2]) : -1;
			if (a < 0) {
				problem("journal line %ld unreadable", lineno);
				break;
			}
			free(x->val[a]);
			x->val[a] = xstrdup(t[3]);
			break;
		}
		default:
			problem("journal line %ld unreadable", lineno);
			break;
		}
	}
	fclose(f);

	corral_error_t err = {0};
	corral_conn_t *c = corral_connect(NULL, "crashload", &err);
	if (!c) {
		fprintf(stderr, "crashload: %s\n", err.text);
		return 2;
	}
	json_t *req =
	    json_pack("{s:s,s:b,s:[s,s,s,s,s]}", "op", "job.stat", "history", 1, "attrs",
		      "job_state", "Hold_Types", alter_attrs[0], alter_attrs[1], alter_attrs[2]);
	json_t *rep = corral_rpc(c, req, &err, NULL);
	json_decref(req);
	if (!rep) {
		fprintf(stderr, "crashload: job.stat: %s\n", err.text);
		return 2;
	}
	long present = 0, extra = 0, lost = 0, wrong = 0, n_del = 0, n_held = 0, n_alt = 0;
	size_t i;
	json_t *jj;
	json_array_foreach(json_object_get(rep, "jobs"), i, jj)
	{
		const char *id = json_string_value(json_object_get(jj, "id"));
		json_t *attrs = json_object_get(jj, "attrs");
		struct xjob *x = id ? xfind(id) : NULL;
		present++;
		if (!x) {
			extra++;
			continue;
		}
		x->seen = true;
		char why[200], why2[200] = "";
		if (matches(x, attrs, false, why, sizeof why) ||
		    (x->doubt && matches(x, attrs, true, why2, sizeof why2)))
			continue;
		wrong++;
		if (x->deleted)
			problem("job %s was acknowledged as deleted but came back: %s", x->id, why);
		else
			problem("job %s is not in its last acknowledged state: %s%s%s", x->id, why,
				x->doubt ? "; with the operation in doubt: " : "", why2);
	}
	for (size_t k = 0; k < nx; k++) {
		struct xjob *x = &xjobs[k];
		if (!x->seen) {
			lost++;
			problem("acknowledged job %s is missing", x->id);
		}
		n_del += x->deleted;
		n_held += x->held && !x->deleted;
		for (int a = 0; a < NATTRS; a++)
			if (x->val[a]) {
				n_alt++;
				break;
			}
	}
	if (extra > doubt_subs)
		problem("%ld jobs present that were never acknowledged, but only %ld submissions "
			"were in doubt",
			extra, doubt_subs);
	printf(
	    "{\"rounds\":%ld,\"acked_jobs\":%zu,\"present\":%ld,\"deleted\":%ld,\"held\":%ld,"
	    "\"altered\":%ld,\"ops_in_doubt\":%ld,\"submits_in_doubt\":%ld,\"unacked_present\":%ld,"
	    "\"lost\":%ld,\"wrong_state\":%ld,\"refused\":%ld,\"problems\":%ld}\n",
	    rounds, nx, present, n_del, n_held, n_alt, ndoubt, doubt_subs, extra, lost, wrong,
	    refused, problems);
	json_decref(rep);
	corral_close(c);
	for (size_t k = 0; k < nx; k++) {
		free(xjobs[k].id);
		for (int a = 0; a < NATTRS; a++)
			free(xjobs[k].val[a]);
		free(xjobs[k].doubt_val);
	}
	free(xjobs);
	json_decref(xindex);
	return problems ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *jpath = NULL, *check = NULL;
	long conns = 4, window = 8, batch = 4, max_submit = 3000;
	double max_seconds = 0;
	uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v)
			die("%s needs a value", a);
		if (!strcmp(a, "--journal"))
			jpath = v;
		else if (!strcmp(a, "--check"))
			check = v;
		else if (!strcmp(a, "--round"))
			round_no = atoi(v);
		else if (!strcmp(a, "--conns"))
			conns = atol(v);
		else if (!strcmp(a, "--window"))
			window = atol(v);
		else if (!strcmp(a, "--batch"))
			batch = atol(v);
		else if (!strcmp(a, "--max-submit"))
			max_submit = atol(v);
		else if (!strcmp(a, "--max-seconds"))
			max_seconds = atof(v);
		else if (!strcmp(a, "--seed"))
			seed = strtoull(v, NULL, 10);
		else
			die("unknown option %s", a);
		i++;
	}
	rng_state = seed ? seed : 88172645463325252ull;
	if (check)
		return run_check(check);
	if (!jpath)
		die("%s", "--journal FILE or --check FILE");
	if (conns < 1 || conns > MAX_CONNS || window < 1 || batch < 1 || max_submit < 0)
		die("%s", "bad numbers");
	return run_load(jpath, (int)conns, window, batch, max_submit, max_seconds);
}
