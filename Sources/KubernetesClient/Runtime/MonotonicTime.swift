/// Seconds since this process started, from a clock that only goes forward: what the pure
/// state machines take as `now` outside tests.
public enum MonotonicTime {
    static let origin = ContinuousClock.now

    public static var now: Double {
        let elapsed = origin.duration(to: .now)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
