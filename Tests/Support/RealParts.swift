import Foundation
import NIOConcurrencyHelpers
import Testing

/// Real parts the tests use, installed by `.ci/run`: Tansu (a Kafka-compatible broker), kubectl
/// and helm, from PyPI wheels, and kafka-python. Without them a test is skipped locally,
/// but fails in CI (where `CI` is set), so CI always proves them.
public enum RealParts {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static let inCI = ProcessInfo.processInfo.environment["CI"] != nil

    static func tool(_ name: String, environment variable: String) -> URL? {
        let candidates = [ProcessInfo.processInfo.environment[variable], root.appendingPathComponent(".build-tools/bin/\(name)").path].compactMap {
            $0
        }
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

    /// A real part a test needs. Locally a missing part skips the test (the trait below);
    /// in CI the test runs anyway and `require` fails it, naming the part: CI always proves them.
    public enum Part: String, CaseIterable, Sendable {
        case tansu, kubectl, helm, prometheus
        case kafkaPython = "kafka-python (PyPI)"
        case highspy = "highspy (PyPI)"
        case sharedRecordings = "../shared (recorded kube-apiserver answers, Kafka's message specs)"

        public var isPresent: Bool {
            get async {
                switch self {
                case .tansu: RealParts.tansu != nil
                case .kubectl: RealParts.kubectl != nil
                case .helm: RealParts.helm != nil
                case .prometheus: RealParts.prometheus != nil
                case .kafkaPython: await RealParts.pythonImports("kafka")
                case .highspy: await RealParts.pythonImports("highspy")
                case .sharedRecordings: FileManager.default.fileExists(atPath: RealParts.shared.path)
                }
            }
        }
    }

    /// The folder beside the checkout that holds the recordings and specs (`../shared`).
    public static let shared = root.deletingLastPathComponent().appendingPathComponent("shared")

    /// Whether python3 imports `module`, asked once per module.
    static func pythonImports(_ module: String) async -> Bool {
        if let known = importable.withLockedValue({ $0[module] }) { return known }
        let imports: Bool
        do {
            imports = try await run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", "import \(module)"]).status == 0
        } catch {
            imports = false
        }
        importable.withLockedValue { $0[module] = imports }
        return imports
    }

    private static let importable = NIOLockedValueBox<[String: Bool]>([:])

    /// The one way a test says what it needs: `@Test(RealParts.needing(.kubectl))`. Skipped
    /// locally when a part is missing (the reason says how to install it); in CI it runs.
    public static func needing(_ parts: Part...) -> ConditionTrait {
        .enabled(Comment(rawValue: "needs \(parts.map(\.rawValue).joined(separator: ", ")): run Scripts/install-test-tools.sh")) {
            if inCI { return true }
            for part in parts where await !part.isPresent { return false }
            return true
        }
    }

    public struct Missing: Error, CustomStringConvertible {
        public let part: Part
        public init(part: Part) { self.part = part }
        public var description: String { "\(part.rawValue) is not installed: Scripts/install-test-tools.sh installs it (CI runs it)" }
    }

    /// The part's program, or an error naming it (what a CI run without it reports).
    public static func require(_ part: Part) async throws -> URL {
        let found: URL? =
            switch part {
            case .tansu: tansu
            case .kubectl: kubectl
            case .helm: helm
            case .prometheus: prometheus
            case .kafkaPython, .highspy: await part.isPresent ? URL(fileURLWithPath: "/usr/bin/env") : nil
            case .sharedRecordings: await part.isPresent ? shared : nil
            }
        guard let found else { throw Missing(part: part) }
        return found
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

    public typealias Run = ProcessRun

    /// The environment for a real part: kubectl's discovery cache and helm's cache, config and
    /// data live under `.build/test-tool-state` (ignored by git), never in the user's home.
    public static func environment(_ base: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        let state = root.appendingPathComponent(".build/test-tool-state")
        var environment = base
        environment["KUBECACHEDIR"] = state.appendingPathComponent("kube-cache").path
        environment["HELM_CACHE_HOME"] = state.appendingPathComponent("helm/cache").path
        environment["HELM_CONFIG_HOME"] = state.appendingPathComponent("helm/config").path
        environment["HELM_DATA_HOME"] = state.appendingPathComponent("helm/data").path
        return environment
    }

    /// Runs `tool` with `arguments` (and `input` on stdin) to the end, in the real parts' environment.
    public static func run(_ tool: URL, _ arguments: [String], input: String? = nil, directory: URL? = nil) async throws -> Run {
        try await ProcessRun.run(tool, arguments, input: input, environment: environment(), directory: directory)
    }

    /// The `ebb` binary the test build made.
    public static var ebb: URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ebb")
        return FileManager.default.isExecutableFile(atPath: beside.path) ? beside : root.appendingPathComponent(".build/debug/ebb")
    }
}
