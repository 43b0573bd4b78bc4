import BrokerScaling
import Foundation
import Logging
import Operator
import Simulator

/// What one strategy did over one run.
public struct StrategyResult: Sendable, Hashable {
    public var name: String
    public var brokerHours = 0.0
    /// Minutes with consumers more than the SLO's seconds behind the producers, or with producers
    /// refusing records (measured every step).
    public var minutesOverSlo = 0.0
    /// What the producers refused (their buffers full, or a record older than the delivery
    /// timeout), in GiB.
    public var refusedGiB = 0.0
    /// Minutes with more than the message SLO's messages behind.
    public var minutesOverMessageSlo = 0.0
    /// Minutes over the SLO on each day of the run (day 1 first).
    public var minutesOverSloByDay: [Double] = []
    /// The most brokers (pods) the pool had at once.
    public var peakBrokers = 0
    public var peakSecondsBehind = 0.0
    public var p99SecondsBehind = 0.0
    /// Messages behind, end to end (not yet accepted plus not yet fetched).
    public var peakLag = 0.0
    public var p99Lag = 0.0
    public var scaleOuts = 0
    public var scaleIns = 0
    public var moves = 0
    /// From the spike's start until the serving brokers could carry the spike's peak demand,
    /// within the SLO; nil: never.
    public var secondsToCapacity: Double?
    /// One point a minute, for the chart.
    public var series: [Point] = []
    /// When each scale-in happened (seconds into the run).
    public var scaleInTimes: [Double] = []
    /// Broken world invariants, each with its moment (should stay empty).
    public var violations: [String] = []

    public var minSecondsBetweenScaleIns: Double? {
        zip(scaleInTimes, scaleInTimes.dropFirst()).map { $1 - $0 }.min()
    }

    public struct Point: Sendable, Codable, Hashable {
        public var seconds: Double
        public var demand: Double
        public var brokers: Int
        /// The most seconds behind within the minute.
        public var secondsBehind: Double
        public var lag: Double
    }

    init(name: String) { self.name = name }
}

/// A strategy `ebb simulate` compares, with what it stands for.
public struct StrategyInfo: Sendable, Hashable, Codable {
    public var name: String
    public var description: String
}

/// The comparison `ebb simulate` prints: every strategy over every seed.
public struct CampaignReport: Sendable {
    public var scenario: String
    public var seeds: [UInt64]
    public var settings: CampaignSettings
    public var peakMultiplier: Double
    public var durationSeconds: Double
    public var eventWindows: [EventWindow]
    public var strategies: [StrategyInfo]
    /// Per seed, one result per strategy, in the order of `strategies`.
    public var runs: [[StrategyResult]]

    /// The first seed's result of a strategy.
    public func result(_ name: String) -> StrategyResult? { runs.first?.first { $0.name == name } }
}

/// A campaign, run every way on the same traffic and the same metric pipeline.
public enum Campaign {
    public typealias LoggerFactory = @Sendable (_ clock: @escaping @Sendable () -> Date) -> Logger

    public static func run(
        scenario: String, profile: TrafficProfile, settings: CampaignSettings = CampaignSettings(), pool: BrokerPool? = nil,
        seeds: [UInt64] = [42], only: Set<String>? = nil, logger: LoggerFactory? = nil
    ) async -> CampaignReport {
        let duration = settings.duration(of: profile)
        let windows = EventWindow.find(profile: profile, settings: settings, duration: duration)
        let plans = strategies(
            settings: settings, pool: pool ?? EbbControl.defaultPool(settings: settings), windows: windows, profile: profile, duration: duration
        )
        .filter { only == nil || only!.contains($0.info.name) }
        var runs: [[StrategyResult?]] = Array(repeating: Array(repeating: nil, count: plans.count), count: seeds.count)
        await withTaskGroup(of: (Int, Int, StrategyResult).self) { group in
            var started = 0
            let jobs = seeds.indices.flatMap { seed in plans.indices.map { (seed, $0) } }
            for (seedIndex, planIndex) in jobs {
                // As many at once as there are cores.
                if started >= max(1, ProcessInfo.processInfo.activeProcessorCount), let done = await group.next() {
                    runs[done.0][done.1] = done.2
                }
                started += 1
                let plan = plans[planIndex]
                let seed = seeds[seedIndex]
                // Only the first seed's Ebb writes the decision log.
                let log = seedIndex == 0 ? logger : nil
                group.addTask {
                    (seedIndex, planIndex, await simulate(plan, settings: settings, profile: profile, duration: duration, seed: seed, logger: log))
                }
            }
            for await done in group { runs[done.0][done.1] = done.2 }
        }
        return CampaignReport(
            scenario: scenario, seeds: seeds, settings: settings, peakMultiplier: profile.peakMultiplier, durationSeconds: duration,
            eventWindows: windows, strategies: plans.map(\.info), runs: runs.map { $0.compactMap { $0 } })
    }

