import EbbTestSupport
import Foundation
import Testing

/// Every command in a shell block of README.md, Docs/ and the chart's README runs, so none is
/// stale. Commands that need a cluster run against a served world (`ebb simulate --serve`,
/// with Prometheus): `localhost:9092` is its Kafka face, the kubeconfigs are its Kubernetes
/// face, Prometheus addresses are the test's Prometheus. Long-running commands (`ebb run`,
/// `--serve`, `kubectl get -w`) must still be running, or have ended well, after a few seconds.
@Suite(.serialized) struct DocCommandTests {
    static let documents =
        ["README.md", "Charts/ebb/README.md"]
        + ((try? FileManager.default.contentsOfDirectory(atPath: RealParts.root.appendingPathComponent("Docs").path)) ?? [])
        .filter { $0.hasSuffix(".md") }.sorted().map { "Docs/\($0)" }

    /// What is not run here, and where it is proved instead.
    static let elsewhere = [
        "swift test": "CI runs it (.ci/run)",
        "Scripts/test.sh": "CI runs it (.ci/run)",
        // helm writes its release record as a protobuf Secret, which the simulated API server
        // does not read; the same chart with the same values is linted and rendered by real
        // helm in HelmChartTests, and what it renders is what `kubectl apply` installs here.
        "helm install": "HelmChartTests (helm lint, helm template with these values)"
    ]

    struct Command: CustomStringConvertible {
        var file: String
        var line: String
        var description: String { "\(file): \(line)" }
    }

