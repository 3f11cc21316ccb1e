/* task.c: PLACEHOLDER: replaced by its owner (gates and one-shot tasks). */

#include "hinit.h"
#include "init.h"
