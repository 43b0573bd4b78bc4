import Simulator

/// A self-balancer as AutoMQ's: every `interval` seconds it compares the serving brokers'
/// produce traffic (as its metrics report it, over the rate window) and, when one deviates from
/// the mean by more than `tolerance`, moves partitions from the busiest broker to the idlest,
/// up to `maxMoves` a batch. A new broker is 100 % below the mean, so it gets partitions at
/// the next check.
struct SelfBalancer {
    var interval = 60.0
    var tolerance = 0.15
    var maxMoves = 50
    private var nextCheck = 0.0

    mutating func check(_ cluster: inout CampaignCluster, pipeline: MetricPipeline, now: Double) {
        guard now >= nextCheck else { return }
        nextCheck = now + interval
        let serving = cluster.serving(at: now)
        guard serving.count > 1 else { return }
        // Nothing moves while a batch is still moving.
        guard !cluster.partitions.contains(where: { $0.movingUntil >= 0 }) else { return }
        let rates = pipeline.partitionRates(now: now)
        guard rates.count == cluster.partitions.count else { return }
        var load: [Int32: Double] = Dictionary(uniqueKeysWithValues: serving.map { ($0, 0.0) })
        var held: [Int32: [Int]] = [:]
        for (index, partition) in cluster.partitions.enumerated() where load[partition.leader] != nil {
            load[partition.leader, default: 0] += rates[index]
            held[partition.leader, default: []].append(index)
        }
        let mean = serving.reduce(0) { $0 + load[$1]! } / Double(serving.count)
        guard mean > 0 else { return }
        func outOfBand() -> Bool { load.values.contains { abs($0 - mean) > tolerance * mean } }
        guard outOfBand() else { return }
        var moves: [(partition: Int, to: Int32)] = []
        var moved = Set<Int>()
        while moves.count < maxMoves, outOfBand() {
            // Ties go to the lowest id, so that a seed always gives the same run.
            let ids = load.keys.sorted()
            let busiest = ids.max { load[$0]! < load[$1]! || (load[$0]! == load[$1]! && $0 > $1) }!
            let idlest = ids.min { load[$0]! < load[$1]! || (load[$0]! == load[$1]! && $0 < $1) }!
            let gap = load[busiest]! - load[idlest]!
            // The partition whose move brings the two closest to each other.
            let candidates = (held[busiest] ?? []).filter { !moved.contains($0) && rates[$0] > 0 && rates[$0] < gap }
            guard let pick = candidates.min(by: { abs(rates[$0] - gap / 2) < abs(rates[$1] - gap / 2) }) else { break }
            moves.append((pick, idlest))
            moved.insert(pick)
            load[busiest]! -= rates[pick]
            load[idlest]! += rates[pick]
            held[busiest]?.removeAll { $0 == pick }
            held[idlest, default: []].append(pick)
        }
        cluster.move(moves, now: now)
    }
}
