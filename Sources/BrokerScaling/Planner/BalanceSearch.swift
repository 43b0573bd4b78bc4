import HeapModule

/// The improvement phase after the greedy passes: a bounded, deterministic local search.
///
/// `repair` takes the broker farthest outside the band and makes the change that relieves it,
/// without pushing any other broker further outside where it can: one replica moved to or from
/// one of the few brokers at the other extreme, or two exchanged with any broker (the partner
/// replica looked up by size). A replica that has already moved (off a draining
/// broker, onto a new one) moves again for free, so such changes come first. Every change
/// lowers the summed distance outside the band, so the search cannot cycle.
///
/// `reduce` then takes back moves: a moved replica returns to where it was, alone or with a
/// moved replica of that broker going in its place, as long as no broker ends further outside.
///
/// Work (candidate changes looked at) is counted against the caller's budget
/// (`PlanConstraints.searchBudget`), so the plan is the same on every machine.
struct BalanceSearch {
    let budget: Int
    private(set) var work = 0
    /// Brokers at the other extreme tried for each change: several, as racks may forbid the first.
    let partners = 16

    /// Partitions by load, smallest first: an exchange looks up the partner replica by size.
    let bySize: [Int32]
    /// Replicas of each size range looked at for one replica's exchange.
    let sizeCandidates = 48

    /// Receiving brokers by load; entries are added at every change and stale ones skipped.
    var byLoad: Heap<LoadEntry>
    /// The changes made since `journal` was last set, to take back (replica, slot, from where).
    var journal: [(partition: Int, slot: Int, from: Int)]?

    init(budget: Int, state: PlannerState) {
        self.budget = budget
        byLoad = Heap(brokers: state.receiving, state: state)
        bySize =
            budget > 0
            ? (0..<Int32(state.partitionCount)).sorted { (state.partitionLoad[Int($0)], $0) < (state.partitionLoad[Int($1)], $1) } : []
    }

    /// Visits partitions whose load lies in `range`, nearest `ideal` first, at most `sizeCandidates`.
    mutating func partitions(sized range: (lowerBound: Double, upperBound: Double), near ideal: Double, state: PlannerState, _ visit: (Int) -> Void) {
        guard range.lowerBound <= range.upperBound else { return }
        func firstIndex(atLeast value: Double) -> Int {
            var low = 0
            var high = bySize.count
            while low < high {
                let middle = (low + high) / 2
                if state.partitionLoad[Int(bySize[middle])] < value { low = middle + 1 } else { high = middle }
            }
            return low
        }
        let start = firstIndex(atLeast: range.lowerBound)
        let end = firstIndex(atLeast: range.upperBound.nextUp)
        guard start < end else { return }
        let middle = min(max(firstIndex(atLeast: ideal), start), end - 1)
        var down = middle - 1
        var up = middle
        var visited = 0
        while visited < sizeCandidates, down >= start || up < end {
            // Alternate outwards from the ideal size.
            if up < end, down < start || visited % 2 == 0 {
                visit(Int(bySize[up]))
                up += 1
            } else {
                visit(Int(bySize[down]))
                down -= 1
            }
            visited += 1
            work += 1
        }
    }

    var exhausted: Bool { work >= budget }

    struct Step {
        var partition: Int
        var slot: Int
        var to: Int
    }

    struct Change {
        var steps: [Step]
        var cost: Int
        var relief: Double
        /// No broker ends farther outside the band; otherwise only the sum of distances falls.
        var clean = true

        /// Clean changes first; among them free or saving changes (most saving, then most relief),
        /// then most relief per move.
        func isBetter(than other: Change?) -> Bool {
            guard let other else { return true }
            return Self.isBetter(cost: cost, relief: relief, clean: clean, than: other)
        }

