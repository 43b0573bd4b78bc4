import Foundation
import KubernetesTypes

/// A schedule's window, parsed: a cron expression that opens it for a duration, or fixed times.
public enum ScheduleWindow: Sendable, Hashable {
    case repeating(cron: CronExpression, duration: ScheduleDuration, timeZone: TimeZone)
    case oneOff(start: Date, end: Date)

    /// Whether the window is open at `date`.
    public func isOpen(at date: Date) -> Bool {
        switch self {
        case .repeating(let cron, let duration, let timeZone):
            // Open when the expression fired within the last `duration` (the end is exclusive).
            guard duration.seconds > 0,
                let fire = cron.latestFire(atOrBefore: date, lookback: duration.seconds, timeZone: timeZone)
            else { return false }
            return date.timeIntervalSince(fire) < Double(duration.seconds)
        case .oneOff(let start, let end):
            return date >= start && date < end
        }
    }
}

/// Why a schedule cannot be used: the field and what is wrong with it.
public struct ScheduleError: Error, Sendable, Hashable {
    public let field: String
    public let message: String
}

extension ScalingSchedule {
    /// The longest repeating window Ebb accepts: a week.
    public static let maxDurationSeconds = 7 * 24 * 3600

    /// The window this schedule describes, or the first problem with it.
    public func window() throws(ScheduleError) -> ScheduleWindow {
        guard let timeZone = TimeZone(identifier: effectiveTimeZone) else {
            throw ScheduleError(
                field: "timeZone",
                message: "unknown time zone '\(effectiveTimeZone)'; use an IANA name such as UTC, Europe/Berlin or America/New_York")
        }
        if let cronText = cron, let durationText = duration {
            let expression: CronExpression
            do { expression = try CronExpression(cronText) } catch {
                throw ScheduleError(field: "cron", message: error.message)
            }
            let length: ScheduleDuration
            do { length = try ScheduleDuration(durationText) } catch {
                throw ScheduleError(field: "duration", message: error.description)
            }
            guard length.seconds > 0, length.seconds <= Self.maxDurationSeconds else {
                throw ScheduleError(field: "duration", message: "must be more than 0s and at most 168h (a week), got \(durationText)")
            }
            return .repeating(cron: expression, duration: length, timeZone: timeZone)
        }
        if let startText = start, let endText = end {
            guard let startDate = TimeFormat.parse(startText, in: timeZone) else {
                throw ScheduleError(
                    field: "start", message: "'\(startText)' is not a time; write 2026-11-27T06:00 (local to timeZone) or 2026-11-27T06:00:00Z")
            }
            guard let endDate = TimeFormat.parse(endText, in: timeZone) else {
                throw ScheduleError(
                    field: "end", message: "'\(endText)' is not a time; write 2026-11-27T23:00 (local to timeZone) or 2026-11-27T23:00:00Z")
            }
            guard endDate > startDate else {
                throw ScheduleError(field: "end", message: "must be after start (\(startText)); the window would never open")
            }
            return .oneOff(start: startDate, end: endDate)
        }
        throw ScheduleError(field: "", message: PoolRule.scheduleWindowForm.message)
    }
}
