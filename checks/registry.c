/*
 * registry.c: which check types exist, the URL schemes each answers to,
 * and where each comes from: built into hinit (tcp, exec) or a module
 * NAME.so loaded on first use, so a build or an image without libpq still
 * runs every other check. The static build (--enable-static-binary) links
 * every type in and loads nothing. A new check type is its file under
 * checks/ and one line of registry_entries[]. Also: a check's data, given
 * with its type and freed with the check.
 */

#include <sys/types.h>

#ifndef HINIT_STATIC
#include <dlfcn.h>
#endif
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hinit.h"
#include "check.h"
#include "config.h"

/*
 * What must be known of a type before it is loaded: its schemes (checked
 * against the module's own when it is), and how a target of it is written.
 */
struct registry_entry {
	const char		 *name;
	const char		 *schemes;	/* blank-separated */
	const char		 *usage;	/* for errors */
	const struct check_type	 *builtin;	/* NULL: a module */
};

/* A library-backed type: linked in (static build) or a module. */
#ifdef HINIT_STATIC
#define REGISTRY_MODULE(name)	(&check_type_##name)
extern const struct check_type	check_type_http;
extern const struct check_type	check_type_postgres;
extern const struct check_type	check_type_redis;
#else
#define REGISTRY_MODULE(name)	NULL
#endif
extern const struct check_type	check_type_tcp;
extern const struct check_type	check_type_exec;

static const struct registry_entry registry_entries[] = {
	{ "http", "http https", "http://, https://", REGISTRY_MODULE(http) },
	{ "postgres", "postgres postgresql", "postgres://",
	  REGISTRY_MODULE(postgres) },
	{ "redis", "redis", "redis://", REGISTRY_MODULE(redis) },
	{ "tcp", "tcp", "tcp://HOST:PORT", &check_type_tcp },
	{ "exec", "", "exec:COMMAND", &check_type_exec },
};

/* Does the blank-separated list hold [word, word + len)? */
static int
registry_listed(const char *list, const char *word, size_t len)
{
	const char	*p = list;
	size_t		 n;

	while (*p != '\0') {
		n = strcspn(p, " ");
		if (n == len && strncasecmp(p, word, len) == 0)
			return (1);
		p += n + strspn(p + n, " ");
	}
	return (0);
}

#ifndef HINIT_STATIC
static u_int
registry_count(const char *list)
{
	const char	*p = list;
	size_t		 n;
	u_int		 count = 0;

	while (*(p += strspn(p, " ")) != '\0') {
		n = strcspn(p, " ");
		count++;
		p += n;
	}
	return (count);
}

/*
 * dlopen() keeps a module loaded and hands back the same handle when asked
 * again, so it is the cache: a module is read once however many checks use
 * it. Modules are never unloaded.
 */
static const struct check_type *
registry_load(const struct registry_entry *re, char **cause)
{
	const struct check_type	*type;
	const char		*dir;
	char			*path, *symbol;
	void			*handle;
	u_int			 n = 0;

	if ((dir = getenv("HINIT_MODULE_DIR")) == NULL || *dir == '\0')
		dir = HINIT_MODULE_DIR;
	xasprintf(&path, "%s/%s.so", dir, re->name);
	handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	free(path);
	if (handle == NULL) {
		xasprintf(cause, "check type '%s' is not available in this "
		    "build (%s)", re->name, dlerror());
		return (NULL);
	}
	xasprintf(&symbol, "check_type_%s", re->name);
	type = dlsym(handle, symbol);
	free(symbol);
	if (type == NULL) {
		xasprintf(cause, "check type '%s': bad module (%s)", re->name,
		    dlerror());
		return (NULL);
	}
	/* The module answers to the schemes this entry routes to it. */
	while (type->schemes != NULL && type->schemes[n] != NULL &&
	    registry_listed(re->schemes, type->schemes[n],
	    strlen(type->schemes[n])))
		n++;
	if (type->schemes == NULL || type->schemes[n] != NULL ||
	    n != registry_count(re->schemes)) {
		xasprintf(cause, "check type '%s': bad module (its schemes "
		    "are not %s)", re->name, re->schemes);
		return (NULL);
	}
	return (type);
}
#endif

static const struct check_type *
registry_get(const struct registry_entry *re, char **cause)
{
	if (re->builtin != NULL)
		return (re->builtin);
#ifdef HINIT_STATIC
	fatalx("check type '%s' is not linked in", re->name);
#else
	return (registry_load(re, cause));
#endif
}

