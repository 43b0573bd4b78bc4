/// One signal Ebb sizes the pool by, shaped like an HPA v2 `MetricSpec`: a `type` and the member
/// of that name.
public struct MetricSpec: Sendable, Hashable, Codable {
    public enum MetricType: String, Sendable, Hashable, Codable, CaseIterable {
        case brokerThroughput = "BrokerThroughput"
        case consumerLag = "ConsumerLag"
        case prometheus = "Prometheus"
        case cpu = "CPU"
    }

    public var type: MetricType
    public var name: String?
    public var brokerThroughput: BrokerThroughputMetric?
    public var consumerLag: ConsumerLagMetric?
    public var prometheus: PrometheusMetric?
    public var cpu: CPUMetric?

    public init(
        type: MetricType, name: String? = nil, brokerThroughput: BrokerThroughputMetric? = nil,
        consumerLag: ConsumerLagMetric? = nil, prometheus: PrometheusMetric? = nil, cpu: CPUMetric? = nil
    ) {
        self.type = type
        self.name = name
        self.brokerThroughput = brokerThroughput
        self.consumerLag = consumerLag
        self.prometheus = prometheus
        self.cpu = cpu
    }

    public static func throughput(
        _ direction: BrokerThroughputMetric.Direction, perBroker: Quantity, offeredQuery: String? = nil, name: String? = nil
    ) -> MetricSpec {
        MetricSpec(
            type: .brokerThroughput, name: name,
            brokerThroughput: BrokerThroughputMetric(
                direction: direction, target: MetricTarget(type: .averageValue, averageValue: perBroker), offeredQuery: offeredQuery))
    }

    public static func lag(group: String, topics: [String]? = nil, target: MetricTarget, name: String? = nil) -> MetricSpec {
        MetricSpec(type: .consumerLag, name: name, consumerLag: ConsumerLagMetric(group: group, topics: topics, target: target))
    }

    public static func cpu(utilization: Int32, name: String? = nil) -> MetricSpec {
        MetricSpec(type: .cpu, name: name, cpu: CPUMetric(target: MetricTarget(type: .utilization, averageUtilization: utilization)))
    }

    public static func prometheus(query: String, target: MetricTarget, name: String? = nil) -> MetricSpec {
        MetricSpec(type: .prometheus, name: name, prometheus: PrometheusMetric(query: query, target: target))
    }

    /// The target of whichever member `type` selects.
    public var target: MetricTarget? {
        switch type {
        case .brokerThroughput: return brokerThroughput?.target
        case .consumerLag: return consumerLag?.target
        case .prometheus: return prometheus?.target
        case .cpu: return cpu?.target
        }
    }

    /// The name used in logs, status and decisions: `name` if given, else one derived from the type.
    public var displayName: String {
        if let name { return name }
        switch type {
        case .brokerThroughput:
            return brokerThroughput?.direction == .out ? "bytes-out" : "bytes-in"
        case .consumerLag:
            return "lag:\(consumerLag?.group ?? "?")"
        case .prometheus: return "prometheus"
        case .cpu: return "cpu"
        }
    }
}

/// Bytes per second through each broker.
public struct BrokerThroughputMetric: Sendable, Hashable, Codable {
    public enum Direction: String, Sendable, Hashable, Codable, CaseIterable {
        case `in` = "In"
        case out = "Out"
    }

    public var direction: Direction
    public var target: MetricTarget
    /// In only: PromQL for the bytes per second the producers try to send (sent plus refused),
    /// from the applications' own metrics. A saturated broker's bytes in is what it accepted;
    /// this is what was offered, so the pool is sized by the larger of the two.
    public var offeredQuery: String?
    /// How far behind the present `offeredQuery`'s answer is: a rate over a window describes the
    /// middle of that window (about one scrape interval back for `irate`). While the producers'
    /// rate rises, Ebb carries its trend forward by this many seconds, so a ramp is sized for
    /// what the producers send now; it never lowers the reading. Unset or 0: used as read.
    public var offeredReadingAgeSeconds: Int32?

    public init(direction: Direction, target: MetricTarget, offeredQuery: String? = nil, offeredReadingAgeSeconds: Int32? = nil) {
        self.direction = direction
        self.target = target
        self.offeredQuery = offeredQuery
        self.offeredReadingAgeSeconds = offeredReadingAgeSeconds
    }

    /// The longest `offeredQuery` accepted.
    public static let maxOfferedQueryLength = 4096
    /// The largest `offeredReadingAgeSeconds` accepted: half of a 10-minute rate window.
    public static let maxOfferedReadingAgeSeconds: Int32 = 300
}

/// Messages a consumer group is behind the log end.
public struct ConsumerLagMetric: Sendable, Hashable, Codable {
    public var group: String
    public var topics: [String]?
    public var target: MetricTarget
    /// Set: the lag proposes the brokers that carry the offered load and drain the backlog above
    /// the target within this many seconds (Ebb's demand estimate). Unset: HPA's arithmetic for
    /// an external metric (the ready broker count times lag / target), as a stock HPA or KEDA.
    public var catchUpSeconds: Int32?

    public init(group: String, topics: [String]? = nil, target: MetricTarget, catchUpSeconds: Int32? = nil) {
        self.group = group
        self.topics = topics
        self.target = target
        self.catchUpSeconds = catchUpSeconds
    }
}

/// A PromQL query that yields one number.
public struct PrometheusMetric: Sendable, Hashable, Codable {
    public var serverAddress: String?
    public var query: String
    public var target: MetricTarget

    public init(serverAddress: String? = nil, query: String, target: MetricTarget) {
        self.serverAddress = serverAddress
        self.query = query
        self.target = target
    }
}

/// CPU use of the broker pods, as a percentage of their requests.
public struct CPUMetric: Sendable, Hashable, Codable {
    public var target: MetricTarget
    public init(target: MetricTarget) { self.target = target }
}

/// HPA v2's `MetricTarget`.
public struct MetricTarget: Sendable, Hashable, Codable {
    public enum TargetType: String, Sendable, Hashable, Codable, CaseIterable {
        /// The metric's value as a whole (total lag, a query's value).
        case value = "Value"
        /// The metric's value divided by the number of brokers (or partitions, for lag).
        case averageValue = "AverageValue"
        /// A percentage of the pods' resource requests (CPU only).
        case utilization = "Utilization"
    }

    public var type: TargetType
    public var value: Quantity?
    public var averageValue: Quantity?
    public var averageUtilization: Int32?

    public init(type: TargetType, value: Quantity? = nil, averageValue: Quantity? = nil, averageUtilization: Int32? = nil) {
        self.type = type
        self.value = value
        self.averageValue = averageValue
        self.averageUtilization = averageUtilization
    }

    /// The number the metric is compared with, from the member `type` selects.
    public var targetNumber: Double? {
        switch type {
        case .value: return value?.value
        case .averageValue: return averageValue?.value
        case .utilization: return averageUtilization.map(Double.init)
        }
    }
}
