import BrokerScaling
import EbbTestSupport
import Foundation
import Testing

/// Ebb run the way a platform team runs it, every part that can be real being real:
/// `ebb simulate --serve` is the platform (Kubernetes API, Kafka protocol, broker metrics),
/// Debian's Prometheus scrapes it, kubectl applies the CRD and the pool, and `ebb run` is its own
/// process, reading throughput from Prometheus and lag through the Kafka protocol. Then the
/// test breaks things: the operator is SIGKILLed at random (seeded) moments and restarted, and
/// Prometheus is stopped for a while. Everything is judged from outside.
///
/// `EBB_E2E_KILLS=200` runs the long chaos version (more kills, a longer scenario).
@Suite(.serialized) struct EndToEndTests {
    static let longRun = Int(ProcessInfo.processInfo.environment["EBB_E2E_KILLS"] ?? "") ?? 0

    /// The served world shares its cluster with brokers that are no pool's (`--foreign-brokers`:
    /// billing-broker 2000-2002 with a billing topic, controller nodes 3000-3002); its invariant
    /// fails on any move onto them or of a billing partition. Counts here are the pool's brokers
    /// (lingering ones included, as Metadata lists them).
    static let foreignFrom = 2000
    static func pool(_ brokers: [Int]) -> [Int] { brokers.filter { $0 < foreignFrom } }

    @Test(RealParts.needing(.kubectl, .prometheus)) func aSpikeScalesOutRebalancesDrainsAndScalesInThroughChaos() async throws {
        let (kubectl, prometheus) = (try await RealParts.require(.kubectl), try await RealParts.require(.prometheus))
        let wantedKills = max(20, Self.longRun)
        let spikes = max(1, wantedKills / 20)
        let platform = try await Platform.start(
            kubectl: kubectl, prometheus: prometheus, points: Platform.spikes(spikes), outageAt: Double((spikes - 1) * 130 + 125),
            simulateArguments: ["--fault-rate", "0.1", "--foreign-brokers"])
        var chaos = Chaos(seed: 20_261_127)
        var report = Report()
        do {
            try await run(platform, &chaos, &report, wantedKills: wantedKills)
        } catch {
            await platform.stop()
            throw error
        }
        let simulator = await platform.stop()
        print(
            """
            end-to-end: \(report.kills) operator kills (by state: \(report.killsByState.sorted { $0.key < $1.key })), \
            peak \(report.peakBrokers) brokers, \(report.finalBrokers) at the end, \(report.movesCompleted) moves completed, \
            \(report.submitted) moves submitted, \(report.scaleOuts) scale-outs and \(report.scaleIns) scale-ins patched, \
            states seen \(report.states), faults injected \(report.faults.sorted { $0.key < $1.key }), Prometheus down \(Int(report.outageSeconds)) s, wall \(Int(report.wallSeconds)) s, \
            test-time factor \(TestTime.factor), blocked because \(report.blockedBecause.sorted())
            """)
        #expect(simulator.contains("no invariant broke"), "\(simulator.suffix(2000))")
    }

