import BrokerScaling
import EbbTestSupport
import Foundation
import KubernetesClient
import KubernetesTypes
import Simulator
import Testing

/// HTTPS to the Kubernetes face, configured from a kubeconfig as users write them: a CA, a
/// bearer token or a client certificate.
@Suite(.serialized)
struct ClientTLSTests {
    static func kubeconfig(server: String, ca: String, user: String) -> String {
        """
        apiVersion: v1
        kind: Config
        current-context: face
        clusters:
        - name: face
          cluster:
            server: \(server)
            certificate-authority-data: \(Data((try? Data(contentsOf: URL(fileURLWithPath: ca))) ?? Data()).base64EncodedString())
        contexts:
        - name: face
          context: {cluster: face, user: ebb, namespace: shop}
        users:
        - name: ebb
          user:
        \(user)
        """
    }

    func listNamespaces(_ config: String) async throws -> Result<Int, KubernetesClientError> {
        var parsed = KubeConfig()
        try parsed.merge(text: config, file: "test-kubeconfig")
        let client = try Kubernetes(try parsed.resolve(), timeout: TestTime.scaled(.seconds(5)))
        struct Namespace: KubernetesResource {
            static let resource = ResourceKind(group: "", version: "v1", plural: "namespaces", namespaced: false)
            static let kindName = "Namespace"
            var metadata: ObjectMeta
        }
        do throws(KubernetesClientError) {
            return .success(try await client.list(Namespace.self, namespace: nil).items.count)
        } catch {
            return .failure(error)
        }
    }

    @Test func tokenAndClientCertificateOverVerifiedTLS() async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        let server = try await KubernetesFaceServer.start(
            world: KubernetesWorld(), tls: try certificates.serverContext(requireClientCertificates: false), bearerToken: "s3cret")
        let token = try await listNamespaces(Self.kubeconfig(server: server.url, ca: certificates.ca, user: "    token: s3cret"))
        #expect(try token.get() == 2)
        let wrong = try await listNamespaces(Self.kubeconfig(server: server.url, ca: certificates.ca, user: "    token: guessed"))
        #expect(throws: KubernetesClientError.self) { try wrong.get() }
        if case .failure(let error) = wrong { #expect(error.apiError?.httpStatus == 401, "\(error)") }
        await server.stop()

        let mutual = try await KubernetesFaceServer.start(
            world: KubernetesWorld(), tls: try certificates.serverContext(requireClientCertificates: true), bearerToken: "s3cret")
        let user = "    client-certificate: \(certificates.clientCertificate)\n    client-key: \(certificates.clientKey)"
        let byCertificate = try await listNamespaces(Self.kubeconfig(server: mutual.url, ca: certificates.ca, user: user))
        #expect(try byCertificate.get() == 2)
        await mutual.stop()
    }

    @Test func anUntrustedServerIsRefused() async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        let server = try await KubernetesFaceServer.start(world: KubernetesWorld(), tls: try certificates.serverContext())
        let result = try await listNamespaces(Self.kubeconfig(server: server.url, ca: certificates.otherCA, user: "    token: x"))
        #expect(throws: KubernetesClientError.self) { try result.get() }
        if case .failure(let error) = result {
            #expect("\(error)".hasPrefix("list namespaces: "), "names the step: \(error)")
            #expect(error.isRetriable)
        }
        // insecure-skip-tls-verify, when the kubeconfig says so, connects anyway.
        let insecure = Self.kubeconfig(server: server.url, ca: certificates.otherCA, user: "    token: x")
            .replacingOccurrences(of: "    certificate-authority-data:", with: "    insecure-skip-tls-verify: true\n    x-unused-ca:")
        #expect(try await listNamespaces(insecure).get() == 2)
        await server.stop()
    }
}
