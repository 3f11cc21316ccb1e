/*
 * app.c: the app's life: start it (its own process group, the terminal),
 * forward signals to it, and when it exits restart it as the policy says,
 * after a back-off that doubles, within a budget (restart_limit), once what
 * the old one left is gone; or tell the init that it is over. The init
 * sets what it needs in struct app and hears back through its callbacks.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "hinit.h"
#include "check.h"
#include "config.h"
#include "app.h"

#define APP_STABLE	10.0	/* seconds: a longer run resets the back-off */

static void	app_exited(struct proc *, int, void *);
static void	app_backoff(struct app *);
static void	app_restart_start(struct app *);

/* What ends the app, or what it left, for a restart: stop_signal. */
static int
app_stop_signal(struct app *app)
{
	return (app->conf->stop_signal != 0 ? app->conf->stop_signal : SIGTERM);
}

/*
 * restart_limit: would one more restart make more than restart_limit within
 * restart_window? The ring holds the times of the last restart_limit.
 */
static int
app_budget_spent(struct app *app)
{
	const struct config	*conf = app->conf;
	double			 now = ev_now(EV_DEFAULT);
	u_int			 i, kept, n = 0;

	if (conf->restart_limit == 0)
		return (0);
	kept = app->restarts;
	if (kept > conf->restart_limit)
		kept = conf->restart_limit;
	for (i = 0; i < kept; i++) {
		if ((now - app->restart_times[i]) * 1000.0 <
		    (double)conf->restart_window)
			n++;
	}
	return (n >= conf->restart_limit);
}

/*
 * restart_limit is reached: no more restarts. Exit with the app's last code
 * as it was, not mapped by -e: the orchestrator must see a crash loop as
 * one, and its own restart policy take over.
 */
static void
app_give_up(struct app *app)
{
	char	 tmp[32], *s;
	int	 code = proc_exit_code(app->status);

	xasprintf(&s, "%s restarted %u time%s within %s (restart_limit): "
	    "giving up, exiting with %d", app->argv[0], app->conf->restart_limit,
	    app->conf->restart_limit == 1 ? "" : "s",
	    duration_format(app->conf->restart_window, tmp, sizeof tmp), code);
	log_warnx("%s", s);
	hook_event(app->hook, "restart_limit", NULL, "exited", "restarting", s);
	free(s);
	app->given_up = 1;
	app->state = APP_EXITED;
	app->changed(app->arg);
	app->exit(code, app->arg);
}

static void
app_restart_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct app	*app = w->data;

	if (app->end.stage != 0) {
		app->restart_due = 1;
		return;
	}
	app_restart_start(app);
}

/* Ending what the old app left: the log says each step. */
static void
app_end_cb(struct proc_end *pe, enum proc_end_step step, u_int n,
    const char *names, void *arg)
{
	struct app	*app = arg;
	char		 tmp[32];

	switch (step) {
	case PROC_END_TERM:
		log_info("%s left %u process%s: SIG%s to %s", app->argv[0],
		    n, n == 1 ? "" : "es", signal_name(pe->sig), names);
		break;
	case PROC_END_MORE:
		log_info("%s left more: SIG%s to %s", app->argv[0],
		    signal_name(pe->stage == PROC_END_KILL ? SIGKILL :
		    pe->sig), names);
		break;
	case PROC_END_KILL:
		if (n > 0) {
			log_info("grace of %s is over: SIGKILL to %s",
			    duration_format(app->conf->grace, tmp, sizeof tmp),
			    names);
		}
		break;
	case PROC_END_LEFT:
		log_warnx("what %s left is still there after SIGKILL: "
		    "going on", app->argv[0]);
		break;
	case PROC_END_DONE:
		/* What the old app left is gone, or will not go. */
		if (app->restart_due)
			app_restart_start(app);
		break;
	}
}

void
app_init(struct app *app)
{
	ev_init(&app->restart_timer, app_restart_cb);
	app->restart_timer.data = app;
	proc_end_init(&app->end, PROC_END_LEFTOVERS, app_end_cb, app);
	app->state = APP_WAITING;
}

/*
 * The back-off is over and nothing the old app left runs: start it again.
 * A start that fails (fork: EAGAIN at pids.max) counts as a restart and is
 * tried again after the next back-off, as if the app had exited at once.
 */
static void
app_restart_start(struct app *app)
{
	u_int	 limit = app->conf->restart_limit;

	app->restart_due = 0;
	if (limit != 0) {
		if (app->restart_times == NULL)
			app->restart_times = xcalloc(limit, sizeof (double));
		app->restart_times[app->restarts % limit] = ev_now(EV_DEFAULT);
	}
	app->restarts++;
	app->restarting(app->arg);
	if (app_start(app) == 0)
		return;
	if (app_budget_spent(app)) {
		app_give_up(app);
		return;
	}
	app->started = ev_now(EV_DEFAULT);
	app_backoff(app);
	app->changed(app->arg);
}

