/*
 * status.c: the publisher. It takes a snapshot of the init when something
 * changed, has it judged (status-verdict.c) and rendered (status-json.c,
 * status-metrics.c), keeps the texts in memory for the endpoint, and has
 * the readiness document written to the status file (status-file.c): in
 * the loop turn of a change of state, within STATUS_SOON of attempts that
 * changed none, and at least every STATUS_REFRESH.
 */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hinit.h"
#include "check.h"
#include "status.h"

#define STATUS_SOON		1.0	/* seconds: attempts without a change */
#define STATUS_FIRST		0.05	/* seconds: start-up's changes, coalesced */

struct status {
	struct status_file	 file;
	int			 saved;		/* written once at least */
	char			 hostname[256];
	status_snapshot_cb	*snapshot_cb;	/* the init fills it in */
	void			*snapshot_arg;
	struct status_snapshot	 snap;		/* the last taken */
	u_int			 checks_size;	/* snap.checks allocated */
	struct buf		 why;

	int			 dirty;		/* documents behind the state */
	int			 live_stale;	/* the live view, built on demand */
	struct status_text	*doc[2];	/* one per view */
	struct status_text	*metrics;
	int			 metrics_dirty;	/* documents rebuilt since */
	uint64_t		 metrics_reaped;
	uint64_t		 written;	/* signature of the file's states */

	ev_prepare		 flush;		/* once per loop turn with a change */
	ev_timer		 soon;		/* attempts that changed no state */
	ev_timer		 refresh;	/* at least every STATUS_REFRESH */
};

static void	status_flush_cb(struct ev_loop *, ev_prepare *, int);
static void	status_save_cb(struct ev_loop *, ev_timer *, int);

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

/* The init as it is now: its own word, and its checks as the verdict's. */
static const struct status_snapshot *
status_take(struct status *s)
{
	struct status_snapshot	*snap = &s->snap;
	struct status_check	*checks = snap->checks, *sc;
	const struct check	*c;
	u_int			 n = 0;

	memset(snap, 0, sizeof *snap);
	s->snapshot_cb(snap, s->snapshot_arg);
	snap->hostname = s->hostname;
	if (snap->list != NULL) {
		TAILQ_FOREACH(c, snap->list, entry) {
			if (n == s->checks_size) {
				s->checks_size = n == 0 ? 8 : n * 2;
				checks = xreallocarray(checks, s->checks_size,
				    sizeof *checks);
			}
			sc = &checks[n++];
			sc->name = c->name;
			sc->state = c->state;
			sc->ever_healthy = c->ever_healthy;
			sc->critical = c->critical;
			sc->live = (c->role == CHECK_ROLE_LIVE);
			sc->check = c;
		}
	}
	snap->checks = checks;
	snap->nchecks = n;
	return (snap);
}

/* Render a view's document from a fresh snapshot, with its verdict. */
static void
status_build(struct status *s, enum status_view view, double now)
{
	const struct status_snapshot	*snap = status_take(s);
	struct buf			*b = status_text_fresh(&s->doc[view]);
	enum overall			 o, live = OVERALL_HEALTHY;

	buf_reset(&s->why);
	o = status_verdict(snap, view, NULL, 0, &s->why);
	if (view == STATUS_VIEW_READY)
		live = status_verdict(snap, STATUS_VIEW_LIVE, NULL, 0, NULL);
	status_json_document(b, snap, view, o, s->why.len != 0 ?
	    s->why.data : NULL, live, now);
	s->doc[view]->overall = o;
}

static void
status_rebuild(struct status *s)
{
	status_build(s, STATUS_VIEW_READY, time_wall());
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
	const struct status_snapshot	*snap = status_take(s);
	const struct status_check	*c;
	uint64_t			 sig = 14695981039346656037ULL;
	u_int				 v[4], i, j;

#define STATUS_MIX(x) do {						\
	sig ^= (uint64_t)(x);						\
	sig *= 1099511628211ULL;					\
} while (0)
	STATUS_MIX(snap->stopping);
	STATUS_MIX(snap->app_state);
	STATUS_MIX(snap->app_pid);
	STATUS_MIX(snap->app_restarts);
	for (i = 0; i < snap->nchecks; i++) {
		c = &snap->checks[i];
		v[0] = c->state;
		v[1] = c->ever_healthy;
		v[2] = c->critical;
		v[3] = c->live ? CHECK_ROLE_LIVE : CHECK_ROLE_READY;
		for (j = 0; j < nitems(v); j++)
			STATUS_MIX(v[j]);
	}
