import EbbTestSupport
import Foundation
import Testing

/// The inputs of issue 18 item 8 that trapped (SIGILL) or silently did something else: each is
/// now answered with an error naming the bad value, and exit status 1 (the input has a problem)
/// or 2 (ebb was called wrongly). `CLITests.ebb` also fails the test if the process crashed.
struct CrashInputCLITests {
    let cli = CLITests()

    /// Nothing listens on 127.0.0.1:9; the timeout is refused before any connection.
    @Test(arguments: ["1e300", "nan", "-1", "0", "inf", "3601"])
    func kafkaTimeoutOutOfRangeIsAUsageError(_ timeout: String) async throws {
        for command in ["describe", "reassignments"] {
            let result = try await cli.ebb("kafka", command, "--bootstrap", "127.0.0.1:9", "--timeout=\(timeout)")
            #expect(result.status == 2, "\(result.stderr)")
            #expect(result.stderr.contains("--timeout: '"), "\(result.stderr)")
            #expect(result.stderr.contains("is not a number of seconds from more than 0 to 3600"), "\(result.stderr)")
        }
        let lag = try await cli.ebb("kafka", "lag", "--bootstrap", "127.0.0.1:9", "--group", "g", "--timeout=\(timeout)")
        #expect(lag.status == 2)
        #expect(lag.stderr.contains("--timeout: '"))
    }

    @Test(arguments: [
        ("127.0.0.1:99999", "--bootstrap: '127.0.0.1:99999' has port 99999, outside 1-65535"),
        ("127.0.0.1:0", "--bootstrap: '127.0.0.1:0' has port 0, outside 1-65535"),
        ("kafka-0:9092,kafka-1:123456", "--bootstrap: 'kafka-1:123456' is not host:port (the port '123456' is not a number from 1 to 65535)"),
        ("fd00::1", "--bootstrap: 'fd00::1' is not host:port (write an IPv6 address in brackets: [fd00::1]:9092)"),
        ("kafka-0", "--bootstrap: 'kafka-0' is not host:port (no port)")
    ])
    func kafkaBootstrapOutsidePortsIsAUsageError(_ bootstrap: String, _ message: String) async throws {
        let result = try await cli.ebb("kafka", "describe", "--bootstrap", bootstrap, "--timeout", "1")
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    /// A bracketed IPv6 literal is an address: it is connected to (here refused: nothing listens
    /// on [::1]:9), not refused as malformed.
    @Test func kafkaBootstrapTakesBracketedIPv6() async throws {
        let result = try await cli.ebb("kafka", "describe", "--bootstrap", "[::1]:9", "--timeout", "2")
        #expect(result.status == 1, "\(result.stderr)")
        #expect(!result.stderr.contains("is not host:port"), "\(result.stderr)")
        #expect(result.stderr.contains("ebb kafka describe:"), "\(result.stderr)")
    }

    @Test func planSyntheticOfInt64MaxPartitionsNamesTheKey() async throws {
        let result = try await cli.ebb("plan", "--synthetic", "brokers=1,partitions=9223372036854775807")
        #expect(result.status == 1)
        #expect(result.stderr.contains("--synthetic partitions: '9223372036854775807' is not a whole number from 1 to 1000000"), "\(result.stderr)")
    }

    @Test(arguments: [["--tolerance-percent", "nan"], ["--tolerance-percent", "1e300"], ["--batch-size=-1"], ["--max-moves-per-broker=0"]])
    func planConstraintsOutOfRangeAreRefused(_ options: [String]) async throws {
        let result = try await cli.run(["plan", "--synthetic", "brokers=3,partitions=30"] + options)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("ebb plan: "), "\(result.stderr)")
    }

