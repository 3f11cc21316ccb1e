/*
 * postgres.c: the postgres check type. Without a query it means what
 * pg_isready means: a server that answers passes, even when it refuses the
 * credentials; one that answers "cannot connect now" (SQLSTATE 57P03) is
 * rejecting connections; no answer at all is no response. With a query it
 * logs in, runs the query and passes only if that succeeds. Everything runs
 * on libpq's non-blocking connect, driven by one ev_io, after host names
 * have been resolved off the loop (libpq would resolve them by blocking).
 * Its key: query.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <ctype.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "hinit.h"
#include "check.h"
#include "config.h"

#define POSTGRES_CANNOT_CONNECT_NOW	"57P03"

struct postgres {
	char			*query;		/* NULL: pg_isready */

	struct check		*check;

	/* From the URL (or PGHOST): one entry per host, and ports. */
	char			**hosts;
	u_int			 nhosts;
	char			**ports;
	u_int			 nports;
	int			 resolve;	/* some host is a name */

	/* The attempt under way. */
	struct resolve		*res;
	u_int			 next;		/* host to resolve next */
	struct buf		 host;		/* host, hostaddr, port lists */
	struct buf		 hostaddr;
	struct buf		 port;
	u_int			 naddrs;
	char			*resolve_error;
	PGconn			*conn;
	int			 querying;	/* connected, query sent */
	char			*ok;		/* what the query gave so far */
	char			*error;
	ev_io			 io;
};

static const char *const postgres_schemes[] = {
	"postgres",
	"postgresql",
	NULL
};

static const struct config_key postgres_keys[] = {
	{ .section = CONFIG_SECTION_CHECK, .name = "query",
	  .type = CONFIG_STRING, .dflt = "",
	  .offset = offsetof(struct postgres, query),
	  .help = "log in and run this; pass only if it succeeds (empty: "
	      "pg_isready)" },
};

static void	postgres_io(struct ev_loop *, ev_io *, int);
static void	postgres_resolved(struct addrinfo *, const char *, void *);
static int	postgres_connect(struct postgres *, char **);

/*
 * libpq's texts span lines; an attempt's output is one line, its blanks
 * folded. A secret the server quotes may hold blanks too: folded, the
 * engine could no longer find it, so secrets are hidden first.
 */
static char *
postgres_oneline(const char *text)
{
	struct buf	 b;
	char		*scrubbed;
	const char	*s;
	int		 space = 0;

	buf_init(&b);
	buf_puts(&b, "");
	scrubbed = secret_scrub_string(text);
	for (s = scrubbed; *s != '\0'; s++) {
		if (isspace((u_char)*s)) {
			space = 1;
			continue;
		}
		if (space && b.len != 0)
			buf_putc(&b, ' ');
		space = 0;
		buf_putc(&b, *s);
	}
	free(scrubbed);
	return (buf_steal(&b));
}

static void
postgres_split(const char *s, char ***list, u_int *n)
{
	char	*copy, *next, *item;

	*list = NULL;
	*n = 0;
	if (s == NULL || *s == '\0')
		return;
	next = copy = xstrdup(s);
	while ((item = strsep(&next, ",")) != NULL) {
		*list = xreallocarray(*list, *n + 1, sizeof **list);
		(*list)[(*n)++] = xstrdup(item);
	}
	free(copy);
}

/* A host libpq reaches without a DNS lookup: a socket, an address. */
static int
postgres_host_numeric(const char *host)
{
	if (*host == '\0' || *host == '/' || *host == '@')
		return (1);
	return (syntax_host_numeric(host));
}

/*
 * libpq's parse errors quote a piece of the URL: only when the URL has no
 * password (in its user info or a password= parameter: whatever masking
 * would hide) may the quote be shown.
 */
static char *
postgres_parse_error(const char *target, const char *errmsg)
{
	char		*masked;
	size_t		 n;
	int		 secret;

	if (errmsg == NULL)
		return (xstrdup("invalid PostgreSQL URL"));
	masked = url_mask(target);
	secret = strcmp(masked, target) != 0;
	free(masked);
	n = strcspn(errmsg, secret ? "\"\n" : "\n");
	while (n > 0 && (errmsg[n - 1] == ' ' || errmsg[n - 1] == ':'))
		n--;
	return (xstrndup(errmsg, n));
}

/*
 * The words of the options libpq checks only when it connects (libpq 15's
 * connectOptions2()): a word it would refuse is a bad target, said once
 * when the config is read (exit 2), not a failure of every attempt. A
 * libpq built without SSL or GSSAPI (the static hinit's has no GSSAPI)
 * takes fewer: its compiled-in default for the option is then "disable".
 */
