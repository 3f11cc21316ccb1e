/*
 * floor-libs.c: the memory floor of "one check of each type". It links the
 * three libraries hinit's http, postgres and redis modules are built on
 * (libcurl, libpq, hiredis) and does only what any user of libcurl must:
 * curl_global_init(), which starts its TLS library. Then it waits, so that
 * its VmHWM can be read as hinit's is. Whatever these libraries make every
 * process that loads them touch is in this figure; nothing of hinit is.
 *
 *	floor-libs SECONDS
 */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <curl/curl.h>
#include <hiredis/hiredis.h>
#include <libpq-fe.h>

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: floor-libs SECONDS\n");
		return (2);
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return (1);
	/* Keep the other two linked: one harmless call into each. */
	if (PQlibVersion() <= 0 || redisReaderCreate() == NULL)
		return (1);
	sleep(atoi(argv[1]));
	return (0);
}
