/*
 * url.c: target URLs: splitting one into its parts, the same way for every
 * check type, and masking passwords for output.
 *
 *	scheme://[user[:password]@]host[:port][/path][?query][#fragment]
 *
 * The scheme is lower-cased, user, password and host are percent-decoded,
 * an IPv6 host is written in brackets ("[::1]:5432") and kept without
 * them, the port is digits only (1 to 65535), path and query are kept as
 * written and the fragment is dropped. What each scheme needs beyond that
 * (a host, a port, a socket path) is its check type's to say, in its
 * prepare(); which schemes exist is the registry's. One rule is the
 * scheme's and is kept here all the same: a postgres URL refuses a '?' or
 * a '#' before its '@', which libpq and every other reader split apart.
 *
 * Causes never quote the user name or the password.
 */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hinit.h"
#include "syntax.h"

/* Length of the scheme before "://", or 0 if s does not start with one. */
static size_t
url_scheme_length(const char *s)
{
	size_t	 n;

	if (!isalpha((u_char)s[0]))
		return (0);
	for (n = 1; isalnum((u_char)s[n]) || strchr("+-.", s[n]) != NULL; n++)
		if (s[n] == '\0')
			return (0);
	if (strncmp(s + n, "://", 3) != 0)
		return (0);
	return (n);
}

static int
url_host_char(int c)
{
	return (isalnum(c) || c == '.' || c == '-' || c == '_' || c == '~' ||
	    c == '%');
}

/*
 * user:password@ in [auth, end); *host: where the host starts. libpq and
 * libcurl both end the user info at the first '@' (and then take the rest
 * for the host); an '@' inside a user name or password must be written
 * %40, or each would read a different URL. The cause shows no part of it.
 */
static int
url_parse_userinfo(struct url *u, const char *auth, const char *end,
    const char **host, char **cause)
{
	const char	*at, *colon;

	at = memchr(auth, '@', end - auth);
	if (at != NULL && memchr(at + 1, '@', end - at - 1) != NULL) {
		*cause = xstrdup("more than one '@' before the host (write an "
		    "'@' in a user name or password as %40)");
		return (-1);
	}
	/*
	 * libpq looks for that '@' up to the first '/' alone, past a '?' or
	 * a '#': "u:12?x@db/app" is password "12?x" at db to it, port 12 of
	 * host "u" to any other reader, and the password would be shown.
	 */
	if (at == NULL && strncmp(u->scheme, "postgres", 8) == 0 &&
	    memchr(end, '@', strcspn(end, "/")) != NULL) {
		*cause = xstrdup("'?' or '#' before the '@' (write them in a "
		    "user name or password as %3F and %23)");
		return (-1);
	}
	if (at == NULL) {
		*host = auth;
		return (0);
	}
	if ((colon = memchr(auth, ':', at - auth)) == NULL)
		colon = at;
	if (syntax_decode(auth, colon - auth, 0, &u->user) != 0 ||
	    (colon != at && syntax_decode(colon + 1, at - colon - 1, 0,
	    &u->password) != 0)) {
		*cause = xstrdup("bad percent-encoding in the user name or "
		    "password");
		return (-1);
	}
	*host = at + 1;
	return (0);
}

/* The host in [host, end): "[v6]" or a name; *port: where ":port" starts. */
static int
url_parse_host(struct url *u, const char *host, const char *end,
    const char **port, char **cause)
{
	const char	*hend, *p;

	if (*host == '[') {
		if ((hend = memchr(host, ']', end - host)) == NULL) {
			*cause = xstrdup("IPv6 address without a closing ']'");
			return (-1);
		}
		for (p = host + 1; p < hend; p++) {
			if (!isxdigit((u_char)*p) && *p != ':' && *p != '.')
				break;
		}
		if (p != hend || hend == host + 1) {
			xasprintf(cause, "bad IPv6 address '%.*s'",
			    (int)(hend - host + 1), host);
			return (-1);
		}
		u->host = xstrndup(host + 1, hend - host - 1);
		*port = hend + 1;
		if (*port != end && **port != ':') {
			xasprintf(cause, "unexpected '%.*s' after the IPv6 "
			    "address", (int)(end - *port), *port);
			return (-1);
		}
		return (0);
	}
	hend = host + strcspn(host, ":");
	if (hend > end)
		hend = end;
	for (p = host; p < hend; p++) {
		if (!url_host_char((u_char)*p))
			break;
	}
	if (p != hend) {
		if (*p == ',')
			*cause = xstrdup("more than one host is not supported");
		else
			xasprintf(cause, "bad character '%c' in the host", *p);
		return (-1);
	}
	if (syntax_decode(host, hend - host, 0, &u->host) != 0) {
		*cause = xstrdup("bad percent-encoding in the host");
		return (-1);
	}
	*port = hend;
	return (0);
}

