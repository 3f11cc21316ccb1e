/*
 * cmd-check.c: `hinit check [--timeout DUR] [--json] TARGET...`: probe every
 * target once, all at the same time, print one line (or one JSON object)
 * each, exit 0 if all pass, 1 if any fails, 2 for a bad target or usage.
 */

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include "hinit.h"
#include "check.h"
#include "config.h"
#include "init.h"
#include "status.h"

#define CMD_CHECK_TIMEOUT	5000	/* ms */
#define CMD_CHECK_SETTLE	2.0	/* s: reaping killed exec checks */

struct cmd_check_state {
	u_int	 pending;
};

static void
cmd_check_usage(FILE *f)
{
	fprintf(f, "usage: hinit check [--timeout DUR] [--json] "
	    "[NAME=]TARGET...\n");
}

static void
cmd_check_done(struct check *c, int changed, void *arg)
{
	struct cmd_check_state	*cs = arg;

	if (--cs->pending == 0)
		ev_break(EV_DEFAULT, EVBREAK_ONE);
}

/* "1.2ms", "2.50s". */
static void
cmd_check_duration(struct buf *b, double ms)
{
	if (ms < 1000.0)
		buf_printf(b, "%.1fms", ms);
	else
		buf_printf(b, "%.2fs", ms / 1000.0);
}

static void
cmd_check_text(struct buf *b, struct check *c)
{
	const struct attempt	*a = probe_last(c);
	char			*line, *p;

	buf_printf(b, "%s %s %s ", c->name, c->target_shown,
	    check_result_name(a->result));
	cmd_check_duration(b, a->duration);
	if (*a->output != '\0') {
		/*
		 * One line each: line breaks and tabs as spaces, and nothing
		 * raw (C1 controls, bytes not UTF-8), with the log's escapes.
		 */
		line = xstrdup(a->output);
		for (p = line; *p != '\0'; p++) {
			if (*p == '\n' || *p == '\r' || *p == '\t')
				*p = ' ';
		}
		buf_putc(b, ' ');
		buf_text_escaped(b, line, strlen(line));
		free(line);
	}
	buf_putc(b, '\n');
}

static void
cmd_check_json(struct buf *b, struct check *c, int first)
{
	const struct attempt	*a = probe_last(c);
	char			 t[40];

	buf_puts(b, first ? "[\n  " : ",\n  ");
	buf_puts(b, "{\"name\": ");
	buf_json_string(b, c->name);
	buf_puts(b, ", \"type\": ");
	buf_json_string(b, c->type->name);
	buf_puts(b, ", \"target\": ");
	buf_json_string(b, c->target_shown);
	buf_puts(b, ", \"result\": ");
	buf_json_string(b, check_result_name(a->result));
	buf_printf(b, ", \"duration_ms\": %.3f, \"time\": ", a->duration);
	buf_json_string(b, time_rfc3339(a->start, t, sizeof t));
	buf_puts(b, ", \"output\": ");
	buf_json_string(b, a->output);
	buf_putc(b, '}');
}

int
cmd_check(int argc, char **argv)
{
	struct hinit		 h;
	struct cmd_check_state	 cs;
	struct config		*conf;
	struct check		*c;
	const struct attempt	*a;
	struct buf		 b;
	const char		*value;
	char			*cause;
	uint64_t		 timeout = CMD_CHECK_TIMEOUT;
	int			 json = 0, i, options = 1, failed = 0;
	int			 ntargets;

	/* Options may come anywhere before "--": no target begins with '-'. */
	for (i = 1; i < argc; i++) {
		if (!options || argv[i][0] != '-' || argv[i][1] == '\0')
			continue;
		if (strcmp(argv[i], "--") == 0)
			options = 0;
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			cmd_check_usage(stdout);
			return (0);
		} else if (strcmp(argv[i], "--timeout") == 0 ||
		    strncmp(argv[i], "--timeout=", 10) == 0) {
			if (argv[i][9] == '=')
				value = argv[i] + 10;
			else if (i + 1 < argc) {
				argv[i] = NULL;
				value = argv[++i];
			} else {
				log_warnx("check: --timeout needs a duration");
				return (EXIT_USAGE);
			}
			if (duration_parse(value, &timeout, &cause) != 0) {
				log_warnx("check: --timeout: %s", cause);
				free(cause);
				return (EXIT_USAGE);
			}
			if (timeout == 0) {
				log_warnx("check: --timeout must be more "
				    "than 0");
				return (EXIT_USAGE);
			}
		} else {
			log_warnx("check: unknown option %s", argv[i]);
			cmd_check_usage(stderr);
			return (EXIT_USAGE);
		}
		argv[i] = NULL;
	}

	hinit_oneshot(&h);
	conf = config_new();
	h.conf = conf;
	options = 1;
	ntargets = 0;
	for (i = 1; i < argc; i++) {
		if (argv[i] == NULL)
			continue;
		if (options && strcmp(argv[i], "--") == 0) {
			options = 0;
			continue;
		}
		if (config_add_target(conf, argv[i], &cause) != 0) {
			log_warnx("check: %s", cause);
			free(cause);
			config_free(conf);
			return (EXIT_USAGE);
		}
		url_hide(argv[i]);	/* ps shows argv to every user */
		ntargets++;
	}
	if (ntargets == 0) {
		cmd_check_usage(stderr);
		config_free(conf);
		return (EXIT_USAGE);
	}
	if (config_finish(conf, &cause) != 0) {
		log_warnx("check: %s", cause);
		free(cause);
		config_free(conf);
		return (EXIT_USAGE);
	}

	cs.pending = 0;
	TAILQ_FOREACH(c, &conf->checks, entry) {
		c->timeout = timeout;
		probe_once(c, cmd_check_done, &cs);
		cs.pending++;
	}
	if (cs.pending != 0)
		ev_run(EV_DEFAULT, 0);
	probe_stop(&conf->checks);
	probe_settle(CMD_CHECK_SETTLE);

	buf_init(&b);
	i = 0;
	TAILQ_FOREACH(c, &conf->checks, entry) {
		if ((a = probe_last(c)) == NULL || a->result != CHECK_PASS)
			failed = 1;
		if (a == NULL)
			continue;
		if (json)
			cmd_check_json(&b, c, i++ == 0);
		else
			cmd_check_text(&b, c);
	}
	if (json)
		buf_puts(&b, i == 0 ? "[]\n" : "\n]\n");
	/* Outputs come scrubbed from the engine; targets as written. */
	if (secret_any()) {
		cause = secret_scrub_string(b.data != NULL ? b.data : "");
		buf_reset(&b);
		buf_puts(&b, cause);
		free(cause);
	}
	if (b.len != 0)
		fwrite(b.data, 1, b.len, stdout);
	fflush(stdout);
	buf_free(&b);

	config_free(conf);
	reap_stop(&h);
	return (failed ? 1 : 0);
}
