/* expr.c - parser, binder and evaluator of requirements/rank/start
 * expressions (language and contract: expr.h).
 *
 * The text is cut into tokens, then a recursive-descent parser (one
 * function per precedence level, prefix operators and left-associative
 * chains handled by loops, so C recursion grows only with parentheses and
 * function calls, which SC_EXPR_MAX_DEPTH bounds) emits postfix code for a
 * small stack machine.  && and || compile to a conditional jump that skips
 * the right operand when the left one decides the result, followed by the
 * Kleene combination of both.  Names become LOAD instructions carrying an
 * index into the name table; sc_expr_bind stores the caller's key in each
 * LOAD so evaluation never touches a name.  Evaluation runs the code over
 * a fixed array on the C stack and allocates nothing.  =~ patterns are
 * compiled by the small NFA regex engine below, not by regcomp(3).
 */
#include "src/sched/expr.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/common/buf.h"

/* ---- compiled form ------------------------------------------------------ */

enum op {
	OP_CONST,   /* push consts[a] */
	OP_LOAD,    /* push the attribute with key b (name index a) */
	OP_NOT,     /* top = !truth(top) */
	OP_NEG,     /* top = -number(top) */
	OP_ADD,     /* binary operators pop two and push one */
	OP_SUB,
	OP_MUL,
	OP_DIV,
	OP_EQ,
	OP_NE,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
	OP_MATCH,   /* top = top =~ res[a] */
	OP_JFALSE,  /* top = truth(top); jump to a when it is false */
	OP_JTRUE,   /* top = truth(top); jump to a when it is true */
	OP_AND,     /* Kleene and of the top two (the first already a truth) */
	OP_OR,
	OP_DEFINED, /* top = top is not undefined */
	OP_HAS,     /* has(list, item) */
	OP_MIN,
	OP_MAX,
};

struct ins {
	int op;
	int a; /* constant, name or regex index; jump target */
	int b; /* OP_LOAD: bound key, -1 when unbound or unknown */
};

struct sc_expr {
	char *text;              /* the source, owned */
	struct ins *code;        /* postfix program */
	int ncode, capcode;
	struct sc_value *consts; /* literals; strings point into pool */
	int nconsts, capconsts;
	struct re **res;         /* compiled =~ patterns */
	int nres, capres;
	char **names;            /* distinct names, in order of appearance */
	int *keys;               /* bound key of each name */
	int nnames, capnames;
	char *pool;              /* decoded string literals, NUL-terminated */
};

/* ---- number reading ----------------------------------------------------- */

static const struct {
	const char *name;
	double mult;
} units[] = {
	{"b", 1.0},
	{"kb", 1024.0},
	{"mb", 1048576.0},
	{"gb", 1073741824.0},
	{"tb", 1099511627776.0},
	{"pb", 1125899906842624.0},
	{"w", 8.0},
	{"kw", 8.0 * 1024.0},
	{"mw", 8.0 * 1048576.0},
	{"gw", 8.0 * 1073741824.0},
	{"tw", 8.0 * 1099511627776.0},
	{"pw", 8.0 * 1125899906842624.0},
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static double pow10i(int k)
{
	double p = 1.0;
	while (k-- > 0)
		p *= 10.0;
	return p;
}

/* digits[.digits][unit] or .digits[unit], or [[H:]M:]S; no sign, no blanks. */
static bool read_number(const char *s, size_t len, double *out)
{
	size_t i = 0;
	if (len == 0)
		return false;
	if (memchr(s, ':', len)) {
		double f[3] = {0, 0, 0};
		int nf = 0;
		while (i <= len) {
			size_t st = i;
			double v = 0;
			while (i < len && is_digit(s[i]))
				v = v * 10.0 + (s[i++] - '0');
			if (i == st || nf == 3)
				return false;
			f[nf++] = v;
			if (i == len)
				break;
			if (s[i] != ':')
				return false;
			i++;
		}
		if (nf < 2)
			return false;
		*out = nf == 2 ? f[0] * 60.0 + f[1] : f[0] * 3600.0 + f[1] * 60.0 + f[2];
		return true;
	}
	double mant = 0; /* all digits as one integer, exact below 2^53 */
	int ndig = 0, nfrac = 0;
	while (i < len && is_digit(s[i])) {
		mant = mant * 10.0 + (s[i++] - '0');
		ndig++;
	}
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && is_digit(s[i])) {
			mant = mant * 10.0 + (s[i++] - '0');
			ndig++;
			nfrac++;
		}
	}
	if (ndig == 0)
		return false;
	double v = nfrac ? mant / pow10i(nfrac) : mant;
	if (i < len) {
		size_t ul = len - i;
		bool found = false;
		for (size_t u = 0; u < sizeof units / sizeof units[0] && !found; u++) {
			const char *n = units[u].name;
			if (strlen(n) != ul)
				continue;
			size_t k = 0;
			while (k < ul && lower(s[i + k]) == n[k])
				k++;
			if (k == ul) {
				v *= units[u].mult;
				found = true;
			}
		}
		if (!found)
			return false;
	}
	*out = v;
	return true;
}

bool sc_expr_str_to_num(const char *s, size_t len, double *num)
{
	if (!s)
		return false;
	while (len > 0 && is_blank(*s))
		s++, len--;
	while (len > 0 && is_blank(s[len - 1]))
		len--;
	bool neg = false;
	if (len > 0 && (*s == '-' || *s == '+')) {
		neg = *s == '-';
		s++, len--;
	}
	double v;
	if (!read_number(s, len, &v))
		return false;
	*num = neg ? -v : v;
	return true;
}

/* ---- regular expressions ------------------------------------------------ */

/* A small POSIX ERE engine: the pattern compiles to a Thompson NFA program
 * that is simulated one byte at a time over all live states at once, so
 * matching costs O(len(subject) x len(program)) whatever the pattern, and
 * uses only arrays on the C stack.  The C library's regcomp/regexec were
 * not used because glibc's regcomp takes exponential time on small
 * patterns such as "a?+?+?+?+?+?+?+?+" (found by fuzzing) and regexec
 * allocates.  Supported: literals, '.', bracket expressions with ranges,
 * [:class:], [=c=] and [.c.], ^ and $ (anywhere), ( ), |, * + ? {m} {m,}
 * {m,n} (m, n <= RE_MAX_REPEAT, stacking allowed), \d \D \s \S \w \W, and any
 * other \c as the literal c; back-references are refused. */

#define RE_MAX_PROG 2000 /* instructions; the matcher keeps 4 ints per one */
#define RE_MAX_REPEAT 255

