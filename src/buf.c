/*
 * buf.c: a growable byte buffer, the one way hinit builds text: documents,
 * log lines, captured output.
 */

#include <stdlib.h>
#include <string.h>

#include "hinit.h"

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->size = 0;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

static void
buf_grow(struct buf *b, size_t more)
{
	size_t	 want;

	if (more >= SIZE_MAX - b->len - 1)
		fatalx("buf_grow: overflow");
	want = b->len + more + 1;
	if (want <= b->size)
		return;
	if (b->size == 0)
		b->size = 64;
	while (b->size < want)
		b->size = b->size > SIZE_MAX / 2 ? want : b->size * 2;
	b->data = xrealloc(b->data, b->size);
}

void
buf_add(struct buf *b, const void *data, size_t len)
{
	buf_grow(b, len);
	if (len != 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_putc(struct buf *b, int c)
{
	char	 ch = c;

	buf_add(b, &ch, 1);
}

/*
 * Numbers without printf: the status document is rebuilt at every change,
 * and keeping the C library's printf machinery (and its pages) out of
 * that path is most of what hinit's memory owes to it.
 */
void
buf_put_uint(struct buf *b, unsigned long long v)
{
	char	 tmp[24], *p = tmp + sizeof tmp;

	do
		*--p = '0' + v % 10;
	while ((v /= 10) != 0);
	buf_add(b, p, tmp + sizeof tmp - p);
}

void
buf_put_int(struct buf *b, long long v)
{
	if (v < 0) {
		buf_putc(b, '-');
		buf_put_uint(b, -(unsigned long long)v);
	} else
		buf_put_uint(b, v);
}

/* v >= 0 rounded to 3 decimals, trailing zeros dropped: "1.8", "5000". */
void
buf_put_ms(struct buf *b, double v)
{
	unsigned long long	 n;
	char			 frac[4];
	int			 len;

	if (!(v >= 0))
		v = 0;
	if (v >= 1e15)
		v = 1e15;
	n = (unsigned long long)(v * 1000.0 + 0.5);
	buf_put_uint(b, n / 1000);
	n %= 1000;
	if (n == 0)
		return;
	frac[0] = '.';
	frac[1] = '0' + n / 100;
	frac[2] = '0' + n / 10 % 10;
	frac[3] = '0' + n % 10;
	for (len = 4; frac[len - 1] == '0'; len--)
		;
	buf_add(b, frac, len);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list	 ap2;
	int	 n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		fatalx("buf_vprintf: bad format");
	buf_grow(b, n);
	vsnprintf(b->data + b->len, n + 1, fmt, ap);
	b->len += n;
}

/* Length of the valid UTF-8 sequence at p (left bytes there), or 0. */
size_t
buf_utf8_len(const u_char *p, size_t left)
{
	u_char	 lo = 0x80, hi = 0xbf;
	size_t	 n, i;

	if (*p < 0x80)
		return (1);
	if (*p >= 0xc2 && *p <= 0xdf)
		n = 2;
	else if (*p >= 0xe0 && *p <= 0xef) {
		n = 3;
		if (*p == 0xe0)
			lo = 0xa0;
		else if (*p == 0xed)
			hi = 0x9f;
	} else if (*p >= 0xf0 && *p <= 0xf4) {
		n = 4;
		if (*p == 0xf0)
			lo = 0x90;
		else if (*p == 0xf4)
			hi = 0x8f;
	} else
		return (0);
	if (n > left)
		return (0);
	for (i = 1; i < n; i++) {
		if (p[i] < lo || p[i] > hi)
			return (0);
		lo = 0x80;
		hi = 0xbf;
	}
	return (n);
}

/*
 * Text for a line of a text log, from bytes that may be anything (a
 * command's output, a server's reply): it cannot end the line, forge the
 * next one or reach the terminal raw. Control characters (C0 but tab, DEL,
 * C1) are written as \n, \r or \xNN (\u0080 to \u009f for C1), and bytes
 * that are not UTF-8 as \xNN.
 */
void
buf_text_escaped(struct buf *b, const char *s, size_t len)
{
	const u_char	*p = (const u_char *)s, *end = p + len, *run;
	size_t		 n;
	u_char		 c;

	while (p < end) {
		for (run = p; p < end && *p >= 0x20 && *p < 0x7f; p++)
			/* nothing */;
		buf_add(b, run, p - run);
		if (p == end)
			break;
		c = *p;
		if (c == '\t') {
			buf_putc(b, '\t');
			p++;
		} else if (c == '\n') {
			buf_puts(b, "\\n");
			p++;
		} else if (c == '\r') {
			buf_puts(b, "\\r");
			p++;
		} else if (c < 0x80) {
			buf_printf(b, "\\x%02x", c);
			p++;
		} else if (end - p >= 2 && p[0] == 0xc2 && p[1] >= 0x80 &&
		    p[1] <= 0x9f) {
			buf_printf(b, "\\u%04x", p[1]);
			p += 2;
		} else if ((n = buf_utf8_len(p, end - p)) != 0) {
			buf_add(b, p, n);
			p += n;
		} else {
			buf_printf(b, "\\x%02x", c);
			p++;
		}
	}
}

/*
 * JSON string of len bytes that may be anything (a command's output, a
 * server's reply, a cut in the middle of a character; NUL too, as
 * \u0000): quotes, backslash and control characters escaped; each byte
 * that is not UTF-8 becomes U+FFFD, so what is written is always valid
 * JSON.
 */
void
buf_json_text(struct buf *b, const char *s, size_t len)
{
	const u_char	*p = (const u_char *)s, *end = p + len;
	size_t		 n;

	buf_putc(b, '"');
	for (; p < end; p++) {
		if (*p >= 0x80) {
			if ((n = buf_utf8_len(p, end - p)) == 0)
				buf_puts(b, "\xef\xbf\xbd");
			else {
				buf_add(b, p, n);
				p += n - 1;
			}
			continue;
		}
		switch (*p) {
		case '"':
			buf_puts(b, "\\\"");
			break;
		case '\\':
			buf_puts(b, "\\\\");
			break;
		case '\n':
			buf_puts(b, "\\n");
			break;
		case '\r':
			buf_puts(b, "\\r");
			break;
		case '\t':
			buf_puts(b, "\\t");
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				buf_printf(b, "\\u%04x", *p);
			else
				buf_putc(b, *p);
			break;
		}
	}
	buf_putc(b, '"');
}

/* A JSON string of a C string, as buf_json_text(); NULL: null. */
void
buf_json_string(struct buf *b, const char *s)
{
	if (s == NULL) {
		buf_puts(b, "null");
		return;
	}
	buf_json_text(b, s, strlen(s));
}

/* Hands the data to the caller (never NULL) and empties the buffer. */
char *
buf_steal(struct buf *b)
{
	char	*s;

	if (b->data == NULL)
		return (xstrdup(""));
	s = b->data;
	buf_init(b);
	return (s);
}
