import ClusterNode
import ClusterHost
import Foundation
import Testing
@testable import ClusterCore

/// SharedStorageLock with real flock(2) on a real directory, against other processes
/// (`flock` from util-linux).
@Suite(.serialized) final class SharedStorageLockTests {
    let directory: String
    var file: String { directory + "/.hacluster.lock" }

    init() {
        directory = "/tmp/hacd-lock-\(getpid())-\(UniqueTestNumber.shared.next())"
        TestShell.must("mkdir -p '\(directory)'")
    }

    deinit {
        TestShell.run("rm -rf '\(directory)'")
    }

    func othersCanLock() -> Bool {
        TestShell.run("flock -n '\(file)' true").status == 0
    }

    @Test func anotherProcessIsRefusedWhileHeldAndSucceedsAfterRelease() async throws {
        let lock = SharedStorageLock(file: file, acquireTimeout: .seconds(1))
        #expect(othersCanLock())
        try await lock.acquire()
        #expect(await lock.isHeld)
        #expect(!othersCanLock())
        await lock.release()
        #expect(othersCanLock())
        await lock.release()  // idempotent
    }

    @Test func theDescriptorIsNotInheritedByChildren() async throws {
        let lock = SharedStorageLock(file: file, acquireTimeout: .seconds(1))
        try await lock.acquire()
        let result = try await ChildProcess.run(["sh", "-c", "for f in /proc/self/fd/*; do readlink $f || true; done"], timeout: .seconds(5))
        #expect(result.succeeded)
        #expect(!result.stdout.contains(".hacluster.lock"))
        // Only stdin (/dev/null), stdout and stderr (our pipes) and the shell's own: nothing inherited.
        #expect(!result.stdout.contains("socket:"), "inherited descriptors: \(result.stdout)")
        #expect(!othersCanLock())
        await lock.release()
    }

    @Test func acquireTimeoutIsHonouredAndTheHolderNamed() async throws {
        // Another process holds the lock for 8 s.
        let holder = try await ChildProcess.start(["flock", file, "sleep", "8"], grace: .milliseconds(50), timeout: .seconds(10))
        #expect(holder == nil)
        for _ in 0..<200 {
            if !othersCanLock() { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(!othersCanLock())

        let clock = ContinuousClock()
        let impatient = SharedStorageLock(file: file, acquireTimeout: .milliseconds(500))
        var began = clock.now
        do {
            try await impatient.acquire()
            Issue.record("acquired a lock another process holds")
        } catch let error as SharedStorageLockError {
            let waited = clock.now - began
            guard case let .heldElsewhere(failedFile, holderName, reported) = error else { Issue.record("unexpected \(error)"); return }
            #expect(failedFile == file)
            #expect(holderName?.contains("(flock)") == true, "holder: \(String(describing: holderName))")
            #expect(reported >= .milliseconds(500))
            #expect(waited >= .milliseconds(500) && waited < .seconds(6))  // bounded (the holder keeps it 8 s)
            #expect(error.description.contains(file))
        }
        #expect(await !impatient.isHeld)

        // A patient one gets it as soon as the holder exits (retries every 100 ms).
        let patient = SharedStorageLock(file: file, acquireTimeout: .seconds(10))
        began = clock.now
        try await patient.acquire()
        let waited = clock.now - began
        #expect(await patient.isHeld)
        #expect(waited < .seconds(12))
        #expect(!othersCanLock())
        await patient.release()
        print("measured: lock acquired \(millis(waited)) after asking (the holder exits 8 s after taking it)")
    }

    @Test func aMissingDirectoryNamesTheFile() async {
        let missing = directory + "/no/such/dir/.lock"
        let lock = SharedStorageLock(file: missing, acquireTimeout: .milliseconds(100))
        await #expect(throws: SharedStorageLockError.cannotOpen(file: missing, errno: ENOENT)) {
            try await lock.acquire()
        }
    }

    /// With no time at all to wait, an uncontended acquire still succeeds (it takes the lock at its
    /// first try), and the lock is really held: another process and another open file description
    /// of this one are refused until it is released. (Its cost: `swift run wirebench`.)
    @Test func uncontendedAcquireTakesTheLockAtOnce() async throws {
        let lock = SharedStorageLock(file: file, acquireTimeout: .zero)
        try await lock.acquire()
        #expect(await lock.isHeld)
        #expect(!othersCanLock())
        let second = SharedStorageLock(file: file, acquireTimeout: .zero)
        do {
            try await second.acquire()
            Issue.record("a second descriptor got the lock while it was held")
        } catch let error as SharedStorageLockError {
            guard case .heldElsewhere(file, _, _) = error else { Issue.record("unexpected \(error)"); return }
        }
        #expect(await !second.isHeld)
        await lock.release()
        #expect(othersCanLock())
        try await second.acquire()
        #expect(await second.isHeld)
        await second.release()
    }
}

extension UniqueTestNumber {
    static let shared = UniqueTestNumber()
}
