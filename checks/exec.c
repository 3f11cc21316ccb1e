/*
 * exec.c: the exec check type: a command run by /bin/sh -c passes when it
 * exits 0. Its stdout and stderr go to one pipe read on the loop (the first
 * CHECK_OUTPUT_MAX bytes kept, the rest drained and dropped); its exit comes
 * through the reaper. A cancelled run (a timeout) outlives its attempt: its
 * process group gets SIGTERM, SIGKILL a second later, and the run is freed
 * once its group is gone; so does what a run that ended left behind. Runs never overlap: an attempt that starts while
 * the group of the one before is still there waits for it to go (the
 * engine's timeout still counts).
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "hinit.h"
#include "check.h"
#include "init.h"

#define EXEC_KILL_DELAY	1.0	/* seconds from SIGTERM to SIGKILL */
#define EXEC_GONE_POLL	0.02	/* seconds: is a cancelled run's group gone? */

struct exec_run;

/* The check's own, from prepare to free. */
struct exec {
	struct check	*c;
	const char	*command;	/* for /bin/sh -c: its target's */
	struct exec_run	*run;		/* the attempt's, or NULL */
	struct exec_run	*old;		/* cancelled, its group still there */
	int		 waiting;	/* an attempt waits for old to go */
};

struct exec_run {
	struct exec	*e;		/* NULL once its check is freed */
	pid_t		 pid;		/* also its process group */
	int		 reaped;
	int		 status;
	int		 exec_error;	/* /bin/sh could not be run: errno */

	int		 fd;		/* read end of the output pipe */
	ev_io		 io;
	struct buf	 out;

	ev_timer	 kill_timer;
	ev_timer	 gone_timer;	/* cancelled: polls for its group */
};

static int	exec_spawn(struct exec *, char **);

/* Runs not freed yet: a process group that may still need its SIGKILL. */
static u_int	exec_runs;

/*
 * Whether a run's group may still be there: the one-shot commands wait for
 * it before they exit, as its processes are not their children to count.
 */
int
exec_runs_left(void)
{
	return (exec_runs != 0);
}

/* The target is exec:COMMAND (url = exec:..., or command = ...). */
static int
exec_prepare(struct check *c, const struct url *u, char **cause)
{
	struct exec	*e = c->data;
	const char	*command = c->target + 5;

	if (command[strspn(command, " \t")] == '\0') {
		xasprintf(cause, "empty command");
		return (-1);
	}
	e->c = c;
	e->command = command;
	return (0);
}

static void
exec_close(struct exec_run *run)
{
	ev_io_stop(EV_DEFAULT, &run->io);
	if (run->fd != -1) {
		close(run->fd);
		run->fd = -1;
	}
}

static void
exec_run_free(struct exec_run *run)
{
	exec_close(run);
	ev_timer_stop(EV_DEFAULT, &run->kill_timer);
	ev_timer_stop(EV_DEFAULT, &run->gone_timer);
	buf_free(&run->out);
	free(run);
	exec_runs--;
}

/* A cancelled run's group is gone: an attempt waiting for it runs now. */
static void
exec_gone(struct exec_run *run)
{
	struct exec	*e = run->e;
	char		*cause = NULL;

	exec_run_free(run);
	if (e == NULL)
		return;
	e->old = NULL;
	if (!e->waiting)
		return;
	e->waiting = 0;
	if (exec_spawn(e, &cause) != 0) {
		check_done(e->c, CHECK_FAIL, "%s", cause);
		free(cause);
	}
}

static void
exec_gone_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct exec_run	*run = w->data;

	if (kill(-run->pid, 0) == -1 && errno == ESRCH)
		exec_gone(run);
}

/* Once reaped, a cancelled run waits for the rest of its group. */
static void
exec_old_reaped(struct exec_run *run)
{
	if (kill(-run->pid, 0) == -1 && errno == ESRCH) {
		exec_gone(run);
		return;
	}
	if (!ev_is_active(&run->gone_timer))
		ev_timer_start(EV_DEFAULT, &run->gone_timer);
}

/*
 * Read what there is now; keep the first CHECK_OUTPUT_MAX bytes after the
 * line breaks it starts with. Kept so, an output cut short is as long as
 * the most the engine keeps, which is how it knows that the end may hold
 * the start of a secret (dropped later, the breaks made it look whole).
 */
static void
exec_read(struct exec_run *run)
{
	char	*p, tmp[4096];
	ssize_t	 n;
	size_t	 keep;

	while (run->fd != -1) {
		n = read(run->fd, tmp, sizeof tmp);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n <= 0) {
			exec_close(run);
			return;
		}
		for (p = tmp; run->out.len == 0 && p < tmp + n &&
		    (*p == '\n' || *p == '\r'); p++)
			/* nothing */;
		keep = CHECK_OUTPUT_MAX - run->out.len;
		if (keep > (size_t)(tmp + n - p))
			keep = tmp + n - p;
		if (keep > 0)
			buf_add(&run->out, p, keep);
	}
}

/*
 * The command has ended; what it left in its group (a process it put in
 * the background) is ended as a cancelled run's is, and the next attempt
 * waits for it to go: a check never piles processes up.
 */