    /// A scale event {from: 2147483647, to: 0} within the policy period overflowed Int32.
    @Test func decideWithInt32MaxScaleEventDecides() async throws {
        let data = try Data(contentsOf: CLITests.root.appendingPathComponent("Docs/examples/decision-input.json"))
        var input = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var history = try #require(input["history"] as? [String: Any])
        history["scaleEvents"] = [["time": "2026-11-27T13:04:30Z", "from": 2_147_483_647, "to": 0]]
        input["history"] = history
        let text = String(decoding: try JSONSerialization.data(withJSONObject: input), as: UTF8.self)
        let result = try await cli.ebb("decide", "--input", "-", input: text)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("final"), "\(result.stdout)")
    }

    /// A value beyond Int32 is refused, naming the field.
    @Test func decideWithScaleEventBeyondInt32NamesTheField() async throws {
        let data = try Data(contentsOf: CLITests.root.appendingPathComponent("Docs/examples/decision-input.json"))
        var input = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var history = try #require(input["history"] as? [String: Any])
        history["scaleEvents"] = [["time": "2026-11-27T13:04:30Z", "from": 0, "to": 2_147_483_648]]
        input["history"] = history
        let text = String(decoding: try JSONSerialization.data(withJSONObject: input), as: UTF8.self)
        let result = try await cli.ebb("decide", "--input", "-", input: text)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("history.scaleEvents[0].to"), "\(result.stderr)")
    }

    @Test func validateRefusesPortOutsideRange() async throws {
        let pool = """
            apiVersion: ebb.io/v1alpha1
            kind: BrokerPool
            metadata: {name: p, namespace: n}
            spec:
              scaleTargetRef: {name: broker}
              kafka: {bootstrapServers: ["127.0.0.1:99999"]}
              maxReplicas: 3
              replicas: 2
            """
        let result = try await cli.ebb("validate", "-f", "-", input: pool)
        #expect(result.status == 1, "\(result.stderr)\(result.stdout)")
        #expect(
            (result.stdout + result.stderr).contains("spec.kafka.bootstrapServers[0]: port 99999 in '127.0.0.1:99999' is outside 1-65535"),
            "\(result.stdout)\(result.stderr)")
    }

    /// Usage errors of every kind exit with 2, not ArgumentParser's EX_USAGE (64).
    @Test func usageErrorsExitTwo() async throws {
        #expect(try await cli.ebb("plan", "--batch-size", "ten", "--synthetic", "brokers=3").status == 2)
        #expect(try await cli.ebb("no-such-command").status == 2)
        #expect(try await cli.ebb("run", "--workers", "0").status == 2)
        #expect(try await cli.ebb("--help").status == 0)
    }
}

extension CLITests {
    /// `ebb(_:)` with the arguments in an array, from the repository's root; a crash (a
    /// signal) fails the test, whatever the command was expected to say.
    func run(_ arguments: [String], input: String? = nil) async throws -> Result {
        let run = try await ProcessRun.run(Self.binary, arguments, input: input, directory: Self.root)
        #expect(run.signal == nil, "ebb \(arguments) crashed (signal \(run.signal ?? 0))")
        return Result(status: run.status, stdout: run.stdout, stderr: run.stderr)
    }
}

/// `ebb run --workers` starts that many tasks: Int.max of them exhausted memory.
struct RunRangeCLITests {
    let cli = CLITests()

    @Test(arguments: ["0", "65", "9223372036854775807"])
    func workersOutOfRangeIsAUsageError(_ workers: String) async throws {
        let result = try await cli.ebb("run", "--workers", workers, "--kubeconfig", "/nonexistent")
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--workers: \(workers) is not from 1 to 64"), "\(result.stderr)")
    }
}

/// `ebb simulate` with throughputs or a pod start time that trapped converting to Int.
struct SimulateRangeCLITests {
    let cli = CLITests()

    @Test(arguments: [
        (
            ["--baseline-mi-b-per-second", "1e300"],
            "--baseline-mi-b-per-second (or the scenario's baselineMiBPerSecond): 1e+300 is not between 0 and 1000000 MiB/s"
        ),
        (
            ["--broker-capacity-mi-b-per-second", "1e-300"],
            "--broker-capacity-mi-b-per-second (or the scenario's brokerCapacityMiBPerSecond): 1e-300 is not between 1 and 1000000 MiB/s"
        ),
        (
            ["--broker-capacity-mi-b-per-second", "1e300"],
            "--broker-capacity-mi-b-per-second (or the scenario's brokerCapacityMiBPerSecond): 1e+300 is not between 1 and 1000000 MiB/s"
        ),
        (
            ["--baseline-mi-b-per-second", "100000", "--broker-capacity-mi-b-per-second", "10"],
            "needs 10000 brokers of 10.0 MiB/s at the baseline; the simulation takes at most 100"
        ),
        (["--pod-start-seconds", "1e300"], "--pod-start-seconds: 1e+300 is not between 0 and 3600"),
        (["--pod-start-seconds", "inf"], "--pod-start-seconds: inf is not between 0 and 3600")
    ])
    func simulateOutOfRangeIsAUsageError(_ options: [String], _ message: String) async throws {
        let result = try await cli.run(["simulate"] + options)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    /// A scenario file's multiplier of 1e300 trapped; one of 100000 ran for hours.
    @Test(arguments: [("1e300", "needs 1000000000000000 brokers"), ("100000", "needs 200000 brokers")])
    func scenarioPeakBeyondAThousandBrokersIsRefused(_ multiplier: String, _ message: String) async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ebb-peak-\(UUID().uuidString).yaml")
        try "name: peak\npoints:\n  - {at: \"00:00\", multiplier: 1}\n  - {at: \"01:00\", multiplier: \(multiplier)}\n".write(
            to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try await cli.run(["simulate", "--scenario", file.path])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--scenario: its peak"), "\(result.stderr)")
        #expect(result.stderr.contains(message + " of 150.0 MiB/s; the simulation takes at most 1000"), "\(result.stderr)")
    }
}
