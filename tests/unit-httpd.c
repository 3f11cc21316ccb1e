/*
 * unit-httpd.c: the HTTP endpoint fed raw bytes over real loopback
 * sockets, in one process: the loop turns while the test reads.
 */

#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hinit.h"
#include "check.h"
#include "config.h"
#include "status.h"
#include "unit.h"

static int	 port;

static int
free_port(void)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof sin;
	int			 fd, p;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) != 0)
		fatal("free_port");
	p = ntohs(sin.sin_port);
	close(fd);
	return (p);
}

static int
client(void)
{
	struct sockaddr_in	 sin;
	int			 fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0)
		fatal("connect");
	fd_set_nonblock(fd);
	return (fd);
}

/*
 * Turn the loop and read what comes back on fd, until the server closes,
 * or nothing more came for quiet seconds after something did, or limit.
 * *closed tells whether the server closed.
 */
static char *
collect(int fd, double quiet, double limit, int *closed)
{
	struct buf	 b;
	struct pollfd	 pfd;
	char		 chunk[65536];
	double		 start = time_wall(), last = 0;
	ssize_t		 n;

	buf_init(&b);
	buf_add(&b, "", 0);
	*closed = 0;
	while (time_wall() - start < limit) {
		ev_run(EV_DEFAULT, EVRUN_NOWAIT);
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 5) <= 0) {
			if (last != 0 && time_wall() - last > quiet)
				break;
			continue;
		}
		n = recv(fd, chunk, sizeof chunk, 0);
		if (n == 0 || (n == -1 && errno == ECONNRESET)) {
			*closed = 1;
			break;
		}
		if (n > 0) {
			buf_add(&b, chunk, n);
			last = time_wall();
		}
	}
	return (buf_steal(&b));
}

static char *
ask(const char *request, int *closed)
{
	char	*text;
	int	 fd;

	fd = client();
	if (send(fd, request, strlen(request), 0) != (ssize_t)strlen(request))
		fatal("send");
	text = collect(fd, 0.2, 3, closed);
	close(fd);
	return (text);
}

static int
count(const char *text, const char *what)
{
	int	 n = 0;

	while ((text = strstr(text, what)) != NULL) {
		n++;
		text += strlen(what);
	}
	return (n);
}

/*
 * The made-up init: its part of the snapshot (what init.c's callback fills
 * in) kept as one, with the checks and the version of the test's config.
 * The publisher sees nothing else of an init.
 */
static struct status_snapshot	 init;

static void
fill(struct status_snapshot *snap, void *arg)
{
	const struct config	*conf = arg;

	*snap = init;
	snap->list = &conf->checks;
	snap->version = conf->version;
}

static void
free_checks(struct config *conf)
{
	struct check	*c;
	u_int		 i;

	while ((c = TAILQ_FIRST(&conf->checks)) != NULL) {
		TAILQ_REMOVE(&conf->checks, c, entry);
		for (i = 0; i < CHECK_LOG_SIZE; i++)
			free(c->log[i].output);
		free(c->name);
		free(c->target_shown);
		free(c->target);
		free(c);
	}
}

