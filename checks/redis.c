/*
 * redis.c: the redis check type: AUTH when the URL has a password, SELECT
 * when it names a database, then PING, pipelined on one hiredis async
 * connection attached to the loop. "+PONG" passes; any error reply, a
 * refused or closed connection fails with what the server said.
 *
 * hiredis 0.14 owns the context's end: it frees it itself on any error
 * (calling every pending reply callback with a NULL reply first), and
 * defers redisAsyncFree() made inside a reply callback until that returns.
 * So each attempt lives in a struct of its own that the callbacks point to;
 * it is detached from the check when the attempt ends and freed when the
 * last callback hiredis owes it has run.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>
#include <hiredis/async.h>
#include <hiredis/adapters/libev.h>

#include "hinit.h"
#include "check.h"
#include "syntax.h"

#define REDIS_DEFAULT_PORT	6379
#define REDIS_COMMANDS_MAX	3

struct redis_attempt;

struct redis {
	struct check		*check;

	char			*host;		/* NULL: a unix socket */
	int			 port;
	char			*path;		/* the unix socket */
	char			*user;
	char			*password;
	long			 db;

	struct resolve		*res;
	struct redis_attempt	*attempt;
};

struct redis_attempt {
	struct redis		*redis;		/* NULL once it has ended */
	redisAsyncContext	*ac;		/* NULL once hiredis frees it */
	const char		*sent[REDIS_COMMANDS_MAX];
	u_int			 nsent;
	u_int			 replied;
};

static const char *const redis_schemes[] = {
	"redis",
	NULL
};

/* A database number: digits, at most INT_MAX. */
static int
redis_number(const char *s, long *n)
{
	char	*end;

	if (*s == '\0' || !isdigit((u_char)*s))
		return (-1);
	errno = 0;
	*n = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || *n > INT_MAX)
		return (-1);
	return (0);
}

/* The query: db=N and password=SECRET. */
static int
redis_configure_query(struct redis *r, const char *query, char **cause)
{
	char		*copy, *next, *item, *value;
	const char	*eq;

	next = copy = xstrdup(query);
	while ((item = strsep(&next, "&")) != NULL) {
		if (*item == '\0')
			continue;
		if ((eq = strchr(item, '=')) == NULL) {
			xasprintf(cause, "parameter without a value");
			goto fail;
		}
		syntax_decode(eq + 1, strlen(eq + 1), SYNTAX_LENIENT, &value);
		if ((size_t)(eq - item) == 2 && strncmp(item, "db", 2) == 0) {
			if (redis_number(value, &r->db) != 0) {
				free(value);
				xasprintf(cause, "bad db");
				goto fail;
			}
			free(value);
		} else if ((size_t)(eq - item) == 8 &&
		    strncmp(item, "password", 8) == 0) {
			free(r->password);
			r->password = value;
		} else {
			free(value);
			xasprintf(cause, "unknown parameter '%.*s' "
			    "(db and password are known)", (int)(eq - item),
			    item);
			goto fail;
		}
	}
	free(copy);
	return (0);

fail:
	free(copy);
	return (-1);
}

/*
 * redis://[[user]:password@]host[:port][/db][?db=N&password=SECRET], or a
 * unix socket: redis:///path/to/redis.sock[?db=N].
 */
static int
redis_prepare(struct check *c, const struct url *u, char **cause)
{
	struct redis	*r = c->data;

	r->check = c;
	r->port = REDIS_DEFAULT_PORT;
	if (u->user != NULL && *u->user != '\0')
		r->user = xstrdup(u->user);
	if (u->password != NULL && *u->password != '\0')
		r->password = xstrdup(u->password);
	if (*u->host == '\0') {
		if (*u->path == '\0' || strcmp(u->path, "/") == 0) {
			*cause = xstrdup("missing host (or the path of a unix "
			    "socket: redis:///PATH)");
			return (-1);
		}
		syntax_decode(u->path, strlen(u->path), SYNTAX_LENIENT,
		    &r->path);
	} else {
		r->host = xstrdup(u->host);
		if (u->port != NULL)
			r->port = u->portnum;
		if (*u->path != '\0' && strcmp(u->path, "/") != 0 &&
		    redis_number(u->path + 1, &r->db) != 0) {
			xasprintf(cause, "the path must be a database number");
			return (-1);
		}
	}
	if (u->query != NULL && redis_configure_query(r, u->query, cause) != 0)
		return (-1);
	return (0);
}

/* Detach the attempt and give its context back to hiredis to free. */
static void
redis_end(struct redis *r)
{
	struct redis_attempt	*a = r->attempt;
	redisAsyncContext	*ac;

	if (r->res != NULL) {
		resolve_cancel(r->res);
		r->res = NULL;
	}
	if (a == NULL)
		return;
	r->attempt = NULL;
	a->redis = NULL;
	if ((ac = a->ac) != NULL) {
		a->ac = NULL;
		/*
		 * Inside one of its callbacks, hiredis frees after it returns;
		 * elsewhere at once, running the callbacks still owed (which
		 * free the attempt when the last has run).
		 */
		redisAsyncFree(ac);
	}
}

static void
redis_cancel(struct check *c)
{
	redis_end(c->data);
}

static void
redis_free(struct check *c)
{
	struct redis	*r = c->data;

	redis_end(r);
	free(r->host);
	free(r->path);
	free(r->user);
	if (r->password != NULL)
		explicit_bzero(r->password, strlen(r->password));
	free(r->password);
}

static void
redis_done(struct redis *r, enum check_result result, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	redis_end(r);
	check_done(r->check, result, "%s", s);
	free(s);
}

