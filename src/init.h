/*
 * init.h: the running init: the app it supervises, the children it reaps,
 * the signals it forwards and the stop sequence.
 */

#ifndef HINIT_INIT_H
#define HINIT_INIT_H

#include <signal.h>

#include "hinit.h"
#include "config.h"
#include "status.h"	/* enum app_state */

#define EXIT_CODES_MAX	64

struct app {
	char			**argv;
	pid_t			 pid;		/* 0 when not running */
	enum app_state		 state;
	u_int			 restarts;
	int			 status;	/* last wait status */
	double			 started;	/* ev_now() */
	ev_timer		 restart_timer;
	uint64_t		 restart_delay;	/* next back-off, ms */
	int			 restart_now;	/* on_unhealthy = restart */
	double			*restart_times;	/* a ring of restart_limit */
	int			 given_up;	/* restart_limit reached */
	ev_timer		 kill_timer;	/* ... SIGKILL after the grace */
	int			 sweeping;	/* ending what it left: */
#define APP_SWEEP_TERM		1	/* SIGTERM sent, the grace runs */
#define APP_SWEEP_KILL		2	/* SIGKILL sent, reaps awaited */
	int			 restart_due;	/* the back-off is over */
	ev_timer		 sweep_timer;	/* the grace, then the reaps */
};

/* Options from the command line; each overrides the config file. */
struct init_options {
	char			*config_file;
	char			*listen;
	char			*status_file;
	char			*grace;		/* as given: config_override */
	char			*drain;
	int			 kill_group;
	int			 subreaper;
	int			 exit_zero[EXIT_CODES_MAX];	/* -e CODE */
	u_int			 nexit_zero;
	int			 pdeath_signal;			/* -p */
	int			 log_format_set;
	enum log_format		 log_format;
	char			**targets;			/* --check */
	u_int			 ntargets;
};

struct hinit {
	struct config		*conf;
	struct init_options	*opts;
	struct app		 app;
	int			 pid1;		/* hinit is PID 1 */
	int			 stopping;	/* a stop has begun */
	int			 stop_signal;	/* the signal that began it */
	int			 exit_code;	/* -1 until decided */
	uint64_t		 reaped;	/* orphans reaped */
	double			 started;	/* wall clock */

	sigset_t		 inherited_mask;	/* given to children */
	int			 handlers;	/* libev caught signals with handlers */
	sigset_t		 inherited_ignored;
	int			*inherited_fds;	/* open when hinit began, sorted */
	u_int			 ninherited_fds;
	LIST_HEAD(, reap_entry)	 watches;	/* children someone waits for */
	struct reap_kept {			/* not the app's (reap.c) */
		pid_t			 pid;
		unsigned long long	 start;	/* ticks after boot */
	}			*kept;
	u_int			 nkept;
	pid_t			*swept;		/* got SIGTERM in this sweep */
	u_int			 nswept;
	ev_timer		 resweep;	/* after reaps: new orphans */
	int			 left_timer_set;
	ev_timer		 left_timer;	/* bounded wait after SIGKILL */

	ev_timer		 drain_timer;
	ev_timer		 grace_timer;
	int			 signal_fd;	/* forwarded and stop signals */
	ev_io			 signal_io;
	ev_signal		*signals;	/* no signalfd: libev's */
	u_int			 nsignals;
	ev_child		 child;		/* every child, pid 0 */

	struct status		*status;
	struct httpd		*httpd;

	struct check		*notify;	/* the app's own check, or NULL */
	struct hook		*hook;		/* on_change, or NULL */
	int			 told;		/* overall state it was told */
	int			 spared;	/* the hook spared at the end */

	struct launch		*launch;	/* gates and tasks (src/task.c) */
	struct task		*task;		/* the task running, or NULL */
	pid_t			 task_pid;	/* its pid and group, or 0 */
};

/*
 * The running init is the default loop's userdata, so code that has only
 * the loop (check types, the engine) reaches it: hinit_get().
 */
