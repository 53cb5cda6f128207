/* qsub_opts.c - qsub/qalter options and "#PBS" directives -> job attributes
 * (see qsub_opts.h; PBS facts from the OpenPBS qsub(1B) man page and
 * PBS-REFERENCE.md section 3.1).
 *
 * Each attribute remembers the source that set it (directive < command
 * line); set_attr() refuses to let a weaker source replace a stronger one,
 * which gives PBS precedence whatever order the sources are parsed in.
 *
 * Variable_List is PBS's "name=value,name=value" text.  Inside a value a
 * comma, a backslash and (for values taken from the environment) a quote
 * are escaped with a backslash, so a reader splits at unescaped commas and
 * then turns every "\x" into "x".
 */
#include "src/cli/lib/qsub_opts.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "src/common/buf.h"
#include "src/common/resource.h"
#include "src/common/util.h"

extern char **environ;

#define JOB_NAME_MAX 236 /* PBS_MAXJOBNAME */
#define DEFAULT_PREFIX "#PBS"

enum src {
	SRC_NONE = 0,
	SRC_DIRECTIVE = 1, /* "#PBS" line in the script */
	SRC_CMDLINE = 2,   /* argv */
};

struct qsub_opts {
	enum qsub_opts_mode mode;
	char **envp;   /* borrowed from the caller or environ */
	char *cwd;     /* owned */
	char *host;    /* owned */
	char *sysname; /* owned */
	char *user;    /* owned */
	time_t now;

	json_t *attrs; /* name -> string value, owned */
	json_t *prio;  /* name -> integer source that set it, owned */
	enum src src;  /* source being parsed now */

	enum src v_src; /* -v */
	char *v_list;	/* its expanded "k=v,..." text, owned */
	enum src V_src; /* -V */
	enum src z_src; /* -z */
	char *prefix;	/* -C value (command line only), owned; NULL: not given */
	enum src q_src; /* -q */
	char *server;	/* server part of -q, owned */

	char **ops; /* operands, borrowed from argv */
	int nops;
	bool command;	 /* operands came after "--" */
	int exit_status; /* of the last error */
};

/* ---- small helpers ---------------------------------------------------- */

static int fail(struct qsub_opts *o, corral_error_t *err, int status, int code, const char *fmt,
		...) __attribute__((format(printf, 5, 6)));

static int fail(struct qsub_opts *o, corral_error_t *err, int status, int code, const char *fmt,
		...)
{
	char text[sizeof err->text];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	o->exit_status = status;
	return corral_errorf(err, code, "%s", text);
}

