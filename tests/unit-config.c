/*
 * unit-config.c: durations, target URLs and their masks, the small grammars
 * of syntax.c (ports, addresses, percent-escapes, tokens, status ranges),
 * what each check type requires of its target, ${VAR} expansion, the
 * config file errors, and the defaults of every key table (hinit's and
 * each check type's).
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
duration_good(const char *s, uint64_t want)
{
	uint64_t	 ms = 0;
	char		*cause = NULL;

	if (duration_parse(s, &ms, &cause) != 0) {
		FAIL("duration '%s': %s", s, cause);
		free(cause);
	} else if (ms != want)
		FAIL("duration '%s': %llu, want %llu", s,
		    (unsigned long long)ms, (unsigned long long)want);
}

static void
duration_bad(const char *s)
{
	uint64_t	 ms = 0;
	char		*cause = NULL;

	if (duration_parse(s, &ms, &cause) == 0)
		FAIL("duration '%s' accepted as %llu", s,
		    (unsigned long long)ms);
	else if (cause == NULL || strstr(cause, "duration") == NULL)
		FAIL("duration '%s': cause '%s'", s, cause);
	free(cause);
}

static void
format_is(uint64_t ms, const char *want)
{
	char	 buf[64];

	duration_format(ms, buf, sizeof buf);
	if (strcmp(buf, want) != 0)
		FAIL("duration_format %llu: '%s', want '%s'",
		    (unsigned long long)ms, buf, want);
}

static void
test_durations(void)
{
	duration_good("250ms", 250);
	duration_good("10s", 10000);
	duration_good("5m", 300000);
	duration_good("1h", 3600000);
	duration_good("1m30s", 90000);
	duration_good("1h2m3s4ms", 3723004);
	duration_good("5", 5000);
	duration_good("0", 0);
	duration_good("0s", 0);
	duration_bad("");
	duration_bad("1.5s");
	duration_bad("10x");
	duration_bad("30s1m");
	duration_bad("1s1s");
	duration_bad("-5s");
	duration_bad(" 5s");
	duration_bad("s");
	duration_bad("5 s");
	duration_bad("99999999999999999999");
	duration_bad("99999999999999999999s");
	duration_bad("4294967296s");
	duration_bad("1193047h");

	format_is(0, "0s");
	format_is(250, "250ms");
	format_is(90000, "1m30s");
	format_is(3723004, "1h2m3s4ms");
	format_is(86400000, "24h");
}

static void
url_good(const char *s, const char *scheme, const char *user,
    const char *password, const char *host, const char *port,
    const char *path, const char *query)
{
	struct url	 u;
	char		*cause = NULL;

#define SAME(a, b) ((a) == NULL ? (b) == NULL : (b) != NULL && !strcmp(a, b))
	if (url_parse(s, &u, &cause) != 0) {
		FAIL("url '%s': %s", s, cause);
		free(cause);
		return;
	}
	if (!SAME(scheme, u.scheme) || !SAME(user, u.user) ||
	    !SAME(password, u.password) || !SAME(host, u.host) ||
	    !SAME(port, u.port) || !SAME(path, u.path) ||
	    !SAME(query, u.query))
		FAIL("url '%s': %s|%s|%s|%s|%s|%s|%s", s, u.scheme, u.user,
		    u.password, u.host, u.port, u.path, u.query);
	url_free(&u);
#undef SAME
}

static void
url_bad(const char *s, const char *why)
{
	struct url	 u;
	char		*cause = NULL;

	if (url_parse(s, &u, &cause) == 0) {
		FAIL("url '%s' accepted", s);
		url_free(&u);
		return;
	}
	if (strstr(cause, why) == NULL)
		FAIL("url '%s': cause '%s', want '%s'", s, cause, why);
	if (strstr(cause, "s3cret") != NULL)
		FAIL("url '%s': cause shows the password: %s", s, cause);
	free(cause);
}

/*
 * A target the URL reader takes but its check type (or the registry)
 * refuses: through the config, as `hinit check` reads it. A type this
 * build lacks (a module not built) cannot say: skipped, said.
 */
