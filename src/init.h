/*
 * init.h: the running init (src/init.c), for main (src/hinit.c) only: the
 * app it supervises, the launch before it, the hook, the stop sequence and
 * what it publishes. Nothing below the init includes this: each part gets
 * what it needs as arguments and callbacks (src/app.h, src/proc.h).
 */

#ifndef HINIT_INIT_H
#define HINIT_INIT_H

#include <signal.h>

#include "hinit.h"
#include "config.h"
#include "app.h"
#include "proc.h"

#define EXIT_CODES_MAX	64

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
	int			 subreaper;	/* not PID 1: a subreaper */
	int			 stopping;	/* a stop has begun */
	int			 stop_signal;	/* the signal that began it */
	int			 exit_code;	/* -1 until decided */
	uint64_t		 reaped;	/* orphans reaped */
	double			 started;	/* wall clock */

	ev_timer		 drain_timer;
	ev_timer		 grace_timer;	/* from the forward to SIGKILL */
	struct proc_end		 end;		/* everything left, at the exit */
	struct signals		 signals;	/* forwarded and stop signals */

	struct status		*status;
	struct httpd		*httpd;

	struct check		*notify;	/* the app's own check, or NULL */
	struct hook		*hook;		/* on_change, or NULL */
	int			 told;		/* overall state it was told */

	struct launch		*launch;	/* gates and tasks (src/task.c) */
	struct launch_cb	 launch_cb;
	char			**app_env;	/* what the app gets over ours */
};

/* src/init.c: the running init. */
void		 hinit_become_init(struct hinit *);
__dead void	 hinit_run(struct hinit *, char **);

#endif /* HINIT_INIT_H */