static const char *env_get(const struct qsub_opts *o, const char *name)
{
	size_t n = strlen(name);
	for (char **e = o->envp; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

static bool utf8_ok(const char *s)
{
	json_t *j = json_string(s);
	bool ok = j != NULL;
	json_decref(j);
	return ok;
}

static bool is_pbs_o(const char *name) { return strncmp(name, "PBS_O_", 6) == 0; }

/* Set attribute name unless a stronger source already set it. */
static int set_attr(struct qsub_opts *o, const char *name, const char *value, corral_error_t *err)
{
	json_t *p = json_object_get(o->prio, name);
	if (p && json_integer_value(p) > (json_int_t)o->src)
		return 0;
	json_t *v = json_string(value);
	if (!v)
		return fail(o, err, QSUB_EXIT_FAIL, EINVAL, "value of %s is not valid UTF-8 text",
			    name);
	json_object_set_new(o->attrs, name, v);			  /* steals v */
	json_object_set_new(o->prio, name, json_integer(o->src)); /* steals */
	return 0;
}

/* May the current source set an option last set by *slot?  Claims it. */
static bool take(struct qsub_opts *o, enum src *slot)
{
	if (*slot > o->src)
		return false;
	*slot = o->src;
	return true;
}

static void skip_blanks(const char **s)
{
	while (isspace((unsigned char)**s))
		(*s)++;
}

/* Append value to b with commas, backslashes and (env_value) quotes
 * escaped by a backslash. */
static void escape_value(struct corral_buf *b, const char *value, bool env_value)
{
	for (const char *p = value; *p; p++) {
		if (*p == ',' || *p == '\\' || (env_value && (*p == '"' || *p == '\'')))
			buf_append(b, "\\", 1);
		buf_append(b, p, 1);
	}
}

/* ---- -v ----------------------------------------------------------------- */

/* Copy a typed -v value into b: quotes group (and are dropped), a backslash
 * takes the next character literally, an unquoted comma ends the value.
 * Returns the position after the value, or NULL on an unterminated quote. */
static const char *copy_typed_value(struct corral_buf *b, const char *p)
{
	char q = 0;
	for (; *p; p++) {
		char c = *p;
		if (c == '\\' && p[1]) {
			c = *++p;
		} else if (c == '"' || c == '\'') {
			if (!q) {
				q = c;
				continue;
			}
			if (q == c) {
				q = 0;
				continue;
			}
		} else if (c == ',' && !q) {
			break;
		}
		char one[2] = {c, 0};
		escape_value(b, one, c == '"' || c == '\'');
	}
	return q ? NULL : p;
}

/* Expand "var[=value],..." into "var=value,..." (values of bare names come
 * from the environment).  PBS_O_* names are dropped: qsub sets those. */
static int expand_varlist(struct qsub_opts *o, const char *list, char **out, corral_error_t *err)
{
	struct corral_buf b;
	buf_init(&b);
	const char *p = list;
	while (*p) {
		skip_blanks(&p);
		const char *name = p;
		while (*p && *p != '=' && *p != ',')
			p++;
		size_t nlen = (size_t)(p - name);
		while (nlen > 0 && isspace((unsigned char)name[nlen - 1]))
			nlen--;
		if (nlen == 0) {
			if (*p == ',') { /* "a,,b" or a trailing comma: nothing to add */
				p++;
				continue;
			}
			if (!*p)
				break;
			buf_free(&b);
			return fail(o, err, QSUB_EXIT_USAGE, EINVAL, "illegal -v value");
		}
		char *n = xstrndup(name, nlen);
		size_t mark = b.len;
		if (b.len > 0)
			buf_append(&b, ",", 1);
		buf_printf(&b, "%s=", n);
		if (*p == '=') {
			p = copy_typed_value(&b, p + 1);
			if (!p) {
				free(n);
				buf_free(&b);
				return fail(o, err, QSUB_EXIT_FAIL, EINVAL,
					    "cannot send environment with the job");
			}
		} else {
			const char *ev = env_get(o, n);
			if (!is_pbs_o(n) && !ev) {
				free(n);
				buf_free(&b);
				return fail(o, err, QSUB_EXIT_FAIL, EINVAL,
					    "cannot send environment with the job");
			}
			if (ev)
				escape_value(&b, ev, true);
		}
		if (is_pbs_o(n))
			b.len = mark; /* qsub sets these itself */
		free(n);
		if (*p == ',')
			p++;
	}
	buf_append(&b, "", 1);
	*out = xstrdup(b.data);
	buf_free(&b);
	return 0;
}

/* ---- -l ----------------------------------------------------------------- */

/* Split s at commas outside quotes into a NULL-terminated array of
 * strings, quotes removed.  NULL on an unterminated quote. */
static char **split_commas(const char *s)
{
	size_t n = 1;
	for (const char *p = s; *p; p++)
		n += *p == ',';
	char **v = xcalloc(n + 1, sizeof *v);
	size_t k = 0;
	struct corral_buf b;
	buf_init(&b);
	char q = 0;
	for (const char *p = s;; p++) {
		if (!*p || (*p == ',' && !q)) {
			buf_append(&b, "", 1);
			v[k++] = xstrdup(b.data);
			buf_reset(&b);
			if (!*p)
				break;
			continue;
		}
		if ((*p == '"' || *p == '\'') && (!q || q == *p)) {
			q = q ? 0 : *p;
			continue;
		}
		buf_append(&b, p, 1);
	}
	buf_free(&b);
	if (q) {
		for (size_t i = 0; i < k; i++)
			free(v[i]);
		free(v);
		return NULL;
	}
	return v;
}

static void free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int opt_l(struct qsub_opts *o, const char *arg, corral_error_t *err)
{
	char **items = split_commas(arg);
	if (!items)
		return fail(o, err, QSUB_EXIT_USAGE, EINVAL, "illegal -l value");
	int rc = 0;
	for (size_t i = 0; items[i] && rc == 0; i++) {
		char *it = items[i];
		char *eq = strchr(it, '=');
		if (!eq || eq == it || eq[1] == '\0') {
			rc = fail(o, err, QSUB_EXIT_USAGE, EINVAL, "illegal -l value");
			break;
		}
		*eq = '\0';
		char *name = it, *value = eq + 1;
		if (corral_res_type(name) != RES_UNKNOWN)
			for (char *c = name; *c; c++)
				*c = (char)tolower((unsigned char)*c);
		char *canon = NULL;
		corral_error_t rerr = {0};
		if (corral_res_normalize(name, value, &canon, &rerr) < 0) {
			rc = fail(o, err, QSUB_EXIT_BADATVAL, EINVAL,
				  "Illegal attribute or resource value Resource_List.%.60s", name);
			break;
		}
		char *attr = xasprintf("Resource_List.%s", name);
		rc = set_attr(o, attr, canon, err);
		free(attr);
		free(canon);
	}
	free_strv(items);
	return rc;
}

/* ---- -W ----------------------------------------------------------------- */

/* "a=1,b=x,y,c=2" -> a=1, b="x,y", c=2 (a piece without '=' continues the
 * previous value, as PBS's parse_equal_string does). */
static int opt_W(struct qsub_opts *o, const char *arg, corral_error_t *err)
{
	skip_blanks(&arg);
	/* An expression may hold commas and '=': requirements= and rank= take
	 * the rest of the argument whole (checked by the server). */
	static const char *exprs[] = {"requirements=", "rank="};
	for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
		size_t n = strlen(exprs[i]);
		if (strncmp(arg, exprs[i], n) == 0) {
			if (!arg[n])
				return fail(o, err, QSUB_EXIT_USAGE, EINVAL, "illegal -W value");
			char *name = xstrndup(arg, n - 1);
			int rc = set_attr(o, name, arg + n, err);
			free(name);
			return rc;
		}
	}
	char **pieces = split_commas(arg);
	if (!pieces || !pieces[0] || !strchr(pieces[0], '=')) {
		free_strv(pieces);
		return fail(o, err, QSUB_EXIT_USAGE, EINVAL, "illegal -W value");
	}
	int rc = 0;
	for (size_t i = 0; pieces[i] && rc == 0;) {
		char *eq = strchr(pieces[i], '=');
		*eq = '\0';
		char *key = pieces[i];
		while (isspace((unsigned char)*key))
			key++;
		struct corral_buf val;
		buf_init(&val);
		buf_printf(&val, "%s", eq + 1);
		for (i++; pieces[i] && !strchr(pieces[i], '='); i++)
			buf_printf(&val, ",%s", pieces[i]);
		buf_append(&val, "", 1);
		const char *v = val.data;

		if (!strcmp(key, "depend") || !strcmp(key, "block") || !strcmp(key, "stagein") ||
		    !strcmp(key, "stageout")) {
			rc = fail(o, err, QSUB_EXIT_FAIL, ENOTSUP, "-W %s is not supported yet",
				  key);
		} else if (!strcmp(key, "interactive")) {
			rc = fail(o, err, QSUB_EXIT_FAIL, ENOTSUP,
				  "interactive jobs are not supported yet");
		} else if (!strcmp(key, "group_list")) {
			rc = *v ? set_attr(o, "group_list", v, err)
				: fail(o, err, QSUB_EXIT_USAGE, EINVAL, "illegal -W value");
		} else if (!strcmp(key, "umask")) {
			size_t n = strlen(v);
			bool ok = n >= 1 && n <= 4 && strspn(v, "01234567") == n;
			rc = ok ? set_attr(o, "umask", v, err)
				: fail(o, err, QSUB_EXIT_USAGE, EINVAL, "illegal -W value");
		} else if (!strcmp(key, "sandbox")) {
			if (strcasecmp(v, "HOME") == 0)
				rc = set_attr(o, "sandbox", "HOME", err);
			else if (strcasecmp(v, "PRIVATE") == 0)
				rc = set_attr(o, "sandbox", "PRIVATE", err);
			else
				rc = fail(o, err, QSUB_EXIT_USAGE, EINVAL, "illegal -W value");
		} else {
			rc = fail(o, err, QSUB_EXIT_USAGE, EINVAL,
				  "illegal -W value: unknown attribute %.60s", key);
		}
		buf_free(&val);
	}
	free_strv(pieces);
	return rc;
}

/* ---- other option values ------------------------------------------------ */

bool qsub_opts_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > JOB_NAME_MAX || !isalnum((unsigned char)name[0]))
		return false;
	for (const char *p = name; *p; p++)
		if (!isgraph((unsigned char)*p))
			return false;
	return true;
}

