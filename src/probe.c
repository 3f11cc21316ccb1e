/*
 * probe.c: the probe engine. For every check it owns the schedule (first
 * attempts spread over the interval, then interval after each end, plus a
 * little jitter), the timeout of each attempt, the counters and the state
 * (SPEC §3), the last attempts kept, and the one log line per state change.
 * Check types only begin an attempt and report it through check_done().
 */

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hinit.h"
#include "check.h"

#define PROBE_ONCE		0x1	/* one attempt, none after */
#define PROBE_IN_START		0x2	/* inside type->start() */
#define PROBE_DONE_IN_START	0x4	/* check_done() came inside it */
#define PROBE_CHANGED		0x8	/* ... and changed the state */

#define PROBE_JITTER_MAX	100	/* ms */

static void	probe_timer_cb(struct ev_loop *, ev_timer *, int);

const char *
check_state_name(enum check_state state)
{
	switch (state) {
	case CHECK_STARTING:
		return ("starting");
	case CHECK_HEALTHY:
		return ("healthy");
	case CHECK_UNHEALTHY:
		return ("unhealthy");
	}
	return ("unknown");
}

const char *
check_result_name(enum check_result result)
{
	switch (result) {
	case CHECK_PASS:
		return ("pass");
	case CHECK_FAIL:
		return ("fail");
	case CHECK_TIMEOUT:
		return ("timeout");
	}
	return ("unknown");
}

const struct attempt *
probe_last(const struct check *c)
{
	if (c->log_count == 0)
		return (NULL);
	return (&c->log[(c->log_next + CHECK_LOG_SIZE - 1) % CHECK_LOG_SIZE]);
}

/* Judged by when the attempt began: one that began inside is inside. */
static int
probe_in_start_period(struct check *c, double when)
{
	return ((when - c->period_start) * 1000.0 < (double)c->start_period);
}

static uint64_t
probe_interval(struct check *c)
{
	if (c->state == CHECK_STARTING &&
	    probe_in_start_period(c, ev_now(EV_DEFAULT)))
		return (c->start_interval);
	return (c->interval);
}

/*
 * Up to 1% of the interval, at most PROBE_JITTER_MAX, so that checks with
 * the same interval drift apart. A hash of the name, the attempt number,
 * the pid and the clock is random enough and needs no state.
 */
static uint64_t
probe_jitter(struct check *c, uint64_t interval)
{
	uint64_t	 max = interval / 100, h = 14695981039346656037ULL;
	const char	*p;

	if (max > PROBE_JITTER_MAX)
		max = PROBE_JITTER_MAX;
	if (max == 0)
		return (0);
	for (p = c->name; p != NULL && *p != '\0'; p++)
		h = (h ^ (u_char)*p) * 1099511628211ULL;
	h ^= (uint64_t)c->attempt_id * 0x9e3779b97f4a7c15ULL;
	h ^= (uint64_t)getpid() << 32;
	h ^= (uint64_t)(ev_now(EV_DEFAULT) * 1e6);
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (h % (max + 1));
}

static void
probe_schedule(struct check *c, uint64_t delay)
{
	c->planned = ev_now(EV_DEFAULT) + delay / 1000.0;
	ev_timer_stop(EV_DEFAULT, &c->timer);
	ev_timer_set(&c->timer, delay / 1000.0, 0);
	ev_timer_start(EV_DEFAULT, &c->timer);
}

/*
 * Output as kept: every secret in it hidden (whatever the check type or the
 * server put there), then at most CHECK_OUTPUT_MAX bytes, cut between two
 * characters, without trailing blanks. An output as long as the most a
 * check type keeps was cut short there: the start of a secret at its end
 * is hidden too.
 */
static char *
probe_output(const char *output)
{
	struct buf	 b;
	size_t		 len, back;
	char		*s;

	if (output == NULL)
		output = "";
	len = strlen(output);
	buf_init(&b);
	buf_add(&b, "", 0);
	secret_scrub(&b, output, len, len >= CHECK_OUTPUT_MAX ?
	    SECRET_CUT_END : 0);
	len = b.len;
	if (len > CHECK_OUTPUT_MAX) {
		len = CHECK_OUTPUT_MAX;
		/* Not inside a UTF-8 sequence (at most 3 bytes back). */
		for (back = 0; back < 3 && len > 0 &&
		    ((u_char)b.data[len] & 0xc0) == 0x80; back++)
			len--;
		if (((u_char)b.data[len] & 0xc0) == 0x80)
			len += back;	/* not UTF-8 anyway: cut where it was */
	}
	while (len > 0 && (b.data[len - 1] == '\n' || b.data[len - 1] == '\r' ||
	    b.data[len - 1] == ' ' || b.data[len - 1] == '\t'))
		len--;
	s = xstrndup(b.data, len);
	buf_free(&b);
	return (s);
}

