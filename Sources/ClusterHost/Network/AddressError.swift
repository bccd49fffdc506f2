import ClusterCore
/// Why a floating address could not be added or removed.
public enum AddressError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configured address is not an IPv4/IPv6 literal with a valid prefix.
    case invalidAddress(String)
    /// No `interface` configured and no local interface has an address on that subnet.
    case noInterfaceOnSubnet(address: String)
    /// Duplicate address detection got an answer: someone on the segment already holds it.
    case alreadyInUse(address: String, interface: String, holder: String)
    /// An `ip`/`arping`/`sysctl` command failed; `detail` is its last line of stderr.
    case commandFailed(command: String, status: Int32, detail: String)
    case commandTimedOut(command: String, after: Duration)
    case cannotRun(command: String, errno: Int32)

    public var description: String {
        switch self {
        case let .invalidAddress(address):
            "floating address '\(address)' is not an IPv4 or IPv6 address with a prefix length"
        case let .noInterfaceOnSubnet(address):
            "no interface has an address on the subnet of \(address); set `interface` for this [[floating_ip]]"
        case let .alreadyInUse(address, interface, holder):
            "\(address) is already in use on the segment of \(interface) (answered by \(holder))"
        case let .commandFailed(command, status, detail):
            "`\(command)` failed with status \(status): \(detail)"
        case let .commandTimedOut(command, after):
            "`\(command)` did not finish within \(after)"
        case let .cannotRun(command, code):
            "cannot run `\(command)`: errno \(code)"
        }
    }
}
