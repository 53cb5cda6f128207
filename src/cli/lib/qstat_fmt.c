/* qstat_fmt.c - qstat's output shapes; see qstat_fmt.h.
 *
 * Column widths, truncation and wrapping follow OpenPBS src/cmds/qstat.c
 * (display_statjob, altdsp_statjob, display_statque, display_statserver,
 * altdsp_statque, prt_attr, prt_nodes) so that scripts which cut qstat
 * output by column keep working.  Where PBS reads past a string or prints
 * invalid JSON we do the sensible thing instead.
 */
#include "src/cli/lib/qstat_fmt.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/cli/lib/cli.h"
#include "src/common/buf.h"

#define TRUNC_CHAR '*'
#define LINE_LIMIT 78 /* PBS CHAR_LINE_LIMIT for -f */

const char *qstat_attr(const json_t *attrs, const char *name)
{
	return json_string_value(json_object_get(attrs, name));
}

const char *qstat_kv_get(const struct qstat_kv *kv, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(kv[i].name, name) == 0)
			return kv[i].value;
	return NULL;
}

/* The attributes of one object, either as a jansson object or as the
 * name/value array of the fast job-list scanner. */
struct view {
	const json_t *obj;
	const struct qstat_kv *kv;
	size_t n;
};

static const char *vget(const struct view *v, const char *name)
{
	return v->kv ? qstat_kv_get(v->kv, v->n, name) : qstat_attr(v->obj, name);
}

char *qstat_trunc(const char *v, size_t width, char *buf)
{
	if (!v)
		v = "";
	size_t l = strlen(v);
	if (l > width && width > 0) {
		memcpy(buf, v, width - 1);
		buf[width - 1] = TRUNC_CHAR;
		buf[width] = '\0';
	} else {
		memcpy(buf, v, l + 1);
	}
	return buf;
}

/* Copy v up to (not including) the first stop character. */
static char *cut_at(const char *v, int stop, char *buf, size_t n)
{
	if (!v)
		v = "";
	const char *e = strchr(v, stop);
	size_t l = e ? (size_t)(e - v) : strlen(v);
	if (l >= n)
		l = n - 1;
	memcpy(buf, v, l);
	buf[l] = '\0';
	return buf;
}

/* ---- default job table ---------------------------------------------- */

void qstat_job_header(FILE *out, unsigned flags)
{
	bool wide = flags & QSTAT_TBL_WIDE, incr = flags & QSTAT_TBL_INCR;
	if (flags & QSTAT_TBL_PERCENT) {
		if (wide) {
			fputs("Job id                         Name            User              % "
			      "done  S Queue\n"
			      "-----------------------------  --------------- ---------------  "
			      "-------- - ---------------\n",
			      out);
		} else if (incr) {
			fputs("Job id                 Name             User               % done  "
			      "S Queue\n"
			      "---------------------  ---------------- ----------------  -------- "
			      "- -----\n",
			      out);
		} else {
			fputs("Job id            Name             User               % done  S "
			      "Queue\n"
			      "----------------  ---------------- ----------------  -------- - "
			      "-----\n",
			      out);
		}
		return;
	}
	if (wide) {
		fputs("Job id                         Name            User             Time Use S "
		      "Queue\n"
		      "-----------------------------  --------------- ---------------  -------- - "
		      "---------------\n",
		      out);
	} else if (incr) {
		fputs(
		    "Job id                 Name             User              Time Use S Queue\n"
		    "---------------------  ---------------- ----------------  -------- - -----\n",
		    out);
	} else {
		fputs("Job id            Name             User              Time Use S Queue\n"
		      "----------------  ---------------- ----------------  -------- - -----\n",
		      out);
	}
}

/* "[[h:]m:]s" -> seconds, as PBS cvt_time_to_seconds. */
static long hms_seconds(const char *ts)
{
	long rv = 0;
	const char *p = ts;
	for (;;) {
		const char *colon = strchr(p, ':');
		if (!colon)
			break;
		rv = rv * 60 + atol(p);
		p = colon + 1;
	}
	return rv * 60 + atol(p);
}

static char *percent(const struct view *a)
{
	const char *state = vget(a, "job_state");
	const char *timeu = vget(a, "resources_used.cput");
	const char *timer = vget(a, "Resource_List.cput");
	const char *wtimu = vget(a, "resources_used.walltime");
	const char *wtimr = vget(a, "Resource_List.walltime");
	const char *arsct = vget(a, "array_state_count");
	if (!timeu)
		timeu = "0";
	if (state && (*state == 'Q' || *state == 'T' || *state == 'W'))
		return xstrdup("-- ");
	if (state && *state == 'X')
		return xstrdup("100");
	if (arsct) {
		int qu = 0, ru = 0, ex = 0, ep = 0;
		sscanf(arsct, "Queued:%d Running:%d Exiting:%d Expired:%d", &qu, &ru, &ex, &ep);
		long bot = (long)qu + ru + ex + ep;
		if (bot != 0) {
			long perc = (long)ep * 100 / bot;
			if (perc >= 0 && perc < 1000)
				return xasprintf("%3ld ", perc);
		}
		return xstrdup("-- ");
	}
	long perccpu = -1, percwal = -1;
	if (timer) {
		long bot = hms_seconds(timer);
		if (bot != 0)
			perccpu = hms_seconds(timeu) * 100 / bot;
	}
	if (wtimr && wtimu) {
		long bot = hms_seconds(wtimr);
		if (bot != 0)
			percwal = hms_seconds(wtimu) * 100 / bot;
	}
	if (perccpu != -1 || percwal != -1)
		return xasprintf("%3ld ", perccpu > percwal ? perccpu : percwal);
	return xstrdup("-- ");
}

char *qstat_percent(const json_t *attrs)
{
	struct view v = {.obj = attrs};
	return percent(&v);
}

/* Append s padded with blanks to width (left-aligned, or right-aligned
 * when !left), never cut; at most 64 characters of s. */
static char *pad(char *w, const char *s, int width, bool left)
{
	size_t l = strlen(s);
	if (l > 64)
		l = 64;
	int fill = width > (int)l ? width - (int)l : 0;
	if (!left) {
		memset(w, ' ', (size_t)fill);
		w += fill;
	}
	memcpy(w, s, l);
	w += l;
	if (left) {
		memset(w, ' ', (size_t)fill);
		w += fill;
	}
	return w;
}

static void job_row(FILE *out, const char *id, const struct view *a, unsigned flags)
{
	bool wide = flags & QSTAT_TBL_WIDE, incr = flags & QSTAT_TBL_INCR;
	int idw = wide ? 30 : incr ? 22 : 17;
	int namew = wide ? 15 : 16;
	int userw = wide ? 15 : 16;
	int queuew = wide ? 15 : 16;
	char idcut[256], idbuf[256], name[64], owner[256], user[64], timeu[16], state[8], qcut[256],
	    queue[64];

	/* the id up to the end of the server name's first component */
	if (!id)
		id = "";
	const char *dot = strchr(id, '.');
	size_t l = strlen(id);
	if (dot) {
		const char *dot2 = strchr(dot + 1, '.');
		if (dot2)
			l = (size_t)(dot2 - id);
	}
	if (l >= sizeof idcut)
		l = sizeof idcut - 1;
	memcpy(idcut, id, l);
	idcut[l] = '\0';
	qstat_trunc(idcut, (size_t)idw, idbuf);

	/* the job name is cut at >= the width (PBS: l >= NAMEL) */
	const char *jn = vget(a, "Job_Name");
	if (!jn)
		jn = "";
	if (strlen(jn) >= (size_t)namew)
		snprintf(name, sizeof name, "%.*s%c", namew - 1, jn, TRUNC_CHAR);
	else
		snprintf(name, sizeof name, "%s", jn);

	qstat_trunc(cut_at(vget(a, "Job_Owner"), '@', owner, sizeof owner), (size_t)userw, user);
	const char *tu = vget(a, "resources_used.cput");
	qstat_trunc(tu ? tu : "0", 8, timeu);
	qstat_trunc(vget(a, "job_state"), 1, state);
	qstat_trunc(cut_at(vget(a, "queue"), '@', qcut, sizeof qcut), (size_t)queuew, queue);

	/* "%-*s %-*s %-*s  %8s %1s %-*s\n" assembled by hand: this runs once
	 * per job and fprintf's format parsing would be most of qstat's own
	 * time with 100,000 jobs */
	char line[256], *w = line;
	char *pc = (flags & QSTAT_TBL_PERCENT) ? percent(a) : NULL;
	w = pad(w, idbuf, idw, true);
	*w++ = ' ';
	w = pad(w, name, namew, true);
	*w++ = ' ';
	w = pad(w, user, userw, true);
	*w++ = ' ';
	*w++ = ' ';
	w = pad(w, pc ? pc : timeu, 8, false);
	*w++ = ' ';
	w = pad(w, state, 1, false);
	*w++ = ' ';
	w = pad(w, queue, queuew, true);
	*w++ = '\n';
	fwrite(line, 1, (size_t)(w - line), out);
	free(pc);
}

