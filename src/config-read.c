/*
 * config-read.c: reading the INI file through inih, with a line reader of
 * our own that sees every line first: so it knows line numbers (Debian's
 * inih gives the handler none), refuses what inih would take silently or
 * report without saying why (over-long lines, NUL bytes, continuation
 * lines, keys outside a section), and reads section headers itself.
 */

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "hinit.h"
#include "check.h"
#include "config.h"

/* The state of one config_load(). */
struct config_parse {
	struct config		*conf;
	FILE			*f;
	const char		*file;
	u_int			 line;
	char			*buf;
	size_t			 bufsize;
	struct config_part	*part;		/* NULL before a header */
	char			 last_key[64];	/* inih's continuation lines */
	char			*cause;		/* the first error */
};

/* The section just read is complete: what it must have. */
static int
config_part_end(struct config *conf, struct config_part *part, char **cause)
{
	if (part == NULL)
		return (0);
	if (part->section == CONFIG_SECTION_CHECK &&
	    config_part_value(part, "url") == NULL &&
	    config_part_value(part, "command") == NULL) {
		*cause = xstrdup("missing 'url' (or 'command')");
		return (config_error(conf, part, part->line, cause));
	}
	if (part->section == CONFIG_SECTION_TASK &&
	    config_part_value(part, "command") == NULL) {
		*cause = xstrdup("missing 'command'");
		return (config_error(conf, part, part->line, cause));
	}
	return (0);
}

/* " (did you mean [check:db]?)" for "[chek:db]"; colon: the ':' or NULL. */
static char *
config_suggest_section(const char *name, const char *colon)
{
	struct config_suggestion	 sg = CONFIG_SUGGESTION_INIT;
	u_int				 i;
	char				*s;

	for (i = 0; i < nitems(config_section_names); i++)
		config_suggest_consider(&sg, name, config_section_names[i]);
	if (sg.best == NULL)
		return (xstrdup(""));
	if (strcmp(sg.best, "hinit") == 0)
		return (xstrdup(" (did you mean [hinit]?)"));
	xasprintf(&s, " (did you mean [%s:%s]?)", sg.best,
	    colon != NULL && colon[1] != '\0' ? colon + 1 : "NAME");
	return (s);
}

/*
 * "[check:db]": which section, and its name (NULL for [hinit]); s is
 * changed in place.
 */
static int
config_header_parse(char *s, enum config_section *section, char **name,
    char **cause)
{
	char	*end, *colon, *hint;
	u_int	 i;

	if ((end = strchr(s, ']')) == NULL) {
		*cause = xstrdup("missing ']' in the section header");
		return (-1);
	}
	*end++ = '\0';
	end += strspn(end, " \t");
	if (*end != '\0' && *end != ';' && *end != '#') {
		xasprintf(cause, "unexpected '%s' after [%s]", end, s + 1);
		return (-1);
	}
	*name = s + 1;
	if ((colon = strchr(*name, ':')) != NULL)
		*colon = '\0';
	for (i = 0; i < nitems(config_section_names); i++) {
		if (strcmp(*name, config_section_names[i]) == 0)
			break;
	}
	if (i == nitems(config_section_names) ||
	    (i == CONFIG_SECTION_HINIT) != (colon == NULL)) {
		hint = config_suggest_section(*name, colon);
		if (colon != NULL)
			*colon = ':';
		xasprintf(cause, "unknown section [%s]%s (use [hinit], "
		    "[check:NAME] or [task:NAME])", *name, hint);
		free(hint);
		return (-1);
	}
	*section = i;
	*name = colon != NULL ? colon + 1 : NULL;
	return (0);
}

