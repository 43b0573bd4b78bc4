import NIOConcurrencyHelpers

/// Traffic through the served world's Kafka cluster, as strict as the campaign's: producers'
/// bytes wait until the partition's leader accepts them, then in the log until the group fetches
/// them, so the lag read through the Kafka protocol is the log's backlog and bytes in is what
/// the brokers accepted. A broker accepts at most its produce capacity and sends at most its
/// fetch capacity, and one short of either serves both at the same fraction; a partition whose
/// leader is gone, or that is moving, serves nothing. Producers hold only what real ones can
/// (`ProducerBuffers`); the rest is refused. Per-broker counters feed the metrics face, and the
/// producers' own counter of what they were handed (sent or refused) feeds it too.
final class LiveTraffic: Sendable {
    struct Partition {
        var topic: String
        var index: Int32
        var weight: Double
        /// Produced bytes the leader has not accepted yet (held by the producers).
        var pending = 0.0
        /// Accepted bytes the group has not fetched yet (the lag, in bytes).
        var backlog = 0.0
        /// Accepted bytes since the start (the end offset, in bytes).
        var acceptedBytes = 0.0
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
        var refusedBytes = 0.0
        var servedBytes = 0.0
        var last: Double?
        var demand = 0.0
    }

    let group: String
    let settings: CampaignSettings
    let recordBytes: Double
    let state: NIOLockedValueBox<State>

    init(settings: CampaignSettings, group: String, seed: UInt64) {
        self.group = group
        self.settings = settings
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
            let capacityIn = settings.brokerCapacityMiBPerSecond * mebibyte * dt
            let capacityOut = settings.brokerOutCapacityMiBPerSecond * mebibyte * dt
            kafka.state.withLockedValue { cluster in
                // Who serves each partition this step (nil: nobody), and what each broker is asked.
                var leaders = [Int32?](repeating: nil, count: traffic.partitions.count)
                var inWanted: [Int32: Double] = [:]
                var outWanted: [Int32: Double] = [:]
                for (position, partition) in traffic.partitions.enumerated() {
                    let bytes = demandMiBPerSecond * mebibyte * dt * partition.weight
                    traffic.partitions[position].pending += bytes
                    traffic.producedBytes += bytes
                    traffic.counters.offered[partition.topic, default: 0] += bytes
                    guard let current = cluster.topics[partition.topic]?[safe: Int(partition.index)] else { continue }
                    let leader = current.leader
                    // A broker whose pod is gone serves nothing, though Metadata may still list it;
                    // while it moves (AutoMQ: about 1.5 s), a partition does not serve.
                    guard cluster.brokers[leader] != nil, !cluster.unreachable.contains(leader),
                        cluster.reassignments[partition.topic]?[partition.index] == nil
                    else { continue }
                    leaders[position] = leader
                    inWanted[leader, default: 0] += traffic.partitions[position].pending
                    outWanted[leader, default: 0] += traffic.partitions[position].backlog + traffic.partitions[position].pending
                }
                var factor: [Int32: Double] = [:]
                for (broker, wanted) in inWanted {
                    factor[broker] = BrokerShare.fraction(
                        produceWanted: wanted, fetchWanted: outWanted[broker] ?? 0, produceCapacity: capacityIn, fetchCapacity: capacityOut)
                }
                for position in traffic.partitions.indices {
                    guard let leader = leaders[position], let share = factor[leader] else { continue }
                    let topic = traffic.partitions[position].topic
                    var accepted = traffic.partitions[position].pending * share
                    if traffic.partitions[position].pending - accepted < 1 { accepted = traffic.partitions[position].pending }
                    traffic.partitions[position].pending -= accepted
                    traffic.partitions[position].acceptedBytes += accepted
                    traffic.partitions[position].backlog += accepted
                    traffic.counters.bytesIn[leader, default: [:]][topic, default: 0] += accepted
                    traffic.counters.messagesIn[leader, default: [:]][topic, default: 0] += accepted / recordBytes
                    var fetched = traffic.partitions[position].backlog * share
                    if traffic.partitions[position].backlog - fetched < 1 { fetched = traffic.partitions[position].backlog }
                    traffic.partitions[position].backlog -= fetched
                    traffic.servedBytes += fetched
                    traffic.counters.bytesOut[leader, default: [:]][topic, default: 0] += fetched
                }
                var pending = traffic.partitions.map(\.pending)
                traffic.refusedBytes += ProducerBuffers.refuse(
                    &pending, rates: traffic.partitions.map { demandMiBPerSecond * mebibyte * $0.weight },
                    deliveryTimeoutSeconds: settings.deliveryTimeoutSeconds, bufferBytes: settings.producerBufferMiB * mebibyte)
                for position in traffic.partitions.indices { traffic.partitions[position].pending = pending[position] }
                for partition in traffic.partitions {
                    let end = Int64((partition.acceptedBytes / recordBytes).rounded(.down))
                    let committed = Int64(((partition.acceptedBytes - partition.backlog) / recordBytes).rounded(.down))
                    if cluster.topics[partition.topic]?[safe: Int(partition.index)] != nil {
                        cluster.topics[partition.topic]![Int(partition.index)].endOffset = end
                    }
                    cluster.groupOffsets[group, default: [:]][partition.topic, default: [:]][partition.index] = min(committed, end)
                }
            }
        }
    }

    /// Consumer lag of the group, in messages: what the log holds that the group has not read.
    var lagMessages: Double { state.withLockedValue { $0.partitions.reduce(0) { $0 + $1.backlog } } / recordBytes }

    /// Bytes the producers hold now, not yet accepted by a leader.
    var pendingBytes: Double { state.withLockedValue { $0.partitions.reduce(0) { $0 + $1.pending } } }

    /// Bytes the producers refused since the start (their buffers full, or a record too old).
    var refusedBytes: Double { state.withLockedValue { $0.refusedBytes } }

    /// Produce demand of the last step, in MiB/s.
    var demandMiBPerSecond: Double { state.withLockedValue { $0.demand } }

    /// Broken invariants: a negative amount waiting, or bytes neither refused, fetched nor waiting.
    var violations: [String] {
        state.withLockedValue { traffic in
            var found = traffic.partitions.filter { $0.backlog < 0 || $0.pending < 0 }.map {
                "\($0.topic)-\($0.index): negative backlog \($0.backlog) or pending \($0.pending)"
            }
            let waiting = traffic.partitions.reduce(0) { $0 + $1.backlog + $1.pending }
            if abs(traffic.producedBytes - traffic.refusedBytes - traffic.servedBytes - waiting) > max(1, traffic.producedBytes * 1e-9) {
                found.append(
                    "bytes not conserved: produced \(traffic.producedBytes), refused \(traffic.refusedBytes), fetched \(traffic.servedBytes), waiting \(waiting)"
                )
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
