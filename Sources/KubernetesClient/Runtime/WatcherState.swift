import Resilience

/// What the watcher's I/O shell must do next.
public enum WatcherAction: Sendable, Hashable {
    /// List every object (the answer's resourceVersion then starts the watch).
    case list
    /// Watch from this resourceVersion.
    case watch(from: String)
    /// Wait until this time, then ask again.
    case wait(until: Double)
}

/// The list-then-watch state machine, with no I/O (kube-rs's watcher, client-go's reflector):
/// list, then watch from the list's resourceVersion; on a dropped stream watch again from the
/// last resourceVersion seen, so no event is lost; on 410 Gone list again; on any failure back
/// off with jitter before the same step. A watch that delivers nothing (no event, no bookmark)
/// for longer than its `timeoutSeconds` plus `silenceMargin` is dead, whatever its connection
/// says (an API server stopping gracefully keeps streams open and sends nothing): the shell
/// cancels it and watches again from the last resourceVersion. Time is an input.
public struct WatcherState: Sendable, Hashable {
    enum Phase: Sendable, Hashable {
        case needsList
        case listing
        case watching(String)
        case streaming(String)
        case backingOff(until: Double, then: Resume)
    }

    enum Resume: Sendable, Hashable {
        case list
        case watch(String)
    }

    var phase = Phase.needsList
    public private(set) var backoff: Backoff
    /// How many full relists happened after 410 Gone (for metrics and tests).
    public private(set) var relists = 0
    /// How many watches were given up as silent.
    public private(set) var silentRestarts = 0
    /// Seconds past a watch's timeout before its silence means it is dead: the server closes
    /// a watch at its timeout, so one still open well after it, with nothing sent, is not
    /// coming back.
    public var silenceMargin: Double
    /// When the watch in progress started, or last delivered something.
    var lastHeard: Double?

    public init(backoff: Backoff = Backoff(), silenceMargin: Double = 15) {
        self.backoff = backoff
        self.silenceMargin = silenceMargin
    }

    /// The resourceVersion the next watch starts from, if a list has been done.
    public var resourceVersion: String? {
        switch phase {
        case .watching(let version), .streaming(let version): return version
        case .backingOff(_, .watch(let version)): return version
        default: return nil
        }
    }

    /// The next step at `now`.
    public mutating func next(now: Double) -> WatcherAction {
        switch phase {
        case .needsList, .listing:
            phase = .listing
            return .list
        case .watching(let version), .streaming(let version):
            phase = .streaming(version)
            lastHeard = now
            return .watch(from: version)
        case let .backingOff(until, resume):
            guard now >= until else { return .wait(until: until) }
            switch resume {
            case .list:
                phase = .listing
                return .list
            case .watch(let version):
                phase = .streaming(version)
                lastHeard = now
                return .watch(from: version)
            }
        }
    }

    /// The list succeeded at `resourceVersion`: the store is replaced, then the watch starts.
    public mutating func listed(resourceVersion: String) {
        phase = .watching(resourceVersion)
        backoff.reset()
    }

    /// An event or bookmark was received at `resourceVersion` (at `now`: the watch is alive).
    public mutating func received(resourceVersion: String, now: Double? = nil) {
        phase = .streaming(resourceVersion)
        backoff.reset()
        if let now { lastHeard = now }
    }

    /// Whether the watch in progress, opened with `timeoutSeconds`, has been silent for too
    /// long at `now`: nothing received for more than its timeout plus the margin.
    public func isSilent(now: Double, timeoutSeconds: Double) -> Bool {
        guard case .streaming = phase, let lastHeard else { return false }
        return now - lastHeard > timeoutSeconds + silenceMargin
    }

    /// The shell cancelled a silent watch: watch again, at once, from the last resourceVersion
    /// seen (a 410 on that watch then relists, as always).
    public mutating func silenced() {
        guard case .streaming(let version) = phase else { return }
        silentRestarts += 1
        phase = .watching(version)
        lastHeard = nil
    }

    /// The server closed the stream normally (its timeout): watch again at once.
    public mutating func streamEnded() {
        if case .streaming(let version) = phase { phase = .watching(version) }
    }

    /// The list or watch failed at `now`. `gone` is 410: the resourceVersion was compacted
    /// and only a new list can continue.
    public mutating func failed(gone: Bool, now: Double, random: Double) {
        let delay = backoff.next(random: random)
        if gone {
            relists += 1
            // Relist at once the first time; repeated Gones back off like any failure.
            phase = backoff.failures <= 1 ? .needsList : .backingOff(until: now + delay, then: .list)
            return
        }
        switch phase {
        case .streaming(let version), .watching(let version):
            phase = .backingOff(until: now + delay, then: .watch(version))
        case .backingOff(_, let resume):
            phase = .backingOff(until: now + delay, then: resume)
        case .needsList, .listing:
            phase = .backingOff(until: now + delay, then: .list)
        }
    }
}