const char *
check_type_name(u_int i)
{
	if (i >= nitems(registry_entries))
		return (NULL);
	return (registry_entries[i].name);
}

const char *
check_type_scheme(const char *scheme, size_t len)
{
	u_int	 i;

	for (i = 0; i < nitems(registry_entries); i++) {
		if (registry_listed(registry_entries[i].schemes, scheme, len))
			return (registry_entries[i].name);
	}
	return (NULL);
}

/* Words joined by ", ", the last by " or ". */
static void
registry_join(struct buf *b, const char *word, size_t len, int first,
    int last)
{
	if (!first)
		buf_puts(b, last ? " or " : ", ");
	buf_add(b, word, len);
}

char *
check_type_usage(void)
{
	struct buf	 b;
	u_int		 i;

	buf_init(&b);
	for (i = 0; i < nitems(registry_entries); i++) {
		registry_join(&b, registry_entries[i].usage,
		    strlen(registry_entries[i].usage), i == 0,
		    i == nitems(registry_entries) - 1);
	}
	return (buf_steal(&b));
}

/* "http, https, postgres, postgresql, redis or tcp" */
static char *
registry_schemes(void)
{
	struct buf	 b;
	const char	*p, *last = NULL;
	size_t		 n;
	u_int		 i;

	for (i = 0; i < nitems(registry_entries); i++) {
		for (p = registry_entries[i].schemes; *p != '\0'; p += n) {
			p += strspn(p, " ");
			if ((n = strcspn(p, " ")) != 0)
				last = p;
		}
	}
	buf_init(&b);
	for (i = 0; i < nitems(registry_entries); i++) {
		for (p = registry_entries[i].schemes; *p != '\0'; p += n) {
			p += strspn(p, " ");
			if ((n = strcspn(p, " ")) != 0)
				registry_join(&b, p, n, b.len == 0, p == last);
		}
	}
	return (buf_steal(&b));
}

/* By type name: "http", "postgres", "redis", "tcp", "exec". */
const struct check_type *
check_type_find(const char *name, char **cause)
{
	u_int	 i;

	for (i = 0; i < nitems(registry_entries); i++) {
		if (strcasecmp(registry_entries[i].name, name) == 0)
			return (registry_get(&registry_entries[i], cause));
	}
	xasprintf(cause, "unknown check type '%s'", name);
	return (NULL);
}

/* By target: the URL scheme, or "exec:COMMAND". */
const struct check_type *
check_type_for_target(const char *target, char **cause)
{
	const char	*colon, *name;
	char		*s, *scheme;
	size_t		 len, i;

	colon = strchr(target, ':');
	len = colon != NULL ? (size_t)(colon - target) : 0;
	if (len == 0 || strspn(target, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-") < len) {
		s = check_type_usage();
		xasprintf(cause, "target '%s' is not a URL (use %s)", target,
		    s);
		free(s);
		return (NULL);
	}
	if (len == 4 && strncasecmp(target, "exec", 4) == 0)
		return (&check_type_exec);
	if ((name = check_type_scheme(target, len)) == NULL) {
		scheme = xstrndup(target, len);
		for (i = 0; i < len; i++)
			scheme[i] = tolower((u_char)scheme[i]);
		s = registry_schemes();
		xasprintf(cause, "unsupported URL scheme '%s' (use %s)", scheme,
		    s);
		free(s);
		free(scheme);
		return (NULL);
	}
	return (check_type_find(name, cause));
}

void
check_set_type(struct check *c, const struct check_type *type)
{
	c->type = type;
	c->data = type->size != 0 ? xcalloc(1, type->size) : NULL;
}

void
check_free(struct check *c)
{
	u_int	 i;

	if (c == NULL)
		return;
	if (ev_is_active(&c->timer) || ev_is_pending(&c->timer))
		ev_timer_stop(EV_DEFAULT, &c->timer);
	if (c->type != NULL) {
		if (c->type->cancel != NULL)
			c->type->cancel(c);
		if (c->type->free != NULL)
			c->type->free(c);
		if (c->data != NULL) {
			config_keys_free(c->type->keys, c->type->nkeys,
			    c->data);
			free(c->data);
		}
	}
	free(c->name);
	free(c->target_shown);
	free(c->target);
	free(c->file);
	for (i = 0; i < CHECK_LOG_SIZE; i++)
		free(c->log[i].output);
	free(c);
}
