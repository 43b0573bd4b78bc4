import NIOConcurrencyHelpers

/// Traffic through the served world's Kafka cluster: producers write to each partition's
/// leader, one consumer group reads what the brokers can serve. End offsets and the group's
/// committed offsets move with it, so lag read through the Kafka protocol is the backlog, and
/// per-broker byte counters feed the metrics face. The same model as the campaign's: a broker
/// serves at most its capacity, a partition whose leader is gone or that is moving does not
/// serve, and what is not served waits.
final class LiveTraffic: Sendable {
    struct Partition {
        var topic: String
        var index: Int32
        var weight: Double
        /// Bytes produced but not yet consumed.
        var backlog = 0.0
        /// Messages produced since the start (the end offset).
        var produced = 0.0
        var producedBytes = 0.0
    }

    struct Counters {
        var bytesIn: [Int32: [String: Double]] = [:]
        var bytesOut: [Int32: [String: Double]] = [:]
        var messagesIn: [Int32: [String: Double]] = [:]
        /// Per topic: bytes the applications handed to their producers (the producers' side).
        var offered: [String: Double] = [:]
    }

    struct State {
        var partitions: [Partition]
        var counters = Counters()
        var producedBytes = 0.0
        var servedBytes = 0.0
        var last: Double?
        var demand = 0.0
    }

    let group: String
    let capacityMiBPerSecond: Double
    let recordBytes: Double
    let state: NIOLockedValueBox<State>

    init(settings: CampaignSettings, group: String, seed: UInt64) {
        self.group = group
        capacityMiBPerSecond = settings.brokerCapacityMiBPerSecond
        recordBytes = settings.recordBytes
        let partitions = TopicSpec.shares(settings.topics, seed: seed).map { Partition(topic: $0.topic, index: $0.index, weight: $0.weight) }
        state = NIOLockedValueBox(State(partitions: partitions))
    }

    /// Traffic from the last step until `now` (world seconds) at `demandMiBPerSecond`.
    func step(_ kafka: SimulatedKafkaCluster, now: Double, demandMiBPerSecond: Double) {
        let mebibyte = 1_048_576.0
        state.withLockedValue { traffic in
            defer { traffic.last = now }
            traffic.demand = demandMiBPerSecond
            guard let last = traffic.last, now > last else { return }
            let dt = now - last
            kafka.state.withLockedValue { cluster in
                let capacity = capacityMiBPerSecond * mebibyte * dt
                var claims = [BrokerService.Claim?](repeating: nil, count: traffic.partitions.count)
                for (position, partition) in traffic.partitions.enumerated() {
                    let bytes = demandMiBPerSecond * mebibyte * dt * partition.weight
                    traffic.partitions[position].backlog += bytes
                    traffic.partitions[position].produced += bytes / recordBytes
                    traffic.partitions[position].producedBytes += bytes
                    traffic.producedBytes += bytes
                    traffic.counters.offered[partition.topic, default: 0] += bytes
                    guard let current = cluster.topics[partition.topic]?[safe: Int(partition.index)] else { continue }
                    cluster.topics[partition.topic]![Int(partition.index)].endOffset = Int64(traffic.partitions[position].produced)
                    let leader = current.leader
                    // A broker whose pod is gone serves nothing, though Metadata may still list it.
                    guard cluster.brokers[leader] != nil, !cluster.unreachable.contains(leader) else { continue }
                    traffic.counters.bytesIn[leader, default: [:]][partition.topic, default: 0] += bytes
                    traffic.counters.messagesIn[leader, default: [:]][partition.topic, default: 0] += bytes / recordBytes
                    // While it moves (AutoMQ: about 1.5 s), a partition does not serve.
                    guard cluster.reassignments[partition.topic]?[partition.index] == nil else { continue }
                    claims[position] = BrokerService.Claim(broker: leader, backlog: traffic.partitions[position].backlog)
                }
                let served = BrokerService.serve(claims, capacity: capacity).served
                for (position, claim) in claims.enumerated() {
                    guard let claim, served[position] > 0 else { continue }
                    traffic.partitions[position].backlog -= served[position]
                    traffic.servedBytes += served[position]
                    traffic.counters.bytesOut[claim.broker, default: [:]][traffic.partitions[position].topic, default: 0] += served[position]
                }
                for partition in traffic.partitions {
                    let committed = Int64(((partition.producedBytes - partition.backlog) / recordBytes).rounded(.down))
                    cluster.groupOffsets[group, default: [:]][partition.topic, default: [:]][partition.index] = min(committed, Int64(partition.produced))
                }
            }
        }
    }

    /// Consumer lag of the group, in messages.
    var lagMessages: Double { state.withLockedValue { $0.partitions.reduce(0) { $0 + $1.backlog } } / recordBytes }

    /// Produce demand of the last step, in MiB/s.
    var demandMiBPerSecond: Double { state.withLockedValue { $0.demand } }

    /// Broken invariants: a negative backlog, or bytes neither served nor waiting.
    var violations: [String] {
        state.withLockedValue { traffic in
            var found = traffic.partitions.filter { $0.backlog < 0 }.map { "\($0.topic)-\($0.index): negative backlog \($0.backlog)" }
            let backlog = traffic.partitions.reduce(0) { $0 + $1.backlog }
            if abs(traffic.producedBytes - traffic.servedBytes - backlog) > max(1, traffic.producedBytes * 1e-9) {
                found.append("bytes not conserved: produced \(traffic.producedBytes), served \(traffic.servedBytes), backlog \(backlog)")
            }
            return found
        }
    }

    /// Per-broker, per-topic counters, in bytes and messages since the start.
    var counters: Counters { state.withLockedValue { $0.counters } }

    /// Brokers that have left: their counters go with their pods.
    func forget(brokersOtherThan present: Set<Int32>) {
        state.withLockedValue { traffic in
            for counter in [\Counters.bytesIn, \Counters.bytesOut, \Counters.messagesIn] {
                traffic.counters[keyPath: counter] = traffic.counters[keyPath: counter].filter { present.contains($0.key) }
            }
        }
    }
}
