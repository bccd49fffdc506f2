#ifndef HACD_CLINUX_H
#define HACD_CLINUX_H
// Linux calls that Swift's Glibc module does not expose. Every helper is prefixed hacd_.
#include <fcntl.h>
#include <spawn.h>
#include <linux/filter.h>

// pipe2(2) is declared by <unistd.h> only with _GNU_SOURCE, which Swift's Glibc module
// does not define; O_CLOEXEC pipes must be created atomically (no fork in between).
int pipe2(int pipefd[2], int flags);
static inline int hacd_pipe2(int fds[2], int flags) { return pipe2(fds, flags); }

// Children (ip, arping, systemctl, fence agents) must not inherit descriptors the process
// opened without O_CLOEXEC (glibc >= 2.34; declared only with _GNU_SOURCE).
int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);
static inline int hacd_spawn_closefrom(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

// The state a re-executing daemon hands to its next image lives in an anonymous memory
// file (declared by <sys/mman.h> only with _GNU_SOURCE).
int memfd_create(const char *name, unsigned int flags);
static inline int hacd_memfd_create(const char *name, unsigned int flags) { return memfd_create(name, flags); }

// Before re-executing in place, every descriptor gets FD_CLOEXEC (the event loop's sockets are
// opened without it) except those handed to the next image (glibc >= 2.34, Linux >= 5.11).
int close_range(unsigned int first, unsigned int last, int flags);
static inline int hacd_cloexec_from(unsigned int first) { return close_range(first, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */); }

// Thread names (top -H, ps -L, core dumps) for the threads OSThread starts: the calling thread's
// name (prctl is variadic, which Swift does not import; at most 15 bytes are kept).
#include <sys/prctl.h>
static inline int hacd_set_thread_name(const char *name) { return prctl(PR_SET_NAME, name, 0, 0, 0); }

// O_DIRECT (reads and writes that bypass the page cache: the arbiter file on shared storage)
// is defined by <fcntl.h> only with _GNU_SOURCE, and its value differs between
// architectures, so it comes from the C library's header, compiled in clinux.c.
int hacd_o_direct(void);

// A descriptor that becomes readable when the process exits (pidfd_open(2), Linux >= 5.3; glibc
// 2.36 has no wrapper Swift sees): a supervisor polls it with the child's pipes and learns of
// the exit at once. -1 with errno (ENOSYS on older kernels) when there is none.
int hacd_pidfd_open(int pid);

#endif