static void
target_bad(const char *s, const char *why)
{
	struct config	*conf = config_new();
	char		*cause = NULL;

	if (config_add_target(conf, s, &cause) == 0 &&
	    config_finish(conf, &cause) == 0) {
		FAIL("target '%s' accepted", s);
		config_free(conf);
		return;
	}
	if (strstr(cause, "is not available in this build") != NULL)
		printf("skip: target '%s': %s\n", s, cause);
	else if (strstr(cause, why) == NULL)
		FAIL("target '%s': cause '%s', want '%s'", s, cause, why);
	if (strstr(cause, "s3cret") != NULL)
		FAIL("target '%s': cause shows the password: %s", s, cause);
	free(cause);
	config_free(conf);
}

static void
mask_is(const char *s, const char *want)
{
	char	*m = url_mask(s);

	if (strcmp(m, want) != 0)
		FAIL("url_mask '%s': '%s', want '%s'", s, m, want);
	free(m);
}

static void
test_urls(void)
{
	url_good("http://127.0.0.1:3000/api/health", "http", NULL, NULL,
	    "127.0.0.1", "3000", "/api/health", NULL);
	url_good("HTTPS://Example.com", "https", NULL, NULL, "Example.com",
	    NULL, "", NULL);
	url_good("postgres://app:s3cret@db:5432/app?sslmode=disable",
	    "postgres", "app", "s3cret", "db", "5432", "/app",
	    "sslmode=disable");
	url_good("postgresql://a%40b:p%3Aw%2Fd@[::1]:5432/x", "postgresql",
	    "a@b", "p:w/d", "::1", "5432", "/x", NULL);
	url_good("postgres:///app", "postgres", NULL, NULL, "", NULL, "/app",
	    NULL);
	url_good("postgres://%2Frun%2Fpostgresql/app", "postgres", NULL, NULL,
	    "/run/postgresql", NULL, "/app", NULL);
	url_good("redis://:pw@127.0.0.1:6379/0", "redis", "", "pw",
	    "127.0.0.1", "6379", "/0", NULL);
	url_good("redis:///run/redis.sock?db=2", "redis", NULL, NULL, "", NULL,
	    "/run/redis.sock", "db=2");
	url_good("tcp://[::1]:65535", "tcp", NULL, NULL, "::1", "65535", "",
	    NULL);
	url_good("tcp://localhost:1/", "tcp", NULL, NULL, "localhost", "1",
	    "/", NULL);
	url_good("http://h/p?a=b&c#frag", "http", NULL, NULL, "h", NULL, "/p",
	    "a=b&c");
	url_good("http://h?x=1", "http", NULL, NULL, "h", NULL, "", "x=1");

	url_bad("http://h:0/", "bad port '0'");
	url_bad("http://h:65536/", "bad port '65536'");
	url_bad("http://h:abc/", "bad port (use 1 to 65535");
	/* A '/' in a password: "app" reads as the host, "s3cret" as a port. */
	url_bad("postgres://app:s3cret/x@db/app", "bad port (");
	url_bad("postgres://app:123456/x@db/app", "bad port (");
	url_bad("http://h:99999999999999999999/", "bad port");
	url_bad("http://h:/", "missing port");
	url_bad("http://::1:80/", "brackets");
	url_bad("http://[::1/", "closing ']'");
	url_bad("http://[zz]:1/", "bad IPv6");
	url_bad("http://[::1]x/", "after the IPv6");
	url_bad("localhost:5432", "not a URL");
	/* Which schemes exist, and what each needs: the registry, the type. */
	url_good("ftp://h/", "ftp", NULL, NULL, "h", NULL, "/", NULL);
	target_bad("ftp://h/", "unsupported URL scheme 'ftp'");
	target_bad("FTP://u:s3cret@h/", "unsupported URL scheme 'ftp' (use "
	    "http, https, postgres, postgresql, redis or tcp)");
	target_bad("http:///x", "missing host");
	target_bad("redis://", "missing host");
	target_bad("tcp://h", "needs a host and a port");
	target_bad("tcp://:5432", "needs a host and a port");
	target_bad("tcp://h:1/x", "only tcp://HOST:PORT");
	target_bad("tcp://u:s3cret@h:1", "only tcp://HOST:PORT");
	url_bad("http://u:s3cret%zz@h/", "percent-encoding");
	url_bad("http://u:s3cret%00@h/", "percent-encoding");
	url_bad("http://h a/", "space");
	url_bad("postgres://h1,h2/db", "more than one host");
	/* libpq and libcurl end the user info at the first '@'. */
	url_bad("postgres://u:p@w@h/db", "more than one '@'");
	url_bad("http://u@x:p@h/", "more than one '@'");

	mask_is("postgres://app:s3cret@db:5432/app",
	    "postgres://app:***@db:5432/app");
	mask_is("redis://:${REDIS_PASSWORD}@h", "redis://:***@h");
	mask_is("redis://:${REDIS_PASSWORD}@h:6379/0?x=1",
	    "redis://:***@h:6379/0?x=1");
	mask_is("postgres://app@db/app", "postgres://app@db/app");
	mask_is("http://h/x?user=a&Password=s3cret&b=1#f",
	    "http://h/x?user=a&Password=***&b=1#f");
	mask_is("http://h/x?password=", "http://h/x?password=***");
	mask_is("http://h/x?mypassword=1", "http://h/x?mypassword=1");
	mask_is("postgres://u:p@w@h/db?password=z",
	    "postgres://u:***@h/db?password=***");
	mask_is("${DATABASE_URL}", "${DATABASE_URL}");
	mask_is("exec:echo a:b@c", "exec:echo a:b@c");
	mask_is("http://h/a@b:c", "http://h/a@b:c");
	mask_is("", "");
	/* Text that is no URL: what may be user info is masked. */
	mask_is("postgres:/app:s3cret@db/app", "postgres:/app:***@db/app");
	mask_is("postgresql:app:s3cret@db", "postgresql:***@db");
	mask_is("app:s3cret@127.0.0.1", "app:***@127.0.0.1");
	mask_is("redis:s3cret@h", "redis:***@h");
	mask_is("s3cret@h", "***@h");
	mask_is("postgresql:", "postgresql:");
	mask_is("h/x?a=1&password=s3cret", "h/x?a=1&password=***");
	mask_is("u:p@w@h?x=@", "u:***@h?x=@");
}

