/*
 * proc.h: the processes hinit starts and the children it reaps
 * (src/proc.c), and the signals it inherited, reads and forwards
 * (src/signal.c). The init, the app, its tasks, the on_change hook and the
 * exec check type use it; it knows none of them.
 */

#ifndef HINIT_PROC_H
#define HINIT_PROC_H

#include <signal.h>

#include "hinit.h"

struct proc;
/* A child someone waits for was reaped; int: its wait status. */
typedef void	 proc_exit_cb(struct proc *, int, void *);
/* proc_terminate()'s SIGKILL was sent; int: the child was not reaped yet. */
typedef void	 proc_kill_cb(struct proc *, int, void *);
/* After every reap, the owner's; int: a child someone waited for. */
typedef void	 proc_reaped_cb(pid_t, int, void *);

/*
 * One child hinit starts and waits for (the app, a task, a hook's run, an
 * exec check's run), in the struct of whoever started it. It leads a
 * process group of its own.
 */
struct proc {
	pid_t			 pid;		/* and its group; 0: never ran */
	int			 running;	/* not reaped yet */
	int			 spared;	/* the end spares it all but SIGKILL */
	int			 exec_error;	/* the exec failed: errno */
	proc_exit_cb		*exited;
	void			*arg;
	LIST_ENTRY(proc)	 entry;		/* while running */

	ev_timer		 kill_timer;	/* proc_terminate() */
	pid_t			 kill_to;	/* pid, or -group */
	proc_kill_cb		*killed;
	int			 ending;	/* till proc_terminate_stop() */
};

/*
 * How to start one. It gets the signal mask and dispositions hinit
 * inherited, no descriptor of hinit's own but those hinit inherited, and
 * env ("NAME=value" over hinit's environment, "NAME" alone to drop one).
 * argv, or /bin/sh -c shell_command.
 */
struct proc_spawn {
	char		**argv;
	const char	 *shell_command;
	char		**env;		/* NULL: hinit's */
	int		  flags;
#define PROC_STDIN_NULL		0x1	/* stdin from /dev/null */
#define PROC_OUTPUT		0x2	/* stdout and stderr into a pipe */
#define PROC_FOREGROUND		0x4	/* take the terminal */
#define PROC_QUIET		0x8	/* an exec error not logged, only kept */
#define PROC_SPARED		0x10	/* see struct proc */
};

/* Start-up, before anything opens a descriptor; int: init mode. */
void		 proc_init(int);
/* The reaper on the default loop; cb after every reap, or NULL. */
void		 proc_start(proc_reaped_cb *, void *);
void		 proc_stop(void);
/* For the one-shot commands: the default loop and the reaper. */
void		 proc_oneshot(void);

/* 0, or -1 and cause; with PROC_OUTPUT, *fd is the pipe (non-blocking). */
int		 proc_spawn(struct proc *, const struct proc_spawn *,
		     proc_exit_cb *, void *, int *, char **);
/* Its exit no longer comes back: it counts as an orphan's. */
void		 proc_forget(struct proc *);
/*
 * A signal to it, or its group (PROC_SIGNAL_GROUP); a child gone is no
 * error. PROC_SIGNAL_STOP: a signal that ends it, SIGCONT first (see
 * proc_kill_stop()).
 */
#define PROC_SIGNAL_GROUP	0x1
#define PROC_SIGNAL_STOP	0x2
void		 proc_signal(struct proc *, int, int);
/*
 * kill(2) of a signal that ends what it reaches: a stopped process takes
 * it only once continued, and SIGCONT sent after it would discard a
 * SIGTSTP, SIGTTIN or SIGTTOU still pending (the kernel does so): SIGCONT
 * goes first (but before SIGKILL). kill(2)'s result for the signal.
 */
int		 proc_kill_stop(pid_t, int);
/*
 * A signal to it or its group (1) now, after SIGCONT (a stopped process
 * takes it so), SIGKILL after the delay (to what is left of its group even
 * after its own exit), then cb if not NULL. proc_terminate_stop() calls
 * off the SIGKILL and says the owner is done with it: until then, its
 * group counts as being ended, and proc_settle() waits for it.
 */
void		 proc_terminate(struct proc *, int, double, int, proc_kill_cb *);
void		 proc_terminate_stop(struct proc *);
int		 proc_terminating(const struct proc *);	/* SIGKILL to come */
/* Its process group is gone: no process of it is left. */
int		 proc_group_gone(struct proc *);
/* A process of the group that is not a zombie; 1 if /proc cannot tell. */
int		 proc_group_live(pid_t);
/* Its wait status as an exit code: the code, or 128+N for signal N. */
int		 proc_exit_code(int);

/* A child someone waits for (pid 0: any); int: only a spared one. */
int		 proc_waited(pid_t, int);
/* Does hinit have a child still, running or not yet reaped? */
int		 proc_children_left(void);
/*
 * Run the loop until no child is left and no group is being ended, at most
 * so many seconds.
 */
