/* node.h - corral-node's context: a table of contents of its parts.
 *
 *   conf.c     options and config file, the vnodes to serve
 *   link.c     the connection to the server (hello, auth, register,
 *              heartbeats, reconnection)
 *   job.c      jobs: launch, signals, walltime, ends, events, re-adoption
 *   shepherd.c the per-job process that outlives the daemon
 *   spool.c    the files that survive a restart (layout at its top)
 *   spare.c    spare records and per-user file sets, reused across jobs
 *   users.c    job owners' passwd and groups, cached for a few seconds
 *   jobenv.c   the job's environment; report.c exit status, resources
 *   proc.c     process identity through /proc
 *   main.c     start-up, signals, the loop
 */
#ifndef CORRAL_NODE_NODE_H
#define CORRAL_NODE_NODE_H

#include <stdbool.h>
#include <sys/types.h>
#include <uv.h>

#include "src/node/conf.h"
#include "src/node/spool.h"

struct link;
struct jobs;

struct node {
	uv_loop_t *loop;
	struct node_conf *conf;
	struct spool spool;
	struct link *link;
	struct jobs *jobs;
	struct vnode_spec *vnodes; /* what we register */
	int nvnodes;
	const char *host; /* short host name (borrowed) */
	bool root;	  /* may run jobs of any user */
	uid_t uid;	  /* our uid */
};

/* Is name one of the vnodes this daemon serves? */
bool node_has_vnode(const struct node *n, const char *name);

#endif
