/*
 * app.c: starting children (the app, tasks, exec checks) and the app's life:
 * start, forward signals, exit, restart with back-off.
 */

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hinit.h"
#include "check.h"
#include "init.h"
#include "status.h"

#define APP_STABLE	10.0	/* seconds: a longer run resets the back-off */
#define APP_KILL_WAIT	2.0	/* seconds: after SIGKILL, for the reaps */
#define PROC_FD_MAX	65536	/* descriptors closed by number, at most */

/*
 * A directory entry as getdents64(2) gives it; not every C library
 * declares the type.
 */
struct proc_dirent64 {
	uint64_t	 d_ino;
	int64_t		 d_off;
	unsigned short	 d_reclen;
	unsigned char	 d_type;
	char		 d_name[];
};

/*
 * Close the descriptors from..to one by one: those /proc/self/fd lists,
 * read by getdents64 into a buffer on the stack (opendir() allocates, and
 * this runs after vfork); with no /proc, every number below the
 * descriptor limit, but at most PROC_FD_MAX: hinit's descriptors are the
 * lowest free ones when made, so they sit below that many.
 */
static void
proc_close_each(int from, int to)
{
	long			 buf[512];	/* aligned for the entries */
	struct proc_dirent64	*de;
	struct rlimit		 rl;
	const char		*p;
	long			 n, off;
	int			 dfd, fd, max;

	dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd == -1 && errno == EMFILE) {
		/* Every slot taken: one of ours makes room. */
		close(from);
		dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC);
	}
	if (dfd != -1) {
		while ((n = syscall(SYS_getdents64, dfd, buf,
		    sizeof buf)) > 0) {
			for (off = 0; off < n; off += de->d_reclen) {
				de = (struct proc_dirent64 *)((char *)buf +
				    off);
				fd = 0;
				for (p = de->d_name; *p >= '0' && *p <= '9' &&
				    fd < 1 << 24; p++)
					fd = fd * 10 + (*p - '0');
				if (p == de->d_name || *p != '\0')
					continue;
				if (fd >= from && fd <= to && fd != dfd)
					close(fd);
			}
		}
		close(dfd);
		if (n == 0)
			return;
	}
	max = PROC_FD_MAX;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)max)
		max = (int)rl.rlim_cur;
	for (fd = from; fd <= to && fd < max; fd++)
		close(fd);
}

/*
 * close_range(2), through the C library or, where it has no wrapper (musl
 * 1.2.3), the system call; one by one where the kernel has none (before
 * 5.9: ENOSYS; gVisor) or refuses it.
 */
static void
proc_close_range(int from, int to)
{
#if defined(HAVE_CLOSE_RANGE)
	if (close_range(from, to, 0) == 0)
		return;
#elif defined(SYS_close_range)
	if (syscall(SYS_close_range, from, to, 0) == 0)
		return;
#endif
	proc_close_each(from, to);
}

/*
 * In the child: close every descriptor above 2 but those hinit inherited,
 * so none of hinit's own (sockets of checks, the endpoint, libev's) leaks,
 * whatever flags a library set on them. Async-signal-safe.
 */
static void
proc_close_fds(const struct hinit *h)
{
	u_int	 i;
	int	 from = 3, next;

	/* The inherited descriptors are sorted. */
	for (i = 0; i < h->ninherited_fds; i++) {
		next = h->inherited_fds[i];
		if (next < from)
			continue;
		if (next > from)
			proc_close_range(from, next - 1);
		from = next + 1;
	}
	proc_close_range(from, INT32_MAX);
}

/*
 * hinit's environment with each of add ("NAME=value") in place of the
 * variable of that name, and without those named alone ("NAME"); the
 * strings are not copied.
 */
