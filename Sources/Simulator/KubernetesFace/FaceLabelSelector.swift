/// A label selector as the `labelSelector` query parameter writes it: `a=b`, `a==b`, `a!=b`,
/// `a`, `!a`, `a in (x,y)`, `a notin (x,y)`, joined by commas.
struct FaceLabelSelector: Sendable, Hashable {
    enum Requirement: Sendable, Hashable {
        case equals(String, String)
        case notEquals(String, String)
        case exists(String)
        case absent(String)
        case within(String, Set<String>)
        case without(String, Set<String>)
    }

    var requirements: [Requirement] = []

    struct Invalid: Error {
        let detail: String
    }

    /// Everything.
    init() {}

    init(_ text: String?) throws {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return }
        // Split on commas outside parentheses.
        var parts: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if character == ",", depth == 0 {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        for raw in parts {
            let part = raw.trimmingCharacters(in: .whitespaces)
            if let range = part.range(of: " notin ") ?? part.range(of: " in ") {
                let key = part[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
                let list = part[range.upperBound...].trimmingCharacters(in: .whitespaces)
                guard list.hasPrefix("("), list.hasSuffix(")") else { throw Invalid(detail: "'\(part)': a set needs parentheses") }
                let values = Set(list.dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                requirements.append(part.contains(" notin ") ? .without(key, values) : .within(key, values))
            } else if let range = part.range(of: "!=") {
                requirements.append(.notEquals(String(part[..<range.lowerBound]), String(part[range.upperBound...])))
            } else if let range = part.range(of: "==") ?? part.range(of: "=") {
                requirements.append(.equals(String(part[..<range.lowerBound]), String(part[range.upperBound...])))
            } else if part.hasPrefix("!") {
                requirements.append(.absent(String(part.dropFirst())))
            } else if !part.isEmpty, part.allSatisfy({ $0.isLetter || $0.isNumber || "-_./".contains($0) }) {
                requirements.append(.exists(part))
            } else {
                throw Invalid(detail: "'\(part)' is not a label requirement")
            }
        }
    }

    func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case let .equals(key, value): return labels[key] == value
            case let .notEquals(key, value): return labels[key] != value
            case let .exists(key): return labels[key] != nil
            case let .absent(key): return labels[key] == nil
            case let .within(key, values): return labels[key].map(values.contains) ?? false
            case let .without(key, values): return !(labels[key].map(values.contains) ?? false)
            }
        }
    }
}
