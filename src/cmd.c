/*
 * cmd.c: what the one-shot subcommands share: the table main() finds them
 * in, the argument parser their entries' option tables drive, and the
 * targets hinit check and hinit wait turn into checks and probe.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hinit.h"
#include "check.h"
#include "config.h"
#include "proc.h"
#include "cmd.h"

static const struct cmd_entry *const cmd_table[] = {
	&cmd_status_entry,
	&cmd_check_entry,
	&cmd_wait_entry
};

/* The subcommand this word names; NULL: none. */
const struct cmd_entry *
cmd_find(const char *name)
{
	u_int	 i;

	for (i = 0; i < nitems(cmd_table); i++) {
		if (strcmp(cmd_table[i]->name, name) == 0)
			return (cmd_table[i]);
	}
	return (NULL);
}

void
cmd_usage(const struct cmd_entry *e, FILE *f)
{
	fprintf(f, "usage: hinit %s\n", e->usage);
}

/* The option a word names: NAME, or NAME=VALUE (*value) if it takes one. */
static int
cmd_option_find(const struct cmd_entry *e, const char *word,
    const char **value)
{
	const struct cmd_option	*o;
	size_t			 len;
	int			 i;

	*value = NULL;
	for (i = 0; i < CMD_OPTIONS_MAX && e->options[i].name != NULL; i++) {
		o = &e->options[i];
		len = strlen(o->name);
		if (strncmp(word, o->name, len) != 0)
			continue;
		if (word[len] == '\0')
			return (i);
		if (word[len] == '=' && o->value != CMD_FLAG) {
			*value = word + len + 1;
			return (i);
		}
	}
	return (-1);
}

/* Option i, given (value NULL: from the next word, argv[*at + 1]). */
static int
cmd_option_take(const struct cmd_entry *e, int i, const char *value,
    int argc, char **argv, int *at, struct cmd_args *args, char **cause)
{
	const struct cmd_option	*o = &e->options[i];
	char			*why;

	args->set[i] = 1;
	if (o->value == CMD_FLAG)
		return (0);
	if (value == NULL) {
		if (*at + 1 >= argc) {
			xasprintf(cause, "%s needs %s", o->name,
			    o->value == CMD_PATH ? "a path" : "a duration");
			return (-1);
		}
		value = argv[++*at];
	}
	args->value[i] = value;
	if (o->value == CMD_PATH)
		return (0);
	if (duration_parse(value, &args->ms[i], &why) != 0) {
		xasprintf(cause, "%s: %s", o->name, why);
		free(why);
		return (-1);
	}
	if (o->value == CMD_DURATION_POSITIVE && args->ms[i] == 0) {
		xasprintf(cause, "%s must be more than 0", o->name);
		return (-1);
	}
	return (0);
}

/*
 * argv[0] is the subcommand. An option is a word of two characters or more
 * that begins with '-', before "--" (and, with CMD_OPTIONS_FIRST, before
 * the first operand); its value may be the next word, whatever it is.
 * After "--" come operands, or with CMD_COMMAND a command. Returns 0,
 * CMD_PARSE_HELP, or -1 with why (args->unknown for an unknown option).
 */
int
cmd_parse(const struct cmd_entry *e, int argc, char **argv,
    struct cmd_args *args, char **cause)
{
	const char	*value;
	char		*word;
	int		 at, i, options = 1, rc = 0;

	memset(args, 0, sizeof *args);
	args->words = xcalloc(argc + 1, sizeof *args->words);
	for (at = 1; at < argc && rc == 0; at++) {
		word = argv[at];
		if (options && strcmp(word, "--") == 0) {
			if (e->flags & CMD_COMMAND) {
				args->command = argv + at + 1;
				break;
			}
			options = 0;
		} else if (!options || word[0] != '-' || word[1] == '\0') {
			if (e->flags & CMD_OPTIONS_FIRST)
				options = 0;
			args->words[args->nwords++] = word;
		} else if (strcmp(word, "-h") == 0 ||
		    strcmp(word, "--help") == 0)
			rc = CMD_PARSE_HELP;
		else if ((i = cmd_option_find(e, word, &value)) == -1) {
			xasprintf(cause, "unknown option %s", word);
			args->unknown = 1;
			rc = -1;
		} else if (cmd_option_take(e, i, value, argc, argv, &at, args,
		    cause) != 0)
			rc = -1;
	}
	if (rc != 0)
		cmd_args_free(args);
	return (rc);
}

/*
 * cmd_parse(), saying what is wrong as hinit check and hinit wait do: 0 to
 * go on, else the exit code (0 after the usage --help asked for, 2 for a
 * usage error).
 */
int
cmd_parse_usage(const struct cmd_entry *e, int argc, char **argv,
    struct cmd_args *args, int *code)
{
	char	*cause;

	switch (cmd_parse(e, argc, argv, args, &cause)) {
	case 0:
		return (0);
	case CMD_PARSE_HELP:
		cmd_usage(e, stdout);
		*code = 0;
		return (-1);
	}
	log_error("%s: %s", e->name, cause);
	free(cause);
	if (args->unknown)
		cmd_usage(e, stderr);
	*code = EXIT_USAGE;
	return (-1);
}

void
cmd_args_free(struct cmd_args *args)
{
	free(args->words);
	args->words = NULL;
	args->nwords = 0;
}

/*
 * The operands as targets, each a check of a config of their own, on a
 * loop that reaps what exec checks leave. Errors are said here (usage
 * without a target); the caller exits 2.
 */
int
cmd_targets_open(const struct cmd_entry *e, struct cmd_args *args,
    struct cmd_targets *t)
{
	char	*cause = NULL;
	u_int	 i;

	proc_oneshot();
	t->conf = config_new();
	for (i = 0; i < args->nwords && cause == NULL; i++) {
		if (config_add_target(t->conf, args->words[i], &cause) != 0)
			break;
		url_hide(args->words[i]);	/* ps shows argv to every user */
	}
	if (cause == NULL && args->nwords == 0)
		cmd_usage(e, stderr);
	else if (cause == NULL && config_finish(t->conf, &cause) == 0)
		return (0);
	if (cause != NULL) {
		log_error("%s: %s", e->name, cause);
		free(cause);
	}
	cmd_targets_close(t);
	return (-1);
}

/* No attempt after this; what exec checks left is reaped a while. */
void
cmd_targets_stop(struct cmd_targets *t, double settle)
{
	probe_stop(&t->conf->checks);
	proc_settle(settle);
}

void
cmd_targets_close(struct cmd_targets *t)
{
	config_free(t->conf);
	t->conf = NULL;
	proc_stop();
}

/* Become the command, with what hinit inherited, not what it set itself. */
int
cmd_exec(const struct cmd_entry *e, char **argv)
{
	int	 error;

	signal_child_reset();
	execvp(argv[0], argv);
	error = errno;
	log_error("%s: cannot run %s: %s", e->name, argv[0], strerror(error));
	return (error == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC);
}
