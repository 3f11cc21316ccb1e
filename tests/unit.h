/*
 * unit.h: what every unit test under tests/ shares: the count of failed
 * expectations (main returns it) and expect(), which names the file, the
 * line and what was expected when it does not hold, and goes on.
 */

#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>

static int	 failures;

#define expect(what, cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__,	\
		    what);						\
		failures++;						\
	}								\
} while (0)

#endif /* UNIT_H */
