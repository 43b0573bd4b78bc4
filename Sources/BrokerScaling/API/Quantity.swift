/// A Kubernetes resource quantity such as `120Mi`, `1.5k`, `500m` or `42`.
///
/// BrokerPool targets use quantities so that they read like an HPA's (`averageValue: 120Mi`).
/// The original text is kept so that a value round-trips exactly; comparisons use `value`.
public struct Quantity: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The text as written (`"120Mi"`).
    public let text: String
    /// The numeric value (`125829120`).
    public let value: Double

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case empty
        case malformed(String)

        public var description: String {
            switch self {
            case .empty: return "empty quantity"
            case .malformed(let text):
                return "'\(text)' is not a quantity; write a number with an optional suffix such as 120Mi, 2Gi, 500k or 0.1"
            }
        }
    }

    private static let binarySuffixes: [(String, Double)] = [
        ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776),
        ("Pi", 1_125_899_906_842_624), ("Ei", 1_152_921_504_606_846_976)
    ]
    private static let decimalSuffixes: [(String, Double)] = [
        ("n", 1e-9), ("u", 1e-6), ("m", 1e-3), ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12),
        ("P", 1e15), ("E", 1e18)
    ]

    public init(_ text: String) throws(ParseError) {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw .empty }
        var number = Substring(trimmed)
        var multiplier = 1.0
        if let (suffix, factor) = Self.binarySuffixes.first(where: { trimmed.hasSuffix($0.0) }) {
            number = number.dropLast(suffix.count)
            multiplier = factor
        } else if let (suffix, factor) = Self.decimalSuffixes.first(where: { trimmed.hasSuffix($0.0) }) {
            number = number.dropLast(suffix.count)
            multiplier = factor
        } else if let eIndex = trimmed.firstIndex(where: { $0 == "e" || $0 == "E" }), eIndex != trimmed.startIndex {
            // Scientific notation: 1e3, 1.5E-2.
            let exponentText = trimmed[trimmed.index(after: eIndex)...]
            guard let exponent = Int(exponentText) else { throw .malformed(text) }
            number = trimmed[..<eIndex]
            multiplier = pow10(exponent)
        }
        guard Self.isPlainDecimal(number), let parsed = Double(number) else { throw .malformed(text) }
        self.text = trimmed
        self.value = parsed * multiplier
    }

    /// A quantity from a plain number, written without a suffix.
    public init(number: Double) {
        self.value = number
        if number.rounded() == number, abs(number) < 1e15 {
            self.text = String(Int64(number))
        } else {
            self.text = String(number)
        }
    }

    public var description: String { text }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let int = try? container.decode(Int64.self) {
            self.init(number: Double(int))
        } else if let double = try? container.decode(Double.self) {
            self.init(number: double)
        } else {
            let text = try container.decode(String.self)
            do {
                try self.init(text)
            } catch {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }

    public static func == (lhs: Quantity, rhs: Quantity) -> Bool { lhs.value == rhs.value }
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }

    /// Digits with at most one decimal point and an optional sign; no hex, no inf, no nan.
    private static func isPlainDecimal(_ text: Substring) -> Bool {
        var body = text
        if body.first == "+" || body.first == "-" { body = body.dropFirst() }
        guard !body.isEmpty else { return false }
        var sawDot = false
        var sawDigit = false
        for character in body {
            if character == "." {
                if sawDot { return false }
                sawDot = true
            } else if character.isASCII, character.isNumber {
                sawDigit = true
            } else {
                return false
            }
        }
        return sawDigit
    }
}

private func pow10(_ exponent: Int) -> Double {
    // Beyond ±1000 the result is inf or 0 anyway (and so is any mantissa times it); the clamp
    // keeps 1e9223372036854775807 from looping for ages and 1e-9223372036854775808 from
    // trapping on the negation.
    let exponent = min(max(exponent, -1000), 1000)
    var result = 1.0
    if exponent >= 0 {
        for _ in 0..<exponent { result *= 10 }
    } else {
        for _ in 0..<(-exponent) { result /= 10 }
    }
    return result
}

extension String {
    func trimmingWhitespace() -> String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view = view.dropFirst() }
        while let last = view.last, last.isWhitespace { view = view.dropLast() }
        return String(view)
    }
}
