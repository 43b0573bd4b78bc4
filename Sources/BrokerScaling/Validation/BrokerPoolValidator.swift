import Foundation

/// The checks a schema cannot express: the CEL rules of `PoolRule` (so that servers without CEL,
/// `ebb validate` and the operator agree), and what needs code, such as time zones and cron.
public enum BrokerPoolValidator {
    /// Every problem with a decoded spec, with paths starting at `spec`.
    public static func problems(in spec: BrokerPoolSpec) -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        func add(_ path: String, _ message: String) { problems.append(ValidationProblem(path: path, message: message)) }

        if let minReplicas = spec.minReplicas, minReplicas > spec.maxReplicas {
            add("spec.minReplicas", "\(PoolRule.minReplicasNotAboveMax.message) (minReplicas \(minReplicas) > maxReplicas \(spec.maxReplicas))")
        }
        if let fallback = spec.fallback, fallback.replicas > spec.maxReplicas {
            add("spec.fallback.replicas", "\(PoolRule.fallbackWithinMax.message) (\(fallback.replicas) > \(spec.maxReplicas))")
        }

        if let offset = spec.brokerIdOffset, Int64(offset) + Int64(spec.maxReplicas) - 1 > Int64(Int32.max) {
            add(
                "spec.brokerIdOffset",
                "brokerIdOffset \(offset) + maxReplicas \(spec.maxReplicas) - 1 is beyond Kafka's largest node id \(Int32.max); use at most \(Int64(Int32.max) - Int64(spec.maxReplicas) + 1)"
            )
        }
        for (index, server) in spec.kafka.bootstrapServers.enumerated() {
            if let problem = portProblem(server) { add("spec.kafka.bootstrapServers[\(index)]", problem) }
        }
        if let sasl = spec.kafka.sasl, !spec.kafka.usesTLS, sasl.allowWithoutTLS != true {
            add(
                "spec.kafka.sasl",
                "SASL \(sasl.mechanism.rawValue) without TLS would send the credentials\(sasl.mechanism == .plain ? " (the password itself)" : "") in the clear; add spec.kafka.tls, or set spec.kafka.sasl.allowWithoutTLS: true to accept that"
            )
        }

        var metricNames = Set<String>()
        for (index, metric) in (spec.metrics ?? []).enumerated() {
            let path = "spec.metrics[\(index)]"
            if metric.consumerLag?.catchUpSeconds != nil,
                !(spec.metrics ?? []).contains(where: { $0.type == .brokerThroughput && $0.brokerThroughput?.direction == .in })
            {
                add(
                    "\(path).consumerLag.catchUpSeconds",
                    "a lag target that drains needs the offered load: add a BrokerThroughput metric with direction In")
            }
            problems += metricProblems(metric, at: path)
            if metric.brokerThroughput?.offeredQuery != nil, metric.brokerThroughput?.direction != .in {
                add(
                    "\(path).brokerThroughput.offeredQuery",
                    "offeredQuery is what producers try to send, so it belongs to direction In; move it to the BrokerThroughput In metric")
            }
            if let age = metric.brokerThroughput?.offeredReadingAgeSeconds, age > 0, metric.brokerThroughput?.offeredQuery == nil {
                add(
                    "\(path).brokerThroughput.offeredReadingAgeSeconds",
                    "offeredReadingAgeSeconds is the age of offeredQuery's answers, so it needs offeredQuery (on the BrokerThroughput In metric)")
            }
            if let address = metric.prometheus?.serverAddress, let problem = serverAddressProblem(address) {
                add("\(path).prometheus.serverAddress", problem)
            }
            if !metricNames.insert(metric.displayName).inserted {
                add("\(path).name", "duplicate metric name '\(metric.displayName)'; give each metric a distinct name")
            }
        }

        for (index, schedule) in (spec.schedules ?? []).enumerated() {
            let path = "spec.schedules[\(index)]"
            if schedule.minReplicas > spec.maxReplicas {
                add("\(path).minReplicas", "\(PoolRule.scheduleFloorWithinMax.message) (\(schedule.minReplicas) > \(spec.maxReplicas))")
            }
            let (hasCron, hasDuration) = (schedule.cron != nil, schedule.duration != nil)
            let (hasStart, hasEnd) = (schedule.start != nil, schedule.end != nil)
            let repeatingForm = hasCron && hasDuration && !hasStart && !hasEnd
            let oneOffForm = hasStart && hasEnd && !hasCron && !hasDuration
            if !(repeatingForm || oneOffForm) {
                add(path, PoolRule.scheduleWindowForm.message)
                continue
            }
            do {
                _ = try schedule.window()
            } catch {
                add(error.field.isEmpty ? path : "\(path).\(error.field)", error.message)
            }
        }

