/* corral.c - the umbrella command: an all-in-one cluster on this machine
 * (up, down, status) and a raw protocol client (call). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "src/cli/lib/cli.h"
#include "src/common/buf.h"
#include "src/common/log.h"
#include "src/common/util.h"
#include "src/proto/msg.h"
#include "src/sim/sim.h"

static const char usage_text[] =
	"NAME\n"
	"    corral - run and talk to a Corral cluster\n"
	"\n"
	"SYNOPSIS\n"
	"    corral up [--nodes N]\n"
	"    corral down\n"
	"    corral status\n"
	"    corral call [--tcp HOST:PORT [--key FILE]] OP [JSON]\n"
	"    corral sim --trace FILE [--policy fcfs|easy|easy++|conservative] ...\n"
	"\n"
	"DESCRIPTION\n"
	"    up      start an all-in-one cluster in $CORRAL_HOME (default: the\n"
	"            build's var/ directory): corral-server, and whatever else of the\n"
	"            cluster is not running yet.  Running it again restarts only what\n"
	"            is not running.\n"
	"    down    stop what `corral up` started, and wait until it is gone.\n"
	"    status  say what runs (exit 0 when the server answers, 1 otherwise).\n"
	"    call    send one protocol request (docs/protocol.md) and print the reply\n"
	"            as JSON.  JSON holds the payload, e.g.\n"
	"                corral call job.stat '{\"ids\":[\"12\"]}'\n"
	"            With --tcp the request goes over TCP, after authenticating with\n"
	"            the cluster key (default $CORRAL_HOME/cluster.key).\n"
	"    sim     replay a workload trace (Standard Workload Format) through the\n"
	"            scheduler in virtual time and report waits, slowdowns and\n"
	"            utilization; no cluster needed (corral sim --help).\n"
	"\n"
	"OPTIONS\n"
	"    --nodes N   node daemons to start with up (default 2), named\n"
	"                HOST-0 ... HOST-(N-1) (HOST alone when N is 1), each with\n"
	"                its share of this machine's cpus and memory\n"
	"    --help      show this text\n"
	"\n"
	"EXIT STATUS\n"
	"    0 on success; 1 on failure; 2 on bad usage.  call exits with the\n"
	"    reply's PBS error number modulo 256 when the reply is an error.\n";

static char *bindir(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return xstrdup(".");
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	return xstrdup(exe);
}

/* pid of the running server, or 0. */
static pid_t server_pid(void)
{
	char *path = corral_path("run/server.pid");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return 0;
	/* The server holds an exclusive lock while it runs. */
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		close(fd);
		return 0;
	}
	char buf[32] = "";
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return (pid_t)atol(buf);
}

static bool server_answers(void)
{
	corral_error_t err;
	corral_conn_t *c = corral_connect(NULL, "corral", &err);
	corral_close(c);
	return c != NULL;
}

/* pid in a pid file if that process is alive and runs prog, else 0. */
static pid_t live_pid(const char *pidfile, const char *prog)
{
	FILE *f = fopen(pidfile, "r");
	long pid = 0;
	if (!f)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	if (pid <= 0)
		return 0;
	char path[64], comm[64] = "";
	snprintf(path, sizeof path, "/proc/%ld/comm", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(comm, sizeof comm, f))
		comm[0] = '\0';
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	/* comm is cut at 15 characters */
	return strncmp(comm, prog, 15) == 0 ? (pid_t)pid : 0;
}

