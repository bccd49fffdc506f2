import Foundation
import Glibc
import Synchronization
import Testing
@testable import Fencing

/// The watchdog petter. This kernel has no `softdog` module and no /dev/watchdog, so
/// the device is a **test double: a regular file** the petter writes to (it skips the
/// WDIOC_SETTIMEOUT ioctl for anything that is not a character device). The test reads
/// the file: pets are bytes, and they stop as soon as the health predicate fails;
/// an orderly close ends with the magic character `V`.
@Suite(.timeLimit(.minutes(1)))
struct WatchdogTests {
    final class Flag: Sendable {
        let value = Atomic<Bool>(true)
    }

    @Test func petsOnlyWhileHealthyAndClosesWithTheMagicCharacter() async throws {
        let directory = try TestDirectory("watchdog")
        defer { directory.remove() }
        let device = try directory.write("watchdog", "")
        let healthy = Flag()
        let petter = WatchdogPetter(path: device, timeout: .seconds(3), interval: .milliseconds(50),
                                    isHealthy: { healthy.value.load(ordering: .relaxed) })
        try await petter.open()
        #expect(await petter.isRealWatchdog == false)
        let loop = Task { try await petter.run() }
        func size() -> Int { (try? FileManager.default.attributesOfItem(atPath: device)[.size] as? Int) ?? -1 }

        #expect(await eventually(within: .seconds(3)) { size() >= 4 }, "pets while healthy")
        healthy.value.store(false, ordering: .relaxed)
        try await Task.sleep(for: .milliseconds(120))  // let a pet already in flight land
        let frozen = size()
        try await Task.sleep(for: .milliseconds(500))
        #expect(size() == frozen, "no pet while the predicate fails")

        healthy.value.store(true, ordering: .relaxed)
        #expect(await eventually(within: .seconds(3)) { size() > frozen }, "pets again once healthy")

        loop.cancel()
        _ = await loop.result
        await petter.close()
        let bytes = try #require(FileManager.default.contents(atPath: device))
        #expect(bytes.last == UInt8(ascii: "V"))
        #expect(bytes.dropLast().allSatisfy { $0 == 0 })
    }

    @Test func aMissingDeviceIsAnError() async {
        let petter = WatchdogPetter(path: "/nonexistent/watchdog", timeout: .seconds(10), isHealthy: { true })
        await #expect(throws: WatchdogError.openFailed(path: "/nonexistent/watchdog", errno: ENOENT)) {
            try await petter.open()
        }
    }

    @Test func healthNeedsALiveLoopAndNoExpiredLease() {
        let health = WatchdogHealth(maxTickAge: .seconds(2))
        #expect(health.isHealthy(sinceLastTick: .milliseconds(100), holding: .nothing))
        #expect(health.isHealthy(sinceLastTick: .milliseconds(100), holding: .validLease))
        #expect(!health.isHealthy(sinceLastTick: .milliseconds(100), holding: .expiredLease))
        #expect(!health.isHealthy(sinceLastTick: .seconds(3), holding: .nothing))
        #expect(!health.isHealthy(sinceLastTick: .seconds(3), holding: .validLease))
    }

    @Test func aHolderCutFromTheStorageStopsPetting() {
        let health = WatchdogHealth(maxTickAge: .seconds(2))
        #expect(!health.isHealthy(sinceLastTick: .milliseconds(100), holding: .storageLost))
    }
}
