/// `spec.predictive`: raise the floor ahead of a rise the pool's own history predicts.
public struct PredictiveScaling: Sendable, Hashable, Codable {
    public enum Mode: String, Sendable, Hashable, Codable, CaseIterable {
        /// No forecast.
        case off = "Off"
        /// Forecast and report (decision log, status, `ebb decide`), never act on it.
        case recommend = "Recommend"
        /// Forecast, and hold at least the brokers it needs from leadTimeSeconds before a rise.
        case on = "On"
    }

    public var mode: Mode?
    /// Days of the throughput metric's history the forecast learns from.
    public var historyDays: Int32?
    /// How far ahead of a predicted rise the floor rises: the pods' start plus a rebalance.
    public var leadTimeSeconds: Int32?
    /// The IANA time zone whose days the history repeats in (a daily peak at 20:00 local time
    /// stays at 20:00 across a daylight-saving change).
    public var timeZone: String?

    public init(mode: Mode? = nil, historyDays: Int32? = nil, leadTimeSeconds: Int32? = nil, timeZone: String? = nil) {
        self.mode = mode
        self.historyDays = historyDays
        self.leadTimeSeconds = leadTimeSeconds
        self.timeZone = timeZone
    }

    public static let defaultHistoryDays: Int32 = 14
    public static let defaultLeadTimeSeconds: Int32 = 300

    public var effectiveMode: Mode { mode ?? .off }
    public var effectiveHistoryDays: Int32 { historyDays ?? Self.defaultHistoryDays }
    public var effectiveLeadTimeSeconds: Int32 { leadTimeSeconds ?? Self.defaultLeadTimeSeconds }
    public var effectiveTimeZone: String { timeZone ?? "UTC" }
}