static void
expand_is(const char *in, const char *want)
{
	char	*out = NULL, *cause = NULL;

	if (config_expand(in, &out, &cause) != 0) {
		FAIL("expand '%s': %s", in, cause);
		free(cause);
		return;
	}
	if (strcmp(out, want) != 0)
		FAIL("expand '%s': '%s', want '%s'", in, out, want);
	free(out);
}

static void
expand_bad(const char *in, const char *why)
{
	char	*out = NULL, *cause = NULL;

	if (config_expand(in, &out, &cause) == 0) {
		FAIL("expand '%s' accepted: '%s'", in, out);
		free(out);
		return;
	}
	if (strstr(cause, why) == NULL)
		FAIL("expand '%s': cause '%s', want '%s'", in, cause, why);
	free(cause);
}

static void
statuses_are(const char *s, const char *want)
{
	struct syntax_range	*r = NULL;
	u_int			 n = 0;
	char			*cause = NULL, *text;

	if (syntax_statuses(s, &r, &n, &cause) != 0) {
		if (want != NULL)
			FAIL("statuses '%s': %s", s, cause);
		free(cause);
		return;
	}
	text = syntax_statuses_text(r, n);
	if (want == NULL)
		FAIL("statuses '%s' accepted as '%s'", s, text);
	else if (strcmp(text, want) != 0)
		FAIL("statuses '%s': '%s', want '%s'", s, text, want);
	free(text);
	free(r);
}

