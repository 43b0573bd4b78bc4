import BrokerMetrics
import BrokerScaling
import Foundation
import Operator
import Testing

/// Issue 18: a pool's `serverAddress` was any URL, and the first 200 bytes of whatever answered
/// ended up in the pool's status. Now only the operator's Prometheus (or hosts its administrator
/// allows) is asked, and a failed answer shows its HTTP status and Prometheus error type only.
struct PrometheusAddressTests {
    static let secretPage = "root:x:0:0 internal-admin-token-4711"

    static func httpAnswer(status: String, contentType: String, body: String) -> [UInt8] {
        Array("HTTP/1.1 \(status)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)".utf8)
    }

    static func pool(serverAddress: String) -> BrokerPool {
        var pool = PoolReconcilerTests.pool()
        pool.spec.metrics = [
            MetricSpec(
                type: .prometheus, name: "orders",
                prometheus: PrometheusMetric(
                    serverAddress: serverAddress, query: "sum(orders)", target: MetricTarget(type: .value, value: try! Quantity("10"))))
        ]
        return pool
    }

    static func observe(_ pool: BrokerPool, _ addresses: PrometheusAddressPolicy) async -> MetricObservation? {
        let source = PoolMetricSource(prometheus: nil, kafka: KafkaClients(kubernetes: nil), addresses: addresses)
        return await source.observe(pool, now: Date(), cluster: nil).first
    }

    @Test func anAddressTheOperatorDoesNotAllowIsNotAsked() async throws {
        let listener = try await RawListener.start(
            .answer(Self.httpAnswer(status: "500 Internal Server Error", contentType: "text/html", body: Self.secretPage)))
        let observation = await Self.observe(
            Self.pool(serverAddress: "http://\(listener.address)/api"), PrometheusAddressPolicy(operatorURL: "http://prometheus.monitoring:9090"))
        let error = try #require(observation?.error)
        #expect(error.contains("serverAddress 127.0.0.1:\(listener.port) is not allowed: ebb run queries only its --prometheus-url"), "\(error)")
        #expect(listener.received.isEmpty, "the address was not even asked")
        await listener.stop()
    }

    @Test(arguments: [
        ("500 Internal Server Error", "text/html", "<html>\(secretPage)</html>", "500"),
        (
            "400 Bad Request", "application/json", #"{"status":"error","errorType":"bad_data","error":"\#(secretPage)"}"#,
            "Prometheus rejected the query (bad_data)"
        ),
        ("422 Unprocessable Entity", "application/json", #"{"status":"error","errorType":"\#(secretPage)","error":"x"}"#, "unknown error type"),
        ("200 OK", "application/json", #"{"status":"success","data":"\#(secretPage)"}"#, "not a query result")
    ])
    func anAllowedAddressShowsTheStatusAndErrorTypeNeverTheBody(_ status: String, _ type: String, _ body: String, _ shown: String) async throws {
        let listener = try await RawListener.start(.answer(Self.httpAnswer(status: status, contentType: type, body: body)))
        let observation = await Self.observe(
            Self.pool(serverAddress: "http://\(listener.address)"), PrometheusAddressPolicy(operatorURL: nil, hosts: ["127.0.0.1"]))
        let error = try #require(observation?.error)
        #expect(!listener.received.isEmpty, "the allowed address was asked")
        #expect(error.contains(shown), "\(error)")
        #expect(!error.contains("internal-admin-token") && !error.contains("root:x"), "the body is echoed: \(error)")
        await listener.stop()
    }

    @Test func theOperatorsOwnPrometheusHostIsAllowedOnAnyPathAndHostsByName() {
        let policy = PrometheusAddressPolicy(operatorURL: "http://Prometheus.monitoring:9090", hosts: ["thanos.monitoring", "vm.monitoring:8428"])
        #expect(policy.refusal(of: "http://prometheus.monitoring:9090/prefix") == nil)
        #expect(policy.refusal(of: "http://prometheus.monitoring:9091") != nil, "another port of the same host is another server")
        #expect(policy.refusal(of: "https://thanos.monitoring") == nil)
        #expect(policy.refusal(of: "http://vm.monitoring:8428") == nil)
        #expect(policy.refusal(of: "http://vm.monitoring:9999") != nil)
        #expect(policy.refusal(of: "http://169.254.169.254/latest/meta-data") != nil)
        #expect(
            PrometheusAddressPolicy(operatorURL: nil).refusal(of: "http://prometheus.monitoring:9090") != nil,
            "no --prometheus-url: nothing is allowed")
    }

    @Test func aServerAddressWithUserInfoAQueryOrAFragmentIsInvalid() {
        for address in ["http://user:pw@prometheus:9090", "http://prometheus:9090/api?x=1", "http://prometheus:9090/#frag"] {
            let problems = BrokerPoolValidator.problems(in: Self.pool(serverAddress: address).spec)
            #expect(problems.contains { $0.path == "spec.metrics[0].prometheus.serverAddress" }, "\(address): \(problems)")
        }
        #expect(BrokerPoolValidator.problems(in: Self.pool(serverAddress: "http://prometheus:9090/prefix").spec).isEmpty)
    }
}