enum re_op {
	RE_CHAR,  /* consume byte c */
	RE_ANY,   /* consume any byte */
	RE_CLASS, /* consume a byte of class x */
	RE_BOL,   /* assert: at the start of the subject */
	RE_EOL,   /* assert: at the end of the subject */
	RE_JMP,   /* go to x */
	RE_SPLIT, /* go to x and y */
	RE_MATCH,
};

struct re_ins {
	unsigned char op;
	unsigned char c;
	int x, y;
};

struct re {
	struct re_ins *prog;
	int n, cap;
	uint32_t (*classes)[8]; /* 256-bit sets */
	int nclasses, capclasses;
};

struct re_parser {
	const char *s;
	size_t len, i;
	int depth;
	struct re *re;
	const char *err;
};

static void re_free(struct re *re)
{
	if (re) {
		free(re->prog);
		free(re->classes);
		free(re);
	}
}

static int re_emit(struct re_parser *rp, int op, int c, int x, int y)
{
	struct re *re = rp->re;
	if (re->n >= RE_MAX_PROG) {
		rp->err = "pattern too large";
		return -1;
	}
	if (re->n == re->cap) {
		re->cap = re->cap ? 2 * re->cap : 16;
		re->prog = xrealloc(re->prog, (size_t)re->cap * sizeof *re->prog);
	}
	re->prog[re->n] = (struct re_ins){.op = (unsigned char)op, .c = (unsigned char)c, .x = x, .y = y};
	return re->n++;
}

/* Move [at, n) up by k instructions, fixing jump targets: jumps inside the
 * moved code to targets >= at move along; jumps from before at only to
 * targets > at (a jump to at now reaches what is inserted there). */
static int re_insert(struct re_parser *rp, int at, int k)
{
	struct re *re = rp->re;
	for (int i = 0; i < k; i++)
		if (re_emit(rp, RE_MATCH, 0, 0, 0) < 0)
			return -1;
	memmove(&re->prog[at + k], &re->prog[at], (size_t)(re->n - k - at) * sizeof *re->prog);
	for (int i = 0; i < re->n; i++) {
		struct re_ins *in = &re->prog[i];
		if (i >= at && i < at + k)
			continue;
		if (in->op != RE_JMP && in->op != RE_SPLIT)
			continue;
		int lim = i >= at + k ? at : at + 1;
		if (in->x >= lim)
			in->x += k;
		if (in->op == RE_SPLIT && in->y >= lim)
			in->y += k;
	}
	return 0;
}

/* Append a copy of code[s, e) whose jump targets lie in [s, e]. */
static int re_copy(struct re_parser *rp, const struct re_ins *frag, int s, int e)
{
	int base = rp->re->n;
	for (int i = 0; i < e - s; i++) {
		struct re_ins in = frag[i];
		if (in.op == RE_JMP || in.op == RE_SPLIT) {
			in.x += base - s;
			in.y += base - s;
		}
		if (re_emit(rp, in.op, in.c, in.x, in.y) < 0)
			return -1;
	}
	return 0;
}

static int re_class_new(struct re_parser *rp)
{
	struct re *re = rp->re;
	if (re->nclasses == re->capclasses) {
		re->capclasses = re->capclasses ? 2 * re->capclasses : 4;
		re->classes = xrealloc(re->classes, (size_t)re->capclasses * sizeof *re->classes);
	}
	memset(re->classes[re->nclasses], 0, sizeof re->classes[0]);
	return re->nclasses++;
}

static void set_add(uint32_t *set, int c)
{
	set[(unsigned char)c >> 5] |= UINT32_C(1) << ((unsigned char)c & 31);
}

static bool set_has(const uint32_t *set, unsigned char c)
{
	return set[c >> 5] >> (c & 31) & 1;
}

/* Add the named POSIX class (C locale) to set; false for an unknown name. */
static bool re_named_class(uint32_t *set, const char *name, size_t len)
{
	static const char *const names[] = {"alpha", "digit", "alnum", "upper", "lower", "space",
					    "blank", "punct", "print", "graph", "cntrl", "xdigit"};
	int k = -1;
	for (int i = 0; i < 12; i++)
		if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
			k = i;
	if (k < 0)
		return false;
	for (int c = 0; c < 256; c++) {
		bool up = c >= 'A' && c <= 'Z', lo = c >= 'a' && c <= 'z', di = is_digit((char)c);
		bool sp = c == ' ' || (c >= '\t' && c <= '\r');
		bool pr = c >= 0x20 && c < 0x7f;
		bool in;
		switch (k) {
		case 0: in = up || lo; break;
		case 1: in = di; break;
		case 2: in = up || lo || di; break;
		case 3: in = up; break;
		case 4: in = lo; break;
		case 5: in = sp; break;
		case 6: in = c == ' ' || c == '\t'; break;
		case 7: in = pr && c != ' ' && !up && !lo && !di; break;
		case 8: in = pr; break;
		case 9: in = pr && c != ' '; break;
		case 10: in = c < 0x20 || c == 0x7f; break;
		default: in = di || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); break;
		}
		if (in)
			set_add(set, c);
	}
	return true;
}

/* \d \s \w and negations as a class; -1 when c is no such letter. */
static int re_escape_class(struct re_parser *rp, char c)
{
	const char *name;
	switch (c) {
	case 'd': case 'D': name = "digit"; break;
	case 's': case 'S': name = "space"; break;
	case 'w': case 'W': name = "alnum"; break;
	default: return -1;
	}
	int k = re_class_new(rp);
	uint32_t *set = rp->re->classes[k];
	re_named_class(set, name, strlen(name));
	if (c == 'w' || c == 'W')
		set_add(set, '_');
	if (c >= 'A' && c <= 'Z')
		for (int w = 0; w < 8; w++)
			set[w] = ~set[w];
	return k;
}

