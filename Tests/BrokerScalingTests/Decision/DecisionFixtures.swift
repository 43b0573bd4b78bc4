import BrokerScaling
import Foundation

/// Builders for decision inputs, in the units people write them in.
enum Fixture {
    static let t0 = Date(timeIntervalSince1970: 1_795_798_800)  // 2026-11-27T17:00:00Z
    static let mebibyte = 1_048_576.0

    static func spec(
        min: Int32 = 1, max: Int32 = 100, metrics: [MetricSpec] = [.throughput(.in, perBroker: try! Quantity("120Mi"))],
        behavior: ScalingBehavior? = nil
    ) -> BrokerPoolSpec {
        BrokerPoolSpec(
            scaleTargetRef: ScaleTargetReference(name: "broker"), kafka: KafkaConnection(bootstrapServers: ["kafka:9092"]),
            minReplicas: min, maxReplicas: max, metrics: metrics, behavior: behavior)
    }

    /// Bytes-in through the whole cluster: `perBroker` MiB/s on each of `brokers` brokers.
    static func bytesIn(_ perBroker: Double, brokers: Int32, at time: Date = t0, reporting: Int32? = nil) -> MetricObservation {
        MetricObservation(
            name: "bytes-in", samples: [MetricSample(time: time, value: perBroker * mebibyte * Double(brokers))], reportingBrokers: reporting)
    }

    static func input(
        _ spec: BrokerPoolSpec, current: Int32, _ metrics: [MetricObservation], now: Date = t0,
        history: ScalingHistory? = ScalingHistory(), ready: Int32? = nil
    ) -> DecisionInput {
        DecisionInput(now: now, spec: spec, currentReplicas: current, readyReplicas: ready, metrics: metrics, history: history)
    }

    static func rules(window: Int32? = nil, select: ScalingRules.SelectPolicy? = nil, _ policies: [ScalingPolicy]? = nil, tolerance: String? = nil)
        -> ScalingRules
    {
        ScalingRules(stabilizationWindowSeconds: window, selectPolicy: select, policies: policies, tolerance: tolerance.map { try! Quantity($0) })
    }

    static func pods(_ value: Int32, per seconds: Int32) -> ScalingPolicy { ScalingPolicy(type: .pods, value: value, periodSeconds: seconds) }
    static func percent(_ value: Int32, per seconds: Int32) -> ScalingPolicy { ScalingPolicy(type: .percent, value: value, periodSeconds: seconds) }

    static func ago(_ seconds: Double, from now: Date = t0) -> Date { now.addingTimeInterval(-seconds) }
}
