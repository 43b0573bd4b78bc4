import Foundation
import Subprocess

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// A process run to its end through swift-subprocess: its exit status, or the signal that
/// ended it, and everything it wrote (both streams drained at once, so a chatty stderr cannot
/// block it). The one way tests run a command that finishes.
public struct ProcessRun: Sendable {
    public let status: Int32
    /// The signal that ended the process; nil when it exited.
    public let signal: Int32?
    public let stdout: String
    public let stderr: String

    /// The most a test reads of either stream: far more than any command here writes.
    public static let outputLimit = 64 << 20

    public static func run(
        _ executable: URL, _ arguments: [String], input: String? = nil, environment: [String: String]? = nil, directory: URL? = nil
    ) async throws -> ProcessRun {
        let result = try await Subprocess.run(
            .path(FilePath(executable.path)), arguments: Arguments(arguments), environment: subprocessEnvironment(environment),
            workingDirectory: directory.map { FilePath($0.path) }, input: .string(input ?? ""), output: .string(limit: outputLimit),
            error: .string(limit: outputLimit))
        let (status, signal): (Int32, Int32?) =
            switch result.terminationStatus {
            case .exited(let code): (code, nil)
            case .signaled(let signal): (128 + signal, signal)
            }
        return ProcessRun(status: status, signal: signal, stdout: result.standardOutput, stderr: result.standardError)
    }

    /// Runs `executable` for as long as `body` runs, its output discarded, and kills it
    /// (SIGKILL) when `body` returns or throws: a server a test needs for its scope.
    public static func whileRunning<T: Sendable>(
        _ executable: URL, _ arguments: [String], environment: [String: String]? = nil, _ body: () async throws -> T
    ) async throws -> T {
        let result = try await Subprocess.run(
            .path(FilePath(executable.path)), arguments: Arguments(arguments), environment: subprocessEnvironment(environment), input: .none,
            output: .discarded,
            error: .discarded
        ) { execution in
            let outcome: Result<T, any Error>
            do {
                outcome = .success(try await body())
            } catch {
                outcome = .failure(error)
            }
            do {
                try execution.send(signal: .kill)
            } catch {
                // The body's own failure says more than a kill that could not be sent.
                if case .failure(let failure) = outcome { throw failure }
                throw error
            }
            return try outcome.get()
        }
        return result.closureResult
    }

    /// The given variables only, or this process's own when nil.
    static func subprocessEnvironment(_ values: [String: String]?) -> Environment {
        guard let values else { return .inherit }
        return .custom(Dictionary(uniqueKeysWithValues: values.compactMap { key, value in Environment.Key(rawValue: key).map { ($0, value) } }))
    }
}
