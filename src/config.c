/*
 * config.c: the configuration (SPEC §2) as read: its sections, found by
 * kind and name, and each value as written, with its line; setting a key
 * of a section (unknown keys, duplicates, suggestions); keys of [hinit]
 * from the command line; and, once everything is read, the cross-references
 * between sections. The table of keys is in config-keys.c, storing a value
 * in config-value.c, the reader in config-read.c, ${VAR} in
 * config-expand.c, checks' types and their own keys in config-check.c,
 * `hinit -t` in config-print.c.
 *
 * Every value is kept twice: expanded, for use, and as written, for output,
 * so that a secret from the environment never reaches any output.
 */

#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hinit.h"
#include "check.h"
#include "config.h"

/* Levenshtein distance, for "did you mean"; long words are never close. */
static u_int
config_distance(const char *a, const char *b)
{
	u_int	 row[65], i, j, diag, up, best;
	size_t	 la = strlen(a), lb = strlen(b);

	if (la > 64 || lb > 64)
		return (UINT32_MAX);
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			up = row[j];
			best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return (row[lb]);
}

int
config_valid_name(const char *s, size_t len)
{
	return (len != 0 && strspn(s, CONFIG_NAME_CHARS) >= len);
}

/* A key of a table, by section and name. */
const struct config_key *
config_key_find(const struct config_key *keys, u_int nkeys,
    enum config_section section, const char *name)
{
	u_int	 i;

	for (i = 0; i < nkeys; i++) {
		if (keys[i].section == section &&
		    strcmp(keys[i].name, name) == 0)
			return (&keys[i]);
	}
	return (NULL);
}

/* "[check:db] " */
static char *
config_where(struct config *conf, struct config_part *part, u_int line)
{
	char	*s;

	if (part->section == CONFIG_SECTION_HINIT) {
		if (conf->file != NULL && line != 0)
			xasprintf(&s, "%s:%u: [hinit] ", conf->file, line);
		else
			s = xstrdup("");
	} else if (conf->file != NULL && line != 0) {
		xasprintf(&s, "%s:%u: [%s:%s] ", conf->file, line,
		    config_section_names[part->section], part->name);
	} else {
		xasprintf(&s, "%s '%s': ", config_section_names[part->section],
		    part->name);
	}
	return (s);
}

/* Replace *cause with WHERE + *cause. */
int
config_error(struct config *conf, struct config_part *part, u_int line,
    char **cause)
{
	char	*where, *s;

	where = config_where(conf, part, line);
	xasprintf(&s, "%s%s", where, *cause);
	free(where);
	free(*cause);
	*cause = s;
	return (-1);
}

struct config_value *
config_part_value(struct config_part *part, const char *name)
{
	struct config_value	*v;

	TAILQ_FOREACH(v, &part->values, entry) {
		if (strcmp(v->name, name) == 0)
			return (v);
	}
	return (NULL);
}

struct config_part *
config_part_of(struct config *conf, void *object)
{
	struct config_part	*part;

	TAILQ_FOREACH(part, &conf->parts, entry) {
		if (part->object == object)
			return (part);
	}
	return (NULL);
}

/*
 * Sections by kind and name (tsearch: a balanced tree in glibc and musl),
 * so that a duplicate name or a check named in a wait list is found in
 * log time: 30,000 sections took 7s when each looked at all the others.
 */
static int
config_part_compare(const void *a, const void *b)
{
	const struct config_part	*pa = a, *pb = b;

	if (pa->section != pb->section)
		return (pa->section < pb->section ? -1 : 1);
	return (strcmp(pa->name, pb->name));
}

struct config_part *
config_part_named(struct config *conf, enum config_section section,
    const char *name)
{
	struct config_part	 key;
	void			*found;

	key.section = section;
	key.name = (char *)name;
	if ((found = tfind(&key, &conf->names, config_part_compare)) == NULL)
		return (NULL);
	return (*(struct config_part **)found);
}

struct config_part *
config_part_new(struct config *conf, enum config_section section,
    const char *name, u_int line, void *object)
{
	struct config_part	*part;

	part = xcalloc(1, sizeof *part);
	part->section = section;
	part->name = name == NULL ? NULL : xstrdup(name);
	part->line = line;
	part->object = object;
	TAILQ_INIT(&part->values);
	TAILQ_INSERT_TAIL(&conf->parts, part, entry);
	if (part->name != NULL &&
	    tsearch(part, &conf->names, config_part_compare) == NULL)
		fatalx("tsearch: out of memory");
	return (part);
}

static void
config_value_free(struct config_value *v)
{
	free(v->name);
	free(v->written);
	free(v);
}

static void
config_part_free(struct config_part *part)
{
	struct config_value	*v;

	if (part == NULL)
		return;
	while ((v = TAILQ_FIRST(&part->values)) != NULL) {
		TAILQ_REMOVE(&part->values, v, entry);
		config_value_free(v);
	}
	free(part->name);
	free(part);
}

