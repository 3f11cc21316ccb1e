/*
 * sigrt.c: prints SIGRTMIN and SIGRTMAX as the C library hinit is built
 * with has them (glibc keeps 32 and 33 for itself, musl 32 to 34), for
 * the tests that send real-time signals.
 */

#include <signal.h>
#include <stdio.h>

int
main(void)
{
	printf("%d %d\n", SIGRTMIN, SIGRTMAX);
	return (0);
}
