import Foundation
import Glibc

/// Runs a command with a time limit; returns status and output.
public func runProcess(_ arguments: [String], input: String? = nil, timeout: Duration = .seconds(20)) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: arguments[0])
    process.arguments = Array(arguments.dropFirst())
    let out = Pipe()
    let err = Pipe()
    let inPipe = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = inPipe
    try process.run()
    if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
    try? inPipe.fileHandleForWriting.close()
    let deadline = ContinuousClock.now + timeout
    // Drain the pipes while waiting so a chatty child cannot block.
    let outData = LockedData()
    let errData = LockedData()
    let group = DispatchGroup()
    for (handle, sink) in [(out.fileHandleForReading, outData), (err.fileHandleForReading, errData)] {
        group.enter()
        DispatchQueue.global().async {
            sink.set(handle.readDataToEndOfFile())
            group.leave()
        }
    }
    while process.isRunning, ContinuousClock.now < deadline { usleep(5000) }
    if process.isRunning {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        throw ProcessTimeout(arguments: arguments)
    }
    process.waitUntilExit()
    _ = group.wait(timeout: .now() + 5)
    return (process.terminationStatus, String(decoding: outData.get(), as: UTF8.self), String(decoding: errData.get(), as: UTF8.self))
}

public struct ProcessTimeout: Error {
    public var arguments: [String]
}

public final class LockedData: @unchecked Sendable {
    public init() {}
    private let lock = NSLock()
    private var data = Data()
    public func set(_ value: Data) { lock.withLock { data = value } }
    public func get() -> Data { lock.withLock { data } }
}
