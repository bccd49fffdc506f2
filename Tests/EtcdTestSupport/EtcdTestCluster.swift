#if Etcd
import ClusterCore
import ControlTestSupport
import EtcdBackend
import Foundation
import Glibc

extension Result {
    public var isSuccess: Bool { if case .success = self { true } else { false } }
}

/// A real etcd cluster (Debian's etcd-server) of `size` members on loopback, each its own
/// process with its own data directory, fast timings (50 ms heartbeat, 500 ms election).
/// Members are killed by PID only; `deinit` kills what is left and removes the directory.
public final class EtcdTestCluster: @unchecked Sendable {
    public struct Member {
        public let name: String
        public let clientPort: Int
        public let peerPort: Int
        /// `timeout`, the member's parent: it kills the member if the test process dies first.
        var process: Process?
        /// The etcd process itself.
        var pid: pid_t = 0
    }

    /// The longest a member lives: a crashed test leaves nothing running for long.
    public static let lifetime = 300

    public static let binary = "/usr/bin/etcd"
    public let directory: TemporaryDirectory
    public private(set) var members: [Member]
    /// With TLS on the client URLs: a CA of this run, the members' certificate (IP SAN 127.0.0.1)
    /// and a client certificate; members ask for a client certificate signed by the CA.
    public let tls: Bool

    public var endpoints: [EtcdConfig.Endpoint] {
        members.map { EtcdConfig.Endpoint(tls: tls, host: "127.0.0.1", port: $0.clientPort) }
    }

    public var caFile: String { "\(directory.path)/ca.pem" }
    public var clientCertFile: String { "\(directory.path)/client.pem" }
    public var clientKeyFile: String { "\(directory.path)/client-key.pem" }

    /// A configuration that reaches these members (with the client certificate when TLS is on).
    public func config(prefix: String) -> EtcdConfig {
        tls ? EtcdConfig(endpoints: endpoints, prefix: prefix, caFile: caFile, certFile: clientCertFile, keyFile: clientKeyFile)
            : EtcdConfig(endpoints: endpoints, prefix: prefix)
    }

