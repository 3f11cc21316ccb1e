/*
 * config.c: the configuration (SPEC §2): the table of every key, the one
 * list that the parser, the defaults, `hinit -t` and the man page share;
 * reading the INI file through inih with a line reader of our own (line
 * numbers, over-long lines, section headers, continuation lines); ${VAR}
 * expansion; checks given on the command line; cross-references and check
 * types once everything is read; and the resolved configuration as INI.
 *
 * Every value is kept twice: expanded, for use, and as written, for output,
 * so that a secret from the environment never reaches any output.
 */

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ini.h>

#include "hinit.h"
#include "check.h"
#include "config.h"

/* One value as written in a section, with its line (0: command line). */
struct config_value {
	const struct config_key		*key;
	char				*written;
	u_int				 line;
	TAILQ_ENTRY(config_value)	 entry;
};

/* One section: [hinit], [check:NAME] or [task:NAME]. */
struct config_part {
	enum config_section		 section;
	char				*name;		/* NULL for [hinit] */
	u_int				 line;		/* 0: command line */
	void				*object;	/* config, check, task */
	TAILQ_HEAD(, config_value)	 values;
	TAILQ_ENTRY(config_part)	 entry;
};

/* The state of one config_load(). */
struct config_parse {
	struct config		*conf;
	FILE			*f;
	const char		*file;
	u_int			 line;
	char			*buf;
	size_t			 bufsize;
	struct config_part	*part;		/* NULL before the first header */
	char			 last_key[64];	/* for inih's continuation lines */
	char			*cause;		/* the first error */
};

#define CONFIG_DAY	(24ULL * 3600 * 1000)
#define CONFIG_FILE_MAX	(64 * 1024)	/* bytes of a ${file:...} */
#define CONFIG_EXPAND_SECRET	0x1	/* values from the environment */
#define CONFIG_EXPAND_COMMAND	0x2	/* for /bin/sh: ${VAR} stays */
#define CONFIG_NAME_CHARS \
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"

static const char *const config_restart_choices[] = {
	"no", "on-failure", "always", NULL
};
static const char *const config_on_unhealthy_choices[] = {
	"none", "restart", "exit", NULL
};
static const char *const config_log_format_choices[] = {
	"text", "json", NULL
};
static const char *const config_role_choices[] = {
	"ready", "live", NULL
};
static const char *const config_on_failure_choices[] = {
	"exit", "continue", NULL
};

#define H	CONFIG_SECTION_HINIT
#define C	CONFIG_SECTION_CHECK
#define T	CONFIG_SECTION_TASK
#define OFF_H(f) offsetof(struct config, f)
#define OFF_C(f) offsetof(struct check, f)
#define OFF_T(f) offsetof(struct task, f)

const struct config_key config_keys[] = {
	{ .section = H, .name = "grace", .type = CONFIG_DURATION,
	  .max = CONFIG_DAY, .dflt = "10s", .offset = OFF_H(grace),
	  .help = "time from the forwarded signal to SIGKILL of everything "
	      "left" },
	{ .section = H, .name = "drain", .type = CONFIG_DURATION,
	  .max = CONFIG_DAY, .dflt = "0s", .offset = OFF_H(drain),
	  .help = "on SIGTERM, report \"fail\" this long before forwarding "
	      "the signal" },
	{ .section = H, .name = "kill_group", .type = CONFIG_BOOL,
	  .dflt = "no", .offset = OFF_H(kill_group),
	  .help = "signal the app's whole process group (like -g)" },
	{ .section = H, .name = "restart", .type = CONFIG_CHOICE,
	  .choices = config_restart_choices, .dflt = "no",
	  .offset = OFF_H(restart),
	  .help = "restart the app when it exits" },
	{ .section = H, .name = "restart_delay", .type = CONFIG_DURATION,
	  .min = 10, .max = CONFIG_DAY, .dflt = "1s",
	  .offset = OFF_H(restart_delay),
	  .help = "first restart back-off, doubled each time" },
	{ .section = H, .name = "restart_delay_max", .type = CONFIG_DURATION,
	  .min = 10, .max = CONFIG_DAY, .dflt = "30s",
	  .offset = OFF_H(restart_delay_max),
	  .help = "longest restart back-off" },
	{ .section = H, .name = "version", .type = CONFIG_STRING,
	  .dflt = "", .offset = OFF_H(version), .flags = CONFIG_KEY_PUBLIC,
	  .help = "the app's version, the \"version\" of /health (e.g. "
	      "${APP_VERSION:-}); published as is" },
	{ .section = H, .name = "restart_limit", .type = CONFIG_NUMBER,
	  .max = 1000, .dflt = "0", .offset = OFF_H(restart_limit),
	  .help = "more restarts than this within restart_window: give up and "
	      "exit with the app's code (0: no limit)" },
	{ .section = H, .name = "restart_window", .type = CONFIG_DURATION,
	  .min = 1000, .max = CONFIG_DAY, .dflt = "60s",
	  .offset = OFF_H(restart_window),
	  .help = "the window restart_limit counts restarts in" },
	{ .section = H, .name = "stop_signal", .type = CONFIG_SIGNAL,
	  .dflt = "", .offset = OFF_H(stop_signal),
	  .help = "what the app gets to stop, e.g. SIGQUIT for nginx (empty: "
	      "the signal hinit received; SIGTERM for restarts)" },
	{ .section = H, .name = "on_change", .type = CONFIG_COMMAND,
	  .dflt = "",
	  .help = "run by /bin/sh -c on every state change, restart and "
	      "the restart limit, with HINIT_EVENT, HINIT_CHECK, HINIT_STATE, "
	      "HINIT_PREVIOUS, HINIT_OUTPUT (empty: none)" },
	{ .section = H, .name = "hook_timeout", .type = CONFIG_DURATION,
	  .min = 10, .max = 3600 * 1000, .dflt = "10s",
	  .offset = OFF_H(hook_timeout),
	  .help = "on_change running longer is ended (SIGTERM, then SIGKILL)" },
	{ .section = H, .name = "on_unhealthy", .type = CONFIG_CHOICE,
	  .choices = config_on_unhealthy_choices, .dflt = "none",
	  .offset = OFF_H(on_unhealthy),
	  .help = "what a live check turning unhealthy does" },
	{ .section = H, .name = "notify", .type = CONFIG_BOOL,
	  .dflt = "no", .offset = OFF_H(notify),
	  .help = "give the app NOTIFY_SOCKET (sd_notify) and add a check "
	      "named app: READY=1, STATUS=, WATCHDOG=1, STOPPING=1" },
	{ .section = H, .name = "watchdog", .type = CONFIG_DURATION,
	  .max = CONFIG_DAY, .dflt = "0s", .offset = OFF_H(watchdog),
	  .help = "with notify: once ready, the app sends WATCHDOG=1 at "
	      "least this often, else check app fails (0s: never)" },
	{ .section = H, .name = "wait", .type = CONFIG_LIST,
	  .dflt = "",
	  .help = "checks that must be healthy before tasks and the app start" },
	{ .section = H, .name = "wait_timeout", .type = CONFIG_DURATION,
	  .max = CONFIG_DAY, .dflt = "60s", .offset = OFF_H(wait_timeout),
	  .help = "give up waiting after this long and exit 1 (0s: never)" },
	{ .section = H, .name = "listen", .type = CONFIG_STRING,
	  .dflt = "", .offset = OFF_H(listen),
	  .help = "addresses of the HTTP endpoint, e.g. 0.0.0.0:8081 or "
	      "[::]:8081, comma-separated (empty: none)" },
	{ .section = H, .name = "max_connections", .type = CONFIG_NUMBER,
	  .min = 1, .max = 65536, .dflt = "256",
	  .offset = OFF_H(max_connections),
	  .help = "connections the HTTP endpoint serves at once" },
	{ .section = H, .name = "status_file", .type = CONFIG_STRING,
	  .dflt = STATUS_DEFAULT_FILE, .offset = OFF_H(status_file),
	  .help = "where the status is written (the default falls back to "
	      "$XDG_RUNTIME_DIR or /tmp)" },
	{ .section = H, .name = "log_format", .type = CONFIG_CHOICE,
	  .choices = config_log_format_choices, .dflt = "text",
	  .offset = OFF_H(log_format),
	  .help = "log lines as text or one JSON object a line" },

	{ .section = C, .name = "url", .type = CONFIG_URL,
	  .dflt = "",
	  .help = "target: http://, https://, postgres://, redis://, "
	      "tcp://HOST:PORT or exec:COMMAND" },
	{ .section = C, .name = "command", .type = CONFIG_COMMAND,
	  .dflt = "",
	  .help = "exec check: run by /bin/sh -c, exit 0 = pass (instead of "
	      "url)" },
	{ .section = C, .name = "interval", .type = CONFIG_DURATION,
	  .min = 10, .max = CONFIG_DAY, .dflt = "10s",
	  .offset = OFF_C(interval),
	  .help = "time from the end of one attempt to the start of the next" },
	{ .section = C, .name = "timeout", .type = CONFIG_DURATION,
	  .min = 1, .max = CONFIG_DAY, .dflt = "5s", .offset = OFF_C(timeout),
	  .help = "an attempt taking longer fails" },
	{ .section = C, .name = "retries", .type = CONFIG_NUMBER,
	  .min = 1, .max = 1000, .dflt = "3", .offset = OFF_C(retries),
	  .help = "consecutive counted failures that make the check unhealthy" },
	{ .section = C, .name = "rise", .type = CONFIG_NUMBER,
	  .min = 1, .max = 1000, .dflt = "1", .offset = OFF_C(rise),
	  .help = "consecutive passes that make the check healthy" },
	{ .section = C, .name = "start_period", .type = CONFIG_DURATION,
	  .max = CONFIG_DAY, .dflt = "0s", .offset = OFF_C(start_period),
	  .help = "failures before the first pass within this are not counted" },
	{ .section = C, .name = "start_interval", .type = CONFIG_DURATION,
	  .min = 10, .max = CONFIG_DAY, .dflt = "1s",
	  .offset = OFF_C(start_interval),
	  .help = "interval while starting inside start_period" },
	{ .section = C, .name = "role", .type = CONFIG_CHOICE,
	  .choices = config_role_choices, .dflt = "ready",
	  .offset = OFF_C(role),
	  .help = "live checks also drive on_unhealthy and /health/live" },
	{ .section = C, .name = "critical", .type = CONFIG_BOOL,
	  .dflt = "yes", .offset = OFF_C(critical),
	  .help = "no: a failure makes the overall status \"warn\", not "
	      "\"fail\"" },
	{ .section = C, .name = "method", .type = CONFIG_STRING,
	  .dflt = "GET", .types = "http", .offset = OFF_C(method),
	  .help = "HTTP request method" },
	{ .section = C, .name = "header", .type = CONFIG_HEADER,
	  .dflt = "", .types = "http",
	  .help = "request header \"Name: value\" (repeatable)" },
	{ .section = C, .name = "expect_status", .type = CONFIG_STATUS_RANGES,
	  .dflt = "200-399", .types = "http",
	  .help = "statuses that pass, e.g. 200-399, 404" },
	{ .section = C, .name = "expect_body", .type = CONFIG_STRING,
	  .dflt = "", .types = "http", .offset = OFF_C(expect_body),
	  .help = "the body must contain this (empty: anything)" },
	{ .section = C, .name = "tls_verify", .type = CONFIG_BOOL,
	  .dflt = "yes", .types = "http", .offset = OFF_C(tls_verify),
	  .help = "verify the server's certificate and name" },
	{ .section = C, .name = "follow_redirects", .type = CONFIG_BOOL,
	  .dflt = "no", .types = "http", .offset = OFF_C(follow_redirects),
	  .help = "follow redirects and judge the final answer" },
	{ .section = C, .name = "query", .type = CONFIG_STRING,
	  .dflt = "", .types = "postgres", .offset = OFF_C(query),
	  .help = "log in and run this; pass only if it succeeds (empty: "
	      "pg_isready)" },

	{ .section = T, .name = "command", .type = CONFIG_COMMAND,
	  .dflt = "",
	  .help = "one-shot command run by /bin/sh -c before the app" },
	{ .section = T, .name = "wait", .type = CONFIG_LIST,
	  .dflt = "",
	  .help = "checks that must be healthy before the task runs" },
	{ .section = T, .name = "timeout", .type = CONFIG_DURATION,
	  .max = 7 * CONFIG_DAY, .dflt = "0s", .offset = OFF_T(timeout),
	  .help = "kill the task after this long (0s: no limit)" },
	{ .section = T, .name = "on_failure", .type = CONFIG_CHOICE,
	  .choices = config_on_failure_choices, .dflt = "exit",
	  .offset = OFF_T(on_failure),
	  .help = "exit: hinit exits with the task's code; continue: go on" },
};
const u_int config_nkeys = nitems(config_keys);

