import HeapModule

extension PartitionPlanner {
    /// No plan reaches the goals with fewer replica moves: every replica on a draining broker
    /// moves, and so does every second replica of a partition in one rack; every broker above
    /// the band loses at least the fewest of its replicas (largest first) that bring it inside;
    /// and the brokers below the band must be filled (see `headroomCoverage`).
    static func lowerBoundMoves(_ state: PlannerState) -> Int {
        var draining = 0
        var removals = 0
        var deficit = 0.0
        for broker in 0..<state.brokerCount where state.states[broker] != .fixed {
            if state.states[broker] == .draining {
                draining += state.hosted[broker].count
                continue
            }
            if state.load[broker] > state.high {
                var sizes = Heap(state.hosted[broker].map { state.partitionLoad[Int($0)] })
                var remaining = state.load[broker]
                while remaining > state.high, let size = sizes.popMax() {
                    remaining -= size
                    removals += 1
                }
            } else if state.load[broker] < state.low {
                deficit += state.low - state.load[broker]
            }
        }
        // Per partition: its replicas on draining brokers, or its second replicas in one rack
        // (where racks allow distinct racks), must move.
        var perPartition = 0
        for partition in 0..<state.partitionCount {
            var onDraining = 0
            var racks = Set<Int>()
            var duplicates = 0
            // Replicas on fixed brokers never move: their racks count first, their duplicates not at all.
            for slot in state.slots(partition) where !state.movable(slot) {
                let broker = Int(state.replicaBroker[slot])
                if state.racksRequired(partition), state.rackOf[broker] >= 0 { racks.insert(state.rackOf[broker]) }
            }
            for slot in state.slots(partition) where state.movable(slot) {
                let broker = Int(state.replicaBroker[slot])
                if state.states[broker] == .draining { onDraining += 1 }
                if state.racksRequired(partition), state.rackOf[broker] >= 0, !racks.insert(state.rackOf[broker]).inserted { duplicates += 1 }
            }
            perPartition += max(onDraining, duplicates)
        }
        // (The bound "the largest replicas that cover the deficit" is implied: every gain below is at most w.)
        return max(draining + removals, perPartition, headroomCoverage(state, deficit: deficit))
    }

    /// A tighter bound on the moves that fill the brokers below the band. Moving a replica of load
    /// w out of broker s relieves the deficit by at most w, and all moves out of s together by at
    /// most s's headroom (its load above the band's low edge; all of it for a draining broker),
    /// or s falls below the band itself. So k moves out of s relieve at most
    /// min(headroom, its k largest replicas), a concave gain; taking the best next gain across all
    /// brokers until the deficit is covered gives the fewest moves any plan needs.
    static func headroomCoverage(_ state: PlannerState, deficit: Double) -> Int {
        guard deficit > 0 else { return 0 }
        struct Source {
            var sizes: Heap<Double>
            var next: Double?
            var relieved = 0.0
            let headroom: Double
            var nextGain: Double { next.map { min(headroom, relieved + $0) - relieved } ?? 0 }
            mutating func advance() { next = sizes.popMax() }
        }
        var sources: [Source] = []
        for broker in 0..<state.brokerCount where state.states[broker] != .fixed {
            let draining = state.states[broker] == .draining
            let headroom = draining ? state.load[broker] : state.load[broker] - state.low
            guard headroom > 0 else { continue }
            var source = Source(sizes: Heap(state.hosted[broker].map { state.partitionLoad[Int($0)] }), headroom: headroom)
            source.advance()
            sources.append(source)
        }
        // A heap of (gain, source); each source's gains only fall, so popping the best and
        // pushing its next gain takes the best move every time.
        var queue = Heap(sources.indices.map { Gain(gain: sources[$0].nextGain, source: $0) })
        var covered = 0.0
        var moves = 0
        while covered < deficit * (1 - 1e-12), let best = queue.popMax(), best.gain > 0 {
            covered += best.gain
            moves += 1
            sources[best.source].relieved += best.gain
            sources[best.source].advance()
            queue.insert(Gain(gain: sources[best.source].nextGain, source: best.source))
        }
        return moves
    }