    /// One strategy: how it starts and what steers it.
    struct Plan: Sendable {
        var info: StrategyInfo
        var initialBrokers: Int
        var balancer: Bool
        var makeControl: @Sendable (_ logger: LoggerFactory?) -> (any CampaignControl)?
    }

    static func strategies(settings: CampaignSettings, pool: BrokerPool, windows: [EventWindow], profile: TrafficProfile, duration: Double) -> [Plan]
    {
        let spec = pool.spec
        let minimum = Int(spec.effectiveMinReplicas)
        let maximum = Int(spec.maxReplicas)
        let peakFleet = min(maximum, EventWindow.fleet(profile.peakMultiplier, settings))
        // Outside the windows: enough for the highest traffic there.
        let quiet =
            stride(from: 0.0, through: duration, by: 60).filter { time in !windows.contains { $0.start <= time && time < $0.end } }
            .map { profile.multiplier(at: $0) }.max() ?? profile.peakMultiplier
        let everyday = min(maximum, max(minimum, EventWindow.fleet(quiet, settings)))
        let initial = min(
            maximum,
            max(minimum, Int((settings.baselineMiBPerSecond * profile.multiplier(at: 0) / (settings.brokerCapacityMiBPerSecond * 0.7)).rounded(.up))))
        let bytesTarget =
            spec.metrics?.compactMap { $0.type == .brokerThroughput && $0.brokerThroughput?.direction == .in ? $0.target?.averageValue?.value : nil }
            .first
            ?? settings.brokerCapacityMiBPerSecond * 0.7 * 1_048_576
        let cpuTarget = spec.metrics?.compactMap { $0.type == .cpu ? $0.target?.averageUtilization.map(Double.init) : nil }.first ?? 70
        let lagGroup = spec.metrics?.compactMap { $0.consumerLag?.group }.first ?? settings.consumerGroups.first?.name ?? "shop-consumers"
        let kedaLagThreshold = 10_000.0
        let scheduledWindows = windows.map { EventWindow(start: $0.start, end: $0.end, brokers: min(maximum, $0.brokers)) }
        var plans: [Plan] = [
            Plan(
                info: StrategyInfo(
                    name: "static", description: "the peak's fleet (80 % of a broker at the peak) all the time, with AutoMQ's self-balancer"),
                initialBrokers: peakFleet, balancer: true, makeControl: { _ in nil }),
            Plan(
                info: StrategyInfo(
                    name: "scheduled",
                    description: "the everyday fleet, and each event's fleet from 15 min before it until 15 min after, with the self-balancer"),
                initialBrokers: scheduledWindows.first { $0.start <= 0 }?.brokers ?? everyday, balancer: true,
                makeControl: { _ in ScheduledFleet(windows: scheduledWindows, everyday: everyday) }),
            Plan(
                info: StrategyInfo(name: "hpa-cpu", description: "HPA on broker CPU (\(Int(cpuTarget)) %), the self-balancer, graceful scale-in"),
                initialBrokers: initial, balancer: true,
                makeControl: { _ in HPAControl(signal: .cpu(targetPercent: cpuTarget), minReplicas: minimum, maxReplicas: maximum, graceful: true) }),
            Plan(
                info: StrategyInfo(
                    name: "keda-bytes-in",
                    description:
                        "HPA/KEDA on sum(rate(bytes in)) (\(Int(bytesTarget / 1_048_576)) MiB/s a broker), the self-balancer, graceful scale-in"),
                initialBrokers: initial, balancer: true,
                makeControl: { _ in HPAControl(signal: .bytesIn(perBroker: bytesTarget), minReplicas: minimum, maxReplicas: maximum, graceful: true) }
            ),
            Plan(
                info: StrategyInfo(
                    name: "keda-offered",
                    description:
                        "KEDA's Prometheus scaler on what producers try to send (irate of \(ProducerMetrics.offeredBytes), \(Int(bytesTarget / 1_048_576)) MiB/s a broker), the self-balancer, graceful scale-in"
                ),
                initialBrokers: initial, balancer: true,
                makeControl: { _ in HPAControl(signal: .offered(perBroker: bytesTarget), minReplicas: minimum, maxReplicas: maximum, graceful: true) }
            ),
            Plan(
                info: StrategyInfo(
                    name: "keda-lag",
                    description:
                        "KEDA's Kafka scaler on \(lagGroup)'s lag (lagThreshold \(Int(kedaLagThreshold))), the self-balancer, graceful scale-in"),
                initialBrokers: initial, balancer: true,
                makeControl: { _ in
                    HPAControl(
                        signal: .kafkaLag(group: lagGroup, lagThreshold: kedaLagThreshold), minReplicas: minimum, maxReplicas: maximum, graceful: true
                    )
                }),
            Plan(
                info: StrategyInfo(
                    name: "hpa-cpu-no-rebalance",
                    description: "HPA on CPU without any rebalancing: new brokers stay empty, leaving ones fail over after the session timeout"),
                initialBrokers: initial, balancer: false,
                makeControl: { _ in HPAControl(signal: .cpu(targetPercent: cpuTarget), minReplicas: minimum, maxReplicas: maximum, graceful: false) }),
            Plan(
                info: StrategyInfo(name: "ebb", description: "Ebb's reconcile (the code ebb run runs) with the pool \(pool.metadata.name ?? "")"),
                initialBrokers: initial, balancer: false,
                makeControl: { logger in EbbControl(pool: pool, settings: settings, logger: logger) })
        ]
        if !windows.isEmpty, (spec.schedules ?? []).isEmpty {
            var withSchedules = pool
            withSchedules.spec.schedules = scheduledWindows.enumerated().map { index, window in
                ScalingSchedule(
                    name: "event-\(index + 1)", minReplicas: Int32(window.brokers), timeZone: "UTC",
                    start: isoTime(settings.startDate.addingTimeInterval(window.start)),
                    end: isoTime(settings.startDate.addingTimeInterval(window.end)))
            }
            let scheduled = withSchedules
            plans.append(
                Plan(
                    info: StrategyInfo(
                        name: "ebb+schedule", description: "Ebb with a schedule for each event window (minReplicas: the event's fleet)"),
                    initialBrokers: scheduledWindows.first { $0.start <= 0 }?.brokers ?? initial, balancer: false,
                    makeControl: { _ in EbbControl(pool: scheduled, settings: settings, logger: nil) }))
        }
        if duration > 86_400, (spec.predictive?.effectiveMode ?? .off) == .off {
            var predicting = pool
            predicting.spec.predictive = PredictiveScaling(mode: .on)
            let predictive = predicting
            plans.append(
                Plan(
                    info: StrategyInfo(
                        name: "ebb+predictive", description: "Ebb with spec.predictive On: a floor from the pool's own history, 300 s ahead"),
                    initialBrokers: initial, balancer: false,
                    makeControl: { _ in EbbControl(pool: predictive, settings: settings, logger: nil) }))
        }
        return plans
    }

