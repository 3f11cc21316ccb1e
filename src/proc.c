/*
 * proc.c: the processes hinit starts and the children it reaps. Starting a
 * child (its own process group, the signal state and descriptors hinit
 * inherited, an environment over hinit's, its output into a pipe), the
 * reaper (every exit comes back here: to whoever waits for that child, else
 * it is an orphan's), ending a child's group with a grace, and reading a
 * child's output to its end with bounds. Ending what is left below hinit
 * (before a restart, at the exit) is src/proc-end.c.
 *
 * One table is the process's: waitpid(-1) reaps any child of the process
 * whoever started it, so there is one reaper and one list of the children
 * waited for, as libev keeps one table of child watchers. What hinit
 * inherited is written once at start-up; the list is the only state that
 * changes.
 */

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hinit.h"
#include "proc.h"

#define PROC_FD_MAX		65536	/* descriptors closed by number, at most */
#define PROC_READ_MAX		16	/* reads of a child's output a turn */

static struct {
	int			*fds;		/* inherited, sorted */
	u_int			 nfds;
	LIST_HEAD(, proc)	 running;	/* children someone waits for */
	ev_child		 child;		/* every child: pid 0 */
	proc_reaped_cb		*reaped;
	void			*arg;
	u_int			 ending;	/* groups being ended */
	TAILQ_HEAD(, proc_output) lingering;	/* outputs of children gone,
						   oldest first */
} proc_table = { .lingering = TAILQ_HEAD_INITIALIZER(proc_table.lingering) };

/*
 * A directory entry as getdents64(2) gives it; not every C library
 * declares the type.
 */
struct proc_dirent64 {
	uint64_t	 d_ino;
	int64_t		 d_off;
	unsigned short	 d_reclen;
	unsigned char	 d_type;
	char		 d_name[];
};

/* A number made of digits only, by hand; -1 if it is not one. */
static int
proc_number(const char *s)
{
	const char	*p;
	int		 n = 0;

	for (p = s; *p >= '0' && *p <= '9' && n < 1 << 24; p++)
		n = n * 10 + (*p - '0');
	if (p == s || *p != '\0')
		return (-1);
	return (n);
}

/* The descriptors open when hinit began: children get them, none other. */
static void
proc_scan_fds(void)
{
	DIR		*d;
	struct dirent	*de;
	int		 fd, self, *fds = NULL, t;
	u_int		 n = 0, i, j;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return;
	self = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		fd = proc_number(de->d_name);
		if (fd <= STDERR_FILENO || fd == self)
			continue;
		fds = xreallocarray(fds, n + 1, sizeof *fds);
		fds[n++] = fd;
	}
	closedir(d);
	for (i = 1; i < n; i++) {
		for (j = i; j > 0 && fds[j - 1] > fds[j]; j--) {
			t = fds[j];
			fds[j] = fds[j - 1];
			fds[j - 1] = t;
		}
	}
	proc_table.fds = fds;
	proc_table.nfds = n;
}

void
proc_init(int init)
{
	if (init)
		proc_scan_fds();
	signal_init(init);
}

/*
 * Close the descriptors from..to one by one: those /proc/self/fd lists,
 * read by getdents64 into a buffer on the stack (opendir() allocates, and
 * this runs after vfork); with no /proc, every number below the
 * descriptor limit, but at most PROC_FD_MAX: hinit's descriptors are the
 * lowest free ones when made, so they sit below that many.
 */
static void
proc_close_each(int from, int to)
{
	long			 buf[512];	/* aligned for the entries */
	struct proc_dirent64	*de;
	struct rlimit		 rl;
	long			 n, off;
	int			 dfd, fd, max;

	dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd == -1 && errno == EMFILE) {
		/* Every slot taken: one of ours makes room. */
		close(from);
		dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC);
	}
	if (dfd != -1) {
		while ((n = syscall(SYS_getdents64, dfd, buf,
		    sizeof buf)) > 0) {
			for (off = 0; off < n; off += de->d_reclen) {
				de = (struct proc_dirent64 *)((char *)buf +
				    off);
				fd = proc_number(de->d_name);
				if (fd >= from && fd <= to && fd != dfd)
					close(fd);
			}
		}
		close(dfd);
		if (n == 0)
			return;
	}
	max = PROC_FD_MAX;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)max)
		max = (int)rl.rlim_cur;
	for (fd = from; fd <= to && fd < max; fd++)
		close(fd);
}

/*
 * close_range(2), through the C library or, where it has no wrapper (musl
 * 1.2.3), the system call; one by one where the kernel has none (before
 * 5.9: ENOSYS; gVisor) or refuses it.
 */
