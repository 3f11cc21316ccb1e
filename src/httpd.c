/*
 * httpd.c: the HTTP endpoint: /health, /health/ready, /health/live and
 * /metrics answered from the texts the publisher (status.c) keeps in
 * memory, HTTP/1.0 and 1.1 with keep-alive and pipelining (heads read by
 * httpd-parse.c). Connections, request heads and the time a client may
 * take are all bounded; the connection limit leaves hinit the descriptors
 * its checks need; at the limit the idlest connection makes room, never
 * one with a request under way (the new one is refused instead). The
 * endpoint's sockets have a loop of their own, embedded in hinit's, so
 * that it can answer in batches under load without pacing anything else.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/uio.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hinit.h"
#include "httpd.h"
#include "status.h"

#define HTTPD_TIMEOUT		5.0	/* to send a request head; to read */
#define HTTPD_KEEPALIVE_HINT	4	/* s: Keep-Alive: timeout=, below it */
#define HTTPD_MAX_DEFAULT	256
#define HTTPD_ACCEPT_BATCH	64
#define HTTPD_PAUSE		1.0	/* out of descriptors: accept later */
#define HTTPD_BUSY		4	/* answers in one sweep: a batch next */
#define HTTPD_ANSWER		0.000006 /* s an answer costs, about */
#define HTTPD_GATHER		0.0003	/* s a batch gathers, at most */

struct httpd_listener {
	struct httpd	*httpd;
	ev_io		 io;
};

struct httpd_conn {
	struct httpd		*httpd;
	ev_io			 io;
	double			 deadline;
	struct buf		 in;
	struct buf		 out;		/* head, or a whole error */
	size_t			 outoff;
	struct status_text	*body;		/* held until sent */
	size_t			 bodyoff;
	u_int			 served;	/* responses sent */
	int			 closing;	/* close when out is sent */
	int			 lingering;	/* all sent; reading to EOF */
	int			 eof;		/* the client is done sending */
	TAILQ_ENTRY(httpd_conn)	 entry;		/* by deadline */
};

struct httpd {
	struct status			*status;
	struct ev_loop			*loop;		/* the sockets' */
	ev_embed			 embed;		/* loop, in hinit's */
	int				 gather_fd;	/* timerfd: batch over */
	ev_io				 gather;
	struct httpd_listener		 listeners[HTTPD_LISTEN_MAX];
	u_int				 nlisteners;
	u_int				 max;
	u_int				 nconns;
	TAILQ_HEAD(, httpd_conn)	 conns;
	ev_timer			 timer;		/* first deadline */
	ev_timer			 pause;		/* out of descriptors */
	u_int				 answered;	/* since the last sweep */
};

static void	httpd_accept_cb(struct ev_loop *, ev_io *, int);
static void	httpd_conn_cb(struct ev_loop *, ev_io *, int);
static void	httpd_timer_cb(struct ev_loop *, ev_timer *, int);
static void	httpd_pause_cb(struct ev_loop *, ev_timer *, int);
static void	httpd_embed_cb(struct ev_loop *, ev_embed *, int);
static void	httpd_gather_cb(struct ev_loop *, ev_io *, int);
static void	httpd_conn_run(struct httpd_conn *);
static void	httpd_conn_free(struct httpd_conn *);
static void	httpd_conn_linger(struct httpd_conn *);

static const char *
httpd_reason(int code)
{
	switch (code) {
	case 200:
		return ("OK");
	case 400:
		return ("Bad Request");
	case 404:
		return ("Not Found");
	case 405:
		return ("Method Not Allowed");
	case 408:
		return ("Request Timeout");
	case 413:
		return ("Content Too Large");
	case 431:
		return ("Request Header Fields Too Large");
	case 503:
		return ("Service Unavailable");
	case 505:
		return ("HTTP Version Not Supported");
	}
	return ("Error");
}

