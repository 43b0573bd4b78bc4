import HeapModule

/// Plans partition moves: onto new brokers at once, off draining brokers before they go, and
/// towards an even load, with as few moves as reach the goals. Pure and deterministic.
///
/// Goals, in priority order: nothing stays on a draining broker; a partition's replicas sit on
/// distinct brokers and, where racks allow, distinct racks; every broker's load (bytes in, else
/// bytes out, else partition count) within the tolerance of the mean; leaders balanced; the
/// fewest moves that reach all of that. A goal that cannot be met is named in `unmetGoals`.
public enum PartitionPlanner {
    /// A cluster view the planner cannot work with, naming the field.
    public struct InputError: Error, Sendable, Hashable, CustomStringConvertible {
        public let path: String
        public let message: String
        public var description: String { "\(path): \(message)" }

        public init(path: String, message: String) {
            self.path = path
            self.message = message
        }
    }

    public static func plan(_ cluster: ClusterView, constraints: PlanConstraints = PlanConstraints()) throws(InputError) -> ReassignmentPlan {
        var (state, balancedBy) = try makeState(cluster, constraints: constraints)
        var unmet: [String] = []
        var notes: [String] = []
        if balancedBy == "partitionCount" {
            notes.append("per-partition rates are unknown: balancing partition counts (and leaders)")
        }
        let original = state.replicaBroker
        let loadBefore = state.load
        // Load on fixed brokers stays there: the mean is that of the load the pool places.
        let total = state.load.indices.reduce(0.0) { $0 + (state.states[$1] == .fixed ? 0 : state.load[$1]) }
        state.setBand(mean: total / Double(state.receiving.count), tolerance: constraints.tolerance)
        let deviationBefore = state.maxDeviation()
        let lowerBound = lowerBoundMoves(state)

        // Only a goal that can be met is searched for; one that cannot is named with why.
        let impossible = balanceInfeasibility(state, cluster: cluster)
        // Brokers above the band may first shed a replica that takes them below it by up to half
        // the mean (one large move and a small one back beat many small moves); where that leaves
        // the band unmet, the plan that sheds only what keeps them in the band is tried as well.
        var attempt = balance(
            state, cluster: cluster, constraints: constraints, overshoot: impossible == nil ? 0.5 : 0, lowerBound: lowerBound,
            search: impossible == nil)
        if attempt.state.outOfBand > 0, impossible == nil {
            let careful = balance(state, cluster: cluster, constraints: constraints, overshoot: 0, lowerBound: lowerBound, search: true)
            if careful.state.outOfBand < attempt.state.outOfBand { attempt = careful }
        }
        state = attempt.state
        unmet += attempt.unmet
        if state.outOfBand > 0 {
            let largest = state.partitionLoad.max() ?? 0
            let why =
                impossible.map { "no plan can meet it: " + $0 }
                ?? "no plan found within the search budget (\(attempt.work) of \(attempt.budget) candidate changes looked at)"
            unmet.append(
                String(
                    format:
                        "balance within ±%.0f%% of the mean: %d broker(s) remain outside (max deviation %.1f%%; the largest partition is %.0f%% of the mean load): ",
                    constraints.tolerance * 100, state.outOfBand, state.maxDeviation() * 100, state.mean > 0 ? largest / state.mean * 100 : 0) + why)
        }
        if constraints.allowLeadershipMoves { balanceLeaders(&state, tolerance: constraints.tolerance) }

        let moves = collectMoves(state, cluster: cluster, original: original)
        let batches = PlanBatches.make(moves, constraints: constraints)
        let stats = statistics(
            state, cluster: cluster, original: original, loadBefore: loadBefore, moves: moves, lowerBound: lowerBound,
            balancedBy: balancedBy, deviationBefore: deviationBefore)
        return ReassignmentPlan(batches: batches, stats: stats, unmetGoals: unmet, notes: notes)
    }