static void
proc_close_range(int from, int to)
{
#if defined(HAVE_CLOSE_RANGE)
	if (close_range(from, to, 0) == 0)
		return;
#elif defined(SYS_close_range)
	if (syscall(SYS_close_range, from, to, 0) == 0)
		return;
#endif
	proc_close_each(from, to);
}

/*
 * In the child: close every descriptor above 2 but those hinit inherited,
 * so none of hinit's own (sockets of checks, the endpoint, libev's) leaks,
 * whatever flags a library set on them. Async-signal-safe.
 */
static void
proc_close_fds(void)
{
	u_int	 i;
	int	 from = 3, next;

	/* The inherited descriptors are sorted. */
	for (i = 0; i < proc_table.nfds; i++) {
		next = proc_table.fds[i];
		if (next < from)
			continue;
		if (next > from)
			proc_close_range(from, next - 1);
		from = next + 1;
	}
	proc_close_range(from, INT32_MAX);
}

/*
 * hinit's environment with each of add ("NAME=value") in place of the
 * variable of that name, and without those named alone ("NAME"); the
 * strings are not copied.
 */
static char **
proc_environment(char **add)
{
	extern char	**environ;
	char		**env, **p, **a;
	size_t		 n = 0, len;

	for (p = environ; *p != NULL; p++)
		n++;
	for (a = add; *a != NULL; a++)
		n++;
	env = xreallocarray(NULL, n + 1, sizeof *env);
	n = 0;
	for (p = environ; *p != NULL; p++) {
		for (a = add; *a != NULL; a++) {
			len = strcspn(*a, "=");
			if (strncmp(*p, *a, len) == 0 && (*p)[len] == '=')
				break;
		}
		if (*a == NULL)
			env[n++] = *p;
	}
	for (a = add; *a != NULL; a++) {
		if (strchr(*a, '=') != NULL)
			env[n++] = *a;
	}
	env[n] = NULL;
	return (env);
}

/* In the vfork child: only async-signal-safe calls, then exec or _exit. */
static __dead void
proc_child(const struct proc_spawn *ps, char **env, int out,
    volatile int *error)
{
	int	 fd;

	setpgid(0, 0);
	if ((ps->flags & PROC_FOREGROUND) && isatty(STDIN_FILENO))
		tcsetpgrp(STDIN_FILENO, getpid());
	if ((ps->flags & PROC_STDIN_NULL) &&
	    (fd = open("/dev/null", O_RDONLY)) != -1) {
		dup2(fd, STDIN_FILENO);
		if (fd != STDIN_FILENO)
			close(fd);
	}
	if (out != -1) {
		dup2(out, STDOUT_FILENO);
		dup2(out, STDERR_FILENO);
	}
	proc_close_fds();
	signal_child_reset();
	if (ps->shell_command != NULL) {
		execle("/bin/sh", "sh", "-c", ps->shell_command, (char *)NULL,
		    env);
	} else
		execvpe(ps->argv[0], ps->argv, env);
	*error = errno;
	_exit(*error == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC);
}

/*
 * vfork, on its own: no variable of the caller's lives across it, and the
 * child never returns from here.
 */
static __attribute__((__noinline__)) pid_t
proc_vfork(const struct proc_spawn *ps, char **env, int out,
    volatile int *error)
{
	pid_t	 pid;

	if ((pid = vfork()) == 0)
		proc_child(ps, env, out, error);
	return (pid);
}

/*
 * Start a child in its own process group and exec it. vfork: the child
 * borrows hinit's memory until its exec, so no page tables are copied and
 * no page is copied on write afterwards, and hinit goes on only once the
 * exec is done or has failed. The child sets its own group before that, so
 * a signal sent to the group at once is never lost. An exec error comes
 * back in p->exec_error: the child exits 127 (not found) or 126, and its
 * exit is reaped like any other.
 */
