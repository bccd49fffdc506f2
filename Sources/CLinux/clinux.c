/* See include/clinux.h: most helpers are static inline; the ones here need _GNU_SOURCE
   definitions of the C library, which Swift's Glibc module (and so the header) lacks. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "clinux.h"

int hacd_o_direct(void) { return O_DIRECT; }

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434   /* the same number on every architecture */
#endif
int hacd_pidfd_open(int pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }
