/*
 * proc-end.c: ending what is left below hinit, with a grace (part of the
 * process module, src/proc.h). Before a restart, what the old app left:
 * every process below hinit but a child someone waits for (an exec check's
 * run, a task, the hook) or one kept from before the app started. At the
 * exit, everything but a spared child (the hook told of the end), as PID 1
 * by kill(-1). A signal to each, again to each orphan adopted after a
 * reap, SIGKILL when the grace is over, then a bounded wait for the reaps.
 * What is below hinit is read from /proc.
 */

#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hinit.h"
#include "proc.h"

#define PROC_KILL_WAIT		2.0	/* seconds: after SIGKILL, for the reaps */
#define PROC_NAMES_MAX		8	/* processes named in a log line */

/* One process as /proc/PID/stat shows it. */
struct proc_stat {
	pid_t			 pid;
	pid_t			 ppid;
	pid_t			 pgrp;
	char			 state;
	unsigned long long	 start;		/* clock ticks after boot */
	char			 comm[32];
};

struct proc_kept {
	pid_t			 pid;
	unsigned long long	 start;
};

static int
proc_stat_read(pid_t pid, struct proc_stat *ps)
{
	char		 path[64], line[1024], *p, *q;
	ssize_t		 n;
	int		 fd;
	size_t		 len;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (-1);
	n = read(fd, line, sizeof line - 1);
	close(fd);
	if (n <= 0)
		return (-1);
	line[n] = '\0';
	/* "pid (comm) state ppid ...": comm may hold anything, ')' too. */
	if ((p = strchr(line, '(')) == NULL ||
	    (q = strrchr(line, ')')) == NULL || q < p)
		return (-1);
	len = q - p - 1;
	if (len >= sizeof ps->comm)
		len = sizeof ps->comm - 1;
	memcpy(ps->comm, p + 1, len);
	ps->comm[len] = '\0';
	ps->pid = pid;
	/* state ppid pgrp session tty tpgid flags, 4 faults, 4 times, */
	/* priority nice threads itrealvalue starttime */
	if (sscanf(q + 1, " %c %d %d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u "
	    "%*d %*d %*d %*d %*d %*d %llu", &ps->state, &ps->ppid, &ps->pgrp,
	    &ps->start) != 4)
		return (-1);
	return (0);
}

static int
proc_stat_cmp(const void *a, const void *b)
{
	const struct proc_stat	*pa = a, *pb = b;

	return (pa->pid < pb->pid ? -1 : pa->pid > pb->pid);
}

/* Every process /proc shows, sorted by pid. */
static struct proc_stat *
proc_scan(u_int *np)
{
	struct proc_stat	*procs = NULL;
	DIR			*d;
	struct dirent		*de;
	u_int			 n = 0, size = 0;
	pid_t			 pid;

	*np = 0;
	if ((d = opendir("/proc")) == NULL) {
		log_warn("/proc");
		return (NULL);
	}
	while ((de = readdir(d)) != NULL) {
		if (!isdigit((u_char)de->d_name[0]))
			continue;
		pid = (pid_t)strtol(de->d_name, NULL, 10);
		if (n == size) {
			size = size == 0 ? 64 : size * 2;
			procs = xreallocarray(procs, size, sizeof *procs);
		}
		if (proc_stat_read(pid, &procs[n]) == 0)
			n++;
	}
	closedir(d);
	qsort(procs, n, sizeof *procs, proc_stat_cmp);
	*np = n;
	return (procs);
}

int
proc_group_live(pid_t pgrp)
{
	struct proc_stat	*procs;
	u_int			 n, i;
	char			 self[32];
	ssize_t			 len;
	int			 live = 0;

	/* A /proc of another pid namespace (or none) tells nothing. */
	len = readlink("/proc/self", self, sizeof self - 1);
	if (len <= 0)
		return (1);
	self[len] = '\0';
	if (strtol(self, NULL, 10) != (long)getpid())
		return (1);
	if ((procs = proc_scan(&n)) == NULL)
		return (1);
	for (i = 0; i < n && !live; i++) {
		live = procs[i].pgrp == pgrp && procs[i].state != 'Z' &&
		    procs[i].state != 'X';
	}
	free(procs);
	return (live);
}

/*
 * The child of hinit that p descends from (p itself, maybe); NULL if p is
 * not below hinit.
 */