static void
redis_reply_one(struct redis_attempt *a, redisAsyncContext *ac,
    redisReply *reply, const char *sent)
{
	struct redis	*r = a->redis;

	if (reply == NULL) {
		/* hiredis is freeing the context: refused, reset, closed. */
		a->ac = NULL;
		if (!(ac->c.flags & REDIS_CONNECTED)) {
			redis_done(r, CHECK_FAIL, "no response: %s",
			    ac->err != 0 ? ac->errstr : "connection failed");
		} else {
			redis_done(r, CHECK_FAIL, "connection lost: %s",
			    ac->err != 0 ? ac->errstr : "closed");
		}
		return;
	}
	if (reply->type == REDIS_REPLY_ERROR) {
		redis_done(r, CHECK_FAIL, "%.*s", (int)reply->len, reply->str);
		return;
	}
	if (strcmp(sent, "PING") != 0)
		return;
	if (reply->type == REDIS_REPLY_STATUS &&
	    strcasecmp(reply->str, "PONG") == 0) {
		redis_done(r, CHECK_PASS, "PONG");
		return;
	}
	if (reply->type == REDIS_REPLY_STATUS ||
	    reply->type == REDIS_REPLY_STRING) {
		redis_done(r, CHECK_FAIL, "unexpected reply to PING: %.*s",
		    (int)reply->len, reply->str);
	} else
		redis_done(r, CHECK_FAIL, "unexpected reply to PING");
}

/* Every reply, and every NULL hiredis gives for a reply it will not get. */
static void
redis_reply(redisAsyncContext *ac, void *reply, void *arg)
{
	struct redis_attempt	*a = arg;
	const char		*sent;

	sent = a->sent[a->replied++];
	if (a->redis != NULL)
		redis_reply_one(a, ac, reply, sent);
	if (a->replied == a->nsent && a->redis == NULL)
		free(a);
}

static void
redis_send(struct redis_attempt *a, const char *what, const char *fmt, ...)
{
	va_list	 ap;
	int	 error;

	va_start(ap, fmt);
	error = redisvAsyncCommand(a->ac, redis_reply, a, fmt, ap);
	va_end(ap);
	if (error == REDIS_OK)
		a->sent[a->nsent++] = what;
}

static int
redis_connect(struct redis *r, const char *addr, char **cause)
{
	struct redis_attempt	*a;
	redisAsyncContext	*ac;

	if (r->path != NULL)
		ac = redisAsyncConnectUnix(r->path);
	else
		ac = redisAsyncConnect(addr, r->port);
	if (ac == NULL)
		fatalx("out of memory");
	if (ac->err != 0) {
		xasprintf(cause, "no response: %s", ac->errstr);
		redisAsyncFree(ac);
		return (-1);
	}

	a = xcalloc(1, sizeof *a);
	a->redis = r;
	a->ac = ac;
	if (redisLibevAttach(EV_DEFAULT, ac) != REDIS_OK)
		fatalx("redisLibevAttach");
	if (r->password != NULL && r->user != NULL)
		redis_send(a, "AUTH", "AUTH %s %s", r->user, r->password);
	else if (r->password != NULL)
		redis_send(a, "AUTH", "AUTH %s", r->password);
	if (r->db != 0)
		redis_send(a, "SELECT", "SELECT %ld", r->db);
	redis_send(a, "PING", "PING");
	if (a->nsent == 0 || strcmp(a->sent[a->nsent - 1], "PING") != 0) {
		/* Only a context already going away refuses commands. */
		fatalx("redis: cannot queue commands");
	}
	r->attempt = a;
	return (0);
}

/* As hiredis would pick on its own: the first IPv4 address, else IPv6. */
static void
redis_resolved(struct addrinfo *ai, const char *error, void *arg)
{
	struct redis	*r = arg;
	struct addrinfo	*a, *pick = NULL;
	char		 addr[NI_MAXHOST], *cause;
	int		 found = 0;

	r->res = NULL;
	for (a = ai; a != NULL; a = a->ai_next) {
		if (a->ai_family == AF_INET) {
			pick = a;
			break;
		}
		if (a->ai_family == AF_INET6 && pick == NULL)
			pick = a;
	}
	if (pick != NULL && getnameinfo(pick->ai_addr, pick->ai_addrlen,
	    addr, sizeof addr, NULL, 0, NI_NUMERICHOST) == 0)
		found = 1;
	if (ai != NULL)
		freeaddrinfo(ai);
	if (!found) {
		check_done(r->check, CHECK_FAIL, "no response: %s",
		    error != NULL ? error : "no address");
		return;
	}
	if (redis_connect(r, addr, &cause) != 0) {
		check_done(r->check, CHECK_FAIL, "%s", cause);
		free(cause);
	}
}

static int
redis_start(struct check *c, char **cause)
{
	struct redis	*r = c->data;
	char		 port[16];

	redis_end(r);
	if (r->path != NULL || syntax_host_numeric(r->host))
		return (redis_connect(r, r->host, cause));
	snprintf(port, sizeof port, "%d", r->port);
	r->res = resolve_start(r->host, port, SOCK_STREAM, redis_resolved, r);
	if (r->res == NULL) {
		xasprintf(cause, "no response: cannot resolve %s", r->host);
		return (-1);
	}
	return (0);
}

const struct check_type check_type_redis = {
	.name = "redis",
	.schemes = redis_schemes,
	.component = "datastore",
	.size = sizeof (struct redis),
	.prepare = redis_prepare,
	.start = redis_start,
	.cancel = redis_cancel,
	.free = redis_free
};