void qstat_job_row(FILE *out, const char *id, const json_t *attrs, unsigned flags)
{
	struct view v = {.obj = attrs};
	job_row(out, id, &v, flags);
}

void qstat_job_row_kv(FILE *out, const char *id, const struct qstat_kv *kv, size_t n,
		      unsigned flags)
{
	struct view v = {.kv = kv, .n = n};
	job_row(out, id, &v, flags);
}

/* ---- alternate job display ------------------------------------------ */

#define ALT_BLANK " -- "

/* widths: normal, wide */
#define SIZEJOBID 15
#define SIZEJOBID_INCR 20
#define SIZEJOBNAME 10
#define SIZEQUEUENAME 8
#define SIZESESSID 6
#define SIZENDS 3
#define SIZETSK 3
#define SIZEUSER 8
#define SIZEJOBID_W 30
#define SIZEJOBNAME_W 15
#define SIZESESSID_W 8
#define SIZENDS_W 4
#define SIZETSK_W 5
#define SIZEUSER_W 15
#define MAXQUEUENAME 15

static const char STR_DASH[] =
    "--------------------------------------------------------------------------------";
static const char STR_SPACE[] =
    "                                                                                ";

void qstat_alt_header(FILE *out, const char *server, const char *comment, unsigned flags)
{
	fprintf(out, "\n%s: ", server ? server : "");
	if (comment)
		fputs(comment, out);
	if (flags & QSTAT_ALT_WIDE) {
		fputc('\n', out);
		fprintf(out, "%*.*s %*.*s %*.*s %*.*s %*.*s %*.*s %*.*s ", SIZEJOBID_W, SIZEJOBID_W,
			STR_SPACE, SIZEUSER_W, SIZEUSER_W, STR_SPACE, MAXQUEUENAME, MAXQUEUENAME,
			STR_SPACE, SIZEJOBNAME_W, SIZEJOBNAME_W, STR_SPACE, SIZESESSID_W,
			SIZESESSID_W, STR_SPACE, SIZENDS_W, SIZENDS_W, STR_SPACE, SIZETSK_W,
			SIZETSK_W, STR_SPACE);
		fputs("Req'd  Req'd   Elap\n", out);
		fprintf(out, "%-*.*s %-*.*s %-*.*s %-*.*s %-*.*s %-*.*s %-*.*s ", SIZEJOBID_W,
			SIZEJOBID_W, "Job ID", SIZEUSER_W, SIZEUSER_W, "Username", MAXQUEUENAME,
			MAXQUEUENAME, "Queue", SIZEJOBNAME_W, SIZEJOBNAME_W, "Jobname",
			SIZESESSID_W, SIZESESSID_W, "SessID", SIZENDS_W, SIZENDS_W, "NDS",
			SIZETSK_W, SIZETSK_W, "TSK");
		fputs("Memory Time  S Time\n", out);
		fprintf(out, "%-*.*s %-*.*s %-*.*s %-*.*s %-*.*s %-*.*s %-*.*s ", SIZEJOBID_W,
			SIZEJOBID_W, STR_DASH, SIZEUSER_W, SIZEUSER_W, STR_DASH, MAXQUEUENAME,
			MAXQUEUENAME, STR_DASH, SIZEJOBNAME_W, SIZEJOBNAME_W, STR_DASH,
			SIZESESSID_W, SIZESESSID_W, STR_DASH, SIZENDS_W, SIZENDS_W, STR_DASH,
			SIZETSK_W, SIZETSK_W, STR_DASH);
		fputs("------ ----- - -----\n", out);
	} else if (flags & QSTAT_ALT_INCR) {
		fprintf(out, "\n%65s%-7s%-8s%s\n", " ", "Req'd", "Req'd", "Elap");
		fputs("Job ID               Username Queue    Jobname    SessID NDS TSK Memory "
		      "Time  S Time\n"
		      "-------------------- -------- -------- ---------- ------ --- --- ------ "
		      "----- - -----\n",
		      out);
	} else {
		fprintf(out, "\n%60s%-7s%-8s%s\n", " ", "Req'd", "Req'd", "Elap");
		fputs("Job ID          Username Queue    Jobname    SessID NDS TSK Memory Time  S "
		      "Time\n"
		      "--------------- -------- -------- ---------- ------ --- --- ------ ----- - "
		      "-----\n",
		      out);
	}
}

char *qstat_cnv_size(const char *value, unsigned flags, char *buf, size_t n)
{
	static const int shift[5][5] = {
	    {0, 10, 20, 30, 40},    {-10, 0, 10, 20, 30},    {-20, -10, 0, 10, 20},
	    {-30, -20, -10, 0, 10}, {-40, -30, -20, -10, 0},
	};
	static const char letters[] = " kmgtp?";
	char *pc;
	unsigned long nval = strtoul(value, &pc, 10);
	int in = 0, out;
	char suffix2 = 'b';

	switch (*pc) {
	case 'k':
		in = 1;
		break;
	case 'm':
		in = 2;
		break;
	case 'g':
		in = 3;
		break;
	case 't':
		in = 4;
		break;
	default:
		in = 0;
		break;
	}
	if (*pc == 'w' || (*pc && pc[1] == 'w')) {
		nval <<= 3;
		suffix2 = 'w';
	}
	if (flags & QSTAT_ALT_MW) {
		out = 2;
		suffix2 = 'w';
	} else if (flags & QSTAT_ALT_GB) {
		out = 3;
		suffix2 = 'b';
	} else {
		out = in;
	}
	int sft = shift[out][in];
	if (sft < 0) {
		nval += (1UL << -sft) - 1; /* round up */
		nval >>= -sft;
	} else if (sft > 0) {
		nval <<= sft;
	}
	if (suffix2 == 'w')
		nval = (nval + 7) >> 3;
	while (nval > 9999 && out < 6) {
		nval = (nval + 1023) >> 10;
		out++;
	}
	snprintf(buf, n, "%lu%c%c", nval, letters[out], suffix2);
	return buf;
}

void qstat_print_nodes(FILE *out, const char *nodes, bool oneline)
{
	char line[LINE_LIMIT + 1];
	int i = 0;

	if (!nodes || !*nodes)
		return;
	char *rest = xstrdup(nodes), *save = NULL;
	for (char *tok = strtok_r(rest, "+", &save); tok; tok = strtok_r(NULL, "+", &save)) {
		/* host part (before '/') without its domain, unless an IPv4
		 * address; then the "/T*P" chunk unchanged */
		const char *slash = strchr(tok, '/');
		size_t hl = slash ? (size_t)(slash - tok) : strlen(tok);
		bool ip = hl > 0;
		for (size_t k = 0; k < hl; k++)
			if (!isdigit((unsigned char)tok[k]) && tok[k] != '.')
				ip = false;
		size_t keep = hl;
		if (!ip) {
			const char *d = memchr(tok, '.', hl);
			if (d)
				keep = (size_t)(d - tok);
		}
		char *node = xasprintf("%.*s%s", (int)keep, tok, tok + hl);
		int len = (int)strlen(node);
		if (i + len < LINE_LIMIT - 1) {
			memcpy(line + i, node, (size_t)len);
			i += len;
			line[i++] = '+';
		} else {
			line[i] = '\0';
			fprintf(out, oneline ? "%s" : "   %s\n", line);
			if (len > LINE_LIMIT - 1)
				len = LINE_LIMIT - 1;
			memcpy(line, node, (size_t)len);
			i = len;
			line[i++] = '+';
		}
		free(node);
	}
	free(rest);
	if (i > 0) {
		line[--i] = '\0';
		fprintf(out, oneline ? "%s\n" : "   %s\n", line);
	} else if (oneline) {
		fputc('\n', out);
	}
}