/* "[check:db]" seen by the reader: start the section. */
static int
config_header(struct config_parse *cp, char *s, char **cause)
{
	struct config		*conf = cp->conf;
	struct config_part	*part;
	enum config_section	 section;
	const char		*what;
	char			*name;
	void			*object;

	if (config_header_parse(s, &section, &name, cause) != 0)
		return (-1);
	if (section == CONFIG_SECTION_HINIT) {
		if ((part = config_part_of(conf, conf)) != NULL) {
			xasprintf(cause, "section [hinit] given twice (first "
			    "at line %u)", part->line);
			return (-1);
		}
		cp->part = config_part_new(conf, section, NULL, cp->line, conf);
		return (0);
	}

	what = config_section_names[section];
	if (!config_valid_name(name, strlen(name))) {
		xasprintf(cause, "bad %s name '%s' in [%s:%s] (use letters, "
		    "digits, '_', '.', '-')", what, name, what, name);
		return (-1);
	}
	if ((part = config_part_named(conf, section, name)) != NULL) {
		xasprintf(cause, "duplicate %s name '%s' (first at line %u)",
		    what, name, part->line);
		return (-1);
	}
	if (section == CONFIG_SECTION_CHECK)
		object = config_check_new(conf, name, cp->line);
	else
		object = config_task_new(conf, name, cp->line);
	cp->part = config_part_new(conf, section, name, cp->line, object);
	return (0);
}

/* Where a value ends, as inih sees it: at '=', ':' or " ;" comment. */
static size_t
config_key_length(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0' && s[i] != '=' && s[i] != ':'; i++) {
		if (s[i] == ';' && i > 0 && isspace((u_char)s[i - 1]))
			break;
	}
	return (i);
}

/*
 * Read one line into cp->buf: what inih takes and a little more, never
 * all of a line that may not end (a file of one huge line, a FIFO): a
 * line longer than that is an error anyway, found from its start. The
 * length, -1 at the end, -2 on a read error (errno set): never a config
 * cut short that looks whole.
 */
static ssize_t
config_getline(struct config_parse *cp, int num)
{
	size_t	 len = 0;
	int	 ch = EOF;

	if (cp->buf == NULL) {
		cp->bufsize = (num > 0 ? (size_t)num : 0) + 2;
		cp->buf = xmalloc(cp->bufsize);
	}
	errno = 0;
	while (len < cp->bufsize - 1 && (ch = getc(cp->f)) != EOF) {
		cp->buf[len++] = ch;
		if (ch == '\n')
			break;
	}
	if (ch == EOF && ferror(cp->f)) {
		if (errno == 0)
			errno = EIO;
		return (-2);
	}
	if (len == 0)
		return (-1);
	cp->buf[len] = '\0';
	return (len);
}

/* A line longer than inih takes: the cause, with its key if it has one. */
static char *
config_read_too_long(const char *start, int num)
{
	size_t	 klen;
	char	*cause;

	klen = config_key_length(start);
	if (*start != ';' && *start != '#' && start[klen] != '\0' &&
	    klen < 64) {
		while (klen > 0 && isspace((u_char)start[klen - 1]))
			klen--;
		xasprintf(&cause, "line is longer than %d bytes (key '%.*s')",
		    num - 3, (int)klen, start);
	} else
		xasprintf(&cause, "line is longer than %d bytes", num - 3);
	return (cause);
}

/* "key = value": its key, for the continuation lines inih would take. */
static int
config_read_key(struct config_parse *cp, const char *start, char **cause)
{
	size_t	 klen;

	klen = config_key_length(start);
	if (start[klen] != '=' && start[klen] != ':') {
		*cause = xstrdup("expected 'key = value'");
		return (-1);
	}
	while (klen > 0 && isspace((u_char)start[klen - 1]))
		klen--;
	if (klen >= sizeof cp->last_key)
		klen = sizeof cp->last_key - 1;
	memcpy(cp->last_key, start, klen);
	cp->last_key[klen] = '\0';
	if (cp->part == NULL) {
		xasprintf(cause, "key '%s' outside a section (start with "
		    "[hinit], [check:NAME] or [task:NAME])", cp->last_key);
		return (-1);
	}
	return (0);
}

