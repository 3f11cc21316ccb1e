/*
 * notify.c: the notify check type: the app's own word on its health, over
 * the sd_notify protocol (systemd's Type=notify), so that the libraries
 * apps already use for it work unchanged.
 *
 * With notify = yes, hinit makes one datagram socket, named in the app's
 * NOTIFY_SOCKET, and a check named "app" of this type. The check is never
 * probed: the engine records what the app says (probe_push). READY=1
 * passes it; STATUS= becomes its output; with a watchdog, WATCHDOG=1 must
 * come at least that often once the app is ready, else the check fails;
 * WATCHDOG=trigger and STOPPING=1 fail it at once. Only datagrams from a
 * process of the app's group count (the kernel says who sent each); any
 * descriptors passed along are closed unread.
 */

#include <sys/types.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hinit.h"
#include "check.h"

#define NOTIFY_MESSAGE_MAX	4096	/* longer datagrams are ignored */
#define NOTIFY_BATCH		64	/* datagrams read per wake-up */

struct notify {
	int		 fd;
	ev_io		 io;
	char		 address[64];	/* for NOTIFY_SOCKET: "@hinit-..." */
	uint64_t	 watchdog;	/* ms; 0: none */
	ev_timer	 watchdog_timer;

	pid_t		 group;		/* the app's process group; 0: none */
	int		 ready;		/* READY=1 since the app started */
	int		 stopping;	/* STOPPING=1 since then */
	char		*status;	/* the last STATUS= */
	u_int		 ignored;	/* datagrams from others, said once */
};

static int
notify_prepare(struct check *c, const struct url *u, char **cause)
{
	struct notify	*n = c->data;

	n->fd = -1;
	return (0);
}

static void
notify_close(struct notify *n)
{
	ev_io_stop(EV_DEFAULT, &n->io);
	ev_timer_stop(EV_DEFAULT, &n->watchdog_timer);
	if (n->fd != -1) {
		close(n->fd);
		n->fd = -1;
	}
}

/* Nothing is under way between messages: nothing to cancel. */
static void
notify_cancel(struct check *c)
{
}

static void
notify_free(struct check *c)
{
	struct notify	*n = c->data;

	notify_close(n);
	free(n->status);
}

/* What the app said last, or what it is waiting for. */
static const char *
notify_output(struct notify *n, const char *otherwise)
{
	if (n->status != NULL && *n->status != '\0')
		return (n->status);
	return (otherwise);
}

static void
notify_watchdog_arm(struct check *c)
{
	struct notify	*n = c->data;

	if (n->watchdog == 0)
		return;
	ev_timer_stop(EV_DEFAULT, &n->watchdog_timer);
	ev_timer_set(&n->watchdog_timer, n->watchdog / 1000.0, 0);
	ev_timer_start(EV_DEFAULT, &n->watchdog_timer);
}

static void
notify_watchdog_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct check	*c = w->data;
	struct notify	*n = c->data;
	char		 tmp[32], *s;

	xasprintf(&s, "no WATCHDOG=1 for %s",
	    duration_format(n->watchdog, tmp, sizeof tmp));
	probe_push(c, CHECK_FAIL, s);
	free(s);
}

/* One "KEY=VALUE" assignment of a message. */
static void
notify_assignment(struct check *c, const char *line, size_t len)
{
	struct notify	*n = c->data;

#define NOTIFY_IS(s) (len == sizeof (s) - 1 && memcmp(line, s, len) == 0)
	if (len > 7 && memcmp(line, "STATUS=", 7) == 0) {
		free(n->status);
		n->status = xstrndup(line + 7, len - 7);
		/* A new output, not a new verdict: only while passing. */
		if (n->ready && !n->stopping && c->state == CHECK_HEALTHY)
			probe_push(c, CHECK_PASS, n->status);
	} else if (NOTIFY_IS("READY=1")) {
		if (n->stopping)
			return;
		n->ready = 1;
		probe_push(c, CHECK_PASS, notify_output(n, "ready"));
		notify_watchdog_arm(c);
	} else if (NOTIFY_IS("WATCHDOG=1")) {
		if (!n->ready || n->stopping)
			return;
		notify_watchdog_arm(c);
		if (c->state != CHECK_HEALTHY)
			probe_push(c, CHECK_PASS, notify_output(n, "ready"));
	} else if (NOTIFY_IS("WATCHDOG=trigger")) {
		probe_push(c, CHECK_FAIL, "WATCHDOG=trigger");
	} else if (NOTIFY_IS("STOPPING=1")) {
		if (n->stopping)
			return;
		n->stopping = 1;
		ev_timer_stop(EV_DEFAULT, &n->watchdog_timer);
		probe_push(c, CHECK_FAIL, "stopping");
	}
#undef NOTIFY_IS
	/* MAINPID=, RELOADING=1, ERRNO= and the rest: nothing to do. */
}

static void
notify_message(struct check *c, const char *data, size_t len)
{
	const char	*p = data, *end = data + len, *nl;

	while (p < end) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		if (nl > p)
			notify_assignment(c, p, nl - p);
		p = nl + 1;
	}
}

