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

/* JSON string: quotes, backslash and control characters escaped. */
void
buf_json_string(struct buf *b, const char *s)
{
	const u_char	*p;

	if (s == NULL) {
		buf_puts(b, "null");
		return;
	}
	buf_putc(b, '"');
	for (p = (const u_char *)s; *p != '\0'; p++) {
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