/* A bracket expression; rp->i is past the '['. */
static int re_bracket(struct re_parser *rp)
{
	const char *s = rp->s;
	size_t len = rp->len;
	int k = re_class_new(rp);
	uint32_t *set = rp->re->classes[k];
	bool neg = false, first = true;
	if (rp->i < len && s[rp->i] == '^') {
		neg = true;
		rp->i++;
	}
	for (;;) {
		if (rp->i >= len) {
			rp->err = "unterminated [";
			return -1;
		}
		unsigned char c = (unsigned char)s[rp->i];
		if (c == ']' && !first) {
			rp->i++;
			break;
		}
		first = false;
		if (c == '[' && rp->i + 1 < len && (s[rp->i + 1] == ':' || s[rp->i + 1] == '=' || s[rp->i + 1] == '.')) {
			char kind = s[rp->i + 1];
			size_t st = rp->i + 2, en = st;
			while (en + 1 < len && !(s[en] == kind && s[en + 1] == ']'))
				en++;
			if (en + 1 >= len) {
				rp->err = "unterminated [";
				return -1;
			}
			rp->i = en + 2;
			if (kind == ':') {
				if (!re_named_class(set, s + st, en - st)) {
					rp->err = "unknown character class";
					return -1;
				}
				continue;
			}
			if (en - st != 1) {
				rp->err = "unsupported collating element";
				return -1;
			}
			c = (unsigned char)s[st];
		} else {
			rp->i++;
		}
		/* a range c-d, unless '-' is last */
		if (rp->i + 1 < len && s[rp->i] == '-' && s[rp->i + 1] != ']') {
			unsigned char d = (unsigned char)s[rp->i + 1];
			if (d == '[') {
				rp->err = "unsupported range end";
				return -1;
			}
			if (d < c) {
				rp->err = "invalid range";
				return -1;
			}
			for (int x = c; x <= d; x++)
				set_add(set, x);
			rp->i += 2;
		} else {
			set_add(set, c);
		}
	}
	if (neg)
		for (int w = 0; w < 8; w++)
			set[w] = ~set[w];
	return k;
}

static int re_alt(struct re_parser *rp);

/* One atom; 1 when there was one, 0 at '|', ')' or the end. */
static int re_atom(struct re_parser *rp)
{
	const char *s = rp->s;
	if (rp->i >= rp->len)
		return 0;
	char c = s[rp->i];
	switch (c) {
	case '|':
	case ')':
		return 0;
	case '(':
		if (++rp->depth > SC_EXPR_MAX_DEPTH) {
			rp->err = "groups nested too deep";
			return -1;
		}
		rp->i++;
		if (re_alt(rp) < 0)
			return -1;
		if (rp->i >= rp->len || s[rp->i] != ')') {
			rp->err = "unmatched (";
			return -1;
		}
		rp->i++;
		rp->depth--;
		return 1;
	case '*':
	case '+':
	case '?':
	case '{':
		rp->err = "nothing to repeat";
		return -1;
	case '.':
		rp->i++;
		return re_emit(rp, RE_ANY, 0, 0, 0) < 0 ? -1 : 1;
	case '^':
		rp->i++;
		return re_emit(rp, RE_BOL, 0, 0, 0) < 0 ? -1 : 1;
	case '$':
		rp->i++;
		return re_emit(rp, RE_EOL, 0, 0, 0) < 0 ? -1 : 1;
	case '[': {
		rp->i++;
		int k = re_bracket(rp);
		return k < 0 || re_emit(rp, RE_CLASS, 0, k, 0) < 0 ? -1 : 1;
	}
	case '\\': {
		if (rp->i + 1 >= rp->len) {
			rp->err = "trailing backslash";
			return -1;
		}
		char d = s[rp->i + 1];
		rp->i += 2;
		if (d >= '1' && d <= '9') {
			rp->err = "back-references are not supported";
			return -1;
		}
		int k = re_escape_class(rp, d);
		if (k >= 0)
			return re_emit(rp, RE_CLASS, 0, k, 0) < 0 ? -1 : 1;
		return re_emit(rp, RE_CHAR, d, 0, 0) < 0 ? -1 : 1;
	}
	default:
		rp->i++;
		return re_emit(rp, RE_CHAR, c, 0, 0) < 0 ? -1 : 1;
	}
}

/* "{m}", "{m,}", "{m,n}" at rp->i (the '{'); max -1 for no bound. */
static int re_interval(struct re_parser *rp, int *min, int *max)
{
	const char *s = rp->s;
	size_t i = rp->i + 1;
	long m = -1, n;
	if (i < rp->len && is_digit(s[i]))
		for (m = 0; i < rp->len && is_digit(s[i]); i++)
			m = m <= RE_MAX_REPEAT ? m * 10 + (s[i] - '0') : m;
	if (m < 0) {
		rp->err = "bad interval";
		return -1;
	}
	n = m;
	if (i < rp->len && s[i] == ',') {
		i++;
		n = -1;
		if (i < rp->len && is_digit(s[i]))
			for (n = 0; i < rp->len && is_digit(s[i]); i++)
				n = n <= RE_MAX_REPEAT ? n * 10 + (s[i] - '0') : n;
	}
	if (i >= rp->len || s[i] != '}') {
		rp->err = "bad interval";
		return -1;
	}
	if (m > RE_MAX_REPEAT || n > RE_MAX_REPEAT) {
		rp->err = "interval bound above 255";
		return -1;
	}
	if (n >= 0 && n < m) {
		rp->err = "bad interval";
		return -1;
	}
	rp->i = i + 1;
	*min = (int)m;
	*max = (int)n;
	return 0;
}

/* Apply x{min,max} to the fragment [s, n); max -1 is unbounded. */
static int re_repeat(struct re_parser *rp, int s, int min, int max)
{
	struct re *re = rp->re;
	int e = re->n;
	if (min == 0 && max == 1) { /* ?: split over it */
		if (re_insert(rp, s, 1) < 0)
			return -1;
		re->prog[s] = (struct re_ins){.op = RE_SPLIT, .x = s + 1, .y = re->n};
		return 0;
	}
	if (min == 0 && max < 0) { /* *: split, body, jump back */
		if (re_insert(rp, s, 1) < 0 || re_emit(rp, RE_JMP, 0, s, 0) < 0)
			return -1;
		re->prog[s] = (struct re_ins){.op = RE_SPLIT, .x = s + 1, .y = re->n};
		return 0;
	}
	if (min == 1 && max < 0) /* +: body, split back */
		return re_emit(rp, RE_SPLIT, 0, s, e + 1) < 0 ? -1 : 0;
	/* general case from copies of the body */
	int flen = e - s, rc = -1;
	if ((long)flen * (max < 0 ? min + 1 : (max > min ? max : min)) + re->n > RE_MAX_PROG) {
		rp->err = "pattern too large";
		return -1;
	}
	struct re_ins *frag = xmalloc((size_t)(flen ? flen : 1) * sizeof *frag);
	if (flen > 0) /* an empty group: nothing to copy (and prog may be NULL) */
		memcpy(frag, &re->prog[s], (size_t)flen * sizeof *frag);
	re->n = s;
	int splits[RE_MAX_REPEAT], ns = 0;
	for (int i = 0; i < min; i++)
		if (re_copy(rp, frag, s, e) < 0)
			goto out;
	if (max < 0) { /* x{m,}: m copies, the last one looping */
		if (min == 0) {
			int l = re->n;
			if (re_emit(rp, RE_SPLIT, 0, l + 1, 0) < 0 || re_copy(rp, frag, s, e) < 0 ||
			    re_emit(rp, RE_JMP, 0, l, 0) < 0)
				goto out;
			re->prog[l].y = re->n;
		} else if (re_emit(rp, RE_SPLIT, 0, re->n - flen, re->n + 1) < 0) {
			goto out;
		}
	} else {
		for (int i = min; i < max; i++) { /* optional copies, each may end it all */
			splits[ns] = re_emit(rp, RE_SPLIT, 0, re->n + 1, 0);
			if (splits[ns++] < 0 || re_copy(rp, frag, s, e) < 0)
				goto out;
		}
		for (int i = 0; i < ns; i++)
			re->prog[splits[i]].y = re->n;
	}
	rc = 0;
out:
	free(frag);
	return rc;
}

