/*
 * task.c: the launch of the app. First the [hinit] wait gates, then each
 * [task:NAME] in file order (its own wait, then its run in its own process
 * group, its output passed on line by line as "NAME: line" on stderr, its
 * timeout), then the app. A small state machine moved on by the probe
 * engine (a check turned healthy), its timers and the reaper (a task
 * ended); it never blocks the loop.
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
#include "check.h"
#include "config.h"
#include "init.h"

#define TASK_LINE_MAX		4096	/* longer lines go on in pieces */
#define TASK_EXIT_TIMEOUT	124	/* a task killed for its timeout */
#define TASK_READ_MAX		16	/* reads a turn of the loop, at most */
#define TASK_DRAIN_TIME		10.0	/* seconds after its exit: passed on */
#define TASK_DRAIN_MAX		65536	/* bytes after its exit: passed on */

enum launch_stage {
	LAUNCH_GATES,		/* [hinit] wait */
	LAUNCH_TASK_WAIT,	/* the task's own wait */
	LAUNCH_TASK_RUN,
	LAUNCH_DONE
};

struct launch {
	struct hinit		*h;
	enum launch_stage	 stage;
	struct task		*task;		/* waited for or running */
	int			 waited;	/* the app was held back */
	int			 told;		/* "waiting for" said */

	ev_timer		 wait_timer;	/* wait_timeout of this stage */
	ev_timer		 kill_timer;	/* timeout, then grace */
	int			 timed_out;
	ev_timer		 group_timer;	/* SIGKILL a timed-out group */
	pid_t			 group;
	pid_t			 pid;
	struct task_output	*out;		/* the task's output */
};

/*
 * A task's stdout and stderr: one pipe, passed on line by line. Once the
 * task has exited, a process it left in the background may still hold the
 * pipe: it is read on to the end, so that the process neither dies of
 * SIGPIPE nor blocks on a full pipe, and what it writes is passed on for
 * TASK_DRAIN_TIME and TASK_DRAIN_MAX bytes, then dropped.
 */
struct task_output {
	struct hinit		*h;
	struct task		*task;
	int			 fd;		/* -1 at the end */
	ev_io			 io;
	struct buf		 line;		/* a line not ended yet */
	int			 cut;		/* the last piece was cut */
	int			 exited;	/* the task has */
	int			 dropping;	/* past the bounds */
	size_t			 after;		/* bytes read since */
	ev_timer		 drain_timer;
};

static void	task_step(struct launch *);

/* The wait list of this stage. */
static void
task_wait_list(struct launch *l, char ***names, u_int *n)
{
	if (l->stage == LAUNCH_GATES) {
		*names = l->h->conf->wait;
		*n = l->h->conf->nwait;
	} else {
		*names = l->task->wait;
		*n = l->task->nwait;
	}
}

/* Are all checks of the list healthy? If not, the names of the others. */
static int
task_wait_ready(struct launch *l, struct buf *others)
{
	struct check	*c;
	char		**names;
	u_int		 n, i;
	int		 ready = 1;

	task_wait_list(l, &names, &n);
	for (i = 0; i < n; i++) {
		c = config_find_check(l->h->conf, names[i]);
		if (c == NULL)
			fatalx("wait: no check %s", names[i]);
		if (c->state == CHECK_HEALTHY)
			continue;
		if (others != NULL)
			buf_printf(others, "%s%s", ready ? "" : ", ", c->name);
		ready = 0;
	}
	return (ready);
}

/* wait_timeout is over: say what still fails and how, then exit 1. */
static void
task_wait_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct launch		*l = w->data;
	struct hinit		*h = l->h;
	const struct attempt	*a;
	struct check		*c;
	char			**names, tmp[32], task[256];
	u_int			 n, i;

	task_wait_list(l, &names, &n);
	duration_format(h->conf->wait_timeout, tmp, sizeof tmp);
	task[0] = '\0';
	if (l->stage != LAUNCH_GATES)
		snprintf(task, sizeof task, "task %s: ", l->task->name);
	for (i = 0; i < n; i++) {
		c = config_find_check(h->conf, names[i]);
		if (c == NULL || c->state == CHECK_HEALTHY)
			continue;
		if ((a = probe_last(c)) == NULL) {
			log_warnx("%sgave up waiting for %s after %s: %s, "
			    "no attempt ended yet", task, c->name, tmp,
			    check_state_name(c->state));
		} else {
			log_warnx("%sgave up waiting for %s after %s: %s, "
			    "last attempt: %s%s%s", task, c->name, tmp,
			    check_state_name(c->state),
			    check_result_name(a->result),
			    *a->output != '\0' ? ": " : "", a->output);
		}
	}
	l->stage = LAUNCH_DONE;
	hinit_exit(h, 1);
}

