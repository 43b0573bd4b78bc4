/// The baseline Ebb is measured against: spread every partition's replicas round robin over the
/// brokers that stay, ignoring where they are now, as `kafka-reassign-partitions --generate`
/// does. Used by benchmarks and `ebb plan --compare-naive`; never by the operator.
public enum NaivePlanner {
    /// Replica moves of the round-robin assignment.
    public static func roundRobinMoves(_ cluster: ClusterView) -> Int {
        let targets = cluster.brokers.filter(\.receives).map(\.id).sorted()
        guard !targets.isEmpty else { return 0 }
        var moves = 0
        var index = 0
        var currentTopic: String?
        var start = 0
        for partition in cluster.partitions {
            if partition.topic != currentTopic {
                // Like the tool: each topic starts at a fixed offset derived from its position.
                currentTopic = partition.topic
                start = index % targets.count
            }
            let replicationFactor = partition.replicas.count
            let assigned = (0..<replicationFactor).map { targets[(start + Int(partition.partition) + $0) % targets.count] }
            moves += partition.replicas.filter { !assigned.contains($0) }.count
            index += 1
        }
        return moves
    }
}