        static func isBetter(cost: Int, relief: Double, clean: Bool, than other: Change?) -> Bool {
            guard let other else { return true }
            if clean != other.clean { return clean }
            if (cost <= 0) != (other.cost <= 0) { return cost <= 0 }
            if cost <= 0 { return (cost, -relief) < (other.cost, -other.relief) }
            return relief / Double(cost) > other.relief / Double(other.cost)
        }
    }

    // MARK: Repair: every broker within the band

    mutating func repair(_ state: inout PlannerState) {
        _ = repair(&state, brokers: state.receiving, maxCost: .max, changes: .max)
    }

    /// Repairs with changes that add at most `moves` replica moves in all.
    mutating func repair(_ state: inout PlannerState, brokers: [Int], moves: Int, changes: Int) -> Bool {
        repair(&state, brokers: brokers, maxCost: moves, changes: changes)
    }

    /// Repairs starting from `brokers` (and those the changes push out of the band), with changes
    /// of at most `maxCost` moves each and at most `changes` of them; true when every broker ends
    /// within the band.
    mutating func repair(_ state: inout PlannerState, brokers: [Int], maxCost: Int, changes: Int) -> Bool {
        guard state.outOfBand > 0 else { return true }
        var maxCost = maxCost
        var worst = Heap(
            brokers.compactMap { broker -> LoadEntry? in
                let distance = state.outside(state.load[broker])
                return distance > 0 ? LoadEntry(load: distance, broker: broker) : nil
            })
        var stuck: [LoadEntry] = []
        var changedSinceStuck = false
        var made = 0
        while state.outOfBand > 0, !exhausted, made < changes {
            guard let top = worst.popMax() else {
                // Brokers nothing could help may be helped now that others changed.
                guard changedSinceStuck, !stuck.isEmpty else { return false }
                worst.insert(contentsOf: stuck)
                stuck.removeAll()
                changedSinceStuck = false
                continue
            }
            guard top.load > 0, state.outside(state.load[top.broker]) == top.load else { continue }
            guard let change = bestRepair(of: top.broker, state: state, maxCost: maxCost) else {
                stuck.append(top)
                continue
            }
            if maxCost != .max { maxCost -= change.cost }
            for broker in apply(change, to: &state) {
                let distance = state.outside(state.load[broker])
                if distance > 0 { worst.insert(LoadEntry(load: distance, broker: broker)) }
            }
            made += 1
            changedSinceStuck = true
        }
        return state.outOfBand == 0
    }

