import Foundation
import NIOConcurrencyHelpers

/// A process's resident memory (VmRSS in /proc/PID/status), sampled while a test runs: the
/// highest value seen is what counts against a container's memory limit.
public final class ResidentMemory: Sendable {
    let peak = NIOLockedValueBox<Int>(0)
    let samples = NIOLockedValueBox<Int>(0)
    let sampler: Task<Void, Never>

    /// Bytes resident now, nil when the process is gone or /proc cannot be read.
    public static func bytes(of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, let kilobytes = Int(fields[1]) else { return nil }
            return kilobytes * 1024
        }
        return nil
    }

    /// Samples `pid` every 10 ms until `stop()`.
    public init(watching pid: Int32) {
        let peak = self.peak
        let samples = self.samples
        sampler = Task {
            while !Task.isCancelled {
                if let bytes = Self.bytes(of: pid) {
                    peak.withLockedValue { $0 = max($0, bytes) }
                    samples.withLockedValue { $0 += 1 }
                }
                do {
                    try await Task.sleep(for: .milliseconds(10))
                } catch {
                    return
                }
            }
        }
    }

    /// The highest resident size seen so far, in bytes.
    public var peakBytes: Int { peak.withLockedValue { $0 } }
    public var sampleCount: Int { samples.withLockedValue { $0 } }

    public func stop() { sampler.cancel() }
}