/* Each character of s in set, no duplicates, not empty. */
static bool letters_ok(const char *s, const char *set)
{
	if (!*s)
		return false;
	for (const char *p = s; *p; p++)
		if (!strchr(set, *p) || strchr(p + 1, *p))
			return false;
	return true;
}

static bool checkpoint_ok(const char *s)
{
	if (!strcmp(s, "n") || !strcmp(s, "s") || !strcmp(s, "c") || !strcmp(s, "w"))
		return true;
	long v;
	return (s[0] == 'c' || s[0] == 'w') && s[1] == '=' &&
	       corral_parse_long(s + 2, 1, INT_MAX, &v) == 0;
}

static bool project_ok(const char *s) { return *s && !strpbrk(s, "/[]\";:|<>+,?*"); }

int qsub_opts_cvtdate(const char *s, time_t now, time_t *out)
{
	char digits[16];
	int sec = 0;
	const char *dot = strchr(s, '.');
	size_t n = dot ? (size_t)(dot - s) : strlen(s);
	if (dot) {
		if (strlen(dot + 1) != 2 || !isdigit((unsigned char)dot[1]) ||
		    !isdigit((unsigned char)dot[2]))
			return -EINVAL;
		sec = (dot[1] - '0') * 10 + (dot[2] - '0');
		if (sec > 59)
			return -EINVAL;
	}
	if (n >= sizeof digits || (n != 4 && n != 6 && n != 8 && n != 10 && n != 12))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
	memcpy(digits, s, n);
	digits[n] = '\0';

	struct tm cur, tm;
	localtime_r(&now, &cur);
	tm = cur;
	tm.tm_sec = sec;
	const char *d = digits;
#define TWO(p) (((p)[0] - '0') * 10 + ((p)[1] - '0'))
	int year = -1, month = -1, day = -1;
	if (n == 12) {
		year = TWO(d) * 100 + TWO(d + 2);
		d += 4;
	} else if (n == 10) {
		int yy = TWO(d);
		year = yy > 68 ? 1900 + yy : 2000 + yy;
		d += 2;
	}
	if (n >= 8) {
		month = TWO(d);
		if (month < 1 || month > 12)
			return -EINVAL;
		d += 2;
	}
	if (n >= 6) {
		day = TWO(d);
		if (day < 1 || day > 31)
			return -EINVAL;
		d += 2;
	}
	int hh = TWO(d), mm = TWO(d + 2);
#undef TWO
	if (hh > 23 || mm > 59)
		return -EINVAL;

	if (year >= 0)
		tm.tm_year = year - 1900;
	if (month >= 0) {
		if (year < 0 && month - 1 <= cur.tm_mon)
			tm.tm_year++; /* that month has come this year: next year's */
		tm.tm_mon = month - 1;
	}
	if (day >= 0) {
		if (month < 0 && day < cur.tm_mday)
			tm.tm_mon++; /* that day has passed this month */
		tm.tm_mday = day;
	}
	tm.tm_hour = hh;
	tm.tm_min = mm;
	if (day < 0 && (hh < cur.tm_hour || (hh == cur.tm_hour && mm <= cur.tm_min)))
		tm.tm_mday++; /* that time has passed today: tomorrow */
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*out = t;
	return 0;
}

