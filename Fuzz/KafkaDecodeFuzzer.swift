// libFuzzer target: every response and request decoder of every version, and the frame
// decoder, fed arbitrary bytes. Must never crash, hang or read past the input.
//
//   Scripts/fuzz.sh [SECONDS]
//
// Built by swiftc with -sanitize=fuzzer,address from the codec sources only (no SwiftNIO).

let messages = KafkaMessages.all

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    guard input.count >= 2 else { return 0 }
    // The first byte picks the message, the second the version; the rest is the body.
    let message = messages[Int(input[0]) % messages.count]
    let versions = message.validVersions
    let version = versions.lowerBound + Int16(Int(input[1]) % versions.count)
    let body = Array(input[2...])
    if let decoded = try? message.decode(body, version: version) {
        // What decodes must encode again to the same bytes.
        let again = decoded.encoded(version: version)
        precondition(again.count <= body.count + 64, "re-encoding grew the message")
    }
    var frames = KafkaFrameDecoder(maxFrameSize: 1 << 20)
    frames.append(input)
    while let frame = try? frames.next() { _ = frame }
    return 0
}
