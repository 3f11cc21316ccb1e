/*
 * cmd-status.c: hinit status: read the status file of the hinit that runs
 * as PID 1, judge it and print it. One file read, no probe, no check type
 * loaded; the exit code is 0 (ready) or 1 (anything else), never another,
 * since Docker gives 2 a meaning of its own. The document was written by
 * hinit itself, but the file may be cut short or garbage: it is read with
 * src/json.c, which refuses anything odd.
 */

#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hinit.h"
#include "check.h"
#include "cmd.h"
#include "json.h"
#include "status.h"

#define CMD_STATUS_SHOW		200	/* bytes of output per line */

enum {
	CMD_STATUS_OPT_JSON,
	CMD_STATUS_OPT_LIVE,
	CMD_STATUS_OPT_FILE
};

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
cmd_status_line(struct json *check)
{
	struct json	*log, *last = NULL, *v;
	const char	*result = NULL, *output;

	cmd_status_put(json_str(check, "componentId"));
	putchar(' ');
	cmd_status_put(json_str(check, "hinit:state"));
	putchar(' ');
	if ((log = json_get(check, "hinit:log")) != NULL &&
	    log->type == JSON_ARRAY) {
		for (v = log->child; v != NULL; v = v->next)
			last = v;
		result = json_str(last, "result");
	}
	cmd_status_put(result);
	putchar(' ');
	v = json_get(check, "observedValue");
	if (v != NULL && v->type == JSON_NUMBER)
		printf("%.1fms ", v->number);
	else
		fputs("- ", stdout);
	/* A passing check has no "output": its last attempt's says how. */
	if ((output = json_str(check, "output")) == NULL)
		output = json_str(last, "output");
	cmd_status_put(output);
	putchar('\n');
}

/* The check object named, from "checks": {"NAME:responseTime": [{...}]}. */
static struct json *
cmd_status_check(struct json *m)
{
	if (m == NULL || m->type != JSON_ARRAY || m->child == NULL ||
	    m->child->type != JSON_OBJECT)
		return (NULL);
	return (m->child);
}

