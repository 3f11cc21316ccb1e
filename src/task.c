/*
 * task.c: the launch of the app. First the [hinit] wait gates, then each
 * [task:NAME] in file order (its own wait, then its run in its own process
 * group, its output passed on line by line as "NAME: line" on stderr, its
 * timeout), then the app. A small state machine moved on by the probe
 * engine (a check turned healthy), its timers and the reaper (a task
 * ended); it never blocks the loop. The init hears of it through struct
 * launch_cb.
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

#define TASK_LINE_MAX		4096	/* longer lines go on in pieces */
#define TASK_EXIT_TIMEOUT	124	/* a task killed for its timeout */
#define TASK_DRAIN_TIME		10.0	/* seconds after its exit: passed on */
#define TASK_DRAIN_MAX		65536	/* bytes after its exit: passed on */

enum launch_stage {
	LAUNCH_GATES,		/* [hinit] wait */
	LAUNCH_TASK_WAIT,	/* the task's own wait */
	LAUNCH_TASK_RUN,
	LAUNCH_DONE
};

struct task_run;

struct launch {
	struct config		*conf;
	const struct launch_cb	*cb;
	enum launch_stage	 stage;
	struct task		*task;		/* waited for or running */
	int			 waited;	/* the app was held back */
	int			 told;		/* "waiting for" said */
	int			 stopping;	/* nothing more starts */

	ev_timer		 wait_timer;	/* wait_timeout of this stage */
	ev_timer		 timeout_timer;	/* the task's timeout */
	struct task_run		*run;		/* the task running */
};

/*
 * One run of a task. A run that timed out lives on after its exit until
 * the rest of its group has had the rest of the grace (then SIGKILL).
 */
struct task_run {
	struct launch		*l;
	struct task		*task;
	struct proc		 proc;
	struct proc_output	*out;		/* until it exits */
	int			 timed_out;
};

static void	task_step(struct launch *);

