import Foundation
import Testing

/// Runs the built `ebb` binary as a user would, and checks what they would see.
struct CLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static var binary: URL {
        // The test bundle sits beside the products of the same build.
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ebb")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return root.appendingPathComponent(".build/debug/ebb")
    }

    func ebb(_ arguments: String..., input: String? = nil) async throws -> Result {
        try await run(arguments, input: input)
    }

    @Test func validExampleIsValid() async throws {
        let result = try await ebb("validate", "-f", "Manifests/examples/ecommerce-black-friday.yaml")
        #expect(result.status == 0)
        #expect(result.stdout.contains("BrokerPool shop/shop-events is valid"))
    }

    @Test func anExternallyDrivenPoolMustSetReplicasAndValidateSaysSo() async throws {
        // The shipped example sets spec.replicas from the start: an HPA can read its scale at once.
        let example = try await ebb("validate", "-f", "Manifests/examples/externally-driven.yaml")
        #expect(example.status == 0 && !example.stdout.contains("note:"), "\(example.stdout)")
        #expect(example.stdout.contains("replicas 3 set from outside"), "\(example.stdout)")
        // Without it, and with nothing else to size the pool, validate explains the 500 an HPA would meet.
        let unset = try await ebb(
            "validate", "-f", "-",
            input: """
                apiVersion: ebb.io/v1alpha1
                kind: BrokerPool
                metadata: {name: analytics-kafka, namespace: analytics}
                spec:
                  scaleTargetRef: {name: analytics-broker}
                  kafka: {bootstrapServers: ["analytics-broker-0:9092"]}
                  maxReplicas: 12
                """)
        #expect(unset.status == 0, "a note, not a problem: \(unset.stdout)")
        #expect(unset.stdout.contains("note: line 5: spec.replicas: nothing sizes this pool"), "\(unset.stdout)")
        #expect(unset.stdout.contains("GET .../brokerpools/NAME/scale with 500"))
        let json = try await ebb(
            "validate", "-f", "-", "--output", "json",
            input: """
                apiVersion: ebb.io/v1alpha1
                kind: BrokerPool
                metadata: {name: analytics-kafka}
                spec: {scaleTargetRef: {name: analytics-broker}, kafka: {bootstrapServers: ["b:9092"]}, maxReplicas: 12}
                """)
        let files = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let notes = (files.first?["documents"] as? [[String: Any]])?.first?["notes"] as? [[String: Any]]
        #expect(notes?.first?["path"] as? String == "spec.replicas", "\(json.stdout)")
    }

    @Test func brokenFileNamesTheFieldAndExitsOne() async throws {
        let result = try await ebb("validate", "-f", "Tests/BrokerScalingTests/Fixtures/broken/policy-value-zero.yaml")
        #expect(result.status == 1)
        #expect(result.stdout.contains("spec.behavior.scaleDown.policies[0].value: must be > 0"))
    }

    @Test func jsonOutputIsForScripts() async throws {
        let result = try await ebb("validate", "-f", "Tests/BrokerScalingTests/Fixtures/broken/min-above-max.yaml", "--output", "json")
        #expect(result.status == 1)
        let files = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(files.first?["valid"] as? Bool == false)
        let documents = try #require(files.first?["documents"] as? [[String: Any]])
        let problems = try #require(documents.first?["problems"] as? [[String: Any]])
        #expect(problems.first?["path"] as? String == "spec.minReplicas")
        #expect(problems.first?["line"] as? Int == 13)  // the fixture's "  minReplicas: 30" line
    }

    @Test func standardInputAndGarbage() async throws {
        let control = try await ebb("validate", "-f", "-", input: "\u{7}{{ not: [yaml")
        #expect(control.status == 1)
        #expect(control.stdout.contains("the file is not readable text: control characters are not allowed"))
        let broken = try await ebb("validate", "-f", "-", input: "spec:\n  minReplicas: [3\n")
        #expect(broken.status == 1)
        #expect(broken.stdout.contains("malformed YAML at line"))
        #expect(!broken.stdout.contains("DecodingError"))
    }

    @Test func missingFileIsExitTwo() async throws {
        let result = try await ebb("validate", "-f", "no/such/file.yaml")
        #expect(result.status == 2)
        #expect(result.stderr.contains("cannot read no/such/file.yaml"))
    }

    @Test func manifestsPrintsWhatIsCommitted() async throws {
        let result = try await ebb("manifests")
        #expect(result.status == 0)
        let committed = try ["crd/brokerpools.ebb.io.yaml", "rbac/rbac.yaml", "operator/operator.yaml"].map {
            try String(contentsOf: Self.root.appendingPathComponent("Manifests/\($0)"), encoding: .utf8)
        }.joined(separator: "---\n")
        #expect(result.stdout == committed)
    }

    /// A user's pool file and a CSV of recorded traffic, end to end: two hours with a 6× step,
    /// Ebb running the pool (its own min and targets) against the strongest baseline and static.
    @Test func simulateRunsAUsersPoolOnRecordedTrafficAndDrawsIt() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ebb-sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var csv = "time,mibPerSecond\n"
        for minute in 0...120 { csv += "\(minute * 60),\(minute >= 40 && minute < 70 ? 1_200 : 200)\n" }
        let traffic = directory.appendingPathComponent("traffic.csv")
        try csv.write(to: traffic, atomically: true, encoding: .utf8)
        let pool = directory.appendingPathComponent("pool.yaml")
        try """
        apiVersion: ebb.io/v1alpha1
        kind: BrokerPool
        metadata: {name: my-pool, namespace: shop}
        spec:
          scaleTargetRef: {name: automq-broker}
          kafka: {bootstrapServers: ["automq-broker-0:9092"]}
          minReplicas: 4
          maxReplicas: 20
          metrics:
            - type: BrokerThroughput
              brokerThroughput: {direction: In, target: {type: AverageValue, averageValue: "90Mi"}}
        """.write(to: pool, atomically: true, encoding: .utf8)
        let chart = directory.appendingPathComponent("chart.svg")
        let result = try await ebb(
            "simulate", "--traffic-from", traffic.path, "--pool", pool.path, "--strategies", "static,keda-bytes-in,ebb", "--seed", "3",
            "--output", "json", "--chart", chart.path)
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(summary["seeds"] as? [Int] == [3] && summary["durationSeconds"] as? Double == 7_200)
        let strategies = try #require(summary["strategies"] as? [[String: Any]])
        #expect(strategies.compactMap { $0["name"] as? String } == ["static", "keda-bytes-in", "ebb"])
        let ebbRow = try #require(strategies.last)
        #expect((ebbRow["description"] as? String)?.contains("my-pool") == true)
        // The recorded baseline of 200 MiB/s needs 3 brokers; the pool's minimum is 4.
        let outs = try #require((ebbRow["scaleOuts"] as? [String: Double])?["median"])
        #expect(outs >= 1)
        let hours = strategies.compactMap { ($0["brokerHours"] as? [String: Double])?["median"] }
        #expect(hours.count == 3 && hours[2] < hours[0] && hours[2] >= 4 * 2 * 0.99, "\(hours)")
        let svg = try String(contentsOf: chart, encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("polyline") && svg.contains("ebb (") && svg.hasSuffix("</svg>\n"))
        let text = try await ebb("simulate", "--traffic-from", traffic.path, "--strategies", "static", "--chart", chart.path)
        #expect(text.stdout.contains("Chart written to \(chart.path)"), "\(text.stdout)")
        let unknown = try await ebb("simulate", "--scenario", "cyber-tuesday")
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("unknown scenario 'cyber-tuesday'"))
    }
}
