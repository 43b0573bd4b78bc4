import BrokerScaling
import Foundation
import Simulator

/// How a strategy steers the cluster's broker count (partition placement is the balancer's,
/// or the strategy's own).
protocol CampaignControl: AnyObject {
    /// Seconds until the next look.
    var interval: Double { get }
    /// The broker count wanted now (nil: leave it), or moves made directly on the cluster.
    func control(_ cluster: inout CampaignCluster, pipeline: MetricPipeline, now: Double, events: inout ScaleEvents) async
}

/// Scale-outs and scale-ins as they happen, for the results.
struct ScaleEvents {
    var outs = 0
    var ins = 0
    var inTimes: [Double] = []

    mutating func resize(_ cluster: inout CampaignCluster, to count: Int, now: Double, graceful: Bool) {
        guard count != cluster.brokerCount else { return }
        if count > cluster.brokerCount {
            outs += 1
        } else {
            ins += 1
            inTimes.append(now)
        }
        cluster.resize(to: count, now: now, graceful: graceful)
    }
}

/// A fleet set by the clock: the event fleet inside each event window, the everyday fleet outside.
final class ScheduledFleet: CampaignControl {
    let interval = 15.0
    let windows: [EventWindow]
    let everyday: Int

    init(windows: [EventWindow], everyday: Int) {
        self.windows = windows
        self.everyday = everyday
    }

    func control(_ cluster: inout CampaignCluster, pipeline: MetricPipeline, now: Double, events: inout ScaleEvents) async {
        let wanted = windows.first { $0.start <= now && now < $0.end }?.brokers ?? everyday
        events.resize(&cluster, to: wanted, now: now, graceful: true)
    }
}

/// The stock HPA (or KEDA, which feeds an HPA) on one signal, every 15 s.
final class HPAControl: CampaignControl {
    enum Signal {
        /// Broker CPU utilization, target percent of request (metrics-server's rate over the window).
        case cpu(targetPercent: Double)
        /// KEDA's Prometheus scaler on sum(rate(bytes in[window])), AverageValue bytes/s per broker.
        case bytesIn(perBroker: Double)
        /// KEDA's Prometheus scaler on what producers tried to send (the producers' own counter,
        /// read with `irate` as Ebb's default pool reads it), AverageValue bytes/s per broker.
        case offered(perBroker: Double)
        /// KEDA's Kafka scaler: the group's total lag read from Kafka, `lagThreshold` per broker.
        case kafkaLag(group: String, lagThreshold: Double)
    }

    let interval = 15.0
    let signal: Signal
    let graceful: Bool
    var hpa: StockHPA

    init(signal: Signal, minReplicas: Int, maxReplicas: Int, graceful: Bool) {
        self.signal = signal
        self.graceful = graceful
        hpa = StockHPA(minReplicas: minReplicas, maxReplicas: maxReplicas)
    }

    func control(_ cluster: inout CampaignCluster, pipeline: MetricPipeline, now: Double, events: inout ScaleEvents) async {
        let reading: StockHPA.Reading?
        switch signal {
        case .cpu(let target):
            let rates = pipeline.brokerRates(\.cpu, now: now)
            let serving = cluster.serving(at: now)
            let ready = serving.compactMap { rates[$0].map { $0 * 100 } }
            reading = .utilization(ready: ready, unready: cluster.brokerCount - ready.count, target: target)
        case .bytesIn(let perBroker):
            reading = pipeline.totalRate(\.bytesIn, now: now).map { .averageValue(total: $0.bytesPerSecond, target: perBroker) }
        case .offered(let perBroker):
            reading = pipeline.instantOfferedRate(now: now).map { .averageValue(total: $0, target: perBroker) }
        case .kafkaLag(let group, let threshold):
            reading = .averageValue(total: cluster.kafkaLag(group: group), target: threshold)
        }
        let wanted = hpa.desired(current: cluster.brokerCount, reading: reading, now: now)
        events.resize(&cluster, to: wanted, now: now, graceful: graceful)
    }
}

/// A span of the run with an event, and the fleet a team would book for it.
public struct EventWindow: Sendable, Hashable, Codable {
    public var start: Double
    public var end: Double
    public var brokers: Int

    /// Where traffic rises above 1.5× its level at the start of the run: each span, opened
    /// 15 minutes early (pods must start) and closed 15 minutes after, with enough brokers for
    /// its own peak at 80 % (plus the noise).
    static func find(profile: TrafficProfile, settings: CampaignSettings, duration: Double) -> [EventWindow] {
        let start = profile.multiplier(at: 0)
        var windows: [EventWindow] = []
        var open: Double?
        var peak = 0.0
        for minute in stride(from: 0.0, through: duration, by: 60) {
            let level = profile.multiplier(at: minute)
            if level > start * 1.5 {
                if open == nil { open = minute }
                peak = max(peak, level)
            } else if let opened = open {
                windows.append(EventWindow(start: max(0, opened - 900), end: min(duration, minute + 900), brokers: fleet(peak, settings)))
                open = nil
                peak = 0
            }
        }
        if let opened = open { windows.append(EventWindow(start: max(0, opened - 900), end: duration, brokers: fleet(peak, settings))) }
        // Windows that touch are one.
        var merged: [EventWindow] = []
        for window in windows {
            if var last = merged.last, window.start <= last.end {
                last.end = max(last.end, window.end)
                last.brokers = max(last.brokers, window.brokers)
                merged[merged.count - 1] = last
            } else {
                merged.append(window)
            }
        }
        return merged
    }

    /// Brokers for `multiplier` × the baseline at 80 % of a broker, with 5 % for the noise.
    static func fleet(_ multiplier: Double, _ settings: CampaignSettings) -> Int {
        max(3, Int((settings.baselineMiBPerSecond * multiplier * 1.05 / (settings.brokerCapacityMiBPerSecond * 0.8)).rounded(.up)))
    }
}
