import BrokerScaling
import Foundation
import KubernetesTypes
import Logging

/// One JSON object per line: `time`, `level`, `message`, `label`, then the metadata with its
/// nesting kept (a decision's metrics are a list of objects, not a string).
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String
    let write: @Sendable (String) -> Void
    /// The time each line carries (`ebb simulate` passes its simulated clock).
    let clock: @Sendable () -> Date

    public init(
        label: String, write: @escaping @Sendable (String) -> Void = { line in FileHandle.standardError.write(Data((line + "\n").utf8)) },
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.label = label
        self.write = write
        self.clock = clock
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        for (key, value) in event.metadata ?? [:] { merged[key] = value }
        var object: [String: Any] = ["time": TimeFormat.format(clock()), "level": "\(event.level)", "message": "\(event.message)", "logger": label]
        for (key, value) in merged { object[key] = Self.plain(value) }
        do {
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            write(String(decoding: data, as: UTF8.self))
        } catch {
            // Never a lost line: the record without its metadata (strings only, which always
            // encode), and why the rest is missing.
            write(Self.fallbackLine(object: object, error: error))
        }
    }

    static func fallbackLine(object: [String: Any], error: any Error) -> String {
        var fields: [String: String] = ["log_encoding_error": "\(error)"]
        for key in ["time", "level", "message", "logger"] { fields[key] = object[key].map { "\($0)" } }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(fields), as: UTF8.self)
        } catch {
            return #"{"level":"error","message":"cannot encode a log record"}"#
        }
    }

    static func plain(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): return text
        case .stringConvertible(let value):
            if let number = value as? any BinaryInteger { return Int(number) }
            if let number = value as? Double { return number.isFinite ? number : "\(number)" }
            if let flag = value as? Bool { return flag }
            return value.description
        case .array(let items): return items.map(plain)
        case .dictionary(let fields): return fields.mapValues(plain)
        }
    }
}

/// `time level [label] message key=value ...`, for people at a terminal.
public struct TextLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String
    /// The time each line carries (`ebb simulate` passes its simulated clock).
    let clock: @Sendable () -> Date

    public init(label: String, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.label = label
        self.clock = clock
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        for (key, value) in event.metadata ?? [:] { merged[key] = value }
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        FileHandle.standardError.write(
            Data("\(TimeFormat.format(clock())) \(event.level) \(event.message)\(fields.isEmpty ? "" : " " + fields)\n".utf8))
    }
}
