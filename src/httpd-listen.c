/*
 * httpd-listen.c: where the endpoint listens: the listen addresses
 * ("ADDR:PORT", "[V6]:PORT", ":PORT", "PORT", several), resolved and bound
 * at start-up, the wildcard on IPv6 and IPv4 alike; and how many
 * connections the descriptors allow once hinit keeps what its checks need.
 */

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hinit.h"
#include "httpd.h"
#include "syntax.h"

#define HTTPD_FDS_PER_CHECK	4	/* at most, an attempt under way */
#define HTTPD_FDS_SPARE		16	/* tasks, the app, the status file */
#define HTTPD_BACKLOG		128

/* Split "ADDR:PORT", "[V6]:PORT", ":PORT" or "PORT"; host NULL: any. */
static int
httpd_listen_split(const char *s, char **host, char **port, char **cause)
{
	u_int	 n;

	if (syntax_address(s, strlen(s), host, &n) != 0) {
		xasprintf(cause, "use ADDR:PORT, [ADDR]:PORT or :PORT, port 1 "
		    "to 65535");
		return (-1);
	}
	xasprintf(port, "%u", n);
	return (0);
}

/* A listening socket on one address, added to fds. */
static int
httpd_listen_bind(struct addrinfo *ai, int v6only, int *fds, u_int *nfds,
    char **cause)
{
	int	 fd, one = 1, saved;

	if (*nfds == HTTPD_LISTEN_MAX) {
		xasprintf(cause, "too many addresses");
		return (-1);
	}
	fd = socket(ai->ai_family, ai->ai_socktype|SOCK_NONBLOCK|SOCK_CLOEXEC,
	    ai->ai_protocol);
	if (fd == -1)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (ai->ai_family == AF_INET6 && v6only)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
	    listen(fd, HTTPD_BACKLOG) != 0) {
		close(fd);
		goto fail;
	}
	fds[(*nfds)++] = fd;
	return (0);

fail:
	saved = errno;
	xasprintf(cause, "%s", strerror(errno));
	errno = saved;
	return (-1);
}

/* Resolve one address of listen; *any: the wildcard address. */
static int
httpd_listen_resolve(const char *word, struct addrinfo **ai, int *any, char **cause)
{
	struct addrinfo	 hints;
	char		*host, *port;
	int		 error;

	if (httpd_listen_split(word, &host, &port, cause) != 0)
		return (-1);
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE|AI_NUMERICSERV;
	*any = (host == NULL);
	/* Any address: IPv6 that takes IPv4 too, else IPv4. */
	error = getaddrinfo(host != NULL ? host : "::", port, &hints, ai);
	if (error != 0 && host == NULL)
		error = getaddrinfo("0.0.0.0", port, &hints, ai);
	free(host);
	free(port);
	if (error != 0) {
		xasprintf(cause, "%s", gai_strerror(error));
		return (-1);
	}
	return (0);
}

/* Bind one address; the wildcard, where the kernel has no IPv6: IPv4. */
static int
httpd_listen_bind_any(struct addrinfo *ai, int v6only, int any, int *fds,
    u_int *nfds, char **cause)
{
	struct sockaddr_in	 sin;
	struct addrinfo		 v4;

	if (httpd_listen_bind(ai, v6only, fds, nfds, cause) == 0)
		return (0);
	if (!any || ai->ai_family != AF_INET6 ||
	    (errno != EAFNOSUPPORT && errno != EADDRNOTAVAIL))
		return (-1);
	v4 = *ai;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = ((struct sockaddr_in6 *)ai->ai_addr)->sin6_port;
	v4.ai_family = AF_INET;
	v4.ai_addr = (struct sockaddr *)&sin;
	v4.ai_addrlen = sizeof sin;
	free(*cause);
	*cause = NULL;
	return (httpd_listen_bind(&v4, 0, fds, nfds, cause));
}

/*
 * Listening sockets (at most HTTPD_LISTEN_MAX) on each address of
 * listen_on, separated by commas or spaces, resolved at start-up. The
 * caller names the whole string; a failure names the address too, if
 * there are more, and leaves no socket open.
 */
int
httpd_listen_open(const char *listen_on, int *fds, u_int *nfds, char **cause)
{
	struct addrinfo	*ais[HTTPD_LISTEN_MAX], *ai;
	char		*copy, *word, *next, *words[HTTPD_LISTEN_MAX];
	char		*why = NULL, *at = NULL;
	u_int		 n = 0, i, total = 0;
	int		 any[HTTPD_LISTEN_MAX], rc = -1;

	*nfds = 0;
	copy = xstrdup(listen_on);
	for (word = copy; word != NULL; word = next) {
		word += strspn(word, ", \t");
		if (*word == '\0')
			break;
		next = word + strcspn(word, ", \t");
		if (*next != '\0')
			*next++ = '\0';
		else
			next = NULL;
		if (n == HTTPD_LISTEN_MAX) {
			xasprintf(&why, "too many addresses");
			goto out;
		}
		at = word;
		if (httpd_listen_resolve(word, &ais[n], &any[n], &why) != 0)
			goto out;
		words[n++] = word;
		for (ai = ais[n - 1]; ai != NULL; ai = ai->ai_next)
			total++;
	}
	if (n == 0) {
		xasprintf(&why, "no address");
		goto out;
	}
	for (i = 0; i < n; i++) {
		at = words[i];
		for (ai = ais[i]; ai != NULL; ai = ai->ai_next) {
			if (httpd_listen_bind_any(ai, total > 1, any[i], fds,
			    nfds, &why) != 0)
				goto out;
		}
	}
	rc = 0;
out:
	for (i = 0; i < n; i++)
		freeaddrinfo(ais[i]);
	for (i = 0; rc != 0 && i < *nfds; i++)
		close(fds[i]);
	if (rc != 0 && at != NULL && strcmp(at, listen_on) != 0)
		xasprintf(cause, "%s: %s", at, why);
	else if (rc != 0)
		*cause = xstrdup(why);
	free(why);
	free(copy);
	return (rc);
}

/* Descriptors open now (a guess if /proc cannot say). */
static u_int
httpd_listen_fds(void)
{
	DIR		*dir;
	struct dirent	*de;
	u_int		 n = 0;

	if ((dir = opendir("/proc/self/fd")) == NULL)
		return (64);
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] != '.')
			n++;
	}
	closedir(dir);
	return (n - 1);		/* the directory's own */
}

/*
 * The connections of at most max the descriptors allow (asked: as the
 * config said; checks: how many). Connections may take only the descriptors the rest of hinit does not
 * need (RLIMIT_NOFILE less those open now, a few per check for an attempt
 * under way, some for tasks, the app and the status file): else a flood
 * of clients would make every check fail with EMFILE, and on_unhealthy
 * restart a healthy app.
 */
u_int
httpd_listen_limit(u_int max, u_int asked, u_int checks)
{
	struct rlimit	 rl;
	uint64_t	 need, left;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return (max);
	need = (uint64_t)httpd_listen_fds() + HTTPD_FDS_SPARE +
	    (uint64_t)checks * HTTPD_FDS_PER_CHECK;
	left = rl.rlim_cur > need ? rl.rlim_cur - need : 0;
	if (left >= max)
		return (max);
	if (left == 0)
		left = 1;
	log_warnx("max_connections %u is more than the descriptors allow "
	    "(nofile %llu, %llu kept for checks, tasks and the status file): "
	    "serving at most %llu connections", asked != 0 ? asked : max,
	    (unsigned long long)rl.rlim_cur, (unsigned long long)need,
	    (unsigned long long)left);
	return (left);
}