static void alt_row(FILE *out, const char *id, const struct view *a, unsigned flags)
{
	bool wide = flags & QSTAT_ALT_WIDE;
	char idb[64], userb[64], ownerb[256], queueb[64], qcut[256], jobnb[64], sessb[16], ndsb[16],
	    tskb[16], rqmem[32], commentb[128];
	const char *v;

	const char *usern = ALT_BLANK, *queuen = ALT_BLANK, *jobn = ALT_BLANK, *sess = ALT_BLANK,
		   *nodect = ALT_BLANK, *tasks = ALT_BLANK, *rqtimecpu = ALT_BLANK,
		   *rqtimewal = ALT_BLANK, *eltimecpu = ALT_BLANK, *eltimewal = ALT_BLANK,
		   *jstate = ALT_BLANK, *comment = ALT_BLANK, *exechost = ALT_BLANK;
	bool usecput = false;
	snprintf(rqmem, sizeof rqmem, "%s", ALT_BLANK);

	if ((v = vget(a, "Job_Name")))
		jobn = qstat_trunc(v, wide ? SIZEJOBNAME_W : SIZEJOBNAME, jobnb);
	if ((v = vget(a, "Job_Owner")))
		usern = qstat_trunc(cut_at(v, '@', ownerb, sizeof ownerb),
				    wide ? SIZEUSER_W : SIZEUSER, userb);
	if ((v = vget(a, "job_state")))
		jstate = v;
	if ((v = vget(a, "queue")))
		queuen = qstat_trunc(cut_at(v, '@', qcut, sizeof qcut),
				     wide ? MAXQUEUENAME : SIZEQUEUENAME, queueb);
	if ((v = vget(a, "session_id")))
		sess = qstat_trunc(v, wide ? SIZESESSID_W : SIZESESSID, sessb);
	if ((v = vget(a, "Resource_List.nodect")))
		nodect = qstat_trunc(v, wide ? SIZENDS_W : SIZENDS, ndsb);
	if ((v = vget(a, "Resource_List.ncpus")) && strcmp(v, "0") != 0)
		tasks = qstat_trunc(v, wide ? SIZETSK_W : SIZETSK, tskb);
	if ((v = vget(a, "Resource_List.mem")))
		qstat_cnv_size(v, flags, rqmem, sizeof rqmem);
	if ((v = vget(a, "Resource_List.walltime")))
		rqtimewal = v;
	if ((v = vget(a, "Resource_List.cput"))) {
		rqtimecpu = v;
		usecput = true;
	}
	if ((v = vget(a, "exec_host")))
		exechost = v;
	if ((v = vget(a, "resources_used.walltime")))
		eltimewal = v;
	if ((v = vget(a, "resources_used.cput")))
		eltimecpu = v;
	if ((v = vget(a, "comment"))) {
		/* 3 spaces each side: 74 characters fit (114 wide) */
		size_t scope = wide ? 114 : 74, keep = wide ? 110 : 70;
		if (strlen(v) > scope) {
			snprintf(commentb, sizeof commentb, "%.*s...", (int)keep, v);
			comment = commentb;
		} else {
			comment = v;
		}
	}
	const char *timeval = usecput ? eltimecpu : eltimewal;
	int idw = wide ? SIZEJOBID_W : (flags & QSTAT_ALT_INCR) ? SIZEJOBID_INCR : SIZEJOBID;
	qstat_trunc(id, (size_t)idw, idb);

	if (wide) {
		fprintf(out, "%-*.*s %-*.*s %-*.*s %-*.*s %*.*s %*.*s %*.*s ", SIZEJOBID_W,
			SIZEJOBID_W, idb, SIZEUSER_W, SIZEUSER_W, usern, MAXQUEUENAME, MAXQUEUENAME,
			queuen, SIZEJOBNAME_W, SIZEJOBNAME_W, jobn, SIZESESSID_W, SIZESESSID_W,
			sess, SIZENDS_W, SIZENDS_W, nodect, SIZETSK_W, SIZETSK_W, tasks);
		fprintf(out, "%6.6s %5.5s %1s %5.5s", rqmem, usecput ? rqtimecpu : rqtimewal,
			jstate, timeval);
	} else {
		fprintf(out, "%-*.*s %-*.*s %-*.*s ", idw, idw, idb, SIZEUSER, SIZEUSER, usern,
			SIZEQUEUENAME, SIZEQUEUENAME, queuen);
		fprintf(out, "%-*.*s %*.*s %*.*s %*.*s ", SIZEJOBNAME, SIZEJOBNAME, jobn,
			SIZESESSID, SIZESESSID, sess, SIZENDS, SIZENDS, nodect, SIZETSK, SIZETSK,
			tasks);
		fprintf(out, "%6.6s %5.5s %1.1s %5.5s", rqmem, usecput ? rqtimecpu : rqtimewal,
			jstate, timeval);
	}
	fputc((flags & QSTAT_ALT_ONELINE) ? ' ' : '\n', out);
	if (flags & QSTAT_ALT_NODES)
		qstat_print_nodes(out, exechost, flags & QSTAT_ALT_ONELINE);
	if ((flags & QSTAT_ALT_COMMENT) && *comment)
		fprintf(out, "   %s\n", comment);
}

void qstat_alt_row(FILE *out, const char *id, const json_t *attrs, unsigned flags)
{
	struct view v = {.obj = attrs};
	alt_row(out, id, &v, flags);
}

void qstat_alt_row_kv(FILE *out, const char *id, const struct qstat_kv *kv, size_t n,
		      unsigned flags)
{
	struct view v = {.kv = kv, .n = n};
	alt_row(out, id, &v, flags);
}

/* ---- buffered output ------------------------------------------------ */

#define OUT_CHUNK ((size_t)1 << 20)

static void out_setup(struct qstat_out *o, FILE *f, char *buf, size_t cap)
{
	o->f = f;
	o->buf = buf;
	o->len = 0;
	o->cap = cap;
	o->failed = false;
}

void qstat_out_init(struct qstat_out *o, FILE *f)
{
	out_setup(o, f, xmalloc(OUT_CHUNK), OUT_CHUNK);
}

/* Hand the buffer to the FILE. */
static void out_drain(struct qstat_out *o)
{
	if (o->len > 0 && fwrite(o->buf, 1, o->len, o->f) != o->len)
		o->failed = true;
	o->len = 0;
}

int qstat_out_flush(struct qstat_out *o)
{
	out_drain(o);
	if (fflush(o->f) != 0)
		o->failed = true;
	return o->failed ? -EIO : 0;
}

int qstat_out_close(struct qstat_out *o)
{
	int rc = qstat_out_flush(o);
	free(o->buf);
	o->buf = NULL;
	o->cap = 0;
	return rc;
}

