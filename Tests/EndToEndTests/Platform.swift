import EbbTestSupport
import Foundation
import Testing

/// The platform an end-to-end test runs: the served world, Prometheus scraping it, the CRD and
/// a BrokerPool applied with kubectl, and `ebb run` processes (one at a time, restarted after
/// each kill) whose logs are kept, one file each.
final class Platform: @unchecked Sendable {
    let directory: URL
    let kubectl: URL
    let prometheusBinary: URL
    let simulator: Launched
    let addresses: [String: Any]
    let prometheusPort = RealParts.freePort()
    let operatorMetricsPort = RealParts.freePort()
    var prometheus: Launched?
    var operators: [Launched] = []
    /// The /metrics and /readyz port of each operator started with an identity.
    var operatorPorts: [String: Int] = [:]
    /// World seconds: the last spike's decay ends at `outageAt - 5`; the test is done after `scenarioSeconds`.
    let outageAt: Double
    let scenarioSeconds: Double

    struct World: Decodable {
        var seconds: Double
        var brokers: [Int]
        var partitionsByBroker: [String: Int]
        var movesCompleted: Int
        var reassigning: Int
        var violations: [String]
        var faults: [String: Int]
        var operatorAPI: OperatorAPI
    }

    /// What the operator did on the Kubernetes API, from the face's request log.
    struct OperatorAPI: Decodable {
        var requests: Int
        var repeatedScaleWrites: [String]
        var repeatedEvents: [String]
        var staleStatusConflicts: [String]
        var forbidden: [String]
        var unusedGrants: [String]

        /// Grants a run may leave unused because it does not use the feature they serve: without
        /// leader election, Leases. (The test pool's SASL credentials come from a Secret.)
        func unexplainedUnusedGrants(leaderElection: Bool) -> [String] {
            unusedGrants.filter { grant in leaderElection || !grant.contains("leases") }
        }

        /// Everything that shows the operator acted twice on one state, or was refused.
        var defects: [String] {
            repeatedScaleWrites.map { "repeated scale write: \($0)" } + repeatedEvents.map { "repeated Event: \($0)" }
                + staleStatusConflicts.map { "status write refused as stale: \($0)" } + forbidden.map { "forbidden: \($0)" }
        }
    }

    struct PoolState {
        var state: String
        var metricsAvailable: String
        var metricsMessage: String
        /// The AbleToScale condition's reason and message: why a Blocked pool is blocked.
        var ableToScale: String
    }

    private init(directory: URL, kubectl: URL, prometheus: URL, simulator: Launched, addresses: [String: Any], outageAt: Double) {
        self.directory = directory
        self.kubectl = kubectl
        prometheusBinary = prometheus
        self.simulator = simulator
        self.addresses = addresses
        self.outageAt = outageAt
        scenarioSeconds = outageAt + 25
    }

    /// `count` spikes, 130 world seconds each: 30 s at baseline, a 4× ramp over 20 s, 50 s at
    /// peak, back to baseline over 20 s.
    static func spikes(_ count: Int) -> [(seconds: Int, multiplier: Int)] {
        (0..<count).flatMap { spike in [(0, 1), (30, 1), (50, 4), (100, 4), (120, 1)].map { (spike * 130 + $0.0, $0.1) } }
    }

