/* signal.c PLACEHOLDER */
#include "hinit.h"
#include "init.h"