static char **
proc_environment(char **add)
{
	extern char	**environ;
	char		**env, **p, **a;
	size_t		 n = 0, len;

	for (p = environ; *p != NULL; p++)
		n++;
	for (a = add; *a != NULL; a++)
		n++;
	env = xreallocarray(NULL, n + 1, sizeof *env);
	n = 0;
	for (p = environ; *p != NULL; p++) {
		for (a = add; *a != NULL; a++) {
			len = strcspn(*a, "=");
			if (strncmp(*p, *a, len) == 0 && (*p)[len] == '=')
				break;
		}
		if (*a == NULL)
			env[n++] = *p;
	}
	for (a = add; *a != NULL; a++) {
		if (strchr(*a, '=') != NULL)
			env[n++] = *a;
	}
	env[n] = NULL;
	return (env);
}

/*
 * Start a child in its own process group and exec it. vfork: the child
 * borrows hinit's memory until its exec, so no page tables are copied and
 * no page is copied on write afterwards, and hinit goes on only once the
 * exec is done or has failed. The child sets its own group before that, so
 * a signal sent to the group at once is never lost. An exec error comes back
 * in "error": the child exits 127 (not found) or 126, and its exit is reaped
 * like any other; the message is logged here, or with ps->quiet left to the
 * caller in ps->exec_error.
 */
pid_t
proc_spawn(struct proc_spawn *ps, char **cause)
{
	struct hinit	*h = hinit_get();
	extern char	**environ;
	const char	*what;
	char		**env = environ;
	sigset_t	 all, old;
	volatile int	 error = 0;
	pid_t		 pid;
	int		 fd;

	what = ps->shell_command != NULL ? "/bin/sh" : ps->argv[0];
	if (ps->env != NULL)
		env = proc_environment(ps->env);
	/*
	 * Until the child has its own dispositions back, a signal sent to it
	 * (to its new group, say) would run hinit's handlers there, on
	 * hinit's memory, and be lost: it waits, blocked, for
	 * signal_child_reset. Only async-signal-safe calls in the child.
	 */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	if ((pid = vfork()) == 0) {
		setpgid(0, 0);
		if (ps->foreground && isatty(STDIN_FILENO))
			tcsetpgrp(STDIN_FILENO, getpid());
		if (ps->stdin_null &&
		    (fd = open("/dev/null", O_RDONLY)) != -1) {
			dup2(fd, STDIN_FILENO);
			if (fd != STDIN_FILENO)
				close(fd);
		}
		if (ps->stdout_fd != -1)
			dup2(ps->stdout_fd, STDOUT_FILENO);
		if (ps->stderr_fd != -1)
			dup2(ps->stderr_fd, STDERR_FILENO);
		proc_close_fds(h);
		signal_child_reset();
		if (ps->shell_command != NULL) {
			execle("/bin/sh", "sh", "-c", ps->shell_command,
			    (char *)NULL, env);
		} else
			execvpe(ps->argv[0], ps->argv, env);
		error = errno;
		_exit(error == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC);
	}
	if (pid == -1)
		error = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (env != environ)
		free(env);
	if (pid == -1) {
		xasprintf(cause, "fork: %s", strerror(error));
		return (-1);
	}
	ps->exec_error = error;
	if (error != 0 && !ps->quiet)
		log_warnx("cannot run %s: %s", what, strerror(error));
	return (pid);
}

/* What ends the app, or what it left, for a restart: stop_signal. */
static int
app_stop_signal(struct hinit *h)
{
	return (h->conf->stop_signal != 0 ? h->conf->stop_signal : SIGTERM);
}

