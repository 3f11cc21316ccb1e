/*
 * status.c: publishing health: the overall state of each view, the JSON
 * documents and the metrics text kept in memory for the endpoint, and the
 * status file, replaced atomically in a directory that is ours and that is
 * reached without following a symbolic link.
 */

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hinit.h"
#include "check.h"
#include "config.h"
#include "init.h"
#include "status.h"

#define STATUS_FILE_NAME	"status.json"
#define STATUS_READ_MAX		(16 * 1024 * 1024)
#define STATUS_SOON		1.0	/* seconds: attempts without a change */
#define STATUS_FIRST		0.05	/* seconds: start-up's changes, coalesced */

struct status {
	struct hinit	*h;
	char		*file;		/* asked for; NULL: the usual places */
	char		*path;		/* where the file is written now */
	int		 dirfd;		/* its directory, or -1 */
	char		*name;		/* its last component */
	int		 failed;	/* the last write failed (logged) */
	int		 saved;		/* written once at least */
	char		 hostname[256];

	int		 dirty;		/* documents behind the state */
	int		 live_stale;	/* the live view, built on demand */
	struct status_text *doc[2];	/* one per view */
	struct status_text *metrics;
	int		 metrics_dirty;	/* documents rebuilt since */
	uint64_t	 metrics_reaped;
	uint64_t	 written;	/* signature of the file's states */

	ev_prepare	 flush;		/* once per loop turn with a change */
	ev_timer	 soon;		/* attempts that changed no state */
	ev_timer	 refresh;	/* at least every STATUS_REFRESH */
};

static const char *const status_check_states[] = {
	"starting", "healthy", "unhealthy"
};
static const char *const status_results[] = { "pass", "fail", "timeout" };
static const char *const status_app_states[] = {
	"waiting", "running", "restarting", "exited"
};

static const char	*status_json_name(enum overall);
static enum overall	 status_judge(const struct hinit *, enum status_view,
			     struct buf *);
static void		 status_build(struct status *, enum status_view,
			     double);
static void		 status_build_check(struct status *, struct buf *,
			     struct check *);
static void		 status_write(struct status *);
static void		 status_save(struct status *);
static int		 status_write_at(struct status *, int, const char *,
			     const struct buf *, char **);
static int		 status_place(struct status *, int, char **);
static char		*status_split(const char *, const char **);
static void		 status_because(char **, const char *, char *);
static char		*status_xdg(uid_t, int);
static u_int		 status_places(const char *, uid_t, int, char **);
static int		 status_opendir(const char *, uid_t, int, int, char **);
static void		 status_flush_cb(struct ev_loop *, ev_prepare *, int);
static void		 status_refresh_cb(struct ev_loop *, ev_timer *, int);
static void		 status_soon_cb(struct ev_loop *, ev_timer *, int);

static struct status_text *
status_text_new(void)
{
	struct status_text	*t;

	t = xcalloc(1, sizeof *t);
	t->refs = 1;
	buf_init(&t->buf);
	buf_add(&t->buf, "", 0);
	return (t);
}

/* An empty text to build into: the same one, unless someone holds it. */
static struct buf *
status_text_fresh(struct status_text **tp)
{
	if ((*tp)->refs > 1) {
		(*tp)->refs--;
		*tp = status_text_new();
	}
	buf_reset(&(*tp)->buf);
	return (&(*tp)->buf);
}

static const char *
status_json_name(enum overall o)
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

const char *
status_overall_name(enum overall o)
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

int
status_ready(enum overall o)
{
	return (o == OVERALL_HEALTHY || o == OVERALL_WARN);
}

static void
status_why(struct buf *why, const char *what, struct check *c, int *first)
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
	buf_puts(why, c->name);
}

/*
 * The overall state of a view (SPEC §3): stopping beats everything, then
 * an app that does not run, then an unhealthy critical check, then one that
 * has never been healthy since the app (re)started. The live view looks at
 * live checks only. If why is given, it gets the reason when not healthy.
 */
