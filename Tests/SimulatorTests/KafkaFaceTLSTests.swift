import EbbTestSupport
import Foundation
import KafkaAdmin
import NIOSSL
import Simulator
import Testing

/// TLS between Ebb's client and the face: verified by default, refused with a named error when
/// the certificate is not trusted or names another host.
@Suite(.serialized)
struct KafkaFaceTLSTests {
    func describe(_ tls: ClientTLS?, host: String = "127.0.0.1", certificates: TestCertificates) async throws -> Result<
        KafkaClusterDescription, KafkaClientError
    > {
        let cluster = KafkaFaceTests.cluster()
        let server = try await KafkaFaceServer.start(router: cluster.router(), tls: try certificates.serverContext())
        cluster.advertise(host: host, port: server.port)
        let client = KafkaAdminClient(.init(bootstrapServers: ["\(host):\(server.port)"], requestTimeout: .seconds(5), retries: 0, tls: tls))
        let result: Result<KafkaClusterDescription, KafkaClientError>
        do {
            result = .success(try await client.describeCluster())
        } catch {
            result = .failure(error)
        }
        await client.close()
        await server.stop()
        return result
    }

    @Test func aTrustedCertificateIsVerifiedAndServes() async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        let byName = try await describe(ClientTLS(caFile: certificates.ca), host: "localhost", certificates: certificates)
        #expect(try byName.get().brokers.count == 3)
        // An address with the name to check given apart, as for brokers advertised by IP.
        let byIP = try await describe(ClientTLS(caFile: certificates.ca, serverName: "localhost"), certificates: certificates)
        #expect(try byIP.get().brokers.count == 3)
    }

    @Test func anUntrustedCertificateIsRefusedByName() async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        let result = try await describe(ClientTLS(caFile: certificates.otherCA, serverName: "localhost"), certificates: certificates)
        #expect(throws: KafkaClientError.self) { try result.get() }
        if case .failure(let error) = result {
            #expect("\(error)".hasPrefix("TLS with 127.0.0.1:"), "\(error)")
            #expect(!error.isRetriable)
        }
    }

    @Test func aCertificateForAnotherNameIsRefused() async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        let result = try await describe(ClientTLS(caFile: certificates.ca, serverName: "kafka.example.com"), certificates: certificates)
        #expect(throws: KafkaClientError.self) { try result.get() }
        let byIP = try await describe(ClientTLS(caFile: certificates.ca), certificates: certificates)
        #expect(throws: KafkaClientError.self) { try byIP.get() }
        // Turning verification off is the user's explicit choice, and then it connects.
        let unverified = try await describe(ClientTLS(serverName: "kafka.example.com", verifyCertificates: false), certificates: certificates)
        #expect(try unverified.get().brokers.count == 3)
    }

    @Test func aMissingCAFileIsNamed() async throws {
        #expect {
            _ = try ClientTLS(caFile: "/nonexistent/ca.pem").makeContext()
        } throws: { error in
            "\(error)".contains("CA /nonexistent/ca.pem")
        }
    }
}