/* A wait status as an exit code: the code, or 128+N for signal N. */
static int
app_status_code(int status)
{
	if (WIFEXITED(status))
		return (WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		return (128 + WTERMSIG(status));
	return (1);
}

/*
 * restart_limit: would one more restart make more than restart_limit within
 * restart_window? The ring holds the times of the last restart_limit.
 */
static int
app_budget_spent(struct hinit *h)
{
	struct config	*conf = h->conf;
	struct app	*app = &h->app;
	double		 now = ev_now(EV_DEFAULT);
	u_int		 i, kept, n = 0;

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
app_give_up(struct hinit *h)
{
	struct app	*app = &h->app;
	char		 tmp[32], *s;
	int		 code = app_status_code(app->status);

	xasprintf(&s, "%s restarted %u times within %s (restart_limit): giving "
	    "up, exiting with %d", app->argv[0], h->conf->restart_limit,
	    duration_format(h->conf->restart_window, tmp, sizeof tmp), code);
	log_warnx("%s", s);
	hook_event(h->hook, "restart_limit", NULL, "exited", "restarting", s);
	free(s);
	app->given_up = 1;
	app->state = APP_EXITED;
	hinit_changed(h);
	hinit_exit(h, code);
}

static void	app_exited(pid_t, int, void *);
static void	app_backoff(struct hinit *);

/*
 * The back-off is over and nothing the old app left runs: start it again.
 * A start that fails (fork: EAGAIN at pids.max) counts as a restart and is
 * tried again after the next back-off, as if the app had exited at once.
 */
static void
app_restart_start(struct hinit *h)
{
	struct app	*app = &h->app;

	u_int		 limit = h->conf->restart_limit;

	app->restart_due = 0;
	if (limit != 0) {
		if (app->restart_times == NULL)
			app->restart_times = xcalloc(limit, sizeof (double));
		app->restart_times[app->restarts % limit] = ev_now(EV_DEFAULT);
	}
	app->restarts++;
	probe_reset(&h->conf->checks);
	if (app_start(h) == 0)
		return;
	if (app_budget_spent(h)) {
		app_give_up(h);
		return;
	}
	app->started = ev_now(EV_DEFAULT);
	app_backoff(h);
	hinit_changed(h);
}

static void
app_restart_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct hinit	*h = w->data;

	if (h->app.sweeping) {
		h->app.restart_due = 1;
		return;
	}
	app_restart_start(h);
}

/* What the old app left is gone, or will not go: restart when due. */
static void
app_sweep_done(struct hinit *h)
{
	struct app	*app = &h->app;

	app->sweeping = 0;
	ev_timer_stop(EV_DEFAULT, &app->sweep_timer);
	reap_sweep_begin(h);
	if (app->restart_due)
		app_restart_start(h);
}

/*
 * After each reap while the old app's leftovers are ended: an orphan
 * adopted since gets its signal at once; when none is left, the app may
 * start again.
 */
void
app_sweep(struct hinit *h)
{
	struct app	*app = &h->app;
	struct buf	 names;
	u_int		 n;
	int		 sig;

	if (!app->sweeping)
		return;
	sig = app->sweeping == APP_SWEEP_TERM ? app_stop_signal(h) : SIGKILL;
	buf_init(&names);
	n = reap_sweep(h, sig, REAP_APP, &names);
	if (names.len > 0) {
		log_info("%s left more: SIG%s to %s", app->argv[0],
		    signal_name(sig), names.data);
	}
	buf_free(&names);
	if (n == 0)
		app_sweep_done(h);
}

/* The grace is over: SIGKILL to what is left, then a bounded wait. */
static void
app_sweep_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct hinit	*h = w->data;
	struct app	*app = &h->app;
	struct buf	 names;
	char		 tmp[32];
	u_int		 n;

	if (app->sweeping == APP_SWEEP_KILL) {
		log_warnx("what %s left is still there after SIGKILL: "
		    "going on", app->argv[0]);
		app_sweep_done(h);
		return;
	}
	buf_init(&names);
	n = reap_sweep(h, SIGKILL, REAP_APP, &names);
	if (n > 0) {
		log_info("grace of %s is over: SIGKILL to %s",
		    duration_format(h->conf->grace, tmp, sizeof tmp),
		    names.data);
	}
	buf_free(&names);
	if (n == 0) {
		app_sweep_done(h);
		return;
	}
	app->sweeping = APP_SWEEP_KILL;
	ev_timer_set(w, APP_KILL_WAIT, 0);
	ev_timer_start(loop, w);
}