static long meminfo_kb(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	long kb = 0;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "MemTotal: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/* Start node daemon i of n, detached, and record its pid. */
static int start_node(const char *dir, int i, int n)
{
	char name[128], pidfile[4096], ncpus[32], mem[32];
	snprintf(name, sizeof name, n == 1 ? "%s" : "%s-%d", corral_hostname(), i);
	char *pf = xasprintf("%s/run/node-%s.pid", corral_home(), name);
	snprintf(pidfile, sizeof pidfile, "%s", pf);
	free(pf);
	pid_t old = live_pid(pidfile, "corral-node");
	if (old) {
		printf("corral-node %s: running (pid %d)\n", name, (int)old);
		return 0;
	}
	long cpus = sysconf(_SC_NPROCESSORS_ONLN) / n;
	snprintf(ncpus, sizeof ncpus, "%ld", cpus < 1 ? 1 : cpus);
	snprintf(mem, sizeof mem, "%ldkb", meminfo_kb() / n);
	char *exe = xasprintf("%s/corral-node", dir);
	pid_t pid = fork();
	if (pid < 0)
		log_err_exit(1, "fork: %s", strerror(errno));
	if (pid == 0) {
		setsid();
		int fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(exe, exe, "--name", name, "--ncpus", ncpus, "--mem", mem, (char *)NULL);
		_exit(127);
	}
	FILE *f = fopen(pidfile, "w");
	if (f) {
		fprintf(f, "%d\n", (int)pid);
		fclose(f);
	}
	free(exe);
	usleep(100000);
	int st;
	if (waitpid(pid, &st, WNOHANG) == pid) {
		log_msg("corral-node %s exited at once (see %s/log/)", name, corral_home());
		return -1;
	}
	printf("corral-node %s: started (pid %d, %s cpus)\n", name, (int)pid, ncpus);
	return 0;
}

static void stop_nodes(void)
{
	char *dir = corral_path("run");
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, "node-", 5) != 0 || !strstr(e->d_name, ".pid"))
			continue;
		char *pf = xasprintf("%s/%s", dir, e->d_name);
		pid_t pid = live_pid(pf, "corral-node");
		if (pid) {
			kill(pid, SIGTERM);
			for (int i = 0; i < 100 && kill(pid, 0) == 0; i++)
				usleep(100000);
			printf("corral-node (pid %d): stopped\n", (int)pid);
		}
		unlink(pf);
		free(pf);
	}
	if (d)
		closedir(d);
	free(dir);
}

static int start_server(const char *dir);

static int cmd_up(int argc, char **argv)
{
	long nodes = 2;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--nodes") && i + 1 < argc) {
			if (corral_parse_long(argv[++i], 0, 1000, &nodes) < 0)
				log_err_exit(2, "bad --nodes '%s'", argv[i]);
		} else if (!strcmp(argv[i], "--help")) {
			cli_usage(usage_text, true);
		} else {
			log_err_exit(2, "up: unknown argument '%s'", argv[i]);
		}
	}
	const char *home = corral_home();
	int rc = corral_mkdir_p(home, 0755);
	if (rc < 0)
		log_err_exit(1, "cannot create %s: %s", home, strerror(-rc));
	char *dir = bindir();
	int status = 0;
	if (server_pid() && server_answers()) {
		printf("corral-server: running (pid %d, home %s)\n", (int)server_pid(), home);
	} else if (start_server(dir) < 0) {
		free(dir);
		return 1;
	}
	char *node_exe = xasprintf("%s/corral-node", dir);
	if (nodes > 0 && access(node_exe, X_OK) != 0) {
		printf("corral-node: not built; the cluster has no node daemons\n");
		nodes = 0;
	}
	free(node_exe);
	for (long i = 0; i < nodes; i++)
		if (start_node(dir, (int)i, (int)nodes) < 0)
			status = 1;
	free(dir);
	return status;
}

static int start_server(const char *dir)
{
	const char *home = corral_home();
	char *exe = xasprintf("%s/corral-server", dir);
	pid_t pid = fork();
	if (pid < 0)
		log_err_exit(1, "fork: %s", strerror(errno));
	if (pid == 0) {
		execl(exe, exe, "--daemon", (char *)NULL);
		fprintf(stderr, "corral: cannot run %s: %s\n", exe, strerror(errno));
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		log_msg("corral-server did not start (see %s/log/server.log)", home);
		free(exe);
		return -1;
	}
	for (int i = 0; i < 200; i++) { /* up to 10 s */
		if (server_answers()) {
			printf("corral-server: started (pid %d, home %s)\n", (int)server_pid(), home);
			free(exe);
			return 0;
		}
		usleep(50000);
	}
	free(exe);
	log_msg("corral-server did not answer within 10 s (see %s/log/server.log)", home);
	return -1;
}

