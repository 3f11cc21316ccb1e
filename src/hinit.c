/*
 * hinit.c: main: the command line, the subcommands, the config it asks for,
 * and the hand-over to init mode (src/init.c).
 */

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hinit.h"
#include "check.h"
#include "config.h"
#include "cmd.h"
#include "init.h"

static __dead void
usage(int code)
{
	FILE	*fp = code == 0 ? stdout : stderr;

	fprintf(fp,
"usage: hinit [OPTIONS] [--] COMMAND [ARG]...\n"
"       hinit status [--json] [--live] [--status-file PATH] [CHECK]...\n"
"       hinit check [--timeout DUR] [--json] TARGET...\n"
"       hinit wait [--timeout DUR] [--interval DUR] TARGET... [-- COMMAND [ARG]...]\n"
"       hinit -t [-c FILE]\n"
"       hinit --version | --help\n"
"\n"
"options:\n"
"  -c, --config FILE      config file (default $HINIT_CONFIG, else\n"
"                         " CONFIG_DEFAULT_FILE " if it exists)\n"
"      --check [NAME=]TARGET  add a check with default timings (repeatable)\n"
"      --listen ADDR      serve /health and /metrics on ADDR (host:port)\n"
"      --status-file PATH where to write the status\n"
"      --grace DUR        from the forwarded signal to SIGKILL (default 10s)\n"
"      --drain DUR        report fail this long before forwarding SIGTERM\n"
"  -g                     signal the app's whole process group\n"
"  -s                     act as a child subreaper (automatic if not PID 1)\n"
"  -e CODE                treat this exit code of the app as 0 (repeatable)\n"
"  -p SIGNAL              signal hinit gets when its parent dies\n"
"  -v, -q                 more, less logging\n"
"      --log-format FMT   text or json\n"
"  -t                     check the config, print it resolved, exit\n"
"\n"
"TARGET: http:// https:// postgres:// postgresql:// redis:// tcp://HOST:PORT\n"
"        or exec:COMMAND\n");
	exit(code);
}

enum {
	OPT_CHECK = 256,
	OPT_LISTEN,
	OPT_STATUS_FILE,
	OPT_GRACE,
	OPT_DRAIN,
	OPT_LOG_FORMAT,
	OPT_VERSION
};

static const struct option longopts[] = {
	{ "config",	 required_argument,	NULL, 'c' },
	{ "check",	 required_argument,	NULL, OPT_CHECK },
	{ "listen",	 required_argument,	NULL, OPT_LISTEN },
	{ "status-file", required_argument,	NULL, OPT_STATUS_FILE },
	{ "grace",	 required_argument,	NULL, OPT_GRACE },
	{ "drain",	 required_argument,	NULL, OPT_DRAIN },
	{ "log-format",	 required_argument,	NULL, OPT_LOG_FORMAT },
	{ "version",	 no_argument,		NULL, OPT_VERSION },
	{ "help",	 no_argument,		NULL, 'h' },
	{ NULL,		 0,			NULL, 0 }
};

static __dead void
usage_error(const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "hinit: %s\n", msg);
	fprintf(stderr, "Try 'hinit --help'.\n");
	exit(EXIT_USAGE);
}

/* -e CODE: an exit code of the app taken for 0. */
static void
hinit_option_exit_zero(struct init_options *opts, const char *arg)
{
	char		*end;
	long long	 n;

	errno = 0;
	n = strtoll(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || errno != 0 || n < 0 || n > 255)
		usage_error("-e: '%s' is not an exit code (0-255)", arg);
	if (opts->nexit_zero == EXIT_CODES_MAX)
		usage_error("-e: too many exit codes");
	opts->exit_zero[opts->nexit_zero++] = (int)n;
}

/* --log-format: at once, so that what follows is logged in it. */
static void
hinit_option_log_format(struct init_options *opts, const char *arg)
{
	if (strcmp(arg, "text") == 0)
		opts->log_format = LOG_TEXT;
	else if (strcmp(arg, "json") == 0)
		opts->log_format = LOG_JSON;
	else
		usage_error("--log-format: '%s' is not text or json", arg);
	opts->log_format_set = 1;
	log_set_format(opts->log_format);
}