char *qsub_opts_expand_path(const char *path, const char *cwd, const char *host,
			    corral_error_t *err)
{
	const char *p = path;
	while (isspace((unsigned char)*p))
		p++;
	if (!*p) {
		corral_errorf(err, EINVAL, "empty path");
		return NULL;
	}
	const char *colon = strchr(p, ':');
	if (colon) {
		/* "host:path": the host is given, the path is kept as it is
		 * (relative to the home directory there). */
		for (const char *h = p; h < colon; h++)
			if (!isalnum((unsigned char)*h) && *h != '.' && *h != '-' && *h != '_') {
				corral_errorf(err, EINVAL, "bad host name in '%s'", path);
				return NULL;
			}
		if (colon == p || !colon[1]) {
			corral_errorf(err, EINVAL, "bad path '%s'", path);
			return NULL;
		}
		for (const char *c = colon + 1; *c; c++)
			if (!isprint((unsigned char)*c)) {
				corral_errorf(err, EINVAL, "bad path '%s'", path);
				return NULL;
			}
		return xstrdup(p);
	}
	for (const char *c = p; *c; c++)
		if (!isprint((unsigned char)*c)) {
			corral_errorf(err, EINVAL, "bad path '%s'", path);
			return NULL;
		}
	char *abs = p[0] == '/' ? xstrdup(p)
				: xasprintf("%s%s%s", cwd,
					    (*cwd && cwd[strlen(cwd) - 1] == '/') ? "" : "/", p);
	struct stat st;
	size_t n = strlen(abs);
	if (abs[n - 1] != '/' && stat(abs, &st) == 0 && S_ISDIR(st.st_mode)) {
		char *d = xasprintf("%s/", abs);
		free(abs);
		abs = d;
	}
	char *out = xasprintf("%s:%s", host, abs);
	free(abs);
	return out;
}

char *qsub_opts_command_script(int argc, char *const argv[])
{
	struct corral_buf b;
	buf_init(&b);
	buf_printf(&b, "#!/bin/sh\nexec");
	for (int i = 0; i < argc; i++) {
		buf_append(&b, " '", 2);
		for (const char *p = argv[i]; *p; p++) {
			if (*p == '\'')
				buf_append(&b, "'\\''", 4);
			else
				buf_append(&b, p, 1);
		}
		buf_append(&b, "'", 1);
	}
	buf_append(&b, "\n", 2); /* with the terminating NUL */
	char *s = xstrdup(b.data);
	buf_free(&b);
	return s;
}

static int opt_u(struct qsub_opts *o, const char *arg, corral_error_t *err)
{
	char **users = split_commas(arg);
	int rc = users && users[0] ? 0 : fail(o, err, QSUB_EXIT_USAGE, EINVAL, "illegal -u value");
	for (size_t i = 0; rc == 0 && users[i]; i++) {
		char *at = strchr(users[i], '@');
		if (at)
			*at = '\0';
		if (strcmp(users[i], o->user) != 0)
			rc = fail(o, err, QSUB_EXIT_FAIL, EPERM,
				  "Bad UID for job execution: -u may name only yourself (%.40s), "
				  "not %.40s",
				  o->user, users[i]);
	}
	free_strv(users);
	/* Running as yourself is what happens anyway: nothing to send. */
	return rc;
}

