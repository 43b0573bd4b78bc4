import BrokerMetrics
import BrokerScaling
import Foundation
import Operator
import Testing

/// `spec.predictive` reads the pool's throughput history with one Prometheus range query of the
/// bytes-in query's sum, and keeps it for ten minutes.
struct ThroughputHistoryTests {
    static func pool() -> BrokerPool {
        var pool = PoolReconcilerTests.pool()
        pool.spec.metrics = [.throughput(.in, perBroker: try! Quantity("105Mi"))]
        pool.spec.predictive = PredictiveScaling(mode: .on, historyDays: 7)
        return pool
    }

    static let matrix =
        #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1795712400,"314572800"],[1795712460,"NaN"],[1795712520,"3145728000"]]}]}}"#

    @Test func oneRangeQueryOfTheSumIsReadAndKeptForTenMinutes() async throws {
        let listener = try await RawListener.start(
            .answer(PrometheusAddressTests.httpAnswer(status: "200 OK", contentType: "application/json", body: Self.matrix)))
        let source = PoolMetricSource(prometheus: try PrometheusClient(url: "http://\(listener.address)"), kafka: KafkaClients(kubernetes: nil))
        let now = Date(timeIntervalSince1970: 1_795_798_800)
        let history = try await source.throughputHistory(Self.pool(), now: now)
        #expect(history.map(\.value) == [314_572_800, 3_145_728_000], "the NaN reading is left out")
        let request = String(decoding: listener.received, as: UTF8.self)
        #expect(request.hasPrefix("GET /api/v1/query_range?"), "\(request.prefix(200))")
        let query = try #require(URLComponents(string: String(request.split(separator: " ")[1]))?.queryItems)
        #expect(
            query.first { $0.name == "query" }?.value?.hasPrefix(
                "sum(sum by (pod) (rate(kafka_server_brokertopicmetrics_bytesin_total{namespace=\"shop\"") == true)
        #expect(query.first { $0.name == "start" }?.value == String(1_795_798_800 - 7 * 86_400))
        #expect(query.first { $0.name == "step" }?.value == "61", "7 days in at most 10,000 steps")

        // Five minutes later the kept history answers; eleven minutes later Prometheus is asked again.
        let asked = listener.received.count
        _ = try await source.throughputHistory(Self.pool(), now: now.addingTimeInterval(300))
        #expect(listener.received.count == asked)
        _ = try await source.throughputHistory(Self.pool(), now: now.addingTimeInterval(660))
        #expect(listener.received.count > asked)
        await listener.stop()
    }

    @Test func aPrometheusErrorIsThrownNotAnEmptyHistory() async throws {
        let body = #"{"status":"error","errorType":"bad_data","error":"exceeded maximum resolution of 11,000 points per timeseries"}"#
        let listener = try await RawListener.start(
            .answer(PrometheusAddressTests.httpAnswer(status: "400 Bad Request", contentType: "application/json", body: body)))
        let source = PoolMetricSource(prometheus: try PrometheusClient(url: "http://\(listener.address)"), kafka: KafkaClients(kubernetes: nil))
        await #expect(throws: PrometheusError.self) { try await source.throughputHistory(Self.pool(), now: Date()) }
        await listener.stop()
    }
}

/// The reconciler asks for the history only when the pool predicts, raises the pool to the
/// forecast's floor before the rise, and shows the floor in the status.
struct PredictiveReconcileTests {
    @Test func yesterdaysPeakRaisesThePoolBeforeItAndTheStatusSaysWhy() async throws {
        var pool = ThroughputHistoryTests.pool()
        pool.spec.metrics = [.throughput(.in, perBroker: try! Quantity("100Mi"))]
        let world = FakeWorld(pool: pool, brokers: 3, partitions: 48, bytesInPerSecond: 150 * PoolReconcilerTests.mebibyte)
        let harness = PoolReconcilerTests.Harness(world: world)
        let now = harness.time.withLockedValue { $0 }
        // Yesterday 900 MiB/s from two minutes after this time for an hour; 150 MiB/s otherwise.
        let history = stride(from: -86_400.0, to: -60, by: 60).map { offset in
            MetricSample(
                time: now.addingTimeInterval(offset),
                value: ((-86_280.0)...(-82_800.0)).contains(offset) ? 900 * PoolReconcilerTests.mebibyte : 150 * PoolReconcilerTests.mebibyte)
        }
        world.state.withLockedValue { $0.throughputHistory = history }
        try await harness.step()
        let state = world.state.withLockedValue { $0 }
        #expect(state.patches.first == 9, "900 MiB/s at 100 MiB/s a broker, before the rise: \(state.patches)")
        let forecast = try #require(world.pool.status?.forecast)
        #expect(forecast.floor == 9 && forecast.applied && forecast.mode == .on)
        #expect(forecast.message.contains("one earlier day at this time of day, 300 s ahead"), "\(forecast.message)")
        #expect(world.pool.status?.lastDecision?.limitedBy == "Forecast")
        #expect(
            world.pool.status?.lastDecision?.reason.contains("spec.predictive: forecast 900 MiB/s within 300 s") == true,
            "\(world.pool.status?.lastDecision?.reason ?? "")")
    }

    @Test func withoutHistoryThePoolIsSizedByItsMetricsAndTheLogSaysWhy() async throws {
        let world = FakeWorld(pool: ThroughputHistoryTests.pool(), brokers: 3, partitions: 48, bytesInPerSecond: 150 * PoolReconcilerTests.mebibyte)
        let harness = PoolReconcilerTests.Harness(world: world)
        try await harness.step()
        #expect(world.state.withLockedValue { $0.patches }.isEmpty)
        #expect(world.pool.status?.forecast == nil)
        #expect(world.logLines.withLockedValue { $0 }.contains { $0.contains("cannot read the throughput history for spec.predictive") })
    }
}
