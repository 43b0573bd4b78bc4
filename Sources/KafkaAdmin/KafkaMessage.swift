/// A message of the Kafka protocol, encoded and decoded per API version. The conformances are
/// generated from Kafka's message specs (Sources/KafkaAdmin/Generated); only the primitives
/// (WireReader, WireWriter) and these protocols are written by hand.
public protocol KafkaMessage: Sendable {
    static var validVersions: ClosedRange<Int16> { get }
    /// Whether `version` uses the flexible encoding (compact strings and arrays, tagged fields).
    static func isFlexible(_ version: Int16) -> Bool
    init(from reader: inout WireReader, version: Int16) throws(WireError)
    func encode(into writer: inout WireWriter, version: Int16)
}

/// The body of a request.
public protocol KafkaRequestBody: KafkaMessage {
    associatedtype Response: KafkaResponseBody
    static var apiKey: Int16 { get }
}

/// The body of a response.
public protocol KafkaResponseBody: KafkaMessage {
    static var apiKey: Int16 { get }
}

extension KafkaMessage {
    /// The message encoded at `version`.
    public func encoded(version: Int16) -> [UInt8] {
        var writer = WireWriter()
        encode(into: &writer, version: version)
        return writer.bytes
    }

    /// Decodes a whole message; bytes left over are an error.
    public static func decode(_ bytes: [UInt8], version: Int16) throws(WireError) -> Self {
        var reader = WireReader(bytes)
        let message = try Self(from: &reader, version: version)
        guard reader.remaining == 0 else { throw .trailingBytes(message: "\(Self.self)", count: reader.remaining) }
        return message
    }
}

/// A Kafka UUID (topic ids): 16 bytes.
public struct KafkaUUID: Sendable, Hashable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public static let zero = KafkaUUID(high: 0, low: 0)

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public var description: String {
        let hex = String(high, radix: 16).leftPadded(to: 16) + String(low, radix: 16).leftPadded(to: 16)
        return hex
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
