/*
 * unit-docs.c: hinit.ini(5) and the key tables agree: hinit's own
 * (config_keys[]) and each check type's (struct check_type's keys, the
 * modules' included, loaded as hinit loads them). Every key is an
 * ".It Ic NAME" entry under the .Ss of its section, a check type's under
 * the sentence that says it applies to that type's checks only; every
 * such entry is a key of its table, and each entry gives the table's
 * default ("Default:" then ".Ql VALUE", or "Default: none" or "Default:
 * empty" for an empty one), its bounds ("From MIN to MAX") and, for a
 * choice, exactly its words in order ("No = Cm a | b | c"). A check type
 * this build lacks (its module not built) is skipped, and said.
 */

#include <stdlib.h>
#include <string.h>

#include "hinit.h"
#include "check.h"
#include "config.h"

#define DOCS_LINE_MAX	1024

/* A key of a table, and whether the page has it. */
struct docs_key {
	const struct config_key	*key;
	const char		*type;		/* NULL: hinit's own */
	int			 seen;
};

struct docs_item {
	int		 section;	/* enum config_section */
	char		*type;		/* under "apply to TYPE" */
	char		*name;
	char		*head;		/* the .It line */
	struct buf	 text;		/* every line, joined by spaces */
	char		*dflt;		/* NULL: no "Default:" found */
	u_int		 line;
};

static int		 failures;
static const char	*docs_file;
static struct docs_key	*docs_keys;
static u_int		 docs_nkeys;
static char		*docs_missing[16];	/* types not built */
static u_int		 docs_nmissing;
static const char *const docs_sections[] = { "[hinit]", "[check:NAME]",
    "[task:NAME]" };

#define FAIL(...) do {							\
	fprintf(stderr, "FAIL: ");					\
	fprintf(stderr, __VA_ARGS__);					\
	fputc('\n', stderr);						\
	failures++;							\
} while (0)

/* Which section a .Ss title opens; -1 for any other. */
static int
docs_section(const char *title)
{
	if (strstr(title, "hinit section") != NULL)
		return (CONFIG_SECTION_HINIT);
	if (strstr(title, "Check sections") != NULL)
		return (CONFIG_SECTION_CHECK);
	if (strstr(title, "Task sections") != NULL)
		return (CONFIG_SECTION_TASK);
	return (-1);
}

/* ".Ql 10s ." -> "10s": the value without trailing punctuation. */
static char *
docs_value(const char *args)
{
	size_t	 len = strlen(args);

	while (len > 0 && (args[len - 1] == ' ' || args[len - 1] == '.' ||
	    args[len - 1] == ',' || args[len - 1] == ';'))
		len--;
	return (xstrndup(args, len));
}

static void
docs_add_keys(const struct config_key *keys, u_int n, const char *type)
{
	u_int	 i;

	docs_keys = xreallocarray(docs_keys, docs_nkeys + n,
	    sizeof *docs_keys);
	for (i = 0; i < n; i++) {
		docs_keys[docs_nkeys].key = &keys[i];
		docs_keys[docs_nkeys].type = type;
		docs_keys[docs_nkeys].seen = 0;
		docs_nkeys++;
	}
}

/* hinit's keys, then each check type's, as the registry has them. */
static void
docs_load_keys(void)
{
	const struct check_type	*type;
	const char		*name;
	char			*cause;
	u_int			 i;

	docs_add_keys(config_keys, config_nkeys, NULL);
	for (i = 0; (name = check_type_name(i)) != NULL; i++) {
		if ((type = check_type_find(name, &cause)) == NULL) {
			printf("skip: the keys of %s checks: %s\n", name,
			    cause);
			free(cause);
			if (docs_nmissing < nitems(docs_missing))
				docs_missing[docs_nmissing++] = xstrdup(name);
			continue;
		}
		docs_add_keys(type->keys, type->nkeys, type->name);
	}
}

