/*
 * unit-secret.c: the scrubber (src/secret.c): every secret as "***",
 * overlapping ones wholly, none shorter than SECRET_MIN, pieces of one at
 * a cut, percent-encoded ones decoded too; and what the config and the
 * URLs make secret.
 */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hinit.h"
#include "check.h"
#include "config.h"

static int	failures;

#define FAIL(...) do {							\
	fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);		\
	fprintf(stderr, __VA_ARGS__);					\
	fputc('\n', stderr);						\
	failures++;							\
} while (0)

static void
scrub_is(const char *in, int flags, const char *want)
{
	struct buf	 b;

	buf_init(&b);
	buf_add(&b, "", 0);
	secret_scrub(&b, in, strlen(in), flags);
	if (strcmp(b.data, want) != 0)
		FAIL("scrub '%s' (flags %d): '%s', want '%s'", in, flags,
		    b.data, want);
	buf_free(&b);
}

static void
test_scrub(void)
{
	char	*s;

	secret_clear();
	scrub_is("nothing registered", 0, "nothing registered");
	if (secret_any())
		FAIL("secrets after secret_clear");

	/* Too short to hide anything: never scrubbed. */
	secret_add("");
	secret_add("0");
	secret_add("abc");
	if (secret_any())
		FAIL("a value shorter than %d bytes was kept", SECRET_MIN);
	scrub_is("HTTP 200 abc", 0, "HTTP 200 abc");

	secret_add("hunter2");
	secret_add("hunter2");		/* once only */
	scrub_is("AUTH hunter2 hunter2x", 0, "AUTH *** ***x");
	scrub_is("hunter2hunter2", 0, "***");
	scrub_is("", 0, "");

	/* Overlapping secrets: no part of either survives. */
	secret_add("Ov-abcdef");
	secret_add("abcdef-Zz");
	scrub_is("[Ov-abcdef-Zz]", 0, "[***]");
	scrub_is("[abcdef-Zz]", 0, "[***]");
	/* One occurrence overlapping itself. */
	secret_add("aaaa");
	scrub_is("xaaaaaay", 0, "x***y");

	/* Pieces at a cut. */
	scrub_is("the start of hunt", SECRET_CUT_END, "the start of ***");
	scrub_is("the start of hunt", 0, "the start of hunt");
	scrub_is("er2 is the rest", SECRET_CUT_START, "*** is the rest");
	scrub_is("er2 is the rest", 0, "er2 is the rest");

	/*
	 * An echo cut short (Redis quotes 128 bytes of arguments): from its
	 * first SECRET_ECHO bytes on, as far as it goes; not fewer. Not for
	 * a whole URL, whose start other targets share.
	 */
	secret_add("Rd7-a-long-password-0123456789");
	scrub_is("with: 'Rd7-a-long-pass' ", 0, "with: '***' ");
	scrub_is("with: 'Rd7-a-l' ", 0, "with: 'Rd7-a-l' ");
	secret_add("http://127.0.0.1:3000/health?token=0123");
	scrub_is("http://127.0.0.1:3000/live", 0, "http://127.0.0.1:3000/live");

	/* Many lines: each line is a secret too (output goes a line a time). */
	secret_add("-----line-one-AAA\r\n-----line-two-BBB\nxy");
	scrub_is("-----line-one-AAA", 0, "***");
	scrub_is("t: -----line-two-BBB", 0, "t: ***");
	scrub_is("xy", 0, "xy");

	/*
	 * A piece that begins inside a longer secret (a long line's middle
	 * piece, the rest of an echo cut short): from SECRET_ECHO bytes on,
	 * or whole when cut at both ends.
	 */
	secret_add("Mi1-Mi2-Mi3-Mi4-Mi5-Mi6-Mi7-Mi8");
	scrub_is("Mi3-Mi4-Mi5", SECRET_CUT_START | SECRET_CUT_END, "***");
	scrub_is("Mi3-Mi4-Mi5' rest", SECRET_CUT_START, "***' rest");
	scrub_is("Mi3-Mi4-Mi5", SECRET_CUT_END, "Mi3-Mi4-Mi5");
	scrub_is("Mi3-Mi", SECRET_CUT_START | SECRET_CUT_END, "***");
	scrub_is("Mi3-Mi' rest", SECRET_CUT_START, "Mi3-Mi' rest");

	/* Percent-encoded: the decoded form too. */
	secret_add("p%40ss-word");
	scrub_is("AUTH p@ss-word, p%40ss-word", 0, "AUTH ***, ***");

	s = secret_scrub_string("log: hunter2");
	if (strcmp(s, "log: ***") != 0)
		FAIL("secret_scrub_string: '%s'", s);
	free(s);
	secret_clear();
}

/* What the config makes secret: expanded values, URL passwords. */
static void
test_config(void)
{
	struct config	*conf;
	struct url	 u;
	char		*cause = NULL, path[] = "/tmp/unit-secret.XXXXXX";
	FILE		*f;
	int		 fd;

	setenv("UNIT_PW", "env-password", 1);
	setenv("UNIT_TOKEN", "env-token", 1);
	setenv("UNIT_INTERVAL", "2500ms", 1);
	setenv("UNIT_VERSION", "1.2.3-public", 1);
	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		FAIL("mkstemp");
		return;
	}
	setenv("UNIT_WAIT", "c-named", 1);
	fprintf(f, "[hinit]\nversion = ${UNIT_VERSION}\nwait = ${UNIT_WAIT}\n"
	    "[check:c-named]\nurl = tcp://127.0.0.1:3\n"
	    "[check:a]\nurl = tcp://127.0.0.1:1\n"
	    "interval = ${UNIT_INTERVAL}\n"
	    "[check:b]\ncommand = echo ${UNIT_TOKEN}\n"
	    "[check:c]\nurl = tcp://127.0.0.1:2\n"
	    "[task:t]\ncommand = echo ${UNIT_PW}\n");
	fclose(f);
	secret_clear();
	conf = config_new();
	if (config_load(conf, path, &cause) != 0 ||
	    config_finish(conf, &cause) != 0)
		FAIL("config: %s", cause);
	free(cause);
	unlink(path);
	scrub_is("env-password env-token", 0, "*** ***");
	scrub_is("2500ms", 0, "2500ms");
	scrub_is("1.2.3-public", 0, "1.2.3-public");	/* published */
	scrub_is("check c-named", 0, "check c-named");	/* a check's name */
	config_free(conf);

	/* A URL's password and its password= parameters. */
	secret_clear();
	if (url_parse("postgres://u:url-pw@127.0.0.1:1/db?sslmode=disable&"
	    "password=query-pw&PASSWORD=upper-pw&sslpassword=ssl-pw", &u,
	    &cause) != 0)
		FAIL("url_parse: %s", cause);
	else {
		url_add_secrets(&u);
		url_free(&u);
	}
	scrub_is("url-pw query-pw upper-pw ssl-pw sslmode", 0,
	    "*** *** *** *** sslmode");
	secret_clear();
}

int
main(void)
{
	log_level = LOG_QUIET;
	test_scrub();
	test_config();
	if (failures != 0) {
		fprintf(stderr, "%d failures\n", failures);
		return (1);
	}
	printf("ok\n");
	return (0);
}
