/// A duration written as Kubernetes and Go write them: `90m`, `3h`, `1h30m`, `45s`.
public struct ScheduleDuration: Sendable, Hashable, CustomStringConvertible {
    public let seconds: Int
    public let text: String

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case malformed(String)
        public var description: String {
            switch self {
            case .malformed(let text):
                return "'\(text)' is not a duration; write hours, minutes and seconds such as 3h, 90m or 1h30m"
            }
        }
    }

    public init(_ text: String) throws(ParseError) {
        var total = 0
        var digits = ""
        var sawUnit = false
        for character in text {
            if character.isASCII, character.isNumber {
                digits.append(character)
                continue
            }
            let unit: Int
            switch character {
            case "h": unit = 3600
            case "m": unit = 60
            case "s": unit = 1
            default: throw .malformed(text)
            }
            guard let amount = Int(digits), amount <= 1_000_000 else { throw .malformed(text) }
            total += amount * unit
            digits = ""
            sawUnit = true
        }
        guard sawUnit, digits.isEmpty else { throw .malformed(text) }
        self.seconds = total
        self.text = text
    }

    public var description: String { text }
}