static inline void out_put(struct qstat_out *o, const void *p, size_t n)
{
	if (o->cap - o->len < n) {
		out_drain(o);
		if (n > o->cap) {
			if (fwrite(p, 1, n, o->f) != n)
				o->failed = true;
			return;
		}
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static inline void out_c(struct qstat_out *o, char c)
{
	if (o->len == o->cap)
		out_drain(o);
	o->buf[o->len++] = c;
}

static inline void out_s(struct qstat_out *o, const char *s) { out_put(o, s, strlen(s)); }

#define OUT_LIT(o, lit) out_put((o), (lit), sizeof(lit) - 1)

/* Room for n bytes at the buffer's end (the caller adds to o->len), or
 * NULL when n is more than the buffer holds. */
static inline char *out_room(struct qstat_out *o, size_t n)
{
	if (o->cap - o->len < n) {
		out_drain(o);
		if (n > o->cap)
			return NULL;
	}
	return o->buf + o->len;
}

/* The length of the leading run of p[0..n) that a JSON string holds as
 * it is: no '"', '\\', control character, nor (when ascii) byte >= 0x80.
 * Eight bytes at a time; most strings here are short and plain. */
#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

static inline uint64_t special8(uint64_t x, bool ascii)
{
	uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');
	uint64_t m = ((q - ONES) & ~q) | ((b - ONES) & ~b) | ((x - ONES * 0x20) & ~x);
	return (m | (ascii ? x : 0)) & HIGHS;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The last r (1..7) bytes as one word, the rest filled with 'a': loads of
 * fixed size, which the compiler turns into moves. */
static inline __attribute__((always_inline)) uint64_t load_tail(const char *q, size_t r)
{
	uint64_t x;
	if (r >= 4) {
		uint32_t a, b;
		memcpy(&a, q, 4);
		memcpy(&b, q + r - 4, 4);
		x = a | ((uint64_t)b << (8 * (r - 4)));
	} else {
		x = (unsigned char)q[0];
		x |= (uint64_t)(unsigned char)q[r >> 1] << (8 * (r >> 1));
		x |= (uint64_t)(unsigned char)q[r - 1] << (8 * (r - 1));
	}
	return x | ((ONES * 'a') << (8 * r));
}
#endif

static inline __attribute__((always_inline)) size_t plain_run(const char *p, size_t n, bool ascii)
{
	size_t i = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* the lowest flagged byte of special8 is exact; higher ones may not be */
	uint64_t x, m;
	for (; i + 8 <= n; i += 8) {
		memcpy(&x, p + i, 8);
		if ((m = special8(x, ascii)))
			return i + ((size_t)__builtin_ctzll(m) >> 3);
	}
	if (i < n) {
		x = load_tail(p + i, n - i);
		if ((m = special8(x, ascii)))
			return i + ((size_t)__builtin_ctzll(m) >> 3);
	}
	return n;
#else
	for (; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c < 0x20 || c == '"' || c == '\\' || (ascii && c >= 0x80))
			break;
	}
	return i;
#endif
}

struct qstat_kv *qstat_kv_from_json(const json_t *attrs, size_t *n)
{
	size_t k = 0;
	struct qstat_kv *kv = xmalloc((json_object_size(attrs) + 1) * sizeof *kv);
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)attrs, key, val)
	{
		if (!json_is_string(val))
			continue;
		kv[k].name = key;
		kv[k].value = json_string_value(val);
		k++;
	}
	*n = k;
	return kv;
}

/* ---- full display --------------------------------------------------- */

static void print_attr(struct qstat_out *o, const char *name, size_t nl, const char *value)
{
	int start = (int)nl + 7; /* 4 spaces + " = " */
	bool first = true;

	OUT_LIT(o, "    ");
	out_put(o, name, nl);
	OUT_LIT(o, " = ");
	if (!value)
		return;
	/* tokens between commas; empty ones vanish, as with strtok */
	const char *p = value;
	while (*p == ',')
		p++;
	while (*p) {
		const char *e = strchrnul(p, ',');
		int len = (int)(e - p);
		if (len + start < LINE_LIMIT) {
			out_put(o, p, (size_t)len);
			start += len;
		} else {
			if (!first) {
				OUT_LIT(o, "\n\t");
				start = 9; /* tab + 1 */
			}
			for (int k = 0; k < len; k++) {
				out_c(o, p[k]);
				if (++start > LINE_LIMIT) {
					start = 8; /* tab */
					OUT_LIT(o, "\n\t");
				}
			}
		}
		p = e;
		while (*p == ',')
			p++;
		if (*p) {
			first = false;
			out_c(o, ',');
		}
	}
}

void qstat_print_attr(FILE *out, const char *name, const char *value)
{
	char buf[4096];
	struct qstat_out o;
	out_setup(&o, out, buf, sizeof buf);
	print_attr(&o, name, strlen(name), value);
	out_drain(&o);
}

const char *qstat_obj_title(enum qstat_obj kind)
{
	switch (kind) {
	case QSTAT_QUEUE:
		return "Queue";
	case QSTAT_SERVER:
		return "Server";
	default:
		return "Job Id";
	}
}

const char *qstat_display_value(const char *name, const char *value, char *buf, size_t n)
{
	if (value && strcmp(name, "estimated.start_time") == 0 && strcmp(value, "0") == 0) {
		snprintf(buf, n, "UNKNOWN");
		return buf;
	}
	return cli_attr_display(name, value, buf, n);
}

/* qstat_display_value for the bulk formats.  Every name cli_attr_is_time
 * knows ends in "time", "Time" or "timestamp", so other names (most of
 * them) skip its list; the last few answers for the others are kept (a
 * job's times are mostly the same few seconds, converting them is most
 * of the cost). */
static const char *display_fast(const char *name, size_t l, const char *value, char *buf, size_t n)
{
	static struct {
		char name[32], value[24], text[40];
		bool asis; /* value is shown unchanged */
	} cache[16];
	bool maybe = (l >= 4 && (memcmp(name + l - 4, "time", 4) == 0 ||
				 memcmp(name + l - 4, "Time", 4) == 0)) ||
		     (l >= 9 && memcmp(name + l - 9, "timestamp", 9) == 0);
	if (!maybe || !value)
		return value;
	size_t vl = strlen(value);
	if (l >= sizeof cache[0].name || vl >= sizeof cache[0].value)
		return qstat_display_value(name, value, buf, n);
	unsigned h = (unsigned)l * 7 + (unsigned char)name[0];
	for (size_t i = 0; i < vl; i++)
		h = h * 33 + (unsigned char)value[i];
	h &= 15;
	if (strcmp(cache[h].value, value) != 0 || strcmp(cache[h].name, name) != 0) {
		const char *t =
		    qstat_display_value(name, value, cache[h].text, sizeof cache[h].text);
		cache[h].asis = t != cache[h].text;
		memcpy(cache[h].name, name, l + 1);
		memcpy(cache[h].value, value, vl + 1);
	}
	/* valid until the next call: callers use it at once */
	return cache[h].asis ? value : cache[h].text;
}

void qstat_full_kv(struct qstat_out *out, enum qstat_obj kind, const char *name,
		   const struct qstat_kv *kv, size_t n)
{
	char tbuf[64];
	out_s(out, qstat_obj_title(kind));
	OUT_LIT(out, ": ");
	out_s(out, name);
	out_c(out, '\n');
	for (size_t i = 0; i < n; i++) {
		size_t nl = strlen(kv[i].name);
		if (i > 0)
			out_c(out, '\n');
		print_attr(out, kv[i].name, nl,
			   display_fast(kv[i].name, nl, kv[i].value, tbuf, sizeof tbuf));
	}
	OUT_LIT(out, "\n\n");
}

void qstat_full(FILE *out, enum qstat_obj kind, const char *name, const json_t *attrs)
{
	char buf[8192];
	struct qstat_out o;
	size_t n;
	struct qstat_kv *kv = qstat_kv_from_json(attrs, &n);
	out_setup(&o, out, buf, sizeof buf);
	qstat_full_kv(&o, kind, name, kv, n);
	out_drain(&o);
	free(kv);
}

void qstat_dsv_kv(struct qstat_out *out, enum qstat_obj kind, const char *name,
		  const struct qstat_kv *kv, size_t n, const char *delim)
{
	char tbuf[64];
	bool special[256] = {false};
	size_t dl = strlen(delim);

	special['\\'] = special['\n'] = special['\f'] = special[0] = true;
	for (const char *d = delim; *d; d++)
		special[(unsigned char)*d] = true;
	out_s(out, qstat_obj_title(kind));
	OUT_LIT(out, ": ");
	out_s(out, name);
	out_put(out, delim, dl);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			out_put(out, delim, dl);
		size_t nl = strlen(kv[i].name);
		out_put(out, kv[i].name, nl);
		out_c(out, '=');
		const char *v = display_fast(kv[i].name, nl, kv[i].value, tbuf, sizeof tbuf);
		const char *run = v, *c = v;
		for (;; c++) {
			if (!special[(unsigned char)*c])
				continue;
			out_put(out, run, (size_t)(c - run));
			if (*c == '\0')
				break;
			if (*c == '\n') {
				OUT_LIT(out, "\\n");
			} else if (*c == '\f') {
				OUT_LIT(out, "\\f");
			} else {
				out_c(out, '\\');
				out_c(out, *c);
			}
			run = c + 1;
		}
	}
	out_c(out, '\n');
}

