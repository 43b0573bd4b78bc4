/// Writes Kafka protocol primitives, big-endian as the protocol says.
public struct WireWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    private mutating func bigEndian<T: FixedWidthInteger>(_ value: T) {
        for shift in stride(from: (MemoryLayout<T>.size - 1) * 8, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> shift))
        }
    }

    public mutating func writeInt8(_ value: Int8) { bigEndian(UInt8(bitPattern: value)) }
    public mutating func writeInt16(_ value: Int16) { bigEndian(UInt16(bitPattern: value)) }
    public mutating func writeInt32(_ value: Int32) { bigEndian(UInt32(bitPattern: value)) }
    public mutating func writeInt64(_ value: Int64) { bigEndian(UInt64(bitPattern: value)) }
    public mutating func writeUInt32(_ value: UInt32) { bigEndian(value) }
    public mutating func writeBool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    public mutating func writeUnsignedVarint(_ value: UInt32) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    public mutating func writeVarint(_ value: Int32) {
        writeUnsignedVarint(UInt32(bitPattern: (value << 1) ^ (value >> 31)))
    }

    public mutating func writeVarlong(_ value: Int64) {
        var rest = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    public mutating func writeNullableString(_ value: String?) {
        guard let value else { return writeInt16(-1) }
        let utf8 = Array(value.utf8)
        writeInt16(Int16(truncatingIfNeeded: utf8.count))
        bytes += utf8
    }

    public mutating func writeCompactNullableString(_ value: String?) {
        guard let value else { return writeUnsignedVarint(0) }
        let utf8 = Array(value.utf8)
        writeUnsignedVarint(UInt32(utf8.count + 1))
        bytes += utf8
    }

    public mutating func writeUInt16(_ value: UInt16) { bigEndian(value) }
    public mutating func writeFloat64(_ value: Double) { bigEndian(value.bitPattern) }
    public mutating func writeUUID(_ value: KafkaUUID) {
        bigEndian(value.high)
        bigEndian(value.low)
    }

    public mutating func writeString(_ value: String) { writeNullableString(value) }
    public mutating func writeCompactString(_ value: String) { writeCompactNullableString(value) }

    public mutating func writeNullableBytes(_ value: [UInt8]?) {
        guard let value else { return writeInt32(-1) }
        writeInt32(Int32(truncatingIfNeeded: value.count))
        bytes += value
    }

    public mutating func writeBytes(_ value: [UInt8]) { writeNullableBytes(value) }

    public mutating func writeCompactNullableBytes(_ value: [UInt8]?) {
        guard let value else { return writeUnsignedVarint(0) }
        writeUnsignedVarint(UInt32(value.count + 1))
        bytes += value
    }

    public mutating func writeCompactBytes(_ value: [UInt8]) { writeCompactNullableBytes(value) }

    /// A tagged-field section: the count, then each field's tag, size and data, in tag order.
    public mutating func writeTaggedFields(_ fields: [(UInt32, [UInt8])]) {
        writeUnsignedVarint(UInt32(fields.count))
        for (tag, data) in fields.sorted(by: { $0.0 < $1.0 }) {
            writeUnsignedVarint(tag)
            writeUnsignedVarint(UInt32(data.count))
            bytes += data
        }
    }

    public mutating func writeArrayCount(_ count: Int?) { writeInt32(Int32(truncatingIfNeeded: count ?? -1)) }
    public mutating func writeCompactArrayCount(_ count: Int?) { writeUnsignedVarint(count.map { UInt32($0 + 1) } ?? 0) }
    /// An empty tagged-field section.
    public mutating func writeEmptyTaggedFields() { writeUnsignedVarint(0) }
}
