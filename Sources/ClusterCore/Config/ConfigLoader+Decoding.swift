/// Pass 1: each section and key on its own.
extension ConfigLoader {
    static let sections = ["cluster", "quorum", "node", "service", "storage", "floating_ip", "fencing", "alert", "metrics", "etcd"]
    /// The keys of each section (by key path without array indices).
    static let sectionKeys: [String: [String]] = [
        "cluster": ["name", "key_file", "state_dir", "control_socket", "control_read_group", "port", "heartbeat_interval", "failure_timeout", "backend"],
        "quorum": ["two_node", "wait_for_all", "tie_breaker", "storage_timeout"],
        "node": ["name", "addresses", "priority", "role"],
        "service": ["name", "units", "systemd_bus", "start_timeout", "stop_timeout", "monitor_interval",
                    "health_url", "health_rise", "health_fall", "health_timeout", "health_interval",
                    "health_ca_file", "health_tls_verify",
                    "migration_threshold", "failure_expiry", "unit"],
        "service.unit": ["name", "start_timeout", "stop_timeout"],
        "storage": ["path", "lock_file", "acquire_timeout", "arbiter_file", "require_mount"],
        "floating_ip": ["address", "interface", "arp_count", "duplicate_check", "duplicate_check_always"],
        "fencing": ["enabled", "agent_dir", "action", "timeout", "watchdog", "watchdog_timeout", "race_delay", "monitor_interval", "device"],
        "fencing.device": ["name", "agent", "nodes", "host_map", "level", "delay", "options", "password_file"],
        "alert": ["command", "events", "timeout"],
        "metrics": ["listen"],
        "etcd": ["endpoints", "prefix", "lease_ttl", "ca_file", "cert_file", "key_file"],
    ]

    /// How a section's header is written: `[quorum]`, `[[node]]`.
    static func header(of section: String) -> String {
        arrayOfTablesPaths.contains(section) ? "[[\(section)]]" : "[\(section)]"
    }

    /// The one section other than `current` that has `key`, if exactly one does (`two_node` -> `quorum`).
    static func sectionOwning(_ key: String, other current: String) -> String? {
        let owners = sectionKeys.filter { $0.key != current && $0.value.contains(key) }.map(\.key)
        return owners.count == 1 ? owners[0] : nil
    }

    /// Sections written `[[...]]`, for "did you mean" suggestions.
    static let arrayOfTablesPaths: Set<String> = ["node", "floating_ip", "fencing.device", "service.unit", "alert"]

    /// Names of clusters, nodes, services and fence devices: they appear in logs, journal fields and
    /// `hactl` output, so they stay simple (like hostnames).
    static let namePattern = "1-63 characters: letters, digits, '-', '_', '.', starting with a letter or digit"

