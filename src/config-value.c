/*
 * config-value.c: storing one value in its object (hinit's config, a check,
 * a task, or a check type's data) by the kind of value its key takes, one
 * parser each, with the bounds and choices of the key's row; the defaults
 * of a table; and freeing the strings a table's keys hold. The cause of a
 * refused value does not name the key: the caller adds it, with the file
 * and the line.
 */

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "hinit.h"
#include "check.h"
#include "config.h"

void
config_list_free(char **list, u_int n)
{
	u_int	 i;

	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

/* "db, cache" */
static int
config_parse_list(const char *value, char ***listp, u_int *np, char **cause)
{
	char		**list = NULL, *name;
	const char	 *p = value;
	u_int		  n = 0, i;
	size_t		  len;

	for (;;) {
		p += strspn(p, " \t");
		if (*p == '\0' && n == 0)
			break;
		len = strcspn(p, ",");
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (!config_valid_name(p, len)) {
			xasprintf(cause, "bad check name '%.*s' in '%s'",
			    (int)strcspn(p, ","), p, value);
			goto fail;
		}
		name = xstrndup(p, len);
		for (i = 0; i < n; i++) {
			if (strcmp(list[i], name) == 0) {
				xasprintf(cause, "'%s' listed twice", name);
				free(name);
				goto fail;
			}
		}
		list = xreallocarray(list, n + 1, sizeof *list);
		list[n++] = name;
		p += strcspn(p, ",");
		if (*p == '\0')
			break;
		p++;
	}
	config_list_free(*listp, *np);
	*listp = list;
	*np = n;
	return (0);

fail:
	config_list_free(list, n);
	return (-1);
}

/*
 * ASCII only, without the locale's tables: the defaults are parsed at
 * every start, and strcasecmp() or isdigit() would map 64 KiB of them
 * for this.
 */
static int
config_word_is(const char *s, const char *lower)
{
	for (; *lower != '\0'; s++, lower++) {
		if ((*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s) != *lower)
			return (0);
	}
	return (*s == '\0');
}

static int
config_parse_bool(const char *value, int *b)
{
	static const char *const yes[] = { "yes", "true", "on", "1", NULL };
	static const char *const no[] = { "no", "false", "off", "0", NULL };
	u_int	 i;

	for (i = 0; yes[i] != NULL; i++) {
		if (config_word_is(value, yes[i])) {
			*b = 1;
			return (0);
		}
		if (config_word_is(value, no[i])) {
			*b = 0;
			return (0);
		}
	}
	return (-1);
}

static char *
config_choices(const struct config_key *key, const char *sep)
{
	struct buf	 b;
	u_int		 i;

	buf_init(&b);
	for (i = 0; key->choices[i] != NULL; i++) {
		if (i != 0 && key->choices[i + 1] == NULL)
			buf_puts(&b, " or ");
		else if (i != 0)
			buf_puts(&b, sep);
		buf_puts(&b, key->choices[i]);
	}
	return (buf_steal(&b));
}

/* listen: addresses separated by commas or blanks (syntax_address). */
static int
config_parse_addresses(const char *value, char **cause)
{
	const char	*p = value;
	size_t		 len;

	for (;;) {
		p += strspn(p, ", \t");
		if (*p == '\0')
			return (0);
		len = strcspn(p, ", \t");
		if (syntax_address(p, len, NULL, NULL) != 0) {
			xasprintf(cause, "bad address '%.*s' (use ADDR:PORT, "
			    "[ADDR]:PORT or :PORT, port 1 to 65535)", (int)len,
			    p);
			return (-1);
		}
		p += len;
	}
}

static int
config_apply_duration(const struct config_key *key, uint64_t *p,
    const char *value, char **cause)
{
	uint64_t	 ms;
	char		 b1[32], b2[32];

	if (duration_parse(value, &ms, cause) != 0)
		return (-1);
	if (ms < key->min || ms > key->max) {
		xasprintf(cause, "%s is out of range (%s to %s)", value,
		    duration_format(key->min, b1, sizeof b1),
		    duration_format(key->max, b2, sizeof b2));
		return (-1);
	}
	*p = ms;
	return (0);
}

static int
config_apply_number(const struct config_key *key, u_int *p,
    const char *value, char **cause)
{
	const char	*s;
	u_long		 n = 0;

	/* Not isdigit(): see config_word_is(). */
	for (s = value; *s >= '0' && *s <= '9'; s++) {
		if (n <= key->max)
			n = n * 10 + (*s - '0');
	}
	if (*value == '\0' || *s != '\0') {
		xasprintf(cause, "bad number '%s'", value);
		return (-1);
	}
	if (n < key->min || n > key->max) {
		xasprintf(cause, "%s is out of range (%llu to %llu)", value,
		    (unsigned long long)key->min, (unsigned long long)key->max);
		return (-1);
	}
	*p = n;
	return (0);
}

static int
config_apply_choice(const struct config_key *key, int *p, const char *value,
    char **cause)
{
	char	*s;
	u_int	 i;

	for (i = 0; key->choices[i] != NULL; i++) {
		if (strcmp(value, key->choices[i]) == 0) {
			*p = i;
			return (0);
		}
	}
	s = config_choices(key, ", ");
	xasprintf(cause, "bad value '%s' (use %s)", value, s);
	free(s);
	return (-1);
}

/* Empty is none (NULL), and so is the default of a NULL_DEFAULT key. */
static void
config_apply_string(const struct config_key *key, char **p,
    const char *value)
{
	free(*p);
	*p = NULL;
	if (*value == '\0')
		return;
	if ((key->flags & CONFIG_KEY_NULL_DEFAULT) &&
	    strcmp(value, key->dflt) == 0)
		return;
	*p = xstrdup(value);
}

static int
config_apply_signal(int *p, const char *value, char **cause)
{
	int	 sig;

	*p = 0;
	if (*value == '\0')
		return (0);
	if ((sig = signal_parse(value)) == -1 || sig == SIGKILL ||
	    sig == SIGSTOP) {
		xasprintf(cause, "bad signal '%s' (e.g. SIGQUIT, INT, 15; not "
		    "KILL or STOP)", value);
		return (-1);
	}
	*p = sig;
	return (0);
}

/* A check's url (the target as given) or command (exec:COMMAND). */
static int
config_apply_target(struct check *c, const char *prefix, const char *value,
    const char *written, char **cause)
{
	if (*value == '\0') {
		*cause = xstrdup(*prefix == '\0' ? "empty target" :
		    "empty command");
		return (-1);
	}
	free(c->target);
	free(c->target_shown);
	xasprintf(&c->target, "%s%s", prefix, value);
	if (*prefix == '\0')
		c->target_shown = url_mask(written);
	else
		xasprintf(&c->target_shown, "%s%s", prefix, written);
	return (0);
}

/* A command, and as written: on_change (empty is none) and a task's. */
static int
config_apply_command(const struct config_key *key, void *object,
    const char *value, const char *written, char **cause)
{
	struct config	*conf = object;
	struct task	*t = object;

	switch (key->section) {
	case CONFIG_SECTION_HINIT:
		free(conf->on_change);
		free(conf->on_change_shown);
		conf->on_change = conf->on_change_shown = NULL;
		if (*value == '\0')
			break;
		conf->on_change = xstrdup(value);
		conf->on_change_shown = xstrdup(written);
		break;
	case CONFIG_SECTION_TASK:
		if (*value == '\0') {
			*cause = xstrdup("empty command");
			return (-1);
		}
		free(t->command);
		free(t->command_shown);
		t->command = xstrdup(value);
		t->command_shown = xstrdup(written);
		break;
	case CONFIG_SECTION_CHECK:
		return (config_apply_target(object, "exec:", value, written,
		    cause));
	}
	return (0);
}

/*
 * Store one value (expanded: value; as written: written) in the object of
 * its key: a config, check or task, or a check type's data. The cause does
 * not name the key; the caller adds it.
 */
int
config_apply(const struct config_key *key, void *object, const char *value,
    const char *written, char **cause)
{
	struct config	*conf = object;
	struct task	*t = object;
	void		*p = (char *)object + key->offset;
	int		 yes;

	switch (key->type) {
	case CONFIG_DURATION:
		return (config_apply_duration(key, p, value, cause));
	case CONFIG_NUMBER:
		return (config_apply_number(key, p, value, cause));
	case CONFIG_BOOL:
		if (config_parse_bool(value, &yes) != 0) {
			xasprintf(cause, "bad value '%s' (use yes or no)",
			    value);
			return (-1);
		}
		*(int *)p = yes;
		return (0);
	case CONFIG_CHOICE:
		return (config_apply_choice(key, p, value, cause));
	case CONFIG_ADDRESSES:
		if (config_parse_addresses(value, cause) != 0)
			return (-1);
		/* FALLTHROUGH */
	case CONFIG_STRING:
		config_apply_string(key, p, value);
		return (0);
	case CONFIG_LIST:
		if (key->section == CONFIG_SECTION_TASK)
			return (config_parse_list(value, &t->wait, &t->nwait,
			    cause));
		return (config_parse_list(value, &conf->wait, &conf->nwait,
		    cause));
	case CONFIG_URL:
		return (config_apply_target(object, "", value, written,
		    cause));
	case CONFIG_COMMAND:
		return (config_apply_command(key, object, value, written,
		    cause));
	case CONFIG_SIGNAL:
		return (config_apply_signal(p, value, cause));
	case CONFIG_OWN:
		return (0);
	}
	return (0);
}

/* Every key of a table in a section at its default. */
void
config_defaults(const struct config_key *keys, u_int nkeys,
    enum config_section section, void *object)
{
	const struct config_key	*key;
	char			*cause;
	u_int			 i;

	for (i = 0; i < nkeys; i++) {
		key = &keys[i];
		if (key->section != section || *key->dflt == '\0')
			continue;
		if (config_apply(key, object, key->dflt, key->dflt,
		    &cause) != 0)
			fatalx("default of %s: %s", key->name, cause);
	}
}

void
config_keys_free(const struct config_key *keys, u_int nkeys, void *object)
{
	u_int	 i;

	for (i = 0; i < nkeys; i++) {
		if (keys[i].type == CONFIG_STRING ||
		    keys[i].type == CONFIG_ADDRESSES)
			free(*(char **)((char *)object + keys[i].offset));
	}
}
