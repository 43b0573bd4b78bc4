import ArgumentParser
import BrokerScaling
import CampaignComparison
import Foundation
import Logging
import Operator
import Resilience
import Simulator

struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run your traffic against your pool and the strongest alternatives, and compare.",
        discussion: """
            The same traffic (a built-in scenario, a scenario file, a CSV or a Prometheus range \
            query) hits a simulated diskless Kafka cluster once per strategy: static at the peak, \
            scheduled static, HPA on CPU, HPA/KEDA on bytes-in, KEDA on consumer lag (each with an \
            AutoMQ-style self-balancer and graceful scale-in), HPA without rebalancing, and Ebb's own \
            reconcile code (the one `ebb run` uses) with your pool. Every strategy reads the same \
            metric pipeline (scrapes, rate windows, capped at what brokers accepted). Runs on virtual \
            time; the same seed gives the same run.
            """
    )

    @Option(help: "A built-in scenario (\(BuiltInScenario.allCases.map(\.rawValue).joined(separator: ", "))) or a scenario YAML file.")
    var scenario: String = BuiltInScenario.blackFriday.rawValue

    @Option(help: "Seed of the traffic noise and the partition skew.")
    var seed: UInt64 = 42

    @Option(help: "Run this many seeds (seed, seed+1, ...; each hashed, so they are independent) and show the median and range.")
    var seeds: Int = 1

    @Option(
        help:
            "A BrokerPool YAML file: Ebb runs this pool (behavior, schedules, metrics and targets, partitionAwareness, cooldown), and the baselines use its min/max replicas and targets."
    )
    var pool: String?

    @Option(help: "The time-based SLO: seconds consumers may be behind the producers (default 30, or the scenario's).")
    var sloSeconds: Double?

    @Option(help: "Only these strategies, comma-separated (e.g. ebb,keda-bytes-in).")
    var strategies: String?

    @Option(help: "Replay recorded traffic instead of the scenario's points: a CSV file (time,MiB/s) or a Prometheus URL (with --query and --range).")
    var trafficFrom: String?

    @Option(help: "With --traffic-from URL: the PromQL whose value is the cluster's produce bytes per second.")
    var query: String?

    @Option(help: "With --traffic-from URL: how far back to read, e.g. 7d, 24h, 90m (ending now, or at --range-end).")
    var range: String = "24h"

    @Option(help: "With --traffic-from URL: the end of the range, RFC 3339 (default: now).")
    var rangeEnd: String?

    @Option(help: "Baseline produce throughput of the whole cluster, in MiB/s (default 300, or the scenario file's).")
    var baselineMiBPerSecond: Double?

    @Option(help: "Throughput one broker can serve, in MiB/s (default 150, or the scenario file's).")
    var brokerCapacityMiBPerSecond: Double?

    @Option(name: .shortAndLong, help: "text or json.")
    var output: OutputFormat = .text

    @Option(help: "Write Ebb's decision log to stderr: none, text or json.")
    var log: String = "none"

    @Option(help: "Also draw traffic, brokers and seconds behind for every strategy (the first seed) into this SVG file.")
    var chart: String?

    @Flag(
        help:
            "Instead of comparing strategies, keep one world running in real time and serve its Kubernetes API, Kafka protocol and Prometheus /metrics on 127.0.0.1, for `ebb run`, kubectl, Kafka clients and Prometheus. Stops on SIGINT or SIGTERM."
    )
    var serve = false

    @Option(help: "With --serve: world seconds per real second.")
    var speed: Double = 1

    @Option(help: "With --serve: where in the scenario the world starts, as HH:MM or HH:MM:SS.")
    var start: String = "00:00"

    @Option(help: "With --serve: seconds from a pod's creation until its broker serves (default 60, as in the comparison).")
    var podStartSeconds: Double?

    @Option(help: "With --serve: brokers at the start (default: enough for the scenario's start at 70% of a broker, at least 3).")
    var brokers: Int?

    @Option(
        help:
            "With --serve: inject faults with this probability per request (409, 410, 429 and 500 from the Kubernetes face to clients other than kubectl, dropped watches, unanswered Kafka requests, NOT_CONTROLLER) and per 10 world seconds (a broker pod dies)."
    )
    var faultRate: Double = 0

    @Option(help: "With --serve: world seconds a broker whose pod is gone stays in Kafka's Metadata (KRaft's broker.session.timeout.ms).")
    var sessionTimeoutSeconds: Double = 9

    @Flag(
        help:
            "With --serve: share the cluster with brokers that are no pool's: a second StatefulSet billing-broker (brokers 2000-2002, topic billing) and three combined controller nodes (3000-3002). Ebb must leave them and their partitions alone."
    )
    var foreignBrokers = false

    @Option(
        help:
            "With --serve: the most milliseconds a change takes to reach the Kubernetes face's watches (each is delayed between a quarter of this and this, as by a real server's watch cache); 0 for none."
    )
    var watchDelayMs: Int = 200

    @Flag(
        help:
            "With --serve: the Kafka face asks for SCRAM-SHA-512; the credentials are in the Secret kafka-credentials, which the example pool names.")
    var kafkaSasl = false

    @Option(help: "With --serve: port of the Kubernetes API face (default: any free port).")
    var kubernetesPort: Int = 0

    @Option(help: "With --serve: port of the Kafka face (default: any free port).")
    var kafkaPort: Int = 0

    @Option(help: "With --serve: port of the Prometheus /metrics face (default: any free port).")
    var metricsPort: Int = 0

    @Option(help: "With --serve: the folder for the files it writes (kubeconfig, pool.yaml, prometheus.yml); created if missing.")
    var serveDirectory: String = "ebb-simulate"

    @Option(help: "With --serve: write the kubeconfig for the Kubernetes face here (default: <serve-directory>/kubeconfig).")
    var kubeconfigOut: String?

    @Option(help: "With --serve: write an example BrokerPool for the world here (default: <serve-directory>/pool.yaml).")
    var poolOut: String?

    func validate() throws {
        let builtIns = BuiltInScenario.allCases.map(\.rawValue).joined(separator: ", ")
        guard BuiltInScenario(rawValue: scenario) != nil || FileManager.default.fileExists(atPath: scenario) else {
            if scenario.contains("/") || scenario.hasSuffix(".yaml") || scenario.hasSuffix(".yml") {
                throw ValidationError(
                    "--scenario: no file '\(scenario)' (from \(FileManager.default.currentDirectoryPath)); a built-in scenario is one of \(builtIns)")
            }
            throw ValidationError("--scenario: unknown scenario '\(scenario)'; use one of \(builtIns), or a scenario YAML file")
        }
        if let chart {
            // Checked before the simulation runs, not after it.
            let folder = URL(fileURLWithPath: chart).deletingLastPathComponent()
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
                throw ValidationError("--chart: the folder \(folder.path) does not exist; create it or write the chart elsewhere")
            }
        }
        guard (baselineMiBPerSecond ?? 1) > 0, (brokerCapacityMiBPerSecond ?? 1) > 0 else {
            throw ValidationError("--baseline-mi-b-per-second and --broker-capacity-mi-b-per-second must be > 0")
        }
        guard ["none", "text", "json"].contains(log) else { throw ValidationError("--log: none, text or json") }
        guard speed > 0, speed <= 1_000 else { throw ValidationError("--speed: must be > 0 and at most 1000 (world seconds per real second)") }
        guard ScenarioFile.secondsOfDay(start) != nil else { throw ValidationError("--start: '\(start)' is not a time of day as HH:MM or HH:MM:SS") }
        guard (0...0.5).contains(faultRate) else { throw ValidationError("--fault-rate: must be between 0 and 0.5") }
        guard sessionTimeoutSeconds >= 0, sessionTimeoutSeconds <= 3_600 else {
            throw ValidationError("--session-timeout-seconds: must be between 0 and 3600")
        }
        guard (0...10_000).contains(watchDelayMs) else { throw ValidationError("--watch-delay-ms: must be between 0 and 10000") }
        guard (brokers ?? 1) >= 1, (brokers ?? 1) <= 1_000 else { throw ValidationError("--brokers: must be between 1 and 1000") }
        guard (podStartSeconds ?? 0) >= 0 else { throw ValidationError("--pod-start-seconds: must be >= 0") }
        guard (1...50).contains(seeds) else { throw ValidationError("--seeds: must be between 1 and 50") }
        guard (sloSeconds ?? 1) > 0, (sloSeconds ?? 1) <= 86_400 else { throw ValidationError("--slo-seconds: must be > 0 and at most 86400") }
        if let trafficFrom, trafficFrom.hasPrefix("http"), query == nil {
            throw ValidationError("--traffic-from \(trafficFrom): a Prometheus URL needs --query")
        }
        for (name, port) in [("--kubernetes-port", kubernetesPort), ("--kafka-port", kafkaPort), ("--metrics-port", metricsPort)]
        where !(0...65_535).contains(port) {
            throw ValidationError("\(name): \(port) is not a port (0 to 65535; 0 picks a free one)")
        }
    }

    /// Throughputs and the pod start time, from the options or the scenario file, within what the
    /// simulation can count in whole brokers and seconds (1e300 MiB/s trapped converting the
    /// broker count to Int).
    static func check(_ settings: CampaignSettings, profile: TrafficProfile) throws {
        let (baseline, capacity, podStart) = (settings.baselineMiBPerSecond, settings.brokerCapacityMiBPerSecond, settings.podStartSeconds)
        guard baseline > 0, baseline <= 1_000_000 else {
            throw ValidationError(
                "--baseline-mi-b-per-second (or the scenario's baselineMiBPerSecond): \(baseline) is not between 0 and 1000000 MiB/s")
        }
        guard capacity >= 1, capacity <= 1_000_000 else {
            throw ValidationError(
                "--broker-capacity-mi-b-per-second (or the scenario's brokerCapacityMiBPerSecond): \(capacity) is not between 1 and 1000000 MiB/s")
        }
        guard baseline / capacity <= 100 else {
            throw ValidationError(
                "--baseline-mi-b-per-second \(baseline) needs \(Int((baseline / capacity).rounded(.up))) brokers of \(capacity) MiB/s at the baseline; the simulation takes at most 100"
            )
        }
        // The peak in brokers: a scenario's multiplier of 1e300 trapped, one of 100000 ran for hours.
        let peak = profile.points.map(\.multiplier).max() ?? 1
        guard baseline * peak / capacity <= 1_000 else {
            throw ValidationError(
                "--scenario: its peak (\(peak)× the baseline of \(baseline) MiB/s) needs \(Int(min(baseline * peak / capacity, 1e15).rounded(.up))) brokers of \(capacity) MiB/s; the simulation takes at most 1000"
            )
        }
        guard podStart >= 0, podStart <= 3_600 else {
            throw ValidationError("--pod-start-seconds: \(podStart) is not between 0 and 3600")
        }
    }

    func run() async throws {
        let name: String
        let summary: String
        var profile: TrafficProfile
        var settings = CampaignSettings()
        if let builtIn = BuiltInScenario(rawValue: scenario) {
            (name, summary, profile) = (builtIn.rawValue, builtIn.summary, builtIn.profile)
        } else {
            let file: ScenarioFile
            do {
                file = try ScenarioFile.load(scenario)
            } catch {
                // The file's fault, not the command line's: one line, no usage text.
                throw CommandFailure("--scenario: \(error)")
            }
            (name, summary, profile) = (file.name, file.description, file.profile)
            settings = file.apply(to: settings)
        }
        if let source = trafficFrom {
            profile = try await recordedTraffic(from: source, settings: &settings)
        }
        settings.baselineMiBPerSecond = baselineMiBPerSecond ?? settings.baselineMiBPerSecond
        settings.brokerCapacityMiBPerSecond = brokerCapacityMiBPerSecond ?? settings.brokerCapacityMiBPerSecond
        settings.podStartSeconds = podStartSeconds ?? settings.podStartSeconds
        settings.sloSecondsBehind = sloSeconds ?? settings.sloSecondsBehind
        try Self.check(settings, profile: profile)
        if serve {
            try await serveWorld(name: name, summary: summary, profile: profile, settings: settings)
            return
        }
        let userPool = try pool.map(Self.loadPool)
        let format = log
        let json = format == "json"
        let factory: Campaign.LoggerFactory = { @Sendable (clock: @escaping @Sendable () -> Date) -> Logger in
            Self.decisionLogger(json: json, clock: clock)
        }
        let logger: Campaign.LoggerFactory? = format == "none" ? nil : factory
        let wanted = strategies.map { Set($0.split(separator: ",").map { String($0.trimmingCharacters(in: .whitespaces)) }) }
        let seedList = (0..<UInt64(seeds)).map { seed &+ $0 }
        let clock = ContinuousClock()
        var report: CampaignReport?
        let elapsed = await clock.measure {
            report = await Campaign.run(
                scenario: name, profile: profile, settings: settings, pool: userPool, seeds: seedList, only: wanted, logger: logger)
        }
        guard let report else { return }
        if let wanted, report.strategies.count < wanted.count {
            let known = Set(report.strategies.map(\.name))
            throw ValidationError(
                "--strategies: unknown \(wanted.subtracting(known).sorted().joined(separator: ", ")); the strategies are static, scheduled, hpa-cpu, keda-bytes-in, keda-offered, keda-lag, hpa-cpu-no-rebalance, ebb, ebb+schedule (when the scenario has an event), ebb+predictive (when it is longer than a day)"
            )
        }
        if let chart {
            do {
                try CampaignChart.svg(report).write(toFile: chart, atomically: true, encoding: .utf8)
            } catch {
                throw CommandFailure("--chart: cannot write \(chart): \(error.localizedDescription)")
            }
        }
        switch output {
        case .json:
            print(try jsonString(report))
        case .text:
            print(
                SimulateReportText.render(
                    report, summary: summary, elapsedSeconds: elapsed.inSeconds))
            if let chart { print("Chart written to \(URL(fileURLWithPath: chart).standardizedFileURL.path) (the first seed).") }
        }
    }

    /// Ebb's decision log, stamped with simulated time.
    static func decisionLogger(json: Bool, clock: @escaping @Sendable () -> Date) -> Logger {
        var logger = Logger(label: "ebb") { label -> any LogHandler in
            if json { return JSONLogHandler(label: label, clock: clock) }
            return TextLogHandler(label: label, clock: clock)
        }
        logger.logLevel = .info
        return logger
    }

    /// The first BrokerPool in a YAML file, checked as `ebb validate` checks it.
    static func loadPool(_ path: String) throws -> BrokerPool {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CommandFailure("--pool: cannot read \(path): \(error.localizedDescription)")
        }
        let reports = BrokerPoolDocuments.check(text)
        guard let first = reports.first else { throw CommandFailure("--pool: \(path) holds no BrokerPool") }
        guard first.isValid, let pool = first.pool else {
            throw CommandFailure("--pool: \(path): " + first.problems.map(\.description).joined(separator: "; "))
        }
        return pool
    }

    static func count(_ value: Double) -> String {
        switch value {
        case ..<1_000: return String(format: "%.0f", value)
        case ..<1_000_000: return String(format: "%.1fk", value / 1_000)
        default: return String(format: "%.1fM", value / 1_000_000)
        }
    }
}
