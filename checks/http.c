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
 * Its keys: method, header, expect_status, expect_body, tls_verify and
 * follow_redirects.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "hinit.h"
#include "check.h"
#include "config.h"
#include "http-multi.h"

#define HTTP_BODY_MAX		(64 * 1024)	/* bytes read, SPEC §3 */
#define HTTP_REDIRECTS_MAX	5
#define HTTP_PROTOCOLS		"http,https"
#define HTTP_BACKSTOP		1000	/* ms past the engine's own timeout */

/* One check: its keys, what prepare() made and the attempt under way. */
struct http {
	/* Its keys (http_keys[]). */
	char			*method;
	struct curl_slist	*headers;	/* header */
	struct syntax_range	*expect;	/* expect_status */
	u_int			 nexpect;
	char			*expected;	/* the same, as text */
	char			*expect_body;
	int			 tls_verify;
	int			 follow_redirects;

	struct check		*c;
	struct http_multi	*m;		/* its list's */
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

static const struct config_key http_keys[] = {
	{ .section = CONFIG_SECTION_CHECK, .name = "method",
	  .type = CONFIG_STRING, .dflt = "GET",
	  .offset = offsetof(struct http, method),
	  .help = "HTTP request method" },
	{ .section = CONFIG_SECTION_CHECK, .name = "header",
	  .type = CONFIG_OWN, .dflt = "", .flags = CONFIG_KEY_REPEAT,
	  .help = "request header \"Name: value\" (repeatable)" },
	{ .section = CONFIG_SECTION_CHECK, .name = "expect_status",
	  .type = CONFIG_OWN, .dflt = "200-399", .flags = CONFIG_KEY_PUBLIC,
	  .help = "statuses that pass, e.g. 200-399, 404" },
	{ .section = CONFIG_SECTION_CHECK, .name = "expect_body",
	  .type = CONFIG_STRING, .dflt = "",
	  .offset = offsetof(struct http, expect_body),
	  .help = "the body must contain this (empty: anything)" },
	{ .section = CONFIG_SECTION_CHECK, .name = "tls_verify",
	  .type = CONFIG_BOOL, .dflt = "yes",
	  .offset = offsetof(struct http, tls_verify),
	  .help = "verify the server's certificate and name" },
	{ .section = CONFIG_SECTION_CHECK, .name = "follow_redirects",
	  .type = CONFIG_BOOL, .dflt = "no",
	  .offset = offsetof(struct http, follow_redirects),
	  .help = "follow redirects and judge the final answer" },
};

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

/*
 * The host and port (allocated, curl_free) of the URL the transfer is at:
 * a redirect's, once it has followed one.
 */
static int
http_effective(struct http *h, char **host, char **port)
{
	CURLU	*u;
	char	*url = NULL;
	int	 error = -1;

	*host = *port = NULL;
	if (curl_easy_getinfo(h->easy, CURLINFO_EFFECTIVE_URL, &url) !=
	    CURLE_OK || url == NULL || (u = curl_url()) == NULL)
		return (-1);
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, port, CURLU_DEFAULT_PORT) ==
	    CURLUE_OK)
		error = 0;
	else {
		curl_free(*host);
		*host = NULL;
	}
	curl_url_cleanup(u);
	return (error);
}

/* What a failed transfer says: curl's own words, errno where it has one. */
static char *
http_error(struct http *h, CURLcode code)
{
	char	*out, *host, *port;
	long	 oserr = 0;

	if (code == CURLE_COULDNT_CONNECT &&
	    curl_easy_getinfo(h->easy, CURLINFO_OS_ERRNO, &oserr) == CURLE_OK &&
	    oserr != 0 && http_effective(h, &host, &port) == 0) {
		xasprintf(&out, "Failed to connect to %s port %s: %s", host,
		    port, strerror(oserr));
		curl_free(host);
		curl_free(port);
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
		if (!syntax_status_in(h->expect, h->nexpect, status)) {
			xasprintf(&out, "HTTP %ld (expected %s)", status,
			    h->expected);
		} else if (h->expect_body != NULL && (h->body.data == NULL ||
		    memmem(h->body.data, h->body.len, h->expect_body,
		    strlen(h->expect_body)) == NULL)) {
			xasprintf(&out, "HTTP %ld: body does not contain \"%s\"",
			    status, h->expect_body);
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
		if (o->type == c->type && (h = o->data) != NULL &&
		    h->m != NULL)
			return (h->m);
	}
	for (o = TAILQ_NEXT(c, entry); o != NULL; o = TAILQ_NEXT(o, entry)) {
		if (o->type == c->type && (h = o->data) != NULL &&
		    h->m != NULL)
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
	if (h->expect_body != NULL)
		buf_add(&h->body, ptr, len);
	h->bodylen += len;
	return (h->truncated ? 0 : len);
}

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
	char		*host, *port;

	if (http_effective(h, &host, &port) != 0)
		return (1);
	if (syntax_host_numeric(host)) {
		curl_free(host);
		curl_free(port);
		return (0);
	}
	free(h->hop_host);
	h->hop_host = xstrdup(host);
	free(h->hop_port);
	h->hop_port = xstrdup(port);
	curl_free(host);
	curl_free(port);
	return (1);
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

	if (h->method == NULL || strcmp(h->method, "GET") == 0)
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	else if (strcmp(h->method, "HEAD") == 0)
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	else if (strcmp(h->method, "POST") == 0) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, 0L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
	} else
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, h->method);

	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, h->tls_verify ? 1L : 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, h->tls_verify ? 2L : 0L);
	if (h->follow_redirects) {
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
	http_stop(c->data);
}