static int opt_q(struct qsub_opts *o, const char *arg, corral_error_t *err)
{
	if (!take(o, &o->q_src))
		return 0;
	const char *at = strchr(arg, '@');
	size_t qlen = at ? (size_t)(at - arg) : strlen(arg);
	if ((qlen == 0 && !at) || (at && !at[1]))
		return fail(o, err, QSUB_EXIT_USAGE, EINVAL, "illegally formed destination: %.100s",
			    arg);
	free(o->server);
	o->server = at ? xstrdup(at + 1) : NULL;
	if (qlen == 0) {
		/* "@server": the server's default queue; forget a directive's queue */
		json_object_del(o->attrs, "queue");
		json_object_set_new(o->prio, "queue", json_integer(o->src));
		return 0;
	}
	char *q = xstrndup(arg, qlen);
	int rc = set_attr(o, "queue", q, err);
	free(q);
	return rc;
}

/* One option c with its argument (NULL for flags). */
static int do_opt(struct qsub_opts *o, int c, const char *arg, corral_error_t *err)
{
	bool alter = o->mode == QSUB_OPTS_ALTER;
	char *s = NULL;
	int rc = 0;
	long n;
	time_t t;

	switch (c) {
	case 'a':
		if (qsub_opts_cvtdate(arg, o->now, &t) < 0)
			return fail(o, err, QSUB_EXIT_USAGE, EINVAL, "illegal -a value");
		s = xasprintf("%lld", (long long)t);
		rc = set_attr(o, "Execution_Time", s, err);
		break;
	case 'A':
		rc = set_attr(o, "Account_Name", arg, err);
		break;
	case 'c':
		skip_blanks(&arg);
		if (!checkpoint_ok(arg))
			return fail(o, err, QSUB_EXIT_USAGE, EINVAL, "illegal -c value");
		rc = set_attr(o, "Checkpoint", arg, err);
		break;
	case 'C':
		/* Only the command line can change the prefix (PBS: "cannot be
		 * used as a PBS directive"): a directive's -C is ignored. */
		if (o->src == SRC_CMDLINE) {
			free(o->prefix);
			o->prefix = xstrdup(arg);
		}
		break;
	case 'e':
	case 'o': {
		corral_error_t perr = {0};
		s = qsub_opts_expand_path(arg, o->cwd, o->host, &perr);
		if (!s)
			return fail(o, err, QSUB_EXIT_USAGE, EINVAL, "illegal -%c value", c);
		rc = set_attr(o, c == 'o' ? "Output_Path" : "Error_Path", s, err);
		break;
	}
	case 'f':
		break; /* no background daemon to avoid: accepted, no effect */
	case 'h':
		if (!alter) {
			rc = set_attr(o, "Hold_Types", "u", err);
		} else {
			if (!(strcmp(arg, "n") == 0 || letters_ok(arg, "uosp")))
				return fail(o, err, QSUB_EXIT_USAGE, EINVAL, "illegal -h value");
			rc = set_attr(o, "Hold_Types", arg, err);
		}
		break;
	case 'I':
	case 'X':
		return fail(o, err, QSUB_EXIT_FAIL, ENOTSUP,
			    "interactive jobs are not supported yet");
	case 'j':
		if (strcmp(arg, "oe") && strcmp(arg, "eo") && strcmp(arg, "n"))
			return fail(o, err, QSUB_EXIT_USAGE, EINVAL, "illegal -j value");
		rc = set_attr(o, "Join_Path", arg, err);
		break;
	case 'J':
		return fail(o, err, QSUB_EXIT_FAIL, ENOTSUP,
			    "array jobs (-J) are not supported yet");
	case 'k':
		if (!(strcmp(arg, "n") == 0 || letters_ok(arg, "oed")))
			return fail(o, err, QSUB_EXIT_USAGE, EINVAL, "illegal -k value");
		rc = set_attr(o, "Keep_Files", arg, err);
		break;
	case 'l':
		rc = opt_l(o, arg, err);
		break;
	case 'm':
		skip_blanks(&arg);
		if (!(strcmp(arg, "n") == 0 || letters_ok(arg, "abej")))
			return fail(o, err, QSUB_EXIT_USAGE, EINVAL, "illegal -m value");
		rc = set_attr(o, "Mail_Points", arg, err);
		break;
	case 'M':
		if (!*arg)
			return fail(o, err, QSUB_EXIT_USAGE, EINVAL, "illegal -M value");
		rc = set_attr(o, "Mail_Users", arg, err);
		break;
	case 'N':
		if (!qsub_opts_name_ok(arg))
			return fail(o, err, QSUB_EXIT_USAGE, EINVAL,
				    "illegal -N value (a job name is up to %d printable, non-blank "
				    "characters starting with a letter or digit)",
				    JOB_NAME_MAX);
		rc = set_attr(o, "Job_Name", arg, err);
		break;
	case 'p':
		skip_blanks(&arg);
		if (corral_parse_long(arg, -1024, 1023, &n) < 0)
			return fail(o, err, QSUB_EXIT_USAGE, EINVAL, "illegal -p value");
		s = xasprintf("%ld", n);
		rc = set_attr(o, "Priority", s, err);
		break;
	case 'P':
		if (!project_ok(arg))
			return fail(o, err, QSUB_EXIT_USAGE, EINVAL, "illegal -P value");
		rc = set_attr(o, "project", arg, err);
		break;
	case 'q':
		rc = opt_q(o, arg, err);
		break;
	case 'r':
		if (strcmp(arg, "y") && strcmp(arg, "n"))
			return fail(o, err, QSUB_EXIT_USAGE, EINVAL, "illegal -r value");
		rc = set_attr(o, "Rerunable", arg[0] == 'y' ? "True" : "False", err);
		break;
	case 'S':
		if (!*arg)
			return fail(o, err, QSUB_EXIT_USAGE, EINVAL, "illegal -S value");
		rc = set_attr(o, "Shell_Path_List", arg, err);
		break;
	case 'u':
		rc = opt_u(o, arg, err);
		break;
	case 'v':
		if (o->v_src > o->src)
			break;
		rc = expand_varlist(o, arg, &s, err);
		if (rc == 0) {
			o->v_src = o->src;
			free(o->v_list);
			o->v_list = s;
			s = NULL;
		}
		break;
	case 'V':
		take(o, &o->V_src);
		break;
	case 'W':
		rc = opt_W(o, arg, err);
		break;
	case 'z':
		take(o, &o->z_src);
		break;
	default:
		return fail(o, err, QSUB_EXIT_USAGE, EINVAL, "invalid option -- '%c'", c);
	}
	free(s);
	return rc;
}