#undef H
#undef C
#undef T

static const char *const config_section_names[] = { "hinit", "check", "task" };

/* Levenshtein distance, for "did you mean"; long words are never close. */
static u_int
config_distance(const char *a, const char *b)
{
	u_int	 row[65], i, j, diag, up, best;
	size_t	 la = strlen(a), lb = strlen(b);

	if (la > 64 || lb > 64)
		return (UINT32_MAX);
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			up = row[j];
			best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return (row[lb]);
}

static int
config_valid_name(const char *s, size_t len)
{
	return (len != 0 && strspn(s, CONFIG_NAME_CHARS) >= len);
}

static const struct config_key *
config_key_find(enum config_section section, const char *name)
{
	u_int	 i;

	for (i = 0; i < config_nkeys; i++) {
		if (config_keys[i].section == section &&
		    strcmp(config_keys[i].name, name) == 0)
			return (&config_keys[i]);
	}
	return (NULL);
}

static int
config_key_applies(const struct config_key *key, const char *type)
{
	const char	*p = key->types;
	size_t		 len = strlen(type);

	if (p == NULL)
		return (1);
	while (*p != '\0') {
		if (strncmp(p, type, len) == 0 &&
		    (p[len] == '\0' || p[len] == ','))
			return (1);
		p += strcspn(p, ",");
		p += strspn(p, ", ");
	}
	return (0);
}

/* "[check:db] " */
static char *
config_where(struct config *conf, struct config_part *part, u_int line)
{
	char	*s;

	if (part->section == CONFIG_SECTION_HINIT) {
		if (conf->file != NULL && line != 0)
			xasprintf(&s, "%s:%u: [hinit] ", conf->file, line);
		else
			s = xstrdup("");
	} else if (conf->file != NULL && line != 0) {
		xasprintf(&s, "%s:%u: [%s:%s] ", conf->file, line,
		    config_section_names[part->section], part->name);
	} else {
		xasprintf(&s, "%s '%s': ", config_section_names[part->section],
		    part->name);
	}
	return (s);
}

/* Replace *cause with WHERE + *cause. */
static int
config_error(struct config *conf, struct config_part *part, u_int line,
    char **cause)
{
	char	*where, *s;

	where = config_where(conf, part, line);
	xasprintf(&s, "%s%s", where, *cause);
	free(where);
	free(*cause);
	*cause = s;
	return (-1);
}

static struct config_value *
config_part_value(struct config_part *part, const char *name)
{
	struct config_value	*v;

	TAILQ_FOREACH(v, &part->values, entry) {
		if (strcmp(v->key->name, name) == 0)
			return (v);
	}
	return (NULL);
}

static struct config_part *
config_part_of(struct config *conf, void *object)
{
	struct config_part	*part;

	TAILQ_FOREACH(part, &conf->parts, entry) {
		if (part->object == object)
			return (part);
	}
	return (NULL);
}

/*
 * Sections by kind and name (tsearch: a balanced tree in glibc and musl),
 * so that a duplicate name or a check named in a wait list is found in
 * log time: 30,000 sections took 7s when each looked at all the others.
 */
static int
config_part_compare(const void *a, const void *b)
{
	const struct config_part	*pa = a, *pb = b;

	if (pa->section != pb->section)
		return (pa->section < pb->section ? -1 : 1);
	return (strcmp(pa->name, pb->name));
}

static struct config_part *
config_part_named(struct config *conf, enum config_section section,
    const char *name)
{
	struct config_part	 key;
	void			*found;

	key.section = section;
	key.name = (char *)name;
	if ((found = tfind(&key, &conf->names, config_part_compare)) == NULL)
		return (NULL);
	return (*(struct config_part **)found);
}

static struct config_part *
config_part_new(struct config *conf, enum config_section section,
    const char *name, u_int line, void *object)
{
	struct config_part	*part;

	part = xcalloc(1, sizeof *part);
	part->section = section;
	part->name = name == NULL ? NULL : xstrdup(name);
	part->line = line;
	part->object = object;
	TAILQ_INIT(&part->values);
	TAILQ_INSERT_TAIL(&conf->parts, part, entry);
	if (part->name != NULL &&
	    tsearch(part, &conf->names, config_part_compare) == NULL)
		fatalx("tsearch: out of memory");
	return (part);
}

