/*
 * check.h: one health check, the interface every check type implements
 * (one file each under checks/), and the probe engine that drives them
 * (src/probe.c).
 *
 * The engine owns the schedule, the timeout timer, the counters, the state,
 * the attempt log and the log line; a check type only talks to its server
 * and calls check_done() exactly once per start().
 */

#ifndef HINIT_CHECK_H
#define HINIT_CHECK_H

#include "hinit.h"

#define CHECK_LOG_SIZE		5	/* attempts kept */
#define CHECK_OUTPUT_MAX	4096	/* bytes of output kept per attempt */

enum check_result {
	CHECK_PASS,
	CHECK_FAIL,
	CHECK_TIMEOUT		/* counted as a failure */
};

enum check_state {
	CHECK_STARTING,
	CHECK_HEALTHY,
	CHECK_UNHEALTHY
};

enum check_role {
	CHECK_ROLE_READY,
	CHECK_ROLE_LIVE
};

struct attempt {
	double			 start;		/* wall clock */
	double			 end;		/* wall clock */
	double			 duration;	/* milliseconds */
	enum check_result	 result;
	char			*output;	/* at most CHECK_OUTPUT_MAX */
};

struct check;
struct config_key;
struct url;

/*
 * A check type: one file under checks/ and one line in checks/registry.c.
 * Its keys (the table a type declares, as src/config-keys.c's rows) live
 * in its data: the config allocates `size` bytes as c->data, stores each
 * key's default and then each value written, at the key's offset, for
 * the kinds of value it knows (durations, numbers, booleans, choices,
 * strings), and hands every key to configure() as well. prepare() runs
 * once the section is complete.
 */
struct check_type {
	const char		 *name;		/* "http", "postgres", ... */
	const char *const	 *schemes;	/* URL schemes, NULL-terminated */
	const char		 *component;	/* the JSON componentType */
	const struct config_key	 *keys;		/* its keys of [check:NAME] */
	u_int			  nkeys;
	size_t			  size;		/* of c->data */
	/*
	 * One key of its own, default or as written (expanded), after the
	 * config stored what it could; -1 + cause to refuse the value.
	 */
	int			(*configure)(struct check *, const char *,
				    const char *, char **);
	/*
	 * The section is complete: check the target (the URL parsed, NULL for
	 * exec:) and make what attempts need.
	 */
	int			(*prepare)(struct check *, const struct url *,
				    char **);
	/*
	 * Begin one attempt; -1 + cause is a failed attempt. NULL: the check
	 * is told its results (probe_push), never probed.
	 */
	int			(*start)(struct check *, char **);
	/* Abandon the attempt under way; idempotent; no check_done() after. */
	void			(*cancel)(struct check *);
	/* Release what configure(), prepare() and start() made, not c->data. */
	void			(*free)(struct check *);
};

struct check {
	char			*name;
	const struct check_type	*type;

	/* What was written (masked) and what is used (expanded). */
	char			*target_shown;
	char			*target;
	char			*file;		/* where it was defined */
	u_int			 line;

	/* Timings, in milliseconds. */
	uint64_t		 interval;
	uint64_t		 timeout;
	uint64_t		 start_period;
	uint64_t		 start_interval;
	u_int			 retries;
	u_int			 rise;
	enum check_role		 role;
	int			 critical;

	/* Engine state: only src/probe.c writes these. */
	enum check_state	 state;
	enum check_state	 previous;	/* before the last change */
	int			 busy;		/* an attempt is under way */
	u_int			 attempt_id;	/* bumped by every start */
	u_int			 failing_streak;
	u_int			 success_run;
	int			 ever_healthy;	/* since the app (re)started */
	double			 period_start;	/* ev_now() when start_period began */
	double			 attempt_start;	/* ev_now() of the attempt under way */
	double			 planned;	/* ev_now() the next attempt is due */
	double			 attempt_wall;	/* wall clock of the same */
	uint64_t		 passes;
	uint64_t		 failures;
	double			 last_duration;	/* milliseconds */
	struct attempt		 log[CHECK_LOG_SIZE];
	u_int			 log_next;	/* next slot to write */
	u_int			 log_count;
	ev_timer		 timer;		/* next attempt, or its timeout */
	void			(*notify)(struct check *, int, void *);
	void			*notify_arg;	/* for notify */
	u_int			 probe_flags;	/* private to src/probe.c */

	void			*data;		/* the type's: type->size bytes */
	TAILQ_ENTRY(check)	 entry;
};
TAILQ_HEAD(check_list, check);

/* The one way back from an attempt. Ignored unless an attempt is under way. */
void		 check_done(struct check *, enum check_result, const char *, ...)
		     printflike(3, 4);

/*
 * checks/registry.c: the check types, built into hinit or modules
 * (checks/NAME.so, exporting "const struct check_type check_type_NAME")
 * loaded on first use; the static build links every type in.
 */
/* The name of the i-th type of the registry; NULL past the last. */
const char		*check_type_name(u_int);
/* The type that answers to a URL scheme, by name; NULL if none. */
const char		*check_type_scheme(const char *, size_t);
/* "http://, https://, ... or exec:COMMAND", for errors. */
char			*check_type_usage(void);
const struct check_type	*check_type_find(const char *, char **);
const struct check_type	*check_type_for_target(const char *, char **);
/* Give a check its type: allocate its data (zeroed). */
void			 check_set_type(struct check *,
			     const struct check_type *);
void			 check_free(struct check *);

/* checks/notify.c: the app's own word on its health (notify = yes). */
extern const struct check_type	check_type_notify;
int		 notify_open(struct check *, uint64_t, char **);
const char	*notify_address(struct check *);
void		 notify_app(struct check *, pid_t);	/* its group; 0: gone */
int		 notify_stopping(struct check *);

/* src/probe.c: the engine. */
typedef void	 probe_cb(struct check *, int, void *);	/* int: state changed */
void		 probe_start(struct check_list *, probe_cb *, void *);
void		 probe_stop(struct check_list *);
void		 probe_reset(struct check_list *);	/* the app restarted */
const struct attempt	*probe_last(const struct check *);
/* One attempt of this check now, none after (hinit check, hinit wait). */
void		 probe_once(struct check *, probe_cb *, void *);
/* The result of a check that is told, not probed (type without start). */
void		 probe_push(struct check *, enum check_result, const char *);
const char	*check_state_name(enum check_state);
const char	*check_result_name(enum check_result);

#endif /* HINIT_CHECK_H */
