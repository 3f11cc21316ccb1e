/*
 * config-keys.c: the table of hinit's own config keys, [hinit], the keys
 * every [check:NAME] has, and [task:NAME]: name, kind of value, bounds,
 * default, help and where the value goes. Data only: the reader, the
 * defaults, `hinit -t` and the man page's test (tests/unit-docs.c) all
 * work from it. Each check type declares its own keys beside its code
 * (checks/NAME.c), in rows of the same shape.
 */

#include <stddef.h>

#include "hinit.h"
#include "check.h"
#include "config.h"

static const char *const config_restart_choices[] = {
	"no", "on-failure", "always", NULL
};
static const char *const config_on_unhealthy_choices[] = {
	"none", "restart", "exit", NULL
};
static const char *const config_log_format_choices[] = {
	"text", "json", NULL
};
static const char *const config_role_choices[] = {
	"ready", "live", NULL
};
static const char *const config_on_failure_choices[] = {
	"exit", "continue", NULL
};

#define H	CONFIG_SECTION_HINIT
#define C	CONFIG_SECTION_CHECK
#define T	CONFIG_SECTION_TASK
#define OFF_H(f) offsetof(struct config, f)
#define OFF_C(f) offsetof(struct check, f)
#define OFF_T(f) offsetof(struct task, f)

