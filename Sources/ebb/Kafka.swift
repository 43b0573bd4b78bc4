import ArgumentParser
import Foundation
import KafkaAdmin

struct Kafka: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Look at a Kafka cluster through Ebb's own Kafka client.",
        subcommands: [Describe.self, Reassignments.self]
    )

    struct Connection: ParsableArguments {
        @Option(name: .long, help: "host:port of a broker; repeat or separate with commas for several.")
        var bootstrap: [String]

        @Option(help: "Seconds to wait for each answer.")
        var timeout: Double = 10

        @Option(name: .shortAndLong, help: "text or json.")
        var output: OutputFormat = .text

        func client() throws -> KafkaAdminClient {
            let servers = bootstrap.flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
            for server in servers where KafkaAdminClient.split(server) == nil {
                throw ValidationError("--bootstrap: '\(server)' is not host:port")
            }
            return KafkaAdminClient(.init(bootstrapServers: servers, requestTimeout: .milliseconds(Int64(timeout * 1000)), retries: 2))
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Brokers with racks, the controller, and partition and leader counts per broker.")

        @OptionGroup var connection: Connection

        func run() async throws {
            let client = try connection.client()
            defer { Task { await client.close() } }
            let cluster: KafkaClusterDescription
            do {
                cluster = try await client.describeCluster()
            } catch {
                FileHandle.standardError.write(Data("ebb kafka describe: \(error)\n".utf8))
                await client.close()
                throw ExitCode(1)
            }
            await client.close()
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
                print(try jsonString(Output(
                    cluster: cluster,
                    partitionsPerBroker: Dictionary(uniqueKeysWithValues: replicas.map { (String($0.key), $0.value) }),
                    leadersPerBroker: Dictionary(uniqueKeysWithValues: leaders.map { (String($0.key), $0.value) }))))
            case .text:
                let partitions = cluster.topics.reduce(0) { $0 + $1.partitions.count }
                print("Cluster \(cluster.clusterId ?? "(no id)"), controller \(cluster.controllerId), \(cluster.brokers.count) broker\(cluster.brokers.count == 1 ? "" : "s"), \(cluster.topics.count) topic\(cluster.topics.count == 1 ? "" : "s"), \(partitions) partition\(partitions == 1 ? "" : "s")\n")
                print(table([["broker", "address", "rack", "partitions", "leaders"]] + cluster.brokers.map {
                    ["\($0.id)\($0.id == cluster.controllerId ? " *" : "")", "\($0.host):\($0.port)", $0.rack ?? "-", "\(replicas[$0.id] ?? 0)", "\(leaders[$0.id] ?? 0)"]
                }))
                if !cluster.topics.isEmpty {
                    print("")
                    print(table([["topic", "partitions", "replication", "errors"]] + cluster.topics.map { topic in
                        let errors = topic.partitions.compactMap(\.error) + (topic.error.map { [$0] } ?? [])
                        return [topic.name, "\(topic.partitions.count)", "\(topic.partitions.map(\.replicas.count).max() ?? 0)", errors.isEmpty ? "-" : Set(errors).sorted().joined(separator: ",")]
                    }))
                }
            }
        }
    }

    struct Reassignments: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Partition reassignments in progress.")

        @OptionGroup var connection: Connection

        func run() async throws {
            let client = try connection.client()
            let ongoing: [OngoingReassignment]
            do {
                ongoing = try await client.listReassignments()
            } catch {
                FileHandle.standardError.write(Data("ebb kafka reassignments: \(error)\n".utf8))
                await client.close()
                throw ExitCode(1)
            }
            await client.close()
            switch connection.output {
            case .json:
                print(try jsonString(ongoing))
            case .text:
                if ongoing.isEmpty {
                    print("No reassignment in progress.")
                    return
                }
                print(table([["partition", "replicas", "adding", "removing"]] + ongoing.map {
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
