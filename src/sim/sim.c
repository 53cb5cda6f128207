/* sim.c - the `corral sim` command (sim.h): options, reading the trace,
 * the replay (engine.c), and the report as text or JSON, with an SVG
 * picture and a comparison with the starts the trace records. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "src/common/buf.h"
#include "src/common/util.h"
#include "src/sim/engine.h"
#include "src/sim/metrics.h"
#include "src/sim/sim.h"
#include "src/sim/svg.h"
#include "src/sim/swf.h"

static const char usage_text[] =
    "NAME\n"
    "    corral sim - replay a workload trace through the scheduler in virtual time\n"
    "\n"
    "SYNOPSIS\n"
    "    corral sim --trace FILE [--policy fcfs|easy|easy++|conservative]\n"
    "               [--predictor none|exact|tsafrir] [--estimates user|actual]\n"
    "               [--nodes N] [--cpus-per-node C] [--skip S] [--jobs K]\n"
    "               [--reference] [--json] [--svg FILE] [--output FILE] [--progress]\n"
    "\n"
    "DESCRIPTION\n"
    "    Reads a trace in the Standard Workload Format (plain or gzip; - for\n"
    "    stdin), submits each job at its submit time to the scheduling core that\n"
    "    corral-sched runs, on an in-memory cluster in virtual time, and reports\n"
    "    what the policy achieved: jobs simulated and skipped, makespan,\n"
    "    utilization, mean and maximum wait, mean bounded slowdown (run time\n"
    "    floor 10 s), overall and per job size.\n"
    "\n"
    "    The scheduler plans with each job's requested time (field 9), or with\n"
    "    the predictor's estimate; a job runs for its recorded run time (field\n"
    "    4), and a job that would exceed its request is killed at it.  Jobs are\n"
    "    skipped, and counted, when their line is malformed (not 18 numbers),\n"
    "    their run time or size (max of fields 5 and 8) is not positive, their\n"
    "    submit time is negative, their requested time is missing (with\n"
    "    --estimates user), or they need more cpus than the cluster has.\n"
    "\n"
    "OPTIONS\n"
    "    --trace FILE       the trace (required)\n"
    "    --policy P         fcfs: first come first served, no backfilling;\n"
    "                       easy (default): EASY backfilling, one reservation for\n"
    "                       the first waiting job, later jobs start early when\n"
    "                       they do not delay it; easy++: the same, trying the\n"
    "                       shortest predicted jobs first; conservative: every\n"
    "                       waiting job holds a reservation\n"
    "    --predictor P      what the scheduler plans with: none (default; the\n"
    "                       requested time), exact (the actual run time), tsafrir\n"
    "                       (mean of the user's last two run times, corrected\n"
    "                       upward when a job outlives it; default for easy++)\n"
    "    --estimates E      user (default): the requested time is the job's\n"
    "                       limit; actual: the scheduler is told the actual run\n"
    "                       time as the request\n"
    "    --nodes N          a cluster of N nodes (default: one pool of the\n"
    "                       trace's MaxProcs, else MaxNodes, processors)\n"
    "    --cpus-per-node C  cpus of each node (default 1; alone: as many nodes\n"
    "                       as the trace's processors need)\n"
    "    --skip S           leave out the first S usable jobs\n"
    "    --jobs K           simulate at most K jobs (after --skip)\n"
    "    --reference        compare each start with the one the trace records\n"
    "                       (submit + wait, field 3): a production log, or the\n"
    "                       output of another simulator given as the trace\n"
    "    --json             print one JSON object instead of text\n"
    "    --svg FILE         draw utilization and queue length over time and the\n"
    "                       wait time distribution into FILE\n"
    "    --output FILE      write the simulated schedule to FILE in the Standard\n"
    "                       Workload Format (field 3: the simulated wait)\n"
    "    --progress         show a progress bar on stderr\n"
    "    --help             show this text\n"
    "\n"
    "JSON KEYS\n"
    "    jobs skipped skipped_by_reason makespan_s utilization mean_wait_s\n"
    "    max_wait_s mean_bsld max_bsld backfilled classes (per size: procs jobs\n"
    "    mean_wait_s max_wait_s mean_bsld) cpus policy predictor sim_seconds\n"
    "    jobs_per_second peak_rss_bytes; with --reference: reference_jobs\n"
    "    reference_identical reference_identical_fraction reference_max_diff_s\n"
    "    reference_max_diff_job reference_mean_wait_s reference_mean_bsld\n"
    "\n"
    "EXIT STATUS\n"
    "    0 on success; 1 when the trace cannot be read or simulated; 2 on bad\n"
    "    usage.\n"
    "\n"
    "EXAMPLES\n"
    "    corral sim --trace KTH-SP2-1996-2.1-cln.swf.gz --policy easy\n"
    "    corral sim --trace CTC-SP2.res_easy_backfill_scheduler_None_None.swf.gz \\\n"
    "               --reference --json\n";

static int fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("corral sim: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return status;
}

struct opts {
	const char *trace, *svg, *output;
	enum engine_policy policy;
	enum predict_kind predictor;
	bool predictor_set, estimates_actual, reference, json, progress;
	long nodes, cpn, jobs, skip;
};

static const char *const policy_names[] = {"fcfs", "easy", "easy++", "conservative"};
static const char *const predictor_names[] = {"none", "exact", "tsafrir"};

static int pick(const char *what, const char *v, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v, names[i]) == 0)
			return i;
	fprintf(stderr, "corral sim: unknown %s '%s' (one of:", what, v);
	for (int i = 0; i < n; i++)
		fprintf(stderr, " %s", names[i]);
	fputs(")\n", stderr);
	return -1;
}

static int number_opt(const char *name, const char *v, long min, long *out)
{
	if (corral_parse_long(v, min, 1000000000L, out) < 0) {
		fail(2, "%s wants a whole number >= %ld, not '%s'", name, min, v);
		return -1;
	}
	return 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
	enum {
		O_TRACE = 256,
		O_POLICY,
		O_PRED,
		O_EST,
		O_NODES,
		O_CPN,
		O_SKIP,
		O_JOBS,
		O_REF,
		O_JSON,
		O_SVG,
		O_OUT,
		O_PROG,
		O_HELP
	};
	static const struct option lo[] = {
	    {"trace", required_argument, NULL, O_TRACE},
	    {"policy", required_argument, NULL, O_POLICY},
	    {"predictor", required_argument, NULL, O_PRED},
	    {"estimates", required_argument, NULL, O_EST},
	    {"nodes", required_argument, NULL, O_NODES},
	    {"cpus-per-node", required_argument, NULL, O_CPN},
	    {"skip", required_argument, NULL, O_SKIP},
	    {"jobs", required_argument, NULL, O_JOBS},
	    {"reference", no_argument, NULL, O_REF},
	    {"json", no_argument, NULL, O_JSON},
	    {"svg", required_argument, NULL, O_SVG},
	    {"output", required_argument, NULL, O_OUT},
	    {"progress", no_argument, NULL, O_PROG},
	    {"help", no_argument, NULL, O_HELP},
	    {NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof *o);
	o->policy = ENGINE_EASY;
	o->jobs = -1;
	optind = 1;
	opterr = 0;
	for (;;) {
		int c = getopt_long(argc, argv, ":h", lo, NULL);
		if (c < 0)
			break;
		int i;
		switch (c) {
		case O_TRACE:
			o->trace = optarg;
			break;
		case O_POLICY:
			if ((i = pick("policy", optarg, policy_names, 4)) < 0)
				return 2;
			o->policy = (enum engine_policy)i;
			break;
		case O_PRED:
			if ((i = pick("predictor", optarg, predictor_names, 3)) < 0)
				return 2;
			o->predictor = (enum predict_kind)i;
			o->predictor_set = true;
			break;
		case O_EST:
			if (strcmp(optarg, "user") && strcmp(optarg, "actual"))
				return fail(2, "--estimates is user or actual, not '%s'", optarg);
			o->estimates_actual = strcmp(optarg, "actual") == 0;
			break;
		case O_NODES:
			if (number_opt("--nodes", optarg, 1, &o->nodes) < 0)
				return 2;
			break;
		case O_CPN:
			if (number_opt("--cpus-per-node", optarg, 1, &o->cpn) < 0)
				return 2;
			break;
		case O_SKIP:
			if (number_opt("--skip", optarg, 0, &o->skip) < 0)
				return 2;
			break;
		case O_JOBS:
			if (number_opt("--jobs", optarg, 1, &o->jobs) < 0)
				return 2;
			break;
		case O_REF:
			o->reference = true;
			break;
		case O_JSON:
			o->json = true;
			break;
		case O_SVG:
			o->svg = optarg;
			break;
		case O_OUT:
			o->output = optarg;
			break;
		case O_PROG:
			o->progress = true;
			break;
		case 'h':
		case O_HELP:
			fputs(usage_text, stdout);
			return 0;
		case ':':
			return fail(2, "%s needs a value (see corral sim --help)",
				    argv[optind - 1]);
		default:
			return fail(2, "unknown option '%s' (see corral sim --help)",
				    argv[optind - 1]);
		}
	}
	if (optind < argc)
		return fail(2, "unexpected argument '%s' (see corral sim --help)", argv[optind]);
	if (!o->trace)
		return fail(2, "--trace FILE is required (see corral sim --help)");
	if (!o->predictor_set && o->policy == ENGINE_EASYPP)
		o->predictor = PREDICT_TSAFRIR;
	return -1;
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress_bar(void *ctx, size_t done, size_t total)
{
	int *last = ctx; /* the percentage shown, -1 at first */
	static const char bar[] = "##############################";
	int pct = total ? (int)(100.0 * (double)done / (double)total) : 100;
	if (pct == *last)
		return;
	*last = pct;
	int fill = pct * 30 / 100;
	fprintf(stderr, "\rcorral sim: [%.*s%*s] %3d%% %zu/%zu jobs", fill, bar, 30 - fill, "", pct,
		done, total);
	fflush(stderr);
}

