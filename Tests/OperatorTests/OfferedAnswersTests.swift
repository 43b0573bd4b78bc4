import BrokerMetrics
import BrokerScaling
import Foundation
import Operator
import Testing

/// The operator keeps `offeredQuery`'s recent answers beside the newest, so the decision can
/// carry a rising answer forward by `offeredReadingAgeSeconds`.
struct OfferedAnswersTests {
    static let vector = #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1795712400,"1048576000"]}]}}"#

    static let start = Date(timeIntervalSince1970: 1_795_712_400)

    /// A metric source on a Prometheus that answers every query with `vector`, and a pool whose
    /// bytes-in metric has an offeredQuery. Stop the listener at the end.
    static func source() async throws -> (listener: RawListener, source: PoolMetricSource, pool: BrokerPool) {
        let listener = try await RawListener.start(
            .answer(PrometheusAddressTests.httpAnswer(status: "200 OK", contentType: "application/json", body: Self.vector)))
        let source = PoolMetricSource(prometheus: try PrometheusClient(url: "http://\(listener.address)"), kafka: KafkaClients(kubernetes: nil))
        var pool = PoolReconcilerTests.pool()
        pool.spec.metrics = [.throughput(.in, perBroker: try Quantity("105Mi"), offeredQuery: "sum(irate(producer_offered_bytes_total[1m]))")]
        return (listener, source, pool)
    }

    @Test func earlierAnswersComeWithTheNewest() async throws {
        var (listener, source, pool) = try await Self.source()
        pool.spec.metrics?[0].brokerThroughput?.offeredReadingAgeSeconds = 15
        let start = Self.start
        var last: MetricObservation?
        for step in 0..<8 {
            last = try #require(await source.observe(pool, now: start.addingTimeInterval(Double(10 * step)), cluster: nil).first)
        }
        let observation = try #require(last)
        #expect(observation.error == nil && observation.offeredError == nil, "\(observation)")
        #expect(observation.offered?.time == start.addingTimeInterval(70))
        #expect(observation.offered?.value == 1_048_576_000)
        // The newest and the five before it, oldest first; bytes in keeps its own six.
        #expect(observation.offeredEarlier?.map(\.time) == (2..<7).map { start.addingTimeInterval(Double(10 * $0)) })
        #expect(observation.samples?.count == 6)

        // An edited query starts over: its answers are not a rise from the old query's, and the
        // old query's answers are dropped, not kept beside (switching back starts over too).
        var edited = pool
        edited.spec.metrics?[0].brokerThroughput?.offeredQuery = "sum(irate(producer_offered_bytes_total[2m]))"
        for (step, next) in [edited, pool].enumerated() {
            let answer = try #require(await source.observe(next, now: start.addingTimeInterval(Double(80 + 10 * step)), cluster: nil).first)
            #expect(answer.offered != nil && answer.offeredEarlier == [], "\(step): \(String(describing: answer.offeredEarlier))")
        }
        await listener.stop()
    }
}
