/*
 * syntax.h: the text users write that hinit reads in more than one place,
 * each grammar read by one function: target URLs and their masks (url.c),
 * and ports, host:port addresses, percent-escapes, HTTP tokens, header
 * lines and status ranges (syntax.c). The config, the check types and
 * the HTTP endpoint all use these, so that a port, an address or a header
 * means the same everywhere.
 */

#ifndef HINIT_SYNTAX_H
#define HINIT_SYNTAX_H

#include "hinit.h"

/* src/syntax.c */
/* A port, [s, s + len): decimal digits, 1 to 65535. 0, or -1 if not. */
int		 syntax_port(const char *, size_t, u_int *);
/*
 * A listen address, [s, s + len): ADDR:PORT, [ADDR]:PORT, :PORT, *:PORT or
 * PORT. 0 with the host (NULL: any; else allocated, without brackets) and
 * the port, or -1. Either out pointer may be NULL.
 */
int		 syntax_address(const char *, size_t, char **, u_int *);
/*
 * Percent-decode [s, s + len) into a new string. A '%' without two hex
 * digits after it, or "%00", is an error (-1), or kept as written with
 * SYNTAX_LENIENT.
 */
#define SYNTAX_LENIENT	0x1
int		 syntax_decode(const char *, size_t, int, char **);
/* An HTTP token (RFC 9110 5.6.2), [s, s + len): 1 if it is one. */
int		 syntax_token(const char *, size_t);
/*
 * The name of an HTTP header line, "Name: value": its length, or 0 if the
 * line does not start with a token and a ':'.
 */
size_t		 syntax_header_name(const char *, size_t);
/* An IPv4 or IPv6 address ("[::1]" too): no DNS lookup needed. */
int		 syntax_host_numeric(const char *);
/* HTTP statuses from lo to hi. */
struct syntax_range {
	int	 lo;
	int	 hi;
};
/*
 * A list of statuses, "200-399, 404", each 100 to 599: 0 with the ranges
 * (allocated) and their number, or -1 and a cause.
 */
int		 syntax_statuses(const char *, struct syntax_range **, u_int *,
		     char **);
/* Is the status in one of the ranges? */
int		 syntax_status_in(const struct syntax_range *, u_int, long);
/* The ranges as text, "200-399, 404". */
char		*syntax_statuses_text(const struct syntax_range *, u_int);

/* src/url.c: target URLs. */
struct url {
	char	*scheme;	/* lower case */
	char	*user;		/* decoded; NULL if absent */
	char	*password;	/* decoded; NULL if absent */
	char	*host;		/* decoded, without [] for IPv6; "" if absent */
	char	*port;		/* NULL if absent */
	u_int	 portnum;	/* the same as a number; 0 if absent */
	char	*path;		/* from the '/' on, undecoded; "" if absent */
	char	*query;		/* after '?', undecoded; NULL if absent */
};
int		 url_parse(const char *, struct url *, char **);
void		 url_free(struct url *);
/* Every password it holds is a secret (secret.c). */
void		 url_add_secrets(const struct url *);
/* The target as shown: password (and password= in the query) as "***". */
char		*url_mask(const char *);
void		 url_hide(char *);

#endif /* HINIT_SYNTAX_H */