static void
test_syntax(void)
{
	struct syntax_range	 r[] = { { 200, 299 }, { 404, 404 } };
	char			*host, *s;
	u_int			 port;

	statuses_are("200-399, 404", "200-399, 404");
	statuses_are(" 200 - 204 ,301", "200-204, 301");
	statuses_are("100-599", "100-599");
	statuses_are("99", NULL);
	statuses_are("600", NULL);
	statuses_are("200-600", NULL);
	statuses_are("300-200", NULL);
	statuses_are("99999999999999999999", NULL);
	statuses_are("200-", NULL);
	statuses_are("200,", NULL);
	statuses_are("", NULL);
	statuses_are("+200", NULL);
	statuses_are("2xx", NULL);
	if (!syntax_status_in(r, 2, 200) || !syntax_status_in(r, 2, 404) ||
	    syntax_status_in(r, 2, 300) || syntax_status_in(r, 2, 403))
		FAIL("syntax_status_in");

	if (syntax_port("65535", 5, &port) != 0 || port != 65535)
		FAIL("port 65535");
	if (syntax_port("1", 1, &port) != 0 || port != 1)
		FAIL("port 1");
	if (syntax_port("0", 1, NULL) == 0 ||
	    syntax_port("65536", 5, NULL) == 0 ||
	    syntax_port("99999999999", 11, NULL) == 0 ||
	    syntax_port("", 0, NULL) == 0 || syntax_port("8o", 2, NULL) == 0 ||
	    syntax_port("+80", 3, NULL) == 0)
		FAIL("a bad port accepted");

	host = NULL;
	if (syntax_address("[::1]:8080", 10, &host, &port) != 0 ||
	    host == NULL || strcmp(host, "::1") != 0 || port != 8080)
		FAIL("address [::1]:8080");
	free(host);
	host = (char *)"x";
	if (syntax_address(":80", 3, &host, &port) != 0 || host != NULL ||
	    port != 80)
		FAIL("address :80");
	if (syntax_address("*:80", 4, &host, NULL) != 0 || host != NULL)
		FAIL("address *:80");
	if (syntax_address("::1:80", 6, NULL, NULL) == 0 ||
	    syntax_address("[::1]80", 7, NULL, NULL) == 0 ||
	    syntax_address("h:0", 3, NULL, NULL) == 0)
		FAIL("a bad address accepted");

	if (syntax_decode("a%40b%2f", 8, 0, &s) != 0 ||
	    strcmp(s, "a@b/") != 0)
		FAIL("decode a%%40b%%2f");
	else
		free(s);
	if (syntax_decode("a%4", 3, 0, &s) == 0 ||
	    syntax_decode("a%00", 4, 0, &s) == 0 ||
	    syntax_decode("%zz", 3, 0, &s) == 0)
		FAIL("a bad escape decoded");
	if (syntax_decode("a%00%zz%41", 10, SYNTAX_LENIENT, &s) != 0 ||
	    strcmp(s, "a%00%zzA") != 0)
		FAIL("lenient decode");
	else
		free(s);

	if (!syntax_token("X-Request_Id.1", 14) || syntax_token("", 0) ||
	    syntax_token("GET /", 5) || syntax_token("a:b", 3))
		FAIL("syntax_token");
	if (syntax_header_name("Host: x", 7) != 4 ||
	    syntax_header_name(": x", 3) != 0 ||
	    syntax_header_name("Bad Name: x", 11) != 0 ||
	    syntax_header_name("Host", 4) != 0)
		FAIL("syntax_header_name");
}

