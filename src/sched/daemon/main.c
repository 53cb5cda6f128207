/* main.c - corral-sched: options, start-up, signals and the loop. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "src/common/buf.h"
#include "src/common/log.h"
#include "src/common/util.h"
#include "src/sched/daemon/schedd.h"

static const char usage_text[] =
    "NAME\n"
    "    corral-sched - the Corral scheduler\n"
    "\n"
    "SYNOPSIS\n"
    "    corral-sched [--name NAME] [--server HOST[:PORT]] [--key FILE]\n"
    "                 [--log FILE|-] [--debug]\n"
    "    corral-sched --help\n"
    "\n"
    "DESCRIPTION\n"
    "    Connects to corral-server over TCP, proves it holds the cluster key\n"
    "    and registers as the scheduler of the sched object NAME.  The server\n"
    "    sends a snapshot of the jobs, queues and vnodes of the sched's\n"
    "    partitions, then every change; the scheduler keeps them in memory.\n"
    "    When the server asks for a cycle, it orders the queued jobs (queue\n"
    "    priority, Priority, job_sort_key, submit order), places their select\n"
    "    chunks on free vnodes (place=free, pack, scatter, vscatter, excl),\n"
    "    honours job requirements, node start expressions and job rank, keeps\n"
    "    reservations for the first backfill_depth jobs that cannot run and\n"
    "    backfills shorter jobs around them.  Runs go to the server in batches\n"
    "    without waiting; comments saying why a job does not run, estimated\n"
    "    start times and accrue_type follow in batches, comments at most every\n"
    "    attr_update_period seconds.\n"
    "\n"
    "    The server normally starts this program itself (sched attribute\n"
    "    sched_host) and restarts it if it dies.  The scheduler reconnects by\n"
    "    itself after any disconnect (backoff with jitter, at most 30 s) and\n"
    "    starts over from a fresh snapshot.  A run the server did not confirm\n"
    "    is never assumed: the job is matched again later, never run twice.\n"
    "\n"
    "OPTIONS\n"
    "    --name NAME\n"
    "        The sched object to serve (default: default).\n"
    "    --server HOST[:PORT]\n"
    "        The server (default 127.0.0.1; port: $CORRAL_HOME/run/server.port\n"
    "        when it exists, else $CORRAL_PORT, else 15001, looked up again at\n"
    "        every connection attempt).\n"
    "    --key FILE\n"
    "        Cluster key (default $CORRAL_HOME/cluster.key).\n"
    "    --log FILE|-\n"
    "        Log file (default $CORRAL_HOME/log/sched-NAME.log; - is stderr).\n"
    "    --debug\n"
    "        Log debug messages.\n"
    "    --help\n"
    "        Show this text.\n"
    "\n"
    "SIGNALS\n"
    "    SIGTERM, SIGINT: stop.  SIGHUP: reopen the log file.\n"
    "\n"
    "EXIT STATUS\n"
    "    0 after SIGTERM, SIGINT or sched.quit, 1 when it cannot start, 2 on\n"
    "    bad usage.\n";

static const char short_usage[] =
    "usage: corral-sched [--name NAME] [--server HOST[:PORT]] [--key FILE] [--log FILE|-]\n"
    "                    [--debug] [--help]\n";

static const struct option opts[] = {
    {"name", required_argument, 0, 'n'},
    {"server", required_argument, 0, 's'},
    {"key", required_argument, 0, 'k'},
    {"log", required_argument, 0, 'l'},
    {"debug", no_argument, 0, 'd'},
    {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0},
};

static struct schedd g_d;
static uv_signal_t g_sigterm, g_sigint, g_sighup;

static void close_signals(void)
{
	uv_close((uv_handle_t *)&g_sigterm, NULL);
	uv_close((uv_handle_t *)&g_sigint, NULL);
	uv_close((uv_handle_t *)&g_sighup, NULL);
}

static void on_stop_signal(uv_signal_t *h, int sig)
{
	(void)h;
	corral_log(LOG_NOTICE, "sched", "signal %d: stopping", sig);
	if (!g_d.quitting)
		schedd_stop(&g_d);
}

/* sched.quit closes the daemon; the signal handles must go too. */
static void on_check(uv_check_t *c)
{
	if (g_d.quitting && !uv_is_closing((uv_handle_t *)&g_sigterm)) {
		close_signals();
		uv_close((uv_handle_t *)c, NULL);
	}
}

static void on_hup(uv_signal_t *h, int sig)
{
	(void)h;
	(void)sig;
	log_reopen();
}

/* The pid of our parent when it is the corral-server that started us (it
 * says so in CORRAL_SERVER_PID), else 0. */
