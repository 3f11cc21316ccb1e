/*
 * http.c: the http and https check type: one libcurl transfer per attempt,
 * on the multi handle of its list of checks (checks/http-multi.c drives
 * it on the default libev loop: curl never blocks ours), with a fresh
 * connection, no proxy from the environment and at most HTTP_BODY_MAX
 * bytes read. The
 * URL's host name is looked up by hinit's resolver (src/resolve.c), whose
 * threads are bounded, and handed to libcurl with CURLOPT_RESOLVE: left to
 * itself, libcurl starts a thread a lookup and leaves it running when the
 * attempt is abandoned, so a DNS server that never answers piles them up.
 * The host of a redirect is no different: libcurl is refused that lookup
 * (CURLOPT_RESOLVER_START_FUNCTION), hinit's resolver makes it, and the
 * transfer begins again with both hosts' addresses. libcurl keeps such an
 * address in the multi handle for good: the next attempt removes it, so
 * that each attempt looks the redirect's host up afresh.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "hinit.h"
#include "check.h"
#include "http-multi.h"

#define HTTP_BODY_MAX		(64 * 1024)	/* bytes read, SPEC §3 */
#define HTTP_REDIRECTS_MAX	5
#define HTTP_PROTOCOLS		"http,https"
#define HTTP_BACKSTOP		1000	/* ms past the engine's own timeout */

/* One check: what configure() made and the attempt under way. */
struct http {
	struct check		*c;
	struct http_multi	*m;

	struct curl_slist	*headers;
	char			*expected;	/* expect_status, as text */
	char			*host;		/* a name to look up, or NULL */
	char			*port;

	struct resolve		*resolve;	/* the host's lookup */
	struct curl_slist	*resolved;	/* CURLOPT_RESOLVE: the answers */
	char			*hop_host;	/* a redirect's, to look up */
	char			*hop_port;
	u_int			 hops;		/* transfers begun again */
	struct curl_slist	*hopped;	/* "HOST:PORT" to forget next */
	CURL			*easy;		/* NULL: no attempt */
	struct buf		 body;		/* kept only for expect_body */
	size_t			 bodylen;	/* bytes read */
	int			 truncated;	/* stopped at HTTP_BODY_MAX */
	char			 error[CURL_ERROR_SIZE];
};

static const struct status_range http_default_status = { 200, 399 };

static const struct status_range *
http_ranges(const struct check *c, u_int *n)
{
	if (c->expect_status == NULL || c->nexpect_status == 0) {
		*n = 1;
		return (&http_default_status);
	}
	*n = c->nexpect_status;
	return (c->expect_status);
}

static int
http_status_expected(const struct check *c, long status)
{
	const struct status_range	*r;
	u_int				 i, n;

	r = http_ranges(c, &n);
	for (i = 0; i < n; i++) {
		if (status >= r[i].lo && status <= r[i].hi)
			return (1);
	}
	return (0);
}

/* The transfer only; the lookups' answers stay. */
static void
http_transfer_stop(struct http *h)
{
	if (h->easy != NULL) {
		curl_multi_remove_handle(h->m->multi, h->easy);
		curl_easy_cleanup(h->easy);
		h->easy = NULL;
	}
	buf_free(&h->body);
	h->bodylen = 0;
	h->truncated = 0;
	h->error[0] = '\0';
}

/* Tear the attempt down, at once; idempotent. Never from a curl callback. */
static void
http_stop(struct http *h)
{
	resolve_cancel(h->resolve);
	h->resolve = NULL;
	http_transfer_stop(h);
	curl_slist_free_all(h->resolved);
	h->resolved = NULL;
	free(h->hop_host);
	h->hop_host = NULL;
	free(h->hop_port);
	h->hop_port = NULL;
	h->hops = 0;
}

