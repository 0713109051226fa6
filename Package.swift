// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "memestream",
    products: [
        .executable(name: "memestream", targets: ["StreamApp"]),
        .library(name: "StreamCore", targets: ["StreamCore"]),
        .library(name: "KafkaBridge", targets: ["KafkaBridge"]),
        .library(name: "Aggregators", targets: ["Aggregators"]),
    ],
    targets: [
        // C libraries from Debian, reached through pkg-config.
        .systemLibrary(
            name: "CRdKafka",
            path: "Sources/CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .systemLibrary(
            name: "CZstd",
            path: "Sources/CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        .systemLibrary(
            name: "CXXHash",
            path: "Sources/CXXHash",
            providers: [.apt(["libxxhash-dev"])]
        ),
        // A header of our own: the compiler's prefetch hint and glibc's mallopt, which Swift does
        // not expose.
        .systemLibrary(name: "CMemory", path: "Sources/CMemory"),

        // Events, event time, watermarks, windows, keyed state, emission, checkpoints,
        // logging and metrics. No Kafka.
        .target(name: "StreamCore", dependencies: ["CZstd"]),
        // Swift over librdkafka: consumer, producer, admin, mock cluster.
        .target(name: "KafkaBridge", dependencies: ["CRdKafka", "StreamCore"]),
        // The aggregator protocol, the built-in aggregators and feature sets.
        .target(name: "Aggregators", dependencies: ["StreamCore", "CXXHash", "CMemory"]),
        // The `memestream` executable.
        .executableTarget(
            name: "StreamApp",
            dependencies: ["StreamCore", "KafkaBridge", "Aggregators", "CMemory"]
        ),

        .testTarget(name: "StreamCoreTests", dependencies: ["StreamCore"], exclude: ["Fixtures"]),
        .testTarget(name: "KafkaBridgeTests", dependencies: ["KafkaBridge", "StreamCore"]),
        .testTarget(name: "AggregatorsTests", dependencies: ["Aggregators", "StreamCore"], exclude: ["Fixtures"]),
        .testTarget(name: "StreamAppTests", dependencies: ["StreamApp", "StreamCore", "Aggregators", "KafkaBridge"]),
    ]
)

// Swift 6 language mode already enforces strict concurrency; these flags keep
// every target on the same footing.
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    // Release builds drop the run-time exclusivity checks on class properties and globals,
    // because they took about 40% of the worker thread's samples. The compiler's static checks
    // stay, and debug builds (and so the tests) keep the run-time checks.
    if target.type != .test {
        settings.append(.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)))
    }
    target.swiftSettings = settings
}