/* A branch: atoms, each followed by any number of repetitions. */
static int re_branch(struct re_parser *rp)
{
	for (;;) {
		int s = rp->re->n;
		int r = re_atom(rp);
		if (r <= 0)
			return r;
		while (rp->i < rp->len) {
			char c = rp->s[rp->i];
			int min, max;
			if (c == '*' || c == '+' || c == '?') {
				min = c == '+';
				max = c == '?' ? 1 : -1;
				rp->i++;
			} else if (c == '{') {
				if (re_interval(rp, &min, &max) < 0)
					return -1;
			} else {
				break;
			}
			if (re_repeat(rp, s, min, max) < 0)
				return -1;
		}
	}
}

/* Branches separated by '|'. */
static int re_alt(struct re_parser *rp)
{
	struct re *re = rp->re;
	int s = re->n;
	if (re_branch(rp) < 0)
		return -1;
	while (rp->i < rp->len && rp->s[rp->i] == '|') {
		rp->i++;
		/* SPLIT(earlier branches, next branch) in front; a pending jump
		 * (x = -1) after the earlier branches, patched below */
		if (re_insert(rp, s, 1) < 0 || re_emit(rp, RE_JMP, 0, -1, 0) < 0)
			return -1;
		re->prog[s] = (struct re_ins){.op = RE_SPLIT, .x = s + 1, .y = re->n};
		if (re_branch(rp) < 0)
			return -1;
	}
	for (int i = s; i < re->n; i++)
		if (re->prog[i].op == RE_JMP && re->prog[i].x == -1)
			re->prog[i].x = re->n;
	return 0;
}

/* Compile pat; NULL with *why set on error. */
static struct re *re_compile(const char *pat, size_t len, const char **why)
{
	struct re_parser rp = {.s = pat, .len = len, .re = xcalloc(1, sizeof(struct re))};
	if (re_alt(&rp) == 0 && rp.i < len)
		rp.err = "unmatched )";
	if (!rp.err)
		re_emit(&rp, RE_MATCH, 0, 0, 0);
	if (rp.err) {
		*why = rp.err;
		re_free(rp.re);
		return NULL;
	}
	return rp.re;
}

/* Add state pc (and what it reaches without consuming) at position pos to
 * list; true when the match state is reached. */
static bool re_add(const struct re *re, int pc, size_t pos, size_t len, int *list, int *cnt,
		   uint32_t *mark, uint32_t gen, int *stack)
{
	int sp = 0;
	if (mark[pc] == gen)
		return false;
	mark[pc] = gen;
	stack[sp++] = pc;
	while (sp > 0) {
		const struct re_ins *in = &re->prog[pc = stack[--sp]];
		int next[2], nn = 0;
		switch (in->op) {
		case RE_MATCH:
			return true;
		case RE_JMP:
			next[nn++] = in->x;
			break;
		case RE_SPLIT:
			next[nn++] = in->x;
			next[nn++] = in->y;
			break;
		case RE_BOL:
			if (pos == 0)
				next[nn++] = pc + 1;
			break;
		case RE_EOL:
			if (pos == len)
				next[nn++] = pc + 1;
			break;
		default:
			list[(*cnt)++] = pc;
			break;
		}
		for (int k = 0; k < nn; k++)
			if (mark[next[k]] != gen) {
				mark[next[k]] = gen;
				stack[sp++] = next[k];
			}
	}
	return false;
}

/* Does re match anywhere in s[0, len)? */
static bool re_search(const struct re *re, const char *s, size_t len)
{
	const int n = re->n;
	int la[n], lb[n], stack[n];
	uint32_t mark[n];
	int *cur = la, *nxt = lb, ncur = 0;
	uint32_t gen = 1;

	memset(mark, 0, sizeof mark);
	if (re_add(re, 0, 0, len, cur, &ncur, mark, gen, stack))
		return true;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int nnxt = 0;
		gen++;
		for (int k = 0; k < ncur; k++) {
			const struct re_ins *in = &re->prog[cur[k]];
			bool ok = in->op == RE_ANY || (in->op == RE_CHAR && in->c == c) ||
				  (in->op == RE_CLASS && set_has(re->classes[in->x], c));
			if (ok && re_add(re, cur[k] + 1, i + 1, len, nxt, &nnxt, mark, gen, stack))
				return true;
		}
		/* unanchored: a match may also start at i + 1 */
		if (re_add(re, 0, i + 1, len, nxt, &nnxt, mark, gen, stack))
			return true;
		int *t = cur;
		cur = nxt;
		nxt = t;
		ncur = nnxt;
	}
	return false;
}

/* ---- value helpers used by evaluation ----------------------------------- */

/* Case-insensitive equality of s[0..len) with the lower-case word w. */
static bool word_eq(const char *s, size_t len, const char *w)
{
	size_t i = 0;
	for (; i < len && w[i]; i++)
		if (lower(s[i]) != w[i])
			return false;
	return i == len && w[i] == '\0';
}

/* Truth of a value: 1 true, 0 false, -1 undefined. */
static int truth(const struct sc_value *v)
{
	switch (v->type) {
	case SC_BOOL:
	case SC_NUM:
		return v->num != 0;
	case SC_STR: {
		static const char *const yes[] = {"true", "yes", "t", "y"};
		static const char *const no[] = {"false", "no", "f", "n"};
		const char *s = v->str;
		size_t len = v->len;
		while (len > 0 && is_blank(*s))
			s++, len--;
		while (len > 0 && is_blank(s[len - 1]))
			len--;
		for (int i = 0; i < 4; i++) {
			if (word_eq(s, len, yes[i]))
				return 1;
			if (word_eq(s, len, no[i]))
				return 0;
		}
		double d;
		if (sc_expr_str_to_num(s, len, &d))
			return d != 0;
		return -1;
	}
	default:
		return -1;
	}
}

static bool to_num(const struct sc_value *v, double *d)
{
	switch (v->type) {
	case SC_BOOL:
	case SC_NUM:
		*d = v->num;
		return true;
	case SC_STR:
		return sc_expr_str_to_num(v->str, v->len, d);
	default:
		return false;
	}
}

