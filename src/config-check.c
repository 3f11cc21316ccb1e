/*
 * config-check.c: what makes a [check:NAME] section a check, once the file
 * and the command line are read: its type, from the scheme of its target
 * (checks/registry.c); the type's own keys, each judged against the type's
 * table at its line; and the type's prepare(). Also: checks given as bare
 * targets (--check, hinit check, hinit wait), and the check "app" that
 * notify = yes adds.
 */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hinit.h"
#include "check.h"
#include "config.h"

/* A [check:NAME] section being finished. */
struct config_check {
	struct config		*conf;
	struct config_part	*part;
	struct check		*c;
	struct config_value	*tv;	/* url or command, NULL: none */
	const char		*what;	/* "url" or "command" */
};

/*
 * The kind of target: 1 for exec:COMMAND, 0 for SCHEME://..., -1 for text
 * that is neither. *len: the scheme's length.
 */
static int
config_target_kind(const char *target, size_t *len)
{
	if (strncasecmp(target, "exec:", 5) == 0) {
		*len = 4;
		return (1);
	}
	*len = strcspn(target, ":");
	if (*len == 0 || strncmp(target + *len, "://", 3) != 0)
		return (-1);
	return (0);
}

/* "[check:db] url: " + cause at the target's line; cause is freed. */
static int
config_check_fail(struct config_check *cc, char *s, int unexpand,
    char **cause)
{
	struct check	*c = cc->c;
	const char	*value;

	if (unexpand && cc->tv != NULL) {
		value = c->target;
		if (cc->tv->key->type == CONFIG_COMMAND)
			value = c->target + 5;	/* "exec:" */
		s = config_unexpand(s, value, cc->tv->written);
	}
	xasprintf(cause, "%s: %s", cc->what, s);
	free(s);
	return (config_error(cc->conf, cc->part, cc->tv != NULL ?
	    cc->tv->line : cc->part->line, cause));
}

/*
 * The check's type, from its target; u: the URL read once, strictly,
 * whatever the type's own reading (exec: has none).
 */
static int
config_check_type(struct config_check *cc, struct url *u, int *parsed,
    char **cause)
{
	const struct check_type	*type;
	struct check		*c = cc->c;
	char			*s, *usage;
	size_t			 len;
	int			 kind;

	*parsed = 0;
	if ((kind = config_target_kind(c->target, &len)) == 1) {
		if (c->target[5] == '\0') {
			s = xstrdup("empty command after exec:");
			return (config_check_fail(cc, s, 0, cause));
		}
	} else if (kind == -1) {
		/* Not check_type_for_target(): its cause shows the target. */
		usage = check_type_usage();
		xasprintf(&s, "'%s' is not a URL (use %s)", c->target_shown,
		    usage);
		free(usage);
		return (config_check_fail(cc, s, 0, cause));
	} else {
		if (url_parse(c->target, u, &s) != 0)
			return (config_check_fail(cc, s, 1, cause));
		*parsed = 1;
		url_add_secrets(u);
	}
	if ((type = check_type_for_target(c->target, &s)) == NULL)
		return (config_check_fail(cc, s, 1, cause));
	check_set_type(c, type);
	return (0);
}

/* Every check type's keys as candidates for a name (types not built: none). */
static void
config_suggest_type_keys(struct config_suggestion *sg, const char *name)
{
	const struct check_type	*type;
	const char		*tname;
	char			*s;
	u_int			 i, j;

	for (i = 0; (tname = check_type_name(i)) != NULL; i++) {
		if ((type = check_type_find(tname, &s)) == NULL) {
			free(s);	/* not in this build */
			continue;
		}
		for (j = 0; j < type->nkeys; j++)
			config_suggest_consider(sg, name, type->keys[j].name);
	}
}

/*
 * A key the check's type does not have: another type's, or none's (with
 * the closest key of a check, as the table and the types list them).
 */
static int
config_check_unknown(struct config_check *cc, struct config_value *v,
    char **cause)
{
	struct config_suggestion	 sg = CONFIG_SUGGESTION_INIT;
	u_int				 i;
	char				*hint;

	for (i = 0; i < config_nkeys; i++) {
		if (config_keys[i].section == CONFIG_SECTION_CHECK)
			config_suggest_consider(&sg, v->name,
			    config_keys[i].name);
	}
	config_suggest_type_keys(&sg, v->name);
	if (sg.distance == 0) {
		xasprintf(cause, "key '%s' does not apply to %s checks",
		    v->name, cc->c->type->name);
	} else {
		hint = config_suggest_format(&sg);
		xasprintf(cause, "unknown key '%s'%s", v->name, hint);
		free(hint);
	}
	return (config_error(cc->conf, cc->part, v->line, cause));
}

/* Store one value of the type's own keys: what it can, then configure(). */
static int
config_check_apply(struct check *c, const struct config_key *key,
    const char *value, const char *written, char **cause)
{
	if (config_apply(key, c->data, value, written, cause) != 0)
		return (-1);
	if (c->type->configure == NULL)
		return (0);
	return (c->type->configure(c, key->name, value, cause));
}

