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

/* ---- full display --------------------------------------------------- */

void qstat_print_attr(FILE *out, const char *name, const char *value)
{
	int start = (int)strlen(name) + 7; /* 4 spaces + " = " */
	bool first = true;

	fprintf(out, "    %s = ", name);
	if (!value)
		return;
	/* tokens between commas; empty ones vanish, as with strtok */
	const char *p = value;
	while (*p == ',')
		p++;
	while (*p) {
		const char *e = strchr(p, ',');
		int len = e ? (int)(e - p) : (int)strlen(p);
		if (len + start < LINE_LIMIT) {
			fwrite(p, 1, (size_t)len, out);
			start += len;
		} else {
			if (!first) {
				fputs("\n\t", out);
				start = 9; /* tab + 1 */
			}
			for (int k = 0; k < len; k++) {
				fputc(p[k], out);
				if (++start > LINE_LIMIT) {
					start = 8; /* tab */
					fputs("\n\t", out);
				}
			}
		}
		p += len;
		while (*p == ',')
			p++;
		if (*p) {
			first = false;
			fputc(',', out);
		}
	}
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

void qstat_full(FILE *out, enum qstat_obj kind, const char *name, const json_t *attrs)
{
	const char *key;
	json_t *val;
	char tbuf[64];
	bool first = true;

	fprintf(out, "%s: %s\n", qstat_obj_title(kind), name);
	json_object_foreach((json_t *)attrs, key, val)
	{
		if (!json_is_string(val))
			continue;
		if (!first)
			fputc('\n', out);
		first = false;
		qstat_print_attr(
		    out, key, qstat_display_value(key, json_string_value(val), tbuf, sizeof tbuf));
	}
	fputs("\n\n", out);
}

void qstat_dsv(FILE *out, enum qstat_obj kind, const char *name, const json_t *attrs,
	       const char *delim)
{
	const char *key;
	json_t *val;
	char tbuf[64];
	bool first = true;

	fprintf(out, "%s: %s%s", qstat_obj_title(kind), name, delim);
	json_object_foreach((json_t *)attrs, key, val)
	{
		if (!json_is_string(val))
			continue;
		if (!first)
			fputs(delim, out);
		first = false;
		fprintf(out, "%s=", key);
		const char *v = qstat_display_value(key, json_string_value(val), tbuf, sizeof tbuf);
		for (const char *c = v; *c; c++) {
			if (*c == '\n') {
				fputs("\\n", out);
			} else if (*c == '\f') {
				fputs("\\f", out);
			} else {
				if (*c == '\\' || (*delim && strchr(delim, *c)))
					fputc('\\', out);
				fputc(*c, out);
			}
		}
	}
	fputc('\n', out);
}

/* ---- JSON ----------------------------------------------------------- */

/* Length of the JSON number literal at the start of s, or 0; *is_int
 * says whether it has neither fraction nor exponent. */
static size_t json_number_len(const char *s, bool *is_int)
{
	const char *p = s;
	*is_int = true;
	if (*p == '-')
		p++;
	if (*p == '0') {
		p++;
	} else if (*p >= '1' && *p <= '9') {
		while (isdigit((unsigned char)*p))
			p++;
	} else {
		return 0;
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return 0;
		while (isdigit((unsigned char)*p))
			p++;
		*is_int = false;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!isdigit((unsigned char)*p))
			return 0;
		while (isdigit((unsigned char)*p))
			p++;
		*is_int = false;
	}
	return (size_t)(p - s);
}

json_t *qstat_json_value(const char *s)
{
	bool is_int;
	if (!s)
		return json_string("");
	size_t l = json_number_len(s, &is_int);
	if (l == 0 || s[l] != '\0')
		return json_string(s);
	errno = 0;
	if (is_int) {
		long long v = strtoll(s, NULL, 10);
		if (errno == 0)
			return json_integer((json_int_t)v);
		errno = 0;
	}
	double d = strtod(s, NULL);
	if (errno == 0 && isfinite(d))
		return json_real(d);
	return json_string(s);
}

json_t *qstat_json_varlist(const char *s)
{
	json_t *obj = json_object();
	if (!s)
		return obj;
	size_t n = strlen(s);
	char *buf = xmalloc(n + 1);
	const char *p = s;
	while (*p) {
		/* one item: copy up to an unescaped comma, dropping the '\'
		 * of "\,"; note the first '=' */
		size_t k = 0;
		long eq = -1;
		while (*p && *p != ',') {
			if (*p == '\\' && p[1] == ',')
				p++;
			if (eq < 0 && *p == '=')
				eq = (long)k;
			buf[k++] = *p++;
		}
		buf[k] = '\0';
		if (eq >= 0) {
			buf[eq] = '\0';
			json_object_set_new(obj, buf, json_string(buf + eq + 1));
		} else if (k > 0) {
			json_object_set_new(obj, buf, json_string(""));
		}
		if (*p == ',')
			p++;
	}
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
	fputs("Queue              Max   Tot Ena Str   Que   Run   Hld   Wat   Trn   Ext Type\n"
	      "---------------- ----- ----- --- --- ----- ----- ----- ----- ----- ----- ----\n",
	      out);
}

void qstat_queue_row(FILE *out, const char *name, const json_t *attrs)
{
	char nameb[32], maxb[8], totb[8], typeb[8];
	struct qstat_counts c;
	const char *v;

	qstat_trunc(name, 16, nameb);
	v = qstat_attr(attrs, "max_running");
	qstat_trunc(v ? v : "0", NUML, maxb);
	v = qstat_attr(attrs, "total_jobs");
	qstat_trunc(v ? v : "0", NUML, totb);
	const char *ena = pbs_true(qstat_attr(attrs, "enabled")) ? "yes" : "no";
	const char *str = pbs_true(qstat_attr(attrs, "started")) ? "yes" : "no";
	qstat_state_counts(qstat_attr(attrs, "state_count"), &c);
	const char *type = "not defined";
	if ((v = qstat_attr(attrs, "queue_type")))
		type = qstat_trunc(v, 4, typeb);
	fprintf(out, "%-16s %5s %5s %3s %3s %5s %5s %5s %5s %5s %5s %-4s\n", nameb, maxb, totb, ena,
		str, c.que, c.run, c.hld, c.wat, c.trn, c.ext, type);
}

void qstat_server_header(FILE *out)
{
	fputs("Server             Max   Tot   Que   Run   Hld   Wat   Trn   Ext Status\n"
	      "---------------- ----- ----- ----- ----- ----- ----- ----- ----- -----------\n",
	      out);
}

void qstat_server_row(FILE *out, const char *name, const json_t *attrs)
{
	char nameb[32], maxb[8], totb[8], statb[16];
	struct qstat_counts c;
	const char *v;

	qstat_trunc(name, 16, nameb);
	v = qstat_attr(attrs, "max_running");
	qstat_trunc(v ? v : "0", NUML, maxb);
	v = qstat_attr(attrs, "total_jobs");
	qstat_trunc(v ? v : "0", NUML, totb);
	qstat_state_counts(qstat_attr(attrs, "state_count"), &c);
	qstat_trunc(qstat_attr(attrs, "server_state"), 10, statb);
	fprintf(out, "%-16s %5s %5s %5s %5s %5s %5s %5s %5s %-10s\n", nameb, maxb, totb, c.que,
		c.run, c.hld, c.wat, c.trn, c.ext, statb);
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
	char *start = ++s->p, *w = start;
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