static int
docs_type_missing(const char *type)
{
	u_int	 i;

	for (i = 0; type != NULL && i < docs_nmissing; i++) {
		if (strcmp(docs_missing[i], type) == 0)
			return (1);
	}
	return (0);
}

/* "These keys apply to http checks only": "http"; NULL if not such. */
static char *
docs_type_sentence(const char *line)
{
	const char	*end, *word;

	if ((end = strstr(line, " checks only")) == NULL ||
	    (strstr(line, "apply to ") == NULL &&
	    strstr(line, "applies to ") == NULL))
		return (NULL);
	for (word = end; word > line && word[-1] != ' '; word--)
		/* nothing */;
	return (xstrndup(word, end - word));
}

static void
docs_check_item(struct docs_item *it)
{
	const struct config_key	*key = NULL;
	struct docs_key		*dk = NULL;
	const char		*text = it->text.data;
	char			 want[256], lo[32], hi[32];
	struct buf		 b;
	u_int			 i;

	if (docs_type_missing(it->type))
		return;
	for (i = 0; i < docs_nkeys; i++) {
		dk = &docs_keys[i];
		if ((int)dk->key->section == it->section &&
		    strcmp(dk->key->name, it->name) == 0) {
			key = dk->key;
			break;
		}
	}
	if (key == NULL) {
		FAIL("%s:%u: %s '%s' is documented but is in no key table",
		    docs_file, it->line, docs_sections[it->section], it->name);
		return;
	}
	if (it->type == NULL ? dk->type != NULL : dk->type == NULL ||
	    strcmp(it->type, dk->type) != 0) {
		FAIL("%s:%u: %s '%s' is a key of %s, documented as %s's",
		    docs_file, it->line, docs_sections[it->section], it->name,
		    dk->type != NULL ? dk->type : "every check",
		    it->type != NULL ? it->type : "every check");
		return;
	}
	if (dk->seen++) {
		FAIL("%s:%u: %s '%s' is documented twice", docs_file,
		    it->line, docs_sections[it->section], it->name);
		return;
	}

	if (it->dflt == NULL)
		FAIL("%s:%u: %s '%s': no \"Default:\"", docs_file, it->line,
		    docs_sections[it->section], it->name);
	else if (strcmp(it->dflt, key->dflt) != 0)
		FAIL("%s:%u: %s '%s': default '%s' in the page, '%s' in "
		    "its table", docs_file, it->line,
		    docs_sections[it->section], it->name, it->dflt, key->dflt);

	switch (key->type) {
	case CONFIG_DURATION:
		snprintf(want, sizeof want, "From %s to %s",
		    duration_format(key->min, lo, sizeof lo),
		    duration_format(key->max, hi, sizeof hi));
		break;
	case CONFIG_NUMBER:
		snprintf(want, sizeof want, "From %llu to %llu",
		    (unsigned long long)key->min,
		    (unsigned long long)key->max);
		break;
	case CONFIG_CHOICE:
		buf_init(&b);
		buf_puts(&b, "No = Cm ");
		for (i = 0; key->choices[i] != NULL; i++)
			buf_printf(&b, "%s%s", i == 0 ? "" : " | ",
			    key->choices[i]);
		snprintf(want, sizeof want, "%s", b.data);
		buf_free(&b);
		if (strlen(it->head) < strlen(want) || strcmp(it->head +
		    strlen(it->head) - strlen(want), want) != 0)
			FAIL("%s:%u: %s '%s': the entry should end \"%s\"",
			    docs_file, it->line, docs_sections[it->section],
			    it->name, want);
		return;
	default:
		return;
	}
	if (strstr(text, want) == NULL)
		FAIL("%s:%u: %s '%s': bounds \"%s\" not in its entry",
		    docs_file, it->line, docs_sections[it->section], it->name,
		    want);
}

static void
docs_item_free(struct docs_item *it)
{
	free(it->name);
	free(it->type);
	free(it->head);
	free(it->dflt);
	buf_free(&it->text);
	memset(it, 0, sizeof *it);
}