int
proc_spawn(struct proc *p, const struct proc_spawn *ps, proc_exit_cb *cb,
    void *arg, int *fd, char **cause)
{
	extern char	**environ;
	const char	*what;
	char		**env;
	sigset_t	 all, old;
	volatile int	 error = 0;
	pid_t		 pid;
	int		 out[2] = { -1, -1 };

	what = ps->shell_command != NULL ? "/bin/sh" : ps->argv[0];
	if ((ps->flags & PROC_OUTPUT) && pipe2(out, O_CLOEXEC) == -1) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		return (-1);
	}
	env = ps->env != NULL ? proc_environment(ps->env) : environ;
	/*
	 * Until the child has its own dispositions back, a signal sent to it
	 * (to its new group, say) would run hinit's handlers there, on
	 * hinit's memory, and be lost: it waits, blocked, for
	 * signal_child_reset.
	 */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	if ((pid = proc_vfork(ps, env, out[1], &error)) == -1)
		error = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (env != environ)
		free(env);
	if (out[1] != -1)
		close(out[1]);
	if (pid == -1) {
		if (out[0] != -1)
			close(out[0]);
		xasprintf(cause, "fork: %s", strerror(error));
		return (-1);
	}

	/* A SIGKILL the run before still waits for: it goes now. */
	if (proc_terminating(p) && (p->kill_to < 0 || p->running))
		kill(p->kill_to, SIGKILL);
	proc_terminate_stop(p);
	p->pid = pid;
	p->running = 1;
	p->spared = (ps->flags & PROC_SPARED) != 0;
	p->exec_error = error;
	p->exited = cb;
	p->arg = arg;
	LIST_INSERT_HEAD(&proc_table.running, p, entry);
	if (out[0] != -1) {
		fd_set_nonblock(out[0]);
		*fd = out[0];
	}
	if (error != 0 && (~ps->flags & PROC_QUIET))
		log_warnx("cannot run %s: %s", what, strerror(error));
	return (0);
}

void
proc_forget(struct proc *p)
{
	if (!p->running)
		return;
	LIST_REMOVE(p, entry);
	p->running = 0;
}

int
proc_kill_stop(pid_t to, int sig)
{
	if (sig != SIGKILL && sig != SIGCONT)
		kill(to, SIGCONT);
	return (kill(to, sig));
}

/*
 * To its group, even once it is reaped: what it left may live on. To it
 * alone only while it runs: its pid may be another's once reaped.
 */
void
proc_signal(struct proc *p, int sig, int flags)
{
	int	 group = flags & PROC_SIGNAL_GROUP, rc;
	pid_t	 to = group ? -p->pid : p->pid;

	if (p->pid <= 0 || (!group && !p->running))
		return;
	if (flags & PROC_SIGNAL_STOP)
		rc = proc_kill_stop(to, sig);
	else
		rc = kill(to, sig);
	if (rc == -1 && errno != ESRCH)
		log_warn("kill(%ld, SIG%s)", (long)to, signal_name(sig));
}

static void
proc_kill_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct proc	*p = w->data;

	if (p->kill_to < 0 || p->running)
		kill(p->kill_to, SIGKILL);
	/* Last: cb may free p. */
	if (p->killed != NULL)
		p->killed(p, p->running, p->arg);
}

void
proc_terminate(struct proc *p, int sig, double delay, int group,
    proc_kill_cb *cb)
{
	proc_terminate_stop(p);
	proc_signal(p, sig, (group ? PROC_SIGNAL_GROUP : 0) | PROC_SIGNAL_STOP);
	p->ending = 1;
	proc_table.ending++;
	p->kill_to = group ? -p->pid : p->pid;
	p->killed = cb;
	ev_timer_init(&p->kill_timer, proc_kill_timer_cb, delay, 0);
	p->kill_timer.data = p;
	ev_timer_start(EV_DEFAULT, &p->kill_timer);
}

/* A watcher never started is all zeroes: stopping it is harmless. */
void
proc_terminate_stop(struct proc *p)
{
	ev_timer_stop(EV_DEFAULT, &p->kill_timer);
	if (p->ending) {
		p->ending = 0;
		proc_table.ending--;
	}
}

/* The SIGKILL of proc_terminate() is still to come. */
int
proc_terminating(const struct proc *p)
{
	return (ev_is_active(&p->kill_timer));
}

int
proc_group_gone(struct proc *p)
{
	if (kill(-p->pid, 0) == -1 && errno == ESRCH)
		return (1);
	/*
	 * kill() reaches zombies too: orphans that the init they went to (an
	 * app as PID 1, not hinit) has not reaped, maybe never will.
	 */
	return (!proc_group_live(p->pid));
}

int
proc_exit_code(int status)
{
	if (WIFEXITED(status))
		return (WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		return (128 + WTERMSIG(status));
	return (1);
}

/* Every exit: to whoever waits for it; the owner hears of all. */
static void
proc_child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct proc	*p;
	pid_t		 pid = w->rpid;
	int		 owned = 0;

	LIST_FOREACH(p, &proc_table.running, entry) {
		if (p->pid == pid)
			break;
	}
	if (p != NULL) {
		owned = 1;
		LIST_REMOVE(p, entry);
		p->running = 0;
		p->exited(p, w->rstatus, p->arg);	/* may free p */
	} else
		log_debug("reaped orphan %ld", (long)pid);
	if (proc_table.reaped != NULL)
		proc_table.reaped(pid, owned, proc_table.arg);
}

