/*
 * httpd-parse.c: reading one HTTP/1.x request head (RFC 9112) for the
 * endpoint: the request line, the header fields the endpoint cares about
 * (Connection, Content-Length, Transfer-Encoding, Host), the route. Bytes
 * come from anyone: every bound is checked, nothing is trusted.
 */

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "hinit.h"
#include "httpd.h"
#include "syntax.h"

/* Does a comma-separated header value hold this token? */
static int
httpd_has_token(const char *v, size_t len, const char *token)
{
	size_t	 tlen = strlen(token), i = 0, start;

	while (i < len) {
		while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		start = i;
		while (i < len && v[i] != ',' && v[i] != ' ' && v[i] != '\t')
			i++;
		if (i - start == tlen && strncasecmp(v + start, token,
		    tlen) == 0)
			return (1);
	}
	return (0);
}

static enum httpd_route
httpd_route(const char *target, size_t len)
{
	static const struct {
		const char		*path;
		enum httpd_route	 route;
	} routes[] = {
		{ "/health", HTTPD_READY },
		{ "/health/ready", HTTPD_READY },
		{ "/health/live", HTTPD_LIVE },
		{ "/metrics", HTTPD_METRICS }
	};
	const char	*p;
	size_t		 plen;
	u_int		 i;

	/* Absolute form: http://host/path. */
	if (len > 7 && strncasecmp(target, "http://", 7) == 0) {
		p = memchr(target + 7, '/', len - 7);
		if (p == NULL)
			return (HTTPD_NONE);
		len -= p - target;
		target = p;
	}
	for (plen = 0; plen < len; plen++) {
		if (target[plen] == '?' || target[plen] == '#')
			break;
	}
	for (i = 0; i < nitems(routes); i++) {
		if (strlen(routes[i].path) == plen &&
		    memcmp(routes[i].path, target, plen) == 0)
			return (routes[i].route);
	}
	return (HTTPD_NONE);
}

