import EbbTestSupport
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A process an end-to-end test started, its output in files (never a pipe that could fill).
final class Launched: @unchecked Sendable {
    let name: String
    let process = Process()
    let stdout: URL
    let stderr: URL

    init(_ name: String, _ executable: URL, _ arguments: [String], in directory: URL) throws {
        self.name = name
        stdout = directory.appendingPathComponent("\(name).out")
        stderr = directory.appendingPathComponent("\(name).err")
        _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = try FileHandle(forWritingTo: stderr)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var output: String { (try? String(contentsOf: stdout, encoding: .utf8)) ?? "" }
    var errors: String { (try? String(contentsOf: stderr, encoding: .utf8)) ?? "" }
    var isRunning: Bool { process.isRunning }

    /// Sends `signal` and waits (up to `seconds`) for the end; SIGKILL if it does not come.
    func stop(_ signal: Int32 = SIGTERM, within seconds: Double = 15) async {
        guard process.isRunning else { return }
        kill(process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(TestTime.scaled(seconds: seconds))
        while process.isRunning, Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    var status: Int32 { process.terminationStatus }
}

/// HTTP GET on loopback (the world's /world, Prometheus, the operator's /metrics).
func httpGet(_ url: String, timeout: Double = TestTime.scaled(seconds: 3)) async -> (status: Int, body: String)? {
    guard let address = URL(string: url) else { return nil }
    var request = URLRequest(url: address)
    request.timeoutInterval = timeout
    guard let (data, response) = try? await URLSession.shared.data(for: request) else { return nil }
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
}
