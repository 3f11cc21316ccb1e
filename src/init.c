/*
 * init.c: init mode from start to exit: publishing, probes, the launch of
 * the app, what a check turning unhealthy does, and the stop sequence
 * (drain, forward, grace, SIGKILL, exit with the app's code). It owns the
 * running init and hands the app, the launch, the hook, the reaper and the
 * signal reader what each needs, hearing back through callbacks.
 */

#include <sys/prctl.h>
#include <sys/types.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hinit.h"
#include "check.h"
#include "config.h"
#include "init.h"
#include "status.h"

static void	hinit_exit(struct hinit *, int);

/* What the publisher shows (status.h): the init as it is now. */
static void
hinit_snapshot(struct status_snapshot *snap, void *arg)
{
	struct hinit	*h = arg;

	snap->stopping = h->stopping;
	snap->app_state = h->app.state;
	snap->app_pid = h->app.pid;
	snap->app_restarts = h->app.restarts;
	snap->app_given_up = h->app.given_up;
	snap->reaped = h->reaped;
	snap->list = &h->conf->checks;
	snap->version = h->conf->version;
}

/* Something changed: republish, and tell the hook of a new overall state. */
static void
hinit_changed(struct hinit *h)
{
	enum overall	 o;

	if (h->status != NULL)
		status_changed(h->status);
	if (h->hook == NULL)
		return;
	o = status_overall(h->status, STATUS_VIEW_READY);
	if (o == OVERALL_WARN)
		o = OVERALL_HEALTHY;	/* the same state, told by checks */
	if ((int)o == h->told)
		return;
	hook_event(h->hook, "state", NULL, status_verdict_name(o),
	    status_verdict_name(h->told), NULL);
	h->told = o;
}

static void
hinit_probe_cb(struct check *check, int changed, void *arg)
{
	struct hinit		*h = arg;
	const struct attempt	*a;

	if (changed && h->hook != NULL) {
		a = probe_last(check);
		hook_event(h->hook, "check", check->name,
		    check_state_name(check->state),
		    check_state_name(check->previous),
		    a != NULL ? a->output : NULL);
	}
	if (changed)
		hinit_changed(h);
	else if (h->status != NULL)
		status_attempted(h->status);
	if (changed && check->state == CHECK_HEALTHY)
		task_probe(h->launch);
	if (!changed || check->state != CHECK_UNHEALTHY)
		return;
	if (check->role != CHECK_ROLE_LIVE || h->stopping || h->exit_code != -1)
		return;
	/* Only an app that runs can be judged: not before, not in back-off. */
	if (h->app.pid <= 0 || h->app.restart_now)
		return;
	/* The app said it is stopping: its exit decides what comes next. */
	if (check == h->notify && notify_stopping(check))
		return;
	switch (h->conf->on_unhealthy) {
	case ON_UNHEALTHY_NONE:
		break;
	case ON_UNHEALTHY_RESTART:
		log_info("check %s is unhealthy: restarting the app",
		    check->name);
		app_restart(&h->app);
		break;
	case ON_UNHEALTHY_EXIT:
		log_info("check %s is unhealthy: exiting", check->name);
		hinit_exit(h, 1);
		break;
	}
}

/* Forward a signal to the app, or before it runs to the task running. */
static void
hinit_forward(struct hinit *h, int sig)
{
	if (h->app.pid > 0)
		app_signal(&h->app, sig, 0);
	else
		task_signal(h->launch, sig);
}

/* The grace is over: no hook runs any more; SIGKILL to what is left. */
static void
hinit_grace_over(struct hinit *h, int left)
{
	char	 tmp[32];

	hook_stop(h->hook);
	if (left) {
		log_info("grace of %s is over: killing what is left",
		    duration_format(h->conf->grace, tmp, sizeof tmp));
	}
}

