import ClusterCore
internal import CLinux
import Glibc

/// `posix_spawn` with the isolation every child of the daemon gets, helpers (`ip`, `arping`)
/// and fence agents alike:
/// - its **own process group** (`POSIX_SPAWN_SETPGROUP`), so a timeout can kill the whole tree
///   with `kill(-pid, SIGKILL)`;
/// - every inherited descriptor above 2 closed (`posix_spawn_file_actions_addclosefrom_np`),
///   even ones the process opened without `O_CLOEXEC`;
/// - all signal dispositions at their default and an empty signal mask (the daemon blocks
///   and ignores signals it handles itself);
/// - exactly the given environment, nothing inherited.
///
/// `ETXTBSY` is retried a few times: the executable is being replaced (a package upgrade),
/// or a child spawned by another thread still holds a write descriptor to it for a moment.
public enum IsolatedSpawn {
    /// Starts `arguments[0]` (looked up in the environment's PATH when `searchPath`) with
    /// stdin from `stdin` (nil: /dev/null) and stdout/stderr on the given descriptors.
    /// Returns the pid, which is also the process group id.
    public static func spawn(
        _ arguments: [String], environment: [String], searchPath: Bool,
        stdin: Int32?, stdout: Int32, stderr: Int32
    ) throws(SystemCallError) -> Int32 {
        precondition(!arguments.isEmpty, "empty command")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdin {
            posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        let closing = hacd_spawn_closefrom(&actions, 3)
        guard closing == 0 else { throw SystemCallError(call: "posix_spawn_file_actions_addclosefrom_np", errno: closing) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        for attempt in 1...5 {
            let status = searchPath
                ? posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
                : posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
            if status == 0 { return pid }
            guard status == ETXTBSY, attempt < 5 else { throw SystemCallError(call: "posix_spawn", errno: status) }
            usleep(UInt32(20_000 * attempt))
        }
        throw SystemCallError(call: "posix_spawn", errno: ETXTBSY)
    }
}
