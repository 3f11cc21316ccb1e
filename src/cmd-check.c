/* cmd-check.c: PLACEHOLDER: replaced by its owner. */

#include "hinit.h"
#include "check.h"
#include "config.h"
#include "init.h"
#include "status.h"

int cmd_check(int argc, char **argv) { return (2); }
