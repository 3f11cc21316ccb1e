/*
 * status-json.c: the JSON document (IETF draft "Health Check Response
 * Format for HTTP APIs", with hinit's own members) of a view, rendered from
 * a snapshot and the verdict it is given. Text that may hold anything
 * (outputs, targets) is scrubbed of secrets and always valid JSON.
 */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hinit.h"
#include "check.h"
#include "status.h"

/*
 * A JSON string from text that may hold anything (a command's output, a
 * server's reply): no secret in it (secret.c), and valid JSON for every
 * reader (buf_json_string).
 */
static void
status_json_text(struct buf *b, const char *s)
{
	char	*scrubbed;

	if (s == NULL || !secret_any()) {
		buf_json_string(b, s);
		return;
	}
	scrubbed = secret_scrub_string(s);
	buf_json_string(b, scrubbed);
	free(scrubbed);
}

static void
status_json_time(struct buf *b, double t)
{
	char	 tmp[64];

	if (t <= 0) {
		buf_puts(b, "null");
		return;
	}
	buf_json_string(b, time_rfc3339(t, tmp, sizeof tmp));
}

static const char *
status_json_component(const struct check *c)
{
	if (c->type == NULL || c->type->component == NULL)
		return ("component");
	return (c->type->component);
}

/* The attempts kept, oldest first. */
static void
status_json_log(struct buf *b, const struct check *c)
{
	const struct attempt	*a;
	const char		*result;
	u_int			 i;

	buf_puts(b, ", \"hinit:log\": [");
	for (i = 0; i < c->log_count && c->log_count <= CHECK_LOG_SIZE; i++) {
		a = &c->log[(c->log_next + CHECK_LOG_SIZE - c->log_count + i) %
		    CHECK_LOG_SIZE];
		if (i != 0)
			buf_puts(b, ", ");
		buf_puts(b, "{\"start\": ");
		status_json_time(b, a->start);
		buf_puts(b, ", \"end\": ");
		status_json_time(b, a->end);
		buf_puts(b, ", \"duration\": ");
		buf_put_ms(b, a->duration);
		buf_puts(b, ", \"result\": ");
		result = check_result_name(a->result);
		buf_json_string(b, strcmp(result, "unknown") != 0 ? result :
		    "fail");
		buf_puts(b, ", \"output\": ");
		status_json_text(b, a->output);
		buf_putc(b, '}');
	}
	buf_puts(b, "]}]");
}

/*
 * "NAME:responseTime": [{...}]. "output" only says why a check does not
 * pass; no time or value before the first attempt ends.
 */
static void
status_json_check(struct buf *b, const struct status_snapshot *s,
    const struct status_check *sc)
{
	const struct check	*c = sc->check;
	const struct attempt	*last = NULL;
	const char		*status;
	struct buf		 key;

	if (c->log_count > 0 && c->log_count <= CHECK_LOG_SIZE)
		last = probe_last(c);
	buf_init(&key);
	buf_puts(&key, c->name);
	buf_puts(&key, ":responseTime");
	status_json_text(b, key.data);
	buf_free(&key);
	buf_puts(b, ": [{\"componentId\": ");
	status_json_text(b, c->name);
	buf_puts(b, ", \"componentType\": ");
	buf_json_string(b, status_json_component(c));
	status = status_verdict_check(s, sc);
	buf_puts(b, ", \"status\": ");
	buf_json_string(b, status);
	if (last != NULL) {
		buf_puts(b, ", \"observedValue\": ");
		buf_put_ms(b, last->duration);
		buf_puts(b, ", \"observedUnit\": \"ms\", \"time\": ");
		status_json_time(b, last->end);
	}
	if (s->stopping)
		buf_puts(b, ", \"output\": \"stopping\"");
	else if (strcmp(status, "pass") != 0 && last != NULL &&
	    *last->output != '\0') {
		buf_puts(b, ", \"output\": ");
		status_json_text(b, last->output);
	}
	buf_puts(b, ", \"hinit:state\": ");
	buf_json_string(b, check_state_name(sc->state <= CHECK_UNHEALTHY ?
	    sc->state : CHECK_STARTING));
	buf_puts(b, ", \"hinit:failingStreak\": ");
	buf_put_uint(b, c->failing_streak);
	buf_puts(b, ", \"hinit:role\": ");
	buf_json_string(b, sc->live ? "live" : "ready");
	buf_puts(b, sc->critical ? ", \"hinit:critical\": true" :
	    ", \"hinit:critical\": false");
	buf_puts(b, ", \"hinit:target\": ");
	status_json_text(b, c->target_shown);
	status_json_log(b, c);
}

/* "hinit:app": {...}, then the checks of the view. */
static void
status_json_app_checks(struct buf *b, const struct status_snapshot *s,
    enum status_view view)
{
	u_int	 i, n = 0;

	buf_puts(b, ", \"hinit:app\": {\"pid\": ");
	if (s->app_pid > 0)
		buf_put_int(b, s->app_pid);
	else
		buf_puts(b, "null");
	buf_puts(b, ", \"state\": ");
	buf_json_string(b, status_verdict_app(s->app_state));
	buf_puts(b, ", \"restarts\": ");
	buf_put_uint(b, s->app_restarts);
	buf_puts(b, s->app_given_up ? ", \"restartLimitReached\": true" :
	    ", \"restartLimitReached\": false");
	buf_puts(b, "}, \"checks\": {");
	for (i = 0; i < s->nchecks; i++) {
		if (view == STATUS_VIEW_LIVE && !s->checks[i].live)
			continue;
		if (n++ != 0)
			buf_puts(b, ", ");
		status_json_check(b, s, &s->checks[i]);
	}
	buf_puts(b, "}}\n");
}

/*
 * The document of a view, judged o (why: the reason when not healthy); the
 * readiness view also tells the liveness verdict. now is hinit:updated.
 */
void
status_json_document(struct buf *b, const struct status_snapshot *s,
    enum status_view view, enum overall o, const char *why, enum overall live,
    double now)
{
	char	 tmp[64];

	buf_puts(b, "{\"status\": ");
	buf_json_string(b, status_verdict_json(o));
	/* The service's version is the app's; hinit's is its own member. */
	if (s->version != NULL) {
		buf_puts(b, ", \"version\": ");
		status_json_text(b, s->version);
	}
	buf_puts(b, ", \"serviceId\": ");
	status_json_text(b, s->hostname);
	if (o != OVERALL_HEALTHY && why != NULL && *why != '\0') {
		buf_puts(b, ", \"output\": ");
		status_json_text(b, why);
	}
	buf_puts(b, ", \"hinit:state\": ");
	buf_json_string(b, status_verdict_name(o));
	if (view == STATUS_VIEW_READY) {
		buf_puts(b, ", \"hinit:live\": ");
		buf_json_string(b, status_verdict_json(live));
	}
	buf_puts(b, ", \"hinit:version\": ");
	buf_json_string(b, HINIT_VERSION);
	buf_puts(b, ", \"hinit:pid\": ");
	buf_put_int(b, getpid());
	buf_puts(b, ", \"hinit:updated\": ");
	buf_json_string(b, time_rfc3339(now, tmp, sizeof tmp));
	status_json_app_checks(b, s, view);
}