    static func commands() throws -> [Command] {
        var found: [Command] = []
        for file in documents {
            let text = try String(contentsOf: RealParts.root.appendingPathComponent(file), encoding: .utf8)
            var inShell = false
            for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
                let line = raw.trimmingCharacters(in: .whitespaces)
                if line.hasPrefix("```") {
                    inShell = !inShell && ["```sh", "```bash", "```shell"].contains(line)
                    continue
                }
                guard inShell, !line.isEmpty, !line.hasPrefix("#") else { continue }
                // A trailing comment is prose, not part of the command.
                let command = line.range(of: "  #").map { String(line[..<$0.lowerBound]) } ?? line
                found.append(Command(file: file, line: command.trimmingCharacters(in: .whitespaces)))
            }
        }
        return found
    }

    @Test func theDocumentsShowCommands() throws {
        let commands = try Self.commands()
        #expect(commands.count >= 30, "\(commands.count) commands found")
        #expect(Self.documents.contains("Docs/operations.md") && Self.documents.contains("README.md"))
    }

    @Test(RealParts.needing(.kubectl, .helm, .prometheus)) func everyDocumentedCommandRuns() async throws {
        let (kubectl, helm, prometheus) = (
            try await RealParts.require(.kubectl), try await RealParts.require(.helm), try await RealParts.require(.prometheus)
        )
        // Without SASL: the README's `ebb kafka` commands send no credentials.
        let platform = try await Platform.start(
            kubectl: kubectl, prometheus: prometheus, points: [(0, 1), (3_600, 1)], outageAt: .infinity, kafkaSASL: false)
        let work = platform.directory.appendingPathComponent("docs")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        var failures: [String] = []
        var ran = 0
        for command in try Self.commands() {
            if let reason = Self.elsewhere.first(where: { command.line.hasPrefix($0.key) })?.value {
                print("not run here (\(reason)): \(command)")
                continue
            }
            let line = Self.substitute(command.line, platform: platform)
            let outcome = try await Self.run(line, in: work, kubectl: kubectl, helm: helm, platform: platform)
            ran += 1
            if let problem = outcome { failures.append("\(command)\n    ran: \(line)\n    \(problem)") }
        }
        await platform.stop()
        #expect(failures.isEmpty, "\(failures.count) documented command(s) failed:\n\(failures.joined(separator: "\n"))")
        #expect(ran >= 30)
    }

    /// The documented command with the served world's addresses and the repository's paths.
    static func substitute(_ line: String, platform: Platform) -> String {
        let kafka = platform.addresses["kafka"] as? String ?? ""
        let kubeconfig = platform.directory.appendingPathComponent("kubeconfig").path
        let prometheus = "http://127.0.0.1:\(platform.prometheusPort)"
        var out = line
        for (from, to) in [
            ("swift run --quiet ebb", RealParts.ebb.path), ("swift run ebb", RealParts.ebb.path), ("localhost:9092", kafka),
            ("~/.kube/config", kubeconfig),
            ("ebb-simulate/kubeconfig", kubeconfig), ("ebb-simulate/pool.yaml", platform.directory.appendingPathComponent("pool.yaml").path),
            ("ebb-simulate/prometheus.yml", platform.directory.appendingPathComponent("prometheus.yml").path),
            ("ebb-simulate/prometheus-data", platform.directory.appendingPathComponent("docs-prometheus-data").path),
            ("my-pool.yaml", platform.directory.appendingPathComponent("pool.yaml").path),
            ("--web.listen-address 127.0.0.1:9090", "--web.listen-address 127.0.0.1:\(RealParts.freePort())"),
            ("http://prometheus.monitoring:9090", prometheus), ("http://127.0.0.1:9090", prometheus)
        ] {
            out = out.replacingOccurrences(of: from, with: to)
        }
        if out.hasPrefix("ebb ") { out = RealParts.ebb.path + out.dropFirst(3) }
        out = out.replacingOccurrences(of: "&& ebb ", with: "&& \(RealParts.ebb.path) ")
        for folder in ["Manifests/", "Docs/", "Charts/"] {
            out = out.replacingOccurrences(of: " \(folder)", with: " \(RealParts.root.path)/\(folder)")
        }
        return out
    }

    /// Runs one command through the shell (kubectl and helm from the test tools, pointed at
    /// the served world); nil when it did what the document says.
    static func run(_ line: String, in directory: URL, kubectl: URL, helm: URL, platform: Platform) async throws -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // `exec`: the command itself gets the signals, not a shell that would leave it orphaned.
        process.arguments = ["-c", line.contains("&&") || line.contains("|") ? line : "exec " + line]
        process.currentDirectoryURL = directory
        var environment = RealParts.environment()
        environment["KUBECONFIG"] = platform.directory.appendingPathComponent("kubeconfig").path
        environment["PATH"] =
            kubectl.deletingLastPathComponent().path + ":" + helm.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        process.environment = environment
        let output = directory.appendingPathComponent("output.txt")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let longRunning =
            line.contains(" run ") && line.contains("--kubeconfig") || line.contains("--serve") || line.hasSuffix(" -w")
            || line.hasPrefix("prometheus ")
        let deadline = Date().addingTimeInterval(longRunning ? 4 : TestTime.scaled(seconds: 120))
        while process.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            let stopping = Date().addingTimeInterval(TestTime.scaled(seconds: 15))
            while process.isRunning, Date() < stopping { try await Task.sleep(for: .milliseconds(50)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            let killed = Date().addingTimeInterval(5)
            while process.isRunning, Date() < killed { try await Task.sleep(for: .milliseconds(50)) }
            try handle.close()
            let said = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            // SIGTERM ends a long-running command well (0 or 143); a watch (`-w`) is judged by
            // what it showed before it was stopped.
            if line.hasSuffix(" -w") { return said.contains("shop-events") ? nil : "the watch showed no pool: \(said.suffix(800))" }
            return longRunning && [0, 143].contains(process.terminationStatus)
                ? nil : "did not finish (\(process.terminationStatus)): \(said.suffix(800))"
        }
        process.waitUntilExit()
        try handle.close()
        let said = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        return process.terminationStatus == 0 ? nil : "exit \(process.terminationStatus): \(said.suffix(800))"
    }
}