static void
config_part_free(struct config_part *part)
{
	struct config_value	*v;

	if (part == NULL)
		return;
	while ((v = TAILQ_FIRST(&part->values)) != NULL) {
		TAILQ_REMOVE(&part->values, v, entry);
		free(v->written);
		free(v);
	}
	free(part->name);
	free(part);
}

static void
config_free_list(char **list, u_int n)
{
	u_int	 i;

	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

/* "db, cache" */
static int
config_parse_list(const char *value, char ***listp, u_int *np, char **cause)
{
	char		**list = NULL, *name;
	const char	 *p = value;
	u_int		  n = 0, i;
	size_t		  len;

	for (;;) {
		p += strspn(p, " \t");
		if (*p == '\0' && n == 0)
			break;
		len = strcspn(p, ",");
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (!config_valid_name(p, len)) {
			xasprintf(cause, "bad check name '%.*s' in '%s'",
			    (int)strcspn(p, ","), p, value);
			goto fail;
		}
		name = xstrndup(p, len);
		for (i = 0; i < n; i++) {
			if (strcmp(list[i], name) == 0) {
				xasprintf(cause, "'%s' listed twice", name);
				free(name);
				goto fail;
			}
		}
		list = xreallocarray(list, n + 1, sizeof *list);
		list[n++] = name;
		p += strcspn(p, ",");
		if (*p == '\0')
			break;
		p++;
	}
	config_free_list(*listp, *np);
	*listp = list;
	*np = n;
	return (0);

fail:
	config_free_list(list, n);
	return (-1);
}

/* "200-399, 404" */
static int
config_parse_ranges(struct check *c, const char *value, char **cause)
{
	struct status_range	*r = NULL;
	const char		*p = value;
	char			*end;
	u_int			 n = 0;
	long			 lo, hi;

	for (;;) {
		p += strspn(p, " \t");
		if (!isdigit((u_char)*p))
			goto bad;
		lo = hi = strtol(p, &end, 10);
		p = end + strspn(end, " \t");
		if (*p == '-') {
			p += 1 + strspn(p + 1, " \t");
			if (!isdigit((u_char)*p))
				goto bad;
			hi = strtol(p, &end, 10);
			p = end + strspn(end, " \t");
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
	free(c->expect_status);
	c->expect_status = r;
	c->nexpect_status = n;
	return (0);

bad:
	xasprintf(cause, "bad status list '%s' (e.g. 200-399, 404)", value);
	free(r);
	return (-1);
}

static int
config_token_char(int c)
{
	return (isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) !=
	    NULL));
}

static int
config_parse_header(struct check *c, const char *value, char **cause)
{
	const char	*p;

	if (*value == '\0')
		return (0);	/* "header =": none */
	for (p = value; config_token_char((u_char)*p); p++)
		/* nothing */;
	if (p == value || *p != ':') {
		xasprintf(cause, "bad header '%s' (use \"Name: value\")",
		    value);
		return (-1);
	}
	for (; *p != '\0'; p++) {
		if ((u_char)*p < ' ' && *p != '\t') {
			*cause = xstrdup("header contains a control character");
			return (-1);
		}
	}
	c->headers = xreallocarray(c->headers, c->nheaders + 1,
	    sizeof *c->headers);
	c->headers[c->nheaders++] = xstrdup(value);
	return (0);
}

/*
 * ASCII only, without the locale's tables: the defaults are parsed at
 * every start, and strcasecmp() or isdigit() would map 64 KiB of them
 * for this.
 */
static int
config_word_is(const char *s, const char *lower)
{
	for (; *lower != '\0'; s++, lower++) {
		if ((*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s) != *lower)
			return (0);
	}
	return (*s == '\0');
}

static int
config_parse_bool(const char *value, int *b)
{
	static const char *const yes[] = { "yes", "true", "on", "1", NULL };
	static const char *const no[] = { "no", "false", "off", "0", NULL };
	u_int	 i;

	for (i = 0; yes[i] != NULL; i++) {
		if (config_word_is(value, yes[i])) {
			*b = 1;
			return (0);
		}
		if (config_word_is(value, no[i])) {
			*b = 0;
			return (0);
		}
	}
	return (-1);
}

static char *
config_choices(const struct config_key *key, const char *sep)
{
	struct buf	 b;
	u_int		 i;

	buf_init(&b);
	for (i = 0; key->choices[i] != NULL; i++) {
		if (i != 0)
			buf_puts(&b, key->choices[i + 1] == NULL ? " or " : sep);
		buf_puts(&b, key->choices[i]);
	}
	return (buf_steal(&b));
}

/*
 * listen: addresses separated by commas or blanks, each ADDR:PORT,
 * [ADDR]:PORT, :PORT or PORT (names are resolved by the endpoint).
 */
static int
config_parse_listen(const char *value, char **cause)
{
	const char	*p = value, *word, *port, *close;
	size_t		 len, i;
	u_long		 n;

	for (;;) {
		p += strspn(p, ", \t");
		if (*p == '\0')
			return (0);
		word = p;
		len = strcspn(p, ", \t");
		p += len;
		port = word;
		if (*word == '[') {
			close = memchr(word, ']', len);
			if (close == NULL || close[1] != ':')
				goto bad;
			port = close + 2;
		} else {
			for (i = 0; i < len; i++) {
				if (word[i] == ':') {
					if (port != word)
						goto bad;
					port = word + i + 1;
				}
			}
		}
		for (n = 0; port < p && isdigit((u_char)*port) && n <= 65535;
		    port++)
			n = n * 10 + (*port - '0');
		if (port != p || n == 0 || n > 65535)
			goto bad;
	}

bad:
	xasprintf(cause, "bad address '%.*s' (use ADDR:PORT, [ADDR]:PORT or "
	    ":PORT, port 1 to 65535)", (int)len, word);
	return (-1);
}

/*
 * Store one value (expanded: value; as written: written) in the object of
 * its section. The cause does not name the key; the caller adds it.
 */
static int
config_apply(const struct config_key *key, void *object, const char *value,
    const char *written, char **cause)
{
	struct config	*conf = object;
	struct check	*c = object;
	struct task	*t = object;
	char		*p = (char *)object + key->offset, *s, b1[32], b2[32];
	uint64_t	 ms;
	u_long		 n;
	u_int		 i;
	int		 yes;

	switch (key->type) {
	case CONFIG_DURATION:
		if (duration_parse(value, &ms, cause) != 0)
			return (-1);
		if (ms < key->min || ms > key->max) {
			xasprintf(cause, "%s is out of range (%s to %s)", value,
			    duration_format(key->min, b1, sizeof b1),
			    duration_format(key->max, b2, sizeof b2));
			return (-1);
		}
		*(uint64_t *)p = ms;
		break;
	case CONFIG_NUMBER:
		n = 0;
		/* Not isdigit(): see config_word_is(). */
		for (s = (char *)value; *s >= '0' && *s <= '9'; s++) {
			if (n <= key->max)
				n = n * 10 + (*s - '0');
		}
		if (*value == '\0' || *s != '\0') {
			xasprintf(cause, "bad number '%s'", value);
			return (-1);
		}
		if (n < key->min || n > key->max) {
			xasprintf(cause, "%s is out of range (%llu to %llu)",
			    value, (unsigned long long)key->min,
			    (unsigned long long)key->max);
			return (-1);
		}
		*(u_int *)p = n;
		break;
	case CONFIG_BOOL:
		if (config_parse_bool(value, &yes) != 0) {
			xasprintf(cause, "bad value '%s' (use yes or no)",
			    value);
			return (-1);
		}
		*(int *)p = yes;
		break;
	case CONFIG_CHOICE:
		for (i = 0; key->choices[i] != NULL; i++) {
			if (strcmp(value, key->choices[i]) == 0)
				break;
		}
		if (key->choices[i] == NULL) {
			s = config_choices(key, ", ");
			xasprintf(cause, "bad value '%s' (use %s)", value, s);
			free(s);
			return (-1);
		}
		*(int *)p = i;
		break;
	case CONFIG_STRING:
		if (key->section == CONFIG_SECTION_HINIT &&
		    strcmp(key->name, "listen") == 0 &&
		    config_parse_listen(value, cause) != 0)
			return (-1);
		if (strcmp(key->name, "method") == 0) {
			for (s = (char *)value; config_token_char((u_char)*s);
			    s++)
				/* nothing */;
			if (*value == '\0' || *s != '\0') {
				xasprintf(cause, "bad method '%s'", value);
				return (-1);
			}
		}
		free(*(char **)p);
		*(char **)p = NULL;
		if (*value == '\0')
			break;
		if (key->section == CONFIG_SECTION_HINIT &&
		    strcmp(key->name, "status_file") == 0 &&
		    strcmp(value, STATUS_DEFAULT_FILE) == 0)
			break;	/* the default places */
		*(char **)p = xstrdup(value);
		break;
	case CONFIG_LIST:
		if (key->section == CONFIG_SECTION_TASK)
			return (config_parse_list(value, &t->wait, &t->nwait,
			    cause));
		return (config_parse_list(value, &conf->wait, &conf->nwait,
		    cause));
	case CONFIG_URL:
		if (*value == '\0') {
			*cause = xstrdup("empty target");
			return (-1);
		}
		free(c->target);
		free(c->target_shown);
		c->target = xstrdup(value);
		c->target_shown = url_mask(written);
		break;
	case CONFIG_COMMAND:
		if (key->section == CONFIG_SECTION_HINIT) {
			/* on_change: empty is none. */
			free(conf->on_change);
			free(conf->on_change_shown);
			conf->on_change = conf->on_change_shown = NULL;
			if (*value == '\0')
				break;
			conf->on_change = xstrdup(value);
			conf->on_change_shown = xstrdup(written);
			break;
		}
		if (*value == '\0') {
			*cause = xstrdup("empty command");
			return (-1);
		}
		if (key->section == CONFIG_SECTION_TASK) {
			free(t->command);
			free(t->command_shown);
			t->command = xstrdup(value);
			t->command_shown = xstrdup(written);
			break;
		}
		free(c->command);
		free(c->target);
		free(c->target_shown);
		c->command = xstrdup(value);
		xasprintf(&c->target, "exec:%s", value);
		xasprintf(&c->target_shown, "exec:%s", written);
		break;
	case CONFIG_HEADER:
		return (config_parse_header(c, value, cause));
	case CONFIG_STATUS_RANGES:
		return (config_parse_ranges(c, value, cause));
	case CONFIG_SIGNAL:
		*(int *)p = 0;
		if (*value == '\0')
			break;
		if ((yes = signal_parse(value)) == -1 || yes == SIGKILL ||
		    yes == SIGSTOP) {
			xasprintf(cause, "bad signal '%s' (e.g. SIGQUIT, INT, "
			    "15; not KILL or STOP)", value);
			return (-1);
		}
		*(int *)p = yes;
		break;
	}
	return (0);
}

/* Every key of a section at its default, from the table. */
static void
config_defaults(enum config_section section, void *object)
{
	const struct config_key	*key;
	char			*cause;
	u_int			 i;

	for (i = 0; i < config_nkeys; i++) {
		key = &config_keys[i];
		if (key->section != section || *key->dflt == '\0')
			continue;
		if (config_apply(key, object, key->dflt, key->dflt,
		    &cause) != 0)
			fatalx("default of %s: %s", key->name, cause);
	}
}

struct config *
config_new(void)
{
	struct config	*conf;

	conf = xcalloc(1, sizeof *conf);
	TAILQ_INIT(&conf->checks);
	TAILQ_INIT(&conf->tasks);
	TAILQ_INIT(&conf->parts);
	config_defaults(CONFIG_SECTION_HINIT, conf);
	return (conf);
}

static struct check *
config_check_new(struct config *conf, const char *name, u_int line)
{
	struct check	*c;

	c = xcalloc(1, sizeof *c);
	c->name = xstrdup(name);
	if (conf->file != NULL && line != 0)
		c->file = xstrdup(conf->file);
	c->line = line;
	config_defaults(CONFIG_SECTION_CHECK, c);
	TAILQ_INSERT_TAIL(&conf->checks, c, entry);
	return (c);
}

static void
task_free(struct task *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->command);
	free(t->command_shown);
	config_free_list(t->wait, t->nwait);
	free(t->file);
	free(t);
}

