/*
 * httpd.c: the HTTP endpoint: /health, /health/ready, /health/live and
 * /metrics answered from the documents status.c keeps in memory, on the
 * loop, HTTP/1.0 and 1.1 with keep-alive and pipelining. Connections,
 * request heads and the time a client may take are all bounded; the
 * connection limit leaves hinit the descriptors its checks need; at the
 * limit the idlest connection makes room, never one with a request under
 * way (the new one is refused instead).
 */

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "hinit.h"
#include "check.h"
#include "config.h"
#include "syntax.h"
#include "init.h"
#include "status.h"

#define HTTPD_HEAD_MAX		8192	/* request line and headers */
#define HTTPD_TIMEOUT		5.0	/* to send a request head; to read */
#define HTTPD_KEEPALIVE_HINT	4	/* s: Keep-Alive: timeout=, below it */
#define HTTPD_FDS_PER_CHECK	4	/* at most, an attempt under way */
#define HTTPD_FDS_SPARE		16	/* tasks, the app, the status file */
#define HTTPD_MAX_DEFAULT	256
#define HTTPD_LISTEN_MAX	16
#define HTTPD_BACKLOG		128
#define HTTPD_ACCEPT_BATCH	64
#define HTTPD_PAUSE		1.0	/* out of descriptors: accept later */
#define HTTPD_BUSY		4	/* answers in one turn of the loop */
#define HTTPD_ANSWER		0.000006 /* s an answer costs, about */
#define HTTPD_GATHER		0.0003	/* s a batch gathers, at most */

enum httpd_route {
	HTTPD_NONE,
	HTTPD_READY,
	HTTPD_LIVE,
	HTTPD_METRICS
};

struct httpd_request {
	int		 error;		/* 0, or the status to answer */
	int		 head;		/* HEAD, not GET */
	int		 method_ok;	/* GET or HEAD */
	int		 keepalive;
	int		 http10;	/* HTTP/1.0 */
	int		 body;		/* the request has a body */
	u_int		 hosts;		/* Host header fields */
	enum httpd_route route;
	size_t		 used;		/* bytes of the request */
};

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
	struct hinit			*h;
	struct httpd_listener		 listeners[HTTPD_LISTEN_MAX];
	u_int				 nlisteners;
	u_int				 max;
	u_int				 nconns;
	TAILQ_HEAD(, httpd_conn)	 conns;
	ev_timer			 timer;		/* first deadline */
	ev_timer			 pause;		/* out of descriptors */
	ev_check			 pace;		/* after each poll */
	u_int				 answered;	/* in this loop turn */
};

static void	httpd_accept_cb(struct ev_loop *, ev_io *, int);
static void	httpd_conn_cb(struct ev_loop *, ev_io *, int);
static void	httpd_timer_cb(struct ev_loop *, ev_timer *, int);
static void	httpd_pause_cb(struct ev_loop *, ev_timer *, int);
static void	httpd_pace_cb(struct ev_loop *, ev_check *, int);
static void	httpd_conn_run(struct httpd_conn *);
static void	httpd_conn_free(struct httpd_conn *);
static void	httpd_conn_linger(struct httpd_conn *);

/* Does a comma-separated header value hold this token? */
static int
httpd_has_token(const char *v, size_t len, const char *token)
{
	size_t	 tlen = strlen(token), i = 0, start;

	while (i < len) {
		while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		start = i;
		while (i < len && v[i] != ',' && v[i] != ' ' && v[i] != '\t')
			i++;
		if (i - start == tlen && strncasecmp(v + start, token,
		    tlen) == 0)
			return (1);
	}
	return (0);
}

static enum httpd_route
httpd_route(const char *target, size_t len)
{
	static const struct {
		const char		*path;
		enum httpd_route	 route;
	} routes[] = {
		{ "/health", HTTPD_READY },
		{ "/health/ready", HTTPD_READY },
		{ "/health/live", HTTPD_LIVE },
		{ "/metrics", HTTPD_METRICS }
	};
	const char	*p;
	size_t		 plen;
	u_int		 i;

	/* Absolute form: http://host/path. */
	if (len > 7 && strncasecmp(target, "http://", 7) == 0) {
		p = memchr(target + 7, '/', len - 7);
		if (p == NULL)
			return (HTTPD_NONE);
		len -= p - target;
		target = p;
	}
	for (plen = 0; plen < len; plen++) {
		if (target[plen] == '?' || target[plen] == '#')
			break;
	}
	for (i = 0; i < nitems(routes); i++) {
		if (strlen(routes[i].path) == plen &&
		    memcmp(routes[i].path, target, plen) == 0)
			return (routes[i].route);
	}
	return (HTTPD_NONE);
}

