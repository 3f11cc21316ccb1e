/*
 * fuzz-expand.c: ${VAR} and ${VAR:-default} expansion (config_expand), and
 * the scrubber (secret_scrub) on the same bytes. Properties: text without
 * "${" comes back as it is; an error always has a cause and no output; a
 * scrubbed text holds no secret, and, when told it was cut, no piece of
 * one at its end or start; text that holds none comes back as it is.
 */

#include <stdlib.h>
#include <string.h>

#include "hinit.h"
#include "check.h"
#include "config.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Overlapping, repeating, percent-encoded: none holds a '*'. */
static const char *const fuzz_secrets[] = {
	"alpha", "Ov-abc", "abc-Zz", "aaaa", "p%40ss", "${A}}{", NULL
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	u_int	 i;

	setenv("A", "alpha", 1);
	setenv("EMPTY", "", 1);
	setenv("BRACES", "${A}}{", 1);
	setenv("LONG", "0123456789012345678901234567890123456789", 1);
	unsetenv("UNSET");
	for (i = 0; fuzz_secrets[i] != NULL; i++)
		secret_add(fuzz_secrets[i]);
	return (0);
}

/* Does a piece (1 byte or more) of a secret end, or start, the text? */
static int
fuzz_piece(const char *s, size_t len, int end)
{
	const char	*v;
	size_t		 vlen, k;
	u_int		 i;

	for (i = 0; fuzz_secrets[i] != NULL; i++) {
		v = fuzz_secrets[i];
		vlen = strlen(v);
		for (k = 1; k < vlen && k <= len; k++) {
			if (end && memcmp(s + len - k, v, k) == 0)
				return (1);
			if (!end && memcmp(s, v + vlen - k, k) == 0)
				return (1);
		}
	}
	return (0);
}

static void
fuzz_scrub(const char *s, size_t size, int flags)
{
	struct buf	 b;
	u_int		 i;
	int		 hidden;

	buf_init(&b);
	buf_add(&b, "", 0);
	hidden = secret_scrub(&b, s, size, flags);
	for (i = 0; fuzz_secrets[i] != NULL; i++) {
		if (memmem(b.data, b.len, fuzz_secrets[i],
		    strlen(fuzz_secrets[i])) != NULL ||
		    memmem(b.data, b.len, "p@ss", 4) != NULL) {
			fprintf(stderr, "a secret survives: %s\n", b.data);
			abort();
		}
	}
	if (((flags & SECRET_CUT_END) && fuzz_piece(b.data, b.len, 1)) ||
	    ((flags & SECRET_CUT_START) && fuzz_piece(b.data, b.len, 0))) {
		fprintf(stderr, "a piece survives at a cut: %s\n", b.data);
		abort();
	}
	if (!hidden && (b.len != size || memcmp(b.data, s, size) != 0))
		abort();
	buf_free(&b);
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
	fuzz_scrub((const char *)data, size, size == 0 ? 0 : data[0] & 3);
	free(s);
	return (0);
}
