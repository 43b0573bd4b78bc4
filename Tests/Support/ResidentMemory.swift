import Foundation
import NIOConcurrencyHelpers

/// A process's resident memory, as it counts against a container's memory limit: sampled
/// (VmRSS in /proc/PID/status) while a test runs, and at `stop()` the kernel's own high-water
/// mark (VmHWM), which a busy machine cannot make it miss: on a loaded fresh-clone run the
/// sampling task ran once in the whole test.
public final class ResidentMemory: Sendable {
    let peak = NIOLockedValueBox<Int>(0)
    let samples = NIOLockedValueBox<Int>(0)
    let sampler: Task<Void, Never>
    let pid: Int32
    let highWaterRead = NIOLockedValueBox(false)

    /// Bytes resident now, nil when the process is gone or /proc cannot be read.
    public static func bytes(of pid: Int32, field: String = "VmRSS") -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("\(field):") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, let kilobytes = Int(fields[1]) else { return nil }
            return kilobytes * 1024
        }
        return nil
    }

    /// Samples `pid` every 10 ms until `stop()`.
    public init(watching pid: Int32) {
        self.pid = pid
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

    /// Whether the kernel's high-water mark was read at `stop()` (the process was still there).
    public var highWaterMarkRead: Bool { highWaterRead.withLockedValue { $0 } }

    /// Stops sampling and takes the kernel's high-water mark; call it while the process runs.
    public func stop() {
        sampler.cancel()
        if let highWater = Self.bytes(of: pid, field: "VmHWM") {
            peak.withLockedValue { $0 = max($0, highWater) }
            highWaterRead.withLockedValue { $0 = true }
        }
    }
}