static void
hinit_parse_options(int argc, char **argv, struct init_options *opts,
    int *test)
{
	int	 ch, sig;

	opterr = 0;
	/* "+": options end at the first word that is not one, as in tini. */
	while ((ch = getopt_long(argc, argv, "+c:ge:hp:qstv", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			opts->config_file = optarg;
			break;
		case OPT_CHECK:
			opts->targets = xreallocarray(opts->targets,
			    opts->ntargets + 1, sizeof *opts->targets);
			opts->targets[opts->ntargets++] = optarg;
			break;
		case OPT_LISTEN:
			opts->listen = optarg;
			break;
		case OPT_STATUS_FILE:
			if (*optarg == '\0')
				usage_error("--status-file: empty path");
			opts->status_file = optarg;
			break;
		case OPT_GRACE:
			opts->grace = optarg;
			break;
		case OPT_DRAIN:
			opts->drain = optarg;
			break;
		case OPT_LOG_FORMAT:
			hinit_option_log_format(opts, optarg);
			break;
		case 'g':
			opts->kill_group = 1;
			break;
		case 's':
			opts->subreaper = 1;
			break;
		case 'e':
			hinit_option_exit_zero(opts, optarg);
			break;
		case 'p':
			if ((sig = signal_parse(optarg)) == -1)
				usage_error("-p: unknown signal '%s'", optarg);
			opts->pdeath_signal = sig;
			break;
		case 'q':
			log_level--;
			break;
		case 'v':
			log_level++;
			break;
		case 't':
			*test = 1;
			break;
		case OPT_VERSION:
			printf("hinit %s\n", HINIT_VERSION);
			exit(0);
		case 'h':
			usage(0);
		default:
			if (optopt != 0 && optopt < 256)
				usage_error("unknown option '-%c'", optopt);
			usage_error("unknown or incomplete option '%s'",
			    argv[optind - 1]);
		}
	}
}

/*
 * The config: the file (-c, else $HINIT_CONFIG, else the default file if it
 * exists), then the command line over it. Any error: exit 2, nothing started.
 */
static struct config *
hinit_load_config(struct init_options *opts)
{
	struct config	*conf;
	const char	*file = opts->config_file;
	char		*cause, *s;
	u_int		 i;
	const struct {
		const char	*option;
		const char	*key;
		const char	*value;
	} overrides[] = {
		{ "--grace", "grace", opts->grace },
		{ "--drain", "drain", opts->drain },
		{ "--listen", "listen", opts->listen },
		{ "--status-file", "status_file", opts->status_file }
	};

	if (file == NULL && (file = getenv("HINIT_CONFIG")) != NULL &&
	    *file == '\0')
		file = NULL;
	if (file == NULL && access(CONFIG_DEFAULT_FILE, F_OK) == 0)
		file = CONFIG_DEFAULT_FILE;

	conf = config_new();
	if (file != NULL && config_load(conf, file, &cause) != 0)
		goto fail;
	for (i = 0; i < opts->ntargets; i++) {
		if (config_add_target(conf, opts->targets[i], &cause) != 0)
			goto fail;
		url_hide(opts->targets[i]);	/* ps shows argv to all */
	}
	/* The command line over the file, with the file's checks. */
	for (i = 0; i < nitems(overrides); i++) {
		if (overrides[i].value == NULL)
			continue;
		if (config_override(conf, overrides[i].key, overrides[i].value,
		    &s) != 0) {
			xasprintf(&cause, "%s: %s", overrides[i].option, s);
			free(s);
			goto fail;
		}
	}
	if (opts->kill_group)
		conf->kill_group = 1;
	if (opts->log_format_set)
		conf->log_format = opts->log_format;
	if (config_finish(conf, &cause) != 0)
		goto fail;
	return (conf);

fail:
	/* In the log's format, which the file may have set before. */
	if (!opts->log_format_set)
		log_set_format(conf->log_format);
	log_error("%s", cause);
	exit(EXIT_USAGE);
}

/*
 * Started with 0, 1 or 2 closed (a supervisor's "<&- >&-"), the next
 * descriptor hinit made (a socket of the endpoint, of the notify protocol)
 * would take its number and reach the app as its stdin or stdout: /dev/null
 * takes each closed one first.
 */
static void
hinit_open_stdio(void)
{
	int	 fd;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (open("/dev/null", O_RDWR) == -1)
			break;
	}
}

int
main(int argc, char **argv)
{
	const struct cmd_entry	*cmd;
	struct init_options	 opts;
	struct hinit		 h;
	struct config		*conf;
	int			 test = 0;

	hinit_open_stdio();
	/* A subcommand only in first position: after it, its own words. */
	if (argc > 1 && (cmd = cmd_find(argv[1])) != NULL)
		return (cmd->exec(argc - 1, argv + 1));

	memset(&opts, 0, sizeof opts);
	hinit_parse_options(argc, argv, &opts, &test);
	argc -= optind;
	argv += optind;

	if (test) {
		if (argc != 0)
			usage_error("-t takes no command");
		conf = hinit_load_config(&opts);
		config_print(conf, stdout);
		config_free(conf);
		free(opts.targets);
		return (0);
	}
	if (argc == 0)
		usage_error("no command to run");

	/* Before anything opens a descriptor or a signal can slip by. */
	memset(&h, 0, sizeof h);
	h.opts = &opts;
	h.exit_code = -1;
	h.started = time_wall();
	proc_init(1);
	hinit_become_init(&h);
	h.conf = hinit_load_config(&opts);
	hinit_run(&h, argv);
}
