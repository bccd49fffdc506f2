import ClusterNode
import ClusterHost
import Foundation
import Synchronization
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

    @Test func onlyOnAMountedStorage() async throws {
        let plain = SharedStorageLock(file: file, acquireTimeout: .seconds(1), requiredMount: directory)
        do {
            try await plain.acquire()
            Issue.record("locked on a plain directory")
        } catch let error as SharedStorageLockError {
            guard case .notMounted(_, let path, let on) = error else { Issue.record("\(error)"); return }
            #expect(path == directory && on != nil && on != directory)
            #expect(error.description.contains("the shared storage \(directory) is not mounted"), "\(error)")
        }
        #expect(!(await plain.isHeld))
        TestShell.must("mount -t tmpfs -o size=1m,mode=0755 hacd-lock-test '\(directory)'")
        defer { TestShell.run("umount '\(directory)'") }
        let mounted = SharedStorageLock(file: file, acquireTimeout: .seconds(1), requiredMount: directory + "/")
        try await mounted.acquire()
        #expect(!othersCanLock())
        await mounted.release()
    }

    @Test(.enabled(if: FaultFSMount.available, "needs root and /dev/fuse"))
    func aHungStorageFailsTheAcquisitionAndLeavesNoLockBehind() async throws {
        TestShell.must("mkdir -p '\(directory)/backing' '\(directory)/storage'")
        let mount = try FaultFSMount(backing: directory + "/backing", mountpoint: directory + "/storage", directIO: .pass)
        defer { mount.stop() }
        let lockFile = directory + "/storage/.hacluster.lock"
        try mount.setMode("hang")
        let lock = SharedStorageLock(file: lockFile, acquireTimeout: .seconds(1))
        let started = ContinuousClock.now
        do {
            try await lock.acquire()
            Issue.record("locked a hung storage")
        } catch let error as SharedStorageLockError {
            guard case .hung = error else { Issue.record("\(error)"); return }
            #expect(error.description.contains("did not return within"), "\(error)")
        }
        #expect(ContinuousClock.now - started < .seconds(5), "bounded by acquire_timeout")
        #expect(!(await lock.isHeld))
        // The storage answers again: the attempt left behind finishes, and gives its lock back.
        try mount.setMode("ok")
        var free = false
        for _ in 0..<50 where !free {
            free = TestShell.run("flock -n '\(directory)/backing/.hacluster.lock' true").status == 0
            if !free { usleep(100_000) }
        }
        #expect(free, "the late attempt kept a lock nobody knows of")
    }

    @Test func aReplacedOrRemovedLockFileIsLockedAgainWhileHeld() async throws {
        let lock = SharedStorageLock(file: file, acquireTimeout: .seconds(1))
        #expect(await lock.verify() == .intact, "not held: nothing to verify")
        try await lock.acquire()
        #expect(await lock.verify() == .intact)
        // Replaced: another process could now lock the new file while this one holds the old.
        TestShell.must("touch '\(file).new' && mv '\(file).new' '\(file)'")
        #expect(othersCanLock(), "the hazard the check removes: a second holder is possible")
        guard case let .retaken(why) = await lock.verify() else { Issue.record("not re-taken"); return }
        #expect(why.contains("the lock file was replaced") && why.contains("locked the file now at the path instead"), "\(why)")
        #expect(!othersCanLock(), "the new file is locked now")
        #expect(await lock.verify() == .intact)
        // Removed: a new file is created at the path and locked.
        TestShell.must("rm '\(file)'")
        guard case let .retaken(removed) = await lock.verify() else { Issue.record("not re-taken after rm"); return }
        #expect(removed.contains("the lock file was removed"), "\(removed)")
        #expect(!othersCanLock())
        await lock.release()
        #expect(othersCanLock())
    }

    @Test func aReplacedLockFileHeldBySomeoneElseIsLost() async throws {
        let lock = SharedStorageLock(file: file, acquireTimeout: .seconds(1))
        try await lock.acquire()
        TestShell.must("touch '\(file).new' && mv '\(file).new' '\(file)'")
        // Another node got there first: it holds the new file.
        let other = try Process.run(URL(fileURLWithPath: "/usr/bin/flock"), arguments: [file, "sleep", "3"])
        defer { other.terminate(); other.waitUntilExit() }
        var waited = 0
        while othersCanLock() && waited < 50 { usleep(20_000); waited += 1 }
        guard case let .lost(why) = await lock.verify() else { Issue.record("not lost"); return }
        #expect(why.contains("the lock file was replaced") && why.contains("locked by someone else"), "\(why)")
        await lock.release()
    }

    @Test func theServiceMonitorReLocksAndReportsALockHeldElsewhereOnce() async throws {
        let lock = SharedStorageLock(file: file, acquireTimeout: .seconds(1))
        try await lock.acquire()
        let events = Mutex<[EventRecord]>([])
        let monitor = ServiceMonitor(units: [], control: HealthOnlyUnits(), health: nil, monitorInterval: .milliseconds(100), lock: lock,
                                     record: { event in events.withLock { $0.append(event) } })
        await monitor.start()
        TestShell.must("touch '\(file).new' && mv '\(file).new' '\(file)'")
        var waited = 0
        while events.withLock({ $0.isEmpty }) && waited < 100 { try await Task.sleep(for: .milliseconds(20)); waited += 1 }
        #expect(events.withLock { $0.map(\.kind) } == [.lockRetaken])
        #expect(!othersCanLock())
        // Now someone else holds the replacement: a failure of the service, reported once.
        TestShell.must("touch '\(file).new' && mv '\(file).new' '\(file)'")
        let other = try Process.run(URL(fileURLWithPath: "/usr/bin/flock"), arguments: [file, "sleep", "3"])
        defer { other.terminate(); other.waitUntilExit() }
        var failures = monitor.failures.makeAsyncIterator()
        let failure = await failures.next()
        guard case let .lockLost(lockFile, reason)? = failure else {
            Issue.record("expected lockLost, got \(String(describing: failure))")
            return
        }
        #expect(lockFile == file && reason.contains("locked by someone else"), "\(reason)")
        #expect(failure?.description.hasPrefix("storage lock \(file) lost: the lock file was replaced") == true)
        await monitor.stop()
        await lock.release()
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
