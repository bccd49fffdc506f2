internal import CLinux
import Glibc

/// A detached POSIX thread for blocking work, named so that `top -H`, `ps -L` and a core dump
/// say what it is. Foundation's `Thread` does the same, but linking Foundation (and ICU with it)
/// costs every `hactl` call about 7 ms of start-up and the daemon several MB of memory.
public enum OSThread {
    /// Starts `body` on a new detached thread called `name` (the kernel keeps its first 15 bytes).
    /// A process that cannot create a thread (EAGAIN: the task limit) stops with the reason.
    public static func start(name: String, _ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(Context(name: name, body: body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        let status = pthread_create(&thread, &attributes, { raw in
            let context = Unmanaged<Context>.fromOpaque(raw!).takeRetainedValue()
            _ = hacd_set_thread_name(context.name)
            context.body()
            return nil
        }, context)
        if status != 0 {
            Unmanaged<Context>.fromOpaque(context).release()
            fatalError("cannot start the thread '\(name)': \(String(cString: strerror(status)))")
        }
    }

    private final class Context {
        let name: String
        let body: @Sendable () -> Void

        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }
}
