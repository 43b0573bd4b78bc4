import EbbTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 18's fifth attack: a bootstrap address a pool's author names can answer with a frame
/// of 255 MiB, under the 256 MiB that the client used to accept, which cost about 810 MB of
/// resident memory. The client refuses the frame from its size field, names the peer, and the
/// process stays far under the operator Deployment's 256 MiB limit.
@Suite(.serialized)
struct HostileBrokerProcessTests {
    static let memoryLimit = 256 << 20

    /// The process's exit status and its peak resident memory, from the kernel (`wait4`'s
    /// `ru_maxrss`): exact however briefly it ran and however busy the machine (sampling from a
    /// task missed a process that refuses the frame within a millisecond).
    struct Finished {
        var status: Int32
        var signalled: Bool
        var peakBytes: Int
    }

    static func run(_ arguments: [String], standardError: URL, within limit: Duration) async throws -> Finished {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, standardError.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv: [UnsafeMutablePointer<CChar>?] = ([RealParts.ebb.path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, RealParts.ebb.path, &actions, nil, argv, environ)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL) }
        let started = ContinuousClock.now
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, WNOHANG, &usage) == 0 {
            if ContinuousClock.now - started > TestTime.scaled(limit) {
                kill(pid, SIGKILL)
                _ = wait4(pid, &status, 0, &usage)
                throw TimedOut(limit: limit)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let signalled = (status & 0x7f) != 0
        return Finished(status: signalled ? status & 0x7f : (status >> 8) & 0xff, signalled: signalled, peakBytes: Int(usage.ru_maxrss) * 1024)
    }

    struct TimedOut: Error, CustomStringConvertible {
        let limit: Duration
        var description: String { "ebb did not end within \(limit) (scaled by the test-time factor)" }
    }

    @Test func aFrameOf255MiBIsRefusedFromItsSizeUnder256MiB() async throws {
        let broker = try await HostileKafkaBroker.start()
        defer { Task { await broker.stop() } }
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("ebb-frame-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: errors) }
        let run = try await Self.run(
            ["kafka", "describe", "--bootstrap", broker.address, "--timeout", "30"], standardError: errors, within: .seconds(60))
        let message = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        #expect(!run.signalled && run.status == 1, "exit \(run.status)\(run.signalled ? " (signal)" : ""): \(message)")
        #expect(message.contains(broker.address), "the error names the peer: \(message)")
        #expect(message.contains("frame size \(255 << 20) exceeds the limit of \(64 << 20) bytes"), "\(message)")
        #expect(broker.hostileAnswers >= 1, "the broker was asked")
        #expect(run.peakBytes > 0 && run.peakBytes < Self.memoryLimit, "ebb's resident memory peaked at \(run.peakBytes >> 20) MiB")
        print(
            "ebb kafka describe against a 255 MiB frame: peak RSS \(run.peakBytes >> 20) MiB (wait4); \(broker.bytesSent >> 10) KiB of the frame sent before it was refused"
        )
    }
}