static const struct {
	const char	*keyword;
	const char	*words;		/* ", " between, as the cause says */
	int		 anycase;
	int		 empty;		/* "" is taken too */
	const char	*lacking;	/* words if the default is "disable" */
	const char	*what;		/* what that libpq lacks */
} postgres_words[] = {
	{ "sslmode", "disable, allow, prefer, require, verify-ca, verify-full",
	  0, 0, "disable, allow, prefer", "SSL" },
	{ "gssencmode", "disable, prefer, require", 0, 0, "disable, prefer",
	  "GSSAPI" },
	{ "channel_binding", "disable, prefer, require", 0, 0, NULL, NULL },
	{ "target_session_attrs", "any, read-write, read-only, primary, "
	  "standby, prefer-standby", 0, 0, NULL, NULL },
	{ "ssl_min_protocol_version", "TLSv1, TLSv1.1, TLSv1.2, TLSv1.3", 1, 1,
	  NULL, NULL },
	{ "ssl_max_protocol_version", "TLSv1, TLSv1.1, TLSv1.2, TLSv1.3", 1, 1,
	  NULL, NULL },
};

/*
 * 0, or -1 and why if libpq would refuse the option's value; compiled is
 * the option's compiled-in default.
 */
static int
postgres_word(const char *keyword, const char *value, const char *compiled,
    char **cause)
{
	const char	*words, *w, *end;
	size_t		 len;
	u_int		 i;
	int		 lacking;

	for (i = 0; i < nitems(postgres_words); i++) {
		if (strcmp(postgres_words[i].keyword, keyword) == 0)
			break;
	}
	if (i == nitems(postgres_words) ||
	    (*value == '\0' && postgres_words[i].empty))
		return (0);
	lacking = postgres_words[i].lacking != NULL && compiled != NULL &&
	    strcmp(compiled, "disable") == 0;
	words = lacking ? postgres_words[i].lacking : postgres_words[i].words;
	for (w = words; *w != '\0'; w = end + strspn(end, ", ")) {
		end = w + strcspn(w, ",");
		len = end - w;
		if (strlen(value) == len && (postgres_words[i].anycase ?
		    strncasecmp(value, w, len) : strncmp(value, w, len)) == 0)
			return (0);
	}
	/* The value may be a secret a variable brought in: not quoted. */
	if (lacking)
		xasprintf(cause, "bad %s (use %s: this build's libpq has no "
		    "%s)", keyword, words, postgres_words[i].what);
	else
		xasprintf(cause, "bad %s (use %s)", keyword, words);
	return (-1);
}

static int
postgres_prepare(struct check *c, const struct url *u, char **cause)
{
	struct postgres		*p = c->data;
	PQconninfoOption	*opts, *o;
	char			*errmsg = NULL;
	const char		*host = NULL, *hostaddr = NULL, *port = NULL;
	u_int			 i;

	if ((opts = PQconninfoParse(c->target, &errmsg)) == NULL) {
		*cause = postgres_parse_error(c->target, errmsg);
		PQfreemem(errmsg);
		return (-1);
	}
	for (o = opts; o->keyword != NULL; o++) {
		if (o->val != NULL && postgres_word(o->keyword, o->val,
		    o->compiled, cause) != 0) {
			PQconninfoFree(opts);
			return (-1);
		}
		if (o->val == NULL || *o->val == '\0')
			continue;
		if (strcmp(o->keyword, "host") == 0)
			host = o->val;
		else if (strcmp(o->keyword, "hostaddr") == 0)
			hostaddr = o->val;
		else if (strcmp(o->keyword, "port") == 0)
			port = o->val;
	}
	/* libpq falls back to the environment: so must the resolver. */
	if (host == NULL)
		host = getenv("PGHOST");
	if (hostaddr == NULL && (hostaddr = getenv("PGHOSTADDR")) != NULL &&
	    *hostaddr == '\0')
		hostaddr = NULL;

	p->check = c;
	postgres_split(host, &p->hosts, &p->nhosts);
	postgres_split(port, &p->ports, &p->nports);
	if (hostaddr == NULL) {
		for (i = 0; i < p->nhosts; i++) {
			if (!postgres_host_numeric(p->hosts[i]))
				p->resolve = 1;
		}
	}
	buf_init(&p->host);
	buf_init(&p->hostaddr);
	buf_init(&p->port);
	ev_init(&p->io, postgres_io);
	p->io.data = p;
	PQconninfoFree(opts);
	return (0);
}