/* A getopt for our two option strings that needs no global state (it runs
 * on argv and on every directive line).  POSIX rules: options end at the
 * first operand or after "--"; "-" alone is an operand.  *next gets the
 * index of the first operand; *ddash is set when "--" ended the options. */
static int scan(struct qsub_opts *o, int argc, char **argv, int *next, bool *ddash,
		corral_error_t *err)
{
	const char *spec = o->mode == QSUB_OPTS_ALTER
			       ? "a:A:c:e:h:j:k:l:m:M:N:o:p:P:r:S:u:W:"
			       : "a:A:c:C:e:fhIj:J:k:l:m:M:N:o:p:P:q:r:S:u:v:VW:Xz";
	int i = 1;
	*ddash = false;
	while (i < argc) {
		const char *a = argv[i];
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (strcmp(a, "--") == 0) {
			*ddash = true;
			i++;
			break;
		}
		for (const char *p = a + 1; *p; p++) {
			const char *s = *p == ':' ? NULL : strchr(spec, *p);
			if (!s)
				return fail(o, err, QSUB_EXIT_USAGE, EINVAL,
					    "invalid option -- '%c'", *p);
			if (s[1] != ':') {
				int rc = do_opt(o, *p, NULL, err);
				if (rc < 0)
					return rc;
				continue;
			}
			const char *val = p[1] ? p + 1 : (i + 1 < argc ? argv[++i] : NULL);
			if (!val)
				return fail(o, err, QSUB_EXIT_USAGE, EINVAL,
					    "option requires an argument -- '%c'", *p);
			int rc = do_opt(o, *p, val, err);
			if (rc < 0)
				return rc;
			break;
		}
		i++;
	}
	*next = i;
	return 0;
}

/* ---- public API ------------------------------------------------------- */