/*
 * Before a restart, end what the old app left, so that none of it holds
 * the app's port or files when it starts again: stop_signal (SIGTERM) to
 * every process below hinit but an exec check's, a task's, and what ran
 * before the app started (its process group, its orphans), SIGKILL after
 * the grace. The
 * back-off runs meanwhile; the app starts when both are over.
 */
static void
app_sweep_begin(struct hinit *h)
{
	struct app	*app = &h->app;
	struct buf	 names;
	u_int		 n;

	reap_sweep_begin(h);
	buf_init(&names);
	n = reap_sweep(h, app_stop_signal(h), REAP_APP, &names);
	if (n > 0) {
		log_info("%s left %u process%s: SIG%s to %s", app->argv[0],
		    n, n == 1 ? "" : "es", signal_name(app_stop_signal(h)),
		    names.data);
		app->sweeping = APP_SWEEP_TERM;
		ev_timer_init(&app->sweep_timer, app_sweep_cb,
		    h->conf->grace / 1000.0, 0);
		app->sweep_timer.data = h;
		ev_timer_start(EV_DEFAULT, &app->sweep_timer);
	}
	buf_free(&names);
}

int
app_start(struct hinit *h)
{
	struct app		*app = &h->app;
	struct proc_spawn	 ps;
	char			*cause, **env, **hidden;
	const char		*file;
	u_int			 n = 0, i;
	pid_t			 pid;

	/* What runs now is not the app's to end when it restarts. */
	if (h->conf->restart != RESTART_NO ||
	    h->conf->on_unhealthy == ON_UNHEALTHY_RESTART)
		reap_keep_children(h);
	memset(&ps, 0, sizeof ps);
	ps.argv = app->argv;
	ps.stdout_fd = ps.stderr_fd = -1;
	ps.foreground = 1;
	hidden = secret_variables();
	for (i = 0; hidden != NULL && hidden[i] != NULL; i++)
		/* nothing */;
	env = xcalloc(i + 4, sizeof *env);
	/* The variables that hand files' secrets to commands are not its. */
	for (i = 0; hidden != NULL && hidden[i] != NULL; i++)
		env[n++] = xstrdup(hidden[i]);
	/* Where the app reads hinit's verdict (an /api/health of its own). */
	if ((file = status_where(h->status)) != NULL)
		xasprintf(&env[n++], "HINIT_STATUS_FILE=%s", file);
	/* sd_notify: where to tell, and how often (sd_watchdog_enabled). */
	if (h->notify != NULL) {
		xasprintf(&env[n++], "NOTIFY_SOCKET=%s",
		    notify_address(h->notify));
		if (h->conf->watchdog != 0) {
			xasprintf(&env[n++], "WATCHDOG_USEC=%llu",
			    (unsigned long long)h->conf->watchdog * 1000);
		}
	}
	if (n != 0)
		ps.env = env;
	pid = proc_spawn(&ps, &cause);
	for (i = 0; i < n; i++)
		free(env[i]);
	free(env);
	if (pid == -1) {
		log_warnx("cannot start %s: %s", app->argv[0], cause);
		free(cause);
		return (-1);
	}
	if (h->notify != NULL)
		notify_app(h->notify, pid);
	app->pid = pid;
	app->state = APP_RUNNING;
	app->started = ev_now(EV_DEFAULT);
	reap_watch(pid, app_exited, h);
	log_verbose("started %s (pid %ld)", app->argv[0], (long)pid);
	hinit_changed(h);
	return (0);
}

/* The exit code hinit passes on: the app's, 128+N for signal N, 0 if -e. */
int
app_exit_code(const struct hinit *h, int status)
{
	u_int	 i;
	int	 code = app_status_code(status);

	for (i = 0; i < h->opts->nexit_zero; i++) {
		if (h->opts->exit_zero[i] == code)
			return (0);
	}
	return (code);
}

