/*
 * exec.c: the exec check type: a command run by /bin/sh -c passes when it
 * exits 0. Its stdout and stderr go to one pipe read on the loop (the first
 * CHECK_OUTPUT_MAX bytes kept, the rest drained and dropped); its exit comes
 * through the reaper. A cancelled run (a timeout) outlives its attempt: its
 * process group gets SIGTERM, SIGKILL a second later, and the run is freed
 * when reaped, while the engine may already have started the next one.
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
#define EXEC_SHELL	"/bin/sh"	/* what proc_spawn runs commands with */

struct exec_run {
	struct check	*c;		/* NULL once cancelled */
	pid_t		 pid;		/* also its process group */
	int		 reaped;
	int		 status;

	int		 fd;		/* read end of the output pipe */
	ev_io		 io;
	struct buf	 out;

	ev_timer	 kill_timer;
};

static int
exec_configure(struct check *c, char **cause)
{
	if (c->command == NULL && c->target != NULL &&
	    strncasecmp(c->target, "exec:", 5) == 0)
		c->command = xstrdup(c->target + 5);
	if (c->command == NULL || c->command[strspn(c->command, " \t")] ==
	    '\0') {
		xasprintf(cause, "empty command");
		return (-1);
	}
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
	buf_free(&run->out);
	free(run);
}

/* Read what there is now; keep the first CHECK_OUTPUT_MAX bytes. */
static void
exec_read(struct exec_run *run)
{
	char	 tmp[4096];
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
		keep = CHECK_OUTPUT_MAX - run->out.len;
		if (keep > (size_t)n)
			keep = n;
		if (keep > 0)
			buf_add(&run->out, tmp, keep);
	}
}

static void
exec_finish(struct exec_run *run)
{
	struct check	*c = run->c;
	const char	*output, *sep;
	size_t		 i;
	int		 status = run->status;

	exec_read(run);
	exec_close(run);
	c->data = NULL;

	/* Output is text: no NUL inside. */
	for (i = 0; i < run->out.len; i++) {
		if (run->out.data[i] == '\0')
			run->out.data[i] = '?';
	}
	output = run->out.data != NULL ? run->out.data : "";
	while (*output == '\n' || *output == '\r')
		output++;
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
	exec_run_free(run);
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
		exec_run_free(run);
}

static void
exec_reaped(pid_t pid, int status, void *arg)
{
	struct exec_run	*run = arg;

	run->reaped = 1;
	run->status = status;
	if (run->c != NULL) {
		exec_finish(run);
		return;
	}
	/* Cancelled: wait for the SIGKILL only if its group lives on. */
	if (!ev_is_active(&run->kill_timer) || kill(-pid, 0) == -1)
		exec_run_free(run);
}

static int
exec_start(struct check *c, char **cause)
{
	struct proc_spawn	 ps;
	struct exec_run		*run;
	pid_t			 pid;
	int			 p[2];

	/*
	 * An image without a shell (distroless, scratch): each attempt fails
	 * with this reason and no spawn, so the log says it once, with the
	 * state change, not at every attempt.
	 */
	if (access(EXEC_SHELL, X_OK) == -1) {
		xasprintf(cause, "cannot run %s: %s (exec checks need a shell "
		    "in the image)", EXEC_SHELL, strerror(errno));
		return (-1);
	}
	if (pipe2(p, O_CLOEXEC) == -1) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		return (-1);
	}
	memset(&ps, 0, sizeof ps);
	ps.shell_command = c->command;
	ps.stdout_fd = ps.stderr_fd = p[1];
	ps.stdin_null = 1;	/* a check never reads the terminal */
	if ((pid = proc_spawn(&ps, cause)) == -1) {
		close(p[0]);
		close(p[1]);
		return (-1);
	}
	close(p[1]);
	fd_set_nonblock(p[0]);

	run = xcalloc(1, sizeof *run);
	run->c = c;
	run->pid = pid;
	run->fd = p[0];
	buf_init(&run->out);
	ev_io_init(&run->io, exec_io_cb, run->fd, EV_READ);
	run->io.data = run;
	ev_io_start(EV_DEFAULT, &run->io);
	ev_timer_init(&run->kill_timer, exec_kill_cb, EXEC_KILL_DELAY, 0);
	run->kill_timer.data = run;
	reap_watch(pid, exec_reaped, run);
	c->data = run;
	log_debug("check %s: started pid %ld", c->name, (long)pid);
	return (0);
}

/* The run lives on until reaped; the check is free of it at once. */
static void
exec_cancel(struct check *c)
{
	struct exec_run	*run = c->data;

	if (run == NULL)
		return;
	c->data = NULL;
	run->c = NULL;
	exec_close(run);
	log_debug("check %s: SIGTERM to process group %ld", c->name,
	    (long)run->pid);
	kill(-run->pid, SIGTERM);
	ev_timer_start(EV_DEFAULT, &run->kill_timer);
}

static void
exec_free(struct check *c)
{
	exec_cancel(c);
}

static const char *const exec_schemes[] = { NULL };

const struct check_type check_type_exec = {
	"exec",
	exec_schemes,
	exec_configure,
	exec_start,
	exec_cancel,
	exec_free
};