/* Check one header line; the line has no CR or LF. */
static int
httpd_header(struct httpd_request *r, const char *line, size_t len,
    long long *clen)
{
	const char	*v;
	size_t		 n, vlen;
	long long	 value;

	if ((n = syntax_header_name(line, len)) == 0)
		return (400);	/* also obs-fold and space before ':' */
	v = line + n + 1;
	vlen = len - n - 1;
	while (vlen > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;

	if (n == 10 && strncasecmp(line, "connection", 10) == 0) {
		if (httpd_has_token(v, vlen, "close"))
			r->keepalive = 0;
		else if (httpd_has_token(v, vlen, "keep-alive"))
			r->keepalive = 1;
	} else if (n == 14 && strncasecmp(line, "content-length", 14) == 0) {
		if (vlen == 0 || vlen > 18)
			return (vlen == 0 ? 400 : 413);
		for (value = 0; vlen > 0; v++, vlen--) {
			if (!isdigit((u_char)*v))
				return (400);
			value = value * 10 + (*v - '0');
		}
		if (*clen != -1 && *clen != value)
			return (400);
		*clen = value;
		if (value != 0)
			r->body = 1;
	} else if (n == 17 && strncasecmp(line, "transfer-encoding", 17) == 0)
		r->body = 1;
	else if (n == 4 && strncasecmp(line, "host", 4) == 0) {
		r->hosts++;
		/* host[:port] or [v6]:port (RFC 9112 3.2): no blanks. */
		for (; vlen > 0; v++, vlen--) {
			if (!isalnum((u_char)*v) &&
			    strchr("-._~%!$&'()*+,;=:[]", *v) == NULL)
				return (400);
		}
	}
	return (0);
}

/* Where the head ends (past its empty line; LF alone is taken for CRLF). */
static const char *
httpd_parse_end(const char *p, size_t len)
{
	const char	*eol;

	for (eol = memchr(p, '\n', len); eol != NULL;
	    eol = memchr(eol + 1, '\n', len - (eol + 1 - p))) {
		if (eol + 1 < p + len && eol[1] == '\n')
			return (eol + 2);
		if (eol + 2 < p + len && eol[1] == '\r' && eol[2] == '\n')
			return (eol + 3);
		if (eol + 1 - p > HTTPD_HEAD_MAX)
			break;
	}
	return (NULL);
}

/* METHOD SP TARGET SP HTTP/x.y: 0, or the status to answer. */
static int
httpd_parse_line(struct httpd_request *r, const char *line, size_t llen)
{
	const char	*sp1, *sp2;
	int		 minor;

	sp1 = memchr(line, ' ', llen);
	if (sp1 == NULL || sp1 == line)
		return (400);
	sp2 = memchr(sp1 + 1, ' ', llen - (sp1 + 1 - line));
	if (sp2 == NULL || sp2 == sp1 + 1)
		return (400);
	if (memchr(sp2 + 1, ' ', llen - (sp2 + 1 - line)) != NULL)
		return (400);
	if (!syntax_token(line, sp1 - line))
		return (400);
	if (line + llen - (sp2 + 1) != 8 || strncmp(sp2 + 1, "HTTP/", 5) != 0 ||
	    !isdigit((u_char)sp2[6]) || sp2[7] != '.' ||
	    !isdigit((u_char)sp2[8]))
		return (400);
	if (sp2[6] != '1')
		return (505);
	minor = sp2[8] - '0';
	if (sp1[1] != '/' && strncasecmp(sp1 + 1, "http://", 7) != 0)
		return (400);
	r->keepalive = (minor >= 1);
	r->http10 = (minor == 0);
	if (sp1 - line == 3 && memcmp(line, "GET", 3) == 0)
		r->method_ok = 1;
	else if (sp1 - line == 4 && memcmp(line, "HEAD", 4) == 0) {
		r->method_ok = 1;
		r->head = 1;
	}
	r->route = httpd_route(sp1 + 1, sp2 - (sp1 + 1));
	return (0);
}

/* The request line, then each header line; the head has no NUL. */
static int
httpd_parse_lines(struct httpd_request *r, const char *p, const char *end)
{
	const char	*line, *eol;
	size_t		 llen;
	long long	 clen = -1;
	int		 error;

	for (line = p; line < end; line = eol + 1) {
		eol = memchr(line, '\n', end - line);
		llen = eol - line;
		if (llen > 0 && line[llen - 1] == '\r')
			llen--;
		if (llen == 0)
			break;
		if (memchr(line, '\r', llen) != NULL)
			return (400);
		if (line == p)
			error = httpd_parse_line(r, line, llen);
		else
			error = httpd_header(r, line, llen, &clen);
		if (error != 0)
			return (error);
	}
	/* HTTP/1.1 needs one Host; none may have two (RFC 9112 3.2). */
	if (r->hosts > 1 || (!r->http10 && r->hosts == 0))
		return (400);
	return (0);
}

/*
 * Parse one request head from data. Returns 0 if more is needed, else 1
 * with r filled: r->used bytes make the request, r->error is the status
 * to answer when it is bad (the connection then closes).
 */
int
httpd_parse(const char *data, size_t len, struct httpd_request *r)
{
	const char	*p, *end;
	size_t		 skip = 0, hlen;

	memset(r, 0, sizeof *r);

	/* Empty lines before a request are ignored (RFC 9112 2.2). */
	while (skip < len && (data[skip] == '\r' || data[skip] == '\n'))
		skip++;
	p = data + skip;
	len -= skip;
	r->used = skip;
	if (len == 0) {
		/* Only blank lines, more than a head may hold: no request. */
		if (skip > HTTPD_HEAD_MAX) {
			r->error = 400;
			return (1);
		}
		return (0);
	}
	if ((end = httpd_parse_end(p, len)) == NULL) {
		/* Blank lines before count: the reader holds no more. */
		if (skip + len > HTTPD_HEAD_MAX) {
			r->error = 431;
			r->used += len;
			return (1);
		}
		return (0);
	}
	hlen = end - p;
	r->used += hlen;
	if (hlen > HTTPD_HEAD_MAX + 2)
		r->error = 431;
	else if (memchr(p, '\0', hlen) != NULL)
		r->error = 400;
	else
		r->error = httpd_parse_lines(r, p, end);
	return (1);
}