static enum overall
status_judge(const struct hinit *h, enum status_view view, struct buf *why)
{
	struct check	*c;
	int		 bad = 0, fresh = 0, warn = 0;
	int		 first_bad = 1, first_fresh = 1, first_warn = 1;
	struct buf	 starting, warning;

	if (h->stopping) {
		if (why != NULL)
			buf_puts(why, "stopping");
		return (OVERALL_STOPPING);
	}
	if (h->app.state != APP_RUNNING) {
		if (why != NULL) {
			buf_puts(why, "app ");
			buf_puts(why, status_app_states[h->app.state]);
		}
		if (h->app.state == APP_WAITING)
			return (OVERALL_STARTING);
		return (OVERALL_UNHEALTHY);
	}
	if (h->conf == NULL)
		return (OVERALL_HEALTHY);

	buf_init(&starting);
	buf_init(&warning);
	TAILQ_FOREACH(c, &h->conf->checks, entry) {
		if (view == STATUS_VIEW_LIVE && c->role != CHECK_ROLE_LIVE)
			continue;
		if (!c->critical) {
			if (c->state == CHECK_UNHEALTHY) {
				warn = 1;
				status_why(why != NULL ? &warning : NULL,
				    "warn", c, &first_warn);
			}
			continue;
		}
		if (c->state == CHECK_UNHEALTHY) {
			bad = 1;
			status_why(why, "unhealthy", c, &first_bad);
		} else if (!c->ever_healthy || c->state != CHECK_HEALTHY) {
			/* Back to starting with the app: not yet healthy. */
			fresh = 1;
			status_why(why != NULL ? &starting : NULL, "starting",
			    c, &first_fresh);
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

enum overall
status_overall(const struct hinit *h, enum status_view view)
{
	return (status_judge(h, view, NULL));
}

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
status_component_type(struct check *c)
{
	if (c->type == NULL || c->type->component == NULL)
		return ("component");
	return (c->type->component);
}

static const struct attempt *
status_attempt(struct check *c, u_int i)
{
	/* i = 0 is the oldest kept. */
	return (&c->log[(c->log_next + CHECK_LOG_SIZE - c->log_count + i) %
	    CHECK_LOG_SIZE]);
}

static void
status_build_check(struct status *s, struct buf *b, struct check *c)
{
	const struct attempt	*a = NULL, *last = NULL;
	const char		*status;
	int			 stopping = s->h->stopping;
	u_int			 i, state;
	struct buf		 key;

	if (c->log_count > 0 && c->log_count <= CHECK_LOG_SIZE)
		last = status_attempt(c, c->log_count - 1);
	state = c->state;
	if (state >= nitems(status_check_states))
		state = CHECK_STARTING;

	buf_init(&key);
	buf_puts(&key, c->name);
	buf_puts(&key, ":responseTime");
	status_json_text(b, key.data);
	buf_free(&key);
	buf_puts(b, ": [{\"componentId\": ");
	status_json_text(b, c->name);
	buf_puts(b, ", \"componentType\": ");
	buf_json_string(b, status_component_type(c));
	/*
	 * The draft's component status: a check that is not critical and is
	 * not healthy (never passed yet, or failing) warns, as it does in
	 * the overall status; "output" only says why a check does not pass;
	 * no time or value before the first attempt ends.
	 */
	if (stopping)
		status = "fail";
	else if (c->state == CHECK_HEALTHY)
		status = "pass";
	else if (!c->critical)
		status = "warn";
	else
		status = "fail";
	buf_puts(b, ", \"status\": ");
	buf_json_string(b, status);
	if (last != NULL) {
		buf_puts(b, ", \"observedValue\": ");
		buf_put_ms(b, last->duration);
		buf_puts(b, ", \"observedUnit\": \"ms\", \"time\": ");
		status_json_time(b, last->end);
	}
	if (stopping)
		buf_puts(b, ", \"output\": \"stopping\"");
	else if (strcmp(status, "pass") != 0 && last != NULL &&
	    *last->output != '\0') {
		buf_puts(b, ", \"output\": ");
		status_json_text(b, last->output);
	}
	buf_puts(b, ", \"hinit:state\": ");
	buf_json_string(b, status_check_states[state]);
	buf_puts(b, ", \"hinit:failingStreak\": ");
	buf_put_uint(b, c->failing_streak);
	buf_puts(b, ", \"hinit:role\": ");
	buf_json_string(b, c->role == CHECK_ROLE_LIVE ? "live" : "ready");
	buf_puts(b, c->critical ? ", \"hinit:critical\": true" :
	    ", \"hinit:critical\": false");
	buf_puts(b, ", \"hinit:target\": ");
	status_json_text(b, c->target_shown);
	buf_puts(b, ", \"hinit:log\": [");
	for (i = 0; last != NULL && i < c->log_count; i++) {
		a = status_attempt(c, i);
		if (i != 0)
			buf_puts(b, ", ");
		buf_puts(b, "{\"start\": ");
		status_json_time(b, a->start);
		buf_puts(b, ", \"end\": ");
		status_json_time(b, a->end);
		buf_puts(b, ", \"result\": ");
		buf_json_string(b, (u_int)a->result < nitems(status_results) ?
		    status_results[a->result] : "fail");
		buf_puts(b, ", \"output\": ");
		status_json_text(b, a->output);
		buf_putc(b, '}');
	}
	buf_puts(b, "]}]");
}

static void
status_build(struct status *s, enum status_view view, double now)
{
	struct hinit	*h = s->h;
	struct buf	*b = status_text_fresh(&s->doc[view]);
	struct buf	 why;
	struct check	*c;
	enum overall	 o, live;
	u_int		 n = 0, app;
	char		 tmp[64];

	buf_init(&why);
	o = status_judge(h, view, &why);
	app = h->app.state;
	if (app >= nitems(status_app_states))
		app = APP_EXITED;

	buf_puts(b, "{\"status\": ");
	buf_json_string(b, status_json_name(o));
	/* The service's version is the app's; hinit's is its own member. */
	if (h->conf != NULL && h->conf->version != NULL) {
		buf_puts(b, ", \"version\": ");
		status_json_text(b, h->conf->version);
	}
	buf_puts(b, ", \"serviceId\": ");
	status_json_text(b, s->hostname);
	if (o != OVERALL_HEALTHY && why.len != 0) {
		buf_puts(b, ", \"output\": ");
		status_json_text(b, why.data);
	}
	buf_puts(b, ", \"hinit:state\": ");
	buf_json_string(b, status_overall_name(o));
	if (view == STATUS_VIEW_READY) {
		live = status_overall(h, STATUS_VIEW_LIVE);
		buf_puts(b, ", \"hinit:live\": ");
		buf_json_string(b, status_json_name(live));
	}
	buf_puts(b, ", \"hinit:version\": ");
	buf_json_string(b, HINIT_VERSION);
	buf_puts(b, ", \"hinit:pid\": ");
	buf_put_int(b, getpid());
	buf_puts(b, ", \"hinit:updated\": ");
	buf_json_string(b, time_rfc3339(now, tmp, sizeof tmp));
	buf_puts(b, ", \"hinit:app\": {\"pid\": ");
	if (h->app.pid > 0)
		buf_put_int(b, h->app.pid);
	else
		buf_puts(b, "null");
	buf_puts(b, ", \"state\": ");
	buf_json_string(b, status_app_states[app]);
	buf_puts(b, ", \"restarts\": ");
	buf_put_uint(b, h->app.restarts);
	buf_puts(b, h->app.given_up ? ", \"restartLimitReached\": true" :
	    ", \"restartLimitReached\": false");
	buf_puts(b, "}, \"checks\": {");
	if (h->conf != NULL) {
		TAILQ_FOREACH(c, &h->conf->checks, entry) {
			if (view == STATUS_VIEW_LIVE &&
			    c->role != CHECK_ROLE_LIVE)
				continue;
			if (n++ != 0)
				buf_puts(b, ", ");
			status_build_check(s, b, c);
		}
	}
	buf_puts(b, "}}\n");
	buf_free(&why);
}

static void
status_rebuild(struct status *s)
{
	double	 now = time_wall();

	status_build(s, STATUS_VIEW_READY, now);
	s->live_stale = 1;
	s->dirty = 0;
	s->metrics_dirty = 1;
}

/*
 * What the file's readers judge by: the states, not the attempts. A change
 * of these is written in the same loop turn; attempts that changed none
 * are written within STATUS_SOON, so many checks cost few writes.
 */
static uint64_t
status_signature(struct status *s)
{
	struct hinit	*h = s->h;
	struct check	*c;
	uint64_t	 sig = 14695981039346656037ULL;
	u_int		 v[4], i;

#define STATUS_MIX(x) do {						\
	sig ^= (uint64_t)(x);						\
	sig *= 1099511628211ULL;					\
} while (0)
	STATUS_MIX(h->stopping);
	STATUS_MIX(h->app.state);
	STATUS_MIX(h->app.pid);
	STATUS_MIX(h->app.restarts);
	if (h->conf != NULL) {
		TAILQ_FOREACH(c, &h->conf->checks, entry) {
			v[0] = c->state;
			v[1] = c->ever_healthy;
			v[2] = c->critical;
			v[3] = c->role;
			for (i = 0; i < nitems(v); i++)
				STATUS_MIX(v[i]);
		}
	}
#undef STATUS_MIX
	return (sig);
}

/*
 * Never NULL: without a usable place hinit logs why and publishes through
 * the endpoint only. cause stays for the interface's sake.
 */
struct status *
status_new(struct hinit *h, char **cause)
{
	struct status	*s;
	const char	*file = NULL;
	char		*why = NULL;

	s = xcalloc(1, sizeof *s);
	s->h = h;
	s->dirfd = -1;
	if (h->opts != NULL && h->opts->status_file != NULL)
		file = h->opts->status_file;
	else if (h->conf != NULL && h->conf->status_file != NULL)
		file = h->conf->status_file;
	/* The default path, even written out, keeps its fall-backs. */
	if (file != NULL && strcmp(file, STATUS_DEFAULT_FILE) != 0)
		s->file = xstrdup(file);
	if (gethostname(s->hostname, sizeof s->hostname) != 0)
		snprintf(s->hostname, sizeof s->hostname, "localhost");
	s->hostname[sizeof s->hostname - 1] = '\0';
	s->doc[0] = status_text_new();
	s->doc[1] = status_text_new();
	s->metrics = status_text_new();
	ev_prepare_init(&s->flush, status_flush_cb);
	s->flush.data = s;
	ev_timer_init(&s->soon, status_soon_cb, STATUS_SOON, 0);
	s->soon.data = s;
	ev_timer_init(&s->refresh, status_refresh_cb, STATUS_REFRESH,
	    STATUS_REFRESH);
	s->refresh.data = s;

	/* Built when first asked for, or written. */
	s->dirty = 1;
	/*
	 * The place is found, and a file left there by an earlier hinit
	 * removed, at once: it must not speak for this one. The first write
	 * waits a moment: start-up changes the states many times in its
	 * first milliseconds (the app, the gates, the checks), and an app
	 * that ends at once needs only the last word. No file is no reason
	 * to stop: the endpoint still has the status.
	 */
	if (status_place(s, 0, &why) != 0) {
		log_warnx("no status file, hinit status will not work: %s",
		    why);
		free(why);
		s->failed = 1;
	}
	ev_timer_set(&s->soon, STATUS_FIRST, 0);
	ev_timer_start(EV_DEFAULT, &s->soon);
	return (s);
}

/* Where the status file is written now; NULL if nowhere. */
const char *
status_where(struct status *s)
{
	return (s != NULL ? s->path : NULL);
}

void
status_changed(struct status *s)
{
	if (s == NULL)
		return;
	s->dirty = 1;		/* and so the metrics too */
	/* Many changes in one loop turn make one write, before it sleeps. */
	if (!ev_is_active(&s->flush))
		ev_prepare_start(EV_DEFAULT, &s->flush);
}

/* Rebuild with a fresh hinit:updated and write the file. */
static void
status_save(struct status *s)
{
	status_rebuild(s);
	status_write(s);
	s->saved = 1;
	s->written = status_signature(s);
	ev_timer_stop(EV_DEFAULT, &s->soon);
	ev_timer_again(EV_DEFAULT, &s->refresh);
}

/* The file is rewritten within STATUS_SOON, unless a write is due sooner. */
static void
status_soon(struct status *s)
{
	if (ev_is_active(&s->soon))
		return;
	ev_timer_set(&s->soon, STATUS_SOON, 0);
	ev_timer_start(EV_DEFAULT, &s->soon);
}

/*
 * An attempt ended and changed no state: the documents are behind, and the
 * file is rewritten soon; no need to compare the states of every check, as
 * status_changed() must.
 */
void
status_attempted(struct status *s)
{
	if (s == NULL)
		return;
	s->dirty = 1;
	status_soon(s);
}

static void
status_flush_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct status	*s = w->data;

	ev_prepare_stop(loop, w);
	if (!s->saved)
		return;		/* the first write is due anyway */
	if (status_signature(s) != s->written)
		status_save(s);
	else
		status_soon(s);
}

static void
status_soon_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	status_save(w->data);
}