static void
postgres_stop(struct postgres *p)
{
	if (p->res != NULL) {
		resolve_cancel(p->res);
		p->res = NULL;
	}
	ev_io_stop(EV_DEFAULT, &p->io);
	if (p->conn != NULL) {
		PQfinish(p->conn);
		p->conn = NULL;
	}
	p->querying = 0;
	free(p->ok);
	p->ok = NULL;
	free(p->error);
	p->error = NULL;
	free(p->resolve_error);
	p->resolve_error = NULL;
}

static void
postgres_cancel(struct check *c)
{
	postgres_stop(c->data);
}

static void
postgres_free(struct check *c)
{
	struct postgres	*p = c->data;

	postgres_stop(p);
	config_list_free(p->hosts, p->nhosts);
	config_list_free(p->ports, p->nports);
	buf_free(&p->host);
	buf_free(&p->hostaddr);
	buf_free(&p->port);
}

/* End the attempt: release everything first, then report. */
static void
postgres_done(struct postgres *p, enum check_result result, const char *fmt,
    ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	postgres_stop(p);
	check_done(p->check, result, "%s", s);
	free(s);
}

/*
 * The SQLSTATE of the last error the server sent. With PQERRORS_VERBOSE,
 * libpq formats a server error as "SEVERITY:  SQLSTATE: message", the one
 * place the code is public for a connection that failed; PQping reads the
 * same code (its last_sqlstate) from inside libpq. The severity word may be
 * translated by the server, the code never is.
 */
static const char *
postgres_sqlstate(const char *msg, char *state)
{
	const char	*s, *found = NULL;
	int		 i;

	for (s = msg; (s = strstr(s, ":  ")) != NULL; s++) {
		for (i = 0; i < 5; i++) {
			if (!isdigit((u_char)s[3 + i]) &&
			    !isupper((u_char)s[3 + i]))
				break;
		}
		if (i != 5 || s[8] != ':' || s[9] != ' ')
			continue;
		memcpy(state, s + 3, 5);
		state[5] = '\0';
		found = s + 10;
	}
	return (found);
}

/*
 * A connection that failed, judged as PQping judges it: any authentication
 * request (a password asked for, or ParameterStatus received, which the
 * server sends only once authentication passed, e.g. before libpq drops a
 * server target_session_attrs does not want), or any error the server sent
 * but "cannot connect now", means the server accepts connections.
 */
static void
postgres_failed(struct postgres *p)
{
	const char	*msg, *text;
	char		 state[6], *line;
	size_t		 n;

	msg = PQerrorMessage(p->conn);
	line = postgres_oneline(msg);
	if (p->query != NULL) {
		postgres_done(p, CHECK_FAIL, "%s", line);
		free(line);
		return;
	}
	if (PQconnectionUsedPassword(p->conn) ||
	    PQparameterStatus(p->conn, "server_version") != NULL) {
		free(line);
		postgres_done(p, CHECK_PASS, "accepting connections");
		return;
	}
	if ((text = postgres_sqlstate(msg, state)) == NULL) {
		postgres_done(p, CHECK_FAIL, "no response: %s", line);
		free(line);
		return;
	}
	free(line);
	if (strcmp(state, POSTGRES_CANNOT_CONNECT_NOW) != 0) {
		postgres_done(p, CHECK_PASS, "accepting connections");
		return;
	}
	n = strcspn(text, "\n");
	line = xstrndup(text, n);
	postgres_done(p, CHECK_FAIL, "rejecting connections: %s", line);
	free(line);
}

static int
postgres_wait(struct postgres *p, int events)
{
	int	fd;

	/* libpq may have moved to another socket (next address, next host). */
	if ((fd = PQsocket(p->conn)) == -1)
		return (-1);
	ev_io_stop(EV_DEFAULT, &p->io);
	ev_io_set(&p->io, fd, events);
	ev_io_start(EV_DEFAULT, &p->io);
	return (0);
}

static void
postgres_send(struct postgres *p)
{
	char	*line;

	if (PQsendQuery(p->conn, p->query) == 1) {
		p->querying = 1;
		if (postgres_wait(p, EV_READ|EV_WRITE) == 0)
			return;
	}
	line = postgres_oneline(PQerrorMessage(p->conn));
	postgres_done(p, CHECK_FAIL, "query failed: %s", line);
	free(line);
}

