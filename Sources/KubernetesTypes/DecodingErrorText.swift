/// A Swift `DecodingError` as people read it: the field path and what was wrong
/// (`points[0].multiplier: expected a number`), never Swift's dump.
public enum DecodingErrorText {
    public static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
        }
        func kind(_ type: Any.Type) -> String {
            [Double.self, Float.self, Int.self, Int32.self, Int64.self].contains { $0 == type } ? "a number" : "\(type)"
        }
        switch error {
        case let .keyNotFound(key, context): return "\(path(context.codingPath + [key])): missing"
        case let .typeMismatch(type, context): return "\(path(context.codingPath)): expected \(kind(type))"
        case let .valueNotFound(type, context): return "\(path(context.codingPath)): expected \(kind(type)), got null"
        case let .dataCorrupted(context): return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
