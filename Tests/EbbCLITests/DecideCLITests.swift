import Foundation
import Testing

struct DecideCLITests {
    let cli = CLITests()

    /// The example that Docs/decision-input.md shows, with the line the doc quotes.
    @Test func documentedExampleGivesTheDocumentedLine() async throws {
        let result = try await cli.ebb("decide", "--input", "Docs/examples/decision-input.json")
        #expect(result.status == 0)
        let documented =
            "scale out 6→9: bytes-in 182 MiB/s per broker vs target 120 MiB/s (highest of 2 metrics); wanted 10, limited by policy Percent 50%/60s"
        #expect(result.stdout.hasPrefix(documented + "\n"))
        let doc = try String(contentsOf: CLITests.root.appendingPathComponent("Docs/decision-input.md"), encoding: .utf8)
        #expect(doc.contains(documented))
    }

    @Test func jsonHasWhatScriptsNeed() async throws {
        let result = try await cli.ebb("decide", "--input", "Docs/examples/decision-input.json", "--output", "json")
        #expect(result.status == 0)
        let decision = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(decision["desiredReplicas"] as? Int == 9)
        #expect((decision["proposals"] as? [[String: Any]])?.count == 2)
        #expect((decision["limitedBy"] as? [String: Any])?["rule"] as? String == "ScaleUpLimit")
        #expect((decision["reason"] as? String)?.hasPrefix("scale out 6→9") == true)
    }

    @Test func badInputNamesTheField() async throws {
        let input =
            #"{"now": "yesterday", "spec": {"scaleTargetRef": {"name": "b"}, "kafka": {"bootstrapServers": ["k:9092"]}, "maxReplicas": 0}, "currentReplicas": 3, "metrics": [{"name": "bytes-in", "samples": [{"time": "2026-11-27T13:05:00Z", "value": "lots"}]}]}"#
        let result = try await cli.ebb("decide", "--input", "-", input: input)
        #expect(result.status == 1)
        #expect(result.stderr.contains("now: expected a time such as 2026-11-27T17:00:00Z, got 'yesterday'"))
        #expect(result.stderr.contains("spec.maxReplicas: must be > 0 (got 0)"))
        #expect(result.stderr.contains("metrics[0].samples[0].value: expected a number, got 'lots'"))
        #expect(!result.stderr.contains("DecodingError"))
    }

    @Test func unknownMetricNameIsReported() async throws {
        let input =
            #"{"now": "2026-11-27T13:05:00Z", "spec": {"scaleTargetRef": {"name": "b"}, "kafka": {"bootstrapServers": ["k:9092"]}, "maxReplicas": 5, "metrics": [{"type": "BrokerThroughput", "brokerThroughput": {"direction": "In", "target": {"type": "AverageValue", "averageValue": "120Mi"}}}]}, "currentReplicas": 3, "metrics": [{"name": "bytes_in"}]}"#
        let result = try await cli.ebb("decide", "--input", "-", input: input)
        #expect(result.status == 1)
        #expect(result.stderr.contains("metrics[0].name: 'bytes_in' matches no metric of spec.metrics; use one of: bytes-in"))
    }
}