/* What a failed transfer says: curl's own words, errno where it has one. */
static char *
http_error(struct http *h, CURLcode code)
{
	CURLU	*u;
	char	*out = NULL, *url = NULL, *host = NULL, *port = NULL;
	long	 oserr = 0;

	if (code == CURLE_COULDNT_CONNECT &&
	    curl_easy_getinfo(h->easy, CURLINFO_OS_ERRNO, &oserr) == CURLE_OK &&
	    oserr != 0 &&
	    curl_easy_getinfo(h->easy, CURLINFO_EFFECTIVE_URL, &url) ==
	    CURLE_OK && url != NULL && (u = curl_url()) != NULL) {
		if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
		    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
		    curl_url_get(u, CURLUPART_PORT, &port,
		    CURLU_DEFAULT_PORT) == CURLUE_OK) {
			xasprintf(&out, "Failed to connect to %s port %s: %s",
			    host, port, strerror(oserr));
		}
		curl_free(host);
		curl_free(port);
		curl_url_cleanup(u);
		if (out != NULL)
			return (out);
	}
	if (h->error[0] != '\0')
		return (xstrdup(h->error));
	return (xstrdup(curl_easy_strerror(code)));
}

static void	http_resolved(struct addrinfo *, const char *, void *);

/* The transfer has ended: judge it, tear it down, then report. */
static void
http_finish(struct http *h, CURLcode code)
{
	struct check		*c = h->c;
	enum check_result	 result;
	char			*out;
	long			 status = 0;

	/* A redirect to a host libcurl was refused: look it up, go again. */
	if (code != CURLE_OK && h->hop_host != NULL &&
	    h->hops++ < HTTP_REDIRECTS_MAX) {
		http_transfer_stop(h);
		h->resolve = resolve_start(h->hop_host, h->hop_port,
		    SOCK_STREAM, http_resolved, h);
		return;
	}
	if (code == CURLE_WRITE_ERROR && h->truncated)
		code = CURLE_OK;	/* we stopped reading, not the server */
	if (code != CURLE_OK) {
		result = CHECK_FAIL;
		if (code == CURLE_OPERATION_TIMEDOUT)
			result = CHECK_TIMEOUT;
		out = http_error(h, code);
	} else {
		curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &status);
		result = CHECK_FAIL;
		if (!http_status_expected(c, status)) {
			xasprintf(&out, "HTTP %ld (expected %s)", status,
			    h->expected);
		} else if (c->expect_body != NULL && (h->body.data == NULL ||
		    memmem(h->body.data, h->body.len, c->expect_body,
		    strlen(c->expect_body)) == NULL)) {
			xasprintf(&out, "HTTP %ld: body does not contain \"%s\"",
			    status, c->expect_body);
		} else {
			result = CHECK_PASS;
			xasprintf(&out, "HTTP %ld", status);
		}
	}
	http_stop(h);
	check_done(c, result, "%s", out);
	free(out);
}

/* A transfer on the multi handle has ended. */
static void
http_done(CURL *easy, CURLcode code)
{
	struct http	*h;

	if (curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&h) !=
	    CURLE_OK || h == NULL)
		fatalx("http: transfer of unknown check");
	http_finish(h, code);
}

/* The multi handle of another http check of c's list, if one has it. */
static struct http_multi *
http_multi_find(struct check *c)
{
	struct check	*o;
	struct http	*h;

	if (c->entry.tqe_prev == NULL)
		return (NULL);		/* in no list */
	for (o = TAILQ_PREV(c, check_list, entry); o != NULL;
	    o = TAILQ_PREV(o, check_list, entry)) {
		if (o->type == c->type && (h = o->data) != NULL)
			return (h->m);
	}
	for (o = TAILQ_NEXT(c, entry); o != NULL; o = TAILQ_NEXT(o, entry)) {
		if (o->type == c->type && (h = o->data) != NULL)
			return (h->m);
	}
	return (NULL);
}

/* The multi handle for c: its list's, or a new one. */
static struct http_multi *
http_multi_hold(struct check *c, char **cause)
{
	struct http_multi	*m;

	if ((m = http_multi_find(c)) == NULL)
		return (http_multi_new(http_done, cause));
	m->references++;
	return (m);
}