/* Text of a value for =~ and has(); numbers are formatted into buf. */
static bool to_text(const struct sc_value *v, char *buf, size_t n, const char **s, size_t *len)
{
	switch (v->type) {
	case SC_STR:
		*s = v->str;
		*len = v->len;
		return true;
	case SC_BOOL:
		*s = v->num != 0 ? "true" : "false";
		*len = strlen(*s);
		return true;
	case SC_NUM: {
		int k = snprintf(buf, n, "%.15g", v->num);
		if (k < 0 || (size_t)k >= n)
			return false;
		*s = buf;
		*len = (size_t)k;
		return true;
	}
	default:
		return false;
	}
}

static void set_undef(struct sc_value *v)
{
	v->type = SC_UNDEF;
	v->num = 0;
	v->str = NULL;
	v->len = 0;
}

static void set_bool(struct sc_value *v, int t)
{
	if (t < 0) {
		set_undef(v);
		return;
	}
	v->type = SC_BOOL;
	v->num = t ? 1.0 : 0.0;
	v->str = NULL;
	v->len = 0;
}

static void set_num(struct sc_value *v, double d)
{
	if (isnan(d)) {
		set_undef(v);
		return;
	}
	v->type = SC_NUM;
	v->num = d;
	v->str = NULL;
	v->len = 0;
}

/* a OP b for the six comparison ops: 1, 0 or -1 (undefined). */
static int compare(const struct sc_value *a, const struct sc_value *b, int op)
{
	double x, y;
	if (a->type == SC_UNDEF || b->type == SC_UNDEF)
		return -1;
	if (a->type == SC_STR && b->type == SC_STR) {
		if (op == OP_EQ || op == OP_NE) {
			bool eq = a->len == b->len && (a->len == 0 || memcmp(a->str, b->str, a->len) == 0);
			return op == OP_EQ ? eq : !eq;
		}
		if (!sc_expr_str_to_num(a->str, a->len, &x) || !sc_expr_str_to_num(b->str, b->len, &y)) {
			size_t m = a->len < b->len ? a->len : b->len;
			int c = m ? memcmp(a->str, b->str, m) : 0;
			if (c == 0)
				c = a->len < b->len ? -1 : a->len > b->len;
			x = c;
			y = 0;
		}
	} else if (a->type == SC_STR || b->type == SC_STR) {
		const struct sc_value *s = a->type == SC_STR ? a : b;
		const struct sc_value *o = a->type == SC_STR ? b : a;
		double sv;
		if (o->type == SC_BOOL) {
			int t = truth(s);
			if (t < 0)
				return -1;
			sv = t;
		} else if (!sc_expr_str_to_num(s->str, s->len, &sv)) {
			return -1;
		}
		x = s == a ? sv : o->num;
		y = s == a ? o->num : sv;
	} else {
		x = a->num;
		y = b->num;
	}
	switch (op) {
	case OP_EQ: return x == y;
	case OP_NE: return x != y;
	case OP_LT: return x < y;
	case OP_LE: return x <= y;
	case OP_GT: return x > y;
	default: return x >= y;
	}
}

static int match(const struct re *re, const struct sc_value *v)
{
	char buf[32];
	const char *s;
	size_t len;
	if (!to_text(v, buf, sizeof buf, &s, &len))
		return -1;
	return re_search(re, s, len);
}

static int has(const struct sc_value *list, const struct sc_value *item)
{
	char lbuf[32], ibuf[32];
	const char *l, *it;
	size_t ll, il;
	if (!to_text(list, lbuf, sizeof lbuf, &l, &ll) || !to_text(item, ibuf, sizeof ibuf, &it, &il))
		return -1;
	size_t i = 0;
	for (;;) {
		size_t st = i;
		while (i < ll && l[i] != ',')
			i++;
		size_t en = i;
		while (st < en && (l[st] == ' ' || l[st] == '\t'))
			st++;
		while (en > st && (l[en - 1] == ' ' || l[en - 1] == '\t'))
			en--;
		if (en - st == il && (il == 0 || memcmp(l + st, it, il) == 0))
			return 1;
		if (i >= ll)
			return 0;
		i++; /* past ',' */
	}
}

/* ---- evaluation --------------------------------------------------------- */

int sc_expr_eval(const struct sc_expr *e, sc_lookup_fn lookup, void *ctx, struct sc_value *out)
{
	struct sc_value st[SC_EXPR_MAX_STACK];
	int sp = 0;

	if (!e || !out) {
		if (out)
			set_undef(out);
		return -EINVAL;
	}
	const struct ins *code = e->code;
	const int n = e->ncode;
	for (int pc = 0; pc < n; pc++) {
		const struct ins *in = &code[pc];
		/* top: the last value pushed; only used by ops that pop */
#define top (&st[sp - 1])
		switch (in->op) {
		case OP_CONST:
			st[sp++] = e->consts[in->a];
			break;
		case OP_LOAD: {
			struct sc_value *v = &st[sp++];
			set_undef(v);
			if (in->b >= 0 && lookup) {
				lookup(ctx, in->b, v);
				if ((v->type == SC_STR && !v->str && v->len) ||
				    (v->type == SC_NUM && isnan(v->num)) ||
				    (v->type != SC_BOOL && v->type != SC_NUM && v->type != SC_STR))
					set_undef(v);
				else if (v->type == SC_BOOL)
					v->num = v->num != 0;
			}
			break;
		}
		case OP_NOT: {
			int t = truth(top);
			set_bool(top, t < 0 ? -1 : !t);
			break;
		}
		case OP_NEG: {
			double d;
			if (to_num(top, &d))
				set_num(top, -d);
			else
				set_undef(top);
			break;
		}
		case OP_ADD:
		case OP_SUB:
		case OP_MUL:
		case OP_DIV:
		case OP_MIN:
		case OP_MAX: {
			struct sc_value *a = &st[sp - 2];
			double x, y;
			bool ok = to_num(a, &x) && to_num(top, &y);
			sp--;
			if (!ok) {
				set_undef(a);
				break;
			}
			switch (in->op) {
			case OP_ADD: set_num(a, x + y); break;
			case OP_SUB: set_num(a, x - y); break;
			case OP_MUL: set_num(a, x * y); break;
			case OP_DIV:
				if (y == 0)
					set_undef(a);
				else
					set_num(a, x / y);
				break;
			case OP_MIN: set_num(a, x < y ? x : y); break;
			default: set_num(a, x > y ? x : y); break;
			}
			break;
		}
		case OP_EQ:
		case OP_NE:
		case OP_LT:
		case OP_LE:
		case OP_GT:
		case OP_GE:
			set_bool(&st[sp - 2], compare(&st[sp - 2], top, in->op));
			sp--;
			break;
		case OP_MATCH:
			set_bool(top, match(e->res[in->a], top));
			break;
		case OP_JFALSE:
		case OP_JTRUE: {
			int t = truth(top);
			set_bool(top, t);
			if (t == (in->op == OP_JTRUE))
				pc = in->a - 1;
			break;
		}
		case OP_AND:
		case OP_OR: {
			int x = truth(&st[sp - 2]), y = truth(top);
			int r;
			sp--;
			if (in->op == OP_AND)
				r = (x == 0 || y == 0) ? 0 : (x == 1 && y == 1) ? 1 : -1;
			else
				r = (x == 1 || y == 1) ? 1 : (x == 0 && y == 0) ? 0 : -1;
			set_bool(&st[sp - 1], r);
			break;
		}
		case OP_DEFINED:
			set_bool(top, top->type != SC_UNDEF);
			break;
		case OP_HAS:
			set_bool(&st[sp - 2], has(&st[sp - 2], top));
			sp--;
			break;
		}
#undef top
	}
	if (sp == 1)
		*out = st[0];
	else
		set_undef(out); /* not reached: the parser emits balanced code */
	return 0;
}

