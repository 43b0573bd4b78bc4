import Foundation

/// A standard five-field cron expression: minute, hour, day of month, month, day of week.
///
/// Fields take `*`, numbers, ranges (`1-5`), lists (`1,15`), steps (`*/15`, `0-30/10`) and, for
/// months and days of the week, names (`NOV`, `FRI`). Day of week 0 and 7 are Sunday. When both
/// day fields are restricted, a day matches if either matches (as in Vixie cron).
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    private static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    private static let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    public init(_ text: String) throws(ParseError) {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw ParseError(
                message:
                    "'\(text)' has \(fields.count) fields; a cron expression has 5: minute hour day-of-month month day-of-week, for example '0 6 27 11 *'"
            )
        }
        self.text = text
        minutes = try Self.parseField(fields[0], name: "minute", range: 0...59, names: [])
        hours = try Self.parseField(fields[1], name: "hour", range: 0...23, names: [])
        daysOfMonth = try Self.parseField(fields[2], name: "day-of-month", range: 1...31, names: [])
        months = try Self.parseField(fields[3], name: "month", range: 1...12, names: Self.monthNames, nameBase: 1)
        var weekdays = try Self.parseField(fields[4], name: "day-of-week", range: 0...7, names: Self.dayNames)
        if weekdays.contains(7) {
            weekdays.remove(7)
            weekdays.insert(0)
        }
        daysOfWeek = weekdays
        dayOfMonthRestricted = fields[2] != "*" && fields[2] != "?"
        dayOfWeekRestricted = fields[4] != "*" && fields[4] != "?"
    }

    public var description: String { text }

    private static func parseField(
        _ field: String, name: String, range: ClosedRange<Int>, names: [String], nameBase: Int = 0
    ) throws(ParseError) -> Set<Int> {
        var result = Set<Int>()
        for part in field.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2, !pieces[0].isEmpty else {
                throw ParseError(message: "\(name) field '\(field)' is malformed")
            }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0 else {
                    throw ParseError(message: "\(name) field '\(field)': step must be a positive number")
                }
                step = parsed
            }
            let lower: Int
            let upper: Int
            if pieces[0] == "*" || pieces[0] == "?" {
                lower = range.lowerBound
                upper = range.upperBound
            } else {
                let bounds = pieces[0].split(separator: "-", omittingEmptySubsequences: false)
                guard bounds.count <= 2 else { throw ParseError(message: "\(name) field '\(field)' is malformed") }
                lower = try value(bounds[0], name: name, range: range, names: names, nameBase: nameBase)
                upper =
                    bounds.count == 2
                    ? try value(bounds[1], name: name, range: range, names: names, nameBase: nameBase)
                    : (pieces.count == 2 ? range.upperBound : lower)
                guard lower <= upper else {
                    throw ParseError(message: "\(name) field '\(field)': range \(lower)-\(upper) runs backwards")
                }
            }
            result.formUnion(stride(from: lower, through: upper, by: step))
        }
        return result
    }

    private static func value(
        _ text: Substring, name: String, range: ClosedRange<Int>, names: [String], nameBase: Int
    ) throws(ParseError) -> Int {
        if let number = Int(text) {
            guard range.contains(number) else {
                throw ParseError(message: "\(name) value \(number) is out of range \(range.lowerBound)-\(range.upperBound)")
            }
            return number
        }
        if let index = names.firstIndex(of: text.uppercased()) { return index + nameBase }
        throw ParseError(message: "\(name) value '\(text)' is not a number\(names.isEmpty ? "" : " or a name such as \(names[0])")")
    }

    /// The latest firing time at or before `date` and no earlier than `date - lookback` seconds,
    /// evaluated in `timeZone`; nil when it did not fire in that span.
    public func latestFire(atOrBefore date: Date, lookback: Int, timeZone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let earliest = date.addingTimeInterval(-Double(lookback))
        let sortedHours = hours.sorted(by: >)
        let sortedMinutes = minutes.sorted(by: >)
        // Walk local days backwards from the day of `date` to the day of `earliest`.
        var dayStart = calendar.startOfDay(for: date)
        let lastDay = calendar.startOfDay(for: earliest)
        while dayStart >= lastDay {
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: dayStart)
            if let day = parts.day, let month = parts.month, let weekday = parts.weekday,
                matchesDay(day: day, month: month, weekday: weekday - 1)
            {
                for hour in sortedHours {
                    for minute in sortedMinutes {
                        var local = parts
                        local.hour = hour
                        local.minute = minute
                        local.second = 0
                        guard let fire = calendar.date(from: local) else { continue }
                        if fire <= date, fire >= earliest { return fire }
                    }
                }
            }
            guard let previous = calendar.date(byAdding: .day, value: -1, to: dayStart) else { break }
            dayStart = calendar.startOfDay(for: previous)
        }
        return nil
    }

    private func matchesDay(day: Int, month: Int, weekday: Int) -> Bool {
        guard months.contains(month) else { return false }
        switch (dayOfMonthRestricted, dayOfWeekRestricted) {
        case (true, true): return daysOfMonth.contains(day) || daysOfWeek.contains(weekday)
        case (true, false): return daysOfMonth.contains(day)
        case (false, true): return daysOfWeek.contains(weekday)
        case (false, false): return true
        }
    }
}
