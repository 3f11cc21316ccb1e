/*
 * status.h: publishing health. The init hands a snapshot of itself (the
 * app, the checks, whether it stops); one verdict judges it
 * (src/status-verdict.c); the renderers show it with that verdict
 * (src/status-json.c, src/status-metrics.c); the publisher keeps the texts
 * in memory for the endpoint and has them written to the status file
 * (src/status.c, src/status-file.c), which hinit status reads back.
 */

#ifndef HINIT_STATUS_H
#define HINIT_STATUS_H

#include "hinit.h"
#include "check.h"
#include "app.h"		/* enum app_state */

#define STATUS_REFRESH		5.0	/* seconds: rewrite at least this often */
#define STATUS_STALE		15.0	/* seconds: older is "no hinit running" */

enum status_view {
	STATUS_VIEW_READY,	/* /health, /health/ready, hinit status */
	STATUS_VIEW_LIVE	/* /health/live, hinit status --live */
};

/* "pass", "warn" or "fail" for a view; "starting"... for hinit:state. */
enum overall {
	OVERALL_STARTING,
	OVERALL_HEALTHY,
	OVERALL_WARN,		/* healthy, but a non-critical check fails */
	OVERALL_UNHEALTHY,
	OVERALL_STOPPING
};

/* One check as the verdict sees it. */
struct status_check {
	const char		*name;
	enum check_state	 state;
	int			 ever_healthy;	/* since the app (re)started */
	int			 critical;
	int			 live;		/* role = live */
	const struct check	*check;		/* for the renderers; NULL when
						   read back from a document */
};

/*
 * The init at one moment: what the verdict and the renderers read, never
 * the running init itself. The init fills in the first part when the
 * publisher asks (status_snapshot_cb); the publisher adds the rest.
 */
struct status_snapshot {
	int			 stopping;	/* a stop has begun */
	enum app_state		 app_state;
	pid_t			 app_pid;	/* 0: none */
	u_int			 app_restarts;
	int			 app_given_up;	/* restart_limit reached */
	uint64_t		 reaped;	/* orphans */
	const struct check_list	*list;		/* NULL: no checks */
	const char		*version;	/* the app's; NULL: none */

	const char		*hostname;
	struct status_check	*checks;	/* from list, in its order */
	u_int			 nchecks;
};
typedef void	 status_snapshot_cb(struct status_snapshot *, void *);

/*
 * A document or the metrics as they were when taken: unchanged while held,
 * so the endpoint sends it slowly without a copy per connection. overall
 * is the verdict it was rendered with (a document's view; for the metrics,
 * the readiness view).
 */
struct status_text {
	u_int		 refs;
	enum overall	 overall;
	struct buf	 buf;
};
#define STATUS_HOLD_METRICS	-1	/* status_hold(): a view, or this */

/* src/status-verdict.c: the one judgement of health. */
enum overall	 status_verdict(const struct status_snapshot *,
		     enum status_view, char *const *, u_int, struct buf *);
const char	*status_verdict_check(const struct status_snapshot *,
		     const struct status_check *);
const char	*status_verdict_name(enum overall);	/* hinit:state */
const char	*status_verdict_json(enum overall);	/* pass, warn, fail */
int		 status_verdict_ready(enum overall);	/* pass or warn */
const char	*status_verdict_app(enum app_state);	/* hinit:app state */

/* src/status-json.c and src/status-metrics.c: the renderers. */
void		 status_json_document(struct buf *,
		     const struct status_snapshot *, enum status_view,
		     enum overall, const char *, enum overall, double);
void		 status_metrics_text(struct buf *,
		     const struct status_snapshot *, enum overall,
		     enum overall);

/* src/status-file.c: placing, writing and reading the status file. */
struct status_file {
	char		*file;		/* asked for; NULL: the usual places */
	char		*path;		/* where it is written now */
	int		 dirfd;		/* its directory, or -1 */
	char		*name;		/* its last component */
	int		 failed;	/* the last write failed (logged) */
};
int		 status_file_open(struct status_file *, const char *, char **);
void		 status_file_write(struct status_file *, const struct buf *);
void		 status_file_close(struct status_file *);
/* Read the file of the hinit running as uid: contents, mtime, path. */
int		 status_file_read(const char *, uid_t, struct buf *, double *,
		     char **, char **);

/* src/status.c: the publisher. */
struct status	*status_new(const char *, status_snapshot_cb *, void *);
void		 status_changed(struct status *);	/* rebuild and rewrite */
void		 status_attempted(struct status *);	/* results, no state */
const char	*status_where(struct status *);
enum overall	 status_overall(struct status *, enum status_view);
const struct buf *status_document(struct status *, enum status_view);
const struct buf *status_metrics(struct status *);
struct status_text *status_hold(struct status *, int);
void		 status_release(struct status_text *);
void		 status_free(struct status *);

/* src/httpd.c: /health, /health/live, /health/ready, /metrics. */
struct httpd	*httpd_start(struct status *, const char *, u_int, u_int,
		     char **);
void		 httpd_free(struct httpd *);

#endif /* HINIT_STATUS_H */