static void
exec_end(struct exec_run *run)
{
	struct exec	*e = run->e;

	if (kill(-run->pid, 0) == -1) {
		exec_run_free(run);
		return;
	}
	log_debug("check %s: SIGTERM to what it left in process group %ld",
	    e->c->name, (long)run->pid);
	e->old = run;
	kill(-run->pid, SIGTERM);
	ev_timer_start(EV_DEFAULT, &run->kill_timer);
	exec_old_reaped(run);
}

static void
exec_finish(struct exec_run *run)
{
	struct check	*c = run->e->c;
	const char	*output, *sep;
	size_t		 i;
	int		 status = run->status;

	exec_read(run);
	exec_close(run);
	run->e->run = NULL;

	if (run->exec_error != 0) {
		check_done(c, CHECK_FAIL, "cannot run /bin/sh: %s",
		    strerror(run->exec_error));
		exec_run_free(run);
		return;
	}
	/* Output is text: no NUL inside. */
	for (i = 0; i < run->out.len; i++) {
		if (run->out.data[i] == '\0')
			run->out.data[i] = '?';
	}
	output = run->out.data != NULL ? run->out.data : "";
	sep = *output != '\0' ? ": " : "";

	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		check_done(c, CHECK_PASS, "%s", output);
	else if (WIFEXITED(status)) {
		check_done(c, CHECK_FAIL, "exit %d%s%s", WEXITSTATUS(status),
		    sep, output);
	} else if (WIFSIGNALED(status)) {
		check_done(c, CHECK_FAIL, "killed by SIG%s%s%s",
		    signal_name(WTERMSIG(status)), sep, output);
	} else
		check_done(c, CHECK_FAIL, "status %d%s%s", status, sep, output);
	exec_end(run);
}

static void
exec_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct exec_run	*run = w->data;

	exec_read(run);
}

static void
exec_kill_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct exec_run	*run = w->data;

	log_debug("exec: SIGKILL to process group %ld", (long)run->pid);
	kill(-run->pid, SIGKILL);
	if (run->reaped)
		exec_old_reaped(run);
}

static void
exec_reaped(pid_t pid, int status, void *arg)
{
	struct exec_run	*run = arg;

	run->reaped = 1;
	run->status = status;
	if (run->e != NULL && run->e->run == run) {
		exec_finish(run);
		return;
	}
	/* Cancelled: wait for the SIGKILL only if its group lives on. */
	exec_old_reaped(run);
}

static int
exec_spawn(struct exec *e, char **cause)
{
	struct check		*c = e->c;
	struct proc_spawn	 ps;
	struct exec_run		*run;
	pid_t			 pid;
	int			 p[2];

	if (pipe2(p, O_CLOEXEC) == -1) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		return (-1);
	}
	memset(&ps, 0, sizeof ps);
	ps.shell_command = e->command;
	ps.stdout_fd = ps.stderr_fd = p[1];
	ps.stdin_null = 1;	/* a check never reads the terminal */
	ps.quiet = 1;		/* an exec error is the attempt's result */
	if ((pid = proc_spawn(&ps, cause)) == -1) {
		close(p[0]);
		close(p[1]);
		return (-1);
	}
	close(p[1]);
	fd_set_nonblock(p[0]);

	run = xcalloc(1, sizeof *run);
	exec_runs++;
	run->e = e;
	run->pid = pid;
	run->exec_error = ps.exec_error;
	run->fd = p[0];
	buf_init(&run->out);
	ev_io_init(&run->io, exec_io_cb, run->fd, EV_READ);
	run->io.data = run;
	ev_io_start(EV_DEFAULT, &run->io);
	ev_timer_init(&run->kill_timer, exec_kill_cb, EXEC_KILL_DELAY, 0);
	run->kill_timer.data = run;
	ev_timer_init(&run->gone_timer, exec_gone_cb, EXEC_GONE_POLL,
	    EXEC_GONE_POLL);
	run->gone_timer.data = run;
	reap_watch(pid, exec_reaped, run);
	e->run = run;
	log_debug("check %s: started pid %ld", c->name, (long)pid);
	return (0);
}

static int
exec_start(struct check *c, char **cause)
{
	struct exec	*e = c->data;

	if (e->old != NULL) {
		log_debug("check %s: waiting for process group %ld to go",
		    c->name, (long)e->old->pid);
		e->waiting = 1;
		return (0);
	}
	return (exec_spawn(e, cause));
}

/* The run lives on until its group is gone; the check is free of it. */
static void
exec_cancel(struct check *c)
{
	struct exec	*e = c->data;
	struct exec_run	*run;

	e->waiting = 0;
	if ((run = e->run) == NULL)
		return;
	e->run = NULL;
	e->old = run;
	exec_close(run);
	log_debug("check %s: SIGTERM to process group %ld", c->name,
	    (long)run->pid);
	kill(-run->pid, SIGTERM);
	ev_timer_start(EV_DEFAULT, &run->kill_timer);
}

static void
exec_free(struct check *c)
{
	struct exec	*e = c->data;

	exec_cancel(c);
	if (e->old != NULL)
		e->old->e = NULL;
}

static const char *const exec_schemes[] = { NULL };

const struct check_type check_type_exec = {
	.name = "exec",
	.schemes = exec_schemes,
	.component = "system",
	.size = sizeof (struct exec),
	.prepare = exec_prepare,
	.start = exec_start,
	.cancel = exec_cancel,
	.free = exec_free
};
