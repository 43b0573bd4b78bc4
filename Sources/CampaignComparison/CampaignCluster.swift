import BrokerScaling
import Simulator

/// The Kafka cluster of one strategy's run. Producers' bytes wait until the partition's leader
/// accepts them (`pending`), then wait in the log until each consumer group fetches them
/// (`unconsumed`, the lag Kafka shows). Producers hold at most their buffers' worth, and a
/// record at most the delivery timeout: what does not fit is refused, as a real producer's
/// `send` fails, and is not sent later. A broker has a produce and a fetch capacity; one short
/// of either is slow for both. Brokers take time to start; a moving partition serves nothing.
/// Broker ids are the StatefulSet's ordinals: 0 ..< brokerCount.
struct CampaignCluster {
    struct Partition {
        var topic: String
        var index: Int32
        /// Leader broker, or -1 while offline.
        var leader: Int32
        /// Share of the cluster's traffic.
        var weight: Double
        /// Produced bytes the leader has not accepted yet.
        var pending: Double = 0
        /// Per consumer group: accepted bytes not yet fetched (-1: the group does not read it).
        var unconsumed: [Double]
        /// Accepted bytes since the start (the log end offset, in bytes).
        var accepted: Double = 0
        var movingUntil: Double = -1
        var moveTo: Int32 = -1
    }

    let settings: CampaignSettings
    /// Broker id -> the time it serves from.
    private(set) var startsAt: [Double] = []
    var partitions: [Partition] = []
    let groups: [ConsumerGroupSpec]
    var moves = 0
    /// Per broker id, since the start: bytes accepted, bytes fetched, CPU seconds (of one
    /// request's worth). Counters of a broker id continue when its pod comes back.
    var bytesInTotal: [Double] = []
    var bytesOutTotal: [Double] = []
    var cpuTotal: [Double] = []
    /// End to end, after the last step: the most seconds any partition's consumers are behind
    /// its producers, and the messages behind.
    private(set) var secondsBehind = 0.0
    private(set) var messagesBehind = 0.0
    /// Every byte produced, accepted, refused by the producers, and fetched per group since the
    /// start.
    var producedBytes = 0.0
    var acceptedBytes = 0.0
    var refusedBytes = 0.0
    /// Bytes the producers refused in the last step.
    private(set) var refusedInStep = 0.0
    var acceptedForGroup: [Double]
    var consumedByGroup: [Double]

    init(settings: CampaignSettings, brokers count: Int, seed: UInt64) {
        self.settings = settings
        groups = settings.consumerGroups
        acceptedForGroup = Array(repeating: 0, count: groups.count)
        consumedByGroup = Array(repeating: 0, count: groups.count)
        startsAt = Array(repeating: 0, count: count)
        ensureCounters(count)
        let readers = groups.map { $0.topics.map(Set.init) }
        for (position, share) in TopicSpec.shares(settings.topics, seed: seed).enumerated() {
            let unconsumed = readers.map { topics in topics == nil || topics!.contains(share.topic) ? 0.0 : -1 }
            partitions.append(
                Partition(
                    topic: share.topic, index: share.index, leader: Int32(position % max(1, count)), weight: share.weight, unconsumed: unconsumed))
        }
    }

    var brokerCount: Int { startsAt.count }

    func isServing(_ id: Int32, at now: Double) -> Bool { Int(id) < startsAt.count && id >= 0 && startsAt[Int(id)] <= now }

    func serving(at now: Double) -> [Int32] { startsAt.indices.filter { startsAt[$0] <= now }.map(Int32.init) }

    private mutating func ensureCounters(_ count: Int) {
        while bytesInTotal.count < count {
            bytesInTotal.append(0)
            bytesOutTotal.append(0)
            cpuTotal.append(0)
        }
    }

