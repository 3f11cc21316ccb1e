/*
 * fuzz-scrub.c: the scrubber on a text passed on in pieces, as hinit
 * passes a long line of a task's or a hook's output, or an output cut at
 * 4 KiB (secret_scrub with SECRET_CUT_START and SECRET_CUT_END). The input
 * makes two secrets ('A' to 'Z', 4 to 300 bytes, maybe one line of many),
 * and a text: filler (never 'A' to 'Z' or '*'), whole secrets, echoes of
 * them cut short (SECRET_ECHO bytes or more, as Redis cuts what it
 * quotes), and where the text is cut into pieces. Properties: no
 * SECRET_ECHO bytes in a row of a secret survive; and unless a cut falls
 * inside an echo (whose rest is a piece of the middle of a secret, found
 * from SECRET_ECHO bytes on), not one byte of a secret does.
 */

#include <stdlib.h>
#include <string.h>

#include "hinit.h"

#define FUZZ_TEXT_MAX	16384
#define FUZZ_CUTS_MAX	64

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fuzz_input {
	const uint8_t	*p;
	const uint8_t	*end;
};

static u_int
fuzz_byte(struct fuzz_input *in)
{
	return (in->p < in->end ? *in->p++ : 0);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_level = LOG_QUIET;
	return (0);
}

static int
fuzz_compare(const void *a, const void *b)
{
	size_t	 x = *(const size_t *)a, y = *(const size_t *)b;

	return (x < y ? -1 : x > y);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input	 in = { data, data + size };
	struct buf		 out;
	char			 secret[2][301], text[FUZZ_TEXT_MAX];
	size_t			 slen[2], len = 0, n, i, k, run;
	size_t			 cut[FUZZ_CUTS_MAX + 2], ncut = 0;
	size_t			 echo[FUZZ_CUTS_MAX][2];
	u_int			 nechoes = 0, s, op, e;
	int			 flags, inside = 0;

	secret_clear();
	for (s = 0; s < 2; s++) {
		slen[s] = 4 + (fuzz_byte(&in) | fuzz_byte(&in) << 8) % 297;
		for (i = 0; i < slen[s]; i++)
			secret[s][i] = 'A' + fuzz_byte(&in) % 26;
		secret[s][slen[s]] = '\0';
		/* Lines: each is a secret too, if long enough. */
		if (fuzz_byte(&in) % 4 == 0 && slen[s] > 10)
			secret[s][slen[s] / 2] = '\n';
		secret_add(secret[s]);
	}

	while (in.p < in.end && len < FUZZ_TEXT_MAX - 301) {
		op = fuzz_byte(&in) % 5;
		s = fuzz_byte(&in) % 2;
		switch (op) {
		case 0:		/* filler */
			n = 1 + fuzz_byte(&in) % 32;
			for (i = 0; i < n; i++)
				text[len++] = "abcdefghijklmnopqrstuvwxyz0123"
				    "456789 '\"\t\n:,.@%\\/-_"[fuzz_byte(&in) %
				    50];
			break;
		case 1:		/* a whole secret */
			memcpy(text + len, secret[s], slen[s]);
			len += slen[s];
			break;
		case 2:		/* an echo cut short */
			n = slen[s];
			if (n > SECRET_ECHO)
				n = SECRET_ECHO + fuzz_byte(&in) % (n - SECRET_ECHO);
			if (memchr(secret[s], '\n', n) != NULL)
				break;	/* a line: hidden as one, not cut */
			if (nechoes < FUZZ_CUTS_MAX) {
				echo[nechoes][0] = len;
				echo[nechoes++][1] = len + n;
			}
			memcpy(text + len, secret[s], n);
			len += n;
			break;
		default:	/* a cut, here or a little before */
			if (ncut == FUZZ_CUTS_MAX || len == 0)
				break;
			k = fuzz_byte(&in) % (len < 64 ? len : 64);
			cut[ncut++] = len - k;
			break;
		}
	}
	/* The lines of many-line secrets are cut there by who passes them. */
	for (i = 0; i < len && ncut < FUZZ_CUTS_MAX; i++) {
		if (text[i] == '\n')
			cut[ncut++] = i;
	}
	cut[ncut++] = 0;
	cut[ncut++] = len;
	qsort(cut, ncut, sizeof *cut, fuzz_compare);
	for (i = 0; i < ncut; i++) {
		for (e = 0; e < nechoes; e++) {
			if (cut[i] > echo[e][0] && cut[i] < echo[e][1])
				inside = 1;
		}
	}

	buf_init(&out);
	buf_add(&out, "", 0);
	for (i = 0; i + 1 < ncut; i++) {
		if (cut[i] == cut[i + 1])
			continue;
		flags = 0;
		if (cut[i] != 0 && text[cut[i] - 1] != '\n' &&
		    text[cut[i]] != '\n')
			flags |= SECRET_CUT_START;
		if (cut[i + 1] != len && text[cut[i + 1]] != '\n' &&
		    text[cut[i + 1] - 1] != '\n')
			flags |= SECRET_CUT_END;
		secret_scrub(&out, text + cut[i], cut[i + 1] - cut[i], flags);
		buf_putc(&out, '|');
	}

	for (i = run = 0; i < out.len; i++) {
		if (out.data[i] < 'A' || out.data[i] > 'Z') {
			run = 0;
			continue;
		}
		if (!inside || ++run >= SECRET_ECHO) {
			fprintf(stderr, "a piece of a secret survives at %zu: "
			    "%.*s\n", i, (int)(out.len < 400 ? out.len : 400),
			    out.data);
			abort();
		}
	}
	buf_free(&out);
	secret_clear();
	return (0);
}
