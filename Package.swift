// swift-tools-version: 6.1
import Foundation
import PackageDescription

// Ebb: an autoscaler for diskless Kafka broker pools on Kubernetes.
//
// Module layering (arrows point at dependencies; Docs/architecture.md says what each holds):
//   ebb (CLI) -> CampaignComparison -> { Simulator, Operator }
//   Operator -> { BrokerMetrics, KubernetesClient, KafkaAdmin, BrokerScaling }
//   BrokerMetrics -> { KubernetesClient, KafkaAdmin, BrokerScaling }
//   Simulator -> { KafkaAdmin, BrokerScaling }
//   KubernetesClient -> { KubernetesTypes, Resilience };  KafkaAdmin -> Resilience
//   BrokerScaling -> KubernetesTypes
// BrokerScaling is the pure domain: no I/O, no clock reads. KubernetesClient knows no BrokerPool.
let package = Package(
    name: "Ebb",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ebb", targets: ["ebb"]),
        .library(name: "BrokerScaling", targets: ["BrokerScaling"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        // Tests only: the real parts and `ebb` itself are run as processes through it.
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2")
    ],
    targets: [
        // Kubernetes' own vocabulary (object metadata, its time formats): shared by the client and the domain.
        .target(name: "KubernetesTypes"),
        .target(
            name: "BrokerScaling",
            dependencies: ["KubernetesTypes", .product(name: "Yams", package: "Yams"), .product(name: "HeapModule", package: "swift-collections")]),
        // One pure Backoff for every retry loop (watcher, work queue, Kafka client), and Duration's seconds.
        .target(name: "Resilience"),
        .target(
            name: "KubernetesClient",
            dependencies: [
                "KubernetesTypes", "Resilience", .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client")
            ],
            exclude: ["README.md"]
        ),
        .target(
            name: "KafkaAdmin",
            dependencies: [
                "Resilience",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto")
            ],
            exclude: ["README.md"]
        ),
        // Not "Metrics": swift-metrics owns that module name.
        .target(
            name: "BrokerMetrics",
            dependencies: [
                "BrokerScaling", "KubernetesTypes", "KubernetesClient", "KafkaAdmin", .product(name: "NIOConcurrencyHelpers", package: "swift-nio")
            ]),
        .target(
            name: "Simulator",
            dependencies: [
                "BrokerScaling", "KubernetesTypes", "KafkaAdmin", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"), .product(name: "HummingbirdCore", package: "hummingbird")
            ]
        ),
        // `ebb simulate`'s comparison: the same traffic against every strategy, Ebb's own reconcile among them.
        .target(
            name: "CampaignComparison",
            dependencies: [
                "Simulator", "Operator", "BrokerScaling", "KubernetesTypes", "Resilience", .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio")
            ]
        ),
        .target(
            name: "Operator",
            dependencies: [
                "BrokerScaling", "KubernetesTypes", "KubernetesClient", "KafkaAdmin", "BrokerMetrics", "Resilience",
                .product(name: "Logging", package: "swift-log"), .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "NIOConcurrencyHelpers", package: "swift-nio")
            ]
        ),
        .executableTarget(
            name: "ebb",
            dependencies: [
                "BrokerScaling", "KubernetesTypes", "Operator", "Simulator", "CampaignComparison", "KafkaAdmin", "KubernetesClient", "BrokerMetrics",
                "Resilience", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"), .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
            ]
        ),
        // What several test targets share: real parts (Tansu, kubectl), processes, certificates.
        .target(
            name: "EbbTestSupport",
            dependencies: [
                .product(name: "Subprocess", package: "swift-subprocess"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOConcurrencyHelpers", package: "swift-nio")
            ],
            path: "Tests/Support"),
        .testTarget(
            name: "BrokerScalingTests",
            dependencies: ["BrokerScaling", "KubernetesTypes", "Resilience", "EbbTestSupport", .product(name: "Yams", package: "Yams")],
            exclude: ["Fixtures"]),
        // `ebb simulate --serve`, real Prometheus, real kubectl and `ebb run` as processes, with chaos.
        .testTarget(name: "EndToEndTests", dependencies: ["EbbTestSupport", "BrokerScaling", "ebb"]),
        .testTarget(
            name: "KubernetesClientTests",
            dependencies: [
                "KubernetesClient", "KubernetesTypes", "BrokerMetrics", "Simulator", "Operator", "EbbTestSupport",
                .product(name: "Yams", package: "Yams")
            ],
            exclude: ["Fixtures"]),
        .testTarget(name: "KafkaAdminTests", dependencies: ["KafkaAdmin", "ebb", "EbbTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "BrokerMetricsTests", dependencies: ["BrokerMetrics", "BrokerScaling"]),
        .testTarget(
            name: "OperatorTests",
            dependencies: [
                "Operator", "BrokerScaling", "BrokerMetrics", "KubernetesTypes", "KubernetesClient", "KafkaAdmin", "Resilience", "Simulator",
                "EbbTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio")
            ]
        ),
        .testTarget(
            name: "SimulatorTests",
            dependencies: [
                "Simulator", "CampaignComparison", "KafkaAdmin", "EbbTestSupport", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl")
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "EbbCLITests", dependencies: ["ebb", "EbbTestSupport"])
    ]
)

// Benchmarks (Benchmarks/) build only when asked, so that `swift test` stays one quick debug build:
//   EBB_BENCHMARKS=1 swift package benchmark
if ProcessInfo.processInfo.environment["EBB_BENCHMARKS"] != nil {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]))
    for name in ["DecisionBenchmarks", "PlannerBenchmarks"] {
        package.targets.append(
            .executableTarget(
                name: name,
                dependencies: ["BrokerScaling", .product(name: "Benchmark", package: "benchmark")],
                path: "Benchmarks/\(name)",
                plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
            ))
    }
    // Not an ordo-one benchmark: its baseline is another program (kafka-python), timed in the same run.
    package.targets.append(
        .executableTarget(name: "MetadataDecodeComparison", dependencies: ["KafkaAdmin"], path: "Benchmarks/MetadataDecodeComparison"))
}