bool sc_expr_holds(const struct sc_expr *e, sc_lookup_fn lookup, void *ctx)
{
	struct sc_value v;
	if (!e)
		return true;
	sc_expr_eval(e, lookup, ctx, &v);
	return truth(&v) == 1;
}

double sc_expr_number(const struct sc_expr *e, sc_lookup_fn lookup, void *ctx, double dflt)
{
	struct sc_value v;
	double d;
	if (!e)
		return dflt;
	sc_expr_eval(e, lookup, ctx, &v);
	return to_num(&v, &d) ? d : dflt;
}

/* ---- tokens ------------------------------------------------------------- */

enum tok_type {
	T_END,
	T_NUM,
	T_STR,
	T_IDENT,
	T_TRUE,
	T_FALSE,
	T_LPAREN,
	T_RPAREN,
	T_COMMA,
	T_OR,
	T_AND,
	T_NOT,
	T_EQ,
	T_NE,
	T_LT,
	T_LE,
	T_GT,
	T_GE,
	T_MATCH,
	T_PLUS,
	T_MINUS,
	T_STAR,
	T_SLASH,
};

struct tok {
	enum tok_type type;
	int col;          /* 1-based byte column of the first byte */
	int len;          /* bytes of source text */
	double num;       /* T_NUM */
	const char *str;  /* T_STR: decoded, in the pool */
	size_t slen;
};

struct parser {
	const char *text;
	size_t textlen;
	struct tok *toks;
	int pos;
	int depth;
	int sp;           /* stack depth of the code emitted so far */
	struct sc_expr *e;
	corral_error_t *err;
	bool failed;
};

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct parser *p, const char *fmt, ...)
{
	if (!p->failed && p->err) {
		va_list ap;
		char msg[sizeof p->err->text];
		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
		corral_errorf(p->err, EINVAL, "%s", msg);
	}
	p->failed = true;
	return -1;
}

/* Printable rendering of one byte for messages. */
static const char *byte_desc(unsigned char c, char *buf, size_t n)
{
	if (c >= 0x20 && c < 0x7f && c != '\'')
		snprintf(buf, n, "'%c'", c);
	else
		snprintf(buf, n, "'\\x%02x'", c);
	return buf;
}

static int lex(struct parser *p)
{
	const char *s = p->text;
	size_t len = p->textlen, i = 0;
	int nt = 0;
	char *pool = p->e->pool;
	char bd[16];

	for (;;) {
		while (i < len && is_blank(s[i]))
			i++;
		struct tok *t = &p->toks[nt++];
		memset(t, 0, sizeof *t);
		t->col = (int)i + 1;
		if (i >= len) {
			t->type = T_END;
			return 0;
		}
		size_t st = i;
		char c = s[i];
		char d = i + 1 < len ? s[i + 1] : '\0';
		if (is_digit(c) || (c == '.' && is_digit(d))) {
			while (i < len && (is_digit(s[i]) || is_alpha(s[i]) || s[i] == '.' || s[i] == ':' || s[i] == '_'))
				i++;
			t->type = T_NUM;
			if (!read_number(s + st, i - st, &t->num)) {
				int w = (int)(i - st) > 40 ? 40 : (int)(i - st);
				return fail(p, "bad number '%.*s%s' at column %d", w, s + st,
					    w < (int)(i - st) ? "..." : "", t->col);
			}
		} else if (is_alpha(c) || c == '_') {
			while (i < len && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '_' || s[i] == '.'))
				i++;
			t->type = T_IDENT;
			if (word_eq(s + st, i - st, "true"))
				t->type = T_TRUE;
			else if (word_eq(s + st, i - st, "false"))
				t->type = T_FALSE;
		} else if (c == '"') {
			char *o = pool;
			i++;
			for (;;) {
				if (i >= len)
					return fail(p, "unterminated string starting at column %d", t->col);
				if (s[i] == '"') {
					i++;
					break;
				}
				if (s[i] == '\\' && i + 1 < len && (s[i + 1] == '"' || s[i + 1] == '\\')) {
					*o++ = s[i + 1];
					i += 2;
				} else {
					*o++ = s[i++];
				}
			}
			t->type = T_STR;
			t->str = pool;
			t->slen = (size_t)(o - pool);
			*o++ = '\0';
			pool = o;
		} else {
			static const struct {
				const char *text;
				enum tok_type type;
			} ops[] = {
				{"||", T_OR}, {"&&", T_AND}, {"==", T_EQ}, {"!=", T_NE}, {"<=", T_LE},
				{">=", T_GE}, {"=~", T_MATCH}, {"<", T_LT}, {">", T_GT}, {"!", T_NOT},
				{"+", T_PLUS}, {"-", T_MINUS}, {"*", T_STAR}, {"/", T_SLASH},
				{"(", T_LPAREN}, {")", T_RPAREN}, {",", T_COMMA},
			};
			bool found = false;
			for (size_t k = 0; k < sizeof ops / sizeof ops[0] && !found; k++) {
				size_t ol = strlen(ops[k].text);
				if (ol <= len - i && memcmp(s + i, ops[k].text, ol) == 0) {
					t->type = ops[k].type;
					i += ol;
					found = true;
				}
			}
			if (!found) {
				if (c == '|' || c == '&')
					return fail(p, "unexpected '%c' at column %d (did you mean '%c%c'?)", c,
						    t->col, c, c);
				if (c == '=')
					return fail(p, "unexpected '=' at column %d (did you mean '=='?)", t->col);
				return fail(p, "unexpected character %s at column %d",
					    byte_desc((unsigned char)c, bd, sizeof bd), t->col);
			}
		}
		t->len = (int)(i - st);
	}
}

