import Foundation
import Testing

/// What a newcomer's first mistakes print: one plain line that names the file, flag or address
/// and what to do, never a log record, a usage dump or a raw NIO error.
struct PlainErrorCLITests {
    let cli = CLITests()

    @Test func runWithoutACluster() async throws {
        let result = try await cli.ebb("run", "--kubeconfig", "/nonexistent/kubeconfig", "--dry-run")
        #expect(result.status == 1, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("Error: cannot configure the Kubernetes client: "), "\(result.stderr)")
        #expect(result.stderr.contains("/nonexistent/kubeconfig"), "\(result.stderr)")
        #expect(!result.stderr.contains("{") && !result.stderr.contains("Usage:"), "\(result.stderr)")
    }

    @Test func kafkaWhereNothingListens() async throws {
        // Port 9 (discard) is not served on loopback here.
        let result = try await cli.ebb("kafka", "describe", "--bootstrap", "127.0.0.1:9", "--timeout", "5")
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("127.0.0.1:9") && result.stderr.contains("connection refused: nothing listens there"), "\(result.stderr)")
        #expect(!result.stderr.contains("errno") && !result.stderr.contains("SingleConnectionFailure"), "\(result.stderr)")
    }

    @Test func aMissingScenarioFileIsNamedAsAFile() async throws {
        let result = try await cli.ebb("simulate", "--scenario", "Docs/examples/scenarios/no-such.yaml")
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--scenario: no file 'Docs/examples/scenarios/no-such.yaml'"), "\(result.stderr)")
    }

    @Test func aBrokenScenarioFileIsOneLineWithItsLine() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ebb-broken-\(UUID().uuidString).yaml")
        try "name: broken\npoints:\n  - {at: \"00:00\", multiplier: 1}\nbogusKey: 3\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try await cli.ebb("simulate", "--scenario", file.path)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("bogusKey") && result.stderr.contains("line 4"), "\(result.stderr)")
        #expect(!result.stderr.contains("Usage:"), "\(result.stderr)")
    }

    @Test func aChartIntoAMissingFolderIsRefusedBeforeTheSimulation() async throws {
        let result = try await cli.ebb("simulate", "--chart", "/nonexistent-folder/day.svg")
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--chart: the folder /nonexistent-folder does not exist"), "\(result.stderr)")
        #expect(result.stdout.isEmpty, "nothing was simulated: \(result.stdout)")
    }

    /// A usage error is one line naming the flag, with where to look; no usage dump, and a
    /// suggestion only for a near miss.
    @Test func usageErrorsAreOneLine() async throws {
        let outOfRange = try await cli.ebb("simulate", "--seeds", "0")
        #expect(outOfRange.status == 2)
        #expect(outOfRange.stderr == "Error: --seeds: must be between 1 and 50 (ebb simulate --help lists the options)\n", "\(outOfRange.stderr)")
        let misspelled = try await cli.ebb("simulate", "--sed", "3")
        #expect(misspelled.stderr.contains("Did you mean '--seed'?") && misspelled.stderr.split(separator: "\n").count == 1, "\(misspelled.stderr)")
        let unknown = try await cli.ebb("simulate", "--bogus")
        #expect(unknown.status == 2)
        #expect(unknown.stderr == "Error: Unknown option '--bogus'. (ebb simulate --help lists the options)\n", "\(unknown.stderr)")
        let scenario = try await cli.ebb("simulate", "--scenario", "nope")
        #expect(scenario.stderr.contains("unknown scenario 'nope'") && !scenario.stderr.contains("Usage:"), "\(scenario.stderr)")
    }

    /// A file that is there but cannot be read says why, in the operating system's words.
    @Test func anUnreadableFileSaysWhy() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ebb-folder-\(UUID().uuidString).yaml")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = try await cli.ebb("simulate", "--scenario", folder.path)
        #expect(scenario.status == 1, "\(scenario.stderr)")
        #expect(scenario.stderr.contains("\(folder.path): cannot be read: is a directory"), "\(scenario.stderr)")
        let password = try await cli.ebb(
            "kafka", "describe", "--bootstrap", "127.0.0.1:9", "--sasl-mechanism", "PLAIN", "--sasl-username", "u", "--sasl-password-file",
            "/nonexistent/password")
        #expect(password.status == 2, "\(password.stderr)")
        #expect(
            password.stderr.contains("--sasl-password-file: /nonexistent/password: cannot be read: no such file or directory"), "\(password.stderr)")
    }
}