int
main(void)
{
	struct docs_item	 it;
	const char		*top;
	char			 line[DOCS_LINE_MAX], *p, *path, *type = NULL;
	int			 section = -1, in_item = 0, want_dflt = 0;
	u_int			 n = 0, i, items = 0;
	size_t			 len;
	FILE			*f;

	if ((top = getenv("top_srcdir")) == NULL)
		top = ".";
	xasprintf(&path, "%s/man/hinit.ini.5", top);
	docs_file = path;
	if ((f = fopen(path, "r")) == NULL) {
		FAIL("%s: cannot open", path);
		return (1);
	}
	docs_load_keys();
	memset(&it, 0, sizeof it);

	while (fgets(line, sizeof line, f) != NULL) {
		n++;
		len = strlen(line);
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == ' '))
			line[--len] = '\0';
		if (strncmp(line, ".\\\"", 3) == 0)
			continue;	/* a comment */

		/* What ends an entry. */
		if (strncmp(line, ".It", 3) == 0 || strcmp(line, ".El") == 0 ||
		    strncmp(line, ".Ss", 3) == 0 ||
		    strncmp(line, ".Sh", 3) == 0) {
			if (in_item) {
				docs_check_item(&it);
				docs_item_free(&it);
				in_item = 0;
			}
			want_dflt = 0;
		}
		/* A type's own keys: from its sentence to the list's end. */
		if (strcmp(line, ".El") == 0 || strncmp(line, ".Ss", 3) == 0 ||
		    strncmp(line, ".Sh", 3) == 0) {
			free(type);
			type = NULL;
		} else if (!in_item && section == CONFIG_SECTION_CHECK &&
		    (p = docs_type_sentence(line)) != NULL) {
			free(type);
			type = p;
		}
		if (strncmp(line, ".Ss ", 4) == 0 ||
		    strncmp(line, ".Sh ", 4) == 0) {
			section = line[2] == 's' ? docs_section(line + 4) : -1;
			continue;
		}
		if (section != -1 && strncmp(line, ".It Ic ", 7) == 0) {
			p = line + 7;
			it.section = section;
			it.type = type != NULL ? xstrdup(type) : NULL;
			it.name = xstrndup(p, strcspn(p, " "));
			it.head = xstrdup(line);
			it.line = n;
			buf_init(&it.text);
			buf_puts(&it.text, line);
			in_item = 1;
			items++;
			continue;
		}
		if (!in_item)
			continue;
		buf_printf(&it.text, " %s", line);
		if (want_dflt) {
			want_dflt = 0;
			if (strncmp(line, ".Ql ", 4) == 0 && it.dflt == NULL)
				it.dflt = docs_value(line + 4);
			continue;
		}
		if (strcmp(line, "Default:") == 0)
			want_dflt = 1;
		else if ((strncmp(line, "Default: none", 13) == 0 ||
		    strncmp(line, "Default: empty", 14) == 0) &&
		    it.dflt == NULL)
			it.dflt = xstrdup("");
	}
	if (in_item) {
		docs_check_item(&it);
		docs_item_free(&it);
	}
	free(type);
	fclose(f);

	for (i = 0; i < docs_nkeys; i++) {
		if (!docs_keys[i].seen)
			FAIL("%s: %s '%s' (%s) is in its table but not in the "
			    "page", path,
			    docs_sections[docs_keys[i].key->section],
			    docs_keys[i].key->name, docs_keys[i].type != NULL ?
			    docs_keys[i].type : "hinit");
	}
	if (items == 0)
		FAIL("%s: no key entries found", path);

	free(path);
	if (failures != 0) {
		fprintf(stderr, "%d failure(s)\n", failures);
		return (1);
	}
	printf("ok: %u keys, hinit's and the check types', match "
	    "hinit.ini(5)\n", docs_nkeys);
	return (0);
}
