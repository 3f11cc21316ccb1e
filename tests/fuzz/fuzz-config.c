/*
 * fuzz-config.c: the config file: config_load() on the input (through a
 * memfd), then config_finish() (every check type's configure(), modules
 * included) and config_print(). Property: a secret from the environment
 * never reaches the printed config or an error.
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
	    config_finish(conf, &cause) == 0) {
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
