import EbbTestSupport
import Foundation
import Testing

/// Issue 18's fifth attack: a bootstrap address a pool's author names can answer with a frame
/// of 255 MiB, under the 256 MiB that the client used to accept, which cost about 810 MB of
/// resident memory. The client refuses the frame from its size field, names the peer, and the
/// process stays far under the operator Deployment's 256 MiB limit.
@Suite(.serialized)
struct HostileBrokerProcessTests {
    static let memoryLimit = 256 << 20

    @Test func aFrameOf255MiBIsRefusedFromItsSizeUnder256MiB() async throws {
        let broker = try await HostileKafkaBroker.start(holding: .milliseconds(500))
        defer { Task { await broker.stop() } }
        let errors = Pipe()
        let process = Process()
        process.executableURL = RealParts.ebb
        process.arguments = ["kafka", "describe", "--bootstrap", broker.address, "--timeout", "30"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        let memory = ResidentMemory(watching: process.processIdentifier)
        // Read standard error while the process runs, so that a full pipe cannot hold it.
        let said = Task.detached { String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
        do {
            try await TestTime.eventually("ebb kafka describe gives up on the oversized frame", within: .seconds(60)) { !process.isRunning }
        } catch {
            process.terminate()
            memory.stop()
            throw error
        }
        memory.stop()
        process.waitUntilExit()
        let message = await said.value
        #expect(process.terminationReason == .exit && process.terminationStatus == 1, "exit \(process.terminationStatus) (\(process.terminationReason == .exit ? "exit" : "signal")): \(message)")
        #expect(message.contains(broker.address), "the error names the peer: \(message)")
        #expect(message.contains("frame size \(255 << 20) exceeds the limit of \(64 << 20) bytes"), "\(message)")
        #expect(broker.hostileAnswers >= 1, "the broker was asked")
        #expect(memory.sampleCount >= 1, "memory was sampled (\(memory.sampleCount) samples)")
        #expect(memory.peakBytes < Self.memoryLimit, "ebb's resident memory peaked at \(memory.peakBytes >> 20) MiB")
        print("ebb kafka describe against a 255 MiB frame: peak RSS \(memory.peakBytes >> 20) MiB over \(memory.sampleCount) samples; \(broker.bytesSent >> 10) KiB of the frame sent before it was refused")
    }
}
