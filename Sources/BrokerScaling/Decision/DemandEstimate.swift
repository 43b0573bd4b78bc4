import Foundation

/// What the pool is asked to carry, seen through saturation. A saturated broker's bytes-in rate
/// is what it accepted, not what producers offered; the backlog's growth is the missing part:
/// offered = served + growth of the backlog (lag in messages × record size).
public struct DemandEstimate: Sendable, Hashable, Codable {
    /// Produce bytes per second the brokers served (the BrokerThroughput In metric's total).
    public var servedBytesPerSecond: Double
    /// How fast the backlog grows (negative: drains), in bytes per second.
    public var backlogGrowthBytesPerSecond: Double
    /// Whether the growth is in the offered load: a growing backlog counts only while the ready
    /// brokers carry at least the target each (they take all they can, so producers wait).
    public var backlogGrowthCounted: Bool
    /// What the producers said they tried to send (`brokerThroughput.offeredQuery`), when read,
    /// carried along its rise by `offeredReadingAgeSeconds` (`producerOffered.bytesPerSecond`,
    /// kept as a field of its own for the JSON that scripts read).
    public var producerOfferedBytesPerSecond: Double?
    /// The offeredQuery reading behind it: as read, and its rise.
    public var producerOffered: OfferedReading?
    /// served + backlog growth, never below zero, or what the producers offered when that is more.
    public var offeredBytesPerSecond: Double
    /// Bytes per second one broker carries at the target.
    public var capacityPerBrokerBytesPerSecond: Double
    /// Where the capacity comes from: `spec.capacity.bytesInPerSecond` or the throughput target.
    public var capacitySource: String
    /// Bytes per second one serving broker accepted while the backlog was above its target (the
    /// saturation observed this time); nil when nothing was saturated.
    public var observedSaturationPerBroker: Double?
    /// Brokers that carry the offered load at the target (not rounded).
    public var brokersForOfferedLoad: Double

    /// The estimate from the readings, or nil when the pool has no bytes-in reading or no
    /// per-broker capacity to measure it by.
    /// `producerOffered` is the BrokerThroughput In metric's offeredQuery reading, when read.
    static func estimate(
        spec: BrokerPoolSpec, metrics: [MetricObservation], producerOffered: OfferedReading?, ready: Int32, now: Date, window: TimeInterval
    ) -> DemandEstimate? {
        let throughput = Self.throughputIn(spec)
        guard let capacity = Self.capacityPerBroker(spec) else { return nil }
        let observation = throughput.flatMap { throughput in metrics.first { $0.name == throughput.displayName } }
        guard let served = observation?.samples?.last, served.value.isFinite, served.value >= 0, served.time <= now else { return nil }
        let recordBytes = spec.capacity?.effectiveRecordBytes ?? BrokerCapacity.defaultRecordBytes
        var growthMessages = 0.0
        var saturated = false
        for metric in spec.metrics ?? [] where metric.type == .consumerLag {
            guard let samples = metrics.first(where: { $0.name == metric.displayName })?.samples, let trend = Self.trend(samples, window: window)
            else { continue }
            growthMessages += trend
            if let newest = samples.last, newest.value > Self.allowedLag(metric, metrics.first { $0.name == metric.displayName }) { saturated = true }
        }
        let growth = growthMessages * recordBytes
        let perBroker = ready > 0 ? served.value / Double(ready) : nil
        // A growing backlog is unserved produce only where the brokers take all they can: with
        // the ready brokers under the target each, it grows because fetches fall behind (new
        // brokers not yet in the rate window, consumers catching up), and counting it as demand
        // asks for brokers that the producers do not need. A shrinking backlog always counts:
        // bytes in then includes the backlog being served.
        let counted = growth <= 0 || (perBroker ?? 0) >= capacity.bytesPerSecond
        let offered = max(0, served.value + (counted ? growth : 0), producerOffered?.bytesPerSecond ?? 0)
        return DemandEstimate(
            servedBytesPerSecond: served.value, backlogGrowthBytesPerSecond: growth, backlogGrowthCounted: counted,
            producerOfferedBytesPerSecond: producerOffered?.bytesPerSecond, producerOffered: producerOffered, offeredBytesPerSecond: offered,
            capacityPerBrokerBytesPerSecond: capacity.bytesPerSecond, capacitySource: capacity.source,
            observedSaturationPerBroker: saturated ? perBroker : nil, brokersForOfferedLoad: offered / capacity.bytesPerSecond)
    }

    /// The pool's BrokerThroughput In metric, if it has one.
    public static func throughputIn(_ spec: BrokerPoolSpec) -> MetricSpec? {
        (spec.metrics ?? []).first { $0.type == .brokerThroughput && $0.brokerThroughput?.direction == .in }
    }