/* ":port" in [port, end); userinfo: an '@' came before the host. */
static int
url_parse_port(struct url *u, const char *port, const char *end,
    int userinfo, char **cause)
{
	if (port == end)
		return (0);
	port++;		/* the ':' */
	if (port == end) {
		*cause = xstrdup("missing port after ':'");
		return (-1);
	}
	if (syntax_port(port, end - port, &u->portnum) == 0) {
		u->port = xstrndup(port, end - port);
		return (0);
	}
	/*
	 * Without an '@', "user:pass/word@host" reads as host "user", port
	 * "pass": quote only what cannot be a password.
	 */
	if (memchr(port, ':', end - port) != NULL)
		*cause = xstrdup("an IPv6 address must be written in brackets: "
		    "[::1]:5432");
	else if (!userinfo && (end - port > 5 ||
	    strspn(port, "0123456789") < (size_t)(end - port)))
		*cause = xstrdup("bad port (use 1 to 65535; in a password, "
		    "write '/' '?' '#' '@' as %2F %3F %23 %40)");
	else
		xasprintf(cause, "bad port '%.*s' (use 1 to 65535)",
		    (int)(end - port), port);
	return (-1);
}

int
url_parse(const char *s, struct url *u, char **cause)
{
	const char	*auth, *end, *host, *port, *p;
	size_t		 n, i;

	memset(u, 0, sizeof *u);
	for (p = s; *p != '\0'; p++) {
		if ((u_char)*p <= ' ' || *p == 0x7f) {
			*cause = xstrdup("URL contains a space or a control "
			    "character");
			return (-1);
		}
	}
	if ((n = url_scheme_length(s)) == 0) {
		*cause = xstrdup("not a URL (expected SCHEME://HOST...)");
		return (-1);
	}
	u->scheme = xstrndup(s, n);
	for (i = 0; i < n; i++)
		u->scheme[i] = tolower((u_char)u->scheme[i]);

	auth = s + n + 3;
	end = auth + strcspn(auth, "/?#");
	if (url_parse_userinfo(u, auth, end, &host, cause) != 0 ||
	    url_parse_host(u, host, end, &port, cause) != 0 ||
	    url_parse_port(u, port, end, host != auth, cause) != 0)
		goto fail;

	/* /path?query#fragment */
	p = end;
	n = strcspn(p, "?#");
	u->path = xstrndup(p, n);
	p += n;
	if (*p == '?') {
		n = strcspn(p + 1, "#");
		u->query = xstrndup(p + 1, n);
	}
	return (0);

fail:
	url_free(u);
	return (-1);
}

void
url_free(struct url *u)
{
	if (u == NULL)
		return;
	free(u->scheme);
	free(u->user);
	if (u->password != NULL)
		explicit_bzero(u->password, strlen(u->password));
	free(u->password);
	free(u->host);
	free(u->port);
	free(u->path);
	free(u->query);
	memset(u, 0, sizeof *u);
}

/*
 * The length of "password=" (or libpq's "sslpassword=", a key's
 * passphrase) at the start of a parameter of len bytes; 0 if not one.
 */
static size_t
url_password_param(const char *p, size_t len)
{
	static const char *const names[] = { "password=", "sslpassword=" };
	size_t			 n;
	u_int			 i;

	for (i = 0; i < nitems(names); i++) {
		n = strlen(names[i]);
		if (len >= n && strncasecmp(p, names[i], n) == 0)
			return (n);
	}
	return (0);
}

