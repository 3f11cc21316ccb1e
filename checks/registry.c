/* registry.c: PLACEHOLDER: replaced by its owner. */

#include "hinit.h"
#include "check.h"
#include "config.h"
#include "init.h"
#include "status.h"


const struct check_type *check_type_find(const char *n, char **cause) { *cause = xstrdup("not yet"); return (NULL); }
const struct check_type *check_type_for_target(const char *n, char **cause) { *cause = xstrdup("not yet"); return (NULL); }
void check_free(struct check *c) { }