    /// The best change that brings `broker` nearer the band and no other broker farther from it.
    mutating func bestRepair(of broker: Int, state: PlannerState, maxCost: Int) -> Change? {
        let heavy = state.load[broker] > state.high
        let tolerance = state.mean * 1e-9
        var best: Change?
        for other in byLoad.extremes(partners, heaviest: !heavy, state: state, except: broker) {
            let (from, to) = heavy ? (broker, other) : (other, broker)
            let before = state.outside(state.load[from]) + state.outside(state.load[to])
            let otherBefore = state.outside(state.load[other])
            func relief(_ shift: Double) -> (Double, Bool)? {
                let fromAfter = state.load[from] - shift
                let toAfter = state.load[to] + shift
                let gained = before - state.outside(fromAfter) - state.outside(toAfter)
                return gained > tolerance ? (gained, state.outside(heavy ? toAfter : fromAfter) <= otherBefore + tolerance) : nil
            }
            // One replica from `from` to `to`.
            for partition in state.hosted[from] {
                work += 1
                let p = Int(partition)
                let size = state.partitionLoad[p]
                guard size > 0, let (gained, clean) = relief(size), let slot = state.slot(of: p, on: from) else { continue }
                let cost = state.moveCost(p, slot: slot, to: to)
                guard cost <= maxCost, Change.isBetter(cost: cost, relief: gained, clean: clean, than: best),
                    state.canMove(p, slot: slot, to: to)
                else { continue }
                best = Change(steps: [Step(partition: p, slot: slot, to: to)], cost: cost, relief: gained, clean: clean)
            }
        }
        // Two exchanged with any broker, the partner replica found by size: the difference of the
        // two brings the broker into the band (nearest the mean first), and the partner broker
        // ends no farther outside than it was.
        let x = state.load[broker]
        for partition in state.hosted[broker] {
            let own = Int(partition)
            let size = state.partitionLoad[own]
            guard let slot = state.slot(of: own, on: broker) else { continue }
            // Heavy: give `size`, take a smaller one; light: give `size`, take a larger one.
            let range =
                heavy
                ? (max(0, size - (x - state.low)), size - (x - state.high))
                : (size + (state.low - x), size + (state.high - x))
            let ideal = heavy ? size - (x - state.mean) : size + (state.mean - x)
            partitions(sized: range, near: ideal, state: state) { other in
                guard other != own else { return }
                let otherSize = state.partitionLoad[other]
                let shift = size - otherSize  // what leaves `broker`
                guard heavy ? shift > 0 : shift < 0 else { return }
                for otherSlot in state.slots(other) {
                    let partner = Int(state.replicaBroker[otherSlot])
                    guard partner != broker, state.receives(partner) else { continue }
                    let partnerBefore = state.outside(state.load[partner])
                    let partnerAfter = state.outside(state.load[partner] + shift)
                    let gained = state.outside(x) + partnerBefore - state.outside(x - shift) - partnerAfter
                    guard gained > tolerance else { continue }
                    let cost = state.moveCost(own, slot: slot, to: partner) + state.moveCost(other, slot: otherSlot, to: broker)
                    let clean = partnerAfter <= partnerBefore + tolerance
                    guard cost <= maxCost, Change.isBetter(cost: cost, relief: gained, clean: clean, than: best),
                        state.canMove(own, slot: slot, to: partner), state.canMove(other, slot: otherSlot, to: broker)
                    else { continue }
                    best = Change(
                        steps: [Step(partition: own, slot: slot, to: partner), Step(partition: other, slot: otherSlot, to: broker)],
                        cost: cost, relief: gained, clean: clean)
                }
            }
        }
        if !heavy {
            // A light broker can also take one replica of the right size from any broker.
            partitions(sized: (max(0, state.low - x), state.high - x), near: state.mean - x, state: state) { other in
                let size = state.partitionLoad[other]
                guard size > 0 else { return }
                for otherSlot in state.slots(other) {
                    let partner = Int(state.replicaBroker[otherSlot])
                    guard partner != broker, state.receives(partner) else { continue }
                    let partnerBefore = state.outside(state.load[partner])
                    let partnerAfter = state.outside(state.load[partner] - size)
                    let gained = state.outside(x) + partnerBefore - state.outside(x + size) - partnerAfter
                    guard gained > tolerance else { continue }
                    let cost = state.moveCost(other, slot: otherSlot, to: broker)
                    let clean = partnerAfter <= partnerBefore + tolerance
                    guard cost <= maxCost, Change.isBetter(cost: cost, relief: gained, clean: clean, than: best),
                        state.canMove(other, slot: otherSlot, to: broker)
                    else { continue }
                    best = Change(steps: [Step(partition: other, slot: otherSlot, to: broker)], cost: cost, relief: gained, clean: clean)
                }
            }
        }
        return best
    }

    /// Carries the change out; returns the brokers whose load changed.
    mutating func apply(_ change: Change, to state: inout PlannerState) -> [Int] {
        var touched: [Int] = []
        for step in change.steps {
            touched.append(Int(state.replicaBroker[step.slot]))
            touched.append(step.to)
            move(step.partition, slot: step.slot, to: step.to, in: &state)
        }
        return touched
    }