/* Check one header line; the line has no CR or LF. */
static int
httpd_header(struct httpd_request *r, const char *line, size_t len,
    long long *clen)
{
	const char	*v;
	size_t		 n, vlen;
	long long	 value;

	if ((n = syntax_header_name(line, len)) == 0)
		return (400);	/* also obs-fold and space before ':' */
	v = line + n + 1;
	vlen = len - n - 1;
	while (vlen > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;

	if (n == 10 && strncasecmp(line, "connection", 10) == 0) {
		if (httpd_has_token(v, vlen, "close"))
			r->keepalive = 0;
		else if (httpd_has_token(v, vlen, "keep-alive"))
			r->keepalive = 1;
	} else if (n == 14 && strncasecmp(line, "content-length", 14) == 0) {
		if (vlen == 0 || vlen > 18)
			return (vlen == 0 ? 400 : 413);
		for (value = 0; vlen > 0; v++, vlen--) {
			if (!isdigit((u_char)*v))
				return (400);
			value = value * 10 + (*v - '0');
		}
		if (*clen != -1 && *clen != value)
			return (400);
		*clen = value;
		if (value != 0)
			r->body = 1;
	} else if (n == 17 && strncasecmp(line, "transfer-encoding", 17) == 0)
		r->body = 1;
	else if (n == 4 && strncasecmp(line, "host", 4) == 0) {
		r->hosts++;
		/* host[:port] or [v6]:port (RFC 9112 3.2): no blanks. */
		for (; vlen > 0; v++, vlen--) {
			if (!isalnum((u_char)*v) &&
			    strchr("-._~%!$&'()*+,;=:[]", *v) == NULL)
				return (400);
		}
	}
	return (0);
}

/*
 * Parse one request head from data. Returns 0 if more is needed, else 1
 * with r filled: r->used bytes make the request, r->error is the status
 * to answer when it is bad (the connection then closes).
 */
static int
httpd_parse(const char *data, size_t len, struct httpd_request *r)
{
	const char	*p, *end, *line, *sp1, *sp2, *eol;
	size_t		 skip = 0, llen, hlen;
	long long	 clen = -1;
	int		 first = 1, major, minor, error;

	memset(r, 0, sizeof *r);

	/* Empty lines before a request are ignored (RFC 9112 2.2). */
	while (skip < len && (data[skip] == '\r' || data[skip] == '\n'))
		skip++;
	p = data + skip;
	len -= skip;
	r->used = skip;
	if (len == 0) {
		/* Only blank lines, more than a head may hold: no request. */
		if (skip > HTTPD_HEAD_MAX) {
			r->error = 400;
			return (1);
		}
		return (0);
	}

	/* The head ends with an empty line; LF alone is taken for CRLF. */
	end = NULL;
	for (eol = memchr(p, '\n', len); eol != NULL;
	    eol = memchr(eol + 1, '\n', len - (eol + 1 - p))) {
		if (eol + 1 < p + len && eol[1] == '\n') {
			end = eol + 2;
			break;
		}
		if (eol + 2 < p + len && eol[1] == '\r' && eol[2] == '\n') {
			end = eol + 3;
			break;
		}
		if (eol + 1 - p > HTTPD_HEAD_MAX)
			break;
	}
	if (end == NULL) {
		/* Blank lines before count: the reader holds no more. */
		if (skip + len > HTTPD_HEAD_MAX) {
			r->error = 431;
			r->used += len;
			return (1);
		}
		return (0);
	}
	hlen = end - p;
	r->used += hlen;
	if (hlen > HTTPD_HEAD_MAX + 2) {
		r->error = 431;
		return (1);
	}
	if (memchr(p, '\0', hlen) != NULL) {
		r->error = 400;
		return (1);
	}

	for (line = p; line < end; line = eol + 1) {
		eol = memchr(line, '\n', end - line);
		llen = eol - line;
		if (llen > 0 && line[llen - 1] == '\r')
			llen--;
		if (llen == 0)
			break;
		if (memchr(line, '\r', llen) != NULL) {
			r->error = 400;
			return (1);
		}
		if (!first) {
			if ((error = httpd_header(r, line, llen,
			    &clen)) != 0) {
				r->error = error;
				return (1);
			}
			continue;
		}
		first = 0;

		/* METHOD SP TARGET SP HTTP/x.y */
		sp1 = memchr(line, ' ', llen);
		if (sp1 == NULL || sp1 == line)
			goto bad;
		sp2 = memchr(sp1 + 1, ' ', llen - (sp1 + 1 - line));
		if (sp2 == NULL || sp2 == sp1 + 1)
			goto bad;
		if (memchr(sp2 + 1, ' ', llen - (sp2 + 1 - line)) != NULL)
			goto bad;
		if (!syntax_token(line, sp1 - line))
			goto bad;
		if (line + llen - (sp2 + 1) != 8 ||
		    strncmp(sp2 + 1, "HTTP/", 5) != 0 ||
		    !isdigit((u_char)sp2[6]) || sp2[7] != '.' ||
		    !isdigit((u_char)sp2[8]))
			goto bad;
		major = sp2[6] - '0';
		minor = sp2[8] - '0';
		if (major != 1) {
			r->error = 505;
			return (1);
		}
		if (sp1[1] != '/' && strncasecmp(sp1 + 1, "http://", 7) != 0)
			goto bad;
		r->keepalive = (minor >= 1);
		r->http10 = (minor == 0);
		if (sp1 - line == 3 && memcmp(line, "GET", 3) == 0)
			r->method_ok = 1;
		else if (sp1 - line == 4 && memcmp(line, "HEAD", 4) == 0) {
			r->method_ok = 1;
			r->head = 1;
		}
		r->route = httpd_route(sp1 + 1, sp2 - (sp1 + 1));
	}
	/* HTTP/1.1 needs one Host; none may have two (RFC 9112 3.2). */
	if (r->hosts > 1 || (!r->http10 && r->hosts == 0))
		goto bad;
	return (1);

bad:
	r->error = 400;
	return (1);
}

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
	enum overall		 o;
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
		if ((t = status_hold(d->h->status, STATUS_HOLD_METRICS)) ==
		    NULL) {
			httpd_error(c, 503, r->head, keepalive, http10);
			return;
		}
		httpd_respond(c, 200, "text/plain; version=0.0.4; "
		    "charset=utf-8", NULL, t->buf.len, t, r->head, keepalive,
		    http10);
		return;
	}
	view = (r->route == HTTPD_LIVE) ? STATUS_VIEW_LIVE : STATUS_VIEW_READY;
	if ((t = status_hold(d->h->status, view)) == NULL) {
		httpd_error(c, 503, r->head, keepalive, http10);
		return;
	}
	o = status_overall(d->h, view);
	httpd_respond(c, status_ready(o) ? 200 : 503, "application/health+json",
	    NULL, t->buf.len, t, r->head, keepalive, http10);
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
	ev_io_stop(EV_DEFAULT, &c->io);
	ev_io_set(&c->io, c->io.fd, events);
	if (events != 0)
		ev_io_start(EV_DEFAULT, &c->io);
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
 * Under load, answer in batches. Each turn of the loop wakes hinit, and a
 * woken hinit takes a CPU from someone else: on a small machine, from the
 * app or from the very clients it answers, whose next requests then wait.
 * So after a turn that answered HTTPD_BUSY requests or more, libev lets the
 * next ones gather before it polls again (it sleeps only if the turn was
 * shorter than that): for about what answering every open connection once
 * costs, at most HTTPD_GATHER. A quieter turn ends it. The check watcher
 * runs first in each turn, before the turn's I/O.
 */
