/*
 * cmd-status.c: hinit status: read the status file of the hinit that runs
 * as PID 1, judge it and print it. One file read, no probe, no check type
 * loaded; the exit code is 0 (ready) or 1 (anything else), never another,
 * since Docker gives 2 a meaning of its own.
 *
 * The document was written by hinit itself, but the file may be cut short
 * or garbage: the small JSON reader here refuses anything odd, never
 * crashes, and bounds its depth.
 */

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hinit.h"
#include "check.h"
#include "config.h"
#include "init.h"
#include "status.h"

#define CMD_STATUS_DEPTH	32
#define CMD_STATUS_SHOW		200	/* bytes of output per line */

enum cmd_status_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT
};

struct cmd_status_json {
	enum cmd_status_type	 type;
	char			*key;		/* a member of an object */
	char			*string;
	double			 number;
	int			 boolean;
	struct cmd_status_json	*child;		/* first element or member */
	struct cmd_status_json	*next;
};

struct cmd_status_parser {
	const char	*p;
	const char	*end;
};

static struct cmd_status_json	*cmd_status_value(struct cmd_status_parser *,
				     int);

static void
cmd_status_usage(void)
{
	fprintf(stderr, "usage: hinit status [--json] [--live] "
	    "[--status-file PATH] [CHECK]...\n");
}

static void
cmd_status_free(struct cmd_status_json *j)
{
	struct cmd_status_json	*next;

	while (j != NULL) {
		next = j->next;
		cmd_status_free(j->child);
		free(j->key);
		free(j->string);
		free(j);
		j = next;
	}
}