static void
status_refresh_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	/* A fresh hinit:updated tells readers that hinit is alive. */
	status_save(w->data);
}

const struct buf *
status_document(struct status *s, enum status_view view)
{
	if (s == NULL)
		return (NULL);
	if (s->dirty)
		status_rebuild(s);
	if (view == STATUS_VIEW_LIVE && s->live_stale) {
		status_build(s, STATUS_VIEW_LIVE, time_wall());
		s->live_stale = 0;
	}
	return (&s->doc[view == STATUS_VIEW_LIVE]->buf);
}

struct status_text *
status_hold(struct status *s, int what)
{
	struct status_text	*t;

	if (s == NULL)
		return (NULL);
	if (what == STATUS_HOLD_METRICS) {
		status_metrics(s);
		t = s->metrics;
	} else {
		status_document(s, what);
		t = s->doc[what == STATUS_VIEW_LIVE];
	}
	t->refs++;
	return (t);
}

void
status_release(struct status_text *t)
{
	if (t == NULL || --t->refs != 0)
		return;
	buf_free(&t->buf);
	free(t);
}

static void
status_metric_head(struct buf *b, const char *name, const char *type,
    const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
status_metric_label(struct buf *b, const char *name, const char *value)
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
status_metric_state(struct buf *b, struct check *c)
{
	u_int	 i;

	for (i = 0; i < nitems(status_check_states); i++) {
		status_metric_label(b, "hinit_check_state", c->name);
		/* Take back the closing "} " to add the state label. */
		b->len -= 2;
		b->data[b->len] = '\0';
		buf_printf(b, ",state=\"%s\"} %d\n", status_check_states[i],
		    c->state == i);
	}
}

/* Prometheus text format 0.0.4; every family's samples together. */
const struct buf *
status_metrics(struct status *s)
{
	static const struct {
		const char	*name;
		const char	*type;
		const char	*help;
	} families[] = {
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
	struct hinit	*h;
	struct buf	*b;
	struct check	*c;
	const struct attempt *last;
	u_int		 i;

	if (s == NULL)
		return (NULL);
	h = s->h;
	if (!s->metrics_dirty && !s->dirty && s->metrics_reaped == h->reaped)
		return (&s->metrics->buf);
	s->metrics_dirty = 0;
	s->metrics_reaped = h->reaped;

	b = status_text_fresh(&s->metrics);
	status_metric_head(b, "hinit_up", "gauge", "1 while hinit runs.");
	buf_puts(b, "hinit_up 1\n");
	status_metric_head(b, "hinit_ready", "gauge",
	    "1 when the readiness view passes (pass or warn).");
	buf_printf(b, "hinit_ready %d\n",
	    status_ready(status_overall(h, STATUS_VIEW_READY)));
	status_metric_head(b, "hinit_live", "gauge",
	    "1 when the liveness view passes (pass or warn).");
	buf_printf(b, "hinit_live %d\n",
	    status_ready(status_overall(h, STATUS_VIEW_LIVE)));
	status_metric_head(b, "hinit_app_running", "gauge",
	    "1 while the app runs.");
	buf_printf(b, "hinit_app_running %d\n", h->app.state == APP_RUNNING);
	status_metric_head(b, "hinit_app_restarts_total", "counter",
	    "Times the app was restarted.");
	buf_printf(b, "hinit_app_restarts_total %u\n", h->app.restarts);
	status_metric_head(b, "hinit_app_restart_limit_reached", "gauge",
	    "1 once restart_limit is reached: hinit gives up and exits.");
	buf_printf(b, "hinit_app_restart_limit_reached %d\n",
	    h->app.given_up);
	status_metric_head(b, "hinit_zombies_reaped_total", "counter",
	    "Orphaned processes reaped.");
	buf_printf(b, "hinit_zombies_reaped_total %llu\n",
	    (unsigned long long)h->reaped);
	if (h->conf == NULL || TAILQ_EMPTY(&h->conf->checks))
		return (b);

	for (i = 0; i < nitems(families); i++) {
		status_metric_head(b, families[i].name, families[i].type,
		    families[i].help);
		TAILQ_FOREACH(c, &h->conf->checks, entry) {
			if (i == 4) {
				status_metric_state(b, c);
				continue;
			}
			status_metric_label(b, families[i].name, c->name);
			switch (i) {
			case 0:
				buf_printf(b, "%d\n",
				    !h->stopping && c->state == CHECK_HEALTHY);
				break;
			case 1:
				last = NULL;
				if (c->log_count > 0 &&
				    c->log_count <= CHECK_LOG_SIZE)
					last = status_attempt(c,
					    c->log_count - 1);
				buf_printf(b, "%.6f\n", last != NULL ?
				    last->duration / 1000.0 : 0.0);
				break;
			case 2:
				buf_printf(b, "%llu\n",
				    (unsigned long long)c->passes);
				break;
			case 3:
				buf_printf(b, "%llu\n",
				    (unsigned long long)c->failures);
				break;
			}
		}
	}
	return (b);
}

void
status_free(struct status *s)
{
	if (s == NULL)
		return;
	/*
	 * The last word (usually "stopping") replaces what readers were
	 * shown. If hinit ends before its first write, there is nothing to
	 * replace: the file it removed at start stays absent, and that says
	 * "no hinit" already.
	 */
	if (s->saved && (s->dirty || ev_is_active(&s->soon) ||
	    status_signature(s) != s->written))
		status_save(s);
	ev_prepare_stop(EV_DEFAULT, &s->flush);
	ev_timer_stop(EV_DEFAULT, &s->soon);
	ev_timer_stop(EV_DEFAULT, &s->refresh);
	if (s->dirfd != -1)
		close(s->dirfd);
	free(s->file);
	free(s->path);
	free(s->name);
	/* The endpoint may hold a text a while longer. */
	status_release(s->doc[0]);
	status_release(s->doc[1]);
	status_release(s->metrics);
	free(s);
}

/*
 * A file in our directory that another user owns (a sticky directory such
 * as /tmp lets anyone create one, and only its owner replace it): say so,
 * for the error is not ours to fix. NULL if that is not why.
 */
static char *
status_foreign(int dirfd, const char *name)
{
	struct stat	 st;
	char		*why;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    st.st_uid == geteuid())
		return (NULL);
	xasprintf(&why, "'%s' there belongs to uid %lu, not to hinit's "
	    "(%lu): another user made it, maybe to pose as hinit; remove it",
	    name, (u_long)st.st_uid, (u_long)geteuid());
	return (why);
}

/* ".NAME.XXXXXXXXXXXX": twelve random letters another user cannot guess. */
static int
status_temp_name(const char *name, char *tmp, size_t size)
{
	static const char	 set[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	static uint64_t		 counter;
	uint64_t		 r[2];
	struct timespec		 ts;
	size_t			 len = strlen(name), i;

	if (len + 14 >= size)
		return (-1);
	if (syscall(SYS_getrandom, r, sizeof r, 1 /* GRND_NONBLOCK */) !=
	    (long)sizeof r) {
		/* No entropy yet (early boot): hard enough to guess still. */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		r[0] = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
		    ((uint64_t)getpid() << 40) ^ (uintptr_t)&ts;
		r[1] = r[0] * 0x9e3779b97f4a7c15ULL + ++counter;
	}
	tmp[0] = '.';
	memcpy(tmp + 1, name, len);
	tmp[len + 1] = '.';
	for (i = 0; i < 12; i++) {
		tmp[len + 2 + i] = set[r[i & 1] % (sizeof set - 1)];
		r[i & 1] /= sizeof set - 1;
	}
	tmp[len + 14] = '\0';
	return (0);
}

/*
 * Write the document to a new file beside the old one and rename it over:
 * readers see the old document or the new one, never half of one. The
 * temporary name is random and created exclusively, so another user can
 * neither guess it to squat it nor have hinit write through a link.
 */
static int
status_write_at(struct status *s, int dirfd, const char *name,
    const struct buf *b, char **cause)
{
	char		 tmp[NAME_MAX + 1];
	size_t		 off = 0;
	ssize_t		 n;
	u_int		 tries;
	int		 fd = -1, saved;

	for (tries = 0; fd == -1 && tries < 16; tries++) {
		if (status_temp_name(name, tmp, sizeof tmp) != 0) {
			*cause = xstrdup("file name too long");
			return (-1);
		}
		fd = openat(dirfd, tmp,
		    O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, 0644);
		if (fd == -1 && errno != EEXIST)
			break;
	}
	if (fd == -1)
		goto fail;
	while (off < b->len) {
		n = write(fd, b->data + off, b->len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			close(fd);
			goto fail_unlink;
		}
		off += n;
	}
	if (close(fd) != 0)
		goto fail_unlink;
	/*
	 * renameat(2) through syscall(2): the C library keeps its wrapper
	 * among stdio, 64 KiB of pages hinit would map for this call alone.
	 */
	if (syscall(SYS_renameat, dirfd, tmp, dirfd, name) != 0) {
		saved = errno;
		unlinkat(dirfd, tmp, 0);
		if ((*cause = status_foreign(dirfd, name)) != NULL)
			return (-1);
		errno = saved;
		goto fail;
	}
	return (0);

fail_unlink:
	xasprintf(cause, "%s", strerror(errno));
	unlinkat(dirfd, tmp, 0);
	return (-1);
fail:
	xasprintf(cause, "%s", strerror(errno));
	return (-1);
}

/* The directory part of a path (allocated) and its last component. */
static char *
status_split(const char *path, const char **name)
{
	const char	*slash;

	if ((slash = strrchr(path, '/')) == NULL) {
		*name = path;
		return (xstrdup("."));
	}
	*name = slash + 1;
	if (slash == path)
		return (xstrdup("/"));
	return (xstrndup(path, slash - path));
}

/* Add "where: what" to a list of reasons; frees what. */
static void
status_because(char **why, const char *where, char *what)
{
	char	*old = *why;

	if (old == NULL)
		xasprintf(why, "%s: %s", where, what);
	else {
		xasprintf(why, "%s; %s: %s", old, where, what);
		free(old);
	}
	free(what);
}

/*
 * Find the first place that takes the file, and write it there; or, at
 * start (write 0), remove what an earlier hinit left there.
 */
static int
status_place(struct status *s, int write, char **cause)
{
	char		*places[3], *why = NULL, *one, *dir;
	const char	*name;
	u_int		 n, i;
	uid_t		 uid = geteuid();
	int		 fd;

	if (s->dirfd != -1)
		close(s->dirfd);
	s->dirfd = -1;
	free(s->path);
	s->path = NULL;
	free(s->name);
	s->name = NULL;

	n = status_places(s->file, uid, 1, places);
	for (i = 0; i < n; i++) {
		if (s->path != NULL) {
			free(places[i]);
			continue;
		}
		one = NULL;
		dir = status_split(places[i], &name);
		fd = status_opendir(dir, uid, 1, s->file != NULL, &one);
		/*
		 * A usual place is one hinit's: a second one of the same user
		 * (hinit run by hand in the container of the one that is PID
		 * 1) would remove that one's file and speak for it. The lock
		 * lasts as long as the directory is open.
		 */
		if (fd != -1 && s->file == NULL &&
		    flock(fd, LOCK_EX | LOCK_NB) != 0) {
			xasprintf(&one, "%s", errno == EWOULDBLOCK ?
			    "in use by another hinit" : strerror(errno));
			close(fd);
			fd = -1;
		}
		if (fd != -1 && write && status_write_at(s, fd, name,
		    &s->doc[STATUS_VIEW_READY]->buf, &one) != 0) {
			close(fd);
			fd = -1;
		} else if (fd != -1 && !write && unlinkat(fd, name, 0) != 0 &&
		    errno != ENOENT) {
			if ((one = status_foreign(fd, name)) == NULL)
				xasprintf(&one, "%s", strerror(errno));
			close(fd);
			fd = -1;
		}
		if (fd != -1) {
			s->dirfd = fd;
			s->name = xstrdup(name);
			s->path = places[i];
		} else {
			status_because(&why, dir, one);
			free(places[i]);
		}
		free(dir);
	}
	if (s->path != NULL) {
		free(why);
		return (0);
	}
	*cause = why != NULL ? why : xstrdup("no place for the status file");
	return (-1);
}

static void
status_write(struct status *s)
{
	char	*cause = NULL;

	if (s->dirfd != -1 && status_write_at(s, s->dirfd, s->name,
	    &s->doc[STATUS_VIEW_READY]->buf, &cause) == 0) {
		s->failed = 0;
		return;
	}
	free(cause);
	cause = NULL;
	/*
	 * The file there is an older state (a full disk keeps it): readers
	 * would take it for this one until it is stale, "pass" for an app
	 * that fails. Take it away; the room it frees may be enough. Then
	 * look again, the directory may have gone or turned bad.
	 */
	if (s->dirfd != -1)
		unlinkat(s->dirfd, s->name, 0);
	if (status_place(s, 1, &cause) == 0) {
		if (s->failed)
			log_info("status file now %s", s->path);
		s->failed = 0;
		return;
	}
	if (!s->failed)
		log_warnx("cannot write the status file: %s", cause);
	s->failed = 1;
	free(cause);
}

/*
 * XDG_RUNTIME_DIR of the hinit that runs as this uid: our own when we are
 * that hinit, else PID 1's (from /proc/1/environ, when it is that uid and
 * we may read it), else ours when we are that uid.
 */
static char *
status_xdg(uid_t uid, int self)
{
	struct stat	 st;
	char		 env[65536], *p, *end;
	const char	*value;
	ssize_t		 n;
	size_t		 len = 0;
	int		 fd;

	if (!self && stat("/proc/1", &st) == 0 && st.st_uid == uid &&
	    (fd = open("/proc/1/environ", O_RDONLY|O_CLOEXEC)) != -1) {
		while (len < sizeof env - 1) {
			n = read(fd, env + len, sizeof env - 1 - len);
			if (n == -1 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			len += n;
		}
		close(fd);
		env[len] = '\0';
		for (p = env; p < env + len; p = end + 1) {
			end = p + strlen(p);
			if (strncmp(p, "XDG_RUNTIME_DIR=", 16) == 0)
				return (xstrdup(p + 16));
		}
		return (NULL);
	}
	if (!self && getuid() != uid)
		return (NULL);
	if ((value = getenv("XDG_RUNTIME_DIR")) == NULL)
		return (NULL);
	return (xstrdup(value));
}

/* The paths to try, in order: the file asked for, or the usual places. */
static u_int
status_places(const char *file, uid_t uid, int self, char **places)
{
	char	*xdg;
	u_int	 n = 0;

	if (file != NULL) {
		places[n++] = xstrdup(file);
		return (n);
	}
	places[n++] = xstrdup(STATUS_DEFAULT_FILE);
	if ((xdg = status_xdg(uid, self)) != NULL) {
		if (xdg[0] == '/') {
			xasprintf(&places[n++], "%s%shinit/%s", xdg,
			    xdg[strlen(xdg) - 1] == '/' ? "" : "/",
			    STATUS_FILE_NAME);
		}
		free(xdg);
	}
	xasprintf(&places[n++], "/tmp/hinit-%lu/%s", (u_long)uid,
	    STATUS_FILE_NAME);
	return (n);
}

/*
 * Open a directory one component at a time, never following a symbolic
 * link, creating the last component (0700) if asked. The usual places must
 * be owned by uid; a path asked for may also be root's. Neither may be
 * writable by others, unless sticky (like /tmp) for a path asked for.
 */
static int
status_opendir(const char *dir, uid_t uid, int create, int asked,
    char **cause)
{
	struct stat	 st;
	char		*copy, *p, *comp, *next;
	int		 fd, nfd, last;

	fd = open(dir[0] == '/' ? "/" : ".", O_RDONLY|O_DIRECTORY|O_CLOEXEC);
	if (fd == -1) {
		xasprintf(cause, "%s", strerror(errno));
		return (-1);
	}
	copy = xstrdup(dir);
	for (p = copy; p != NULL; p = next) {
		while (*p == '/')
			p++;
		comp = p;
		if ((next = strchr(p, '/')) != NULL)
			*next++ = '\0';
		while (next != NULL && *next == '/')
			next++;
		if (next != NULL && *next == '\0')
			next = NULL;
		if (*comp == '\0' || strcmp(comp, ".") == 0)
			continue;
		last = (next == NULL);
		nfd = openat(fd, comp, O_RDONLY|O_DIRECTORY|O_NOFOLLOW|
		    O_CLOEXEC);
		if (nfd == -1 && errno == ENOENT && last && create) {
			if (mkdirat(fd, comp, 0700) != 0 && errno != EEXIST)
				goto fail;
			nfd = openat(fd, comp, O_RDONLY|O_DIRECTORY|
			    O_NOFOLLOW|O_CLOEXEC);
		}
		if (nfd == -1) {
			if ((errno == ELOOP || errno == ENOTDIR) &&
			    fstatat(fd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode)) {
				xasprintf(cause, "'%s' is a symbolic link (not "
				    "followed)", comp);
				goto out;
			}
			goto fail;
		}
		close(fd);
		fd = nfd;
	}
	if (fstat(fd, &st) != 0)
		goto fail;
	if (st.st_uid != uid && !(asked && st.st_uid == 0)) {
		xasprintf(cause, "owned by uid %lu, not %lu",
		    (u_long)st.st_uid, (u_long)uid);
		goto out;
	}
	if ((st.st_mode & (S_IWGRP|S_IWOTH)) &&
	    !(asked && (st.st_mode & S_ISVTX))) {
		xasprintf(cause, "writable by others (mode %04o)",
		    (u_int)(st.st_mode & 07777));
		goto out;
	}
	free(copy);
	return (fd);

fail:
	xasprintf(cause, "%s", strerror(errno));
out:
	free(copy);
	close(fd);
	return (-1);
}

/*
 * Read the status file of the hinit that runs as uid: the file asked for,
 * else the first of the usual places that holds one; a file that uid does
 * not own is not one. The path read and its modification time come back
 * too.
 */
int
status_read(const char *file, uid_t uid, struct buf *b, double *mtime,
    char **path, char **cause)
{
	struct stat	 st;
	char		*places[3], *dir, *why = NULL, *one;
	const char	*name;
	u_int		 n, i;
	ssize_t		 r;
	char		 chunk[8192];
	int		 dfd, fd = -1;

	*path = NULL;
	n = status_places(file, uid, 0, places);
	for (i = 0; i < n; i++) {
		if (*path != NULL) {
			free(places[i]);
			continue;
		}
		one = NULL;
		dir = status_split(places[i], &name);
		dfd = status_opendir(dir, uid, 0, file != NULL, &one);
		if (dfd != -1) {
			fd = openat(dfd, name, O_RDONLY|O_NOFOLLOW|O_CLOEXEC|
			    O_NONBLOCK);
			if (fd == -1)
				xasprintf(&one, "%s", strerror(errno));
			else if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
				xasprintf(&one, "not a regular file");
				close(fd);
				fd = -1;
			} else if (st.st_uid != uid) {
				/* Wherever it is: another user's is a fake. */
				xasprintf(&one, "owned by uid %lu, not by "
				    "hinit's user (%lu): not hinit's",
				    (u_long)st.st_uid, (u_long)uid);
				close(fd);
				fd = -1;
			}
			close(dfd);
		}
		if (fd != -1)
			*path = places[i];
		else {
			status_because(&why, places[i], one);
			free(places[i]);
		}
		free(dir);
	}
	if (fd == -1) {
		*cause = why;
		return (-1);
	}
	free(why);

	*mtime = st.st_mtim.tv_sec + st.st_mtim.tv_nsec / 1e9;
	buf_reset(b);
	for (;;) {
		r = read(fd, chunk, sizeof chunk);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			xasprintf(cause, "%s: %s", *path, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		if (b->len + r > STATUS_READ_MAX) {
			xasprintf(cause, "%s: too big", *path);
			goto fail;
		}
		buf_add(b, chunk, r);
	}
	close(fd);
	if (b->data == NULL)
		buf_add(b, "", 0);
	return (0);

fail:
	close(fd);
	free(*path);
	*path = NULL;
	return (-1);
}

/*
 * Where the status file of the hinit running as uid is: with create, the
 * first place that takes it (made if needed); else the first that holds one.
 */
char *
status_path(const char *file, uid_t uid, int create, char **cause)
{
	struct buf	 b;
	char		*places[3], *path = NULL, *dir, *why = NULL, *one;
	const char	*name;
	double		 mtime;
	u_int		 n, i;
	int		 fd;

	if (!create) {
		buf_init(&b);
		if (status_read(file, uid, &b, &mtime, &path, cause) != 0)
			path = NULL;
		buf_free(&b);
		return (path);
	}
	n = status_places(file, uid, 1, places);
	for (i = 0; i < n; i++) {
		if (path != NULL) {
			free(places[i]);
			continue;
		}
		one = NULL;
		dir = status_split(places[i], &name);
		if ((fd = status_opendir(dir, uid, 1, file != NULL,
		    &one)) != -1) {
			close(fd);
			path = places[i];
		} else {
			status_because(&why, dir, one);
			free(places[i]);
		}
		free(dir);
	}
	if (path == NULL)
		*cause = why;
	else
		free(why);
	return (path);
}
