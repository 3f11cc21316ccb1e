/*
 * resolve.c: name resolution that never blocks the loop, with bounded
 * threads. A numeric address is parsed at once; a name is looked up by
 * getaddrinfo() in one of at most RESOLVE_THREADS threads, which take the
 * lookups in turn and hand each answer to the loop through the request's
 * ev_async.
 *
 * A lookup outlives a request that is cancelled (its attempt timed out):
 * getaddrinfo() cannot be stopped, and a DNS server that never answers
 * holds a thread for its whole timeout. The next request of the same
 * caller for the same name takes that lookup over rather than start
 * another, so a check has at most one lookup in flight, and all the checks
 * together at most RESOLVE_THREADS threads (threads count against the
 * container's pids.max, which the app shares). A lookup that nobody waits
 * for and no thread has begun is dropped.
 *
 * The pool is the process's, as its threads are: one mutex guards the
 * lookups, each lookup's waiter and the answer given to it.
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

#define RESOLVE_THREADS	8

struct resolve;

struct resolve_lookup {
	char				*host;
	char				*port;
	int				 socktype;
	const void			*owner;		/* the caller's arg */
	struct resolve			*waiter;	/* NULL: nobody */
	int				 running;	/* a thread has it */
	TAILQ_ENTRY(resolve_lookup)	 entry;
};

/* A request: the caller's handle. */
struct resolve {
	struct resolve_lookup	*lookup;	/* until answered; locked */
	int			 finished;	/* locked */
	int			 delivered;	/* the callback runs */
	int			 error;		/* getaddrinfo's */
	int			 saved_errno;
	struct addrinfo		*ai;

	char			*host;
	resolve_cb		*cb;
	void			*arg;
	struct ev_loop		*loop;
	ev_async		 async;		/* active until delivered */
};

static struct {
	pthread_mutex_t			 lock;
	TAILQ_HEAD(, resolve_lookup)	 lookups;	/* queued or running */
	u_int				 threads;
} resolve_pool = {
	PTHREAD_MUTEX_INITIALIZER,
	TAILQ_HEAD_INITIALIZER(resolve_pool.lookups),
	0
};

static void
resolve_hints(struct addrinfo *hints, int socktype, int flags)
{
	memset(hints, 0, sizeof *hints);
	hints->ai_family = AF_UNSPEC;
	hints->ai_socktype = socktype;
	hints->ai_flags = flags;
}

static void
resolve_lookup_free(struct resolve_lookup *l)
{
	free(l->host);
	free(l->port);
	free(l);
}

/* Locked: give the request its answer; the loop takes it from there. */
static void
resolve_answer(struct resolve *r, int error, int saved_errno,
    struct addrinfo *ai)
{
	r->error = error;
	r->saved_errno = saved_errno;
	r->ai = ai;
	r->finished = 1;
	r->lookup = NULL;
	ev_async_send(r->loop, &r->async);
}

/* A pool thread: the lookups no thread has yet, one after the other. */
static void *
resolve_thread(void *unused)
{
	struct resolve_lookup	*l;
	struct addrinfo		 hints, *ai;
	int			 error, saved_errno;

	pthread_mutex_lock(&resolve_pool.lock);
	for (;;) {
		TAILQ_FOREACH(l, &resolve_pool.lookups, entry) {
			if (!l->running)
				break;
		}
		if (l == NULL)
			break;
		l->running = 1;
		pthread_mutex_unlock(&resolve_pool.lock);

		ai = NULL;
		resolve_hints(&hints, l->socktype, 0);
		error = getaddrinfo(l->host, l->port, &hints, &ai);
		saved_errno = errno;

		pthread_mutex_lock(&resolve_pool.lock);
		TAILQ_REMOVE(&resolve_pool.lookups, l, entry);
		if (l->waiter != NULL) {
			resolve_answer(l->waiter, error, saved_errno, ai);
			ai = NULL;
		}
		if (ai != NULL)
			freeaddrinfo(ai);
		resolve_lookup_free(l);
	}
	resolve_pool.threads--;
	pthread_mutex_unlock(&resolve_pool.lock);
	return (NULL);
}