void qstat_dsv(FILE *out, enum qstat_obj kind, const char *name, const json_t *attrs,
	       const char *delim)
{
	char buf[8192];
	struct qstat_out o;
	size_t n;
	struct qstat_kv *kv = qstat_kv_from_json(attrs, &n);
	out_setup(&o, out, buf, sizeof buf);
	qstat_dsv_kv(&o, kind, name, kv, n, delim);
	out_drain(&o);
	free(kv);
}

/* ---- JSON ----------------------------------------------------------- */

int qstat_json_number(const char *s)
{
	const char *p = s;
	if (*p == '-')
		p++;
	const char *digits = p;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return 0;
	if (*p == '\0') {
		/* 18 digits always fit; more are checked */
		if (p - digits <= 18)
			return 1;
		errno = 0;
		(void)strtoll(s, NULL, 10);
		return errno == 0 ? 1 : 0;
	}
	if (*p != '.' || !(p[1] >= '0' && p[1] <= '9'))
		return 0;
	const char *dot = p++;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p != '\0')
		return 0;
	/* significant digits: none of the leading zeros, nor the fraction's
	 * trailing ones */
	const char *first = digits, *last = p - 1;
	while (first < p && (*first == '0' || *first == '.'))
		first++;
	while (last > dot && *last == '0')
		last--;
	if (last == dot)
		last--;
	long sig = first <= last ? (long)(last - first + 1) - (first < dot && dot < last) : 0;
	if (sig > 15)
		return 0;
	errno = 0;
	double d = strtod(s, NULL);
	return errno == 0 && isfinite(d) ? 2 : 0;
}

json_t *qstat_json_value(const char *s)
{
	if (!s)
		return json_string("");
	switch (qstat_json_number(s)) {
	case 1:
		return json_integer((json_int_t)strtoll(s, NULL, 10));
	case 2:
		return json_real(strtod(s, NULL));
	default:
		return json_string(s);
	}
}

/* Split a Variable_List value as PBS does: items at unescaped commas
 * ("\," is a literal comma), name and value at the first '='.  Items go
 * into buf (strlen(s) + 1 bytes), each name and value NUL-terminated; fn
 * gets each.  Empty items are dropped. */
static void varlist_split(const char *s, char *buf,
			  void (*fn)(void *arg, const char *name, const char *value), void *arg)
{
	const char *p = s;
	char *w = buf;
	while (*p) {
		char *item = w, *eq = NULL;
		while (*p && *p != ',') {
			if (*p == '\\' && p[1] == ',')
				p++;
			if (!eq && *p == '=')
				eq = w;
			*w++ = *p++;
		}
		*w++ = '\0';
		if (eq) {
			*eq = '\0';
			fn(arg, item, eq + 1);
		} else if (w - item > 1) {
			fn(arg, item, "");
		}
		if (*p == ',')
			p++;
	}
}

static void varlist_set(void *arg, const char *name, const char *value)
{
	json_object_set_new(arg, name, json_string(value));
}

json_t *qstat_json_varlist(const char *s)
{
	json_t *obj = json_object();
	if (!s)
		return obj;
	char *buf = xmalloc(strlen(s) + 1);
	varlist_split(s, buf, varlist_set, obj);
	free(buf);
	return obj;
}

json_t *qstat_json_attrs(const json_t *attrs)
{
	json_t *obj = json_object();
	const char *key;
	json_t *val;
	char tbuf[64];

	json_object_foreach((json_t *)attrs, key, val)
	{
		const char *raw = json_string_value(val);
		if (!raw)
			continue;
		if (strcmp(key, "Variable_List") == 0) {
			json_object_set_new(obj, key, qstat_json_varlist(raw)); /* steals */
			continue;
		}
		json_t *jv = qstat_json_value(qstat_display_value(key, raw, tbuf, sizeof tbuf));
		const char *dot = strchr(key, '.');
		if (dot && dot != key && dot[1]) {
			char *parent = xstrndup(key, (size_t)(dot - key));
			json_t *sub = json_object_get(obj, parent); /* borrowed */
			if (!json_is_object(sub)) {
				sub = json_object();
				json_object_set_new(obj, parent, sub); /* obj owns sub */
			}
			json_object_set_new(sub, dot + 1, jv);
			free(parent);
		} else {
			json_object_set_new(obj, key, jv);
		}
	}
	return obj;
}

json_t *qstat_json_doc(time_t now, const char *version, const char *server)
{
	return json_pack("{s:I, s:s, s:s}", "timestamp", (json_int_t)now, "pbs_version",
			 version ? version : "", "pbs_server", server ? server : "");
}

int qstat_json_print(FILE *out, const json_t *doc)
{
	/* PBS layout: 4-space indent, no space after ':'; 15 digits print
	 * decimal values such as 0.1 the way they were written */
	char *s = json_dumps(doc, JSON_INDENT(4) | JSON_COMPACT | JSON_REAL_PRECISION(15));
	if (!s)
		return -ENOMEM;
	fputs(s, out);
	fputc('\n', out);
	free(s);
	return 0;
}

/* ---- JSON, streamed --------------------------------------------------
 *
 * Writes what qstat_json_print writes for the tree of qstat_json_attrs,
 * byte for byte (the unit tests compare the two): jansson's layout for
 * JSON_INDENT(4) | JSON_COMPACT, its string escapes (", \, and control
 * characters; \uXXXX in upper case), and its rendering of reals. */

struct qstat_jvar {
	const char *name, *value;
	bool skip;
};

/* Length of the valid UTF-8 sequence at p (as jansson checks it: no
 * overlong forms, surrogates or code points past U+10FFFF), or 0. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	size_t n;
	unsigned long cp;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

/* s[0..n) as a JSON string.  Bytes that are not UTF-8 (the server never
 * sends them) become U+FFFD. */
static void jstr(struct qstat_out *o, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n, *run = p;
	/* most strings are plain ASCII: copied as they are */
	size_t k = plain_run(s, n, true);
	char *w;
	if (k == n && (w = out_room(o, n + 2))) {
		w[0] = '"';
		memcpy(w + 1, s, n);
		w[n + 1] = '"';
		o->len += n + 2;
		return;
	}
	p += k;
	out_c(o, '"');
	while (p < end) {
		unsigned char c = *p;
		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0x80) {
			size_t l = utf8_seq(p, end);
			if (l > 0) {
				p += l;
				continue;
			}
		}
		out_put(o, run, (size_t)(p - run));
		switch (c) {
		case '"':
			OUT_LIT(o, "\\\"");
			break;
		case '\\':
			OUT_LIT(o, "\\\\");
			break;
		case '\b':
			OUT_LIT(o, "\\b");
			break;
		case '\f':
			OUT_LIT(o, "\\f");
			break;
		case '\n':
			OUT_LIT(o, "\\n");
			break;
		case '\r':
			OUT_LIT(o, "\\r");
			break;
		case '\t':
			OUT_LIT(o, "\\t");
			break;
		default:
			if (c < 0x20) {
				char seq[8];
				snprintf(seq, sizeof seq, "\\u%04X", c);
				out_put(o, seq, 6);
			} else {
				OUT_LIT(o, "\xEF\xBF\xBD");
			}
			break;
		}
		run = ++p;
	}
	out_put(o, run, (size_t)(p - run));
	out_c(o, '"');
}

static void jstr0(struct qstat_out *o, const char *s) { jstr(o, s, strlen(s)); }

/* Newline and the indent of depth (4 blanks a level), after a ','
 * unless first. */
static void jsep(struct qstat_out *o, bool first, int depth)
{
	static const char nl[] = ",\n                                ";
	size_t k = 2 + (size_t)depth * 4;
	if (k > sizeof nl - 1)
		k = sizeof nl - 1;
	if (first)
		out_put(o, nl + 1, k - 1);
	else
		out_put(o, nl, k);
}

