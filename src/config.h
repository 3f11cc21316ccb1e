/*
 * config.h: the resolved configuration (SPEC §2), the table of config keys
 * that the parser, `hinit -t` and the man page share, and target URLs.
 */

#ifndef HINIT_CONFIG_H
#define HINIT_CONFIG_H

#include "hinit.h"
#include "check.h"

#define CONFIG_DEFAULT_FILE	"/etc/hinit/hinit.ini"
#define STATUS_DEFAULT_FILE	"/run/hinit/status.json"

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

/* Kinds of value a key takes; one parser for each. */
enum config_type {
	CONFIG_DURATION,
	CONFIG_NUMBER,
	CONFIG_BOOL,
	CONFIG_CHOICE,
	CONFIG_STRING,
	CONFIG_LIST,		/* comma-separated names */
	CONFIG_URL,
	CONFIG_COMMAND,
	CONFIG_HEADER,		/* repeatable "Name: value" */
	CONFIG_STATUS_RANGES,	/* "200-399, 404" */
	CONFIG_SIGNAL		/* "SIGQUIT", "QUIT", "3"; empty: 0 */
};

enum config_section {
	CONFIG_SECTION_HINIT,
	CONFIG_SECTION_CHECK,
	CONFIG_SECTION_TASK
};

/* One row of the key table (src/config.c): the one source of truth. */
struct config_key {
	enum config_section	 section;
	const char		*name;
	enum config_type	 type;
	const char		*const *choices;	/* CONFIG_CHOICE */
	uint64_t		 min;		/* NUMBER; DURATION in ms */
	uint64_t		 max;
	const char		*dflt;		/* as a user would write it */
	const char		*types;		/* check types it applies to; NULL: all */
	const char		*help;		/* one line, for -t and the man page */
	size_t			 offset;	/* of the field in struct config,
						   check or task; scalar types */
	u_int			 flags;
};
/* Published as expanded: what ${VAR} brings in is no secret here. */
#define CONFIG_KEY_PUBLIC	0x1
extern const struct config_key	config_keys[];
extern const u_int		config_nkeys;

/* src/config.c */
struct config	*config_new(void);		/* all defaults */
int		 config_load(struct config *, const char *, char **);
/* A key of [hinit] given on the command line (--grace, --listen...). */
int		 config_override(struct config *, const char *, const char *,
		     char **);
/* --check [NAME=]TARGET: a check with default timings. */
int		 config_add_target(struct config *, const char *, char **);
/* After the file and the command line: cross-references, check types. */
int		 config_finish(struct config *, char **);
void		 config_print(struct config *, FILE *);
void		 config_free(struct config *);
struct check	*config_find_check(struct config *, const char *);
/* ${VAR} and ${VAR:-default} from the environment. */
int		 config_expand(const char *, char **, char **);

/* src/url.c: target URLs. */
struct url {
	char	*scheme;	/* lower case */
	char	*user;		/* decoded; NULL if absent */
	char	*password;	/* decoded; NULL if absent */
	char	*host;		/* without [] for IPv6; "" if absent */
	char	*port;		/* NULL if absent */
	char	*path;		/* from the '/' on, undecoded; "" if absent */
	char	*query;		/* after '?', undecoded; NULL if absent */
};
int		 url_parse(const char *, struct url *, char **);
void		 url_free(struct url *);
/* Every password it holds is a secret (secret.c). */
void		 url_add_secrets(const struct url *);
/* The target as shown: password (and password= in the query) as "***". */
char		*url_mask(const char *);
void		 url_hide(char *);

#endif /* HINIT_CONFIG_H */
