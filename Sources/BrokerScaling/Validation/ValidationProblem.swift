/// One thing wrong with a BrokerPool: where (a field path such as
/// `spec.behavior.scaleDown.policies[0].value`, and the line when it came from a file) and what,
/// with the fix.
public struct ValidationProblem: Sendable, Hashable, Codable, CustomStringConvertible {
    public var path: String
    public var line: Int?
    public var message: String

    public init(path: String, line: Int? = nil, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String {
        path.isEmpty ? message : "\(path): \(message)"
    }
}

/// A field path under construction: `spec`, `spec.metrics[0]`, `spec.metrics[0].target`.
struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    private(set) var text: String

    static let root = FieldPath(text: "")

    func appending(_ field: String) -> FieldPath {
        FieldPath(text: text.isEmpty ? field : "\(text).\(field)")
    }

    func index(_ position: Int) -> FieldPath {
        FieldPath(text: "\(text)[\(position)]")
    }

    var description: String { text }
}

/// Edit distance, to suggest the field a typo meant.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.lowercased())
    let b = Array(b.lowercased())
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = Array(repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

/// The closest candidate within a small distance, if any.
func closest(to word: String, in candidates: [String]) -> String? {
    let lowered = word.lowercased()
    if let prefixed = candidates.first(where: { lowered.hasPrefix($0.lowercased()) || $0.lowercased().hasPrefix(lowered) }) {
        return prefixed
    }
    let scored = candidates.map { ($0, editDistance(word, $0)) }.filter { $0.1 <= max(2, word.count / 3) }
    return scored.min(by: { $0.1 < $1.1 })?.0
}
