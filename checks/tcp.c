/*
 * tcp.c: the tcp check type: tcp://HOST:PORT passes when a connection is
 * accepted. The name is resolved off the loop, then each address is tried
 * in turn with a non-blocking connect until one connects.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hinit.h"
#include "check.h"
#include "syntax.h"

struct tcp {
	char		*host;
	char		*port;

	struct resolve	*resolve;
	struct addrinfo	*ai;		/* all addresses */
	struct addrinfo	*next;		/* the one to try next */
	int		 fd;
	ev_io		 io;
	/* The address being tried, as HOST:PORT or [HOST]:PORT. */
	char		 address[NI_MAXHOST + NI_MAXSERV + 4];
	char		*error;		/* the last address's */
};

static void	tcp_try(struct check *);

/* tcp://HOST:PORT, nothing more. */
static int
tcp_prepare(struct check *c, const struct url *u, char **cause)
{
	struct tcp	*t = c->data;

	t->fd = -1;
	if (*u->host == '\0' || u->port == NULL) {
		*cause = xstrdup("a tcp target needs a host and a port: "
		    "tcp://HOST:PORT");
		return (-1);
	}
	if (u->user != NULL || u->query != NULL ||
	    (*u->path != '\0' && strcmp(u->path, "/") != 0)) {
		*cause = xstrdup("a tcp target is only tcp://HOST:PORT");
		return (-1);
	}
	t->host = xstrdup(u->host);
	t->port = xstrdup(u->port);
	return (0);
}

/* Closes the address being tried; the lookup and the list stay. */
static void
tcp_close(struct tcp *t)
{
	ev_io_stop(EV_DEFAULT, &t->io);
	if (t->fd != -1) {
		close(t->fd);
		t->fd = -1;
	}
}

static void
tcp_cancel(struct check *c)
{
	struct tcp	*t = c->data;

	if (t->host == NULL)
		return;		/* not prepared: nothing made */
	resolve_cancel(t->resolve);
	t->resolve = NULL;
	tcp_close(t);
	if (t->ai != NULL) {
		freeaddrinfo(t->ai);
		t->ai = NULL;
	}
	t->next = NULL;
	free(t->error);
	t->error = NULL;
}

static void
tcp_free(struct check *c)
{
	struct tcp	*t = c->data;

	tcp_cancel(c);
	free(t->host);
	free(t->port);
}

/* strerror() with a lower-case first letter, as the rest of an output. */
static void
tcp_failed(struct tcp *t, int error)
{
	free(t->error);
	xasprintf(&t->error, "%s: %s", t->address, strerror(error));
	t->error[strlen(t->address) + 2] =
	    tolower((u_char)t->error[strlen(t->address) + 2]);
}

static void
tcp_end(struct check *c, enum check_result result, const char *output)
{
	char	*copy = xstrdup(output);

	tcp_cancel(c);
	check_done(c, result, "%s", copy);
	free(copy);
}

static void
tcp_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct check	*c = w->data;
	struct tcp	*t = c->data;
	socklen_t	 len = sizeof (int);
	int		 error = 0;
	char		*output;

	if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &error, &len) == -1)
		error = errno;
	if (error == EINPROGRESS)
		return;
	if (error != 0) {
		tcp_failed(t, error);
		tcp_close(t);
		tcp_try(c);
		return;
	}
	xasprintf(&output, "connected to %s", t->address);
	tcp_end(c, CHECK_PASS, output);
	free(output);
}

static void
tcp_address(struct tcp *t, struct addrinfo *ai)
{
	char	 host[NI_MAXHOST], serv[NI_MAXSERV];

	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof host, serv,
	    sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(t->address, sizeof t->address, "%s:%s", t->host,
		    t->port);
	} else if (ai->ai_family == AF_INET6) {
		snprintf(t->address, sizeof t->address, "[%s]:%s", host,
		    serv);
	} else
		snprintf(t->address, sizeof t->address, "%s:%s", host, serv);
}

/* The next address; with none left, the last one's failure is the result. */
static void
tcp_try(struct check *c)
{
	struct tcp	*t = c->data;
	struct addrinfo	*ai;

	while ((ai = t->next) != NULL) {
		t->next = ai->ai_next;
		tcp_address(t, ai);
		t->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (t->fd == -1) {
			tcp_failed(t, errno);
			continue;
		}
		if (connect(t->fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			tcp_io_cb(EV_DEFAULT, &t->io, EV_WRITE);
			return;
		}
		if (errno == EINPROGRESS) {
			ev_io_set(&t->io, t->fd, EV_WRITE);
			ev_io_start(EV_DEFAULT, &t->io);
			return;
		}
		tcp_failed(t, errno);
		tcp_close(t);
	}
	tcp_end(c, CHECK_FAIL, t->error != NULL ? t->error : "no address");
}

static void
tcp_resolved(struct addrinfo *ai, const char *error, void *arg)
{
	struct check	*c = arg;
	struct tcp	*t = c->data;

	t->resolve = NULL;
	if (ai == NULL) {
		tcp_end(c, CHECK_FAIL, error);
		return;
	}
	t->ai = t->next = ai;
	tcp_try(c);
}

static int
tcp_start(struct check *c, char **cause)
{
	struct tcp	*t = c->data;

	tcp_cancel(c);
	ev_init(&t->io, tcp_io_cb);
	t->io.data = c;
	t->resolve = resolve_start(t->host, t->port, SOCK_STREAM, tcp_resolved,
	    c);
	return (0);
}

static const char *const tcp_schemes[] = { "tcp", NULL };

const struct check_type check_type_tcp = {
	.name = "tcp",
	.schemes = tcp_schemes,
	.component = "system",
	.size = sizeof (struct tcp),
	.prepare = tcp_prepare,
	.start = tcp_start,
	.cancel = tcp_cancel,
	.free = tcp_free
};