struct check *
config_find_check(struct config *conf, const char *name)
{
	struct config_part	*part;
	struct check		*c;

	if (conf->names != NULL &&
	    (part = config_part_named(conf, CONFIG_SECTION_CHECK, name)) != NULL)
		return (part->object);
	/*
	 * A check no section made (notify's "app"), or a config made by hand,
	 * not read (tests).
	 */
	TAILQ_FOREACH(c, &conf->checks, entry) {
		if (strcmp(c->name, name) == 0)
			return (c);
	}
	return (NULL);
}

static void
config_part_forget(void *part)
{
}

void
config_free(struct config *conf)
{
	struct check		*c;
	struct task		*t;
	struct config_part	*part;

	if (conf == NULL)
		return;
	while ((c = TAILQ_FIRST(&conf->checks)) != NULL) {
		TAILQ_REMOVE(&conf->checks, c, entry);
		check_free(c);
	}
	while ((t = TAILQ_FIRST(&conf->tasks)) != NULL) {
		TAILQ_REMOVE(&conf->tasks, t, entry);
		task_free(t);
	}
	tdestroy(conf->names, config_part_forget);
	while ((part = TAILQ_FIRST(&conf->parts)) != NULL) {
		TAILQ_REMOVE(&conf->parts, part, entry);
		config_part_free(part);
	}
	free(conf->file);
	config_free_list(conf->wait, conf->nwait);
	free(conf->listen);
	free(conf->status_file);
	free(conf->version);
	free(conf->on_change);
	free(conf->on_change_shown);
	free(conf);
}

/*
 * ${file:PATH}: the contents of a file (Docker and Kubernetes secrets under
 * /run/secrets), trailing line breaks taken off. An error names the file,
 * never what it holds.
 */
