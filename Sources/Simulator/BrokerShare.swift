/// How much of what is asked of a broker it serves over one step, the rule the campaign and the
/// served world share: a broker short of either its produce or its fetch capacity serves
/// everything (accepting and fetching alike) at the same fraction.
package enum BrokerShare {
    package static func fraction(produceWanted: Double, fetchWanted: Double, produceCapacity: Double, fetchCapacity: Double) -> Double {
        min(1, 1 / max(1e-12, max(produceWanted / produceCapacity, fetchWanted / fetchCapacity)))
    }
}
