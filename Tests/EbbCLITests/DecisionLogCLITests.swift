import Foundation
import Testing

/// The decision log of `ebb simulate --log json` says what the producers offered, as read and as
/// carried forward along its rise.
struct DecisionLogCLITests {
    let cli = CLITests()

    @Test func aRampsOfferedLoadIsLoggedAsReadAndAsCarried() async throws {
        let result = try await cli.ebb(
            "simulate", "--scenario", "Docs/examples/scenarios/step-10x.yaml", "--strategies", "ebb", "--log", "json", "--output", "json")
        #expect(result.status == 0, "\(result.stderr.suffix(500))")
        var demands: [[String: Any]] = []
        for line in result.stderr.split(separator: "\n") {
            // Every line of a JSON log is one object.
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            if let demand = record["demand"] as? [String: Any] { demands.append(demand) }
        }
        #expect(!demands.isEmpty, "no decision with a demand in: \(result.stderr.prefix(500))")
        #expect(demands.contains { $0["producer_offered_read_bytes_per_second"] != nil }, "the answer as read is logged")
        let carried = demands.filter { $0["producer_offered_rise_bytes_per_second_each_second"] != nil }
        let first = try #require(carried.first, "no decision carried the producers' rise forward")
        let summary = try #require(first["summary"] as? String)
        #expect(summary.contains("carried 15 s forward (offeredReadingAgeSeconds)"), "\(summary)")
        let read = try #require(Double("\(first["producer_offered_read_bytes_per_second"]!)"))
        let now = try #require(Double("\(first["producer_offered_bytes_per_second"]!)"))
        #expect(now > read, "carried \(now), read \(read)")
    }
}
