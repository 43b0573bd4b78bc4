import Resilience

/// Seconds since this process started, from a clock that only goes forward: what the pure
/// state machines take as `now` outside tests.
public enum MonotonicTime {
    static let origin = ContinuousClock.now

    public static var now: Double {
        origin.duration(to: .now).inSeconds
    }
}
