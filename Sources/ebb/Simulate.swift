import ArgumentParser
import Foundation
import Logging
import Operator
import Simulator

struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a simulated campaign day three ways and show what following traffic saves.",
        discussion: """
            The same traffic (a built-in scenario) hits a simulated diskless Kafka cluster three \
            times: provisioned for the peak all day; scaled by the stock HPA algorithm on broker \
            CPU, whose new brokers get no partitions; and scaled by Ebb's own reconcile code (the \
            one `ebb run` uses), which moves partitions onto new brokers and drains leaving ones. \
            A day runs in seconds, on virtual time; the same seed gives the same run.
            """
    )

    @Option(help: "A built-in scenario (\(BuiltInScenario.allCases.map(\.rawValue).joined(separator: ", "))) or a scenario YAML file.")
    var scenario: String = BuiltInScenario.blackFriday.rawValue

    @Option(help: "Seed of the traffic noise and the partition skew.")
    var seed: UInt64 = 42

    @Option(help: "Baseline produce throughput of the whole cluster, in MiB/s (default 300, or the scenario file's).")
    var baselineMiBPerSecond: Double?

    @Option(help: "Throughput one broker can serve, in MiB/s (default 150, or the scenario file's).")
    var brokerCapacityMiBPerSecond: Double?

    @Option(name: .shortAndLong, help: "text or json.")
    var output: OutputFormat = .text

    @Option(help: "Write Ebb's decision log to stderr: none, text or json.")
    var log: String = "none"

    @Option(help: "Also draw traffic, brokers and lag over the day for the three strategies into this SVG file.")
    var chart: String?

    @Flag(help: "Instead of comparing strategies, keep one world running in real time and serve its Kubernetes API, Kafka protocol and Prometheus /metrics on 127.0.0.1, for `ebb run`, kubectl, Kafka clients and Prometheus. Stops on SIGINT or SIGTERM.")
    var serve = false

    @Option(help: "With --serve: world seconds per real second.")
    var speed: Double = 1

    @Option(help: "With --serve: where in the scenario the world starts, as HH:MM or HH:MM:SS.")
    var start: String = "00:00"

    @Option(help: "With --serve: seconds from a pod's creation until its broker serves (default 60, as in the comparison).")
    var podStartSeconds: Double?

    @Option(help: "With --serve: brokers at the start (default: enough for the scenario's start at 70% of a broker, at least 3).")
    var brokers: Int?

    @Option(help: "With --serve: inject faults with this probability per request (409, 410, 429 and 500 from the Kubernetes face to clients other than kubectl, dropped watches, unanswered Kafka requests, NOT_CONTROLLER) and per 10 world seconds (a broker pod dies).")
    var faultRate: Double = 0

    @Option(help: "With --serve: world seconds a broker whose pod is gone stays in Kafka's Metadata (KRaft's broker.session.timeout.ms).")
    var sessionTimeoutSeconds: Double = 9

    @Flag(help: "With --serve: share the cluster with brokers that are no pool's: a second StatefulSet billing-broker (brokers 2000-2002, topic billing) and three combined controller nodes (3000-3002). Ebb must leave them and their partitions alone.")
    var foreignBrokers = false

    @Option(help: "With --serve: the most milliseconds a change takes to reach the Kubernetes face's watches (each is delayed between a quarter of this and this, as by a real server's watch cache); 0 for none.")
    var watchDelayMs: Int = 200

    @Flag(help: "With --serve: the Kafka face asks for SCRAM-SHA-512; the credentials are in the Secret kafka-credentials, which the example pool names.")
    var kafkaSasl = false

    @Option(help: "With --serve: port of the Kubernetes API face (default: any free port).")
    var kubernetesPort: Int = 0

    @Option(help: "With --serve: port of the Kafka face (default: any free port).")
    var kafkaPort: Int = 0

    @Option(help: "With --serve: port of the Prometheus /metrics face (default: any free port).")
    var metricsPort: Int = 0

    @Option(help: "With --serve: write a kubeconfig for the Kubernetes face here.")
    var kubeconfigOut: String = "ebb-simulate.kubeconfig"

    @Option(help: "With --serve: write an example BrokerPool for the world here.")
    var poolOut: String = "ebb-simulate-pool.yaml"

    func validate() throws {
        guard BuiltInScenario(rawValue: scenario) != nil || FileManager.default.fileExists(atPath: scenario) else {
            throw ValidationError("--scenario: unknown scenario '\(scenario)'; use one of \(BuiltInScenario.allCases.map(\.rawValue).joined(separator: ", ")), or a scenario YAML file")
        }
        guard (baselineMiBPerSecond ?? 1) > 0, (brokerCapacityMiBPerSecond ?? 1) > 0 else {
            throw ValidationError("--baseline-mi-b-per-second and --broker-capacity-mi-b-per-second must be > 0")
        }
        guard ["none", "text", "json"].contains(log) else { throw ValidationError("--log: none, text or json") }
        guard speed > 0, speed <= 1_000 else { throw ValidationError("--speed: must be > 0 and at most 1000 (world seconds per real second)") }
        guard ScenarioFile.secondsOfDay(start) != nil else { throw ValidationError("--start: '\(start)' is not a time of day as HH:MM or HH:MM:SS") }
        guard (0...0.5).contains(faultRate) else { throw ValidationError("--fault-rate: must be between 0 and 0.5") }
        guard sessionTimeoutSeconds >= 0, sessionTimeoutSeconds <= 3_600 else { throw ValidationError("--session-timeout-seconds: must be between 0 and 3600") }
        guard (0...10_000).contains(watchDelayMs) else { throw ValidationError("--watch-delay-ms: must be between 0 and 10000") }
        guard (brokers ?? 1) >= 1, (brokers ?? 1) <= 1_000 else { throw ValidationError("--brokers: must be between 1 and 1000") }
        guard (podStartSeconds ?? 0) >= 0 else { throw ValidationError("--pod-start-seconds: must be >= 0") }
        for (name, port) in [("--kubernetes-port", kubernetesPort), ("--kafka-port", kafkaPort), ("--metrics-port", metricsPort)] where !(0...65_535).contains(port) {
            throw ValidationError("\(name): \(port) is not a port (0 to 65535; 0 picks a free one)")
        }
    }

    /// Throughputs and the pod start time, from the options or the scenario file, within what the
    /// simulation can count in whole brokers and seconds (1e300 MiB/s trapped converting the
    /// broker count to Int).
    static func check(_ settings: CampaignSettings, profile: TrafficProfile) throws {
        let (baseline, capacity, podStart) = (settings.baselineMiBPerSecond, settings.brokerCapacityMiBPerSecond, settings.podStartSeconds)
        guard baseline > 0, baseline <= 1_000_000 else {
            throw ValidationError("--baseline-mi-b-per-second (or the scenario's baselineMiBPerSecond): \(baseline) is not between 0 and 1000000 MiB/s")
        }
        guard capacity >= 1, capacity <= 1_000_000 else {
            throw ValidationError("--broker-capacity-mi-b-per-second (or the scenario's brokerCapacityMiBPerSecond): \(capacity) is not between 1 and 1000000 MiB/s")
        }
        guard baseline / capacity <= 100 else {
            throw ValidationError("--baseline-mi-b-per-second \(baseline) needs \(Int((baseline / capacity).rounded(.up))) brokers of \(capacity) MiB/s at the baseline; the simulation takes at most 100")
        }
        // The peak in brokers: a scenario's multiplier of 1e300 trapped, one of 100000 ran for hours.
        let peak = profile.points.map(\.multiplier).max() ?? 1
        guard baseline * peak / capacity <= 1_000 else {
            throw ValidationError("--scenario: its peak (\(peak)× the baseline of \(baseline) MiB/s) needs \(Int(min(baseline * peak / capacity, 1e15).rounded(.up))) brokers of \(capacity) MiB/s; the simulation takes at most 1000")
        }
        guard podStart >= 0, podStart <= 3_600 else {
            throw ValidationError("--pod-start-seconds: \(podStart) is not between 0 and 3600")
        }
    }

    func run() async throws {
        let name: String
        let summary: String
        let profile: TrafficProfile
        var settings = CampaignSettings()
        if let builtIn = BuiltInScenario(rawValue: scenario) {
            (name, summary, profile) = (builtIn.rawValue, builtIn.summary, builtIn.profile)
        } else {
            let file: ScenarioFile
            do {
                file = try ScenarioFile.load(scenario)
            } catch {
                throw ValidationError("--scenario: \(error)")
            }
            (name, summary, profile) = (file.name, file.description, file.profile)
            settings.baselineMiBPerSecond = file.baselineMiBPerSecond ?? settings.baselineMiBPerSecond
            settings.brokerCapacityMiBPerSecond = file.brokerCapacityMiBPerSecond ?? settings.brokerCapacityMiBPerSecond
        }
        settings.baselineMiBPerSecond = baselineMiBPerSecond ?? settings.baselineMiBPerSecond
        settings.brokerCapacityMiBPerSecond = brokerCapacityMiBPerSecond ?? settings.brokerCapacityMiBPerSecond
        settings.podStartSeconds = podStartSeconds ?? settings.podStartSeconds
        try Self.check(settings, profile: profile)
        if serve {
            try await serveWorld(name: name, summary: summary, profile: profile, settings: settings)
            return
        }
        let format = log
        var logger = Logger(label: "ebb") { label in
            switch format {
            case "json": return JSONLogHandler(label: label)
            case "text": return TextLogHandler(label: label)
            default: return SwiftLogNoOpLogHandler()
            }
        }
        logger.logLevel = .info
        let clock = ContinuousClock()
        var report: CampaignReport?
        let elapsed = await clock.measure {
            report = await Campaign.run(scenario: name, profile: profile, settings: settings, seed: seed, logger: logger)
        }
        guard let report else { return }
        if let chart {
            do {
                try CampaignChart.svg(report).write(toFile: chart, atomically: true, encoding: .utf8)
            } catch {
                throw ValidationError("--chart: cannot write \(chart): \(error.localizedDescription)")
            }
        }
        switch output {
        case .json:
            print(try jsonString(report))
        case .text:
            print("Scenario \(report.scenario): \(summary)")
            print("Baseline \(Int(settings.baselineMiBPerSecond)) MiB/s (peak \(report.peakMultiplier)×); a broker serves \(Int(settings.brokerCapacityMiBPerSecond)) MiB/s; pods start in \(Int(settings.podStartSeconds)) s; a partition moves in \(settings.moveSeconds) s; lag SLO \(Int(settings.lagSLOMessages)) messages. Seed \(report.seed).\n")
            print(table([["strategy", "broker-hours", "peak lag", "p99 lag", "min over SLO", "scale-outs", "scale-ins", "moves", "to capacity"]] + report.strategies.map { result in
                [result.name, String(format: "%.1f", result.brokerHours), Self.count(result.peakLag), Self.count(result.p99Lag), String(format: "%.0f", result.minutesOverSlo),
                 "\(result.scaleOuts)", "\(result.scaleIns)", "\(result.moves)", result.secondsToCapacity.map { String(format: "%.0f s", $0) } ?? "never"]
            }))
            if let fixed = report.strategies.first(where: { $0.name == "static" }), let ebb = report.strategies.first(where: { $0.name == "ebb" }), let hpa = report.strategies.first(where: { $0.name == "hpa" }) {
                print("")
                print(String(format: "Ebb used %.0f%% of the broker-hours of provisioning for the peak, with %.0f minutes over the lag SLO (HPA alone: %.0f).",
                             ebb.brokerHours / fixed.brokerHours * 100, ebb.minutesOverSlo, hpa.minutesOverSlo))
                if let gap = ebb.minSecondsBetweenScaleIns { print(String(format: "Ebb's scale-ins were at least %.0f s apart.", gap)) }
            }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print(String(format: "(24 simulated hours × 3 strategies in %.1f s)", seconds))
        }
    }

    static func count(_ value: Double) -> String {
        switch value {
        case ..<1_000: return String(format: "%.0f", value)
        case ..<1_000_000: return String(format: "%.1fk", value / 1_000)
        default: return String(format: "%.1fM", value / 1_000_000)
        }
    }
}
