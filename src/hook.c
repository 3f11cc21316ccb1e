/*
 * hook.c: on_change: a command run by /bin/sh -c on each event (a check's
 * state or the overall state changes, the app restarts, the restart limit
 * is reached), told the event in its environment: HINIT_EVENT,
 * HINIT_CHECK, HINIT_STATE, HINIT_PREVIOUS, HINIT_OUTPUT. One runs at a
 * time. Events wait in a bounded queue, where a newer event about the same
 * thing takes the place of one not yet run (and both go when it returns to
 * where it was). The hook's output is logged line by line as
 * "on_change: ..."; hook_timeout ends it (SIGTERM to its group, SIGKILL a
 * second later). What a hook does or how it ends changes nothing else.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hinit.h"
#include "init.h"

#define HOOK_QUEUE_MAX	64	/* events waiting; the oldest go first */
#define HOOK_LINE_MAX	4096	/* longer lines are logged in pieces */
#define HOOK_KILL_DELAY	1.0	/* seconds from SIGTERM to SIGKILL */
#define HOOK_READ_MAX	16	/* reads a turn of the loop, at most */

struct hook_event {
	char			*event;
	char			*check;		/* NULL: not about one check */
	char			*state;
	char			*previous;
	char			*output;
	TAILQ_ENTRY(hook_event)	 entry;
};
TAILQ_HEAD(hook_queue, hook_event);

struct hook {
	char			*command;
	uint64_t		 timeout;	/* ms */
	struct hook_queue	 queue;
	u_int			 queued;
	u_int			 dropped;	/* since the last said */

	pid_t			 pid;		/* the one running; 0 */
	int			 fd;		/* its output; -1 */
	ev_io			 io;
	struct buf		 line;
	int			 cut;		/* line goes on a longer one */
	ev_timer		 timer;		/* timeout, then SIGKILL */
	int			 timed_out;
	int			 stopped;	/* hook_stop(): no more runs */
};

static void	hook_run(struct hook *);

struct hook *
hook_new(const char *command, uint64_t timeout)
{
	struct hook	*k;

	k = xcalloc(1, sizeof *k);
	k->command = xstrdup(command);
	k->timeout = timeout;
	k->fd = -1;
	TAILQ_INIT(&k->queue);
	buf_init(&k->line);
	return (k);
}

static void
hook_event_free(struct hook_event *e)
{
	free(e->event);
	free(e->check);
	free(e->state);
	free(e->previous);
	free(e->output);
	free(e);
}

static int
hook_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

static char *
hook_strdup(const char *s)
{
	return (s != NULL ? xstrdup(s) : NULL);
}

/*
 * Something happened: queue it, or fold it into a waiting event about the
 * same thing, and run the hook if it is idle.
 */
void
hook_event(struct hook *k, const char *event, const char *check,
    const char *state, const char *previous, const char *output)
{
	struct hook_event	*e;

	if (k == NULL || k->stopped)
		return;
	TAILQ_FOREACH(e, &k->queue, entry) {
		if (!hook_same(e->event, event) || !hook_same(e->check, check))
			continue;
		free(e->state);
		e->state = hook_strdup(state);
		free(e->output);
		e->output = hook_strdup(output);
		/* Back where it was before anyone was told: nothing. */
		if (e->state != NULL && hook_same(e->state, e->previous)) {
			TAILQ_REMOVE(&k->queue, e, entry);
			k->queued--;
			hook_event_free(e);
		}
		return;
	}
	if (k->queued == HOOK_QUEUE_MAX) {
		e = TAILQ_FIRST(&k->queue);
		TAILQ_REMOVE(&k->queue, e, entry);
		k->queued--;
		hook_event_free(e);
		if (k->dropped++ == 0)
			log_warnx("on_change: too many events waiting: the "
			    "oldest are dropped");
	}
	e = xcalloc(1, sizeof *e);
	e->event = xstrdup(event);
	e->check = hook_strdup(check);
	e->state = hook_strdup(state);
	e->previous = hook_strdup(previous);
	e->output = hook_strdup(output);
	TAILQ_INSERT_TAIL(&k->queue, e, entry);
	k->queued++;
	if (k->pid == 0)
		hook_run(k);
}

/*
 * Log the line read so far; cut: it is only a piece of a longer one, and
 * may end in the start of a secret whose rest begins the next piece.
 */
static void
hook_emit(struct hook *k, int cut)
{
	struct buf	 b;
	int		 flags = 0;

	if (k->line.len == 0) {
		k->cut = cut;
		return;
	}
	if (k->cut)
		flags |= SECRET_CUT_START;
	if ((k->cut = cut))
		flags |= SECRET_CUT_END;
	buf_init(&b);
	buf_add(&b, "", 0);
	secret_scrub(&b, k->line.data, k->line.len, flags);
	log_info("on_change: %s", b.data);
	buf_free(&b);
	buf_reset(&k->line);
}

/*
 * Read what the hook wrote, a bounded number of times a turn of the loop:
 * a hook that writes without end refills its pipe faster than its lines
 * are logged, and reading it dry would never return. At the end (EOF or
 * error), close.
 */
