/*
 * unit-probe.c: the probe engine against a made-up check type that answers
 * from a script: counting (retries, rise, start_period), the schedule
 * (interval from an attempt's end, start_interval, first attempts spread,
 * no overlap), timeouts and late answers, answers from inside start(), a
 * failing start(), the attempt log, probe_reset() and probe_stop(); and
 * the resolver: answers always from the loop, none after a cancel.
 */

#include <sys/socket.h>

#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "hinit.h"
#include "check.h"
#include "unit.h"

#define MAXATTEMPTS	64

/*
 * One letter per attempt: p/f answer after `delay`, P/F from inside
 * start(), h never answers, e makes start() fail, l answers pass after
 * `late` seconds even if cancelled (a buggy type: the engine must ignore
 * it). Past the end of the script the last letter repeats.
 */
struct fake {
	const char	*script;
	double		 delay;
	double		 late;
	u_int		 n;		/* attempts begun */
	int		 busy;
	int		 overlaps;
	u_int		 cancels;
	char		 answer;
	double		 starts[MAXATTEMPTS];
	double		 ends[MAXATTEMPTS];
	enum check_state states[MAXATTEMPTS];
	int		 changed[MAXATTEMPTS];
	u_int		 notified;
	u_int		 stop_after;	/* results before a break */
	ev_timer	 timer;
	ev_timer	 late_timer;
	char		*big;
};

static u_int	 running;	/* checks still wanted */

static double
now(void)
{
	ev_now_update(EV_DEFAULT);
	return (ev_now(EV_DEFAULT));
}

static void
fake_answer(struct check *c)
{
	struct fake	*f = c->data;

	f->busy = 0;
	if (f->answer == 'p' || f->answer == 'P') {
		if (f->big != NULL)
			check_done(c, CHECK_PASS, "%s", f->big);
		else
			check_done(c, CHECK_PASS, "o%u\n", f->n - 1);
	} else
		check_done(c, CHECK_FAIL, "no %u", f->n - 1);
}

static void
fake_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	fake_answer(w->data);
}

static void
fake_late_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	check_done(w->data, CHECK_PASS, "late");
}

static int
fake_start(struct check *c, char **cause)
{
	struct fake	*f = c->data;
	size_t		 len = strlen(f->script);
	u_int		 i = f->n;

	if (f->busy)
		f->overlaps++;
	f->answer = f->script[i < len ? i : len - 1];
	if (f->n < MAXATTEMPTS)
		f->starts[f->n] = now();
	f->n++;
	switch (f->answer) {
	case 'P':
	case 'F':
		f->busy = 1;
		fake_answer(c);
		return (0);
	case 'e':
		xasprintf(cause, "cannot start: boom");
		return (-1);
	case 'h':
		f->busy = 1;
		return (0);
	case 'l':
		f->busy = 1;
		ev_timer_set(&f->late_timer, f->late, 0);
		ev_timer_start(EV_DEFAULT, &f->late_timer);
		return (0);
	}
	f->busy = 1;
	ev_timer_set(&f->timer, f->delay, 0);
	ev_timer_start(EV_DEFAULT, &f->timer);
	return (0);
}

static void
fake_cancel(struct check *c)
{
	struct fake	*f = c->data;

	if (f->busy)
		f->cancels++;
	f->busy = 0;
	ev_timer_stop(EV_DEFAULT, &f->timer);
}

static const struct check_type fake_type = {
	.name = "fake",
	.start = fake_start,
	.cancel = fake_cancel
};

static void
notify(struct check *c, int changed, void *arg)
{
	struct fake	*f = c->data;
	u_int		 i = f->notified++;

	if (i < MAXATTEMPTS) {
		f->ends[i] = now();
		f->states[i] = c->state;
		f->changed[i] = changed;
	}
	if (f->stop_after != 0 && f->notified == f->stop_after) {
		ev_timer_stop(EV_DEFAULT, &c->timer);
		if (--running == 0)
			ev_break(EV_DEFAULT, EVBREAK_ONE);
	}
}

static struct check *
fake_check(const char *name, const char *script, uint64_t interval)
{
	struct check	*c;
	struct fake	*f;

	c = xcalloc(1, sizeof *c);
	c->name = xstrdup(name);
	c->type = &fake_type;
	c->interval = interval;
	c->timeout = 1000;
	c->retries = 3;
	c->rise = 1;
	c->start_interval = interval;
	f = xcalloc(1, sizeof *f);
	f->script = script;
	f->delay = 0.005;
	ev_init(&f->timer, fake_timer_cb);
	f->timer.data = c;
	ev_init(&f->late_timer, fake_late_cb);
	f->late_timer.data = c;
	c->data = f;
	return (c);
}