    public init(size: Int = 3, tls: Bool = false) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else { throw Missing() }
        directory = TemporaryDirectory("etcd")
        self.tls = tls
        let ports = try Self.freePorts(size * 2)
        members = (0..<size).map { Member(name: "m\($0 + 1)", clientPort: ports[2 * $0], peerPort: ports[2 * $0 + 1]) }
        if tls { try makeCertificates() }
        for index in members.indices { try start(index) }
        try waitHealthy(timeout: .seconds(20))
    }

    deinit { shutdown() }

    /// Kills every member, by PID (the directory goes with this object).
    public func shutdown() {
        for index in members.indices { kill(index) }
    }

    struct Missing: Error, CustomStringConvertible {
        var description: String { "\(EtcdTestCluster.binary) is not installed (scripts/bootstrap installs etcd-server)" }
    }

    struct Unhealthy: Error, CustomStringConvertible {
        var detail: String
        var description: String { "the etcd test cluster did not become healthy: \(detail)" }
    }

    /// Starts member `index` (again: with its data directory as it was left).
    public func start(_ index: Int) throws {
        let member = members[index]
        let cluster = members.map { "\($0.name)=http://127.0.0.1:\($0.peerPort)" }.joined(separator: ",")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = [
            "-s", "KILL", "\(Self.lifetime)", Self.binary,
            "--name", member.name,
            "--data-dir", "\(directory.path)/\(member.name).data",
            "--listen-client-urls", "\(tls ? "https" : "http")://127.0.0.1:\(member.clientPort)",
            "--advertise-client-urls", "\(tls ? "https" : "http")://127.0.0.1:\(member.clientPort)",
            "--listen-peer-urls", "http://127.0.0.1:\(member.peerPort)",
            "--initial-advertise-peer-urls", "http://127.0.0.1:\(member.peerPort)",
            "--initial-cluster", cluster,
            "--initial-cluster-state", "new",
            "--initial-cluster-token", "hacd-\(getpid())-\(members[0].peerPort)",
            "--heartbeat-interval", "50",
            "--election-timeout", "500",
            "--logger", "zap",
            "--log-outputs", "\(directory.path)/\(member.name).log",
        ] + (tls ? [
            "--cert-file", "\(directory.path)/server.pem", "--key-file", "\(directory.path)/server-key.pem",
            "--trusted-ca-file", caFile, "--client-cert-auth",
        ] : [])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        members[index].process = process
        // The member is timeout's only child.
        let children = "/proc/\(process.processIdentifier)/task/\(process.processIdentifier)/children"
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: children, encoding: .utf8),
               let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                members[index].pid = pid
                return
            }
            usleep(10_000)
        }
        throw Unhealthy(detail: "\(member.name) did not start (no child of timeout \(process.processIdentifier))")
    }

    /// SIGKILL of member `index`, waited for.
    public func kill(_ index: Int) {
        guard let process = members[index].process else { return }
        if members[index].pid > 0 { Glibc.kill(members[index].pid, SIGKILL) }
        process.waitUntilExit()  // timeout exits with its child
        members[index].process = nil
        members[index].pid = 0
    }

    /// The index of the member that is etcd's leader now.
    public func leaderIndex(client: EtcdClient) async throws -> Int {
        for (index, endpoint) in endpoints.enumerated() where members[index].process != nil {
            if let status = try? await client.status(of: endpoint), status.isLeader { return index }
        }
        throw Unhealthy(detail: "no member says it is the leader")
    }

    /// Waits until every running member answers a status and one of them is leader.
    public func waitHealthy(timeout: Duration) throws {
        let deadline = ContinuousClock.now + timeout
        var last = ""
        while ContinuousClock.now < deadline {
            let running = members.filter { $0.process != nil }
            let scheme = tls ? "https" : "http"
            let args = ["/usr/bin/etcdctl", "--endpoints", running.map { "\(scheme)://127.0.0.1:\($0.clientPort)" }.joined(separator: ","),
                        "--command-timeout=1s"]
                + (tls ? ["--cacert", caFile, "--cert", clientCertFile, "--key", clientKeyFile] : [])
                + ["endpoint", "status"]
            if let result = try? runProcess(args, timeout: .seconds(5)) {
                last = result.stderr + result.stdout
                if result.status == 0, result.stdout.contains("true") { return }
            }
            usleep(100_000)
        }
        throw Unhealthy(detail: last)
    }

    /// A CA, the members' certificate for 127.0.0.1 and a client certificate, with openssl.
    private func makeCertificates() throws {
        let dir = directory.path
        func openssl(_ arguments: [String]) throws {
            let result = try runProcess(["/usr/bin/openssl"] + arguments, timeout: .seconds(30))
            guard result.status == 0 else { throw Unhealthy(detail: "openssl \(arguments.first ?? ""): \(result.stderr)") }
        }
        try "subjectAltName = IP:127.0.0.1\nextendedKeyUsage = serverAuth, clientAuth\n".write(toFile: "\(dir)/server.ext", atomically: true, encoding: .utf8)
        try "extendedKeyUsage = clientAuth\n".write(toFile: "\(dir)/client.ext", atomically: true, encoding: .utf8)
        try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
                     "-subj", "/CN=haclusterd test CA", "-keyout", "\(dir)/ca-key.pem", "-out", caFile])
        for (name, subject) in [("server", "/CN=127.0.0.1"), ("client", "/CN=haclusterd")] {
            try openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", subject,
                         "-keyout", "\(dir)/\(name)-key.pem", "-out", "\(dir)/\(name).csr"])
            try openssl(["x509", "-req", "-in", "\(dir)/\(name).csr", "-CA", caFile, "-CAkey", "\(dir)/ca-key.pem",
                         "-CAcreateserial", "-days", "1", "-extfile", "\(dir)/\(name).ext", "-out", "\(dir)/\(name).pem"])
        }
    }

    /// Distinct free TCP ports on 127.0.0.1 (bound, read, closed).
    static func freePorts(_ count: Int) throws -> [Int] {
        var ports: [Int] = []
        var sockets: [Int32] = []
        defer { for fd in sockets { close(fd) } }
        while ports.count < count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
            }
            guard bound else { close(fd); throw Unhealthy(detail: "no free port") }
            sockets.append(fd)
            ports.append(Int(UInt16(bigEndian: address.sin_port)))
        }
        return ports
    }
}
#endif