static void
hook_read(struct hook *k)
{
	char	 data[4096], *p, *nl;
	ssize_t	 n;
	size_t	 left, take;
	int	 reads;

	for (reads = 0; k->fd != -1; reads++) {
		if (reads == HOOK_READ_MAX)
			return;
		n = read(k->fd, data, sizeof data);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n <= 0)
			break;
		for (p = data, left = n; left > 0; p += take, left -= take) {
			nl = memchr(p, '\n', left);
			take = nl != NULL ? (size_t)(nl - p) : left;
			if (k->line.len + take > HOOK_LINE_MAX)
				take = HOOK_LINE_MAX - k->line.len;
			buf_add(&k->line, p, take);
			if (nl == p + take) {
				take++;
				hook_emit(k, 0);
			} else if (k->line.len == HOOK_LINE_MAX)
				hook_emit(k, 1);
		}
	}
	hook_emit(k, 0);
	ev_io_stop(EV_DEFAULT, &k->io);
	close(k->fd);
	k->fd = -1;
}

static void
hook_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	hook_read(w->data);
}

static void
hook_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct hook	*k = w->data;
	char		 tmp[32];

	if (k->pid <= 0)
		return;
	if (k->timed_out) {
		kill(-k->pid, SIGKILL);
		return;
	}
	log_warnx("on_change: still running after %s: SIGTERM",
	    duration_format(k->timeout, tmp, sizeof tmp));
	k->timed_out = 1;
	kill(-k->pid, SIGTERM);
	ev_timer_set(&k->timer, HOOK_KILL_DELAY, 0);
	ev_timer_start(loop, &k->timer);
}

static void
hook_exited(pid_t pid, int status, void *arg)
{
	struct hook	*k = arg;

	ev_timer_stop(EV_DEFAULT, &k->timer);
	/* What is left in the pipe; a child still holding it is cut off. */
	if (k->fd != -1) {
		hook_read(k);
		if (k->fd != -1) {
			hook_emit(k, 0);
			ev_io_stop(EV_DEFAULT, &k->io);
			close(k->fd);
			k->fd = -1;
		}
	}
	if (k->timed_out)
		kill(-pid, SIGKILL);
	k->pid = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		log_warnx("on_change: exited with %d", WEXITSTATUS(status));
	} else if (WIFSIGNALED(status)) {
		log_warnx("on_change: killed by SIG%s",
		    signal_name(WTERMSIG(status)));
	}
	if (!TAILQ_EMPTY(&k->queue) && !k->stopped)
		hook_run(k);
}

/* The first event waiting, in the hook's environment. */
static void
hook_run(struct hook *k)
{
	struct hook_event	*e;
	struct proc_spawn	 ps;
	char			*env[6], *cause = NULL;
	pid_t			 pid;
	int			 p[2];
	u_int			 i;

	if ((e = TAILQ_FIRST(&k->queue)) == NULL)
		return;
	TAILQ_REMOVE(&k->queue, e, entry);
	k->queued--;
	if (k->dropped > 1)
		log_warnx("on_change: %u events dropped", k->dropped);
	k->dropped = 0;

	xasprintf(&env[0], "HINIT_EVENT=%s", e->event);
	xasprintf(&env[1], "HINIT_CHECK=%s", e->check != NULL ? e->check : "");
	xasprintf(&env[2], "HINIT_STATE=%s", e->state != NULL ? e->state : "");
	xasprintf(&env[3], "HINIT_PREVIOUS=%s",
	    e->previous != NULL ? e->previous : "");
	xasprintf(&env[4], "HINIT_OUTPUT=%s",
	    e->output != NULL ? e->output : "");
	env[5] = NULL;
	hook_event_free(e);

	if (pipe2(p, O_CLOEXEC) == -1) {
		log_warn("on_change: pipe");
		goto out;
	}
	memset(&ps, 0, sizeof ps);
	ps.shell_command = k->command;
	ps.stdin_null = 1;
	ps.stdout_fd = ps.stderr_fd = p[1];
	ps.env = env;
	pid = proc_spawn(&ps, &cause);
	close(p[1]);
	if (pid == -1) {
		log_warnx("on_change: %s", cause);
		free(cause);
		close(p[0]);
		goto out;
	}
	k->pid = pid;
	k->timed_out = 0;
	k->cut = 0;
	k->fd = p[0];
	fd_set_nonblock(k->fd);
	ev_io_init(&k->io, hook_io_cb, k->fd, EV_READ);
	k->io.data = k;
	ev_io_start(EV_DEFAULT, &k->io);
	ev_timer_init(&k->timer, hook_timer_cb, k->timeout / 1000.0, 0);
	k->timer.data = k;
	ev_timer_start(EV_DEFAULT, &k->timer);
	reap_watch(pid, hook_exited, k);

out:
	for (i = 0; env[i] != NULL; i++)
		free(env[i]);
}

/* The group of the hook running, to be spared while hinit stops; or 0. */
pid_t
hook_group(struct hook *k)
{
	return (k != NULL ? k->pid : 0);
}

/* hinit's grace is over: what waits is dropped, nothing more runs. */
void
hook_stop(struct hook *k)
{
	struct hook_event	*e;

	if (k == NULL)
		return;
	k->stopped = 1;
	while ((e = TAILQ_FIRST(&k->queue)) != NULL) {
		TAILQ_REMOVE(&k->queue, e, entry);
		k->queued--;
		hook_event_free(e);
	}
}

void
hook_free(struct hook *k)
{
	if (k == NULL)
		return;
	hook_stop(k);
	if (k->pid > 0)
		reap_unwatch(k->pid);
	ev_timer_stop(EV_DEFAULT, &k->timer);
	if (k->fd != -1) {
		ev_io_stop(EV_DEFAULT, &k->io);
		close(k->fd);
	}
	buf_free(&k->line);
	free(k->command);
	free(k);
}
