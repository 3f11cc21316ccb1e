/*
 * fuzz-url.c: target URLs (url_parse, url_mask). Properties: a URL that
 * parses still parses once masked, with its password shown as "***"; no
 * error quotes the password as written; a URL with two '@' before its host
 * never parses (libpq and libcurl would each read another URL); text that
 * is no URL, "USER:PASSWORD@HOST" with a scheme mistyped, is masked too.
 */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hinit.h"
#include "check.h"
#include "config.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return (0);
}

/* The password as written, found as url_mask() finds it. */
static char *
fuzz_written_password(const char *s)
{
	const char	*auth, *end, *at = NULL, *colon, *p;
	size_t		 n;

	/* An exec: target is a command, shown as written. */
	if (strncasecmp(s, "exec:", 5) == 0)
		return (NULL);
	n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789+-.");
	if (n == 0 || !isalpha((u_char)*s) || strncmp(s + n, "://", 3) != 0)
		return (NULL);
	auth = s + n + 3;
	end = auth + strcspn(auth, "/?#");
	for (p = auth; p < end; p++) {
		if (*p == '@')
			at = p;
	}
	if (at == NULL || (colon = memchr(auth, ':', at - auth)) == NULL)
		return (NULL);
	return (xstrndup(colon + 1, at - colon - 1));
}

static u_int
fuzz_count(const char *s, const char *what)
{
	u_int	 n = 0;

	while ((s = strcasestr(s, what)) != NULL) {
		n++;
		s++;
	}
	return (n);
}

/* Is what inside one of the cause's 'quotes' (not its fixed text)? */
static int
fuzz_quoted(const char *cause, const char *what)
{
	const char	*open, *close;
	char		*quote;
	int		 found = 0;

	for (open = strchr(cause, '\''); open != NULL && !found;
	    open = strchr(close + 1, '\'')) {
		if ((close = strchr(open + 1, '\'')) == NULL)
			break;
		quote = xstrndup(open + 1, close - open - 1);
		found = strcasestr(quote, what) != NULL;
		free(quote);
	}
	return (found);
}

/* SCHEME://...@...@... with both '@' before the first '/', '?' or '#'. */
static int
fuzz_two_at(const char *s)
{
	const char	*auth, *at;
	size_t		 end;

	if ((auth = strstr(s, "://")) == NULL)
		return (0);
	auth += 3;
	end = strcspn(auth, "/?#");
	return ((at = memchr(auth, '@', end)) != NULL &&
	    memchr(at + 1, '@', end - (at + 1 - auth)) != NULL);
}

/*
 * Text without "://", not exec:, as "[SCHEME:][/]USER:PASSWORD@HOST" with
 * one '@', no '?': the PASSWORD.
 */
static char *
fuzz_text_password(const char *s)
{
	const char	*at, *begin, *colon;

	if (strstr(s, "://") != NULL || strncasecmp(s, "exec:", 5) == 0 ||
	    strchr(s, '?') != NULL || (at = strchr(s, '@')) == NULL ||
	    strchr(at + 1, '@') != NULL)
		return (NULL);
	for (begin = at; begin > s && begin[-1] != '/'; begin--)
		/* nothing */;
	if ((colon = memchr(begin, ':', at - begin)) == NULL)
		return (NULL);
	return (xstrndup(colon + 1, at - colon - 1));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct url	 u, m;
	char		*s, *masked, *cause = NULL, *written;

	s = xstrndup((const char *)data, size);
	masked = url_mask(s);
	written = fuzz_written_password(s);
	if (url_parse(s, &u, &cause) == 0) {
		if (u.scheme == NULL || u.host == NULL || u.path == NULL)
			abort();
		/*
		 * Unless masking took a '/' away with a password: in
		 * "postgres://?password=/#@" the '/' ends where libpq looks
		 * for user info, and without it the '@' would be read as its
		 * end, as the mask (for showing only) rightly is refused.
		 */
		if (url_parse(masked, &m, &cause) == 0) {
			/* exec:... is a command, shown as written. */
			if (u.password != NULL &&
			    strncasecmp(s, "exec:", 5) != 0 &&
			    (m.password == NULL ||
			    strcmp(m.password, "***") != 0))
				abort();
			url_free(&m);
		} else if (fuzz_count(s, "/") == fuzz_count(masked, "/")) {
			fprintf(stderr, "'%s' parses, masked '%s' not: %s\n",
			    s, masked, cause);
			abort();
		}
		free(cause);
		cause = NULL;
		url_free(&u);
	} else {
		if (cause == NULL)
			abort();
		/* Unless the URL has it twice (in any case), the quote is of it. */
		if (written != NULL && strlen(written) >= 6 &&
		    fuzz_count(s, written) == 1 &&
		    fuzz_quoted(cause, written)) {
			fprintf(stderr, "'%s': cause quotes the password: %s\n",
			    s, cause);
			abort();
		}
	}
	/* Two '@' in the authority: refused. */
	free(cause);
	cause = NULL;
	if (fuzz_two_at(s) && url_parse(s, &u, &cause) == 0) {
		fprintf(stderr, "'%s' parses with two '@'\n", s);
		abort();
	}
	free(cause);
	cause = NULL;
	/* "scheme:/USER:PASSWORD@HOST...": PASSWORD is not shown. */
	if (written == NULL)
		written = fuzz_text_password(s);
	/* Masking takes the password away (one place less that has it). */
	if (written != NULL && *written != '\0' && strchr(written, '*') == NULL &&
	    fuzz_count(masked, written) >= fuzz_count(s, written)) {
		fprintf(stderr, "'%s' masked as '%s'\n", s, masked);
		abort();
	}
	free(written);
	free(cause);
	free(masked);
	free(s);
	return (0);
}
