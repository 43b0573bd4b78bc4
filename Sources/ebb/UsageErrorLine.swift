/// A usage error as one line: ArgumentParser's message, without the usage dump after it, with
/// the help command named at its end; a "Did you mean" suggestion only when the suggested option
/// is a near miss of the one typed (ArgumentParser suggests `--log` for `--bogus`).
enum UsageErrorLine {
    static func make(_ fullMessage: String) -> String {
        let lines = fullMessage.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        var first = lines.first ?? "Error: ebb was called wrongly"
        if let suggestion = first.range(of: " Did you mean '"), let typed = quoted(in: first[..<suggestion.lowerBound]),
            let suggested = first[suggestion.upperBound...].split(separator: "'").first, !nearMiss(typed, String(suggested))
        {
            first = String(first[..<suggestion.lowerBound])
        }
        if let help = lines.last(where: { $0.hasPrefix("See '") }).flatMap({ $0.split(separator: "'").dropFirst().first }) {
            return "\(first) (\(help) lists the options)"
        }
        return first
    }

    /// The first text between single quotes.
    static func quoted(in text: Substring) -> String? {
        let parts = text.split(separator: "'", omittingEmptySubsequences: false)
        return parts.count >= 3 ? String(parts[1]) : nil
    }

    /// Two option names at most a third of the longer one's letters apart (edits, at least one).
    static func nearMiss(_ typed: String, _ suggested: String) -> Bool {
        let a = Array(typed.drop { $0 == "-" })
        let b = Array(suggested.drop { $0 == "-" })
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        let distance = a.isEmpty ? b.count : previous[b.count]
        return distance <= max(1, max(a.count, b.count) / 3)
    }
}