/* Queue an answer: a small body is copied, a held text is sent as is. */
static void
httpd_respond(struct httpd_conn *c, int code, const char *type,
    const char *body, size_t len, struct status_text *text, int head,
    int keepalive, int http10)
{
	char		 date[64];
	struct tm	 tm;
	time_t		 now = time(NULL);

	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	buf_printf(&c->out, "HTTP/1.1 %d %s\r\nDate: %s\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\n"
	    "Cache-Control: no-store\r\n", code, httpd_reason(code), date,
	    type, len);
	if (code == 405)
		buf_puts(&c->out, "Allow: GET, HEAD\r\n");
	/*
	 * An idle connection is closed after HTTPD_TIMEOUT: say a shorter
	 * time, so that a client (Node's http.Agent) drops it first rather
	 * than reuse it as it closes, and get a reset.
	 */
	if (!keepalive)
		buf_puts(&c->out, "Connection: close\r\n");
	else {
		if (http10)
			buf_puts(&c->out, "Connection: keep-alive\r\n");
		buf_printf(&c->out, "Keep-Alive: timeout=%d\r\n",
		    HTTPD_KEEPALIVE_HINT);
	}
	buf_puts(&c->out, "\r\n");
	if (text != NULL && !head && len != 0) {
		c->body = text;
		c->bodyoff = 0;
	} else {
		status_release(text);
		if (!head && len != 0 && body != NULL)
			buf_add(&c->out, body, len);
	}
	if (!keepalive)
		c->closing = 1;
}

static void
httpd_error(struct httpd_conn *c, int code, int head, int keepalive,
    int http10)
{
	char	 body[128];
	int	 len;

	len = snprintf(body, sizeof body, "%d %s\n", code, httpd_reason(code));
	httpd_respond(c, code, "text/plain; charset=utf-8", body, len, NULL,
	    head, keepalive, http10);
}

static void
httpd_answer(struct httpd_conn *c, struct httpd_request *r)
{
	struct httpd		*d = c->httpd;
	struct status_text	*t;
	enum status_view	 view;
	int			 keepalive = r->keepalive, http10 = r->http10;

	/* A body is never read: answer, then close. */
	if (r->body)
		keepalive = 0;
	if (r->error != 0) {
		httpd_error(c, r->error, 0, 0, http10);
		return;
	}
	if (r->route == HTTPD_NONE) {
		httpd_error(c, 404, r->head, keepalive, http10);
		return;
	}
	if (!r->method_ok) {
		httpd_error(c, 405, 0, keepalive, http10);
		return;
	}
	if (r->body) {
		httpd_error(c, 413, r->head, 0, http10);
		return;
	}

	if (r->route == HTTPD_METRICS) {
		if ((t = status_hold(d->status, STATUS_HOLD_METRICS)) == NULL) {
			httpd_error(c, 503, r->head, keepalive, http10);
			return;
		}
		httpd_respond(c, 200, "text/plain; version=0.0.4; "
		    "charset=utf-8", NULL, t->buf.len, t, r->head, keepalive,
		    http10);
		return;
	}
	view = (r->route == HTTPD_LIVE) ? STATUS_VIEW_LIVE : STATUS_VIEW_READY;
	if ((t = status_hold(d->status, view)) == NULL) {
		httpd_error(c, 503, r->head, keepalive, http10);
		return;
	}
	/* The status code is the verdict the document was rendered with. */
	httpd_respond(c, status_verdict_ready(t->overall) ? 200 : 503,
	    "application/health+json", NULL, t->buf.len, t, r->head,
	    keepalive, http10);
}

/* A new deadline puts the connection last: the list stays in order. */
static void
httpd_conn_deadline(struct httpd_conn *c)
{
	struct httpd	*d = c->httpd;

	c->deadline = ev_now(EV_DEFAULT) + HTTPD_TIMEOUT;
	TAILQ_REMOVE(&d->conns, c, entry);
	TAILQ_INSERT_TAIL(&d->conns, c, entry);
	if (!ev_is_active(&d->timer)) {
		ev_timer_set(&d->timer, HTTPD_TIMEOUT, 0);
		ev_timer_start(EV_DEFAULT, &d->timer);
	}
}

static void
httpd_conn_want(struct httpd_conn *c, int events)
{
	if (c->io.events == events && ev_is_active(&c->io))
		return;
	ev_io_stop(c->httpd->loop, &c->io);
	ev_io_set(&c->io, c->io.fd, events);
	if (events != 0)
		ev_io_start(c->httpd->loop, &c->io);
}

static int
httpd_conn_pending(struct httpd_conn *c)
{
	return (c->outoff < c->out.len || c->body != NULL);
}

