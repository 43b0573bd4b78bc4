/// How brokers serve their partitions over one step, the one rule the campaign and the served
/// world share: a broker's capacity for the step is split in proportion to its partitions'
/// backlogs; a partition that serves for only part of the step (its move ended within it) uses
/// at most the broker's whole capacity over that part; a remainder under one byte is served.
enum BrokerService {
    struct Claim {
        /// The broker leading the partition.
        var broker: Int32
        /// Bytes waiting.
        var backlog: Double
        /// The part of the step the partition serves for (0...1).
        var servingFraction = 1.0
    }

    /// Bytes served for each claim (0 where there is none), and each broker's backlog asked of it.
    static func serve(_ claims: [Claim?], capacity: Double) -> (served: [Double], wanted: [Int32: Double]) {
        var wanted: [Int32: Double] = [:]
        for claim in claims { if let claim { wanted[claim.broker, default: 0] += claim.backlog } }
        let served = claims.map { claim -> Double in
            guard let claim, let total = wanted[claim.broker] else { return 0 }
            let share = total > 0 ? min(1, capacity / total) : 1
            let served = min(claim.backlog * share, capacity * claim.servingFraction)
            return claim.backlog - served < 1 ? claim.backlog : served
        }
        return (served, wanted)
    }
}