static void
test_expand(void)
{
	setenv("UC_SET", "value", 1);
	setenv("UC_EMPTY", "", 1);
	unsetenv("UC_UNSET");

	expand_is("plain", "plain");
	expand_is("${UC_SET}", "value");
	expand_is("a${UC_SET}b${UC_SET}", "avaluebvalue");
	expand_is("${UC_EMPTY}", "");
	expand_is("${UC_UNSET:-dflt}", "dflt");
	expand_is("${UC_UNSET:-}", "");
	expand_is("${UC_EMPTY:-dflt}", "dflt");
	expand_is("${UC_SET:-dflt}", "value");
	expand_is("$$", "$$");
	expand_is("echo $$ $HOME $", "echo $$ $HOME $");
	expand_is("$${UC_SET}", "$${UC_SET}");
	expand_is("100$", "100$");

	expand_bad("${UC_UNSET}", "${UC_UNSET} is not set");
	expand_bad("x${UC_SET", "missing '}'");
	expand_bad("${UC_UNSET:-${UC_SET}}", "nested");
	expand_bad("${}", "bad '${}'");
	expand_bad("${1X}", "bad");
	expand_bad("${UC_SET-x}", "bad");
}

/*
 * Load TEXT as a config file, and finish it as hinit does (check types
 * judge their own keys then); return the cause, or NULL if it loads.
 */
static char *
load(const char *text, size_t len)
{
	struct config	*conf;
	char		 path[] = "/tmp/unit-config.XXXXXX", *cause = NULL;
	int		 fd;

	if ((fd = mkstemp(path)) == -1)
		fatal("mkstemp");
	if (write(fd, text, len) != (ssize_t)len)
		fatal("write");
	close(fd);
	conf = config_new();
	if (config_load(conf, path, &cause) == 0 &&
	    config_finish(conf, &cause) == 0)
		cause = NULL;
	config_free(conf);
	unlink(path);
	if (cause != NULL) {
		/* Drop the temporary name: "/tmp/unit-config.X:3: ..." */
		memmove(cause, cause + strlen(path), strlen(cause + strlen(path))
		    + 1);
	}
	return (cause);
}

static void
load_bad_n(const char *text, size_t len, const char *want)
{
	char	*cause = load(text, len);

	if (cause == NULL)
		FAIL("config accepted:\n%s", text);
	else if (strncmp(cause, want, strlen(want)) != 0)
		FAIL("config error '%s', want '%s'", cause, want);
	free(cause);
}

#define load_bad(text, want) load_bad_n(text, strlen(text), want)

static void
load_good(const char *text)
{
	char	*cause = load(text, strlen(text));

	if (cause != NULL)
		FAIL("config refused: %s\n%s", cause, text);
	free(cause);
}

