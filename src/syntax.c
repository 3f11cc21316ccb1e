/*
 * syntax.c: the small grammars that more than one part of hinit reads, each
 * written once: ports, listen addresses (host:port), numeric hosts,
 * percent-escapes, HTTP tokens, the name of an HTTP header line and lists
 * of HTTP statuses. The config (listen, target URLs through url.c), the
 * check types (http's method, headers and expect_status, redis's socket
 * path and query) and the HTTP endpoint (its addresses, the request's
 * method and header names) call these and nothing of their own.
 *
 * ASCII only, without the locale's tables.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "hinit.h"
#include "syntax.h"

#define SYNTAX_DIGIT(c)	((c) >= '0' && (c) <= '9')
#define SYNTAX_ALPHA(c)	\
	(((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z'))

int
syntax_port(const char *s, size_t len, u_int *port)
{
	size_t	 i;
	u_int	 n = 0;

	for (i = 0; i < len; i++) {
		if (!SYNTAX_DIGIT(s[i]))
			return (-1);
		if (n <= 65535)
			n = n * 10 + (s[i] - '0');
	}
	if (len == 0 || n == 0 || n > 65535)
		return (-1);
	if (port != NULL)
		*port = n;
	return (0);
}

int
syntax_address(const char *s, size_t len, char **host, u_int *port)
{
	const char	*end = s + len, *close, *colon, *p;
	char		*h = NULL;
	u_int		 n;

	if (len != 0 && *s == '[') {
		if ((close = memchr(s, ']', len)) == NULL ||
		    close + 1 == end || close[1] != ':')
			return (-1);
		colon = close + 1;
		h = xstrndup(s + 1, close - s - 1);
	} else {
		colon = NULL;
		for (p = s; p < end; p++) {
			if (*p != ':')
				continue;
			if (colon != NULL)
				return (-1);	/* IPv6 without brackets */
			colon = p;
		}
		if (colon != NULL && colon != s &&
		    !(colon == s + 1 && *s == '*'))
			h = xstrndup(s, colon - s);
	}
	p = colon != NULL ? colon + 1 : s;
	if (syntax_port(p, end - p, &n) != 0) {
		free(h);
		return (-1);
	}
	if (port != NULL)
		*port = n;
	if (host != NULL)
		*host = h;
	else
		free(h);
	return (0);
}

static int
syntax_hex(int c)
{
	if (SYNTAX_DIGIT(c))
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

int
syntax_decode(const char *s, size_t len, int flags, char **out)
{
	char	*d, *p;
	size_t	 i;
	int	 hi, lo;

	p = d = xmalloc(len + 1);
	for (i = 0; i < len; i++) {
		if (s[i] != '%') {
			*p++ = s[i];
			continue;
		}
		hi = lo = -1;
		if (i + 2 < len) {
			hi = syntax_hex((u_char)s[i + 1]);
			lo = syntax_hex((u_char)s[i + 2]);
		}
		if (hi == -1 || lo == -1 || (hi == 0 && lo == 0)) {
			if (flags & SYNTAX_LENIENT) {
				*p++ = s[i];
				continue;
			}
			free(d);
			return (-1);
		}
		*p++ = (char)(hi * 16 + lo);
		i += 2;
	}
	*p = '\0';
	*out = d;
	return (0);
}

static int
syntax_tchar(int c)
{
	return (SYNTAX_DIGIT(c) || SYNTAX_ALPHA(c) ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL));
}

int
syntax_token(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (!syntax_tchar((u_char)s[i]))
			return (0);
	}
	return (len != 0);
}

size_t
syntax_header_name(const char *line, size_t len)
{
	size_t	 n;

	for (n = 0; n < len && syntax_tchar((u_char)line[n]); n++)
		/* nothing */;
	if (n == 0 || n == len || line[n] != ':')
		return (0);
	return (n);
}

int
syntax_host_numeric(const char *host)
{
	struct in6_addr	 in6;
	struct in_addr	 in;

	if (*host == '[')
		return (1);	/* a URL's brackets hold only an address */
	return (inet_pton(AF_INET, host, &in) == 1 ||
	    inet_pton(AF_INET6, host, &in6) == 1);
}

/* Digits at *pp, as a number (at most 1000: more is no status). */
static int
syntax_status(const char **pp, long *n)
{
	const char	*p = *pp;

	if (!SYNTAX_DIGIT(*p))
		return (-1);
	for (*n = 0; SYNTAX_DIGIT(*p); p++) {
		if (*n < 1000)
			*n = *n * 10 + (*p - '0');
	}
	*pp = p + strspn(p, " \t");
	return (0);
}

int
syntax_statuses(const char *value, struct syntax_range **ranges,
    u_int *nranges, char **cause)
{
	struct syntax_range	*r = NULL;
	const char		*p = value;
	u_int			 n = 0;
	long			 lo, hi;

	for (;;) {
		p += strspn(p, " \t");
		if (syntax_status(&p, &lo) != 0)
			goto bad;
		hi = lo;
		if (*p == '-') {
			p += 1 + strspn(p + 1, " \t");
			if (syntax_status(&p, &hi) != 0)
				goto bad;
		}
		if (lo < 100 || hi > 599 || lo > hi) {
			xasprintf(cause, "bad status range in '%s' (statuses "
			    "are 100 to 599, low-high)", value);
			free(r);
			return (-1);
		}
		r = xreallocarray(r, n + 1, sizeof *r);
		r[n].lo = lo;
		r[n].hi = hi;
		n++;
		if (*p == '\0')
			break;
		if (*p++ != ',')
			goto bad;
	}
	*ranges = r;
	*nranges = n;
	return (0);

bad:
	xasprintf(cause, "bad status list '%s' (e.g. 200-399, 404)", value);
	free(r);
	return (-1);
}

int
syntax_status_in(const struct syntax_range *r, u_int n, long status)
{
	u_int	 i;

	for (i = 0; i < n; i++) {
		if (status >= r[i].lo && status <= r[i].hi)
			return (1);
	}
	return (0);
}

char *
syntax_statuses_text(const struct syntax_range *r, u_int n)
{
	struct buf	 b;
	u_int		 i;

	buf_init(&b);
	for (i = 0; i < n; i++) {
		if (i != 0)
			buf_puts(&b, ", ");
		if (r[i].lo == r[i].hi)
			buf_printf(&b, "%d", r[i].lo);
		else
			buf_printf(&b, "%d-%d", r[i].lo, r[i].hi);
	}
	return (buf_steal(&b));
}