static int
config_read_file(const char *path, char **out, char **cause)
{
	struct stat	 st;
	struct buf	 b;
	char		 data[4096];
	ssize_t		 n;
	int		 fd, error;

	if (*path != '/') {
		xasprintf(cause, "${file:%s}: the path must be absolute", path);
		return (-1);
	}
	/* Not O_NOFOLLOW: Kubernetes mounts secrets as links. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		xasprintf(cause, "${file:%s}: %s", path, strerror(errno));
		return (-1);
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		xasprintf(cause, "${file:%s}: not a regular file", path);
		close(fd);
		return (-1);
	}
	buf_init(&b);
	buf_add(&b, "", 0);
	while ((n = read(fd, data, sizeof data)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 || b.len + n > CONFIG_FILE_MAX) {
			error = n == -1 ? errno : EFBIG;
			xasprintf(cause, "${file:%s}: %s", path, n == -1 ?
			    strerror(error) : "larger than 64 KiB");
			explicit_bzero(b.data, b.len);
			buf_free(&b);
			close(fd);
			return (-1);
		}
		buf_add(&b, data, n);
	}
	close(fd);
	explicit_bzero(data, sizeof data);
	while (b.len > 0 && (b.data[b.len - 1] == '\n' ||
	    b.data[b.len - 1] == '\r'))
		b.data[--b.len] = '\0';
	if (strlen(b.data) != b.len) {
		xasprintf(cause, "${file:%s}: holds a NUL byte", path);
		explicit_bzero(b.data, b.len);
		buf_free(&b);
		return (-1);
	}
	*out = buf_steal(&b);
	return (0);
}

/* "${file:PATH}" at *pp: its value, or in a command a reference to it. */
static int
config_expand_file(const char **pp, int flags, struct buf *b, char **cause)
{
	const char	*p = *pp, *end;
	char		*path, *value;

	if ((end = strchr(p, '}')) == NULL) {
		xasprintf(cause, "missing '}' after '${file:'");
		return (-1);
	}
	path = xstrndup(p + 7, end - (p + 7));
	if (*path == '\0' || strchr(path, '{') != NULL) {
		xasprintf(cause, "bad '${file:%s}' (use ${file:/PATH})", path);
		free(path);
		return (-1);
	}
	if (config_read_file(path, &value, cause) != 0) {
		free(path);
		return (-1);
	}
	if (flags & CONFIG_EXPAND_SECRET)
		secret_add(value);
	if (flags & CONFIG_EXPAND_COMMAND)
		buf_printf(b, "${%s}", secret_variable(path, value));
	else
		buf_puts(b, value);
	explicit_bzero(value, strlen(value));
	free(value);
	free(path);
	*pp = end + 1;
	return (0);
}

/*
 * ${VAR} and ${VAR:-default} (default also when VAR is empty, as in sh).
 * "$$" and a '$' not followed by '{' stay as they are. With
 * CONFIG_EXPAND_SECRET each value taken from the environment is a secret
 * (secret.c). With CONFIG_EXPAND_COMMAND a variable that is set stays a
 * reference, "${VAR}", for /bin/sh to expand from the environment it
 * inherits: its value never enters the command line, which every user can
 * read in /proc, and never becomes shell code; a default is written in
 * the config, and goes in as written.
 */
static int
config_expand_flags(const char *in, int flags, char **out, char **cause)
{
	struct buf	 b;
	const char	*p = in, *name, *end, *dflt, *value;
	char		*var;
	size_t		 len;

	buf_init(&b);
	while (*p != '\0') {
		if (p[0] == '$' && p[1] == '$') {
			buf_add(&b, p, 2);
			p += 2;
			continue;
		}
		if (p[0] != '$' || p[1] != '{') {
			buf_putc(&b, *p++);
			continue;
		}
		if (strncmp(p, "${file:", 7) == 0) {
			if (config_expand_file(&p, flags, &b, cause) != 0)
				goto fail;
			continue;
		}
		name = p + 2;
		len = 0;
		if (isalpha((u_char)*name) || *name == '_') {
			while (isalnum((u_char)name[len]) || name[len] == '_')
				len++;
		}
		if ((end = strchr(name, '}')) == NULL) {
			xasprintf(cause, "missing '}' after '%.*s'",
			    (int)(name + len - p), p);
			goto fail;
		}
		if (len == 0 || (name[len] != '}' &&
		    strncmp(name + len, ":-", 2) != 0)) {
			xasprintf(cause, "bad '%.*s' (use ${NAME} or "
			    "${NAME:-DEFAULT})", (int)(end + 1 - p), p);
			goto fail;
		}
		var = xstrndup(name, len);
		value = getenv(var);
		if (name[len] == '}') {
			if (value == NULL) {
				xasprintf(cause, "${%s} is not set (write "
				    "${%s:-DEFAULT} to give a default)", var,
				    var);
				free(var);
				goto fail;
			}
		} else {
			dflt = name + len + 2;
			if (memchr(dflt, '{', end - dflt) != NULL) {
				xasprintf(cause, "nested braces in the default "
				    "of ${%s} are not supported", var);
				free(var);
				goto fail;
			}
			if (value == NULL || *value == '\0') {
				buf_add(&b, dflt, end - dflt);
				value = NULL;
			}
		}
		if (value != NULL && (flags & CONFIG_EXPAND_SECRET))
			secret_add(value);
		if (value != NULL && (flags & CONFIG_EXPAND_COMMAND))
			buf_printf(&b, "${%s}", var);
		else if (value != NULL)
			buf_puts(&b, value);
		free(var);
		p = end + 1;
	}
	*out = buf_steal(&b);
	return (0);

fail:
	buf_free(&b);
	return (-1);
}

int
config_expand(const char *in, char **out, char **cause)
{
	return (config_expand_flags(in, 0, out, cause));
}

/* A suggestion keeps the closest candidate within two edits. */
struct config_suggestion {
	const char	*best;
	u_int		 distance;
};

static void
config_suggest_consider(struct config_suggestion *sg, const char *name,
    const char *candidate)
{
	u_int	 d;

	if ((d = config_distance(name, candidate)) < sg->distance) {
		sg->best = candidate;
		sg->distance = d;
	}
}

static char *
config_suggest_format(const struct config_suggestion *sg)
{
	char	*s;

	if (sg->best == NULL)
		return (xstrdup(""));
	xasprintf(&s, " (did you mean '%s'?)", sg->best);
	return (s);
}

static char *
config_suggest_key(enum config_section section, const char *name)
{
	struct config_suggestion	 sg = { NULL, 3 };
	u_int				 i;

	for (i = 0; i < config_nkeys; i++) {
		if (config_keys[i].section == section)
			config_suggest_consider(&sg, name, config_keys[i].name);
	}
	return (config_suggest_format(&sg));
}

static char *
config_suggest_check(struct config *conf, const char *name)
{
	struct config_suggestion	 sg = { NULL, 3 };
	struct check			*c;

	TAILQ_FOREACH(c, &conf->checks, entry)
		config_suggest_consider(&sg, name, c->name);
	return (config_suggest_format(&sg));
}

/* Every "what" in s replaced by "with"; s is freed. */
static char *
config_replace(char *s, const char *what, const char *with)
{
	struct buf	 b;
	const char	*p, *q;
	size_t		 len = strlen(what);

	if (len == 0 || strstr(s, what) == NULL)
		return (s);
	buf_init(&b);
	buf_add(&b, "", 0);
	for (p = s; (q = strstr(p, what)) != NULL; p = q + len) {
		buf_add(&b, p, q - p);
		buf_puts(&b, with);
	}
	buf_puts(&b, p);
	free(s);
	return (buf_steal(&b));
}

/*
 * A cause quotes the value it refused, or a piece of it: show it as
 * written, so that what came from the environment (a secret, maybe) stays
 * out of the error: the whole value (if known), then each variable's value.
 */
static char *
config_unexpand(char *cause, const char *value, const char *written)
{
	const char	*p, *v;
	char		*name, *with;
	size_t		 len;

	if (value != NULL) {
		if (strcmp(value, written) == 0)
			return (cause);
		cause = config_replace(cause, value, written);
	}
	for (p = written; (p = strstr(p, "${")) != NULL; p += 2) {
		len = strspn(p + 2, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
		if (len == 0)
			continue;
		name = xstrndup(p + 2, len);
		if ((v = getenv(name)) != NULL && *v != '\0') {
			xasprintf(&with, "${%s}", name);
			cause = config_replace(cause, v, with);
			free(with);
		}
		free(name);
	}
	return (cause);
}

/* Set one key of a section from a line (0: command line). */
static int
config_set(struct config *conf, struct config_part *part, const char *name,
    const char *written, u_int line, char **cause)
{
	const struct config_key	*key;
	struct config_value	*v;
	char			*value, *s, *hint;
	int			 flags;

	if ((key = config_key_find(part->section, name)) == NULL) {
		hint = config_suggest_key(part->section, name);
		xasprintf(cause, "unknown key '%s'%s", name, hint);
		free(hint);
		return (-1);
	}
	if (key->type != CONFIG_HEADER &&
	    (v = config_part_value(part, name)) != NULL) {
		xasprintf(cause, "duplicate key '%s' (first at line %u)", name,
		    v->line);
		return (-1);
	}
	if (part->section == CONFIG_SECTION_CHECK &&
	    (key->type == CONFIG_URL || key->type == CONFIG_COMMAND) &&
	    ((v = config_part_value(part, "url")) != NULL ||
	    (v = config_part_value(part, "command")) != NULL)) {
		xasprintf(cause, "%s: a check takes url or command, not both "
		    "(%s at line %u)", name, v->key->name, v->line);
		return (-1);
	}
	/*
	 * What a variable brings in is a secret, but where the key publishes
	 * it, or where its type leaves a word from a list, a number, status
	 * codes, a signal or the names of checks, which outputs show anyway.
	 */
	flags = 0;
	if (!(key->flags & CONFIG_KEY_PUBLIC) && key->type != CONFIG_DURATION &&
	    key->type != CONFIG_NUMBER && key->type != CONFIG_BOOL &&
	    key->type != CONFIG_CHOICE && key->type != CONFIG_LIST &&
	    key->type != CONFIG_STATUS_RANGES && key->type != CONFIG_SIGNAL)
		flags |= CONFIG_EXPAND_SECRET;
	if (key->type == CONFIG_COMMAND || (key->type == CONFIG_URL &&
	    strncasecmp(written, "exec:", 5) == 0))
		flags |= CONFIG_EXPAND_COMMAND;
	if (config_expand_flags(written, flags, &value, &s) != 0) {
		xasprintf(cause, "%s: %s", name, s);
		free(s);
		return (-1);
	}
	/*
	 * A target a variable makes a command would put the variable's value
	 * on a command line (ps shows it to everyone), and run what the
	 * environment says: a command is written as such.
	 */
	if (key->type == CONFIG_URL && !(flags & CONFIG_EXPAND_COMMAND) &&
	    strncasecmp(value, "exec:", 5) == 0) {
		xasprintf(cause, "%s: a variable cannot make the target a "
		    "command (write exec:COMMAND, or command =, in the file)",
		    name);
		free(value);
		return (-1);
	}
	/* A line of the file has none: it came from a variable. */
	if (strpbrk(value, "\r\n") != NULL) {
		xasprintf(cause, "%s: a variable's value holds a line break",
		    name);
		free(value);
		return (-1);
	}
	if (config_apply(key, part->object, value, written, &s) != 0) {
		s = config_unexpand(s, value, written);
		xasprintf(cause, "%s: %s", name, s);
		free(s);
		free(value);
		return (-1);
	}
	free(value);

	v = xcalloc(1, sizeof *v);
	v->key = key;
	v->written = xstrdup(written);
	v->line = line;
	TAILQ_INSERT_TAIL(&part->values, v, entry);
	return (0);
}

/*
 * A key of [hinit] from the command line, over the file: the same parser
 * and bounds as in the file, no ${VAR} (the shell has expanded the command
 * line already). The cause does not name the option; the caller does.
 */
int
config_override(struct config *conf, const char *name, const char *value,
    char **cause)
{
	const struct config_key	*key;
	struct config_part	*part;
	struct config_value	*v;

	if ((key = config_key_find(CONFIG_SECTION_HINIT, name)) == NULL)
		fatalx("config_override: no key %s", name);
	if (config_apply(key, conf, value, value, cause) != 0)
		return (-1);
	if ((part = config_part_of(conf, conf)) == NULL) {
		part = config_part_new(conf, CONFIG_SECTION_HINIT, NULL, 0,
		    conf);
	}
	if ((v = config_part_value(part, name)) != NULL) {
		TAILQ_REMOVE(&part->values, v, entry);
		free(v->written);
		free(v);
	}
	v = xcalloc(1, sizeof *v);
	v->key = key;
	v->written = xstrdup(value);
	TAILQ_INSERT_TAIL(&part->values, v, entry);
	return (0);
}

/* The section just read is complete: what it must have. */
static int
config_part_end(struct config *conf, struct config_part *part, char **cause)
{
	if (part == NULL)
		return (0);
	if (part->section == CONFIG_SECTION_CHECK &&
	    config_part_value(part, "url") == NULL &&
	    config_part_value(part, "command") == NULL) {
		*cause = xstrdup("missing 'url' (or 'command')");
		return (config_error(conf, part, part->line, cause));
	}
	if (part->section == CONFIG_SECTION_TASK &&
	    config_part_value(part, "command") == NULL) {
		*cause = xstrdup("missing 'command'");
		return (config_error(conf, part, part->line, cause));
	}
	return (0);
}

/* " (did you mean [check:db]?)" for "[chek:db]"; colon: the ':' or NULL. */
static char *
config_suggest_section(const char *name, const char *colon)
{
	struct config_suggestion	 sg = { NULL, 3 };
	u_int				 i;
	char				*s;

	for (i = 0; i < nitems(config_section_names); i++)
		config_suggest_consider(&sg, name, config_section_names[i]);
	if (sg.best == NULL)
		return (xstrdup(""));
	if (strcmp(sg.best, "hinit") == 0)
		return (xstrdup(" (did you mean [hinit]?)"));
	xasprintf(&s, " (did you mean [%s:%s]?)", sg.best,
	    colon != NULL && colon[1] != '\0' ? colon + 1 : "NAME");
	return (s);
}

/* "[check:db]" seen by the reader: start the section. */
static int
config_header(struct config_parse *cp, char *s, char **cause)
{
	struct config		*conf = cp->conf;
	struct config_part	*part;
	struct task		*t;
	enum config_section	 section;
	char			*end, *name, *colon, *hint;
	u_int			 i;
	size_t			 len;

	if ((end = strchr(s, ']')) == NULL) {
		*cause = xstrdup("missing ']' in the section header");
		return (-1);
	}
	*end++ = '\0';
	end += strspn(end, " \t");
	if (*end != '\0' && *end != ';' && *end != '#') {
		xasprintf(cause, "unexpected '%s' after [%s]", end, s + 1);
		return (-1);
	}
	name = s + 1;
	if ((colon = strchr(name, ':')) != NULL)
		*colon = '\0';
	for (i = 0; i < nitems(config_section_names); i++) {
		if (strcmp(name, config_section_names[i]) == 0)
			break;
	}
	if (i == nitems(config_section_names) ||
	    (i == CONFIG_SECTION_HINIT) != (colon == NULL)) {
		hint = config_suggest_section(name, colon);
		if (colon != NULL)
			*colon = ':';
		xasprintf(cause, "unknown section [%s]%s (use [hinit], "
		    "[check:NAME] or [task:NAME])", name, hint);
		free(hint);
		return (-1);
	}
	section = i;

	if (section == CONFIG_SECTION_HINIT) {
		if ((part = config_part_of(conf, conf)) != NULL) {
			xasprintf(cause, "section [hinit] given twice (first "
			    "at line %u)", part->line);
			return (-1);
		}
		cp->part = config_part_new(conf, section, NULL, cp->line, conf);
		return (0);
	}

	name = colon + 1;
	len = strlen(name);
	if (!config_valid_name(name, len)) {
		xasprintf(cause, "bad %s name '%s' in [%s:%s] (use letters, "
		    "digits, '_', '.', '-')", config_section_names[section],
		    name, config_section_names[section], name);
		return (-1);
	}
	if ((part = config_part_named(conf, section, name)) != NULL) {
		xasprintf(cause, "duplicate %s name '%s' (first at line %u)",
		    config_section_names[section], name, part->line);
		return (-1);
	}
	if (section == CONFIG_SECTION_CHECK) {
		cp->part = config_part_new(conf, section, name, cp->line,
		    config_check_new(conf, name, cp->line));
		return (0);
	}
	t = xcalloc(1, sizeof *t);
	t->name = xstrdup(name);
	t->file = xstrdup(conf->file);
	t->line = cp->line;
	config_defaults(CONFIG_SECTION_TASK, t);
	TAILQ_INSERT_TAIL(&conf->tasks, t, entry);
	cp->part = config_part_new(conf, section, name, cp->line, t);
	return (0);
}

/* Where a value ends, as inih sees it: at '=', ':' or " ;" comment. */
static size_t
config_key_length(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0' && s[i] != '=' && s[i] != ':'; i++) {
		if (s[i] == ';' && i > 0 && isspace((u_char)s[i - 1]))
			break;
	}
	return (i);
}

/*
 * Read one line into cp->buf: what inih takes and a little more, never
 * all of a line that may not end (a file of one huge line, a FIFO): a
 * line longer than that is an error anyway, found from its start. The
 * length, -1 at the end, -2 on a read error (errno set): never a config
 * cut short that looks whole.
 */
static ssize_t
config_getline(struct config_parse *cp, int num)
{
	size_t	 len = 0;
	int	 ch = EOF;

	if (cp->buf == NULL) {
		cp->bufsize = (num > 0 ? (size_t)num : 0) + 2;
		cp->buf = xmalloc(cp->bufsize);
	}
	errno = 0;
	while (len < cp->bufsize - 1 && (ch = getc(cp->f)) != EOF) {
		cp->buf[len++] = ch;
		if (ch == '\n')
			break;
	}
	if (ch == EOF && ferror(cp->f)) {
		if (errno == 0)
			errno = EIO;
		return (-2);
	}
	if (len == 0)
		return (-1);
	cp->buf[len] = '\0';
	return (len);
}

/*
 * inih's reader: hands inih one line at a time, but sees every line first,
 * so it knows the line number, and catches what inih would accept silently
 * or report without saying why. Returning NULL ends the parse.
 */
static char *
config_read_line(char *str, int num, void *arg)
{
	struct config_parse	*cp = arg;
	ssize_t			 n;
	size_t			 len, klen;
	char			*s, *start, *cause = NULL;

	if (cp->cause != NULL)
		return (NULL);
	if ((n = config_getline(cp, num)) < 0) {
		if (n == -2) {
			xasprintf(&cp->cause, "%s: %s", cp->file,
			    strerror(errno));
		} else if (config_part_end(cp->conf, cp->part, &cause) != 0)
			cp->cause = cause;
		return (NULL);
	}
	cp->line++;
	s = cp->buf;
	len = n;
	if (strlen(s) != len) {
		cause = xstrdup("line contains a NUL byte");
		goto fail;
	}
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		s[--len] = '\0';
	start = s;
	if (cp->line == 1 && strncmp(start, "\xef\xbb\xbf", 3) == 0)
		start += 3;	/* a UTF-8 BOM, as inih */
	start += strspn(start, " \t\f\v");

	/* inih needs room for "\r\n\0" after the longest line. */
	if (num < 3 || len > (size_t)num - 3) {
		klen = config_key_length(start);
		if (*start != ';' && *start != '#' && start[klen] != '\0' &&
		    klen < 64) {
			while (klen > 0 && isspace((u_char)start[klen - 1]))
				klen--;
			xasprintf(&cause, "line is longer than %d bytes "
			    "(key '%.*s')", num - 3, (int)klen, start);
		} else
			xasprintf(&cause, "line is longer than %d bytes",
			    num - 3);
		goto fail;
	}

	if (*start == '\0' || *start == ';' || *start == '#') {
		/* comment or blank: inih keeps the previous key */
	} else if (start != s && *cp->last_key != '\0') {
		xasprintf(&cause, "indented line would continue the value of "
		    "'%s' (multi-line values are not supported; remove the "
		    "indentation)", cp->last_key);
		goto fail;
	} else if (*start == '[') {
		if (config_part_end(cp->conf, cp->part, &cp->cause) != 0)
			return (NULL);
		cp->part = NULL;
		*cp->last_key = '\0';
		if (config_header(cp, start, &cause) != 0) {
			s = cause;
			xasprintf(&cause, "%s:%u: %s", cp->file, cp->line, s);
			free(s);
			cp->cause = cause;
			return (NULL);
		}
		/* inih only needs to forget its previous key. */
		start = (char *)"[]";
	} else {
		klen = config_key_length(start);
		if (start[klen] != '=' && start[klen] != ':') {
			cause = xstrdup("expected 'key = value'");
			goto fail;
		}
		while (klen > 0 && isspace((u_char)start[klen - 1]))
			klen--;
		if (klen >= sizeof cp->last_key)
			klen = sizeof cp->last_key - 1;
		memcpy(cp->last_key, start, klen);
		cp->last_key[klen] = '\0';
		if (cp->part == NULL) {
			xasprintf(&cause, "key '%s' outside a section (start "
			    "with [hinit], [check:NAME] or [task:NAME])",
			    cp->last_key);
			goto fail;
		}
	}
	len = strlen(start);
	memcpy(str, start, len);
	str[len++] = '\n';
	str[len] = '\0';
	return (str);

fail:
	xasprintf(&cp->cause, "%s:%u: %s", cp->file, cp->line, cause);
	free(cause);
	return (NULL);
}

static int
config_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct config_parse	*cp = arg;
	char			*cause;

	if (cp->cause != NULL || cp->part == NULL)
		return (0);
	if (config_set(cp->conf, cp->part, name, value, cp->line,
	    &cause) != 0) {
		config_error(cp->conf, cp->part, cp->line, &cause);
		cp->cause = cause;
		return (0);
	}
	return (1);
}

