/* See include/clinux.h: most helpers are static inline; the ones here need _GNU_SOURCE
   definitions of the C library, which Swift's Glibc module (and so the header) lacks. */
#define _GNU_SOURCE
#include <fcntl.h>
#include "clinux.h"

int hacd_o_direct(void) { return O_DIRECT; }
