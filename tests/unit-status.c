/*
 * unit-status.c: the overall state of each view, the JSON document, the
 * status file (atomic, no symbolic link followed) and hinit status reading
 * it back, on a made-up init with made-up checks.
 */

#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hinit.h"
#include "check.h"
#include "config.h"
#include "cmd.h"
#include "json.h"
#include "status.h"
#include "unit.h"

static char	 dir[] = "/tmp/unit-status.XXXXXX";

static const struct check_type	fake_pg = { .name = "postgres",
				    .component = "datastore" };
static const struct check_type	fake_exec = { .name = "exec",
				    .component = "system" };

static struct check *
add_check(struct config *conf, const char *name, const struct check_type *t,
    const char *shown, enum check_role role, int critical)
{
	struct check	*c;

	c = xcalloc(1, sizeof *c);
	c->name = xstrdup(name);
	c->type = t;
	c->target_shown = xstrdup(shown);
	c->target = xstrdup("postgres://app:s3cret@127.0.0.1/x");
	c->role = role;
	c->critical = critical;
	c->state = CHECK_STARTING;
	TAILQ_INSERT_TAIL(&conf->checks, c, entry);
	return (c);
}

static void
attempt(struct check *c, enum check_result result, const char *output)
{
	struct attempt	*a = &c->log[c->log_next];

	free(a->output);
	a->start = time_wall() - 0.002;
	a->end = time_wall();
	a->duration = 1.8;
	a->result = result;
	a->output = xstrdup(output);
	c->log_next = (c->log_next + 1) % CHECK_LOG_SIZE;
	if (c->log_count < CHECK_LOG_SIZE)
		c->log_count++;
	if (result == CHECK_PASS)
		c->passes++;
	else
		c->failures++;
	c->last_duration = 1.8;
}

static char *
slurp(const char *path)
{
	struct buf	 b;
	char		 chunk[4096];
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return (NULL);
	buf_init(&b);
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		buf_add(&b, chunk, n);
	close(fd);
	return (buf_steal(&b));
}

static void
spit(const char *path, const char *data, size_t len)
{
	int	 fd;

	fd = open(path, O_WRONLY|O_CREAT|O_TRUNC, 0644);
	if (fd == -1 || write(fd, data, len) != (ssize_t)len)
		fatal("spit %s", path);
	close(fd);
}

/*
 * The made-up init: its part of the snapshot (what init.c's callback fills
 * in) kept as one, with the checks and the version of the test's config.
 * The publisher sees nothing else of an init.
 */
static struct status_snapshot	 init;

static void
fill(struct status_snapshot *snap, void *arg)
{
	const struct config	*conf = arg;

	*snap = init;
	snap->list = &conf->checks;
	snap->version = conf->version;
}

/* hinit status with these arguments, its output thrown away. */
static int
run_status(const char *a1, const char *a2, const char *a3, const char *a4)
{
	char	*argv[6] = { (char *)"status", (char *)a1, (char *)a2,
		    (char *)a3, (char *)a4, NULL };
	int	 argc = 1, rc, saved, saved2, null;

	while (argc < 5 && argv[argc] != NULL)
		argc++;
	fflush(stdout);
	fflush(stderr);
	saved = dup(1);
	saved2 = dup(2);
	if ((null = open("/dev/null", O_WRONLY)) == -1)
		fatal("/dev/null");
	dup2(null, 1);
	dup2(null, 2);
	close(null);
	rc = cmd_status(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved, 1);
	dup2(saved2, 2);
	close(saved);
	close(saved2);
	return (rc);
}

static void
turn(void)
{
	ev_run(EV_DEFAULT, EVRUN_NOWAIT);
}

/* Run the loop for this long. */
static void
settle(double seconds)
{
	double	 end = time_wall() + seconds;

	while (time_wall() < end) {
		ev_run(EV_DEFAULT, EVRUN_NOWAIT);
		usleep(10000);
	}
}