        if let predictive = spec.predictive, predictive.effectiveMode != .off {
            if DemandEstimate.throughputIn(spec) == nil {
                add("spec.predictive", "a forecast learns from the pool's produce throughput: add a BrokerThroughput metric with direction In")
            }
            if let zone = predictive.timeZone, TimeZone(identifier: zone) == nil {
                add("spec.predictive.timeZone", "unknown time zone '\(zone)'; use an IANA name such as UTC, Europe/Berlin or America/New_York")
            }
        }

        if let reassignment = spec.reassignment, let perBroker = reassignment.maxConcurrentMovesPerBroker,
            let perCluster = reassignment.maxConcurrentMovesPerCluster, perBroker > perCluster
        {
            add("spec.reassignment.maxConcurrentMovesPerBroker", "\(PoolRule.moveLimitsOrdered.message) (\(perBroker) > \(perCluster))")
        }
        return problems
    }

    /// A Prometheus base address: scheme, host, port and a path prefix, nothing that a query
    /// would not need (user info, a query string, a fragment).
    static func serverAddressProblem(_ address: String) -> String? {
        let rest = address.drop { $0 != ":" }.dropFirst(3)
        let authority = rest.prefix { $0 != "/" }
        if authority.contains("@") { return "'\(address)' carries user info; give the base address only (scheme, host, port, path)" }
        if address.contains("?") || address.contains("#") {
            return "'\(address)' has a query or a fragment; give the base address only (scheme, host, port, path)"
        }
        if authority.isEmpty { return "'\(address)' names no host" }
        return nil
    }

    /// The schema's pattern allows any 1 to 5 digits as the port; a TCP port is 1-65535.
    static func portProblem(_ server: String) -> String? {
        guard let colon = server.lastIndex(of: ":") else { return nil }
        let digits = server[server.index(after: colon)...]
        guard let port = Int(digits), !(1...65535).contains(port) else { return nil }
        return "port \(digits) in '\(server)' is outside 1-65535"
    }

    static func metricProblems(_ metric: MetricSpec, at path: String) -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        let members: [(MetricSpec.MetricType, String, Bool)] = [
            (.brokerThroughput, "brokerThroughput", metric.brokerThroughput != nil),
            (.consumerLag, "consumerLag", metric.consumerLag != nil),
            (.prometheus, "prometheus", metric.prometheus != nil),
            (.cpu, "cpu", metric.cpu != nil)
        ]
        for (type, member, present) in members where (type == metric.type) != present {
            let detail = present ? "\(member) is set but type is \(metric.type.rawValue)" : "type is \(type.rawValue) but \(member) is missing"
            problems.append(ValidationProblem(path: "\(path).\(member)", message: "\(detail); \(PoolRule.metricMemberMatchesType.message)"))
        }
        guard problems.isEmpty else { return problems }

        let member: String
        let target: MetricTarget
        let rule: PoolRule
        let allowed: Bool
        switch metric.type {
        case .brokerThroughput:
            member = "brokerThroughput"
            target = metric.brokerThroughput!.target
            rule = .throughputTargetIsAverageValue
            allowed = target.type == .averageValue
        case .consumerLag:
            member = "consumerLag"
            target = metric.consumerLag!.target
            rule = .lagTargetNotUtilization
            allowed = target.type != .utilization
        case .prometheus:
            member = "prometheus"
            target = metric.prometheus!.target
            rule = .prometheusTargetNotUtilization
            allowed = target.type != .utilization
        case .cpu:
            member = "cpu"
            target = metric.cpu!.target
            rule = .cpuTargetIsUtilization
            allowed = target.type == .utilization
        }
        let targetPath = "\(path).\(member).target"
        if !allowed {
            problems.append(ValidationProblem(path: "\(targetPath).type", message: "\(rule.message) (got \(target.type.rawValue))"))
        }
        let fields: [(MetricTarget.TargetType, String, Bool)] = [
            (.value, "value", target.value != nil),
            (.averageValue, "averageValue", target.averageValue != nil),
            (.utilization, "averageUtilization", target.averageUtilization != nil)
        ]
        for (type, field, present) in fields where (type == target.type) != present {
            let detail =
                present ? "\(field) is set but target.type is \(target.type.rawValue)" : "target.type is \(type.rawValue) but \(field) is missing"
            problems.append(ValidationProblem(path: "\(targetPath).\(field)", message: "\(detail); \(PoolRule.targetMemberMatchesType.message)"))
        }
        return problems
    }
}