const struct config_key config_keys[] = {
	{ .section = H, .name = "grace", .type = CONFIG_DURATION,
	  .max = CONFIG_DAY, .dflt = "10s", .offset = OFF_H(grace),
	  .help = "time from the forwarded signal to SIGKILL of everything "
	      "left" },
	{ .section = H, .name = "drain", .type = CONFIG_DURATION,
	  .max = CONFIG_DAY, .dflt = "0s", .offset = OFF_H(drain),
	  .help = "on SIGTERM, report \"fail\" this long before forwarding "
	      "the signal" },
	{ .section = H, .name = "kill_group", .type = CONFIG_BOOL,
	  .dflt = "no", .offset = OFF_H(kill_group),
	  .help = "signal the app's whole process group (like -g)" },
	{ .section = H, .name = "restart", .type = CONFIG_CHOICE,
	  .choices = config_restart_choices, .dflt = "no",
	  .offset = OFF_H(restart),
	  .help = "restart the app when it exits" },
	{ .section = H, .name = "restart_delay", .type = CONFIG_DURATION,
	  .min = 10, .max = CONFIG_DAY, .dflt = "1s",
	  .offset = OFF_H(restart_delay),
	  .help = "first restart back-off, doubled each time" },
	{ .section = H, .name = "restart_delay_max", .type = CONFIG_DURATION,
	  .min = 10, .max = CONFIG_DAY, .dflt = "30s",
	  .offset = OFF_H(restart_delay_max),
	  .help = "longest restart back-off" },
	{ .section = H, .name = "version", .type = CONFIG_STRING,
	  .dflt = "", .offset = OFF_H(version), .flags = CONFIG_KEY_PUBLIC,
	  .help = "the app's version, the \"version\" of /health (e.g. "
	      "${APP_VERSION:-}); published as is" },
	{ .section = H, .name = "restart_limit", .type = CONFIG_NUMBER,
	  .max = 1000, .dflt = "0", .offset = OFF_H(restart_limit),
	  .help = "more restarts than this within restart_window: give up and "
	      "exit with the app's code (0: no limit)" },
	{ .section = H, .name = "restart_window", .type = CONFIG_DURATION,
	  .min = 1000, .max = CONFIG_DAY, .dflt = "60s",
	  .offset = OFF_H(restart_window),
	  .help = "the window restart_limit counts restarts in" },
	{ .section = H, .name = "stop_signal", .type = CONFIG_SIGNAL,
	  .dflt = "", .offset = OFF_H(stop_signal),
	  .help = "what the app gets to stop, e.g. SIGQUIT for nginx (empty: "
	      "the signal hinit received; SIGTERM for restarts)" },
	{ .section = H, .name = "on_change", .type = CONFIG_COMMAND,
	  .dflt = "",
	  .help = "run by /bin/sh -c on every state change, restart and "
	      "the restart limit, with HINIT_EVENT, HINIT_CHECK, HINIT_STATE, "
	      "HINIT_PREVIOUS, HINIT_OUTPUT (empty: none)" },
	{ .section = H, .name = "hook_timeout", .type = CONFIG_DURATION,
	  .min = 10, .max = 3600 * 1000, .dflt = "10s",
	  .offset = OFF_H(hook_timeout),
	  .help = "on_change running longer is ended (SIGTERM, then SIGKILL)" },
	{ .section = H, .name = "on_unhealthy", .type = CONFIG_CHOICE,
	  .choices = config_on_unhealthy_choices, .dflt = "none",
	  .offset = OFF_H(on_unhealthy),
	  .help = "what a live check turning unhealthy does" },
	{ .section = H, .name = "notify", .type = CONFIG_BOOL,
	  .dflt = "no", .offset = OFF_H(notify),
	  .help = "give the app NOTIFY_SOCKET (sd_notify) and add a check "
	      "named app: READY=1, STATUS=, WATCHDOG=1, STOPPING=1" },
	{ .section = H, .name = "watchdog", .type = CONFIG_DURATION,
	  .max = CONFIG_DAY, .dflt = "0s", .offset = OFF_H(watchdog),
	  .help = "with notify: once ready, the app sends WATCHDOG=1 at "
	      "least this often, else check app fails (0s: never)" },
	{ .section = H, .name = "wait", .type = CONFIG_LIST,
	  .dflt = "",
	  .help = "checks that must be healthy before tasks and the "
	      "app start" },
	{ .section = H, .name = "wait_timeout", .type = CONFIG_DURATION,
	  .max = CONFIG_DAY, .dflt = "60s", .offset = OFF_H(wait_timeout),
	  .help = "give up waiting after this long and exit 1 (0s: never)" },
	{ .section = H, .name = "listen", .type = CONFIG_ADDRESSES,
	  .dflt = "", .offset = OFF_H(listen),
	  .help = "addresses of the HTTP endpoint, e.g. 0.0.0.0:8081 or "
	      "[::]:8081, comma-separated (empty: none)" },
	{ .section = H, .name = "max_connections", .type = CONFIG_NUMBER,
	  .min = 1, .max = 65536, .dflt = "256",
	  .offset = OFF_H(max_connections),
	  .help = "connections the HTTP endpoint serves at once" },
	{ .section = H, .name = "status_file", .type = CONFIG_STRING,
	  .dflt = STATUS_DEFAULT_FILE, .offset = OFF_H(status_file),
	  .flags = CONFIG_KEY_NULL_DEFAULT,
	  .help = "where the status is written (the default falls back to "
	      "$XDG_RUNTIME_DIR or /tmp)" },
	{ .section = H, .name = "log_format", .type = CONFIG_CHOICE,
	  .choices = config_log_format_choices, .dflt = "text",
	  .offset = OFF_H(log_format),
	  .help = "log lines as text or one JSON object a line" },

	{ .section = C, .name = "url", .type = CONFIG_URL,
	  .dflt = "",
	  .help = "target: http://, https://, postgres://, redis://, "
	      "tcp://HOST:PORT or exec:COMMAND" },
	{ .section = C, .name = "command", .type = CONFIG_COMMAND,
	  .dflt = "",
	  .help = "exec check: run by /bin/sh -c, exit 0 = pass (instead of "
	      "url)" },
	{ .section = C, .name = "interval", .type = CONFIG_DURATION,
	  .min = 10, .max = CONFIG_DAY, .dflt = "10s",
	  .offset = OFF_C(interval),
	  .help = "time from the end of one attempt to the start of the next" },
	{ .section = C, .name = "timeout", .type = CONFIG_DURATION,
	  .min = 1, .max = CONFIG_DAY, .dflt = "5s", .offset = OFF_C(timeout),
	  .help = "an attempt taking longer fails" },
	{ .section = C, .name = "retries", .type = CONFIG_NUMBER,
	  .min = 1, .max = 1000, .dflt = "3", .offset = OFF_C(retries),
	  .help = "consecutive counted failures that make the "
	      "check unhealthy" },
	{ .section = C, .name = "rise", .type = CONFIG_NUMBER,
	  .min = 1, .max = 1000, .dflt = "1", .offset = OFF_C(rise),
	  .help = "consecutive passes that make the check healthy" },
	{ .section = C, .name = "start_period", .type = CONFIG_DURATION,
	  .max = CONFIG_DAY, .dflt = "0s", .offset = OFF_C(start_period),
	  .help = "failures before the first pass within this are "
	      "not counted" },
	{ .section = C, .name = "start_interval", .type = CONFIG_DURATION,
	  .min = 10, .max = CONFIG_DAY, .dflt = "1s",
	  .offset = OFF_C(start_interval),
	  .help = "interval while starting inside start_period" },
	{ .section = C, .name = "role", .type = CONFIG_CHOICE,
	  .choices = config_role_choices, .dflt = "ready",
	  .offset = OFF_C(role),
	  .help = "live checks also drive on_unhealthy and /health/live" },
	{ .section = C, .name = "critical", .type = CONFIG_BOOL,
	  .dflt = "yes", .offset = OFF_C(critical),
	  .help = "no: a failure makes the overall status \"warn\", not "
	      "\"fail\"" },

	{ .section = T, .name = "command", .type = CONFIG_COMMAND,
	  .dflt = "",
	  .help = "one-shot command run by /bin/sh -c before the app" },
	{ .section = T, .name = "wait", .type = CONFIG_LIST,
	  .dflt = "",
	  .help = "checks that must be healthy before the task runs" },
	{ .section = T, .name = "timeout", .type = CONFIG_DURATION,
	  .max = 7 * CONFIG_DAY, .dflt = "0s", .offset = OFF_T(timeout),
	  .help = "kill the task after this long (0s: no limit)" },
	{ .section = T, .name = "on_failure", .type = CONFIG_CHOICE,
	  .choices = config_on_failure_choices, .dflt = "exit",
	  .offset = OFF_T(on_failure),
	  .help = "exit: hinit exits with the task's code; continue: go on" },
};
const u_int config_nkeys = nitems(config_keys);

#undef H
#undef C
#undef T
#undef OFF_H
#undef OFF_C
#undef OFF_T

const char *const config_section_names[CONFIG_SECTION_TASK + 1] = {
	"hinit", "check", "task"
};