static struct json *
cmd_status_find(struct json *checks, const char *name)
{
	struct json	*m, *c;
	const char	*id;

	if (checks == NULL || checks->type != JSON_OBJECT)
		return (NULL);
	for (m = checks->child; m != NULL; m = m->next) {
		c = cmd_status_check(m);
		if ((id = json_str(c, "componentId")) != NULL &&
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

/*
 * The document's checks as the verdict sees them, to judge checks named. A
 * check is healthy only if it says so and passes: while hinit stops, each
 * check keeps its state but fails, so "stopping" needs no reading of its
 * own.
 */
static u_int
cmd_status_facts(struct json *checks, struct status_check **out)
{
	struct json		*m, *c;
	struct status_check	*facts = NULL, *f;
	const char		*state, *status;
	u_int			 n = 0;

	for (m = checks != NULL && checks->type == JSON_OBJECT ?
	    checks->child : NULL; m != NULL; m = m->next) {
		c = cmd_status_check(m);
		if (json_str(c, "componentId") == NULL)
			continue;
		facts = xreallocarray(facts, n + 1, sizeof *facts);
		f = &facts[n++];
		memset(f, 0, sizeof *f);
		f->name = json_str(c, "componentId");
		state = json_str(c, "hinit:state");
		status = json_str(c, "status");
		f->state = CHECK_UNHEALTHY;
		if (state != NULL && strcmp(state, "healthy") == 0 &&
		    status != NULL && strcmp(status, "pass") == 0)
			f->state = CHECK_HEALTHY;
		else if (state != NULL && strcmp(state, "starting") == 0)
			f->state = CHECK_STARTING;
	}
	*out = facts;
	return (n);
}

/* Print the lines of the checks named, or of the view's; judge the names. */
static int
cmd_status_named(struct json *doc, int live, char **names,
    u_int nnames, int quiet)
{
	struct json		*checks, *c;
	struct status_snapshot	 snap;
	const char		*app_state;
	u_int			 i;

	checks = json_get(doc, "checks");
	for (i = 0; i < nnames; i++) {
		if ((c = cmd_status_find(checks, names[i])) == NULL) {
			fprintf(stderr, "hinit status: no check named '%s'\n",
			    names[i]);
		} else if (!quiet)
			cmd_status_line(c);
	}
	memset(&snap, 0, sizeof snap);
	app_state = json_str(json_get(doc, "hinit:app"), "state");
	snap.app_state = APP_EXITED;
	if (app_state != NULL && strcmp(app_state, "running") == 0)
		snap.app_state = APP_RUNNING;
	snap.nchecks = cmd_status_facts(checks, &snap.checks);
	i = status_verdict_ready(status_verdict(&snap, live ?
	    STATUS_VIEW_LIVE : STATUS_VIEW_READY, names, nnames, NULL));
	free(snap.checks);
	return (i);
}

/* Print the lines of the view's checks; its verdict is the document's. */
static int
cmd_status_view(struct json *doc, int live, int quiet)
{
	struct json	*checks, *m, *c;
	const char	*role;

	checks = json_get(doc, "checks");
	if (!quiet && checks != NULL && checks->type == JSON_OBJECT) {
		for (m = checks->child; m != NULL; m = m->next) {
			if ((c = cmd_status_check(m)) == NULL)
				continue;
			role = json_str(c, "hinit:role");
			if (live && (role == NULL || strcmp(role, "live") != 0))
				continue;
			cmd_status_line(c);
		}
	}
	return (cmd_status_passes(json_str(doc, live ? "hinit:live" :
	    "status")));
}

/*
 * Judge and print a document; returns the exit code. Without names, the
 * verdict is the one hinit wrote; checks named are judged by the same
 * verdict hinit uses, on what the document says of them.
 */
static int
cmd_status_judge(struct json *doc, int live, char **names,
    u_int nnames, const char *stale, int quiet)
{
	struct json	*app, *m;
	const char	*why = NULL, *app_state;
	int		 ready;

	app = json_get(doc, "hinit:app");
	app_state = json_str(app, "state");
	if (nnames != 0)
		ready = cmd_status_named(doc, live, names, nnames, quiet);
	else {
		ready = cmd_status_view(doc, live, quiet);
		if (!live)
			why = json_str(doc, "output");
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
		why = json_str(doc, "hinit:state");
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
	m = json_get(app, "restarts");
	if (m != NULL && m->type == JSON_NUMBER && m->number > 0)
		printf(", %.0f restarts", m->number);
	putchar('\n');
	return (ready ? 0 : 1);
}

/*
 * The hinit that matters is PID 1, whoever we run as; else (not in a
 * container) one that runs as we do. A file, even one asked for, is read
 * only if that user owns it: any other could have planted it.
 */
static int
cmd_status_load(const char *file, struct buf *b, double *mtime, char **path)
{
	struct stat	 st;
	char		*cause = NULL, *cause2 = NULL;
	uid_t		 uid;
	int		 rc = 0;

	uid = stat("/proc/1", &st) == 0 ? st.st_uid : getuid();
	if (status_file_read(file, uid, b, mtime, path, &cause) != 0 &&
	    (uid == getuid() || status_file_read(file, getuid(), b, mtime,
	    path, &cause2) != 0)) {
		fprintf(stderr, "hinit status: no status file, is hinit "
		    "running? (%s)\n", cause != NULL ? cause : "not found");
		rc = -1;
	}
	free(cause);
	free(cause2);
	return (rc);
}

/*
 * Older than STATUS_STALE by hinit:updated or by the file's time, either
 * way (a clock set back counts too): hinit is gone or hung. Empty if not.
 */
static void
cmd_status_stale(struct json *doc, double mtime, char *stale,
    size_t size)
{
	double	 updated, now, age;

	now = time_wall();
	updated = cmd_status_time(json_str(doc, "hinit:updated"));
	age = cmd_status_age(now, mtime);
	if (updated < 0)
		age = STATUS_STALE + 1;
	else if (cmd_status_age(now, updated) > age)
		age = cmd_status_age(now, updated);
	stale[0] = '\0';
	if (updated < 0)
		snprintf(stale, size, "no hinit:updated time");
	else if (age > STATUS_STALE) {
		snprintf(stale, size, "stale, not updated for %.0fs "
		    "(hinit gone or hung?)", age);
	}
}

/* Read, judge and print the file; the exit code. */
static int
cmd_status_show(const char *file, int json, int live, char **names,
    u_int nnames)
{
	struct json	*doc;
	struct buf	 b;
	char		*path = NULL, stale[256];
	double		 mtime;
	int		 rc = 1;

	buf_init(&b);
	if (cmd_status_load(file, &b, &mtime, &path) != 0) {
		buf_free(&b);
		return (1);
	}
	if ((doc = json_parse(b.data, b.len)) == NULL) {
		fprintf(stderr, "hinit status: %s: not a status document\n",
		    path);
		if (json)
			fwrite(b.data, 1, b.len, stdout);
		goto out;
	}
	cmd_status_stale(doc, mtime, stale, sizeof stale);
	if (json) {
		fwrite(b.data, 1, b.len, stdout);
		if (stale[0] != '\0')
			fprintf(stderr, "hinit status: %s: %s\n", path, stale);
	}
	rc = cmd_status_judge(doc, live, names, nnames,
	    stale[0] != '\0' ? stale : NULL, json);
	fflush(stdout);
	json_free(doc);
out:
	free(path);
	buf_free(&b);
	return (rc);
}

int
cmd_status(int argc, char **argv)
{
	struct cmd_args	 args;
	const char	*file;
	char		*cause;
	int		 rc;

	/* Never 2, which Docker reserves: usage errors are 1 too. */
	switch (cmd_parse(&cmd_status_entry, argc, argv, &args, &cause)) {
	case 0:
		break;
	case CMD_PARSE_HELP:
		cmd_usage(&cmd_status_entry, stderr);
		return (0);
	default:
		fprintf(stderr, "hinit status: %s\n", cause);
		free(cause);
		cmd_usage(&cmd_status_entry, stderr);
		return (1);
	}
	file = args.value[CMD_STATUS_OPT_FILE];
	if (file != NULL && *file == '\0') {
		fprintf(stderr, "hinit status: empty --status-file\n");
		cmd_args_free(&args);
		return (1);
	}
	rc = cmd_status_show(file, args.set[CMD_STATUS_OPT_JSON],
	    args.set[CMD_STATUS_OPT_LIVE], args.words, args.nwords);
	cmd_args_free(&args);
	return (rc);
}

const struct cmd_entry cmd_status_entry = {
	.name = "status",
	.usage = "status [--json] [--live] [--status-file PATH] [CHECK]...",
	.options = {
		{ "--json", CMD_FLAG },
		{ "--live", CMD_FLAG },
		{ "--status-file", CMD_PATH }
	},
	.flags = CMD_OPTIONS_FIRST,
	.exec = cmd_status
};
