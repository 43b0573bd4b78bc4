import BrokerScaling
import Foundation
import KubernetesClient
import Operator
import Testing

/// An API server (or something pretending to be one) that answers garbage: every call fails
/// with an error that names the step and the cause, and nothing crashes.
struct HostileServerTests {
    @Test(arguments: [
        ("{\"kind\": \"BrokerPool\", \"metadata\": {\"name\": ", "truncated JSON"),
        ("<html><body>502 Bad Gateway</body></html>", "an HTML error page"),
        ("{\"kind\": \"BrokerPool\", \"spec\": {\"maxReplicas\": \"lots\"}}", "wrong types"),
        ("\u{0}\u{1}\u{2}garbage\u{ff}", "binary garbage"),
    ])
    func garbageIsAnErrorNamingTheStep(_ body: String, _ what: String) async throws {
        let channel = try await PlainHTTP.bind(host: "127.0.0.1", port: 0) { _ in (.ok, "application/json", body) }
        let client = try Kubernetes(try KubernetesConfiguration(server: "http://127.0.0.1:\(channel.localAddress?.port ?? 0)"), timeout: .seconds(5))
        do {
            _ = try await client.get(BrokerPool.self, namespace: "shop", name: "shop-events")
            Issue.record("\(what) was accepted as a BrokerPool")
        } catch {
            #expect("\(error)".contains("brokerpool"), "the error names the step: \(error)")
        }
        do {
            _ = try await client.list(BrokerPool.self, namespace: "shop")
            Issue.record("\(what) was accepted as a list")
        } catch {
            #expect("\(error)".contains("list brokerpools in shop"), "the error names the step: \(error)")
        }
        try await channel.close()
    }
}