static void
test_load(void)
{
	char	 line[512];

	setenv("UC_SET", "value", 1);
	unsetenv("UC_UNSET");

	load_good("");
	load_good("; only a comment\n\n[hinit]\n");
	load_good("\xef\xbb\xbf[hinit]\ngrace = 5s ; comment\n");
	load_good("[check:a]\n  url = tcp://h:1\ninterval = 5s\n");
	load_good("[check:a]\nurl = tcp://h:1\n  ; indented comment\n\n"
	    "[check:b]\n  command = true\n");
	load_good("[check:a]\nurl: tcp://h:1\n");
	load_good("[hinit]\nlisten = 0.0.0.0:8081, [::]:8081 :1 65535 h:2\n");
	load_good("[hinit]\nlisten =\n");
	load_bad("[hinit]\nlisten = 8081x\n", ":2: [hinit] listen: bad address "
	    "'8081x'");
	load_bad("[hinit]\nlisten = :0\n", ":2: [hinit] listen: bad address");
	load_bad("[hinit]\nlisten = ::1:80\n", ":2: [hinit] listen: bad "
	    "address");
	load_bad("[hinit]\nlisten = h:1, [::1]80\n", ":2: [hinit] listen: bad "
	    "address '[::1]80'");

	load_bad("[foo]\n", ":1: unknown section [foo]");
	load_bad("[hinit]\n[chek:db]\n", ":2: unknown section [chek:db] (did "
	    "you mean [check:db]?)");
	load_bad("[check]\n", ":1: unknown section [check] (did you mean "
	    "[check:NAME]?)");
	load_bad("[hinit:x]\n", ":1: unknown section [hinit:x]");
	load_bad("\n[check:]\n", ":2: bad check name ''");
	load_bad("[check:a b]\n", ":1: bad check name 'a b'");
	load_bad("[check:a/b]\nurl = tcp://h:1\n", ":1: bad check name");
	load_bad("[]\n", ":1: unknown section []");
	load_bad("[hinit\n", ":1: missing ']'");
	load_bad("[hinit] x\n", ":1: unexpected 'x'");
	load_bad("[hinit]\n[hinit]\n", ":2: section [hinit] given twice");
	load_bad("[check:db]\nurl = tcp://h:1\n\n[check:db]\n",
	    ":4: duplicate check name 'db' (first at line 1)");
	load_bad("[task:m]\ncommand = true\n[task:m]\n",
	    ":3: duplicate task name 'm'");
	load_bad("grace = 1s\n", ":1: key 'grace' outside a section");
	load_bad("[hinit]\ngrace\n", ":2: expected 'key = value'");
	load_bad("[check:db]\nurl = tcp://h:1\nintervall = 5s\n",
	    ":3: [check:db] unknown key 'intervall' (did you mean "
	    "'interval'?)");
	load_bad("[hinit]\nfoo = 1\n", ":2: [hinit] unknown key 'foo'");
	load_bad("[check:db]\nurl = tcp://h:1\ninterval = x\n",
	    ":3: [check:db] interval: bad duration 'x'");
	load_bad("[check:db]\nurl = tcp://h:1\ninterval = 1ms\n",
	    ":3: [check:db] interval: 1ms is out of range (10ms to 24h)");
	load_bad("[check:db]\nurl = tcp://h:1\nretries = 0\n",
	    ":3: [check:db] retries: 0 is out of range (1 to 1000)");
	load_bad("[check:db]\nurl = tcp://h:1\nretries = 99999999999999\n",
	    ":3: [check:db] retries: 99999999999999 is out of range");
	load_bad("[check:db]\nurl = tcp://h:1\nrise = -1\n",
	    ":3: [check:db] rise: bad number '-1'");
	load_bad("[hinit]\nmax_connections = 65537\n",
	    ":2: [hinit] max_connections: 65537 is out of range (1 to 65536)");
	load_bad("[hinit]\nkill_group = maybe\n",
	    ":2: [hinit] kill_group: bad value 'maybe' (use yes or no)");
	/* Booleans: whole words, any case. */
	load_good("[hinit]\nkill_group = YES\n");
	load_good("[hinit]\nkill_group = Off\n");
	load_good("[hinit]\nkill_group = true\n");
	load_bad("[hinit]\nkill_group = ye\n",
	    ":2: [hinit] kill_group: bad value 'ye'");
	load_bad("[hinit]\nkill_group = yess\n",
	    ":2: [hinit] kill_group: bad value 'yess'");
	load_bad("[check:db]\nurl = tcp://h:1\nretries = 3x\n",
	    ":3: [check:db] retries: bad number '3x'");
	load_bad("[hinit]\nrestart = sometimes\n",
	    ":2: [hinit] restart: bad value 'sometimes' (use no, on-failure "
	    "or always)");
	load_bad("[check:db]\nurl = tcp://h:1\ntimeout = 1s\ntimeout = 2s\n",
	    ":4: [check:db] duplicate key 'timeout' (first at line 3)");
	load_bad("[check:db]\nurl = tcp://h:1\ncommand = true\n",
	    ":3: [check:db] command: a check takes url or command, not both");
	load_bad("[check:db]\ninterval = 5s\n\n[check:x]\n",
	    ":1: [check:db] missing 'url' (or 'command')");
	load_bad("[check:db]\n", ":1: [check:db] missing 'url'");
	load_bad("[task:m]\nwait = db\n", ":1: [task:m] missing 'command'");
	load_bad("[check:db]\nurl = ${UC_UNSET}\n",
	    ":2: [check:db] url: ${UC_UNSET} is not set");
	load_bad("[check:db]\nurl = tcp://h:1\ninterval = 5s\n"
	    "  timeout = 2s\n", ":4: indented line would continue the value "
	    "of 'interval'");
	load_bad("[hinit]\nwait = db, db\n", ":2: [hinit] wait: 'db' listed "
	    "twice");
	load_bad("[hinit]\nwait = db,,x\n", ":2: [hinit] wait: bad check "
	    "name");
	load_bad("[check:h]\nurl = http://h/\nexpect_status = 600\n",
	    ":3: [check:h] expect_status: bad status range");
	load_bad("[check:h]\nurl = http://h/\nexpect_status = 200-\n",
	    ":3: [check:h] expect_status: bad status list");
	load_bad("[check:h]\nurl = http://h/\nheader = nocolon\n",
	    ":3: [check:h] header: bad header 'nocolon'");
	load_bad("[check:h]\nurl = http://h/\nmethod = GE T\n",
	    ":3: [check:h] method: bad method");
	load_bad("[check:h]\nurl =\n", ":2: [check:h] url: empty target");
	load_bad("[hinit]\nrestart_delay = 0s\n",
	    ":2: [hinit] restart_delay: 0s is out of range");

	/* inih takes 200 bytes: 197 of text, then "\r\n\0". */
	memset(line, 'x', sizeof line);
	memcpy(line, "[hinit]\nstatus_file = /", 23);
	strcpy(line + 8 + 197, "\n");
	load_good(line);
	line[8 + 197] = 'x';
	strcpy(line + 8 + 198, "\n");
	load_bad(line, ":2: line is longer than 197 bytes (key 'status_file')");
	memcpy(line, "[hinit]\n;                  ", 24);
	load_bad(line, ":2: line is longer than 197 bytes");
	load_bad_n("[hinit]\ngrace = 1s\0x\n", 20,
	    ":2: line contains a NUL byte");
}

