/*
 * cmd-wait.c: `hinit wait [--timeout DUR] [--interval DUR] TARGET...
 * [-- COMMAND [ARG]...]`: probe every target until each has passed once,
 * then exec COMMAND (or exit 0); exit 124 at the timeout, naming the targets
 * still failing. A failed target is probed again `interval` after its
 * attempt ended; each attempt may take the interval, but at least 1s and at
 * most 5s.
 */

#include <sys/types.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hinit.h"
#include "check.h"
#include "config.h"
#include "init.h"
#include "status.h"

#define CMD_WAIT_TIMEOUT	60000	/* ms */
#define CMD_WAIT_INTERVAL	1000	/* ms */
#define CMD_WAIT_ATTEMPT_MIN	1000	/* ms */
#define CMD_WAIT_ATTEMPT_MAX	5000	/* ms */
#define CMD_WAIT_SETTLE		2.0	/* s: reaping killed checks */

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
cmd_wait_usage(FILE *f)
{
	fprintf(f, "usage: hinit wait [--timeout DUR] [--interval DUR] "
	    "[NAME=]TARGET... [-- COMMAND [ARG]...]\n");
}

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

static int
cmd_wait_duration(const char *option, char **argv, int argc, int *i,
    uint64_t *ms)
{
	const char	*value;
	char		*cause;
	size_t		 len = strlen(option);

	if (argv[*i][len] == '=')
		value = argv[*i] + len + 1;
	else if (*i + 1 < argc) {
		argv[*i] = NULL;
		value = argv[++*i];
	} else {
		log_warnx("wait: %s needs a duration", option);
		return (-1);
	}
	if (duration_parse(value, ms, &cause) != 0) {
		log_warnx("wait: %s: %s", option, cause);
		free(cause);
		return (-1);
	}
	return (0);
}

static int
cmd_wait_exec(char **argv)
{
	int	 error;

	/* What hinit inherited, not what it set for itself. */
	signal_child_reset();
	execvp(argv[0], argv);
	error = errno;
	log_warnx("wait: cannot run %s: %s", argv[0], strerror(error));
	return (error == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC);
}

int
cmd_wait(int argc, char **argv)
{
	struct hinit		 h;
	struct cmd_wait		 w;
	struct cmd_wait_target	*t;
	struct config		*conf;
	struct check		*c;
	const struct attempt	*a;
	char			*cause, **command = NULL, tmp[32];
	uint64_t		 timeout = CMD_WAIT_TIMEOUT, attempt;
	int			 i, code;
	u_int			 n;

	memset(&w, 0, sizeof w);
	w.interval = CMD_WAIT_INTERVAL;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (argv[i][0] != '-' || argv[i][1] == '\0')
			continue;
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			cmd_wait_usage(stdout);
			return (0);
		}
		if (strcmp(argv[i], "--timeout") == 0 ||
		    strncmp(argv[i], "--timeout=", 10) == 0) {
			if (cmd_wait_duration("--timeout", argv, argc, &i,
			    &timeout) != 0)
				return (EXIT_USAGE);
		} else if (strcmp(argv[i], "--interval") == 0 ||
		    strncmp(argv[i], "--interval=", 11) == 0) {
			if (cmd_wait_duration("--interval", argv, argc, &i,
			    &w.interval) != 0)
				return (EXIT_USAGE);
			if (w.interval == 0) {
				log_warnx("wait: --interval must be more "
				    "than 0");
				return (EXIT_USAGE);
			}
		} else {
			log_warnx("wait: unknown option %s", argv[i]);
			cmd_wait_usage(stderr);
			return (EXIT_USAGE);
		}
		argv[i] = NULL;
	}
	if (i < argc) {
		command = argv + i + 1;
		if (*command == NULL) {
			log_warnx("wait: no command after --");
			return (EXIT_USAGE);
		}
	}
	argc = i;

	hinit_oneshot(&h);
	conf = config_new();
	h.conf = conf;
	for (i = 1; i < argc; i++) {
		if (argv[i] == NULL)
			continue;
		if (config_add_target(conf, argv[i], &cause) != 0) {
			log_warnx("wait: %s", cause);
			free(cause);
			config_free(conf);
			return (EXIT_USAGE);
		}
		url_hide(argv[i]);	/* ps shows argv to every user */
		w.ntargets++;
	}
	if (w.ntargets == 0) {
		cmd_wait_usage(stderr);
		config_free(conf);
		return (EXIT_USAGE);
	}
	if (config_finish(conf, &cause) != 0) {
		log_warnx("wait: %s", cause);
		free(cause);
		config_free(conf);
		return (EXIT_USAGE);
	}

	attempt = w.interval;
	if (attempt < CMD_WAIT_ATTEMPT_MIN)
		attempt = CMD_WAIT_ATTEMPT_MIN;
	if (attempt > CMD_WAIT_ATTEMPT_MAX)
		attempt = CMD_WAIT_ATTEMPT_MAX;
	w.targets = xcalloc(w.ntargets, sizeof *w.targets);
	n = 0;
	TAILQ_FOREACH(c, &conf->checks, entry) {
		if (n == w.ntargets)
			break;
		t = &w.targets[n++];
		t->c = c;
		t->w = &w;
		ev_timer_init(&t->timer, cmd_wait_again, 0, 0);
		t->timer.data = t;
		c->timeout = attempt;
	}
	w.ntargets = w.pending = n;
	for (n = 0; n < w.ntargets; n++)
		probe_once(w.targets[n].c, cmd_wait_done, &w.targets[n]);
	if (timeout != 0) {
		ev_timer_init(&w.deadline, cmd_wait_deadline, timeout / 1000.0,
		    0);
		w.deadline.data = &w;
		ev_timer_start(EV_DEFAULT, &w.deadline);
	}
	ev_run(EV_DEFAULT, 0);

	ev_timer_stop(EV_DEFAULT, &w.deadline);
	for (n = 0; n < w.ntargets; n++)
		ev_timer_stop(EV_DEFAULT, &w.targets[n].timer);
	probe_stop(&conf->checks);
	probe_settle(CMD_WAIT_SETTLE);

	code = 0;
	if (w.timed_out) {
		code = EXIT_WAIT_TIMEOUT;
		duration_format(timeout, tmp, sizeof tmp);
		for (n = 0; n < w.ntargets; n++) {
			t = &w.targets[n];
			if (t->passed)
				continue;
			a = probe_last(t->c);
			log_warnx("wait: gave up after %s: %s %s not ready: %s",
			    tmp, t->c->name, t->c->target_shown, a == NULL ?
			    "no attempt finished" : *a->output != '\0' ?
			    a->output : check_result_name(a->result));
		}
	}
	free(w.targets);
	config_free(conf);
	reap_stop(&h);
	if (code == 0 && command != NULL)
		code = cmd_wait_exec(command);
	return (code);
}