static void
http_free(struct check *c)
{
	struct http	*h = c->data;

	http_stop(h);
	curl_slist_free_all(h->hopped);
	curl_slist_free_all(h->headers);
	free(h->expect);
	free(h->expected);
	free(h->host);
	free(h->port);
	if (h->m != NULL)
		http_multi_release(h->m);
	h->m = NULL;
}

/* "Name: value", without control characters; empty: none. */
static int
http_parse_header(struct http *h, const char *value, char **cause)
{
	struct curl_slist	*l;
	const char		*p;

	if (*value == '\0')
		return (0);
	if (syntax_header_name(value, strlen(value)) == 0) {
		xasprintf(cause, "bad header '%s' (use \"Name: value\")",
		    value);
		return (-1);
	}
	for (p = value; *p != '\0'; p++) {
		if ((u_char)*p < ' ' && *p != '\t') {
			*cause = xstrdup("header contains a control character");
			return (-1);
		}
	}
	if ((l = curl_slist_append(h->headers, value)) == NULL)
		fatalx("out of memory");
	h->headers = l;
	return (0);
}

/* The config stored method, expect_body and the booleans already. */
static int
http_configure(struct check *c, const char *key, const char *value,
    char **cause)
{
	struct http	*h = c->data;

	if (strcmp(key, "method") == 0 &&
	    !syntax_token(value, strlen(value))) {
		xasprintf(cause, "bad method '%s'", value);
		return (-1);
	}
	if (strcmp(key, "header") == 0)
		return (http_parse_header(h, value, cause));
	if (strcmp(key, "expect_status") == 0) {
		free(h->expect);
		h->expect = NULL;
		return (syntax_statuses(value, &h->expect, &h->nexpect,
		    cause));
	}
	return (0);
}

/* The host and port libcurl will reach, as libcurl reads the URL. */
static int
http_target(struct check *c, char **host, char **port, char **cause)
{
	CURLU		*u;
	CURLUcode	 ucode;
	char		*scheme = NULL;

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
	if (curl_url_get(u, CURLUPART_HOST, host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, port, CURLU_DEFAULT_PORT) !=
	    CURLUE_OK) {
		xasprintf(cause, "invalid URL: no host");
		curl_free(*host);
		curl_url_cleanup(u);
		return (-1);
	}
	curl_url_cleanup(u);
	return (0);
}

static int
http_prepare(struct check *c, const struct url *url, char **cause)
{
	struct http	*h = c->data;
	char		*host = NULL, *port = NULL;

	if (*url->host == '\0') {
		*cause = xstrdup("missing host");
		return (-1);
	}
	if (http_target(c, &host, &port, cause) != 0)
		return (-1);
	if (h->method != NULL && strcmp(h->method, "HEAD") == 0 &&
	    h->expect_body != NULL) {
		*cause = xstrdup("expect_body cannot pass with method HEAD "
		    "(no body)");
		goto fail;
	}
	if ((h->m = http_multi_hold(c, cause)) == NULL)
		goto fail;
	h->c = c;
	buf_init(&h->body);
	/* A numeric host needs no lookup: libcurl takes it as it is. */
	if (!syntax_host_numeric(host)) {
		h->host = xstrdup(host);
		h->port = xstrdup(port);
	}
	curl_free(host);
	curl_free(port);
	h->expected = syntax_statuses_text(h->expect, h->nexpect);
	return (0);

fail:
	curl_free(host);
	curl_free(port);
	return (-1);
}

static const char *const http_schemes[] = { "http", "https", NULL };

const struct check_type check_type_http = {
	.name = "http",
	.schemes = http_schemes,
	.component = "component",
	.keys = http_keys,
	.nkeys = nitems(http_keys),
	.size = sizeof (struct http),
	.configure = http_configure,
	.prepare = http_prepare,
	.start = http_start,
	.cancel = http_cancel,
	.free = http_free
};