static void
cmd_status_space(struct cmd_status_parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
	    *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static int
cmd_status_hex4(struct cmd_status_parser *ps, u_int *cp)
{
	int	 i, ch;

	if (ps->end - ps->p < 4)
		return (-1);
	*cp = 0;
	for (i = 0; i < 4; i++) {
		ch = (u_char)*ps->p++;
		if (!isxdigit(ch))
			return (-1);
		*cp = *cp * 16 + (isdigit(ch) ? ch - '0' :
		    tolower(ch) - 'a' + 10);
	}
	return (0);
}

static void
cmd_status_utf8(struct buf *b, u_int cp)
{
	if (cp == 0)
		cp = '?';	/* never a NUL inside a C string */
	if (cp < 0x80)
		buf_putc(b, cp);
	else if (cp < 0x800) {
		buf_putc(b, 0xc0 | (cp >> 6));
		buf_putc(b, 0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		buf_putc(b, 0xe0 | (cp >> 12));
		buf_putc(b, 0x80 | ((cp >> 6) & 0x3f));
		buf_putc(b, 0x80 | (cp & 0x3f));
	} else {
		buf_putc(b, 0xf0 | (cp >> 18));
		buf_putc(b, 0x80 | ((cp >> 12) & 0x3f));
		buf_putc(b, 0x80 | ((cp >> 6) & 0x3f));
		buf_putc(b, 0x80 | (cp & 0x3f));
	}
}

/* A string, the opening quote already seen; NULL if malformed. */
static char *
cmd_status_string(struct cmd_status_parser *ps)
{
	struct buf	 b;
	u_int		 cp, lo;
	int		 ch;

	buf_init(&b);
	buf_add(&b, "", 0);
	for (;;) {
		if (ps->p >= ps->end)
			goto bad;
		ch = (u_char)*ps->p++;
		if (ch == '"')
			break;
		if (ch < 0x20)
			goto bad;
		if (ch != '\\') {
			buf_putc(&b, ch);
			continue;
		}
		if (ps->p >= ps->end)
			goto bad;
		switch (*ps->p++) {
		case '"':
			buf_putc(&b, '"');
			break;
		case '\\':
			buf_putc(&b, '\\');
			break;
		case '/':
			buf_putc(&b, '/');
			break;
		case 'b':
			buf_putc(&b, '\b');
			break;
		case 'f':
			buf_putc(&b, '\f');
			break;
		case 'n':
			buf_putc(&b, '\n');
			break;
		case 'r':
			buf_putc(&b, '\r');
			break;
		case 't':
			buf_putc(&b, '\t');
			break;
		case 'u':
			if (cmd_status_hex4(ps, &cp) != 0)
				goto bad;
			if (cp >= 0xd800 && cp < 0xdc00 &&
			    ps->end - ps->p >= 6 && ps->p[0] == '\\' &&
			    ps->p[1] == 'u') {
				ps->p += 2;
				if (cmd_status_hex4(ps, &lo) != 0)
					goto bad;
				if (lo >= 0xdc00 && lo < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					    (lo - 0xdc00);
				} else
					cp = 0xfffd;
			} else if (cp >= 0xd800 && cp < 0xe000)
				cp = 0xfffd;
			cmd_status_utf8(&b, cp);
			break;
		default:
			goto bad;
		}
	}
	return (buf_steal(&b));

bad:
	buf_free(&b);
	return (NULL);
}

static int
cmd_status_literal(struct cmd_status_parser *ps, const char *word)
{
	size_t	 len = strlen(word);

	if ((size_t)(ps->end - ps->p) < len || memcmp(ps->p, word, len) != 0)
		return (-1);
	ps->p += len;
	return (0);
}

static int
cmd_status_number(struct cmd_status_parser *ps, double *d)
{
	char		 tmp[64], *end;
	size_t		 len = 0;

	while (ps->p + len < ps->end && len < sizeof tmp - 1 &&
	    strchr("+-0123456789.eE", ps->p[len]) != NULL)
		len++;
	if (len == 0 || len == sizeof tmp - 1)
		return (-1);
	memcpy(tmp, ps->p, len);
	tmp[len] = '\0';
	*d = strtod(tmp, &end);
	if (*end != '\0' || *d != *d || *d > 1e300 || *d < -1e300)
		return (-1);
	ps->p += len;
	return (0);
}

/* Members or elements up to the closing bracket. */
static int
cmd_status_members(struct cmd_status_parser *ps, struct cmd_status_json *j,
    int depth)
{
	struct cmd_status_json	**tail = &j->child, *v;
	char			 *key = NULL;
	int			  close = (j->type == JSON_OBJECT) ? '}' : ']';

	cmd_status_space(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return (0);
	}
	for (;;) {
		cmd_status_space(ps);
		if (j->type == JSON_OBJECT) {
			if (ps->p >= ps->end || *ps->p++ != '"')
				return (-1);
			if ((key = cmd_status_string(ps)) == NULL)
				return (-1);
			cmd_status_space(ps);
			if (ps->p >= ps->end || *ps->p++ != ':') {
				free(key);
				return (-1);
			}
		}
		if ((v = cmd_status_value(ps, depth + 1)) == NULL) {
			free(key);
			return (-1);
		}
		v->key = key;
		key = NULL;
		*tail = v;
		tail = &v->next;
		cmd_status_space(ps);
		if (ps->p >= ps->end)
			return (-1);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p++ != close)
			return (-1);
		return (0);
	}
}

static struct cmd_status_json *
cmd_status_value(struct cmd_status_parser *ps, int depth)
{
	struct cmd_status_json	*j;

	if (depth > CMD_STATUS_DEPTH)
		return (NULL);
	cmd_status_space(ps);
	if (ps->p >= ps->end)
		return (NULL);
	j = xcalloc(1, sizeof *j);
	switch (*ps->p) {
	case '{':
	case '[':
		j->type = (*ps->p++ == '{') ? JSON_OBJECT : JSON_ARRAY;
		if (cmd_status_members(ps, j, depth) != 0)
			goto bad;
		break;
	case '"':
		ps->p++;
		j->type = JSON_STRING;
		if ((j->string = cmd_status_string(ps)) == NULL)
			goto bad;
		break;
	case 't':
		j->type = JSON_BOOL;
		j->boolean = 1;
		if (cmd_status_literal(ps, "true") != 0)
			goto bad;
		break;
	case 'f':
		j->type = JSON_BOOL;
		if (cmd_status_literal(ps, "false") != 0)
			goto bad;
		break;
	case 'n':
		j->type = JSON_NULL;
		if (cmd_status_literal(ps, "null") != 0)
			goto bad;
		break;
	default:
		j->type = JSON_NUMBER;
		if (cmd_status_number(ps, &j->number) != 0)
			goto bad;
		break;
	}
	return (j);

bad:
	cmd_status_free(j);
	return (NULL);
}

static struct cmd_status_json *
cmd_status_parse(const char *data, size_t len)
{
	struct cmd_status_parser	 ps = { data, data + len };
	struct cmd_status_json		*j;

	if ((j = cmd_status_value(&ps, 0)) == NULL)
		return (NULL);
	cmd_status_space(&ps);
	if (ps.p != ps.end || j->type != JSON_OBJECT) {
		cmd_status_free(j);
		return (NULL);
	}
	return (j);
}

static struct cmd_status_json *
cmd_status_get(struct cmd_status_json *j, const char *key)
{
	struct cmd_status_json	*m;

	if (j == NULL || j->type != JSON_OBJECT)
		return (NULL);
	for (m = j->child; m != NULL; m = m->next) {
		if (strcmp(m->key, key) == 0)
			return (m);
	}
	return (NULL);
}

static const char *
cmd_status_str(struct cmd_status_json *j, const char *key)
{
	if ((j = cmd_status_get(j, key)) == NULL || j->type != JSON_STRING)
		return (NULL);
	return (j->string);
}

/* "2026-11-21T22:57:04.123Z" as seconds; -1 if it is not one. */
static double
cmd_status_time(const char *s)
{
	struct tm	 tm;
	int		 n = 0;
	double		 frac = 0;
	char		*end;
	time_t		 t;

	if (s == NULL)
		return (-1);
	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
	    n == 0)
		return (-1);
	s += n;
	if (*s == '.') {
		frac = strtod(s, &end);
		if (end == s || frac < 0 || frac >= 1)
			return (-1);
		s = end;
	}
	if (strcmp(s, "Z") != 0)
		return (-1);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	if ((t = timegm(&tm)) == (time_t)-1)
		return (-1);
	return ((double)t + frac);
}

