import Foundation
import KubernetesClient
import NIOSSL
import Testing

/// The TLS server name the Kubernetes client sends: none for an IP literal, so that an IPv6
/// cluster's API server (https://[fd00::1]:6443) can be reached; NIOSSL refuses an address as SNI.
struct ServerNameTests {
    @Test(arguments: ["fd00::1", "[fd00::1]", "fe80::1%eth0", "::ffff:10.96.0.1", "10.96.0.1", "::1"])
    func noServerNameForIPLiterals(_ host: String) throws {
        #expect(KubernetesHTTP.sniName(host: host, explicit: nil) == nil)
        let context = try NIOSSLContext(configuration: .makeClientConfiguration())
        _ = try NIOSSLClientHandler(context: context, serverHostname: KubernetesHTTP.sniName(host: host, explicit: nil))
    }

    /// The host as the kubeconfig parser gives it, from an IPv6 server address.
    @Test func ipv6ServerFromAKubeconfigIsSentWithoutServerName() throws {
        let configuration = try KubernetesConfiguration(server: "https://[fd00::1]:6443", credentials: .none)
        #expect(configuration.host == "fd00::1")
        #expect(KubernetesHTTP.sniName(host: configuration.host, explicit: configuration.tlsServerName) == nil)
        let context = try NIOSSLContext(configuration: .makeClientConfiguration())
        #expect(throws: (any Error).self) { try NIOSSLClientHandler(context: context, serverHostname: configuration.host) }
    }

    /// An IPv6 API server's Host header was fd00::1:6443 (no brackets).
    @Test func hostHeaderBracketsIPv6() {
        #expect(KubernetesHTTP.hostHeader(host: "fd00::1", port: 6443) == "[fd00::1]:6443")
        #expect(KubernetesHTTP.hostHeader(host: "fd00::1", port: 443) == "[fd00::1]")
        #expect(KubernetesHTTP.hostHeader(host: "10.96.0.1", port: 6443) == "10.96.0.1:6443")
        #expect(KubernetesHTTP.hostHeader(host: "kubernetes.default.svc", port: 443) == "kubernetes.default.svc")
    }

    @Test func hostNamesAndExplicitNamesAreSent() {
        #expect(KubernetesHTTP.sniName(host: "kubernetes.default.svc", explicit: nil) == "kubernetes.default.svc")
        #expect(KubernetesHTTP.sniName(host: "fd00::1", explicit: "api.example") == "api.example")
    }
}
