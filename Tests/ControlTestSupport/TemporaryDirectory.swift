import Foundation
import Glibc

/// A temporary directory (0755, so that test users can reach sockets in it).
public final class TemporaryDirectory {
    public let path: String

    public init(_ tag: String) {
        let base = "/tmp/hacd-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        mkdir(base, 0o755)
        chmod(base, 0o755)
        path = base
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