void
proc_start(proc_reaped_cb *cb, void *arg)
{
	sigset_t	 set;

	proc_table.reaped = cb;
	proc_table.arg = arg;
	ev_child_init(&proc_table.child, proc_child_cb, 0, 0);
	ev_child_start(EV_DEFAULT, &proc_table.child);
	/* Caught by a handler, not read from a signalfd: let it in. */
	if (signal_caught(SIGCHLD)) {
		sigemptyset(&set);
		sigaddset(&set, SIGCHLD);
		signal_let_in(&set);
	}
}

void
proc_stop(void)
{
	struct proc	*p;

	ev_child_stop(EV_DEFAULT, &proc_table.child);
	while ((p = LIST_FIRST(&proc_table.running)) != NULL)
		proc_forget(p);
	proc_table.reaped = NULL;
}

void
proc_oneshot(void)
{
	proc_init(0);
	if (ev_default_loop(EVFLAG_AUTO) == NULL)
		fatalx("cannot initialise the event loop");
	proc_start(NULL, NULL);
}

int
proc_children_left(void)
{
	siginfo_t	 si;

	memset(&si, 0, sizeof si);
	if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == -1)
		return (errno != ECHILD);
	return (1);
}

static void
proc_settle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	double	*deadline = w->data;

	if ((!proc_children_left() && proc_table.ending == 0) ||
	    ev_now(loop) >= *deadline)
		ev_break(loop, EVBREAK_ONE);
}

/*
 * For the one-shot commands before they exit or exec: a timed-out exec
 * check's command may need its SIGKILL and its reaping still, and what a
 * command left in its group is being ended (not a child of hinit, which is
 * no subreaper then: only its group tells).
 */
void
proc_settle(double limit)
{
	struct ev_loop	*loop = EV_DEFAULT;
	ev_timer	 poll;
	double		 deadline;

	if (!proc_children_left() && proc_table.ending == 0)
		return;
	ev_now_update(loop);
	deadline = ev_now(loop) + limit;
	ev_timer_init(&poll, proc_settle_cb, 0.02, 0.02);
	poll.data = &deadline;
	ev_timer_start(loop, &poll);
	ev_run(loop, 0);
	ev_timer_stop(loop, &poll);
}

struct proc_output {
	int		 fd;		/* -1 at the end */
	ev_io		 io;
	size_t		 line_max;	/* 0: as it comes */
	struct buf	 line;		/* a line not ended yet */
	int		 cut;		/* the last piece was cut */
	proc_output_cb	*cb;
	void		*arg;

	int		 lingering;	/* the child is gone */
	int		 dropping;	/* past the bounds */
	size_t		 left;		/* bytes still passed on */
	ev_timer	 timer;		/* time still passed on */
	TAILQ_ENTRY(proc_output) entry;	/* in proc_table.lingering */
};

/* A piece; cut: the writer may go on with its line. */
static void
proc_output_emit(struct proc_output *o, const char *data, size_t len,
    int cut)
{
	int	 flags = 0;

	if (o->dropping)
		return;
	if (o->line_max != 0) {
		if (o->cut)
			flags |= PROC_OUTPUT_CUT_START;
		if ((o->cut = cut))
			flags |= PROC_OUTPUT_CUT_END;
	}
	o->cb(data != NULL ? data : "", len, flags, o->arg);
}

/*
 * The line not ended yet is passed on. With the pipe still open (the task
 * exited, the output is dropped or hinit exits), or at the end of what a
 * task left (killed by the exit, say), its writer may have been inside a
 * secret: it is a piece cut short, and what follows goes on it.
 */
static void
proc_output_flush(struct proc_output *o)
{
	if (o->line.len > 0)
		proc_output_emit(o, o->line.data, o->line.len,
		    o->fd != -1 || o->lingering);
	buf_reset(&o->line);
}

/*
 * By line, each cut at line_max; or as it comes. The line break after a
 * piece cut (at line_max, or passed on unfinished) only ends that line:
 * no empty line, and the next line is not the rest of a cut one.
 */
static void
proc_output_add(struct proc_output *o, const char *p, size_t left)
{
	const char	*nl;
	size_t		 take;
	int		 ended;

	if (o->line_max == 0) {
		proc_output_emit(o, p, left, 0);
		return;
	}
	while (left > 0) {
		nl = memchr(p, '\n', left);
		take = nl != NULL ? (size_t)(nl - p) : left;
		if (o->line.len + take > o->line_max)
			take = o->line_max - o->line.len;
		buf_add(&o->line, p, take);
		p += take;
		left -= take;
		if ((ended = (nl == p))) {
			p++;
			left--;
		} else if (o->line.len < o->line_max)
			continue;
		if (ended && o->line.len == 0 && o->cut) {
			o->cut = 0;
			continue;
		}
		proc_output_emit(o, o->line.data, o->line.len, !ended);
		buf_reset(&o->line);
	}
}

