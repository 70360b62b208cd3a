#include "CDcmtk.h"
int bp_version(void) { return 1; }
