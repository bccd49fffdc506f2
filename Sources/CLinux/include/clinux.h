#ifndef HACD_CLINUX_H
#define HACD_CLINUX_H
// Linux calls that Swift's Glibc module does not expose. Every helper is prefixed hacd_.
#include <fcntl.h>
#include <spawn.h>

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

#endif