int
config_load(struct config *conf, const char *path, char **cause)
{
	struct config_parse	 cp;
	int			 error;

	memset(&cp, 0, sizeof cp);
	cp.conf = conf;
	cp.file = path;
	if ((cp.f = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (-1);
	}
	free(conf->file);
	conf->file = xstrdup(path);
	error = ini_parse_stream(config_read_line, &cp, config_handler, &cp);
	fclose(cp.f);
	free(cp.buf);
	if (cp.cause != NULL) {
		*cause = cp.cause;
		return (-1);
	}
	if (error != 0) {
		if (error > 0)
			xasprintf(cause, "%s:%d: syntax error", path, error);
		else
			xasprintf(cause, "%s: cannot parse", path);
		return (-1);
	}
	return (0);
}

/* The check type a target's scheme names: "https://..." is http. */
static char *
config_type_name(const char *target)
{
	size_t	 n, i;
	char	*s;

	if (strncasecmp(target, "exec:", 5) == 0)
		return (xstrdup("exec"));
	n = strcspn(target, ":");
	if (n == 0 || strncmp(target + n, "://", 3) != 0)
		return (NULL);
	s = xstrndup(target, n);
	for (i = 0; i < n; i++)
		s[i] = tolower((u_char)s[i]);
	if (strcmp(s, "https") == 0)
		s[4] = '\0';
	else if (strcmp(s, "postgresql") == 0)
		s[8] = '\0';
	return (s);
}

int
config_add_target(struct config *conf, const char *spec, char **cause)
{
	const struct config_key	*key;
	struct config_part	*part;
	struct check		*c;
	const char		*target = spec;
	char			*name, *type, *shown;
	size_t			 n;
	u_int			 i;

	n = strspn(spec, CONFIG_NAME_CHARS);
	if (n != 0 && spec[n] == '=')
		target = spec + n + 1;
	if ((type = config_type_name(target)) == NULL) {
		shown = url_mask(target);
		xasprintf(cause, "bad target '%s' (use http://, https://, "
		    "postgres://, redis://, tcp://HOST:PORT or exec:COMMAND)",
		    shown);
		free(shown);
		return (-1);
	}
	if (target != spec)
		name = xstrndup(spec, n);
	else {
		name = xstrdup(type);
		for (i = 2; config_find_check(conf, name) != NULL; i++) {
			free(name);
			xasprintf(&name, "%s-%u", type, i);
		}
	}
	free(type);
	if (config_find_check(conf, name) != NULL) {
		xasprintf(cause, "duplicate check name '%s'", name);
		free(name);
		return (-1);
	}
	key = config_key_find(CONFIG_SECTION_CHECK, "url");
	c = config_check_new(conf, name, 0);
	part = config_part_new(conf, CONFIG_SECTION_CHECK, name, 0, c);
	free(name);
	if (config_set(conf, part, key->name, target, 0, cause) != 0)
		return (config_error(conf, part, 0, cause));
	return (0);
}

/* A check type's cause may quote its target: as written, not expanded. */
static char *
config_unexpand_value(char *cause, struct check *c, struct config_value *tv)
{
	if (tv == NULL)
		return (cause);
	if (tv->key->type == CONFIG_COMMAND)
		return (config_unexpand(cause, c->command, tv->written));
	return (config_unexpand(cause, c->target, tv->written));
}

/* Type, type-specific keys and configure() of one check. */
static int
config_finish_check(struct config *conf, struct config_part *part,
    char **cause)
{
	struct check		*c = part->object;
	struct config_value	*v, *tv;
	struct url		 u;
	const char		*what;
	char			*s;

	tv = config_part_value(part, "url");
	if (tv == NULL)
		tv = config_part_value(part, "command");
	what = tv != NULL ? tv->key->name : "url";
	if (c->command == NULL && c->target != NULL &&
	    strncasecmp(c->target, "exec:", 5) == 0) {
		if (c->target[5] == '\0') {
			xasprintf(cause, "%s: empty command after exec:",
			    what);
			goto fail;
		}
		c->command = xstrdup(c->target + 5);
	}
	if (c->type == NULL) {
		/* Not check_type_for_target(): its cause shows the target. */
		if ((s = config_type_name(c->target)) == NULL) {
			xasprintf(cause, "%s: '%s' is not a URL (use http://, "
			    "https://, postgres://, redis://, tcp://HOST:PORT "
			    "or exec:COMMAND)", what, c->target_shown);
			goto fail;
		}
		free(s);
		/* One strict reading of every URL, whatever the type's own. */
		if (c->command == NULL) {
			if (url_parse(c->target, &u, &s) != 0) {
				s = config_unexpand_value(s, c, tv);
				xasprintf(cause, "%s: %s", what, s);
				free(s);
				goto fail;
			}
			url_add_secrets(&u);
			url_free(&u);
		}
		if ((c->type = check_type_for_target(c->target, &s)) == NULL) {
			s = config_unexpand_value(s, c, tv);
			xasprintf(cause, "%s: %s", what, s);
			free(s);
			goto fail;
		}
	}
	TAILQ_FOREACH(v, &part->values, entry) {
		if (!config_key_applies(v->key, c->type->name)) {
			xasprintf(cause, "key '%s' does not apply to %s checks",
			    v->key->name, c->type->name);
			return (config_error(conf, part, v->line, cause));
		}
	}
	if (c->type->configure != NULL && c->type->configure(c, &s) != 0) {
		s = config_unexpand_value(s, c, tv);
		xasprintf(cause, "%s: %s", what, s);
		free(s);
		goto fail;
	}
	return (0);

fail:
	return (config_error(conf, part, tv != NULL ? tv->line : part->line,
	    cause));
}

static int
config_finish_wait(struct config *conf, struct config_part *part,
    char **list, u_int n, char **cause)
{
	struct config_value	*v;
	char			*hint;
	u_int			 i;

	for (i = 0; i < n; i++) {
		if (conf->notify && strcmp(list[i], "app") == 0) {
			/* The app starts after the wait: it would never end. */
			xasprintf(cause, "wait: check app is the app's own "
			    "(notify = yes), told only once the app runs");
		} else if (config_find_check(conf, list[i]) != NULL)
			continue;
		else {
			hint = config_suggest_check(conf, list[i]);
			xasprintf(cause, "wait: no check named '%s'%s",
			    list[i], hint);
			free(hint);
		}
		if (part == NULL)
			return (-1);
		/* The name may have come from a variable. */
		if ((v = config_part_value(part, "wait")) != NULL)
			*cause = config_unexpand(*cause, NULL, v->written);
		return (config_error(conf, part, v != NULL ? v->line : 0,
		    cause));
	}
	return (0);
}

/*
 * notify = yes: the check "app", told by the app itself (checks/notify.c).
 * A live check: it speaks for the app, and a missed watchdog is the app's
 * own failure; one failure is enough.
 */
static int
config_finish_notify(struct config *conf, struct config_part *part,
    char **cause)
{
	struct config_value	*v;
	struct check		*c;

	if (!conf->notify) {
		if (conf->watchdog == 0)
			return (0);
		*cause = xstrdup("watchdog needs notify = yes");
		v = config_part_value(part, "watchdog");
		return (config_error(conf, part, v->line, cause));
	}
	if ((c = config_find_check(conf, "app")) != NULL) {
		xasprintf(cause, "notify = yes adds a check named 'app': "
		    "rename [check:app] (line %u)", c->line);
		v = config_part_value(part, "notify");
		return (config_error(conf, part, v->line, cause));
	}
	c = config_check_new(conf, "app", 0);
	c->type = &check_type_notify;
	c->target = xstrdup("notify");
	c->target_shown = xstrdup("notify");
	c->role = CHECK_ROLE_LIVE;
	c->retries = 1;
	c->timeout = 0;
	return (c->type->configure(c, cause));
}

int
config_finish(struct config *conf, char **cause)
{
	struct config_part	*part, *hpart;
	struct config_value	*v;
	struct task		*t;
	char			 b1[32], b2[32];

	hpart = config_part_of(conf, conf);
	TAILQ_FOREACH(part, &conf->parts, entry) {
		switch (part->section) {
		case CONFIG_SECTION_HINIT:
			if (config_finish_wait(conf, part, conf->wait,
			    conf->nwait, cause) != 0)
				return (-1);
			if (config_finish_notify(conf, part, cause) != 0)
				return (-1);
			if (conf->restart_delay > conf->restart_delay_max) {
				xasprintf(cause, "restart_delay (%s) is longer "
				    "than restart_delay_max (%s)",
				    duration_format(conf->restart_delay, b1,
				    sizeof b1),
				    duration_format(conf->restart_delay_max, b2,
				    sizeof b2));
				if ((v = config_part_value(part,
				    "restart_delay")) == NULL)
					v = config_part_value(part,
					    "restart_delay_max");
				return (config_error(conf, part, v->line,
				    cause));
			}
			break;
		case CONFIG_SECTION_CHECK:
			if (config_finish_check(conf, part, cause) != 0)
				return (-1);
			break;
		case CONFIG_SECTION_TASK:
			t = part->object;
			if (config_finish_wait(conf, part, t->wait, t->nwait,
			    cause) != 0)
				return (-1);
			break;
		}
	}
	if (hpart == NULL &&
	    config_finish_wait(conf, NULL, conf->wait, conf->nwait, cause) != 0)
		return (-1);
	return (0);
}

/* One "key = value" line, with the key's help the first time. */
static void
config_print_value(FILE *fp, const struct config_key *key, const char *value,
    u_char *seen)
{
	u_int	 i = key - config_keys;

	char	*s;

	if (!seen[i]) {
		fprintf(fp, "; %s\n", key->help);
		seen[i] = 1;
	}
	/* Values are shown as written: this only guards against a slip. */
	s = secret_scrub_string(value);
	if (*s == '\0')
		fprintf(fp, "%s =\n", key->name);
	else
		fprintf(fp, "%s = %s\n", key->name, s);
	free(s);
}

static void
config_print_list(FILE *fp, const struct config_key *key, char **list,
    u_int n, u_char *seen)
{
	struct buf	 b;
	u_int		 i;

	buf_init(&b);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i == 0 ? "" : ", ", list[i]);
	buf_putc(&b, '\0');
	config_print_value(fp, key, b.data, seen);
	buf_free(&b);
}

