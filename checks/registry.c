/*
 * registry.c: which check types exist, which URL schemes each answers to,
 * and where each comes from: built into hinit (tcp, exec) or a module
 * NAME.so loaded on first use, so a build or an image without libpq still
 * runs every other check. The static build (--enable-static-binary) links
 * every type in and loads nothing. Also: freeing a check.
 */

#include <sys/types.h>

#ifndef HINIT_STATIC
#include <dlfcn.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hinit.h"
#include "check.h"

struct registry_entry {
	const char		 *name;
	const char *const	 *schemes;
	const struct check_type	 *builtin;	/* NULL: a module */
};

static const char *const registry_http_schemes[] = { "http", "https", NULL };
static const char *const registry_postgres_schemes[] = {
	"postgres", "postgresql", NULL
};
static const char *const registry_redis_schemes[] = { "redis", NULL };
static const char *const registry_tcp_schemes[] = { "tcp", NULL };
static const char *const registry_exec_schemes[] = { NULL };

/* A library-backed type: linked in (static build) or a module. */
#ifdef HINIT_STATIC
#define REGISTRY_MODULE(name)	(&check_type_##name)
#else
#define REGISTRY_MODULE(name)	NULL
#endif

static const struct registry_entry registry_entries[] = {
	{ "http", registry_http_schemes, REGISTRY_MODULE(http) },
	{ "postgres", registry_postgres_schemes, REGISTRY_MODULE(postgres) },
	{ "redis", registry_redis_schemes, REGISTRY_MODULE(redis) },
	{ "tcp", registry_tcp_schemes, &check_type_tcp },
	{ "exec", registry_exec_schemes, &check_type_exec },
};

#ifndef HINIT_STATIC
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
	const struct registry_entry	*re;
	const char			*colon;
	size_t				 len;
	u_int				 i, j;

	colon = strchr(target, ':');
	len = colon != NULL ? (size_t)(colon - target) : 0;
	if (len == 0 || strspn(target, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-") < len) {
		xasprintf(cause, "target '%s' is not a URL (use http://, "
		    "https://, postgres://, postgresql://, redis://, "
		    "tcp://HOST:PORT or exec:COMMAND)", target);
		return (NULL);
	}
	if (len == 4 && strncasecmp(target, "exec", 4) == 0)
		return (&check_type_exec);
	for (i = 0; i < nitems(registry_entries); i++) {
		re = &registry_entries[i];
		for (j = 0; re->schemes[j] != NULL; j++) {
			if (strlen(re->schemes[j]) == len &&
			    strncasecmp(re->schemes[j], target, len) == 0)
				return (registry_get(re, cause));
		}
	}
	xasprintf(cause, "unknown target scheme '%.*s' (use http, https, "
	    "postgres, postgresql, redis, tcp or exec:)", (int)len, target);
	return (NULL);
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
	}
	free(c->name);
	free(c->target_shown);
	free(c->target);
	free(c->file);
	free(c->method);
	for (i = 0; i < c->nheaders; i++)
		free(c->headers[i]);
	free(c->headers);
	free(c->expect_status);
	free(c->expect_body);
	free(c->query);
	free(c->command);
	for (i = 0; i < CHECK_LOG_SIZE; i++)
		free(c->log[i].output);
	free(c);
}
