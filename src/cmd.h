/*
 * cmd.h: the one-shot subcommands (hinit status, check, wait), one file
 * each, as tmux has them: an entry that declares the options, the argument
 * parser they share, and the targets check and wait probe.
 */

#ifndef HINIT_CMD_H
#define HINIT_CMD_H

#include "hinit.h"

#define CMD_OPTIONS_MAX		4


enum cmd_value {
	CMD_FLAG,		/* --json */
	CMD_PATH,		/* --status-file PATH, --status-file=PATH */
	CMD_DURATION,		/* --timeout DUR; 0 allowed */
	CMD_DURATION_POSITIVE	/* --interval DUR; more than 0 */
};

struct cmd_option {
	const char	*name;		/* "--timeout" */
	enum cmd_value	 value;
};

struct cmd_entry {
	const char		*name;		/* "status" */
	const char		*usage;		/* after "usage: hinit " */
	struct cmd_option	 options[CMD_OPTIONS_MAX];	/* name NULL: end */
	int			 flags;
#define CMD_OPTIONS_FIRST	0x1	/* options end at the first operand */
#define CMD_COMMAND		0x2	/* after "--": a command to run */
	int			(*exec)(int, char **);
};

/* What the parser found: each option by its place in the entry's table. */
struct cmd_args {
	int		 set[CMD_OPTIONS_MAX];
	const char	*value[CMD_OPTIONS_MAX];	/* CMD_PATH */
	uint64_t	 ms[CMD_OPTIONS_MAX];		/* CMD_DURATION... */
	char		**words;	/* the operands, NULL-ended */
	u_int		 nwords;
	char		**command;	/* CMD_COMMAND: after "--"; or NULL */
	int		 unknown;	/* the error is an unknown option */
};

#define CMD_PARSE_HELP	1	/* -h or --help: usage, exit 0 */

/* src/cmd.c */
const struct cmd_entry	*cmd_find(const char *);
void		 cmd_usage(const struct cmd_entry *, FILE *);
int		 cmd_parse(const struct cmd_entry *, int, char **,
		     struct cmd_args *, char **);
int		 cmd_parse_usage(const struct cmd_entry *, int, char **,
		     struct cmd_args *, int *);
void		 cmd_args_free(struct cmd_args *);

/* Targets as checks of their own config, probed by check and wait. */
struct config;
struct cmd_targets {
	struct config		*conf;
};
int		 cmd_targets_open(const struct cmd_entry *, struct cmd_args *,
		     struct cmd_targets *);
void		 cmd_targets_stop(struct cmd_targets *, double);
void		 cmd_targets_close(struct cmd_targets *);
int		 cmd_exec(const struct cmd_entry *, char **);	/* on failure */

/* The subcommands: argv[0] is the subcommand word; they return the exit code. */
extern const struct cmd_entry	cmd_status_entry;
extern const struct cmd_entry	cmd_check_entry;
extern const struct cmd_entry	cmd_wait_entry;
int		 cmd_status(int, char **);
int		 cmd_check(int, char **);
int		 cmd_wait(int, char **);

#endif /* HINIT_CMD_H */
