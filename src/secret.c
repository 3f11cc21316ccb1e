/*
 * secret.c: the values that must never be shown, and the one scrubber every
 * output goes through: each occurrence of a secret in a text becomes "***".
 *
 * A secret is every value that a ${VAR} brought into the configuration
 * (later, any other source that reads secrets: it calls secret_add()), and
 * every password of a target URL. A server that echoes one in its error
 * (Redis's "unknown command 'AUTH', with args beginning with: ..."), a
 * command that prints one, a mistyped value quoted in an error: the
 * scrubber catches them where hinit writes its outputs (the engine's
 * attempt results, the log, the status documents, task output), whatever
 * check type or code path produced the text.
 *
 * Rules:
 *   - A value shorter than SECRET_MIN bytes is not kept: it hides nothing
 *     (a guess finds it), and scrubbing "" or "1" would garble every text.
 *   - A value with a %XX escape is kept decoded too: a URL's password
 *     reaches the server decoded, and the server echoes it so.
 *   - A value of many lines (a key from a file) is kept line by line too:
 *     output passed on a line at a time (a task's, a hook's) never holds
 *     the whole.
 *   - A server may echo a secret cut short: Redis quotes at most 128 bytes
 *     of a command's arguments, PostgreSQL 63 bytes of a name. Wherever
 *     the first SECRET_ECHO bytes of a secret appear, they are hidden
 *     and so is what follows as far as it goes on like the secret. Not
 *     for a secret that is a whole URL ("scheme://..."): its password is
 *     a secret of its own, and its start ("http://127.0.0.1:") is also
 *     the start of every other target on that host.
 *   - Secrets may overlap one another in a text: every byte covered by any
 *     occurrence of any secret is hidden, and each run of hidden bytes
 *     becomes one "***", so no part of either survives.
 *   - A text cut short (an output kept to its first 4 KiB, a long line
 *     passed on in pieces) may hold the start of a secret at its end, or
 *     the rest of one at its start, or lie wholly inside one: with
 *     SECRET_CUT_END / SECRET_CUT_START those pieces are hidden too.
 *
 * The list is process-wide, like the log level: every output path must
 * reach it, the log included, and most have no config at hand. It is
 * filled while the configuration is read and only read after that.
 */

#include <stdlib.h>
#include <string.h>

#include "hinit.h"
#include "syntax.h"

struct secret {
	char	*value;
	size_t	 len;
	size_t	 echo;		/* bytes that begin an echo cut short */
};

static struct secret	*secret_list;
static u_int		 secret_count;
static char		**secret_names;	/* HINIT_FILE_* set, NULL-ended */
static u_int		 secret_nnames;

static void
secret_add_one(const char *value, size_t len)
{
	u_int	 i;

	if (len < SECRET_MIN)
		return;
	for (i = 0; i < secret_count; i++) {
		if (secret_list[i].len == len &&
		    memcmp(secret_list[i].value, value, len) == 0)
			return;
	}
	secret_list = xreallocarray(secret_list, secret_count + 1,
	    sizeof *secret_list);
	secret_list[secret_count].value = xstrndup(value, len);
	secret_list[secret_count].len = len;
	secret_list[secret_count].echo = len;
	if (len > SECRET_ECHO && memmem(value, len, "://", 3) == NULL)
		secret_list[secret_count].echo = SECRET_ECHO;
	secret_count++;
}

void
secret_add(const char *value)
{
	const char	*line, *end;
	char		*decoded;
	size_t		 len = strlen(value), n;

	secret_add_one(value, len);
	for (line = value; memchr(value, '\n', len) != NULL &&
	    line < value + len; line = end + 1) {
		if ((end = memchr(line, '\n', value + len - line)) == NULL)
			end = value + len;
		n = end - line;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		secret_add_one(line, n);
	}
	if (memchr(value, '%', len) == NULL)
		return;
	if (syntax_decode(value, len, SYNTAX_LENIENT, &decoded) != 0)
		return;
	secret_add_one(decoded, strlen(decoded));
	free(decoded);
}

/*
 * A command cannot hold a file's secret (ps shows commands to every user):
 * it reaches /bin/sh as a variable of hinit's environment, which the
 * command names instead, HINIT_FILE_ and the path in letters, digits and
 * '_'. The app does not get these (secret_variables). Returns the name.
 */