static void
httpd_pace_cb(struct ev_loop *loop, ev_check *w, int revents)
{
	struct httpd	*d = w->data;
	ev_tstamp	 gather = 0.;

	if (d->answered >= HTTPD_BUSY) {
		gather = d->nconns * HTTPD_ANSWER;
		if (gather > HTTPD_GATHER)
			gather = HTTPD_GATHER;
	}
	ev_set_io_collect_interval(loop, gather);
	d->answered = 0;
}

static void
httpd_conn_free(struct httpd_conn *c)
{
	struct httpd	*d;

	if (c == NULL)
		return;
	d = c->httpd;
	ev_io_stop(EV_DEFAULT, &c->io);
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
			ev_io_start(EV_DEFAULT, &d->listeners[i].io);
		else
			ev_io_stop(EV_DEFAULT, &d->listeners[i].io);
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

static void
httpd_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct httpd_listener	*l = w->data;
	struct httpd		*d = l->httpd;
	struct httpd_conn	*c, *idle;
	u_int			 i;
	int			 fd, one = 1;

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
			ev_timer_start(loop, &d->pause);
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
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		c = xcalloc(1, sizeof *c);
		c->httpd = d;
		buf_init(&c->in);
		buf_init(&c->out);
		ev_io_init(&c->io, httpd_conn_cb, fd, EV_READ);
		c->io.data = c;
		ev_io_start(loop, &c->io);
		TAILQ_INSERT_TAIL(&d->conns, c, entry);
		d->nconns++;
		httpd_conn_deadline(c);
	}
}