static struct proc_stat *
proc_scan_top(struct proc_stat *procs, u_int n, struct proc_stat *p,
    pid_t self)
{
	struct proc_stat	 key;
	u_int			 depth;

	for (depth = 0; p != NULL && depth < n; depth++) {
		if (p->ppid == self)
			return (p);
		key.pid = p->ppid;
		p = bsearch(&key, procs, n, sizeof *procs, proc_stat_cmp);
	}
	return (NULL);
}

/*
 * Before the app starts: hinit's children that no one waits for are not
 * the app's to end when it restarts (a daemon that a task left running,
 * say).
 */
void
proc_end_keep(struct proc_end *pe)
{
	struct proc_stat	*procs;
	u_int			 n, i;
	pid_t			 self = getpid();

	free(pe->kept);
	pe->kept = NULL;
	pe->nkept = 0;
	procs = proc_scan(&n);
	for (i = 0; i < n; i++) {
		if (procs[i].ppid != self || procs[i].state == 'Z' ||
		    proc_waited(procs[i].pid, 0))
			continue;
		pe->kept = xreallocarray(pe->kept, pe->nkept + 1,
		    sizeof *pe->kept);
		pe->kept[pe->nkept].pid = procs[i].pid;
		pe->kept[pe->nkept++].start = procs[i].start;
	}
	free(procs);
}

static int
proc_end_skips(struct proc_end *pe, int sig, const struct proc_stat *top)
{
	u_int	 i;

	if (pe == NULL || (~pe->flags & PROC_END_LEFTOVERS)) {
		/* The hook told of the end runs to its own end. */
		return (sig != SIGKILL && proc_waited(top->pid, 1));
	}
	if (proc_waited(top->pid, 0))
		return (1);
	for (i = 0; i < pe->nkept; i++) {
		if (pe->kept[i].pid == top->pid &&
		    pe->kept[i].start == top->start)
			return (1);
	}
	return (0);
}

static int
proc_end_swept(struct proc_end *pe, pid_t pid)
{
	u_int	 i;

	for (i = 0; pe != NULL && i < pe->nswept; i++) {
		if (pe->swept[i] == pid)
			return (1);
	}
	return (0);
}

/*
 * Signal the live processes below hinit that the end does not skip. A
 * signal other than SIGKILL goes to each once an end, so that calling this
 * again after a reap reaches the orphans adopted since, and only them.
 * Returns how many are left, signalled now or before; names gets "comm
 * (pid)" of the first few signalled now.
 */
static u_int
proc_sweep(struct proc_end *pe, int sig, struct buf *names)
{
	struct proc_stat	*procs, *p, *top;
	u_int			 n, i, left = 0, named = 0;
	pid_t			 self = getpid();

	procs = proc_scan(&n);
	for (i = 0; i < n; i++) {
		p = &procs[i];
		if (p->pid == self || p->state == 'Z' || p->state == 'X')
			continue;
		if ((top = proc_scan_top(procs, n, p, self)) == NULL ||
		    proc_end_skips(pe, sig, top))
			continue;
		left++;
		if (sig != SIGKILL && proc_end_swept(pe, p->pid))
			continue;
		if (proc_kill_stop(p->pid, sig) == -1)
			continue;
		if (sig != SIGKILL && pe != NULL) {
			pe->swept = xreallocarray(pe->swept, pe->nswept + 1,
			    sizeof *pe->swept);
			pe->swept[pe->nswept++] = p->pid;
		}
		if (names != NULL && named++ < PROC_NAMES_MAX) {
			buf_printf(names, "%s%s (%ld)", named > 1 ? ", " : "",
			    p->comm, (long)p->pid);
		}
	}
	if (names != NULL && named > PROC_NAMES_MAX)
		buf_printf(names, " and %u more", named - PROC_NAMES_MAX);
	free(procs);
	return (left);
}

/*
 * As PID 1, every process of the namespace (kill(-1) reaches those that
 * joined it from outside too); otherwise every process below hinit, each
 * once: the app's group and the orphans (the subreaper inherits them),
 * whatever group or session they went to.
 */
void
proc_kill_all(int sig, int everything)
{
	if (!everything) {
		proc_sweep(NULL, sig, NULL);
		return;
	}
	if (proc_kill_stop(-1, sig) == -1 && errno != ESRCH)
		log_warn("kill(-1, SIG%s)", signal_name(sig));
}

/*
 * Signal what the end reaches; how many are left. Leftovers are counted
 * by the sweep, everything by hinit's children (running or not reaped):
 * a spared hook holds the exit until it is done.
 */
static u_int
proc_end_signal(struct proc_end *pe, int sig, struct buf *names)
{
	u_int	 n = 0;

	if ((pe->flags & PROC_END_EVERYTHING) && (sig == SIGKILL || !pe->each))
		proc_kill_all(sig, 1);
	else
		n = proc_sweep(pe, sig, names);
	if (pe->flags & PROC_END_LEFTOVERS)
		return (n);
	return (proc_children_left());
}