static void
fake_free(struct check *c)
{
	struct fake	*f = c->data;

	ev_timer_stop(EV_DEFAULT, &f->timer);
	ev_timer_stop(EV_DEFAULT, &f->late_timer);
	free(f->big);
	free(f);
	c->data = NULL;
	c->type = NULL;
	check_free(c);
}

static void
limit_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	ev_break(loop, EVBREAK_ONE);
}

/* Run the checks until it has `n` results (or a safety limit). */
static void
run(struct check_list *list, u_int n)
{
	struct check	*c;
	ev_timer	 limit;

	running = 0;
	TAILQ_FOREACH(c, list, entry) {
		((struct fake *)c->data)->stop_after = n;
		running++;
	}
	ev_timer_init(&limit, limit_cb, 10.0, 0);
	ev_timer_start(EV_DEFAULT, &limit);
	probe_start(list, notify, NULL);
	ev_run(EV_DEFAULT, 0);
	ev_timer_stop(EV_DEFAULT, &limit);
	probe_stop(list);
	expect("finished before the safety limit", running == 0);
}

static void
test_retries(void)
{
	struct check_list	 list = TAILQ_HEAD_INITIALIZER(list);
	struct check		*c = fake_check("r", "ffffpf", 20);
	struct fake		*f = c->data;

	TAILQ_INSERT_TAIL(&list, c, entry);
	run(&list, 6);
	expect("starting after 2 failures", f->states[1] == CHECK_STARTING);
	expect("unhealthy at the 3rd failure",
	    f->states[2] == CHECK_UNHEALTHY && f->changed[2]);
	expect("no change at the 4th", f->states[3] == CHECK_UNHEALTHY &&
	    !f->changed[3]);
	expect("a pass: healthy", f->states[4] == CHECK_HEALTHY &&
	    f->changed[4]);
	expect("one failure after: still healthy",
	    f->states[5] == CHECK_HEALTHY && !f->changed[5]);
	expect("failing streak 1", c->failing_streak == 1);
	expect("ever healthy", c->ever_healthy);
	expect("passes counted", c->passes == 1 && c->failures == 5);
	expect("no overlap", f->overlaps == 0);
	fake_free(c);
}

static void
test_rise(void)
{
	struct check_list	 list = TAILQ_HEAD_INITIALIZER(list);
	struct check		*c = fake_check("rise", "pfppp", 20);
	struct fake		*f = c->data;

	c->rise = 2;
	TAILQ_INSERT_TAIL(&list, c, entry);
	run(&list, 5);
	expect("one pass is not enough", f->states[0] == CHECK_STARTING);
	expect("a failure resets the run", f->states[2] == CHECK_STARTING);
	expect("two passes in a row: healthy", f->states[3] == CHECK_HEALTHY &&
	    f->changed[3]);
	expect("ever healthy", c->ever_healthy);
	fake_free(c);
}

/*
 * start_period 300ms, start_interval 30ms, interval 100ms, always failing:
 * failures that began inside the period are not counted; then three
 * counted ones at the normal interval make it unhealthy.
 */
static void
test_start_period(void)
{
	struct check_list	 list = TAILQ_HEAD_INITIALIZER(list);
	struct check		*c = fake_check("sp", "f", 100);
	struct fake		*f = c->data;
	double			 t0;
	u_int			 i, inside = 0, first_counted = 0;

	c->start_period = 300;
	c->start_interval = 30;
	TAILQ_INSERT_TAIL(&list, c, entry);
	t0 = now();
	running = 1;
	f->stop_after = 0;
	probe_start(&list, notify, NULL);
	while (c->state != CHECK_UNHEALTHY && now() - t0 < 5)
		ev_run(EV_DEFAULT, EVRUN_ONCE);
	probe_stop(&list);
	for (i = 0; i < f->notified && i < MAXATTEMPTS; i++) {
		if (f->starts[i] - t0 < 0.300)
			inside++;
		else if (first_counted == 0)
			first_counted = i;
	}
	expect("several attempts inside the period", inside >= 5);
	expect("unhealthy", c->state == CHECK_UNHEALTHY);
	expect("after exactly 3 counted failures",
	    f->notified == first_counted + 3);
	expect("start_interval inside the period",
	    f->starts[2] - f->ends[1] > 0.025 &&
	    f->starts[2] - f->ends[1] < 0.080);
	expect("interval after the period",
	    f->starts[f->notified - 1] - f->ends[f->notified - 2] > 0.095 &&
	    f->starts[f->notified - 1] - f->ends[f->notified - 2] < 0.160);
	expect("period judged by the attempt's start",
	    f->starts[first_counted] - t0 >= 0.300);
	fake_free(c);
}