    static func start(
        kubectl: URL, prometheus: URL, points scenario: [(seconds: Int, multiplier: Int)], outageAt: Double, simulateArguments: [String] = [],
        kafkaSASL: Bool = true
    ) async throws -> Platform {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ebb-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let points = scenario.map { t, multiplier in
            "  - {at: \"\(String(format: "%02d:%02d:%02d", t / 3600, t / 60 % 60, t % 60))\", multiplier: \(multiplier)}\n"
        }.joined()
        try "name: e2e\ndescription: spikes for the end-to-end test\npoints:\n\(points)".write(
            to: directory.appendingPathComponent("scenario.yaml"), atomically: true, encoding: .utf8)
        let simulator = try Launched(
            "simulate", RealParts.ebb,
            [
                "simulate", "--serve", "--scenario", "scenario.yaml", "--pod-start-seconds", "5", "--output", "json",
                "--kubeconfig-out", "kubeconfig", "--pool-out", "pool.yaml"
            ] + (kafkaSASL ? ["--kafka-sasl"] : []) + simulateArguments, in: directory)
        var addresses: [String: Any]?
        let printed = Date().addingTimeInterval(TestTime.scaled(seconds: 10))
        while addresses == nil, Date() < printed {
            try await Task.sleep(for: .milliseconds(50))
            if let line = simulator.output.split(separator: "\n").first {
                addresses = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            }
        }
        guard let addresses else {
            await simulator.stop()
            throw Failure("ebb simulate --serve did not print its addresses: \(simulator.errors)")
        }
        let platform = Platform(
            directory: directory, kubectl: kubectl, prometheus: prometheus, simulator: simulator, addresses: addresses,
            outageAt: outageAt)
        let metrics = (addresses["metrics"] as? String ?? "").replacingOccurrences(of: "http://", with: "").replacingOccurrences(
            of: "/metrics", with: "")
        try """
        global: {scrape_interval: 1s, evaluation_interval: 1s}
        scrape_configs:
          - job_name: ebb-simulate
            honor_labels: true
            static_configs: [{targets: ["\(metrics)"]}]
        """.write(to: directory.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)
        try platform.startPrometheus()
        return platform
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    func startPrometheus() throws {
        prometheus = try Launched(
            "prometheus-\(operators.count)", prometheusBinary,
            [
                "--config.file=prometheus.yml", "--web.listen-address=127.0.0.1:\(prometheusPort)", "--storage.tsdb.path=tsdb"
            ], in: directory)
    }

    func stopPrometheus() async {
        await prometheus?.stop()
        prometheus = nil
    }

    func kubectl(_ arguments: [String], input: String? = nil) async throws -> RealParts.Run {
        try await RealParts.run(kubectl, ["--kubeconfig", directory.appendingPathComponent("kubeconfig").path] + arguments, input: input)
    }

    /// The CRD from Manifests/ and a pool sized for the spikes, applied with kubectl.
    func applyPool() async throws {
        let crd = try await kubectl(["apply", "-f", RealParts.root.appendingPathComponent("Manifests/crd").path])
        #expect(crd.status == 0, "\(crd.stderr)")
        let pool = try await kubectl(
            ["apply", "-f", "-"],
            input: """
                apiVersion: ebb.io/v1alpha1
                kind: BrokerPool
                metadata: {name: shop-events, namespace: shop}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: StatefulSet, name: automq-broker}
                  kafka:
                    bootstrapServers: ["\(addresses["kafka"] as? String ?? "")"]
                    requestTimeoutSeconds: 3
                    sasl: {mechanism: SCRAM-SHA-512, credentialsSecretRef: {name: kafka-credentials}, allowWithoutTLS: true}
                  minReplicas: 3
                  maxReplicas: 16
                  pollingIntervalSeconds: 2
                  metrics:
                    - type: BrokerThroughput
                      name: bytes-in
                      brokerThroughput:
                        direction: In
                        target: {type: AverageValue, averageValue: 105Mi}
                        offeredQuery: 'sum(rate(producer_offered_bytes_total{namespace="$namespace"}[1m]))'
                    - type: ConsumerLag
                      name: lag
                      consumerLag: {group: shop-consumers, target: {type: AverageValue, averageValue: "200000"}}
                  behavior:
                    scaleDown: {stabilizationWindowSeconds: 20}
                """)
        #expect(pool.status == 0, "\(pool.stderr)")
    }

    /// `ebb run`; with an identity, with leader election (the Lease in namespace shop) and
    /// /metrics on a port of its own.
    func startOperator(identity: String? = nil) throws -> Launched {
        let port = identity == nil ? operatorMetricsPort : RealParts.freePort()
        // As the operator's ServiceAccount: the face holds it to the shipped RBAC.
        var arguments = [
            "run", "--kubeconfig", "kubeconfig", "--context", "ebb-operator", "--namespace", "shop", "--prometheus-url",
            "http://127.0.0.1:\(prometheusPort)",
            "--metrics-bind-address", "127.0.0.1:\(port)", "--log-format", "json"
        ]
        if let identity {
            arguments += ["--leader-elect", "--leader-election-namespace", "ebb-system", "--identity", identity]
            operatorPorts[identity] = port
        }
        let launched = try Launched("operator-\(operators.count)", RealParts.ebb, arguments, in: directory)
        operators.append(launched)
        return launched
    }

    /// Every operator's log, in order.
    func operatorLogs() -> String { operators.map(\.errors).joined(separator: "\n") }

    func world() async throws -> World {
        guard let world = addresses["world"] as? String, let answer = await httpGet(world), answer.status == 200 else {
            throw Failure("the served world does not answer: \(simulator.errors.suffix(1000))")
        }
        return try JSONDecoder().decode(World.self, from: Data(answer.body.utf8))
    }

    /// The broker StatefulSet's spec.replicas, as kubectl shows it.
    func statefulSetReplicas() async throws -> Int? {
        let got = try await kubectl(["get", "statefulsets", "automq-broker", "-n", "shop", "-o", "jsonpath={.spec.replicas}"])
        return got.status == 0 ? Int(got.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) : nil
    }

    /// The pool's state and MetricsAvailable condition as kubectl shows them.
    func poolState() async throws -> PoolState? {
        let got = try await kubectl(["get", "brokerpools", "shop-events", "-n", "shop", "-o", "json"])
        guard got.status == 0, let object = try JSONSerialization.jsonObject(with: Data(got.stdout.utf8)) as? [String: Any],
            let status = object["status"] as? [String: Any]
        else { return nil }
        let conditions = status["conditions"] as? [[String: Any]] ?? []
        let metrics = conditions.first { $0["type"] as? String == "MetricsAvailable" }
        let able = conditions.first { $0["type"] as? String == "AbleToScale" }
        return PoolState(
            state: status["state"] as? String ?? "", metricsAvailable: metrics?["status"] as? String ?? "",
            metricsMessage: metrics?["message"] as? String ?? "",
            ableToScale: "\(able?["reason"] as? String ?? ""): \(able?["message"] as? String ?? "")")
    }

    /// Stops everything it started, gracefully, removes its files, and returns what the
    /// served world said as it stopped.
    @discardableResult func stop() async -> String {
        for launched in operators { await launched.stop() }
        await prometheus?.stop()
        await simulator.stop()
        let said = simulator.errors
        try? FileManager.default.removeItem(at: directory)
        return said
    }
}
