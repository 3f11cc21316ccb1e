/*
 * config.h: the resolved configuration (SPEC §2), the key tables that the
 * reader, `hinit -t` and the man page share, and what the config-*.c files
 * share among themselves:
 *
 *	config-keys.c	the table of hinit's own keys (data only)
 *	config.c	sections and values as written, cross-references
 *	config-value.c	storing a value by the kind its key takes
 *	config-read.c	reading the INI file (inih) line by line
 *	config-expand.c	${VAR}, ${file:PATH} and the secrets they bring
 *	config-check.c	a check's type and its type's own keys; --check
 *	config-print.c	the resolved configuration as INI (hinit -t)
 */

#ifndef HINIT_CONFIG_H
#define HINIT_CONFIG_H

#include "hinit.h"
#include "check.h"
#include "syntax.h"

#define CONFIG_DEFAULT_FILE	"/etc/hinit/hinit.ini"
#define STATUS_DEFAULT_FILE	"/run/hinit/status.json"
#define CONFIG_DAY		(24ULL * 3600 * 1000)	/* ms */

enum restart_policy {
	RESTART_NO,
	RESTART_ON_FAILURE,
	RESTART_ALWAYS
};

enum on_unhealthy {
	ON_UNHEALTHY_NONE,
	ON_UNHEALTHY_RESTART,
	ON_UNHEALTHY_EXIT
};

enum task_on_failure {
	TASK_FAILURE_EXIT,
	TASK_FAILURE_CONTINUE
};

struct task {
	char			*name;
	char			*command;	/* expanded, for /bin/sh -c */
	char			*command_shown;	/* as written */
	char			**wait;		/* check names */
	u_int			 nwait;
	uint64_t		 timeout;	/* ms; 0: none */
	enum task_on_failure	 on_failure;
	char			*file;
	u_int			 line;
	TAILQ_ENTRY(task)	 entry;
};
TAILQ_HEAD(task_list, task);

struct config {
	char			*file;		/* NULL: no config file */

	uint64_t		 grace;		/* ms */
	uint64_t		 drain;		/* ms */
	int			 kill_group;
	enum restart_policy	 restart;
	uint64_t		 restart_delay;	/* ms */
	uint64_t		 restart_delay_max;
	u_int			 restart_limit;	/* 0: no limit */
	uint64_t		 restart_window;	/* ms */
	int			 stop_signal;	/* 0: the signal received */
	char			*on_change;	/* hook for /bin/sh -c; NULL */
	char			*on_change_shown;	/* as written */
	uint64_t		 hook_timeout;	/* ms */
	enum on_unhealthy	 on_unhealthy;
	int			 notify;	/* the app's NOTIFY_SOCKET */
	uint64_t		 watchdog;	/* ms; 0: none */
	char			**wait;		/* check names */
	u_int			 nwait;
	uint64_t		 wait_timeout;	/* ms */
	char			*listen;	/* NULL: no endpoint */
	u_int			 max_connections;
	char			*status_file;	/* NULL: the default places */
	char			*version;	/* the app's; NULL: none */
	enum log_format		 log_format;

	struct check_list	 checks;
	struct task_list	 tasks;

	/* config.c: each section and value as written, with its line. */
	TAILQ_HEAD(, config_part) parts;
	void			*names;		/* parts by section, name */
};

/* Kinds of value a key takes; one parser for each (src/config.c). */
enum config_type {
	CONFIG_DURATION,
	CONFIG_NUMBER,
	CONFIG_BOOL,
	CONFIG_CHOICE,
	CONFIG_STRING,
	CONFIG_LIST,		/* comma-separated names */
	CONFIG_URL,
	CONFIG_COMMAND,
	CONFIG_SIGNAL,		/* "SIGQUIT", "QUIT", "3"; empty: 0 */
	CONFIG_ADDRESSES,	/* "0.0.0.0:8081, [::]:8081" */
	CONFIG_OWN		/* read by its type's configure() alone */
};

enum config_section {
	CONFIG_SECTION_HINIT,
	CONFIG_SECTION_CHECK,
	CONFIG_SECTION_TASK
};

/*
 * One row of a key table: src/config-keys.c's for hinit's own keys, and
 * each check type's own (struct check_type). The one source of truth for
 * parsing, defaults, bounds, `hinit -t` and the man page's test.
 */
