import Foundation

/// RFC 3339 times as Kubernetes writes them (`2026-11-27T17:00:00Z`), and JSON coders that use them.
public enum TimeFormat {
    static let utc = TimeZone(identifier: "UTC")!

    /// `2026-11-27T17:00:00Z`, `2026-11-27T12:00:00-05:00`, `2026-11-27T17:00:00.25Z`; without an
    /// offset the time is taken as UTC.
    public static func parse(_ text: String) -> Date? {
        parse(text, in: utc)
    }

    /// `YYYY-MM-DDTHH:MM[:SS]` in `timeZone`, or with `Z` / `±HH:MM` as RFC 3339 says.
    public static func parse(_ text: String, in timeZone: TimeZone) -> Date? {
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
                Array(rest)[3] == ":"
            {
                let offset = (hours * 3600 + minutes * 60) * (rest.first == "-" ? -1 : 1)
                guard let fixed = TimeZone(secondsFromGMT: offset) else { return nil }
                zone = fixed
            } else {
                return nil
            }
        }
        guard (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute),
            (0...60).contains(second)
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let date = calendar.date(from: components) else { return nil }
        // Reject dates the calendar normalised (February 30th).
        let back = calendar.dateComponents([.year, .month, .day], from: date)
        guard back.year == year, back.month == month, back.day == day else { return nil }
        return date
    }

    /// `2026-11-27T17:00:00Z`, with fractions of a second only when there are some.
    public static func format(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = utc
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let whole = date.timeIntervalSince1970.rounded(.down)
        let fraction = date.timeIntervalSince1970 - whole
        var text = String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0,
            parts.second ?? 0)
        if fraction > 0.0005 {
            text += String(format: "%.3f", fraction).dropFirst()
        }
        return text + "Z"
    }

    /// MicroTime, as Leases and Events write it: `2026-11-24T11:45:01.123456Z`.
    public static func microTime(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        let whole = format(Date(timeIntervalSince1970: seconds)).dropLast()
        let micros = min(999_999, Int((date.timeIntervalSince1970 - seconds) * 1_000_000))
        return "\(whole).\(String(format: "%06d", micros))Z"
    }

    public static func jsonDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a time; write 2026-11-27T17:00:00Z")
            }
            return date
        }
        return decoder
    }

    public static func jsonEncoder(pretty: Bool = true) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(format(date))
        }
        return encoder
    }
}
