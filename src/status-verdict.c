/*
 * status-verdict.c: the one judgement of health (SPEC §3). A snapshot is
 * judged for a view (readiness, liveness) or for checks named, and each
 * check for its component status. The JSON document, the endpoint's
 * status code, /metrics and hinit status all take their verdict from here.
 */

#include <string.h>

#include "hinit.h"
#include "check.h"
#include "status.h"

/* Adds "what: name", or ", name" after the first; why may be NULL. */
static void
status_verdict_why(struct buf *why, const char *what, const char *name,
    int *first)
{
	if (why == NULL)
		return;
	if (*first) {
		buf_reset(why);
		buf_puts(why, what);
		buf_puts(why, ": ");
		*first = 0;
	} else
		buf_puts(why, ", ");
	buf_puts(why, name);
}

/*
 * The checks of a view: an unhealthy critical one beats one that has not
 * been healthy since the app (re)started, which beats a failing check that
 * is not critical (warn). The reason comes from the state that wins.
 */
static enum overall
status_verdict_checks(const struct status_snapshot *s, enum status_view view,
    struct buf *why)
{
	const struct status_check *c;
	struct buf		 starting, warning;
	int			 bad = 0, fresh = 0, warn = 0;
	int			 first_bad = 1, first_fresh = 1, first_warn = 1;
	u_int			 i;

	buf_init(&starting);
	buf_init(&warning);
	for (i = 0; i < s->nchecks; i++) {
		c = &s->checks[i];
		if (view == STATUS_VIEW_LIVE && !c->live)
			continue;
		if (!c->critical) {
			if (c->state == CHECK_UNHEALTHY) {
				warn = 1;
				status_verdict_why(why != NULL ? &warning :
				    NULL, "warn", c->name, &first_warn);
			}
			continue;
		}
		if (c->state == CHECK_UNHEALTHY) {
			bad = 1;
			status_verdict_why(why, "unhealthy", c->name,
			    &first_bad);
		} else if (!c->ever_healthy || c->state != CHECK_HEALTHY) {
			/* Back to starting with the app: not yet healthy. */
			fresh = 1;
			status_verdict_why(why != NULL ? &starting : NULL,
			    "starting", c->name, &first_fresh);
		}
	}
	if (why != NULL && !bad) {
		if (fresh)
			buf_puts(why, starting.data);
		else if (warn)
			buf_puts(why, warning.data);
	}
	buf_free(&starting);
	buf_free(&warning);

	if (bad)
		return (OVERALL_UNHEALTHY);
	if (fresh)
		return (OVERALL_STARTING);
	if (warn)
		return (OVERALL_WARN);
	return (OVERALL_HEALTHY);
}

/*
 * Checks named: each must be there and healthy, critical or not; for the
 * live view, the app must run too. Nothing else is judged.
 */
static enum overall
status_verdict_named(const struct status_snapshot *s, enum status_view view,
    char *const *names, u_int nnames)
{
	const struct status_check *c;
	enum overall		 o = OVERALL_HEALTHY;
	u_int			 i, j;

	for (i = 0; i < nnames; i++) {
		for (j = 0; j < s->nchecks; j++) {
			if (strcmp(s->checks[j].name, names[i]) == 0)
				break;
		}
		c = j < s->nchecks ? &s->checks[j] : NULL;
		if (c == NULL || c->state == CHECK_UNHEALTHY)
			o = OVERALL_UNHEALTHY;
		else if (c->state != CHECK_HEALTHY && o == OVERALL_HEALTHY)
			o = OVERALL_STARTING;
	}
	if (view == STATUS_VIEW_LIVE && s->app_state != APP_RUNNING)
		o = OVERALL_UNHEALTHY;
	return (o);
}

/*
 * The overall state of a view, or of the checks named (nnames > 0): stopping
 * beats everything, then (for a view) an app that does not run, then the
 * checks. With no checks, a view is healthy while the app runs. If why is
 * given, it gets the reason when a view is not healthy.
 */
enum overall
status_verdict(const struct status_snapshot *s, enum status_view view,
    char *const *names, u_int nnames, struct buf *why)
{
	if (s->stopping) {
		if (why != NULL)
			buf_puts(why, "stopping");
		return (OVERALL_STOPPING);
	}
	if (nnames != 0)
		return (status_verdict_named(s, view, names, nnames));
	if (s->app_state != APP_RUNNING) {
		if (why != NULL) {
			buf_puts(why, "app ");
			buf_puts(why, status_verdict_app(s->app_state));
		}
		if (s->app_state == APP_WAITING)
			return (OVERALL_STARTING);
		return (OVERALL_UNHEALTHY);
	}
	return (status_verdict_checks(s, view, why));
}

/*
 * The draft's component status of one check: a check that is not critical
 * and is not healthy (never passed yet, or failing) warns, as it does in
 * the overall status; while stopping, every check fails.
 */
const char *
status_verdict_check(const struct status_snapshot *s,
    const struct status_check *c)
{
	if (s->stopping)
		return ("fail");
	if (c->state == CHECK_HEALTHY)
		return ("pass");
	if (!c->critical)
		return ("warn");
	return ("fail");
}

const char *
status_verdict_name(enum overall o)
{
	switch (o) {
	case OVERALL_STARTING:
		return ("starting");
	case OVERALL_HEALTHY:
	case OVERALL_WARN:
		return ("healthy");
	case OVERALL_UNHEALTHY:
		return ("unhealthy");
	case OVERALL_STOPPING:
		return ("stopping");
	}
	return ("unknown");
}

const char *
status_verdict_json(enum overall o)
{
	switch (o) {
	case OVERALL_HEALTHY:
		return ("pass");
	case OVERALL_WARN:
		return ("warn");
	default:
		return ("fail");
	}
}

int
status_verdict_ready(enum overall o)
{
	return (o == OVERALL_HEALTHY || o == OVERALL_WARN);
}

const char *
status_verdict_app(enum app_state state)
{
	static const char *const names[] = {
		"waiting", "running", "restarting", "exited"
	};

	if ((u_int)state >= nitems(names))
		return ("exited");
	return (names[state]);
}
