/* resource.c - parse, check and format PBS resource values (see resource.h).
 *
 * Input comes straight from users (qsub -l, qalter, hooks, the wire), so
 * every parser works on (pointer, length) slices, never reads past the
 * terminating NUL, checks every multiplication and addition for overflow,
 * and writes its outputs only once the whole text has been accepted.
 * Error messages quote the offending text through show(), which bounds its
 * length and replaces non-printable bytes, so a hostile value cannot blow
 * up a log line or smuggle control characters into it.
 *
 * Resource names are matched without regard to case, as PBS does; the
 * canonical text writes built-in names in lower case and keeps the case of
 * custom names.
 */
#include "src/common/resource.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/common/buf.h"

#define NAME_MAX_LEN 63     /* longest resource name (fits corral_place.group) */
#define TEXT_MAX_LEN 16384  /* longest value accepted by any parser */
#define SHOW_MAX 48         /* characters of bad input quoted in messages */

#define SIZE_HINT "sizes look like 4gb, 512mb"
#define DURATION_HINT "durations look like [[HH:]MM:]SS"
#define LONG_HINT "expected a non-negative integer"
#define STRING_HINT "expected non-empty text without ',', '=' or spaces"
#define CHUNK_STRING_HINT "expected non-empty text without ':', '+', ',', '=', quotes or spaces"

/* ---- helpers ------------------------------------------------------------ */

/* Copy at most SHOW_MAX bytes of s[0..len) into buf for an error message:
 * non-printable bytes become '?', and a cut value ends in "...". */
