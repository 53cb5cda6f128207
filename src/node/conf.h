/* conf.h - corral-node's options, its config file and the vnodes it serves.
 *
 * Every option has one name, used both as the long command-line option
 * (--ncpus 8) and as the key of a config-file line (ncpus = 8).  The config
 * file holds "key = value" lines; '#' starts a comment, blank lines are
 * ignored, "resource" and "attr" may repeat.  The command line beats the
 * file: main() loads the file first, then applies argv on top.
 *
 * Host facts (cpus, memory) are detected by main(); conf_vnodes() turns the
 * options and those facts into the list of vnodes to register.
 * Everything here is pure (no globals, no I/O except conf_load_file and
 * host_meminfo), so tests/unit/test_node_conf.c covers it.
 */
#ifndef CORRAL_NODE_CONF_H
#define CORRAL_NODE_CONF_H

#include <stdbool.h>
#include <stdint.h>

#include "src/common/error.h"
#include "src/common/kv.h"

enum node_exec { EXEC_REAL, EXEC_SIM };

#define NODE_MAX_VNODES 100000
#define NODE_NAME_MAX 64

struct node_conf {
	char *server_host; /* NULL: 127.0.0.1 */
	int server_port; /* 0: discover at every connect (server.port file, $CORRAL_PORT, 15001) */
	char *keyfile;	 /* NULL: $CORRAL_HOME/cluster.key */
	char *name;	 /* vnode name or prefix; NULL: short host name */
	long nvnodes;	 /* --vnodes, default 1 */
	long ncpus;	 /* -1: detect (real: host total; sim: per vnode) */
	uint64_t mem;	 /* bytes; 0: detect */
	long ngpus;	 /* -1: 0 */
	struct kv resources; /* --resource NAME=VALUE: extra resources_available.* */
	struct kv attrs;     /* --attr NAME=VALUE: string attributes (arch, features) */
	char *spool;	     /* NULL: $CORRAL_HOME/spool/node-<name> */
	enum node_exec exec;
	char *logpath; /* NULL: $CORRAL_HOME/log/node-<name>.log; "-": stderr */
	bool debug;
	bool daemon;
	char *config; /* --config FILE (only meaningful on the command line) */
};

void conf_init(struct node_conf *c);
void conf_free(struct node_conf *c);

/* Apply one option: key is the long option name without "--" ("ncpus"),
 * value its argument ("" for the flags debug/daemon given on the command
 * line, which then mean true).  0, or -EINVAL with err naming the key and
 * the bad value; nothing changes on failure. */
int conf_set(struct node_conf *c, const char *key, const char *value, corral_error_t *err);

/* Apply every "key = value" line of text; origin names the source in
 * messages ("node.conf" -> "node.conf:3: ...").  Stops at the first bad
 * line (lines before it stay applied). */
int conf_load_text(struct node_conf *c, const char *text, const char *origin, corral_error_t *err);
/* Read path and conf_load_text() it; -errno when it cannot be read. */
int conf_load_file(struct node_conf *c, const char *path, corral_error_t *err);

/* Parse "HOST", "HOST:PORT", "[V6ADDR]:PORT" or ":PORT".  *host (malloc'ed)
 * is NULL when absent, *port 0 when absent. */
int conf_parse_server(const char *s, char **host, int *port, corral_error_t *err);

/* MemTotal of a /proc/meminfo text, in bytes; -EINVAL when absent. */
int meminfo_parse(const char *text, uint64_t *bytes);
/* MemTotal of this host from /proc/meminfo; 0 when unknown. */
uint64_t host_meminfo(void);

struct vnode_spec {
	char name[NODE_NAME_MAX + 8];
	long ncpus;
	uint64_t mem; /* bytes */
	long ngpus;
};

/* The vnodes of c: conf.nvnodes of them, named PREFIX0..PREFIX{N-1}, or
 * just PREFIX when N is 1 (prefix: c->name, else host_name).  Real mode
 * divides the host's cpus, memory and gpus evenly (the first vnodes get
 * the remainder of the cpus and gpus); in sim mode --ncpus/--mem/--ngpus are
 * per vnode (defaults: the host's).  *out is malloc'ed; returns the count
 * or -EINVAL (bad name). */
int conf_vnodes(const struct node_conf *c, const char *host_name, long host_ncpus,
		uint64_t host_mem, struct vnode_spec **out, corral_error_t *err);

#endif
