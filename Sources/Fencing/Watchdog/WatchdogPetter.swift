import ClusterHost
import ClusterCore
import Glibc

/// Self-fencing through a Linux watchdog device (`[fencing] watchdog`, `watchdog_timeout`).
///
/// `open()` opens the device and, when it is a real watchdog (a character device), sets
/// its timeout with `WDIOC_SETTIMEOUT`. From then on the kernel resets the node unless it
/// is petted (any write) at least every `watchdog_timeout`. `run()` pets every `interval`
/// (default a third of the timeout) **only while `isHealthy()` holds** — see
/// `WatchdogHealth`. `close()` (orderly shutdown) writes the magic character `V` first,
/// which disarms drivers that honour it; without it, a daemon that exits is reset too.
///
/// Anything else at `path` (a FIFO, a regular file) is written to the same way, without
/// the ioctl: tests use that as a device double.
public actor WatchdogPetter {
    public let path: String
    public let timeout: Duration
    public let interval: Duration
    private let isHealthy: @Sendable () -> Bool
    private var fd: Int32 = -1
    public private(set) var pets = 0
    public private(set) var isRealWatchdog = false

    /// `_IOWR('W', 6, int)` from <linux/watchdog.h>.
    static let WDIOC_SETTIMEOUT: UInt = 0xC004_5706

    public init(path: String, timeout: Duration, interval: Duration? = nil, isHealthy: @escaping @Sendable () -> Bool) {
        self.path = path
        self.timeout = timeout
        self.interval = interval ?? timeout / 3
        self.isHealthy = isHealthy
    }

    /// The petter for `[fencing] watchdog` / `watchdog_timeout`, nil when no watchdog is configured.
    public init?(fencing: FencingConfig, isHealthy: @escaping @Sendable () -> Bool) {
        guard let path = fencing.watchdog else { return nil }
        self.init(path: path, timeout: fencing.watchdogTimeout, isHealthy: isHealthy)
    }

    /// Why `path` cannot be the node's watchdog, nil when it is a character device (or, with
    /// `allowDouble`, a regular file or FIFO standing in for one in tests).
    public static func deviceProblem(path: String, allowDouble: Bool = false) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return "\(path): \(String(cString: strerror(errno))) (expected a watchdog device such as /dev/watchdog0; `modprobe softdog` provides one without hardware)"
        }
        let kind = info.st_mode & S_IFMT
        if kind == S_IFCHR { return nil }
        if allowDouble, kind == S_IFREG || kind == S_IFIFO { return nil }
        let what = kind == S_IFREG ? "a regular file" : kind == S_IFDIR ? "a directory" : kind == S_IFIFO ? "a FIFO" : kind == S_IFBLK ? "a block device" : "not a device"
        return "\(path) is \(what), not a character device: writing to it would reset nothing (expected a watchdog device such as /dev/watchdog0; `modprobe softdog` provides one without hardware)"
    }

    public func open() throws(WatchdogError) {
        guard fd < 0 else { return }
        let opened = Glibc.open(path, O_WRONLY | O_CLOEXEC)
        guard opened >= 0 else { throw .openFailed(path: path, errno: errno) }
        var info = stat()
        if fstat(opened, &info) == 0, info.st_mode & S_IFMT == S_IFCHR {
            var seconds = Int32(max(1, timeout.components.seconds))
            guard ioctl(opened, Self.WDIOC_SETTIMEOUT, &seconds) == 0 else {
                let error = errno
                _ = Glibc.close(opened)
                throw .setTimeoutFailed(path: path, seconds: seconds, errno: error)
            }
            isRealWatchdog = true
        }
        fd = opened
    }

    /// Pets once if the daemon is healthy. Returns whether it petted.
    @discardableResult
    public func petIfHealthy() throws(WatchdogError) -> Bool {
        guard fd >= 0, isHealthy() else { return false }
        try write("\0")
        pets += 1
        return true
    }

    /// Pets every `interval` while healthy, until cancelled. Write errors end the loop
    /// (the kernel will then reset the node: that is the point).
    public func run() async throws(WatchdogError) {
        while !Task.isCancelled {
            try petIfHealthy()
            try? await Task.sleep(for: interval)
        }
    }

    /// Orderly shutdown: magic close (`V`), then close the device.
    public func close() {
        guard fd >= 0 else { return }
        try? write("V")
        _ = Glibc.close(fd)
        fd = -1
    }

    private func write(_ byte: String) throws(WatchdogError) {
        var value = Array(byte.utf8)
        let n = Syscall.retryingEINTR { Glibc.write(fd, &value, value.count) }
        guard n == value.count else { throw .writeFailed(path: path, errno: errno) }
    }
}
