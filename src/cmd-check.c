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
#include "cmd.h"

#define CMD_CHECK_TIMEOUT	5000	/* ms */
#define CMD_CHECK_SETTLE	2.0	/* s: reaping killed exec checks */

enum {
	CMD_CHECK_OPT_TIMEOUT,
	CMD_CHECK_OPT_JSON
};

struct cmd_check_state {
	u_int	 pending;
};

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

/* One line or one JSON object per target, scrubbed; 1 if any failed. */
static int
cmd_check_report(struct check_list *checks, int json)
{
	struct check		*c;
	const struct attempt	*a;
	struct buf		 b;
	char			*scrubbed;
	int			 n = 0, failed = 0;

	buf_init(&b);
	TAILQ_FOREACH(c, checks, entry) {
		if ((a = probe_last(c)) == NULL || a->result != CHECK_PASS)
			failed = 1;
		if (a == NULL)
			continue;
		if (json)
			cmd_check_json(&b, c, n++ == 0);
		else
			cmd_check_text(&b, c);
	}
	if (json)
		buf_puts(&b, n == 0 ? "[]\n" : "\n]\n");
	/* Outputs come scrubbed from the engine; targets as written. */
	if (secret_any()) {
		scrubbed = secret_scrub_string(b.data != NULL ? b.data : "");
		buf_reset(&b);
		buf_puts(&b, scrubbed);
		free(scrubbed);
	}
	if (b.len != 0)
		fwrite(b.data, 1, b.len, stdout);
	fflush(stdout);
	buf_free(&b);
	return (failed);
}

int
cmd_check(int argc, char **argv)
{
	struct cmd_targets	 t;
	struct cmd_args		 args;
	struct cmd_check_state	 cs;
	struct check		*c;
	int			 code, failed;

	if (cmd_parse_usage(&cmd_check_entry, argc, argv, &args, &code) != 0)
		return (code);
	if (cmd_targets_open(&cmd_check_entry, &args, &t) != 0) {
		cmd_args_free(&args);
		return (EXIT_USAGE);
	}
	cmd_args_free(&args);

	cs.pending = 0;
	TAILQ_FOREACH(c, &t.conf->checks, entry) {
		c->timeout = args.set[CMD_CHECK_OPT_TIMEOUT] ?
		    args.ms[CMD_CHECK_OPT_TIMEOUT] : CMD_CHECK_TIMEOUT;
		probe_once(c, cmd_check_done, &cs);
		cs.pending++;
	}
	if (cs.pending != 0)
		ev_run(EV_DEFAULT, 0);
	cmd_targets_stop(&t, CMD_CHECK_SETTLE);
	failed = cmd_check_report(&t.conf->checks,
	    args.set[CMD_CHECK_OPT_JSON]);
	cmd_targets_close(&t);
	return (failed ? 1 : 0);
}

const struct cmd_entry cmd_check_entry = {
	.name = "check",
	.usage = "check [--timeout DUR] [--json] [NAME=]TARGET...",
	.options = {
		{ "--timeout", CMD_DURATION_POSITIVE },
		{ "--json", CMD_FLAG }
	},
	.exec = cmd_check
};
