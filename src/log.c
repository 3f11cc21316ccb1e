/*
 * log.c: hinit's own log lines, on stderr: "hinit: message" as text, or one
 * JSON object a line ({"time": ..., "level": ..., "msg": ...}). Every
 * message is scrubbed of secrets, and is one line: in text, controls and
 * bytes that are not UTF-8 are escaped; in JSON, always valid JSON.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hinit.h"

int			 log_level = LOG_NORMAL;
static enum log_format	 log_format = LOG_TEXT;

void
log_set_format(enum log_format format)
{
	log_format = format;
}

static void
log_vwrite(const char *level, const char *fmt, va_list ap, const char *error)
{
	struct buf	 b, msg;
	char		 t[40], *s;
	int		 saved = errno;

	buf_init(&b);
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
	if (log_format == LOG_JSON) {
		buf_puts(&b, "{\"time\":\"");
		buf_puts(&b, time_rfc3339(time_wall(), t, sizeof t));
		buf_printf(&b, "\",\"level\":\"%s\",\"msg\":", level);
		buf_json_string(&b, msg.data);
		buf_puts(&b, "}\n");
	} else {
		/* A message may quote a server: one line, nothing raw. */
		buf_puts(&b, "hinit: ");
		if (strcmp(level, "info") != 0 && strcmp(level, "debug") != 0 &&
		    strcmp(level, "error") != 0)
			buf_printf(&b, "%s: ", level);
		buf_text_escaped(&b, msg.data, msg.len);
		buf_putc(&b, '\n');
	}
	(void)write(STDERR_FILENO, b.data, b.len);
	buf_free(&b);
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
