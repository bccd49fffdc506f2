import Foundation

/// How a fuzz target reports a broken property: the target's name and the message on
/// stderr, then `abort()`, which libFuzzer records as a crash and saves the input for.
public struct FuzzFinding: Sendable {
    public let target: String

    public init(target: String) {
        self.target = target
    }

    public func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fail(message()) }
    }

    public func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("\(target): \(message)\n".utf8))
        abort()
    }
}
