/*
 * config-print.c: the resolved configuration as INI, for `hinit -t`: every
 * key of every section, hinit's own and each check type's, with its
 * effective value (as written, or the default) and its help the first
 * time it is shown. The output is a config hinit reads again. Values are
 * shown as written, never expanded: a secret from the environment stays
 * out of it.
 */

#include <stdlib.h>
#include <string.h>

#include "hinit.h"
#include "check.h"
#include "config.h"

/* What one config_print() has shown: keys whose help is out already. */
struct config_print {
	FILE			 *fp;
	const struct config_key	**seen;
	u_int			  nseen;
};

/* One "key = value" line, with the key's help the first time. */
static void
config_print_value(struct config_print *cp, const struct config_key *key,
    const char *value)
{
	char	*s;
	u_int	 i;

	for (i = 0; i < cp->nseen; i++) {
		if (cp->seen[i] == key)
			break;
	}
	if (i == cp->nseen) {
		fprintf(cp->fp, "; %s\n", key->help);
		cp->seen = xreallocarray(cp->seen, cp->nseen + 1,
		    sizeof *cp->seen);
		cp->seen[cp->nseen++] = key;
	}
	/* Values are shown as written: this only guards against a slip. */
	s = secret_scrub_string(value);
	if (*s == '\0')
		fprintf(cp->fp, "%s =\n", key->name);
	else
		fprintf(cp->fp, "%s = %s\n", key->name, s);
	free(s);
}

static void
config_print_list(struct config_print *cp, const struct config_key *key,
    char **list, u_int n)
{
	struct buf	 b;
	u_int		 i;

	buf_init(&b);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i == 0 ? "" : ", ", list[i]);
	buf_putc(&b, '\0');
	config_print_value(cp, key, b.data);
	buf_free(&b);
}

/* The effective value of a key that is a plain value. */
static const char *
config_print_scalar(const struct config_key *key, void *object, char *buf,
    size_t len)
{
	char	*p = (char *)object + key->offset;

	switch (key->type) {
	case CONFIG_DURATION:
		return (duration_format(*(uint64_t *)p, buf, len));
	case CONFIG_NUMBER:
		snprintf(buf, len, "%u", *(u_int *)p);
		return (buf);
	case CONFIG_BOOL:
		return (*(int *)p ? "yes" : "no");
	case CONFIG_CHOICE:
		return (key->choices[*(int *)p]);
	case CONFIG_SIGNAL:
		if (*(int *)p == 0)
			return ("");
		snprintf(buf, len, "SIG%s", signal_name(*(int *)p));
		if (strcmp(buf, "SIGRT") == 0)
			snprintf(buf, len, "%d", *(int *)p);
		return (buf);
	default:
		return (NULL);
	}
}

/* Each value of the key as written (the command line's over the file's). */
static void
config_print_written(struct config_print *cp, struct config_part *part,
    const struct config_key *key)
{
	struct config_value	*v;
	u_int			 n = 0;

	TAILQ_FOREACH(v, &part->values, entry) {
		if (v->key == key) {
			config_print_value(cp, key, v->written);
			n++;
		}
	}
	if (n == 0)
		config_print_value(cp, key, key->dflt);
}

/* The keys of one table in a section; object: where their values are. */
static void
config_print_keys(struct config_print *cp, struct config *conf,
    struct config_part *part, const struct config_key *keys, u_int nkeys,
    void *object)
{
	const struct config_key	*key;
	struct config_value	*v;
	struct task		*t = part->object;
	struct check		*c = part->object;
	const char		*s;
	char			 buf[64];
	u_int			 i;

	for (i = 0; i < nkeys; i++) {
		key = &keys[i];
		if (key->section != part->section)
			continue;
		if ((s = config_print_scalar(key, object, buf,
		    sizeof buf)) != NULL) {
			config_print_value(cp, key, s);
			continue;
		}
		v = config_part_value(part, key->name);
		switch (key->type) {
		case CONFIG_LIST:
			if (v != NULL)
				config_print_value(cp, key, v->written);
			else if (part->section == CONFIG_SECTION_TASK)
				config_print_list(cp, key, t->wait, t->nwait);
			else
				config_print_list(cp, key, conf->wait,
				    conf->nwait);
			break;
		case CONFIG_URL:
			if (v != NULL)
				config_print_value(cp, key, c->target_shown);
			break;
		case CONFIG_COMMAND:
			if (v != NULL)
				config_print_value(cp, key, v->written);
			else if (part->section == CONFIG_SECTION_HINIT) {
				config_print_value(cp, key,
				    conf->on_change_shown != NULL ?
				    conf->on_change_shown : "");
			}
			break;
		default:
			config_print_written(cp, part, key);
			break;
		}
	}
}

static void
config_print_part(struct config_print *cp, struct config *conf,
    struct config_part *part)
{
	struct check	*c;

	config_print_keys(cp, conf, part, config_keys, config_nkeys,
	    part->object);
	if (part->section != CONFIG_SECTION_CHECK)
		return;
	c = part->object;
	if (c->type != NULL && c->data != NULL)
		config_print_keys(cp, conf, part, c->type->keys,
		    c->type->nkeys, c->data);
}

void
config_print(struct config *conf, FILE *fp)
{
	struct config_print	 cp;
	struct config_part	*part, hinit;

	memset(&cp, 0, sizeof cp);
	cp.fp = fp;
	fprintf(fp, "; hinit %s: the resolved configuration of %.120s\n",
	    HINIT_VERSION, conf->file != NULL ? conf->file : "(no file)");

	memset(&hinit, 0, sizeof hinit);
	hinit.section = CONFIG_SECTION_HINIT;
	hinit.object = conf;
	TAILQ_INIT(&hinit.values);
	fprintf(fp, "\n[hinit]\n");
	if ((part = config_part_of(conf, conf)) == NULL)
		part = &hinit;
	config_print_part(&cp, conf, part);

	TAILQ_FOREACH(part, &conf->parts, entry) {
		if (part->section == CONFIG_SECTION_HINIT)
			continue;
		fprintf(fp, "\n[%s:%s]\n", config_section_names[part->section],
		    part->name);
		config_print_part(&cp, conf, part);
	}
	free(cp.seen);
}

/* The value a check's key has, as config_print() shows it. */
char *
config_check_value(struct check *c, const char *name)
{
	const struct config_key	*key;
	char			 buf[64];
	const char		*s;

	key = config_key_find(config_keys, config_nkeys, CONFIG_SECTION_CHECK,
	    name);
	if (key != NULL)
		s = config_print_scalar(key, c, buf, sizeof buf);
	else if (c->type != NULL && c->data != NULL &&
	    (key = config_key_find(c->type->keys, c->type->nkeys,
	    CONFIG_SECTION_CHECK, name)) != NULL)
		s = config_print_scalar(key, c->data, buf, sizeof buf);
	else
		return (NULL);
	return (s != NULL ? xstrdup(s) : NULL);
}
