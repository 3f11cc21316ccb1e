/*
 * config-expand.c: ${VAR}, ${VAR:-default} and ${file:PATH} in values,
 * and the secrets they bring in. Every value is kept twice: expanded, for
 * use, and as written, for output; each value a variable or a file brings
 * in is a secret to the scrubber (src/secret.c) unless its key takes only
 * what outputs show anyway, and an error that quotes an expanded value is
 * given back with the value as written (config_unexpand).
 */

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "hinit.h"
#include "check.h"
#include "config.h"

#define CONFIG_FILE_MAX		(64 * 1024)	/* bytes of a ${file:} */
#define CONFIG_EXPAND_SECRET	0x1	/* values from the environment */
#define CONFIG_EXPAND_COMMAND	0x2	/* for /bin/sh: ${VAR} stays */

/*
 * ${file:PATH}: the contents of a file (Docker and Kubernetes secrets under
 * /run/secrets), trailing line breaks taken off. An error names the file,
 * never what it holds.
 */
static int
config_read_file(const char *path, char **out, char **cause)
{
	struct stat	 st;
	struct buf	 b;
	char		 data[4096];
	ssize_t		 n;
	int		 fd, error;

	if (*path != '/') {
		xasprintf(cause, "${file:%s}: the path must be absolute", path);
		return (-1);
	}
	/* Not O_NOFOLLOW: Kubernetes mounts secrets as links. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		xasprintf(cause, "${file:%s}: %s", path, strerror(errno));
		return (-1);
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		xasprintf(cause, "${file:%s}: not a regular file", path);
		close(fd);
		return (-1);
	}
	buf_init(&b);
	buf_add(&b, "", 0);
	while ((n = read(fd, data, sizeof data)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 || b.len + n > CONFIG_FILE_MAX) {
			error = n == -1 ? errno : EFBIG;
			xasprintf(cause, "${file:%s}: %s", path, n == -1 ?
			    strerror(error) : "larger than 64 KiB");
			explicit_bzero(b.data, b.len);
			buf_free(&b);
			close(fd);
			return (-1);
		}
		buf_add(&b, data, n);
	}
	close(fd);
	explicit_bzero(data, sizeof data);
	while (b.len > 0 && (b.data[b.len - 1] == '\n' ||
	    b.data[b.len - 1] == '\r'))
		b.data[--b.len] = '\0';
	if (strlen(b.data) != b.len) {
		xasprintf(cause, "${file:%s}: holds a NUL byte", path);
		explicit_bzero(b.data, b.len);
		buf_free(&b);
		return (-1);
	}
	*out = buf_steal(&b);
	return (0);
}

/* "${file:PATH}" at *pp: its value, or in a command a reference to it. */
static int
config_expand_file(const char **pp, int flags, struct buf *b, char **cause)
{
	const char	*p = *pp, *end;
	char		*path, *value;

	if ((end = strchr(p, '}')) == NULL) {
		xasprintf(cause, "missing '}' after '${file:'");
		return (-1);
	}
	path = xstrndup(p + 7, end - (p + 7));
	if (*path == '\0' || strchr(path, '{') != NULL) {
		xasprintf(cause, "bad '${file:%s}' (use ${file:/PATH})", path);
		free(path);
		return (-1);
	}
	if (config_read_file(path, &value, cause) != 0) {
		free(path);
		return (-1);
	}
	if (flags & CONFIG_EXPAND_SECRET)
		secret_add(value);
	if (flags & CONFIG_EXPAND_COMMAND)
		buf_printf(b, "${%s}", secret_variable(path, value));
	else
		buf_puts(b, value);
	explicit_bzero(value, strlen(value));
	free(value);
	free(path);
	*pp = end + 1;
	return (0);
}

/*
 * "${VAR}" or "${VAR:-default}" at *pp (default also when VAR is empty, as
 * in sh): its value, or in a command a reference to it. With
 * CONFIG_EXPAND_SECRET each value taken from the environment is a secret
 * (secret.c). With CONFIG_EXPAND_COMMAND a variable that is set stays a
 * reference, "${VAR}", for /bin/sh to expand from the environment it
 * inherits: its value never enters the command line, which every user can
 * read in /proc, and never becomes shell code; a default is written in
 * the config, and goes in as written.
 */
static int
config_expand_var(const char **pp, int flags, struct buf *b, char **cause)
{
	const char	*p = *pp, *name = p + 2, *end, *dflt, *value;
	char		*var;
	size_t		 len = 0;

	if (isalpha((u_char)*name) || *name == '_') {
		while (isalnum((u_char)name[len]) || name[len] == '_')
			len++;
	}
	if ((end = strchr(name, '}')) == NULL) {
		xasprintf(cause, "missing '}' after '%.*s'",
		    (int)(name + len - p), p);
		return (-1);
	}
	if (len == 0 || (name[len] != '}' &&
	    strncmp(name + len, ":-", 2) != 0)) {
		xasprintf(cause, "bad '%.*s' (use ${NAME} or ${NAME:-DEFAULT})",
		    (int)(end + 1 - p), p);
		return (-1);
	}
	var = xstrndup(name, len);
	value = getenv(var);
	if (name[len] == '}' && value == NULL) {
		xasprintf(cause, "${%s} is not set (write ${%s:-DEFAULT} to "
		    "give a default)", var, var);
		free(var);
		return (-1);
	}
	if (name[len] != '}') {
		dflt = name + len + 2;
		if (memchr(dflt, '{', end - dflt) != NULL) {
			xasprintf(cause, "nested braces in the default of "
			    "${%s} are not supported", var);
			free(var);
			return (-1);
		}
		if (value == NULL || *value == '\0') {
			buf_add(b, dflt, end - dflt);
			value = NULL;
		}
	}
	if (value != NULL && (flags & CONFIG_EXPAND_SECRET))
		secret_add(value);
	if (value != NULL && (flags & CONFIG_EXPAND_COMMAND))
		buf_printf(b, "${%s}", var);
	else if (value != NULL)
		buf_puts(b, value);
	free(var);
	*pp = end + 1;
	return (0);
}

/*
 * Every ${VAR}, ${VAR:-default} and ${file:PATH} in a value. "$$" and a
 * '$' not followed by '{' stay as they are.
 */
static int
config_expand_flags(const char *in, int flags, char **out, char **cause)
{
	struct buf	 b;
	const char	*p = in;
	int		 error;

	buf_init(&b);
	while (*p != '\0') {
		if (p[0] == '$' && p[1] == '$') {
			buf_add(&b, p, 2);
			p += 2;
			continue;
		}
		if (p[0] != '$' || p[1] != '{') {
			buf_putc(&b, *p++);
			continue;
		}
		if (strncmp(p, "${file:", 7) == 0)
			error = config_expand_file(&p, flags, &b, cause);
		else
			error = config_expand_var(&p, flags, &b, cause);
		if (error != 0) {
			buf_free(&b);
			return (-1);
		}
	}
	*out = buf_steal(&b);
	return (0);
}

int
config_expand(const char *in, char **out, char **cause)
{
	return (config_expand_flags(in, 0, out, cause));
}

/*
 * What a variable brings in is a secret, but where the key publishes it,
 * or where its kind leaves a word from a list, a number, a signal or the
 * names of checks, which outputs show anyway. In a command, and a target
 * exec:COMMAND, a variable stays a reference for /bin/sh.
 */
int
config_expand_value(const struct config_key *key, const char *written,
    char **value, char **cause)
{
	int	 flags = 0;

	if (!(key->flags & CONFIG_KEY_PUBLIC) && key->type != CONFIG_DURATION &&
	    key->type != CONFIG_NUMBER && key->type != CONFIG_BOOL &&
	    key->type != CONFIG_CHOICE && key->type != CONFIG_LIST &&
	    key->type != CONFIG_SIGNAL)
		flags |= CONFIG_EXPAND_SECRET;
	if (key->type == CONFIG_COMMAND || (key->type == CONFIG_URL &&
	    strncasecmp(written, "exec:", 5) == 0))
		flags |= CONFIG_EXPAND_COMMAND;
	if (config_expand_flags(written, flags, value, cause) != 0)
		return (-1);
	/*
	 * A target a variable makes a command would put the variable's value
	 * on a command line (ps shows it to everyone), and run what the
	 * environment says: a command is written as such.
	 */
	if (key->type == CONFIG_URL && !(flags & CONFIG_EXPAND_COMMAND) &&
	    strncasecmp(*value, "exec:", 5) == 0) {
		*cause = xstrdup("a variable cannot make the target a command "
		    "(write exec:COMMAND, or command =, in the file)");
		free(*value);
		return (-1);
	}
	/* A line of the file has none: it came from a variable. */
	if (strpbrk(*value, "\r\n") != NULL) {
		*cause = xstrdup("a variable's value holds a line break");
		free(*value);
		return (-1);
	}
	return (0);
}

/* Every "what" in s replaced by "with"; s is freed. */
static char *
config_replace(char *s, const char *what, const char *with)
{
	struct buf	 b;
	const char	*p, *q;
	size_t		 len = strlen(what);

	if (len == 0 || strstr(s, what) == NULL)
		return (s);
	buf_init(&b);
	buf_add(&b, "", 0);
	for (p = s; (q = strstr(p, what)) != NULL; p = q + len) {
		buf_add(&b, p, q - p);
		buf_puts(&b, with);
	}
	buf_puts(&b, p);
	free(s);
	return (buf_steal(&b));
}

/*
 * A cause quotes the value it refused, or a piece of it: show it as
 * written, so that what came from the environment (a secret, maybe) stays
 * out of the error: the whole value (if known), then each variable's value.
 */
char *
config_unexpand(char *cause, const char *value, const char *written)
{
	const char	*p, *v;
	char		*name, *with;
	size_t		 len;

	if (value != NULL) {
		if (strcmp(value, written) == 0)
			return (cause);
		cause = config_replace(cause, value, written);
	}
	for (p = written; (p = strstr(p, "${")) != NULL; p += 2) {
		len = strspn(p + 2, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
		if (len == 0)
			continue;
		name = xstrndup(p + 2, len);
		if ((v = getenv(name)) != NULL && *v != '\0') {
			xasprintf(&with, "${%s}", name);
			cause = config_replace(cause, v, with);
			free(with);
		}
		free(name);
	}
	return (cause);
}