    /// One step: traffic arrives; moves due within the step finish (a moving partition serves
    /// only for the part of the step after its move); each broker accepts and sends what its
    /// capacities allow, in proportion to what waits on it; each group fetches what its
    /// capacity allows.
    mutating func step(now: Double, dt: Double, demandMiBPerSecond: Double) {
        let mebibyte = 1_048_576.0
        let capacityIn = settings.brokerCapacityMiBPerSecond * mebibyte * dt
        let capacityOut = settings.brokerOutCapacityMiBPerSecond * mebibyte * dt
        let count = startsAt.count
        var inWanted = [Double](repeating: 0, count: count)
        var outWanted = [Double](repeating: 0, count: count)
        var fraction = [Double](repeating: 0, count: partitions.count)
        var groupWanted = [Double](repeating: 0, count: groups.count)
        for index in partitions.indices {
            let arriving = demandMiBPerSecond * mebibyte * dt * partitions[index].weight
            partitions[index].pending += arriving
            producedBytes += arriving
            var serves = 1.0
            if partitions[index].movingUntil >= 0 {
                if partitions[index].movingUntil < now + dt {
                    partitions[index].leader = partitions[index].moveTo
                    serves = (now + dt - max(now, partitions[index].movingUntil)) / dt
                    partitions[index].movingUntil = -1
                    partitions[index].moveTo = -1
                } else {
                    serves = 0
                }
            }
            let leader = partitions[index].leader
            guard serves > 0, isServing(leader, at: now) else { continue }
            fraction[index] = serves
            inWanted[Int(leader)] += partitions[index].pending
            for (group, waiting) in partitions[index].unconsumed.enumerated() where waiting >= 0 {
                outWanted[Int(leader)] += waiting + partitions[index].pending
                groupWanted[group] += waiting + partitions[index].pending
            }
        }
        let brokerFactor = (0..<count).map { broker in
            BrokerShare.fraction(
                produceWanted: inWanted[broker], fetchWanted: outWanted[broker], produceCapacity: capacityIn, fetchCapacity: capacityOut)
        }
        let groupFactor = groups.indices.map { group -> Double in
            guard let capacity = groups[group].capacityMiBPerSecond else { return 1 }
            return min(1, capacity * mebibyte * dt / max(1e-12, groupWanted[group]))
        }
        var inDone = [Double](repeating: 0, count: count)
        var outDone = [Double](repeating: 0, count: count)
        var worstSeconds = 0.0
        var behindBytes = 0.0
        for index in partitions.indices {
            if fraction[index] > 0 {
                let broker = Int(partitions[index].leader)
                let factor = brokerFactor[broker] * fraction[index]
                var accepted = partitions[index].pending * factor
                if partitions[index].pending - accepted < 1 { accepted = partitions[index].pending }
                partitions[index].pending -= accepted
                partitions[index].accepted += accepted
                acceptedBytes += accepted
                inDone[broker] += accepted
                for group in partitions[index].unconsumed.indices where partitions[index].unconsumed[group] >= 0 {
                    partitions[index].unconsumed[group] += accepted
                    acceptedForGroup[group] += accepted
                    let waiting = partitions[index].unconsumed[group]
                    var fetched = waiting * factor * groupFactor[group]
                    if waiting - fetched < 1 { fetched = waiting }
                    partitions[index].unconsumed[group] -= fetched
                    consumedByGroup[group] += fetched
                    outDone[broker] += fetched
                }
            }
        }
        refuseBeyondProducerBuffers(demandMiBPerSecond: demandMiBPerSecond)
        for partition in partitions {
            let rate = demandMiBPerSecond * mebibyte * partition.weight
            let behind = partition.pending + (partition.unconsumed.max() ?? 0)
            behindBytes += behind
            if rate > 0 { worstSeconds = max(worstSeconds, behind / rate) }
        }
        secondsBehind = worstSeconds
        messagesBehind = behindBytes / settings.recordBytes
        for broker in 0..<count where startsAt[broker] <= now {
            bytesInTotal[broker] += inDone[broker]
            bytesOutTotal[broker] += outDone[broker]
            // An idle broker still burns a little; a saturated one shows 100 %.
            let load = max(inDone[broker] / capacityIn, outDone[broker] / capacityOut)
            cpuTotal[broker] += (0.05 + 0.95 * min(1, load)) * dt
        }
    }

    /// Producers hold what their leaders did not accept only as real ones can (`ProducerBuffers`).
    private mutating func refuseBeyondProducerBuffers(demandMiBPerSecond: Double) {
        var pending = partitions.map(\.pending)
        let refused = ProducerBuffers.refuse(
            &pending, rates: partitions.map { demandMiBPerSecond * 1_048_576.0 * $0.weight },
            deliveryTimeoutSeconds: settings.deliveryTimeoutSeconds, bufferBytes: settings.producerBufferMiB * 1_048_576.0)
        for index in partitions.indices { partitions[index].pending = pending[index] }
        refusedBytes += refused
        refusedInStep = refused
    }

    /// What must hold after every step, whatever the strategy did: no partition is led by a
    /// broker that does not exist, nothing waits a negative amount, and every byte produced was
    /// accepted, refused or is still pending, every accepted byte fetched or still in the log.
    func invariantViolations(now: Double) -> [String] {
        var found: [String] = []
        for partition in partitions {
            let negative = partition.pending < 0 || partition.unconsumed.contains { $0 < 0 && $0 != -1 }
            let missingLeader = partition.leader >= 0 && Int(partition.leader) >= startsAt.count
            let missingTarget = partition.movingUntil >= 0 && (partition.moveTo < 0 || Int(partition.moveTo) >= startsAt.count)
            guard negative || missingLeader || missingTarget else { continue }
            let name = "\(partition.topic)-\(partition.index)"
            if negative { found.append("\(name): negative backlog") }
            if missingLeader { found.append("\(name): led by missing broker \(partition.leader)") }
            if missingTarget { found.append("\(name): moving to missing broker \(partition.moveTo)") }
        }
        let pending = partitions.reduce(0) { $0 + $1.pending }
        if abs(producedBytes - acceptedBytes - refusedBytes - pending) > max(1, producedBytes * 1e-9) {
            found.append("bytes not conserved: produced \(producedBytes), accepted \(acceptedBytes), refused \(refusedBytes), pending \(pending)")
        }
        for group in groups.indices {
            let inLog = partitions.reduce(0) { $0 + max(0, $1.unconsumed[group]) }
            if abs(acceptedForGroup[group] - consumedByGroup[group] - inLog) > max(1, acceptedForGroup[group] * 1e-9) {
                found.append(
                    "\(groups[group].name): bytes not conserved: accepted \(acceptedForGroup[group]), fetched \(consumedByGroup[group]), in the log \(inLog)"
                )
            }
        }
        return found
    }