/* A check's key as -t shows it; a type not built: skipped. */
static void
key_is(struct check *c, const char *key, const char *want)
{
	char	*value;

	if (c == NULL || c->type == NULL) {
		printf("skip: %s of a check of no type\n", key);
		return;
	}
	value = config_check_value(c, key);
	if (value == NULL || strcmp(value, want) != 0)
		FAIL("check %s: %s is '%s', want '%s'", c->name, key,
		    value != NULL ? value : "(none)", want);
	free(value);
}

static void
test_target(void)
{
	struct config	*conf = config_new();
	struct check	*c;
	char		*cause = NULL;
	const char	*names[] = { "http", "postgres", "http-2", "db", "tcp",
			    "exec", "web", "redis", NULL };
	u_int		 i = 0;

	setenv("UC_PW", "s3cret", 1);
	if (config_add_target(conf, "http://h/", &cause) != 0 ||
	    config_add_target(conf, "postgresql://u:${UC_PW}@h/db", &cause) != 0 ||
	    config_add_target(conf, "https://h/?a=b", &cause) != 0 ||
	    config_add_target(conf, "db=postgres://h/", &cause) != 0 ||
	    config_add_target(conf, "tcp://h:1", &cause) != 0 ||
	    config_add_target(conf, "exec:test a=b", &cause) != 0 ||
	    config_add_target(conf, "web=exec:x=1", &cause) != 0 ||
	    config_add_target(conf, "REDIS://h", &cause) != 0) {
		FAIL("config_add_target: %s", cause);
		free(cause);
		config_free(conf);
		return;
	}
	TAILQ_FOREACH(c, &conf->checks, entry) {
		if (names[i] == NULL || strcmp(c->name, names[i]) != 0)
			FAIL("target %u named '%s', want '%s'", i, c->name,
			    names[i]);
		i++;
	}
	c = config_find_check(conf, "postgres");
	if (c == NULL || strcmp(c->target, "postgresql://u:s3cret@h/db") != 0 ||
	    strcmp(c->target_shown, "postgresql://u:***@h/db") != 0)
		FAIL("target postgres: %s / %s", c ? c->target : "-",
		    c ? c->target_shown : "-");
	c = config_find_check(conf, "web");
	if (c == NULL || strcmp(c->target, "exec:x=1") != 0)
		FAIL("target web: %s", c ? c->target : "-");
	if (c != NULL && (c->interval != 10000 || c->timeout != 5000 ||
	    c->retries != 3 || c->rise != 1 || !c->critical ||
	    c->role != CHECK_ROLE_READY))
		FAIL("target web: not the default timings");
	/* Each check's type, with its own keys at their defaults. */
	if (config_finish(conf, &cause) != 0) {
		FAIL("config_finish: %s", cause);
		free(cause);
		cause = NULL;
	}
	c = config_find_check(conf, "http");
	key_is(c, "tls_verify", "yes");
	key_is(c, "follow_redirects", "no");
	key_is(c, "interval", "10s");
	c = config_find_check(conf, "web");
	if (c != NULL && (c->type == NULL || strcmp(c->type->name, "exec")))
		FAIL("target web: not an exec check");

	if (config_add_target(conf, "db=tcp://h:2", &cause) == 0)
		FAIL("duplicate target name accepted");
	else if (strstr(cause, "duplicate check name 'db'") == NULL)
		FAIL("duplicate target: %s", cause);
	free(cause);
	if (config_add_target(conf, "localhost:5432", &cause) == 0)
		FAIL("bad target accepted");
	else if (strstr(cause, "bad target 'localhost:5432'") == NULL)
		FAIL("bad target: %s", cause);
	free(cause);
	if (config_add_target(conf, "x=http://u:${UC_NOPE}@h", &cause) == 0)
		FAIL("unset variable accepted");
	else if (strstr(cause, "${UC_NOPE} is not set") == NULL)
		FAIL("unset variable: %s", cause);
	free(cause);
	config_free(conf);
}

