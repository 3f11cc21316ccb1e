/*
 * status.h: publishing health: the overall state, the JSON document, the
 * status file, the HTTP endpoint, and the one-shot subcommands.
 */

#ifndef HINIT_STATUS_H
#define HINIT_STATUS_H

#include "hinit.h"
#include "init.h"

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

/*
 * A document or the metrics as they were when taken: unchanged while held,
 * so the endpoint sends it slowly without a copy per connection.
 */
struct status_text {
	u_int		 refs;
	struct buf	 buf;
};
#define STATUS_HOLD_METRICS	-1	/* status_hold(): a view, or this */

/* src/status.c */
enum overall	 status_overall(const struct hinit *, enum status_view);
const char	*status_overall_name(enum overall);
int		 status_ready(enum overall);	/* pass or warn */
struct status	*status_new(struct hinit *, char **);
void		 status_changed(struct status *);	/* rebuild and rewrite */
const char	*status_where(struct status *);
void		 status_attempted(struct status *);	/* results, no state */
const struct buf *status_document(struct status *, enum status_view);
const struct buf *status_metrics(struct status *);
struct status_text *status_hold(struct status *, int);
void		 status_release(struct status_text *);
void		 status_free(struct status *);
/* Where the status file of hinit running as this uid lives. */
char		*status_path(const char *, uid_t, int, char **);
/* Read that file safely: contents, mtime, the path read. */
int		 status_read(const char *, uid_t, struct buf *, double *,
		     char **, char **);

/* src/httpd.c: /health, /health/live, /health/ready, /metrics. */
struct httpd	*httpd_start(struct hinit *, const char *, u_int, char **);
void		 httpd_free(struct httpd *);

/* The subcommands: argv[0] is the subcommand word; they return the exit code. */
int		 cmd_status(int, char **);
int		 cmd_check(int, char **);
int		 cmd_wait(int, char **);

#endif /* HINIT_STATUS_H */