/* Keep the start of the body, then stop reading: SPEC §3. */
static size_t
http_write(char *ptr, size_t size, size_t n, void *arg)
{
	struct http	*h = arg;
	size_t		 len = size * n, room = HTTP_BODY_MAX - h->bodylen;

	if (len > room) {
		h->truncated = 1;
		len = room;
	}
	if (h->c->expect_body != NULL)
		buf_add(&h->body, ptr, len);
	h->bodylen += len;
	return (h->truncated ? 0 : len);
}

static int	http_host_numeric(const char *);

#if LIBCURL_VERSION_NUM >= 0x073b00
/*
 * CURLOPT_RESOLVER_START_FUNCTION: libcurl would look a name up itself, in
 * a thread that outlives an abandoned attempt: the host of a redirect
 * (the URL's own is in CURLOPT_RESOLVE). Refused; http_finish() has hinit's
 * resolver look it up and begins the transfer again. A numeric host takes
 * no lookup and no thread: let through.
 */
static int
http_resolver_start(void *resolver, void *reserved, void *arg)
{
	struct http	*h = arg;
	CURLU		*u;
	char		*url = NULL, *host = NULL, *port = NULL;
	int		 refuse = 1;

	if (curl_easy_getinfo(h->easy, CURLINFO_EFFECTIVE_URL, &url) !=
	    CURLE_OK || url == NULL || (u = curl_url()) == NULL)
		return (1);
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) ==
	    CURLUE_OK) {
		if (http_host_numeric(host))
			refuse = 0;
		else {
			free(h->hop_host);
			h->hop_host = xstrdup(host);
			free(h->hop_port);
			h->hop_port = xstrdup(port);
		}
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return (refuse);
}
#endif

static int
http_setup(struct http *h, char **cause)
{
	struct check	*c = h->c;
	CURL		*e = h->easy;
	CURLcode	 code;

	/* The options that can fail (and matter); the rest cannot. */
	if ((code = curl_easy_setopt(e, CURLOPT_URL, c->target)) != CURLE_OK)
		goto fail;
#if LIBCURL_VERSION_NUM >= 0x075500
	if ((code = curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR,
	    HTTP_PROTOCOLS)) != CURLE_OK)
		goto fail;
	if ((code = curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR,
	    HTTP_PROTOCOLS)) != CURLE_OK)
		goto fail;
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, CURLPROTO_HTTP|CURLPROTO_HTTPS);
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS,
	    CURLPROTO_HTTP|CURLPROTO_HTTPS);
#endif
	if ((code = curl_easy_setopt(e, CURLOPT_PROXY, "")) != CURLE_OK)
		goto fail;
	if ((code = curl_easy_setopt(e, CURLOPT_NOPROXY, "*")) != CURLE_OK)
		goto fail;

	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075700
	/* Do not wait for a resolver thread when an attempt is abandoned. */
	curl_easy_setopt(e, CURLOPT_QUICK_EXIT, 1L);
#endif
	curl_easy_setopt(e, CURLOPT_PRIVATE, h);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, h->error);
	curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(e, CURLOPT_DNS_CACHE_TIMEOUT, 0L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "hinit/" HINIT_VERSION);
	/* One request a connection: HTTP/2's session would only cost. */
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h->headers);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, http_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, h);
	if (c->timeout != 0) {
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
		    (long)(c->timeout + HTTP_BACKSTOP));
	}

	if (c->method == NULL || strcmp(c->method, "GET") == 0)
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	else if (strcmp(c->method, "HEAD") == 0)
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	else if (strcmp(c->method, "POST") == 0) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, 0L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
	} else
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, c->method);

	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, c->tls_verify ? 1L : 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, c->tls_verify ? 2L : 0L);
	if (c->follow_redirects) {
		curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)HTTP_REDIRECTS_MAX);
#if LIBCURL_VERSION_NUM >= 0x073b00
		curl_easy_setopt(e, CURLOPT_RESOLVER_START_FUNCTION,
		    http_resolver_start);
		curl_easy_setopt(e, CURLOPT_RESOLVER_START_DATA, h);
#endif
	}
	return (0);

fail:
	xasprintf(cause, "%s", curl_easy_strerror(code));
	return (-1);
}