/* A value as written in a section, after the others. */
void
config_part_add(struct config_part *part, const struct config_key *key,
    const char *name, const char *written, u_int line)
{
	struct config_value	*v;

	v = xcalloc(1, sizeof *v);
	v->key = key;
	v->name = xstrdup(name);
	v->written = xstrdup(written);
	v->line = line;
	TAILQ_INSERT_TAIL(&part->values, v, entry);
}

struct config *
config_new(void)
{
	struct config	*conf;

	conf = xcalloc(1, sizeof *conf);
	TAILQ_INIT(&conf->checks);
	TAILQ_INIT(&conf->tasks);
	TAILQ_INIT(&conf->parts);
	config_defaults(config_keys, config_nkeys, CONFIG_SECTION_HINIT, conf);
	return (conf);
}

struct check *
config_check_new(struct config *conf, const char *name, u_int line)
{
	struct check	*c;

	c = xcalloc(1, sizeof *c);
	c->name = xstrdup(name);
	if (conf->file != NULL && line != 0)
		c->file = xstrdup(conf->file);
	c->line = line;
	config_defaults(config_keys, config_nkeys, CONFIG_SECTION_CHECK, c);
	TAILQ_INSERT_TAIL(&conf->checks, c, entry);
	return (c);
}

struct task *
config_task_new(struct config *conf, const char *name, u_int line)
{
	struct task	*t;

	t = xcalloc(1, sizeof *t);
	t->name = xstrdup(name);
	t->file = xstrdup(conf->file);
	t->line = line;
	config_defaults(config_keys, config_nkeys, CONFIG_SECTION_TASK, t);
	TAILQ_INSERT_TAIL(&conf->tasks, t, entry);
	return (t);
}

static void
config_task_free(struct task *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->command);
	free(t->command_shown);
	config_list_free(t->wait, t->nwait);
	free(t->file);
	free(t);
}

struct check *
config_find_check(struct config *conf, const char *name)
{
	struct config_part	*part;
	struct check		*c;

	if (conf->names != NULL && (part = config_part_named(conf,
	    CONFIG_SECTION_CHECK, name)) != NULL)
		return (part->object);
	/*
	 * A check no section made (notify's "app"), or a config made by hand,
	 * not read (tests).
	 */
	TAILQ_FOREACH(c, &conf->checks, entry) {
		if (strcmp(c->name, name) == 0)
			return (c);
	}
	return (NULL);
}

static void
config_part_forget(void *part)
{
}

void
config_free(struct config *conf)
{
	struct check		*c;
	struct task		*t;
	struct config_part	*part;

	if (conf == NULL)
		return;
	while ((c = TAILQ_FIRST(&conf->checks)) != NULL) {
		TAILQ_REMOVE(&conf->checks, c, entry);
		check_free(c);
	}
	while ((t = TAILQ_FIRST(&conf->tasks)) != NULL) {
		TAILQ_REMOVE(&conf->tasks, t, entry);
		config_task_free(t);
	}
	tdestroy(conf->names, config_part_forget);
	while ((part = TAILQ_FIRST(&conf->parts)) != NULL) {
		TAILQ_REMOVE(&conf->parts, part, entry);
		config_part_free(part);
	}
	free(conf->file);
	config_list_free(conf->wait, conf->nwait);
	free(conf->listen);
	free(conf->status_file);
	free(conf->version);
	free(conf->on_change);
	free(conf->on_change_shown);
	free(conf);
}

void
config_suggest_consider(struct config_suggestion *sg, const char *name,
    const char *candidate)
{
	u_int	 d;

	if ((d = config_distance(name, candidate)) < sg->distance) {
		sg->best = candidate;
		sg->distance = d;
	}
}

char *
config_suggest_format(const struct config_suggestion *sg)
{
	char	*s;

	if (sg->best == NULL)
		return (xstrdup(""));
	xasprintf(&s, " (did you mean '%s'?)", sg->best);
	return (s);
}

static char *
config_suggest_key(enum config_section section, const char *name)
{
	struct config_suggestion	 sg = CONFIG_SUGGESTION_INIT;
	u_int				 i;

	for (i = 0; i < config_nkeys; i++) {
		if (config_keys[i].section == section)
			config_suggest_consider(&sg, name, config_keys[i].name);
	}
	return (config_suggest_format(&sg));
}

static char *
config_suggest_check(struct config *conf, const char *name)
{
	struct config_suggestion	 sg = CONFIG_SUGGESTION_INIT;
	struct check			*c;

	TAILQ_FOREACH(c, &conf->checks, entry)
		config_suggest_consider(&sg, name, c->name);
	return (config_suggest_format(&sg));
}

/*
 * Set one key of a section from a line (0: command line). A key a check's
 * section does not have is its type's, or no key's: config_finish_check()
 * judges it once the type is known.
 */