static char *default_cwd(const struct qsub_opts *o)
{
	/* $PWD keeps the user's (automounter friendly) spelling when it
	 * really is the current directory, as PBS does. */
	const char *pwd = env_get(o, "PWD");
	struct stat a, b;
	if (pwd && pwd[0] == '/' && stat(pwd, &a) == 0 && stat(".", &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return xstrdup(pwd);
	char buf[PATH_MAX];
	return xstrdup(getcwd(buf, sizeof buf) ? buf : "/");
}

struct qsub_opts *qsub_opts_create(enum qsub_opts_mode mode, const struct qsub_ctx *ctx)
{
	struct qsub_ctx none = {0};
	if (!ctx)
		ctx = &none;
	struct qsub_opts *o = xcalloc(1, sizeof *o);
	o->mode = mode;
	o->envp = ctx->envp ? ctx->envp : environ;
	o->cwd = ctx->cwd ? xstrdup(ctx->cwd) : default_cwd(o);
	o->host = xstrdup(ctx->host ? ctx->host : corral_hostname());
	if (ctx->sysname) {
		o->sysname = xstrdup(ctx->sysname);
	} else {
		struct utsname u;
		o->sysname = xstrdup(uname(&u) == 0 ? u.sysname : "Linux");
	}
	if (ctx->user) {
		o->user = xstrdup(ctx->user);
	} else {
		char ubuf[256];
		o->user = xstrdup(corral_username(getuid(), ubuf, sizeof ubuf));
	}
	o->now = ctx->now ? ctx->now : time(NULL);
	o->attrs = json_object();
	o->prio = json_object();
	o->src = SRC_CMDLINE;
	return o;
}

void qsub_opts_destroy(struct qsub_opts *o)
{
	if (!o)
		return;
	int saved = errno;
	free(o->cwd);
	free(o->host);
	free(o->sysname);
	free(o->user);
	json_decref(o->attrs);
	json_decref(o->prio);
	free(o->v_list);
	free(o->prefix);
	free(o->server);
	free(o);
	errno = saved;
}

int qsub_opts_parse_args(struct qsub_opts *o, int argc, char **argv, corral_error_t *err)
{
	int next;
	bool ddash;
	o->src = SRC_CMDLINE;
	int rc = scan(o, argc, argv, &next, &ddash, err);
	if (rc < 0)
		return rc;
	o->ops = argv + next;
	o->nops = argc - next;
	if (o->mode == QSUB_OPTS_ALTER) {
		if (o->nops == 0)
			return fail(o, err, QSUB_EXIT_USAGE, ENOENT, "job identifier required");
		return 0;
	}
	o->command = ddash;
	if (ddash && o->nops == 0)
		return fail(o, err, QSUB_EXIT_USAGE, EINVAL, "a command must follow --");
	if (!ddash && o->nops > 1)
		return fail(o, err, QSUB_EXIT_USAGE, EINVAL,
			    "the script must be the last argument (got '%.60s' after it)",
			    o->ops[1]);
	/* Submit_arguments: the options as typed (script included). */
	struct corral_buf b;
	buf_init(&b);
	for (int i = 1; i < argc; i++)
		buf_printf(&b, "%s%s", i > 1 ? " " : "", argv[i]);
	buf_append(&b, "", 1);
	if (argc > 1)
		rc = set_attr(o, "Submit_arguments", b.data, err);
	buf_free(&b);
	return rc;
}

/* Split a directive into words the way PBS's make_argv does: blanks
 * separate, '...' and "..." group, a backslash takes the next character.
 * words[0] is a placeholder program name.  NULL on an unmatched quote. */
static char **directive_words(const char *line, int *nwords)
{
	size_t cap = 8, n = 0;
	char **w = xcalloc(cap, sizeof *w);
	w[n++] = xstrdup("qsub");
	struct corral_buf b;
	buf_init(&b);
	const char *p = line;
	while (1) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		buf_reset(&b);
		while (*p && !isspace((unsigned char)*p)) {
			if (*p == '"' || *p == '\'') {
				char q = *p++;
				while (*p && *p != q)
					buf_append(&b, p++, 1);
				if (!*p) {
					buf_free(&b);
					w[n] = NULL;
					free_strv(w);
					return NULL;
				}
				p++;
			} else if (*p == '\\' && p[1]) {
				buf_append(&b, p + 1, 1);
				p += 2;
			} else {
				buf_append(&b, p++, 1);
			}
		}
		buf_append(&b, "", 1);
		if (n + 2 > cap) {
			cap *= 2;
			w = xrealloc(w, cap * sizeof *w);
		}
		w[n++] = xstrdup(b.data);
	}
	buf_free(&b);
	w[n] = NULL;
	*nwords = (int)n;
	return w;
}

static bool is_executable(const char *line, size_t len)
{
	if (len > 0 && (line[0] == ':' || (line[0] == '#' && len > 1 && line[1] == '!')))
		return false;
	size_t i = 0;
	while (i < len && isspace((unsigned char)line[i]))
		i++;
	return i < len && line[i] != '#';
}

static int parse_directive(struct qsub_opts *o, const char *text, corral_error_t *err)
{
	int argc = 0;
	char **argv = directive_words(text, &argc);
	if (!argv)
		return fail(o, err, QSUB_EXIT_FAIL, EINVAL,
			    "unmatched quote\nqsub: directive error: %.100s", text);
	int next;
	bool ddash;
	int rc = scan(o, argc, argv, &next, &ddash, err);
	if (rc == 0 && (ddash || next < argc))
		rc = fail(o, err, QSUB_EXIT_FAIL, EINVAL, "illegal argument '%.60s'",
			  ddash ? "--" : argv[next]);
	if (rc < 0 && o->exit_status != QSUB_EXIT_BADATVAL) {
		/* PBS prints the reason, then the directive's words. */
		struct corral_buf b;
		buf_init(&b);
		buf_printf(&b, "%s\nqsub: directive error:", err ? err->text : "");
		for (int i = 1; i < argc; i++)
			buf_printf(&b, " %s", argv[i]);
		buf_append(&b, "", 1);
		fail(o, err, QSUB_EXIT_FAIL, err ? err->code : EINVAL, "%s", b.data);
		buf_free(&b);
	}
	free_strv(argv);
	return rc;
}

int qsub_opts_parse_script(struct qsub_opts *o, const char *text, size_t len, corral_error_t *err)
{
	const char *prefix = o->prefix;
	if (!prefix)
		prefix = env_get(o, "PBS_DPREFIX");
	if (!prefix)
		prefix = DEFAULT_PREFIX;
	size_t plen = strlen(prefix);
	if (plen == 0)
		return 0; /* -C "": no directives */

	enum src saved = o->src;
	o->src = SRC_DIRECTIVE;
	int rc = 0;
	const char *end = text + len;
	for (const char *line = text; line < end && rc == 0;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *eol = nl ? nl : end;
		const char *next = nl ? nl + 1 : end;
		const char *p = line;
		while (p < eol && isspace((unsigned char)*p))
			p++;
		if ((size_t)(eol - p) >= plen && memcmp(p, prefix, plen) == 0) {
			/* A directive; "\" at the end of a line joins the next. */
			struct corral_buf b;
			buf_init(&b);
			const char *s = p + plen;
			while (1) {
				const char *e = eol;
				if (e > s && e[-1] == '\\' && nl) {
					if (e - 1 > s)
						buf_append(&b, s, (size_t)(e - 1 - s));
					if (next >= end)
						break;
					s = next;
					nl = memchr(s, '\n', (size_t)(end - s));
					eol = nl ? nl : end;
					next = nl ? nl + 1 : end;
					continue;
				}
				if (e > s) /* buf_append wants n > 0 on an empty buffer */
					buf_append(&b, s, (size_t)(e - s));
				break;
			}
			buf_append(&b, "", 1);
			rc = parse_directive(o, b.data, err);
			buf_free(&b);
		} else if (is_executable(line, (size_t)(eol - line))) {
			break; /* directives stop at the first command */
		}
		line = next;
	}
	o->src = saved;
	return rc;
}

static void add_env(struct corral_buf *b, const char *name, const char *value)
{
	if (b->len > 0)
		buf_append(b, ",", 1);
	buf_printf(b, "%s=", name);
	escape_value(b, value, true);
}

int qsub_opts_finish(struct qsub_opts *o, const char *script_path, corral_error_t *err)
{
	if (o->mode != QSUB_OPTS_SUBMIT)
		return 0;
	o->src = SRC_NONE; /* defaults never beat what an option set */
	int rc = 0;

	if (!json_object_get(o->attrs, "Job_Name")) {
		const char *src = o->command ? o->ops[0] : script_path;
		char *name;
		if (src) {
			const char *slash = strrchr(src, '/');
			name = xstrndup(slash ? slash + 1 : src, JOB_NAME_MAX);
		} else {
			name = xstrdup("STDIN");
		}
		if (!qsub_opts_name_ok(name))
			rc = fail(o, err, QSUB_EXIT_USAGE, EINVAL,
				  "illegal -N value: '%.60s' (from the %s name) is not a valid job "
				  "name, give one with -N",
				  name, o->command ? "command" : "script");
		else
			rc = set_attr(o, "Job_Name", name, err);
		free(name);
		if (rc < 0)
			return rc;
	}

	const char *shell = env_get(o, "PBS_SHELL");
	if (shell && *shell && (rc = set_attr(o, "Shell_Path_List", shell, err)) < 0)
		return rc;

	/* Variable_List, in PBS's order. */
	struct corral_buf b;
	buf_init(&b);
	const char *home = env_get(o, "HOME");
	add_env(&b, "PBS_O_HOME", home ? home : "/");
	static const char *const names[] = {"LANG", "LOGNAME", "PATH", "MAIL", "SHELL", "TZ"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *v = env_get(o, names[i]);
		if (v && utf8_ok(v)) {
			char *n = xasprintf("PBS_O_%s", names[i]);
			add_env(&b, n, v);
			free(n);
		}
	}
	add_env(&b, "PBS_O_WORKDIR", o->cwd);
	add_env(&b, "PBS_O_SYSTEM", o->sysname);
	if (o->v_list && *o->v_list)
		buf_printf(&b, ",%s", o->v_list);
	if (o->V_src) {
		for (char **e = o->envp; e && *e; e++) {
			const char *eq = strchr(*e, '=');
			if (!eq || eq == *e || strncmp(*e, "PBS_O_", 6) == 0 || !utf8_ok(*e))
				continue; /* JSON carries UTF-8 only: such variables stay behind */
			char *n = xstrndup(*e, (size_t)(eq - *e));
			add_env(&b, n, eq + 1);
			free(n);
		}
	}
	add_env(&b, "PBS_O_HOST", o->host);
	buf_append(&b, "", 1);
	rc = set_attr(o, "Variable_List", b.data, err);
	buf_free(&b);
	if (rc == 0)
		rc = set_attr(o, "Submit_Host", o->host, err);
	return rc;
}

json_t *qsub_opts_attrs(const struct qsub_opts *o) { return o->attrs; }

int qsub_opts_operands(const struct qsub_opts *o, char ***ops)
{
	if (ops)
		*ops = o->ops;
	return o->nops;
}

bool qsub_opts_is_command(const struct qsub_opts *o) { return o->command; }

bool qsub_opts_quiet(const struct qsub_opts *o) { return o->z_src != SRC_NONE; }

const char *qsub_opts_server(const struct qsub_opts *o) { return o->server; }

int qsub_opts_exit_status(const struct qsub_opts *o) { return o->exit_status; }