/* Each attempt takes 40ms; the next begins 60ms after the end. */
static void
test_schedule(void)
{
	struct check_list	 list = TAILQ_HEAD_INITIALIZER(list);
	struct check		*c = fake_check("s", "pf", 60);
	struct fake		*f = c->data;
	double			 gap;
	u_int			 i;

	f->delay = 0.040;
	TAILQ_INSERT_TAIL(&list, c, entry);
	run(&list, 5);
	for (i = 0; i + 1 < 5; i++) {
		gap = f->starts[i + 1] - f->ends[i];
		expect("interval counted from the end", gap > 0.055 &&
		    gap < 0.110);
		expect("attempts take their time",
		    f->ends[i] - f->starts[i] > 0.035);
	}
	expect("no overlap", f->overlaps == 0);
	fake_free(c);
}

static void
test_spread(void)
{
	struct check_list	 list = TAILQ_HEAD_INITIALIZER(list);
	struct check		*c[4];
	struct fake		*f;
	double			 t0, at;
	u_int			 i;
	char			 name[8];

	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof name, "c%u", i);
		c[i] = fake_check(name, "p", 400);
		TAILQ_INSERT_TAIL(&list, c[i], entry);
	}
	t0 = now();
	run(&list, 1);
	for (i = 0; i < 4; i++) {
		f = c[i]->data;
		at = f->starts[0] - t0;
		expect("first attempts spread over the interval",
		    at > i * 0.100 - 0.010 && at < i * 0.100 + 0.050);
		fake_free(c[i]);
	}
}

static void
test_timeout(void)
{
	struct check_list	 list = TAILQ_HEAD_INITIALIZER(list);
	struct check		*c = fake_check("t", "l", 10000);
	struct fake		*f = c->data;
	const struct attempt	*a;
	double			 t0;

	c->timeout = 150;
	f->late = 0.250;
	TAILQ_INSERT_TAIL(&list, c, entry);
	run(&list, 1);
	a = probe_last(c);
	expect("timed out", a != NULL && a->result == CHECK_TIMEOUT);
	expect("output says so", a != NULL &&
	    strcmp(a->output, "timed out after 150ms") == 0);
	expect("within 50ms of the timeout", a != NULL &&
	    a->duration >= 150 && a->duration < 200);
	expect("cancel called once", f->cancels == 1);

	/* The buggy late answer at 250ms must not count. */
	t0 = now();
	while (now() - t0 < 0.2)
		ev_run(EV_DEFAULT, EVRUN_ONCE);
	expect("late answer ignored", c->log_count == 1 && c->passes == 0);
	fake_free(c);
}

static void
test_sync_and_error(void)
{
	struct check_list	 list = TAILQ_HEAD_INITIALIZER(list);
	struct check		*c = fake_check("y", "PFePP", 10);
	struct fake		*f = c->data;
	const struct attempt	*a;

	TAILQ_INSERT_TAIL(&list, c, entry);
	run(&list, 5);
	expect("five results", c->log_count == 5);
	expect("synchronous pass kept", c->log[0].result == CHECK_PASS &&
	    strcmp(c->log[0].output, "o0") == 0);
	expect("synchronous fail kept", c->log[1].result == CHECK_FAIL);
	expect("failed start is a failure", c->log[2].result == CHECK_FAIL &&
	    strcmp(c->log[2].output, "cannot start: boom") == 0);
	a = probe_last(c);
	expect("last", a == &c->log[4] && a->result == CHECK_PASS);
	expect("healthy", c->state == CHECK_HEALTHY);
	expect("no overlap", f->overlaps == 0);
	fake_free(c);
}

static void
test_log(void)
{
	struct check_list	 list = TAILQ_HEAD_INITIALIZER(list);
	struct check		*c = fake_check("log", "P", 5);
	struct fake		*f = c->data;
	u_int			 i;

	TAILQ_INSERT_TAIL(&list, c, entry);
	run(&list, 7);
	expect("five kept", c->log_count == CHECK_LOG_SIZE);
	expect("newest is the 7th", strcmp(probe_last(c)->output, "o6") == 0);
	expect("oldest kept is the 3rd",
	    strcmp(c->log[c->log_next].output, "o2") == 0);

	f->big = xmalloc(10001);
	for (i = 0; i < 10000; i++)
		f->big[i] = 'a' + i % 26;
	f->big[10000] = '\0';
	f->notified = 0;
	run(&list, 1);
	expect("output cut at 4 KiB",
	    strlen(probe_last(c)->output) == CHECK_OUTPUT_MAX &&
	    strncmp(probe_last(c)->output, f->big, CHECK_OUTPUT_MAX) == 0);
	fake_free(c);
}