static int server_parent(void)
{
	const char *e = getenv("CORRAL_SERVER_PID");
	pid_t pp = getppid();
	int rc = e && atoi(e) == (int)pp && pp > 1 ? (int)pp : 0;
	unsetenv("CORRAL_SERVER_PID");
	return rc;
}

/* "host", "host:port", "[v6]:port" */
static int parse_server(const char *s, char **host, int *port)
{
	const char *colon = NULL;
	const char *h = s;
	size_t hl;
	if (*s == '[') {
		const char *close = strchr(s, ']');
		if (!close)
			return -EINVAL;
		h = s + 1;
		hl = (size_t)(close - h);
		colon = close[1] == ':' ? close + 1 : NULL;
		if (close[1] && !colon)
			return -EINVAL;
	} else {
		colon = strrchr(s, ':');
		if (colon && strchr(s, ':') != colon)
			colon = NULL; /* a bare IPv6 address */
		hl = colon ? (size_t)(colon - s) : strlen(s);
	}
	*port = 0;
	if (colon) {
		long p;
		if (corral_parse_long(colon + 1, 1, 65535, &p) < 0)
			return -EINVAL;
		*port = (int)p;
	}
	*host = hl ? xstrndup(h, hl) : NULL;
	return 0;
}

int main(int argc, char **argv)
{
	const char *name = "default", *server = NULL, *keyfile = NULL, *logpath = NULL;
	bool debug = false;
	log_init(argv[0], LOG_INFO, stderr);
	int ch;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			name = optarg;
			break;
		case 's':
			server = optarg;
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'l':
			logpath = optarg;
			break;
		case 'd':
			debug = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			if (optopt)
				log_msg("option -%c: unknown or missing its value", optopt);
			else
				log_msg("unknown option '%s' or missing value", argv[optind - 1]);
			fputs(short_usage, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		log_msg("unexpected argument '%s'", argv[optind]);
		fputs(short_usage, stderr);
		return 2;
	}
	if (!*name || strlen(name) > 64 || strpbrk(name, "/ \t\n")) {
		log_msg("'%s' is not a sched name", name);
		fputs(short_usage, stderr);
		return 2;
	}
	char *host = NULL;
	int port = 0;
	if (server && parse_server(server, &host, &port) < 0) {
		log_msg("bad --server '%s' (HOST[:PORT])", server);
		fputs(short_usage, stderr);
		return 2;
	}

	umask(022);
	char *logdir = corral_path("log");
	corral_mkdir_p(logdir, 0755);
	free(logdir);
	char *lp = logpath ? xstrdup(logpath) : xasprintf("%s/log/sched-%s.log", corral_home(), name);
	int lrc = log_open(lp);
	if (lrc < 0)
		log_err_exit(1, "cannot open log %s: %s", lp, strerror(-lrc));
	free(lp);
	char *key = keyfile ? xstrdup(keyfile) : corral_path("cluster.key");
	if (access(key, R_OK) != 0)
		log_msg("warning: cannot read the cluster key %s yet: %s (will keep trying)", key,
			strerror(errno));
	log_set_level(debug ? LOG_DEBUG : LOG_INFO);
	srand((unsigned)(time(NULL) ^ getpid()));
	signal(SIGPIPE, SIG_IGN);

	uv_loop_t *loop = uv_default_loop();
	struct link_cfg lc = {.host = host,
			      .port = port,
			      .keyfile = key,
			      .client = "corral-sched",
			      .text_push_op_prefix = "sched."};
	schedd_init(&g_d, loop, &lc, name);
	g_d.server_parent = server_parent();
	uv_signal_init(loop, &g_sigterm);
	uv_signal_init(loop, &g_sigint);
	uv_signal_init(loop, &g_sighup);
	uv_signal_start(&g_sigterm, on_stop_signal, SIGTERM);
	uv_signal_start(&g_sigint, on_stop_signal, SIGINT);
	uv_signal_start(&g_sighup, on_hup, SIGHUP);
	if (g_d.server_parent) {
		/* Started by a server: stop with it (a restarted server starts
		 * its own).  SIGTERM on its death, however it dies; checked
		 * again after, in case it died before the request. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != g_d.server_parent)
			raise(SIGTERM);
	}
	uv_check_t check;
	uv_check_init(loop, &check);
	uv_check_start(&check, on_check);
	uv_unref((uv_handle_t *)&check);

	corral_log(LOG_NOTICE, "sched", "corral-sched %s started as sched %s (pid %d)",
		   CORRAL_VERSION, name, (int)getpid());
	schedd_start(&g_d);
	uv_run(loop, UV_RUN_DEFAULT);
	uv_loop_close(loop);
	corral_log(LOG_NOTICE, "sched", "stopped after %ld cycles", g_d.cycles_run);
	free(key);
	free(host);
	log_close();
	return 0;
}