/* An attribute value: number or string, after the -f display rules. */
static void jvalue(struct qstat_out *o, const char *name, size_t nl, const char *raw)
{
	char tbuf[64];
	const char *v = display_fast(name, nl, raw, tbuf, sizeof tbuf);
	int kind = (*v >= '0' && *v <= '9') || *v == '-' ? qstat_json_number(v) : 0;
	switch (kind) {
	case 1:
		if (v[0] == '-' && v[1] == '0' && v[2] == '\0')
			out_c(o, '0');
		else
			out_s(o, v);
		return;
	case 2: {
		/* rare: let jansson render it exactly as the tree would */
		json_t *r = json_real(strtod(v, NULL));
		char *t = json_dumps(r, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
		if (t)
			out_s(o, t);
		free(t);
		json_decref(r);
		return;
	}
	default:
		jstr0(o, v);
	}
}

struct varctx {
	struct qstat_jout *j;
	size_t n;
};

static void varlist_add(void *arg, const char *name, const char *value)
{
	struct varctx *vc = arg;
	struct qstat_jout *j = vc->j;
	if (vc->n == j->varcap) {
		j->varcap = j->varcap ? j->varcap * 2 : 32;
		j->vars = xrealloc(j->vars, j->varcap * sizeof *j->vars);
	}
	j->vars[vc->n].name = name;
	j->vars[vc->n].value = value;
	j->vars[vc->n].skip = false;
	vc->n++;
}

static unsigned long str_hash(const char *s)
{
	unsigned long h = 5381;
	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

/* A repeated name keeps its first place and takes the last value, as
 * jansson's json_object_set does. */
static void varlist_dedup(struct qstat_jvar *v, size_t n)
{
	if (n <= 16) {
		for (size_t i = 1; i < n; i++)
			for (size_t k = 0; k < i; k++)
				if (!v[k].skip && strcmp(v[k].name, v[i].name) == 0) {
					v[k].value = v[i].value;
					v[i].skip = true;
					break;
				}
		return;
	}
	size_t size = 64;
	while (size < 2 * n)
		size *= 2;
	size_t *slot = xcalloc(size, sizeof *slot); /* index + 1, 0 = free */
	for (size_t i = 0; i < n; i++) {
		size_t h = str_hash(v[i].name) & (size - 1);
		for (;; h = (h + 1) & (size - 1)) {
			if (slot[h] == 0) {
				slot[h] = i + 1;
				break;
			}
			size_t k = slot[h] - 1;
			if (strcmp(v[k].name, v[i].name) == 0) {
				v[k].value = v[i].value;
				v[i].skip = true;
				break;
			}
		}
	}
	free(slot);
}

static void jvarlist(struct qstat_jout *j, const char *s, int depth)
{
	struct qstat_out *o = j->out;
	size_t l = strlen(s);
	if (l + 1 > j->vcap) {
		j->vcap = l + 1 > 256 ? l + 1 : 256;
		free(j->vbuf);
		j->vbuf = xmalloc(j->vcap);
	}
	struct varctx vc = {.j = j};
	varlist_split(s, j->vbuf, varlist_add, &vc);
	varlist_dedup(j->vars, vc.n);
	bool first = true;
	for (size_t i = 0; i < vc.n; i++) {
		if (j->vars[i].skip)
			continue;
		out_c(o, first ? '{' : ',');
		jsep(o, true, depth + 1);
		first = false;
		jstr0(o, j->vars[i].name);
		out_c(o, ':');
		jstr0(o, j->vars[i].value);
	}
	if (first) {
		OUT_LIT(o, "{}");
	} else {
		jsep(o, true, depth);
		out_c(o, '}');
	}
}

/* One object's members at depth + 1. */
static void jobject(struct qstat_jout *j, const struct qstat_kv *kv, size_t n, int depth)
{
	struct qstat_out *o = j->out;
	if (n == 0) {
		OUT_LIT(o, "{}");
		return;
	}
	if (n > j->scap) {
		j->scap = n > 64 ? n : 64;
		free(j->plen);
		free(j->nlen);
		free(j->done);
		j->plen = xmalloc(j->scap * sizeof *j->plen);
		j->nlen = xmalloc(j->scap * sizeof *j->nlen);
		j->done = xmalloc(j->scap);
	}
	size_t *plen = j->plen, *nlen = j->nlen;
	unsigned char *done = j->done;

	/* "a.b" names: the length of "a", else 0 */
	for (size_t i = 0; i < n; i++) {
		nlen[i] = strlen(kv[i].name);
		const char *dot = memchr(kv[i].name, '.', nlen[i]);
		plen[i] = dot && dot != kv[i].name && dot[1] ? (size_t)(dot - kv[i].name) : 0;
		done[i] = 0;
	}
#define SAME_PARENT(a, b) (plen[a] == plen[b] && memcmp(kv[a].name, kv[b].name, plen[a]) == 0)
	/* The server keeps the members of one parent together; if not, each
	 * parent's members are gathered from the whole list. */
	bool contiguous = true;
	{
		size_t closed[16], nclosed = 0, cur = 0;
		bool open = false;
		for (size_t i = 0; i < n && contiguous; i++) {
			if (open && plen[i] && SAME_PARENT(cur, i))
				continue;
			if (open) {
				if (nclosed == sizeof closed / sizeof closed[0]) {
					contiguous = false;
					break;
				}
				closed[nclosed++] = cur;
			}
			open = plen[i] != 0;
			cur = i;
			for (size_t k = 0; open && k < nclosed; k++)
				if (SAME_PARENT(closed[k], i))
					contiguous = false;
		}
	}

	out_c(o, '{');
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		if (done[i])
			continue;
		const char *name = kv[i].name;
		jsep(o, first, depth + 1);
		first = false;
		if (name[0] == 'V' && strcmp(name, "Variable_List") == 0) {
			jstr(o, name, 13);
			out_c(o, ':');
			jvarlist(j, kv[i].value, depth + 1);
			continue;
		}
		if (plen[i] == 0) {
			jstr(o, name, nlen[i]);
			out_c(o, ':');
			jvalue(o, name, nlen[i], kv[i].value);
			continue;
		}
		jstr(o, name, plen[i]);
		OUT_LIT(o, ":{");
		bool sfirst = true;
		for (size_t k = i; k < n; k++) {
			if (!SAME_PARENT(i, k)) {
				if (contiguous)
					break;
				continue;
			}
			if (done[k])
				continue;
			done[k] = 1;
			jsep(o, sfirst, depth + 2);
			sfirst = false;
			jstr(o, kv[k].name + plen[i] + 1, nlen[k] - plen[i] - 1);
			out_c(o, ':');
			jvalue(o, kv[k].name, nlen[k], kv[k].value);
		}
		jsep(o, true, depth + 1);
		out_c(o, '}');
	}
#undef SAME_PARENT
	jsep(o, true, depth);
	out_c(o, '}');
}

void qstat_jout_begin(struct qstat_jout *j, struct qstat_out *out, time_t now, const char *version,
		      const char *server)
{
	memset(j, 0, sizeof *j);
	j->out = out;
	j->now = (long long)now;
	j->version = xstrdup(version ? version : "");
	j->server = xstrdup(server ? server : "");
}

static void jout_head(struct qstat_jout *j)
{
	char b[64];
	if (j->started)
		return;
	j->started = true;
	int l = snprintf(b, sizeof b, "{\n    \"timestamp\":%lld,\n    \"pbs_version\":", j->now);
	out_put(j->out, b, (size_t)l);
	jstr0(j->out, j->version);
	OUT_LIT(j->out, ",\n    \"pbs_server\":");
	jstr0(j->out, j->server);
}

void qstat_jout_object(struct qstat_jout *j, const char *group, const char *name,
		       const struct qstat_kv *kv, size_t n)
{
	struct qstat_out *o = j->out;
	jout_head(j);
	if (strcmp(j->group, group) != 0) {
		if (j->group[0])
			OUT_LIT(o, "\n    }");
		snprintf(j->group, sizeof j->group, "%s", group);
		OUT_LIT(o, ",\n    ");
		jstr0(o, group);
		OUT_LIT(o, ":{");
		j->nmembers = 0;
	}
	jsep(o, j->nmembers++ == 0, 2);
	jstr0(o, name);
	out_c(o, ':');
	jobject(j, kv, n, 2);
}

void qstat_jout_end(struct qstat_jout *j)
{
	jout_head(j);
	if (j->group[0])
		OUT_LIT(j->out, "\n    }");
	OUT_LIT(j->out, "\n}\n");
	free(j->version);
	free(j->server);
	free(j->plen);
	free(j->nlen);
	free(j->done);
	free(j->vbuf);
	free(j->vars);
	j->version = j->server = j->vbuf = NULL;
	j->plen = j->nlen = NULL;
	j->done = NULL;
	j->vars = NULL;
}

/* ---- queue and server summaries ------------------------------------- */

#define NUML 5

static bool pbs_true(const char *v)
{
	return v && (strcmp(v, "TRUE") == 0 || strcmp(v, "True") == 0 || strcmp(v, "true") == 0 ||
		     strcmp(v, "1") == 0);
}

void qstat_state_counts(const char *sc, struct qstat_counts *c)
{
	static const struct {
		const char *name;
		size_t off;
	} map[] = {
	    {"Queued", offsetof(struct qstat_counts, que)},
	    {"Running", offsetof(struct qstat_counts, run)},
	    {"Held", offsetof(struct qstat_counts, hld)},
	    {"Waiting", offsetof(struct qstat_counts, wat)},
	    {"Transit", offsetof(struct qstat_counts, trn)},
	    {"Exiting", offsetof(struct qstat_counts, ext)},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		strcpy((char *)c + map[i].off, "0");
	if (!sc)
		return;
	const char *p = sc;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		const char *colon = strchr(p, ':');
		if (!colon)
			break;
		const char *val = colon + 1;
		const char *end = strchr(val, ' ');
		if (!end)
			end = val + strlen(val);
		for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
			if (strlen(map[i].name) == (size_t)(colon - p) &&
			    strncmp(p, map[i].name, (size_t)(colon - p)) == 0) {
				char tmp[64];
				size_t l = (size_t)(end - val);
				if (l >= sizeof tmp)
					l = sizeof tmp - 1;
				memcpy(tmp, val, l);
				tmp[l] = '\0';
				qstat_trunc(tmp, NUML, (char *)c + map[i].off);
			}
		}
		p = end;
	}
}

