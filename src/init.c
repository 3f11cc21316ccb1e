/*
 * init.c: init mode from start to exit: publishing, probes, the launch of
 * the app, what a check turning unhealthy does, and the stop sequence
 * (drain, forward, grace, SIGKILL, exit with the app's code).
 */

#include <sys/prctl.h>
#include <sys/types.h>

#include <dirent.h>
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

#define HINIT_KILL_WAIT	2.0	/* seconds: after SIGKILL, for the last reaps */

/* The descriptors open when hinit began: the app gets them, none other. */
void
hinit_scan_fds(struct hinit *h)
{
	DIR		*d;
	struct dirent	*de;
	const char	*p;
	int		 fd, self, *fds = NULL, t;
	u_int		 n = 0, i, j;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return;
	self = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		/* Digits only, by hand: strtol's pages are not needed. */
		fd = 0;
		for (p = de->d_name; *p >= '0' && *p <= '9' && fd < 1 << 24; p++)
			fd = fd * 10 + (*p - '0');
		if (p == de->d_name || *p != '\0')
			continue;
		if (fd <= STDERR_FILENO || fd == self)
			continue;
		fds = xreallocarray(fds, n + 1, sizeof *fds);
		fds[n++] = fd;
	}
	closedir(d);
	for (i = 1; i < n; i++) {
		for (j = i; j > 0 && fds[j - 1] > fds[j]; j--) {
			t = fds[j];
			fds[j] = fds[j - 1];
			fds[j - 1] = t;
		}
	}
	h->inherited_fds = fds;
	h->ninherited_fds = n;
}

/* Something changed: republish, and tell the hook of a new overall state. */
void
hinit_changed(struct hinit *h)
{
	enum overall	 o;

	if (h->status != NULL)
		status_changed(h->status);
	if (h->hook == NULL)
		return;
	o = status_overall(h, STATUS_VIEW_READY);
	if (o == OVERALL_WARN)
		o = OVERALL_HEALTHY;	/* the same state, told by checks */
	if ((int)o == h->told)
		return;
	hook_event(h->hook, "state", NULL, status_overall_name(o),
	    status_overall_name(h->told), NULL);
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
		task_probe(h);
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
		app_restart(h);
		break;
	case ON_UNHEALTHY_EXIT:
		log_info("check %s is unhealthy: exiting", check->name);
		hinit_exit(h, 1);
		break;
	}
}

static void
hinit_grace_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct hinit	*h = w->data;
	char		 tmp[32];

	hook_stop(h->hook);
	if (reap_children_left(h)) {
		log_info("grace of %s is over: killing what is left",
		    duration_format(h->conf->grace, tmp, sizeof tmp));
		reap_kill_all(h, SIGKILL);
	}
	if (h->exit_code == -1)
		return;		/* the app's exit comes through the reaper */
	/* Wait a little for the reaps, but never forever. */
	ev_timer_stop(loop, &h->left_timer);
	ev_timer_set(&h->left_timer, HINIT_KILL_WAIT, 0);
	ev_timer_start(loop, &h->left_timer);
}

static void
hinit_left_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct hinit	*h = w->data;

	log_warnx("processes are left after SIGKILL: exiting anyway");
	h->left_timer_set = 1;
	hinit_exit(h, h->exit_code);
}

static __dead void
hinit_finish(struct hinit *h)
{
	int	 code = h->exit_code;

	probe_stop(&h->conf->checks);
	httpd_free(h->httpd);
	status_free(h->status);
	free(h->app.restart_times);
	log_verbose("exiting with %d", code);
	exit(code);
}

/*
 * The app is gone (or will never start): SIGTERM every other process, wait
 * up to the grace (ending as soon as none is left), SIGKILL, then exit with
 * the code. Called again by the reaper after each reap while winding down.
 */
void
hinit_exit(struct hinit *h, int code)
{
	struct ev_loop	*loop = EV_DEFAULT;

	if (h->exit_code == -1) {
		h->exit_code = code;
		probe_stop(&h->conf->checks);
		task_cancel(h);
		ev_timer_stop(loop, &h->app.kill_timer);
		ev_timer_stop(loop, &h->drain_timer);
		ev_timer_stop(loop, &h->app.restart_timer);
		ev_timer_stop(loop, &h->app.sweep_timer);
		h->app.sweeping = 0;
		reap_sweep_begin(h);
		if (reap_children_left(h)) {
			reap_kill_all(h, SIGTERM);
			if (!ev_is_active(&h->grace_timer)) {
				ev_timer_set(&h->grace_timer,
				    h->conf->grace / 1000.0, 0);
				ev_timer_start(loop, &h->grace_timer);
			}
		}
	} else if ((!h->pid1 || h->spared) && !h->left_timer_set &&
	    !ev_is_active(&h->left_timer) && reap_children_left(h)) {
		/* Orphans adopted since the SIGTERM get theirs now. */
		reap_sweep(h, SIGTERM, REAP_ALL, NULL);
	}
	if (!reap_children_left(h) || h->left_timer_set)
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
	/*
	 * A stopped app takes its signal only once continued. SIGCONT goes
	 * first: sent after, it would discard a stop_signal of SIGTSTP,
	 * SIGTTIN or SIGTTOU still pending (the kernel does so).
	 */
	if (sig != SIGCONT)
		app_signal(h, SIGCONT);
	app_signal(h, sig);
	ev_timer_set(&h->grace_timer, h->conf->grace / 1000.0, 0);
	ev_timer_start(loop, &h->grace_timer);
}

