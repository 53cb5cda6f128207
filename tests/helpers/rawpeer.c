/* rawpeer.c - a scriptable fake peer for protocol edge cases.
 *
 *   rawpeer [--tcp HOST:PORT | --unix PATH] [--wait MS] ACTION...
 *
 * Actions run in order on one connection:
 *   frame JSON     send one well-formed frame holding JSON text as given
 *   raw HEX        send raw bytes (hex digits)
 *   prefix N       send a 4-byte big-endian length N and nothing else
 *   garbage N      send N pseudo-random bytes
 *   nest N         send a frame holding N nested arrays [[[...]]]
 *   sleep MS       pause
 *   read           read one frame and print it (JSON) on stdout
 *   readall        read frames until EOF or --wait ms of silence
 *   expect-close   succeed only if the server closes within --wait ms
 * Exit status: 0 when every action worked, 1 otherwise.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "src/common/buf.h"
#include "src/common/util.h"

static int fd = -1;
static int wait_ms = 3000;
static struct corral_buf in;

static int sendall(const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static int send_frame(const char *p, size_t n)
{
	unsigned char h[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16),
			      (unsigned char)(n >> 8), (unsigned char)n};
	return sendall(h, 4) < 0 ? -1 : sendall(p, n);
}

/* 1: frame printed, 0: EOF, -1: timeout/error */
static int read_frame(int timeout)
{
	for (;;) {
		if (buf_unread(&in) >= 4) {
			const unsigned char *h = (const unsigned char *)buf_peek(&in);
			size_t n = ((size_t)h[0] << 24) | ((size_t)h[1] << 16) | ((size_t)h[2] << 8) | h[3];
			if (buf_unread(&in) >= 4 + n) {
				fwrite(buf_peek(&in) + 4, 1, n, stdout);
				putchar('\n');
				fflush(stdout);
				buf_consume(&in, 4 + n);
				return 1;
			}
		}
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int pr = poll(&pfd, 1, timeout);
		if (pr <= 0)
			return -1;
		char *p = buf_reserve(&in, 65536);
		ssize_t r = read(fd, p, 65536);
		if (r < 0 && errno == ECONNRESET)
			return 0;
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		in.len += (size_t)r;
	}
}

static int connect_to(const char *tcp, const char *path)
{
	if (tcp) {
		char host[256];
		const char *colon = strrchr(tcp, ':');
		if (!colon)
			return -1;
		snprintf(host, sizeof host, "%.*s", (int)(colon - tcp), tcp);
		struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
		if (getaddrinfo(host, colon + 1, &hints, &res) != 0)
			return -1;
		fd = socket(res->ai_family, SOCK_STREAM, 0);
		int rc = connect(fd, res->ai_addr, res->ai_addrlen);
		freeaddrinfo(res);
		return rc;
	}
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof sa.sun_path)
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	return connect(fd, (struct sockaddr *)&sa, sizeof sa);
}

int main(int argc, char **argv)
{
	const char *tcp = NULL;
	char defpath[4096];
	snprintf(defpath, sizeof defpath, "%s/run/server.sock", corral_home());
	const char *path = defpath;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--tcp") && i + 1 < argc)
			tcp = argv[++i];
		else if (!strcmp(argv[i], "--unix") && i + 1 < argc)
			path = argv[++i];
		else if (!strcmp(argv[i], "--wait") && i + 1 < argc)
			wait_ms = atoi(argv[++i]);
		else {
			fprintf(stderr, "rawpeer: bad option %s\n", argv[i]);
			return 2;
		}
	}
	buf_init(&in);
	if (connect_to(tcp, path) < 0) {
		perror("rawpeer: connect");
		return 1;
	}
	for (; i < argc; i++) {
		const char *a = argv[i];
		const char *arg = i + 1 < argc ? argv[i + 1] : "";
		int rc = 0;
		if (!strcmp(a, "frame")) {
			rc = send_frame(arg, strlen(arg));
			i++;
		} else if (!strcmp(a, "raw")) {
			size_t n = strlen(arg) / 2;
			unsigned char *b = xmalloc(n + 1);
			for (size_t k = 0; k < n; k++)
				sscanf(arg + 2 * k, "%2hhx", &b[k]);
			rc = sendall(b, n);
			free(b);
			i++;
		} else if (!strcmp(a, "prefix")) {
			uint32_t n = (uint32_t)strtoul(arg, NULL, 10);
			unsigned char h[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16),
					      (unsigned char)(n >> 8), (unsigned char)n};
			rc = sendall(h, 4);
			i++;
		} else if (!strcmp(a, "garbage")) {
			size_t n = strtoul(arg, NULL, 10);
			unsigned char *b = xmalloc(n + 1);
			uint32_t x = 2463534242u;
			for (size_t k = 0; k < n; k++) {
				x ^= x << 13;
				x ^= x >> 17;
				x ^= x << 5;
				b[k] = (unsigned char)x;
			}
			rc = sendall(b, n);
			free(b);
			i++;
		} else if (!strcmp(a, "nest")) {
			size_t n = strtoul(arg, NULL, 10);
			char *b = xmalloc(2 * n + 1);
			memset(b, '[', n);
			memset(b + n, ']', n);
			rc = send_frame(b, 2 * n);
			free(b);
			i++;
		} else if (!strcmp(a, "sleep")) {
			usleep((useconds_t)atoi(arg) * 1000);
			i++;
		} else if (!strcmp(a, "read")) {
			rc = read_frame(wait_ms) == 1 ? 0 : -1;
		} else if (!strcmp(a, "readall")) {
			while (read_frame(wait_ms) == 1)
				;
		} else if (!strcmp(a, "expect-close")) {
			int r;
			while ((r = read_frame(wait_ms)) == 1)
				;
			rc = r == 0 ? 0 : -1;
		} else {
			fprintf(stderr, "rawpeer: unknown action %s\n", a);
			return 2;
		}
		if (rc < 0) {
			fprintf(stderr, "rawpeer: action %s failed\n", a);
			return 1;
		}
	}
	close(fd);
	return 0;
}