/* Send what is queued; -1 if the connection is gone. */
static int
httpd_conn_flush(struct httpd_conn *c)
{
	struct iovec	 iov[2];
	struct msghdr	 msg;
	size_t		 head;
	ssize_t		 n;

	while (httpd_conn_pending(c)) {
		memset(&msg, 0, sizeof msg);
		msg.msg_iov = iov;
		head = c->out.len - c->outoff;
		if (head != 0) {
			iov[msg.msg_iovlen].iov_base = c->out.data + c->outoff;
			iov[msg.msg_iovlen++].iov_len = head;
		}
		if (c->body != NULL) {
			iov[msg.msg_iovlen].iov_base = c->body->buf.data +
			    c->bodyoff;
			iov[msg.msg_iovlen++].iov_len = c->body->buf.len -
			    c->bodyoff;
		}
		n = sendmsg(c->io.fd, &msg, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return (0);
		if (n <= 0)
			return (-1);
		if ((size_t)n <= head)
			c->outoff += n;
		else {
			c->outoff += head;
			c->bodyoff += n - head;
		}
		if (c->body != NULL && c->bodyoff >= c->body->buf.len) {
			status_release(c->body);
			c->body = NULL;
		}
		httpd_conn_deadline(c);
	}
	/* Sent: keep nothing for an idle connection. */
	buf_free(&c->out);
	c->outoff = 0;
	return (0);
}

/*
 * Closing with unread input makes the kernel send a reset, which can
 * destroy the answer before the client reads it: stop sending, read
 * until the client closes too (or the deadline), then close.
 */
static void
httpd_conn_linger(struct httpd_conn *c)
{
	if (c->eof || shutdown(c->io.fd, SHUT_WR) != 0) {
		httpd_conn_free(c);
		return;
	}
	c->lingering = 1;
	buf_free(&c->in);
	httpd_conn_deadline(c);
	httpd_conn_want(c, EV_READ);
}

/* Answer what has come in, in order, one response in flight at a time. */
static void
httpd_conn_run(struct httpd_conn *c)
{
	struct httpd_request	 r;

	for (;;) {
		if (httpd_conn_flush(c) != 0) {
			httpd_conn_free(c);
			return;
		}
		if (httpd_conn_pending(c)) {
			httpd_conn_want(c, EV_WRITE);
			return;
		}
		if (c->closing) {
			httpd_conn_linger(c);
			return;
		}
		if (c->in.len == 0 || !httpd_parse(c->in.data, c->in.len,
		    &r)) {
			if (c->eof) {
				httpd_conn_free(c);
				return;
			}
			if (c->in.len > HTTPD_HEAD_MAX) {
				/* Never wait for more than a head may hold. */
				buf_reset(&c->in);
				httpd_error(c, 431, 0, 0, 0);
				continue;
			}
			if (c->in.len == 0)
				buf_free(&c->in);
			httpd_conn_want(c, EV_READ);
			return;
		}
		httpd_answer(c, &r);
		c->served++;
		c->httpd->answered++;
		if (r.used >= c->in.len)
			buf_reset(&c->in);
		else {
			memmove(c->in.data, c->in.data + r.used,
			    c->in.len - r.used);
			c->in.len -= r.used;
			c->in.data[c->in.len] = '\0';
		}
		/* The next request head has its own time. */
		httpd_conn_deadline(c);
	}
}

static void
httpd_conn_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct httpd_conn	*c = w->data;
	char			 chunk[HTTPD_HEAD_MAX + 1];
	size_t			 room;
	ssize_t			 n;

	if (c->lingering) {
		n = recv(w->fd, chunk, sizeof chunk, 0);
		if (n == 0 || (n == -1 && errno != EAGAIN &&
		    errno != EWOULDBLOCK && errno != EINTR))
			httpd_conn_free(c);
		return;
	}
	if ((revents & EV_READ) && !c->eof) {
		room = HTTPD_HEAD_MAX + 1 - c->in.len;
		if (c->in.len >= HTTPD_HEAD_MAX + 1)
			room = 0;
		n = room == 0 ? 0 : recv(w->fd, chunk, room, 0);
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR))
			return;
		if (n == -1) {
			httpd_conn_free(c);
			return;
		}
		if (n == 0 && room != 0)
			c->eof = 1;
		else if (n > 0)
			buf_add(&c->in, chunk, n);
	}
	httpd_conn_run(c);
}

/*
 * Under load, answer in batches. Each sweep of the endpoint's loop wakes
 * hinit, and a woken hinit takes a CPU from someone else: on a small
 * machine, from the app or from the very clients it answers, whose next
 * requests then wait. So after a sweep that answered HTTPD_BUSY requests
 * or more, the endpoint's loop is left out of hinit's polls and the next
 * requests gather, for about what answering every open connection once
 * costs (at most HTTPD_GATHER, less the time this sweep took), before one
 * sweep answers them all; a quieter sweep ends it. Only the endpoint
 * waits: reaping, signals and probes wake hinit's loop as ever, and a
 * timerfd ends the batch on time (a poll's timeout is whole milliseconds).
 */