/* The transfer itself, once the host's addresses are known. */
static int
http_begin(struct http *h, char **cause)
{
	CURLMcode	 mcode;

	if ((h->easy = curl_easy_init()) == NULL) {
		*cause = xstrdup("libcurl could not start a transfer");
		return (-1);
	}
	if (http_setup(h, cause) != 0) {
		http_stop(h);
		return (-1);
	}
	if (h->resolved != NULL)
		curl_easy_setopt(h->easy, CURLOPT_RESOLVE, h->resolved);
	/* This only arms the timer: the transfer runs from the loop. */
	mcode = curl_multi_add_handle(h->m->multi, h->easy);
	if (mcode != CURLM_OK) {
		http_stop(h);
		*cause = xstrdup(curl_multi_strerror(mcode));
		return (-1);
	}
	return (0);
}

/*
 * The addresses of the URL's host, or of a redirect's (hop_host), added as
 * "HOST:PORT:ADDRESS,..." to those for CURLOPT_RESOLVE.
 */
static void
http_resolved(struct addrinfo *ai, const char *error, void *arg)
{
	struct http		*h = arg;
	struct addrinfo		*a;
	struct curl_slist	*l;
	struct buf		 b;
	char			 addr[NI_MAXHOST], *cause = NULL;
	int			 n = 0;

	h->resolve = NULL;
	if (ai == NULL) {
		http_stop(h);
		check_done(h->c, CHECK_FAIL, "%s", error);
		return;
	}
	buf_init(&b);
	if (h->hop_host != NULL) {
		buf_printf(&b, "%s:%s", h->hop_host, h->hop_port);
		if ((l = curl_slist_append(h->hopped, b.data)) == NULL)
			fatalx("out of memory");
		h->hopped = l;
		buf_putc(&b, ':');
	} else
		buf_printf(&b, "%s:%s:", h->host, h->port);
	for (a = ai; a != NULL; a = a->ai_next) {
		if (getnameinfo(a->ai_addr, a->ai_addrlen, addr, sizeof addr,
		    NULL, 0, NI_NUMERICHOST) != 0)
			continue;
		buf_printf(&b, a->ai_family == AF_INET6 ? "%s[%s]" : "%s%s",
		    n++ > 0 ? "," : "", addr);
	}
	freeaddrinfo(ai);
	if ((l = curl_slist_append(h->resolved, b.data)) == NULL)
		fatalx("out of memory");
	h->resolved = l;
	buf_free(&b);
	free(h->hop_host);
	h->hop_host = NULL;
	free(h->hop_port);
	h->hop_port = NULL;
	if (http_begin(h, &cause) != 0) {
		check_done(h->c, CHECK_FAIL, "%s", cause);
		free(cause);
	}
}

static int
http_start(struct check *c, char **cause)
{
	struct http		*h = c->data;
	struct curl_slist	*l, *next;
	char			*s;

	if (h == NULL) {
		*cause = xstrdup("http check not configured");
		return (-1);
	}
	http_stop(h);
	/* What the last attempt's redirects added, libcurl forgets now. */
	for (l = h->hopped; l != NULL; l = l->next) {
		xasprintf(&s, "-%s", l->data);
		if ((next = curl_slist_append(h->resolved, s)) == NULL)
			fatalx("out of memory");
		h->resolved = next;
		free(s);
	}
	curl_slist_free_all(h->hopped);
	h->hopped = NULL;
	if (h->host == NULL)
		return (http_begin(h, cause));
	h->resolve = resolve_start(h->host, h->port, SOCK_STREAM,
	    http_resolved, h);
	return (0);
}

static void
http_cancel(struct check *c)
{
	if (c->data != NULL)
		http_stop(c->data);
}

static void
http_free(struct check *c)
{
	struct http	*h = c->data;

	if (h == NULL)
		return;
	http_stop(h);
	curl_slist_free_all(h->hopped);
	curl_slist_free_all(h->headers);
	free(h->expected);
	free(h->host);
	free(h->port);
	http_multi_release(h->m);
	free(h);
	c->data = NULL;
}

