/* svg.h - a picture of a replay as a plain SVG file: utilization and
 * queue length over time (averaged over 600 equal time bins), and the
 * distribution of wait times (bars on a logarithmic scale of waits). */
#ifndef CORRAL_SIM_SVG_H
#define CORRAL_SIM_SVG_H

#include <stddef.h>
#include <stdint.h>

#include "src/common/error.h"
#include "src/sim/engine.h"

/* Write the picture of jobs[0..n) (ended ones) on a cluster of cpus to
 * path, titled title (escaped here).  0, or -errno with err filled. */
int svg_write(const char *path, const struct engine_job *jobs, size_t n, int64_t cpus,
	      const char *title, corral_error_t *err);

#endif
