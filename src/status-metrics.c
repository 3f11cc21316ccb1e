/*
 * status-metrics.c: /metrics, the Prometheus text format 0.0.4, rendered
 * from a snapshot and the verdicts it is given: hinit's own gauges and
 * counters, then every check family's samples together.
 */

#include <string.h>

#include "hinit.h"
#include "check.h"
#include "status.h"

enum status_metrics_family {
	STATUS_METRICS_UP,
	STATUS_METRICS_DURATION,
	STATUS_METRICS_PASSES,
	STATUS_METRICS_FAILURES,
	STATUS_METRICS_STATE
};

static const struct {
	const char	*name;
	const char	*type;
	const char	*help;
} status_metrics_families[] = {
	{ "hinit_check_up", "gauge",
	  "1 when the check is healthy, else 0." },
	{ "hinit_check_duration_seconds", "gauge",
	  "How long the last attempt took." },
	{ "hinit_check_passes_total", "counter",
	  "Attempts that passed." },
	{ "hinit_check_failures_total", "counter",
	  "Attempts that failed or timed out." },
	{ "hinit_check_state", "gauge",
	  "1 for the state the check is in (starting, healthy, "
	  "unhealthy), 0 for the others." }
};

static void
status_metrics_head(struct buf *b, const char *name, const char *type,
    const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* NAME{check="VALUE"} with the label's escapes, before the sample. */
static void
status_metrics_label(struct buf *b, const char *name, const char *value)
{
	const char	*p;

	buf_printf(b, "%s{check=\"", name);
	for (p = value; *p != '\0'; p++) {
		if (*p == '\\' || *p == '"')
			buf_printf(b, "\\%c", *p);
		else if (*p == '\n')
			buf_puts(b, "\\n");
		else
			buf_putc(b, *p);
	}
	buf_puts(b, "\"} ");
}

/* hinit_check_state{check="db",state="starting"} 1, one per state. */
static void
status_metrics_state(struct buf *b, const struct status_check *sc)
{
	enum check_state	 i;

	for (i = CHECK_STARTING; i <= CHECK_UNHEALTHY; i++) {
		status_metrics_label(b, "hinit_check_state", sc->name);
		/* Take back the closing "} " to add the state label. */
		b->len -= 2;
		b->data[b->len] = '\0';
		buf_printf(b, ",state=\"%s\"} %d\n", check_state_name(i),
		    sc->state == i);
	}
}

/* One check's sample of a family. */
static void
status_metrics_sample(struct buf *b, const struct status_snapshot *s,
    const struct status_check *sc, enum status_metrics_family f)
{
	const struct attempt	*last;
	const struct check	*c = sc->check;

	if (f == STATUS_METRICS_STATE) {
		status_metrics_state(b, sc);
		return;
	}
	status_metrics_label(b, status_metrics_families[f].name, sc->name);
	switch (f) {
	case STATUS_METRICS_UP:
		buf_printf(b, "%d\n",
		    strcmp(status_verdict_check(s, sc), "pass") == 0);
		break;
	case STATUS_METRICS_DURATION:
		last = c->log_count <= CHECK_LOG_SIZE ? probe_last(c) : NULL;
		buf_printf(b, "%.6f\n", last != NULL ?
		    last->duration / 1000.0 : 0.0);
		break;
	case STATUS_METRICS_PASSES:
		buf_printf(b, "%llu\n", (unsigned long long)c->passes);
		break;
	case STATUS_METRICS_FAILURES:
		buf_printf(b, "%llu\n", (unsigned long long)c->failures);
		break;
	default:
		break;
	}
}

/* The metrics, given the readiness and liveness verdicts. */
void
status_metrics_text(struct buf *b, const struct status_snapshot *s,
    enum overall ready, enum overall live)
{
	u_int	 f, i;

	status_metrics_head(b, "hinit_up", "gauge", "1 while hinit runs.");
	buf_puts(b, "hinit_up 1\n");
	status_metrics_head(b, "hinit_ready", "gauge",
	    "1 when the readiness view passes (pass or warn).");
	buf_printf(b, "hinit_ready %d\n", status_verdict_ready(ready));
	status_metrics_head(b, "hinit_live", "gauge",
	    "1 when the liveness view passes (pass or warn).");
	buf_printf(b, "hinit_live %d\n", status_verdict_ready(live));
	status_metrics_head(b, "hinit_app_running", "gauge",
	    "1 while the app runs.");
	buf_printf(b, "hinit_app_running %d\n", s->app_state == APP_RUNNING);
	status_metrics_head(b, "hinit_app_restarts_total", "counter",
	    "Times the app was restarted.");
	buf_printf(b, "hinit_app_restarts_total %u\n", s->app_restarts);
	status_metrics_head(b, "hinit_app_restart_limit_reached", "gauge",
	    "1 once restart_limit is reached: hinit gives up and exits.");
	buf_printf(b, "hinit_app_restart_limit_reached %d\n",
	    s->app_given_up);
	status_metrics_head(b, "hinit_zombies_reaped_total", "counter",
	    "Orphaned processes reaped.");
	buf_printf(b, "hinit_zombies_reaped_total %llu\n",
	    (unsigned long long)s->reaped);
	if (s->nchecks == 0)
		return;

	for (f = 0; f < nitems(status_metrics_families); f++) {
		status_metrics_head(b, status_metrics_families[f].name,
		    status_metrics_families[f].type,
		    status_metrics_families[f].help);
		for (i = 0; i < s->nchecks; i++)
			status_metrics_sample(b, s, &s->checks[i], f);
	}
}
