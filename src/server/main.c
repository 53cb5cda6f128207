/* main.c - corral-server: start-up, the loop's housekeeping and shutdown.
 *
 * Start-up order: CORRAL_HOME directories, the lock on run/server.pid (one
 * server per home), the cluster key (created at first start), the store,
 * objects and jobs, the accounting log, the listeners.  Then the loop runs
 * until SIGTERM/SIGINT or server.shutdown.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "src/common/buf.h"
#include "src/common/log.h"
#include "src/common/resource.h"
#include "src/common/util.h"
#include "src/proto/frame.h"
#include "src/proto/msg.h"
#include "src/server/acct.h"
#include "src/server/conn.h"
#include "src/server/handlers.h"
#include "src/server/job.h"
#include "src/server/node.h"
#include "src/server/sched.h"
#include "src/server/objects.h"
#include "src/server/txn.h"
#include "src/store/store.h"

static const char usage_text[] =
	"NAME\n"
	"    corral-server - the Corral batch server\n"
	"\n"
	"SYNOPSIS\n"
	"    corral-server [--home DIR] [--port N | --no-tcp] [--name NAME]\n"
	"                  [--log FILE|-] [--debug] [--daemon]\n"
	"\n"
	"DESCRIPTION\n"
	"    Keeps jobs, queues, nodes and sched objects durably in\n"
	"    $CORRAL_HOME/state/server.db (SQLite), answers the PBS commands on\n"
	"    the Unix socket $CORRAL_HOME/run/server.sock, and schedulers and node\n"
	"    daemons on TCP.  Writes the accounting log to $CORRAL_HOME/accounting/.\n"
	"\n"
	"OPTIONS\n"
	"    --home DIR   use DIR as CORRAL_HOME (default: $CORRAL_HOME, else the\n"
	"                 build's default)\n"
	"    --port N     TCP port for service peers (default $CORRAL_PORT, else 15001;\n"
	"                 0 picks a free\n"
	"                 port, written to $CORRAL_HOME/run/server.port)\n"
	"    --no-tcp     listen on the Unix socket only\n"
	"    --name NAME  server name used in job ids (default: short host name)\n"
	"    --log FILE   log file (default $CORRAL_HOME/log/server.log; - is stderr)\n"
	"    --debug      log debug messages\n"
	"    --daemon     detach from the terminal\n"
	"    --help       show this text\n"
	"\n"
	"EXIT STATUS\n"
	"    0 after a clean shutdown, 1 when it cannot start.\n";

static struct server g_srv;

const char *srv_attr(struct server *s, const char *name)
{
	return kv_get(&s->srv.attrs, name);
}

long srv_attr_long(struct server *s, const char *name, long dflt)
{
	const char *v = srv_attr(s, name);
	long l;
	return v && corral_parse_long(v, -0x7fffffffffffL, 0x7fffffffffffL, &l) == 0 ? l : dflt;
}

bool srv_attr_bool(struct server *s, const char *name, bool dflt)
{
	const char *v = srv_attr(s, name);
	int b = v ? corral_parse_bool(v) : -1;
	return b < 0 ? dflt : b == 1;
}

void server_apply_limits(struct server *s)
{
	s->max_frame = (size_t)srv_attr_long(s, "max_frame_size", CORRAL_FRAME_MAX_DEFAULT);
	if (s->max_frame < 4096)
		s->max_frame = 4096;
	s->max_conns = (int)srv_attr_long(s, "max_connections", 4096);
	s->unauth_timeout = (int)srv_attr_long(s, "unauth_timeout", 10);
	s->frame_timeout = (int)srv_attr_long(s, "frame_timeout", 60);
	if (s->frame_timeout < 1)
		s->frame_timeout = 1;
	long mo = srv_attr_long(s, "max_output_buffer", 512L << 20);
	s->max_output = (size_t)(mo < (1L << 20) ? (1L << 20) : mo);
	s->max_seq = srv_attr_long(s, "max_job_sequence_id", 9999999);
}

static void begin_shutdown(struct server *s)
{
	if (s->shutting_down)
		return;
	s->shutting_down = true;
	corral_log(LOG_NOTICE, "server", "shutting down");
	sched_shutdown(s);
	conn_flush_all(s, 0, "");
	conn_stop_listening(s);
	uv_timer_stop(&s->tick);
	uv_close((uv_handle_t *)&s->tick, NULL);
	uv_signal_stop(&s->sigterm);
	uv_signal_stop(&s->sigint);
	uv_close((uv_handle_t *)&s->sigterm, NULL);
	uv_close((uv_handle_t *)&s->sigint, NULL);
	/* An active check handle keeps the loop alive but never wakes it:
	 * close it now (the last replies were flushed just before). */
	uv_check_stop(&s->check);
	uv_close((uv_handle_t *)&s->check, NULL);
	conn_close_all(s);
}

