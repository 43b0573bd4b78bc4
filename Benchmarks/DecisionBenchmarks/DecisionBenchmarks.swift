import Benchmark
import BrokerScaling
import Foundation

/// One decision of a realistic pool: 5 metrics, 2 schedules, a 300 s history of
/// recommendations every 10 s and a few scale events. The baseline in the same run is the
/// smallest decision (1 metric, empty history), so the report reads as a ratio too.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        warmupIterations: 100,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )

    let full = DecisionBenchmarkInputs.input(metrics: 5, historySeconds: 300, schedules: true)
    let withoutSchedules = DecisionBenchmarkInputs.input(metrics: 5, historySeconds: 300, schedules: false)
    let baseline = DecisionBenchmarkInputs.input(metrics: 1, historySeconds: 0, schedules: false)

    Benchmark("Decision: 5 metrics, 300 s history, 2 schedules") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(DecisionEngine.decide(full))
        }
    }

    Benchmark("Decision: 5 metrics, 300 s history, no schedules") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(DecisionEngine.decide(withoutSchedules))
        }
    }

    Benchmark("Baseline decision: 1 metric, no history") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(DecisionEngine.decide(baseline))
        }
    }
}

enum DecisionBenchmarkInputs {
    static func input(metrics count: Int, historySeconds: Int, schedules: Bool) -> DecisionInput {
        let now = Date(timeIntervalSince1970: 1_795_798_800)
        let mebibyte = 1_048_576.0
        let all: [MetricSpec] = [
            .throughput(.in, perBroker: try! Quantity("120Mi"), name: "bytes-in"),
            .throughput(.out, perBroker: try! Quantity("240Mi"), name: "bytes-out"),
            .lag(group: "orders", target: MetricTarget(type: .averageValue, averageValue: try! Quantity("2000")), name: "orders-lag"),
            .lag(group: "clicks", target: MetricTarget(type: .value, value: try! Quantity("5M")), name: "clicks-lag"),
            .cpu(utilization: 70, name: "cpu")
        ]
        var spec = BrokerPoolSpec(
            scaleTargetRef: ScaleTargetReference(name: "broker"), kafka: KafkaConnection(bootstrapServers: ["kafka:9092"]),
            minReplicas: 3, maxReplicas: 48, metrics: Array(all.prefix(count)),
            behavior: ScalingBehavior(
                scaleUp: ScalingRules(policies: [
                    ScalingPolicy(type: .percent, value: 100, periodSeconds: 60), ScalingPolicy(type: .pods, value: 4, periodSeconds: 60)
                ]),
                scaleDown: ScalingRules(
                    stabilizationWindowSeconds: 300, selectPolicy: .min,
                    policies: [ScalingPolicy(type: .pods, value: 2, periodSeconds: 300), ScalingPolicy(type: .percent, value: 10, periodSeconds: 300)]
                )))
        if schedules {
            spec.schedules = [
                ScalingSchedule(
                    name: "black-friday", minReplicas: 16, timeZone: "America/New_York", start: "2026-11-28T05:00", end: "2026-11-29T02:00"),
                ScalingSchedule(name: "thursday", minReplicas: 8, timeZone: "America/New_York", cron: "45 18 * * THU", duration: "2h")
            ]
        }
        let samples = (0..<30).map { MetricSample(time: now.addingTimeInterval(Double($0 - 29) * 10), value: Double(100 + $0)) }
        let observations: [MetricObservation] = [
            MetricObservation(name: "bytes-in", samples: samples.map { MetricSample(time: $0.time, value: $0.value * 12 * mebibyte) }),
            MetricObservation(name: "bytes-out", samples: samples.map { MetricSample(time: $0.time, value: $0.value * 24 * mebibyte) }),
            MetricObservation(name: "orders-lag", samples: samples.map { MetricSample(time: $0.time, value: $0.value * 300) }, partitions: 48),
            MetricObservation(name: "clicks-lag", samples: samples.map { MetricSample(time: $0.time, value: $0.value * 20_000) }),
            MetricObservation(name: "cpu", pods: (0..<12).map { PodReading(utilization: Double(50 + $0), ready: $0 != 11) })
        ]
        let history = ScalingHistory(
            recommendations: stride(from: historySeconds, to: 0, by: -10).map {
                ScalingHistory.Recommendation(time: now.addingTimeInterval(-Double($0)), replicas: Int32(10 + $0 % 3))
            },
            scaleEvents: historySeconds > 0 ? [ScalingHistory.ScaleEvent(time: now.addingTimeInterval(-200), from: 8, to: 12)] : [])
        return DecisionInput(
            now: now, spec: spec, currentReplicas: 12, readyReplicas: 11, partitionReplicas: 144,
            metrics: Array(observations.prefix(count)), history: history)
    }
}