/* The URL's passwords, in its user info and password= parameters. */
void
url_add_secrets(const struct url *u)
{
	const char	*p, *amp;
	char		*value;
	size_t		 n;

	if (u->password != NULL)
		secret_add(u->password);
	for (p = u->query; p != NULL && *p != '\0'; p = amp + (*amp != '\0')) {
		amp = p + strcspn(p, "&");
		if ((n = url_password_param(p, amp - p)) != 0 &&
		    (size_t)(amp - p) > n) {
			value = xstrndup(p + n, amp - p - n);
			secret_add(value);
			free(value);
		}
	}
}

/* Replace the values of password= parameters in a query. */
static void
url_mask_query(struct buf *b, const char *q, size_t len)
{
	const char	*p = q, *end = q + len, *amp;
	size_t		 n;

	while (p < end) {
		if ((amp = memchr(p, '&', end - p)) == NULL)
			amp = end;
		if ((n = url_password_param(p, amp - p)) != 0) {
			buf_add(b, p, n);
			buf_puts(b, "***");
		} else
			buf_add(b, p, amp - p);
		if (amp != end)
			buf_putc(b, '&');
		p = amp + 1;
	}
}

/*
 * Text that is no URL (a mistyped one: "postgres:/app:pw@host"): what may
 * be user info, from the first ':' after the last '/' before the last '@'
 * to that '@', is masked (all of it without a ':'), and password= after a
 * '?'. Masking too much is better than too little here.
 */
static char *
url_mask_text(const char *s)
{
	struct buf	 b;
	const char	*at, *begin, *colon, *p, *q;

	buf_init(&b);
	buf_add(&b, "", 0);
	q = strchr(s, '?');
	at = NULL;
	for (p = s; *p != '\0' && (q == NULL || p < q); p++) {
		if (*p == '@')
			at = p;
	}
	p = s;
	if (at != NULL) {
		for (begin = at; begin > s && begin[-1] != '/'; begin--)
			/* nothing */;
		if ((colon = memchr(begin, ':', at - begin)) != NULL)
			begin = colon + 1;
		buf_add(&b, s, begin - s);
		buf_puts(&b, "***");
		p = at;
	}
	if (q != NULL) {
		buf_add(&b, p, q + 1 - p);
		url_mask_query(&b, q + 1, strlen(q + 1));
	} else
		buf_puts(&b, p);
	return (buf_steal(&b));
}

/*
 * Works on the text alone (no url_parse), so that a target that does not
 * parse, or still holds ${VAR}, is masked all the same. An exec: command
 * is no URL and is shown as written.
 */
char *
url_mask(const char *s)
{
	struct buf	 b;
	const char	*auth, *end, *at, *colon, *p, *q;
	size_t		 n;

	if (strncasecmp(s, "exec:", 5) == 0)
		return (xstrdup(s));
	if ((n = url_scheme_length(s)) == 0)
		return (url_mask_text(s));
	buf_init(&b);
	auth = s + n + 3;
	end = auth + strcspn(auth, "/?#");
	at = NULL;
	for (p = auth; p < end; p++) {
		if (*p == '@')
			at = p;
	}
	if (at != NULL && (colon = memchr(auth, ':', at - auth)) != NULL) {
		buf_add(&b, s, colon + 1 - s);
		buf_puts(&b, "***");
		p = at;
	} else
		p = s;
	/* Copy up to the query, mask it, copy the fragment. */
	if ((q = strchr(end, '?')) != NULL && q < end + strcspn(end, "#")) {
		buf_add(&b, p, q + 1 - p);
		n = strcspn(q + 1, "#");
		url_mask_query(&b, q + 1, n);
		buf_puts(&b, q + 1 + n);
	} else
		buf_puts(&b, p);
	return (buf_steal(&b));
}

/*
 * Hide in place what url_mask() masks, in a string of hinit's own command
 * line (/proc/PID/cmdline, which ps shows to every user), as mysql and
 * PostgreSQL's clients do; once its value has been copied. The length
 * stays: what the mask saves becomes NUL bytes (all is hidden when the
 * mask is the longer).
 */
void
url_hide(char *s)
{
	char	*m;
	size_t	 len = strlen(s), n;

	m = url_mask(s);
	if ((n = strlen(m)) > len)
		memset(s, '*', len);	/* a password shorter than "***" */
	else if (strcmp(m, s) != 0) {
		memcpy(s, m, n);
		memset(s + n, '\0', len - n);
	}
	free(m);
}
