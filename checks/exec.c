/*
 * exec.c: the exec check type: a command run by /bin/sh -c passes when it
 * exits 0. Its stdout and stderr go to one pipe read on the loop (the first
 * CHECK_OUTPUT_MAX bytes kept, the rest drained and dropped); its exit comes
 * through the reaper. A cancelled run (a timeout) outlives its attempt: its
 * process group gets SIGTERM, SIGKILL a second later, and the run is freed
 * once its group is gone; so does what a run that ended left behind. Runs
 * never overlap: an attempt that starts while the group of the one before
 * is still there waits for it to go (the engine's timeout still counts).
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hinit.h"
#include "check.h"
#include "proc.h"

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
	struct exec		*e;		/* NULL once its check is freed */
	struct proc		 proc;
	int			 status;
	struct proc_output	*out;		/* until it exits or is cancelled */
	struct buf		 text;		/* the first CHECK_OUTPUT_MAX */
	ev_timer		 gone_timer;	/* cancelled: polls for its group */
};

static int	exec_spawn(struct exec *, char **);
static void	exec_killed(struct proc *, int, void *);

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
exec_run_free(struct exec_run *run)
{
	proc_output_free(run->out);
	proc_terminate_stop(&run->proc);
	ev_timer_stop(EV_DEFAULT, &run->gone_timer);
	buf_free(&run->text);
	free(run);
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

	if (proc_group_gone(&run->proc))
		exec_gone(run);
}

/* Once reaped, a cancelled run waits for the rest of its group. */
static void
exec_old_reaped(struct exec_run *run)
{
	if (proc_group_gone(&run->proc)) {
		exec_gone(run);
		return;
	}
	if (!ev_is_active(&run->gone_timer))
		ev_timer_start(EV_DEFAULT, &run->gone_timer);
}

/*
 * What it writes: the first CHECK_OUTPUT_MAX bytes after the line breaks it
 * starts with kept, the rest dropped. Kept so, an output cut short is as
 * long as the most the engine keeps, which is how it knows that the end
 * may hold the start of a secret (dropped later, the breaks made it look
 * whole).
 */
static void
exec_output_cb(const char *data, size_t len, int flags, void *arg)
{
	struct exec_run	*run = arg;
	size_t		 keep;

	while (run->text.len == 0 && len > 0 &&
	    (*data == '\n' || *data == '\r')) {
		data++;
		len--;
	}
	keep = CHECK_OUTPUT_MAX - run->text.len;
	if (keep > len)
		keep = len;
	if (keep > 0)
		buf_add(&run->text, data, keep);
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

	if (proc_group_gone(&run->proc)) {
		exec_run_free(run);
		return;
	}
	log_debug("check %s: SIGTERM to what it left in process group %ld",
	    e->c->name, (long)run->proc.pid);
	e->old = run;
	proc_terminate(&run->proc, SIGTERM, EXEC_KILL_DELAY, 1, exec_killed);
	exec_old_reaped(run);
}

static void
exec_finish(struct exec_run *run)
{
	struct check	*c = run->e->c;
	const char	*output, *sep;
	size_t		 i;
	int		 status = run->status;

	proc_output_read(run->out);
	proc_output_free(run->out);
	run->out = NULL;
	run->e->run = NULL;

	if (run->proc.exec_error != 0) {
		check_done(c, CHECK_FAIL, "cannot run /bin/sh: %s",
		    strerror(run->proc.exec_error));
		exec_run_free(run);
		return;
	}
	/* Output is text: no NUL inside. */
	for (i = 0; i < run->text.len; i++) {
		if (run->text.data[i] == '\0')
			run->text.data[i] = '?';
	}
	output = run->text.data != NULL ? run->text.data : "";
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

/* A cancelled run got its SIGKILL: gone once its group is. */
static void
exec_killed(struct proc *p, int running, void *arg)
{
	struct exec_run	*run = arg;

	log_debug("exec: SIGKILL to process group %ld", (long)p->pid);
	if (!running)
		exec_old_reaped(run);
}

static void
exec_reaped(struct proc *p, int status, void *arg)
{
	struct exec_run	*run = arg;

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
	int			 fd;

	run = xcalloc(1, sizeof *run);
	run->e = e;
	buf_init(&run->text);
	memset(&ps, 0, sizeof ps);
	ps.shell_command = e->command;
	/* A check never reads the terminal; an exec error is its result. */
	ps.flags = PROC_STDIN_NULL | PROC_OUTPUT | PROC_QUIET;
	if (proc_spawn(&run->proc, &ps, exec_reaped, run, &fd, cause) != 0) {
		free(run);
		return (-1);
	}
	run->out = proc_output_new(fd, 0, exec_output_cb, run);
	ev_timer_init(&run->gone_timer, exec_gone_cb, EXEC_GONE_POLL,
	    EXEC_GONE_POLL);
	run->gone_timer.data = run;
	e->run = run;
	log_debug("check %s: started pid %ld", c->name, (long)run->proc.pid);
	return (0);
}

static int
exec_start(struct check *c, char **cause)
{
	struct exec	*e = c->data;

	if (e->old != NULL) {
		log_debug("check %s: waiting for process group %ld to go",
		    c->name, (long)e->old->proc.pid);
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
	proc_output_free(run->out);
	run->out = NULL;
	log_debug("check %s: SIGTERM to process group %ld", c->name,
	    (long)run->proc.pid);
	proc_terminate(&run->proc, SIGTERM, EXEC_KILL_DELAY, 1, exec_killed);
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
