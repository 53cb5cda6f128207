/* conf.c - see conf.h. */
#include "src/node/conf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/common/buf.h"
#include "src/common/resource.h"
#include "src/common/util.h"

void conf_init(struct node_conf *c)
{
	memset(c, 0, sizeof *c);
	c->nvnodes = 1;
	c->ncpus = -1;
	c->ngpus = -1;
	c->exec = EXEC_REAL;
}

void conf_free(struct node_conf *c)
{
	if (!c)
		return;
	free(c->server_host);
	free(c->keyfile);
	free(c->name);
	kv_clear(&c->resources);
	kv_clear(&c->attrs);
	free(c->spool);
	free(c->logpath);
	free(c->config);
	memset(c, 0, sizeof *c);
}

static void set_str(char **slot, const char *v)
{
	free(*slot);
	*slot = xstrdup(v);
}

static bool name_ok(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n > max)
		return false;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return false;
	return true;
}

/* "NAME=VALUE" with a resource-like name and a non-empty value without
 * ',' (values travel in PBS lists where ',' separates). */
static int split_assign(const char *key, const char *v, char *name, size_t n, const char **value,
			corral_error_t *err)
{
	const char *eq = strchr(v, '=');
	if (!eq || eq == v || (size_t)(eq - v) >= n || !eq[1])
		return corral_errorf(err, EINVAL, "%s: expected NAME=VALUE, got '%s'", key, v);
	memcpy(name, v, (size_t)(eq - v));
	name[eq - v] = '\0';
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
			return corral_errorf(err, EINVAL, "%s: bad name '%s'", key, name);
	for (const char *p = eq + 1; *p; p++)
		if (*p == '\n' || *p == '\r')
			return corral_errorf(err, EINVAL, "%s: value of %s has a line break", key,
					     name);
	*value = eq + 1;
	return 0;
}

static int parse_count(const char *key, const char *v, long min, long max, long *out,
		       corral_error_t *err)
{
	long l;
	if (corral_parse_long(v, min, max, &l) < 0)
		return corral_errorf(err, EINVAL, "%s: expected a number from %ld to %ld, got '%s'",
				     key, min, max, v);
	*out = l;
	return 0;
}

