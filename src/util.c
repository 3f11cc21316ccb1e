/*
 * util.c: allocation that cannot fail, durations, time stamps and
 * descriptor flags.
 */

#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hinit.h"

void *
xmalloc(size_t size)
{
	void	*p;

	if (size == 0)
		fatalx("xmalloc: zero size");
	if ((p = malloc(size)) == NULL)
		fatal("xmalloc");
	return (p);
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	if (n == 0 || size == 0)
		fatalx("xcalloc: zero size");
	if ((p = calloc(n, size)) == NULL)
		fatal("xcalloc");
	return (p);
}

void *
xrealloc(void *old, size_t size)
{
	return (xreallocarray(old, 1, size));
}

void *
xreallocarray(void *old, size_t n, size_t size)
{
	void	*p;

	if (n == 0 || size == 0)
		fatalx("xreallocarray: zero size");
	if (SIZE_MAX / n < size)
		fatalx("xreallocarray: overflow");
	if ((p = realloc(old, n * size)) == NULL)
		fatal("xreallocarray");
	return (p);
}

char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		fatal("xstrdup");
	return (p);
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;

	if ((p = strndup(s, n)) == NULL)
		fatal("xstrndup");
	return (p);
}

int
xasprintf(char **ret, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = xvasprintf(ret, fmt, ap);
	va_end(ap);
	return (n);
}

int
xvasprintf(char **ret, const char *fmt, va_list ap)
{
	int	 n;

	if ((n = vasprintf(ret, fmt, ap)) < 0)
		fatal("xvasprintf");
	return (n);
}

/*
 * The defaults are parsed at every start: plain comparisons keep the
 * locale's character tables (64 KiB of the C library) unmapped.
 */
#define DURATION_DIGIT(c)	((c) >= '0' && (c) <= '9')
#define DURATION_ALPHA(c)	(((c) >= 'a' && (c) <= 'z') || \
				 ((c) >= 'A' && (c) <= 'Z'))

/*
 * "250ms", "10s", "5m", "1h", combined from the largest unit down
 * ("1m30s"); a bare number is seconds. Anything else is an error.
 */
int
duration_parse(const char *s, uint64_t *ms, char **cause)
{
	static const struct {
		const char	*name;
		uint64_t	 ms;
	} units[] = {
		{ "h", 3600000 }, { "m", 60000 }, { "s", 1000 }, { "ms", 1 }
	};
	const char	*p = s;
	uint64_t	 total = 0, n;
	size_t		 len;
	u_int		 i, next = 0;

	if (*s == '\0')
		goto bad;
	for (len = 0, n = 0; DURATION_DIGIT(s[len]); len++)
		n = n * 10 + (s[len] - '0');
	if (s[len] == '\0') {
		if (len > 9)
			goto big;
		*ms = n * 1000;
		return (0);
	}
	/* Each part's unit must be smaller than the one before. */
	while (*p != '\0') {
		if (!DURATION_DIGIT(*p))
			goto bad;
		for (n = 0; DURATION_DIGIT(*p); p++) {
			if (n > UINT32_MAX)
				goto big;
			n = n * 10 + (*p - '0');
		}
		for (i = next; i < nitems(units); i++) {
			len = strlen(units[i].name);
			if (strncmp(p, units[i].name, len) == 0 &&
			    !DURATION_ALPHA(p[len]))
				break;
		}
		if (i == nitems(units))
			goto bad;
		total += n * units[i].ms;
		if (total > (uint64_t)UINT32_MAX * 1000)
			goto big;
		next = i + 1;
		p += len;
	}
	*ms = total;
	return (0);

bad:
	xasprintf(cause, "bad duration '%s' (use e.g. 250ms, 10s, 5m, 1h, "
	    "1m30s)", s);
	return (-1);
big:
	xasprintf(cause, "duration '%s' is too long", s);
	return (-1);
}

const char *
duration_format(uint64_t ms, char *buf, size_t len)
{
	static const struct {
		const char	*name;
		uint64_t	 ms;
	} units[] = {
		{ "h", 3600000 }, { "m", 60000 }, { "s", 1000 }, { "ms", 1 }
	};
	size_t	 off = 0;
	u_int	 i;
	int	 n;

	if (ms == 0) {
		snprintf(buf, len, "0s");
		return (buf);
	}
	buf[0] = '\0';
	for (i = 0; i < nitems(units) && off < len; i++) {
		if (ms < units[i].ms)
			continue;
		n = snprintf(buf + off, len - off, "%llu%s",
		    (unsigned long long)(ms / units[i].ms), units[i].name);
		if (n < 0)
			break;
		off += n;
		ms %= units[i].ms;
	}
	return (buf);
}

double
time_wall(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

/*
 * "2026-11-22T01:02:03.456Z". By hand: gmtime_r() would read /etc/localtime
 * the first time (glibc initialises the time zone for it), and strftime()
 * brings in the locale's tables; neither is needed for UTC.
 */
const char *
time_rfc3339(double t, char *buf, size_t len)
{
	long long	 secs, days, era, y;
	unsigned	 doe, yoe, doy, mp, m, d, sod, msec;
	char		 tmp[32], *p = tmp + sizeof tmp;
	int		 i;

	if (!(t > -1e14 && t < 1e14))
		t = 0;
	secs = (long long)t;
	if ((double)secs > t)
		secs--;		/* floor */
	msec = (unsigned)((t - (double)secs) * 1000.0);
	if (msec > 999)
		msec = 999;
	days = secs / 86400;
	if (secs % 86400 < 0)
		days--;
	sod = (unsigned)(secs - days * 86400);

	/* Days since 1970-01-01 to a civil date (proleptic Gregorian). */
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = (unsigned)(days - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y = (long long)yoe + era * 400 + (m <= 2);

	/* Right to left: .mmmZ, then HH:MM:SS, then YYYY-MM-DDT. */
	*--p = '\0';
	*--p = 'Z';
	for (i = 0; i < 3; i++, msec /= 10)
		*--p = '0' + msec % 10;
	*--p = '.';
	*--p = '0' + sod % 60 % 10;
	*--p = '0' + sod % 60 / 10;
	*--p = ':';
	*--p = '0' + sod / 60 % 60 % 10;
	*--p = '0' + sod / 60 % 60 / 10;
	*--p = ':';
	*--p = '0' + sod / 3600 % 10;
	*--p = '0' + sod / 3600 / 10;
	*--p = 'T';
	*--p = '0' + d % 10;
	*--p = '0' + d / 10;
	*--p = '-';
	*--p = '0' + m % 10;
	*--p = '0' + m / 10;
	*--p = '-';
	if (y < 0 || y > 9999)
		y = y < 0 ? 0 : 9999;
	for (i = 0; i < 4; i++, y /= 10)
		*--p = '0' + y % 10;
	if (len > 0) {
		strncpy(buf, p, len);
		buf[len - 1] = '\0';
	}
	return (buf);
}

int
fd_set_cloexec(int fd)
{
	int	 flags;

	if ((flags = fcntl(fd, F_GETFD)) == -1)
		return (-1);
	return (fcntl(fd, F_SETFD, flags | FD_CLOEXEC));
}

int
fd_set_nonblock(int fd)
{
	int	 flags;

	if ((flags = fcntl(fd, F_GETFL)) == -1)
		return (-1);
	return (fcntl(fd, F_SETFL, flags | O_NONBLOCK));
}