    static func collectMoves(_ state: PlannerState, cluster: ClusterView, original: [Int32]) -> [PartitionMove] {
        var drainMoves: [(Double, PartitionMove)] = []
        var otherMoves: [(Double, PartitionMove)] = []
        for partition in 0..<state.partitionCount {
            let slots = state.slots(partition)
            guard slots.contains(where: { original[$0] != state.replicaBroker[$0] }) else { continue }
            let before = slots.map { original[$0] }
            let after = slots.map { state.replicaBroker[$0] }
            let from = before.map { state.brokerIDs[Int($0)] }
            let to = after.map { state.brokerIDs[Int($0)] }
            let dataMoves = Set(before) != Set(after)
            let move = PartitionMove(
                topic: cluster.partitions[partition].topic, partition: cluster.partitions[partition].partition, from: from, to: to,
                leadershipOnly: !dataMoves)
            let leavesDraining = before.contains { state.states[Int($0)] == .draining }
            if leavesDraining {
                drainMoves.append((state.partitionLoad[partition], move))
            } else {
                otherMoves.append((state.partitionLoad[partition], move))
            }
        }
        // Drains first (they gate a scale-in), then the largest moves (they buy the most balance).
        func ordered(_ moves: [(Double, PartitionMove)]) -> [PartitionMove] {
            moves.sorted { ($0.0, $1.1.topic, $1.1.partition) > ($1.0, $0.1.topic, $0.1.partition) }.map(\.1)
        }
        return ordered(drainMoves) + ordered(otherMoves)
    }

    static func statistics(
        _ state: PlannerState, cluster: ClusterView, original: [Int32], loadBefore: [Double], moves: [PartitionMove],
        lowerBound: Int, balancedBy: String, deviationBefore: Double
    ) -> PlanStats {
        var replicasBefore = Array(repeating: 0, count: state.brokerCount)
        for broker in original { replicasBefore[Int(broker)] += 1 }
        var leaders = Array(repeating: 0, count: state.brokerCount)
        for partition in 0..<state.partitionCount { leaders[Int(state.replicaBroker[state.replicaOffset[partition]])] += 1 }
        // Loads summed afresh from the final placement: no residue of many additions and subtractions.
        let loadAfter = (0..<state.brokerCount).map { broker in state.hosted[broker].reduce(0.0) { $0 + state.partitionLoad[Int($1)] } }
        let brokers = (0..<state.brokerCount).map { broker in
            PlanStats.BrokerLoad(
                id: state.brokerIDs[broker], state: state.states[broker], loadBefore: loadBefore[broker], loadAfter: loadAfter[broker],
                replicasBefore: replicasBefore[broker], replicasAfter: state.hosted[broker].count, leadersAfter: leaders[broker])
        }
        let meanLeaders = Double(state.partitionCount) / Double(state.receiving.count)
        // With one replica per partition leadership follows the data, which is balanced by load:
        // a leader count says nothing more.
        let replicated = (0..<state.partitionCount).contains { state.slots($0).count > 1 }
        let leaderDeviation =
            meanLeaders > 0 && replicated ? state.receiving.reduce(0.0) { max($0, abs(Double(leaders[$1]) - meanLeaders) / meanLeaders) } : nil
        return PlanStats(
            moves: moves.reduce(0) { $0 + $1.replicaMoves }, partitionsChanged: moves.count,
            leadershipMoves: moves.filter(\.leadershipOnly).count, lowerBoundMoves: lowerBound, balancedBy: balancedBy,
            meanLoad: state.mean, maxDeviationBefore: deviationBefore, maxDeviation: state.maxDeviation(),
            maxLeaderDeviation: leaderDeviation, brokers: brokers)
    }
}

/// Splits moves into batches that respect the concurrency limits, in order: a move goes into
/// the first batch where neither the batch nor any broker it touches is full.
enum PlanBatches {
    static func make(_ moves: [PartitionMove], constraints: PlanConstraints) -> [[PartitionMove]] {
        let perBatch = min(constraints.batchSize, constraints.maxMovesPerCluster)
        var batches: [[PartitionMove]] = []
        var perBroker: [[Int32: Int]] = []
        var firstOpen = 0
        for move in moves {
            // Leadership-only changes touch no broker's data; they still count against the batch.
            let touched = move.leadershipOnly ? [] : Set(move.from).symmetricDifference(move.to)
            var placed = false
            var index = firstOpen
            while index < batches.count {
                if batches[index].count < perBatch, touched.allSatisfy({ perBroker[index][$0, default: 0] < constraints.maxMovesPerBroker }) {
                    batches[index].append(move)
                    for broker in touched { perBroker[index][broker, default: 0] += 1 }
                    placed = true
                    break
                }
                index += 1
            }
            if !placed {
                batches.append([move])
                perBroker.append(Dictionary(uniqueKeysWithValues: touched.map { ($0, 1) }))
            }
            while firstOpen < batches.count, batches[firstOpen].count >= perBatch { firstOpen += 1 }
        }
        return batches
    }
}

/// A source broker's next gain in `headroomCoverage`, ordered by gain (ties by the lower source).
struct Gain: Comparable {
    var gain: Double
    var source: Int

    static func < (a: Gain, b: Gain) -> Bool { (a.gain, b.source) < (b.gain, a.source) }
}
