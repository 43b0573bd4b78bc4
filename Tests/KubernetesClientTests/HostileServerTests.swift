import BrokerMetrics
import BrokerScaling
import EbbTestSupport
import Foundation
import KubernetesClient
import Operator
import Testing

/// An API server or a Prometheus (or something pretending to be one) that answers garbage or
/// a body without end: every call fails with an error that names the step, the peer and the
/// cause, nothing crashes, and no more than the limit is read.
struct HostileServerTests {
    @Test(arguments: [
        ("{\"kind\": \"BrokerPool\", \"metadata\": {\"name\": ", "truncated JSON"),
        ("<html><body>502 Bad Gateway</body></html>", "an HTML error page"),
        ("{\"kind\": \"BrokerPool\", \"spec\": {\"maxReplicas\": \"lots\"}}", "wrong types"),
        ("\u{0}\u{1}\u{2}garbage\u{ff}", "binary garbage")
    ])
    func garbageIsAnErrorNamingTheStep(_ body: String, _ what: String) async throws {
        let server = try await HostileHTTPServer.start(.endless) { _ in body }
        let client = try Kubernetes(try KubernetesConfiguration(server: server.url), timeout: .seconds(5))
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
        await server.stop()
    }

    static let small = HTTPEndpointConfiguration.Limits(body: 1 << 20, line: 256 << 10)

    /// A list whose page never ends: refused once the limit is read, naming the API server.
    @Test(arguments: [HostileHTTPServer.Body.endless, .declared(1 << 30)])
    func anOversizedPageIsRefusedNamingTheAPIServer(_ body: HostileHTTPServer.Body) async throws {
        let server = try await HostileHTTPServer.start(body)
        let client = try Kubernetes(try KubernetesConfiguration(server: server.url), timeout: TestTime.scaled(.seconds(10)), limits: Self.small)
        do {
            _ = try await client.list(BrokerPool.self, namespace: "shop")
            Issue.record("an endless page was accepted")
        } catch {
            guard case .tooLarge = error else {
                Issue.record("not refused as too large: \(error)")
                return
            }
            #expect("\(error)" == "list brokerpools in shop: the API server at \(server.url) sent an answer over the 1 MiB limit; it was dropped")
            #expect(error.isRetriable)
        }
        #expect(server.bytesSent < 64 << 20, "the client stopped reading near its limit: \(server.bytesSent) bytes were written")
        await server.stop()
    }

    /// A watch whose first event never ends: refused at the line limit.
    @Test func anEndlessWatchEventIsRefusedNamingTheAPIServer() async throws {
        let server = try await HostileHTTPServer.start(.endless) { uri in
            uri.contains("watch=true")
                ? nil : #"{"kind":"BrokerPoolList","apiVersion":"ebb.io/v1alpha1","metadata":{"resourceVersion":"7"},"items":[]}"#
        }
        let client = try Kubernetes(try KubernetesConfiguration(server: server.url), timeout: TestTime.scaled(.seconds(10)), limits: Self.small)
        let list = try await client.list(BrokerPool.self, namespace: "shop")
        #expect(list.resourceVersion == "7")
        do {
            try await client.watch(BrokerPool.self, namespace: "shop", resourceVersion: list.resourceVersion) { _ throws(KubernetesClientError) in
                true
            }
            Issue.record("the endless watch ended without an error")
        } catch {
            #expect(
                "\(error)"
                    == "watch brokerpools in shop: the API server at \(server.url) sent a streamed line over the 256 KiB limit; the stream was closed"
            )
        }
        #expect(server.bytesSent < 64 << 20, "\(server.bytesSent) bytes were written")
        await server.stop()
    }

    /// A Prometheus address that answers without end: the query fails naming that Prometheus.
    @Test(arguments: [HostileHTTPServer.Body.endless, .declared(1 << 30)])
    func anEndlessPrometheusAnswerIsRefusedNamingIt(_ body: HostileHTTPServer.Body) async throws {
        let server = try await HostileHTTPServer.start(body)
        let prometheus = try PrometheusClient(url: server.url, timeout: TestTime.scaled(.seconds(10)))
        do {
            _ = try await prometheus.value("sum(up)")
            Issue.record("an endless Prometheus answer was accepted")
        } catch {
            #expect("\(error)" == "query Prometheus: Prometheus at \(server.url) sent an answer over the 4 MiB limit; it was dropped")
        }
        #expect(server.bytesSent < 64 << 20, "\(server.bytesSent) bytes were written")
        await server.stop()
    }

    @Test func aPrometheusAddressThatIsNoURLIsRefused() {
        #expect(throws: PrometheusError.badAddress("prometheus:9090")) { try PrometheusClient(url: "prometheus:9090") }
    }
}