static void
test_reset_and_stop(void)
{
	struct check_list	 list = TAILQ_HEAD_INITIALIZER(list);
	struct check		*c = fake_check("rs", "ph", 20);
	struct fake		*f = c->data;
	double			 t0;
	u_int			 n;

	c->start_period = 1000;
	c->start_interval = 20;
	TAILQ_INSERT_TAIL(&list, c, entry);
	run(&list, 1);
	expect("healthy", c->state == CHECK_HEALTHY && c->ever_healthy);
	probe_reset(&list);
	expect("reset: starting", c->state == CHECK_STARTING &&
	    !c->ever_healthy && c->failing_streak == 0 && c->success_run == 0);

	/* Second attempt hangs; stop cancels it and nothing runs after. */
	f->stop_after = 0;
	probe_start(&list, notify, NULL);
	t0 = now();
	while (!c->busy && now() - t0 < 2)
		ev_run(EV_DEFAULT, EVRUN_ONCE);
	expect("busy", c->busy);
	probe_stop(&list);
	expect("stop cancels", !c->busy && f->cancels == 1);
	t0 = now();
	n = f->n;
	while (now() - t0 < 0.1)
		ev_run(EV_DEFAULT, EVRUN_NOWAIT);
	expect("nothing after stop", f->n == n && !ev_is_active(&c->timer));
	fake_free(c);
}

struct answer {
	int		 calls;
	int		 inside;	/* came inside resolve_start() */
	int		 family;
	char		*error;
};

static int	 resolving;

static void
resolved(struct addrinfo *ai, const char *error, void *arg)
{
	struct answer	*a = arg;

	a->calls++;
	a->inside = resolving;
	if (ai != NULL) {
		a->family = ai->ai_family;
		freeaddrinfo(ai);
	}
	if (error != NULL)
		a->error = xstrdup(error);
	ev_break(EV_DEFAULT, EVBREAK_ONE);
}

static struct resolve *
resolve(const char *host, const char *port, struct answer *a)
{
	struct resolve	*r;

	memset(a, 0, sizeof *a);
	resolving = 1;
	r = resolve_start(host, port, SOCK_STREAM, resolved, a);
	resolving = 0;
	return (r);
}

static void
wait_answer(struct answer *a)
{
	ev_timer	 limit;

	ev_timer_init(&limit, limit_cb, 5.0, 0);
	ev_timer_start(EV_DEFAULT, &limit);
	if (a->calls == 0)
		ev_run(EV_DEFAULT, 0);
	ev_timer_stop(EV_DEFAULT, &limit);
}

static void
test_resolve(void)
{
	struct answer	 a, b[50];
	struct resolve	*r[50];
	double		 t0;
	u_int		 i;

	resolve("127.0.0.1", "80", &a);
	expect("numeric: not inside resolve_start", a.calls == 0);
	wait_answer(&a);
	expect("numeric: answered", a.calls == 1 && a.family == AF_INET &&
	    a.error == NULL);

	resolve("::1", "80", &a);
	wait_answer(&a);
	expect("numeric IPv6", a.calls == 1 && a.family == AF_INET6);

	resolve("localhost", "80", &a);
	expect("name: not inside resolve_start", a.calls == 0);
	wait_answer(&a);
	expect("name: answered from the loop", a.calls == 1 && !a.inside &&
	    a.error == NULL);

	resolve("localhost", "no-such-service-x", &a);
	wait_answer(&a);
	expect("bad service: an error", a.calls == 1 && a.error != NULL &&
	    strncmp(a.error, "cannot resolve localhost: ", 26) == 0);
	free(a.error);

	/* Cancelled, at once or later: never a callback, never a leak. */
	for (i = 0; i < nitems(r); i++)
		r[i] = resolve(i % 2 ? "localhost" : "127.0.0.1", "80", &b[i]);
	for (i = 0; i < nitems(r); i += 2)
		resolve_cancel(r[i]);
	t0 = now();
	while (now() - t0 < 0.3)
		ev_run(EV_DEFAULT, EVRUN_NOWAIT);
	for (i = 1; i < nitems(r); i += 2) {
		if (b[i].calls == 0)
			resolve_cancel(r[i]);
	}
	for (i = 0; i < nitems(r); i += 2)
		expect("no callback after cancel", b[i].calls == 0);
	resolve_cancel(NULL);
}

int
main(void)
{
	if (getenv("UNIT_DEBUG") != NULL)
		log_level = LOG_DEBUG;
	ev_default_loop(0);
	test_retries();
	test_rise();
	test_start_period();
	test_schedule();
	test_spread();
	test_timeout();
	test_sync_and_error();
	test_log();
	test_reset_and_stop();
	test_resolve();
	if (failures != 0) {
		fprintf(stderr, "%d failure(s)\n", failures);
		return (1);
	}
	printf("ok\n");
	return (0);
}