void qstat_queue_header(FILE *out)
{
	fputs("Queue              Max   Tot Ena Str   Que   Run   Hld   Wat   Trn   Ext Type Partition\n"
	      "---------------- ----- ----- --- --- ----- ----- ----- ----- ----- ----- ---- ---------\n",
	      out);
}

/* The columns qstat -Q and qstat -B share: name, Max, Tot and the job
 * counts by state. */
struct qstat_summary {
	char name[32], max[8], tot[8];
	struct qstat_counts c;
};

static void qstat_summary_fill(struct qstat_summary *s, const char *name, const json_t *attrs)
{
	const char *v;

	qstat_trunc(name, 16, s->name);
	v = qstat_attr(attrs, "max_running");
	qstat_trunc(v ? v : "0", NUML, s->max);
	v = qstat_attr(attrs, "total_jobs");
	qstat_trunc(v ? v : "0", NUML, s->tot);
	qstat_state_counts(qstat_attr(attrs, "state_count"), &s->c);
}

void qstat_queue_row(FILE *out, const char *name, const json_t *attrs)
{
	struct qstat_summary s;
	char typeb[8];
	const char *v;

	qstat_summary_fill(&s, name, attrs);
	const char *ena = pbs_true(qstat_attr(attrs, "enabled")) ? "yes" : "no";
	const char *str = pbs_true(qstat_attr(attrs, "started")) ? "yes" : "no";
	const char *type = "not defined";
	if ((v = qstat_attr(attrs, "queue_type")))
		type = qstat_trunc(v, 4, typeb);
	/* Not a PBS column: the partition that decides which scheduler serves
	 * the queue ("--" = the default scheduler's). */
	const char *part = qstat_attr(attrs, "partition");
	fprintf(out, "%-16s %5s %5s %3s %3s %5s %5s %5s %5s %5s %5s %-4s %s\n", s.name, s.max, s.tot,
		ena, str, s.c.que, s.c.run, s.c.hld, s.c.wat, s.c.trn, s.c.ext, type,
		part && *part ? part : "--");
}

void qstat_server_header(FILE *out)
{
	fputs("Server             Max   Tot   Que   Run   Hld   Wat   Trn   Ext Status\n"
	      "---------------- ----- ----- ----- ----- ----- ----- ----- ----- -----------\n",
	      out);
}

void qstat_server_row(FILE *out, const char *name, const json_t *attrs)
{
	struct qstat_summary s;
	char statb[16];

	qstat_summary_fill(&s, name, attrs);
	qstat_trunc(qstat_attr(attrs, "server_state"), 10, statb);
	fprintf(out, "%-16s %5s %5s %5s %5s %5s %5s %5s %5s %-10s\n", s.name, s.max, s.tot, s.c.que,
		s.c.run, s.c.hld, s.c.wat, s.c.trn, s.c.ext, statb);
}

void qstat_altq_header(FILE *out, const char *server)
{
	fprintf(out, "\nserver: %s\n\n", server ? server : "");
	fputs("Queue            Memory CPU Time Walltime Node   Run   Que   Lm  State\n"
	      "---------------- ------ -------- -------- ---- ----- ----- ----  -----\n",
	      out);
}

void qstat_altq_row(FILE *out, const char *name, const json_t *attrs, unsigned flags, int *tot_run,
		    int *tot_que)
{
	static const char blank[] = "  --   ";
	char rmem[32];
	const char *v;
	const char *cput = blank, *wallt = blank, *nodect = "-- ", *jmax = blank;
	int jrun = 0, jque = 0;

	snprintf(rmem, sizeof rmem, "--  ");
	if ((v = qstat_attr(attrs, "max_running")))
		jmax = v;
	char qenabled = (v = qstat_attr(attrs, "enabled")) && *v == 'T' ? 'E' : 'D';
	char qstarted = (v = qstat_attr(attrs, "started")) && *v == 'T' ? 'R' : 'S';
	if ((v = qstat_attr(attrs, "state_count"))) {
		struct qstat_counts c;
		qstat_state_counts(v, &c);
		jque = atoi(c.que) + atoi(c.hld) + atoi(c.wat);
		jrun = atoi(c.run);
	}
	if ((v = qstat_attr(attrs, "resources_max.mem")))
		qstat_cnv_size(v, flags, rmem, sizeof rmem);
	if ((v = qstat_attr(attrs, "resources_max.cput")))
		cput = v;
	if ((v = qstat_attr(attrs, "resources_max.walltime")))
		wallt = v;
	if ((v = qstat_attr(attrs, "resources_max.nodect")))
		nodect = v;
	*tot_run += jrun;
	*tot_que += jque;
	fprintf(out, "%-16.16s %6.6s %8.8s %8.8s %4.4s ", name, rmem, cput, wallt, nodect);
	fprintf(out, "%5d %5d %4.4s   %c %c\n", jrun, jque, jmax, qenabled, qstarted);
}

void qstat_altq_footer(FILE *out, int tot_run, int tot_que)
{
	fputs("                                               ----- -----\n", out);
	fprintf(out, "                                               %5d %5d\n", tot_run, tot_que);
}

/* ---- fast job list -------------------------------------------------- */

/* A cursor over JSON text.  Strings inside "jobs" are decoded in place:
 * a decoded string is never longer than its escaped form, so it can be
 * written over it and NUL-terminated where its closing quote was. */
struct scan {
	char *p;
	char *end;
};

