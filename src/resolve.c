/*
 * resolve.c: name resolution that never blocks the loop. A numeric address
 * is parsed at once; a name is looked up by getaddrinfo() in a detached
 * thread, which hands the answer to the loop through an ev_async. The loop
 * side and the thread share one small reference-counted struct, so either
 * may finish first: a cancelled lookup's answer is dropped by the thread.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "hinit.h"

struct resolve {
	pthread_mutex_t	 lock;
	u_int		 references;	/* loop side, thread; locked */
	int		 cancelled;	/* under lock */
	int		 finished;	/* under lock */

	char		*host;
	char		*port;
	int		 socktype;

	int		 error;		/* getaddrinfo's */
	int		 saved_errno;
	struct addrinfo	*ai;

	resolve_cb	*cb;
	void		*arg;
	struct ev_loop	*loop;
	ev_async	 async;		/* active until delivered */
};

static void
resolve_unref(struct resolve *r)
{
	int	 last;

	pthread_mutex_lock(&r->lock);
	last = (--r->references == 0);
	pthread_mutex_unlock(&r->lock);
	if (!last)
		return;
	if (r->ai != NULL)
		freeaddrinfo(r->ai);
	pthread_mutex_destroy(&r->lock);
	free(r->host);
	free(r->port);
	free(r);
}

static void
resolve_hints(struct addrinfo *hints, int socktype, int flags)
{
	memset(hints, 0, sizeof *hints);
	hints->ai_family = AF_UNSPEC;
	hints->ai_socktype = socktype;
	hints->ai_flags = flags;
}

static void *
resolve_thread(void *arg)
{
	struct resolve	*r = arg;
	struct addrinfo	 hints, *ai = NULL;
	int		 error;

	resolve_hints(&hints, r->socktype, 0);
	error = getaddrinfo(r->host, r->port, &hints, &ai);

	pthread_mutex_lock(&r->lock);
	if (!r->cancelled) {
		r->error = error;
		r->saved_errno = errno;
		r->ai = ai;
		ai = NULL;
		r->finished = 1;
		ev_async_send(r->loop, &r->async);
	}
	pthread_mutex_unlock(&r->lock);
	if (ai != NULL)
		freeaddrinfo(ai);
	resolve_unref(r);
	return (NULL);
}

static void
resolve_async_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct resolve	*r = w->data;
	struct addrinfo	*ai;
	char		*error = NULL;

	pthread_mutex_lock(&r->lock);
	if (!r->finished) {
		pthread_mutex_unlock(&r->lock);
		return;
	}
	ai = r->ai;
	r->ai = NULL;
	r->cancelled = 1;	/* delivered: resolve_cancel() does nothing */
	pthread_mutex_unlock(&r->lock);
	ev_async_stop(loop, &r->async);

	if (r->error != 0) {
		xasprintf(&error, "cannot resolve %s: %s", r->host,
		    r->error == EAI_SYSTEM ? strerror(r->saved_errno) :
		    gai_strerror(r->error));
	} else if (ai == NULL)
		xasprintf(&error, "cannot resolve %s: no address", r->host);
	/* The callback may free what owns r (and cancel it): keep r alive. */
	r->cb(ai, error, r->arg);
	free(error);
	resolve_unref(r);
}

/*
 * Look HOST, PORT up for socktype; cb runs later, from the loop, unless
 * resolve_cancel() comes first. Never NULL.
 */
struct resolve *
resolve_start(const char *host, const char *port, int socktype,
    resolve_cb *cb, void *arg)
{
	struct resolve	*r;
	struct addrinfo	 hints;
	pthread_attr_t	 attr;
	pthread_t	 thread;
	sigset_t	 all, old;
	int		 error;

	r = xcalloc(1, sizeof *r);
	if (pthread_mutex_init(&r->lock, NULL) != 0)
		fatalx("pthread_mutex_init");
	r->references = 1;
	r->host = xstrdup(host);
	r->port = port != NULL ? xstrdup(port) : NULL;
	r->socktype = socktype;
	r->cb = cb;
	r->arg = arg;
	r->loop = EV_DEFAULT;
	ev_async_init(&r->async, resolve_async_cb);
	r->async.data = r;
	ev_async_start(r->loop, &r->async);

	/* A numeric address needs no thread; the answer still comes later. */
	resolve_hints(&hints, socktype, AI_NUMERICHOST);
	if (getaddrinfo(host, port, &hints, &r->ai) == 0)
		goto deliver;
	r->ai = NULL;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* The thread takes no signal: they are the loop's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r->references++;
	error = pthread_create(&thread, &attr, resolve_thread, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (error == 0)
		return (r);
	r->references--;
	r->error = EAI_SYSTEM;
	r->saved_errno = error;

deliver:
	r->finished = 1;
	ev_async_send(r->loop, &r->async);
	return (r);
}

/*
 * After this the callback never runs. The handle is gone once the callback
 * has returned or this was called: forget it then. NULL is fine.
 */
void
resolve_cancel(struct resolve *r)
{
	int	 delivered;

	if (r == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	delivered = r->cancelled;
	r->cancelled = 1;
	pthread_mutex_unlock(&r->lock);
	if (delivered)
		return;
	ev_async_stop(r->loop, &r->async);
	resolve_unref(r);
}
