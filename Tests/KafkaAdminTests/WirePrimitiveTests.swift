import KafkaAdmin
import Testing

struct WirePrimitiveTests {
    @Test func integersAreBigEndian() throws {
        var writer = WireWriter()
        writer.writeInt16(0x0102)
        writer.writeInt32(-2)
        writer.writeInt64(0x0102_0304_0506_0708)
        #expect(writer.bytes == [1, 2, 0xFF, 0xFF, 0xFF, 0xFE, 1, 2, 3, 4, 5, 6, 7, 8])
        var reader = WireReader(writer.bytes)
        #expect(try reader.readInt16("a") == 0x0102)
        #expect(try reader.readInt32("b") == -2)
        #expect(try reader.readInt64("c") == 0x0102_0304_0506_0708)
        #expect(reader.remaining == 0)
    }

    /// Values from the Kafka protocol guide's varint examples (zig-zag: 0→0, -1→1, 1→2, -64→127, 64→128).
    static let varintCases: [(Int32, [UInt8])] = [
        (0, [0]), (-1, [1]), (1, [2]), (-64, [0x7F]), (64, [0x80, 0x01]),
        (Int32.max, [0xFE, 0xFF, 0xFF, 0xFF, 0x0F]), (Int32.min, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
    ]

    @Test(arguments: varintCases)
    func varints(_ value: Int32, _ encoded: [UInt8]) throws {
        var writer = WireWriter()
        writer.writeVarint(value)
        #expect(writer.bytes == encoded)
        var reader = WireReader(encoded)
        #expect(try reader.readVarint("v") == value)
    }

    @Test(arguments: [Int64.min, -1, 0, 1, 300, Int64.max])
    func varlongsRoundTrip(_ value: Int64) throws {
        var writer = WireWriter()
        writer.writeVarlong(value)
        var reader = WireReader(writer.bytes)
        #expect(try reader.readVarlong("v") == value)
        #expect(reader.remaining == 0)
    }

    @Test func stringsCompactAndClassic() throws {
        var writer = WireWriter()
        writer.writeNullableString("orders")
        writer.writeNullableString(nil)
        writer.writeCompactNullableString("clicks")
        writer.writeCompactNullableString(nil)
        var reader = WireReader(writer.bytes)
        #expect(try reader.readString("a") == "orders")
        #expect(try reader.readNullableString("b") == nil)
        #expect(try reader.readCompactString("c") == "clicks")
        #expect(try reader.readCompactNullableString("d") == nil)
    }

    @Test func truncatedInputIsAnErrorNamingTheField() {
        var reader = WireReader([0, 5, 0x61])
        #expect(throws: WireError.truncated(field: "topic", needed: 5, available: 1)) { try reader.readString("topic") }
    }

    @Test func overlongVarintIsRejected() {
        var reader = WireReader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        #expect(throws: WireError.varintTooLong(field: "n")) { try reader.readUnsignedVarint("n") }
    }

    @Test func hostileArrayCountIsRejectedBeforeAllocation() {
        var reader = WireReader([0x7F, 0xFF, 0xFF, 0xFF, 0])
        #expect(throws: WireError.invalidLength(field: "partitions", length: Int(Int32.max))) { try reader.readArrayCount("partitions") }
    }

    @Test func taggedFieldsAreSkipped() throws {
        // Two tagged fields: tag 0 with 2 bytes, tag 5 with 1 byte; then an INT8.
        var reader = WireReader([2, 0, 2, 0xAA, 0xBB, 5, 1, 0xCC, 7])
        try reader.skipTaggedFields("tags")
        #expect(try reader.readInt8("after") == 7)
    }

    /// Seeded random bytes: every read either succeeds within bounds or throws, never traps.
    @Test func randomBytesNeverCrash() {
        var generator = SplitMix64(seed: 42)
        for _ in 0..<20_000 {
            let count = Int(generator.next() % 24)
            let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            var reader = WireReader(bytes)
            _ = try? reader.readCompactString("s")
            _ = try? reader.skipTaggedFields("t")
            _ = try? reader.readVarlong("v")
            _ = try? reader.readArrayCount("a")
            #expect(reader.offset <= bytes.count)
        }
    }
}

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
