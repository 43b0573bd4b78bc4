import EbbTestSupport
import Testing

@testable import Simulator

struct ScenarioFileTests {
    @Test func theExampleLoadsAndRuns() async throws {
        let file = try ScenarioFile.load(RealParts.root.appendingPathComponent("Docs/examples/scenarios/cyber-monday.yaml").path)
        #expect(file.name == "cyber-monday" && file.baselineMiBPerSecond == 250)
        #expect(file.profile.multiplier(at: 12 * 3600) == 5)
        #expect(file.profile.peakMultiplier == 5)
    }

    @Test func aFileDescribesTheClusterOverSeveralDays() throws {
        let file = try ScenarioFile.parse(
            """
            days: 2
            timeZone: Europe/Berlin
            brokerOutCapacityMiBPerSecond: 500
            sessionTimeoutSeconds: 12
            metrics: {scrapeIntervalSeconds: 30, rateWindowSeconds: 120}
            topics:
              - {name: orders, partitions: 6, share: 1, keySkew: 0, hotPartitions: [{partition: 2, factor: 4}]}
            consumerGroups:
              - {name: billing, capacityMiBPerSecond: 50}
            points:
              - {at: "00:00", multiplier: 1}
              - {day: 2, at: "12:00", multiplier: 3}
            """, source: "two.yaml")
        let settings = file.apply(to: CampaignSettings())
        #expect(settings.durationSeconds == 2 * 86_400 && settings.timeZone == "Europe/Berlin" && settings.brokerOutCapacityMiBPerSecond == 500)
        #expect(settings.scrapeIntervalSeconds == 30 && settings.rateWindowSeconds == 120 && settings.sessionTimeoutSeconds == 12)
        #expect(settings.consumerGroups == [ConsumerGroupSpec(name: "billing", capacityMiBPerSecond: 50)])
        #expect(file.profile.multiplier(at: 86_400 + 12 * 3_600) == 3)
        let shares = TopicSpec.shares(settings.topics, seed: 1)
        #expect(shares.count == 6 && shares[2].weight > 2 * shares[1].weight, "the hot partition: \(shares.map(\.weight))")
    }

    @Test func pointsCanNameSeconds() throws {
        let file = try ScenarioFile.parse(
            "points:\n  - {at: \"00:00\", multiplier: 1}\n  - {at: \"00:00:30\", multiplier: 4}\n", source: "short.yaml")
        #expect(file.profile.multiplier(at: 15) == 2.5)
        #expect(file.name == "short")
    }

    static let broken: [(String, String)] = [
        ("points: []", "points: at least one is needed"),
        ("points:\n  - {at: \"9:75\", multiplier: 1}", "points[0].at: '9:75' is not a time of day"),
        ("points:\n  - {at: \"09:00:75\", multiplier: 1}", "points[0].at: '09:00:75' is not a time of day"),
        ("points:\n  - {at: \"10:00\", multiplier: 1}\n  - {at: \"09:00\", multiplier: 2}", "points[1].at: 09:00 is not after the point before"),
        ("points:\n  - {at: \"10:00\", multiplier: -1}", "points[0].multiplier: must be a number >= 0"),
        ("points:\n  - {at: \"10:00\", multiplier: lots}", "points[0].multiplier: expected a number"),
        ("baselineMiBPerSecond: 0\npoints:\n  - {at: \"10:00\", multiplier: 1}", "baselineMiBPerSecond: must be > 0"),
        ("points:\n  - {at: \"10:00\", multiplier: 1}\nbaseline: 300", "baseline: unknown key (line 3)"),
        ("topics:\n  - name: orders\n    partitons: 12\npoints:\n  - {at: \"10:00\", multiplier: 1}", "topics[0].partitons: unknown key (line 3)"),
        (
            "metrics: {scrapeIntervalSeconds: 60, rateWindowSeconds: 60}\npoints:\n  - {at: \"10:00\", multiplier: 1}",
            "metrics.rateWindowSeconds: 60.0 holds fewer than two scrapes"
        ),
        ("days: 2\npoints:\n  - {day: 3, at: \"10:00\", multiplier: 1}", "points[0].day: 3 is not between 1 and days (2)")
    ]

    @Test(arguments: 0..<broken.count)
    func brokenScenariosNameTheField(_ index: Int) {
        let (text, message) = Self.broken[index]
        #expect {
            _ = try ScenarioFile.parse(text, source: "s.yaml")
        } throws: { error in
            "\(error)".hasPrefix("s.yaml: ") && "\(error)".contains(message)
        }
    }
}
