/*
 * reap.c: every child of hinit comes back here. One libev child watcher
 * (pid 0) sees every exit: a pid someone registered with reap_watch() goes
 * to its callback (the app, a task, an exec check), any other is an orphan
 * and is only counted. Also: killing what is left at the end.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hinit.h"
#include "init.h"

#define REAP_NAMES_MAX	8	/* processes named in a log line */

struct reap_entry {
	pid_t			 pid;
	reap_cb			*cb;
	void			*arg;
	LIST_ENTRY(reap_entry)	 entry;
};

static void
reap_child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct hinit		*h = w->data;
	struct reap_entry	*re;
	pid_t			 pid = w->rpid;
	int			 status = w->rstatus;

	LIST_FOREACH(re, &h->watches, entry) {
		if (re->pid == pid)
			break;
	}
	if (re != NULL) {
		LIST_REMOVE(re, entry);
		re->cb(pid, status, re->arg);
		free(re);
	} else {
		h->reaped++;
		log_debug("reaped orphan %ld", (long)pid);
	}
	if (h->exit_code != -1 && !reap_children_left(h))
		hinit_exit(h, h->exit_code);
	else if ((h->exit_code != -1 && (!h->pid1 || h->spared)) ||
	    h->app.sweeping) {
		/* Once a turn of the loop, however many were reaped. */
		if (!ev_is_active(&h->resweep)) {
			ev_timer_set(&h->resweep, 0, 0);
			ev_timer_start(loop, &h->resweep);
		}
	}
}

/* What is left is signalled again: orphans adopted since get theirs. */
static void
reap_resweep_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct hinit	*h = w->data;

	if (h->exit_code != -1)
		hinit_exit(h, h->exit_code);
	else
		app_sweep(h);
}

void
reap_start(struct hinit *h)
{
	sigset_t	 set;

	LIST_INIT(&h->watches);
	ev_init(&h->resweep, reap_resweep_cb);
	h->resweep.data = h;
	ev_child_init(&h->child, reap_child_cb, 0, 0);
	h->child.data = h;
	ev_child_start(EV_DEFAULT, &h->child);
	/* Caught by a handler, not read from a signalfd: let it in. */
	if (signal_caught(SIGCHLD)) {
		h->handlers = 1;
		sigemptyset(&set);
		sigaddset(&set, SIGCHLD);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
	}
}

void
reap_stop(struct hinit *h)
{
	struct reap_entry	*re;

	ev_child_stop(EV_DEFAULT, &h->child);
	ev_timer_stop(EV_DEFAULT, &h->resweep);
	reap_sweep_begin(h);
	free(h->kept);
	h->kept = NULL;
	h->nkept = 0;
	while ((re = LIST_FIRST(&h->watches)) != NULL) {
		LIST_REMOVE(re, entry);
		free(re);
	}
}

void
reap_watch(pid_t pid, reap_cb *cb, void *arg)
{
	struct hinit		*h = hinit_get();
	struct reap_entry	*re;

	re = xcalloc(1, sizeof *re);
	re->pid = pid;
	re->cb = cb;
	re->arg = arg;
	LIST_INSERT_HEAD(&h->watches, re, entry);
}

/* The child's exit then counts as an orphan's. */
void
reap_unwatch(pid_t pid)
{
	struct hinit		*h = hinit_get();
	struct reap_entry	*re;

	LIST_FOREACH(re, &h->watches, entry) {
		if (re->pid == pid) {
			LIST_REMOVE(re, entry);
			free(re);
			return;
		}
	}
}

/* Does hinit still have a child, running or not yet reaped? */
int
reap_children_left(struct hinit *h)
{
	siginfo_t	 si;

	memset(&si, 0, sizeof si);
	if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == -1)
		return (errno != ECHILD);
	return (1);
}

/* One process as /proc/PID/stat shows it. */
struct reap_proc {
	pid_t			 pid;
	pid_t			 ppid;
	char			 state;
	unsigned long long	 start;		/* clock ticks after boot */
	char			 comm[32];
};

static int
reap_proc_read(pid_t pid, struct reap_proc *rp)
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
	if (len >= sizeof rp->comm)
		len = sizeof rp->comm - 1;
	memcpy(rp->comm, p + 1, len);
	rp->comm[len] = '\0';
	rp->pid = pid;
	/* state ppid pgrp session tty tpgid flags, 4 faults, 4 times, */
	/* priority nice threads itrealvalue starttime */
	if (sscanf(q + 1, " %c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u "
	    "%*d %*d %*d %*d %*d %*d %llu", &rp->state, &rp->ppid,
	    &rp->start) != 3)
		return (-1);
	return (0);
}

static int
reap_proc_cmp(const void *a, const void *b)
{
	const struct reap_proc	*pa = a, *pb = b;

	return (pa->pid < pb->pid ? -1 : pa->pid > pb->pid);
}

/* Every process /proc shows, sorted by pid. */
static struct reap_proc *
reap_scan(u_int *np)
{
	struct reap_proc	*procs = NULL;
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
		if (reap_proc_read(pid, &procs[n]) == 0)
			n++;
	}
	closedir(d);
	qsort(procs, n, sizeof *procs, reap_proc_cmp);
	*np = n;
	return (procs);
}

static struct reap_proc *
reap_scan_find(struct reap_proc *procs, u_int n, pid_t pid)
{
	struct reap_proc	 key;

	key.pid = pid;
	return (bsearch(&key, procs, n, sizeof *procs, reap_proc_cmp));
}

