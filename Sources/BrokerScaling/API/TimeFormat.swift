import Foundation

/// RFC 3339 times as Kubernetes writes them (`2026-11-27T17:00:00Z`), and JSON coders that use them.
public enum TimeFormat {
    static let utc = TimeZone(identifier: "UTC")!

    /// `2026-11-27T17:00:00Z`, `2026-11-27T12:00:00-05:00`, `2026-11-27T17:00:00.25Z`; without an
    /// offset the time is taken as UTC.
    public static func parse(_ text: String) -> Date? {
        ScalingSchedule.parseTime(text, in: utc)
    }

    /// `2026-11-27T17:00:00Z`, with fractions of a second only when there are some.
    public static func format(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = utc
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let whole = date.timeIntervalSince1970.rounded(.down)
        let fraction = date.timeIntervalSince1970 - whole
        var text = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
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
