/*
 * hinit.h: what every file of hinit shares: the small utilities, the growable
 * buffer, the log, and the few constants of the user-facing contract.
 * Each area has its own header beside this one: config.h, check.h (check
 * types and the probe engine), proc.h (the processes hinit starts, reaps
 * and signals), app.h (the app, its tasks, the hook), init.h (the running
 * init, for main only), status.h.
 */

#ifndef HINIT_H
#define HINIT_H

#include "build.h"	/* from configure */

#include <sys/types.h>
#ifdef HAVE_SYS_QUEUE_H
#include <sys/queue.h>
#else
#include "list.h"	/* musl has no <sys/queue.h> */
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <ev.h>

#ifndef __dead
#define __dead __attribute__((__noreturn__))
#endif
#define printflike(a, b) __attribute__((__format__(__printf__, a, b)))
#ifndef nitems
#define nitems(a)	(sizeof (a) / sizeof (a)[0])
#endif

#define HINIT_VERSION		PACKAGE_VERSION

/* Exit codes of the contract (SPEC §5, §6). */
#define EXIT_USAGE		2	/* config or usage error */
#define EXIT_NOEXEC		126	/* the command is not executable */
#define EXIT_NOTFOUND		127	/* the command was not found */
#define EXIT_WAIT_TIMEOUT	124	/* hinit wait gave up */

/* util.c */
void		*xmalloc(size_t);
void		*xcalloc(size_t, size_t);
void		*xrealloc(void *, size_t);
void		*xreallocarray(void *, size_t, size_t);
char		*xstrdup(const char *);
char		*xstrndup(const char *, size_t);
int		 xasprintf(char **, const char *, ...) printflike(2, 3);
int		 xvasprintf(char **, const char *, va_list);
/* Durations are kept in milliseconds. */
int		 duration_parse(const char *, uint64_t *, char **);
const char	*duration_format(uint64_t, char *, size_t);
/* Wall clock as RFC 3339 with milliseconds, UTC: "2026-11-21T22:57:04.123Z". */
const char	*time_rfc3339(double, char *, size_t);
double		 time_wall(void);
int		 fd_set_cloexec(int);
int		 fd_set_nonblock(int);

/*
 * resolve.c: name resolution off the loop (getaddrinfo in a thread; a
 * numeric host needs no thread). The callback always runs from the loop,
 * never inside resolve_start(), and never after resolve_cancel(). The
 * callback owns the list (freeaddrinfo); on failure it is NULL and the
 * string says why.
 */
struct addrinfo;
struct resolve;
typedef void	 resolve_cb(struct addrinfo *, const char *, void *);
struct resolve	*resolve_start(const char *, const char *, int, resolve_cb *,
		     void *);
void		 resolve_cancel(struct resolve *);

/* signal.c: signal names both ways: "TERM", "SIGTERM", "15"; -1 if none. */
int		 signal_parse(const char *);
const char	*signal_name(int);	/* without "SIG"; "RT" or "?" */

/* buf.c: a growable byte buffer, and JSON string escaping into it. */
struct buf {
	char	*data;		/* always NUL-terminated when non-NULL */
	size_t	 len;
	size_t	 size;
};
void		 buf_init(struct buf *);
void		 buf_free(struct buf *);
void		 buf_reset(struct buf *);
void		 buf_add(struct buf *, const void *, size_t);
void		 buf_puts(struct buf *, const char *);
void		 buf_putc(struct buf *, int);
void		 buf_put_uint(struct buf *, unsigned long long);
void		 buf_put_int(struct buf *, long long);
void		 buf_put_ms(struct buf *, double);
void		 buf_printf(struct buf *, const char *, ...) printflike(2, 3);
void		 buf_vprintf(struct buf *, const char *, va_list);
/* Appends "..." with JSON escapes, U+FFFD for non-UTF-8; NULL: null. */
void		 buf_json_string(struct buf *, const char *);
void		 buf_json_text(struct buf *, const char *, size_t);
/* For a text log: controls and non-UTF-8 bytes as \n, \xNN... */
void		 buf_text_escaped(struct buf *, const char *, size_t);
size_t		 buf_utf8_len(const u_char *, size_t);
char		*buf_steal(struct buf *);

/*
 * secret.c: values never shown (what ${VAR} brought in, URL passwords),
 * and the scrubber that shows each as "***" in a text.
 */
#define SECRET_MIN		4	/* shorter values are not secrets */
#define SECRET_ECHO		8	/* a secret's first bytes: an echo */
#define SECRET_CUT_START	0x1	/* the text goes on a longer one */
#define SECRET_CUT_END		0x2	/* the text was cut here */
void		 secret_add(const char *);
/* A file's secret for commands: the variable (set here) /bin/sh reads. */
const char	*secret_variable(const char *, const char *);
char		**secret_variables(void);	/* their names, NULL-ended */
int		 secret_any(void);
void		 secret_clear(void);
int		 secret_scrub(struct buf *, const char *, size_t, int);
char		*secret_scrub_string(const char *);

/* log.c: lines to stderr, as text ("hinit: ...") or one JSON object a line. */
enum log_format {
	LOG_TEXT,
	LOG_JSON
};
#define LOG_QUIET	-1
#define LOG_NORMAL	0
#define LOG_VERBOSE	1
#define LOG_DEBUG	2
extern int	 log_level;
void		 log_set_format(enum log_format);
void		 log_warn(const char *, ...) printflike(1, 2);	/* + errno */
void		 log_warnx(const char *, ...) printflike(1, 2);
void		 log_error(const char *, ...) printflike(1, 2);
void		 log_info(const char *, ...) printflike(1, 2);
void		 log_verbose(const char *, ...) printflike(1, 2);
void		 log_debug(const char *, ...) printflike(1, 2);
/* A line a task wrote, as "NAME: line" (int: SECRET_CUT_*). */
void		 log_output(const char *, const char *, size_t, int);
/* "hinit: PREFIXline", a line a hook wrote, NUL bytes too (int: as above). */
void		 log_info_output(const char *, const char *, size_t, int);
/* Start-up errors, out of memory, broken invariants: exit 2 / abort. */
__dead void	 fatal(const char *, ...) printflike(1, 2);
__dead void	 fatalx(const char *, ...) printflike(1, 2);

#endif /* HINIT_H */
