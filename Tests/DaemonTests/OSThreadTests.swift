import ClusterHost
import Glibc
import Synchronization
import Testing

@Suite("OS threads")
struct OSThreadTests {
    @Test("a thread runs its body once, on a thread of its own, under its name (the kernel keeps 15 bytes)")
    func runsNamed() async throws {
        let seen = Mutex<(thread: UInt, name: String)?>(nil)
        let callerThread = UInt(pthread_self())
        OSThread.start(name: "arbiter I/O with a long name") {
            let name = OSThreadTests.firstLine(of: "/proc/thread-self/comm") ?? "?"
            seen.withLock { $0 = (UInt(pthread_self()), name) }
        }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(5)
        while seen.withLock({ $0 }) == nil, clock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        let result = try #require(seen.withLock { $0 })
        #expect(result.thread != callerThread)
        #expect(result.name == "arbiter I/O wit")
    }

    /// The first line of a /proc file.
    static func firstLine(of path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = read(fd, &buffer, buffer.count)
        guard count > 0 else { return nil }
        return String(decoding: buffer.prefix(count).prefix { $0 != 0x0A }, as: UTF8.self)
    }
}
