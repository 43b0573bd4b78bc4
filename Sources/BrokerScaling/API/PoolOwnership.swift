/// Brokers outside the pool's StatefulSet that the pool may take replicas off. By default a
/// pool touches only replicas on its own brokers (`brokerIdOffset` + ordinal, for ordinals up to
/// `maxReplicas`): a second pool on the same cluster, combined controller nodes, or brokers of
/// another StatefulSet keep their partitions. Brokers listed here give up their replicas to the
/// pool's brokers (to retire an old StatefulSet, say); Ebb never places a replica on them.
public struct PoolOwnership: Sendable, Hashable, Codable {
    public var brokerIds: [Int32]?

    public init(brokerIds: [Int32]? = nil) {
        self.brokerIds = brokerIds
    }

    public var effectiveBrokerIds: Set<Int32> { Set(brokerIds ?? []) }
}
