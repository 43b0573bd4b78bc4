import Foundation
import Testing

/// The one test-time factor: every deadline a test waits on is its quiet-machine value times
/// `TestTime.factor`, so the suite holds on a busy laptop or a shared runner.
///
/// The factor is `EBB_TEST_TIME_FACTOR` when set (a number ≥ 1), otherwise 1 on a quiet machine,
/// 3 in CI (`CI` set), and more while the load average is above the core count (read once, when
/// the first test asks). Tests wait on conditions and use the factor only for how long they are
/// willing to wait, never for how long they sleep.
public enum TestTime {
    public static let factor: Double = {
        let environment = ProcessInfo.processInfo.environment
        if let text = environment["EBB_TEST_TIME_FACTOR"], let value = Double(text), value.isFinite, value >= 1 {
            return min(value, 100)
        }
        let base = environment["CI"] != nil ? 3.0 : 1.0
        return min(max(base, base * loadPerCore()), 20)
    }()

    /// The load average of the last minute per core (1.0 when it cannot be read).
    static func loadPerCore() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8),
            let first = text.split(separator: " ").first, let load = Double(first)
        else { return 1 }
        return max(1, load / Double(max(1, ProcessInfo.processInfo.activeProcessorCount)))
    }

    /// `duration` on a quiet machine, stretched by the factor.
    public static func scaled(_ duration: Duration) -> Duration { duration * factor }

    /// `seconds` on a quiet machine, stretched by the factor.
    public static func scaled(seconds: Double) -> Double { seconds * factor }

    /// Waits until `condition` holds, polling every 20 ms, for at most `within` (a quiet-machine
    /// value, scaled). Returns whether it held; records an issue naming `what` when it did not.
    @discardableResult
    public static func eventually(
        _ what: String, within: Duration = .seconds(10), sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: () async throws -> Bool
    ) async throws -> Bool {
        let limit = scaled(within)
        let deadline = ContinuousClock.now + limit
        while try await !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("not within \(limit) (test-time factor \(factor)): \(what)", sourceLocation: sourceLocation)
                return false
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return true
    }
}