static void
proc_output_close(struct proc_output *o)
{
	if (o->fd == -1)
		return;
	ev_io_stop(EV_DEFAULT, &o->io);
	close(o->fd);
	o->fd = -1;
}

static void
proc_output_release(struct proc_output *o)
{
	if (o->lingering)
		TAILQ_REMOVE(&proc_table.lingering, o, entry);
	proc_output_close(o);
	ev_timer_stop(EV_DEFAULT, &o->timer);
	buf_free(&o->line);
	free(o);
}

/* Past the bounds: read on, pass nothing on. */
static void
proc_output_drop(struct proc_output *o)
{
	proc_output_flush(o);
	o->dropping = 1;
	ev_timer_stop(EV_DEFAULT, &o->timer);
	o->cb(NULL, 0, PROC_OUTPUT_DROPPED, o->arg);
}

/*
 * Read what there is, a bounded number of times; at the end (EOF or an
 * error), the last piece and the pipe is closed; a lingering output is
 * freed then. 1: there may be more to read now (the bound was met); 0:
 * nothing more now; -1: the end.
 */
static int
proc_output_read_some(struct proc_output *o)
{
	char	 data[4096];
	ssize_t	 n;
	int	 reads;

	for (reads = 0; reads < PROC_READ_MAX && o->fd != -1; reads++) {
		n = read(o->fd, data, sizeof data);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return (0);
		if (n <= 0) {
			proc_output_close(o);
			proc_output_flush(o);
			if (o->lingering)
				proc_output_release(o);
			return (-1);
		}
		if (o->lingering && !o->dropping) {
			if ((size_t)n > o->left)
				proc_output_drop(o);
			else
				o->left -= n;
		}
		if (!o->dropping)
			proc_output_add(o, data, n);
	}
	return (1);
}

void
proc_output_read(struct proc_output *o)
{
	proc_output_read_some(o);
}

/*
 * At hinit's exit: what the leftovers of children gone wrote and the loop
 * has not read yet is passed on (within the bounds still left), not lost
 * with the pipe, in the order the children ended; a writer still there is
 * not waited for.
 */
void
proc_output_drain(void)
{
	struct proc_output	*o;
	int			 more;

	while ((o = TAILQ_FIRST(&proc_table.lingering)) != NULL) {
		while ((more = proc_output_read_some(o)) == 1 && !o->dropping)
			/* nothing */;
		if (more != -1) {
			proc_output_flush(o);
			proc_output_release(o);
		}
	}
}

static void
proc_output_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	proc_output_read(w->data);
}

static void
proc_output_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	proc_output_drop(w->data);
}

struct proc_output *
proc_output_new(int fd, size_t line_max, proc_output_cb *cb, void *arg)
{
	struct proc_output	*o;

	o = xcalloc(1, sizeof *o);
	o->fd = fd;
	o->line_max = line_max;
	o->cb = cb;
	o->arg = arg;
	buf_init(&o->line);
	ev_io_init(&o->io, proc_output_io_cb, fd, EV_READ);
	o->io.data = o;
	ev_io_start(EV_DEFAULT, &o->io);
	ev_init(&o->timer, proc_output_timer_cb);
	o->timer.data = o;
	return (o);
}

void
proc_output_free(struct proc_output *o)
{
	if (o == NULL)
		return;
	proc_output_flush(o);
	proc_output_release(o);
}

void
proc_output_linger(struct proc_output *o, double seconds, size_t bytes)
{
	if (o->fd != -1)
		proc_output_read(o);
	proc_output_flush(o);
	if (o->fd == -1) {
		proc_output_release(o);
		return;
	}
	o->lingering = 1;
	TAILQ_INSERT_TAIL(&proc_table.lingering, o, entry);
	o->left = bytes;
	ev_timer_set(&o->timer, seconds, 0);
	ev_timer_start(EV_DEFAULT, &o->timer);
}

/* A child someone waits for (pid 0: any), and with spared, one spared. */
int
proc_waited(pid_t pid, int spared)
{
	struct proc	*p;

	LIST_FOREACH(p, &proc_table.running, entry) {
		if ((pid == 0 || p->pid == pid) && (!spared || p->spared))
			return (1);
	}
	return (0);
}