/* The effective value of a key that is a plain value. */
static const char *
config_print_scalar(const struct config_key *key, void *object, char *buf,
    size_t len)
{
	char	*p = (char *)object + key->offset;

	switch (key->type) {
	case CONFIG_DURATION:
		return (duration_format(*(uint64_t *)p, buf, len));
	case CONFIG_NUMBER:
		snprintf(buf, len, "%u", *(u_int *)p);
		return (buf);
	case CONFIG_BOOL:
		return (*(int *)p ? "yes" : "no");
	case CONFIG_CHOICE:
		return (key->choices[*(int *)p]);
	case CONFIG_SIGNAL:
		if (*(int *)p == 0)
			return ("");
		snprintf(buf, len, "SIG%s", signal_name(*(int *)p));
		if (strcmp(buf, "SIGRT") == 0)
			snprintf(buf, len, "%d", *(int *)p);
		return (buf);
	default:
		return (NULL);
	}
}

static void
config_print_part(struct config *conf, struct config_part *part, FILE *fp,
    u_char *seen)
{
	const struct config_key	*key;
	struct config_value	*v;
	struct check		*c = NULL;
	struct task		*t = NULL;
	const char		*s;
	char			 buf[64];
	u_int			 i, n;

	if (part->section == CONFIG_SECTION_CHECK)
		c = part->object;
	else if (part->section == CONFIG_SECTION_TASK)
		t = part->object;
	for (i = 0; i < config_nkeys; i++) {
		key = &config_keys[i];
		if (key->section != part->section)
			continue;
		if (c != NULL && c->type != NULL &&
		    !config_key_applies(key, c->type->name))
			continue;
		if ((s = config_print_scalar(key, part->object, buf,
		    sizeof buf)) != NULL) {
			config_print_value(fp, key, s, seen);
			continue;
		}
		switch (key->type) {
		case CONFIG_LIST:
			if ((v = config_part_value(part, key->name)) != NULL)
				config_print_value(fp, key, v->written, seen);
			else if (t != NULL)
				config_print_list(fp, key, t->wait, t->nwait,
				    seen);
			else
				config_print_list(fp, key, conf->wait,
				    conf->nwait, seen);
			continue;
		case CONFIG_URL:
			if (config_part_value(part, key->name) != NULL)
				config_print_value(fp, key, c->target_shown,
				    seen);
			continue;
		case CONFIG_COMMAND:
			if ((v = config_part_value(part, key->name)) != NULL)
				config_print_value(fp, key, v->written, seen);
			else if (part->section == CONFIG_SECTION_HINIT) {
				config_print_value(fp, key,
				    conf->on_change_shown != NULL ?
				    conf->on_change_shown : "", seen);
			}
			continue;
		default:
			break;
		}
		/* As written (the command line's over the file's). */
		n = 0;
		TAILQ_FOREACH(v, &part->values, entry) {
			if (v->key == key) {
				config_print_value(fp, key, v->written, seen);
				n++;
			}
		}
		if (n == 0)
			config_print_value(fp, key, key->dflt, seen);
	}
}

void
config_print(struct config *conf, FILE *fp)
{
	struct config_part	*part, hinit;
	u_char			 seen[nitems(config_keys)];

	memset(seen, 0, sizeof seen);
	fprintf(fp, "; hinit %s: the resolved configuration of %.120s\n",
	    HINIT_VERSION, conf->file != NULL ? conf->file : "(no file)");

	memset(&hinit, 0, sizeof hinit);
	hinit.section = CONFIG_SECTION_HINIT;
	hinit.object = conf;
	TAILQ_INIT(&hinit.values);
	fprintf(fp, "\n[hinit]\n");
	if ((part = config_part_of(conf, conf)) == NULL)
		part = &hinit;
	config_print_part(conf, part, fp, seen);

	TAILQ_FOREACH(part, &conf->parts, entry) {
		if (part->section == CONFIG_SECTION_HINIT)
			continue;
		fprintf(fp, "\n[%s:%s]\n", config_section_names[part->section],
		    part->name);
		config_print_part(conf, part, fp, seen);
	}
}