/*
 * SIGTERM, SIGINT or SIGQUIT: report "stopping" at once, wait the drain,
 * forward the signal, wait the grace, SIGKILL what is left. A second such
 * signal during the drain cuts it short. While a task runs, the task gets
 * the signal at once (the app does not serve yet: nothing to drain) and
 * the app never starts.
 */
void
hinit_stop(struct hinit *h, int sig)
{
	struct ev_loop	*loop = EV_DEFAULT;
	char		 tmp[32];

	if (h->exit_code != -1)
		return;
	if (h->task_pid > 0) {
		if (!h->stopping) {
			log_info("SIG%s: stopping task %s", signal_name(sig),
			    h->task->name);
			h->stopping = 1;
			h->stop_signal = sig;
			hinit_changed(h);
			ev_timer_set(&h->grace_timer,
			    h->conf->grace / 1000.0, 0);
			ev_timer_start(loop, &h->grace_timer);
		}
		task_stop(h, sig);
		return;
	}
	if (h->app.pid <= 0) {
		log_info("SIG%s: stopping", signal_name(sig));
		h->stopping = 1;
		h->stop_signal = sig;
		hinit_changed(h);
		hinit_exit(h, app_exit_code(h, sig));	/* as if killed by it */
		return;
	}
	if (h->stopping) {
		if (ev_is_active(&h->drain_timer)) {
			ev_timer_stop(loop, &h->drain_timer);
			hinit_drain_cb(loop, &h->drain_timer, 0);
		} else
			app_signal(h, sig);
		return;
	}
	h->stopping = 1;
	h->stop_signal = sig;
	hinit_changed(h);
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

/* For the one-shot subcommands: the loop, its userdata, the reaper. */
void
hinit_oneshot(struct hinit *h)
{
	memset(h, 0, sizeof *h);
	h->exit_code = -1;
	h->started = time_wall();
	signal_init(h, 0);
	if (ev_default_loop(EVFLAG_AUTO) == NULL)
		fatalx("cannot initialise the event loop");
	ev_set_userdata(EV_DEFAULT, h);
	reap_start(h);
}

/* PID 1, or a child subreaper; -p. */
void
hinit_become_init(struct hinit *h)
{
	h->pid1 = getpid() == 1;
	if (!h->pid1) {
		if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
			log_warn("cannot become a child subreaper");
		else if (!h->opts->subreaper)
			log_info("not PID 1: acting as a child subreaper");
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
	char		*cause;

	log_set_format(h->conf->log_format);

	/*
	 * Signals are read from a signalfd while they stay blocked, as tini
	 * reads them with sigtimedwait: no handler of hinit's runs, not even
	 * in a child before its exec, and a signal that comes during start-up
	 * waits, pending, for its watcher.
	 */
	if ((loop = ev_default_loop(EVFLAG_AUTO | EVFLAG_SIGNALFD)) == NULL)
		fatalx("cannot initialise the event loop");
	ev_set_userdata(loop, h);
	ev_timer_init(&h->drain_timer, hinit_drain_cb, 0, 0);
	h->drain_timer.data = h;
	ev_timer_init(&h->grace_timer, hinit_grace_cb, 0, 0);
	h->grace_timer.data = h;
	ev_timer_init(&h->left_timer, hinit_left_cb, 0, 0);
	h->left_timer.data = h;
	ev_timer_init(&h->app.restart_timer, NULL, 0, 0);
	ev_timer_init(&h->app.kill_timer, NULL, 0, 0);
	ev_timer_init(&h->app.sweep_timer, NULL, 0, 0);
	reap_start(h);

	cause = NULL;
	if ((h->status = status_new(h, &cause)) == NULL && cause != NULL) {
		log_warnx("status: %s", cause);
		free(cause);
	}
	if (h->conf->listen != NULL) {
		h->httpd = httpd_start(h, h->conf->listen,
		    h->conf->max_connections, &cause);
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

	h->app.argv = argv;
	h->app.state = APP_WAITING;
	/*
	 * The checks first (their first attempts are timers), then the
	 * launch: gates, tasks, the app, which starts here at once when
	 * nothing holds it back. Signals stay blocked until then: none is
	 * lost meanwhile.
	 */
	probe_start(&h->conf->checks, hinit_probe_cb, h);
	task_launch(h);
	signal_start(h);
	hinit_changed(h);

	ev_run(loop, 0);
	fatalx("the event loop ended");
}

