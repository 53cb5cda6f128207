/* main.c - corral-node: options, start-up, signals and the loop.
 *
 * Start-up order: options (config file, then the command line on top),
 * host facts and the vnode list, the log, the spool (locked: one daemon
 * per spool), detaching (--daemon), re-adoption of the jobs in the spool,
 * then the connection to the server.  The loop runs until SIGTERM/SIGINT;
 * running jobs are left to their shepherds and re-adopted at the next
 * start.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "src/common/buf.h"
#include "src/common/log.h"
#include "src/common/resource.h"
#include "src/common/util.h"
#include "src/node/conf.h"
#include "src/node/job.h"
#include "src/link/link.h"
#include "src/node/node.h"
#include "src/node/shepherd.h"

static const char usage_text[] =
    "NAME\n"
    "    corral-node - the Corral node daemon\n"
    "\n"
    "SYNOPSIS\n"
    "    corral-node [--server HOST[:PORT]] [--key FILE] [--name PREFIX]\n"
    "                [--vnodes N] [--ncpus N] [--mem SIZE] [--ngpus N]\n"
    "                [--resource NAME=VALUE]... [--attr NAME=VALUE]...\n"
    "                [--config FILE] [--spool DIR] [--exec real|sim]\n"
    "                [--log FILE|-] [--debug] [--daemon]\n"
    "    corral-node --help\n"
    "\n"
    "DESCRIPTION\n"
    "    Connects to corral-server over TCP, proves it holds the cluster key,\n"
    "    registers the vnodes of this host and runs the jobs the server\n"
    "    launches on them: each job runs under a shepherd process as its owner\n"
    "    (setgid, supplementary groups and setuid when the daemon runs as\n"
    "    root; otherwise only jobs of the daemon's own user), in the owner's\n"
    "    home directory, with the PBS environment, its output written to the\n"
    "    job's -o/-e paths.  Walltime is enforced (SIGTERM, kill_delay, SIGKILL;\n"
    "    exit status -29).  Job starts and ends are reported to the server and\n"
    "    kept in the spool until the server acknowledged them.\n"
    "\n"
    "    The daemon reconnects by itself after any disconnect (backoff with\n"
    "    jitter, at most 30 s) and registers again.  Killing it (even with\n"
    "    kill -9) does not stop running jobs: a restarted daemon re-adopts them\n"
    "    from its spool and reports their ends.\n"
    "\n"
    "    Several daemons may run on one host with distinct --name values (each\n"
    "    gets its own spool).  With --exec=sim no processes are started: every\n"
    "    job \"runs\" for its Resource_List.sim_runtime, else its walltime, else\n"
    "    0 s, and ends with exit status 0 (-29 when sim_runtime exceeds the\n"
    "    walltime).\n"
    "\n"
    "OPTIONS\n"
    "    --server HOST[:PORT]\n"
    "        The server (default 127.0.0.1; port: $CORRAL_HOME/run/server.port\n"
    "        when it exists, else $CORRAL_PORT, else 15001, looked up again at\n"
    "        every connection attempt).\n"
    "    --key FILE\n"
    "        Cluster key (default $CORRAL_HOME/cluster.key).\n"
    "    --name PREFIX\n"
    "        Vnode name, or prefix with --vnodes (default: the short host name).\n"
    "    --vnodes N\n"
    "        Serve N vnodes named PREFIX0 ... PREFIX<N-1> (default 1: PREFIX).\n"
    "    --ncpus N, --mem SIZE, --ngpus N\n"
    "        Resources of the host (default: detected cpus and MemTotal, 0 gpus),\n"
    "        divided evenly among the vnodes.  With --exec=sim they are per\n"
    "        vnode (default: the host's, for every vnode).\n"
    "    --resource NAME=VALUE\n"
    "        An extra resources_available.NAME of every vnode (repeatable).\n"
    "    --attr NAME=VALUE\n"
    "        A string attribute of every vnode, e.g. features=ssd,ib (repeatable;\n"
    "        arch defaults to the machine type).\n"
    "    --config FILE\n"
    "        Read options from FILE first: \"name = value\" lines with the long\n"
    "        option names (resource and attr may repeat, '#' starts a comment).\n"
    "        The command line wins over the file.\n"
    "    --spool DIR\n"
    "        Job records, scripts and TMPDIRs (default\n"
    "        $CORRAL_HOME/spool/node-PREFIX).\n"
    "    --exec real|sim\n"
    "        Run real processes (default) or simulate jobs.\n"
    "    --log FILE|-\n"
    "        Log file (default $CORRAL_HOME/log/node-PREFIX.log; - is stderr).\n"
    "    --debug\n"
    "        Log debug messages.\n"
    "    --daemon\n"
    "        Detach from the terminal.\n"
    "    --help\n"
    "        Show this text.\n"
    "\n"
    "FILES\n"
    "    $CORRAL_HOME/run/node-PREFIX.pid   pid of the running daemon\n"
    "    SPOOL/lock                         held while the daemon runs\n"
    "\n"
    "EXIT STATUS\n"
    "    0 after SIGTERM or SIGINT, 1 when it cannot start, 2 on bad usage.\n";

static const char short_usage[] =
    "usage: corral-node [--server HOST[:PORT]] [--key FILE] [--name PREFIX] [--vnodes N]\n"
    "                   [--ncpus N] [--mem SIZE] [--ngpus N] [--resource NAME=VALUE]...\n"
    "                   [--attr NAME=VALUE]... [--config FILE] [--spool DIR]\n"
    "                   [--exec real|sim] [--log FILE|-] [--debug] [--daemon] [--help]\n";

static const struct option opts[] = {
    {"server", required_argument, 0, 0},
    {"key", required_argument, 0, 0},
    {"name", required_argument, 0, 0},
    {"vnodes", required_argument, 0, 0},
    {"ncpus", required_argument, 0, 0},
    {"mem", required_argument, 0, 0},
    {"ngpus", required_argument, 0, 0},
    {"resource", required_argument, 0, 0},
    {"attr", required_argument, 0, 0},
    {"config", required_argument, 0, 0},
    {"spool", required_argument, 0, 0},
    {"exec", required_argument, 0, 0},
    {"log", required_argument, 0, 0},
    {"debug", no_argument, 0, 0},
    {"daemon", no_argument, 0, 0},
    {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0},
};

static struct node g_node;
static struct node_conf g_conf;
static uv_signal_t g_sigterm, g_sigint, g_sighup;
static char *g_pidpath;

bool node_has_vnode(const struct node *n, const char *name)
{
	for (int i = 0; i < n->nvnodes; i++)
		if (strcmp(n->vnodes[i].name, name) == 0)
			return true;
	return false;
}

/* Parse argv into c.  only_config: just find --config (first pass).
 * Returns 0, 1 for --help, or 2 after printing a usage error. */
