#ifndef HACD_CSYSTEMD_SHIM_H
#define HACD_CSYSTEMD_SHIM_H
// Thin shim over libsystemd. Swift cannot call C variadic functions, so the
// code uses sd_journal_sendv, sd_bus_message_new_method_call +
// sd_bus_message_append_basic + sd_bus_call. Helpers here are prefixed hacd_.
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <systemd/sd-bus.h>
#include <sys/uio.h>
#include <stdio.h>

// stdout/stderr are C globals that Swift 6 treats as not concurrency-safe.
static inline FILE *hacd_stdout(void) { return stdout; }
static inline FILE *hacd_stderr(void) { return stderr; }

// pipe2(2) is declared by <unistd.h> only with _GNU_SOURCE, which Swift's Glibc module
// does not define; O_CLOEXEC pipes must be created atomically (no fork in between).
#include <fcntl.h>
int pipe2(int pipefd[2], int flags);
static inline int hacd_pipe2(int fds[2], int flags) { return pipe2(fds, flags); }

// Children (ip, arping, systemctl) must not inherit descriptors the process opened without
// O_CLOEXEC (glibc >= 2.34; declared only with _GNU_SOURCE).
#include <spawn.h>
int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);
static inline int hacd_spawn_closefrom(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

#endif
