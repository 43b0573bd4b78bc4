import KafkaAdmin
import Testing

/// What the client sends again. A reassignment whose request timed out is not sent again: its
/// fate is unknown, and it was checked against brokers that may have gone in the meantime.
struct RetryTests {
    static func client(retries: Int) -> KafkaAdminClient {
        KafkaAdminClient(.init(bootstrapServers: ["127.0.0.1:9"], retries: retries, retryBackoff: .milliseconds(1)))
    }

    @Test func aTimeoutIsTheAnswerWhenRetryingAfterOneIsOff() async {
        let client = Self.client(retries: 3)
        var attempts = 0
        await #expect(throws: KafkaClientError.self) {
            _ = try await client.retrying(afterTimeout: false) { () async throws(KafkaClientError) -> Int in
                attempts += 1
                throw .timeout(api: "AlterPartitionReassignments", broker: "b", seconds: 3)
            }
        }
        #expect(attempts == 1)
        await client.close()
    }

    @Test func otherRetriableFailuresAreRetriedEitherWay() async throws {
        let client = Self.client(retries: 3)
        var attempts = 0
        let answer = try await client.retrying(afterTimeout: false) { () async throws(KafkaClientError) -> Int in
            attempts += 1
            if attempts < 3 { throw .kafka(api: "AlterPartitionReassignments", broker: "b", code: KafkaErrorCode(7), message: nil) }
            return 42
        }
        #expect(answer == 42 && attempts == 3)
        var timeouts = 0
        await #expect(throws: KafkaClientError.self) {
            _ = try await client.retrying { () async throws(KafkaClientError) -> Int in
                timeouts += 1
                throw .timeout(api: "Metadata", broker: "b", seconds: 3)
            }
        }
        #expect(timeouts == 4, "a read is retried after a timeout: 1 + 3 retries")
        await client.close()
    }
}
