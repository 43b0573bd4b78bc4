import Simulator
import Testing

struct TrafficProfileTests {
    @Test func blackFridayHasItsShape() {
        let profile = BuiltInScenario.blackFriday.profile
        #expect(profile.multiplier(at: 0) == 1)
        #expect(profile.multiplier(at: 8 * 3600) == 1)
        #expect(profile.multiplier(at: 8 * 3600 + 900) == 4.5)  // half-way up the 30-minute ramp
        #expect(profile.multiplier(at: 10 * 3600) == 8)
        #expect(profile.multiplier(at: 11.5 * 3600) == 8)
        #expect(profile.multiplier(at: 20 * 3600) == 1)
        #expect(profile.peakMultiplier == 8)
    }

    @Test func flashSaleIsTenTimesWithinTwoMinutes() {
        let profile = BuiltInScenario.flashSale.profile
        #expect(profile.multiplier(at: 12 * 3600) == 1)
        #expect(abs(profile.multiplier(at: 12 * 3600 + 120) - 10) < 1e-9)
        #expect(abs(profile.multiplier(at: 12 * 3600 + 20 * 60) - 10) < 1e-9)
    }

    @Test(arguments: BuiltInScenario.allCases)
    func everyScenarioCoversWholeDaysAndStaysPositive(_ scenario: BuiltInScenario) {
        let profile = scenario.profile
        let days = scenario == .week || scenario == .dailyFlash ? 7 : 1
        #expect(profile.points.last?.seconds == days * BuiltInScenario.daySeconds)
        for minute in stride(from: 0, through: days * BuiltInScenario.daySeconds, by: 60) {
            #expect(profile.multiplier(at: Double(minute)) > 0)
        }
    }
}

/// daily-flash repeats an evening flash sale whose height varies by day: what predictive
/// scaling learns from, and what a schedule nobody wrote would have covered.
struct DailyFlashScenarioTests {
    @Test func eachDayHasItsFlashSaleAtEightAndTheHeightsDiffer() {
        let profile = BuiltInScenario.dailyFlash.profile
        var heights: [Double] = []
        for day in 0..<7 {
            let base = Double(day * BuiltInScenario.daySeconds)
            #expect(abs(profile.multiplier(at: base + 19.5 * 3600) - 1) < 1e-9, "day \(day + 1) before the sale")
            heights.append(profile.multiplier(at: base + 20.5 * 3600))
        }
        #expect(heights.allSatisfy { (4...6).contains($0) }, "\(heights)")
        #expect(Set(heights).count > 3, "the heights vary from day to day: \(heights)")
    }
}
