/*
 * signal.c: what each signal does to hinit (one table), reading them, and
 * the signal state hinit inherited, given back to every child.
 *
 * Signals are read from a signalfd while they stay blocked, which also
 * tells who sent each one: a signal hinit raised itself is never the app's.
 * A write to a pipe whose reader is gone raises SIGPIPE in the writer, a
 * write past RLIMIT_FSIZE SIGXFSZ; hinit survives both (the write fails),
 * and forwarding them would kill the app because hinit's log reader went
 * away. The same signals sent by anyone else are forwarded.
 */

#include <sys/signalfd.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hinit.h"
#include "proc.h"

enum signal_action {
	SIGNAL_FORWARD,		/* to the app (its group with -g) or task */
	SIGNAL_STOP,		/* begin the stop (hinit_stop forwards it) */
	SIGNAL_LOCAL,		/* hinit's own: SIGCHLD, read by the reaper */
	SIGNAL_NEVER		/* never blocked: a fault; KILL, STOP */
};

/*
 * Real-time signals are forwarded, by number; those the C library keeps
 * for itself (32 to SIGRTMIN - 1) are never touched.
 */
static const struct {
	const char		*name;
	int			 sig;
	enum signal_action	 action;
} signal_table[] = {
	{ "HUP", SIGHUP, SIGNAL_FORWARD },
	{ "INT", SIGINT, SIGNAL_STOP },
	{ "QUIT", SIGQUIT, SIGNAL_STOP },
	{ "ILL", SIGILL, SIGNAL_NEVER },
	{ "TRAP", SIGTRAP, SIGNAL_NEVER },
	{ "ABRT", SIGABRT, SIGNAL_NEVER },
	{ "BUS", SIGBUS, SIGNAL_NEVER },
	{ "FPE", SIGFPE, SIGNAL_NEVER },
	{ "KILL", SIGKILL, SIGNAL_NEVER },
	{ "USR1", SIGUSR1, SIGNAL_FORWARD },
	{ "SEGV", SIGSEGV, SIGNAL_NEVER },
	{ "USR2", SIGUSR2, SIGNAL_FORWARD },
	{ "PIPE", SIGPIPE, SIGNAL_FORWARD },	/* not hinit's own */
	{ "ALRM", SIGALRM, SIGNAL_FORWARD },
	{ "TERM", SIGTERM, SIGNAL_STOP },
	{ "STKFLT", SIGSTKFLT, SIGNAL_FORWARD },
	{ "CHLD", SIGCHLD, SIGNAL_LOCAL },
	{ "CONT", SIGCONT, SIGNAL_FORWARD },
	{ "STOP", SIGSTOP, SIGNAL_NEVER },
	{ "TSTP", SIGTSTP, SIGNAL_FORWARD },
	{ "TTIN", SIGTTIN, SIGNAL_FORWARD },
	{ "TTOU", SIGTTOU, SIGNAL_FORWARD },
	{ "URG", SIGURG, SIGNAL_FORWARD },
	{ "XCPU", SIGXCPU, SIGNAL_FORWARD },
	{ "XFSZ", SIGXFSZ, SIGNAL_FORWARD },	/* not hinit's own */
	{ "VTALRM", SIGVTALRM, SIGNAL_FORWARD },
	{ "PROF", SIGPROF, SIGNAL_FORWARD },
	{ "WINCH", SIGWINCH, SIGNAL_FORWARD },
	{ "IO", SIGIO, SIGNAL_FORWARD },
	{ "PWR", SIGPWR, SIGNAL_FORWARD },
	{ "SYS", SIGSYS, SIGNAL_NEVER }
};

/* What hinit inherited: written once at start-up, given to every child. */
static struct {
	sigset_t	 mask;
	sigset_t	 ignored;
	int		 handlers;	/* hinit caught some with handlers */
} signal_inherited;

static enum signal_action
signal_action(int sig)
{
	u_int	 i;

	for (i = 0; i < nitems(signal_table); i++) {
		if (signal_table[i].sig == sig)
			return (signal_table[i].action);
	}
	if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		return (SIGNAL_FORWARD);
	return (SIGNAL_NEVER);
}

/*
 * Remember the mask and the ignored signals hinit was given, to hand them to
 * children as tini does. In init mode, block every signal but the faults:
 * one that arrives before it is read stays pending, so none is lost during
 * start-up.
 */
void
signal_init(int block)
{
	struct sigaction	 sa;
	sigset_t		 all;
	u_int			 i;
	int			 sig;

	sigprocmask(SIG_SETMASK, NULL, &signal_inherited.mask);
	sigemptyset(&signal_inherited.ignored);
	for (sig = 1; sig < NSIG; sig++) {
		if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
			sigaddset(&signal_inherited.ignored, sig);
	}
	if (!block)
		return;
	sigfillset(&all);
	for (i = 0; i < nitems(signal_table); i++) {
		if (signal_table[i].action == SIGNAL_NEVER)
			sigdelset(&all, signal_table[i].sig);
	}
	sigprocmask(SIG_SETMASK, &all, NULL);
}

/* One signal someone else sent: the table says what it does. */
static void
signal_act(struct signals *s, int sig)
{
	switch (signal_action(sig)) {
	case SIGNAL_STOP:
		s->cb(sig, 1, s->arg);
		break;
	case SIGNAL_FORWARD:
		log_debug("forwarding SIG%s", signal_name(sig));
		s->cb(sig, 0, s->arg);
		break;
	case SIGNAL_LOCAL:
	case SIGNAL_NEVER:
		break;
	}
}

/*
 * Every instance of a real-time signal is read, and forwarded, on its own.
 * A signal sent by a process (si_code <= 0) whose pid is hinit's own was
 * raised by hinit: dropped without a word, since a log line about it would
 * raise the next one.
 */
