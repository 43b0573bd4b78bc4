/// Why bytes could not be read as a Kafka protocol value.
public enum WireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The value needs more bytes than are left.
    case truncated(field: String, needed: Int, available: Int)
    /// A varint ran past its maximum length.
    case varintTooLong(field: String)
    /// A length was negative where the protocol does not allow null, or absurdly large.
    case invalidLength(field: String, length: Int)
    /// A string was not UTF-8.
    case invalidUTF8(field: String)
    /// A message was decoded and bytes were left over.
    case trailingBytes(message: String, count: Int)

    public var description: String {
        switch self {
        case let .truncated(field, needed, available):
            return "\(field): needs \(needed) bytes, \(available) left"
        case let .varintTooLong(field):
            return "\(field): varint longer than the protocol allows"
        case let .invalidLength(field, length):
            return "\(field): invalid length \(length)"
        case let .invalidUTF8(field):
            return "\(field): not UTF-8"
        case let .trailingBytes(message, count):
            return "\(message): \(count) bytes left after the message"
        }
    }
}

/// Reads Kafka protocol primitives from a byte buffer. Every read checks the bytes left first, so
/// hostile input yields a `WireError`, never a crash or a read past the frame.
public struct WireReader: Sendable {
    public let bytes: [UInt8]
    public private(set) var offset: Int

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.offset = 0
    }

    public var remaining: Int { bytes.count - offset }

    private mutating func take(_ count: Int, _ field: String) throws(WireError) -> ArraySlice<UInt8> {
        guard count >= 0 else { throw .invalidLength(field: field, length: count) }
        guard count <= remaining else { throw .truncated(field: field, needed: count, available: remaining) }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    // The hot paths index the buffer directly (no slices, no string building) after one
    // bounds check; errors are built only when thrown.
    @inline(__always)
    private mutating func bigEndian<T: FixedWidthInteger>(_: T.Type, _ field: String) throws(WireError) -> T {
        let size = MemoryLayout<T>.size
        guard size <= remaining else { throw .truncated(field: field, needed: size, available: remaining) }
        var value: T = 0
        for index in offset..<(offset + size) { value = (value << 8) | T(bytes[index]) }
        offset += size
        return value
    }

    @inline(__always)
    private mutating func byte(_ field: String) throws(WireError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated(field: field, needed: 1, available: 0) }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func readInt8(_ field: String) throws(WireError) -> Int8 { Int8(bitPattern: try bigEndian(UInt8.self, field)) }
    public mutating func readInt16(_ field: String) throws(WireError) -> Int16 { Int16(bitPattern: try bigEndian(UInt16.self, field)) }
    public mutating func readInt32(_ field: String) throws(WireError) -> Int32 { Int32(bitPattern: try bigEndian(UInt32.self, field)) }
    public mutating func readInt64(_ field: String) throws(WireError) -> Int64 { Int64(bitPattern: try bigEndian(UInt64.self, field)) }
    public mutating func readUInt32(_ field: String) throws(WireError) -> UInt32 { try bigEndian(UInt32.self, field) }
    public mutating func readBool(_ field: String) throws(WireError) -> Bool { try readInt8(field) != 0 }

    /// An unsigned LEB128 varint of at most 5 bytes (32 bits).
    public mutating func readUnsignedVarint(_ field: String) throws(WireError) -> UInt32 {
        var result: UInt32 = 0
        for index in 0..<5 {
            let byte = try byte(field)
            result |= UInt32(byte & 0x7F) << (7 * index)
            if byte & 0x80 == 0 {
                guard index < 4 || byte <= 0x0F else { throw .varintTooLong(field: field) }
                return result
            }
        }
        throw .varintTooLong(field: field)
    }

    /// A zig-zag encoded signed varint (32 bits).
    public mutating func readVarint(_ field: String) throws(WireError) -> Int32 {
        let raw = try readUnsignedVarint(field)
        return Int32(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// A zig-zag encoded signed varlong (64 bits, at most 10 bytes).
    public mutating func readVarlong(_ field: String) throws(WireError) -> Int64 {
        var raw: UInt64 = 0
        for index in 0..<10 {
            let byte = try byte(field)
            raw |= UInt64(byte & 0x7F) << (7 * index)
            if byte & 0x80 == 0 {
                guard index < 9 || byte <= 0x01 else { throw .varintTooLong(field: field) }
                return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
            }
        }
        throw .varintTooLong(field: field)
    }

    private mutating func utf8(_ count: Int, _ field: String) throws(WireError) -> String {
        let slice = try take(count, field)
        guard let text = String(validating: slice, as: UTF8.self) else { throw .invalidUTF8(field: field) }
        return text
    }

    /// INT16 length, then bytes; length -1 is null.
    public mutating func readNullableString(_ field: String) throws(WireError) -> String? {
        let length = Int(try readInt16(field))
        if length == -1 { return nil }
        return try utf8(length, field)
    }

    public mutating func readString(_ field: String) throws(WireError) -> String {
        guard let text = try readNullableString(field) else { throw .invalidLength(field: field, length: -1) }
        return text
    }

    /// Unsigned varint of length + 1, then bytes; 0 is null.
    public mutating func readCompactNullableString(_ field: String) throws(WireError) -> String? {
        let lengthPlusOne = Int(try readUnsignedVarint(field))
        if lengthPlusOne == 0 { return nil }
        return try utf8(lengthPlusOne - 1, field)
    }

    public mutating func readCompactString(_ field: String) throws(WireError) -> String {
        guard let text = try readCompactNullableString(field) else { throw .invalidLength(field: field, length: -1) }
        return text
    }

    /// The element count of an array (INT32, -1 null), checked against the bytes left so that a
    /// hostile count cannot make the caller reserve gigabytes: every element takes at least one byte.
    public mutating func readArrayCount(_ field: String) throws(WireError) -> Int? {
        let count = Int(try readInt32(field))
        if count == -1 { return nil }
        guard count >= 0, count <= remaining else { throw .invalidLength(field: field, length: count) }
        return count
    }

    /// The element count of a compact array (unsigned varint of count + 1, 0 null).
    public mutating func readCompactArrayCount(_ field: String) throws(WireError) -> Int? {
        let countPlusOne = Int(try readUnsignedVarint(field))
        if countPlusOne == 0 { return nil }
        let count = countPlusOne - 1
        guard count <= remaining else { throw .invalidLength(field: field, length: count) }
        return count
    }

    public mutating func readUInt16(_ field: String) throws(WireError) -> UInt16 { try bigEndian(UInt16.self, field) }

    public mutating func readFloat64(_ field: String) throws(WireError) -> Double {
        Double(bitPattern: try bigEndian(UInt64.self, field))
    }

    public mutating func readUUID(_ field: String) throws(WireError) -> KafkaUUID {
        KafkaUUID(high: try bigEndian(UInt64.self, field), low: try bigEndian(UInt64.self, field))
    }

    /// INT32 length, then bytes; -1 is null.
    public mutating func readNullableBytes(_ field: String) throws(WireError) -> [UInt8]? {
        let length = Int(try readInt32(field))
        if length == -1 { return nil }
        return Array(try take(length, field))
    }

    public mutating func readBytes(_ field: String) throws(WireError) -> [UInt8] {
        guard let bytes = try readNullableBytes(field) else { throw .invalidLength(field: field, length: -1) }
        return bytes
    }

    /// Unsigned varint of length + 1, then bytes; 0 is null.
    public mutating func readCompactNullableBytes(_ field: String) throws(WireError) -> [UInt8]? {
        let lengthPlusOne = Int(try readUnsignedVarint(field))
        if lengthPlusOne == 0 { return nil }
        return Array(try take(lengthPlusOne - 1, field))
    }

    public mutating func readCompactBytes(_ field: String) throws(WireError) -> [UInt8] {
        guard let bytes = try readCompactNullableBytes(field) else { throw .invalidLength(field: field, length: -1) }
        return bytes
    }

    /// The number of tagged fields that follow, checked against the bytes left.
    public mutating func readTaggedFieldCount(_ field: String) throws(WireError) -> Int {
        // Almost always a single zero byte: no tagged fields.
        if offset < bytes.count, bytes[offset] == 0 {
            offset += 1
            return 0
        }
        let count = Int(try readUnsignedVarint("\(field).tags"))
        guard count <= remaining else { throw .invalidLength(field: "\(field).tags", length: count) }
        return count
    }

    /// One tagged field's data (after its tag): a reader over exactly its bytes, which are consumed
    /// here whether or not the caller knows the tag.
    public mutating func readTaggedField(_ field: String) throws(WireError) -> WireReader {
        let size = Int(try readUnsignedVarint("\(field).size"))
        return WireReader(Array(try take(size, "\(field).data")))
    }

    /// Skips tagged fields this client does not know (flexible versions).
    public mutating func skipTaggedFields(_ field: String) throws(WireError) {
        let count = Int(try readUnsignedVarint(field))
        guard count <= remaining else { throw .invalidLength(field: field, length: count) }
        for _ in 0..<count {
            _ = try readUnsignedVarint("\(field).tag")
            let size = Int(try readUnsignedVarint("\(field).size"))
            _ = try take(size, "\(field).data")
        }
    }
}
