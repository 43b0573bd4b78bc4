/// The planner's working copy of the cluster, in flat arrays indexed by broker and partition
/// position so that 100,000 partitions plan in milliseconds. Every move goes through `move`,
/// which keeps the loads, the hosted lists and the out-of-band count in step.
import HeapModule

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
    /// Where each replica was before the plan.
    let original: [Int32]
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
    func receives(_ broker: Int) -> Bool {
        switch states[broker] {
        case .active, .new: true
        case .draining, .fixed: false
        }
    }

    /// Whether the replica in `slot` may move: replicas on fixed brokers stay.
    func movable(_ slot: Int) -> Bool {
        if case .fixed = states[Int(replicaBroker[slot])] { return false }
        return true
    }

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
        if let index = hosted[source].firstIndex(of: Int32(partition)) {
            hosted[source].swapAt(index, hosted[source].count - 1)
            hosted[source].removeLast()
        }
        hosted[destination].append(Int32(partition))
        let after = (band(source) != 0 ? 1 : 0) + (band(destination) != 0 ? 1 : 0)
        outOfBand += after - before
    }

    /// Replica moves of `partition` so far: its brokers before the plan that no longer hold it.
    func replicaMoves(_ partition: Int) -> Int {
        let range = slots(partition)
        var count = 0
        for slot in range where !replicaBroker[range].contains(original[slot]) { count += 1 }
        return count
    }

    /// How many replica moves the plan gains (+1), saves (-1) or leaves (0) by moving the replica
    /// in `slot` of `partition` to `destination`: a replica that has already moved moves again for free.
    func moveCost(_ partition: Int, slot: Int, to destination: Int) -> Int {
        let range = slots(partition)
        if range.count == 1 {
            let home = original[slot]
            return (Int32(destination) == home ? 0 : 1) - (replicaBroker[slot] == home ? 0 : 1)
        }
        var after = 0
        for other in range {
            let home = original[other]
            let held = range.contains { ($0 == slot ? Int32(destination) : replicaBroker[$0]) == home }
            if !held { after += 1 }
        }
        return after - replicaMoves(partition)
    }

    /// How far the broker's load would be outside the band.
    func outside(_ load: Double) -> Double { Swift.max(load - high, low - load, 0) }

    /// The slot of `partition` on `broker`.
    func slot(of partition: Int, on broker: Int) -> Int? {
        for slot in replicaOffset[partition]..<replicaOffset[partition + 1] where replicaBroker[slot] == Int32(broker) { return slot }
        return nil
    }

    /// Largest distance of a receiving broker's load from the mean, as a fraction of the mean.
    func maxDeviation() -> Double {
        guard mean > 0 else { return 0 }
        return receiving.reduce(0) { max($0, abs(load[$1] - mean) / mean) }
    }
}

/// A broker keyed by its load, for swift-collections' `Heap` (a min-max heap: both the lightest
/// and the heaviest broker in O(log n)). Entries are not updated when a load changes: an entry
/// whose load no longer matches the broker's is stale and skipped where it surfaces.
struct LoadEntry: Comparable {
    var load: Double
    var broker: Int

    static func < (a: LoadEntry, b: LoadEntry) -> Bool { (a.load, a.broker) < (b.load, b.broker) }
}

extension Heap where Element == LoadEntry {
    init(brokers: [Int], state: PlannerState) {
        self.init(brokers.map { LoadEntry(load: state.load[$0], broker: $0) })
    }

    /// The lightest broker whose entry is current (stale entries above it are dropped), left in place.
    mutating func lightest(_ state: PlannerState) -> LoadEntry? {
        while let top = self.min {
            if top.load == state.load[top.broker] { return top }
            _ = popMin()
        }
        return nil
    }

    /// Up to `count` distinct current brokers from one end (the lightest or the heaviest), left in place.
    mutating func extremes(_ count: Int, heaviest: Bool, state: PlannerState, except: Int) -> [Int] {
        var taken: [LoadEntry] = []
        var brokers: [Int] = []
        while brokers.count < count, let entry = heaviest ? popMax() : popMin() {
            guard entry.load == state.load[entry.broker], !brokers.contains(entry.broker) else { continue }
            taken.append(entry)
            if entry.broker != except { brokers.append(entry.broker) }
        }
        insert(contentsOf: taken)
        return brokers
    }
}