/* Split "ADDR:PORT", "[V6]:PORT", ":PORT" or "PORT"; host NULL: any. */
static int
httpd_split(const char *s, char **host, char **port, char **cause)
{
	u_int	 n;

	if (syntax_address(s, strlen(s), host, &n) != 0) {
		xasprintf(cause, "use ADDR:PORT, [ADDR]:PORT or :PORT, port 1 "
		    "to 65535");
		return (-1);
	}
	xasprintf(port, "%u", n);
	return (0);
}

static int
httpd_bind(struct httpd *d, struct addrinfo *ai, int v6only, char **cause)
{
	struct httpd_listener	*l;
	int			 fd, one = 1, saved;

	if (d->nlisteners == HTTPD_LISTEN_MAX) {
		xasprintf(cause, "too many addresses");
		return (-1);
	}
	fd = socket(ai->ai_family, ai->ai_socktype|SOCK_NONBLOCK|SOCK_CLOEXEC,
	    ai->ai_protocol);
	if (fd == -1)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (ai->ai_family == AF_INET6 && v6only)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
	    listen(fd, HTTPD_BACKLOG) != 0) {
		close(fd);
		goto fail;
	}
	l = &d->listeners[d->nlisteners++];
	l->httpd = d;
	ev_io_init(&l->io, httpd_accept_cb, fd, EV_READ);
	l->io.data = l;
	ev_io_start(EV_DEFAULT, &l->io);
	return (0);

fail:
	saved = errno;
	xasprintf(cause, "%s", strerror(errno));
	errno = saved;
	return (-1);
}

/* Descriptors open now (a guess if /proc cannot say). */
static u_int
httpd_fds_open(void)
{
	DIR		*dir;
	struct dirent	*de;
	u_int		 n = 0;

	if ((dir = opendir("/proc/self/fd")) == NULL)
		return (64);
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] != '.')
			n++;
	}
	closedir(dir);
	return (n - 1);		/* the directory's own */
}

/*
 * Connections may take only the descriptors the rest of hinit does not
 * need (RLIMIT_NOFILE less those open now, a few per check for an attempt
 * under way, some for tasks, the app and the status file): else a flood
 * of clients would make every check fail with EMFILE, and on_unhealthy
 * restart a healthy app.
 */
static void
httpd_limit(struct httpd *d, u_int asked)
{
	struct rlimit	 rl;
	struct check	*c;
	uint64_t	 need, left;
	u_int		 checks = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return;
	if (d->h->conf != NULL) {
		TAILQ_FOREACH(c, &d->h->conf->checks, entry)
			checks++;
	}
	need = (uint64_t)httpd_fds_open() + HTTPD_FDS_SPARE +
	    (uint64_t)checks * HTTPD_FDS_PER_CHECK;
	left = rl.rlim_cur > need ? rl.rlim_cur - need : 0;
	if (left >= d->max)
		return;
	if (left == 0)
		left = 1;
	log_warnx("max_connections %u is more than the descriptors allow "
	    "(nofile %llu, %llu kept for checks, tasks and the status file): "
	    "serving at most %llu connections", asked != 0 ? asked : d->max,
	    (unsigned long long)rl.rlim_cur, (unsigned long long)need,
	    (unsigned long long)left);
	d->max = left;
}

