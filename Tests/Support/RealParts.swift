import Foundation

/// Real parts the tests use, installed by `.ci/run`: Tansu (a Kafka-compatible broker), kubectl
/// and helm, from PyPI wheels, and kafka-python. Without them a test is skipped locally,
/// but fails in CI (where `CI` is set), so CI always proves them.
public enum RealParts {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static let inCI = ProcessInfo.processInfo.environment["CI"] != nil

    static func tool(_ name: String, environment variable: String) -> URL? {
        let candidates = [ProcessInfo.processInfo.environment[variable], root.appendingPathComponent(".build-tools/bin/\(name)").path].compactMap { $0 }
        return candidates.map(URL.init(fileURLWithPath:)).first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    public static var tansu: URL? { tool("tansu", environment: "TANSU") }
    public static var kubectl: URL? { tool("kubectl", environment: "KUBECTL") }
    public static var helm: URL? { tool("helm", environment: "HELM") }
    /// Prometheus from Debian's package (`/usr/bin/prometheus`).
    public static var prometheus: URL? {
        [ProcessInfo.processInfo.environment["PROMETHEUS"], "/usr/bin/prometheus", root.appendingPathComponent(".build-tools/bin/prometheus").path]
            .compactMap { $0 }.map(URL.init(fileURLWithPath:)).first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// A TCP port free on 127.0.0.1 just now.
    public static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public struct Run: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// Runs `tool` with `arguments` (and `input` on stdin) to the end.
    public static func run(_ tool: URL, _ arguments: [String], input: String? = nil, directory: URL? = nil) throws -> Run {
        let process = Process()
        process.executableURL = tool
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
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

    /// The `ebb` binary the test build made.
    public static var ebb: URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ebb")
        return FileManager.default.isExecutableFile(atPath: beside.path) ? beside : root.appendingPathComponent(".build/debug/ebb")
    }
}
