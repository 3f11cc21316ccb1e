/*
 * app.h: what the init runs: the app (src/app.c), the launch before it, its
 * gates and tasks (src/task.c), and the on_change hook (src/hook.c). Each is
 * given what it needs when made and tells the init through callbacks; none
 * reaches the running init.
 */

#ifndef HINIT_APP_H
#define HINIT_APP_H

#include "hinit.h"
#include "proc.h"

struct check;
struct config;
struct hook;

enum app_state {
	APP_WAITING,		/* gates and tasks not done yet */
	APP_RUNNING,
	APP_RESTARTING,		/* exited; back-off before the next start */
	APP_EXITED
};

struct app {
	/* The init's: set before app_init() and app_start(). */
	char			**argv;
	char			**env;		/* over hinit's; NULL: none */
	const struct config	*conf;		/* restart policy, grace... */
	const int		*exit_zero;	/* -e CODE: exits as 0 */
	u_int			 nexit_zero;
	struct hook		*hook;		/* told of restarts; or NULL */
	struct check		*notify;	/* told of each run; or NULL */
	void			(*changed)(void *);	/* its state */
	void			(*restarting)(void *);	/* checks start over */
	void			(*exit)(int, void *);	/* over: exit so */
	void			*arg;
	int			 stopping;	/* hinit stops: no restart */

	/* Its life: only app.c writes these. */
	struct proc		 proc;
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
	struct proc_end		 end;		/* what it left, at a restart */
	int			 restart_due;	/* the back-off is over */
};

void		 app_init(struct app *);
int		 app_start(struct app *);
/* To it, or its group (-g); flags: PROC_SIGNAL_STOP, or 0. */
void		 app_signal(struct app *, int, int);
/* The exit code hinit passes on: the app's, 128+N for signal N, 0 if -e. */
int		 app_exit_code(const struct app *, int);
void		 app_restart(struct app *);	/* on_unhealthy = restart */
void		 app_reaped(struct app *);	/* after each reap */
void		 app_stop(struct app *);	/* hinit exits: nothing more */
void		 app_free(struct app *);

/*
 * src/task.c: the launch: the [hinit] wait gates, then each task in file
 * order (its own wait, its run), then the app. task_probe() is told of
 * every check state change; task_stop() takes a stop signal while a task
 * runs (1: it did); task_cancel() ends the launch when hinit exits.
 */
struct launch_cb {
	void	(*changed)(void *);		/* a task began or ended */
	void	(*ready)(int, void *);		/* start the app; int: held */
	void	(*exit)(int, void *);		/* a task failed, a gate... */
	void	(*stopped)(void *);		/* a task ended on a stop */
	void	 *arg;
};
struct launch;
struct launch	*task_launch(struct config *, const struct launch_cb *);
void		 task_probe(struct launch *);
int		 task_stop(struct launch *, int);
void		 task_signal(struct launch *, int);
const char	*task_running(struct launch *);	/* its name, or NULL */
void		 task_cancel(struct launch *);

/*
 * src/hook.c: on_change. hook_event() queues one event (or folds it into
 * one waiting about the same thing) and runs the hook when idle; while
 * hinit stops, the hook running is spared the SIGTERM (PROC_SPARED) and
 * hook_stop() drops what waits once the grace is over.
 */
struct hook	*hook_new(const char *, uint64_t);
void		 hook_event(struct hook *, const char *, const char *,
		     const char *, const char *, const char *);
void		 hook_stop(struct hook *);
void		 hook_free(struct hook *);

#endif /* HINIT_APP_H */