static const char *show(const char *s, size_t len, char buf[SHOW_MAX + 4])
{
	size_t i;
	for (i = 0; i < len && i < SHOW_MAX; i++) {
		unsigned char c = (unsigned char)s[i];
		buf[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (i < len) {
		memcpy(buf + i, "...", 4);
	} else {
		buf[i] = '\0';
	}
	return buf;
}

/* Length of s, but stop counting just past what show() or a limit needs. */
static size_t bounded_len(const char *s, size_t max)
{
	return strnlen(s, max + 1);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool all_digits(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

/* Decimal digits s[0..len) into *v; false on overflow of uint64_t.  The
 * caller has checked that they are all digits. */
static bool digits_u64(const char *s, size_t len, uint64_t *v)
{
	uint64_t acc = 0;
	bool ok = true;
	for (size_t i = 0; i < len; i++) {
		if (__builtin_mul_overflow(acc, 10, &acc) ||
		    __builtin_add_overflow(acc, (uint64_t)(s[i] - '0'), &acc))
			ok = false;
	}
	*v = acc;
	return ok;
}

/* A resource name: a letter, then letters, digits, '_' or '-'; at most
 * NAME_MAX_LEN characters.  0, -EINVAL (bad character or empty) or
 * -ERANGE (too long). */
static int name_scan(const char *s, size_t len)
{
	if (len == 0 || !isalpha((unsigned char)s[0]))
		return -EINVAL;
	for (size_t i = 1; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isalnum(c) && c != '_' && c != '-')
			return -EINVAL;
	}
	return len > NAME_MAX_LEN ? -ERANGE : 0;
}

static int name_error(corral_error_t *err, const char *ctx, const char *s, size_t len, int rc)
{
	char q[SHOW_MAX + 4];
	if (rc == -ERANGE)
		return corral_errorf(err, EINVAL, "%sresource name too long: '%s' (at most %d characters)",
				     ctx, show(s, len, q), NAME_MAX_LEN);
	return corral_errorf(err, EINVAL,
			     "%sinvalid resource name '%s' (a letter, then letters, digits, '_' or '-')",
			     ctx, show(s, len, q));
}

/* Copy of a name, lower-cased when it is a built-in resource. */
static char *name_dup(const char *s, size_t len)
{
	char *name = xstrndup(s, len);
	if (corral_res_type(name) != RES_UNKNOWN)
		for (char *p = name; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	return name;
}

/* ---- resource types ----------------------------------------------------- */

static const struct {
	const char *name;
	enum corral_res_type type;
} builtin[] = {
	{"ncpus", RES_LONG},         {"ngpus", RES_LONG},
	{"nodect", RES_LONG},        {"mpiprocs", RES_LONG},
	{"ompthreads", RES_LONG},    {"naccelerators", RES_LONG},
	{"mem", RES_SIZE},           {"vmem", RES_SIZE},
	{"pmem", RES_SIZE},          {"pvmem", RES_SIZE},
	{"walltime", RES_DURATION},  {"cput", RES_DURATION},
	{"soft_walltime", RES_DURATION}, {"min_walltime", RES_DURATION},
	{"max_walltime", RES_DURATION},
	{"arch", RES_STRING},        {"host", RES_STRING},
	{"vnode", RES_STRING},       {"software", RES_STRING},
	{"aoe", RES_STRING},         {"accelerator_model", RES_STRING},
	{"select", RES_SELECT},      {"place", RES_PLACE},
};

enum corral_res_type corral_res_type(const char *name)
{
	if (!name)
		return RES_UNKNOWN;
	for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
		if (strcasecmp(builtin[i].name, name) == 0)
			return builtin[i].type;
	return RES_UNKNOWN;
}

/* ---- sizes -------------------------------------------------------------- */

/* "<digits>[suffix]" in s[0..len) -> bytes.  0, -EINVAL or -ERANGE. */
static int size_scan(const char *s, size_t len, uint64_t *bytes)
{
	size_t i = 0;
	while (i < len && is_digit(s[i]))
		i++;
	if (i == 0)
		return -EINVAL;
	const char *suf = s + i;
	size_t slen = len - i;
	unsigned shift = 0;
	uint64_t unit = 1; /* 1 for bytes, 8 for words */

	if (slen == 2 || slen == 1) {
		char last = (char)tolower((unsigned char)suf[slen - 1]);
		if (last == 'w')
			unit = 8;
		else if (last != 'b')
			return -EINVAL;
		if (slen == 2) {
			switch (tolower((unsigned char)suf[0])) {
			case 'k': shift = 10; break;
			case 'm': shift = 20; break;
			case 'g': shift = 30; break;
			case 't': shift = 40; break;
			case 'p': shift = 50; break;
			default: return -EINVAL;
			}
		}
	} else if (slen != 0) {
		return -EINVAL;
	}

	uint64_t v;
	if (!digits_u64(s, i, &v))
		return -ERANGE;
	uint64_t mult = unit << shift;
	if (v > UINT64_MAX / mult)
		return -ERANGE;
	*bytes = v * mult;
	return 0;
}

int corral_size_parse(const char *s, uint64_t *bytes, corral_error_t *err)
{
	char q[SHOW_MAX + 4];
	uint64_t v;
	if (!s)
		return corral_errorf(err, EINVAL, "invalid size: missing value");
	size_t len = bounded_len(s, TEXT_MAX_LEN);
	int rc = size_scan(s, len, &v);
	if (rc == -ERANGE)
		return corral_errorf(err, ERANGE, "size too large: '%s'", show(s, len, q));
	if (rc < 0 || s[len] != '\0')
		return corral_errorf(err, EINVAL, "invalid size '%s' (" SIZE_HINT ")", show(s, len, q));
	if (bytes)
		*bytes = v;
	return 0;
}

char *corral_size_format(uint64_t bytes, char *buf, size_t n)
{
	static const char *units[] = {"kb", "mb", "gb", "tb", "pb"};
	if (!buf || n == 0)
		return buf;
	if (bytes == 0) {
		snprintf(buf, n, "0kb"); /* as PBS shows an empty size */
		return buf;
	}
	int u = -1;
	for (int i = 4; i >= 0; i--) {
		uint64_t mask = (UINT64_C(1) << (10 * (i + 1))) - 1;
		if ((bytes & mask) == 0) {
			u = i;
			break;
		}
	}
	if (u < 0)
		snprintf(buf, n, "%" PRIu64 "b", bytes);
	else
		snprintf(buf, n, "%" PRIu64 "%s", bytes >> (10 * (u + 1)), units[u]);
	return buf;
}

/* ---- durations ---------------------------------------------------------- */

/* "[[H:]M:]S[.frac]" in s[0..len) -> seconds.  0, -EINVAL or -ERANGE. */
static int duration_scan(const char *s, size_t len, int64_t *secs)
{
	uint64_t field[3];
	int nf = 0;
	bool overflow = false;
	size_t i = 0;

	for (;;) {
		size_t start = i;
		while (i < len && is_digit(s[i]))
			i++;
		if (i == start || nf == 3)
			return -EINVAL;
		if (!digits_u64(s + start, i - start, &field[nf]))
			overflow = true;
		nf++;
		if (i == len)
			break;
		if (s[i] == '.') { /* fraction of a second, ends the text */
			size_t f = ++i;
			while (i < len && is_digit(s[i]))
				i++;
			if (i == f || i != len)
				return -EINVAL;
			break;
		}
		if (s[i] != ':')
			return -EINVAL;
		i++;
	}
	if (overflow)
		return -ERANGE;

	static const uint64_t weight[3] = {1, 60, 3600};
	uint64_t total = 0;
	for (int k = 0; k < nf; k++) {
		uint64_t part;
		if (__builtin_mul_overflow(field[nf - 1 - k], weight[k], &part) ||
		    __builtin_add_overflow(total, part, &total))
			return -ERANGE;
	}
	if (total > (uint64_t)INT64_MAX)
		return -ERANGE;
	*secs = (int64_t)total;
	return 0;
}

int corral_duration_parse(const char *s, int64_t *secs, corral_error_t *err)
{
	char q[SHOW_MAX + 4];
	int64_t v;
	if (!s)
		return corral_errorf(err, EINVAL, "invalid duration: missing value");
	size_t len = bounded_len(s, TEXT_MAX_LEN);
	int rc = duration_scan(s, len, &v);
	if (rc == -ERANGE)
		return corral_errorf(err, ERANGE, "duration too large: '%s'", show(s, len, q));
	if (rc < 0 || s[len] != '\0')
		return corral_errorf(err, EINVAL, "invalid duration '%s' (" DURATION_HINT ")",
				     show(s, len, q));
	if (secs)
		*secs = v;
	return 0;
}

char *corral_duration_format(int64_t secs, char *buf, size_t n)
{
	if (!buf || n == 0)
		return buf;
	/* Magnitude in unsigned arithmetic so INT64_MIN is safe. */
	uint64_t mag = secs < 0 ? (uint64_t)0 - (uint64_t)secs : (uint64_t)secs;
	snprintf(buf, n, "%s%02" PRIu64 ":%02u:%02u", secs < 0 ? "-" : "", mag / 3600,
		 (unsigned)(mag / 60 % 60), (unsigned)(mag % 60));
	return buf;
}

/* ---- typed values --------------------------------------------------------- */

static int long_scan(const char *s, size_t len, int64_t *out)
{
	uint64_t v;
	if (!all_digits(s, len))
		return -EINVAL;
	if (!digits_u64(s, len, &v) || v > (uint64_t)INT64_MAX)
		return -ERANGE;
	*out = (int64_t)v;
	return 0;
}

/* Free text: non-empty, printable or 8-bit bytes, none of forbid. */
static int string_scan(const char *s, size_t len, const char *forbid)
{
	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c == 0x7f || strchr(forbid, c))
			return -EINVAL;
	}
	return 0;
}

/* Check s[0..len) as a value of type and return its canonical text in
 * *out (caller frees).  in_chunk: the value sits inside a select chunk, so
 * ':' and '+' separate and may not appear in free text.  0, -EINVAL,
 * -ERANGE; *hint says what was expected. */
static int value_canon(enum corral_res_type type, const char *s, size_t len, bool in_chunk,
		       char **out, const char **hint)
{
	char tmp[32];
	int rc;
	switch (type) {
	case RES_LONG: {
		int64_t v;
		*hint = LONG_HINT;
		if ((rc = long_scan(s, len, &v)) < 0)
			return rc;
		*out = xasprintf("%" PRId64, v);
		return 0;
	}
	case RES_SIZE: {
		uint64_t v;
		*hint = SIZE_HINT;
		if ((rc = size_scan(s, len, &v)) < 0)
			return rc;
		*out = xstrdup(corral_size_format(v, tmp, sizeof tmp));
		return 0;
	}
	case RES_DURATION: {
		int64_t v;
		*hint = DURATION_HINT;
		if ((rc = duration_scan(s, len, &v)) < 0)
			return rc;
		*out = xstrdup(corral_duration_format(v, tmp, sizeof tmp));
		return 0;
	}
	default:
		*hint = in_chunk ? CHUNK_STRING_HINT : STRING_HINT;
		if ((rc = string_scan(s, len, in_chunk ? ",=:+\"'" : ",=")) < 0)
			return rc;
		*out = xstrndup(s, len);
		return 0;
	}
}

/* ---- select ------------------------------------------------------------- */

static void chunk_clear(struct corral_chunk *c)
{
	for (int i = 0; i < c->nres; i++) {
		free(c->res[i].name);
		free(c->res[i].value);
	}
	free(c->res);
}

void corral_select_destroy(struct corral_select *sel)
{
	if (!sel)
		return;
	int saved = errno;
	for (int i = 0; i < sel->nchunks; i++)
		chunk_clear(&sel->chunks[i]);
	free(sel->chunks);
	free(sel);
	errno = saved;
}

static size_t count_char(const char *s, size_t len, char c)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += s[i] == c;
	return n;
}

/* Parse one chunk s[0..len), the ci-th (1-based), into c (zeroed by the
 * caller; on failure the caller clears what was filled in). */
static int chunk_parse(const char *s, size_t len, int ci, struct corral_chunk *c,
		       corral_error_t *err)
{
	char q[SHOW_MAX + 4], q2[SHOW_MAX + 4];
	size_t pos = 0;

	if (len == 0)
		return corral_errorf(err, EINVAL, "invalid select: chunk %d is empty", ci);

	/* Optional leading count. */
	c->count = 1;
	size_t tend = 0;
	while (tend < len && s[tend] != ':')
		tend++;
	if (all_digits(s, tend)) {
		uint64_t v;
		if (!digits_u64(s, tend, &v) || v > INT_MAX)
			return corral_errorf(err, ERANGE, "invalid select: count '%s' in chunk %d is too large",
					     show(s, tend, q), ci);
		if (v == 0)
			return corral_errorf(err, EINVAL,
					     "invalid select: count in chunk %d must be positive, not '%s'",
					     ci, show(s, tend, q));
		c->count = (int)v;
		if (tend == len)
			return corral_errorf(err, EINVAL,
					     "invalid select: chunk %d ('%s') has no resources", ci,
					     show(s, len, q));
		pos = tend + 1;
	} else if (tend > 1 && s[0] == '-' && all_digits(s + 1, tend - 1)) {
		return corral_errorf(err, EINVAL,
				     "invalid select: count in chunk %d must be positive, not '%s'", ci,
				     show(s, tend, q));
	}

	size_t cap = count_char(s + pos, len - pos, ':') + 1;
	c->res = xcalloc(cap, sizeof *c->res);

	while (pos <= len) {
		const char *tok = s + pos;
		size_t tlen = 0;
		while (pos + tlen < len && tok[tlen] != ':')
			tlen++;
		pos += tlen + 1;

		if (tlen == 0)
			return corral_errorf(err, EINVAL,
					     "invalid select: empty resource in chunk %d ('%s')", ci,
					     show(s, len, q));
		const char *eq = memchr(tok, '=', tlen);
		if (!eq)
			return corral_errorf(err, EINVAL,
					     "invalid select: missing '=' in '%s' (chunk %d)",
					     show(tok, tlen, q), ci);
		size_t nlen = (size_t)(eq - tok);
		const char *val = eq + 1;
		size_t vlen = tlen - nlen - 1;
		int rc = name_scan(tok, nlen);
		if (rc < 0)
			return name_error(err, "invalid select: ", tok, nlen, rc);
		char *name = name_dup(tok, nlen);
		enum corral_res_type type = corral_res_type(name);
		/* Job-wide resources have no place in a chunk (PBS refuses them
		 * too); durations could not be written back anyway, their
		 * canonical text contains ':'. */
		if (type == RES_SELECT || type == RES_PLACE || type == RES_DURATION) {
			rc = corral_errorf(err, EINVAL,
					   "invalid select: resource %s cannot appear in a chunk", name);
			free(name);
			return rc;
		}
		for (int i = 0; i < c->nres; i++) {
			if (strcasecmp(c->res[i].name, name) == 0) {
				rc = corral_errorf(err, EINVAL,
						   "invalid select: resource %s given twice in chunk %d",
						   name, ci);
				free(name);
				return rc;
			}
		}
		char *canon;
		const char *hint;
		rc = value_canon(type, val, vlen, true, &canon, &hint);
		if (rc < 0) {
			rc = corral_errorf(err, -rc, "invalid select: bad value for %s: '%s' (%s)", name,
					   show(val, vlen, q2), rc == -ERANGE ? "too large" : hint);
			free(name);
			return rc;
		}
		c->res[c->nres].name = name;
		c->res[c->nres].value = canon;
		c->nres++;
	}
	return 0;
}

int corral_select_parse(const char *s, struct corral_select **out, corral_error_t *err)
{
	char q[SHOW_MAX + 4];
	if (!s)
		return corral_errorf(err, EINVAL, "invalid select: missing value");
	size_t len = bounded_len(s, TEXT_MAX_LEN);
	if (len > TEXT_MAX_LEN)
		return corral_errorf(err, E2BIG, "invalid select: longer than %d characters",
				     TEXT_MAX_LEN);
	if (len == 0)
		return corral_errorf(err, EINVAL, "invalid select: empty");

	struct corral_select *sel = xcalloc(1, sizeof *sel);

	/* "select=N" alone: N chunks of the default ncpus=1. */
	if (all_digits(s, len)) {
		uint64_t v;
		int rc = 0;
		if (!digits_u64(s, len, &v) || v > INT_MAX)
			rc = corral_errorf(err, ERANGE, "invalid select: count '%s' is too large",
					   show(s, len, q));
		else if (v == 0)
			rc = corral_errorf(err, EINVAL, "invalid select: count must be positive, not '%s'",
					   show(s, len, q));
		if (rc < 0) {
			corral_select_destroy(sel);
			return rc;
		}
		sel->nchunks = 1;
		sel->chunks = xcalloc(1, sizeof *sel->chunks);
		sel->chunks[0].count = (int)v;
		sel->chunks[0].nres = 1;
		sel->chunks[0].res = xcalloc(1, sizeof *sel->chunks[0].res);
		sel->chunks[0].res[0].name = xstrdup("ncpus");
		sel->chunks[0].res[0].value = xstrdup("1");
		*out = sel;
		return 0;
	}

	size_t cap = count_char(s, len, '+') + 1;
	sel->chunks = xcalloc(cap, sizeof *sel->chunks);
	int64_t total = 0;
	size_t pos = 0;
	while (pos <= len) {
		size_t clen = 0;
		while (pos + clen < len && s[pos + clen] != '+')
			clen++;
		/* Count the chunk before parsing so a failure cleans it up too. */
		struct corral_chunk *c = &sel->chunks[sel->nchunks++];
		int rc = chunk_parse(s + pos, clen, sel->nchunks, c, err);
		if (rc < 0) {
			corral_select_destroy(sel);
			return rc;
		}
		total += c->count;
		if (total > INT_MAX) {
			corral_select_destroy(sel);
			return corral_errorf(err, ERANGE, "invalid select: more than %d chunks in all",
					     INT_MAX);
		}
		pos += clen + 1;
	}
	*out = sel;
	return 0;
}

char *corral_select_format(const struct corral_select *sel)
{
	struct corral_buf b;
	if (!sel)
		return NULL;
	buf_init(&b);
	for (int i = 0; i < sel->nchunks; i++) {
		const struct corral_chunk *c = &sel->chunks[i];
		buf_printf(&b, "%s%d", i ? "+" : "", c->count);
		for (int k = 0; k < c->nres; k++)
			buf_printf(&b, ":%s=%s", c->res[k].name ? c->res[k].name : "",
				   c->res[k].value ? c->res[k].value : "");
	}
	buf_append(&b, "", 1); /* terminate, and allocate for an empty select */
	return b.data;
}

uint64_t corral_select_total(const struct corral_select *sel, const char *name)
{
	enum corral_res_type type = corral_res_type(name);
	uint64_t total = 0;
	if (!sel || (type != RES_LONG && type != RES_SIZE))
		return 0;
	for (int i = 0; i < sel->nchunks; i++) {
		const struct corral_chunk *c = &sel->chunks[i];
		if (c->count <= 0)
			continue;
		for (int k = 0; k < c->nres; k++) {
			const char *v = c->res[k].value;
			if (!c->res[k].name || !v || strcasecmp(c->res[k].name, name) != 0)
				continue;
			uint64_t each = 0;
			int64_t l;
			size_t vlen = bounded_len(v, TEXT_MAX_LEN);
			if (type == RES_LONG) {
				if (long_scan(v, vlen, &l) == 0)
					each = (uint64_t)l;
			} else if (size_scan(v, vlen, &each) < 0) {
				each = 0;
			}
			uint64_t part;
			/* Saturate rather than wrap: a huge request must stay huge. */
			if (__builtin_mul_overflow(each, (uint64_t)c->count, &part) ||
			    __builtin_add_overflow(total, part, &total))
				return UINT64_MAX;
			break;
		}
	}
	return total;
}

int corral_select_nodect(const struct corral_select *sel)
{
	int64_t n = 0;
	if (!sel)
		return 0;
	for (int i = 0; i < sel->nchunks; i++) {
		if (sel->chunks[i].count > 0)
			n += sel->chunks[i].count;
		if (n >= INT_MAX)
			return INT_MAX;
	}
	return (int)n;
}

/* ---- place -------------------------------------------------------------- */

static const char *const arr_names[] = {"free", "pack", "scatter", "vscatter"};
static const char *const share_names[] = {"shared", "excl", "exclhost"};

static int word_index(const char *tok, size_t len, const char *const *words, int n)
{
	for (int i = 0; i < n; i++)
		if (strlen(words[i]) == len && strncasecmp(tok, words[i], len) == 0)
			return i;
	return -1;
}

int corral_place_parse(const char *s, struct corral_place *out, corral_error_t *err)
{
	char q[SHOW_MAX + 4], q2[SHOW_MAX + 4];
	struct corral_place p = {.arrangement = PLACE_FREE, .sharing = PLACE_SHARED};
	const char *arr_tok = NULL, *share_tok = NULL, *group_tok = NULL;
	size_t arr_len = 0, share_len = 0, group_len = 0;

	if (!s)
		return corral_errorf(err, EINVAL, "invalid place: missing value");
	size_t len = bounded_len(s, TEXT_MAX_LEN);
	if (len > TEXT_MAX_LEN)
		return corral_errorf(err, E2BIG, "invalid place: longer than %d characters",
				     TEXT_MAX_LEN);
	if (len == 0)
		return corral_errorf(err, EINVAL, "invalid place: empty");

	size_t pos = 0;
	while (pos <= len) {
		const char *tok = s + pos;
		size_t tlen = 0;
		while (pos + tlen < len && tok[tlen] != ':')
			tlen++;
		pos += tlen + 1;

		if (tlen == 0)
			return corral_errorf(err, EINVAL, "invalid place: empty element in '%s'",
					     show(s, len, q));
		int i;
		if ((i = word_index(tok, tlen, arr_names, 4)) >= 0) {
			if (arr_tok)
				return corral_errorf(err, EINVAL,
						     "invalid place: more than one arrangement ('%s' and '%s')",
						     show(arr_tok, arr_len, q), show(tok, tlen, q2));
			arr_tok = tok;
			arr_len = tlen;
			p.arrangement = (enum corral_place_arr)i;
		} else if ((i = word_index(tok, tlen, share_names, 3)) >= 0) {
			if (share_tok)
				return corral_errorf(err, EINVAL,
						     "invalid place: more than one sharing ('%s' and '%s')",
						     show(share_tok, share_len, q), show(tok, tlen, q2));
			share_tok = tok;
			share_len = tlen;
			p.sharing = (enum corral_place_share)i;
		} else if (tlen >= 6 && strncasecmp(tok, "group=", 6) == 0) {
			if (group_tok)
				return corral_errorf(err, EINVAL,
						     "invalid place: more than one group ('%s' and '%s')",
						     show(group_tok, group_len, q), show(tok, tlen, q2));
			int rc = name_scan(tok + 6, tlen - 6);
			if (rc < 0)
				return name_error(err, "invalid place: group: ", tok + 6, tlen - 6, rc);
			group_tok = tok;
			group_len = tlen;
			char *name = name_dup(tok + 6, tlen - 6);
			memcpy(p.group, name, tlen - 6 + 1); /* fits: name_scan bounds it */
			free(name);
		} else {
			return corral_errorf(err, EINVAL, "invalid place: unknown element '%s'",
					     show(tok, tlen, q));
		}
	}
	if (out)
		*out = p;
	return 0;
}

char *corral_place_format(const struct corral_place *p, char *buf, size_t n)
{
	if (!buf || n == 0)
		return buf;
	if (!p) {
		buf[0] = '\0';
		return buf;
	}
	/* Range checks keep a hand-built struct from indexing out of bounds. */
	unsigned a = (unsigned)p->arrangement, sh = (unsigned)p->sharing;
	const char *arr = a < 4 ? arr_names[a] : arr_names[0];
	const char *share = sh < 3 && sh != PLACE_SHARED ? share_names[sh] : NULL;
	snprintf(buf, n, "%s%s%s%s%.*s", arr, share ? ":" : "", share ? share : "",
		 p->group[0] ? ":group=" : "", (int)sizeof p->group - 1, p->group);
	return buf;
}

/* ---- normalize ---------------------------------------------------------- */

int corral_res_normalize(const char *name, const char *value, char **out, corral_error_t *err)
{
	char q[SHOW_MAX + 4], tmp[128];
	if (!name)
		return corral_errorf(err, EINVAL, "missing resource name");
	size_t nlen = bounded_len(name, NAME_MAX_LEN);
	int rc = name_scan(name, nlen);
	if (rc < 0)
		return name_error(err, "", name, nlen, rc);
	/* From here on name is known printable and short, safe to print. */
	if (!value)
		return corral_errorf(err, EINVAL, "missing value for resource %s", name);
	size_t vlen = bounded_len(value, TEXT_MAX_LEN);
	if (vlen > TEXT_MAX_LEN)
		return corral_errorf(err, E2BIG, "value for resource %s longer than %d characters",
				     name, TEXT_MAX_LEN);

	enum corral_res_type type = corral_res_type(name);
	char *canon = NULL;
	const char *hint;

	switch (type) {
	case RES_SELECT: {
		struct corral_select *sel;
		if ((rc = corral_select_parse(value, &sel, err)) < 0)
			return rc;
		canon = corral_select_format(sel);
		corral_select_destroy(sel);
		break;
	}
	case RES_PLACE: {
		struct corral_place p;
		if ((rc = corral_place_parse(value, &p, err)) < 0)
			return rc;
		canon = xstrdup(corral_place_format(&p, tmp, sizeof tmp));
		break;
	}
	case RES_DURATION:
		rc = value_canon(type, value, vlen, false, &canon, &hint);
		if (rc < 0)
			return corral_errorf(err, -rc, "Illegal attribute or resource value for %s: '%s'%s",
					     name, show(value, vlen, q),
					     rc == -ERANGE ? " (too large)" : "");
		break;
	default:
		rc = value_canon(type, value, vlen, false, &canon, &hint);
		if (rc < 0)
			return corral_errorf(err, -rc, "invalid value for resource %s: '%s' (%s)", name,
					     show(value, vlen, q), rc == -ERANGE ? "too large" : hint);
		break;
	}
	if (out)
		*out = canon;
	else
		free(canon);
	return 0;
}
