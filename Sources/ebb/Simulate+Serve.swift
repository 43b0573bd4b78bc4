import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import Simulator

extension Simulate {
    /// A Prometheus configuration that scrapes the world's broker metrics every second,
    /// keeping the world's `namespace` and `pod` labels (`honor_labels`).
    static func prometheusConfiguration(scraping metricsURL: String) -> String {
        let target = metricsURL.replacingOccurrences(of: "http://", with: "").replacingOccurrences(of: "/metrics", with: "")
        return """
            # Written by ebb simulate --serve: scrapes the simulated brokers' metrics.
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            scrape_configs:
              - job_name: ebb-simulate
                honor_labels: true
                static_configs: [{targets: ["\(target)"]}]

            """
    }

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
        let folder = URL(fileURLWithPath: serveDirectory).standardizedFileURL
        let kubeconfig = URL(fileURLWithPath: kubeconfigOut ?? folder.appendingPathComponent("kubeconfig").path).standardizedFileURL.path
        let pool = URL(fileURLWithPath: poolOut ?? folder.appendingPathComponent("pool.yaml").path).standardizedFileURL.path
        let prometheusConfig = folder.appendingPathComponent("prometheus.yml").path
        let passwordFile = folder.appendingPathComponent("kafka-password").path
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try world.kubeconfig().write(toFile: kubeconfig, atomically: true, encoding: .utf8)
            try world.examplePool().write(toFile: pool, atomically: true, encoding: .utf8)
            try Self.prometheusConfiguration(scraping: world.metricsURL).write(toFile: prometheusConfig, atomically: true, encoding: .utf8)
            if kafkaSasl {
                try ServedWorld.kafkaPassword(seed: seed).write(toFile: passwordFile, atomically: true, encoding: .utf8)
            }
        } catch {
            await world.stop()
            throw ValidationError("--serve-directory \(folder.path): cannot write its files: \(error.localizedDescription)")
        }
        // Relative to where the user is, so the printed commands can be pasted as they are.
        let here = FileManager.default.currentDirectoryPath + "/"
        func shown(_ path: String) -> String { path.hasPrefix(here) ? String(path.dropFirst(here.count)) : path }
        let kafkaCredentials =
            kafkaSasl ? " --sasl-mechanism SCRAM-SHA-512 --sasl-username \(ServedWorld.kafkaUser) --sasl-password-file \(shown(passwordFile))" : ""
        switch output {
        case .json:
            let object: [String: Any] = [
                "scenario": name, "seed": seed, "speed": speed, "kubernetes": world.kubernetesURL, "kafka": world.kafkaAddress,
                "metrics": world.metricsURL, "world": world.metricsURL.replacingOccurrences(of: "/metrics", with: "/world"),
                "kubeconfig": kubeconfig, "pool": pool, "prometheusConfig": prometheusConfig
            ]
            emit(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        case .text:
            emit(
                """
                Serving a simulated platform: scenario \(name) (\(summary)), from \(start), at \(speed)× real time. Seed \(seed).

                  Kubernetes API   \(world.kubernetesURL)   (kubeconfig: \(shown(kubeconfig)))
                  Kafka            \(world.kafkaAddress)   (consumer group shop-consumers)
                  Broker metrics   \(world.metricsURL)   (a Prometheus scrape target; the world's state: /world)

                Try, in other terminals:
                  kubectl --kubeconfig \(shown(kubeconfig)) get statefulsets,pods -n shop
                  ebb kafka describe --bootstrap \(world.kafkaAddress)\(kafkaCredentials)
                  ebb kafka lag --bootstrap \(world.kafkaAddress) --group shop-consumers\(kafkaCredentials)
                The operator reads throughput from a Prometheus; one that scrapes this world:
                  prometheus --config.file \(shown(prometheusConfig)) --storage.tsdb.path \(shown(folder.path))/prometheus-data --web.listen-address 127.0.0.1:9090
                  kubectl --kubeconfig \(shown(kubeconfig)) apply -f \(shown(pool))
                  ebb run --kubeconfig \(shown(kubeconfig)) --context ebb-operator --prometheus-url http://127.0.0.1:9090 --metrics-bind-address 127.0.0.1:8080 --log-format text

                Ctrl-C stops it.
                """)
        }
        let logger = Logger(label: "ebb-simulate") { _ in SwiftLogNoOpLogHandler() }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: world)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        let violations = world.violations
        let faults = (world.faults?.counts ?? [:]).sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) ×\($0.value)" }
        FileHandle.standardError.write(
            Data(
                """
                stopped at world second \(Int(world.now)); \(world.kafka.completedMoves) partition moves completed; \
                \(faults.isEmpty ? "" : "faults injected: \(faults.joined(separator: ", ")); ")\
                \(violations.isEmpty ? "no invariant broke" : "\(violations.count) invariant violation(s):\n" + violations.joined(separator: "\n"))

                """.utf8))
        if !violations.isEmpty { throw ExitCode(1) }
    }
}
