/// Splits a byte stream into Kafka frames (a 4-byte big-endian size, then that many bytes).
///
/// A frame is handed out only when all of it has arrived; until then the bytes stay buffered and
/// nothing is consumed. A negative size, or one above `maxFrameSize`, is an error: the stream
/// cannot be resynchronised and the connection must close.
public struct KafkaFrameDecoder: Sendable {
    public let maxFrameSize: Int
    private var buffer: [UInt8] = []
    private var start = 0

    public struct FrameError: Error, Sendable, Hashable, CustomStringConvertible {
        public let size: Int
        public let maxFrameSize: Int

        public init(size: Int, maxFrameSize: Int) {
            self.size = size
            self.maxFrameSize = maxFrameSize
        }

        public var description: String {
            size < 0
                ? "frame size \(size) is negative: the stream is corrupt"
                : "frame size \(size) exceeds the limit of \(maxFrameSize) bytes"
        }
    }

    /// The most bytes of one answer the admin client accepts by default: 64 MiB, well below
    /// the operator pod's memory limit (Kafka's own clients take up to fetch.max.bytes, 50 MiB).
    public static let defaultResponseLimit = 64 * 1024 * 1024

    /// 100 MiB by default, as Kafka's socket.request.max.bytes.
    public init(maxFrameSize: Int = 100 * 1024 * 1024) {
        self.maxFrameSize = maxFrameSize
    }

    /// Bytes received but not yet handed out as a frame.
    public var buffered: Int { buffer.count - start }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if start > 4096, start > buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Appends `bytes` and checks the size of every frame they begin: a frame over the limit (or
    /// of negative size) is refused at once and everything buffered is dropped, so that a broken
    /// or hostile peer cannot make the client hold more than one read beyond the limit.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(FrameError) {
        append(bytes)
        var position = start
        while buffer.count - position >= 4 {
            var size = 0
            for index in position..<(position + 4) { size = size << 8 | Int(buffer[index]) }
            let signed = Int(Int32(truncatingIfNeeded: size))
            guard signed >= 0, signed <= maxFrameSize else {
                buffer.removeAll()
                start = 0
                throw FrameError(size: signed, maxFrameSize: maxFrameSize)
            }
            position += 4 + signed
        }
    }

    /// The next whole frame's payload, or nil until one has arrived.
    public mutating func next() throws(FrameError) -> [UInt8]? {
        guard buffered >= 4 else { return nil }
        var size = 0
        for index in start..<(start + 4) { size = size << 8 | Int(buffer[index]) }
        let signed = Int(Int32(truncatingIfNeeded: size))
        guard signed >= 0, signed <= maxFrameSize else { throw FrameError(size: signed, maxFrameSize: maxFrameSize) }
        guard buffered >= 4 + signed else { return nil }
        let payload = Array(buffer[(start + 4)..<(start + 4 + signed)])
        start += 4 + signed
        return payload
    }
}

/// Request and response framing: headers in the version each API version calls for.
public enum KafkaFraming {
    /// A whole request frame: size, header (v2 for flexible versions, else v1), body.
    public static func request<Request: KafkaRequestBody>(
        _ body: Request, version: Int16, correlationId: Int32, clientId: String?
    ) -> [UInt8] {
        var writer = WireWriter()
        let header = RequestHeader(requestApiKey: Request.apiKey, requestApiVersion: version, correlationId: correlationId, clientId: clientId)
        header.encode(into: &writer, version: Request.isFlexible(version) ? 2 : 1)
        body.encode(into: &writer, version: version)
        return sized(writer.bytes)
    }

    /// The response header version: v1 for flexible versions, v0 otherwise, and always v0 for
    /// ApiVersions (so that a client can read the answer before it knows the broker's versions).
    public static func responseHeaderVersion(apiKey: Int16, flexible: Bool) -> Int16 {
        apiKey == ApiVersionsResponse.apiKey ? 0 : flexible ? 1 : 0
    }

    /// A whole response frame, as a broker (the simulator's Kafka face) writes it.
    public static func response<Response: KafkaResponseBody>(_ body: Response, version: Int16, correlationId: Int32) -> [UInt8] {
        var writer = WireWriter()
        ResponseHeader(correlationId: correlationId)
            .encode(into: &writer, version: responseHeaderVersion(apiKey: Response.apiKey, flexible: Response.isFlexible(version)))
        body.encode(into: &writer, version: version)
        return sized(writer.bytes)
    }

    /// The correlation id of a response frame's payload, and a reader positioned at its body.
    public static func readResponse(_ payload: [UInt8], apiKey: Int16, flexible: Bool) throws(WireError) -> (correlationId: Int32, body: WireReader) {
        var reader = WireReader(payload)
        let header = try ResponseHeader(from: &reader, version: responseHeaderVersion(apiKey: apiKey, flexible: flexible))
        return (header.correlationId, reader)
    }

    /// A request frame's header, as a broker reads it. The header version depends on whether
    /// the API version is flexible, which the caller knows from the api key and version.
    public static func readRequestHeader(_ payload: [UInt8], isFlexible: (Int16, Int16) -> Bool) throws(WireError) -> (
        header: RequestHeader, body: WireReader
    ) {
        var peek = WireReader(payload)
        let apiKey = try peek.readInt16("RequestHeader.requestApiKey")
        let version = try peek.readInt16("RequestHeader.requestApiVersion")
        var reader = WireReader(payload)
        let header = try RequestHeader(from: &reader, version: isFlexible(apiKey, version) ? 2 : 1)
        return (header, reader)
    }

    static func sized(_ bytes: [UInt8]) -> [UInt8] {
        var writer = WireWriter()
        writer.writeInt32(Int32(bytes.count))
        return writer.bytes + bytes
    }
}

/// The version to speak for one API: the highest that both sides support.
public enum VersionNegotiation {
    public struct Unsupported: Error, Sendable, Hashable, CustomStringConvertible {
        public let apiKey: Int16
        public let apiName: String
        public let ours: ClosedRange<Int16>
        public let broker: ClosedRange<Int16>?

        public init(apiKey: Int16, apiName: String, ours: ClosedRange<Int16>, broker: ClosedRange<Int16>?) {
            self.apiKey = apiKey
            self.apiName = apiName
            self.ours = ours
            self.broker = broker
        }

        public var description: String {
            guard let broker else { return "the broker does not support \(apiName) (api key \(apiKey))" }
            return
                "no common version of \(apiName): Ebb speaks \(ours.lowerBound)-\(ours.upperBound), the broker \(broker.lowerBound)-\(broker.upperBound)"
        }
    }

    public static func version<Request: KafkaRequestBody>(
        for _: Request.Type, ours: ClosedRange<Int16>? = nil, broker: ApiVersionsResponse
    ) throws(Unsupported) -> Int16 {
        let supported = ours ?? Request.validVersions
        let typeName = String(describing: Request.self)
        let name = typeName.hasSuffix("Request") ? String(typeName.dropLast("Request".count)) : typeName
        guard let entry = broker.apiKeys.first(where: { $0.apiKey == Request.apiKey }), entry.minVersion <= entry.maxVersion else {
            throw Unsupported(apiKey: Request.apiKey, apiName: name, ours: supported, broker: nil)
        }
        let low = max(supported.lowerBound, entry.minVersion)
        let high = min(supported.upperBound, entry.maxVersion)
        guard low <= high else {
            throw Unsupported(apiKey: Request.apiKey, apiName: name, ours: supported, broker: entry.minVersion...entry.maxVersion)
        }
        return high
    }
}