static void
httpd_sweep(struct httpd *d)
{
	struct itimerspec	 its;
	ev_tstamp		 gather = 0.;

	ev_run(d->loop, EVRUN_NOWAIT);
	if (d->answered >= HTTPD_BUSY) {
		gather = d->nconns * HTTPD_ANSWER;
		if (gather > HTTPD_GATHER)
			gather = HTTPD_GATHER;
		gather -= ev_time() - ev_now(EV_DEFAULT);
	}
	d->answered = 0;
	memset(&its, 0, sizeof its);
	its.it_value.tv_nsec = gather * 1e9;
	if (its.it_value.tv_nsec <= 0 ||
	    timerfd_settime(d->gather_fd, 0, &its, NULL) != 0) {
		if (!ev_is_active(&d->embed))
			ev_embed_start(EV_DEFAULT, &d->embed);
		return;
	}
	if (ev_is_active(&d->embed))
		ev_embed_stop(EV_DEFAULT, &d->embed);
}

/* Requests came in while the endpoint's loop is in hinit's polls. */
static void
httpd_embed_cb(struct ev_loop *loop, ev_embed *w, int revents)
{
	httpd_sweep(w->data);
}

/* A batch has gathered. */
static void
httpd_gather_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	uint64_t	 expired;

	if (read(w->fd, &expired, sizeof expired) != sizeof expired)
		return;
	httpd_sweep(w->data);
}

/*
 * The endpoint's own loop (epoll, embedded in hinit's) and the timer that
 * ends a batch. Without them (no epoll, no timerfd), the sockets are
 * watched by hinit's loop and every request is answered at once.
 */
static void
httpd_loop(struct httpd *d)
{
	d->loop = EV_DEFAULT;
	d->gather_fd = -1;
	if ((ev_embeddable_backends() & EVBACKEND_EPOLL) == 0)
		return;
	d->gather_fd = timerfd_create(CLOCK_MONOTONIC,
	    TFD_NONBLOCK|TFD_CLOEXEC);
	if (d->gather_fd == -1)
		return;
	d->loop = ev_loop_new(EVBACKEND_EPOLL|EVFLAG_NOENV);
	if (d->loop == NULL) {
		close(d->gather_fd);
		d->gather_fd = -1;
		d->loop = EV_DEFAULT;
		return;
	}
	ev_embed_init(&d->embed, httpd_embed_cb, d->loop);
	d->embed.data = d;
	ev_embed_start(EV_DEFAULT, &d->embed);
	ev_io_init(&d->gather, httpd_gather_cb, d->gather_fd, EV_READ);
	d->gather.data = d;
	ev_io_start(EV_DEFAULT, &d->gather);
}

static void
httpd_conn_free(struct httpd_conn *c)
{
	struct httpd	*d;

	if (c == NULL)
		return;
	d = c->httpd;
	ev_io_stop(d->loop, &c->io);
	close(c->io.fd);
	TAILQ_REMOVE(&d->conns, c, entry);
	d->nconns--;
	buf_free(&c->in);
	buf_free(&c->out);
	status_release(c->body);
	free(c);
}

/*
 * A connection at its deadline: a client that has not sent a whole
 * request head in time gets 408; an idle keep-alive one is just closed.
 */
static void
httpd_conn_expire(struct httpd_conn *c)
{
	if (!c->lingering && !httpd_conn_pending(c) &&
	    (c->in.len != 0 || c->served == 0)) {
		buf_free(&c->out);
		c->outoff = 0;
		httpd_error(c, 408, 0, 0, 0);
		if (httpd_conn_flush(c) == 0 && !httpd_conn_pending(c)) {
			httpd_conn_linger(c);
			return;
		}
	}
	httpd_conn_free(c);
}

static void
httpd_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct httpd		*d = w->data;
	struct httpd_conn	*c;
	double			 now = ev_now(loop);

	while ((c = TAILQ_FIRST(&d->conns)) != NULL && c->deadline <= now)
		httpd_conn_expire(c);
	if (c != NULL) {
		ev_timer_set(w, c->deadline - now, 0);
		ev_timer_start(loop, w);
	}
}

static void
httpd_listening(struct httpd *d, int on)
{
	u_int	 i;

	for (i = 0; i < d->nlisteners; i++) {
		if (on)
			ev_io_start(d->loop, &d->listeners[i].io);
		else
			ev_io_stop(d->loop, &d->listeners[i].io);
	}
}

static void
httpd_pause_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	httpd_listening(w->data, 1);
}

/*
 * The connection to give up for a new one: the idlest of those that owe
 * nothing and are owed nothing (all sent and lingering, kept alive between
 * requests, or never sent a byte). One that is sending a request or being
 * answered is never taken. The list is in deadline order: the first such
 * is the idlest.
 */
