// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "haclusterd",
    products: [
        .executable(name: "haclusterd", targets: ["haclusterd"]),
        .executable(name: "hactl", targets: ["hactl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // C shims over the system libraries (Linux only).
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .systemLibrary(name: "CACL", pkgConfig: "libacl", providers: [.apt(["libacl1-dev"])]),

        // The cluster: config, wire protocol, the pure election state machine,
        // placement, the takeover sequence and the runtime that drives them.
        .target(
            name: "ClusterCore",
            dependencies: [
                "CSystemd",
                "CACL",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        // Fence agents as plugins, levels, delays, the watchdog.
        .target(
            name: "Fencing",
            dependencies: [
                "ClusterCore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The deterministic cluster simulation (used by tests and by the soak / bench tools).
        .target(
            name: "ClusterSimulation",
            dependencies: ["ClusterCore"]
        ),
        .executableTarget(
            name: "haclusterd",
            dependencies: [
                "ClusterCore",
                "Fencing",
                "CSystemd",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "hactl",
            dependencies: [
                "ClusterCore",
                "Fencing",
                "CACL",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Replays / soaks the simulation over many seeds (release build for the 100k-seed run).
        .executableTarget(
            name: "hasim",
            dependencies: [
                "ClusterSimulation",
                "ClusterCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "bench/hasim"
        ),
        // Cost of the wire layer and the state file (prints numbers).
        .executableTarget(
            name: "wirebench",
            dependencies: ["ClusterCore"],
            path: "bench/wirebench"
        ),
        // Test helpers shared by ClusterCoreTests and DaemonTests (a fake control handler,
        // child processes with a time limit, temporary users and directories).
        .target(
            name: "ControlTestSupport",
            dependencies: ["ClusterCore"],
            path: "Tests/ControlTestSupport"
        ),
        .testTarget(
            name: "ClusterCoreTests",
            dependencies: ["ClusterCore", "ClusterSimulation", "ControlTestSupport"]
        ),
        // Tests against real systemd managers, real sockets and the built binaries.
        .testTarget(
            name: "DaemonTests",
            dependencies: ["ClusterCore", "ControlTestSupport"]
        ),
        .testTarget(
            name: "FencingTests",
            dependencies: ["Fencing", "ClusterCore"],
            exclude: ["Fixtures"]
        ),
    ]
)