/* Every key of a table has help and a default, and one name. */
static void
keys_sound(const char *what, const struct config_key *keys, u_int n)
{
	u_int	 i, j;

	for (i = 0; i < n; i++) {
		if (keys[i].help == NULL || keys[i].dflt == NULL)
			FAIL("%s key %s: no help or default", what,
			    keys[i].name);
		for (j = 0; j < i; j++) {
			if (keys[i].section == keys[j].section &&
			    strcmp(keys[i].name, keys[j].name) == 0)
				FAIL("%s key %s twice", what, keys[i].name);
		}
		for (j = 0; what != NULL && j < config_nkeys; j++) {
			if (config_keys[j].section == keys[i].section &&
			    strcmp(config_keys[j].name, keys[i].name) == 0)
				FAIL("%s key %s is hinit's too", what,
				    keys[i].name);
		}
	}
}

static void
test_defaults(void)
{
	struct config			*conf = config_new();
	const struct check_type		*type;
	const char			*name;
	char				*cause;
	u_int				 i;

	if (conf->grace != 10000 || conf->drain != 0 || conf->kill_group ||
	    conf->restart != RESTART_NO || conf->restart_delay != 1000 ||
	    conf->restart_delay_max != 30000 ||
	    conf->on_unhealthy != ON_UNHEALTHY_NONE || conf->nwait != 0 ||
	    conf->wait_timeout != 60000 || conf->listen != NULL ||
	    conf->max_connections != 256 || conf->status_file != NULL ||
	    conf->log_format != LOG_TEXT)
		FAIL("config_new: not the defaults of SPEC §2");
	config_free(conf);
	config_free(NULL);

	keys_sound(NULL, config_keys, config_nkeys);
	for (i = 0; (name = check_type_name(i)) != NULL; i++) {
		if ((type = check_type_find(name, &cause)) == NULL) {
			printf("skip: %s\n", cause);
			free(cause);
			continue;
		}
		keys_sound(name, type->keys, type->nkeys);
	}
}

int
main(void)
{
	test_durations();
	test_urls();
	test_syntax();
	test_expand();
	test_load();
	test_target();
	test_defaults();
	if (failures != 0) {
		fprintf(stderr, "%d failures\n", failures);
		return (1);
	}
	printf("ok\n");
	return (0);
}