/* Locked: one more thread if the cap allows; -1 and errno if none runs. */
static int
resolve_pool_grow(void)
{
	pthread_attr_t	 attr;
	pthread_t	 thread;
	sigset_t	 all, old;
	int		 error;

	if (resolve_pool.threads >= RESOLVE_THREADS)
		return (0);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* The thread takes no signal: they are the loop's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	error = pthread_create(&thread, &attr, resolve_thread, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (error == 0) {
		resolve_pool.threads++;
		return (0);
	}
	if (resolve_pool.threads > 0)
		return (0);	/* one of them will get to it */
	errno = error;
	return (-1);
}

static void
resolve_free(struct resolve *r)
{
	ev_async_stop(r->loop, &r->async);
	if (r->ai != NULL)
		freeaddrinfo(r->ai);
	free(r->host);
	free(r);
}

static void
resolve_async_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct resolve	*r = w->data;
	struct addrinfo	*ai;
	char		*error = NULL;

	pthread_mutex_lock(&resolve_pool.lock);
	if (!r->finished) {
		pthread_mutex_unlock(&resolve_pool.lock);
		return;
	}
	ai = r->ai;
	r->ai = NULL;
	pthread_mutex_unlock(&resolve_pool.lock);

	if (r->error != 0) {
		xasprintf(&error, "cannot resolve %s: %s", r->host,
		    r->error == EAI_SYSTEM ? strerror(r->saved_errno) :
		    gai_strerror(r->error));
	} else if (ai == NULL)
		xasprintf(&error, "cannot resolve %s: no address", r->host);
	/* resolve_cancel() from inside the callback does nothing. */
	r->delivered = 1;
	r->cb(ai, error, r->arg);
	free(error);
	resolve_free(r);
}

/*
 * Look HOST, PORT up for socktype; cb runs later, from the loop, unless
 * resolve_cancel() comes first. Never NULL.
 */
struct resolve *
resolve_start(const char *host, const char *port, int socktype,
    resolve_cb *cb, void *arg)
{
	struct resolve		*r;
	struct resolve_lookup	*l;
	struct addrinfo		 hints, *ai = NULL;

	r = xcalloc(1, sizeof *r);
	r->host = xstrdup(host);
	r->cb = cb;
	r->arg = arg;
	r->loop = EV_DEFAULT;
	ev_async_init(&r->async, resolve_async_cb);
	r->async.data = r;
	ev_async_start(r->loop, &r->async);

	/* A numeric address needs no thread; the answer still comes later. */
	resolve_hints(&hints, socktype, AI_NUMERICHOST);
	pthread_mutex_lock(&resolve_pool.lock);
	if (getaddrinfo(host, port, &hints, &ai) == 0) {
		resolve_answer(r, 0, 0, ai);
		goto out;
	}

	/* The same caller's lookup of the same name, still running. */
	TAILQ_FOREACH(l, &resolve_pool.lookups, entry) {
		if (l->waiter == NULL && l->owner == arg &&
		    l->socktype == socktype && strcmp(l->host, host) == 0 &&
		    (l->port == NULL ? port == NULL :
		    port != NULL && strcmp(l->port, port) == 0))
			break;
	}
	if (l == NULL) {
		l = xcalloc(1, sizeof *l);
		l->host = xstrdup(host);
		l->port = port != NULL ? xstrdup(port) : NULL;
		l->socktype = socktype;
		l->owner = arg;
		TAILQ_INSERT_TAIL(&resolve_pool.lookups, l, entry);
		if (resolve_pool_grow() == -1) {
			TAILQ_REMOVE(&resolve_pool.lookups, l, entry);
			resolve_lookup_free(l);
			resolve_answer(r, EAI_SYSTEM, errno, NULL);
			goto out;
		}
	}
	l->waiter = r;
	r->lookup = l;
out:
	pthread_mutex_unlock(&resolve_pool.lock);
	return (r);
}

/*
 * After this the callback never runs. The handle is gone once the callback
 * has returned or this was called: forget it then. NULL is fine.
 */
void
resolve_cancel(struct resolve *r)
{
	struct resolve_lookup	*l;

	if (r == NULL || r->delivered)
		return;
	pthread_mutex_lock(&resolve_pool.lock);
	if ((l = r->lookup) != NULL) {
		l->waiter = NULL;
		if (!l->running) {
			TAILQ_REMOVE(&resolve_pool.lookups, l, entry);
			resolve_lookup_free(l);
		}
	}
	pthread_mutex_unlock(&resolve_pool.lock);
	resolve_free(r);
}
