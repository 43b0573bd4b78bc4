import Foundation
import KubernetesClient
import Testing

struct KubeConfigTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/kubeconfig")
    static func path(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    @Test func aTokenContextResolves() throws {
        let config = try KubeConfig.load(paths: [Self.path("token.yaml")]).resolve()
        #expect(config.server == "https://10.0.0.1:6443")
        #expect(config.credentials == .token("sekret-token"))
        #expect(config.namespace == "shop")
        #expect(String(decoding: config.certificateAuthorityPEM ?? [], as: UTF8.self).hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(config.source.hasSuffix("context shop-prod"))
        #expect(!config.insecureSkipTLSVerify)
    }

    @Test func severalFilesMergeAsKubectlDoes() throws {
        let paths = KubeConfig.paths(
            explicit: nil, environment: ["KUBECONFIG": "\(Self.path("merged-a.yaml")):/nonexistent/skipped:\(Self.path("merged-b.yaml"))"])
        #expect(paths.count == 3)
        let merged = try KubeConfig.load(paths: paths)
        // The first file to set current-context wins, and the first definition of a name.
        let current = try merged.resolve()
        #expect(current.server == "https://staging.example.com:443")
        #expect(current.credentials == .basic(username: "alice", password: "wonderland"))
        #expect(current.namespace == "default")
        let prod = try merged.resolve(context: "prod")
        #expect(prod.host == "prod.example.com" && prod.port == 8443 && prod.basePath == "/k8s")
        #expect(prod.insecureSkipTLSVerify)
        // A token file is relative to its kubeconfig, and re-read on every request.
        #expect(prod.credentials == .tokenFile(Self.path("tokens/bot.token")))
        #expect(merged.contextNames == ["prod", "staging"])
        #expect(prod.warnings.count == 1 && prod.warnings[0].contains("insecure-skip-tls-verify is set for https://prod.example.com:8443/k8s"))
        #expect(current.warnings.isEmpty)
    }

    @Test func certificateFilesAreRelativeToTheKubeconfig() throws {
        let config = try KubeConfig.load(paths: [Self.path("client-cert.yaml")]).resolve()
        #expect(config.clientCertificatePEM != nil && config.clientKeyPEM != nil && config.certificateAuthorityPEM != nil)
        #expect(config.tlsServerName == "kubernetes")
        #expect(config.credentials == .none)
    }

    @Test func theDefaultPathIsHomeKubeConfig() {
        #expect(KubeConfig.paths(explicit: nil, environment: ["HOME": "/home/ops"]) == ["/home/ops/.kube/config"])
        #expect(KubeConfig.paths(explicit: "/etc/ebb/kubeconfig", environment: ["KUBECONFIG": "/a:/b"]) == ["/etc/ebb/kubeconfig"])
    }

    static let broken: [(String, String?, String)] = [
        ("exec-plugin.yaml", nil, "users[aws].user.exec: credential plugins are not supported"),
        ("broken-no-server.yaml", nil, "clusters[c].cluster.server: is missing"),
        ("broken-unknown-user.yaml", nil, "names no defined user ('nobody')"),
        ("broken-bad-base64.yaml", nil, "certificate-authority-data: is not base64"),
        ("broken-not-yaml.yaml", nil, "is not valid YAML"),
        ("broken-bad-server.yaml", nil, "'10.0.0.1:6443' is not an http(s)://host[:port] URL"),
        ("token.yaml", "staging", "has no context 'staging'; use one of: shop-prod"),
        ("missing.yaml", nil, "no such file; pass --kubeconfig PATH")
    ]

    @Test(arguments: 0..<broken.count)
    func brokenConfigsSayWhatAndWhere(_ index: Int) {
        let (file, context, message) = Self.broken[index]
        do {
            _ = try KubeConfig.load(paths: [Self.path(file)]).resolve(context: context)
            Issue.record("\(file) should not resolve")
        } catch {
            #expect(error.description.contains(message), "\(error)")
            #expect(error.description.contains(file == "missing.yaml" ? "missing.yaml" : ".yaml"), "names the file: \(error)")
        }
    }

    @Test func inClusterNeedsTheServiceAccount() throws {
        #expect(throws: KubeConfigError.self) { try KubernetesConfiguration.inCluster(environment: [:]) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sa-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "token-1".write(to: directory.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        try "-----BEGIN CERTIFICATE-----\n".write(to: directory.appendingPathComponent("ca.crt"), atomically: true, encoding: .utf8)
        try "shop\n".write(to: directory.appendingPathComponent("namespace"), atomically: true, encoding: .utf8)
        let config = try KubernetesConfiguration.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"], directory: directory.path)
        #expect(config.server == "https://10.96.0.1:443")
        #expect(config.namespace == "shop")
        #expect(config.credentials == .tokenFile(directory.appendingPathComponent("token").path))
    }
}