    /// Goals 1 to 3 from `start`: brokers above the band shed their largest replicas that fit
    /// (sinking at most `overshoot` times the mean below the band) before the drained replicas
    /// (which go wherever there is room, and may move again for free) take the room; racks; the
    /// rest of the balance; then the improvement phase.
    static func balance(
        _ start: PlannerState, cluster: ClusterView, constraints: PlanConstraints, overshoot: Double, lowerBound: Int, search searching: Bool
    ) -> (state: PlannerState, unmet: [String], work: Int, budget: Int) {
        var state = start
        var unmet: [String] = []
        balanceLargestFirst(&state, forcedOnly: [true], overshoot: overshoot)
        drain(&state, cluster: cluster, unmet: &unmet)
        repairRacks(&state, cluster: cluster, unmet: &unmet)
        balanceLargestFirst(&state, overshoot: overshoot)
        let budget =
            constraints.searchBudget
            ?? PlanConstraints.automaticSearchBudget(replicas: state.replicaBroker.count, brokers: state.brokerCount)
        var search = BalanceSearch(budget: budget, state: state)
        if searching { search.repair(&state) }
        search.reduce(&state, lowerBound: lowerBound)
        return (state, unmet, search.work, budget)
    }

    // MARK: Input

    static func makeState(_ cluster: ClusterView, constraints: PlanConstraints) throws(InputError) -> (PlannerState, String) {
        guard !cluster.brokers.isEmpty else { throw InputError(path: "brokers", message: "the cluster has no broker") }
        guard constraints.tolerance > 0, constraints.tolerance < 1 else {
            throw InputError(path: "tolerance", message: "must be between 0 and 1 (a fraction of the mean), got \(constraints.tolerance)")
        }
        guard constraints.maxMovesPerBroker > 0, constraints.maxMovesPerCluster > 0, constraints.batchSize > 0 else {
            throw InputError(path: "constraints", message: "move limits and batch size must be > 0")
        }
        guard (constraints.searchBudget ?? 0) >= 0 else {
            throw InputError(
                path: "searchBudget",
                message: "must be ≥ 0 (candidate changes the improvement phase may look at), got \(constraints.searchBudget ?? 0)")
        }
        var index: [Int32: Int] = [:]
        var racks: [String: Int] = [:]
        var rackOf: [Int] = []
        for (position, broker) in cluster.brokers.enumerated() {
            guard index.updateValue(position, forKey: broker.id) == nil else {
                throw InputError(path: "brokers[\(position)].id", message: "broker \(broker.id) is listed twice")
            }
            if let rack = broker.rack {
                if racks[rack] == nil { racks[rack] = racks.count }
                rackOf.append(racks[rack]!)
            } else {
                rackOf.append(-1)
            }
        }
        let receiving = cluster.brokers.indices.filter { cluster.brokers[$0].receives }
        guard !receiving.isEmpty else {
            throw InputError(path: "brokers", message: "every broker is draining or fixed; nothing can take the partitions")
        }

        let bytesInKnown = !cluster.partitions.isEmpty && cluster.partitions.allSatisfy { $0.bytesInPerSecond != nil }
        let bytesOutKnown = !cluster.partitions.isEmpty && cluster.partitions.allSatisfy { $0.bytesOutPerSecond != nil }
        let useIn = bytesInKnown && cluster.partitions.contains { ($0.bytesInPerSecond ?? 0) > 0 }
        let useOut = !useIn && bytesOutKnown && cluster.partitions.contains { ($0.bytesOutPerSecond ?? 0) > 0 }
        let balancedBy = useIn ? "bytesIn" : useOut ? "bytesOut" : "partitionCount"

        var offsets = [0]
        offsets.reserveCapacity(cluster.partitions.count + 1)
        var replicaBroker: [Int32] = []
        replicaBroker.reserveCapacity(cluster.partitions.count * 3)
        var partitionLoad: [Double] = []
        partitionLoad.reserveCapacity(cluster.partitions.count)
        var load = Array(repeating: 0.0, count: cluster.brokers.count)
        var hosted = Array(repeating: [Int32](), count: cluster.brokers.count)
        // Duplicates found by (topic number, partition) rather than by name: no string per partition.
        var topicNumbers: [String: Int64] = [:]
        var seen = Set<Int64>(minimumCapacity: cluster.partitions.count)
        var lastTopic: String?
        var lastTopicNumber: Int64 = 0
        // Broker ids are usually dense: index them with an array rather than a dictionary.
        let ids = cluster.brokers.map { Int($0.id) }
        let lowestID = ids.min() ?? 0
        let span = (ids.max() ?? 0) - lowestID + 1
        var dense = span <= 4 * ids.count + 64 ? Array(repeating: -1, count: span) : []
        if !dense.isEmpty { for (position, id) in ids.enumerated() { dense[id - lowestID] = position } }
        func brokerIndex(_ id: Int32) -> Int? {
            if dense.isEmpty { return index[id] }
            let offset = Int(id) - lowestID
            guard offset >= 0, offset < dense.count, dense[offset] >= 0 else { return nil }
            return dense[offset]
        }
        for (position, partition) in cluster.partitions.enumerated() {
            guard !partition.replicas.isEmpty else {
                throw InputError(path: "partitions[\(position)].replicas", message: "\(partition.name) has no replica")
            }
            // Partitions of a topic usually come together: look the topic up only when it changes.
            if partition.topic != lastTopic {
                lastTopic = partition.topic
                lastTopicNumber =
                    topicNumbers[partition.topic]
                    ?? {
                        let next = Int64(topicNumbers.count)
                        topicNumbers[partition.topic] = next
                        return next
                    }()
            }
            let topicNumber = lastTopicNumber
            guard seen.insert(topicNumber << 32 | Int64(UInt32(bitPattern: partition.partition))).inserted else {
                throw InputError(path: "partitions[\(position)]", message: "\(partition.name) is listed twice")
            }
            let value = useIn ? partition.bytesInPerSecond ?? 0 : useOut ? partition.bytesOutPerSecond ?? 0 : 1
            guard value.isFinite, value >= 0 else {
                throw InputError(path: "partitions[\(position)].\(useIn ? "bytesInPerSecond" : "bytesOutPerSecond")", message: "must be a number ≥ 0")
            }
            let first = replicaBroker.count
            for id in partition.replicas {
                guard let broker = brokerIndex(id) else {
                    throw InputError(path: "partitions[\(position)].replicas", message: "broker \(id) of \(partition.name) is not in brokers")
                }
                guard !replicaBroker[first...].contains(Int32(broker)) else {
                    throw InputError(path: "partitions[\(position)].replicas", message: "\(partition.name) lists broker \(id) twice")
                }
                replicaBroker.append(Int32(broker))
                load[broker] += value
                hosted[broker].append(Int32(position))
            }
            partitionLoad.append(value)
            offsets.append(replicaBroker.count)
        }
        // Rates near Double's largest sum to inf, and every deviation is then nan: a plan of 0 moves.
        guard load.reduce(0, +).isFinite else {
            throw InputError(
                path: "partitions",
                message:
                    "the \(useIn ? "bytesInPerSecond" : "bytesOutPerSecond") rates add up beyond the largest number (\(Double.greatestFiniteMagnitude)); give them in a smaller unit"
            )
        }
        let state = PlannerState(
            brokerIDs: cluster.brokers.map(\.id), states: cluster.brokers.map(\.effectiveState), rackOf: rackOf,
            rackCount: racks.count, rackAware: constraints.rackAware, partitionLoad: partitionLoad, replicaOffset: offsets,
            replicaBroker: replicaBroker, original: replicaBroker, load: load, hosted: hosted, receiving: receiving)
        return (state, balancedBy)
    }