static void
signal_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct signals			*s = w->data;
	struct signalfd_siginfo		 si[16];
	ssize_t				 n, i;
	pid_t				 self = getpid();

	for (;;) {
		n = read(s->fd, si, sizeof si);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		for (i = 0; i < n / (ssize_t)sizeof si[0]; i++) {
			if (si[i].ssi_code <= 0 &&
			    si[i].ssi_pid == (uint32_t)self)
				continue;
			signal_act(s, (int)si[i].ssi_signo);
		}
		if ((size_t)n < sizeof si)
			return;
	}
}

/* With no signalfd, libev's watchers (they cannot tell who sent what). */
static void
signal_watcher_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	signal_act(w->data, w->signum);
}

/*
 * Signals caught by handlers (libev without a signalfd) are let in; the
 * children then get their dispositions back (signal_child_reset).
 */
void
signal_let_in(const sigset_t *set)
{
	signal_inherited.handlers = 1;
	sigprocmask(SIG_UNBLOCK, set, NULL);
}

/* Whether sig is caught by a handler (libev without a signalfd). */
int
signal_caught(int sig)
{
	struct sigaction	 sa;

	if (sigaction(sig, NULL, &sa) != 0)
		return (0);
	return (sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN);
}

/*
 * Read every signal that is forwarded or stops hinit from a signalfd; they
 * stay blocked. Without one, libev's watchers take them, with handlers if
 * libev has no signalfd either (let in here: libev does not), and SIGPIPE
 * and SIGXFSZ stay blocked and unread: hinit's own could not be told from
 * the others.
 */
void
signal_start(struct signals *s, signal_cb *cb, void *arg)
{
	sigset_t		 set;
	enum signal_action	 action;
	int			 sig;

	s->cb = cb;
	s->arg = arg;
	s->watchers = NULL;
	s->nwatchers = 0;
	sigemptyset(&set);
	for (sig = 1; sig < NSIG; sig++) {
		action = signal_action(sig);
		if (action == SIGNAL_FORWARD || action == SIGNAL_STOP)
			sigaddset(&set, sig);
	}
	s->fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s->fd != -1) {
		ev_io_init(&s->io, signal_read_cb, s->fd, EV_READ);
		s->io.data = s;
		ev_io_start(EV_DEFAULT, &s->io);
		return;
	}
	log_warn("signalfd");

	sigdelset(&set, SIGPIPE);
	sigdelset(&set, SIGXFSZ);
	s->watchers = xcalloc(NSIG, sizeof *s->watchers);
	for (sig = 1; sig < NSIG; sig++) {
		if (!sigismember(&set, sig))
			continue;
		ev_signal_init(&s->watchers[s->nwatchers], signal_watcher_cb,
		    sig);
		s->watchers[s->nwatchers].data = s;
		ev_signal_start(EV_DEFAULT, &s->watchers[s->nwatchers]);
		s->nwatchers++;
	}
	if (signal_caught(SIGTERM))
		signal_let_in(&set);
}

void
signal_stop(struct signals *s)
{
	u_int	 i;

	if (s->cb == NULL)
		return;		/* never started */
	if (s->fd != -1) {
		ev_io_stop(EV_DEFAULT, &s->io);
		close(s->fd);
		s->fd = -1;
	}
	for (i = 0; i < s->nwatchers; i++)
		ev_signal_stop(EV_DEFAULT, &s->watchers[i]);
	free(s->watchers);
	s->watchers = NULL;
	s->nwatchers = 0;
}

/*
 * In a forked child, before exec: the dispositions and mask hinit inherited.
 * Only async-signal-safe calls here.
 */
void
signal_child_reset(void)
{
	struct sigaction	 sa;
	int			 sig;

	/* Through a signalfd, hinit set no disposition: exec keeps them. */
	if (signal_inherited.handlers) {
		memset(&sa, 0, sizeof sa);
		sigemptyset(&sa.sa_mask);
		for (sig = 1; sig < NSIG; sig++) {
			if (sig == SIGKILL || sig == SIGSTOP)
				continue;
			if (sigismember(&signal_inherited.ignored, sig))
				sa.sa_handler = SIG_IGN;
			else
				sa.sa_handler = SIG_DFL;
			sigaction(sig, &sa, NULL);
		}
	}
	sigprocmask(SIG_SETMASK, &signal_inherited.mask, NULL);
}

/* "TERM", "SIGTERM", "sigterm", "15", "RTMIN+2"; -1 if none. */
int
signal_parse(const char *s)
{
	char		*end;
	long		 n;
	u_int		 i;

	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	if (*s >= '0' && *s <= '9') {
		errno = 0;
		n = strtol(s, &end, 10);
		if (errno != 0 || *end != '\0' || n < 1 || n >= NSIG)
			return (-1);
		return ((int)n);
	}
	for (i = 0; i < nitems(signal_table); i++) {
		if (strcasecmp(s, signal_table[i].name) == 0)
			return (signal_table[i].sig);
	}
	if (strncasecmp(s, "RTMIN", 5) == 0) {
		n = 0;
		if (s[5] == '+')
			n = strtol(s + 6, &end, 10);
		else if (s[5] != '\0')
			return (-1);
		else
			end = (char *)s + 5;
		if (*end != '\0' || n < 0 || SIGRTMIN + n > SIGRTMAX)
			return (-1);
		return (SIGRTMIN + (int)n);
	}
	return (-1);
}

/* The name without "SIG"; real-time and unknown signals are "RT" / "?". */
const char *
signal_name(int sig)
{
	u_int	 i;

	for (i = 0; i < nitems(signal_table); i++) {
		if (signal_table[i].sig == sig)
			return (signal_table[i].name);
	}
	if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		return ("RT");
	return ("?");
}
