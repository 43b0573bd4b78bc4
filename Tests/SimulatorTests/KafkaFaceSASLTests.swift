import KafkaAdmin
import Simulator
import Testing

/// SASL PLAIN and SCRAM between Ebb's client and the face, both directions checked: a wrong
/// password is refused by the face, and the client refuses a server that cannot prove it knows
/// the credentials (tested in SCRAMTests against RFC 7677's exchange).
struct KafkaFaceSASLTests {
    let face = KafkaFaceTests()
    static func users() throws -> KafkaFaceSASL { try KafkaFaceSASL(mechanisms: [.plain, .scramSHA256, .scramSHA512], users: ["ebb": "s3cret=,pw"]) }

    @Test(arguments: SASLCredentials.Mechanism.allCases)
    func authenticatesThenServes(_ mechanism: SASLCredentials.Mechanism) async throws {
        let cluster = KafkaFaceTests.cluster()
        let description = try await face.withFace(
            cluster, sasl: try Self.users(), credentials: .init(mechanism: mechanism, username: "ebb", password: "s3cret=,pw")
        ) { _, client in
            try await client.describeCluster()
        }
        #expect(description.brokers.count == 3)
    }

    @Test(arguments: SASLCredentials.Mechanism.allCases)
    func aWrongPasswordIsRefusedByName(_ mechanism: SASLCredentials.Mechanism) async throws {
        let cluster = KafkaFaceTests.cluster()
        _ = try await face.withFace(cluster, sasl: try Self.users(), credentials: .init(mechanism: mechanism, username: "ebb", password: "guess")) {
            server, client in
            await #expect {
                try await client.describeCluster()
            } throws: { error in
                let text = "\(error)"
                return text.contains("SASL \(mechanism.rawValue)") && text.contains(server.address) && text.contains("SASL_AUTHENTICATION_FAILED")
            }
        }
    }

    @Test func aMechanismTheBrokerDoesNotEnableListsTheOnesItDoes() async throws {
        let cluster = KafkaFaceTests.cluster()
        let plainOnly = try KafkaFaceSASL(mechanisms: [.plain], users: ["ebb": "pw"])
        _ = try await face.withFace(cluster, sasl: plainOnly, credentials: .init(mechanism: .scramSHA512, username: "ebb", password: "pw")) {
            _, client in
            await #expect {
                try await client.describeCluster()
            } throws: { error in
                "\(error)".contains("does not enable this mechanism; it offers PLAIN")
            }
        }
    }

    @Test func withoutCredentialsASASLListenerClosesTheConnection() async throws {
        let cluster = KafkaFaceTests.cluster()
        _ = try await face.withFace(cluster, sasl: try Self.users()) { _, client in
            await #expect {
                try await client.describeCluster()
            } throws: { error in
                "\(error)".contains("Metadata") && "\(error)".contains("closed")
            }
        }
    }
}