static void
free_checks(struct config *conf)
{
	struct check	*c;
	u_int		 i;

	while ((c = TAILQ_FIRST(&conf->checks)) != NULL) {
		TAILQ_REMOVE(&conf->checks, c, entry);
		for (i = 0; i < CHECK_LOG_SIZE; i++)
			free(c->log[i].output);
		free(c->name);
		free(c->target_shown);
		free(c->target);
		free(c);
	}
}

/*
 * The hand-made formatters against the C library's: times across eras,
 * leap days and the end of centuries, and milliseconds, integers of every
 * size.
 */
static void
formatters(void)
{
	static const double	 times[] = {
		0, 0.001, 0.999, 59.5, 86399.999, 86400, 951782400.25,
		951868800, 978307199.5, 1709164800.123, 4107542400,
		4102444799.999, 253402300799.0, 1.5e9 + 0.0005
	};
	static const double	 ms[] = {
		0, 0.0004, 0.001, 0.01, 0.1, 1, 1.8, 0.234, 5000, 12.3456,
		999.9994, 1e9 + 0.25, 3.1
	};
	struct buf		 b;
	struct tm		 tm;
	time_t			 t;
	char			 want[64], got[64];
	size_t			 len;
	u_int			 i, bad = 0;
	unsigned long long	 seed = 42;

	for (i = 0; i < nitems(times) + 20000; i++) {
		double	 v;

		if (i < nitems(times))
			v = times[i];
		else {
			seed = seed * 6364136223846793005ULL + 1;
			v = (double)(seed >> 11) / (1ULL << 53) * 8e9 +
			    (double)(seed % 1000) / 1000.0 + 0.0001;
		}
		t = (time_t)v;
		gmtime_r(&t, &tm);
		strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S", &tm);
		len = strlen(want);
		snprintf(want + len, sizeof want - len, ".%03dZ",
		    (int)((v - (double)t) * 1000.0));
		time_rfc3339(v, got, sizeof got);
		if (strcmp(want, got) != 0 && bad++ < 5)
			printf("time %.4f: want %s, got %s\n", v, want, got);
	}
	expect("time_rfc3339 agrees with gmtime and strftime", bad == 0);
	time_rfc3339(1.5e9, got, 8);
	expect("time_rfc3339 truncates", strcmp(got, "2017-07") == 0);

	buf_init(&b);
	for (i = 0, bad = 0; i < nitems(ms); i++) {
		buf_reset(&b);
		buf_put_ms(&b, ms[i]);
		snprintf(want, sizeof want, "%.3f", ms[i]);
		len = strlen(want);
		while (want[len - 1] == '0')
			want[--len] = '\0';
		if (want[len - 1] == '.')
			want[--len] = '\0';
		if (strcmp(want, b.data) != 0 && bad++ < 5)
			printf("ms %.6f: want %s, got %s\n", ms[i], want,
			    b.data);
	}
	expect("buf_put_ms agrees with %.3f", bad == 0);
	buf_reset(&b);
	buf_put_ms(&b, -1);
	expect("negative ms is 0", strcmp(b.data, "0") == 0);
	buf_reset(&b);
	buf_put_int(&b, -9223372036854775807LL - 1);
	buf_putc(&b, ' ');
	buf_put_uint(&b, 18446744073709551615ULL);
	buf_putc(&b, ' ');
	buf_put_int(&b, 0);
	buf_putc(&b, ' ');
	buf_put_int(&b, 42);
	expect("integers", strcmp(b.data,
	    "-9223372036854775808 18446744073709551615 0 42") == 0);

	/* Text of any bytes: JSON always valid, a text log line one line. */
	buf_reset(&b);
	buf_json_string(&b, "a\"\x1b\xff\xc3\xa9\xc3 \xe2\x82\xac\xed\xa0\x80");
	expect("buf_json_string", strcmp(b.data, "\"a\\\"\\u001b\xef\xbf\xbd"
	    "\xc3\xa9\xef\xbf\xbd \xe2\x82\xac"
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"") == 0);
	buf_reset(&b);
	buf_text_escaped(&b, "a\nb\rc\td\x1b[2J\x7f\xc2\x9b\xff\xc3\xa9\xc3",
	    18);
	expect("buf_text_escaped", strcmp(b.data,
	    "a\\nb\\rc\td\\x1b[2J\\x7f\\u009b\\xff\xc3\xa9\\xc3") == 0);
	buf_free(&b);
}

