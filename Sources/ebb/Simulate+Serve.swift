import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import Simulator

extension Simulate {
    /// Straight to stdout, unbuffered: a script reading the addresses must see them now.
    func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// `--serve`: start the world, say where its faces are, run until SIGINT or SIGTERM, and
    /// report what the world saw (exit 1 if an invariant broke).
    func serveWorld(name: String, summary: String, profile: TrafficProfile, settings: CampaignSettings) async throws {
        var options = ServedWorld.Options()
        options.speed = speed
        options.startSeconds = Double(ScenarioFile.secondsOfDay(start) ?? 0)
        options.kubernetesPort = kubernetesPort
        options.kafkaPort = kafkaPort
        options.metricsPort = metricsPort
        options.faultRate = faultRate
        options.kafkaSASL = kafkaSasl
        options.sessionTimeoutSeconds = sessionTimeoutSeconds
        options.foreignBrokers = foreignBrokers ? [.billing, .controllers] : []
        options.watchDelay = watchDelayMs > 0 ? Double(watchDelayMs) / 4000...Double(watchDelayMs) / 1000 : nil
        options.initialBrokers = brokers
        let world: ServedWorld
        do {
            world = try await ServedWorld.start(profile: profile, settings: settings, seed: seed, options: options)
        } catch {
            throw ValidationError("cannot start the served world (is a --*-port taken?): \(error)")
        }
        do {
            try world.kubeconfig().write(toFile: kubeconfigOut, atomically: true, encoding: .utf8)
            try world.examplePool().write(toFile: poolOut, atomically: true, encoding: .utf8)
        } catch {
            await world.stop()
            throw ValidationError("--kubeconfig-out/--pool-out: cannot write: \(error.localizedDescription)")
        }
        let kubeconfig = URL(fileURLWithPath: kubeconfigOut).standardizedFileURL.path
        let pool = URL(fileURLWithPath: poolOut).standardizedFileURL.path
        switch output {
        case .json:
            let object: [String: Any] = [
                "scenario": name, "seed": seed, "speed": speed, "kubernetes": world.kubernetesURL, "kafka": world.kafkaAddress,
                "metrics": world.metricsURL, "world": world.metricsURL.replacingOccurrences(of: "/metrics", with: "/world"),
                "kubeconfig": kubeconfig, "pool": pool,
            ]
            emit(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        case .text:
            emit("""
                Serving a simulated platform: scenario \(name) (\(summary)), from \(start), at \(speed)× real time. Seed \(seed).

                  Kubernetes API   \(world.kubernetesURL)   (kubeconfig: \(kubeconfig))
                  Kafka            \(world.kafkaAddress)
                  Prometheus       \(world.metricsURL)   (the world's state: /world)

                Try:
                  kubectl --kubeconfig \(kubeconfig) get statefulsets,pods
                  kubectl --kubeconfig \(kubeconfig) apply -f \(pool)
                  ebb kafka describe --bootstrap \(world.kafkaAddress)
                  ebb run --kubeconfig \(kubeconfig) --context ebb-operator --prometheus-url http://127.0.0.1:9090 --metrics-bind-address 127.0.0.1:8080 --log-format text
                (point a Prometheus at \(world.metricsURL) with honor_labels: true for the throughput metric)

                Ctrl-C stops it.
                """)
        }
        let logger = Logger(label: "ebb-simulate") { _ in SwiftLogNoOpLogHandler() }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: world)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        let violations = world.violations
        let faults = (world.faults?.counts ?? [:]).sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) ×\($0.value)" }
        FileHandle.standardError.write(Data("""
            stopped at world second \(Int(world.now)); \(world.kafka.completedMoves) partition moves completed; \
            \(faults.isEmpty ? "" : "faults injected: \(faults.joined(separator: ", ")); ")\
            \(violations.isEmpty ? "no invariant broke" : "\(violations.count) invariant violation(s):\n" + violations.joined(separator: "\n"))

            """.utf8))
        if !violations.isEmpty { throw ExitCode(1) }
    }
}