    // MARK: Goal 1: nothing on a draining broker

    static func drain(_ state: inout PlannerState, cluster: ClusterView, unmet: inout [String]) {
        var leaving: [(load: Double, partition: Int, slot: Int)] = []
        for broker in 0..<state.brokerCount where state.states[broker] == .draining {
            for partition in state.hosted[broker] {
                if let slot = state.slot(of: Int(partition), on: broker) {
                    leaving.append((state.partitionLoad[Int(partition)], Int(partition), slot))
                }
            }
        }
        leaving.sort { ($0.load, $1.partition) > ($1.load, $0.partition) }
        var heap = Heap(brokers: state.receiving, state: state)
        for replica in leaving {
            guard let destination = takeLightest(&heap, state: state, where: { state.canMove(replica.partition, slot: replica.slot, to: $0) }) else {
                let broker = state.brokerIDs[Int(state.replicaBroker[replica.slot])]
                unmet.append(
                    "\(cluster.partitions[replica.partition].name) cannot leave draining broker \(broker): no broker can take it without two replicas on one broker or rack"
                )
                continue
            }
            state.move(replica.partition, slot: replica.slot, to: destination)
            heap.insert(LoadEntry(load: state.load[destination], broker: destination))
        }
    }

    /// Pops the lightest broker that satisfies `allowed`, looking at no more than 64; the brokers
    /// passed over go back.
    static func takeLightest(_ heap: inout Heap<LoadEntry>, state: PlannerState, where allowed: (Int) -> Bool) -> Int? {
        var passed: [LoadEntry] = []
        defer { heap.insert(contentsOf: passed) }
        while passed.count < 64, let entry = heap.popMin() {
            guard entry.load == state.load[entry.broker] else { continue }
            if allowed(entry.broker) { return entry.broker }
            passed.append(entry)
        }
        return nil
    }