int
config_set(struct config *conf, struct config_part *part, const char *name,
    const char *written, u_int line, char **cause)
{
	const struct config_key	*key;
	struct config_value	*v;
	char			*value, *s, *hint;

	key = config_key_find(config_keys, config_nkeys, part->section, name);
	if (key == NULL && part->section == CONFIG_SECTION_CHECK) {
		config_part_add(part, NULL, name, written, line);
		return (0);
	}
	if (key == NULL) {
		hint = config_suggest_key(part->section, name);
		xasprintf(cause, "unknown key '%s'%s", name, hint);
		free(hint);
		return (-1);
	}
	if (!(key->flags & CONFIG_KEY_REPEAT) &&
	    (v = config_part_value(part, name)) != NULL) {
		xasprintf(cause, "duplicate key '%s' (first at line %u)", name,
		    v->line);
		return (-1);
	}
	if (part->section == CONFIG_SECTION_CHECK &&
	    (key->type == CONFIG_URL || key->type == CONFIG_COMMAND) &&
	    ((v = config_part_value(part, "url")) != NULL ||
	    (v = config_part_value(part, "command")) != NULL)) {
		xasprintf(cause, "%s: a check takes url or command, not both "
		    "(%s at line %u)", name, v->name, v->line);
		return (-1);
	}
	if (config_expand_value(key, written, &value, &s) != 0) {
		xasprintf(cause, "%s: %s", name, s);
		free(s);
		return (-1);
	}
	if (config_apply(key, part->object, value, written, &s) != 0) {
		s = config_unexpand(s, value, written);
		xasprintf(cause, "%s: %s", name, s);
		free(s);
		free(value);
		return (-1);
	}
	free(value);
	config_part_add(part, key, name, written, line);
	return (0);
}

/*
 * A key of [hinit] from the command line, over the file: the same parser
 * and bounds as in the file, no ${VAR} (the shell has expanded the command
 * line already). The cause does not name the option; the caller does.
 */
int
config_override(struct config *conf, const char *name, const char *value,
    char **cause)
{
	const struct config_key	*key;
	struct config_part	*part;
	struct config_value	*v;

	key = config_key_find(config_keys, config_nkeys, CONFIG_SECTION_HINIT,
	    name);
	if (key == NULL)
		fatalx("config_override: no key %s", name);
	if (config_apply(key, conf, value, value, cause) != 0)
		return (-1);
	if ((part = config_part_of(conf, conf)) == NULL) {
		part = config_part_new(conf, CONFIG_SECTION_HINIT, NULL, 0,
		    conf);
	}
	if ((v = config_part_value(part, name)) != NULL) {
		TAILQ_REMOVE(&part->values, v, entry);
		config_value_free(v);
	}
	config_part_add(part, key, name, value, 0);
	return (0);
}

static int
config_finish_wait(struct config *conf, struct config_part *part,
    char **list, u_int n, char **cause)
{
	struct config_value	*v;
	char			*hint;
	u_int			 i;

	for (i = 0; i < n; i++) {
		if (conf->notify && strcmp(list[i], "app") == 0) {
			/* The app starts after the wait: it would never end. */
			xasprintf(cause, "wait: check app is the app's own "
			    "(notify = yes), told only once the app runs");
		} else if (config_find_check(conf, list[i]) != NULL)
			continue;
		else {
			hint = config_suggest_check(conf, list[i]);
			xasprintf(cause, "wait: no check named '%s'%s",
			    list[i], hint);
			free(hint);
		}
		if (part == NULL)
			return (-1);
		/* The name may have come from a variable. */
		if ((v = config_part_value(part, "wait")) != NULL)
			*cause = config_unexpand(*cause, NULL, v->written);
		return (config_error(conf, part, v != NULL ? v->line : 0,
		    cause));
	}
	return (0);
}

/* [hinit]: its wait list, notify, the restart delays. */
static int
config_finish_hinit(struct config *conf, struct config_part *part,
    char **cause)
{
	struct config_value	*v;
	char			 b1[32], b2[32];

	if (config_finish_wait(conf, part, conf->wait, conf->nwait,
	    cause) != 0)
		return (-1);
	if (config_finish_notify(conf, part, cause) != 0)
		return (-1);
	if (conf->restart_delay <= conf->restart_delay_max)
		return (0);
	xasprintf(cause, "restart_delay (%s) is longer than restart_delay_max "
	    "(%s)", duration_format(conf->restart_delay, b1, sizeof b1),
	    duration_format(conf->restart_delay_max, b2, sizeof b2));
	if ((v = config_part_value(part, "restart_delay")) == NULL)
		v = config_part_value(part, "restart_delay_max");
	return (config_error(conf, part, v->line, cause));
}

int
config_finish(struct config *conf, char **cause)
{
	struct config_part	*part;
	struct task		*t;
	int			 error = 0;

	TAILQ_FOREACH(part, &conf->parts, entry) {
		switch (part->section) {
		case CONFIG_SECTION_HINIT:
			error = config_finish_hinit(conf, part, cause);
			break;
		case CONFIG_SECTION_CHECK:
			error = config_finish_check(conf, part, cause);
			break;
		case CONFIG_SECTION_TASK:
			t = part->object;
			error = config_finish_wait(conf, part, t->wait,
			    t->nwait, cause);
			break;
		}
		if (error != 0)
			return (-1);
	}
	if (config_part_of(conf, conf) == NULL)
		return (config_finish_wait(conf, NULL, conf->wait, conf->nwait,
		    cause));
	return (0);
}
