import Foundation
import KubernetesTypes
import Testing
import Yams

@testable import BrokerScaling

struct QuantityTests {
    @Test(arguments: [
        ("120Mi", 125_829_120.0), ("2Gi", 2_147_483_648), ("1.5k", 1500), ("500m", 0.5), ("42", 42), ("0.05", 0.05),
        ("1e3", 1000), ("5M", 5_000_000), ("+3", 3), (".5", 0.5)
    ])
    func parses(_ text: String, _ value: Double) throws {
        #expect(try Quantity(text).value == value)
        #expect(try Quantity(text).text == text)
    }

    @Test(arguments: ["", "MB", "120MB", "1.2.3", "0x10", "inf", "nan", "12 Mi", "--1"])
    func rejects(_ text: String) {
        #expect(throws: Quantity.ParseError.self) { try Quantity(text) }
    }

    @Test func decodesNumbersAndStrings() throws {
        let decoded = try JSONDecoder().decode([Quantity].self, from: Data(#"[2000, "2000", 0.1, "120Mi"]"#.utf8))
        #expect(decoded.map(\.value) == [2000, 2000, 0.1, 125_829_120])
    }
}

struct ScheduleDurationTests {
    @Test(arguments: [("3h", 10_800), ("90m", 5400), ("1h30m", 5400), ("45s", 45), ("1h0m5s", 3605)])
    func parses(_ text: String, _ seconds: Int) throws {
        #expect(try ScheduleDuration(text).seconds == seconds)
    }

    @Test(arguments: ["", "3", "h", "3d", "-1h", "1.5h"])
    func rejects(_ text: String) {
        #expect(throws: ScheduleDuration.ParseError.self) { try ScheduleDuration(text) }
    }
}

struct CronExpressionTests {
    let utc = TimeZone(identifier: "UTC")!

    /// 2026-11-26 is a Thursday.
    func date(_ text: String) -> Date { TimeFormat.parse(text, in: utc)! }

    @Test func firesOnItsMinute() throws {
        let cron = try CronExpression("45 18 * * THU")
        #expect(cron.latestFire(atOrBefore: date("2026-11-26T19:00"), lookback: 3600, timeZone: utc) == date("2026-11-26T18:45"))
        #expect(cron.latestFire(atOrBefore: date("2026-11-26T18:44"), lookback: 3600, timeZone: utc) == nil)
        #expect(cron.latestFire(atOrBefore: date("2026-11-27T19:00"), lookback: 3600, timeZone: utc) == nil)
    }

    @Test func stepsRangesAndLists() throws {
        let cron = try CronExpression("*/15 8-10 1,15 NOV-DEC MON-FRI")
        #expect(cron.minutes == [0, 15, 30, 45])
        #expect(cron.hours == [8, 9, 10])
        #expect(cron.months == [11, 12])
        #expect(cron.daysOfWeek == [1, 2, 3, 4, 5])
        // Both day fields restricted: either matches. 2026-11-15 is a Sunday, 2026-11-16 a Monday.
        #expect(cron.latestFire(atOrBefore: date("2026-11-15T08:20"), lookback: 600, timeZone: utc) == date("2026-11-15T08:15"))
        #expect(cron.latestFire(atOrBefore: date("2026-11-16T08:20"), lookback: 600, timeZone: utc) == date("2026-11-16T08:15"))
    }

    @Test func sundayIsZeroOrSeven() throws {
        #expect(try CronExpression("0 0 * * 7").daysOfWeek == [0])
    }

    @Test func evaluatesInItsTimeZone() throws {
        let newYork = TimeZone(identifier: "America/New_York")!
        let cron = try CronExpression("0 6 * * *")
        // 06:00 in New York on 2026-11-27 is 11:00 UTC.
        #expect(cron.latestFire(atOrBefore: date("2026-11-27T11:30"), lookback: 3600, timeZone: newYork) == date("2026-11-27T11:00"))
    }

    @Test(arguments: ["* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 8", "5-1 * * * *", "*/0 * * * *", "a b c d e"])
    func rejects(_ text: String) {
        #expect(throws: CronExpression.ParseError.self) { try CronExpression(text) }
    }
}

struct ScheduleWindowTests {
    let utc = TimeZone(identifier: "UTC")!

    @Test func repeatingWindowIsOpenForItsDuration() throws {
        let window = try ScalingSchedule(name: "sale", minReplicas: 8, cron: "45 18 * * THU", duration: "2h").window()
        let fire = TimeFormat.parse("2026-11-26T18:45", in: utc)!
        #expect(!window.isOpen(at: fire.addingTimeInterval(-1)))
        #expect(window.isOpen(at: fire))
        #expect(window.isOpen(at: fire.addingTimeInterval(7199)))
        #expect(!window.isOpen(at: fire.addingTimeInterval(7200)))
    }

    @Test func windowSpanningMidnight() throws {
        let window = try ScalingSchedule(name: "late", minReplicas: 8, cron: "0 23 * * *", duration: "3h").window()
        #expect(window.isOpen(at: TimeFormat.parse("2026-11-27T01:30", in: utc)!))
        #expect(!window.isOpen(at: TimeFormat.parse("2026-11-27T02:00", in: utc)!))
    }

    @Test func oneOffWindowWithOffsets() throws {
        let window = try ScalingSchedule(name: "bf", minReplicas: 16, start: "2026-11-27T05:00:00-05:00", end: "2026-11-28T02:00:00Z").window()
        #expect(window.isOpen(at: TimeFormat.parse("2026-11-27T10:00:00Z", in: utc)!))
        #expect(!window.isOpen(at: TimeFormat.parse("2026-11-27T09:59:59Z", in: utc)!))
    }

    @Test(arguments: ["2026-02-30T00:00", "2026-11-27", "2026-11-27T25:00", "27.11.2026 05:00", "2026-11-27T05:00+5"])
    func rejectsBadTimes(_ text: String) {
        #expect(TimeFormat.parse(text, in: utc) == nil)
    }
}

struct BrokenPatternTests {
    @Test func aPatternThatDoesNotCompileIsAProblemNotAMatch() throws {
        var validator = StructuralValidator()
        let node = try #require(try Yams.compose(yaml: "'anything'"))
        validator.check(node, against: .string("a field", pattern: "([unclosed"), at: .root)
        #expect(validator.problems.count == 1)
        #expect(validator.problems.first?.message.contains("does not compile") == true, "\(validator.problems)")
    }
}
