import BrokerScaling
import Foundation
import NIOConcurrencyHelpers

/// The face's stand-in for a CEL interpreter: each `x-kubernetes-validations` rule it serves is
/// one of Ebb's `PoolRule`s, recognised by its exact CEL text and evaluated on the JSON the
/// server holds, with CEL's outcome: true, false, or an evaluation error ("invalid data,
/// expected int, got string") when a field has the wrong type. A CRD with a rule the face cannot
/// evaluate is refused when it is created, so no rule is ever skipped in silence.
enum FaceCELRules {
    enum Outcome: Equatable {
        case pass
        case fail
        case error(String)
    }

    static func isKnown(_ rule: String) -> Bool { PoolRule.allCases.contains { $0.cel == rule } }

    static func evaluate(_ rule: String, on value: JSON) -> Outcome {
        guard let known = PoolRule.allCases.first(where: { $0.cel == rule }) else {
            return .error("no such rule")
        }
        do {
            return try check(known, value) ? .pass : .fail
        } catch {
            return .error(error.text)
        }
    }

    struct TypeMismatch: Error {
        var text: String
    }

    static func int(_ value: JSON?) throws(TypeMismatch) -> Int64 {
        switch value {
        case .int(let number)?: return number
        case .string?: throw TypeMismatch(text: "invalid data, expected int, got string")
        case .bool?: throw TypeMismatch(text: "invalid data, expected int, got bool")
        case .double?: throw TypeMismatch(text: "invalid data, expected int, got double")
        default: throw TypeMismatch(text: "no such key")
        }
    }

    static func check(_ rule: PoolRule, _ object: JSON) throws(TypeMismatch) -> Bool {
        func has(_ key: String) -> Bool { object[key] != nil }
        func type(_ value: JSON?) -> String? { value?["type"]?.string }
        switch rule {
        case .minReplicasNotAboveMax:
            guard has("minReplicas") else { return true }
            let minimum = try int(object["minReplicas"])
            let maximum = try int(object["maxReplicas"])
            return minimum <= maximum
        case .fallbackWithinMax:
            guard has("fallback") else { return true }
            let replicas = try int(object["fallback"]?["replicas"])
            let maximum = try int(object["maxReplicas"])
            return replicas <= maximum
        case .scheduleFloorWithinMax:
            guard let schedules = object["schedules"]?.arrayValue else { return true }
            let max = try int(object["maxReplicas"])
            for schedule in schedules {
                let floor = try int(schedule["minReplicas"])
                if floor > max { return false }
            }
            return true
        case .scheduleWindowForm:
            return (has("cron") && has("duration") && !has("start") && !has("end"))
                || (has("start") && has("end") && !has("cron") && !has("duration"))
        case .metricMemberMatchesType:
            let kind = object["type"]?.string
            return (kind == "BrokerThroughput") == has("brokerThroughput") && (kind == "ConsumerLag") == has("consumerLag")
                && (kind == "Prometheus") == has("prometheus") && (kind == "CPU") == has("cpu")
        case .throughputTargetIsAverageValue:
            return type(object["target"]) == "AverageValue"
        case .cpuTargetIsUtilization:
            return type(object["target"]) == "Utilization"
        case .lagTargetNotUtilization, .prometheusTargetNotUtilization:
            return type(object["target"]) != "Utilization"
        case .targetMemberMatchesType:
            let kind = object["type"]?.string
            return (kind == "Value") == has("value") && (kind == "AverageValue") == has("averageValue")
                && (kind == "Utilization") == has("averageUtilization")
        case .moveLimitsOrdered:
            guard has("maxConcurrentMovesPerBroker"), has("maxConcurrentMovesPerCluster") else { return true }
            let perBroker = try int(object["maxConcurrentMovesPerBroker"])
            let perCluster = try int(object["maxConcurrentMovesPerCluster"])
            return perBroker <= perCluster
        }
    }

    /// Every rule text in a schema that the face cannot evaluate, with its path.
    static func unknownRules(in schema: JSON, at path: String) -> [(String, String)] {
        var found: [(String, String)] = []
        for (index, rule) in (schema["x-kubernetes-validations"]?.arrayValue ?? []).enumerated() {
            if let text = rule["rule"]?.string, !isKnown(text) { found.append(("\(path).x-kubernetes-validations[\(index)].rule", text)) }
        }
        for (name, child) in (schema["properties"]?.objectValue ?? [:]) { found += unknownRules(in: child, at: "\(path).properties[\(name)]") }
        if let items = schema["items"] { found += unknownRules(in: items, at: "\(path).items") }
        return found
    }
}

/// OpenAPI `pattern`s (RE2 syntax; the ones CRDs use are also valid ICU), compiled once.
enum FacePattern {
    static let cache = NIOLockedValueBox<[String: NSRegularExpression]>([:])

    static func matches(_ text: String, _ pattern: String) -> Bool {
        let compiled = cache.withLockedValue { cache -> NSRegularExpression? in
            if let known = cache[pattern] { return known }
            do {
                let made = try NSRegularExpression(pattern: pattern)
                cache[pattern] = made
                return made
            } catch {
                return nil
            }
        }
        // A pattern the face cannot compile: the API server would have refused the CRD.
        guard let compiled else { return false }
        return compiled.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