/* Keep an attempt in the check's ring of the last CHECK_LOG_SIZE. */
static struct attempt *
probe_keep(struct check *c, enum check_result result, const char *output,
    double now)
{
	struct attempt	*a;

	a = &c->log[c->log_next];
	free(a->output);
	a->start = c->attempt_wall;
	a->duration = (now - c->attempt_start) * 1000.0;
	if (a->duration < 0)
		a->duration = 0;
	a->end = a->start + a->duration / 1000.0;
	a->result = result;
	a->output = probe_output(output);
	c->log_next = (c->log_next + 1) % CHECK_LOG_SIZE;
	if (c->log_count < CHECK_LOG_SIZE)
		c->log_count++;
	c->last_duration = a->duration;
	return (a);
}

/* Count a result: rise passes make it healthy, retries failures not. */
static void
probe_count(struct check *c, enum check_result result)
{
	char	 tmp[32];

	if (result == CHECK_PASS) {
		c->passes++;
		c->failing_streak = 0;
		c->success_run++;
		if (c->state != CHECK_HEALTHY && c->success_run >= c->rise) {
			c->state = CHECK_HEALTHY;
			c->ever_healthy = 1;
		}
		return;
	}
	c->failures++;
	c->success_run = 0;	/* counted or not: passes in a row */
	if (c->state == CHECK_STARTING &&
	    probe_in_start_period(c, c->attempt_start)) {
		log_debug("check %s: failure inside start_period %s, "
		    "not counted", c->name, duration_format(
		    c->start_period, tmp, sizeof tmp));
	} else {
		c->failing_streak++;
		if (c->state != CHECK_UNHEALTHY &&
		    c->failing_streak >= c->retries)
			c->state = CHECK_UNHEALTHY;
	}
}

/* Say a change of state, with the output (why) of the attempt. */
static void
probe_say(struct check *c, const char *why)
{
	if (c->state == CHECK_HEALTHY) {
		if (c->rise > 1) {
			log_info("check %s: healthy after %u passes%s%s%s",
			    c->name, c->success_run, *why != '\0' ? " (" : "",
			    why, *why != '\0' ? ")" : "");
		} else {
			log_info("check %s: healthy%s%s%s", c->name,
			    *why != '\0' ? " (" : "", why,
			    *why != '\0' ? ")" : "");
		}
	} else {
		log_info("check %s: unhealthy after %u failure%s%s%s", c->name,
		    c->failing_streak, c->failing_streak == 1 ? "" : "s",
		    *why != '\0' ? ": " : "", why);
	}
}

/* Record an attempt's end, count it; returns whether the state changed. */
static int
probe_record(struct check *c, enum check_result result, const char *output)
{
	struct ev_loop	*loop = EV_DEFAULT;
	struct attempt	*a;
	enum check_state old = c->state;

	ev_timer_stop(loop, &c->timer);
	ev_now_update(loop);
	c->busy = 0;
	a = probe_keep(c, result, output, ev_now(loop));
	log_debug("check %s: attempt %u: %s in %.1fms%s%s", c->name,
	    c->attempt_id, check_result_name(result), a->duration,
	    *a->output != '\0' ? ": " : "", a->output);

	probe_count(c, result);
	if (c->state == old)
		return (0);
	c->previous = old;
	/* hinit check and hinit wait say it their own way. */
	if (~c->probe_flags & PROBE_ONCE)
		probe_say(c, a->output);
	return (1);
}

/* After the result is kept: the next attempt, then whoever listens. */
static void
probe_after(struct check *c, int changed)
{
	uint64_t	 interval;

	if (~c->probe_flags & PROBE_ONCE && c->type->start != NULL) {
		interval = probe_interval(c);
		probe_schedule(c, interval + probe_jitter(c, interval));
	}
	if (c->notify != NULL)
		c->notify(c, changed, c->notify_arg);
}

static void
probe_finish(struct check *c, enum check_result result, const char *output)
{
	int	 changed;

	changed = probe_record(c, result, output);
	if (c->probe_flags & PROBE_IN_START) {
		/* Reported from inside start(): carry on once it returns. */
		c->probe_flags |= PROBE_DONE_IN_START;
		if (changed)
			c->probe_flags |= PROBE_CHANGED;
		return;
	}
	probe_after(c, changed);
}

void
check_done(struct check *c, enum check_result result, const char *fmt, ...)
{
	va_list	 ap;
	char	*output = NULL;

	if (!c->busy) {
		log_debug("check %s: result with no attempt under way ignored",
		    c->name);
		return;
	}
	if (fmt != NULL) {
		va_start(ap, fmt);
		xvasprintf(&output, fmt, ap);
		va_end(ap);
	}
	probe_finish(c, result, output);
	free(output);
}

/*
 * A check whose type is never probed (no start()) reports what its source
 * says when it says it: an attempt that begins and ends now.
 */