/* The grace is over and the app still runs: SIGKILL; its exit comes. */
static void
hinit_grace_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct hinit	*h = w->data;
	int		 left = proc_children_left();

	hinit_grace_over(h, left);
	if (left)
		proc_kill_all(SIGKILL, h->pid1);
}

static __dead void
hinit_finish(struct hinit *h)
{
	int	 code = h->exit_code;

	probe_stop(&h->conf->checks);
	proc_output_drain();
	httpd_free(h->httpd);
	status_free(h->status);
	app_free(&h->app);
	log_verbose("exiting with %d", code);
	exit(code);
}

/* The end of everything left, at the exit: its log lines, then exit. */
static void
hinit_end_cb(struct proc_end *pe, enum proc_end_step step, u_int n,
    const char *names, void *arg)
{
	struct hinit	*h = arg;

	switch (step) {
	case PROC_END_KILL:
		hinit_grace_over(h, n > 0);
		break;
	case PROC_END_LEFT:
		log_warnx("processes are left after SIGKILL: exiting anyway");
		break;
	case PROC_END_DONE:
		hinit_finish(h);
	case PROC_END_TERM:
	case PROC_END_MORE:
		break;
	}
}

/*
 * The app is gone (or will never start): SIGTERM every other process, wait
 * up to the grace (ending as soon as none is left; what runs of a grace
 * begun by a stop), SIGKILL, then exit with the code.
 */
static void
hinit_exit(struct hinit *h, int code)
{
	struct ev_loop	*loop = EV_DEFAULT;
	double		 grace = h->conf->grace / 1000.0;

	if (h->exit_code != -1) {
		if (!proc_children_left())
			hinit_finish(h);
		return;
	}
	h->exit_code = code;
	probe_stop(&h->conf->checks);
	task_cancel(h->launch);
	app_stop(&h->app);
	ev_timer_stop(loop, &h->drain_timer);
	if (ev_is_active(&h->grace_timer)) {
		grace = ev_timer_remaining(loop, &h->grace_timer);
		ev_timer_stop(loop, &h->grace_timer);
	}
	if (proc_end_start(&h->end, SIGTERM, grace) == 0)
		hinit_finish(h);
}

static void
hinit_drain_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct hinit	*h = w->data;
	int		 sig = h->stop_signal;

	if (h->conf->stop_signal != 0)
		sig = h->conf->stop_signal;
	log_verbose("sending SIG%s to the app", signal_name(sig));
	/* SIGCONT first: a stopped app takes it so (proc_kill_stop()). */
	app_signal(&h->app, sig, PROC_SIGNAL_STOP);
	ev_timer_set(&h->grace_timer, h->conf->grace / 1000.0, 0);
	ev_timer_start(loop, &h->grace_timer);
}

/* A stop begins: everything reports "stopping" at once. */
static void
hinit_stopping(struct hinit *h, int sig)
{
	h->stopping = 1;
	h->stop_signal = sig;
	h->app.stopping = 1;
	hinit_changed(h);
}

/*
 * SIGTERM, SIGINT or SIGQUIT: report "stopping" at once, wait the drain,
 * forward the signal, wait the grace, SIGKILL what is left. A second such
 * signal during the drain cuts it short. While a task runs, the task gets
 * the signal at once (the app does not serve yet: nothing to drain) and
 * the app never starts.
 */