int
main(void)
{
	struct config		 conf;
	const char		*status_file = NULL;
	struct status		*pub;
	struct httpd		*d;
	struct check		*c;
	char			 listen_on[64];
	char			 path[] = "/tmp/unit-httpd.XXXXXX";
	char			 file[64], *text, *cause = NULL, big[9000];
	char			 req[16384];
	const char		*one;
	int			 closed, fd, fds[8], i;

	one = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
	if (mkdtemp(path) == NULL)
		fatal("mkdtemp");
	snprintf(file, sizeof file, "%s/s.json", path);
	memset(&conf, 0, sizeof conf);
	TAILQ_INIT(&conf.checks);
	status_file = file;
	init.app_state = APP_RUNNING;
	init.app_pid = 7;

	c = xcalloc(1, sizeof *c);
	c->name = xstrdup("db");
	c->target_shown = xstrdup("postgres://app:***@db/app");
	c->critical = 1;
	c->state = CHECK_HEALTHY;
	c->ever_healthy = 1;
	c->passes = 3;
	TAILQ_INSERT_TAIL(&conf.checks, c, entry);

	if ((pub = status_new(status_file, fill, &conf)) == NULL)
		fatalx("status_new");
	port = free_port();
	snprintf(listen_on, sizeof listen_on, "127.0.0.1:%d", port);
	if ((d = httpd_start(pub, listen_on, 4, 1, &cause)) == NULL)
		fatalx("httpd_start: %s", cause);

	text = ask("GET /health HTTP/1.1\r\nHost: x\r\n\r\n", &closed);
	expect("200", strncmp(text, "HTTP/1.1 200 OK\r\n", 17) == 0);
	expect("type", strstr(text,
	    "\r\nContent-Type: application/health+json\r\n") != NULL);
	expect("no-store", strstr(text, "\r\nCache-Control: no-store\r\n") !=
	    NULL);
	expect("document", strstr(text, "\r\n\r\n{\"status\": \"pass\"") !=
	    NULL);
	expect("length", strstr(text, "Content-Length: ") != NULL &&
	    (size_t)atoi(strstr(text, "Content-Length: ") + 16) ==
	    strlen(strstr(text, "\r\n\r\n") + 4));
	expect("1.1 keeps the connection", !closed);
	free(text);

	text = ask("HEAD /health/ready HTTP/1.1\r\nHost: x\r\n\r\n", &closed);
	expect("HEAD 200", strncmp(text, "HTTP/1.1 200 OK\r\n", 17) == 0);
	expect("HEAD no body", strstr(text, "\r\n\r\n")[4] == '\0');
	expect("HEAD length", strstr(text, "Content-Length: 0") == NULL);
	free(text);

	text = ask("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", &closed);
	expect("metrics type", strstr(text,
	    "Content-Type: text/plain; version=0.0.4") != NULL);
	expect("metrics up", strstr(text, "hinit_check_up{check=\"db\"} 1\n")
	    != NULL);
	free(text);

	/* The app gone: live fails, 503. */
	init.app_state = APP_RESTARTING;
	status_changed(pub);
	text = ask("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n", &closed);
	expect("503", strncmp(text, "HTTP/1.1 503 ", 13) == 0);
	expect("fail", strstr(text, "{\"status\": \"fail\"") != NULL);
	free(text);
	init.app_state = APP_RUNNING;
	status_changed(pub);

	text = ask("POST /health HTTP/1.1\r\nHost: x\r\n\r\n", &closed);
	expect("405", strncmp(text, "HTTP/1.1 405 ", 13) == 0);
	expect("Allow", strstr(text, "\r\nAllow: GET, HEAD\r\n") != NULL);
	free(text);

	text = ask("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", &closed);
	expect("404", strncmp(text, "HTTP/1.1 404 ", 13) == 0);
	free(text);

	text = ask("GET /health?verbose=1 HTTP/1.1\r\nHost: x\r\n\r\n",
	    &closed);
	expect("query ignored", strncmp(text, "HTTP/1.1 200 ", 13) == 0);
	free(text);

	text = ask("hello there\r\n\r\n", &closed);
	expect("400", strncmp(text, "HTTP/1.1 400 ", 13) == 0);
	expect("400 closes", closed);
	free(text);

	text = ask("GET /health HTTP/1.1\r\n folded: x\r\n\r\n", &closed);
	expect("obs-fold 400", strncmp(text, "HTTP/1.1 400 ", 13) == 0);
	free(text);

	text = ask("GET /health HTTP/2.0\r\n\r\n", &closed);
	expect("505", strncmp(text, "HTTP/1.1 505 ", 13) == 0);
	free(text);

	text = ask("GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5"
	    "\r\n\r\nhello", &closed);
	expect("413", strncmp(text, "HTTP/1.1 413 ", 13) == 0);
	expect("413 closes", closed);
	free(text);

	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	snprintf(req, sizeof req, "GET /health HTTP/1.1\r\nHost: x\r\n"
	    "X-Big: %s\r\n\r\n", big);
	text = ask(req, &closed);
	expect("431", strncmp(text, "HTTP/1.1 431 ", 13) == 0);
	expect("431 closes", closed);
	free(text);

	/* HTTP/1.0: closed unless asked to keep it. */
	text = ask("GET /health HTTP/1.0\r\n\r\n", &closed);
	expect("1.0 200", strncmp(text, "HTTP/1.1 200 ", 13) == 0);
	expect("1.0 closes", closed);
	free(text);
	text = ask("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
	    &closed);
	expect("1.0 keep-alive", !closed &&
	    strstr(text, "\r\nConnection: keep-alive\r\n") != NULL);
	free(text);
	text = ask("GET /health HTTP/1.1\r\nHost: x\r\n"
	    "Connection: close\r\n\r\n", &closed);
	expect("1.1 close", closed &&
	    strstr(text, "\r\nConnection: close\r\n") != NULL);
	free(text);

	/* Pipelining: three requests at once, three answers in order. */
	text = ask("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
	    "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
	    "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", &closed);
	expect("pipelined", count(text, "HTTP/1.1 ") == 3 &&
	    strstr(text, "HTTP/1.1 200") < strstr(text, "HTTP/1.1 404"));
	free(text);

	/* Half-closed: the answer still comes. */
	fd = client();
	send(fd, one, strlen(one), 0);
	shutdown(fd, SHUT_WR);
	text = collect(fd, 1, 3, &closed);
	expect("half-closed answered", strncmp(text, "HTTP/1.1 200 ", 13) == 0
	    && closed);
	free(text);
	close(fd);

	/* Byte by byte. */
	fd = client();
	for (i = 0; i < (int)strlen(one); i++) {
		send(fd, one + i, 1, 0);
		ev_run(EV_DEFAULT, EVRUN_NOWAIT);
	}
	text = collect(fd, 0.2, 3, &closed);
	expect("byte by byte", strncmp(text, "HTTP/1.1 200 ", 13) == 0);
	free(text);
	close(fd);

	/* Gone before the answer: nothing breaks. */
	fd = client();
	send(fd, one, strlen(one), 0);
	close(fd);
	for (i = 0; i < 10; i++)
		ev_run(EV_DEFAULT, EVRUN_NOWAIT);

	/* More connections than the limit (4): the oldest make room. */
	for (i = 0; i < 8; i++) {
		fds[i] = client();
		ev_run(EV_DEFAULT, EVRUN_NOWAIT);
	}
	text = ask("GET /health HTTP/1.1\r\nHost: x\r\n\r\n", &closed);
	expect("served at the limit", strncmp(text, "HTTP/1.1 200 ", 13) == 0);
	free(text);
	text = collect(fds[0], 0.1, 1, &closed);
	expect("oldest closed", closed);
	free(text);
	for (i = 0; i < 8; i++)
		close(fds[i]);

	/* HTTP/1.1 needs one Host (RFC 9112 3.2); 1.0 may go without. */
	text = ask("GET /health HTTP/1.1\r\n\r\n", &closed);
	expect("no Host: 400", strncmp(text, "HTTP/1.1 400 ", 13) == 0 &&
	    closed);
	free(text);
	text = ask("GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
	    &closed);
	expect("two Host: 400", strncmp(text, "HTTP/1.1 400 ", 13) == 0);
	free(text);
	text = ask("GET /health HTTP/1.1\r\nHost: a b\r\n\r\n", &closed);
	expect("bad Host: 400", strncmp(text, "HTTP/1.1 400 ", 13) == 0);
	free(text);
	text = ask("GET /health HTTP/1.1\r\nHost: [::1]:8081\r\n\r\n", &closed);
	expect("v6 Host: 200", strncmp(text, "HTTP/1.1 200 ", 13) == 0);
	free(text);

	/* Kept alive: the client is told to drop it before we close it. */
	text = ask(one, &closed);
	expect("Keep-Alive hint", strstr(text, "\r\nKeep-Alive: timeout=4\r\n")
	    != NULL);
	free(text);
	text = ask("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
	    &closed);
	expect("1.0 Keep-Alive hint", strstr(text,
	    "\r\nKeep-Alive: timeout=4\r\n") != NULL);
	free(text);
	text = ask("GET /health HTTP/1.0\r\n\r\n", &closed);
	expect("no hint when closing", strstr(text, "Keep-Alive") == NULL);
	free(text);

	/* Only blank lines, more than a head holds: 400 at once. */
	fd = client();
	for (i = 0; i < 4200; i++)
		send(fd, "\r\n", 2, 0);
	text = collect(fd, 0.2, 2, &closed);
	expect("blank lines: 400 at once", strncmp(text, "HTTP/1.1 400 ",
	    13) == 0 && closed);
	free(text);
	close(fd);

	/*
	 * At the limit (4), a new connection takes the place of an idle
	 * one, never of one in the middle of a request; with none idle, it
	 * is refused.
	 */
	fds[0] = client();
	send(fds[0], one, 22, 0);	/* the request line */
	ev_run(EV_DEFAULT, EVRUN_NOWAIT);
	fds[1] = client();
	send(fds[1], one, strlen(one), 0);
	text = collect(fds[1], 0.2, 2, &closed);
	expect("idle one answered", strncmp(text, "HTTP/1.1 200 ", 13) == 0);
	free(text);
	for (i = 2; i < 4; i++) {
		fds[i] = client();
		send(fds[i], one, 22, 0);
		ev_run(EV_DEFAULT, EVRUN_NOWAIT);
	}
	fds[4] = client();
	ev_run(EV_DEFAULT, EVRUN_NOWAIT);
	text = collect(fds[1], 0.1, 1, &closed);
	expect("the idle one made room", closed);
	free(text);
	send(fds[4], one, 22, 0);
	ev_run(EV_DEFAULT, EVRUN_NOWAIT);
	fds[5] = client();
	text = collect(fds[5], 0.1, 1, &closed);
	expect("none idle: the new one refused", closed && *text == '\0');
	free(text);
	for (i = 0; i < 5; i++) {
		if (i == 1)
			continue;
		send(fds[i], "Host: x\r\n\r\n", 11, 0);
		text = collect(fds[i], 0.2, 2, &closed);
		expect("requests under way finish", strncmp(text,
		    "HTTP/1.1 200 ", 13) == 0);
		free(text);
	}
	for (i = 0; i < 6; i++)
		close(fds[i]);

	/* Slow: half a head, then nothing: 408 after 5s. */
	fd = client();
	send(fd, "GET /health HTTP/1.1\r\nHost:", 27, 0);
	text = collect(fd, 10, 9, &closed);
	expect("408", strncmp(text, "HTTP/1.1 408 ", 13) == 0 && closed);
	free(text);
	close(fd);

	httpd_free(d);
	d = httpd_start(pub, "bogus", 0, 1, &cause);
	expect("bad listen", d == NULL && cause != NULL);
	free(cause);
	cause = NULL;
	snprintf(listen_on, sizeof listen_on, "[::1]:%d, 127.0.0.1:%d",
	    port, port);
	d = httpd_start(pub, listen_on, 0, 1, &cause);
	expect("IPv6 and IPv4 together", d != NULL);
	httpd_free(d);
	status_free(pub);

	free_checks(&conf);
	unlink(file);
	rmdir(path);
	if (failures == 0)
		printf("ok: unit-httpd\n");
	return (failures == 0 ? 0 : 1);
}
