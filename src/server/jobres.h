/* jobres.h - a job's Resource_List: checking values, deriving select from
 * job-wide requests and job-wide totals from select, applying queue and
 * server defaults, and enforcing resources_min/resources_max. */
#ifndef CORRAL_SERVER_JOBRES_H
#define CORRAL_SERVER_JOBRES_H

#include "src/common/error.h"
#include "src/common/kv.h"
#include "src/server/server.h"

/* req holds the job's requested Resource_List.* entries (and maybe the
 * internal "_select_derived").  On success req is rewritten in place to
 * the complete, canonical list for queue q.  On failure req is unchanged,
 * err says why and *pbs_errno is set. */
int jobres_prepare(struct server *s, struct obj *q, struct kv *req, int *pbs_errno,
		   corral_error_t *err);
/* Check req (already prepared) against q's and the server's limits. */
int jobres_check_limits(struct server *s, struct obj *q, const struct kv *req, int *pbs_errno,
			corral_error_t *err);

#endif