static double
cmd_status_age(double now, double then)
{
	return (now > then ? now - then : then - now);
}

/*
 * The first line of a text, at most CMD_STATUS_SHOW bytes of it, safe for
 * a terminal: controls (C1 too: NEL breaks a line, CSI starts a sequence)
 * and bytes that are not UTF-8 escaped as in the log.
 */
static void
cmd_status_put(const char *s)
{
	struct buf	 b;
	size_t		 len, n, back;

	if (s == NULL || *s == '\0') {
		fputs("-", stdout);
		return;
	}
	len = n = strcspn(s, "\n");
	if (n > CMD_STATUS_SHOW) {
		n = CMD_STATUS_SHOW;
		for (back = 0; back < 3 && n > 0 &&
		    ((u_char)s[n] & 0xc0) == 0x80; back++)
			n--;
	}
	buf_init(&b);
	buf_add(&b, "", 0);
	buf_text_escaped(&b, s, n);
	fputs(b.data, stdout);
	buf_free(&b);
	if (n < len)
		fputs("...", stdout);
	else if (s[len] == '\n' && s[len + 1] != '\0')
		fputs(" ...", stdout);
}

static void
cmd_status_line(struct cmd_status_json *check)
{
	struct cmd_status_json	*log, *last = NULL, *v;
	const char		*result = NULL, *output;

	cmd_status_put(cmd_status_str(check, "componentId"));
	putchar(' ');
	cmd_status_put(cmd_status_str(check, "hinit:state"));
	putchar(' ');
	if ((log = cmd_status_get(check, "hinit:log")) != NULL &&
	    log->type == JSON_ARRAY) {
		for (v = log->child; v != NULL; v = v->next)
			last = v;
		result = cmd_status_str(last, "result");
	}
	cmd_status_put(result);
	putchar(' ');
	v = cmd_status_get(check, "observedValue");
	if (v != NULL && v->type == JSON_NUMBER)
		printf("%.1fms ", v->number);
	else
		fputs("- ", stdout);
	/* A passing check has no "output": its last attempt's says how. */
	if ((output = cmd_status_str(check, "output")) == NULL)
		output = cmd_status_str(last, "output");
	cmd_status_put(output);
	putchar('\n');
}

