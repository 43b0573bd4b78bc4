/// What one broker of the pool carries, for the demand estimate and lag targets that drain.
public struct BrokerCapacity: Sendable, Hashable, Codable {
    /// Produce bytes per second one broker carries at the target. Default: the target of the
    /// pool's BrokerThroughput In metric.
    public var bytesInPerSecond: Quantity?
    /// Average record size in bytes, to turn consumer lag (messages) into bytes. Default 1Ki.
    public var recordBytes: Quantity?

    public init(bytesInPerSecond: Quantity? = nil, recordBytes: Quantity? = nil) {
        self.bytesInPerSecond = bytesInPerSecond
        self.recordBytes = recordBytes
    }

    public static let defaultRecordBytes = 1024.0
    public var effectiveRecordBytes: Double { recordBytes?.value ?? Self.defaultRecordBytes }
}