static void
hinit_stop(struct hinit *h, int sig)
{
	struct ev_loop	*loop = EV_DEFAULT;
	const char	*task;
	char		 tmp[32];

	if (h->exit_code != -1)
		return;
	if ((task = task_running(h->launch)) != NULL) {
		if (!h->stopping) {
			log_info("SIG%s: stopping task %s", signal_name(sig),
			    task);
			hinit_stopping(h, sig);
			ev_timer_set(&h->grace_timer,
			    h->conf->grace / 1000.0, 0);
			ev_timer_start(loop, &h->grace_timer);
		}
		task_stop(h->launch, sig);
		return;
	}
	if (h->app.pid <= 0) {
		log_info("SIG%s: stopping", signal_name(sig));
		hinit_stopping(h, sig);
		/* As if killed by it. */
		hinit_exit(h, app_exit_code(&h->app, sig));
		return;
	}
	if (h->stopping) {
		if (ev_is_active(&h->drain_timer)) {
			ev_timer_stop(loop, &h->drain_timer);
			hinit_drain_cb(loop, &h->drain_timer, 0);
		} else
			hinit_forward(h, sig);
		return;
	}
	hinit_stopping(h, sig);
	if (h->conf->drain == 0) {
		log_info("SIG%s: stopping", signal_name(sig));
		hinit_drain_cb(loop, &h->drain_timer, 0);
		return;
	}
	log_info("SIG%s: stopping, draining for %s", signal_name(sig),
	    duration_format(h->conf->drain, tmp, sizeof tmp));
	ev_timer_set(&h->drain_timer, h->conf->drain / 1000.0, 0);
	ev_timer_start(loop, &h->drain_timer);
}

/* A signal read: the stop, or forwarded. */
static void
hinit_signal_cb(int sig, int stop, void *arg)
{
	struct hinit	*h = arg;

	if (stop)
		hinit_stop(h, sig);
	else
		hinit_forward(h, sig);
}

/* After every reap: orphans counted; the ends under way go on. */
static void
hinit_reaped_cb(pid_t pid, int owned, void *arg)
{
	struct hinit	*h = arg;

	if (!owned)
		h->reaped++;
	proc_end_reaped(&h->end);
	app_reaped(&h->app);
}

static void
hinit_app_changed(void *arg)
{
	hinit_changed(arg);
}

/* The app restarts: its checks start over, start_period begins now. */
static void
hinit_app_restarting(void *arg)
{
	struct hinit	*h = arg;

	probe_reset(&h->conf->checks);
}

static void
hinit_app_exit(int code, void *arg)
{
	hinit_exit(arg, code);
}

/* Gates and tasks are done: the app starts (its checks over if held). */
static void
hinit_launch_ready(int waited, void *arg)
{
	struct hinit	*h = arg;

	if (waited)
		probe_reset(&h->conf->checks);
	if (app_start(&h->app) != 0)
		hinit_exit(h, 1);
}

/* A task ended on a stop signal: exit as if the app had been killed. */
static void
hinit_launch_stopped(void *arg)
{
	struct hinit	*h = arg;

	hinit_exit(h, app_exit_code(&h->app, h->stop_signal));
}

/*
 * What the app gets over hinit's environment: not the variables that hand
 * files' secrets to commands; where it reads hinit's verdict (an
 * /api/health of its own); with notify, where to tell and how often
 * (sd_watchdog_enabled).
 */
static char **
hinit_app_env(struct hinit *h)
{
	char		**env, **hidden;
	const char	*file;
	u_int		 n = 0, i;

	hidden = secret_variables();
	for (i = 0; hidden != NULL && hidden[i] != NULL; i++)
		/* nothing */;
	env = xcalloc(i + 4, sizeof *env);
	for (i = 0; hidden != NULL && hidden[i] != NULL; i++)
		env[n++] = xstrdup(hidden[i]);
	if ((file = status_where(h->status)) != NULL)
		xasprintf(&env[n++], "HINIT_STATUS_FILE=%s", file);
	if (h->notify != NULL) {
		xasprintf(&env[n++], "NOTIFY_SOCKET=%s",
		    notify_address(h->notify));
		if (h->conf->watchdog != 0) {
			xasprintf(&env[n++], "WATCHDOG_USEC=%llu",
			    (unsigned long long)h->conf->watchdog * 1000);
		}
	}
	if (n == 0) {
		free(env);
		return (NULL);
	}
	return (env);
}