int conf_set(struct node_conf *c, const char *key, const char *value, corral_error_t *err)
{
	const char *v = value ? value : "";
	long l = 0;
	if (strcmp(key, "server") == 0) {
		char *host = NULL;
		int port = 0;
		if (conf_parse_server(v, &host, &port, err) < 0)
			return -EINVAL;
		free(c->server_host);
		c->server_host = host;
		c->server_port = port;
		return 0;
	}
	if (strcmp(key, "key") == 0 || strcmp(key, "spool") == 0 || strcmp(key, "log") == 0 ||
	    strcmp(key, "config") == 0) {
		if (!*v)
			return corral_errorf(err, EINVAL, "%s: empty path", key);
		set_str(key[0] == 'k'	? &c->keyfile
			: key[0] == 's' ? &c->spool
			: key[0] == 'l' ? &c->logpath
					: &c->config,
			v);
		return 0;
	}
	if (strcmp(key, "name") == 0) {
		if (!name_ok(v, NODE_NAME_MAX))
			return corral_errorf(
			    err, EINVAL,
			    "name: '%s' is not a valid vnode name (letters, digits, "
			    "'-', '_', '.'; at most %d characters)",
			    v, NODE_NAME_MAX);
		set_str(&c->name, v);
		return 0;
	}
	if (strcmp(key, "vnodes") == 0) {
		if (parse_count(key, v, 1, NODE_MAX_VNODES, &l, err) < 0)
			return -EINVAL;
		c->nvnodes = l;
		return 0;
	}
	if (strcmp(key, "ncpus") == 0)
		return parse_count(key, v, 0, 1L << 24, &c->ncpus, err);
	if (strcmp(key, "ngpus") == 0)
		return parse_count(key, v, 0, 1L << 20, &c->ngpus, err);
	if (strcmp(key, "mem") == 0) {
		uint64_t b;
		corral_error_t e;
		if (corral_size_parse(v, &b, &e) < 0)
			return corral_errorf(err, EINVAL, "mem: %s", e.text);
		c->mem = b;
		return 0;
	}
	if (strcmp(key, "resource") == 0 || strcmp(key, "attr") == 0) {
		char name[64];
		const char *val = NULL;
		if (split_assign(key, v, name, sizeof name, &val, err) < 0)
			return -EINVAL;
		if (key[0] == 'r') {
			/* The three built-ins have their own options. */
			if (strcmp(name, "ncpus") == 0 || strcmp(name, "ngpus") == 0 ||
			    strcmp(name, "mem") == 0)
				return conf_set(c, name, val, err);
			char *canon = NULL;
			corral_error_t e;
			if (corral_res_normalize(name, val, &canon, &e) < 0)
				return corral_errorf(err, EINVAL, "resource: %s", e.text);
			kv_set(&c->resources, name, canon);
			free(canon);
		} else {
			kv_set(&c->attrs, name, val);
		}
		return 0;
	}
	if (strcmp(key, "exec") == 0) {
		if (strcmp(v, "real") == 0)
			c->exec = EXEC_REAL;
		else if (strcmp(v, "sim") == 0)
			c->exec = EXEC_SIM;
		else
			return corral_errorf(err, EINVAL, "exec: expected real or sim, got '%s'",
					     v);
		return 0;
	}
	if (strcmp(key, "debug") == 0 || strcmp(key, "daemon") == 0) {
		int b = *v ? corral_parse_bool(v) : 1;
		if (b < 0)
			return corral_errorf(err, EINVAL, "%s: expected true or false, got '%s'",
					     key, v);
		if (key[1] == 'e')
			c->debug = b;
		else
			c->daemon = b;
		return 0;
	}
	return corral_errorf(err, EINVAL, "unknown option '%s'", key);
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int conf_load_text(struct node_conf *c, const char *text, const char *origin, corral_error_t *err)
{
	char *copy = xstrdup(text);
	int lineno = 0, rc = 0;
	/* strtok_r would skip empty lines and lose their numbers: walk by hand. */
	char *line = copy;
	while (line) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *s = trim(line);
		if (*s) {
			char *eq = strchr(s, '=');
			if (!eq) {
				rc = corral_errorf(err, EINVAL, "%s:%d: expected 'key = value'",
						   origin, lineno);
				break;
			}
			*eq = '\0';
			char *k = trim(s), *v = trim(eq + 1);
			corral_error_t e = {0};
			if (strcmp(k, "config") == 0) {
				rc = corral_errorf(err, EINVAL, "%s:%d: 'config' cannot be nested",
						   origin, lineno);
				break;
			}
			if (conf_set(c, k, v, &e) < 0) {
				rc =
				    corral_errorf(err, EINVAL, "%s:%d: %s", origin, lineno, e.text);
				break;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	free(copy);
	return rc;
}

int conf_load_file(struct node_conf *c, const char *path, corral_error_t *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return corral_errorf(err, errno, "cannot read config file %s: %s", path,
				     strerror(errno));
	struct corral_buf b;
	buf_init(&b);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		buf_free(&b);
		return corral_errorf(err, EIO, "cannot read config file %s", path);
	}
	buf_append(&b, "", 1);
	int rc = conf_load_text(c, b.data, path, err);
	buf_free(&b);
	return rc;
}

int conf_parse_server(const char *s, char **host, int *port, corral_error_t *err)
{
	const char *h = s, *pp = NULL;
	size_t hl;
	if (!s || !*s)
		return corral_errorf(err, EINVAL, "server: empty address");
	if (*s == '[') {
		const char *close = strchr(s, ']');
		if (!close || close == s + 1)
			return corral_errorf(err, EINVAL, "server: bad address '%s'", s);
		h = s + 1;
		hl = (size_t)(close - h);
		if (close[1] == ':')
			pp = close + 2;
		else if (close[1])
			return corral_errorf(err, EINVAL, "server: bad address '%s'", s);
	} else {
		const char *colon = strrchr(s, ':');
		if (colon && strchr(s, ':') != colon) /* bare IPv6 address */
			colon = NULL;
		hl = colon ? (size_t)(colon - s) : strlen(s);
		if (colon)
			pp = colon + 1;
	}
	long l = 0;
	if (pp && corral_parse_long(pp, 1, 65535, &l) < 0)
		return corral_errorf(err, EINVAL, "server: bad port in '%s'", s);
	*host = hl ? xstrndup(h, hl) : NULL;
	*port = (int)l;
	return 0;
}

int meminfo_parse(const char *text, uint64_t *bytes)
{
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, "MemTotal:", 9) != 0)
			continue;
		p += 9;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		char *end;
		unsigned long long v = strtoull(p, &end, 10);
		while (*end == ' ' || *end == '\t')
			end++;
		uint64_t mult = 1;
		if (strncmp(end, "kB", 2) == 0 || strncmp(end, "KB", 2) == 0 ||
		    strncmp(end, "kb", 2) == 0)
			mult = 1024;
		else if (strncmp(end, "MB", 2) == 0 || strncmp(end, "mB", 2) == 0)
			mult = 1024 * 1024;
		else if (*end && *end != '\n')
			return -EINVAL;
		*bytes = (uint64_t)v * mult;
		return 0;
	}
	return -EINVAL;
}

uint64_t host_meminfo(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	if (!f)
		return 0;
	char text[8192];
	size_t n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = '\0';
	uint64_t b = 0;
	return meminfo_parse(text, &b) == 0 ? b : 0;
}

int conf_vnodes(const struct node_conf *c, const char *host_name, long host_ncpus,
		uint64_t host_mem, struct vnode_spec **out, corral_error_t *err)
{
	const char *prefix = c->name ? c->name : host_name;
	long n = c->nvnodes > 0 ? c->nvnodes : 1;
	if (!name_ok(prefix, NODE_NAME_MAX))
		return corral_errorf(err, EINVAL, "'%s' is not a valid vnode name", prefix);
	long ncpus = c->ncpus >= 0 ? c->ncpus : (host_ncpus > 0 ? host_ncpus : 1);
	uint64_t mem = c->mem ? c->mem : host_mem;
	long ngpus = c->ngpus >= 0 ? c->ngpus : 0;
	struct vnode_spec *v = xcalloc((size_t)n, sizeof *v);
	for (long i = 0; i < n; i++) {
		if (n == 1)
			snprintf(v[i].name, sizeof v[i].name, "%s", prefix);
		else
			snprintf(v[i].name, sizeof v[i].name, "%s%ld", prefix, i);
		if (c->exec == EXEC_SIM) {
			v[i].ncpus = ncpus;
			v[i].mem = mem;
			v[i].ngpus = ngpus;
		} else {
			v[i].ncpus = ncpus / n + (i < ncpus % n ? 1 : 0);
			v[i].ngpus = ngpus / n + (i < ngpus % n ? 1 : 0);
			/* whole kilobytes, so the value prints as "NNNkb" or larger */
			v[i].mem = (mem / (uint64_t)n) & ~(uint64_t)1023;
		}
	}
	*out = v;
	return (int)n;
}