#define hinit_get()	((struct hinit *)ev_userdata(EV_DEFAULT))

/* src/reap.c: every child comes back through here. */
typedef void	 reap_cb(pid_t, int, void *);	/* int: wait status */
void		 reap_start(struct hinit *);
void		 reap_stop(struct hinit *);
void		 reap_watch(pid_t, reap_cb *, void *);
void		 reap_unwatch(pid_t);
/* Kill what is left: everything when PID 1, else all below hinit. */
void		 reap_kill_all(struct hinit *, int);
/* Signal what is below hinit: all of it, or only what the app left. */
#define REAP_ALL	0
#define REAP_APP	1
void		 reap_keep_children(struct hinit *);	/* before the app */
void		 reap_sweep_begin(struct hinit *);
u_int		 reap_sweep(struct hinit *, int, int, struct buf *);
int		 reap_children_left(struct hinit *);

/* src/signal.c: inherited mask and forwarding. */
void		 signal_init(struct hinit *, int);	/* int: block all (init) */
void		 signal_start(struct hinit *);	/* forwarding watchers */
void		 signal_stop(struct hinit *);
/* In a forked child, before exec: restore what hinit inherited. */
void		 signal_child_reset(void);
int		 signal_caught(int);

/*
 * src/app.c: spawning children (the app, tasks, exec checks) and the app's
 * life. proc_spawn() starts a child in its own process group with the
 * inherited signal state and no hinit descriptors, then execs argv (or
 * /bin/sh -c when argv is NULL and cmd is set).
 */
struct proc_spawn {
	char		**argv;
	const char	*shell_command;
	int		 stdin_null;	/* stdin from /dev/null, not hinit's */
	int		 stdout_fd;	/* -1: inherit */
	int		 stderr_fd;	/* -1: inherit */
	int		 foreground;	/* take the terminal */
	int		 quiet;		/* an exec error is not logged, only */
	int		 exec_error;	/* ... returned here (errno; 0: ran) */
	char		**env;		/* "NAME=value" over hinit's; NULL */
};
pid_t		 proc_spawn(struct proc_spawn *, char **);
int		 app_start(struct hinit *);
void		 app_signal(struct hinit *, int);
int		 app_exit_code(const struct hinit *, int);
void		 app_restart(struct hinit *);	/* on_unhealthy = restart */
void		 app_sweep(struct hinit *);	/* a reap while restarting */

/*
 * src/task.c: the launch: the [hinit] wait gates, then each task in file
 * order (its own wait, its run), then the app. task_probe() is told of
 * every check state change; task_stop() takes a stop signal while a task
 * runs (1: it did); task_cancel() ends the launch when hinit exits.
 */
void		 task_launch(struct hinit *);
void		 task_probe(struct hinit *);
int		 task_stop(struct hinit *, int);
void		 task_signal(struct hinit *, int);
void		 task_cancel(struct hinit *);

/*
 * src/hook.c: on_change. hook_event() queues one event (or folds it into
 * one waiting about the same thing) and runs the hook when idle; while
 * hinit stops, the running hook is spared the SIGTERM (hook_group) and
 * hook_stop() drops what waits once the grace is over.
 */
struct hook	*hook_new(const char *, uint64_t);
void		 hook_event(struct hook *, const char *, const char *,
		     const char *, const char *, const char *);
pid_t		 hook_group(struct hook *);
void		 hook_stop(struct hook *);
void		 hook_free(struct hook *);

/* src/init.c: the running init (hinit_*). */
void		 hinit_scan_fds(struct hinit *);
void		 hinit_become_init(struct hinit *);
__dead void	 hinit_run(struct hinit *, char **);
/* For the one-shot subcommands: the loop, its userdata, reaping, signals. */
void		 hinit_oneshot(struct hinit *);
void		 hinit_stop(struct hinit *, int);	/* begin the stop */
void		 hinit_exit(struct hinit *, int);	/* wind down, then exit */
void		 hinit_changed(struct hinit *);		/* republish the status */

#endif /* HINIT_INIT_H */
