/*
 * fuzz-redis.c: the redis check's judgement of what a server answers.
 * The reply handling of checks/redis.c lives in hiredis callbacks, so the
 * input is served as the whole answer of a server: a real redis check
 * (the module, through config_finish()) connects to a unix socket of this
 * process, the input is written back and the socket closed, and the loop
 * runs until the check reports. The first byte picks the URL: PING alone,
 * AUTH + PING, or AUTH user + SELECT + PING. Properties: every attempt
 * ends with a result (never a hang), "+PONG" alone passes, and
 * LeakSanitizer finds no attempt left behind.
 */

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "hinit.h"
#include "check.h"
#include "config.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_URLS	3

static struct config	*fuzz_conf;
static struct check	*fuzz_checks[FUZZ_URLS];
static int		 fuzz_listener = -1;
static char		 fuzz_dir[] = "/tmp/fuzz-redis.XXXXXX";
static char		 fuzz_sock[sizeof ((struct sockaddr_un *)0)->sun_path];

static void
fuzz_cleanup(void)
{
	config_free(fuzz_conf);
	unlink(fuzz_sock);
	rmdir(fuzz_dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sockaddr_un	 sun;
	struct check		*c;
	char			*target, *cause;
	u_int			 i = 0;

	log_level = LOG_QUIET;
	if (mkdtemp(fuzz_dir) == NULL)
		fatal("mkdtemp");
	snprintf(fuzz_sock, sizeof fuzz_sock, "%s/redis.sock", fuzz_dir);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, fuzz_sock, sizeof sun.sun_path);
	fuzz_listener = socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0);
	if (fuzz_listener == -1 || bind(fuzz_listener, (struct sockaddr *)&sun,
	    sizeof sun) != 0 || listen(fuzz_listener, 8) != 0)
		fatal("listen");

	/* redis:///PATH: a unix socket; the host part stays empty. */
	fuzz_conf = config_new();
	for (i = 0; i < FUZZ_URLS; i++) {
		if (i == 0)
			xasprintf(&target, "redis://%s", fuzz_sock);
		else if (i == 1)
			xasprintf(&target, "redis://:pw@%s", fuzz_sock);
		else
			xasprintf(&target, "redis://user:pw@%s?db=3", fuzz_sock);
		if (config_add_target(fuzz_conf, target, &cause) != 0)
			fatalx("%s: %s", target, cause);
		free(target);
	}
	if (config_finish(fuzz_conf, &cause) != 0)
		fatalx("config_finish: %s", cause);
	i = 0;
	TAILQ_FOREACH(c, &fuzz_conf->checks, entry) {
		c->timeout = 5000;
		fuzz_checks[i++] = c;
	}
	atexit(fuzz_cleanup);
	return (0);
}

static void
fuzz_done(struct check *c, int changed, void *arg)
{
	*(int *)arg = 1;
}

static int
fuzz_has_pong(const uint8_t *data, size_t size)
{
	size_t	 i;

	for (i = 0; i + 4 <= size; i++) {
		if (strncasecmp((const char *)data + i, "pong", 4) == 0)
			return (1);
	}
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct check		*c;
	const struct attempt	*a;
	struct pollfd		 pfd;
	char			 chunk[4096];
	size_t			 sent = 0;
	ssize_t			 n;
	u_int			 turns;
	int			 fd = -1, done = 0;

	if (size == 0)
		return (0);
	c = fuzz_checks[data[0] % FUZZ_URLS];
	data++;
	size--;

	probe_once(c, fuzz_done, &done);
	for (turns = 0; !done; turns++) {
		if (turns == 200000) {
			fprintf(stderr, "the attempt never ended\n");
			abort();
		}
		ev_run(EV_DEFAULT, EVRUN_NOWAIT);
		if (fd == -1) {
			pfd.fd = fuzz_listener;
			pfd.events = POLLIN;
			if (poll(&pfd, 1, 0) == 1) {
				fd = accept4(fuzz_listener, NULL, NULL,
				    SOCK_NONBLOCK|SOCK_CLOEXEC);
				if (fd == -1)
					fatal("accept");
			}
			continue;
		}
		/* Read what the check sends, answer, then close. */
		while (recv(fd, chunk, sizeof chunk, 0) > 0)
			/* nothing */;
		if (sent < size) {
			n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
			if (n > 0)
				sent += n;
			else if (n == -1 && errno != EAGAIN)
				sent = size;
			if (sent == size)
				shutdown(fd, SHUT_WR);
		} else if (size == 0)
			shutdown(fd, SHUT_WR);
	}
	if (fd != -1)
		close(fd);
	a = probe_last(c);
	if (a == NULL || a->output == NULL)
		abort();
	/* The exact answer of a healthy server passes. */
	if (size == (c == fuzz_checks[0] ? 7 : c == fuzz_checks[1] ? 12 : 17) &&
	    memcmp(data, c == fuzz_checks[0] ? "+PONG\r\n" :
	    c == fuzz_checks[1] ? "+OK\r\n+PONG\r\n" :
	    "+OK\r\n+OK\r\n+PONG\r\n", size) == 0 && a->result != CHECK_PASS) {
		fprintf(stderr, "a healthy answer failed: %s\n", a->output);
		abort();
	}
	/* Nothing passes without a PONG. */
	if (a->result == CHECK_PASS && !fuzz_has_pong(data, size))
		abort();
	return (0);
}