    static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...63).contains(bytes.count) else { return false }
        func alnum(_ b: UInt8) -> Bool { (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) }
        return alnum(bytes[0]) && bytes.allSatisfy { alnum($0) || $0 == 45 || $0 == 95 || $0 == 46 }
    }

    static func decode(_ document: ConfigTable) -> ClusterConfig? {
        let diagnostics = document.diagnostics
        document.rejectUnknownKeys(sections)

        let cluster = decodeCluster(document)
        let quorum = document.table("quorum", expected: "a table ([quorum])").map(decodeQuorum) ?? QuorumSettings()
        let nodes = decodeNodes(document)
        let service = decodeService(document)
        let storage = decodeStorage(document)
        let floatingIPs = decodeFloatingIPs(document)
        let fencing = document.table("fencing", expected: "a table ([fencing])").map(decodeFencing) ?? FencingConfig()
        let alerts = decodeAlerts(document)
        let metrics = document.table("metrics", expected: "a table ([metrics])").flatMap(decodeMetrics)
        let etcd = decodeEtcd(document, cluster: cluster)

        guard !diagnostics.hasErrors, let cluster, let service, let storage else { return nil }
        return ClusterConfig(cluster: cluster, quorum: quorum, nodes: nodes, service: service, storage: storage,
                             floatingIPs: floatingIPs, fencing: fencing, alerts: alerts, metrics: metrics, etcd: etcd)
    }

    // MARK: [cluster]

    static func decodeCluster(_ document: ConfigTable) -> ClusterSettings? {
        guard let table = document.table("cluster", expected: "a table ([cluster])") else {
            if !document.contains("cluster") { document.diagnostics.report(.missingKey(document.location("cluster.name"))) }
            return nil
        }
        table.rejectUnknownKeys(sectionKeys["cluster"]!)
        let name = table.string("name", required: true)
        if let name, !isValidName(name) {
            table.diagnostics.report(.invalidValue(table.location("name"), value: name, expected: namePattern))
        }
        var settings = ClusterSettings(name: name ?? "")
        if let path = table.absolutePath("key_file") { settings.keyFile = path }
        if let path = table.absolutePath("state_dir") { settings.stateDir = path }
        if let path = table.absolutePath("control_socket") {
            // sockaddr_un.sun_path holds 108 bytes including the terminating NUL.
            if path.utf8.count > 107 {
                table.diagnostics.report(.invalidValue(table.location("control_socket"), value: path,
                                                       expected: "a path of at most 107 bytes (a Unix socket path limit)"))
            }
            settings.controlSocket = path
        }
        if let group = table.string("control_read_group") {
            if isValidName(group) && group != "root" {
                settings.controlReadGroup = group
            } else {
                table.diagnostics.report(.invalidValue(table.location("control_read_group"), value: group,
                                                       expected: "the name of a group other than root (e.g. \"hamonitor\")"))
            }
        }
        if let port = table.integer("port", in: 1...65535) { settings.port = UInt16(port) }
        if let interval = table.duration("heartbeat_interval", minimum: .milliseconds(10)) {
            settings.heartbeatInterval = interval
        }
        if let timeout = table.duration("failure_timeout", minimum: .milliseconds(1)) { settings.failureTimeout = timeout }
        if let backend = table.choice("backend", of: CoordinationBackend.self) { settings.backend = backend }
        return name == nil ? nil : settings
    }

    // MARK: [quorum]

    static func decodeQuorum(_ table: ConfigTable) -> QuorumSettings {
        table.rejectUnknownKeys(sectionKeys["quorum"]!)
        var quorum = QuorumSettings()
        if let flag = table.bool("two_node") { quorum.twoNode = flag }
        // After two_node: the default depends on it.
        quorum.waitForAll = table.bool("wait_for_all") ?? QuorumSettings.defaultWaitForAll(twoNode: quorum.twoNode)
        if let choice = table.choice("tie_breaker", of: QuorumSettings.TieBreaker.self) { quorum.tieBreaker = choice }
        if let timeout = table.duration("storage_timeout", minimum: .milliseconds(1)) { quorum.storageTimeout = timeout }
        return quorum
    }

    // MARK: [[node]]

    static func decodeNodes(_ document: ConfigTable) -> [NodeConfig] {
        let diagnostics = document.diagnostics
        guard let entries = document.tableArray("node", expected: "an array of tables ([[node]])") else {
            if !document.contains("node") {
                diagnostics.report(.missingSection(document.location("node"), header: "[[node]]"))
            }
            return []
        }
        if entries.isEmpty { diagnostics.report(.missingSection(document.location("node"), header: "[[node]]")) }

        var nodes: [NodeConfig] = []
        var nameUse: [String: String] = [:]
        var addressUse: [IPAddressLiteral: String] = [:]
        for entry in entries {
            entry.rejectUnknownKeys(sectionKeys["node"]!)
            let name = entry.string("name", required: true)
            if let name {
                if !isValidName(name) {
                    diagnostics.report(.invalidValue(entry.location("name"), value: name, expected: namePattern))
                } else if let first = nameUse[name] {
                    diagnostics.report(.duplicate(entry.location("name"), value: name, firstUse: first))
                } else {
                    nameUse[name] = entry.keyPath("name")
                }
            }

            var addresses: [String] = []
            if entry.contains("address") && !entry.contains("addresses") {
                // rejectUnknownKeys already suggested "addresses"; do not also say it is missing.
            } else if let written = entry.stringArray("addresses", required: true) {
                for (text, path) in written {
                    guard let address = IPAddressLiteral(text) else {
                        let hint = text.contains("/") ? "an IP address without a prefix length" : "an IPv4 or IPv6 address such as 198.18.1.11"
                        diagnostics.report(.invalidValue(diagnostics.location(path), value: text, expected: hint))
                        continue
                    }
                    if address.isUnspecified || address.isMulticastOrBroadcast {
                        diagnostics.report(.invalidValue(diagnostics.location(path), value: text,
                                                         expected: "a unicast address of this node (not unspecified, multicast or broadcast)"))
                        continue
                    }
                    if let first = addressUse[address] {
                        diagnostics.report(.duplicate(diagnostics.location(path), value: text, firstUse: first))
                        continue
                    }
                    addressUse[address] = path
                    addresses.append(address.description)
                }
            }

            let role = entry.choice("role", of: NodeConfig.Role.self) ?? .full
            let priority = entry.integer("priority", in: -1_000_000...1_000_000)
            if role == .witness && entry.contains("priority") {
                diagnostics.report(.inconsistent(entry.location("priority"), .witnessWithPriority(node: name ?? entry.path)))
            }
            nodes.append(NodeConfig(name: name ?? "", addresses: addresses,
                                    priority: priority.map(Int.init) ?? NodeConfig.defaultPriority, role: role))
        }
        return nodes
    }

    // MARK: [service]

    static let startableUnitSuffixes = [".service", ".target", ".socket", ".mount", ".automount", ".swap", ".timer", ".path"]

    static func isValidUnitName(_ unit: String) -> Bool {
        guard unit.utf8.count <= 255, let suffix = startableUnitSuffixes.first(where: { unit.hasSuffix($0) }) else {
            return false
        }
        let stem = unit.dropLast(suffix.count)
        guard !stem.isEmpty, !stem.hasSuffix("@") else { return false }   // "foo@.service" is a template
        return stem.unicodeScalars.allSatisfy { c in
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || ":-_.\\@".unicodeScalars.contains(c)
        }
    }

    static func decodeService(_ document: ConfigTable) -> ServiceConfig? {
        let diagnostics = document.diagnostics
        guard let table = document.table("service", expected: "a table ([service])") else {
            if !document.contains("service") { diagnostics.report(.missingKey(document.location("service.name"))) }
            return nil
        }
        table.rejectUnknownKeys(sectionKeys["service"]!)
        let name = table.string("name", required: true)
        if let name, !isValidName(name) {
            diagnostics.report(.invalidValue(table.location("name"), value: name, expected: namePattern))
        }
        // `units = [...]` (short form) or `[[service.unit]]` tables (with per-unit timeouts).
        let longForm = table.tableArray("unit", expected: "an array of tables ([[service.unit]])")
        var written: [(value: String, keyPath: String)] = []
        var timeouts: [String: ServiceConfig.UnitTimeouts] = [:]
        if let longForm {
            if table.contains("units") {
                diagnostics.report(.invalidValue(table.location("units"), value: "units = [...] and [[service.unit]]",
                                                 expected: "either units = [...] or [[service.unit]] tables, not both"))
            }
            if longForm.isEmpty {
                diagnostics.report(.invalidValue(table.location("unit"), value: "[]", expected: "at least one [[service.unit]]"))
            }
            for entry in longForm {
                entry.rejectUnknownKeys(sectionKeys["service.unit"]!)
                guard let unit = entry.string("name", required: true) else { continue }
                written.append((unit, entry.keyPath("name")))
                let start = entry.duration("start_timeout", minimum: .milliseconds(100))
                let stop = entry.duration("stop_timeout", minimum: .milliseconds(100))
                if start != nil || stop != nil { timeouts[unit] = .init(start: start, stop: stop) }
            }
        } else if let short = table.stringArray("units", required: true) {
            written = short
        }
        var units: [String] = []
        var seen: [String: String] = [:]
        for (unit, path) in written {
            if !isValidUnitName(unit) {
                diagnostics.report(.invalidValue(diagnostics.location(path), value: unit,
                                                 expected: "a systemd unit name such as \"dataiku.service\" "
                                                    + "(ending in \(startableUnitSuffixes.joined(separator: ", ")))"))
            } else if let first = seen[unit] {
                diagnostics.report(.duplicate(diagnostics.location(path), value: unit, firstUse: first))
            } else {
                seen[unit] = path
                units.append(unit)
            }
        }
        var service = ServiceConfig(name: name ?? "", units: units)
        service.unitTimeouts = timeouts
        if let bus = table.choice("systemd_bus", of: ServiceConfig.Bus.self) { service.systemdBus = bus }
        if let d = table.duration("start_timeout", minimum: .milliseconds(100)) { service.startTimeout = d }
        if let d = table.duration("stop_timeout", minimum: .milliseconds(100)) { service.stopTimeout = d }
        if let d = table.duration("monitor_interval", minimum: .milliseconds(100)) { service.monitorInterval = d }
        if let d = table.duration("failure_expiry", minimum: .seconds(1), maximum: .seconds(30 * 86_400)) { service.failureExpiry = d }
        if let n = table.integer("migration_threshold", in: 1...1_000_000) { service.migrationThreshold = Int(n) }
        if let n = table.integer("health_rise", in: 1...100) { service.healthRise = Int(n) }
        if let n = table.integer("health_fall", in: 1...100) { service.healthFall = Int(n) }
        if let d = table.duration("health_timeout", minimum: .milliseconds(100)) { service.healthTimeout = d }
        if let d = table.duration("health_interval", minimum: .milliseconds(100)) { service.healthInterval = d }
        if let path = table.absolutePath("health_ca_file") { service.healthCAFile = path }
        if let verify = table.bool("health_tls_verify") { service.healthTLSVerify = verify }
        if let url = table.string("health_url") {
            if let problem = healthURLProblem(url) {
                diagnostics.report(.invalidValue(table.location("health_url"), value: url, expected: problem))
            } else {
                service.healthURL = url
            }
        }
        return name == nil ? nil : service
    }

    /// nil when `url` is a URL the health check can fetch (`HealthURL`); else what is expected.
    static func healthURLProblem(_ url: String) -> String? {
        do {
            _ = try HealthURL(parsing: url)
            return nil
        } catch {
            return "an http:// or https:// URL such as \"http://127.0.0.1:11200/dip/api/ping\" (\(error.reason))"
        }
    }

    // MARK: [storage]

    static func decodeStorage(_ document: ConfigTable) -> StorageConfig? {
        guard let table = document.table("storage", expected: "a table ([storage])") else {
            if !document.contains("storage") { document.diagnostics.report(.missingKey(document.location("storage.path"))) }
            return nil
        }
        table.rejectUnknownKeys(sectionKeys["storage"]!)
        guard let path = table.absolutePath("path", required: true) else {
            _ = table.absolutePath("lock_file")
            _ = table.duration("acquire_timeout", minimum: .zero)
            _ = table.absolutePath("arbiter_file")
            return nil
        }
        var storage = StorageConfig(path: path, lockFile: table.absolutePath("lock_file"), arbiterFile: table.absolutePath("arbiter_file"))
        if let d = table.duration("acquire_timeout", minimum: .zero) { storage.acquireTimeout = d }
        if let require = table.bool("require_mount") { storage.requireMount = require }
        return storage
    }

    // MARK: [[floating_ip]]

    static func isValidInterfaceName(_ name: String) -> Bool {
        // IFNAMSIZ is 16 including the NUL; the kernel refuses '/', ':' only in alias labels, and whitespace.
        (1...15).contains(name.utf8.count) && name != "." && name != ".."
            && !name.contains(where: { $0 == "/" || $0 == " " || $0 == "\t" || $0 == "\n" })
    }

    static func decodeFloatingIPs(_ document: ConfigTable) -> [FloatingIPConfig] {
        let diagnostics = document.diagnostics
        guard let entries = document.tableArray("floating_ip", expected: "an array of tables ([[floating_ip]])") else {
            return []
        }
        var result: [FloatingIPConfig] = []
        var seen: [IPAddressLiteral: String] = [:]
        for entry in entries {
            entry.rejectUnknownKeys(sectionKeys["floating_ip"]!)
            let interface = entry.string("interface")
            if let interface, !isValidInterfaceName(interface) {
                diagnostics.report(.invalidValue(entry.location("interface"), value: interface,
                                                 expected: "a network interface name of 1-15 characters such as \"eth0\""))
            }
            let arpCount = entry.integer("arp_count", in: 0...100)
            var duplicateCheck = entry.duration("duplicate_check", minimum: .zero)
            if let wait = duplicateCheck, wait > FloatingIPConfig.maximumDuplicateCheck {
                diagnostics.report(.invalidValue(entry.location("duplicate_check"), value: "\(wait)",
                                                 expected: "a duration from \"0s\" (no probe) to \"5s\", such as \"200ms\""))
                duplicateCheck = nil
            }
            guard let text = entry.string("address", required: true) else { continue }
            guard let (address, prefix) = parseCIDR(text, at: entry.location("address"), diagnostics) else { continue }
            if let first = seen[address] {
                diagnostics.report(.duplicate(entry.location("address"), value: text, firstUse: first))
                continue
            }
            seen[address] = entry.keyPath("address")
            result.append(FloatingIPConfig(address: address.description, prefixLength: prefix, interface: interface,
                                           arpCount: arpCount.map(Int.init) ?? 5,
                                           duplicateCheck: duplicateCheck ?? FloatingIPConfig.defaultDuplicateCheck,
                                           duplicateCheckAlways: entry.bool("duplicate_check_always") ?? false))
        }
        return result
    }

    /// `198.18.1.50/24` or `2001:db8::50/64`.
    static func parseCIDR(_ text: String, at location: ConfigLocation,
                          _ diagnostics: ConfigDiagnostics) -> (IPAddressLiteral, Int)? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPAddressLiteral(String(parts[0])) else {
            let expected = parts.count == 1 && IPAddressLiteral(text) != nil
                ? "an address with its prefix length, such as \"\(text)/24\" (the prefix of the subnet it lives on)"
                : "an address with its prefix length, such as \"198.18.1.50/24\" or \"2001:db8::50/64\""
            diagnostics.report(.invalidValue(location, value: text, expected: expected))
            return nil
        }
        let maximum = address.family.bitCount
        guard let prefix = Int(parts[1]), String(prefix) == parts[1] else {
            diagnostics.report(.invalidValue(location, value: text, expected: "a prefix length 1...\(maximum) after the /"))
            return nil
        }
        guard (1...maximum).contains(prefix) else {
            diagnostics.report(.invalidValue(location, value: text,
                                             expected: "a prefix length 1...\(maximum) for an \(address.family == .ipv4 ? "IPv4" : "IPv6") address"))
            return nil
        }
        guard !address.isUnspecified, !address.isLoopback, !address.isMulticastOrBroadcast else {
            diagnostics.report(.invalidValue(location, value: text,
                                             expected: "a unicast address (not loopback, unspecified, multicast or broadcast)"))
            return nil
        }
        return (address, prefix)
    }

    // MARK: [fencing]

    static func decodeFencing(_ table: ConfigTable) -> FencingConfig {
        let diagnostics = table.diagnostics
        table.rejectUnknownKeys(sectionKeys["fencing"]!)
        var fencing = FencingConfig()
        if let flag = table.bool("enabled") { fencing.enabled = flag }
        if let dir = table.absolutePath("agent_dir") { fencing.agentDir = dir }
        if let action = table.choice("action", of: FencingConfig.Action.self) { fencing.action = action }
        if let d = table.duration("timeout", minimum: .seconds(1)) { fencing.timeout = d }
        if let path = table.absolutePath("watchdog") { fencing.watchdog = path }
        if let d = table.duration("watchdog_timeout", minimum: .seconds(1)) { fencing.watchdogTimeout = d }
        if let d = table.duration("race_delay", minimum: .zero) { fencing.raceDelay = d }
        if let d = table.duration("monitor_interval", minimum: .seconds(1)) { fencing.monitorInterval = d }

        let entries = table.tableArray("device", expected: "an array of tables ([[fencing.device]])") ?? []
        var names: [String: String] = [:]
        for entry in entries {
            guard let device = decodeDevice(entry) else { continue }
            if let first = names[device.name] {
                diagnostics.report(.duplicate(entry.location("name"), value: device.name, firstUse: first))
                continue
            }
            names[device.name] = entry.keyPath("name")
            fencing.devices.append(device)
        }
        return fencing
    }

    /// Options haclusterd sends itself, or secrets that belong in `password_file`.
    static let reservedFenceOptions: Set<String> = ["action", "option", "port", "plug", "nodename", "password", "passwd"]

    static func decodeDevice(_ entry: ConfigTable) -> FenceDeviceConfig? {
        let diagnostics = entry.diagnostics
        entry.rejectUnknownKeys(sectionKeys["fencing.device"]!)
        let name = entry.string("name", required: true)
        if let name, !isValidName(name) {
            diagnostics.report(.invalidValue(entry.location("name"), value: name, expected: namePattern))
        }
        let agent = entry.string("agent", required: true)
        if let agent, !isValidAgentName(agent) {
            diagnostics.report(.invalidValue(entry.location("agent"), value: agent,
                                             expected: "a fence agent name such as \"fence_ipmilan\" (no path: agents are looked up in agent_dir)"))
        }
        var nodes: [String] = []
        if let written = entry.stringArray("nodes", nonEmpty: false) {
            var seen: [String: String] = [:]
            for (node, path) in written {
                if let first = seen[node] {
                    diagnostics.report(.duplicate(diagnostics.location(path), value: node, firstUse: first))
                } else {
                    seen[node] = path
                    nodes.append(node)
                }
            }
        }
        var hostMap: [String: String] = [:]
        if let text = entry.string("host_map") {
            hostMap = parseHostMap(text, at: entry.location("host_map"), diagnostics) ?? [:]
        }
        let level = entry.integer("level", in: 1...9)
        let delay = entry.duration("delay", minimum: .zero)
        let options = decodeOptions(entry)
        let passwordFile = entry.absolutePath("password_file")

        guard let name, let agent else { return nil }
        return FenceDeviceConfig(name: name, agent: agent, nodes: nodes, hostMap: hostMap,
                                 level: level.map(Int.init) ?? 1, delay: delay ?? .zero,
                                 options: options, passwordFile: passwordFile)
    }

    static func isValidAgentName(_ agent: String) -> Bool {
        agent.utf8.count <= 255 && agent != "." && agent != ".."
            && agent.unicodeScalars.allSatisfy { c in
                (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || "_-.+".unicodeScalars.contains(c)
            }
    }

    /// `options = { ip = "10.0.0.101", lanplus = true, ipport = 623 }`: every value becomes a string for the
    /// agent's stdin. `true` is sent as `1`; `false` leaves the option out, because fence agents treat any
    /// value of a flag, even `0`, as set.
    static func decodeOptions(_ entry: ConfigTable) -> [String: String] {
        let diagnostics = entry.diagnostics
        guard let table = entry.table("options", expected: "an inline table such as { ip = \"10.0.0.101\", username = \"admin\" }") else {
            return [:]
        }
        var options: [String: String] = [:]
        for key in table.keys.sorted() {
            let location = table.location(key)
            guard let value = table.table[key] else { continue }
            let normalizedKey = String(key.map { $0 == "-" ? "_" : $0 })
            if reservedFenceOptions.contains(normalizedKey) {
                diagnostics.report(.inconsistent(location, .reservedFenceOption(option: key)))
                continue
            }
            guard !key.isEmpty, key.unicodeScalars.allSatisfy({ c in
                (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_" || c == "-"
            }) else {
                diagnostics.report(.invalidValue(location, value: key, expected: "an option name of letters, digits, '_' and '-'"))
                continue
            }
            switch value {
            case .string(let text):
                guard !text.contains("\n"), !text.contains("\r"), !text.contains("\0") else {
                    diagnostics.report(.invalidValue(location, value: text, expected: "a single line (options are sent as key=value lines)"))
                    continue
                }
                options[key] = text
            case .integer(let number):
                options[key] = String(number)
            case .boolean(let flag):
                if flag { options[key] = "1" }
            default:
                diagnostics.report(.wrongType(location, expected: "a string, integer or boolean", found: ConfigTable.describe(value)))
            }
        }
        return options
    }

    /// `"dss1:1;dss2:2"`: entries separated by `;` or blanks, node and port separated by `:` or `=`
    /// (Pacemaker's `pcmk_host_map` syntax; a port may itself be a list such as `2,3`).
    static func parseHostMap(_ text: String, at location: ConfigLocation,
                             _ diagnostics: ConfigDiagnostics) -> [String: String]? {
        var map: [String: String] = [:]
        let entries = text.split(whereSeparator: { $0 == ";" || $0 == " " || $0 == "\t" || $0 == "\n" })
        guard !entries.isEmpty else {
            diagnostics.report(.emptyValue(location))
            return nil
        }
        for entry in entries {
            guard let separator = entry.firstIndex(where: { $0 == ":" || $0 == "=" }) else {
                diagnostics.report(.invalidValue(location, value: String(entry),
                                                 expected: "NODE:PORT entries separated by ';', e.g. \"dss1:1;dss2:2\""))
                return nil
            }
            let node = String(entry[..<separator])
            let port = String(entry[entry.index(after: separator)...])
            guard !node.isEmpty, !port.isEmpty else {
                diagnostics.report(.invalidValue(location, value: String(entry),
                                                 expected: "NODE:PORT entries separated by ';', e.g. \"dss1:1;dss2:2\""))
                return nil
            }
            guard map[node] == nil else {
                diagnostics.report(.duplicate(location, value: node, firstUse: "an earlier entry of this host_map"))
                return nil
            }
            map[node] = port
        }
        return map
    }
}
