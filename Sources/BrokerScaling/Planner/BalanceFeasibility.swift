extension PartitionPlanner {
    /// Why no plan can bring every broker within the band, when a simple count proves it: a
    /// replica larger than the band's top; fewer replicas that carry load than brokers that need
    /// some; or racks that each hold a replica of every partition, so each rack's load is fixed
    /// and a rack of too many or too few brokers cannot reach the mean. Nil when none of these
    /// holds (the search then looks for a plan; whether one exists in general is NP-hard).
    static func balanceInfeasibility(_ state: PlannerState, cluster: ClusterView) -> String? {
        guard state.mean > 0 else { return nil }
        func percent(_ value: Double) -> String { "\(Int((value / state.mean * 100).rounded()))%" }
        var tooLarge: [Int] = []
        var loaded = 0
        for partition in 0..<state.partitionCount {
            let movable = state.slots(partition).filter { state.movable($0) }.count
            guard movable > 0 else { continue }
            if state.partitionLoad[partition] > state.high { tooLarge.append(partition) }
            if state.partitionLoad[partition] > 0 { loaded += movable }
        }
        if !tooLarge.isEmpty {
            tooLarge.sort { (state.partitionLoad[$0], $1) > (state.partitionLoad[$1], $0) }
            let named = tooLarge.prefix(5).map { "\(cluster.partitions[$0].name) (\(percent(state.partitionLoad[$0])) of the mean)" }
            return "\(tooLarge.count) partition(s) carry more than a broker may (\(percent(state.high))): "
                + named.joined(separator: ", ") + (tooLarge.count > 5 ? " and \(tooLarge.count - 5) more" : "")
        }
        if state.low > 0, loaded < state.receiving.count {
            return
                "only \(loaded) replica(s) carry load for \(state.receiving.count) brokers: at least \(state.receiving.count - loaded) broker(s) get none"
        }
        return rackInfeasibility(state)
    }

    /// Every partition has one replica in each rack and its racks are enforced: a rack then
    /// carries the load of every partition once, spread over its brokers whatever the plan.
    static func rackInfeasibility(_ state: PlannerState) -> String? {
        guard state.rackAware, state.rackCount > 1, state.states.allSatisfy({ $0 != .fixed }),
            state.receiving.allSatisfy({ state.rackOf[$0] >= 0 }),
            (0..<state.partitionCount).allSatisfy({ state.slots($0).count == state.rackCount })
        else { return nil }
        let total = state.partitionLoad.reduce(0, +)
        var brokers = Array(repeating: 0, count: state.rackCount)
        for broker in state.receiving { brokers[state.rackOf[broker]] += 1 }
        let names = Dictionary(state.receiving.map { (state.rackOf[$0], $0) }, uniquingKeysWith: min)
        for rack in 0..<state.rackCount where brokers[rack] > 0 {
            let perBroker = total / Double(brokers[rack])
            guard perBroker < state.low || perBroker > state.high else { continue }
            let broker = names[rack].map { "broker \(state.brokerIDs[$0])'s rack" } ?? "a rack"
            return "every partition keeps one replica in each of \(state.rackCount) racks, so \(broker) of \(brokers[rack]) brokers carries "
                + "\(Int((perBroker / state.mean * 100).rounded()))% of the mean per broker whatever the plan"
        }
        return nil
    }
}
