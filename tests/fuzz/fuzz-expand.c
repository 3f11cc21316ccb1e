/*
 * fuzz-expand.c: ${VAR} and ${VAR:-default} expansion (config_expand).
 * Properties: text without "${" comes back as it is; an error always has
 * a cause and no output.
 */

#include <stdlib.h>
#include <string.h>

#include "hinit.h"
#include "check.h"
#include "config.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setenv("A", "alpha", 1);
	setenv("EMPTY", "", 1);
	setenv("BRACES", "${A}}{", 1);
	setenv("LONG", "0123456789012345678901234567890123456789", 1);
	unsetenv("UNSET");
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s, *out = NULL, *cause = NULL;

	s = xstrndup((const char *)data, size);
	if (config_expand(s, &out, &cause) == 0) {
		if (out == NULL || cause != NULL)
			abort();
		if (strstr(s, "${") == NULL && strcmp(s, out) != 0)
			abort();
	} else if (cause == NULL)
		abort();
	free(out);
	free(cause);
	free(s);
	return (0);
}
