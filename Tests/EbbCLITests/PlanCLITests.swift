import Foundation
import Testing

struct PlanCLITests {
    let cli = CLITests()

    @Test func documentedExamplePlans() async throws {
        let result = try await cli.ebb("plan", "--input", "Docs/examples/cluster.json", "--output", "json")
        #expect(result.status == 0)
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let stats = try #require(plan["stats"] as? [String: Any])
        for key in ["moves", "lowerBoundMoves", "maxDeviation", "planningSeconds", "unmetGoals"] {
            #expect(stats[key] != nil, "stats.\(key) is missing")
        }
        #expect((stats["maxDeviation"] as? Double ?? 1) <= 0.05)
        #expect((stats["unmetGoals"] as? [String])?.isEmpty == true)
        // The new broker 1006 receives partitions.
        let moves = (plan["batches"] as? [[[String: Any]]] ?? []).flatMap { $0 }
        #expect(moves.contains { ($0["to"] as? [Int])?.contains(1006) == true })
    }

    @Test func syntheticTextTable() async throws {
        let result = try await cli.ebb("plan", "--synthetic", "brokers=40,partitions=4000,add=4,skew=zipf", "--compare-naive")
        #expect(result.status == 0)
        #expect(result.stdout.contains("44 brokers (4 new, 0 draining), 4000 partitions, balanced by bytesIn"))
        #expect(result.stdout.contains("unmet goals    none"))
        #expect(
            result.stdout.contains("naive plan") && result.stdout.contains("ms (Ebb: ") && result.stdout.contains("× its time)"), "\(result.stdout)")
    }

    @Test func badInputNamesTheField() async throws {
        let input = #"{"brokers": [{"id": 1}], "partitions": [{"topic": "orders", "partition": 0, "replicas": [7]}]}"#
        let result = try await cli.ebb("plan", "--input", "-", input: input)
        #expect(result.status == 1)
        #expect(result.stderr.contains("partitions[0].replicas: broker 7 of orders-0 is not in brokers"))
        let malformed = try await cli.ebb("plan", "--input", "-", input: #"{"brokers": [{"id": "one"}], "partitions": []}"#)
        #expect(malformed.status == 1)
        #expect(malformed.stderr.contains("brokers[0].id"))
        let synthetic = try await cli.ebb("plan", "--synthetic", "brokers=ten")
        #expect(synthetic.status == 1)
        #expect(synthetic.stderr.contains("--synthetic brokers: 'ten' is not a whole number from 1 to 100000"))
    }
}
