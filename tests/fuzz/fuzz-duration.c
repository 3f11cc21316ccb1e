/*
 * fuzz-duration.c: duration_parse(). Property: what parses prints back
 * (duration_format) as a duration that parses to the same milliseconds,
 * within the range the config allows.
 */

#include <stdlib.h>
#include <string.h>

#include "hinit.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s, *cause = NULL, buf[64];
	uint64_t	 ms, again;

	s = xstrndup((const char *)data, size);
	if (duration_parse(s, &ms, &cause) == 0) {
		if (ms > (uint64_t)UINT32_MAX * 1000)
			abort();
		duration_format(ms, buf, sizeof buf);
		if (duration_parse(buf, &again, &cause) != 0 || again != ms) {
			fprintf(stderr, "'%s' -> %llu -> '%s'\n", s,
			    (unsigned long long)ms, buf);
			abort();
		}
	} else if (cause == NULL)
		abort();
	free(cause);
	free(s);
	return (0);
}
