import EbbTestSupport
import Foundation
import KubernetesClient
import Simulator
import Testing

/// How the client names the API server: the Host header (IPv6 in brackets), and the TLS server
/// name, which is never an IP literal (NIOSSL refuses one, so that an IPv6 cluster's API server
/// could not be reached) and is the kubeconfig's `tls-server-name` when it gives one.
@Suite(.serialized)
struct ServerNameTests {
    /// An IPv6 API server's Host header was fd00::1:6443 (no brackets).
    @Test func hostHeaderBracketsIPv6() throws {
        #expect(ServerAddress("https://[fd00::1]:6443")?.hostHeader == "[fd00::1]:6443")
        #expect(ServerAddress("https://[fd00::1]")?.hostHeader == "[fd00::1]")
        #expect(ServerAddress("https://10.96.0.1:6443")?.hostHeader == "10.96.0.1:6443")
        #expect(ServerAddress("https://kubernetes.default.svc")?.hostHeader == "kubernetes.default.svc")
        #expect(ServerAddress("http://[fd00::1]")?.port == 80)
    }

    /// The host as the kubeconfig parser gives it, from an IPv6 server address.
    @Test func ipv6ServerFromAKubeconfig() throws {
        let configuration = try KubernetesConfiguration(server: "https://[fd00::1]:6443", credentials: .none)
        #expect(configuration.host == "fd00::1")
        #expect(configuration.server == "https://[fd00::1]:6443")
        _ = try Kubernetes(configuration)
    }

    @Test(arguments: ["https://[fd00::1", "https://[fd00::1]x", "ftp://host", "https://host:0", "https://host:70000", "https://"])
    func unusableAddressesAreRefused(_ server: String) {
        #expect(ServerAddress(server) == nil)
        #expect(throws: KubeConfigError.self) { try KubernetesConfiguration(server: server) }
    }

    /// The test certificate names localhost only. Asked by IP, the client sends no server name
    /// and checks the certificate against the IP (refused: a certificate error, not an SNI
    /// one); with `tls-server-name: localhost` it sends and checks that name.
    @Test func anIPLiteralIsCheckedByAddressAndTLSServerNameByName() async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        let server = try await KubernetesFaceServer.start(world: KubernetesWorld(), tls: try certificates.serverContext())
        let ca = Array(try Data(contentsOf: URL(fileURLWithPath: certificates.ca)))
        let byAddress = try Kubernetes(
            try KubernetesConfiguration(server: "https://127.0.0.1:\(server.port)", certificateAuthorityPEM: ca), timeout: .seconds(5))
        do {
            _ = try await byAddress.get(Lease.self, namespace: "default", name: "x")
            Issue.record("a certificate for localhost was accepted for 127.0.0.1")
        } catch {
            #expect(!"\(error)".contains("SNI"), "\(error)")
            #expect("\(error)".contains("the API server at https://127.0.0.1:\(server.port)"), "\(error)")
        }
        let byName = try Kubernetes(
            try KubernetesConfiguration(server: "https://127.0.0.1:\(server.port)", certificateAuthorityPEM: ca, tlsServerName: "localhost"),
            timeout: .seconds(5))
        do {
            _ = try await byName.get(Lease.self, namespace: "default", name: "x")
        } catch {
            #expect(error.apiError?.isNotFound == true, "connected, and the Lease is not there: \(error)")
        }
        await server.stop()
    }
}