/* The app and the launch: what they need, and where they tell the init. */
static void
hinit_app_setup(struct hinit *h, char **argv)
{
	struct app	*app = &h->app;

	app->argv = argv;
	app->env = h->app_env = hinit_app_env(h);
	app->conf = h->conf;
	app->exit_zero = h->opts->exit_zero;
	app->nexit_zero = h->opts->nexit_zero;
	app->hook = h->hook;
	app->notify = h->notify;
	app->changed = hinit_app_changed;
	app->restarting = hinit_app_restarting;
	app->exit = hinit_app_exit;
	app->arg = h;
	app_init(app);

	h->launch_cb.changed = hinit_app_changed;
	h->launch_cb.ready = hinit_launch_ready;
	h->launch_cb.exit = hinit_app_exit;
	h->launch_cb.stopped = hinit_launch_stopped;
	h->launch_cb.arg = h;
}

/* PID 1, or a child subreaper; -p. */
void
hinit_become_init(struct hinit *h)
{
	h->pid1 = getpid() == 1;
	if (!h->pid1) {
		if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
			log_warn("cannot become a child subreaper");
		else
			h->subreaper = 1;
	}
	if (h->opts->pdeath_signal != 0 &&
	    prctl(PR_SET_PDEATHSIG, h->opts->pdeath_signal) == -1)
		fatal("-p");
}

/* Init mode, once the config is read: never returns. */
__dead void
hinit_run(struct hinit *h, char **argv)
{
	struct ev_loop	*loop;
	struct check	*c;
	char		*cause;
	u_int		 n;

	log_set_format(h->conf->log_format);
	/* Said once the config is good, in its log format. */
	if (h->subreaper && !h->opts->subreaper)
		log_info("not PID 1: acting as a child subreaper");

	/*
	 * Signals are read from a signalfd while they stay blocked, as tini
	 * reads them with sigtimedwait: no handler of hinit's runs, not even
	 * in a child before its exec, and a signal that comes during start-up
	 * waits, pending, for its watcher.
	 */
	if ((loop = ev_default_loop(EVFLAG_AUTO | EVFLAG_SIGNALFD)) == NULL)
		fatalx("cannot initialise the event loop");
	ev_timer_init(&h->drain_timer, hinit_drain_cb, 0, 0);
	h->drain_timer.data = h;
	ev_timer_init(&h->grace_timer, hinit_grace_cb, 0, 0);
	h->grace_timer.data = h;
	proc_end_init(&h->end, h->pid1 ? PROC_END_EVERYTHING : 0,
	    hinit_end_cb, h);
	proc_start(hinit_reaped_cb, h);

	h->status = status_new(h->conf->status_file, hinit_snapshot, h);
	if (h->conf->listen != NULL) {
		n = 0;
		TAILQ_FOREACH(c, &h->conf->checks, entry)
			n++;
		h->httpd = httpd_start(h->status, h->conf->listen,
		    h->conf->max_connections, n, &cause);
		if (h->httpd == NULL) {
			log_error("listen %s: %s", h->conf->listen, cause);
			exit(EXIT_USAGE);
		}
	}

	if (h->conf->notify) {
		h->notify = config_find_check(h->conf, "app");
		if (notify_open(h->notify, h->conf->watchdog, &cause) != 0)
			fatalx("%s", cause);
	}

	h->told = OVERALL_STARTING;
	if (h->conf->on_change != NULL)
		h->hook = hook_new(h->conf->on_change, h->conf->hook_timeout);

	hinit_app_setup(h, argv);
	/*
	 * The checks first (their first attempts are timers), then the
	 * launch: gates, tasks, the app, which starts here at once when
	 * nothing holds it back. Signals stay blocked until then: none is
	 * lost meanwhile.
	 */
	probe_start(&h->conf->checks, hinit_probe_cb, h);
	h->launch = task_launch(h->conf, &h->launch_cb);
	signal_start(&h->signals, hinit_signal_cb, h);
	hinit_changed(h);

	ev_run(loop, 0);
	fatalx("the event loop ended");
}