void		 proc_settle(double);

/*
 * A child's output (stdout and stderr on one pipe), read on the loop: by
 * line (pieces of at most line_max bytes), or as it comes (line_max 0).
 * Each line or piece goes to cb; so does the news that what comes next is
 * dropped (no data, PROC_OUTPUT_DROPPED). The cut flags are the scrubber's
 * (SECRET_CUT_*): a piece may begin or end inside a secret.
 */
#define PROC_OUTPUT_CUT_START	SECRET_CUT_START	/* goes on the previous */
#define PROC_OUTPUT_CUT_END	SECRET_CUT_END		/* goes on in the next */
#define PROC_OUTPUT_CUT		(PROC_OUTPUT_CUT_START | PROC_OUTPUT_CUT_END)
#define PROC_OUTPUT_DROPPED	0x4
typedef void	 proc_output_cb(const char *, size_t, int, void *);
struct proc_output;
struct proc_output *proc_output_new(int, size_t, proc_output_cb *, void *);
void		 proc_output_read(struct proc_output *);	/* what is there */
/* The last piece now; the pipe is closed (a writer left is cut off). */
void		 proc_output_free(struct proc_output *);
/*
 * The child exited: what it wrote, then the pipe is read on to its end, so
 * that what it left running neither blocks nor dies of SIGPIPE; passed on
 * for so many seconds and bytes more, dropped after. Frees itself.
 */
void		 proc_output_linger(struct proc_output *, double, size_t);
/* At the exit: what lingering outputs hold is passed on; they are freed. */
void		 proc_output_drain(void);

/*
 * src/proc-end.c: ending what is left below hinit, with a grace: a
 * restart ends what the old app left (PROC_END_LEFTOVERS: not a child
 * someone waits for, nor one kept before the app started), hinit's exit
 * everything (as PID 1, every process: PROC_END_EVERYTHING) but a spared
 * child. A signal to each, again to each orphan adopted after a reap,
 * SIGKILL to what is left when the grace is over, then a bounded wait for
 * the reaps. Each step goes to cb, with how many processes it found and
 * the first few names ("comm (pid)") of those it signalled.
 */
enum proc_end_step {
	PROC_END_TERM = 1,	/* the first signal */
	PROC_END_MORE,		/* again, after reaps */
	PROC_END_KILL,		/* the grace is over: SIGKILL */
	PROC_END_LEFT,		/* still there after SIGKILL: given up */
	PROC_END_DONE		/* nothing left: idle again */
};
struct proc_end;
typedef void	 proc_end_cb(struct proc_end *, enum proc_end_step, u_int,
		     const char *, void *);
struct proc_kept;
struct proc_end {
	int			 flags;
#define PROC_END_LEFTOVERS	0x1
#define PROC_END_EVERYTHING	0x2
	proc_end_cb		*cb;
	void			*arg;

	int			 stage;		/* 0: idle */
	int			 sig;
	int			 each;		/* EVERYTHING, by /proc: spared */
	ev_timer		 timer;		/* the grace, then the reaps */
	ev_timer		 again;		/* after reaps, once a turn */
	pid_t			*swept;		/* got sig already */
	u_int			 nswept;
	struct proc_kept	*kept;		/* LEFTOVERS: spared */
	u_int			 nkept;
};
void		 proc_end_init(struct proc_end *, int, proc_end_cb *, void *);
/* LEFTOVERS: what runs now is not the app's; before it starts. */
void		 proc_end_keep(struct proc_end *);
/* 0: nothing to end (cb is not called); 1: under way. */
int		 proc_end_start(struct proc_end *, int, double);
void		 proc_end_reaped(struct proc_end *);	/* after each reap */
void		 proc_end_stop(struct proc_end *);
void		 proc_end_free(struct proc_end *);
/* SIGKILL (or any signal) to everything below hinit, at once. */
void		 proc_kill_all(int, int);	/* int: as PID 1 */

/*
 * src/signal.c: what each signal does to hinit (one table), reading them
 * (from a signalfd, which tells who sent each), and the signal state hinit
 * inherited, given back to every child.
 */
typedef void	 signal_cb(int, int, void *);	/* int: 1 begins a stop */
struct signals {
	int		 fd;		/* a signalfd, or -1 */
	ev_io		 io;
	ev_signal	*watchers;	/* no signalfd: libev's */
	u_int		 nwatchers;
	signal_cb	*cb;
	void		*arg;
};
/* What hinit inherited; int: init mode, block every signal but faults. */
void		 signal_init(int);
void		 signal_start(struct signals *, signal_cb *, void *);
void		 signal_stop(struct signals *);
/* Caught by a handler (no signalfd): let it in; children reset them. */
void		 signal_let_in(const sigset_t *);
int		 signal_caught(int);
/* In a child, before exec: what hinit inherited. Async-signal-safe. */
void		 signal_child_reset(void);

#endif /* HINIT_PROC_H */