const char *
secret_variable(const char *path, const char *value)
{
	struct buf	 b;
	const char	*p, *old;
	char		*name;
	u_int		 n;

	for (n = 1;; n++) {
		buf_init(&b);
		buf_puts(&b, "HINIT_FILE");
		for (p = path; *p != '\0'; p++) {
			if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9'))
				buf_putc(&b, *p);
			else if (b.data[b.len - 1] != '_')
				buf_putc(&b, '_');
		}
		if (n > 1)
			buf_printf(&b, "_%u", n);
		name = buf_steal(&b);
		if ((old = getenv(name)) == NULL || strcmp(old, value) == 0)
			break;
		free(name);	/* another file of the same name in letters */
	}
	for (n = 0; n < secret_nnames; n++) {
		if (strcmp(secret_names[n], name) == 0) {
			free(name);
			return (secret_names[n]);
		}
	}
	if (setenv(name, value, 1) != 0)
		fatal("setenv");
	secret_names = xreallocarray(secret_names, secret_nnames + 2,
	    sizeof *secret_names);
	secret_names[secret_nnames++] = name;
	secret_names[secret_nnames] = NULL;
	return (name);
}

char **
secret_variables(void)
{
	return (secret_names);
}

int
secret_any(void)
{
	return (secret_count != 0);
}

void
secret_clear(void)
{
	u_int	 i;

	for (i = 0; i < secret_count; i++) {
		explicit_bzero(secret_list[i].value, secret_list[i].len);
		free(secret_list[i].value);
	}
	free(secret_list);
	secret_list = NULL;
	secret_count = 0;
	for (i = 0; i < secret_nnames; i++) {
		unsetenv(secret_names[i]);
		free(secret_names[i]);
	}
	free(secret_names);
	secret_names = NULL;
	secret_nnames = 0;
}

/* Mark [from, to) hidden; allocate the marks on first use. */
static void
secret_mark(u_char **hidden, size_t len, size_t from, size_t to)
{
	if (*hidden == NULL)
		*hidden = xcalloc(1, len);
	memset(*hidden + from, 1, to - from);
}

/* The longest start of [s, s + len) found anywhere in v. */
static size_t
secret_inside(const struct secret *v, const char *s, size_t len)
{
	size_t	 lo = 0, hi = len < v->len ? len : v->len, mid;

	/* A start found, its own starts are found too: halve. */
	while (lo < hi) {
		mid = lo + (hi - lo + 1) / 2;
		if (memmem(v->value, v->len, s, mid) != NULL)
			lo = mid;
		else
			hi = mid - 1;
	}
	return (lo);
}

/*
 * Append text [s, s + len) to out with every secret in it as "***".
 * Returns 1 if anything was hidden.
 */
int
secret_scrub(struct buf *out, const char *s, size_t len, int flags)
{
	const struct secret	*v;
	const char		*p, *q;
	u_char			*hidden = NULL;
	size_t			 i, k;
	u_int			 n;

	for (n = 0; n < secret_count && len != 0; n++) {
		v = &secret_list[n];
		for (p = s; (size_t)(s + len - p) >= v->echo &&
		    (q = memmem(p, s + len - p, v->value, v->echo)) != NULL;
		    p = q + 1) {
			/* An echo cut short: as far as it goes on like v. */
			for (k = v->echo; k < v->len && q + k < s + len &&
			    q[k] == v->value[k]; k++)
				/* nothing */;
			secret_mark(&hidden, len, q - s, q - s + k);
		}
		/*
		 * A text that goes on a longer one may begin inside a secret
		 * (the middle piece of a long line, the rest of an echo cut
		 * short): its longest start that v holds is hidden, from
		 * SECRET_ECHO bytes on, or a piece cut at both ends whole.
		 */
		if (flags & SECRET_CUT_START) {
			k = secret_inside(v, s, len);
			if (k >= SECRET_ECHO ||
			    (k == len && (flags & SECRET_CUT_END)))
				secret_mark(&hidden, len, 0, k);
		}
		/* The longest piece of a secret the cut left at either end. */
		for (k = v->len - 1; (flags & SECRET_CUT_END) && k > 0; k--) {
			if (k <= len && memcmp(s + len - k, v->value, k) == 0) {
				secret_mark(&hidden, len, len - k, len);
				break;
			}
		}
		for (k = v->len - 1; (flags & SECRET_CUT_START) && k > 0; k--) {
			if (k <= len &&
			    memcmp(s, v->value + v->len - k, k) == 0) {
				secret_mark(&hidden, len, 0, k);
				break;
			}
		}
	}
	if (hidden == NULL) {
		buf_add(out, s, len);
		return (0);
	}
	for (i = 0; i < len; i = k) {
		for (k = i; k < len && hidden[k] == hidden[i]; k++)
			/* nothing */;
		if (hidden[i])
			buf_add(out, "***", 3);
		else
			buf_add(out, s + i, k - i);
	}
	free(hidden);
	return (1);
}

/* A copy of s with every secret as "***". */
char *
secret_scrub_string(const char *s)
{
	struct buf	 b;

	if (secret_count == 0)
		return (xstrdup(s));
	buf_init(&b);
	buf_add(&b, "", 0);
	secret_scrub(&b, s, strlen(s), 0);
	return (buf_steal(&b));
}
