/*
 * log.c: hinit's own log lines, on stderr: "hinit: message" as text, or one
 * JSON object a line ({"time": ..., "level": ..., "msg": ...}), and the
 * lines of its tasks the same way ("NAME: line", or "task": NAME). Every
 * message is scrubbed of secrets, and is one line: in text, controls and
 * bytes that are not UTF-8 are escaped; in JSON, always valid JSON.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hinit.h"

/*
 * The log's state: its level and its format, one pair of settings. They
 * are written at start-up only (main's options, then the config, before
 * the loop runs and before any child exists) and only read after, by every
 * line of every module, the one-shot subcommands' and fatal()'s included.
 * That is why they are globals, the only ones but the default loop: passed
 * down, every function that may log would take a logger. The format is
 * static, set through log_set_format() alone; the level is read where a
 * caller decides whether a costly message is worth making.
 */
int			 log_level = LOG_NORMAL;
static enum log_format	 log_format = LOG_TEXT;

void
log_set_format(enum log_format format)
{
	log_format = format;
}

/* One line: "hinit: message" or a JSON object; who is NULL, or a task. */
static void
log_line(const char *level, const char *who, const char *msg, size_t len)
{
	struct buf	 b;
	char		 t[40];

	buf_init(&b);
	if (log_format == LOG_JSON) {
		buf_puts(&b, "{\"time\":\"");
		buf_puts(&b, time_rfc3339(time_wall(), t, sizeof t));
		buf_printf(&b, "\",\"level\":\"%s\",", level);
		if (who != NULL) {
			buf_puts(&b, "\"task\":");
			buf_json_string(&b, who);
			buf_putc(&b, ',');
		}
		buf_puts(&b, "\"msg\":");
		buf_json_text(&b, msg != NULL ? msg : "", len);
		buf_puts(&b, "}\n");
	} else {
		/* A message may quote a server: one line, nothing raw. */
		buf_printf(&b, "%s: ", who != NULL ? who : "hinit");
		if (strcmp(level, "info") != 0 && strcmp(level, "debug") != 0 &&
		    strcmp(level, "error") != 0)
			buf_printf(&b, "%s: ", level);
		buf_text_escaped(&b, msg, len);
		buf_putc(&b, '\n');
	}
	(void)write(STDERR_FILENO, b.data, b.len);
	buf_free(&b);
}

/*
 * Bytes a command wrote, after prefix, with every secret hidden (flags:
 * SECRET_CUT_*, where they were cut), NUL bytes too: a line of who's
 * (NULL: hinit's own). Text cannot forge hinit's lines or reach the
 * terminal raw.
 */
static void
log_scrubbed(const char *who, const char *prefix, const char *data,
    size_t len, int flags)
{
	struct buf	 msg;
	int		 saved = errno;

	buf_init(&msg);
	buf_puts(&msg, prefix);
	secret_scrub(&msg, data, len, flags);
	log_line("info", who, msg.data, msg.len);
	buf_free(&msg);
	errno = saved;
}

/* A line a task wrote: "NAME: line", or a JSON object with "task". */
void
log_output(const char *task, const char *data, size_t len, int flags)
{
	log_scrubbed(task, "", data, len, flags);
}

/*
 * An info line of hinit's own that ends in bytes a command wrote (a line
 * of the on_change hook's output): "hinit: PREFIXLINE".
 */
void
log_info_output(const char *prefix, const char *data, size_t len, int flags)
{
	if (log_level >= LOG_NORMAL)
		log_scrubbed(NULL, prefix, data, len, flags);
}

static void
log_vwrite(const char *level, const char *fmt, va_list ap, const char *error)
{
	struct buf	 msg;
	char		*s;
	int		 saved = errno;

	buf_init(&msg);
	buf_vprintf(&msg, fmt, ap);
	if (error != NULL)
		buf_printf(&msg, ": %s", error);
	if (secret_any()) {
		s = secret_scrub_string(msg.data);
		buf_reset(&msg);
		buf_puts(&msg, s);
		free(s);
	}
	log_line(level, NULL, msg.data, msg.len);
	buf_free(&msg);
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	char	*error = strerror(errno);

	va_start(ap, fmt);
	log_vwrite("warning", fmt, ap, error);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite("warning", fmt, ap, NULL);
	va_end(ap);
}

/* An error that stops hinit, as the contract words it: "hinit: ...". */
void
log_error(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite("error", fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	if (log_level < LOG_NORMAL)
		return;
	va_start(ap, fmt);
	log_vwrite("info", fmt, ap, NULL);
	va_end(ap);
}

void
log_verbose(const char *fmt, ...)
{
	va_list	 ap;

	if (log_level < LOG_VERBOSE)
		return;
	va_start(ap, fmt);
	log_vwrite("info", fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (log_level < LOG_DEBUG)
		return;
	va_start(ap, fmt);
	log_vwrite("debug", fmt, ap, NULL);
	va_end(ap);
}

__dead void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	char	*error = strerror(errno);

	va_start(ap, fmt);
	log_vwrite("fatal", fmt, ap, error);
	va_end(ap);
	exit(EXIT_USAGE);
}

__dead void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite("fatal", fmt, ap, NULL);
	va_end(ap);
	exit(EXIT_USAGE);
}