/* What a token looks like, for "unexpected ..." messages. */
static const char *tok_desc(struct parser *p, const struct tok *t, char *buf, size_t n)
{
	if (t->type == T_END)
		return "end of expression";
	if (t->type == T_STR)
		return "string";
	int w = t->len > 40 ? 40 : t->len;
	snprintf(buf, n, "'%.*s%s'", w, p->text + t->col - 1, w < t->len ? "..." : "");
	return buf;
}

/* ---- code emission ------------------------------------------------------ */

static int emit(struct parser *p, int op, int a)
{
	struct sc_expr *e = p->e;
	static const signed char effect[] = {
		[OP_CONST] = 1, [OP_LOAD] = 1, [OP_ADD] = -1, [OP_SUB] = -1, [OP_MUL] = -1,
		[OP_DIV] = -1,  [OP_EQ] = -1,  [OP_NE] = -1,  [OP_LT] = -1,  [OP_LE] = -1,
		[OP_GT] = -1,   [OP_GE] = -1,  [OP_AND] = -1, [OP_OR] = -1,  [OP_HAS] = -1,
		[OP_MIN] = -1,  [OP_MAX] = -1,
	};
	p->sp += effect[op];
	if (p->sp > SC_EXPR_MAX_STACK)
		return fail(p, "expression too complex at column %d", p->toks[p->pos].col);
	if (e->ncode == e->capcode) {
		e->capcode = e->capcode ? 2 * e->capcode : 16;
		e->code = xrealloc(e->code, (size_t)e->capcode * sizeof *e->code);
	}
	e->code[e->ncode] = (struct ins){.op = op, .a = a, .b = -1};
	return e->ncode++;
}

static int add_const(struct parser *p, struct sc_value v)
{
	struct sc_expr *e = p->e;
	if (e->nconsts == e->capconsts) {
		e->capconsts = e->capconsts ? 2 * e->capconsts : 8;
		e->consts = xrealloc(e->consts, (size_t)e->capconsts * sizeof *e->consts);
	}
	e->consts[e->nconsts] = v;
	return emit(p, OP_CONST, e->nconsts++);
}

static int add_load(struct parser *p, const char *name, size_t len)
{
	struct sc_expr *e = p->e;
	int i;
	for (i = 0; i < e->nnames; i++)
		if (strlen(e->names[i]) == len && memcmp(e->names[i], name, len) == 0)
			break;
	if (i == e->nnames) {
		if (e->nnames == e->capnames) {
			e->capnames = e->capnames ? 2 * e->capnames : 8;
			e->names = xrealloc(e->names, (size_t)e->capnames * sizeof *e->names);
			e->keys = xrealloc(e->keys, (size_t)e->capnames * sizeof *e->keys);
		}
		e->names[i] = xstrndup(name, len);
		e->keys[i] = -1;
		e->nnames++;
	}
	return emit(p, OP_LOAD, i);
}

static int add_regex(struct parser *p, const struct tok *t)
{
	struct sc_expr *e = p->e;
	const char *why = NULL;
	struct re *re = re_compile(t->str, t->slen, &why);
	if (!re)
		return fail(p, "bad regular expression at column %d: %s", t->col, why);
	if (e->nres == e->capres) {
		e->capres = e->capres ? 2 * e->capres : 4;
		e->res = xrealloc(e->res, (size_t)e->capres * sizeof *e->res);
	}
	e->res[e->nres] = re;
	return emit(p, OP_MATCH, e->nres++);
}

/* ---- parser ------------------------------------------------------------- */

static const struct tok *peek(struct parser *p)
{
	return &p->toks[p->pos];
}

static int expect(struct parser *p, enum tok_type type, const char *what)
{
	if (peek(p)->type != type)
		return fail(p, "expected %s at column %d", what, peek(p)->col);
	p->pos++;
	return 0;
}

static int enter(struct parser *p, int n)
{
	p->depth += n;
	if (p->depth > SC_EXPR_MAX_DEPTH)
		return fail(p, "nesting deeper than %d at column %d", SC_EXPR_MAX_DEPTH, peek(p)->col);
	return 0;
}

static int parse_or(struct parser *p);

static int parse_call(struct parser *p, const struct tok *name)
{
	static const struct {
		const char *name;
		int nargs;
		int op;
	} fns[] = {
		{"defined", 1, OP_DEFINED},
		{"has", 2, OP_HAS},
		{"min", 2, OP_MIN},
		{"max", 2, OP_MAX},
	};
	const char *s = p->text + name->col - 1;
	int f = -1;
	for (int i = 0; i < (int)(sizeof fns / sizeof fns[0]); i++)
		if ((int)strlen(fns[i].name) == name->len && memcmp(fns[i].name, s, (size_t)name->len) == 0)
			f = i;
	if (f < 0) {
		int w = name->len > 40 ? 40 : name->len;
		return fail(p, "unknown function '%.*s' at column %d", w, s, name->col);
	}
	if (enter(p, 1) < 0)
		return -1;
	p->pos++; /* '(' */
	for (int i = 0; i < fns[f].nargs; i++) {
		if (i > 0 && expect(p, T_COMMA, "','") < 0)
			return -1;
		if (parse_or(p) < 0)
			return -1;
	}
	if (expect(p, T_RPAREN, "')'") < 0)
		return -1;
	p->depth--;
	return emit(p, fns[f].op, 0);
}

static int parse_primary(struct parser *p)
{
	const struct tok *t = peek(p);
	switch (t->type) {
	case T_NUM:
		p->pos++;
		return add_const(p, (struct sc_value){.type = SC_NUM, .num = t->num});
	case T_STR:
		p->pos++;
		return add_const(p, (struct sc_value){.type = SC_STR, .str = t->str, .len = t->slen});
	case T_TRUE:
	case T_FALSE:
		p->pos++;
		return add_const(p, (struct sc_value){.type = SC_BOOL, .num = t->type == T_TRUE});
	case T_IDENT:
		p->pos++;
		if (peek(p)->type == T_LPAREN)
			return parse_call(p, t);
		return add_load(p, p->text + t->col - 1, (size_t)t->len);
	case T_LPAREN:
		if (enter(p, 1) < 0)
			return -1;
		p->pos++;
		if (parse_or(p) < 0 || expect(p, T_RPAREN, "')'") < 0)
			return -1;
		p->depth--;
		return 0;
	default:
		return fail(p, "expected an operand at column %d", t->col);
	}
}

/* Prefix operators of an operand: '-' and '!', applied innermost first.
 * They count towards the nesting limit, which also bounds the array. */