static int parse_argv(int argc, char **argv, struct node_conf *c, bool only_config)
{
	int ch, idx;
	optind = 0; /* glibc: full reinitialisation, so the second pass works */
	opterr = only_config ? 1 : 0;
	while ((ch = getopt_long(argc, argv, "h", opts, &idx)) != -1) {
		if (ch == 'h') {
			if (only_config)
				return 1;
			continue;
		}
		if (ch == '?' || ch == ':') {
			if (only_config) {
				fputs(short_usage, stderr);
				return 2;
			}
			continue;
		}
		const char *name = opts[idx].name;
		if (only_config != (strcmp(name, "config") == 0))
			continue;
		corral_error_t err = {0};
		if (conf_set(c, name, optarg ? optarg : "", &err) < 0) {
			log_msg("%s", err.text);
			fputs(short_usage, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		log_msg("unexpected argument '%s'", argv[optind]);
		fputs(short_usage, stderr);
		return 2;
	}
	return 0;
}

static json_t *build_register(void *ctx)
{
	struct node *n = ctx;
	struct utsname u;
	const char *arch = uname(&u) == 0 ? u.machine : NULL;
	json_t *vn = json_array();
	char mem[32];
	for (int i = 0; i < n->nvnodes; i++) {
		struct vnode_spec *v = &n->vnodes[i];
		json_t *ra = json_object();
		json_object_set_new(ra, "ncpus", json_sprintf("%ld", v->ncpus));
		json_object_set_new(ra, "mem",
				    json_string(corral_size_format(v->mem, mem, sizeof mem)));
		json_object_set_new(ra, "ngpus", json_sprintf("%ld", v->ngpus));
		const struct kv *r = &n->conf->resources;
		for (const char *k = kv_first(r); k; k = kv_next(r, k))
			json_object_set_new(ra, k, json_string(kv_val(k)));
		json_t *at = json_object();
		if (arch && !kv_get(&n->conf->attrs, "arch"))
			json_object_set_new(at, "arch", json_string(arch));
		const struct kv *a = &n->conf->attrs;
		for (const char *k = kv_first(a); k; k = kv_next(a, k))
			json_object_set_new(at, k, json_string(kv_val(k)));
		json_array_append_new(vn, json_pack("{s:s,s:o,s:o}", "name", v->name,
						    "resources_available", ra, "attrs", at));
	}
	return json_pack("{s:s,s:s,s:s,s:o,s:o}", "op", "node.register", "host", n->host, "exec",
			 n->conf->exec == EXEC_SIM ? "sim" : "real", "vnodes", vn, "jobs",
			 jobs_register_list(n->jobs));
}

static void on_ready(void *ctx, json_t *reply)
{
	struct node *n = ctx;
	(void)reply;
	corral_log(LOG_INFO, "node", "%d vnode%s registered, %zu job%s reported", n->nvnodes,
		   n->nvnodes == 1 ? "" : "s", jobs_count(n->jobs),
		   jobs_count(n->jobs) == 1 ? "" : "s");
	jobs_link_ready(n->jobs);
}

static void on_down(void *ctx)
{
	struct node *n = ctx;
	jobs_link_down(n->jobs);
}

static void on_push(void *ctx, json_t *msg)
{
	struct node *n = ctx;
	jobs_push(n->jobs, msg);
}

static void on_jobs_closed(void *arg) { (void)arg; }

static void on_stop_signal(uv_signal_t *h, int sig)
{
	struct node *n = h->data;
	corral_log(LOG_NOTICE, "node", "signal %d: stopping (running jobs go on)", sig);
	uv_close((uv_handle_t *)&g_sigterm, NULL);
	uv_close((uv_handle_t *)&g_sigint, NULL);
	uv_close((uv_handle_t *)&g_sighup, NULL);
	/* the link first: its callbacks still refer to jobs */
	link_destroy(n->link, NULL, NULL);
	n->link = NULL;
	jobs_destroy(n->jobs, on_jobs_closed, NULL);
	n->jobs = NULL;
}

static void on_hup(uv_signal_t *h, int sig)
{
	(void)h;
	(void)sig;
	log_reopen();
}

int main(int argc, char **argv)
{
	struct node *n = &g_node;
	struct node_conf *c = &g_conf;
	corral_error_t err = {0};
	log_init(argv[0], LOG_INFO, stderr);
	conf_init(c);
	int rc = parse_argv(argc, argv, c, true);
	if (rc == 1) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (rc)
		return rc;
	if (c->config && conf_load_file(c, c->config, &err) < 0) {
		log_msg("%s", err.text);
		return err.code == EINVAL ? 2 : 1; /* bad content is bad usage */
	}
	rc = parse_argv(argc, argv, c, false);
	if (rc)
		return rc;

	const char *host = corral_hostname();
	const char *prefix = c->name ? c->name : host;
	long host_ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t host_mem = host_meminfo();
	int nv = conf_vnodes(c, host, host_ncpus, host_mem, &n->vnodes, &err);
	if (nv < 0) {
		log_msg("%s (use --name)", err.text);
		return 2;
	}
	n->nvnodes = nv;
	n->conf = c;
	n->host = host;
	n->uid = getuid();
	n->root = geteuid() == 0;

	umask(022);
	char *logdir = corral_path("log");
	corral_mkdir_p(logdir, 0755);
	free(logdir);
	char *logpath = c->logpath ? xstrdup(c->logpath)
				   : xasprintf("%s/log/node-%s.log", corral_home(), prefix);
	int lrc = log_open(logpath);
	if (lrc < 0)
		log_err_exit(1, "cannot open log %s: %s", logpath, strerror(-lrc));
	free(logpath);

	char *spooldir =
	    c->spool ? xstrdup(c->spool) : xasprintf("%s/spool/node-%s", corral_home(), prefix);
	if (spool_open(&n->spool, spooldir, &err) < 0)
		log_err_exit(1, "%s", err.text);
	free(spooldir);
	char *keyfile = c->keyfile ? xstrdup(c->keyfile) : corral_path("cluster.key");
	if (access(keyfile, R_OK) != 0)
		log_msg("warning: cannot read the cluster key %s yet: %s (will keep trying)",
			keyfile, strerror(errno));

	if (c->daemon) {
		corral_daemonize(log_to_stderr());
		if (chdir("/") < 0) {
			/* stay where we are */
		}
	}
	log_set_level(c->debug ? LOG_DEBUG : LOG_INFO);
	{
		char buf[32];
		int len = snprintf(buf, sizeof buf, "%d\n", (int)getpid());
		if (ftruncate(n->spool.lockfd, 0) < 0 ||
		    pwrite(n->spool.lockfd, buf, (size_t)len, 0) < 0) {
			/* the lock is what matters */
		}
		char *rundir = corral_path("run");
		corral_mkdir_p(rundir, 0755);
		free(rundir);
		g_pidpath = xasprintf("%s/run/node-%s.pid", corral_home(), prefix);
		FILE *pf = fopen(g_pidpath, "w");
		if (pf) {
			fputs(buf, pf);
			fclose(pf);
		}
	}
	/* The argv strings are contiguous: shepherds retitle themselves there. */
	{
		char *end = argv[0] + strlen(argv[0]) + 1;
		for (int i = 1; i < argc && argv[i] == end; i++)
			end = argv[i] + strlen(argv[i]) + 1;
		shepherd_set_title_area(argv[0], (size_t)(end - argv[0]));
	}
	srand((unsigned)(time(NULL) ^ getpid()));
	signal(SIGPIPE, SIG_IGN);

	n->loop = uv_default_loop();
	n->jobs = jobs_create(n);
	jobs_recover(n->jobs);
	struct link_cfg lc = {
	    .host = c->server_host,
	    .port = c->server_port,
	    .keyfile = keyfile,
	    .client = "corral-node",
	    .heartbeat_op = "node.heartbeat",
	};
	static const struct link_ops ops = {
	    .build_register = build_register,
	    .on_ready = on_ready,
	    .on_down = on_down,
	    .on_push = on_push,
	};
	n->link = link_create(n->loop, &lc, &ops, n);

	uv_signal_init(n->loop, &g_sigterm);
	uv_signal_init(n->loop, &g_sigint);
	uv_signal_init(n->loop, &g_sighup);
	g_sigterm.data = g_sigint.data = g_sighup.data = n;
	uv_signal_start(&g_sigterm, on_stop_signal, SIGTERM);
	uv_signal_start(&g_sigint, on_stop_signal, SIGINT);
	uv_signal_start(&g_sighup, on_hup, SIGHUP);

	char mem[32];
	corral_log(
	    LOG_NOTICE, "node",
	    "corral-node %s started: %d vnode%s (%s%s, %ld cpus, %s each), exec %s, spool %s, "
	    "%s",
	    CORRAL_VERSION, n->nvnodes, n->nvnodes == 1 ? "" : "s", n->vnodes[0].name,
	    n->nvnodes > 1 ? "..." : "", n->vnodes[0].ncpus,
	    corral_size_format(n->vnodes[0].mem, mem, sizeof mem),
	    c->exec == EXEC_SIM ? "sim" : "real", n->spool.dir,
	    n->root ? "as root" : "not root: only this user's jobs");
	link_start(n->link);
	uv_run(n->loop, UV_RUN_DEFAULT);
	uv_loop_close(n->loop);

	corral_log(LOG_NOTICE, "node", "stopped");
	if (g_pidpath) {
		unlink(g_pidpath);
		free(g_pidpath);
	}
	spool_close(&n->spool);
	free(n->vnodes);
	free(keyfile);
	conf_free(c);
	log_close();
	return 0;
}