    func run(_ platform: Platform, _ chaos: inout Chaos, _ report: inout Report, wantedKills: Int) async throws {
        let started = Date()
        try await platform.applyPool()
        var operatorProcess = try platform.startOperator()
        var lastStart = Date()
        var brokersSeen: [Int: Date] = [:]
        var owningSince: [Int: Date] = [:]
        var lastSample = try await platform.world()
        var nextKill = Date().addingTimeInterval(chaos.nextKillDelay())
        var outage: (start: Date, end: Date?)?
        var outageBrokers: Int?
        var holdSeenDuringOutage = false
        let deadline = Date().addingTimeInterval(platform.scenarioSeconds + TestTime.scaled(seconds: 360))

        while Date() < deadline {
            try await Task.sleep(for: .milliseconds(500))
            let world = try await platform.world()
            lastSample = world
            let state = try await platform.poolState()
            if let state { report.states.insert(state.state) }
            if let state, state.state == "Blocked" { report.blockedBecause.insert(state.ableToScale) }
            report.peakBrokers = max(report.peakBrokers, Self.pool(world.brokers).count)
            let now = Date()
            for broker in Self.pool(world.brokers) where brokersSeen[broker] == nil { brokersSeen[broker] = now }
            for (broker, held) in world.partitionsByBroker where held > 0 && Int(broker)! < Self.foreignFrom && owningSince[Int(broker)!] == nil {
                owningSince[Int(broker)!] = now
            }
            #expect(world.violations.isEmpty, "\(world.violations.prefix(3))")

            // Chaos: SIGKILL the operator at seeded random moments while the spike plays out,
            // and restart it at once.
            // Once more while it drains, after Prometheus is back.
            let drainKill = outage?.end != nil && state?.state == "Draining" && !report.killsByState.keys.contains("Draining")
            if world.seconds < platform.outageAt && now >= nextKill || drainKill, now.timeIntervalSince(lastStart) > 1.5 {
                report.kills += 1
                report.killsByState[state?.state ?? "none", default: 0] += 1
                await operatorProcess.stop(SIGKILL)
                operatorProcess = try platform.startOperator()
                lastStart = Date()
                nextKill = Date().addingTimeInterval(chaos.nextKillDelay())
            }

            // After the spike: Prometheus stopped for a while. No scale-in may start while the
            // throughput metric cannot be read, and the condition must say why.
            if outage == nil, world.seconds >= platform.outageAt, Self.pool(world.brokers).count > 3 {
                await platform.stopPrometheus()
                outage = (Date(), nil)
                outageBrokers = try await platform.statefulSetReplicas()
            }
            if let current = outage, current.end == nil {
                let down = now.timeIntervalSince(current.start)
                if down > 8 {
                    // (Registered brokers may dip when a pod dies; the StatefulSet's count may not.)
                    let replicas = try await platform.statefulSetReplicas()
                    #expect(replicas ?? 0 >= outageBrokers ?? 0, "no scale-in while Prometheus is down (\(replicas ?? -1) < \(outageBrokers ?? -1))")
                    if let state, state.metricsAvailable == "False", state.metricsMessage.contains("bytes-in") { holdSeenDuringOutage = true }
                }
                if down >= 25 {
                    try platform.startPrometheus()
                    outage = (current.start, Date())
                    report.outageSeconds = down
                }
            }

            // Done: the spike is over, Prometheus is back, the pool is back near its baseline and stable.
            if let current = outage, current.end != nil, world.seconds > platform.scenarioSeconds, Self.pool(world.brokers).count <= 4,
                state?.state == "Stable", world.reassigning == 0
            {
                break
            }
        }
        report.wallSeconds = Date().timeIntervalSince(started)
        report.finalBrokers = Self.pool(lastSample.brokers).count
        report.movesCompleted = lastSample.movesCompleted
        report.faults = lastSample.faults

        // What the last operator's /metrics counts matches its own log.
        let metrics = await httpGet("http://127.0.0.1:\(platform.operatorMetricsPort)/metrics")?.body ?? ""
        let lastLog = operatorProcess.errors
        await operatorProcess.stop()
        let logs = platform.operatorLogs()
        let records = logs.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let patched = records.filter { $0["step"] as? String == "replicas_patched" }
        report.scaleOuts = patched.filter { Int("\($0["to"] ?? 0)")! > Int("\($0["from"] ?? 0)")! }.count
        report.scaleIns = patched.count - report.scaleOuts
        // Moves Kafka accepted: each batch less those it refused (a target broker that vanished).
        report.submitted = records.filter { $0["step"] as? String == "plan_submitted" }
            .reduce(0) { $0 + (Int("\($1["moves"] ?? 0)") ?? 0) - (($1["refused"] as? [Any])?.count ?? 0) }

        // On the wire (the face's request log, watch delay on): one scale write per decision,
        // one Event per step, no status write refused as stale, nothing the shipped RBAC
        // refuses, and no grant unused but those this run has no use for.
        print("end-to-end: operator API \(lastSample.operatorAPI.requests) requests, unused grants \(lastSample.operatorAPI.unusedGrants)")
        #expect(lastSample.operatorAPI.defects.isEmpty, "\(lastSample.operatorAPI.defects.prefix(10))")
        #expect(
            lastSample.operatorAPI.unexplainedUnusedGrants(leaderElection: false).isEmpty,
            "RBAC grants never used: \(lastSample.operatorAPI.unusedGrants)")
        #expect(report.kills >= wantedKills, "the operator was killed \(report.kills) times")
        #expect(report.peakBrokers >= 8, "the pool scaled out for the spike (peak \(report.peakBrokers))")
        #expect(
            report.finalBrokers <= 4,
            "the pool drained and scaled in after it (\(report.finalBrokers) brokers; blocked because: \(report.blockedBecause.sorted()))")
        #expect(
            report.movesCompleted > 0 && report.submitted >= report.movesCompleted,
            "\(report.submitted) submitted, \(report.movesCompleted) completed")
        #expect(lastSample.reassigning == 0, "no reassignment left behind")
        for state in ["ScalingOut", "Rebalancing", "Draining", "Stable"] {
            #expect(report.states.contains(state), "kubectl get brokerpools showed \(report.states)")
        }
        #expect(report.killsByState.keys.contains { $0 == "ScalingOut" || $0 == "Rebalancing" }, "\(report.killsByState)")
        #expect(holdSeenDuringOutage, "MetricsAvailable=False naming bytes-in while Prometheus was down")
        #expect(report.outageSeconds >= 25)
        #expect(report.faults.values.reduce(0, +) >= 20 && report.faults.count >= 5, "faults injected: \(report.faults)")
        // New brokers took partitions within a minute of registering.
        let secondsToOwn = brokersSeen.filter { $0.key >= 3 }.compactMap { broker, seen in owningSince[broker].map { Int($0.timeIntervalSince(seen)) }
        }.sorted()
        print("end-to-end: seconds from a new broker registering to owning a partition: \(secondsToOwn) (\(secondsToOwn.count) brokers)")
        for (broker, seen) in brokersSeen where broker >= 3 {
            if let owning = owningSince[broker] {
                #expect(owning.timeIntervalSince(seen) <= 60, "broker \(broker) took \(Int(owning.timeIntervalSince(seen))) s to own a partition")
            }
        }
        #expect(owningSince.keys.contains { $0 >= 3 }, "a new broker owned partitions")
        // Every replica change has its decision record; the last operator's /metrics counts what its log shows.
        let decisions = records.filter { $0["message"] as? String == "decision" && $0["applied"] as? Bool == true }
        for change in patched {
            #expect(decisions.contains { "\($0["to"] ?? "")" == "\(change["to"] ?? "")" }, "a decision record for \(change)")
        }
        let lastRecords = lastLog.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let lastDecisions = lastRecords.filter { $0["message"] as? String == "decision" }.count
        let counted = Self.sum(metrics, "ebb_decisions_total")
        #expect(counted >= Double(lastDecisions) && counted > 0, "ebb_decisions_total \(counted) vs \(lastDecisions) decision records")
        let lastPatched = lastRecords.filter { $0["step"] as? String == "replicas_patched" }.count
        #expect(
            Self.sum(metrics, "ebb_scale_events_total") == Double(lastPatched),
            "\(metrics.split(separator: "\n").filter { $0.contains("scale_events") })")
    }

    static func sum(_ exposition: String, _ name: String) -> Double {
        exposition.split(separator: "\n").filter { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
    }
}

struct Report {
    var kills = 0
    var killsByState: [String: Int] = [:]
    var states: Set<String> = []
    var peakBrokers = 0
    var finalBrokers = 0
    var movesCompleted = 0
    var submitted = 0
    var scaleOuts = 0
    var scaleIns = 0
    var outageSeconds = 0.0
    var wallSeconds = 0.0
    var faults: [String: Int] = [:]
    /// Every distinct AbleToScale message seen while the pool was Blocked.
    var blockedBecause: Set<String> = []
}

/// The chaos schedule, seeded.
struct Chaos {
    var random: SplitMix

    init(seed: UInt64) { random = SplitMix(seed: seed) }

    /// 1.5 to 3.5 seconds until the next kill.
    mutating func nextKillDelay() -> Double { 1.5 + Double(random.next() % 2_000) / 1_000 }
}
