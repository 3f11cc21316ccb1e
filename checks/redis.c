/* redis.c: PLACEHOLDER: replaced by its owner. */

#include "hinit.h"
#include "check.h"
#include "config.h"
#include "init.h"
#include "status.h"

const struct check_type check_type_redis = { "redis" };