#undef STATUS_MIX
	return (sig);
}

/*
 * The publisher of the init that cb describes, with the status file asked
 * for (NULL: the usual places). Never NULL:
 * without a usable place hinit logs why and publishes through the endpoint
 * only.
 */
struct status *
status_new(const char *file, status_snapshot_cb *cb, void *arg)
{
	struct status	*s;
	char		*why = NULL;

	s = xcalloc(1, sizeof *s);
	s->snapshot_cb = cb;
	s->snapshot_arg = arg;
	buf_init(&s->why);
	if (gethostname(s->hostname, sizeof s->hostname) != 0)
		snprintf(s->hostname, sizeof s->hostname, "localhost");
	s->hostname[sizeof s->hostname - 1] = '\0';
	s->doc[0] = status_text_new();
	s->doc[1] = status_text_new();
	s->metrics = status_text_new();
	ev_prepare_init(&s->flush, status_flush_cb);
	s->flush.data = s;
	ev_timer_init(&s->soon, status_save_cb, STATUS_SOON, 0);
	s->soon.data = s;
	ev_timer_init(&s->refresh, status_save_cb, STATUS_REFRESH,
	    STATUS_REFRESH);
	s->refresh.data = s;

	/* Built when first asked for, or written. */
	s->dirty = 1;
	/*
	 * The place is found, and a file left there by an earlier hinit
	 * removed, at once. The first write waits a moment: start-up changes
	 * the states many times in its first milliseconds (the app, the
	 * gates, the checks), and an app that ends at once needs only the
	 * last word. No file is no reason to stop: the endpoint still has
	 * the status.
	 */
	if (status_file_open(&s->file, file, &why) != 0) {
		log_warnx("no status file, hinit status will not work: %s",
		    why);
		free(why);
	}
	ev_timer_set(&s->soon, STATUS_FIRST, 0);
	ev_timer_start(EV_DEFAULT, &s->soon);
	return (s);
}

/* Where the status file is written now; NULL if nowhere. */
const char *
status_where(struct status *s)
{
	return (s != NULL ? s->file.path : NULL);
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
	status_file_write(&s->file, &s->doc[STATUS_VIEW_READY]->buf);
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

/*
 * Both timers: the coalesced write after a change, and the refresh, whose
 * fresh hinit:updated tells readers that hinit is alive.
 */
static void
status_save_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	status_save(w->data);
}

/* The verdict on a view now (the hook's overall state). */
enum overall
status_overall(struct status *s, enum status_view view)
{
	return (status_verdict(status_take(s), view, NULL, 0, NULL));
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

/* Prometheus text, rebuilt when the documents were or an orphan reaped. */
const struct buf *
status_metrics(struct status *s)
{
	const struct status_snapshot	*snap;
	struct buf			*b;
	enum overall			 ready;

	if (s == NULL)
		return (NULL);
	snap = status_take(s);
	if (!s->metrics_dirty && !s->dirty &&
	    s->metrics_reaped == snap->reaped)
		return (&s->metrics->buf);
	s->metrics_dirty = 0;
	s->metrics_reaped = snap->reaped;
	b = status_text_fresh(&s->metrics);
	ready = status_verdict(snap, STATUS_VIEW_READY, NULL, 0, NULL);
	status_metrics_text(b, snap, ready,
	    status_verdict(snap, STATUS_VIEW_LIVE, NULL, 0, NULL));
	s->metrics->overall = ready;
	return (b);
}

/* A text to send as it is now, with the verdict it shows; release it. */
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
	status_file_close(&s->file);
	/* The endpoint may hold a text a while longer. */
	status_release(s->doc[0]);
	status_release(s->doc[1]);
	status_release(s->metrics);
	free(s->snap.checks);
	buf_free(&s->why);
	free(s);
}
