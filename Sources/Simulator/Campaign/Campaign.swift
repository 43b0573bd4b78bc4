import BrokerScaling
import Foundation
import Logging
import NIOConcurrencyHelpers
import Operator

/// What one strategy did over the day.
public struct StrategyResult: Sendable, Codable, Hashable {
    public var name: String
    public var brokerHours: Double
    public var peakLag: Double
    public var p99Lag: Double
    public var minutesOverSlo: Double
    public var scaleOuts: Int
    public var scaleIns: Int
    public var moves: Int
    /// From the spike's start until the serving brokers could carry the spike's peak demand,
    /// with lag under the SLO; nil: never.
    public var secondsToCapacity: Double?
    /// One point a minute: time, demand (MiB/s), brokers, lag (messages), for the chart.
    public var series: [Point]
    /// When each scale-in happened (seconds into the day).
    public var scaleInTimes: [Double]
    /// Broken world invariants, each with its moment (should stay empty).
    public var violations: [String]

    /// The shortest time between two scale-ins (nil: fewer than two).
    public var minSecondsBetweenScaleIns: Double? {
        zip(scaleInTimes, scaleInTimes.dropFirst()).map { $1 - $0 }.min()
    }

    public struct Point: Sendable, Codable, Hashable {
        public var seconds: Double
        public var demand: Double
        public var brokers: Int
        public var lag: Double
    }

    enum CodingKeys: String, CodingKey {
        case name, brokerHours, peakLag, p99Lag, minutesOverSlo, scaleOuts, scaleIns, moves, secondsToCapacity, minSecondsBetweenScaleIns
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        brokerHours = try container.decode(Double.self, forKey: .brokerHours)
        peakLag = try container.decode(Double.self, forKey: .peakLag)
        p99Lag = try container.decode(Double.self, forKey: .p99Lag)
        minutesOverSlo = try container.decode(Double.self, forKey: .minutesOverSlo)
        scaleOuts = try container.decode(Int.self, forKey: .scaleOuts)
        scaleIns = try container.decode(Int.self, forKey: .scaleIns)
        moves = try container.decode(Int.self, forKey: .moves)
        secondsToCapacity = try container.decodeIfPresent(Double.self, forKey: .secondsToCapacity)
        series = []
        scaleInTimes = []
        violations = []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode((brokerHours * 10).rounded() / 10, forKey: .brokerHours)
        try container.encode(peakLag.rounded(), forKey: .peakLag)
        try container.encode(p99Lag.rounded(), forKey: .p99Lag)
        try container.encode((minutesOverSlo * 100).rounded() / 100, forKey: .minutesOverSlo)
        try container.encode(scaleOuts, forKey: .scaleOuts)
        try container.encode(scaleIns, forKey: .scaleIns)
        try container.encode(moves, forKey: .moves)
        try container.encode(secondsToCapacity, forKey: .secondsToCapacity)
        try container.encode(minSecondsBetweenScaleIns, forKey: .minSecondsBetweenScaleIns)
    }

    init(name: String) {
        self.name = name
        brokerHours = 0
        peakLag = 0
        p99Lag = 0
        minutesOverSlo = 0
        scaleOuts = 0
        scaleIns = 0
        moves = 0
        series = []
        scaleInTimes = []
        violations = []
    }
}

/// The comparison `ebb simulate` prints.
public struct CampaignReport: Sendable, Codable {
    public var scenario: String
    public var seed: UInt64
    public var settings: CampaignSettings
    public var peakMultiplier: Double
    public var strategies: [StrategyResult]
}