struct httpd *
httpd_start(struct hinit *h, const char *listen_on, u_int max, char **cause)
{
	struct httpd	*d;
	struct addrinfo	 hints, *ais[HTTPD_LISTEN_MAX], *ai;
	char		*copy, *word, *next, *host, *port;
	char		*words[HTTPD_LISTEN_MAX];
	char		*why = NULL, *at = NULL;
	u_int		 n = 0, i, total = 0;
	int		 error, fails = 0, any[HTTPD_LISTEN_MAX];

	d = xcalloc(1, sizeof *d);
	d->h = h;
	d->max = max != 0 ? max : HTTPD_MAX_DEFAULT;
	TAILQ_INIT(&d->conns);
	ev_timer_init(&d->timer, httpd_timer_cb, HTTPD_TIMEOUT, 0);
	d->timer.data = d;
	ev_timer_init(&d->pause, httpd_pause_cb, HTTPD_PAUSE, 0);
	d->pause.data = d;
	ev_check_init(&d->pace, httpd_pace_cb);
	d->pace.data = d;
	ev_check_start(EV_DEFAULT, &d->pace);

	/* Addresses separated by commas or spaces; resolved at start-up. */
	copy = xstrdup(listen_on);
	for (word = copy; word != NULL; word = next) {
		word += strspn(word, ", \t");
		if (*word == '\0')
			break;
		next = word + strcspn(word, ", \t");
		if (*next != '\0')
			*next++ = '\0';
		else
			next = NULL;
		if (n == HTTPD_LISTEN_MAX) {
			xasprintf(&why, "too many addresses");
			goto fail;
		}
		at = word;
		if (httpd_split(word, &host, &port, &why) != 0)
			goto fail;
		memset(&hints, 0, sizeof hints);
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_PASSIVE|AI_NUMERICSERV;
		any[n] = (host == NULL);
		/* Any address: IPv6 that takes IPv4 too, else IPv4. */
		error = getaddrinfo(host != NULL ? host : "::", port, &hints,
		    &ais[n]);
		if (error != 0 && host == NULL)
			error = getaddrinfo("0.0.0.0", port, &hints, &ais[n]);
		free(host);
		free(port);
		if (error != 0) {
			xasprintf(&why, "%s", gai_strerror(error));
			goto fail;
		}
		words[n++] = word;
		for (ai = ais[n - 1]; ai != NULL; ai = ai->ai_next)
			total++;
	}
	if (n == 0) {
		xasprintf(&why, "no address");
		goto fail;
	}
	for (i = 0; i < n; i++) {
		for (ai = ais[i]; ai != NULL; ai = ai->ai_next) {
			at = words[i];
			error = httpd_bind(d, ai, total > 1, &why);
			if (error == 0)
				continue;
			/* Any address without IPv6 in this kernel: IPv4. */
			if (any[i] && ai->ai_family == AF_INET6 &&
			    (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL)) {
				struct sockaddr_in	 sin;
				struct addrinfo		 v4 = *ai;

				memset(&sin, 0, sizeof sin);
				sin.sin_family = AF_INET;
				sin.sin_port = ((struct sockaddr_in6 *)
				    ai->ai_addr)->sin6_port;
				v4.ai_family = AF_INET;
				v4.ai_addr = (struct sockaddr *)&sin;
				v4.ai_addrlen = sizeof sin;
				free(why);
				why = NULL;
				if (httpd_bind(d, &v4, 0, &why) == 0)
					continue;
			}
			fails++;
			break;
		}
		if (fails != 0)
			break;
	}
	for (i = 0; i < n; i++)
		freeaddrinfo(ais[i]);
	n = 0;
	if (fails != 0)
		goto fail;
	free(copy);
	httpd_limit(d, max);
	return (d);

fail:
	for (i = 0; i < n; i++)
		freeaddrinfo(ais[i]);
	/* The caller names the whole string; name the part if it has more. */
	if (at != NULL && strcmp(at, listen_on) != 0)
		xasprintf(cause, "%s: %s", at, why);
	else
		*cause = xstrdup(why);
	free(why);
	free(copy);
	httpd_free(d);
	return (NULL);
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
		ev_io_stop(EV_DEFAULT, &d->listeners[i].io);
		close(d->listeners[i].io.fd);
	}
	ev_timer_stop(EV_DEFAULT, &d->timer);
	ev_timer_stop(EV_DEFAULT, &d->pause);
	ev_check_stop(EV_DEFAULT, &d->pace);
	ev_set_io_collect_interval(EV_DEFAULT, 0.);
	free(d);
}
