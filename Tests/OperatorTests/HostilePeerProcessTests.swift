import BrokerScaling
import EbbTestSupport
import Foundation
import KubernetesClient
import Simulator
import Testing

/// `ebb run` as a process against peers that answer with a body without end (issue 18's
/// second attack: one pool's Prometheus address took the operator to 2.1 GB, a hostile API
/// server to 7.6 GB). The process stays far under the Deployment's 256 MiB limit, and says
/// which peer sent too much.
@Suite(.serialized)
struct HostilePeerProcessTests {
    static let memoryLimit = 256 << 20

    /// Starts `ebb run` with its log in a file; `body` runs while its memory is sampled.
    static func withEbbRun(
        kubeconfig server: String, arguments: [String], _ body: (_ log: @Sendable () -> String) async throws -> Void
    ) async throws -> (peak: Int, samples: Int, measured: Bool, log: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ebb-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let kubeconfig = directory.appendingPathComponent("kubeconfig.yaml")
        try """
        apiVersion: v1
        kind: Config
        current-context: face
        clusters: [{name: face, cluster: {server: "\(server)"}}]
        contexts: [{name: face, context: {cluster: face, namespace: shop}}]
        users: []
        """.write(to: kubeconfig, atomically: true, encoding: .utf8)
        let logFile = directory.appendingPathComponent("ebb.log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let process = Process()
        process.executableURL = RealParts.ebb
        process.arguments =
            [
                "run", "--kubeconfig", kubeconfig.path, "--namespace", "shop", "--metrics-bind-address", "127.0.0.1:\(RealParts.freePort())",
                "--log-format", "json"
            ] + arguments
        process.standardError = try FileHandle(forWritingTo: logFile)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let memory = ResidentMemory(watching: process.processIdentifier)
        let path = logFile.path
        let read: @Sendable () -> String = { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        do {
            try await body(read)
        } catch {
            memory.stop()
            process.terminate()
            process.waitUntilExit()
            throw error
        }
        memory.stop()
        kill(process.processIdentifier, SIGTERM)
        let stopped = ContinuousClock.now
        while process.isRunning, ContinuousClock.now - stopped < TestTime.scaled(.seconds(15)) { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return (memory.peakBytes, memory.sampleCount, memory.highWaterMarkRead, read())
    }

    @Test(arguments: [HostileHTTPServer.Body.endless, .declared(1 << 30)])
    func anEndlessAPIServerAnswerIsRefusedUnder256MiB(_ kind: HostileHTTPServer.Body) async throws {
        let server = try await HostileHTTPServer.start(kind)
        let url = server.url
        let run = try await Self.withEbbRun(kubeconfig: url, arguments: []) { log in
            try await TestTime.eventually("ebb run refuses the API server's endless answers, again after a backoff", within: .seconds(30)) {
                log().contains("sent an answer over the 16 MiB limit") && server.hostileAnswers >= 3
            }
        }
        await server.stop()
        #expect(run.measured, "the peak was read (the kernel's high-water mark, VmHWM, at the end; \(run.samples) samples before)")
        #expect(run.peak < Self.memoryLimit, "ebb run's resident memory peaked at \(run.peak >> 20) MiB")
        print("ebb run against an API server answering \(kind): peak RSS \(run.peak >> 20) MiB over \(run.samples) samples")
        #expect(
            run.log.contains("the API server at \(url)") || run.log.contains("the API server at \(url.replacingOccurrences(of: "/", with: "\\/"))"),
            "the log names the peer: \(run.log.suffix(1500))")
    }

    @Test func anEndlessPrometheusAnswerIsRefusedUnder256MiB() async throws {
        let prometheus = try await HostileHTTPServer.start(.endless)
        let url = prometheus.url
        let shop = try await ShopWorld.make(
            partitions: 6,
            extraSpec: """
                  metrics:
                  - type: Prometheus
                    name: load
                    prometheus: {query: "sum(rate(requests_total[1m]))", target: {type: Value, value: "10"}}
                """)
        let kubeServer = try await KubernetesFaceServer.start(world: shop.kube, bookmarkInterval: 1)
        let client = try Kubernetes(try KubernetesConfiguration(server: kubeServer.url), timeout: .seconds(5))
        var message = ""
        let run = try await Self.withEbbRun(kubeconfig: kubeServer.url, arguments: ["--prometheus-url", url]) { _ in
            let start = MonotonicTime.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        shop.world.tick(now: MonotonicTime.now - start + 1)
                        try await Task.sleep(for: .milliseconds(50))
                    }
                }
                try await TestTime.eventually("the pool's status says which Prometheus sent too much, after several polls", within: .seconds(30)) {
                    let pool = try await client.get(BrokerPool.self, namespace: "shop", name: "shop-events")
                    message = pool.status?.currentMetrics?.first { $0.name == "load" }?.message ?? ""
                    return message.contains("limit") && prometheus.hostileAnswers >= 3
                }
                group.cancelAll()
            }
        }
        await kubeServer.stop()
        await shop.kafkaServer.stop()
        await prometheus.stop()
        #expect(run.measured, "the peak was read (the kernel's high-water mark, VmHWM, at the end; \(run.samples) samples before)")
        #expect(run.peak < Self.memoryLimit, "ebb run's resident memory peaked at \(run.peak >> 20) MiB")
        print("ebb run against an endless Prometheus: peak RSS \(run.peak >> 20) MiB over \(run.samples) samples")
        #expect(message == "query Prometheus: Prometheus at \(url) sent an answer over the 4 MiB limit; it was dropped", "\(message)")
    }
}
