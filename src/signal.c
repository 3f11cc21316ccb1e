/*
 * signal.c: the signal state hinit inherited, given back to every child, and
 * the watchers that forward signals to the app or begin the stop.
 */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "hinit.h"
#include "init.h"

/* Signals that report a fault of hinit itself: never forwarded or blocked. */
static const int signal_sync[] = {
	SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS
};

static const struct {
	const char	*name;
	int		 sig;
} signal_names[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
	{ "ILL", SIGILL }, { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
	{ "BUS", SIGBUS }, { "FPE", SIGFPE }, { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
	{ "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT },
	{ "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
	{ "TTOU", SIGTTOU }, { "URG", SIGURG }, { "XCPU", SIGXCPU },
	{ "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
	{ "WINCH", SIGWINCH }, { "IO", SIGIO }, { "PWR", SIGPWR },
	{ "SYS", SIGSYS }
};

static int
signal_is_sync(int sig)
{
	u_int	 i;

	for (i = 0; i < nitems(signal_sync); i++) {
		if (signal_sync[i] == sig)
			return (1);
	}
	return (0);
}

/* A signal hinit can catch and would forward: not KILL, STOP, CHLD, sync. */
static int
signal_forwardable(int sig)
{
	if (sig == SIGKILL || sig == SIGSTOP || sig == SIGCHLD)
		return (0);
	if (signal_is_sync(sig))
		return (0);
	/* The C library keeps some real-time signals for itself. */
	if (sig >= 32 && sig < SIGRTMIN)
		return (0);
	return (sig > 0 && sig < NSIG);
}

/*
 * Remember the mask and the ignored signals hinit was given, to hand them to
 * children as tini does. In init mode, block everything but the synchronous
 * signals: a signal that arrives before its watcher runs stays pending and
 * is delivered once the loop watches it, so none is lost during start-up.
 */
void
signal_init(struct hinit *h, int block)
{
	struct sigaction	 sa;
	sigset_t		 all;
	u_int			 i;
	int			 sig;

	sigprocmask(SIG_SETMASK, NULL, &h->inherited_mask);
	sigemptyset(&h->inherited_ignored);
	for (sig = 1; sig < NSIG; sig++) {
		if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
			sigaddset(&h->inherited_ignored, sig);
	}
	if (!block)
		return;
	sigfillset(&all);
	for (i = 0; i < nitems(signal_sync); i++)
		sigdelset(&all, signal_sync[i]);
	sigprocmask(SIG_SETMASK, &all, NULL);
}

static void
signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct hinit	*h = w->data;
	int		 sig = w->signum;

	switch (sig) {
	case SIGTERM:
	case SIGINT:
	case SIGQUIT:
		hinit_stop(h, sig);
		break;
	default:
		log_debug("forwarding SIG%s", signal_name(sig));
		app_signal(h, sig);
		break;
	}
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
 * Watch every forwardable signal. Through a signalfd they stay blocked; if
 * libev could not make one, it caught them with handlers, and they are let
 * in here (libev does not).
 */
void
signal_start(struct hinit *h)
{
	sigset_t	 set;
	int		 sig;

	sigemptyset(&set);
	h->signals = xcalloc(NSIG, sizeof *h->signals);
	h->nsignals = 0;
	for (sig = 1; sig < NSIG; sig++) {
		if (!signal_forwardable(sig))
			continue;
		ev_signal_init(&h->signals[h->nsignals], signal_cb, sig);
		h->signals[h->nsignals].data = h;
		ev_signal_start(EV_DEFAULT, &h->signals[h->nsignals]);
		h->nsignals++;
		sigaddset(&set, sig);
	}
	if (signal_caught(SIGTERM)) {
		h->handlers = 1;
		sigprocmask(SIG_UNBLOCK, &set, NULL);
	}
}

void
signal_stop(struct hinit *h)
{
	u_int	 i;

	for (i = 0; i < h->nsignals; i++)
		ev_signal_stop(EV_DEFAULT, &h->signals[i]);
	free(h->signals);
	h->signals = NULL;
	h->nsignals = 0;
}

/*
 * In a forked child, before exec: the dispositions and mask hinit inherited.
 * Only async-signal-safe calls here.
 */
void
signal_child_reset(void)
{
	struct hinit		*h = hinit_get();
	struct sigaction	 sa;
	int			 sig;

	/* Through a signalfd, hinit set no disposition: exec keeps them. */
	if (h->handlers) {
		memset(&sa, 0, sizeof sa);
		sigemptyset(&sa.sa_mask);
		for (sig = 1; sig < NSIG; sig++) {
			if (sig == SIGKILL || sig == SIGSTOP)
				continue;
			if (sigismember(&h->inherited_ignored, sig))
				sa.sa_handler = SIG_IGN;
			else
				sa.sa_handler = SIG_DFL;
			sigaction(sig, &sa, NULL);
		}
	}
	sigprocmask(SIG_SETMASK, &h->inherited_mask, NULL);
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
	for (i = 0; i < nitems(signal_names); i++) {
		if (strcasecmp(s, signal_names[i].name) == 0)
			return (signal_names[i].sig);
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

	for (i = 0; i < nitems(signal_names); i++) {
		if (signal_names[i].sig == sig)
			return (signal_names[i].name);
	}
	if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		return ("RT");
	return ("?");
}
