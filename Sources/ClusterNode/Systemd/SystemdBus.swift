import ClusterCore
import ClusterHost
/// Which systemd manager to talk to.
public enum SystemdBus: Sendable, Equatable, CustomStringConvertible {
    /// `sd_bus_open_system` (honours `DBUS_SYSTEM_BUS_ADDRESS`).
    case system
    /// `sd_bus_open_user` (honours `DBUS_SESSION_BUS_ADDRESS`, else `$XDG_RUNTIME_DIR/bus`).
    case user
    /// A D-Bus broker at this address, e.g. `unix:path=/run/user/0/bus`.
    case address(String)
    /// A direct peer connection to the manager, e.g. `unix:path=$XDG_RUNTIME_DIR/systemd/private`.
    case direct(String)

    public init(_ bus: ServiceConfig.Bus) {
        switch bus {
        case .system: self = .system
        case .user: self = .user
        }
    }

    public var description: String {
        switch self {
        case .system: "system"
        case .user: "user"
        case let .address(address): address
        case let .direct(address): address
        }
    }
}