/*
 * The child of hinit that p descends from (p itself, maybe); NULL if p is
 * not below hinit.
 */
static struct reap_proc *
reap_scan_top(struct reap_proc *procs, u_int n, struct reap_proc *p,
    pid_t self)
{
	u_int	 depth;

	for (depth = 0; p != NULL && depth < n; depth++) {
		if (p->ppid == self)
			return (p);
		p = reap_scan_find(procs, n, p->ppid);
	}
	return (NULL);
}

static int
reap_is_watched(struct hinit *h, pid_t pid)
{
	struct reap_entry	*re;

	LIST_FOREACH(re, &h->watches, entry) {
		if (re->pid == pid)
			return (1);
	}
	return (0);
}

/*
 * Before the app starts: hinit's children that no one watches are not the
 * app's to end when it restarts (a daemon that a task left running, say).
 */
void
reap_keep_children(struct hinit *h)
{
	struct reap_proc	*procs;
	u_int			 n, i;
	pid_t			 self = getpid();

	free(h->kept);
	h->kept = NULL;
	h->nkept = 0;
	procs = reap_scan(&n);
	for (i = 0; i < n; i++) {
		if (procs[i].ppid != self || procs[i].state == 'Z' ||
		    reap_is_watched(h, procs[i].pid))
			continue;
		h->kept = xreallocarray(h->kept, h->nkept + 1,
		    sizeof *h->kept);
		h->kept[h->nkept].pid = procs[i].pid;
		h->kept[h->nkept++].start = procs[i].start;
	}
	free(procs);
}

static int
reap_is_kept(struct hinit *h, const struct reap_proc *p)
{
	u_int	 i;

	for (i = 0; i < h->nkept; i++) {
		if (h->kept[i].pid == p->pid && h->kept[i].start == p->start)
			return (1);
	}
	return (0);
}

/* A new sweep: every process may get its SIGTERM again. */
void
reap_sweep_begin(struct hinit *h)
{
	free(h->swept);
	h->swept = NULL;
	h->nswept = 0;
}

static int
reap_swept(struct hinit *h, pid_t pid)
{
	u_int	 i;

	for (i = 0; i < h->nswept; i++) {
		if (h->swept[i] == pid)
			return (1);
	}
	return (0);
}

/*
 * Signal the live processes below hinit: with REAP_APP only what the app
 * left, that is not those of a child someone watches (an exec check, a
 * task) nor of one kept when the app started (reap_keep_children); with
 * REAP_ALL all of them but a hook that runs. A signal other than SIGKILL
 * goes to each once a sweep (reap_sweep_begin), so that calling this again
 * after a reap reaches the orphans adopted since, and only them. Returns how many are left,
 * signalled now or before; names gets "comm (pid)" of those signalled now,
 * the first few.
 */
u_int
reap_sweep(struct hinit *h, int sig, int what, struct buf *names)
{
	struct reap_proc	*procs, *p, *top;
	u_int			 n, i, left = 0, named = 0;
	pid_t			 self = getpid();

	procs = reap_scan(&n);
	for (i = 0; i < n; i++) {
		p = &procs[i];
		if (p->pid == self || p->state == 'Z' || p->state == 'X')
			continue;
		if ((top = reap_scan_top(procs, n, p, self)) == NULL)
			continue;
		if (what == REAP_APP && (reap_is_watched(h, top->pid) ||
		    reap_is_kept(h, top)))
			continue;
		/* The hook told of the end runs to its own end. */
		if (what == REAP_ALL && sig != SIGKILL &&
		    top->pid == hook_group(h->hook))
			continue;
		left++;
		if (sig != SIGKILL && reap_swept(h, p->pid))
			continue;
		/*
		 * A stopped process takes it only once continued; SIGCONT
		 * first, as it discards a pending SIGTSTP, SIGTTIN, SIGTTOU.
		 */
		if (sig != SIGKILL && sig != SIGCONT)
			kill(p->pid, SIGCONT);
		if (kill(p->pid, sig) == -1)
			continue;
		if (sig != SIGKILL) {
			h->swept = xreallocarray(h->swept, h->nswept + 1,
			    sizeof *h->swept);
			h->swept[h->nswept++] = p->pid;
		}
		if (names == NULL)
			continue;
		if (named < REAP_NAMES_MAX) {
			buf_printf(names, "%s%s (%ld)", named > 0 ? ", " : "",
			    p->comm, (long)p->pid);
		}
		named++;
	}
	if (names != NULL && named > REAP_NAMES_MAX)
		buf_printf(names, " and %u more", named - REAP_NAMES_MAX);
	free(procs);
	return (left);
}

/*
 * Signal everything that is left at the end. As PID 1 that is every
 * process of the namespace; otherwise every process below hinit, each
 * once: the app's process group and the orphans (the subreaper inherits
 * them), whatever group or session they went to. hinit_exit() sweeps
 * again after reaps while the grace runs, so that an orphan adopted since
 * gets its SIGTERM at once.
 */
void
reap_kill_all(struct hinit *h, int sig)
{
	/* A hook runs: everything but it, and orphans after each reap. */
	if (h->pid1 && sig != SIGKILL && hook_group(h->hook) != 0)
		h->spared = 1;
	if (h->pid1 && (sig == SIGKILL || !h->spared)) {
		if (kill(-1, sig) == -1 && errno != ESRCH)
			log_warn("kill(-1, SIG%s)", signal_name(sig));
		if (sig != SIGKILL)
			kill(-1, SIGCONT);
		return;
	}
	reap_sweep(h, sig, REAP_ALL, NULL);
}
