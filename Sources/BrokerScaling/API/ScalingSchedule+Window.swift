import Foundation

/// A schedule's window, parsed: a cron expression that opens it for a duration, or fixed times.
public enum ScheduleWindow: Sendable, Hashable {
    case repeating(cron: CronExpression, duration: ScheduleDuration, timeZone: TimeZone)
    case oneOff(start: Date, end: Date)

    /// Whether the window is open at `date`.
    public func isOpen(at date: Date) -> Bool {
        switch self {
        case .repeating(let cron, let duration, let timeZone):
            // Open when the expression fired within the last `duration` (the end is exclusive).
            guard duration.seconds > 0,
                  let fire = cron.latestFire(atOrBefore: date, lookback: duration.seconds, timeZone: timeZone)
            else { return false }
            return date.timeIntervalSince(fire) < Double(duration.seconds)
        case .oneOff(let start, let end):
            return date >= start && date < end
        }
    }
}

/// Why a schedule cannot be used: the field and what is wrong with it.
public struct ScheduleError: Error, Sendable, Hashable {
    public let field: String
    public let message: String
}

extension ScalingSchedule {
    /// The longest repeating window Ebb accepts: a week.
    public static let maxDurationSeconds = 7 * 24 * 3600

    /// The window this schedule describes, or the first problem with it.
    public func window() throws(ScheduleError) -> ScheduleWindow {
        guard let timeZone = TimeZone(identifier: effectiveTimeZone) else {
            throw ScheduleError(field: "timeZone", message: "unknown time zone '\(effectiveTimeZone)'; use an IANA name such as UTC, Europe/Berlin or America/New_York")
        }
        if let cronText = cron, let durationText = duration {
            let expression: CronExpression
            do { expression = try CronExpression(cronText) } catch {
                throw ScheduleError(field: "cron", message: error.message)
            }
            let length: ScheduleDuration
            do { length = try ScheduleDuration(durationText) } catch {
                throw ScheduleError(field: "duration", message: error.description)
            }
            guard length.seconds > 0, length.seconds <= Self.maxDurationSeconds else {
                throw ScheduleError(field: "duration", message: "must be more than 0s and at most 168h (a week), got \(durationText)")
            }
            return .repeating(cron: expression, duration: length, timeZone: timeZone)
        }
        if let startText = start, let endText = end {
            guard let startDate = Self.parseTime(startText, in: timeZone) else {
                throw ScheduleError(field: "start", message: "'\(startText)' is not a time; write 2026-11-27T06:00 (local to timeZone) or 2026-11-27T06:00:00Z")
            }
            guard let endDate = Self.parseTime(endText, in: timeZone) else {
                throw ScheduleError(field: "end", message: "'\(endText)' is not a time; write 2026-11-27T23:00 (local to timeZone) or 2026-11-27T23:00:00Z")
            }
            guard endDate > startDate else {
                throw ScheduleError(field: "end", message: "must be after start (\(startText)); the window would never open")
            }
            return .oneOff(start: startDate, end: endDate)
        }
        throw ScheduleError(field: "", message: PoolRule.scheduleWindowForm.message)
    }

    /// `YYYY-MM-DDTHH:MM[:SS]` in `timeZone`, or with `Z` / `±HH:MM` as RFC 3339 says.
    static func parseTime(_ text: String, in timeZone: TimeZone) -> Date? {
        let characters = Array(text)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= characters.count else { return nil }
            let slice = characters[range]
            guard slice.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return Int(String(slice))
        }
        guard characters.count >= 16, characters[4] == "-", characters[7] == "-",
              characters[10] == "T" || characters[10] == " ", characters[13] == ":",
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16)
        else { return nil }
        var index = 16
        var second = 0
        if index < characters.count, characters[index] == ":" {
            guard let parsed = number(17..<19) else { return nil }
            second = parsed
            index = 19
            if index < characters.count, characters[index] == "." {
                index += 1
                while index < characters.count, characters[index].isNumber { index += 1 }
            }
        }
        var zone = timeZone
        if index < characters.count {
            let rest = String(characters[index...])
            if rest == "Z" || rest == "z" {
                zone = TimeZone(identifier: "UTC")!
            } else if rest.count == 6, rest.first == "+" || rest.first == "-",
                      let hours = Int(rest.dropFirst().prefix(2)), let minutes = Int(rest.suffix(2)),
                      Array(rest)[3] == ":" {
                let offset = (hours * 3600 + minutes * 60) * (rest.first == "-" ? -1 : 1)
                guard let fixed = TimeZone(secondsFromGMT: offset) else { return nil }
                zone = fixed
            } else {
                return nil
            }
        }
        guard (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute),
              (0...60).contains(second) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let date = calendar.date(from: components) else { return nil }
        // Reject dates the calendar normalised (February 30th).
        let back = calendar.dateComponents([.year, .month, .day], from: date)
        guard back.year == year, back.month == month, back.day == day else { return nil }
        return date
    }
}
