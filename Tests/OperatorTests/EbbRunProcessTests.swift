import BrokerScaling
import EbbTestSupport
import Foundation
import KubernetesClient
import Operator
import Simulator
import Testing

/// The `ebb run` binary, as a process of its own, against the simulator's Kubernetes and Kafka
/// faces: it follows a pool's replicas, serves /metrics and /readyz, and stops cleanly on SIGTERM.
struct EbbRunProcessTests {
    @Test func ebbRunScalesAPoolServesMetricsAndStopsOnSIGTERM() async throws {
        let shop = try await ShopWorld.make(partitions: 12)
        let (kube, kafka, world, kafkaServer) = (shop.kube, shop.kafka, shop.world, shop.kafkaServer)
        let kubeServer = try await KubernetesFaceServer.start(world: kube, bookmarkInterval: 1)
        let kubeconfig = FileManager.default.temporaryDirectory.appendingPathComponent("ebb-run-\(UUID().uuidString).yaml")
        try """
        apiVersion: v1
        kind: Config
        current-context: face
        clusters: [{name: face, cluster: {server: "\(kubeServer.url)"}}]
        contexts: [{name: face, context: {cluster: face, namespace: shop}}]
        users: []
        """.write(to: kubeconfig, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: kubeconfig) }
        let metricsPort = RealParts.freePort()
        let process = Process()
        process.executableURL = RealParts.ebb
        process.arguments = [
            "run", "--kubeconfig", kubeconfig.path, "--namespace", "shop", "--metrics-bind-address", "127.0.0.1:\(metricsPort)", "--log-format",
            "json"
        ]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()

        let client = try Kubernetes(try KubernetesConfiguration(server: kubeServer.url), timeout: .seconds(5))
        let metricsHTTP = try HTTPEndpoint(
            HTTPEndpointConfiguration(address: ServerAddress("http://127.0.0.1:\(metricsPort)")!, peer: "ebb run", limits: .kubernetes))
        let start = MonotonicTime.now
        var metrics = ""
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    world.tick(now: MonotonicTime.now - start + 1)
                    try? await Task.sleep(for: .milliseconds(50))
                }
            }
            try await OperatorAgainstFacesTests.eventually("ready") {
                (try? await metricsHTTP.send(.GET, "/readyz", timeout: .seconds(2)))?.status == 200
            }
            _ = try await client.setReplicas(BrokerPool.self, namespace: "shop", name: "shop-events", replicas: 4)
            try await OperatorAgainstFacesTests.eventually("scaled out to 4 and rebalanced") {
                let pool = try await client.get(BrokerPool.self, namespace: "shop", name: "shop-events")
                return pool.status?.state == .stable && !kafka.partitions(on: 1003).isEmpty
            }
            let answer = try await metricsHTTP.send(.GET, "/metrics", timeout: .seconds(2))
            metrics = String(decoding: answer.body, as: UTF8.self)
            group.cancelAll()
        }
        kill(process.processIdentifier, SIGTERM)
        let stopped = ContinuousClock.now
        while process.isRunning, ContinuousClock.now - stopped < .seconds(15) { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning, "ebb run stops on SIGTERM")
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        await kubeServer.stop()
        await kafkaServer.stop()

        #expect(process.terminationStatus == 0, "\(log.suffix(2000))")
        #expect(metrics.contains("ebb_pool_desired_replicas{pool=\"shop/shop-events\"} 4.0"), "\(metrics)")
        #expect(metrics.contains("ebb_partition_moves_submitted_total"))
        #expect(log.contains("\"message\":\"decision\"") && log.contains("\"message\":\"plan submitted\""), "\(log.suffix(2000))")
        #expect(log.contains("\"message\":\"stopped\""))
        #expect(world.violations.isEmpty)
    }
}