    mutating func move(_ partition: Int, slot: Int, to destination: Int, in state: inout PlannerState) {
        let source = Int(state.replicaBroker[slot])
        journal?.append((partition, slot, source))
        state.move(partition, slot: slot, to: destination)
        byLoad.insert(LoadEntry(load: state.load[source], broker: source))
        byLoad.insert(LoadEntry(load: state.load[destination], broker: destination))
    }

    // MARK: Reduce: fewer moves, every broker still within the band

    /// Moved replicas go back where they were, one at a time and then two at a time (two that
    /// left one broker, or two that reached one broker), and a short repair restores the band
    /// with fewer moves than were taken back: one return is repaired only by relocating replicas
    /// that have moved already (free), two by at most one new move. When the repair fails, the
    /// returns are taken back.
    mutating func reduce(_ state: inout PlannerState, lowerBound: Int) {
        guard state.outOfBand == 0 else { return }
        // A plan at the lower bound has the fewest moves there are.
        var moves = (0..<state.partitionCount).reduce(0) { $0 + state.replicaMoves($1) }
        for _ in 0..<3 {
            var saved = 0
            defer { moves -= saved }
            guard moves > lowerBound else { return }
            for partition in 0..<state.partitionCount where !exhausted && moves - saved > lowerBound {
                for slot in state.slots(partition) where state.replicaBroker[slot] != state.original[slot] {
                    if attempt(&state, returning: [slot]) { saved += 1 }
                }
            }
            // Pairs: by the broker they left and by the broker they reached.
            var left = Array(repeating: [Int](), count: state.brokerCount)
            var reached = Array(repeating: [Int](), count: state.brokerCount)
            for slot in state.replicaBroker.indices where state.replicaBroker[slot] != state.original[slot] {
                left[Int(state.original[slot])].append(slot)
                reached[Int(state.replicaBroker[slot])].append(slot)
            }
            // Everything that left one broker at once: a broker that shed many small replicas
            // may do better shedding one large one and taking a small one back.
            for group in left where group.count > 2 && group.count <= 64 && moves - saved > lowerBound && !exhausted {
                let still = group.filter { state.replicaBroker[$0] != state.original[$0] }
                if still.count > 2, attempt(&state, returning: still) { saved += 1 }
            }
            for group in left + reached where group.count > 1 && moves - saved > lowerBound {
                let slots = Array(group.prefix(8))
                for first in slots.indices {
                    for second in slots.indices where second > first && !exhausted {
                        let pair = [slots[first], slots[second]]
                        guard pair.allSatisfy({ state.replicaBroker[$0] != state.original[$0] }) else { continue }
                        if attempt(&state, returning: pair) { saved += 1 }
                    }
                }
            }
            if saved == 0 { return }
        }
    }

    /// Returns the replicas in `slots` home and repairs with fewer new moves than that; keeps the
    /// result when the band holds, else takes everything back.
    mutating func attempt(_ state: inout PlannerState, returning slots: [Int]) -> Bool {
        journal = []
        var touched: [Int] = []
        var saved = 0
        for slot in slots {
            let partition = partitionOf(slot: slot, state: state)
            let home = Int(state.original[slot])
            work += 1
            guard state.canMove(partition, slot: slot, to: home) else { continue }
            let cost = state.moveCost(partition, slot: slot, to: home)
            guard cost < 0 else { continue }
            touched += [home, Int(state.replicaBroker[slot])]
            move(partition, slot: slot, to: home, in: &state)
            saved -= cost
        }
        let kept = saved > 0 && repair(&state, brokers: touched, moves: saved - 1, changes: 4 + 2 * slots.count)
        let taken = journal ?? []
        journal = nil
        if !kept {
            for step in taken.reversed() { move(step.partition, slot: step.slot, to: step.from, in: &state) }
        }
        return kept
    }

    func partitionOf(slot: Int, state: PlannerState) -> Int {
        var low = 0
        var high = state.partitionCount - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if state.replicaOffset[middle] <= slot { low = middle } else { high = middle - 1 }
        }
        return low
    }
}