    /// Produce bytes per second one broker carries at the target, and where that comes from:
    /// `spec.capacity.bytesInPerSecond`, else the BrokerThroughput In metric's target.
    static func capacityPerBroker(_ spec: BrokerPoolSpec) -> (bytesPerSecond: Double, source: String)? {
        if let configured = spec.capacity?.bytesInPerSecond?.value, configured > 0 {
            return (configured, "spec.capacity.bytesInPerSecond")
        }
        if let throughput = throughputIn(spec), let target = throughput.target?.targetNumber, target > 0 {
            return (target, "the \(throughput.displayName) target")
        }
        return nil
    }

    /// How fast readings grew over the window, per second (oldest to newest reading in it): messages
    /// per second for lag.
    static func trend(_ samples: [MetricSample], window: TimeInterval) -> Double? {
        guard let newest = samples.last else { return nil }
        let recent = samples.filter {
            newest.time.timeIntervalSince($0.time) <= window && $0.time <= newest.time && $0.value.isFinite && $0.value >= 0
        }
        guard let oldest = recent.first, newest.time > oldest.time else { return nil }
        return (newest.value - oldest.value) / newest.time.timeIntervalSince(oldest.time)
    }

    /// The lag the target allows, in messages (the per-partition target times the partitions).
    static func allowedLag(_ metric: MetricSpec, _ observation: MetricObservation?) -> Double {
        guard let target = metric.target, let value = target.targetNumber else { return 0 }
        if target.type == .averageValue { return value * Double(max(1, observation?.partitions ?? 1)) }
        return value
    }

    /// Brokers for the offered load plus draining `backlog` messages above the target within
    /// `catchUpSeconds`. The backlog drains first through the headroom the brokers have above
    /// the target when saturated (what a broker was seen accepting); only what that leaves
    /// asks for more brokers.
    func brokers(drainingExcess excessMessages: Double, recordBytes: Double, catchUpSeconds: Double) -> Double {
        let atTarget = brokersForOfferedLoad
        guard excessMessages > 0, catchUpSeconds > 0 else { return atTarget }
        let drainRate = excessMessages * recordBytes / catchUpSeconds
        let perBroker = max(capacityPerBrokerBytesPerSecond, observedSaturationPerBroker ?? 0)
        return max(atTarget, (offeredBytesPerSecond + drainRate) / perBroker)
    }

    /// What the brokers show of the offered load: served, plus the backlog's growth where it counts.
    var offeredFromBrokers: Double {
        max(0, servedBytesPerSecond + (backlogGrowthCounted ? backlogGrowthBytesPerSecond : 0))
    }

    /// What saturation showed, when the brokers were saturated.
    public var saturationSummary: String? {
        observedSaturationPerBroker.map {
            "saturated: a serving broker accepted \(DecisionReason.bytes($0))/s while the backlog was above its target"
        }
    }

    /// "offered 2.9 GiB/s (served 1.4 GiB/s + backlog growth 1.5 GiB/s): 28.6 brokers at 105 MiB/s each"
    public var summary: String {
        if let producerOffered = producerOfferedBytesPerSecond, producerOffered >= offeredFromBrokers {
            let rise = self.producerOffered?.carrySummary.map { ": " + $0 } ?? ""
            return
                "offered \(DecisionReason.bytes(offeredBytesPerSecond))/s (what the producers tried to send, offeredQuery\(rise); the brokers served "
                + "\(DecisionReason.bytes(servedBytesPerSecond))/s): \(DecisionReason.number(brokersForOfferedLoad)) brokers at "
                + "\(DecisionReason.bytes(capacityPerBrokerBytesPerSecond))/s each (\(capacitySource))"
        }
        let sign = backlogGrowthBytesPerSecond < 0 ? "-" : "+"
        if !backlogGrowthCounted {
            return
                "offered \(DecisionReason.bytes(offeredBytesPerSecond))/s (served; the backlog's growth of \(DecisionReason.bytes(backlogGrowthBytesPerSecond))/s is fetches falling behind, "
                + "not unserved produce: the ready brokers carry under the target each): \(DecisionReason.number(brokersForOfferedLoad)) brokers at "
                + "\(DecisionReason.bytes(capacityPerBrokerBytesPerSecond))/s each (\(capacitySource))"
        }
        return
            "offered \(DecisionReason.bytes(offeredBytesPerSecond))/s (served \(DecisionReason.bytes(servedBytesPerSecond))/s \(sign) backlog growth "
            + "\(DecisionReason.bytes(abs(backlogGrowthBytesPerSecond)))/s): \(DecisionReason.number(brokersForOfferedLoad)) brokers at "
            + "\(DecisionReason.bytes(capacityPerBrokerBytesPerSecond))/s each (\(capacitySource))"
    }
}
