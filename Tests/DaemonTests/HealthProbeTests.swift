import ClusterNode
import ClusterHost
import CoreTestSupport
import Foundation
import Testing
@testable import ClusterCore

/// A real HTTP server (python3 http.server) on 127.0.0.1 with an ephemeral port:
/// /ok → 200, /slow → 200 after 30 s, anything else → 503. With `tls`, it serves https
/// with that certificate and key (PEM files).
final class TestHTTPServer: @unchecked Sendable {
    let process = Process()
    let port: UInt16

    static let script = """
        import http.server, ssl, sys, time
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == '/slow': time.sleep(30)
                self.send_response(200 if self.path in ('/ok', '/slow') else 503)
                self.send_header('Content-Length', '2'); self.end_headers(); self.wfile.write(b'ok')
            def log_message(self, *a): pass
        s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
        s.daemon_threads = True
        if len(sys.argv) > 2:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(sys.argv[1], sys.argv[2])
            s.socket = context.wrap_socket(s.socket, server_side=True)
        print(s.server_address[1], flush=True)
        s.serve_forever()
        """

    init(tls: (certificate: String, key: String)? = nil) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", Self.script] + (tls.map { [$0.certificate, $0.key] } ?? [])
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(0x0a) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let port = UInt16(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw TestUserManager.HarnessError.userManager("python3 http.server did not print its port")
        }
        self.port = port
    }

    func stop() {
        // SIGKILL: a child spawned from a test thread may inherit a mask that blocks SIGTERM.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

@Suite(.serialized) final class HealthProbeTests {
    let server: TestHTTPServer

    init() throws { server = try TestHTTPServer() }
    deinit { server.stop() }

    func probe(_ path: String, timeout: Duration = .seconds(2)) throws -> HealthProbe {
        try HealthProbe(parsing: "http://127.0.0.1:\(server.port)\(path)", timeout: timeout)
    }

    @Test func status200IsHealthy() async throws {
        let clock = ContinuousClock()
        let began = clock.now
        #expect(try await probe("/ok").check() == nil)
        print("measured: one health check against a local python http.server \(millis(clock.now - began))")
    }

    @Test func anotherStatusIsReported() async throws {
        let url = "http://127.0.0.1:\(server.port)/dip/api/ping"
        #expect(try await probe("/dip/api/ping").check() == .status(url: url, code: 503))
    }

    @Test func aSlowServerTimesOut() async throws {
        let clock = ContinuousClock()
        let began = clock.now
        let failure = try await probe("/slow", timeout: .milliseconds(300)).check()
        #expect(failure == .timedOut(url: "http://127.0.0.1:\(server.port)/slow", after: .milliseconds(300)))
        #expect(clock.now - began < .seconds(10))  // cut short, not the 30 s the server takes
    }

    @Test func aMissingPathIsNotHealthy() async throws {
        #expect(try await probe("/missing").check() == .status(url: "http://127.0.0.1:\(server.port)/missing", code: 503))
    }

    @Test func aClosedPortIsConnectionRefused() async throws {
        let checker = try probe("/ok")
        server.stop()
        #expect(await checker.check() == .connectFailed(url: "http://127.0.0.1:\(server.port)/ok", reason: String(cString: strerror(ECONNREFUSED))))
    }

    @Test func riseAndFallThroughTheMonitorWithARealServer() async throws {
        // The unit side is a fake that always runs; only the health side is real here.
        let script = HealthOnlyUnits()
        let monitor = ServiceMonitor(units: [], control: script, health: try probe("/ok"), monitorInterval: .milliseconds(50), healthFall: 2)
        await monitor.start()
        try await Task.sleep(for: .milliseconds(200))
        server.stop()
        var failures = monitor.failures.makeAsyncIterator()
        let failure = await failures.next()
        guard case .unhealthy(.connectFailed) = failure else { Issue.record("expected unhealthy, got \(String(describing: failure))"); return }
        await monitor.stop()
    }
}

struct HealthOnlyUnits: UnitControlling {
    func start(_ unit: String, timeout: Duration) async throws {}
    func stop(_ unit: String, timeout: Duration) async throws {}
    func status(of unit: String) async throws -> UnitStatus { UnitStatus(unit: unit, loadState: "loaded", activeState: "active", subState: "running") }
    func stateChanges(of unit: String) async throws -> AsyncStream<UnitStatus> { AsyncStream { $0.finish() } }
    func resetFailed(_ unit: String) async throws {}
}

/// https health checks against a real TLS server (python3 ssl) with a certificate made by
/// `openssl req` for this run: verified against `health_ca_file`, refused without it (the
/// system's roots do not know it), accepted with `health_tls_verify = false`.
@Suite(.serialized) final class HealthProbeTLSTests {
    let directory: URL
    let certificate: String
    let server: TestHTTPServer

    init() throws {
        directory = try ConfigFixtures.temporaryDirectory()
        certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", certificate]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else { throw TestUserManager.HarnessError.userManager("openssl req failed") }
        server = try TestHTTPServer(tls: (certificate, key))
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func httpsVerifiedAgainstTheCAFileIsHealthy() async throws {
        let clock = ContinuousClock()
        let began = clock.now
        #expect(try await HealthProbe(parsing: "https://localhost:\(server.port)/ok", caFile: certificate).check() == nil)
        print("measured: one https health check (TLS handshake included) \(millis(clock.now - began))")
        #expect(try await HealthProbe(parsing: "https://127.0.0.1:\(server.port)/ok", caFile: certificate).check() == nil)
        #expect(try await HealthProbe(parsing: "https://localhost:\(server.port)/other", caFile: certificate).check()
            == .status(url: "https://localhost:\(server.port)/other", code: 503))
    }

    @Test func anUnknownCertificateIsNotHealthy() async throws {
        let failure = try await HealthProbe(parsing: "https://localhost:\(server.port)/ok").check()
        guard case let .ioFailed(_, reason)? = failure else {
            Issue.record("expected a TLS failure, got \(String(describing: failure))")
            return
        }
        #expect(reason.contains("CERTIFICATE_VERIFY_FAILED") || reason.lowercased().contains("certificate"), "\(reason)")
    }

    @Test func verificationOffAcceptsAnyCertificate() async throws {
        #expect(try await HealthProbe(parsing: "https://localhost:\(server.port)/ok", verify: false).check() == nil)
    }

    @Test func anUnreadableCAFileIsAnErrorNamingIt() throws {
        #expect(throws: HealthProbeError.self) {
            try HealthProbe(url: HealthURL(parsing: "https://localhost/"), caFile: "/nonexistent/ca.pem")
        }
        do {
            _ = try HealthProbe(url: HealthURL(parsing: "https://localhost/"), caFile: "/nonexistent/ca.pem")
        } catch {
            #expect("\(error)".hasPrefix("health_ca_file /nonexistent/ca.pem:"), "\(error)")
        }
    }
}