struct config_key {
	enum config_section	 section;
	const char		*name;
	enum config_type	 type;
	const char		*const *choices;	/* CONFIG_CHOICE */
	uint64_t		 min;		/* NUMBER; DURATION in ms */
	uint64_t		 max;
	const char		*dflt;		/* as a user would write it */
	const char		*help;		/* one line: -t, the man page */
	/* Of the field in struct config, check, task or a type's data. */
	size_t			 offset;
	u_int			 flags;
};
/* What ${VAR} brings in is no secret here (published, or digits only). */
#define CONFIG_KEY_PUBLIC	0x1
/* May be given more than once in a section. */
#define CONFIG_KEY_REPEAT	0x2
/* The default, written or not, is kept as NULL: hinit's own places. */
#define CONFIG_KEY_NULL_DEFAULT	0x4
extern const struct config_key	config_keys[];
extern const u_int		config_nkeys;

/* src/config.c */
struct config	*config_new(void);		/* all defaults */
/* A key of [hinit] given on the command line (--grace, --listen...). */
int		 config_override(struct config *, const char *, const char *,
		     char **);
/* After the file and the command line: cross-references, check types. */
int		 config_finish(struct config *, char **);
void		 config_free(struct config *);
struct check	*config_find_check(struct config *, const char *);

/* src/config-value.c */
/* Free the strings a table's keys hold in an object (a type's data). */
void		 config_keys_free(const struct config_key *, u_int, void *);

/* src/config-read.c */
int		 config_load(struct config *, const char *, char **);

/* src/config-check.c */
/* --check [NAME=]TARGET: a check with default timings. */
int		 config_add_target(struct config *, const char *, char **);

/* src/config-expand.c */
/* ${VAR} and ${VAR:-default} from the environment. */
int		 config_expand(const char *, char **, char **);

/* src/config-print.c */
void		 config_print(struct config *, FILE *);
/* The value a check's key has, as -t shows it; NULL: no such key. */
char		*config_check_value(struct check *, const char *);

/*
 * Between the config-*.c files only: each section and value as written,
 * with its line (0: the command line), and what they share.
 */
struct config_value {
	/* NULL: a check type's, until the type is known. */
	const struct config_key		*key;
	char				*name;
	char				*written;
	u_int				 line;
	TAILQ_ENTRY(config_value)	 entry;
};

struct config_part {
	enum config_section		 section;
	char				*name;	/* NULL for [hinit] */
	u_int				 line;	/* 0: command line */
	void				*object; /* config, check, task */
	TAILQ_HEAD(, config_value)	 values;
	TAILQ_ENTRY(config_part)	 entry;
};

/* The closest of the candidates considered, within two edits. */
struct config_suggestion {
	const char	*best;
	u_int		 distance;
};
#define CONFIG_SUGGESTION_INIT	{ NULL, 3 }

#define CONFIG_NAME_CHARS \
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"

extern const char *const config_section_names[CONFIG_SECTION_TASK + 1];

/* src/config.c */
int		 config_valid_name(const char *, size_t);
const struct config_key *config_key_find(const struct config_key *, u_int,
		     enum config_section, const char *);
int		 config_error(struct config *, struct config_part *, u_int,
		     char **);
struct config_value *config_part_value(struct config_part *, const char *);
struct config_part *config_part_of(struct config *, void *);
struct config_part *config_part_named(struct config *, enum config_section,
		     const char *);
struct config_part *config_part_new(struct config *, enum config_section,
		     const char *, u_int, void *);
void		 config_part_add(struct config_part *,
		     const struct config_key *, const char *, const char *,
		     u_int);
int		 config_set(struct config *, struct config_part *,
		     const char *, const char *, u_int, char **);
struct check	*config_check_new(struct config *, const char *, u_int);
struct task	*config_task_new(struct config *, const char *, u_int);
void		 config_suggest_consider(struct config_suggestion *,
		     const char *, const char *);
char		*config_suggest_format(const struct config_suggestion *);

/* src/config-value.c */
int		 config_apply(const struct config_key *, void *, const char *,
		     const char *, char **);
void		 config_defaults(const struct config_key *, u_int,
		     enum config_section, void *);
/* Free a list of names, as config_parse_list makes them; modules too. */
void		 config_list_free(char **, u_int);

/* src/config-check.c */
int		 config_finish_check(struct config *, struct config_part *,
		     char **);
int		 config_finish_notify(struct config *, struct config_part *,
		     char **);

/* src/config-expand.c */
/* Expand what was written for a key: the secrets it holds registered. */
int		 config_expand_value(const struct config_key *, const char *,
		     char **, char **);
/* A cause that quotes an expanded value, with the value as written. */
char		*config_unexpand(char *, const char *, const char *);

#endif /* HINIT_CONFIG_H */
