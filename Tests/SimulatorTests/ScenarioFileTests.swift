import EbbTestSupport
import Simulator
import Testing

struct ScenarioFileTests {
    @Test func theExampleLoadsAndRuns() async throws {
        let file = try ScenarioFile.load(RealParts.root.appendingPathComponent("Docs/examples/scenarios/cyber-monday.yaml").path)
        #expect(file.name == "cyber-monday" && file.baselineMiBPerSecond == 250)
        #expect(file.profile.multiplier(at: 12 * 3600) == 5)
        #expect(file.profile.peakMultiplier == 5)
    }

    @Test func pointsCanNameSeconds() throws {
        let file = try ScenarioFile.parse("points:\n  - {at: \"00:00\", multiplier: 1}\n  - {at: \"00:00:30\", multiplier: 4}\n", source: "short.yaml")
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