static void
proc_end_reset(struct proc_end *pe)
{
	pe->stage = 0;
	ev_timer_stop(EV_DEFAULT, &pe->timer);
	ev_timer_stop(EV_DEFAULT, &pe->again);
	free(pe->swept);
	pe->swept = NULL;
	pe->nswept = 0;
}

static void
proc_end_done(struct proc_end *pe)
{
	proc_end_reset(pe);
	pe->cb(pe, PROC_END_DONE, 0, NULL, pe->arg);
}

/* The grace is over: SIGKILL; then the time for the reaps is over. */
static void
proc_end_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct proc_end	*pe = w->data;
	struct buf	 names;
	u_int		 n;

	if (pe->stage == PROC_END_KILL) {
		pe->cb(pe, PROC_END_LEFT, 0, NULL, pe->arg);
		proc_end_done(pe);
		return;
	}
	buf_init(&names);
	n = proc_end_signal(pe, SIGKILL, &names);
	pe->cb(pe, PROC_END_KILL, n, names.data != NULL ? names.data : "",
	    pe->arg);
	buf_free(&names);
	if (n == 0) {
		proc_end_done(pe);
		return;
	}
	pe->stage = PROC_END_KILL;
	ev_timer_set(w, PROC_KILL_WAIT, 0);
	ev_timer_start(loop, w);
}

/* After reaps: orphans adopted since get their signal; none left: done. */
static void
proc_end_again_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct proc_end	*pe = w->data;
	struct buf	 names;
	u_int		 n;
	int		 sig;

	if (pe->stage == 0)
		return;
	sig = pe->stage == PROC_END_KILL ? SIGKILL : pe->sig;
	buf_init(&names);
	n = proc_end_signal(pe, sig, &names);
	if (names.len > 0)
		pe->cb(pe, PROC_END_MORE, n, names.data, pe->arg);
	buf_free(&names);
	if (n == 0)
		proc_end_done(pe);
}

void
proc_end_init(struct proc_end *pe, int flags, proc_end_cb *cb, void *arg)
{
	memset(pe, 0, sizeof *pe);
	pe->flags = flags;
	pe->cb = cb;
	pe->arg = arg;
	ev_init(&pe->timer, proc_end_timer_cb);
	pe->timer.data = pe;
	ev_init(&pe->again, proc_end_again_cb);
	pe->again.data = pe;
}

int
proc_end_start(struct proc_end *pe, int sig, double grace)
{
	struct buf	 names;
	u_int		 n;

	proc_end_reset(pe);
	if ((~pe->flags & PROC_END_LEFTOVERS) && !proc_children_left())
		return (0);
	pe->sig = sig;
	/* A hook runs, to be spared: not kill(-1), but one by one. */
	pe->each = proc_waited(0, 1);
	buf_init(&names);
	n = proc_end_signal(pe, sig, &names);
	if (n == 0) {
		buf_free(&names);
		proc_end_reset(pe);
		return (0);
	}
	pe->stage = PROC_END_TERM;
	ev_timer_set(&pe->timer, grace, 0);
	ev_timer_start(EV_DEFAULT, &pe->timer);
	pe->cb(pe, PROC_END_TERM, n, names.data != NULL ? names.data : "",
	    pe->arg);
	buf_free(&names);
	return (1);
}

/*
 * After each reap. Everything: nothing left ends it at once. Signals again
 * once a turn of the loop, however many were reaped, but not after
 * kill(-1) (it reached every process) nor after the grace.
 */
void
proc_end_reaped(struct proc_end *pe)
{
	if (pe->stage == 0)
		return;
	if (~pe->flags & PROC_END_LEFTOVERS) {
		if (!proc_children_left()) {
			proc_end_done(pe);
			return;
		}
		if (pe->stage != PROC_END_TERM ||
		    ((pe->flags & PROC_END_EVERYTHING) && !pe->each))
			return;
	}
	if (!ev_is_active(&pe->again)) {
		ev_timer_set(&pe->again, 0, 0);
		ev_timer_start(EV_DEFAULT, &pe->again);
	}
}

void
proc_end_stop(struct proc_end *pe)
{
	proc_end_reset(pe);
}

void
proc_end_free(struct proc_end *pe)
{
	proc_end_reset(pe);
	free(pe->kept);
	pe->kept = NULL;
	pe->nkept = 0;
}