#define BULK_COMMIT_MS 100

/* Every connection is a descriptor: take what the hard limit allows (up
 * to 65536) so that max_connections, not EMFILE, is what refuses peers. */
static void raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	rlim_t want = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 65536 ? 65536 : rl.rlim_max;
	if (rl.rlim_cur < want) {
		rl.rlim_cur = want;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* End of every loop iteration: commit what the handlers changed, then
 * write the replies (only now: nothing is acknowledged before it is on
 * disk). */
static void on_check(uv_check_t *h)
{
	struct server *s = h->data;
	const char *errtext = "";
	/* While bulk requests go on in slices (conn_bulk) and no one waits
	 * for a reply, their slices are committed together, at most
	 * BULK_COMMIT_MS apart: a batch of 5,000 runs costs a few commits, not
	 * one per slice, and anyone's request still gets its commit at once. */
	if (s->nworking && !s->reply_held && !s->shutting_down &&
	    corral_mono_ms() - s->last_commit_ms < BULK_COMMIT_MS)
		return;
	int rc = txn_end(s, &errtext);
	sched_flush(s, rc == 0);
	conn_flush_all(s, rc, errtext);
}

void h_server_shutdown(struct conn *c, json_int_t id, json_t *msg)
{
	(void)msg;
	conn_reply(c, corral_msg_ok(id), false);
	conn_close_after_flush(c);
	/* Let this iteration's replies go out, then stop. */
	c->srv->shutting_down = false;
	uv_stop(c->srv->loop);
}

/* Jobs waiting for their Execution_Time, and history expiry. */
static void housekeeping(struct server *s, time_t now)
{
	static time_t last_purge;
	bool any_waiting = false;
	for (struct obj *q = s->objs[OBJ_QUEUE]; q; q = q->next)
		if (q->counts[state_slot('W')] > 0)
			any_waiting = true;
	if (any_waiting)
		for (struct job *j = job_first(s); j; j = j->next) {
			if (j->state != 'W')
				continue;
			const char *et = kv_get(&j->attrs, "Execution_Time");
			if (et && atoll(et) > (long long)now)
				continue;
			job_set_state(s, j, 'Q', SUB_QUEUED);
			kv_setf(&j->attrs, "etime", "%lld", (long long)now);
			job_save(s, j);
		}
	if (now - last_purge < 60)
		return;
	last_purge = now;
	long keep = 336 * 3600;
	const char *d = srv_attr(s, "job_history_duration");
	if (d) {
		int64_t secs;
		corral_error_t e;
		if (corral_duration_parse(d, &secs, &e) == 0)
			keep = (long)secs;
	}
	int purged = 0;
	for (struct job *j = job_first(s), *n; j; j = n) {
		n = j->next;
		if (j->state != 'F' || now - j->hist_time < keep)
			continue;
		if (txn_begin(s) < 0)
			break;
		store_job_del(s->store, j->seq);
		txn_touch_job(s, j->seq);
		job_free(s, j);
		if (++purged >= 10000) /* bounded slice: the loop stays responsive */
			break;
	}
	if (purged)
		corral_log(LOG_INFO, "server", "purged %d finished jobs from history", purged);
}

/* WAL checkpoints run in the thread pool on a connection of their own. */
struct ckpt {
	uv_work_t req;
	char *path;
	int rc;
	char err[200];
};
static bool ckpt_busy;

static void ckpt_work(uv_work_t *req)
{
	struct ckpt *k = req->data;
	k->rc = store_checkpoint_file(k->path, k->err, sizeof k->err);
}

static void ckpt_done(uv_work_t *req, int status)
{
	struct ckpt *k = req->data;
	if (status == 0 && k->rc < 0)
		corral_log(LOG_WARNING, "store", "checkpoint failed: %s", k->err);
	free(k->path);
	free(k);
	ckpt_busy = false;
}

/* Checkpoint when the server is idle (no commit for a second), or when
 * the WAL passes 256 MiB whatever the load, like PostgreSQL's
 * checkpoint_timeout / max_wal_size: bursts of submissions are not slowed
 * down by checkpoint I/O, and the WAL stays bounded. */
static void checkpoint_soon(struct server *s)
{
	if (ckpt_busy || s->shutting_down)
		return;
	struct stat sb;
	char *wal = corral_path("state/server.db-wal");
	int have = stat(wal, &sb) == 0;
	free(wal);
	if (!have || sb.st_size == 0)
		return;
	bool idle = corral_mono_ms() - s->last_commit_ms >= 1000;
	if (!idle && sb.st_size < ((off_t)256 << 20))
		return;
	if (idle && s->ckpt_size == sb.st_size)
		return; /* nothing new since the last idle checkpoint */
	s->ckpt_size = sb.st_size;
	struct ckpt *k = xcalloc(1, sizeof *k);
	k->req.data = k;
	k->path = corral_path("state/server.db");
	ckpt_busy = true;
	if (uv_queue_work(s->loop, &k->req, ckpt_work, ckpt_done) < 0) {
		free(k->path);
		free(k);
		ckpt_busy = false;
	}
}

static void on_tick(uv_timer_t *t)
{
	struct server *s = t->data;
	conn_sweep(s);
	housekeeping(s, time(NULL));
	node_tick(s, time(NULL));
	sched_tick(s, time(NULL));
	checkpoint_soon(s);
	/* Commit anything housekeeping changed now, not at the next request. */
	const char *errtext;
	int rc = txn_end(s, &errtext);
	sched_flush(s, rc == 0);
	conn_flush_all(s, rc, errtext);
}

static void on_signal(uv_signal_t *h, int signum)
{
	corral_log(LOG_NOTICE, "server", "signal %d", signum);
	uv_stop(h->loop);
}

static int write_pidfile(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		close(fd);
		return e == EWOULDBLOCK ? -EBUSY : -e;
	}
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || write(fd, buf, (size_t)n) != n) {
		close(fd);
		return -EIO;
	}
	return fd; /* kept open: the lock lives as long as we do */
}

