/* flood.c - a hostile crowd of peers, for the limits of the server.
 *
 *   flood --unix PATH [--conns N] [--mode MODE] [--hold MS] [--requests K]
 *
 * Opens N connections (default 100) one after the other, each doing MODE:
 *   idle      nothing (connect and stay silent)
 *   hello     a valid hello, then silence
 *   partial   hello, then the first bytes of a frame that never ends
 *   noread    hello, then K job.stat requests (default 100000) written
 *             without ever reading a reply
 * then holds them all for --hold ms (default 3000) and prints one JSON
 * object: {"opened":N,"refused":R,"closed":C,"open":O} where refused are
 * connections the server closed within a second after the last one was
 * opened, closed those it closed later during the hold, open those still
 * open at the end.
 * Exit status 0 unless a connect() itself fails.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char hello[] = "{\"id\":1,\"op\":\"hello\",\"version\":1,\"client\":\"flood\"}";
static const char stat_req[] = "{\"id\":2,\"op\":\"job.stat\"}";

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int send_frame(int fd, const char *json)
{
	size_t n = strlen(json);
	unsigned char h[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16),
			      (unsigned char)(n >> 8), (unsigned char)n};
	if (send(fd, h, 4, MSG_NOSIGNAL) != 4)
		return -1;
	return send(fd, json, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

/* Has the server closed fd (EOF or error)?  Unread input is drained. */
static int closed(int fd, int wait)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	while (poll(&p, 1, wait) > 0) {
		char buf[65536];
		ssize_t r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
			return 1;
		if (r < 0)
			return 0;
		wait = 0;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = NULL, *mode = "idle";
	int conns = 100, hold = 3000;
	long requests = 100000;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--unix") && v)
			path = argv[++i];
		else if (!strcmp(a, "--conns") && v)
			conns = atoi(argv[++i]);
		else if (!strcmp(a, "--mode") && v)
			mode = argv[++i];
		else if (!strcmp(a, "--hold") && v)
			hold = atoi(argv[++i]);
		else if (!strcmp(a, "--requests") && v)
			requests = atol(argv[++i]);
		else {
			fprintf(stderr, "usage: flood --unix PATH [--conns N] [--mode idle|hello|partial|noread] "
					"[--hold MS] [--requests K]\n");
			return 2;
		}
	}
	if (!path || conns < 1) {
		fprintf(stderr, "flood: --unix PATH is required\n");
		return 2;
	}
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)conns + 64) {
		rl.rlim_cur = rl.rlim_max < (rlim_t)conns + 64 ? rl.rlim_max : (rlim_t)conns + 64;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	int *fds = calloc((size_t)conns, sizeof *fds);
	char *gone = calloc((size_t)conns, 1);
	int refused = 0, closed_later = 0;
	for (int i = 0; i < conns; i++) {
		struct sockaddr_un a = {.sun_family = AF_UNIX};
		snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
		fds[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fds[i] < 0 || connect(fds[i], (struct sockaddr *)&a, sizeof a) < 0) {
			fprintf(stderr, "flood: connection %d: %s\n", i, strerror(errno));
			return 1;
		}
		int fd = fds[i];
		if (strcmp(mode, "idle") != 0)
			send_frame(fd, hello);
		if (!strcmp(mode, "partial")) {
			unsigned char h[4] = {0, 0, 0, 200};
			send(fd, h, 4, MSG_NOSIGNAL);
			send(fd, "{\"id\":2,\"op\":", 13, MSG_NOSIGNAL);
		} else if (!strcmp(mode, "noread")) {
			int sz = 4096; /* small buffers: the server's output backs up */
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
			for (long k = 0; k < requests; k++) {
				struct pollfd p = {.fd = fd, .events = POLLOUT};
				if (poll(&p, 1, 2000) <= 0 || (p.revents & (POLLERR | POLLHUP)) ||
				    send_frame(fd, stat_req) < 0)
					break; /* the server stopped reading or closed */
			}
		}
	}
	/* Refused: closed by the server right away. */
	usleep(1000000);
	for (int i = 0; i < conns; i++)
		if (closed(fds[i], 0)) {
			gone[i] = 1;
			refused++;
		}
	uint64_t end = now_ms() + (uint64_t)hold;
	while (now_ms() < end) {
		for (int i = 0; i < conns; i++)
			if (!gone[i] && closed(fds[i], 0)) {
				gone[i] = 1;
				closed_later++;
			}
		usleep(50000);
	}
	printf("{\"opened\":%d,\"refused\":%d,\"closed\":%d,\"open\":%d}\n", conns, refused,
	       closed_later, conns - refused - closed_later);
	for (int i = 0; i < conns; i++)
		close(fds[i]);
	free(fds);
	free(gone);
	return 0;
}