/* The check object named, from "checks": {"NAME:responseTime": [{...}]}. */
static struct cmd_status_json *
cmd_status_check(struct cmd_status_json *m)
{
	if (m == NULL || m->type != JSON_ARRAY || m->child == NULL ||
	    m->child->type != JSON_OBJECT)
		return (NULL);
	return (m->child);
}

static struct cmd_status_json *
cmd_status_find(struct cmd_status_json *checks, const char *name)
{
	struct cmd_status_json	*m, *c;
	const char		*id;

	if (checks == NULL || checks->type != JSON_OBJECT)
		return (NULL);
	for (m = checks->child; m != NULL; m = m->next) {
		c = cmd_status_check(m);
		if ((id = cmd_status_str(c, "componentId")) != NULL &&
		    strcmp(id, name) == 0)
			return (c);
	}
	return (NULL);
}

static int
cmd_status_passes(const char *status)
{
	return (status != NULL && (strcmp(status, "pass") == 0 ||
	    strcmp(status, "warn") == 0));
}

/* Judge and print a document; returns the exit code. */
static int
cmd_status_judge(struct cmd_status_json *doc, int live, char **names,
    int nnames, const char *stale, int quiet)
{
	struct cmd_status_json	*checks, *m, *c, *app;
	const char		*status, *role, *state, *why = NULL;
	const char		*app_state;
	int			 i, ready = 1;

	checks = cmd_status_get(doc, "checks");
	app = cmd_status_get(doc, "hinit:app");
	app_state = cmd_status_str(app, "state");

	if (nnames != 0) {
		for (i = 0; i < nnames; i++) {
			if ((c = cmd_status_find(checks, names[i])) == NULL) {
				fprintf(stderr, "hinit status: no check "
				    "named '%s'\n", names[i]);
				ready = 0;
				continue;
			}
			if (!quiet)
				cmd_status_line(c);
			state = cmd_status_str(c, "hinit:state");
			status = cmd_status_str(c, "status");
			if (state == NULL || strcmp(state, "healthy") != 0 ||
			    status == NULL || strcmp(status, "pass") != 0)
				ready = 0;
		}
		if (live && (app_state == NULL ||
		    strcmp(app_state, "running") != 0))
			ready = 0;
	} else {
		if (checks != NULL && checks->type == JSON_OBJECT) {
			for (m = checks->child; m != NULL; m = m->next) {
				if ((c = cmd_status_check(m)) == NULL)
					continue;
				role = cmd_status_str(c, "hinit:role");
				if (live && (role == NULL ||
				    strcmp(role, "live") != 0))
					continue;
				if (!quiet)
					cmd_status_line(c);
			}
		}
		status = cmd_status_str(doc, live ? "hinit:live" : "status");
		ready = cmd_status_passes(status);
		if (!live)
			why = cmd_status_str(doc, "output");
	}
	if (stale != NULL) {
		ready = 0;
		why = stale;
	}

	if (quiet)
		return (ready ? 0 : 1);
	/* "ready: fail (starting: web), app running" */
	printf("%s: %s", live ? "live" : "ready", ready ? "pass" : "fail");
	if (why == NULL && nnames == 0 && !live)
		why = cmd_status_str(doc, "hinit:state");
	if (why != NULL) {
		fputs(" (", stdout);
		cmd_status_put(why);
		putchar(')');
	}
	if (app_state != NULL &&
	    (why == NULL || strncmp(why, "app ", 4) != 0)) {
		fputs(", app ", stdout);
		cmd_status_put(app_state);
	}
	m = cmd_status_get(app, "restarts");
	if (m != NULL && m->type == JSON_NUMBER && m->number > 0)
		printf(", %.0f restarts", m->number);
	putchar('\n');
	return (ready ? 0 : 1);
}