/* Close what came with a message unasked (SCM_RIGHTS); say who sent it. */
static pid_t
notify_control(struct msghdr *msg)
{
	struct cmsghdr	*cm;
	struct ucred	 cred;
	pid_t		 pid = 0;
	int		*fds;
	size_t		 i, nfds;

	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET)
			continue;
		if (cm->cmsg_type == SCM_CREDENTIALS &&
		    cm->cmsg_len >= CMSG_LEN(sizeof cred)) {
			memcpy(&cred, CMSG_DATA(cm), sizeof cred);
			pid = cred.pid;
		} else if (cm->cmsg_type == SCM_RIGHTS) {
			fds = (int *)CMSG_DATA(cm);
			nfds = (cm->cmsg_len - CMSG_LEN(0)) / sizeof (int);
			for (i = 0; i < nfds; i++)
				close(fds[i]);
		}
	}
	return (pid);
}

static void
notify_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct check	*c = w->data;
	struct notify	*n = c->data;
	char		 data[NOTIFY_MESSAGE_MAX + 1];
	union {
		struct cmsghdr	 align;
		char		 buf[CMSG_SPACE(sizeof (struct ucred)) +
				     CMSG_SPACE(sizeof (int) * 16)];
	} control;
	struct msghdr	 msg;
	struct iovec	 iov;
	ssize_t		 len;
	pid_t		 pid;
	u_int		 i;

	for (i = 0; i < NOTIFY_BATCH && n->fd != -1; i++) {
		memset(&msg, 0, sizeof msg);
		iov.iov_base = data;
		iov.iov_len = sizeof data;
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof control.buf;
		len = recvmsg(n->fd, &msg, MSG_DONTWAIT | MSG_TRUNC |
		    MSG_CMSG_CLOEXEC);
		if (len == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("notify socket");
			return;
		}
		pid = notify_control(&msg);
		if ((size_t)len > NOTIFY_MESSAGE_MAX ||
		    (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
			log_debug("notify: a message of %zd bytes ignored",
			    len);
			continue;
		}
		/* A process of the app's group, still there to ask. */
		if (n->group <= 0 || pid <= 0 || getpgid(pid) != n->group) {
			if (n->ignored++ == 0) {
				log_info("notify: ignoring messages from pid "
				    "%ld, not of the app's process group",
				    (long)pid);
			}
			continue;
		}
		notify_message(c, data, len);
	}
}

/*
 * Make the socket: abstract (no file to plant or clean up), with a name
 * nobody can guess, taking the sender's credentials with each message.
 */
int
notify_open(struct check *c, uint64_t watchdog, char **cause)
{
	struct notify		*n = c->data;
	struct sockaddr_un	 sun;
	socklen_t		 len;
	uint32_t		 r;
	int			 fd, one = 1, tries;

	n->watchdog = watchdog;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1) {
		xasprintf(cause, "notify socket: %s", strerror(errno));
		return (-1);
	}
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) == -1) {
		xasprintf(cause, "notify socket: SO_PASSCRED: %s",
		    strerror(errno));
		close(fd);
		return (-1);
	}
	for (tries = 0;; tries++) {
		if (getrandom(&r, sizeof r, GRND_NONBLOCK) != sizeof r)
			r = (uint32_t)(time_wall() * 1e6) ^ (uint32_t)tries;
		snprintf(n->address, sizeof n->address,
		    "@hinit-notify-%ld-%08x", (long)getpid(), r);
		memset(&sun, 0, sizeof sun);
		sun.sun_family = AF_UNIX;
		len = strlen(n->address);
		memcpy(sun.sun_path + 1, n->address + 1, len - 1);
		len += offsetof(struct sockaddr_un, sun_path);
		if (bind(fd, (struct sockaddr *)&sun, len) == 0)
			break;
		if (errno != EADDRINUSE || tries == 8) {
			xasprintf(cause, "notify socket %s: %s", n->address,
			    strerror(errno));
			close(fd);
			return (-1);
		}
	}
	n->fd = fd;
	ev_io_init(&n->io, notify_io_cb, fd, EV_READ);
	n->io.data = c;
	ev_io_start(EV_DEFAULT, &n->io);
	ev_init(&n->watchdog_timer, notify_watchdog_cb);
	n->watchdog_timer.data = c;
	return (0);
}

/* NOTIFY_SOCKET's value for the app. */
const char *
notify_address(struct check *c)
{
	struct notify	*n = c->data;

	return (n->address);
}

/*
 * The app (re)started as the leader of this group: it is not ready until
 * it says so again. 0: it is gone; nothing it left behind counts.
 */
void
notify_app(struct check *c, pid_t group)
{
	struct notify	*n = c->data;

	n->group = group;
	n->ready = 0;
	n->stopping = 0;
	n->ignored = 0;
	free(n->status);
	n->status = NULL;
	ev_timer_stop(EV_DEFAULT, &n->watchdog_timer);
}

/* The app said STOPPING=1: its exit, not this check, says what is next. */
int
notify_stopping(struct check *c)
{
	struct notify	*n = c->data;

	return (n->stopping);
}

static const char *const notify_schemes[] = { NULL };

const struct check_type check_type_notify = {
	.name = "notify",
	.schemes = notify_schemes,
	.component = "component",
	.size = sizeof (struct notify),
	.prepare = notify_prepare,
	.start = NULL,		/* never probed: probe_push() */
	.cancel = notify_cancel,
	.free = notify_free
};
