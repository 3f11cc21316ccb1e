/*
 * reap.c: every child of hinit comes back here. One libev child watcher
 * (pid 0) sees every exit: a pid someone registered with reap_watch() goes
 * to its callback (the app, a task, an exec check), any other is an orphan
 * and is only counted. Also: killing what is left at the end.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <ctype.h>
#include <limits.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hinit.h"
#include "init.h"

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
}

void
reap_start(struct hinit *h)
{
	sigset_t	 set;

	LIST_INIT(&h->watches);
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

/*
 * Signal everything that is left. As PID 1 that is every process of the
 * namespace; otherwise our children (the subreaper inherits the orphans),
 * and the whole group of each child that leads one.
 */
void
reap_kill_all(struct hinit *h, int sig)
{
	DIR		*d;
	struct dirent	*de;
	FILE		*f;
	char		 path[PATH_MAX], *p, line[512];
	pid_t		 self = getpid(), pid, ppid;

	if (h->pid1) {
		if (kill(-1, sig) == -1 && errno != ESRCH)
			log_warn("kill(-1, SIG%s)", signal_name(sig));
		return;
	}
	if (h->app.pid > 0)
		kill(-h->app.pid, sig);
	if ((d = opendir("/proc")) == NULL) {
		log_warn("/proc");
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!isdigit((u_char)de->d_name[0]))
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", de->d_name);
		if ((f = fopen(path, "re")) == NULL)
			continue;
		p = fgets(line, sizeof line, f);
		fclose(f);
		/* "pid (comm) state ppid ...": comm may hold anything. */
		if (p == NULL || (p = strrchr(line, ')')) == NULL)
			continue;
		if (sscanf(p + 1, " %*c %d", &ppid) != 1 || ppid != self)
			continue;
		pid = (pid_t)strtol(de->d_name, NULL, 10);
		if (getpgid(pid) == pid)
			kill(-pid, sig);
		kill(pid, sig);
	}
	closedir(d);
}
