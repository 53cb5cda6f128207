/* flat.c - see flat.h. */
#include "src/sched/flat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void flat_init(struct flat *f)
{
	memset(f, 0, sizeof *f);
	buf_init(&f->buf);
}

void flat_free(struct flat *f)
{
	buf_free(&f->buf);
	free(f->kv);
	memset(f, 0, sizeof *f);
}

static void reset(struct flat *f)
{
	buf_reset(&f->buf);
	f->n = 0;
	f->has_attrs = false;
}

static void add(struct flat *f, size_t k, size_t v, bool attr)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 32;
		f->kv = xrealloc(f->kv, (size_t)f->cap * sizeof *f->kv);
	}
	f->kv[f->n].k = k;
	f->kv[f->n].v = v;
	f->kv[f->n].attr = attr;
	f->n++;
}

static const char *ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool hex4(const char *p, const char *e, unsigned *out)
{
	if (e - p < 4)
		return false;
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval(p[i]);
		if (h < 0)
			return false;
		v = v * 16 + (unsigned)h;
	}
	*out = v;
	return true;
}

static void put_utf8(struct corral_buf *b, unsigned cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	buf_append(b, u, n);
}

/* p at '"': decode the string into f->buf (NUL-terminated); its offset in
 * *off; returns past the closing quote or NULL. */
static const char *string(struct flat *f, const char *p, const char *e, size_t *off)
{
	struct corral_buf *b = &f->buf;
	*off = b->len;
	p++;
	const char *run = p;
	while (p < e && *p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p != '\\') {
			p++;
			continue;
		}
		buf_append(b, run, (size_t)(p - run));
		if (++p >= e)
			return NULL;
		char c = *p++;
		switch (c) {
		case '"':
		case '\\':
		case '/':
			buf_append(b, &c, 1);
			break;
		case 'n':
			buf_append(b, "\n", 1);
			break;
		case 't':
			buf_append(b, "\t", 1);
			break;
		case 'r':
			buf_append(b, "\r", 1);
			break;
		case 'b':
			buf_append(b, "\b", 1);
			break;
		case 'f':
			buf_append(b, "\f", 1);
			break;
		case 'u': {
			unsigned cp, lo;
			if (!hex4(p, e, &cp))
				return NULL;
			p += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && e - p >= 6 && p[0] == '\\' &&
			    p[1] == 'u' && hex4(p + 2, e, &lo) && lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p += 6;
			}
			if (cp == 0)
				return NULL; /* no NUL inside our C strings */
			put_utf8(b, cp);
			break;
		}
		default:
			return NULL;
		}
		run = p;
	}
	if (p >= e)
		return NULL;
	buf_append(b, run, (size_t)(p - run));
	buf_append(b, "", 1);
	return p + 1;
}

/* Past any value, or NULL. */
static const char *skip(const char *p, const char *e)
{
	int depth = 0;
	do {
		if (p >= e)
			return NULL;
		if (*p == '"') {
			for (p++; p < e && *p != '"'; p++)
				if (*p == '\\')
					p++;
			if (p >= e)
				return NULL;
			p++;
		} else if (*p == '{' || *p == '[') {
			depth++;
			p++;
		} else if (*p == '}' || *p == ']') {
			depth--;
			p++;
		} else if (depth == 0) {
			while (p < e && *p != ',' && *p != '}' && *p != ']' && *p != ' ' &&
			       *p != '\n' && *p != '\t' && *p != '\r')
				p++;
		} else {
			p++;
		}
	} while (depth > 0);
	return p;
}

static const char *object(struct flat *f, const char *p, const char *e, bool attr)
{
	p = ws(p, e);
	if (p >= e || *p != '{')
		return NULL;
	p = ws(p + 1, e);
	if (p < e && *p == '}')
		return p + 1;
	for (;;) {
		if (p >= e || *p != '"')
			return NULL;
		size_t k, v;
		p = string(f, p, e, &k);
		if (!p)
			return NULL;
		p = ws(p, e);
		if (p >= e || *p != ':')
			return NULL;
		p = ws(p + 1, e);
		if (p < e && *p == '"') {
			p = string(f, p, e, &v);
			if (!p)
				return NULL;
			add(f, k, v, attr);
		} else if (!attr && p < e && *p == '{' && strcmp(f->buf.data + k, "attrs") == 0) {
			f->has_attrs = true;
			p = object(f, p, e, true);
			if (!p)
				return NULL;
		} else {
			p = skip(p, e);
			if (!p)
				return NULL;
		}
		p = ws(p, e);
		if (p < e && *p == ',') {
			p = ws(p + 1, e);
			continue;
		}
		if (p < e && *p == '}')
			return p + 1;
		return NULL;
	}
}

int flat_parse(struct flat *f, const char *text, size_t len)
{
	size_t used;
	if (flat_parse_next(f, text, len, &used) < 0 || ws(text + used, text + len) != text + len)
		return -EPROTO;
	return 0;
}

int flat_parse_next(struct flat *f, const char *text, size_t len, size_t *used)
{
	reset(f);
	const char *p = object(f, text, text + len, false);
	if (!p)
		return -EPROTO;
	*used = (size_t)(p - text);
	return 0;
}

static void add_json(struct flat *f, const char *k, const char *v, bool attr)
{
	size_t ko = f->buf.len;
	buf_append(&f->buf, k, strlen(k) + 1);
	size_t vo = f->buf.len;
	buf_append(&f->buf, v, strlen(v) + 1);
	add(f, ko, vo, attr);
}

int flat_from_json(struct flat *f, const json_t *o)
{
	reset(f);
	if (!json_is_object(o))
		return -EPROTO;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)o, k, v)
	{
		if (json_is_string(v)) {
			add_json(f, k, json_string_value(v), false);
		} else if (strcmp(k, "attrs") == 0 && json_is_object(v)) {
			f->has_attrs = true;
			const char *ak;
			json_t *av;
			json_object_foreach(v, ak, av)
			{
				if (json_is_string(av))
					add_json(f, ak, json_string_value(av), true);
			}
		}
	}
	return 0;
}

const char *flat_get(const struct flat *f, const char *key, bool attr)
{
	for (int i = 0; i < f->n; i++)
		if (f->kv[i].attr == attr && strcmp(f->buf.data + f->kv[i].k, key) == 0)
			return f->buf.data + f->kv[i].v;
	return NULL;
}