int main(int argc, char **argv)
{
	struct server *s = &g_srv;
	const char *home = NULL, *logpath = NULL, *name = NULL;
	int port = 15001, level = LOG_INFO;
	bool tcp = true, daemon = false;
	static const struct option opts[] = {
		{"home", required_argument, 0, 'H'}, {"port", required_argument, 0, 'p'},
		{"no-tcp", no_argument, 0, 'T'},     {"name", required_argument, 0, 'n'},
		{"log", required_argument, 0, 'l'},  {"debug", no_argument, 0, 'D'},
		{"daemon", no_argument, 0, 'd'},     {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	int ch;
	long l;
	log_init(argv[0], LOG_INFO, stderr);
	raise_nofile();
	const char *envport = getenv("CORRAL_PORT");
	if (envport && *envport) {
		if (corral_parse_long(envport, 0, 65535, &l) < 0)
			log_err_exit(2, "bad CORRAL_PORT '%s'", envport);
		port = (int)l;
	}
	while ((ch = getopt_long(argc, argv, "H:p:Tn:l:Ddh", opts, NULL)) != -1) {
		switch (ch) {
		case 'H':
			home = optarg;
			break;
		case 'p':
			if (corral_parse_long(optarg, 0, 65535, &l) < 0)
				log_err_exit(2, "bad port '%s'", optarg);
			port = (int)l;
			break;
		case 'T':
			tcp = false;
			break;
		case 'n':
			name = optarg;
			break;
		case 'l':
			logpath = optarg;
			break;
		case 'D':
			level = LOG_DEBUG;
			break;
		case 'd':
			daemon = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs("usage: corral-server [--home DIR] [--port N | --no-tcp] [--name NAME] "
			      "[--log FILE|-] [--debug] [--daemon]\n",
			      stderr);
			return 2;
		}
	}
	if (optind < argc)
		log_err_exit(2, "unexpected argument '%s' (see --help)", argv[optind]);
	if (home)
		setenv("CORRAL_HOME", home, 1);
	home = corral_home();
	if (!name)
		name = getenv("CORRAL_SERVER_NAME");
	if (!name || !*name)
		name = corral_hostname();

	umask(022);
	static const char *dirs[] = {"run", "state", "log", "accounting", "spool"};
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		char *d = corral_path(dirs[i]);
		int rc = corral_mkdir_p(d, 0755);
		if (rc < 0)
			log_err_exit(1, "cannot create %s: %s", d, strerror(-rc));
		free(d);
	}

	char *lp = logpath ? xstrdup(logpath) : corral_path("log/server.log");
	int lrc = log_open(lp);
	if (lrc < 0)
		log_err_exit(1, "cannot open log %s: %s", lp, strerror(-lrc));
	free(lp);

	/* The cluster key: created at first start, refused when loose. */
	corral_error_t err = {0};
	char *keypath = corral_path("cluster.key");
	if (access(keypath, F_OK) != 0 && corral_key_create(keypath, &err) < 0)
		log_err_exit(1, "%s", err.text);
	if (corral_key_load(keypath, s->key, &err) < 0)
		log_err_exit(1, "%s", err.text);
	free(keypath);

	char *pidpath = corral_path("run/server.pid");
	if (daemon)
		corral_daemonize(log_to_stderr());
	int pidfd = write_pidfile(pidpath);
	if (pidfd == -EBUSY)
		log_err_exit(1, "another corral-server is running in %s (%s is locked)", home,
			     pidpath);
	if (pidfd < 0)
		log_err_exit(1, "cannot write %s: %s", pidpath, strerror(-pidfd));
	log_set_level(level);

	s->loop = uv_default_loop();
	s->home = xstrdup(home);
	s->name = xstrdup(name);
	s->port = port;
	s->tcp_enabled = tcp;
	s->uid = getuid();
	s->jobs = jobtab_create();

	char *dbpath = corral_path("state/server.db");
	s->store = store_open(dbpath, &err);
	if (!s->store)
		log_err_exit(1, "cannot open the store %s: %s", dbpath, err.text);
	free(dbpath);
	txn_create(s);
	acct_open(s);

	char *seqtext = NULL;
	if (store_meta_get(s->store, "next_seq", &seqtext) == 0)
		s->next_seq = atoll(seqtext);
	free(seqtext);
	if (obj_load_all(s, &err) < 0)
		log_err_exit(1, "%s", err.text);
	server_apply_limits(s);
	if (job_load_all(s) < 0)
		log_err_exit(1, "cannot load jobs: %s", store_errmsg(s->store));
	if (s->next_seq > s->max_seq)
		s->next_seq = 0;
	s->started = time(NULL);
	node_init(s);
	sched_init(s);
	const char *errtext;
	if (txn_end(s, &errtext) < 0)
		log_err_exit(1, "cannot initialise the store: %s", errtext);

	if (conn_listen(s) < 0)
		return 1;
	if (tcp) {
		char *pp = corral_path("run/server.port");
		FILE *pf = fopen(pp, "w");
		if (pf) {
			fprintf(pf, "%d\n", s->port);
			fclose(pf);
		}
		free(pp);
	}

	uv_check_init(s->loop, &s->check);
	s->check.data = s;
	uv_check_start(&s->check, on_check);
	uv_timer_init(s->loop, &s->tick);
	s->tick.data = s;
	uv_timer_start(&s->tick, on_tick, 1000, 1000);
	uv_signal_init(s->loop, &s->sigterm);
	uv_signal_init(s->loop, &s->sigint);
	uv_signal_start(&s->sigterm, on_signal, SIGTERM);
	uv_signal_start(&s->sigint, on_signal, SIGINT);
	signal(SIGPIPE, SIG_IGN);

	corral_log(LOG_NOTICE, "server",
		   "corral-server %s started: name %s, home %s, %zu jobs, %s%d", CORRAL_VERSION,
		   s->name, home, job_count(s), tcp ? "TCP port " : "no TCP", tcp ? s->port : 0);
	uv_run(s->loop, UV_RUN_DEFAULT);

	/* Stopped (signal or server.shutdown): flush, close, drain. */
	on_check(&s->check);
	begin_shutdown(s);
	uv_run(s->loop, UV_RUN_DEFAULT);
	if (uv_loop_close(s->loop) != 0)
		corral_log(LOG_WARNING, "server", "handles left open at exit");

	acct_close(s);
	txn_destroy(s);
	store_close(s->store);
	jobtab_destroy(s->jobs);
	for (enum obj_kind k = OBJ_QUEUE; k < OBJ_NKINDS; k++) {
		while (s->objs[k])
			obj_remove(s, s->objs[k]);
		free(s->objs_hash[k]);
	}
	kv_clear(&s->srv.attrs);
	free(s->srv.name);
	unlink(pidpath);
	free(pidpath);
	close(pidfd);
	corral_log(LOG_NOTICE, "server", "stopped");
	free(s->name);
	free(s->home);
	log_close();
	return 0;
}