    static func isoTime(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    static func simulate(_ plan: Plan, settings: CampaignSettings, profile: TrafficProfile, duration: Double, seed: UInt64, logger: LoggerFactory?)
        async -> StrategyResult
    {
        let noise = Noise(seed: seed)
        let demand: (Double) -> Double = { settings.baselineMiBPerSecond * profile.multiplier(at: $0) * noise.factor(at: $0) }
        var cluster = CampaignCluster(settings: settings, brokers: plan.initialBrokers, seed: seed)
        cluster.placeEvenly()
        var pipeline = MetricPipeline(settings: settings)
        var balancer = plan.balancer ? SelfBalancer() : nil
        let control = plan.makeControl(logger)
        var events = ScaleEvents()
        var result = StrategyResult(name: plan.info.name)
        let dt = settings.stepSeconds
        var behind: [Double] = []
        var lags: [Double] = []
        var nextControl = 0.0
        let start = profile.multiplier(at: 0)
        let spike = stride(from: 0.0, to: duration, by: 60).first { profile.multiplier(at: $0) > start * 1.5 }
        let peakDemand = settings.baselineMiBPerSecond * profile.peakMultiplier
        var capacityMet: Double?
        var minuteBehind = 0.0
        var time = 0.0
        while time < duration {
            // A run is minutes of arithmetic: let other tasks on the cooperative threads (a
            // server's requests, a test's waits) run between simulated minutes.
            if Int(time) % 60 == 0 { await Task.yield() }
            let wanted = demand(time)
            balancer?.check(&cluster, pipeline: pipeline, now: time)
            if let control, time >= nextControl {
                await control.control(&cluster, pipeline: pipeline, now: time, events: &events)
                nextControl = time + control.interval
            }
            cluster.step(now: time, dt: dt, demandMiBPerSecond: wanted)
            pipeline.scrapeIfDue(cluster, now: time + dt)
            if result.violations.count < 100, Int(time) % 10 == 0 {
                result.violations += cluster.invariantViolations(now: time).map { "t=\(Int(time)) s: \($0)" }
            }
            let seconds = cluster.secondsBehind
            let lag = cluster.messagesBehind
            behind.append(seconds)
            lags.append(lag)
            minuteBehind = max(minuteBehind, seconds)
            result.brokerHours += Double(cluster.brokerCount) * dt / 3600
            result.peakSecondsBehind = max(result.peakSecondsBehind, seconds)
            result.peakLag = max(result.peakLag, lag)
            result.peakBrokers = max(result.peakBrokers, cluster.brokerCount)
            if seconds > settings.sloSecondsBehind || cluster.refusedInStep >= settings.recordBytes {
                result.minutesOverSlo += dt / 60
                let day = Int(time / 86_400)
                if result.minutesOverSloByDay.count <= day {
                    result.minutesOverSloByDay += Array(repeating: 0, count: day + 1 - result.minutesOverSloByDay.count)
                }
                result.minutesOverSloByDay[day] += dt / 60
            }
            if lag > settings.lagSLOMessages { result.minutesOverMessageSlo += dt / 60 }
            if let spike, time >= spike, capacityMet == nil, seconds <= settings.sloSecondsBehind,
                Double(cluster.serving(at: time).count) * settings.brokerCapacityMiBPerSecond >= peakDemand * 0.98,
                seconds <= settings.sloSecondsBehind
            {
                capacityMet = time
            }
            if Int(time) % 60 == 0 {
                result.series.append(.init(seconds: time, demand: wanted, brokers: cluster.brokerCount, secondsBehind: minuteBehind, lag: lag))
                minuteBehind = 0
            }
            time += dt
        }
        let days = max(1, Int((duration / 86_400).rounded(.up)))
        if result.minutesOverSloByDay.count < days {
            result.minutesOverSloByDay += Array(repeating: 0, count: days - result.minutesOverSloByDay.count)
        }
        behind.sort()
        lags.sort()
        result.p99SecondsBehind = behind.isEmpty ? 0 : behind[min(behind.count - 1, Int(Double(behind.count) * 0.99))]
        result.p99Lag = lags.isEmpty ? 0 : lags[min(lags.count - 1, Int(Double(lags.count) * 0.99))]
        result.moves = cluster.moves
        result.refusedGiB = cluster.refusedBytes / 1_073_741_824
        result.scaleOuts = events.outs
        result.scaleIns = events.ins
        result.scaleInTimes = events.inTimes
        result.secondsToCapacity = spike.map { spike in capacityMet.map { max(0, $0 - spike) } } ?? 0
        return result
    }
}
