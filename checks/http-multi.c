/*
 * http-multi.c: libcurl's multi-socket API driven by the default libev
 * loop, for the http check type: curl never runs a loop of its own and
 * never blocks ours. The sockets curl asks for are watched with ev_io, its
 * timer is an ev_timer, and each transfer that ends goes to the owner's
 * callback. One multi handle serves the http checks of one list.
 */

#include <sys/types.h>

#include <stdlib.h>

#include <curl/curl.h>

#include "hinit.h"
#include "http-multi.h"

/* One socket libcurl asked us to watch. */
struct http_sock {
	ev_io			 io;
	curl_socket_t		 fd;
	struct http_multi	*m;
	LIST_ENTRY(http_sock)	 entry;
};

static void
http_sock_free(struct http_sock *hs)
{
	ev_io_stop(EV_DEFAULT, &hs->io);
	LIST_REMOVE(hs, entry);
	free(hs);
}

/*
 * After curl has acted: report the transfers that ended. Reporting may
 * start or free checks, even the last one: m is held meanwhile.
 */
static void
http_check_msgs(struct http_multi *m)
{
	CURLMsg		*msg;
	int		 left;

	m->references++;
	while ((msg = curl_multi_info_read(m->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		m->done(msg->easy_handle, msg->data.result);
	}
	http_multi_release(m);
}

static void
http_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct http_sock	*hs = w->data;
	struct http_multi	*m = hs->m;
	int			 flags = 0, running;

	if (revents & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (revents & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	if (revents & EV_ERROR)
		flags |= CURL_CSELECT_ERR;
	/* hs may be freed in there. */
	curl_multi_socket_action(m->multi, hs->fd, flags, &running);
	http_check_msgs(m);
}

static void
http_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct http_multi	*m = w->data;
	int			 running;

	curl_multi_socket_action(m->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	http_check_msgs(m);
}

/* CURLMOPT_SOCKETFUNCTION: watch what curl wants on one socket. */
static int
http_socket_cb(CURL *easy, curl_socket_t fd, int what, void *arg, void *sockp)
{
	struct http_multi	*m = arg;
	struct http_sock	*hs = sockp;
	int			 events = 0;

	if (what == CURL_POLL_REMOVE) {
		if (hs != NULL) {
			curl_multi_assign(m->multi, fd, NULL);
			http_sock_free(hs);
		}
		return (0);
	}
	if (hs == NULL) {
		hs = xcalloc(1, sizeof *hs);
		hs->fd = fd;
		hs->m = m;
		ev_init(&hs->io, http_io_cb);
		hs->io.data = hs;
		LIST_INSERT_HEAD(&m->socks, hs, entry);
		curl_multi_assign(m->multi, fd, hs);
	} else
		ev_io_stop(EV_DEFAULT, &hs->io);

	if (what & CURL_POLL_IN)
		events |= EV_READ;
	if (what & CURL_POLL_OUT)
		events |= EV_WRITE;
	ev_io_set(&hs->io, fd, events);
	ev_io_start(EV_DEFAULT, &hs->io);
	return (0);
}

/* CURLMOPT_TIMERFUNCTION: when curl wants to be called without I/O. */
static int
http_timer_set(CURLM *multi, long ms, void *arg)
{
	struct http_multi	*m = arg;

	ev_timer_stop(EV_DEFAULT, &m->timer);
	if (ms >= 0) {
		ev_timer_set(&m->timer, ms / 1000.0, 0.);
		ev_timer_start(EV_DEFAULT, &m->timer);
	}
	return (0);
}

/*
 * libcurl's and its TLS library's global state are made with the first
 * (never at start-up: the static build links libcurl into every hinit, and
 * `hinit status` must stay one file read) and kept until exit; libcurl
 * counts the calls.
 */
struct http_multi *
http_multi_new(http_multi_done_cb *done, char **cause)
{
	struct http_multi	*m;
	CURLcode		 code;

	if ((code = curl_global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK)
		fatalx("curl_global_init: %s", curl_easy_strerror(code));
	m = xcalloc(1, sizeof *m);
	if ((m->multi = curl_multi_init()) == NULL) {
		free(m);
		*cause = xstrdup("libcurl could not make a multi handle");
		return (NULL);
	}
	curl_multi_setopt(m->multi, CURLMOPT_SOCKETFUNCTION, http_socket_cb);
	curl_multi_setopt(m->multi, CURLMOPT_SOCKETDATA, m);
	curl_multi_setopt(m->multi, CURLMOPT_TIMERFUNCTION, http_timer_set);
	curl_multi_setopt(m->multi, CURLMOPT_TIMERDATA, m);
	ev_init(&m->timer, http_timer_cb);
	m->timer.data = m;
	LIST_INIT(&m->socks);
	m->references = 1;
	m->done = done;
	return (m);
}

void
http_multi_release(struct http_multi *m)
{
	struct http_sock	*hs;

	if (m == NULL || --m->references != 0)
		return;
	curl_multi_cleanup(m->multi);
	while ((hs = LIST_FIRST(&m->socks)) != NULL)
		http_sock_free(hs);
	ev_timer_stop(EV_DEFAULT, &m->timer);
	free(m);
}
