import NIOConcurrencyHelpers

/// What the face answered, request by request (the last `limit`), so that a test can check what
/// a client did on the wire: how often it patched a scale, which Events it posted, which of its
/// writes were refused and why.
public final class FaceRequestLog: Sendable {
    public struct Entry: Sendable, Hashable {
        public var method: String
        public var path: String
        public var status: Int
        public var user: String
        public var userAgent: String
        /// The answer was an injected fault, not the world's.
        public var injected: Bool
        /// What the request asked for, where a test looks at it: `replicas=N` for a scale write,
        /// `REASON: NOTE` for an Event.
        public var detail: String?
    }

    let limit: Int
    private let entries = NIOLockedValueBox<[Entry]>([])

    init(limit: Int = 100_000) { self.limit = limit }

    func record(_ entry: Entry) {
        entries.withLockedValue { entries in
            entries.append(entry)
            if entries.count > limit { entries.removeFirst(entries.count - limit) }
        }
    }

    public var all: [Entry] { entries.withLockedValue { $0 } }

    /// The requests of one user, in order.
    public func of(user: String) -> [Entry] { all.filter { $0.user == user } }

    /// What a request body says that the log keeps.
    static func detail(method: String, path: String, body: [UInt8]) -> String? {
        // Only scale writes and Events are kept: other bodies are not parsed (every write passes here).
        guard ["PUT", "PATCH", "POST"].contains(method), path.hasSuffix("/scale") || path.hasSuffix("/events") else { return nil }
        let json: JSON
        do { json = try JSON.parse(body) } catch { return nil }  // not JSON (YAML apply): nothing to note
        if path.hasSuffix("/scale"), let replicas = json.value(at: "spec.replicas")?.int { return "replicas=\(replicas)" }
        if path.contains("/events"), let reason = json["reason"]?.string { return "\(reason): \(json["note"]?.string ?? "")" }
        return nil
    }
}

/// What a client did wrong on the wire, read from the log: the checks of issue 16.
public struct FaceRequestAudit: Sendable, Codable, Equatable {
    /// Scale writes that asked for the count the previous one already set.
    public var repeatedScaleWrites: [String] = []
    /// Events posted twice in a row with the same reason and note.
    public var repeatedEvents: [String] = []
    /// Status writes refused with 409 by the world (not by an injected fault): a stale read.
    public var staleStatusConflicts: [String] = []
    /// Writes the user's RBAC refused.
    public var forbidden: [String] = []
    public var requests = 0

    public init(_ entries: [FaceRequestLog.Entry]) {
        requests = entries.count
        var lastScale: [String: (String, Int)] = [:]
        var lastEvent: [String: String] = [:]
        for (index, entry) in entries.enumerated() {
            let path = entry.path.split(separator: "?").first.map(String.init) ?? entry.path
            if entry.status == 403 { forbidden.append("\(entry.method) \(path)") }
            guard entry.status < 300 || entry.status == 409 else { continue }
            if path.hasSuffix("/scale"), entry.method != "GET", let detail = entry.detail, entry.status < 300 {
                if let (previous, at) = lastScale[path], previous == detail {
                    // What the client did between the two, to tell a stale read from a retry.
                    let between = entries[(at + 1)..<index].suffix(12).map {
                        "\($0.method) \($0.path.split(separator: "?").first ?? "") \($0.status)\($0.injected ? " (injected)" : "")"
                    }
                    repeatedScaleWrites.append(
                        "\(entry.method) \(path) \(detail) (request \(index), the same at \(at); between: \(between.joined(separator: "; ")))")
                }
                lastScale[path] = (detail, index)
            }
            if path.hasSuffix("/events"), entry.method == "POST", let detail = entry.detail, entry.status < 300 {
                let pool = detail
                if lastEvent[path] == pool { repeatedEvents.append(detail) }
                lastEvent[path] = pool
            }
            if path.hasSuffix("/status"), entry.status == 409, !entry.injected {
                let before = entries[max(0, index - 6)..<index].map {
                    "\($0.method) \($0.path.split(separator: "?").first ?? "") \($0.status)\($0.injected ? " (injected)" : "")"
                }
                staleStatusConflicts.append("\(entry.method) \(path) (request \(index); before: \(before.joined(separator: "; ")))")
            }
        }
    }
}
