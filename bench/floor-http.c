/*
 * floor-http.c: the CPU floor of the probe benchmark. It does what the
 * 1,000 http checks make hinit do on the wire, and nothing more: N times a
 * second, evenly spread, a fresh non-blocking TCP connection to 127.0.0.1:PORT,
 * one HTTP/1.1 GET of /c/I (I = 1..N in turn) as curl words it, one read of
 * the answer, close; all on one epoll loop, with no library and no parsing
 * beyond the status line. What it costs is the kernel's share (connect,
 * loopback TCP both ways, close) plus a minimal loop: no prober can go below
 * it. It runs for SECONDS, then prints the requests it made and how many were
 * answered 200.
 *
 *	floor-http PORT N SECONDS
 */

#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double
floor_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

/* Open connection I and ask epoll to say when it is connected. */
static void
floor_open(int ep, const struct sockaddr_in *sin, long i)
{
	struct epoll_event	 ev;
	int			 fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC, 0);
	if (fd == -1) {
		perror("socket");
		exit(1);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	connect(fd, (const struct sockaddr *)sin, sizeof *sin);
	ev.events = EPOLLOUT;
	ev.data.u64 = (uint64_t)i << 32 | (uint32_t)fd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1) {
		perror("epoll_ctl");
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	struct sockaddr_in	 sin;
	struct epoll_event	 evs[64], ev;
	char			 buf[4096], req[256];
	double			 next, step, end, wait;
	long			 n, made = 0, ok = 0, id;
	int			 ep, port, fd, k, j, len;
	ssize_t			 r;

	if (argc != 4) {
		fprintf(stderr, "usage: floor-http PORT N SECONDS\n");
		return (2);
	}
	port = atoi(argv[1]);
	n = atol(argv[2]);
	if (n <= 0 || port <= 0)
		return (2);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		perror("epoll_create1");
		return (1);
	}

	step = 1.0 / n;
	next = floor_now();
	end = next + atof(argv[3]);
	while (floor_now() < end) {
		while (floor_now() >= next) {
			floor_open(ep, &sin, made % n + 1);
			made++;
			next += step;
		}
		wait = next - floor_now();
		k = epoll_wait(ep, evs, 64, wait > 0 ? (int)(wait * 1000) + 1 : 0);
		for (j = 0; j < k; j++) {
			fd = (int)(uint32_t)evs[j].data.u64;
			id = (long)(evs[j].data.u64 >> 32);
			if (evs[j].events & EPOLLOUT) {
				len = snprintf(req, sizeof req, "GET /c/%ld "
				    "HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
				    "User-Agent: floor-http\r\nAccept: */*\r\n"
				    "\r\n", id, port);
				if (send(fd, req, len, MSG_NOSIGNAL) != len) {
					close(fd);
					continue;
				}
				ev.events = EPOLLIN;
				ev.data.u64 = evs[j].data.u64;
				epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
				continue;
			}
			r = recv(fd, buf, sizeof buf, 0);
			if (r >= 12 && memcmp(buf, "HTTP/1.1 200", 12) == 0)
				ok++;
			close(fd);
		}
	}
	printf("%ld %ld\n", made, ok);
	return (0);
}
