import ClusterCore
import Foundation
import FuzzSupport

/// The seed corpus of fuzz-control (`FUZZ_WRITE_SEEDS=DIR fuzz-control`): one line per request
/// of every type (`ControlRequest.types`) and admin command, a connection carrying several
/// requests, and refused lines (wrong version, unknown type, missing keys, bad values).
enum ControlSeeds {
    static let requests: [(name: String, request: ControlRequest)] = [
        ("status", .status),
        ("events", .events(since: 1_700_000_000.5, limit: 20, follow: true)),
        ("eventsAll", .events(since: nil, limit: nil, follow: false)),
        ("adminEnable", .admin(.enable)),
        ("adminDisable", .admin(.disable)),
        ("adminMove", .admin(.move(node: "dss2", lifetime: .seconds(600)))),
        ("adminMoveAway", .admin(.move(node: nil, lifetime: nil))),
        ("adminBan", .admin(.ban(node: "dss1", lifetime: .milliseconds(1500)))),
        ("adminClear", .admin(.clear(node: "dss1"))),
        ("adminStandby", .admin(.standby(node: "dss3"))),
        ("adminUnstandby", .admin(.unstandby(node: "dss3"))),
        ("adminMaintenance", .admin(.maintenance(on: true))),
        ("adminCleanup", .admin(.cleanup(node: nil))),
        ("fence", .fence(node: "dss2")),
        ("fenceConfirm", .fenceConfirm(node: "dss1")),
        ("quorumUnblock", .quorumUnblock),
        ("checkStoragePeer", .checkStoragePeer(StoragePeerProbe(
            node: "dss2", path: "/data", markerFile: ".m", token: "abc", lockFile: ".lock", user: "dataiku"))),
        ("checkStoragePeerMinimal", .checkStoragePeer(StoragePeerProbe(node: "dss1", path: "/srv/shared"))),
        ("reload", .reload),
    ]

    static let refused: [(name: String, line: String)] = [
        ("noVersion", #"{"id":1,"request":{"type":"status"}}"#),
        ("version2", #"{"v":2,"id":5,"request":{"type":"status"}}"#),
        ("noRequest", #"{"v":1,"id":1}"#),
        ("unknownType", #"{"v":1,"id":1,"request":{"type":"reboot"}}"#),
        ("unknownCommand", #"{"v":1,"id":1,"request":{"type":"admin","command":{"type":"explode"}}}"#),
        ("banNoNode", #"{"v":1,"id":1,"request":{"type":"admin","command":{"type":"ban"}}}"#),
        ("negativeLifetime", #"{"v":1,"id":1,"request":{"type":"admin","command":{"type":"ban","node":"a","lifetime_ms":-5}}}"#),
        ("nodeNotString", #"{"v":1,"id":1,"request":{"type":"fence","node":17}}"#),
        ("idNotNumber", #"{"v":1,"id":"x","request":{"type":"status"}}"#),
        ("notJSON", "status please"),
    ]

    static func write(to directory: String) {
        var connection = Data()
        for (index, (name, request)) in requests.enumerated() {
            guard let line = try? ControlProtocol.encodeRequest(request, id: UInt64(index + 1)) else {
                FuzzControl.finding.fail("cannot encode the seed \(name)")
            }
            SeedFile.write(line, to: directory, name: "request-\(name)")
            connection.append(line)
        }
        SeedFile.write(connection, to: directory, name: "connection-every-request")
        for (name, line) in refused {
            SeedFile.write(Data((line + "\n").utf8), to: directory, name: "refused-\(name)")
        }
        // Two requests on one connection, the last without its newline (still a request).
        SeedFile.write(Data((#"{"v":1,"id":1,"request":{"type":"status"}}"# + "\n" + #"{"v":1,"id":2,"request":{"type":"reload"}}"#).utf8),
                       to: directory, name: "connection-last-line-unterminated")
    }
}
