/* swf.c - the Standard Workload Format reader (swf.h).
 *
 * Lines are cut from the pieces fed in; a line split between two pieces is
 * kept in t->part until its newline arrives.  Numbers are parsed by hand
 * (sign, digits, an optional fraction that is dropped, an optional
 * exponent): a trace of 200,000 jobs has 3.6 million of them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "src/common/buf.h"
#include "src/sim/swf.h"

#define NFIELDS 18

const char *swf_skip_name(enum swf_skip why)
{
	static const char *const names[SWF_NSKIP] = {
	    [SWF_SKIP_MALFORMED] = "malformed", [SWF_SKIP_RUNTIME] = "runtime",
	    [SWF_SKIP_SIZE] = "size",		[SWF_SKIP_SUBMIT] = "submit",
	    [SWF_SKIP_REQTIME] = "reqtime",
	};
	return why < SWF_NSKIP ? names[why] : "?";
}

void swf_init(struct swf_trace *t, const struct swf_opts *o)
{
	memset(t, 0, sizeof *t);
	if (o)
		t->opts = *o;
	t->hdr.max_procs = t->hdr.max_nodes = t->hdr.max_jobs = -1;
	t->hdr.max_records = t->hdr.unix_start = -1;
}

void swf_free(struct swf_trace *t)
{
	if (!t)
		return;
	free(t->jobs);
	free(t->part);
	t->jobs = NULL;
	t->part = NULL;
	t->njobs = t->capjobs = t->npart = 0;
}

static bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

/* One number at s[0..n): its value cut to an integer.  Returns the
 * characters used, 0 when s does not start with a number. */
static size_t number(const char *s, size_t n, int64_t *out)
{
	size_t i = 0;
	bool neg = false;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	size_t d0 = i;
	uint64_t v = 0;
	bool big = false;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > (UINT64_MAX - 9) / 10)
			big = true;
		else
			v = v * 10 + (uint64_t)(s[i] - '0');
	}
	size_t nd = i - d0;
	if (i < n && s[i] == '.') {
		size_t f0 = ++i;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		nd += i - f0;
	}
	if (nd == 0)
		return 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		/* rare: let strtod read the whole token */
		size_t e = i + 1;
		if (e < n && (s[e] == '-' || s[e] == '+'))
			e++;
		size_t e0 = e;
		for (; e < n && s[e] >= '0' && s[e] <= '9'; e++)
			;
		if (e == e0 || e >= 64)
			return 0;
		char tmp[64];
		memcpy(tmp, s, e);
		tmp[e] = '\0';
		double x = strtod(tmp, NULL);
		if (!(x > -9.2e18 && x < 9.2e18))
			return 0;
		*out = (int64_t)x;
		return e;
	}
	if (big || v > (uint64_t)INT64_MAX)
		return 0;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return i;
}

static void skip(struct swf_trace *t, enum swf_skip why)
{
	t->skipped[why]++;
	t->nskipped++;
	if (why == SWF_SKIP_MALFORMED && !t->first_malformed)
		t->first_malformed = (int64_t)t->lines;
}

/* "; Key: value" */
static void header(struct swf_trace *t, const char *s, size_t n)
{
	size_t i = 1;
	while (i < n && blank(s[i]))
		i++;
	size_t k0 = i;
	while (i < n && s[i] != ':' && !blank(s[i]))
		i++;
	size_t klen = i - k0;
	while (i < n && blank(s[i]))
		i++;
	if (i >= n || s[i] != ':' || klen == 0)
		return;
	i++;
	while (i < n && blank(s[i]))
		i++;
	const char *key = s + k0, *val = s + i;
	size_t vlen = n - i;
	while (vlen && blank(val[vlen - 1]))
		vlen--;
	static const struct {
		const char *name;
		size_t off;
	} keys[] = {
	    {"MaxProcs", offsetof(struct swf_header, max_procs)},
	    {"MaxNodes", offsetof(struct swf_header, max_nodes)},
	    {"MaxJobs", offsetof(struct swf_header, max_jobs)},
	    {"MaxRecords", offsetof(struct swf_header, max_records)},
	    {"UnixStartTime", offsetof(struct swf_header, unix_start)},
	};
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		if (strlen(keys[k].name) != klen || strncasecmp(keys[k].name, key, klen) != 0)
			continue;
		int64_t v;
		if (number(val, vlen, &v) == vlen && vlen)
			*(int64_t *)((char *)&t->hdr + keys[k].off) = v;
		return;
	}
	if (klen == 8 && strncasecmp(key, "Computer", 8) == 0) {
		size_t c = vlen < sizeof t->hdr.computer - 1 ? vlen : sizeof t->hdr.computer - 1;
		memcpy(t->hdr.computer, val, c);
		t->hdr.computer[c] = '\0';
	}
}

