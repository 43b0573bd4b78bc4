import Foundation
import Simulator
import Testing

/// `ebb simulate`'s comparison: the same traffic three ways.
struct CampaignTests {
    static func run(_ scenario: BuiltInScenario, seed: UInt64 = 42) async -> CampaignReport {
        await Campaign.run(scenario: scenario.rawValue, profile: scenario.profile, seed: seed)
    }

    @Test func blackFridayEbbFollowsTrafficWhereHPAAloneCannot() async throws {
        let report = await Self.run(.blackFriday)
        #expect(report.strategies.map(\.name) == ["static", "hpa", "ebb"])
        let fixed = report.strategies[0], hpa = report.strategies[1], ebb = report.strategies[2]
        // Provisioned for the peak: never short, always paying for it.
        #expect(fixed.minutesOverSlo == 0 && fixed.peakLag == 0 && fixed.scaleOuts == 0)
        // HPA on CPU: new brokers take no partitions, so the hot ones stay hot.
        #expect(hpa.minutesOverSlo > 60 && hpa.moves == 0)
        // Ebb: a fraction of the broker-hours, little time over the SLO, partitions moved.
        #expect(ebb.brokerHours < fixed.brokerHours * 0.5, "\(ebb.brokerHours) vs \(fixed.brokerHours)")
        #expect(ebb.minutesOverSlo < hpa.minutesOverSlo / 10)
        #expect(ebb.moves > 0 && ebb.scaleOuts > 0 && ebb.scaleIns > 0)
        #expect(try #require(ebb.secondsToCapacity) < 1_800, "capacity within the 30-minute ramp")
        #expect(hpa.secondsToCapacity == nil)
    }

    @Test func theSameSeedGivesTheSameRunAndAnotherSeedAnother() async {
        let first = await Self.run(.flashSale, seed: 7)
        let again = await Self.run(.flashSale, seed: 7)
        let other = await Self.run(.flashSale, seed: 8)
        #expect(first.strategies == again.strategies)
        #expect(first.strategies != other.strategies)
    }

    @Test func theJSONSummaryHasTheDocumentedFields() async throws {
        let report = await Self.run(.diurnal)
        let data = try JSONEncoder().encode(report)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["scenario"] as? String == "diurnal" && object["seed"] as? Int == 42)
        let strategies = try #require(object["strategies"] as? [[String: Any]])
        for key in ["name", "brokerHours", "peakLag", "p99Lag", "minutesOverSlo", "scaleOuts", "scaleIns", "moves", "secondsToCapacity"] {
            #expect(strategies.allSatisfy { $0.keys.contains(key) }, "missing \(key)")
        }
    }
}
