/*
 * cmd-wait.c: `hinit wait [--timeout DUR] [--interval DUR] TARGET...
 * [-- COMMAND [ARG]...]`: probe every target until each has passed once,
 * then exec COMMAND (or exit 0); exit 124 at the timeout, naming the targets
 * still failing. A failed target is probed again `interval` after its
 * attempt ended; each attempt may take the interval, but at least 1s and at
 * most 5s.
 */

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include "hinit.h"
#include "check.h"
#include "config.h"
#include "cmd.h"

#define CMD_WAIT_TIMEOUT	60000	/* ms */
#define CMD_WAIT_INTERVAL	1000	/* ms */
#define CMD_WAIT_ATTEMPT_MIN	1000	/* ms */
#define CMD_WAIT_ATTEMPT_MAX	5000	/* ms */
#define CMD_WAIT_SETTLE		2.0	/* s: reaping killed checks */

enum {
	CMD_WAIT_OPT_TIMEOUT,
	CMD_WAIT_OPT_INTERVAL
};

struct cmd_wait;

struct cmd_wait_target {
	struct check	*c;
	struct cmd_wait	*w;
	int		 passed;
	ev_timer	 timer;		/* the next attempt */
};

struct cmd_wait {
	struct cmd_wait_target	*targets;
	u_int			 ntargets;
	u_int			 pending;	/* not passed yet */
	uint64_t		 interval;
	int			 timed_out;
	ev_timer		 deadline;
};

static void	cmd_wait_done(struct check *, int, void *);

static void
cmd_wait_again(struct ev_loop *loop, ev_timer *timer, int revents)
{
	struct cmd_wait_target	*t = timer->data;

	probe_once(t->c, cmd_wait_done, t);
}

static void
cmd_wait_done(struct check *c, int changed, void *arg)
{
	struct cmd_wait_target	*t = arg;
	struct cmd_wait		*w = t->w;
	const struct attempt	*a = probe_last(c);

	if (a->result != CHECK_PASS) {
		log_verbose("wait: %s: %s", c->name, a->output);
		ev_timer_set(&t->timer, w->interval / 1000.0, 0);
		ev_timer_start(EV_DEFAULT, &t->timer);
		return;
	}
	log_verbose("wait: %s ready%s%s%s", c->name, *a->output != '\0' ?
	    " (" : "", a->output, *a->output != '\0' ? ")" : "");
	t->passed = 1;
	if (--w->pending == 0)
		ev_break(EV_DEFAULT, EVBREAK_ONE);
}

static void
cmd_wait_deadline(struct ev_loop *loop, ev_timer *timer, int revents)
{
	struct cmd_wait	*w = timer->data;

	w->timed_out = 1;
	ev_break(loop, EVBREAK_ONE);
}

/* Every target probed at once; the deadline unless timeout is 0. */
static void
cmd_wait_start(struct cmd_wait *w, struct check_list *checks, u_int ntargets,
    uint64_t timeout)
{
	struct cmd_wait_target	*t;
	struct check		*c;
	uint64_t		 attempt;
	u_int			 n = 0;

	attempt = w->interval;
	if (attempt < CMD_WAIT_ATTEMPT_MIN)
		attempt = CMD_WAIT_ATTEMPT_MIN;
	if (attempt > CMD_WAIT_ATTEMPT_MAX)
		attempt = CMD_WAIT_ATTEMPT_MAX;
	w->targets = xcalloc(ntargets, sizeof *w->targets);
	TAILQ_FOREACH(c, checks, entry) {
		if (n == ntargets)
			break;
		t = &w->targets[n++];
		t->c = c;
		t->w = w;
		ev_timer_init(&t->timer, cmd_wait_again, 0, 0);
		t->timer.data = t;
		c->timeout = attempt;
	}
	w->ntargets = w->pending = n;
	for (n = 0; n < w->ntargets; n++)
		probe_once(w->targets[n].c, cmd_wait_done, &w->targets[n]);
	if (timeout != 0) {
		ev_timer_init(&w->deadline, cmd_wait_deadline, timeout / 1000.0,
		    0);
		w->deadline.data = w;
		ev_timer_start(EV_DEFAULT, &w->deadline);
	}
}

/* At the timeout: name each target still failing, and why. */
static void
cmd_wait_failing(struct cmd_wait *w, uint64_t timeout)
{
	struct cmd_wait_target	*t;
	const struct attempt	*a;
	char			 tmp[32];
	u_int			 n;

	duration_format(timeout, tmp, sizeof tmp);
	for (n = 0; n < w->ntargets; n++) {
		t = &w->targets[n];
		if (t->passed)
			continue;
		a = probe_last(t->c);
		log_error("wait: gave up after %s: %s %s not ready: %s",
		    tmp, t->c->name, t->c->target_shown, a == NULL ?
		    "no attempt finished" : *a->output != '\0' ?
		    a->output : check_result_name(a->result));
	}
}

int
cmd_wait(int argc, char **argv)
{
	struct cmd_targets	 t;
	struct cmd_args		 args;
	struct cmd_wait		 w;
	char			**command;
	uint64_t		 timeout;
	u_int			 n;
	int			 code = 0;

	if (cmd_parse_usage(&cmd_wait_entry, argc, argv, &args, &code) != 0)
		return (code);
	if ((command = args.command) != NULL && *command == NULL) {
		log_error("wait: no command after --");
		cmd_args_free(&args);
		return (EXIT_USAGE);
	}
	memset(&w, 0, sizeof w);
	w.interval = args.set[CMD_WAIT_OPT_INTERVAL] ?
	    args.ms[CMD_WAIT_OPT_INTERVAL] : CMD_WAIT_INTERVAL;
	timeout = args.set[CMD_WAIT_OPT_TIMEOUT] ?
	    args.ms[CMD_WAIT_OPT_TIMEOUT] : CMD_WAIT_TIMEOUT;
	if (cmd_targets_open(&cmd_wait_entry, &args, &t) != 0) {
		cmd_args_free(&args);
		return (EXIT_USAGE);
	}
	cmd_wait_start(&w, &t.conf->checks, args.nwords, timeout);
	cmd_args_free(&args);
	ev_run(EV_DEFAULT, 0);

	ev_timer_stop(EV_DEFAULT, &w.deadline);
	for (n = 0; n < w.ntargets; n++)
		ev_timer_stop(EV_DEFAULT, &w.targets[n].timer);
	cmd_targets_stop(&t, CMD_WAIT_SETTLE);
	if (w.timed_out) {
		code = EXIT_WAIT_TIMEOUT;
		cmd_wait_failing(&w, timeout);
	}
	free(w.targets);
	cmd_targets_close(&t);
	if (code == 0 && command != NULL)
		code = cmd_exec(&cmd_wait_entry, command);
	return (code);
}

const struct cmd_entry cmd_wait_entry = {
	.name = "wait",
	.usage = "wait [--timeout DUR] [--interval DUR] [NAME=]TARGET... "
	    "[-- COMMAND [ARG]...]",
	.options = {
		{ "--timeout", CMD_DURATION },
		{ "--interval", CMD_DURATION_POSITIVE }
	},
	.flags = CMD_COMMAND,
	.exec = cmd_wait
};