static int job_cmp(const void *a, const void *b)
{
	const struct swf_job *x = *(const struct swf_job *const *)a;
	const struct swf_job *y = *(const struct swf_job *const *)b;
	if (x->submit != y->submit)
		return x->submit < y->submit ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static const char *class_name(int lo, int hi, char *buf, size_t n)
{
	if (hi == lo)
		snprintf(buf, n, "%d", lo);
	else if (hi == 0)
		snprintf(buf, n, "%d+", lo);
	else
		snprintf(buf, n, "%d-%d", lo, hi);
	return buf;
}

static json_t *sum_json(const struct metrics_sum *s)
{
	return json_pack("{s:I, s:f, s:I, s:f, s:f, s:I}", "jobs", (json_int_t)s->jobs,
			 "mean_wait_s", s->mean_wait, "max_wait_s", (json_int_t)s->max_wait,
			 "mean_bsld", s->mean_bsld, "max_bsld", s->max_bsld, "backfilled",
			 (json_int_t)s->backfilled);
}

struct report {
	const struct opts *o;
	const struct swf_trace *t;
	int64_t cpus;
	int nodes;
	int64_t cpn;
	size_t njobs, too_large, window_out;
	const struct metrics *mt;
	const struct metrics_ref *ref;
	const struct engine_stats *es;
	double read_s, sim_s;
	long rss;
};

static size_t skipped_total(const struct report *r) { return r->t->nskipped + r->too_large; }

static void print_json(const struct report *r)
{
	const struct metrics *mt = r->mt;
	json_t *o = json_object();
	/* every json_object_set_new below steals the new value */
	json_object_set_new(o, "trace", json_string(r->o->trace));
	json_object_set_new(o, "policy", json_string(policy_names[r->o->policy]));
	json_object_set_new(o, "predictor", json_string(predictor_names[r->o->predictor]));
	json_object_set_new(o, "estimates",
			    json_string(r->o->estimates_actual ? "actual" : "user"));
	json_object_set_new(o, "cpus", json_integer(r->cpus));
	json_object_set_new(o, "nodes", json_integer(r->nodes));
	json_object_set_new(o, "cpus_per_node", json_integer(r->cpn));
	json_object_set_new(o, "records", json_integer((json_int_t)(r->t->njobs + r->t->nskipped)));
	json_object_set_new(o, "jobs", json_integer((json_int_t)r->njobs));
	json_object_set_new(o, "skipped", json_integer((json_int_t)skipped_total(r)));
	json_t *why = json_object();
	for (int k = 0; k < SWF_NSKIP; k++)
		json_object_set_new(why, swf_skip_name((enum swf_skip)k),
				    json_integer((json_int_t)r->t->skipped[k]));
	json_object_set_new(why, "too_large", json_integer((json_int_t)r->too_large));
	json_object_set_new(o, "skipped_by_reason", why);
	json_object_set_new(o, "outside_window", json_integer((json_int_t)r->window_out));
	json_object_set_new(o, "first_submit_s", json_integer(mt->first_submit));
	json_object_set_new(o, "makespan_s", json_integer(mt->makespan));
	json_object_set_new(o, "utilization", json_real(mt->utilization));
	json_object_set_new(o, "mean_wait_s", json_real(mt->all.mean_wait));
	json_object_set_new(o, "max_wait_s", json_integer(mt->all.max_wait));
	json_object_set_new(o, "mean_bsld", json_real(mt->all.mean_bsld));
	json_object_set_new(o, "max_bsld", json_real(mt->all.max_bsld));
	json_object_set_new(o, "backfilled", json_integer((json_int_t)mt->all.backfilled));
	json_object_set_new(o, "max_queue", json_integer((json_int_t)r->es->max_queue));
	json_object_set_new(o, "corrections", json_integer((json_int_t)r->es->corrections));
	json_object_set_new(o, "cycles", json_integer((json_int_t)r->es->cycles));
	json_t *cls = json_array();
	for (int c = 0; c < mt->nclasses; c++) {
		char name[32];
		json_t *x = sum_json(&mt->classes[c].s);
		json_object_set_new(x, "procs",
				    json_string(class_name(mt->classes[c].lo, mt->classes[c].hi,
							   name, sizeof name)));
		json_array_append_new(cls, x);
	}
	json_object_set_new(o, "classes", cls);
	if (r->ref) {
		const struct metrics_ref *f = r->ref;
		json_object_set_new(o, "reference_jobs", json_integer((json_int_t)f->jobs));
		json_object_set_new(o, "reference_compared", json_integer((json_int_t)f->compared));
		json_object_set_new(o, "reference_identical",
				    json_integer((json_int_t)f->identical));
		json_object_set_new(
		    o, "reference_identical_fraction",
		    json_real(f->jobs ? (double)f->identical / (double)f->jobs : 0.0));
		json_object_set_new(o, "reference_max_diff_s", json_integer(f->max_diff));
		json_object_set_new(o, "reference_max_diff_job", json_integer(f->max_diff_id));
		json_object_set_new(o, "reference_mean_wait_s", json_real(f->mean_wait));
		json_object_set_new(o, "reference_mean_bsld", json_real(f->mean_bsld));
	}
	json_object_set_new(o, "read_seconds", json_real(r->read_s));
	json_object_set_new(o, "sim_seconds", json_real(r->sim_s));
	json_object_set_new(o, "jobs_per_second",
			    json_real(r->sim_s > 0 ? (double)r->njobs / r->sim_s : 0.0));
	json_object_set_new(o, "peak_rss_bytes", json_integer((json_int_t)r->rss * 1024));
	json_dumpf(o, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	putchar('\n');
	json_decref(o);
}

static void print_text(const struct report *r)
{
	const struct metrics *mt = r->mt;
	const struct swf_trace *t = r->t;
	printf("trace         %s (%zu records)\n", r->o->trace, t->njobs + t->nskipped);
	printf("cluster       %lld cpus", (long long)r->cpus);
	if (r->o->nodes || r->o->cpn)
		printf(" (%d nodes x %lld)", r->nodes, (long long)r->cpn);
	putchar('\n');
	printf("policy        %s, planning with %s\n", policy_names[r->o->policy],
	       r->o->predictor == PREDICT_NONE
		   ? (r->o->estimates_actual ? "actual run times" : "requested times")
	       : r->o->predictor == PREDICT_EXACT ? "exact run times"
						  : "Tsafrir predictions");
	printf("jobs          %zu simulated, %zu skipped", r->njobs, skipped_total(r));
	bool first = true;
	for (int k = 0; k < SWF_NSKIP; k++)
		if (t->skipped[k]) {
			printf("%s%zu %s", first ? " (" : ", ", t->skipped[k],
			       swf_skip_name((enum swf_skip)k));
			first = false;
		}
	if (r->too_large) {
		printf("%s%zu too large", first ? " (" : ", ", r->too_large);
		first = false;
	}
	printf("%s", first ? "" : ")");
	if (r->window_out)
		printf(", %zu outside --skip/--jobs", r->window_out);
	putchar('\n');
	printf("makespan      %lld s (%.1f days)\n", (long long)mt->makespan,
	       (double)mt->makespan / 86400.0);
	printf("utilization   %.3f\n", mt->utilization);
	printf("wait          mean %.0f s, max %lld s\n", mt->all.mean_wait,
	       (long long)mt->all.max_wait);
	printf("bsld          mean %.2f, max %.1f (tau 10 s)\n", mt->all.mean_bsld,
	       mt->all.max_bsld);
	printf("backfilled    %zu jobs\n", mt->all.backfilled);
	printf("\n%-10s %8s %12s %12s %10s\n", "procs", "jobs", "mean wait", "max wait",
	       "mean bsld");
	for (int c = 0; c < mt->nclasses; c++) {
		char name[32];
		const struct metrics_sum *s = &mt->classes[c].s;
		printf("%-10s %8zu %10.0f s %10lld s %10.2f\n",
		       class_name(mt->classes[c].lo, mt->classes[c].hi, name, sizeof name), s->jobs,
		       s->mean_wait, (long long)s->max_wait, s->mean_bsld);
	}
	if (r->ref) {
		const struct metrics_ref *f = r->ref;
		printf("\nreference     %zu jobs with a recorded start, %zu identical (%.2f%%), "
		       "max difference %lld s",
		       f->jobs, f->identical,
		       f->jobs ? 100.0 * (double)f->identical / (double)f->jobs : 0.0,
		       (long long)f->max_diff);
		if (f->max_diff_id >= 0)
			printf(" (job %lld)", (long long)f->max_diff_id);
		printf("\n              recorded: mean wait %.0f s, mean bsld %.2f\n", f->mean_wait,
		       f->mean_bsld);
	}
	printf("\nsimulated in %.2f s (%.0f jobs/s; trace read in %.2f s), peak RSS %ld MB\n",
	       r->sim_s, r->sim_s > 0 ? (double)r->njobs / r->sim_s : 0.0, r->read_s,
	       r->rss / 1024);
}

/* The schedule as SWF, in submit order: field 3 is the simulated wait,
 * 5 and 8 the processors, 9 the requested time, 18 the first prediction
 * when a predictor was used (as the published pyss output has it). */
static int write_swf(const char *path, const struct opts *o, const struct engine_job *jobs,
		     size_t n, int64_t cpus, corral_error_t *err)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return corral_errorf(err, errno, "%s: %s", path, strerror(errno));
	fprintf(f,
		"; Computer: corral sim\n; MaxProcs: %lld\n; Note: trace %s\n"
		"; Note: policy %s, predictor %s, estimates %s\n",
		(long long)cpus, o->trace, policy_names[o->policy], predictor_names[o->predictor],
		o->estimates_actual ? "actual" : "user");
	for (size_t i = 0; i < n; i++) {
		const struct engine_job *j = &jobs[i];
		fprintf(f, "%lld %lld %lld %lld %d -1 -1 %d %lld -1 1 %d -1 -1 -1 %d -1 %lld\n",
			(long long)j->id, (long long)j->submit, (long long)(j->start - j->submit),
			(long long)j->run, j->procs, j->procs, (long long)j->req, j->user,
			j->backfilled ? 1 : -1,
			(long long)(o->predictor != PREDICT_NONE ? j->pred0 : -1));
	}
	if (ferror(f) | (fclose(f) != 0))
		return corral_errorf(err, EIO, "%s: write error", path);
	return 0;
}

int sim_main(int argc, char **argv)
{
	struct opts o;
	int rc = parse(argc, argv, &o);
	if (rc >= 0)
		return rc;

	double t0 = mono();
	struct swf_trace t;
	struct swf_opts so = {.need_reqtime = !o.estimates_actual};
	corral_error_t err = {0};
	if (swf_load(&t, o.trace, &so, &err) < 0)
		return fail(1, "%s", err.text);
	if (t.first_malformed && !o.json)
		fprintf(stderr,
			"corral sim: %s: %zu malformed lines skipped (the first is line %lld)\n",
			o.trace, t.skipped[SWF_SKIP_MALFORMED], (long long)t.first_malformed);
	if (!t.njobs) {
		fail(1, "%s: no usable jobs (%zu lines, %zu records skipped)", o.trace, t.lines,
		     t.nskipped);
		swf_free(&t);
		return 1;
	}

	/* the cluster */
	int64_t nodes = 0, cpn = 0, cpus;
	int64_t tp = t.hdr.max_procs > 0 ? t.hdr.max_procs : t.hdr.max_nodes;
	if (o.nodes || o.cpn) {
		cpn = o.cpn ? o.cpn : 1;
		if (o.nodes)
			nodes = o.nodes;
		else if (tp > 0)
			nodes = tp / cpn + (tp % cpn != 0);
		else {
			swf_free(&t);
			return fail(2, "%s has no MaxProcs or MaxNodes header line: give --nodes",
				    o.trace);
		}
		cpus = nodes > 100000 ? INT64_MAX : nodes * cpn;
	} else if (tp > 0) {
		cpus = tp;
	} else {
		swf_free(&t);
		return fail(2,
			    "%s has no MaxProcs or MaxNodes header line: give --nodes N "
			    "[--cpus-per-node C]",
			    o.trace);
	}
	if (cpus > 100000000 || nodes > 100000) {
		swf_free(&t);
		return fail(2, "the cluster is too large to simulate (at most 100,000 nodes "
			       "and 100,000,000 cpus)");
	}

	/* the jobs, in submit order */
	const struct swf_job **in = xmalloc(t.njobs * sizeof *in);
	for (size_t i = 0; i < t.njobs; i++)
		in[i] = &t.jobs[i];
	qsort(in, t.njobs, sizeof *in, job_cmp);
	struct engine_job *jobs = xcalloc(t.njobs, sizeof *jobs);
	struct metrics_refjob *ref = o.reference ? xcalloc(t.njobs, sizeof *ref) : NULL;
	size_t n = 0, nref = 0, too_large = 0, usable = 0, window_out = 0;
	for (size_t i = 0; i < t.njobs; i++) {
		const struct swf_job *s = in[i];
		if (s->procs > cpus) {
			too_large++;
			continue;
		}
		usable++;
		if (usable <= (size_t)o.skip || (o.jobs >= 0 && n >= (size_t)o.jobs)) {
			window_out++;
			continue;
		}
		struct engine_job *j = &jobs[n++];
		j->id = s->id;
		j->submit = s->submit;
		j->procs = s->procs;
		j->user = s->user;
		j->req = o.estimates_actual ? s->run : s->req_time;
		j->run = s->run < j->req ? s->run : j->req; /* killed at its request */
		if (ref && s->wait >= 0)
			ref[nref++] = (struct metrics_refjob){s->id, s->submit, s->wait, s->run};
	}
	free(in);
	double t1 = mono();

	int shown = -1;
	struct engine_conf conf = {
	    .policy = o.policy,
	    .predictor = o.predictor,
	    .cpus = cpus,
	    .nodes = (int)nodes,
	    .cpus_per_node = cpn,
	    .progress = o.progress ? progress_bar : NULL,
	    .progress_ctx = &shown,
	};
	struct engine_stats es;
	rc = 0;
	if (n == 0) {
		rc = fail(1,
			  "%s: no job left to simulate (%zu too large for %lld cpus, %zu "
			  "outside --skip/--jobs)",
			  o.trace, too_large, (long long)cpus, window_out);
		goto out;
	}
	if (engine_run(jobs, n, &conf, &es, &err) < 0) {
		rc = fail(1, "%s", err.text);
		goto out;
	}
	double t2 = mono();
	if (o.progress)
		fputc('\n', stderr);

	struct metrics mt;
	metrics_compute(jobs, n, cpus, &mt);
	struct metrics_ref mr;
	if (ref)
		metrics_compare(jobs, n, ref, nref, &mr);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	struct report r = {
	    .o = &o,
	    .t = &t,
	    .cpus = cpus,
	    .nodes = nodes ? (int)nodes : 1,
	    .cpn = nodes ? cpn : cpus,
	    .njobs = n,
	    .too_large = too_large,
	    .window_out = window_out,
	    .mt = &mt,
	    .ref = ref ? &mr : NULL,
	    .es = &es,
	    .read_s = t1 - t0,
	    .sim_s = t2 - t1,
	    .rss = ru.ru_maxrss,
	};
	if (o.svg) {
		char title[300];
		const char *base = strrchr(o.trace, '/');
		snprintf(title, sizeof title, "corral sim: %s, %s, %lld cpus, %zu jobs",
			 base ? base + 1 : o.trace, policy_names[o.policy], (long long)cpus, n);
		if (svg_write(o.svg, jobs, n, cpus, title, &err) < 0) {
			rc = fail(1, "%s", err.text);
			goto out;
		}
	}
	if (o.output && write_swf(o.output, &o, jobs, n, cpus, &err) < 0) {
		rc = fail(1, "%s", err.text);
		goto out;
	}
	if (o.json)
		print_json(&r);
	else
		print_text(&r);
	if (fflush(stdout) != 0)
		rc = fail(1, "writing the report: %s", strerror(errno));
out:
	free(ref);
	free(jobs);
	swf_free(&t);
	return rc;
}
