import ArgumentParser
import Foundation
import KafkaAdmin
import KubernetesTypes

struct Kafka: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Look at a Kafka cluster through Ebb's own Kafka client.",
        subcommands: [Describe.self, Lag.self, Reassignments.self]
    )

    struct Connection: ParsableArguments {
        @Option(name: .long, help: "host:port of a broker; repeat or separate with commas for several.")
        var bootstrap: [String]

        @Option(help: "Seconds to wait for each answer (more than 0, at most \(Int(Self.maximumTimeout))).")
        var timeout: Double = 10

        /// An hour: more than any answer takes, and far inside what a TimeAmount holds.
        static let maximumTimeout = 3600.0

        func validate() throws {
            // `!(timeout > 0)` also refuses nan.
            guard timeout > 0, timeout <= Self.maximumTimeout else {
                throw ValidationError("--timeout: '\(timeout)' is not a number of seconds from more than 0 to \(Int(Self.maximumTimeout))")
            }
            for server in servers() {
                if case .failure(let error) = KafkaAdminClient.parse(server) { throw ValidationError("--bootstrap: \(error)") }
            }
            if servers().isEmpty { throw ValidationError("--bootstrap: give at least one host:port") }
        }

        func servers() -> [String] {
            bootstrap.flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        }

        @Option(name: .shortAndLong, help: "text or json.")
        var output: OutputFormat = .text

        @Option(help: "SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (none when not given).")
        var saslMechanism: String?

        @Option(help: "SASL user name.")
        var saslUsername: String?

        @Option(help: "File holding the SASL password (default: the EBB_KAFKA_PASSWORD environment variable).")
        var saslPasswordFile: String?

        @Flag(help: "Connect over TLS (the SSL and SASL_SSL listeners).")
        var tls = false

        @Option(help: "PEM file of CA certificates to trust (default: the system's).")
        var tlsCaFile: String?

        @Option(help: "PEM client certificate, for brokers that require mutual TLS.")
        var tlsCertFile: String?

        @Option(help: "PEM key of the client certificate.")
        var tlsKeyFile: String?

        @Option(help: "Name to check the brokers' certificates against (default: each broker's host).")
        var tlsServerName: String?

        @Flag(help: "Do not verify the brokers' certificates. Anyone on the path can then read and change the traffic.")
        var tlsInsecureSkipVerify = false

        func tlsSettings() -> ClientTLS? {
            let wanted = tls || tlsCaFile != nil || tlsCertFile != nil || tlsKeyFile != nil || tlsServerName != nil || tlsInsecureSkipVerify
            guard wanted else { return nil }
            if tlsInsecureSkipVerify {
                FileHandle.standardError.write(Data("warning: --tls-insecure-skip-verify: the brokers' certificates are not checked\n".utf8))
            }
            return ClientTLS(
                caFile: tlsCaFile, certificateFile: tlsCertFile, keyFile: tlsKeyFile, serverName: tlsServerName,
                verifyCertificates: !tlsInsecureSkipVerify)
        }

        func credentials() throws -> SASLCredentials? {
            guard let saslMechanism else {
                if saslUsername != nil { throw ValidationError("--sasl-username needs --sasl-mechanism (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)") }
                return nil
            }
            guard let mechanism = SASLCredentials.Mechanism(rawValue: saslMechanism.uppercased()) else {
                throw ValidationError("--sasl-mechanism: '\(saslMechanism)' is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512")
            }
            guard let saslUsername else { throw ValidationError("--sasl-mechanism needs --sasl-username") }
            let password: String
            if let saslPasswordFile {
                do {
                    password = try TextFile.read(saslPasswordFile).trimmingCharacters(in: .newlines)
                } catch {
                    throw ValidationError("--sasl-password-file: \(error)")
                }
            } else if let fromEnvironment = ProcessInfo.processInfo.environment["EBB_KAFKA_PASSWORD"] {
                password = fromEnvironment
            } else {
                throw ValidationError("SASL needs a password: --sasl-password-file FILE or EBB_KAFKA_PASSWORD (never on the command line)")
            }
            return SASLCredentials(mechanism: mechanism, username: saslUsername, password: password)
        }

        func client() throws -> KafkaAdminClient {
            try validate()
            return KafkaAdminClient(
                .init(
                    bootstrapServers: servers(), requestTimeout: .milliseconds(Int64((timeout * 1000).rounded(.up))), retries: 2,
                    sasl: try credentials(), tls: tlsSettings()))
        }

        /// Runs `call` with a client, closed afterwards; a failure is printed as
        /// `ebb kafka COMMAND: error` and exits 1.
        func with<T: Sendable>(_ command: String, _ call: (KafkaAdminClient) async throws(KafkaClientError) -> T) async throws -> T {
            let client = try client()
            do {
                let result = try await call(client)
                await client.close()
                return result
            } catch {
                await client.close()
                FileHandle.standardError.write(Data("ebb kafka \(command): \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Brokers with racks, the controller, and partition and leader counts per broker.")

        @OptionGroup var connection: Connection

        func run() async throws {
            let cluster = try await connection.with("describe") { client throws(KafkaClientError) in try await client.describeCluster() }
            var replicas: [Int32: Int] = [:]
            var leaders: [Int32: Int] = [:]
            for partition in cluster.topics.flatMap(\.partitions) {
                for broker in partition.replicas { replicas[broker, default: 0] += 1 }
                leaders[partition.leader, default: 0] += 1
            }
            switch connection.output {
            case .json:
                struct Output: Encodable {
                    let cluster: KafkaClusterDescription
                    let partitionsPerBroker: [String: Int]
                    let leadersPerBroker: [String: Int]
                }
                print(
                    try jsonString(
                        Output(
                            cluster: cluster,
                            partitionsPerBroker: Dictionary(uniqueKeysWithValues: replicas.map { (String($0.key), $0.value) }),
                            leadersPerBroker: Dictionary(uniqueKeysWithValues: leaders.map { (String($0.key), $0.value) }))))
            case .text:
                let partitions = cluster.topics.reduce(0) { $0 + $1.partitions.count }
                print(
                    "Cluster \(cluster.clusterId ?? "(no id)"), controller \(cluster.controllerId), \(cluster.brokers.count) broker\(cluster.brokers.count == 1 ? "" : "s"), \(cluster.topics.count) topic\(cluster.topics.count == 1 ? "" : "s"), \(partitions) partition\(partitions == 1 ? "" : "s")\n"
                )
                print(
                    table(
                        [["broker", "address", "rack", "partitions", "leaders"]]
                            + cluster.brokers.map {
                                [
                                    "\($0.id)\($0.id == cluster.controllerId ? " *" : "")", "\($0.host):\($0.port)", $0.rack ?? "-",
                                    "\(replicas[$0.id] ?? 0)", "\(leaders[$0.id] ?? 0)"
                                ]
                            }))
                if !cluster.topics.isEmpty {
                    print("")
                    print(
                        table(
                            [["topic", "partitions", "replication", "errors"]]
                                + cluster.topics.map { topic in
                                    let errors = topic.partitions.compactMap(\.error) + (topic.error.map { [$0] } ?? [])
                                    return [
                                        topic.name, "\(topic.partitions.count)", "\(topic.partitions.map(\.replicas.count).max() ?? 0)",
                                        errors.isEmpty ? "-" : Set(errors).sorted().joined(separator: ",")
                                    ]
                                }))
                }
            }
        }
    }

    struct Lag: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Consumer lag per partition: committed offset against the log end offset.")

        @OptionGroup var connection: Connection

        @Option(name: .shortAndLong, help: "Consumer group; repeat for several.")
        var group: [String]

        func validate() throws {
            if group.isEmpty { throw ValidationError("--group: name at least one consumer group") }
        }

        func run() async throws {
            let groups = group
            let lags = try await connection.with("lag") { client throws(KafkaClientError) in
                var lags: [ConsumerGroupLag] = []
                for group in groups { lags.append(try await client.consumerLag(group: group)) }
                return lags
            }
            switch connection.output {
            case .json:
                struct Output: Encodable {
                    let group: String
                    let state: String?
                    let coordinator: String
                    let totalLag: Int64
                    let partitions: [ConsumerGroupLag.Partition]
                }
                print(
                    try jsonString(
                        lags.map {
                            Output(group: $0.group, state: $0.state, coordinator: $0.coordinator, totalLag: $0.totalLag, partitions: $0.partitions)
                        }))
            case .text:
                for (index, lag) in lags.enumerated() {
                    if index > 0 { print("") }
                    print(
                        "Group \(lag.group) (\(lag.state ?? "unknown state"), coordinator \(lag.coordinator)): \(lag.totalLag) record\(lag.totalLag == 1 ? "" : "s") behind"
                    )
                    if lag.partitions.isEmpty {
                        print("No committed offsets.")
                        continue
                    }
                    print("")
                    print(
                        table(
                            [["partition", "committed", "log end", "lag"]]
                                + lag.partitions.map {
                                    [
                                        "\($0.topic)-\($0.partition)", $0.committed.map(String.init) ?? "-", "\($0.logEnd)",
                                        $0.lag.map(String.init) ?? "-"
                                    ]
                                }))
                }
            }
        }
    }

    struct Reassignments: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Partition reassignments in progress.")

        @OptionGroup var connection: Connection

        func run() async throws {
            let ongoing = try await connection.with("reassignments") { client throws(KafkaClientError) in try await client.listReassignments() }
            switch connection.output {
            case .json:
                print(try jsonString(ongoing))
            case .text:
                if ongoing.isEmpty {
                    print("No reassignment in progress.")
                    return
                }
                print(
                    table(
                        [["partition", "replicas", "adding", "removing"]]
                            + ongoing.map {
                                ["\($0.topic)-\($0.partition)", ids($0.replicas), ids($0.adding), ids($0.removing)]
                            }))
            }
        }

        func ids(_ list: [Int32]) -> String { list.isEmpty ? "-" : list.map(String.init).joined(separator: ",") }
    }
}

/// A plain text table, columns padded to their widest cell.
func table(_ rows: [[String]]) -> String {
    guard let columns = rows.map(\.count).max() else { return "" }
    let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
    return rows.map { row in
        row.enumerated().map { index, cell in index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0) }
            .joined(separator: "  ")
    }.joined(separator: "\n")
}