static int32_t narrow(int64_t v)
{
	return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

static void line(struct swf_trace *t, const char *s, size_t n, bool overlong)
{
	t->lines++;
	size_t i = 0;
	while (i < n && blank(s[i]))
		i++;
	if (overlong) {
		if (i < n && s[i] == ';')
			return; /* a long comment is still a comment */
		skip(t, SWF_SKIP_MALFORMED);
		return;
	}
	if (i == n)
		return;
	if (s[i] == ';') {
		header(t, s + i, n - i);
		return;
	}
	int64_t f[NFIELDS];
	int nf = 0;
	while (i < n) {
		if (nf == NFIELDS) {
			skip(t, SWF_SKIP_MALFORMED); /* extra fields */
			return;
		}
		size_t used = number(s + i, n - i, &f[nf]);
		if (!used || (i + used < n && !blank(s[i + used]))) {
			skip(t, SWF_SKIP_MALFORMED);
			return;
		}
		nf++;
		i += used;
		while (i < n && blank(s[i]))
			i++;
	}
	if (nf < NFIELDS) {
		skip(t, SWF_SKIP_MALFORMED);
		return;
	}
	if (f[1] > SWF_MAX_TIME || f[2] > SWF_MAX_TIME || f[3] > SWF_MAX_TIME ||
	    f[8] > SWF_MAX_TIME) {
		skip(t, SWF_SKIP_MALFORMED);
		return;
	}
	int64_t procs = f[4] > f[7] ? f[4] : f[7];
	if (f[3] <= 0) {
		skip(t, SWF_SKIP_RUNTIME);
		return;
	}
	if (procs <= 0 || procs > INT32_MAX) {
		skip(t, SWF_SKIP_SIZE);
		return;
	}
	if (f[1] < 0) {
		skip(t, SWF_SKIP_SUBMIT);
		return;
	}
	if (t->opts.need_reqtime && f[8] <= 0) {
		skip(t, SWF_SKIP_REQTIME);
		return;
	}
	if (t->njobs == t->capjobs) {
		t->capjobs = t->capjobs ? 2 * t->capjobs : 1024;
		t->jobs = xrealloc(t->jobs, t->capjobs * sizeof *t->jobs);
	}
	struct swf_job *j = &t->jobs[t->njobs++];
	j->id = f[0];
	j->submit = f[1];
	j->wait = f[2];
	j->run = f[3];
	j->alloc = narrow(f[4]);
	j->req = narrow(f[7]);
	j->procs = (int32_t)procs;
	j->req_time = f[8];
	j->status = narrow(f[10]);
	j->user = narrow(f[11]);
	j->queue = narrow(f[14]);
	j->line = (int64_t)t->lines;
}

void swf_feed(struct swf_trace *t, const char *data, size_t len)
{
	while (len) {
		const char *nl = memchr(data, '\n', len);
		size_t n = nl ? (size_t)(nl - data) : len;
		if (t->npart || !nl) {
			/* continue (or start) a line that spans pieces */
			if (!t->overlong && t->npart + n > SWF_MAX_LINE)
				t->overlong = true;
			if (!t->overlong) {
				if (!t->part)
					t->part = xmalloc(SWF_MAX_LINE);
				memcpy(t->part + t->npart, data, n);
				t->npart += n;
			} else if (!t->npart) {
				/* keep the first byte: a ';' tells a comment */
				if (!t->part)
					t->part = xmalloc(SWF_MAX_LINE);
				size_t keep = n < SWF_MAX_LINE ? n : SWF_MAX_LINE;
				memcpy(t->part, data, keep);
				t->npart = keep;
			}
			if (nl) {
				line(t, t->part, t->npart, t->overlong);
				t->npart = 0;
				t->overlong = false;
			}
		} else {
			line(t, data, n, n > SWF_MAX_LINE);
		}
		if (!nl)
			break;
		data += n + 1;
		len -= n + 1;
	}
}

void swf_finish(struct swf_trace *t)
{
	if (t->npart || t->overlong)
		line(t, t->part, t->npart, t->overlong);
	t->npart = 0;
	t->overlong = false;
	free(t->part);
	t->part = NULL;
}

void swf_parse(struct swf_trace *t, const char *data, size_t len, const struct swf_opts *o)
{
	swf_init(t, o);
	swf_feed(t, data, len);
	swf_finish(t);
}

int swf_load(struct swf_trace *t, const char *path, const struct swf_opts *o, corral_error_t *err)
{
	swf_init(t, o);
	int fd;
	if (strcmp(path, "-") == 0) {
		fd = dup(STDIN_FILENO);
		if (fd < 0)
			return corral_errorf(err, errno, "stdin: %s", strerror(errno));
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return corral_errorf(err, errno, "%s: %s", path, strerror(errno));
		struct stat st;
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			close(fd);
			return corral_errorf(err, EISDIR, "%s: is a directory", path);
		}
	}
	/* gzdopen reads plain files as they are */
	gzFile gz = gzdopen(fd, "rb");
	if (!gz) {
		close(fd);
		return corral_errorf(err, ENOMEM, "%s: cannot start reading", path);
	}
	gzbuffer(gz, 1 << 17);
	enum { CHUNK = 1 << 17 };
	char *buf = xmalloc(CHUNK);
	int rc = 0;
	for (;;) {
		int n = gzread(gz, buf, CHUNK);
		if (n > 0) {
			swf_feed(t, buf, (size_t)n);
			continue;
		}
		if (n < 0) {
			int zerr;
			const char *msg = gzerror(gz, &zerr);
			if (zerr == Z_ERRNO)
				rc = corral_errorf(err, errno ? errno : EIO, "%s: %s", path,
						   strerror(errno ? errno : EIO));
			else
				rc = corral_errorf(err, EIO, "%s: not a valid gzip file (%s)", path,
						   msg);
		} else {
			int zerr;
			const char *msg = gzerror(gz, &zerr);
			if (zerr != Z_OK && zerr != Z_STREAM_END)
				rc = corral_errorf(err, EIO, "%s: %s", path,
						   zerr == Z_BUF_ERROR ? "truncated gzip file"
								       : msg);
		}
		break;
	}
	free(buf);
	gzclose(gz);
	if (rc < 0) {
		swf_free(t);
		return rc;
	}
	swf_finish(t);
	return 0;
}