static void
postgres_connected(struct postgres *p)
{
	if (p->query == NULL)
		postgres_done(p, CHECK_PASS, "accepting connections");
	else
		postgres_send(p);
}

static void
postgres_poll(struct postgres *p)
{
	switch (PQconnectPoll(p->conn)) {
	case PGRES_POLLING_READING:
		if (postgres_wait(p, EV_READ) == 0)
			return;
		break;
	case PGRES_POLLING_WRITING:
		if (postgres_wait(p, EV_WRITE) == 0)
			return;
		break;
	case PGRES_POLLING_OK:
		/* Never block, not even in PQfinish(). */
		PQsetnonblocking(p->conn, 1);
		postgres_connected(p);
		return;
	default:
		break;
	}
	postgres_failed(p);
}

/* The results of the query, as libpq has them; the first error counts. */
static void
postgres_results(struct postgres *p)
{
	PGresult	*res;
	char		*line;
	const char	*severity, *primary;
	int		 rows;

	while (!PQisBusy(p->conn)) {
		if ((res = PQgetResult(p->conn)) == NULL) {
			if (p->error != NULL)
				postgres_done(p, CHECK_FAIL, "%s", p->error);
			else {
				postgres_done(p, CHECK_PASS, "%s",
				    p->ok != NULL ? p->ok : "query ok");
			}
			return;
		}
		switch (PQresultStatus(res)) {
		case PGRES_TUPLES_OK:
			free(p->ok);
			rows = PQntuples(res);
			xasprintf(&p->ok, "query ok (%d row%s)", rows,
			    rows == 1 ? "" : "s");
			break;
		case PGRES_COMMAND_OK:
			free(p->ok);
			xasprintf(&p->ok, "query ok (%s)", PQcmdStatus(res));
			break;
		case PGRES_EMPTY_QUERY:
			break;
		case PGRES_COPY_IN:
		case PGRES_COPY_OUT:
		case PGRES_COPY_BOTH:
			PQclear(res);
			postgres_done(p, CHECK_FAIL,
			    "query failed: COPY is not supported");
			return;
		default:
			if (p->error != NULL)
				break;
			severity = PQresultErrorField(res, PG_DIAG_SEVERITY);
			primary = PQresultErrorField(res,
			    PG_DIAG_MESSAGE_PRIMARY);
			if (severity != NULL && primary != NULL) {
				line = postgres_oneline(primary);
				xasprintf(&p->error, "query failed: %s: %s",
				    severity, line);
			} else {
				line = postgres_oneline(
				    PQresultErrorMessage(res));
				xasprintf(&p->error, "query failed: %s", line);
			}
			free(line);
			break;
		}
		PQclear(res);
	}
	if (postgres_wait(p, EV_READ) != 0)
		postgres_done(p, CHECK_FAIL, "query failed: connection lost");
}

static void
postgres_query(struct postgres *p, int revents)
{
	char	*line;
	int	 flushed;

	if (revents & EV_READ) {
		if (!PQconsumeInput(p->conn))
			goto fail;
	}
	if ((flushed = PQflush(p->conn)) == -1)
		goto fail;
	if (flushed == 1) {
		if (postgres_wait(p, EV_READ|EV_WRITE) != 0)
			goto fail;
		return;
	}
	postgres_results(p);
	return;

fail:
	line = postgres_oneline(PQerrorMessage(p->conn));
	postgres_done(p, CHECK_FAIL, "query failed: %s", line);
	free(line);
}

static void
postgres_io(struct ev_loop *loop, ev_io *w, int revents)
{
	struct postgres	*p = w->data;

	/* Stopped before libpq runs: it may close this descriptor. */
	ev_io_stop(loop, w);
	if (p->querying)
		postgres_query(p, revents);
	else
		postgres_poll(p);
}

