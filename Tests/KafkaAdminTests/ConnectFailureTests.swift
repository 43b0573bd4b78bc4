import EbbTestSupport
import KafkaAdmin
import Testing

/// A broker address that cannot be reached is said in a user's words, with the address.
struct ConnectFailureTests {
    @Test func aRefusedConnectionSaysNothingListens() async throws {
        let port = RealParts.freePort()
        let client = KafkaAdminClient(
            .init(bootstrapServers: ["127.0.0.1:\(port)"], requestTimeout: .milliseconds(Int64(TestTime.scaled(seconds: 5) * 1000)), retries: 0))
        defer { Task { await client.close() } }
        do {
            _ = try await client.describeCluster()
            Issue.record("a port where nothing listens answered")
        } catch {
            let said = "\(error)"
            #expect(said.contains("127.0.0.1:\(port)") && said.contains("connection refused: nothing listens there"), "\(said)")
            #expect(!said.contains("errno") && !said.contains("NIOConnectionError"), "\(said)")
        }
    }

    @Test func aNameThatDoesNotResolveIsSaidSo() async throws {
        let client = KafkaAdminClient(
            .init(
                bootstrapServers: ["no-such-broker.invalid:9092"], requestTimeout: .milliseconds(Int64(TestTime.scaled(seconds: 5) * 1000)),
                retries: 0))
        defer { Task { await client.close() } }
        do {
            _ = try await client.describeCluster()
            Issue.record("an unresolvable name answered")
        } catch {
            #expect("\(error)".contains("no-such-broker.invalid:9092") && "\(error)".contains("does not resolve"), "\(error)")
        }
    }
}
