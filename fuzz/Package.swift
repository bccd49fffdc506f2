// swift-tools-version: 6.2
import PackageDescription

// libFuzzer targets for the decoders that read untrusted bytes (see DEVELOPERS.md, "Fuzzing").
// A package of its own: each target defines LLVMFuzzerTestOneInput and gets its main from
// libFuzzer, so it only links when built with `--sanitize=fuzzer`, which a plain `swift build`
// of the main package does not do. Built and run by scripts/fuzz.
let fuzzTarget: [SwiftSetting] = [
    .enableUpcomingFeature("MemberImportVisibility"),
    // No top-level code and no @main: libFuzzer provides main().
    .unsafeFlags(["-parse-as-library"]),
]

let package = Package(
    name: "haclusterd-fuzz",
    // No dependency of its own: swift-crypto and the rest come through the main package, at the
    // exact versions its Package.swift names.
    dependencies: [
        .package(name: "haclusterd", path: ".."),
    ],
    targets: [
        // What every target shares: reporting a finding, writing a seed.
        .target(
            name: "FuzzSupport",
            swiftSettings: [.enableUpcomingFeature("MemberImportVisibility")]
        ),
        // The datagram path: header, AEAD open, replay window, payload decoders.
        .executableTarget(
            name: "fuzz-wire",
            dependencies: [.product(name: "ClusterCore", package: "haclusterd"), "FuzzSupport"],
            swiftSettings: fuzzTarget
        ),
        // Control socket lines and request decoding.
        .executableTarget(
            name: "fuzz-control",
            dependencies: [.product(name: "ClusterCore", package: "haclusterd"), "FuzzSupport"],
            swiftSettings: fuzzTarget
        ),
        // The configuration loader (TOML, keys, rules).
        .executableTarget(
            name: "fuzz-config",
            dependencies: [.product(name: "ClusterCore", package: "haclusterd")],
            swiftSettings: fuzzTarget
        ),
    ]
)