/* What the status file's reader makes of a string member; NULL: refused. */
static char *
json_read(const char *value)
{
	struct json	*j;
	char		*doc, *s = NULL;

	xasprintf(&doc, "{\"k\": \"%s\"}", value);
	if ((j = json_parse(doc, strlen(doc))) != NULL &&
	    json_str(j, "k") != NULL)
		s = xstrdup(json_str(j, "k"));
	json_free(j);
	free(doc);
	return (s);
}

/* The reader's escapes: every one JSON has, surrogates, and no others. */
static void
reader(void)
{
	static const struct {
		const char	*in;
		const char	*out;	/* NULL: refused */
	} cases[] = {
		{ "a\\\"b\\\\c\\/d", "a\"b\\c/d" },
		{ "\\b\\f\\n\\r\\t", "\b\f\n\r\t" },
		{ "\\u00e9\\u20ac", "\xc3\xa9\xe2\x82\xac" },
		{ "\\ud83d\\ude00", "\xf0\x9f\x98\x80" },
		{ "\\ud83dx", "\xef\xbf\xbdx" },	/* a lone high half */
		{ "\\ude00", "\xef\xbf\xbd" },
		{ "\\x41", NULL },
		{ "\\a", NULL },
		{ "\\u12", NULL },
		{ "a\tb", NULL }			/* a raw control */
	};
	char	*got;
	u_int	 i;

	for (i = 0; i < nitems(cases); i++) {
		got = json_read(cases[i].in);
		if (cases[i].out == NULL)
			expect(cases[i].in, got == NULL);
		else
			expect(cases[i].in, got != NULL &&
			    strcmp(got, cases[i].out) == 0);
		free(got);
	}
}