/// A campaign day, run three ways on the same traffic: static provisioning for the peak, the
/// stock HPA algorithm on broker CPU (new brokers get no partitions), and Ebb's own reconcile
/// (the `PoolReconciler` that `ebb run` uses) against the simulated cluster, on virtual time.
public enum Campaign {
    public static func run(
        scenario: String, profile: TrafficProfile, settings: CampaignSettings = CampaignSettings(), seed: UInt64 = 42, logger: Logger? = nil
    ) async -> CampaignReport {
        let noise = Noise(seed: seed)
        let demand: @Sendable (Double) -> Double = { seconds in settings.baselineMiBPerSecond * profile.multiplier(at: seconds) * noise.factor(at: seconds) }
        let peak = settings.baselineMiBPerSecond * profile.peakMultiplier
        let staticBrokers = max(3, Int((peak * 1.05 / (settings.brokerCapacityMiBPerSecond * 0.8)).rounded(.up)))
        let initial = max(3, Int((demand(0) / (settings.brokerCapacityMiBPerSecond * 0.7)).rounded(.up)))
        var results: [StrategyResult] = []
        results.append(await simulate("static", settings: settings, brokers: staticBrokers, seed: seed, demand: demand, control: nil))
        results.append(await simulate("hpa", settings: settings, brokers: initial, seed: seed, demand: demand, control: HPAControl(settings: settings)))
        let ebb = EbbControl(settings: settings, logger: logger ?? Logger(label: "ebb-simulate", factory: { _ in SwiftLogNoOpLogHandler() }))
        results.append(await simulate("ebb", settings: settings, brokers: initial, seed: seed, demand: demand, control: ebb))
        return CampaignReport(scenario: scenario, seed: seed, settings: settings, peakMultiplier: profile.peakMultiplier, strategies: results)
    }

    /// How a strategy steers the cluster.
    protocol Control: AnyObject {
        /// Seconds between two looks.
        var interval: Double { get }
        func control(_ cluster: inout CampaignCluster, now: Double, demand: Double, result: inout StrategyResult) async
    }

    static func simulate(
        _ name: String, settings: CampaignSettings, brokers: Int, seed: UInt64, demand: (Double) -> Double, control: (any Control)?
    ) async -> StrategyResult {
        var cluster = CampaignCluster(settings: settings, brokers: brokers, seed: seed)
        if control == nil { cluster.balance(demandMiBPerSecond: demand(0)) }
        var result = StrategyResult(name: name)
        let dt = settings.stepSeconds
        let day = Double(BuiltInScenario.daySeconds)
        var lags: [Double] = []
        var nextControl = 0.0
        let baseline = demand(0)
        var spike: Double?
        var capacityMet: Double?
        // The spike's demand: the day's highest.
        let peakDemand = stride(from: 0.0, to: day, by: 60).map(demand).max() ?? baseline
        var time = 0.0
        while time < day {
            let wanted = demand(time)
            if let control, time >= nextControl {
                await control.control(&cluster, now: time, demand: wanted, result: &result)
                nextControl = time + control.interval
            }
            cluster.step(now: time, dt: dt, demandMiBPerSecond: wanted)
            if result.violations.count < 100 {
                result.violations += cluster.invariantViolations(now: time).map { "t=\(Int(time)) s: \($0)" }
            }
            let lag = cluster.lagMessages
            lags.append(lag)
            result.brokerHours += Double(cluster.brokers.count) * dt / 3600
            result.peakLag = max(result.peakLag, lag)
            if lag > settings.lagSLOMessages { result.minutesOverSlo += dt / 60 }
            if spike == nil, wanted > baseline * 1.5 { spike = time }
            let capacity = Double(cluster.serving(at: time).count) * settings.brokerCapacityMiBPerSecond
            if spike != nil, capacityMet == nil, capacity >= peakDemand * 0.98, lag <= settings.lagSLOMessages { capacityMet = time }
            if Int(time) % 60 == 0 {
                result.series.append(.init(seconds: time, demand: wanted, brokers: cluster.brokers.count, lag: lag))
            }
            time += dt
        }
        lags.sort()
        result.p99Lag = lags.isEmpty ? 0 : lags[min(lags.count - 1, Int(Double(lags.count) * 0.99))]
        result.moves = cluster.moves
        // Until serving capacity covered the spike's peak demand, with lag under the SLO.
        if let spike {
            result.secondsToCapacity = capacityMet.map { max(0, $0 - spike) }
        } else {
            result.secondsToCapacity = 0
        }
        return result
    }
}

/// Seeded, smooth-ish noise on traffic (±4%, a new value every minute).
struct Noise: Sendable {
    let seed: UInt64

    func factor(at seconds: Double) -> Double {
        var random = SplitMix(seed: seed &+ UInt64(max(0, seconds / 60)))
        _ = random.next()
        return 0.96 + 0.08 * Double(random.next() % 10_000) / 10_000
    }
}
