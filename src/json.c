/*
 * json.c: a small JSON reader for documents that may be cut short or
 * garbage (hinit status reads the status file with it): it refuses
 * anything odd, never crashes, bounds its depth, and never puts a NUL
 * inside a string.
 */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "hinit.h"
#include "json.h"

#define JSON_DEPTH	32

struct json_parser {
	const char	*p;
	const char	*end;
};

static struct json	*json_value(struct json_parser *, int);

void
json_free(struct json *j)
{
	struct json	*next;

	while (j != NULL) {
		next = j->next;
		json_free(j->child);
		free(j->key);
		free(j->string);
		free(j);
		j = next;
	}
}

static void
json_space(struct json_parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
	    *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static int
json_hex4(struct json_parser *ps, u_int *cp)
{
	int	 i, ch;

	if (ps->end - ps->p < 4)
		return (-1);
	*cp = 0;
	for (i = 0; i < 4; i++) {
		ch = (u_char)*ps->p++;
		if (!isxdigit(ch))
			return (-1);
		*cp = *cp * 16 + (isdigit(ch) ? ch - '0' :
		    tolower(ch) - 'a' + 10);
	}
	return (0);
}

static void
json_utf8(struct buf *b, u_int cp)
{
	if (cp == 0)
		cp = '?';	/* never a NUL inside a C string */
	if (cp < 0x80)
		buf_putc(b, cp);
	else if (cp < 0x800) {
		buf_putc(b, 0xc0 | (cp >> 6));
		buf_putc(b, 0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		buf_putc(b, 0xe0 | (cp >> 12));
		buf_putc(b, 0x80 | ((cp >> 6) & 0x3f));
		buf_putc(b, 0x80 | (cp & 0x3f));
	} else {
		buf_putc(b, 0xf0 | (cp >> 18));
		buf_putc(b, 0x80 | ((cp >> 12) & 0x3f));
		buf_putc(b, 0x80 | ((cp >> 6) & 0x3f));
		buf_putc(b, 0x80 | (cp & 0x3f));
	}
}

/* \uXXXX, the \u already seen, with a low surrogate after a high one. */
static int
json_unicode(struct json_parser *ps, u_int *cp)
{
	u_int	 lo;

	if (json_hex4(ps, cp) != 0)
		return (-1);
	if (*cp >= 0xd800 && *cp < 0xdc00 && ps->end - ps->p >= 6 &&
	    ps->p[0] == '\\' && ps->p[1] == 'u') {
		ps->p += 2;
		if (json_hex4(ps, &lo) != 0)
			return (-1);
		if (lo >= 0xdc00 && lo < 0xe000)
			*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
		else
			*cp = 0xfffd;
	} else if (*cp >= 0xd800 && *cp < 0xe000)
		*cp = 0xfffd;
	return (0);
}

/* A string, the opening quote already seen; NULL if malformed. */
static char *
json_string(struct json_parser *ps)
{
	static const char	 escapes[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
	const char		*e;
	struct buf		 b;
	u_int			 cp;
	int			 ch;

	buf_init(&b);
	buf_add(&b, "", 0);
	for (;;) {
		if (ps->p >= ps->end)
			goto bad;
		ch = (u_char)*ps->p++;
		if (ch == '"')
			break;
		if (ch < 0x20)
			goto bad;
		if (ch != '\\') {
			buf_putc(&b, ch);
			continue;
		}
		if (ps->p >= ps->end)
			goto bad;
		ch = (u_char)*ps->p++;
		if (ch == 'u') {
			if (json_unicode(ps, &cp) != 0)
				goto bad;
			json_utf8(&b, cp);
			continue;
		}
		/* Pairs: the letter after the backslash, what it stands for. */
		for (e = escapes; *e != '\0' && *e != ch; e += 2)
			/* nothing */;
		if (*e == '\0')
			goto bad;
		buf_putc(&b, e[1]);
	}
	return (buf_steal(&b));

bad:
	buf_free(&b);
	return (NULL);
}

static int
json_literal(struct json_parser *ps, const char *word)
{
	size_t	 len = strlen(word);

	if ((size_t)(ps->end - ps->p) < len || memcmp(ps->p, word, len) != 0)
		return (-1);
	ps->p += len;
	return (0);
}

static int
json_number(struct json_parser *ps, double *d)
{
	char		 tmp[64], *end;
	size_t		 len = 0;

	/* strchr() finds a NUL too: it would end the number in tmp. */
	while (ps->p + len < ps->end && len < sizeof tmp - 1 &&
	    ps->p[len] != '\0' &&
	    strchr("+-0123456789.eE", ps->p[len]) != NULL)
		len++;
	if (len == 0 || len == sizeof tmp - 1)
		return (-1);
	memcpy(tmp, ps->p, len);
	tmp[len] = '\0';
	*d = strtod(tmp, &end);
	if (*end != '\0' || *d != *d || *d > 1e300 || *d < -1e300)
		return (-1);
	ps->p += len;
	return (0);
}

/* Members or elements up to the closing bracket. */
static int
json_members(struct json_parser *ps, struct json *j, int depth)
{
	struct json	**tail = &j->child, *v;
	char		 *key = NULL;
	int		  close = (j->type == JSON_OBJECT) ? '}' : ']';

	json_space(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return (0);
	}
	for (;;) {
		json_space(ps);
		if (j->type == JSON_OBJECT) {
			if (ps->p >= ps->end || *ps->p++ != '"')
				return (-1);
			if ((key = json_string(ps)) == NULL)
				return (-1);
			json_space(ps);
			if (ps->p >= ps->end || *ps->p++ != ':') {
				free(key);
				return (-1);
			}
		}
		if ((v = json_value(ps, depth + 1)) == NULL) {
			free(key);
			return (-1);
		}
		v->key = key;
		key = NULL;
		*tail = v;
		tail = &v->next;
		json_space(ps);
		if (ps->p >= ps->end)
			return (-1);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p++ != close)
			return (-1);
		return (0);
	}
}

static struct json *
json_value(struct json_parser *ps, int depth)
{
	struct json	*j;

	if (depth > JSON_DEPTH)
		return (NULL);
	json_space(ps);
	if (ps->p >= ps->end)
		return (NULL);
	j = xcalloc(1, sizeof *j);
	switch (*ps->p) {
	case '{':
	case '[':
		j->type = (*ps->p++ == '{') ? JSON_OBJECT : JSON_ARRAY;
		if (json_members(ps, j, depth) != 0)
			goto bad;
		break;
	case '"':
		ps->p++;
		j->type = JSON_STRING;
		if ((j->string = json_string(ps)) == NULL)
			goto bad;
		break;
	case 't':
		j->type = JSON_BOOL;
		j->boolean = 1;
		if (json_literal(ps, "true") != 0)
			goto bad;
		break;
	case 'f':
		j->type = JSON_BOOL;
		if (json_literal(ps, "false") != 0)
			goto bad;
		break;
	case 'n':
		j->type = JSON_NULL;
		if (json_literal(ps, "null") != 0)
			goto bad;
		break;
	default:
		j->type = JSON_NUMBER;
		if (json_number(ps, &j->number) != 0)
			goto bad;
		break;
	}
	return (j);

bad:
	json_free(j);
	return (NULL);
}

struct json *
json_parse(const char *data, size_t len)
{
	struct json_parser	 ps = { data, data + len };
	struct json		*j;

	if ((j = json_value(&ps, 0)) == NULL)
		return (NULL);
	json_space(&ps);
	if (ps.p != ps.end || j->type != JSON_OBJECT) {
		json_free(j);
		return (NULL);
	}
	return (j);
}

struct json *
json_get(struct json *j, const char *key)
{
	struct json	*m;

	if (j == NULL || j->type != JSON_OBJECT)
		return (NULL);
	for (m = j->child; m != NULL; m = m->next) {
		if (strcmp(m->key, key) == 0)
			return (m);
	}
	return (NULL);
}

const char *
json_str(struct json *j, const char *key)
{
	if ((j = json_get(j, key)) == NULL || j->type != JSON_STRING)
		return (NULL);
	return (j->string);
}