int
main(void)
{
	struct config		 conf;
	const char		*status_file = NULL;
	struct status		*s, *judge;
	struct check		*db, *disk, *alive;
	const struct buf	*doc;
	struct timeval		 tv[2];
	char			 path[256], other[256], *text, *cause = NULL;
	char			 deep[4096];
	int			 i;

	if (mkdtemp(dir) == NULL)
		fatal("mkdtemp");
	formatters();
	reader();
	memset(&conf, 0, sizeof conf);
	TAILQ_INIT(&conf.checks);
	TAILQ_INIT(&conf.tasks);
	init.app_state = APP_WAITING;
	/* A publisher of its own, for the verdicts, its file out of the way. */
	snprintf(path, sizeof path, "%s/judge.json", dir);
	judge = status_new(path, fill, &conf);

	/* No checks: starting until the app runs, then healthy. */
	expect("waiting is starting",
	    status_overall(judge, STATUS_VIEW_READY) == OVERALL_STARTING);
	init.app_state = APP_RUNNING;
	init.app_pid = 42;
	expect("no checks, app runs",
	    status_overall(judge, STATUS_VIEW_READY) == OVERALL_HEALTHY);
	expect("live: no checks, app runs",
	    status_overall(judge, STATUS_VIEW_LIVE) == OVERALL_HEALTHY);

	db = add_check(&conf, "db", &fake_pg, "postgres://app:***@db/app",
	    CHECK_ROLE_READY, 1);
	disk = add_check(&conf, "disk", &fake_exec, "exec:test -w /data",
	    CHECK_ROLE_READY, 0);
	alive = add_check(&conf, "alive", &fake_exec, "exec:true",
	    CHECK_ROLE_LIVE, 1);

	expect("critical checks never healthy: starting",
	    status_overall(judge, STATUS_VIEW_READY) == OVERALL_STARTING);
	db->state = CHECK_HEALTHY;
	db->ever_healthy = 1;
	expect("alive still starting",
	    status_overall(judge, STATUS_VIEW_READY) == OVERALL_STARTING);
	alive->state = CHECK_HEALTHY;
	alive->ever_healthy = 1;
	expect("non-critical starting does not hold it",
	    status_overall(judge, STATUS_VIEW_READY) == OVERALL_HEALTHY);
	disk->state = CHECK_UNHEALTHY;
	expect("non-critical unhealthy: warn",
	    status_overall(judge, STATUS_VIEW_READY) == OVERALL_WARN);
	expect("warn is ready", status_verdict_ready(OVERALL_WARN));
	db->state = CHECK_UNHEALTHY;
	expect("critical unhealthy",
	    status_overall(judge, STATUS_VIEW_READY) == OVERALL_UNHEALTHY);
	expect("live view ignores ready checks",
	    status_overall(judge, STATUS_VIEW_LIVE) == OVERALL_HEALTHY);
	alive->state = CHECK_UNHEALTHY;
	expect("live view sees live checks",
	    status_overall(judge, STATUS_VIEW_LIVE) == OVERALL_UNHEALTHY);
	alive->state = CHECK_HEALTHY;
	init.app_state = APP_RESTARTING;
	expect("live view fails without the app",
	    status_overall(judge, STATUS_VIEW_LIVE) == OVERALL_UNHEALTHY);
	init.app_state = APP_RUNNING;
	init.stopping = 1;
	expect("stopping",
	    status_overall(judge, STATUS_VIEW_READY) == OVERALL_STOPPING);
	expect("stopping, live",
	    status_overall(judge, STATUS_VIEW_LIVE) == OVERALL_STOPPING);
	init.stopping = 0;
	db->state = CHECK_HEALTHY;
	disk->state = CHECK_HEALTHY;

	/*
	 * The file: not at once (start-up's changes are coalesced), within
	 * 50ms, then rewritten after a change in the same loop turn.
	 */
	snprintf(path, sizeof path, "%s/s.json", dir);
	status_file = path;
	attempt(db, CHECK_FAIL, "the database \"x\"\n\tsaid no");
	for (i = 0; i < 7; i++)
		attempt(db, CHECK_PASS, "accepting connections");
	attempt(disk, CHECK_PASS, "bad \xff\xfe utf-8 \xc3( \xe2\x82\xac ok");
	/* What an earlier hinit left must not speak for this one. */
	{
		FILE	*f = fopen(path, "w");

		if (f == NULL)
			fatal("%s", path);
		fputs("{\"status\": \"pass\"}\n", f);
		fclose(f);
	}
	if ((s = status_new(status_file, fill, &conf)) == NULL)
		fatalx("status_new");
	expect("an earlier file removed at once", access(path, F_OK) != 0);
	status_changed(s);
	turn();
	expect("not yet", access(path, F_OK) != 0);
	settle(0.1);
	text = slurp(path);
	expect("file written", text != NULL);
	expect("pass", text != NULL && strncmp(text, "{\"status\": \"pass\"",
	    17) == 0);
	expect("check key", text != NULL && strstr(text,
	    "\"db:responseTime\": [{\"componentId\": \"db\", "
	    "\"componentType\": \"datastore\", \"status\": \"pass\", "
	    "\"observedValue\": 1.8, \"observedUnit\": \"ms\"") != NULL);
	expect("masked target", text != NULL && strstr(text,
	    "\"hinit:target\": \"postgres://app:***@db/app\"") != NULL);
	expect("no secret", text != NULL && strstr(text, "s3cret") == NULL);
	expect("five attempts kept", text != NULL &&
	    strstr(text, "said no") == NULL);
	expect("app", text != NULL && strstr(text,
	    "\"hinit:app\": {\"pid\": 42, \"state\": \"running\", "
	    "\"restarts\": 0, \"restartLimitReached\": false}") != NULL);
	expect("invalid UTF-8 replaced", text != NULL && strstr(text,
	    "bad \xef\xbf\xbd\xef\xbf\xbd utf-8 \xef\xbf\xbd( \xe2\x82\xac ok")
	    != NULL);
	expect("exec is system", text != NULL && strstr(text,
	    "\"componentId\": \"disk\", \"componentType\": \"system\"") !=
	    NULL);
	free(text);
	expect("hinit status: ready",
	    run_status("--status-file", path, NULL, NULL) == 0);
	expect("hinit status --json: ready",
	    run_status("--json", "--status-file", path, NULL) == 0);
	expect("hinit status db", run_status("--status-file", path, "db",
	    NULL) == 0);
	expect("hinit status: unknown check",
	    run_status("--status-file", path, "nope", NULL) == 1);
	expect("usage error is 1", run_status("--bogus", NULL, NULL,
	    NULL) == 1);
	expect("no file is 1", run_status("--status-file", "/nonexistent/x",
	    NULL, NULL) == 1);

	attempt(db, CHECK_FAIL, "connection refused");
	db->state = CHECK_UNHEALTHY;
	status_changed(s);
	turn();
	text = slurp(path);
	expect("rewritten after a change", text != NULL &&
	    strncmp(text, "{\"status\": \"fail\"", 17) == 0);
	expect("why", text != NULL &&
	    strstr(text, "\"output\": \"unhealthy: db\"") != NULL);
	free(text);
	expect("hinit status: unhealthy",
	    run_status("--status-file", path, NULL, NULL) == 1);
	expect("hinit status --live: live passes",
	    run_status("--live", "--status-file", path, NULL) == 0);
	expect("hinit status disk: healthy",
	    run_status("--status-file", path, "disk", NULL) == 0);
	expect("hinit status db: unhealthy",
	    run_status("--status-file", path, "db", NULL) == 1);

	/* Non-critical failing: warn, still ready; naming it is not. */
	db->state = CHECK_HEALTHY;
	disk->state = CHECK_UNHEALTHY;
	status_changed(s);
	turn();
	doc = status_document(s, STATUS_VIEW_READY);
	expect("warn", strncmp(doc->data, "{\"status\": \"warn\"", 17) == 0);
	expect("warn is ready", run_status("--status-file", path, NULL,
	    NULL) == 0);
	expect("naming the failing one", run_status("--status-file", path,
	    "disk", NULL) == 1);
	doc = status_document(s, STATUS_VIEW_LIVE);
	expect("live document has live checks only",
	    strstr(doc->data, "alive:responseTime") != NULL &&
	    strstr(doc->data, "db:responseTime") == NULL);
	doc = status_metrics(s);
	expect("metrics", strstr(doc->data, "hinit_check_up{check=\"db\"} 1\n")
	    != NULL && strstr(doc->data,
	    "hinit_check_up{check=\"disk\"} 0\n") != NULL &&
	    strstr(doc->data, "hinit_check_passes_total{check=\"db\"} 7\n") !=
	    NULL);
	init.reaped = 5;
	doc = status_metrics(s);
	expect("reaped", strstr(doc->data, "hinit_zombies_reaped_total 5\n") !=
	    NULL);

	/* A held document stays as it was; the next one is new. */
	{
		struct status_text	*held;
		char			*copy;

		held = status_hold(s, STATUS_VIEW_READY);
		copy = xstrdup(held->buf.data);
		db->state = CHECK_UNHEALTHY;
		status_changed(s);
		doc = status_document(s, STATUS_VIEW_READY);
		expect("new document", strncmp(doc->data,
		    "{\"status\": \"fail\"", 17) == 0);
		expect("held one unchanged", strcmp(held->buf.data, copy) == 0);
		status_release(held);
		free(copy);
		held = status_hold(s, STATUS_HOLD_METRICS);
		expect("held metrics", strstr(held->buf.data,
		    "hinit_check_up{check=\"db\"} 0") != NULL);
		status_release(held);
		db->state = CHECK_HEALTHY;
		status_changed(s);
		turn();
	}

	/* Stopping: everything fails, "stopping". */
	init.stopping = 1;
	status_changed(s);
	turn();
	text = slurp(path);
	expect("stopping", text != NULL && strstr(text,
	    "{\"status\": \"fail\", \"serviceId\"") != NULL && strstr(text,
	    "\"hinit:state\": \"stopping\"") != NULL);
	expect("checks say stopping", text != NULL && strstr(text,
	    "\"componentType\": \"datastore\", \"status\": \"fail\"") != NULL &&
	    strstr(text, "\"output\": \"stopping\", \"hinit:state\": "
	    "\"healthy\"") != NULL);
	free(text);
	expect("hinit status: stopping", run_status("--status-file", path,
	    NULL, NULL) == 1);
	init.stopping = 0;
	status_changed(s);
	turn();
	expect("back", run_status("--status-file", path, NULL, NULL) == 0);

	/*
	 * The draft's details: no time or value before an attempt, no
	 * output for a pass, warn for a check that is not critical and not
	 * healthy yet, the app's version; a state gauge per check.
	 */
	{
		struct check	*fresh, *opt;
		const char	*p, *q;

		fresh = add_check(&conf, "fresh", &fake_exec, "exec:true",
		    CHECK_ROLE_READY, 1);
		opt = add_check(&conf, "opt", &fake_exec, "exec:false",
		    CHECK_ROLE_READY, 0);
		attempt(opt, CHECK_FAIL, "not yet");
		conf.version = xstrdup("2.3.4-app");
		status_changed(s);
		doc = status_document(s, STATUS_VIEW_READY);
		expect("the app's version", strstr(doc->data,
		    "\"version\": \"2.3.4-app\"") != NULL);
		expect("hinit's version", strstr(doc->data,
		    "\"hinit:version\": \"" HINIT_VERSION "\"") != NULL);
		expect("no null", strstr(doc->data, "null") == NULL);
		expect("not run yet: no time, no value", strstr(doc->data,
		    "\"componentId\": \"fresh\", \"componentType\": "
		    "\"system\", \"status\": \"fail\", \"hinit:state\"") !=
		    NULL);
		expect("not critical, not healthy yet: warn", strstr(doc->data,
		    "\"componentId\": \"opt\", \"componentType\": \"system\", "
		    "\"status\": \"warn\", \"observedValue\": 1.8") != NULL &&
		    strstr(doc->data, "\"output\": \"not yet\"") != NULL);
		p = strstr(doc->data, "\"componentId\": \"db\"");
		q = p != NULL ? strstr(p, "\"hinit:state\"") : NULL;
		expect("a pass has no output", p != NULL && q != NULL &&
		    memmem(p, q - p, "\"output\"", 8) == NULL &&
		    memmem(p, q - p, "\"status\": \"pass\"", 16) != NULL);
		doc = status_metrics(s);
		expect("state gauge", strstr(doc->data,
		    "hinit_check_state{check=\"fresh\",state=\"starting\"} 1\n"
		    "hinit_check_state{check=\"fresh\",state=\"healthy\"} 0\n"
		    "hinit_check_state{check=\"fresh\",state=\"unhealthy\"} "
		    "0\n")
		    != NULL && strstr(doc->data, "hinit_check_state{check="
		    "\"db\",state=\"healthy\"} 1\n") != NULL);
		TAILQ_REMOVE(&conf.checks, fresh, entry);
		TAILQ_REMOVE(&conf.checks, opt, entry);
		check_free(fresh);
		check_free(opt);
		free(conf.version);
		conf.version = NULL;
		status_changed(s);
		turn();
	}

	/* Stale: the file's time or hinit:updated older than 15s. */
	gettimeofday(&tv[0], NULL);
	tv[0].tv_sec -= 20;
	tv[1] = tv[0];
	utimes(path, tv);
	expect("stale by mtime", run_status("--status-file", path, NULL,
	    NULL) == 1);
	/* An attempt that changes no state: written within a second. */
	attempt(db, CHECK_PASS, "accepting connections, again");
	status_changed(s);
	turn();
	expect("not at once", run_status("--status-file", path, NULL,
	    NULL) == 1);
	settle(1.3);
	expect("fresh again", run_status("--status-file", path, NULL,
	    NULL) == 0);
	text = slurp(path);
	expect("the attempt", text != NULL && strstr(text, "again") != NULL);
	free(text);

	/* Garbage and truncated files never crash the reader. */
	text = slurp(path);
	snprintf(other, sizeof other, "%s/bad.json", dir);
	/* Every cut short of the document (the last byte is its newline). */
	for (i = 0; i + 1 < (int)strlen(text); i += 7) {
		spit(other, text, i);
		if (run_status("--status-file", other, NULL, NULL) != 1) {
			expect("truncated file is 1", 0);
			break;
		}
	}
	free(text);
	memset(deep, '[', sizeof deep);
	spit(other, deep, sizeof deep);
	expect("deep nesting", run_status("--status-file", other, NULL,
	    NULL) == 1);
	spit(other, "{\"status\": \"pass\", \"hinit:updated\": \"x\"}", 40);
	expect("no time", run_status("--status-file", other, NULL, NULL) == 1);
	spit(other, "\xff\xfe\x00garbage", 10);
	expect("garbage", run_status("--status-file", other, NULL, NULL) == 1);

	/* A planted link is replaced, never written through. */
	snprintf(other, sizeof other, "%s/victim", dir);
	spit(other, "untouched", 9);
	unlink(path);
	if (symlink(other, path) != 0)
		fatal("symlink");
	status_changed(s);
	settle(1.3);
	text = slurp(other);
	expect("victim untouched", text != NULL &&
	    strcmp(text, "untouched") == 0);
	free(text);
	{
		struct stat	 st;

		expect("status file is a file again", lstat(path, &st) == 0 &&
		    S_ISREG(st.st_mode));
	}
	status_free(s);

	/* A directory reached through a link is refused. */
	snprintf(other, sizeof other, "%s/real", dir);
	mkdir(other, 0700);
	snprintf(path, sizeof path, "%s/link", dir);
	if (symlink(other, path) != 0)
		fatal("symlink");
	snprintf(path, sizeof path, "%s/link/s.json", dir);
	free(cause);
	cause = NULL;
	s = status_new(status_file, fill, &conf);
	expect("runs on without a file", s != NULL);
	snprintf(other, sizeof other, "%s/real/s.json", dir);
	expect("nothing written through it", access(other, F_OK) != 0);
	status_changed(s);
	settle(1.2);
	expect("still nothing", access(other, F_OK) != 0);
	expect("the endpoint still has it", status_document(s,
	    STATUS_VIEW_READY)->len > 0);
	status_free(s);
	free(cause);
	cause = NULL;

	/* A missing last directory is made, 0700. */
	snprintf(path, sizeof path, "%s/made/s.json", dir);
	s = status_new(status_file, fill, &conf);
	expect("made", s != NULL);
	settle(0.1);
	{
		struct stat	 st;

		snprintf(other, sizeof other, "%s/made", dir);
		expect("0700", stat(other, &st) == 0 &&
		    (st.st_mode & 0777) == 0700);
	}
	status_free(s);

	/* A directory others may write is refused. */
	snprintf(other, sizeof other, "%s/open", dir);
	mkdir(other, 0777);
	chmod(other, 0777);
	snprintf(path, sizeof path, "%s/open/s.json", dir);
	free(cause);
	cause = NULL;
	s = status_new(status_file, fill, &conf);
	expect("group/other writable refused", s != NULL &&
	    access(path, F_OK) != 0);
	status_free(s);
	free(cause);

	status_free(judge);
	free_checks(&conf);
	if (failures == 0)
		printf("ok: unit-status\n");
	{
		char	 cmd[300];

		snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
		if (system(cmd) != 0)
			failures++;
	}
	return (failures == 0 ? 0 : 1);
}