void
probe_push(struct check *c, enum check_result result, const char *output)
{
	struct ev_loop	*loop = EV_DEFAULT;

	ev_now_update(loop);
	c->busy = 1;
	c->attempt_id++;
	c->attempt_start = ev_now(loop);
	c->attempt_wall = time_wall();
	probe_finish(c, result, output);
}

static void
probe_attempt(struct check *c)
{
	struct ev_loop	*loop = EV_DEFAULT;
	char		*cause = NULL;
	int		 changed;

	ev_now_update(loop);
	c->busy = 1;
	c->attempt_id++;
	c->attempt_start = ev_now(loop);
	c->attempt_wall = time_wall();
	/* How late against the plan (interval and jitter), for bench/run. */
	log_debug("check %s: attempt %u (%.3fms late)", c->name, c->attempt_id,
	    (c->attempt_start - c->planned) * 1000.0);
	if (c->timeout != 0)
		probe_schedule(c, c->timeout);

	c->probe_flags &= ~(PROBE_DONE_IN_START | PROBE_CHANGED);
	c->probe_flags |= PROBE_IN_START;
	if (c->type->start(c, &cause) != 0) {
		c->probe_flags &= ~PROBE_IN_START;
		if (c->busy) {
			c->type->cancel(c);
			probe_finish(c, CHECK_FAIL, cause);
		} else
			log_debug("check %s: start failed after its result",
			    c->name);
		free(cause);
		return;
	}
	c->probe_flags &= ~PROBE_IN_START;
	if (c->probe_flags & PROBE_DONE_IN_START) {
		changed = (c->probe_flags & PROBE_CHANGED) != 0;
		c->probe_flags &= ~(PROBE_DONE_IN_START | PROBE_CHANGED);
		probe_after(c, changed);
	}
}

static void
probe_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct check	*c = w->data;
	char		 tmp[32], output[64];

	if (!c->busy) {
		probe_attempt(c);
		return;
	}
	/* Not busy first: a check_done() from inside cancel() is ignored. */
	c->busy = 0;
	c->type->cancel(c);
	snprintf(output, sizeof output, "timed out after %s",
	    duration_format(c->timeout, tmp, sizeof tmp));
	probe_finish(c, CHECK_TIMEOUT, output);
}

static void
probe_init(struct check *c, probe_cb *cb, void *arg, u_int flags)
{
	ev_timer_stop(EV_DEFAULT, &c->timer);
	ev_init(&c->timer, probe_timer_cb);
	c->timer.data = c;
	c->notify = cb;
	c->notify_arg = arg;
	c->probe_flags = flags;
	c->period_start = ev_now(EV_DEFAULT);
}

/*
 * Start probing: check i of n first at i * interval / n, so that many
 * checks do not all fire at once; the first at once.
 */
void
probe_start(struct check_list *list, probe_cb *cb, void *arg)
{
	struct check	*c;
	u_int		 n = 0, i = 0;

	/* The loop's clock may be as old as start-up: plan from now. */
	ev_now_update(EV_DEFAULT);
	TAILQ_FOREACH(c, list, entry) {
		if (c->type->start != NULL)
			n++;
	}
	TAILQ_FOREACH(c, list, entry) {
		probe_init(c, cb, arg, 0);
		if (c->type->start == NULL)
			continue;	/* pushed: probe_push() */
		probe_schedule(c, probe_interval(c) * i / n);
		i++;
	}
}

void
probe_once(struct check *c, probe_cb *cb, void *arg)
{
	ev_now_update(EV_DEFAULT);
	probe_init(c, cb, arg, PROBE_ONCE);
	probe_schedule(c, 0);
}

void
probe_stop(struct check_list *list)
{
	struct check	*c;

	TAILQ_FOREACH(c, list, entry) {
		ev_timer_stop(EV_DEFAULT, &c->timer);
		if (c->busy) {
			c->busy = 0;
			c->type->cancel(c);
		}
		c->notify = NULL;
		c->notify_arg = NULL;
	}
}

/*
 * The app restarted: every check is starting again and its start_period
 * begins now. An attempt under way carries on; a check waiting longer than
 * its start_interval is brought forward.
 */
void
probe_reset(struct check_list *list)
{
	struct ev_loop	*loop = EV_DEFAULT;
	struct check	*c;

	TAILQ_FOREACH(c, list, entry) {
		c->state = CHECK_STARTING;
		c->ever_healthy = 0;
		c->failing_streak = 0;
		c->success_run = 0;
		c->period_start = ev_now(loop);
		if (c->busy || !ev_is_active(&c->timer) || c->start_period == 0)
			continue;
		if (ev_timer_remaining(loop, &c->timer) * 1000.0 >
		    (double)c->start_interval)
			probe_schedule(c, c->start_interval);
	}
}
