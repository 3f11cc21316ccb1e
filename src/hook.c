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

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "hinit.h"
#include "app.h"

#define HOOK_QUEUE_MAX	64	/* events waiting; the oldest go first */
#define HOOK_LINE_MAX	4096	/* longer lines are logged in pieces */
#define HOOK_KILL_DELAY	1.0	/* seconds from SIGTERM to SIGKILL */

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

	struct proc		 proc;		/* the run, if running */
	struct proc_output	*out;		/* its output */
	ev_timer		 timer;		/* hook_timeout */
	int			 timed_out;
	int			 stopped;	/* hook_stop(): no more runs */
};

static void	hook_run(struct hook *);
static void	hook_timer_cb(struct ev_loop *, ev_timer *, int);

struct hook *
hook_new(const char *command, uint64_t timeout)
{
	struct hook	*k;

	k = xcalloc(1, sizeof *k);
	k->command = xstrdup(command);
	k->timeout = timeout;
	TAILQ_INIT(&k->queue);
	ev_init(&k->timer, hook_timer_cb);
	k->timer.data = k;
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
	if (!k->proc.running)
		hook_run(k);
}

/*
 * A line of the hook's output, in the log; blank ones are not. A piece of
 * a longer line may begin or end inside a secret: scrubbed as such.
 */
static void
hook_output_cb(const char *data, size_t len, int flags, void *arg)
{
	if (len != 0)
		log_info_output("on_change: ", data, len,
		    flags & PROC_OUTPUT_CUT);
}

/* hook_timeout: SIGTERM to its group, SIGKILL a little later. */
static void
hook_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct hook	*k = w->data;
	char		 tmp[32];

	if (!k->proc.running)
		return;
	log_warnx("on_change: still running after %s: SIGTERM",
	    duration_format(k->timeout, tmp, sizeof tmp));
	k->timed_out = 1;
	proc_terminate(&k->proc, SIGTERM, HOOK_KILL_DELAY, 1, NULL);
}

static void
hook_exited(struct proc *p, int status, void *arg)
{
	struct hook	*k = arg;

	ev_timer_stop(EV_DEFAULT, &k->timer);
	/* What is left in the pipe; a child still holding it is cut off. */
	proc_output_read(k->out);
	proc_output_free(k->out);
	k->out = NULL;
	proc_terminate_stop(p);
	if (k->timed_out)
		proc_signal(p, SIGKILL, PROC_SIGNAL_GROUP);
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
	int			 fd;
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

	memset(&ps, 0, sizeof ps);
	ps.shell_command = k->command;
	ps.env = env;
	/* Spared at the end: the hook told of it runs to its own end. */
	ps.flags = PROC_STDIN_NULL | PROC_OUTPUT | PROC_SPARED;
	if (proc_spawn(&k->proc, &ps, hook_exited, k, &fd, &cause) != 0) {
		log_warnx("on_change: %s", cause);
		free(cause);
		goto out;
	}
	k->timed_out = 0;
	k->out = proc_output_new(fd, HOOK_LINE_MAX, hook_output_cb, k);
	ev_timer_set(&k->timer, k->timeout / 1000.0, 0);
	ev_timer_start(EV_DEFAULT, &k->timer);

out:
	for (i = 0; env[i] != NULL; i++)
		free(env[i]);
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
	proc_forget(&k->proc);
	proc_terminate_stop(&k->proc);
	ev_timer_stop(EV_DEFAULT, &k->timer);
	proc_output_free(k->out);
	free(k->command);
	free(k);
}