    /// The lag Kafka shows for a group (log end minus committed offsets), in messages.
    func kafkaLag(group name: String) -> Double {
        let group = groups.firstIndex { $0.name == name } ?? 0
        guard group < groups.count else { return 0 }
        return partitions.reduce(0) { $0 + max(0, $1.unconsumed[group]) } / settings.recordBytes
    }

    /// Partitions a group reads.
    func partitionCount(group name: String) -> Int {
        let group = groups.firstIndex { $0.name == name } ?? 0
        guard group < groups.count else { return partitions.count }
        return partitions.filter { $0.unconsumed[group] >= 0 }.count
    }

    /// Starts moving partitions; they stop serving for `moveSeconds`. Moves to a broker that
    /// does not exist, or of a partition already moving, are refused (returned).
    @discardableResult
    mutating func move(_ planned: [(partition: Int, to: Int32)], now: Double) -> Int {
        var refused = 0
        for (index, target) in planned {
            guard partitions.indices.contains(index), partitions[index].movingUntil < 0, target >= 0, Int(target) < startsAt.count else {
                refused += 1
                continue
            }
            partitions[index].moveTo = target
            partitions[index].movingUntil = now + settings.moveSeconds
            moves += 1
        }
        return refused
    }

    func partitionIndex(topic: String, partition: Int32) -> Int? {
        partitions.firstIndex { $0.topic == topic && $0.index == partition }
    }

    /// Adds brokers up to `count` (new ids, serving after the pod start delay), or removes the
    /// highest ids down to it, as a StatefulSet does. `graceful`: AutoMQ's controlled shutdown
    /// moves a leaving broker's partitions to the others in `moveSeconds`; otherwise they are
    /// offline until the broker's session times out and the controller fails them over.
    mutating func resize(to count: Int, now: Double, graceful: Bool) {
        if count > startsAt.count {
            while startsAt.count < count { startsAt.append(now + settings.podStartSeconds) }
            ensureCounters(count)
            return
        }
        guard count < startsAt.count else { return }
        startsAt.removeLast(startsAt.count - count)
        let remaining = serving(at: now).isEmpty ? Array(0..<Int32(count)) : serving(at: now)
        guard !remaining.isEmpty else { return }
        var load = [Double](repeating: 0, count: count)
        for partition in partitions where partition.leader >= 0 && Int(partition.leader) < count { load[Int(partition.leader)] += partition.weight }
        for index in partitions.indices {
            let stranded = Int(partitions[index].leader) >= count || (partitions[index].movingUntil >= 0 && Int(partitions[index].moveTo) >= count)
            guard stranded else { continue }
            // To the remaining broker with the least traffic.
            let target = remaining.min { load[Int($0)] < load[Int($1)] }!
            load[Int(target)] += partitions[index].weight
            partitions[index].leader = -1
            partitions[index].moveTo = target
            partitions[index].movingUntil = now + (graceful ? settings.moveSeconds : settings.sessionTimeoutSeconds + settings.moveSeconds)
            if graceful { moves += 1 }
        }
    }

    /// Places partitions evenly by traffic over the first `count` brokers at once, with no move
    /// cost: a cluster set up before the run.
    mutating func placeEvenly() {
        let count = max(1, startsAt.count)
        var load = [Double](repeating: 0, count: count)
        for index in partitions.indices.sorted(by: { partitions[$0].weight > partitions[$1].weight }) {
            let target = load.indices.min { load[$0] < load[$1] }!
            load[target] += partitions[index].weight
            partitions[index].leader = Int32(target)
        }
    }

    /// What the Kafka protocol would show: registered brokers (those serving), partitions with
    /// the produce rates given (as read from offsets), moves in progress.
    func view(now: Double, rates: [Double]) -> ClusterSnapshot {
        ClusterSnapshot(
            brokers: serving(at: now).map { ClusterView.Broker(id: $0, rack: "rack-\($0 % 3)") },
            partitions: partitions.enumerated().map { index, partition in
                let leader: Int32? = partition.leader >= 0 ? partition.leader : nil
                // An offline partition on its way to a broker already lists it.
                let replicas = leader.map { [$0] } ?? (partition.moveTo >= 0 ? [partition.moveTo] : [])
                return ClusterView.Partition(
                    topic: partition.topic, partition: partition.index, replicas: replicas, leader: leader,
                    bytesInPerSecond: index < rates.count ? rates[index] : 0)
            },
            reassigning: Set(partitions.filter { $0.movingUntil >= 0 }.map { "\($0.topic)-\($0.index)" }))
    }
}