static void
app_exited(pid_t pid, int status, void *arg)
{
	struct hinit	*h = arg;
	struct app	*app = &h->app;
	struct config	*conf = h->conf;
	int		 code = app_exit_code(h, status);

	app->pid = 0;
	app->status = status;
	if (h->notify != NULL)
		notify_app(h->notify, 0);
	ev_timer_stop(EV_DEFAULT, &app->kill_timer);
	if (WIFSIGNALED(status)) {
		log_info("%s (pid %ld) killed by SIG%s", app->argv[0],
		    (long)pid, signal_name(WTERMSIG(status)));
	} else {
		log_info("%s (pid %ld) exited with %d", app->argv[0],
		    (long)pid, WEXITSTATUS(status));
	}

	if (h->stopping || h->exit_code != -1 || (!app->restart_now &&
	    (conf->restart == RESTART_NO ||
	    (conf->restart == RESTART_ON_FAILURE && code == 0)))) {
		app->state = APP_EXITED;
		hinit_changed(h);
		hinit_exit(h, code);
		return;
	}

	app->restart_now = 0;
	if (app_budget_spent(h)) {
		app_give_up(h);
		return;
	}
	app->state = APP_RESTARTING;
	app_backoff(h);
	app_sweep_begin(h);
	hinit_changed(h);
}

/* The next start after the back-off, doubled each time up to its cap. */
static void
app_backoff(struct hinit *h)
{
	struct app	*app = &h->app;
	struct config	*conf = h->conf;
	double		 ran;
	char		 tmp[32], *s;

	ran = ev_now(EV_DEFAULT) - app->started;
	if (app->restart_delay == 0 || ran >= APP_STABLE)
		app->restart_delay = conf->restart_delay;
	xasprintf(&s, "restarting %s in %s", app->argv[0],
	    duration_format(app->restart_delay, tmp, sizeof tmp));
	log_info("%s", s);
	hook_event(h->hook, "restart", NULL, "restarting", "running", s);
	free(s);
	ev_timer_init(&app->restart_timer, app_restart_cb,
	    app->restart_delay / 1000.0, 0);
	app->restart_timer.data = h;
	ev_timer_start(EV_DEFAULT, &app->restart_timer);
	app->restart_delay *= 2;
	if (app->restart_delay > conf->restart_delay_max)
		app->restart_delay = conf->restart_delay_max;
}

/* on_unhealthy = restart: an app that ignores SIGTERM gets SIGKILL. */
static void
app_kill_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct hinit	*h = w->data;
	pid_t		 pid = h->app.pid;

	if (pid <= 0)
		return;
	log_info("%s (pid %ld) still runs after the grace: SIGKILL",
	    h->app.argv[0], (long)pid);
	kill(h->conf->kill_group ? -pid : pid, SIGKILL);
}

/*
 * on_unhealthy = restart: SIGTERM (to the group with -g), SIGKILL after the
 * grace; its exit restarts it whatever the restart policy, after the
 * back-off.
 */
void
app_restart(struct hinit *h)
{
	struct app	*app = &h->app;

	if (app->pid <= 0 || app->restart_now)
		return;
	app->restart_now = 1;
	/* SIGCONT first: a stopped app takes it so (see hinit_drain_cb). */
	app_signal(h, SIGCONT);
	app_signal(h, app_stop_signal(h));
	ev_timer_stop(EV_DEFAULT, &app->kill_timer);
	ev_timer_init(&app->kill_timer, app_kill_cb, h->conf->grace / 1000.0,
	    0);
	app->kill_timer.data = h;
	ev_timer_start(EV_DEFAULT, &app->kill_timer);
}

/*
 * Forward a signal to the app, or its whole group with -g; before the app
 * runs, to the task that runs (its group).
 */
void
app_signal(struct hinit *h, int sig)
{
	pid_t	 pid = h->app.pid;

	if (pid <= 0) {
		task_signal(h, sig);
		return;
	}
	if (h->conf->kill_group)
		pid = -pid;
	if (kill(pid, sig) == -1 && errno != ESRCH)
		log_warn("kill(%ld, SIG%s)", (long)pid, signal_name(sig));
}