    // MARK: Goal 2: distinct racks where racks allow

    static func repairRacks(_ state: inout PlannerState, cluster: ClusterView, unmet: inout [String]) {
        guard state.rackAware, state.rackCount > 1 else { return }
        var short = 0
        for partition in 0..<state.partitionCount {
            let slots = state.slots(partition)
            guard slots.count > 1 else { continue }
            guard state.racksRequired(partition) else {
                if slots.count > 1, state.rackCount < slots.count { short += 1 }
                continue
            }
            // Replicas on fixed brokers stay: their racks are taken first, and the others move around them.
            var used: [Int] = []
            for slot in slots where !state.movable(slot) {
                let rack = state.rackOf[Int(state.replicaBroker[slot])]
                if rack >= 0, !used.contains(rack) { used.append(rack) }
            }
            for slot in slots where state.movable(slot) {
                let rack = state.rackOf[Int(state.replicaBroker[slot])]
                guard rack >= 0 else { continue }
                guard used.contains(rack) else {
                    used.append(rack)
                    continue
                }
                // A second replica in this rack: move it to the lightest broker of an unused rack.
                let candidates = state.receiving.filter { state.canMove(partition, slot: slot, to: $0) }
                if let destination = candidates.min(by: { (state.load[$0], $0) < (state.load[$1], $1) }) {
                    state.move(partition, slot: slot, to: destination)
                    used.append(state.rackOf[destination])
                } else {
                    unmet.append("\(cluster.partitions[partition].name) has two replicas in one rack and no broker of another rack can take one")
                }
            }
        }
        if short > 0 {
            unmet.append(
                "\(short) partition(s) have more replicas than there are racks (\(state.rackCount)); their replicas cannot all be in distinct racks")
        }
    }

    // MARK: Goal 3: load within the band, fewest moves