/* The wait list of this stage. */
static void
task_wait_list(struct launch *l, char ***names, u_int *n)
{
	if (l->stage == LAUNCH_GATES) {
		*names = l->conf->wait;
		*n = l->conf->nwait;
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
		c = config_find_check(l->conf, names[i]);
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
	const struct attempt	*a;
	struct check		*c;
	char			**names, tmp[32], task[256];
	u_int			 n, i;

	task_wait_list(l, &names, &n);
	duration_format(l->conf->wait_timeout, tmp, sizeof tmp);
	task[0] = '\0';
	if (l->stage != LAUNCH_GATES)
		snprintf(task, sizeof task, "task %s: ", l->task->name);
	for (i = 0; i < n; i++) {
		c = config_find_check(l->conf, names[i]);
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
	l->cb->exit(1, l->cb->arg);
}

/*
 * A line (or piece) of a task's output, on stderr like hinit's log, with
 * every secret hidden: a piece cut at TASK_LINE_MAX may end in the start
 * of one, and the next piece begin with its rest.
 */
static void
task_output_cb(const char *data, size_t len, int flags, void *arg)
{
	struct task	*t = arg;

	if (flags & PROC_OUTPUT_DROPPED) {
		log_info("task %s: what it left running writes on: no longer "
		    "passed on", t->name);
		return;
	}
	log_output(t->name, data, len, flags & PROC_OUTPUT_CUT);
}

/* The rest of a run that timed out had its grace: SIGKILL sent. */
static void
task_killed(struct proc *p, int running, void *arg)
{
	struct task_run	*run = arg;

	if (running) {
		log_warnx("task %s: still running after the grace: SIGKILL",
		    run->task->name);
	} else {
		proc_terminate_stop(p);
		free(run);	/* it exited before */
	}
}

/* The task's timeout: SIGTERM to its group, after the grace SIGKILL. */
static void
task_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct launch	*l = w->data;
	struct task_run	*run = l->run;
	char		 tmp[32];

	if (run == NULL)
		return;
	log_warnx("task %s: timed out after %s: SIGTERM", run->task->name,
	    duration_format(run->task->timeout, tmp, sizeof tmp));
	run->timed_out = 1;
	proc_terminate(&run->proc, SIGTERM, l->conf->grace / 1000.0, 1,
	    task_killed);
}

/* On to the next task. */
static void
task_next(struct launch *l, struct task *t)
{
	l->task = TAILQ_NEXT(t, entry);
	l->stage = LAUNCH_TASK_WAIT;
	l->told = 0;
	task_step(l);
}

static void
task_exited(struct proc *p, int status, void *arg)
{
	struct task_run	*run = arg;
	struct launch	*l = run->l;
	struct task	*t = run->task;
	int		 code;

	ev_timer_stop(EV_DEFAULT, &l->timeout_timer);
	/* What it wrote, its last line too; then the output lives on. */
	proc_output_linger(run->out, TASK_DRAIN_TIME, TASK_DRAIN_MAX);
	run->out = NULL;
	l->run = NULL;
	if (run->timed_out)
		code = TASK_EXIT_TIMEOUT;
	else
		code = proc_exit_code(status);
	/* Timed out: the rest of its group has the rest of the grace. */
	if (!proc_terminating(&run->proc)) {
		proc_terminate_stop(&run->proc);
		free(run);
	}

	if (WIFSIGNALED(status)) {
		log_info("task %s: killed by SIG%s", t->name,
		    signal_name(WTERMSIG(status)));
	} else
		log_info("task %s: exited with %d", t->name,
		    WEXITSTATUS(status));
	l->cb->changed(l->cb->arg);

	if (l->stopping) {
		/* A stop signal: exit as if the app had been killed by it. */
		l->stage = LAUNCH_DONE;
		l->cb->stopped(l->cb->arg);
		return;
	}
	if (code != 0 && t->on_failure == TASK_FAILURE_EXIT) {
		log_warnx("task %s failed (%d): exiting", t->name, code);
		l->stage = LAUNCH_DONE;
		l->cb->exit(code, l->cb->arg);
		return;
	}
	if (code != 0)
		log_warnx("task %s failed (%d): continuing", t->name, code);
	task_next(l, t);
}

static void
task_run(struct launch *l)
{
	struct task		*t = l->task;
	struct task_run		*run;
	struct proc_spawn	 ps;
	char			*cause = NULL;
	int			 fd;

	log_info("task %s: running %s", t->name, t->command_shown);
	run = xcalloc(1, sizeof *run);
	run->l = l;
	run->task = t;
	memset(&ps, 0, sizeof ps);
	ps.shell_command = t->command;
	ps.flags = PROC_STDIN_NULL | PROC_OUTPUT;
	if (proc_spawn(&run->proc, &ps, task_exited, run, &fd, &cause) != 0) {
		log_warnx("task %s: %s", t->name, cause);
		free(cause);
		free(run);
		if (t->on_failure == TASK_FAILURE_EXIT) {
			l->stage = LAUNCH_DONE;
			l->cb->exit(1, l->cb->arg);
			return;
		}
		task_next(l, t);
		return;
	}
	l->stage = LAUNCH_TASK_RUN;
	l->waited = 1;
	l->run = run;
	run->out = proc_output_new(fd, TASK_LINE_MAX, task_output_cb, t);
	if (t->timeout != 0) {
		ev_timer_set(&l->timeout_timer, t->timeout / 1000.0, 0);
		ev_timer_start(EV_DEFAULT, &l->timeout_timer);
	}
	l->cb->changed(l->cb->arg);
}

/* Everything before the app is done: start it. */
static void
task_app(struct launch *l)
{
	l->stage = LAUNCH_DONE;
	l->cb->ready(l->waited, l->cb->arg);
}

/* Move on as far as the checks allow. */
static void
task_step(struct launch *l)
{
	struct buf	 others;

	for (;;) {
		if (l->stopping)
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
				    l->conf->wait_timeout != 0) {
					ev_timer_set(&l->wait_timer,
					    l->conf->wait_timeout / 1000.0, 0);
					ev_timer_start(EV_DEFAULT,
					    &l->wait_timer);
				}
				return;
			}
			buf_free(&others);
			ev_timer_stop(EV_DEFAULT, &l->wait_timer);
			if (l->stage == LAUNCH_GATES) {
				l->stage = LAUNCH_TASK_WAIT;
				l->task = TAILQ_FIRST(&l->conf->tasks);
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
struct launch *
task_launch(struct config *conf, const struct launch_cb *cb)
{
	struct launch	*l;

	l = xcalloc(1, sizeof *l);
	l->conf = conf;
	l->cb = cb;
	l->stage = LAUNCH_GATES;
	ev_init(&l->wait_timer, task_wait_timeout_cb);
	l->wait_timer.data = l;
	ev_init(&l->timeout_timer, task_timeout_cb);
	l->timeout_timer.data = l;
	task_step(l);
	return (l);
}

void
task_probe(struct launch *l)
{
	if (l != NULL &&
	    (l->stage == LAUNCH_GATES || l->stage == LAUNCH_TASK_WAIT))
		task_step(l);
}

/* Forward a signal to the running task's group. */
void
task_signal(struct launch *l, int sig)
{
	if (l != NULL && l->run != NULL)
		proc_signal(&l->run->proc, sig, PROC_SIGNAL_GROUP);
}

const char *
task_running(struct launch *l)
{
	if (l == NULL || l->run == NULL)
		return (NULL);
	return (l->run->task->name);
}

/*
 * A stop signal while a task runs: the task's group gets it after SIGCONT
 * (no drain: the app does not serve yet), its timeout no longer counts;
 * the grace and the task's exit (task_exited) do the rest.
 */
int
task_stop(struct launch *l, int sig)
{
	if (l == NULL || l->stage != LAUNCH_TASK_RUN || l->run == NULL)
		return (0);
	l->stopping = 1;
	ev_timer_stop(EV_DEFAULT, &l->timeout_timer);
	proc_terminate_stop(&l->run->proc);
	proc_signal(&l->run->proc, sig, PROC_SIGNAL_GROUP | PROC_SIGNAL_STOP);
	return (1);
}

/* hinit exits: nothing more starts. A running task is ended by the exit. */
void
task_cancel(struct launch *l)
{
	if (l == NULL)
		return;
	l->stopping = 1;
	ev_timer_stop(EV_DEFAULT, &l->wait_timer);
	ev_timer_stop(EV_DEFAULT, &l->timeout_timer);
	if (l->run != NULL)
		proc_terminate_stop(&l->run->proc);
	if (l->stage != LAUNCH_TASK_RUN)
		l->stage = LAUNCH_DONE;
}
