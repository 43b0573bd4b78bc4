import Foundation

/// What the served world shows: Prometheus metrics, its own state as JSON, and the files a
/// user needs to point `ebb run` and kubectl at it.
extension ServedWorld {
    /// The brokers' metrics in Prometheus text format, one series per broker pod and topic,
    /// named as Kafka's JMX exporter names them (`kafka_server_brokertopicmetrics_*_total`)
    /// and as AutoMQ names them (`kafka_network_io_bytes_total{direction,topic}`). Counters advance
    /// at the world's rate per world second, so `rate()` reads MiB/s of the world at any speed.
    func exposition() -> String {
        let counters = traffic.counters
        let scale = 1 / options.speed
        var out = ""
        func series(_ name: String, _ values: [Int32: [String: Double]], _ extra: String = "") {
            for broker in values.keys.sorted() {
                for topic in values[broker]!.keys.sorted() {
                    out +=
                        "\(name){namespace=\"\(options.namespace)\",pod=\"\(options.statefulSet)-\(broker)\",topic=\"\(topic)\"\(extra)} \(format(values[broker]![topic]! * scale))\n"
                }
            }
        }
        func family(_ name: String, _ help: String, _ values: [Int32: [String: Double]]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) counter\n"
            series(name, values)
        }
        family("kafka_server_brokertopicmetrics_bytesin_total", "Bytes produced to the broker's partitions.", counters.bytesIn)
        family("kafka_server_brokertopicmetrics_bytesout_total", "Bytes fetched from the broker's partitions.", counters.bytesOut)
        family("kafka_server_brokertopicmetrics_messagesin_total", "Messages produced to the broker's partitions.", counters.messagesIn)
        // AutoMQ's OpenTelemetry name for the same broker-topic byte counters.
        out +=
            "# HELP kafka_network_io_bytes_total Bytes received or sent by the broker, per topic (AutoMQ).\n# TYPE kafka_network_io_bytes_total counter\n"
        series("kafka_network_io_bytes_total", counters.bytesIn, ",direction=\"in\"")
        series("kafka_network_io_bytes_total", counters.bytesOut, ",direction=\"out\"")
        // The producers' side, as applications export it: what they tried to send, accepted or not.
        out +=
            "# HELP \(ProducerMetrics.offeredBytes) Bytes the applications handed to their Kafka producers, sent or refused.\n# TYPE \(ProducerMetrics.offeredBytes) counter\n"
        for topic in counters.offered.keys.sorted() {
            out +=
                "\(ProducerMetrics.offeredBytes){namespace=\"\(options.namespace)\",topic=\"\(topic)\"} \(format(counters.offered[topic]! * scale))\n"
        }
        let state = observed.withLockedValue { $0 }
        out += "# HELP ebb_sim_consumer_lag_messages Consumer lag of the simulated group.\n# TYPE ebb_sim_consumer_lag_messages gauge\n"
        out += "ebb_sim_consumer_lag_messages{group=\"\(options.group)\"} \(format(traffic.lagMessages))\n"
        out += "# HELP ebb_sim_demand_mib_per_second Produce demand of the scenario now.\n# TYPE ebb_sim_demand_mib_per_second gauge\n"
        out += "ebb_sim_demand_mib_per_second \(format(traffic.demandMiBPerSecond))\n"
        out += "# HELP ebb_sim_brokers Registered Kafka brokers.\n# TYPE ebb_sim_brokers gauge\n"
        out += "ebb_sim_brokers \(kafka.brokerIds.count)\n"
        out += "# HELP ebb_sim_violations Broken world invariants so far.\n# TYPE ebb_sim_violations gauge\n"
        out += "ebb_sim_violations \(state.violations.count)\n"
        return out
    }

    private func format(_ value: Double) -> String { String(format: "%.1f", value) }

    /// The world now, for scripts and tests: time, demand, brokers and who holds what, lag,
    /// completed moves, violations.
    public func worldJSON() throws -> String {
        let state = observed.withLockedValue { $0 }
        let brokers = kafka.brokerIds
        let held = Dictionary(uniqueKeysWithValues: brokers.map { ("\($0)", kafka.partitions(on: $0).count) })
        // Read the request log once per answer: each audit walks all of it.
        let api = operatorAudit
        let object: [String: Any] = [
            "seconds": state.now, "demandMiBPerSecond": traffic.demandMiBPerSecond, "brokers": brokers.map(Int.init),
            "partitionsByBroker": held, "lagMessages": traffic.lagMessages, "peakLagMessages": state.peakLag,
            "refusedMiB": traffic.refusedBytes / 1_048_576, "peakBrokers": state.peakBrokers,
            "movesCompleted": kafka.completedMoves, "reassigning": kafka.movesInFlight, "violations": state.violations,
            "operatorAPI": [
                "requests": api.audit.requests, "repeatedScaleWrites": api.audit.repeatedScaleWrites, "repeatedEvents": api.audit.repeatedEvents,
                "staleStatusConflicts": api.audit.staleStatusConflicts, "forbidden": api.audit.forbidden, "unusedGrants": api.unusedGrants
            ] as [String: Any],
            "faults": Dictionary(uniqueKeysWithValues: (faults?.counts ?? [:]).map { ($0.key.rawValue, $0.value) })
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// A kubeconfig for the Kubernetes face (plain HTTP on loopback, namespace preset): the
    /// current context is the cluster admin (for kubectl); context `ebb-operator` is the
    /// operator's ServiceAccount, held to the shipped RBAC, for `ebb run --context ebb-operator`.
    public func kubeconfig() -> String {
        """
        apiVersion: v1
        kind: Config
        current-context: ebb-simulate
        clusters:
          - name: ebb-simulate
            cluster: {server: "\(kubernetesURL)"}
        contexts:
          - name: ebb-simulate
            context: {cluster: ebb-simulate, namespace: \(options.namespace), user: ebb-simulate}
          - name: ebb-operator
            context: {cluster: ebb-simulate, namespace: \(options.namespace), user: ebb-operator}
        users:
          - name: ebb-simulate
            user: {}
          - name: ebb-operator
            user: {token: \(Self.operatorToken)}

        """
    }

    /// A BrokerPool for the world's broker StatefulSet: bytes-in per broker at 70 % of a
    /// broker's capacity beside what the producers offer, and the consumer group's lag, with the
    /// world's Kafka address.
    public func examplePool() -> String {
        let target = Int((settings.brokerCapacityMiBPerSecond * 0.7).rounded())
        return """
            apiVersion: ebb.io/v1alpha1
            kind: BrokerPool
            metadata:
              name: \(Self.poolName)
              namespace: \(options.namespace)
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: StatefulSet, name: \(options.statefulSet)}
              kafka:
                bootstrapServers: ["\(kafkaAddress)"]\(options.kafkaSASL ? "\n    sasl: {mechanism: SCRAM-SHA-512, credentialsSecretRef: {name: \(Self.kafkaCredentialsSecret)}, allowWithoutTLS: true}" : "")
              minReplicas: 3
              maxReplicas: 40
              pollingIntervalSeconds: 5
              metrics:
                - type: BrokerThroughput
                  name: bytes-in
                  brokerThroughput:
                    direction: In
                    target: {type: AverageValue, averageValue: \(target)Mi}
                    offeredQuery: '\(ProducerMetrics.offeredQuery)'
                - type: ConsumerLag
                  name: lag
                  consumerLag:
                    group: \(options.group)
                    target: {type: AverageValue, averageValue: "500"}

            """
    }
}