/* An address, not a name: "127.0.0.1", "[::1]" (libcurl parses those). */
static int
http_host_numeric(const char *host)
{
	struct in_addr	 in;

	return (*host == '[' || inet_pton(AF_INET, host, &in) == 1);
}

static int
http_method_valid(const char *s)
{
	if (*s == '\0')
		return (0);
	for (; *s != '\0'; s++) {
		if (!isalnum((u_char)*s) && strchr("!#$%&'*+-.^_`|~", *s) == NULL)
			return (0);
	}
	return (1);
}

static int
http_configure(struct check *c, char **cause)
{
	struct http			*h;
	struct http_multi		*m;
	const struct status_range	*r;
	struct curl_slist		*l;
	struct buf			 b;
	CURLU				*u;
	CURLUcode			 ucode;
	char				*scheme = NULL, *host = NULL;
	char				*port = NULL;
	u_int				 i, n;

	if ((u = curl_url()) == NULL)
		fatalx("out of memory");
	ucode = curl_url_set(u, CURLUPART_URL, c->target, 0);
	if (ucode == CURLUE_OK)
		ucode = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	if (ucode != CURLUE_OK) {
#if LIBCURL_VERSION_NUM >= 0x075000
		xasprintf(cause, "invalid URL: %s", curl_url_strerror(ucode));
#else
		xasprintf(cause, "invalid URL");
#endif
		curl_url_cleanup(u);
		return (-1);
	}
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
		xasprintf(cause, "not an http or https URL");
		curl_free(scheme);
		curl_url_cleanup(u);
		return (-1);
	}
	curl_free(scheme);
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
	    CURLUE_OK) {
		xasprintf(cause, "invalid URL: no host");
		curl_free(host);
		curl_url_cleanup(u);
		return (-1);
	}
	curl_url_cleanup(u);

	if (c->method != NULL && !http_method_valid(c->method)) {
		xasprintf(cause, "invalid method '%s'", c->method);
		goto fail;
	}
	if (c->method != NULL && strcmp(c->method, "HEAD") == 0 &&
	    c->expect_body != NULL) {
		*cause = xstrdup("expect_body cannot pass with method HEAD "
		    "(no body)");
		goto fail;
	}
	r = http_ranges(c, &n);
	for (i = 0; i < n; i++) {
		if (r[i].lo < 100 || r[i].hi > 999 || r[i].lo > r[i].hi) {
			xasprintf(cause, "invalid status range %d-%d", r[i].lo,
			    r[i].hi);
			goto fail;
		}
	}
	for (i = 0; i < c->nheaders; i++) {
		if (strchr(c->headers[i], ':') == NULL ||
		    *c->headers[i] == ':' ||
		    strpbrk(c->headers[i], "\r\n") != NULL) {
			xasprintf(cause, "invalid header '%s'", c->headers[i]);
			goto fail;
		}
	}

	http_free(c);
	if ((m = http_multi_hold(c, cause)) == NULL)
		goto fail;
	h = xcalloc(1, sizeof *h);
	h->c = c;
	h->m = m;
	buf_init(&h->body);
	/* A numeric host needs no lookup: libcurl takes it as it is. */
	if (!http_host_numeric(host)) {
		h->host = xstrdup(host);
		h->port = xstrdup(port);
	}
	curl_free(host);
	curl_free(port);

	for (i = 0; i < c->nheaders; i++) {
		if ((l = curl_slist_append(h->headers, c->headers[i])) == NULL)
			fatalx("out of memory");
		h->headers = l;
	}
	buf_init(&b);
	for (i = 0; i < n; i++) {
		if (i != 0)
			buf_puts(&b, ", ");
		if (r[i].lo == r[i].hi)
			buf_printf(&b, "%d", r[i].lo);
		else
			buf_printf(&b, "%d-%d", r[i].lo, r[i].hi);
	}
	h->expected = buf_steal(&b);

	c->data = h;
	return (0);

fail:
	curl_free(host);
	curl_free(port);
	return (-1);
}

static const char *const http_schemes[] = { "http", "https", NULL };

const struct check_type check_type_http = {
	"http",
	http_schemes,
	http_configure,
	http_start,
	http_cancel,
	http_free
};