/* One key of the check's type, as written at its line. */
static int
config_check_key(struct config_check *cc, struct config_value *v,
    char **cause)
{
	const struct check_type	*type = cc->c->type;
	const struct config_key	*key;
	struct config_value	*first;
	char			*value, *s;

	key = config_key_find(type->keys, type->nkeys, CONFIG_SECTION_CHECK,
	    v->name);
	if (key == NULL)
		return (config_check_unknown(cc, v, cause));
	first = config_part_value(cc->part, v->name);
	if (first != v && !(key->flags & CONFIG_KEY_REPEAT)) {
		xasprintf(cause, "duplicate key '%s' (first at line %u)",
		    v->name, first->line);
		return (config_error(cc->conf, cc->part, v->line, cause));
	}
	v->key = key;
	if (config_expand_value(key, v->written, &value, &s) != 0) {
		xasprintf(cause, "%s: %s", v->name, s);
		free(s);
		return (config_error(cc->conf, cc->part, v->line, cause));
	}
	if (config_check_apply(cc->c, key, value, v->written, &s) != 0) {
		s = config_unexpand(s, value, v->written);
		xasprintf(cause, "%s: %s", v->name, s);
		free(s);
		free(value);
		return (config_error(cc->conf, cc->part, v->line, cause));
	}
	free(value);
	return (0);
}

/* The type's keys: defaults, then each value in the order written. */
static int
config_check_keys(struct config_check *cc, char **cause)
{
	const struct check_type	*type = cc->c->type;
	const struct config_key	*key;
	struct config_value	*v;
	char			*s;
	u_int			 i;

	for (i = 0; i < type->nkeys; i++) {
		key = &type->keys[i];
		if (*key->dflt == '\0')
			continue;
		if (config_check_apply(cc->c, key, key->dflt, key->dflt,
		    &s) != 0)
			fatalx("default of %s: %s", key->name, s);
	}
	TAILQ_FOREACH(v, &cc->part->values, entry) {
		if (v->key == NULL && config_check_key(cc, v, cause) != 0)
			return (-1);
	}
	return (0);
}

/* Type, the type's own keys and prepare() of one check. */
int
config_finish_check(struct config *conf, struct config_part *part,
    char **cause)
{
	struct config_check	 cc;
	struct url		 u;
	char			*s;
	int			 parsed, error = -1;

	memset(&cc, 0, sizeof cc);
	cc.conf = conf;
	cc.part = part;
	cc.c = part->object;
	if ((cc.tv = config_part_value(part, "url")) == NULL)
		cc.tv = config_part_value(part, "command");
	cc.what = cc.tv != NULL ? cc.tv->key->name : "url";

	if (config_check_type(&cc, &u, &parsed, cause) != 0 ||
	    config_check_keys(&cc, cause) != 0)
		goto out;
	if (cc.c->type->prepare != NULL &&
	    cc.c->type->prepare(cc.c, parsed ? &u : NULL, &s) != 0) {
		config_check_fail(&cc, s, 1, cause);
		goto out;
	}
	error = 0;

out:
	if (parsed)
		url_free(&u);
	return (error);
}

int
config_add_target(struct config *conf, const char *spec, char **cause)
{
	struct config_part	*part;
	struct check		*c;
	const char		*target = spec, *type;
	char			*name, *shown, *usage, *scheme;
	size_t			 n, len, i;
	u_int			 j;

	n = strspn(spec, CONFIG_NAME_CHARS);
	if (n != 0 && spec[n] == '=')
		target = spec + n + 1;
	if (config_target_kind(target, &len) == -1) {
		shown = url_mask(target);
		usage = check_type_usage();
		xasprintf(cause, "bad target '%s' (use %s)", shown, usage);
		free(usage);
		free(shown);
		return (-1);
	}
	/* Named by its type ("https://..." is http), else by its scheme. */
	scheme = xstrndup(target, len);
	for (i = 0; i < len; i++)
		scheme[i] = tolower((u_char)scheme[i]);
	if ((type = check_type_scheme(target, len)) == NULL)
		type = scheme;
	if (target != spec)
		name = xstrndup(spec, n);
	else {
		name = xstrdup(type);
		for (j = 2; config_find_check(conf, name) != NULL; j++) {
			free(name);
			xasprintf(&name, "%s-%u", type, j);
		}
	}
	free(scheme);
	if (config_find_check(conf, name) != NULL) {
		xasprintf(cause, "duplicate check name '%s'", name);
		free(name);
		return (-1);
	}
	c = config_check_new(conf, name, 0);
	part = config_part_new(conf, CONFIG_SECTION_CHECK, name, 0, c);
	free(name);
	if (config_set(conf, part, "url", target, 0, cause) != 0)
		return (config_error(conf, part, 0, cause));
	return (0);
}

/*
 * notify = yes: the check "app", told by the app itself (checks/notify.c).
 * A live check: it speaks for the app, and a missed watchdog is the app's
 * own failure; one failure is enough.
 */
int
config_finish_notify(struct config *conf, struct config_part *part,
    char **cause)
{
	struct config_value	*v;
	struct check		*c;

	if (!conf->notify) {
		if (conf->watchdog == 0)
			return (0);
		*cause = xstrdup("watchdog needs notify = yes");
		v = config_part_value(part, "watchdog");
		return (config_error(conf, part, v->line, cause));
	}
	if ((c = config_find_check(conf, "app")) != NULL) {
		xasprintf(cause, "notify = yes adds a check named 'app': "
		    "rename [check:app] (line %u)", c->line);
		v = config_part_value(part, "notify");
		return (config_error(conf, part, v->line, cause));
	}
	c = config_check_new(conf, "app", 0);
	check_set_type(c, &check_type_notify);
	c->target = xstrdup("notify");
	c->target_shown = xstrdup("notify");
	c->role = CHECK_ROLE_LIVE;
	c->retries = 1;
	c->timeout = 0;
	if (c->type->prepare == NULL)
		return (0);
	return (c->type->prepare(c, NULL, cause));
}