static int parse_unary(struct parser *p)
{
	enum tok_type pre[SC_EXPR_MAX_DEPTH];
	int n = 0;
	while (peek(p)->type == T_MINUS || peek(p)->type == T_NOT) {
		if (enter(p, 1) < 0)
			return -1;
		pre[n++] = peek(p)->type;
		p->pos++;
	}
	if (parse_primary(p) < 0)
		return -1;
	p->depth -= n;
	while (n > 0)
		if (emit(p, pre[--n] == T_MINUS ? OP_NEG : OP_NOT, 0) < 0)
			return -1;
	return 0;
}

static int parse_mul(struct parser *p)
{
	if (parse_unary(p) < 0)
		return -1;
	while (peek(p)->type == T_STAR || peek(p)->type == T_SLASH) {
		int op = peek(p)->type == T_STAR ? OP_MUL : OP_DIV;
		p->pos++;
		if (parse_unary(p) < 0 || emit(p, op, 0) < 0)
			return -1;
	}
	return 0;
}

static int parse_add(struct parser *p)
{
	if (parse_mul(p) < 0)
		return -1;
	while (peek(p)->type == T_PLUS || peek(p)->type == T_MINUS) {
		int op = peek(p)->type == T_PLUS ? OP_ADD : OP_SUB;
		p->pos++;
		if (parse_mul(p) < 0 || emit(p, op, 0) < 0)
			return -1;
	}
	return 0;
}

static int cmp_op(enum tok_type t)
{
	switch (t) {
	case T_EQ: return OP_EQ;
	case T_NE: return OP_NE;
	case T_LT: return OP_LT;
	case T_LE: return OP_LE;
	case T_GT: return OP_GT;
	case T_GE: return OP_GE;
	case T_MATCH: return OP_MATCH;
	default: return -1;
	}
}

static int parse_cmp(struct parser *p)
{
	if (parse_add(p) < 0)
		return -1;
	int op = cmp_op(peek(p)->type);
	if (op < 0)
		return 0;
	p->pos++;
	if (op == OP_MATCH) {
		const struct tok *t = peek(p);
		if (t->type != T_STR)
			return fail(p, "expected a string (regular expression) at column %d", t->col);
		p->pos++;
		if (add_regex(p, t) < 0)
			return -1;
	} else if (parse_add(p) < 0 || emit(p, op, 0) < 0) {
		return -1;
	}
	if (cmp_op(peek(p)->type) >= 0) {
		char buf[64];
		return fail(p, "unexpected %s at column %d (comparisons do not chain; use &&)",
			    tok_desc(p, peek(p), buf, sizeof buf), peek(p)->col);
	}
	return 0;
}

/* A leading '!' negates a whole comparison. */
static int parse_not(struct parser *p)
{
	int n = 0;
	while (peek(p)->type == T_NOT) {
		if (enter(p, 1) < 0)
			return -1;
		n++;
		p->pos++;
	}
	if (parse_cmp(p) < 0)
		return -1;
	p->depth -= n;
	while (n-- > 0)
		if (emit(p, OP_NOT, 0) < 0)
			return -1;
	return 0;
}

static int parse_and(struct parser *p)
{
	if (parse_not(p) < 0)
		return -1;
	while (peek(p)->type == T_AND) {
		p->pos++;
		int j = emit(p, OP_JFALSE, 0);
		if (j < 0 || parse_not(p) < 0 || emit(p, OP_AND, 0) < 0)
			return -1;
		p->e->code[j].a = p->e->ncode;
	}
	return 0;
}

static int parse_or(struct parser *p)
{
	if (parse_and(p) < 0)
		return -1;
	while (peek(p)->type == T_OR) {
		p->pos++;
		int j = emit(p, OP_JTRUE, 0);
		if (j < 0 || parse_and(p) < 0 || emit(p, OP_OR, 0) < 0)
			return -1;
		p->e->code[j].a = p->e->ncode;
	}
	return 0;
}

/* ---- public ------------------------------------------------------------- */

struct sc_expr *sc_expr_parse(const char *text, corral_error_t *err)
{
	if (!text) {
		corral_errorf(err, EINVAL, "no expression");
		return NULL;
	}
	size_t len = strlen(text);
	if (len > SC_EXPR_MAX_TEXT) {
		corral_errorf(err, EINVAL, "expression too long (%zu bytes, at most %d)", len,
			      SC_EXPR_MAX_TEXT);
		return NULL;
	}
	size_t i = 0;
	while (i < len && is_blank(text[i]))
		i++;
	if (i == len) {
		corral_errorf(err, EINVAL, "empty expression");
		return NULL;
	}

	struct sc_expr *e = xcalloc(1, sizeof *e);
	e->text = xstrndup(text, len);
	e->pool = xmalloc(len + 1); /* decoded strings are shorter than their quotes */
	struct parser p = {
		.text = e->text,
		.textlen = len,
		.toks = xmalloc((len + 2) * sizeof *p.toks),
		.e = e,
		.err = err,
	};
	if (lex(&p) == 0 && parse_or(&p) == 0 && peek(&p)->type != T_END) {
		char buf[64];
		fail(&p, "unexpected %s at column %d", tok_desc(&p, peek(&p), buf, sizeof buf),
		     peek(&p)->col);
	}
	free(p.toks);
	if (p.failed) {
		sc_expr_destroy(e);
		return NULL;
	}
	return e;
}

void sc_expr_destroy(struct sc_expr *e)
{
	if (!e)
		return;
	int saved = errno;
	for (int i = 0; i < e->nres; i++)
		re_free(e->res[i]);
	for (int i = 0; i < e->nnames; i++)
		free(e->names[i]);
	free(e->res);
	free(e->names);
	free(e->keys);
	free(e->code);
	free(e->consts);
	free(e->pool);
	free(e->text);
	free(e);
	errno = saved;
}

int sc_expr_bind(struct sc_expr *e, sc_resolve_fn resolve, void *ctx)
{
	int unknown = 0;
	if (!e || !resolve)
		return -EINVAL;
	for (int i = 0; i < e->nnames; i++) {
		int k = resolve(ctx, e->names[i]);
		e->keys[i] = k >= 0 ? k : -1;
		if (k < 0)
			unknown++;
	}
	for (int i = 0; i < e->ncode; i++)
		if (e->code[i].op == OP_LOAD)
			e->code[i].b = e->keys[e->code[i].a];
	return unknown;
}

const char *sc_expr_text(const struct sc_expr *e)
{
	return e ? e->text : NULL;
}

int sc_expr_nnames(const struct sc_expr *e)
{
	return e ? e->nnames : 0;
}

const char *sc_expr_name(const struct sc_expr *e, int i)
{
	return e && i >= 0 && i < e->nnames ? e->names[i] : NULL;
}