/*
 * One line, without its line break: what inih is to see of it (*start),
 * or -1 with the cause (without the file and line) or with cp->cause set.
 */
static int
config_read_judge(struct config_parse *cp, char *s, size_t len, int num,
    char **start, char **cause)
{
	char	*p = s;

	if (cp->line == 1 && strncmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;	/* a UTF-8 BOM, as inih */
	p += strspn(p, " \t\f\v");
	*start = p;

	/* inih needs room for "\r\n\0" after the longest line. */
	if (num < 3 || len > (size_t)num - 3) {
		*cause = config_read_too_long(p, num);
		return (-1);
	}
	if (*p == '\0' || *p == ';' || *p == '#')
		return (0);	/* comment or blank: inih keeps its key */
	if (p != s && *cp->last_key != '\0') {
		xasprintf(cause, "indented line would continue the value of "
		    "'%s' (multi-line values are not supported; remove the "
		    "indentation)", cp->last_key);
		return (-1);
	}
	if (*p != '[')
		return (config_read_key(cp, p, cause));
	if (config_part_end(cp->conf, cp->part, &cp->cause) != 0)
		return (-1);
	cp->part = NULL;
	*cp->last_key = '\0';
	if (config_header(cp, p, cause) != 0)
		return (-1);
	/* inih only needs to forget its previous key. */
	*start = (char *)"[]";
	return (0);
}

/*
 * inih's reader: hands inih one line at a time, but sees every line first,
 * so it knows the line number, and catches what inih would accept silently
 * or report without saying why. Returning NULL ends the parse.
 */
static char *
config_read_line(char *str, int num, void *arg)
{
	struct config_parse	*cp = arg;
	ssize_t			 n;
	size_t			 len;
	char			*s, *start, *cause = NULL;

	if (cp->cause != NULL)
		return (NULL);
	if ((n = config_getline(cp, num)) < 0) {
		if (n == -2) {
			xasprintf(&cp->cause, "%s: %s", cp->file,
			    strerror(errno));
		} else if (config_part_end(cp->conf, cp->part, &cause) != 0)
			cp->cause = cause;
		return (NULL);
	}
	cp->line++;
	s = cp->buf;
	len = n;
	if (strlen(s) != len)
		cause = xstrdup("line contains a NUL byte");
	else {
		while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
			s[--len] = '\0';
		if (config_read_judge(cp, s, len, num, &start, &cause) == 0) {
			len = strlen(start);
			memcpy(str, start, len);
			str[len++] = '\n';
			str[len] = '\0';
			return (str);
		}
	}
	if (cp->cause == NULL)
		xasprintf(&cp->cause, "%s:%u: %s", cp->file, cp->line, cause);
	free(cause);
	return (NULL);
}

static int
config_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct config_parse	*cp = arg;
	char			*cause;

	if (cp->cause != NULL || cp->part == NULL)
		return (0);
	if (config_set(cp->conf, cp->part, name, value, cp->line,
	    &cause) != 0) {
		config_error(cp->conf, cp->part, cp->line, &cause);
		cp->cause = cause;
		return (0);
	}
	return (1);
}

int
config_load(struct config *conf, const char *path, char **cause)
{
	struct config_parse	 cp;
	int			 error;

	memset(&cp, 0, sizeof cp);
	cp.conf = conf;
	cp.file = path;
	if ((cp.f = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (-1);
	}
	free(conf->file);
	conf->file = xstrdup(path);
	error = ini_parse_stream(config_read_line, &cp, config_handler, &cp);
	fclose(cp.f);
	free(cp.buf);
	if (cp.cause != NULL) {
		*cause = cp.cause;
		return (-1);
	}
	if (error != 0) {
		if (error > 0)
			xasprintf(cause, "%s:%d: syntax error", path, error);
		else
			xasprintf(cause, "%s: cannot parse", path);
		return (-1);
	}
	return (0);
}