int
cmd_status(int argc, char **argv)
{
	struct cmd_status_json	*doc;
	struct stat		 st;
	struct buf		 b;
	const char		*file = NULL;
	char			*path = NULL, *cause = NULL, *cause2 = NULL;
	char			 stale[256], *s;
	double			 mtime, updated, now, age;
	uid_t			 uid;
	int			 i, json = 0, live = 0, rc;

	/* argv[0] is "status", as main() passes it. */
	for (i = 1; i < argc; i++) {
		s = argv[i];
		if (strcmp(s, "--") == 0) {
			i++;
			break;
		}
		if (s[0] != '-' || s[1] == '\0')
			break;
		if (strcmp(s, "--json") == 0)
			json = 1;
		else if (strcmp(s, "--live") == 0)
			live = 1;
		else if (strcmp(s, "--status-file") == 0 && i + 1 < argc)
			file = argv[++i];
		else if (strncmp(s, "--status-file=", 14) == 0)
			file = s + 14;
		else if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0) {
			cmd_status_usage();
			return (0);
		} else {
			if (strcmp(s, "--status-file") == 0)
				fprintf(stderr, "hinit status: --status-file "
				    "needs a path\n");
			else {
				fprintf(stderr, "hinit status: unknown option "
				    "%s\n", s);
			}
			cmd_status_usage();
			return (1);
		}
	}
	if (file != NULL && *file == '\0') {
		fprintf(stderr, "hinit status: empty --status-file\n");
		return (1);
	}

	/*
	 * The hinit that matters is PID 1, whoever we run as; else (not in a
	 * container) one that runs as we do. A file, even one asked for, is
	 * read only if that user owns it: any other could have planted it.
	 */
	uid = stat("/proc/1", &st) == 0 ? st.st_uid : getuid();
	buf_init(&b);
	if (status_read(file, uid, &b, &mtime, &path, &cause) != 0 &&
	    (uid == getuid() || status_read(file, getuid(), &b, &mtime, &path,
	    &cause2) != 0)) {
		fprintf(stderr, "hinit status: no status file, is hinit "
		    "running? (%s)\n", cause != NULL ? cause : "not found");
		free(cause);
		free(cause2);
		buf_free(&b);
		return (1);
	}
	free(cause);
	free(cause2);

	if ((doc = cmd_status_parse(b.data, b.len)) == NULL) {
		fprintf(stderr, "hinit status: %s: not a status document\n",
		    path);
		if (json)
			fwrite(b.data, 1, b.len, stdout);
		free(path);
		buf_free(&b);
		return (1);
	}

	/*
	 * Older than STATUS_STALE by hinit:updated or by the file's time,
	 * either way (a clock set back counts too): hinit is gone or hung.
	 */
	now = time_wall();
	updated = cmd_status_time(cmd_status_str(doc, "hinit:updated"));
	age = cmd_status_age(now, mtime);
	if (updated < 0)
		age = STATUS_STALE + 1;
	else if (cmd_status_age(now, updated) > age)
		age = cmd_status_age(now, updated);
	stale[0] = '\0';
	if (updated < 0)
		snprintf(stale, sizeof stale, "no hinit:updated time");
	else if (age > STATUS_STALE) {
		snprintf(stale, sizeof stale, "stale, not updated for %.0fs "
		    "(hinit gone or hung?)", age);
	}

	if (json) {
		fwrite(b.data, 1, b.len, stdout);
		if (stale[0] != '\0')
			fprintf(stderr, "hinit status: %s: %s\n", path, stale);
	}
	rc = cmd_status_judge(doc, live, argv + i, argc - i,
	    stale[0] != '\0' ? stale : NULL, json);
	fflush(stdout);
	cmd_status_free(doc);
	free(path);
	buf_free(&b);
	return (rc);
}
