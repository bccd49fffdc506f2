/// A rule between several keys that a configuration breaks (see `ConfigError.inconsistent`).
public enum ConfigInconsistency: Sendable, Equatable, CustomStringConvertible {
    /// `priority` on a witness: witnesses never run the service, so a preference means a misunderstanding.
    case witnessWithPriority(node: String)
    /// Every node is a witness: nothing could ever run the service.
    case noEligibleNode
    /// More nodes than the protocol supports.
    case tooManyNodes(count: Int, maximum: Int)
    /// `failure_timeout` must exceed 3 heartbeats, or one lost datagram fails a healthy peer.
    case failureTimeoutTooShort(failureTimeout: Duration, heartbeatInterval: Duration)
    /// `two_node = true` means exactly two voting nodes.
    case twoNodeNeedsExactlyTwoNodes(votingNodes: Int)
    /// `two_node = true` gives quorum to a single node: only fencing prevents two active nodes.
    case twoNodeNeedsFencing
    /// Fencing is enabled but no `[[fencing.device]]` covers this node that can run the service.
    case nodeNotFenced(node: String)
    /// A device names a node that is not configured.
    case unknownNode(name: String, known: [String])
    /// A device with neither `nodes` nor `host_map`.
    case deviceFencesNothing(device: String)
    /// An agent option that haclusterd sets itself, or a secret that belongs in `password_file`.
    case reservedFenceOption(option: String)
    /// The lock file must be on the shared storage, or each node would lock its own copy.
    case lockFileNotOnStorage(lockFile: String, storagePath: String)
    /// Local state (term, vote) must not be shared between nodes.
    case stateDirOnSharedStorage(stateDir: String, storagePath: String)
    /// A floating address that is also a node's own address.
    case floatingAddressIsNodeAddress(address: String, node: String)
    case tieBreakerNeedsTwoNode
    case storageTimeoutTooShort(storageTimeout: Duration, heartbeatInterval: Duration)
    case arbiterFileNotOnStorage(arbiterFile: String, storagePath: String)
    case storageFenceNeedsTieBreaker(device: String)
    case storageFenceNeedsWatchdog(device: String)
    case storageFenceOption(device: String, option: String)
    case msgwaitTooShort(device: String, msgwait: String, watchdogTimeout: Duration)
    /// `[etcd]`: `cert_file` without `key_file` or the other way round.
    case etcdCertificateWithoutKey(given: String)
    /// `[etcd]`: TLS files with `http://` endpoints (they would be ignored: no TLS at all).
    case etcdTLSFilesWithoutTLS(key: String)

    public var description: String {
        switch self {
        case .witnessWithPriority(let node):
            "node \"\(node)\" is a witness and never runs the service: remove its priority"
        case .noEligibleNode:
            "every node is a witness: at least one node must be able to run the service (remove role = \"witness\" from one)"
        case .tooManyNodes(let count, let maximum):
            "\(count) nodes configured, at most \(maximum) are supported"
        case .failureTimeoutTooShort(let failure, let heartbeat):
            "\(failure.configString) must be larger than 3 × heartbeat_interval (\(heartbeat.configString)), "
                + "e.g. \((heartbeat * 5).configString)"
        case .twoNodeNeedsExactlyTwoNodes(let voting):
            "two_node = true needs exactly 2 nodes, \(voting) are configured (with 3 or more, quorum works without it)"
        case .twoNodeNeedsFencing:
            "two_node = true needs fencing: with one vote each node is quorate alone, only fencing prevents two active nodes; "
                + "set [fencing] enabled = true and configure [[fencing.device]]"
        case .nodeNotFenced(let node):
            "fencing is enabled but no [[fencing.device]] covers node \"\(node)\" "
                + "(add it to a device's nodes or host_map, or set [fencing] enabled = false)"
        case .unknownNode(let name, let known):
            "no node \"\(name)\" is configured (known: \(known.joined(separator: ", ")))"
        case .deviceFencesNothing(let device):
            "device \"\(device)\" fences no node: set nodes = [...] or host_map = \"node:port;...\""
        case .reservedFenceOption(let option):
            switch option {
            case "password", "passwd":
                "option \"\(option)\" would put a secret in this file: write it to a file (mode 0600) and set password_file"
            default:
                "option \"\(option)\" is set by haclusterd for each operation (use nodes or host_map for the port/plug)"
            }
        case .lockFileNotOnStorage(let lockFile, let storagePath):
            "\(lockFile) is not inside storage.path \(storagePath): the lock must live on the shared storage, "
                + "or every node would lock its own file"
        case .stateDirOnSharedStorage(let stateDir, let storagePath):
            "\(stateDir) is on the shared storage \(storagePath): each node's state (term, vote) must be local"
        case .floatingAddressIsNodeAddress(let address, let node):
            "\(address) is also an address of node \"\(node)\": a floating address must be one no node owns"
        case .tieBreakerNeedsTwoNode:
            "tie_breaker = \"storage\" decides splits between exactly two nodes: set two_node = true (with 3 or more "
                + "nodes, a majority decides and needs no tie-breaker)"
        case .storageTimeoutTooShort(let storage, let heartbeat):
            "\(storage.configString) must be larger than 3 × heartbeat_interval (\(heartbeat.configString)): several disk "
                + "heartbeats must be missed before a node counts as gone from the storage, e.g. \((heartbeat * 5).configString)"
        case .arbiterFileNotOnStorage(let file, let storagePath):
            "\(file) is not inside storage.path \(storagePath): the arbiter file must live on the shared storage, "
                + "or each node would read its own"
        case .storageFenceNeedsTieBreaker(let device):
            "device \"\(device)\" (agent = \"storage\") writes into the arbiter file, which exists only with "
                + "[quorum] two_node = true and tie_breaker = \"storage\""
        case .storageFenceNeedsWatchdog(let device):
            "device \"\(device)\" (agent = \"storage\") needs a watchdog: a victim too hung to read its poison pill is "
                + "reset only by its watchdog; set [fencing] watchdog (e.g. \"/dev/watchdog\") on every node"
        case .storageFenceOption(let device, let option):
            "device \"\(device)\" (agent = \"storage\") has no option \"\(option)\": its only option is msgwait (a duration)"
        case .msgwaitTooShort(let device, let msgwait, let watchdog):
            "device \"\(device)\": msgwait \"\(msgwait)\" must be at least 2 × watchdog_timeout "
                + "(\((watchdog * 2).configString)): the fence may only report success once a hung victim's watchdog has reset it"
        case .etcdCertificateWithoutKey(let given):
            "\(given) is set without \(given == "cert_file" ? "key_file" : "cert_file"): a client certificate needs both its file and its private key's"
        case .etcdTLSFilesWithoutTLS(let key):
            "\(key) is set but the endpoints are http://: etcd would be reached without TLS; use https:// endpoints (or remove \(key))"
        }
    }
}
