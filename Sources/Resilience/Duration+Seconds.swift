extension Duration {
    /// The duration in seconds, fractions included: the one conversion for clocks and
    /// arithmetic that count in seconds (a simulated clock, a histogram, a monotonic reading).
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
