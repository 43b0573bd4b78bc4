import Foundation
@testable import Simulator
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
        // Ebb: at most 0.45× the broker-hours, never over the SLO that static provisioning
        // meets, partitions moved, and one scale-in per scale-down stabilization window.
        #expect(ebb.brokerHours <= fixed.brokerHours * 0.45, "\(ebb.brokerHours) vs \(fixed.brokerHours)")
        #expect(ebb.minutesOverSlo == 0, "\(ebb.minutesOverSlo) minutes over the SLO")
        #expect(ebb.minutesOverSlo < hpa.minutesOverSlo)
        #expect(ebb.moves > 0 && ebb.scaleOuts > 0 && ebb.scaleIns > 1)
        #expect(ebb.scaleInTimes.count == ebb.scaleIns)
        #expect(try #require(ebb.minSecondsBetweenScaleIns) >= 300, "scale-ins at \(ebb.scaleInTimes)")
        for strategy in report.strategies {
            #expect(strategy.violations.isEmpty, "\(strategy.name): \(strategy.violations.prefix(3))")
        }
        #expect(try #require(ebb.secondsToCapacity) < 1_800, "capacity within the 30-minute ramp")
        #expect(hpa.secondsToCapacity == nil)
    }

    @Test func theSameSeedGivesTheSameRunAndAnotherSeedAnother() async {
        let first = await Self.run(.flashSale, seed: 7)
        let again = await Self.run(.flashSale, seed: 7)
        let other = await Self.run(.flashSale, seed: 8)
        #expect(first.strategies == again.strategies)
        #expect(first.strategies != other.strategies)
        for strategy in first.strategies + other.strategies {
            #expect(strategy.violations.isEmpty, "\(strategy.name): \(strategy.violations.prefix(3))")
        }
    }

    /// Load flapping around the target (a swing of ±13 % every 3 minutes for 8 hours) makes
    /// Ebb scale in at most once per scale-down stabilization window, and never over the SLO.
    @Test func flappingLoadScalesInAtMostOncePerWindow() async throws {
        var points = [TrafficProfile.Point(0, 2.3), TrafficProfile.Point(3_600, 2.3)]
        var high = true
        while let last = points.last, last.seconds < 9 * 3_600 {
            points.append(TrafficProfile.Point(last.seconds + 180, high ? 2.6 : 2.0))
            high.toggle()
        }
        points.append(TrafficProfile.Point(10 * 3_600, 1))
        let report = await Campaign.run(scenario: "flapping", profile: TrafficProfile(points: points), seed: 3)
        let ebb = report.strategies[2]
        #expect(ebb.scaleIns >= 2, "the final decay scales in")
        #expect(try #require(ebb.minSecondsBetweenScaleIns) >= 300, "scale-ins at \(ebb.scaleInTimes)")
        #expect(ebb.minutesOverSlo == 0)
        #expect(ebb.violations.isEmpty, "\(ebb.violations.prefix(3))")
    }

    /// The invariant check is not vacuous: a world that loses bytes, holds a partition on a
    /// broker that is gone, or has a negative backlog is caught.
    @Test func theInvariantCheckCatchesABrokenWorld() {
        var cluster = CampaignCluster(settings: CampaignSettings(), brokers: 3, seed: 1)
        cluster.step(now: 0, dt: 5, demandMiBPerSecond: 1_000)
        #expect(cluster.invariantViolations(now: 0).isEmpty)
        #expect(cluster.lagMessages > 0, "1,000 MiB/s on 3 brokers of 150 builds a backlog")

        var lost = cluster
        lost.partitions[0].backlog /= 2
        #expect(lost.invariantViolations(now: 0).contains { $0.hasPrefix("bytes not conserved") })

        var orphan = cluster
        orphan.brokers[orphan.partitions[0].replicas[0]] = nil
        #expect(orphan.invariantViolations(now: 0).contains { $0.contains("replica on missing broker") })

        var negative = cluster
        negative.partitions[1].backlog = -5
        #expect(negative.invariantViolations(now: 0).contains { $0.contains("negative backlog") })

        // Removing a broker the way a StatefulSet does keeps the world whole.
        var shrunk = cluster
        shrunk.resize(to: 2, now: 5)
        shrunk.step(now: 5, dt: 5, demandMiBPerSecond: 100)
        #expect(shrunk.invariantViolations(now: 5).isEmpty, "\(shrunk.invariantViolations(now: 5))")
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
