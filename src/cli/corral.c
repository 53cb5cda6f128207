/* corral.c - the umbrella command: an all-in-one cluster on this machine
 * (up, down, status) and a raw protocol client (call). */
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

static const char usage_text[] =
	"NAME\n"
	"    corral - run and talk to a Corral cluster\n"
	"\n"
	"SYNOPSIS\n"
	"    corral up [--nodes N]\n"
	"    corral down\n"
	"    corral status\n"
	"    corral call [--tcp HOST:PORT [--key FILE]] OP [JSON]\n"
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
	"\n"
	"OPTIONS\n"
	"    --nodes N   node daemons to start with up (default 1; they come with\n"
	"                corral-node)\n"
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

static int cmd_up(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--nodes") && i + 1 < argc) {
			long n;
			if (corral_parse_long(argv[++i], 0, 100000, &n) < 0)
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
	if (server_pid() && server_answers()) {
		printf("corral-server: running (pid %d, home %s)\n", (int)server_pid(), home);
		return 0;
	}
	char *dir = bindir();
	char *exe = xasprintf("%s/corral-server", dir);
	free(dir);
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
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		log_err_exit(1, "corral-server did not start (see %s/log/server.log)", home);
	for (int i = 0; i < 200; i++) { /* up to 10 s */
		if (server_answers()) {
			printf("corral-server: started (pid %d, home %s)\n", (int)server_pid(), home);
			free(exe);
			return 0;
		}
		usleep(50000);
	}
	free(exe);
	log_err_exit(1, "corral-server did not answer within 10 s (see %s/log/server.log)", home);
}

static int cmd_down(void)
{
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
	log_msg("unknown command '%s' (see corral --help)", cmd);
	return 2;
}
