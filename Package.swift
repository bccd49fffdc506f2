// swift-tools-version: 6.2
import PackageDescription

// Targets, arrows pointing down (README, "Where things live"):
//
//   haclusterd (main)        hactl (+ CACL)     hasim, wirebench
//        |                     |      \            |
//   ClusterNode (+ CSystemd, NIO)      \     ClusterSimulation
//        |          \                   \          |
//        |        Fencing ---------------+         |
//        |          |                              |
//   ClusterHost (+ CLinux, Logging) ----+          |
//        |                                         |
//   ClusterCore (pure: Crypto) <--------------------+
//
// haclusterd and hactl also use BuildInfo (the commit they are built from, for --version).
// EtcdBackend (over ClusterHost, + gRPC) is built with the default trait "Etcd" only.
let strict: [SwiftSetting] = [.enableUpcomingFeature("MemberImportVisibility")]

let package = Package(
    name: "haclusterd",
    products: [
        .executable(name: "haclusterd", targets: ["haclusterd"]),
        // The daemon with the etcd backend ([cluster] backend = "etcd"; haclusterd runs it in its place).
        .executable(name: "haclusterd-etcd", targets: ["haclusterd-etcd"]),
        .executable(name: "hactl", targets: ["hactl"]),
        // For the libFuzzer targets of fuzz/Package.swift (a package of their own).
        .library(name: "ClusterCore", targets: ["ClusterCore"]),
    ],
    // "Etcd" (on by default) builds the etcd coordination backend ([cluster] backend = "etcd")
    // and its gRPC client. `swift build --disable-default-traits` leaves it out: a build as fast as
    // one without gRPC, whose daemon refuses backend = "etcd" with a message saying so.
    traits: [
        .trait(name: "Etcd", description: "The etcd coordination backend (gRPC client of etcd's v3 API)"),
        .default(enabledTraits: ["Etcd"]),
    ],
    // Exact versions: every build, CI's included, uses the same dependencies (Package.resolved is
    // not committed). Their own dependencies (swift-asn1, swift-atomics, swift-collections) follow
    // from these. Raise a version here, on purpose, in a commit of its own.
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
        .package(url: "https://github.com/apple/swift-system", exact: "1.8.1"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        // The etcd backend (trait "Etcd"): etcd's gRPC API, with the code scripts/generate-etcd-api
        // generated from its .proto files committed (no build runs protoc).
        .package(url: "https://github.com/grpc/grpc-swift-2", exact: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", exact: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
    ],
    targets: [
        // C shims (Linux only): libsystemd, libacl, and libc calls Swift's Glibc module hides.
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .systemLibrary(name: "CACL", pkgConfig: "libacl", providers: [.apt(["libacl1-dev"])]),
        .target(name: "CLinux"),

        // The commit the binaries are built from, for `--version`: the BuildCommit plugin writes
        // it before each build (only when it changed). Used by the executables, never by ClusterCore.
        .plugin(name: "BuildCommit", capability: .buildTool()),
        .target(name: "BuildInfo", swiftSettings: strict, plugins: ["BuildCommit"]),

        // Pure: the election state machine, placement, events, the wire codec, the config
        // model and rules, control values, and the ports the takeover sequence drives.
        // No clocks, sockets, files or processes (scripts/check-core-purity).
        .target(
            name: "ClusterCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // The operating system's side: processes, addresses, the state file, logging, the
        // health probe, the storage lock, the control client, secrets, the config file,
        // the clock, the self-fence.
        .target(
            name: "ClusterHost",
            dependencies: [
                "ClusterCore",
                "CLinux",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strict
        ),
        // Fence agents as plugins, levels, delays, the watchdog.
        .target(
            name: "Fencing",
            dependencies: ["ClusterHost", "CLinux"],
            swiftSettings: strict
        ),
        // The running node: the runtime's event loop and UDP links, the takeover sequence,
        // systemd over sd-bus, the control server, and the daemon's wiring.
        .target(
            name: "ClusterNode",
            dependencies: [
                "ClusterHost",
                "Fencing",
                "CSystemd",
                "CLinux",
                "CACL",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "SystemPackage", package: "swift-system"),
                // The opt-in Prometheus endpoint ([metrics] listen).
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        // The etcd backend: leadership and admin state in an existing etcd cluster, through
        // etcd's gRPC API (Generated/: etcd's messages and clients, scripts/generate-etcd-api).
        .target(
            name: "EtcdBackend",
            dependencies: [
                "ClusterHost",
                // Only with the trait: without it, nothing of gRPC is compiled (every source of
                // the target is inside `#if Etcd`, so the target builds empty).
                .product(name: "GRPCCore", package: "grpc-swift-2", condition: .when(traits: ["Etcd"])),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport", condition: .when(traits: ["Etcd"])),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf", condition: .when(traits: ["Etcd"])),
                .product(name: "SwiftProtobuf", package: "swift-protobuf", condition: .when(traits: ["Etcd"])),
            ],
            exclude: ["Generated/README.md"],
            swiftSettings: strict
        ),
        // The deterministic cluster simulation (used by tests and by the soak / bench tools).
        .target(
            name: "ClusterSimulation",
            dependencies: ["ClusterCore"],
            swiftSettings: strict
        ),
        // The etcd backend's runtime (EtcdRuntime: drives EtcdCoordinator), linked only into
        // haclusterd-etcd, so that the built-in daemon loads no gRPC, swift-protobuf or Foundation.
        .target(
            name: "ClusterNodeEtcd",
            dependencies: [
                "ClusterNode",
                .target(name: "EtcdBackend", condition: .when(traits: ["Etcd"])),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The daemon's command line, shared by haclusterd and haclusterd-etcd.
        .target(
            name: "DaemonMain",
            dependencies: [
                "BuildInfo",
                "ClusterCore",
                "ClusterNode",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "haclusterd",
            dependencies: ["DaemonMain"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "haclusterd-etcd",
            dependencies: [
                "DaemonMain",
                .target(name: "ClusterNodeEtcd", condition: .when(traits: ["Etcd"])),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "hactl",
            dependencies: [
                "BuildInfo",
                "ClusterHost",
                "Fencing",
                "CACL",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strict
        ),
        // Replays / soaks the simulation over many seeds (release build for the 100k-seed run).
        .executableTarget(
            name: "hasim",
            dependencies: [
                "ClusterSimulation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "bench/hasim",
            swiftSettings: strict
        ),
        // Cost of the wire layer, the state file, the storage lock and the arbiter file (prints numbers).
        .executableTarget(
            name: "wirebench",
            dependencies: ["ClusterHost"],
            path: "bench/wirebench",
            swiftSettings: strict
        ),
        // Pure test fixtures: the spec's status report, configuration texts.
        .target(
            name: "CoreTestSupport",
            dependencies: ["ClusterCore"],
            path: "Tests/CoreTestSupport",
            swiftSettings: strict
        ),
        // Test helpers with I/O shared by the test targets (a fake control handler, child
        // processes with a time limit, temporary users and directories).
        .target(
            name: "ControlTestSupport",
            dependencies: ["ClusterHost", "CoreTestSupport"],
            path: "Tests/ControlTestSupport",
            swiftSettings: strict
        ),
        // A real etcd cluster for tests (Debian's etcd-server on loopback), with the trait only.
        .target(
            name: "EtcdTestSupport",
            dependencies: [
                .target(name: "EtcdBackend", condition: .when(traits: ["Etcd"])),
                "ControlTestSupport",
            ],
            path: "Tests/EtcdTestSupport",
            swiftSettings: strict
        ),
        // Pure tests: no sockets, files, processes or clocks.
        .testTarget(
            name: "ClusterCoreTests",
            dependencies: ["ClusterCore", "ClusterSimulation", "CoreTestSupport"],
            swiftSettings: strict
        ),
        // Real I/O inside the process: loopback runtimes, the control server, the state
        // file, the takeover sequence with real parts.
        .testTarget(
            name: "ClusterNodeTests",
            dependencies: ["ClusterNode", "ControlTestSupport", "CoreTestSupport"],
            // Documents the TOML parser is compared on with Python's tomllib.
            exclude: ["TOMLCases"],
            swiftSettings: strict
        ),
        // Tests against real systemd managers, real sockets and the built binaries.
        .testTarget(
            name: "DaemonTests",
            dependencies: ["ClusterNode", "ControlTestSupport", "CoreTestSupport", "EtcdTestSupport", "hactl"],
            swiftSettings: strict
        ),
        // The etcd client and election against a real etcd cluster (etcd-server, started by the tests).
        .testTarget(
            name: "EtcdBackendTests",
            dependencies: [
                .target(name: "EtcdBackend", condition: .when(traits: ["Etcd"])),
                .target(name: "ClusterNodeEtcd", condition: .when(traits: ["Etcd"])),
                "ClusterNode",
                "ControlTestSupport",
                "EtcdTestSupport",
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FencingTests",
            dependencies: ["Fencing"],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
    ]
)