/*
 * One line (or piece) of a task's output, on stderr like hinit's log, with
 * every secret hidden: a piece cut at TASK_LINE_MAX may end in the start
 * of one, and the next piece begin with its rest.
 */
static void
task_emit(struct task_output *o, const char *data, size_t len)
{
	struct buf	 b, line;
	char		 t[40], *s;
	int		 flags = 0;

	if (o->dropping)
		return;
	if (o->cut)
		flags |= SECRET_CUT_START;
	if ((o->cut = (len >= TASK_LINE_MAX)))
		flags |= SECRET_CUT_END;
	buf_init(&line);
	buf_add(&line, "", 0);
	secret_scrub(&line, data, len, flags);
	data = line.data;
	len = line.len;

	buf_init(&b);
	if (o->h->conf->log_format == LOG_JSON) {
		s = xstrndup(data, len);
		buf_puts(&b, "{\"time\":\"");
		buf_puts(&b, time_rfc3339(time_wall(), t, sizeof t));
		buf_puts(&b, "\",\"level\":\"info\",\"task\":");
		buf_json_string(&b, o->task->name);
		buf_puts(&b, ",\"msg\":");
		buf_json_string(&b, s);
		buf_puts(&b, "}\n");
		free(s);
	} else {
		/* It cannot forge hinit's lines or reach the terminal raw. */
		buf_printf(&b, "%s: ", o->task->name);
		buf_text_escaped(&b, data, len);
		buf_putc(&b, '\n');
	}
	(void)write(STDERR_FILENO, b.data, b.len);
	buf_free(&b);
	buf_free(&line);
}

/* The end of the output: the last piece, then the pipe is closed. */
static void
task_output_end(struct task_output *o)
{
	if (o->line.len > 0)
		task_emit(o, o->line.data, o->line.len);
	buf_reset(&o->line);
	if (o->fd != -1) {
		ev_io_stop(EV_DEFAULT, &o->io);
		close(o->fd);
		o->fd = -1;
	}
	if (!o->exited)
		return;		/* task_output_exited() frees it */
	ev_timer_stop(EV_DEFAULT, &o->drain_timer);
	buf_free(&o->line);
	free(o);
}

/* After the task's exit, past the bounds: read on, pass nothing on. */
static void
task_output_drop(struct task_output *o)
{
	if (o->line.len > 0)
		task_emit(o, o->line.data, o->line.len);
	buf_reset(&o->line);
	o->dropping = 1;
	ev_timer_stop(EV_DEFAULT, &o->drain_timer);
	log_info("task %s: what it left running writes on: no longer passed "
	    "on", o->task->name);
}

/*
 * Read what the task wrote, a bounded number of times a turn of the loop;
 * at EOF, the end. May free o once the task has exited.
 */
static void
task_read(struct task_output *o)
{
	char	 data[4096], *p, *nl;
	ssize_t	 n;
	size_t	 left, take;
	int	 reads;

	for (reads = 0; reads < TASK_READ_MAX; reads++) {
		n = read(o->fd, data, sizeof data);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n <= 0) {
			task_output_end(o);
			return;
		}
		if (o->exited) {
			o->after += n;
			if (o->after > TASK_DRAIN_MAX && !o->dropping)
				task_output_drop(o);
		}
		if (o->dropping)
			continue;
		p = data;
		left = n;
		while (left > 0) {
			nl = memchr(p, '\n', left);
			take = nl != NULL ? (size_t)(nl - p) : left;
			if (o->line.len + take > TASK_LINE_MAX)
				take = TASK_LINE_MAX - o->line.len;
			buf_add(&o->line, p, take);
			p += take;
			left -= take;
			if (nl == p) {
				p++;
				left--;
			} else if (o->line.len < TASK_LINE_MAX)
				continue;
			task_emit(o, o->line.data, o->line.len);
			buf_reset(&o->line);
		}
	}
}

static void
task_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	task_read(w->data);
}

static void
task_drain_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	task_output_drop(w->data);
}

static struct task_output *
task_output_new(struct hinit *h, struct task *t, int fd)
{
	struct task_output	*o;

	o = xcalloc(1, sizeof *o);
	o->h = h;
	o->task = t;
	o->fd = fd;
	buf_init(&o->line);
	ev_io_init(&o->io, task_io_cb, fd, EV_READ);
	o->io.data = o;
	ev_io_start(EV_DEFAULT, &o->io);
	ev_timer_init(&o->drain_timer, task_drain_cb, TASK_DRAIN_TIME, 0);
	o->drain_timer.data = o;
	return (o);
}

/*
 * The task exited: what it wrote, its last line too, then the output lives
 * on its own until EOF.
 */