    /// One pass over the replicas of brokers above the mean, largest first: each goes to the
    /// lightest broker that can take it while both stay within the band (in the first pass the
    /// source may sink `overshoot` times the mean below it, for the search to top it up). Moving
    /// the largest partitions that fit is what keeps the number of moves near the lower bound.
    static func balanceLargestFirst(_ state: inout PlannerState, forcedOnly passes: [Bool] = [true, false], overshoot: Double = 0) {
        guard state.outOfBand > 0 else { return }
        let overshoot = state.mean * overshoot
        var candidates: [(load: Double, partition: Int32, broker: Int32)] = []
        for broker in state.receiving where state.load[broker] > state.mean {
            for partition in state.hosted[broker] where state.partitionLoad[Int(partition)] > 0 {
                candidates.append((state.partitionLoad[Int(partition)], partition, Int32(broker)))
            }
        }
        candidates.sort { ($0.load, $1.partition, $1.broker) > ($1.load, $0.partition, $0.broker) }
        var heap = Heap(brokers: state.receiving, state: state)
        // First only from brokers above the band: they must give something anyway, so their
        // largest replica that fits is the move that buys most. Then from any broker above the mean.
        for forcedOnly in passes {
            for candidate in candidates {
                guard state.outOfBand > 0 else { return }
                let partition = Int(candidate.partition)
                let source = Int(candidate.broker)
                let size = candidate.load
                guard state.load[source] > (forcedOnly ? state.high : state.mean),
                    state.load[source] - size >= state.low - (forcedOnly ? overshoot : 0),
                    let slot = state.slot(of: partition, on: source)
                else { continue }
                let sourceHigh = state.load[source] > state.high
                // The lightest broker decides at once whether any broker could take this replica.
                guard let lightest = heap.lightest(state),
                    lightest.load + size <= state.high, lightest.load + size < state.load[source],
                    sourceHigh || lightest.load < state.low
                else { continue }
                let destination = takeLightest(&heap, state: state) { broker in
                    broker != source && state.load[broker] + size <= state.high && state.load[broker] + size < state.load[source]
                        && (sourceHigh || state.load[broker] < state.low) && state.canMove(partition, slot: slot, to: broker)
                }
                guard let destination else { continue }
                state.move(partition, slot: slot, to: destination)
                heap.insert(LoadEntry(load: state.load[destination], broker: destination))
                heap.insert(LoadEntry(load: state.load[source], broker: source))
            }
        }
    }

    // MARK: Goal 4: leaders

    /// Moves preferred leadership from brokers that lead more than their share to replicas on
    /// brokers that lead less, by reordering replicas: no data moves. `collectMoves` sees the
    /// reordered partitions as leadership-only changes.
    static func balanceLeaders(_ state: inout PlannerState, tolerance: Double) {
        let multiReplica = (0..<state.partitionCount).filter { state.slots($0).count > 1 }
        guard !multiReplica.isEmpty else { return }
        var leaders = Array(repeating: 0, count: state.brokerCount)
        var counted = 0
        for partition in 0..<state.partitionCount where state.movable(state.replicaOffset[partition]) {
            leaders[Int(state.replicaBroker[state.replicaOffset[partition]])] += 1
            counted += 1
        }
        // Partitions led from a fixed broker keep their order (and are not counted).
        let mean = Double(counted) / Double(state.receiving.count)
        let upper = Int((mean * (1 + tolerance)).rounded(.up))
        let lower = Int((mean * (1 - tolerance)).rounded(.down))
        for partition in multiReplica {
            let first = state.replicaOffset[partition]
            let leader = Int(state.replicaBroker[first])
            guard state.movable(first), leaders[leader] > upper else { continue }
            let slots = state.slots(partition).dropFirst().filter { state.movable($0) }
            guard let follower = slots.min(by: { (leaders[Int(state.replicaBroker[$0])], $0) < (leaders[Int(state.replicaBroker[$1])], $1) }),
                leaders[Int(state.replicaBroker[follower])] < max(lower, Int(mean.rounded(.down)))
            else { continue }
            let newLeader = Int(state.replicaBroker[follower])
            state.replicaBroker.swapAt(first, follower)
            leaders[leader] -= 1
            leaders[newLeader] += 1
        }
    }
}
