/// A time limit around work that has none of its own.
public enum Deadline {
    /// `work`'s result, or nil when `limit` passed first (the work is then cancelled).
    public static func run<T: Sendable, E: Error>(
        within limit: Duration, _ work: @escaping @Sendable () async throws(E) -> T
    ) async throws(E) -> T? {
        let outcome: DeadlineOutcome<T, E>? = await withTaskGroup(of: DeadlineOutcome<T, E>?.self) { group in
            group.addTask {
                do throws(E) {
                    return .finished(.success(try await work()))
                } catch {
                    return .finished(.failure(error))
                }
            }
            group.addTask {
                do {
                    try await Task.sleep(for: limit)
                } catch {
                    return nil  // cancelled: the work finished first, or the caller gave up
                }
                return .timedOut
            }
            var first: DeadlineOutcome<T, E>?
            while let next = await group.next() {
                guard let next else { continue }
                group.cancelAll()
                if first == nil { first = next }
            }
            return first
        }
        switch outcome {
        case .finished(let result)?: return try result.get()
        case .timedOut?, nil: return nil
        }
    }
}

enum DeadlineOutcome<T: Sendable, E: Error>: Sendable {
    case finished(Result<T, E>)
    case timedOut
}