static void
task_output_exited(struct task_output *o)
{
	if (o->fd != -1)
		task_read(o);
	if (o->line.len > 0)
		task_emit(o, o->line.data, o->line.len);
	buf_reset(&o->line);
	o->exited = 1;
	if (o->fd == -1) {
		task_output_end(o);
		return;
	}
	ev_timer_start(EV_DEFAULT, &o->drain_timer);
}

/* The task's timeout: SIGTERM to its group, after the grace SIGKILL. */
static void
task_kill_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct launch	*l = w->data;
	struct hinit	*h = l->h;
	char		 tmp[32];

	if (l->pid <= 0)
		return;
	if (l->timed_out) {
		log_warnx("task %s: still running after the grace: SIGKILL",
		    l->task->name);
		kill(-l->pid, SIGKILL);
		return;
	}
	log_warnx("task %s: timed out after %s: SIGTERM", l->task->name,
	    duration_format(l->task->timeout, tmp, sizeof tmp));
	l->timed_out = 1;
	kill(-l->pid, SIGTERM);
	ev_timer_set(&l->kill_timer, h->conf->grace / 1000.0, 0);
	ev_timer_start(loop, &l->kill_timer);
}

/* The rest of a timed-out task's group had its grace. */
static void
task_group_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct launch	*l = w->data;

	if (l->group > 0)
		kill(-l->group, SIGKILL);
	l->group = 0;
}

static void
task_exited(pid_t pid, int status, void *arg)
{
	struct launch	*l = arg;
	struct hinit	*h = l->h;
	struct task	*t = l->task;
	double		 left;
	int		 code;

	left = ev_timer_remaining(EV_DEFAULT, &l->kill_timer);
	if (!ev_is_active(&l->kill_timer))
		left = 0;
	ev_timer_stop(EV_DEFAULT, &l->kill_timer);
	task_output_exited(l->out);
	l->out = NULL;
	l->pid = 0;
	h->task = NULL;
	h->task_pid = 0;
	if (l->timed_out) {
		/* The rest of its group got SIGTERM: the rest of the grace. */
		if (ev_is_active(&l->group_timer))
			task_group_cb(EV_DEFAULT, &l->group_timer, 0);
		ev_timer_stop(EV_DEFAULT, &l->group_timer);
		if (kill(-pid, 0) == 0) {
			l->group = pid;
			ev_timer_set(&l->group_timer, left, 0);
			ev_timer_start(EV_DEFAULT, &l->group_timer);
		}
		code = TASK_EXIT_TIMEOUT;
	} else if (WIFEXITED(status))
		code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		code = 128 + WTERMSIG(status);
	else
		code = 1;

	if (WIFSIGNALED(status)) {
		log_info("task %s: killed by SIG%s", t->name,
		    signal_name(WTERMSIG(status)));
	} else
		log_info("task %s: exited with %d", t->name,
		    WEXITSTATUS(status));
	hinit_changed(h);

	if (h->stopping || h->exit_code != -1) {
		/* A stop signal: exit as if the app had been killed by it. */
		l->stage = LAUNCH_DONE;
		hinit_exit(h, app_exit_code(h, h->stop_signal));
		return;
	}
	if (code != 0 && t->on_failure == TASK_FAILURE_EXIT) {
		log_warnx("task %s failed (%d): exiting", t->name, code);
		l->stage = LAUNCH_DONE;
		hinit_exit(h, code);
		return;
	}
	if (code != 0)
		log_warnx("task %s failed (%d): continuing", t->name, code);
	l->task = TAILQ_NEXT(t, entry);
	l->stage = LAUNCH_TASK_WAIT;
	l->told = 0;
	task_step(l);
}

static void
task_run(struct launch *l)
{
	struct hinit		*h = l->h;
	struct task		*t = l->task;
	struct proc_spawn	 ps;
	char			*cause = NULL;
	int			 p[2];

	log_info("task %s: running %s", t->name, t->command_shown);
	if (pipe2(p, O_CLOEXEC) == -1) {
		xasprintf(&cause, "pipe: %s", strerror(errno));
		l->pid = -1;
	} else {
		fd_set_nonblock(p[0]);
		memset(&ps, 0, sizeof ps);
		ps.shell_command = t->command;
		ps.stdin_null = 1;
		ps.stdout_fd = ps.stderr_fd = p[1];
		l->pid = proc_spawn(&ps, &cause);
		close(p[1]);
		if (l->pid == -1)
			close(p[0]);
	}
	if (l->pid == -1) {
		log_warnx("task %s: %s", t->name, cause);
		free(cause);
		l->pid = 0;
		if (t->on_failure == TASK_FAILURE_EXIT) {
			l->stage = LAUNCH_DONE;
			hinit_exit(h, 1);
			return;
		}
		l->task = TAILQ_NEXT(t, entry);
		l->stage = LAUNCH_TASK_WAIT;
		l->told = 0;
		task_step(l);
		return;
	}
	l->stage = LAUNCH_TASK_RUN;
	l->waited = 1;
	l->timed_out = 0;
	l->out = task_output_new(h, t, p[0]);
	h->task = t;
	h->task_pid = l->pid;
	reap_watch(l->pid, task_exited, l);
	if (t->timeout != 0) {
		ev_timer_set(&l->kill_timer, t->timeout / 1000.0, 0);
		ev_timer_start(EV_DEFAULT, &l->kill_timer);
	}
	hinit_changed(h);
}