int
app_start(struct app *app)
{
	struct proc_spawn	 ps;
	char			*cause;

	/*
	 * What runs now is not the app's to end when it restarts: before a
	 * restart, stop_signal (SIGTERM) goes to every process below hinit
	 * but an exec check's, a task's, and those (so that none of it holds
	 * the app's port or files when it starts again).
	 */
	if (app->conf->restart != RESTART_NO ||
	    app->conf->on_unhealthy == ON_UNHEALTHY_RESTART)
		proc_end_keep(&app->end);
	memset(&ps, 0, sizeof ps);
	ps.argv = app->argv;
	ps.env = app->env;
	ps.flags = PROC_FOREGROUND;
	if (proc_spawn(&app->proc, &ps, app_exited, app, NULL, &cause) != 0) {
		log_warnx("cannot start %s: %s", app->argv[0], cause);
		free(cause);
		return (-1);
	}
	if (app->notify != NULL)
		notify_app(app->notify, app->proc.pid);
	app->pid = app->proc.pid;
	app->state = APP_RUNNING;
	app->started = ev_now(EV_DEFAULT);
	log_verbose("started %s (pid %ld)", app->argv[0], (long)app->pid);
	app->changed(app->arg);
	return (0);
}

int
app_exit_code(const struct app *app, int status)
{
	u_int	 i;
	int	 code = proc_exit_code(status);

	for (i = 0; i < app->nexit_zero; i++) {
		if (app->exit_zero[i] == code)
			return (0);
	}
	return (code);
}

static void
app_exited(struct proc *p, int status, void *arg)
{
	struct app		*app = arg;
	const struct config	*conf = app->conf;
	int			 code = app_exit_code(app, status);

	app->pid = 0;
	app->status = status;
	if (app->notify != NULL)
		notify_app(app->notify, 0);
	proc_terminate_stop(p);
	if (WIFSIGNALED(status)) {
		log_info("%s (pid %ld) killed by SIG%s", app->argv[0],
		    (long)p->pid, signal_name(WTERMSIG(status)));
	} else {
		log_info("%s (pid %ld) exited with %d", app->argv[0],
		    (long)p->pid, WEXITSTATUS(status));
	}

	if (app->stopping || (!app->restart_now &&
	    (conf->restart == RESTART_NO ||
	    (conf->restart == RESTART_ON_FAILURE && code == 0)))) {
		app->state = APP_EXITED;
		app->changed(app->arg);
		app->exit(code, app->arg);
		return;
	}

	app->restart_now = 0;
	if (app_budget_spent(app)) {
		app_give_up(app);
		return;
	}
	app->state = APP_RESTARTING;
	app_backoff(app);
	/* The back-off runs meanwhile; it starts when both are over. */
	proc_end_start(&app->end, app_stop_signal(app), conf->grace / 1000.0);
	app->changed(app->arg);
}

/* The next start after the back-off, doubled each time up to its cap. */
static void
app_backoff(struct app *app)
{
	const struct config	*conf = app->conf;
	double			 ran;
	char			 tmp[32], *s;

	ran = ev_now(EV_DEFAULT) - app->started;
	if (app->restart_delay == 0 || ran >= APP_STABLE)
		app->restart_delay = conf->restart_delay;
	xasprintf(&s, "restarting %s in %s", app->argv[0],
	    duration_format(app->restart_delay, tmp, sizeof tmp));
	log_info("%s", s);
	hook_event(app->hook, "restart", NULL, "restarting", "running", s);
	free(s);
	ev_timer_stop(EV_DEFAULT, &app->restart_timer);
	ev_timer_set(&app->restart_timer, app->restart_delay / 1000.0, 0);
	ev_timer_start(EV_DEFAULT, &app->restart_timer);
	app->restart_delay *= 2;
	if (app->restart_delay > conf->restart_delay_max)
		app->restart_delay = conf->restart_delay_max;
}

/* on_unhealthy = restart: an app that ignores stop_signal gets SIGKILL. */
static void
app_killed(struct proc *p, int running, void *arg)
{
	struct app	*app = arg;

	if (running) {
		log_info("%s (pid %ld) still runs after the grace: SIGKILL",
		    app->argv[0], (long)p->pid);
	}
}

/*
 * on_unhealthy = restart: stop_signal (to the group with -g), SIGKILL after
 * the grace; its exit restarts it whatever the restart policy, after the
 * back-off.
 */
void
app_restart(struct app *app)
{
	if (app->pid <= 0 || app->restart_now)
		return;
	app->restart_now = 1;
	proc_terminate(&app->proc, app_stop_signal(app),
	    app->conf->grace / 1000.0, app->conf->kill_group, app_killed);
}

void
app_signal(struct app *app, int sig, int flags)
{
	if (app->conf->kill_group)
		flags |= PROC_SIGNAL_GROUP;
	if (app->pid > 0)
		proc_signal(&app->proc, sig, flags);
}

void
app_reaped(struct app *app)
{
	proc_end_reaped(&app->end);
}

void
app_stop(struct app *app)
{
	app->stopping = 1;
	proc_terminate_stop(&app->proc);
	ev_timer_stop(EV_DEFAULT, &app->restart_timer);
	proc_end_stop(&app->end);
}

void
app_free(struct app *app)
{
	app_stop(app);
	proc_end_free(&app->end);
	free(app->restart_times);
	app->restart_times = NULL;
}
