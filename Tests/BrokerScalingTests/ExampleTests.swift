import BrokerScaling
import Foundation
import Testing
import Yams

struct ExampleTests {
    static let examples = (try? RepositoryFiles.list("Manifests/examples")) ?? []

    @Test func thereAreExamples() {
        #expect(Self.examples.contains("Manifests/examples/ecommerce-black-friday.yaml"))
    }

    @Test(arguments: examples)
    func exampleIsValidAndRoundTrips(_ path: String) throws {
        let reports = BrokerPoolDocuments.check(try RepositoryFiles.read(path))
        for report in reports {
            #expect(report.problems.isEmpty, "\(path): \(report.problems)")
            let pool = try #require(report.pool)
            // JSON, as the API server sends it.
            let json = try JSONEncoder().encode(pool)
            #expect(try JSONDecoder().decode(BrokerPool.self, from: json) == pool)
            // YAML, as a user keeps it: re-encoded, it is still valid and the same pool.
            let yaml = try YAMLEncoder().encode(pool)
            let again = BrokerPoolDocuments.check(yaml)
            #expect(again.count == 1 && again[0].pool == pool, "\(path) does not round-trip through YAML: \(again.flatMap(\.problems))")
        }
    }

    @Test func theBlackFridayExampleSaysWhatItMeans() throws {
        let pool = try #require(BrokerPoolDocuments.check(try RepositoryFiles.read("Manifests/examples/ecommerce-black-friday.yaml")).first?.pool)
        #expect(pool.spec.maxReplicas == 24)
        #expect(pool.spec.metrics?.first?.brokerThroughput?.target.averageValue?.value == Double(120 * 1_048_576))
        #expect(pool.spec.effectiveBehavior.effectiveScaleDown.stabilizationWindowSeconds == 600)
        #expect(pool.spec.effectiveBehavior.effectiveScaleDown.tolerance == 0.05)
        #expect(pool.spec.kafka.tls?.effectiveVerify == true)
        let blackFriday = try #require(pool.spec.schedules?.first).window()
        // 2026-11-27 12:00 in New York is 17:00 UTC: the window is open; a day later it is closed.
        #expect(blackFriday.isOpen(at: Date(timeIntervalSince1970: 1_795_798_800)))
        #expect(!blackFriday.isOpen(at: Date(timeIntervalSince1970: 1_795_798_800 + 86_400)))
    }
}