/* Everything before the app is done: start it. */
static void
task_app(struct launch *l)
{
	struct hinit	*h = l->h;

	l->stage = LAUNCH_DONE;
	/* The app's checks start over with it: start_period begins now. */
	if (l->waited)
		probe_reset(&h->conf->checks);
	if (app_start(h) != 0)
		hinit_exit(h, 1);
}

/* Move on as far as the checks allow. */
static void
task_step(struct launch *l)
{
	struct hinit	*h = l->h;
	struct buf	 others;

	for (;;) {
		if (h->stopping || h->exit_code != -1)
			return;
		switch (l->stage) {
		case LAUNCH_GATES:
		case LAUNCH_TASK_WAIT:
			if (l->stage == LAUNCH_TASK_WAIT && l->task == NULL) {
				task_app(l);
				return;
			}
			buf_init(&others);
			if (!task_wait_ready(l, &others)) {
				if (!l->told && l->stage == LAUNCH_GATES)
					log_info("waiting for %s", others.data);
				else if (!l->told) {
					log_info("task %s: waiting for %s",
					    l->task->name, others.data);
				}
				buf_free(&others);
				l->told = 1;
				l->waited = 1;
				if (!ev_is_active(&l->wait_timer) &&
				    h->conf->wait_timeout != 0) {
					ev_timer_set(&l->wait_timer,
					    h->conf->wait_timeout / 1000.0, 0);
					ev_timer_start(EV_DEFAULT,
					    &l->wait_timer);
				}
				return;
			}
			buf_free(&others);
			ev_timer_stop(EV_DEFAULT, &l->wait_timer);
			if (l->stage == LAUNCH_GATES) {
				l->stage = LAUNCH_TASK_WAIT;
				l->task = TAILQ_FIRST(&h->conf->tasks);
				l->told = 0;
				continue;
			}
			task_run(l);
			return;
		case LAUNCH_TASK_RUN:
		case LAUNCH_DONE:
			return;
		}
	}
}

/* Begin the launch; with nothing to wait for, the app starts at once. */
void
task_launch(struct hinit *h)
{
	struct launch	*l;

	l = xcalloc(1, sizeof *l);
	l->h = h;
	l->stage = LAUNCH_GATES;
	ev_init(&l->wait_timer, task_wait_timeout_cb);
	l->wait_timer.data = l;
	ev_init(&l->kill_timer, task_kill_cb);
	l->kill_timer.data = l;
	ev_init(&l->group_timer, task_group_cb);
	l->group_timer.data = l;
	h->launch = l;
	task_step(l);
}

void
task_probe(struct hinit *h)
{
	struct launch	*l = h->launch;

	if (l != NULL &&
	    (l->stage == LAUNCH_GATES || l->stage == LAUNCH_TASK_WAIT))
		task_step(l);
}

/* Forward a signal to the running task's group. */
void
task_signal(struct hinit *h, int sig)
{
	if (h->task_pid <= 0)
		return;
	if (kill(-h->task_pid, sig) == -1 && errno != ESRCH)
		log_warn("kill(-%ld, SIG%s)", (long)h->task_pid,
		    signal_name(sig));
}

/*
 * A stop signal while a task runs: the task's group gets it after SIGCONT
 * (no drain: the app does not serve yet), its timeout no longer counts; the grace and the
 * task's exit (task_exited) do the rest.
 */
int
task_stop(struct hinit *h, int sig)
{
	struct launch	*l = h->launch;

	if (l == NULL || l->stage != LAUNCH_TASK_RUN || l->pid <= 0)
		return (0);
	ev_timer_stop(EV_DEFAULT, &l->kill_timer);
	/* SIGCONT first, as to the app: a stopped task takes it so. */
	if (sig != SIGCONT)
		task_signal(h, SIGCONT);
	task_signal(h, sig);
	return (1);
}

/* hinit exits: nothing more starts. A running task is ended by the exit. */
void
task_cancel(struct hinit *h)
{
	struct launch	*l = h->launch;

	if (l == NULL)
		return;
	ev_timer_stop(EV_DEFAULT, &l->wait_timer);
	ev_timer_stop(EV_DEFAULT, &l->kill_timer);
	if (l->stage != LAUNCH_TASK_RUN)
		l->stage = LAUNCH_DONE;
}
