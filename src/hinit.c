#include "hinit.h"
#include "init.h"
int main(void) { return 0; }