/* Begin the connection; -1 if libpq failed at once. */
static int
postgres_connect(struct postgres *p, char **cause)
{
	const char	*keys[7], *values[7];
	char		*line;
	u_int		 n = 0;

	keys[n] = "fallback_application_name";
	values[n++] = "hinit";
	/*
	 * No GSSAPI encryption unless the URL or PGGSSENCMODE asks for it:
	 * libpq's "prefer" starts Kerberos on every attempt to look for a
	 * ticket a container seldom has (600 KiB more memory, and time).
	 * Before dbname, so that the URL's own gssencmode wins.
	 */
	if (getenv("PGGSSENCMODE") == NULL) {
		keys[n] = "gssencmode";
		values[n++] = "disable";
	}
	keys[n] = "dbname";		/* the URL, expanded */
	values[n++] = p->check->target;
	if (p->naddrs != 0) {
		/* After the URL, so these win; host stays for TLS and auth. */
		keys[n] = "host";
		values[n++] = p->host.data;
		keys[n] = "hostaddr";
		values[n++] = p->hostaddr.data;
		if (p->nports > 1) {
			keys[n] = "port";
			values[n++] = p->port.data;
		}
	}
	keys[n] = NULL;
	values[n] = NULL;

	if ((p->conn = PQconnectStartParams(keys, values, 1)) == NULL)
		fatalx("out of memory");
	if (PQstatus(p->conn) != CONNECTION_BAD) {
		if (p->query == NULL)
			PQsetErrorVerbosity(p->conn, PQERRORS_VERBOSE);
		/* As if PQconnectPoll() had asked to write. */
		if (postgres_wait(p, EV_WRITE) == 0)
			return (0);
	}
	line = postgres_oneline(PQerrorMessage(p->conn));
	if (p->query == NULL)
		xasprintf(cause, "no response: %s", line);
	else
		*cause = xstrdup(line);
	free(line);
	postgres_stop(p);
	return (-1);
}

static void
postgres_add(struct postgres *p, const char *host, const char *addr)
{
	const char	*port = NULL;

	if (p->naddrs != 0) {
		buf_putc(&p->host, ',');
		buf_putc(&p->hostaddr, ',');
		buf_putc(&p->port, ',');
	}
	buf_puts(&p->host, host);
	buf_puts(&p->hostaddr, addr);
	if (p->nports > 1 && p->next < p->nports)
		port = p->ports[p->next];
	buf_puts(&p->port, port != NULL ? port : "");
	p->naddrs++;
}

/*
 * Resolve the hosts one after the other, then connect. Each address
 * becomes its own host entry with the name kept beside it, so libpq tries
 * them all in order, as it would have after its own lookup.
 */
static int
postgres_resolve_next(struct postgres *p, char **cause)
{
	const char	*host;

	for (; p->next < p->nhosts; p->next++) {
		host = p->hosts[p->next];
		if (postgres_host_numeric(host)) {
			postgres_add(p, host, *host == '/' || *host == '@' ||
			    *host == '\0' ? "" : host);
			continue;
		}
		p->res = resolve_start(host, NULL, SOCK_STREAM,
		    postgres_resolved, p);
		if (p->res != NULL)
			return (0);
	}
	if (p->naddrs == 0) {
		xasprintf(cause, "no response: %s", p->resolve_error != NULL ?
		    p->resolve_error : "no address");
		postgres_stop(p);
		return (-1);
	}
	return (postgres_connect(p, cause));
}

static void
postgres_resolved(struct addrinfo *ai, const char *error, void *arg)
{
	struct postgres	*p = arg;
	struct addrinfo	*a;
	const char	*host = p->hosts[p->next];
	char		 addr[NI_MAXHOST], *cause;

	p->res = NULL;
	if (ai == NULL) {
		free(p->resolve_error);
		p->resolve_error = xstrdup(error != NULL ? error :
		    "cannot resolve");
	}
	for (a = ai; a != NULL; a = a->ai_next) {
		if (a->ai_family != AF_INET && a->ai_family != AF_INET6)
			continue;
		if (getnameinfo(a->ai_addr, a->ai_addrlen, addr, sizeof addr,
		    NULL, 0, NI_NUMERICHOST) != 0)
			continue;
		postgres_add(p, host, addr);
	}
	if (ai != NULL)
		freeaddrinfo(ai);
	p->next++;
	if (postgres_resolve_next(p, &cause) != 0) {
		check_done(p->check, CHECK_FAIL, "%s", cause);
		free(cause);
	}
}

static int
postgres_start(struct check *c, char **cause)
{
	struct postgres	*p = c->data;

	postgres_stop(p);
	buf_reset(&p->host);
	buf_reset(&p->hostaddr);
	buf_reset(&p->port);
	p->naddrs = 0;
	p->next = 0;
	if (!p->resolve)
		return (postgres_connect(p, cause));
	return (postgres_resolve_next(p, cause));
}

const struct check_type check_type_postgres = {
	.name = "postgres",
	.schemes = postgres_schemes,
	.component = "datastore",
	.keys = postgres_keys,
	.nkeys = nitems(postgres_keys),
	.size = sizeof (struct postgres),
	.prepare = postgres_prepare,
	.start = postgres_start,
	.cancel = postgres_cancel,
	.free = postgres_free
};