static struct httpd_conn *
httpd_idlest(struct httpd *d)
{
	struct httpd_conn	*c;

	TAILQ_FOREACH(c, &d->conns, entry) {
		if (c->lingering ||
		    (c->in.len == 0 && !httpd_conn_pending(c) && !c->closing))
			return (c);
	}
	return (NULL);
}

/* A connection accepted, on fd: the loop reads its request. */
static void
httpd_conn_new(struct httpd *d, int fd)
{
	struct httpd_conn	*c;
	int			 one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	c = xcalloc(1, sizeof *c);
	c->httpd = d;
	buf_init(&c->in);
	buf_init(&c->out);
	ev_io_init(&c->io, httpd_conn_cb, fd, EV_READ);
	c->io.data = c;
	ev_io_start(d->loop, &c->io);
	TAILQ_INSERT_TAIL(&d->conns, c, entry);
	d->nconns++;
	httpd_conn_deadline(c);
}

static void
httpd_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct httpd_listener	*l = w->data;
	struct httpd		*d = l->httpd;
	struct httpd_conn	*idle;
	u_int			 i;
	int			 fd;

	for (i = 0; i < HTTPD_ACCEPT_BATCH; i++) {
		fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK|SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EMFILE && errno != ENFILE &&
			    errno != ENOBUFS && errno != ENOMEM)
				return;
			if ((idle = httpd_idlest(d)) != NULL) {
				httpd_conn_free(idle);
				continue;
			}
			/* Nothing to give back: stop accepting a while. */
			httpd_listening(d, 0);
			ev_timer_set(&d->pause, HTTPD_PAUSE, 0);
			ev_timer_start(EV_DEFAULT, &d->pause);
			return;
		}
		/*
		 * At the limit, an idle connection makes room; if every one is
		 * busy with a request, the new one is refused.
		 */
		if (d->nconns >= d->max) {
			if ((idle = httpd_idlest(d)) == NULL) {
				close(fd);
				continue;
			}
			httpd_conn_free(idle);
		}
		httpd_conn_new(d, fd);
	}
}
/* An endpoint without listeners yet. */
static struct httpd *
httpd_new(struct status *status, u_int max)
{
	struct httpd	*d;

	d = xcalloc(1, sizeof *d);
	d->status = status;
	d->max = max != 0 ? max : HTTPD_MAX_DEFAULT;
	TAILQ_INIT(&d->conns);
	ev_timer_init(&d->timer, httpd_timer_cb, HTTPD_TIMEOUT, 0);
	d->timer.data = d;
	ev_timer_init(&d->pause, httpd_pause_cb, HTTPD_PAUSE, 0);
	d->pause.data = d;
	httpd_loop(d);
	return (d);
}

/*
 * Serve status's texts on listen_on, at most max connections (0: the
 * default), fewer if the descriptors hinit keeps for its checks ask.
 */
struct httpd *
httpd_start(struct status *status, const char *listen_on, u_int max,
    u_int checks, char **cause)
{
	struct httpd		*d;
	struct httpd_listener	*l;
	int			 fds[HTTPD_LISTEN_MAX];
	u_int			 i, n;

	if (httpd_listen_open(listen_on, fds, &n, cause) != 0)
		return (NULL);
	d = httpd_new(status, max);
	for (i = 0; i < n; i++) {
		l = &d->listeners[d->nlisteners++];
		l->httpd = d;
		ev_io_init(&l->io, httpd_accept_cb, fds[i], EV_READ);
		l->io.data = l;
		ev_io_start(d->loop, &l->io);
	}
	d->max = httpd_listen_limit(d->max, max, checks);
	return (d);
}

void
httpd_free(struct httpd *d)
{
	u_int	 i;

	if (d == NULL)
		return;
	while (!TAILQ_EMPTY(&d->conns))
		httpd_conn_free(TAILQ_FIRST(&d->conns));
	for (i = 0; i < d->nlisteners; i++) {
		ev_io_stop(d->loop, &d->listeners[i].io);
		close(d->listeners[i].io.fd);
	}
	ev_timer_stop(EV_DEFAULT, &d->timer);
	ev_timer_stop(EV_DEFAULT, &d->pause);
	if (d->loop != EV_DEFAULT) {
		ev_embed_stop(EV_DEFAULT, &d->embed);
		ev_io_stop(EV_DEFAULT, &d->gather);
		ev_loop_destroy(d->loop);
	}
	if (d->gather_fd != -1)
		close(d->gather_fd);
	free(d);
}