static int cmd_down(void)
{
	stop_nodes();
	pid_t pid = server_pid();
	if (!pid) {
		printf("corral-server: not running\n");
		return 0;
	}
	if (kill(pid, SIGTERM) < 0 && errno != ESRCH)
		log_err_exit(1, "cannot stop corral-server (pid %d): %s", (int)pid, strerror(errno));
	for (int i = 0; i < 300; i++) { /* up to 30 s */
		if (!server_pid()) {
			printf("corral-server: stopped\n");
			return 0;
		}
		usleep(100000);
	}
	log_err_exit(1, "corral-server (pid %d) did not stop within 30 s", (int)pid);
}

static int cmd_status(void)
{
	pid_t pid = server_pid();
	if (pid && server_answers()) {
		printf("corral-server: running (pid %d, home %s)\n", (int)pid, corral_home());
		return 0;
	}
	printf("corral-server: not running (home %s)\n", corral_home());
	return 1;
}

static int cmd_call(int argc, char **argv)
{
	const char *tcp = NULL, *key = NULL;
	int i = 0;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--tcp") && i + 1 < argc)
			tcp = argv[++i];
		else if (!strcmp(argv[i], "--key") && i + 1 < argc)
			key = argv[++i];
		else
			log_err_exit(2, "call: unknown option '%s'", argv[i]);
	}
	if (i >= argc)
		log_err_exit(2, "call: which op? (see corral --help)");
	const char *op = argv[i++];
	json_t *req = json_object();
	if (i < argc) {
		json_error_t jerr;
		json_decref(req);
		req = json_loads(argv[i], 0, &jerr);
		if (!json_is_object(req))
			log_err_exit(2, "call: the payload must be a JSON object: %s", jerr.text);
	}
	json_object_set_new(req, "op", json_string(op));
	corral_error_t err = {0};
	corral_conn_t *c;
	if (tcp) {
		char host[256];
		const char *colon = strrchr(tcp, ':');
		long port;
		if (!colon || colon == tcp || (size_t)(colon - tcp) >= sizeof host ||
		    corral_parse_long(colon + 1, 1, 65535, &port) < 0)
			log_err_exit(2, "call: --tcp wants HOST:PORT");
		snprintf(host, sizeof host, "%.*s", (int)(colon - tcp), tcp);
		if (host[0] == '[') { /* [::1]:15001 */
			memmove(host, host + 1, strlen(host));
			host[strcspn(host, "]")] = '\0';
		}
		char *kp = key ? xstrdup(key) : corral_path("cluster.key");
		c = corral_connect_tcp(host, (int)port, kp, "corral", &err);
		free(kp);
	} else {
		c = corral_connect(NULL, "corral", &err);
	}
	if (!c)
		log_err_exit(1, "%s", err.text);
	json_t *rep = corral_call(c, req, &err);
	json_decref(req);
	if (!rep)
		log_err_exit(1, "%s", err.text);
	json_dumpf(rep, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	putchar('\n');
	int pbs = 0;
	int rc = corral_msg_error(rep, NULL, &pbs);
	json_decref(rep);
	corral_close(c);
	return rc < 0 ? cli_exit_code(-rc, pbs) : 0;
}

int main(int argc, char **argv)
{
	cli_init(argv[0]);
	if (argc < 2)
		cli_usage(usage_text, false);
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help"))
		cli_usage(usage_text, true);
	if (!strcmp(cmd, "up"))
		return cmd_up(argc - 2, argv + 2);
	if (!strcmp(cmd, "down"))
		return cmd_down();
	if (!strcmp(cmd, "status"))
		return cmd_status();
	if (!strcmp(cmd, "call"))
		return cmd_call(argc - 2, argv + 2);
	if (!strcmp(cmd, "sim"))
		return sim_main(argc - 1, argv + 1);
	log_msg("unknown command '%s' (see corral --help)", cmd);
	return 2;
}
