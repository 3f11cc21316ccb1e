/*
 * fuzz-config.c: the config file: config_load() on the input (through a
 * memfd), then config_finish() (every check type's configure(), modules
 * included) and config_print(). Properties: a secret from the environment
 * never reaches the printed config or an error; a config that holds the
 * same [check:NAME] or [task:NAME] header twice never loads.
 */

#include <sys/mman.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hinit.h"
#include "check.h"
#include "config.h"

#define FUZZ_SECRET	"Zq7secretXv"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int	fuzz_fd = -1;
static char	fuzz_path[64];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_level = LOG_QUIET;
	setenv("FUZZ_SET", "value", 1);
	setenv("FUZZ_EMPTY", "", 1);
	setenv("FUZZ_URL", "postgres://u:" FUZZ_SECRET "@127.0.0.1:1/db", 1);
	setenv("FUZZ_PASSWORD", FUZZ_SECRET, 1);
	unsetenv("FUZZ_UNSET");
	if ((fuzz_fd = memfd_create("hinit.ini", 0)) == -1)
		fatal("memfd_create");
	snprintf(fuzz_path, sizeof fuzz_path, "/proc/self/fd/%d", fuzz_fd);
	return (0);
}

static void
fuzz_no_secret(const char *what, const char *text)
{
	if (text != NULL && strstr(text, FUZZ_SECRET) != NULL) {
		fprintf(stderr, "secret in %s: %s\n", what, text);
		abort();
	}
}

/* Does the same [check:NAME] or [task:NAME] line come twice? */
static int
fuzz_duplicate_header(const uint8_t *data, size_t size)
{
	const char	*p = (const char *)data, *end = p + size, *nl;
	const char	*seen[256];
	size_t		 len[256], n = 0, i, l;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		l = nl - p;
		while (l > 0 && (p[l - 1] == '\r' || p[l - 1] == ' ' ||
		    p[l - 1] == '\t'))
			l--;
		if (l < 8 || p[l - 1] != ']' || memchr(p, '\0', l) != NULL ||
		    (strncmp(p, "[check:", 7) != 0 &&
		    strncmp(p, "[task:", 6) != 0))
			continue;
		for (i = 0; i < n; i++) {
			if (len[i] == l && memcmp(seen[i], p, l) == 0)
				return (1);
		}
		if (n < nitems(seen)) {
			seen[n] = p;
			len[n++] = l;
		}
	}
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	*conf;
	FILE		*f;
	char		*cause = NULL, *out = NULL;
	size_t		 len;
	int		 secret_written;

	if (ftruncate(fuzz_fd, 0) != 0 ||
	    pwrite(fuzz_fd, data, size, 0) != (ssize_t)size)
		fatal("memfd");
	secret_written = memmem(data, size, FUZZ_SECRET,
	    strlen(FUZZ_SECRET)) != NULL;

	conf = config_new();
	if (config_load(conf, fuzz_path, &cause) == 0 &&
	    fuzz_duplicate_header(data, size)) {
		fprintf(stderr, "a name given twice loaded\n");
		abort();
	}
	if (cause == NULL && config_finish(conf, &cause) == 0) {
		if ((f = open_memstream(&out, &len)) == NULL)
			fatal("open_memstream");
		config_print(conf, f);
		fclose(f);
		if (!secret_written)
			fuzz_no_secret("config_print", out);
		free(out);
	}
	if (!secret_written)
		fuzz_no_secret("the error", cause);
	free(cause);
	config_free(conf);
	secret_clear();		/* each input registers its own */
	return (0);
}
