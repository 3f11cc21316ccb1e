/*
 * fuzz-httpd.c: the /health endpoint's request handling. An endpoint
 * without listeners (httpd_new()) is file-local, so this target compiles
 * src/httpd.c into itself; the parser is src/httpd-parse.c's.
 * Each input goes once to httpd_parse() and once through a whole
 * connection (a socketpair served by the endpoint on the loop, the input
 * sent and the sending side closed). Properties: a parsed request never
 * claims more bytes than it had, and parses the same from exactly its own
 * bytes; more bytes than a head may hold always get an answer (blank lines
 * too), never a wait for more; an HTTP/1.1 request without exactly one
 * Host is refused; every answer is HTTP/1.1; the connection always ends.
 */

#include "../../src/httpd.c"

#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "status.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct status_snapshot	 fuzz_init;
static struct config		 fuzz_conf;
static struct status		*fuzz_status;
static struct httpd		*fuzz_d;
static char			 fuzz_dir[] = "/tmp/fuzz-httpd.XXXXXX";
static char			 fuzz_file[64];

static void
fuzz_fill(struct status_snapshot *snap, void *arg)
{
	const struct config	*conf = arg;

	*snap = fuzz_init;
	snap->list = &conf->checks;
}

static void
fuzz_cleanup(void)
{
	unlink(fuzz_file);
	rmdir(fuzz_dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct check	*c;

	log_level = LOG_QUIET;
	if (mkdtemp(fuzz_dir) == NULL)
		fatal("mkdtemp");
	snprintf(fuzz_file, sizeof fuzz_file, "%s/s.json", fuzz_dir);
	atexit(fuzz_cleanup);
	TAILQ_INIT(&fuzz_conf.checks);
	fuzz_init.app_state = APP_RUNNING;
	fuzz_init.app_pid = 7;

	c = xcalloc(1, sizeof *c);
	c->name = xstrdup("db");
	c->target_shown = xstrdup("postgres://app:***@db/app");
	c->critical = 1;
	c->state = CHECK_HEALTHY;
	c->ever_healthy = 1;
	TAILQ_INSERT_TAIL(&fuzz_conf.checks, c, entry);
	fuzz_status = status_new(fuzz_file, fuzz_fill, &fuzz_conf);

	/* An endpoint as httpd_start() makes it, without listeners. */
	fuzz_d = httpd_new(fuzz_status, 4);
	return (0);
}

/* httpd_parse() on the input, and on exactly the bytes it took. */
static void
fuzz_parse(const char *data, size_t size)
{
	struct httpd_request	 r, again;

	if (!httpd_parse(data, size, &r)) {
		/* A connection holds no more than this: never wait for more. */
		if (size > HTTPD_HEAD_MAX) {
			fprintf(stderr, "%zu bytes, more asked for\n", size);
			abort();
		}
		return;
	}
	/* HTTP/1.1 answered only with exactly one Host. */
	if (r.error == 0 && !r.http10 && r.hosts != 1)
		abort();
	if (r.used == 0 || r.used > size)
		abort();
	if (r.error != 0 || r.used == size)
		return;
	if (!httpd_parse(data, r.used, &again) || again.used != r.used ||
	    again.error != r.error || again.route != r.route ||
	    again.keepalive != r.keepalive || again.body != r.body) {
		fprintf(stderr, "request of %zu bytes parses differently "
		    "alone\n", r.used);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf	 answers;
	char		 chunk[65536];
	size_t		 sent = 0;
	ssize_t		 n;
	u_int		 turns;
	int		 sv[2], closed = 0;

	fuzz_parse((const char *)data, size);

	if (socketpair(AF_UNIX, SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC, 0,
	    sv) != 0)
		fatal("socketpair");
	httpd_conn_new(fuzz_d, sv[0]);	/* as httpd_accept_cb() does */
	buf_init(&answers);
	for (turns = 0; !closed || fuzz_d->nconns != 0; turns++) {
		if (turns == 100000) {
			fprintf(stderr, "the connection never ended\n");
			abort();
		}
		if (sent < size) {
			n = send(sv[1], data + sent, size - sent, MSG_NOSIGNAL);
			if (n > 0)
				sent += n;
			else if (n == -1 && errno == EPIPE)
				sent = size;	/* the endpoint closed */
			if (sent == size)
				shutdown(sv[1], SHUT_WR);
		} else if (size == 0 && turns == 0)
			shutdown(sv[1], SHUT_WR);
		ev_run(EV_DEFAULT, EVRUN_NOWAIT);
		n = 0;
		while (!closed && (n = recv(sv[1], chunk, sizeof chunk, 0)) !=
		    -1) {
			if (n == 0) {
				closed = 1;
				break;
			}
			if (answers.len < 65536)
				buf_add(&answers, chunk, n);
		}
		if (n == -1 && errno == ECONNRESET)
			closed = 1;
	}
	if (answers.len != 0 && strncmp(answers.data, "HTTP/1.1 ", 9) != 0)
		abort();
	buf_free(&answers);
	close(sv[1]);
	return (0);
}
