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
        let days = scenario == .week ? 7 : 1
        #expect(profile.points.last?.seconds == days * BuiltInScenario.daySeconds)
        for minute in stride(from: 0, through: days * BuiltInScenario.daySeconds, by: 60) {
            #expect(profile.multiplier(at: Double(minute)) > 0)
        }
    }
}
