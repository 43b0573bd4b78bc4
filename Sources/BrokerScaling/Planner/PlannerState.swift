/// The planner's working copy of the cluster, in flat arrays indexed by broker and partition
/// position so that 100,000 partitions plan in milliseconds. Every move goes through `move`,
/// which keeps the loads, the hosted lists and the out-of-band count in step.
struct PlannerState {
    let brokerIDs: [Int32]
    let states: [ClusterView.Broker.State]
    /// Rack index of each broker, -1 when it has none.
    let rackOf: [Int]
    let rackCount: Int
    let rackAware: Bool
    /// Load of one replica of each partition.
    let partitionLoad: [Double]
    /// Replica slots of partition p are replicaOffset[p] ..< replicaOffset[p + 1].
    let replicaOffset: [Int]
    var replicaBroker: [Int32]
    var load: [Double]
    /// Partitions with a replica on each broker.
    var hosted: [[Int32]]
    /// Brokers that may hold partitions (neither draining nor fixed).
    let receiving: [Int]
    var mean: Double = 0
    var low: Double = 0
    var high: Double = 0
    var outOfBand = 0

    var brokerCount: Int { brokerIDs.count }
    var partitionCount: Int { partitionLoad.count }

    func slots(_ partition: Int) -> Range<Int> { replicaOffset[partition]..<replicaOffset[partition + 1] }

    /// Whether racks allow this partition's replicas in distinct racks.
    func racksRequired(_ partition: Int) -> Bool {
        rackAware && rackCount >= slots(partition).count && rackCount > 1
    }

    /// Whether the broker may take replicas (neither draining nor fixed).
    func receives(_ broker: Int) -> Bool { states[broker] == .active || states[broker] == .new }

    /// Whether the replica in `slot` may move: replicas on fixed brokers stay.
    func movable(_ slot: Int) -> Bool { states[Int(replicaBroker[slot])] != .fixed }

    /// Whether the replica in `slot` of `partition` may move to broker `destination`.
    func canMove(_ partition: Int, slot: Int, to destination: Int) -> Bool {
        guard receives(destination), movable(slot) else { return false }
        let checkRacks = racksRequired(partition) && rackOf[destination] >= 0
        for other in slots(partition) where other != slot {
            let broker = Int(replicaBroker[other])
            if broker == destination { return false }
            if checkRacks, rackOf[broker] == rackOf[destination] { return false }
        }
        return true
    }

    /// -1 below the band, 0 within, 1 above; draining and fixed brokers are never counted.
    func band(_ broker: Int) -> Int {
        guard receives(broker) else { return 0 }
        if load[broker] > high { return 1 }
        if load[broker] < low { return -1 }
        return 0
    }

    mutating func setBand(mean: Double, tolerance: Double) {
        self.mean = mean
        low = mean * (1 - tolerance)
        high = mean * (1 + tolerance)
        // A little slack for float error, so that a broker exactly at the edge counts as inside.
        let epsilon = mean * 1e-9
        low -= epsilon
        high += epsilon
        outOfBand = receiving.filter { band($0) != 0 }.count
    }

    /// Moves the replica in `slot` of `partition` to `destination`.
    mutating func move(_ partition: Int, slot: Int, to destination: Int) {
        let source = Int(replicaBroker[slot])
        let before = (band(source) != 0 ? 1 : 0) + (band(destination) != 0 ? 1 : 0)
        replicaBroker[slot] = Int32(destination)
        load[source] -= partitionLoad[partition]
        load[destination] += partitionLoad[partition]
        if let index = hosted[source].firstIndex(of: Int32(partition)) { hosted[source].swapAt(index, hosted[source].count - 1); hosted[source].removeLast() }
        hosted[destination].append(Int32(partition))
        let after = (band(source) != 0 ? 1 : 0) + (band(destination) != 0 ? 1 : 0)
        outOfBand += after - before
    }

    /// The slot of `partition` on `broker`.
    func slot(of partition: Int, on broker: Int) -> Int? {
        slots(partition).first { Int(replicaBroker[$0]) == broker }
    }

    /// Largest distance of a receiving broker's load from the mean, as a fraction of the mean.
    func maxDeviation() -> Double {
        guard mean > 0 else { return 0 }
        return receiving.reduce(0) { max($0, abs(load[$1] - mean) / mean) }
    }
}

/// A binary min-heap of (key, broker) with lazy deletion: stale entries (whose key no longer
/// matches the broker's load) are skipped when they surface.
struct BrokerHeap {
    private var entries: [(key: Double, broker: Int)] = []

    init(_ brokers: [Int], key: (Int) -> Double) {
        entries = brokers.map { (key($0), $0) }
        entries.sort { ($0.key, $0.broker) < ($1.key, $1.broker) }
    }

    var isEmpty: Bool { entries.isEmpty }

    mutating func push(_ key: Double, _ broker: Int) {
        entries.append((key, broker))
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(child, parent) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    /// The smallest live entry, left in place (stale entries above it are dropped).
    mutating func peek(isCurrent: (Double, Int) -> Bool) -> (key: Double, broker: Int)? {
        while let top = entries.first {
            if isCurrent(top.key, top.broker) { return top }
            removeTop()
        }
        return nil
    }

    /// The smallest live entry, removed.
    mutating func pop(isCurrent: (Double, Int) -> Bool) -> (key: Double, broker: Int)? {
        while let top = entries.first {
            removeTop()
            if isCurrent(top.key, top.broker) { return top }
        }
        return nil
    }

    private mutating func removeTop() {
        entries.swapAt(0, entries.count - 1)
        entries.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < entries.count, less(left, smallest) { smallest = left }
            if right < entries.count, less(right, smallest) { smallest = right }
            guard smallest != parent else { return }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        (entries[a].key, entries[a].broker) < (entries[b].key, entries[b].broker)
    }
}