static void scan_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static long scan_hex4(const char *p, const char *end)
{
	if (end - p < 4)
		return -1;
	long v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval((unsigned char)p[i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

static char *put_utf8(char *w, unsigned long cp)
{
	if (cp < 0x80) {
		*w++ = (char)cp;
	} else if (cp < 0x800) {
		*w++ = (char)(0xC0 | (cp >> 6));
		*w++ = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*w++ = (char)(0xE0 | (cp >> 12));
		*w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*w++ = (char)(0x80 | (cp & 0x3F));
	} else {
		*w++ = (char)(0xF0 | (cp >> 18));
		*w++ = (char)(0x80 | ((cp >> 12) & 0x3F));
		*w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*w++ = (char)(0x80 | (cp & 0x3F));
	}
	return w;
}

/* Decode the string at the cursor in place; NULL when malformed. */
static char *scan_str(struct scan *s)
{
	if (s->p >= s->end || *s->p != '"')
		return NULL;
	char *start = ++s->p, *w;
	/* most strings have no escapes: nothing to move */
	s->p += plain_run(s->p, (size_t)(s->end - s->p), false);
	w = s->p;
	while (s->p < s->end) {
		unsigned char ch = (unsigned char)*s->p;
		if (ch == '"') {
			*w = '\0';
			s->p++;
			return start;
		}
		if (ch < 0x20)
			return NULL;
		if (ch != '\\') {
			*w++ = *s->p++;
			continue;
		}
		if (s->end - s->p < 2)
			return NULL;
		char e = s->p[1];
		s->p += 2;
		switch (e) {
		case '"':
			*w++ = '"';
			break;
		case '\\':
			*w++ = '\\';
			break;
		case '/':
			*w++ = '/';
			break;
		case 'b':
			*w++ = '\b';
			break;
		case 'f':
			*w++ = '\f';
			break;
		case 'n':
			*w++ = '\n';
			break;
		case 'r':
			*w++ = '\r';
			break;
		case 't':
			*w++ = '\t';
			break;
		case 'u': {
			long cp = scan_hex4(s->p, s->end);
			if (cp < 0)
				return NULL;
			s->p += 4;
			if (cp >= 0xD800 && cp < 0xDC00) {
				/* a high surrogate must be followed by a low one */
				if (s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u')
					return NULL;
				long lo = scan_hex4(s->p + 2, s->end);
				if (lo < 0xDC00 || lo > 0xDFFF)
					return NULL;
				s->p += 6;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			} else if (cp >= 0xDC00 && cp < 0xE000) {
				return NULL;
			}
			if (cp == 0)
				cp = '?'; /* no NUL inside C strings */
			w = put_utf8(w, (unsigned long)cp);
			break;
		}
		default:
			return NULL;
		}
	}
	return NULL;
}

/* Step over one value without changing it; 0 or -EPROTO. */
static int scan_skip(struct scan *s, int depth)
{
	if (depth > 64)
		return -EPROTO;
	scan_ws(s);
	if (s->p >= s->end)
		return -EPROTO;
	char c = *s->p;
	if (c == '"') {
		s->p++;
		while (s->p < s->end && *s->p != '"') {
			if (*s->p == '\\')
				s->p++;
			s->p++;
		}
		if (s->p >= s->end)
			return -EPROTO;
		s->p++;
		return 0;
	}
	if (c == '{' || c == '[') {
		char close = c == '{' ? '}' : ']';
		s->p++;
		scan_ws(s);
		if (s->p < s->end && *s->p == close) {
			s->p++;
			return 0;
		}
		for (;;) {
			if (c == '{') {
				scan_ws(s);
				if (scan_skip(s, depth + 1) < 0)
					return -EPROTO;
				scan_ws(s);
				if (s->p >= s->end || *s->p != ':')
					return -EPROTO;
				s->p++;
			}
			if (scan_skip(s, depth + 1) < 0)
				return -EPROTO;
			scan_ws(s);
			if (s->p >= s->end)
				return -EPROTO;
			if (*s->p == ',') {
				s->p++;
				continue;
			}
			if (*s->p == close) {
				s->p++;
				return 0;
			}
			return -EPROTO;
		}
	}
	/* number, true, false, null */
	char *start = s->p;
	while (s->p < s->end &&
	       (isalnum((unsigned char)*s->p) || *s->p == '-' || *s->p == '+' || *s->p == '.'))
		s->p++;
	return s->p > start ? 0 : -EPROTO;
}

/* Expect character c (after blanks) and step over it. */
static bool scan_char(struct scan *s, char c)
{
	scan_ws(s);
	if (s->p < s->end && *s->p == c) {
		s->p++;
		return true;
	}
	return false;
}

/* After a member or element: true to go on (','), false at close; *bad
 * on anything else. */
static bool scan_next(struct scan *s, char close, bool *bad)
{
	scan_ws(s);
	if (s->p < s->end && *s->p == ',') {
		s->p++;
		return true;
	}
	if (s->p < s->end && *s->p == close) {
		s->p++;
		return false;
	}
	*bad = true;
	return false;
}

struct kvvec {
	struct qstat_kv *v;
	size_t n, cap;
};

static int scan_attrs(struct scan *s, struct kvvec *kv)
{
	bool bad = false;
	if (!scan_char(s, '{'))
		return -EPROTO;
	if (scan_char(s, '}'))
		return 0;
	do {
		scan_ws(s);
		char *name = scan_str(s);
		if (!name || !scan_char(s, ':'))
			return -EPROTO;
		scan_ws(s);
		if (s->p < s->end && *s->p == '"') {
			char *val = scan_str(s);
			if (!val)
				return -EPROTO;
			if (kv->n == kv->cap) {
				kv->cap = kv->cap ? kv->cap * 2 : 32;
				kv->v = xrealloc(kv->v, kv->cap * sizeof *kv->v);
			}
			kv->v[kv->n].name = name;
			kv->v[kv->n].value = val;
			kv->n++;
		} else if (scan_skip(s, 1) < 0) {
			return -EPROTO;
		}
	} while (scan_next(s, '}', &bad));
	return bad ? -EPROTO : 0;
}

static int scan_job(struct scan *s, struct kvvec *kv, qstat_job_fn fn, void *arg)
{
	bool bad = false;
	char *id = NULL;
	kv->n = 0;
	if (!scan_char(s, '{'))
		return -EPROTO;
	if (!scan_char(s, '}')) {
		do {
			scan_ws(s);
			char *key = scan_str(s);
			if (!key || !scan_char(s, ':'))
				return -EPROTO;
			scan_ws(s);
			if (strcmp(key, "id") == 0 && s->p < s->end && *s->p == '"') {
				if (!(id = scan_str(s)))
					return -EPROTO;
			} else if (strcmp(key, "attrs") == 0) {
				if (scan_attrs(s, kv) < 0)
					return -EPROTO;
			} else if (scan_skip(s, 1) < 0) {
				return -EPROTO;
			}
		} while (scan_next(s, '}', &bad));
		if (bad)
			return -EPROTO;
	}
	if (id)
		fn(arg, id, kv->v, kv->n);
	return 0;
}

int qstat_scan_jobs(char *text, size_t n, qstat_job_fn fn, void *arg, json_t **rest)
{
	struct scan s = {.p = text, .end = text + n};
	struct kvvec kv = {0};
	json_t *others = json_object();
	bool bad = false;
	int rc = -EPROTO;

	if (!scan_char(&s, '{'))
		goto out;
	if (!scan_char(&s, '}')) {
		do {
			scan_ws(&s);
			char *key = scan_str(&s);
			if (!key || !scan_char(&s, ':'))
				goto out;
			scan_ws(&s);
			if (strcmp(key, "jobs") == 0) {
				if (!scan_char(&s, '['))
					goto out;
				if (!scan_char(&s, ']')) {
					bool jbad = false;
					do {
						if (scan_job(&s, &kv, fn, arg) < 0)
							goto out;
					} while (scan_next(&s, ']', &jbad));
					if (jbad)
						goto out;
				}
			} else {
				char *start = s.p;
				if (scan_skip(&s, 1) < 0)
					goto out;
				json_t *v =
				    json_loadb(start, (size_t)(s.p - start), JSON_DECODE_ANY, NULL);
				if (!v)
					goto out;
				json_object_set_new(others, key, v);
			}
		} while (scan_next(&s, '}', &bad));
		if (bad)
			goto out;
	}
	scan_ws(&s);
	if (s.p != s.end)
		goto out;
	rc = 0;
out:
	free(kv.v);
	if (rc == 0 && rest)
		*rest = others;
	else
		json_decref(others);
	return rc;
}
