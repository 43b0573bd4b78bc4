import BrokerScaling
import Foundation
import KubernetesTypes
import Testing

/// The CRD in Manifests/ and the Swift types must describe the same API.
struct APIDriftTests {
    @Test(arguments: InstallManifests.files.map(\.path))
    func committedManifestMatchesGenerated(_ path: String) throws {
        let file = try #require(InstallManifests.files.first { $0.path == path })
        let committed = try RepositoryFiles.read("Manifests/\(path)")
        #expect(committed == (try file.render()), "Manifests/\(path) is stale: run `swift run ebb manifests --write Manifests`")
    }

    /// Every field, default and bound of the CRD is in the reference page, because the page is
    /// written from the same schema; this fails when the committed page is stale.
    @Test func committedReferenceMatchesTheSchema() throws {
        let committed = try RepositoryFiles.read("Docs/brokerpool-reference.md")
        #expect(
            committed == BrokerPoolReference.markdown(),
            "Docs/brokerpool-reference.md is stale: run `swift run ebb manifests --reference > Docs/brokerpool-reference.md`")
        for field in [
            "spec.scaleInCooldownSeconds", "spec.behavior.scaleDown.stabilizationWindowSeconds", "spec.metrics[].consumerLag.group",
            "status.conditions[].observedGeneration"
        ] {
            #expect(committed.contains("`\(field)`"), "\(field) is not in the reference")
        }
    }

    /// A pool with every optional field set, so that its JSON has every key the Swift types have.
    static let everyField: BrokerPool = {
        let target = MetricTarget(type: .averageValue, value: try! Quantity("1"), averageValue: try! Quantity("120Mi"), averageUtilization: 70)
        let rules = ScalingRules(
            stabilizationWindowSeconds: 60, selectPolicy: .min, policies: [ScalingPolicy(type: .pods, value: 2, periodSeconds: 60)],
            tolerance: try! Quantity("0.05"))
        let spec = BrokerPoolSpec(
            scaleTargetRef: ScaleTargetReference(apiVersion: "apps/v1", kind: "StatefulSet", name: "broker"),
            brokerIdOffset: 1000,
            kafka: KafkaConnection(
                bootstrapServers: ["kafka:9092"], clientId: "ebb", requestTimeoutSeconds: 30,
                tls: KafkaTLS(
                    enabled: true, caSecretRef: SecretKeyReference(name: "ca", key: "ca.crt"),
                    clientCertificateSecretRef: SecretReference(name: "client"), serverName: "kafka", insecureSkipVerify: false),
                sasl: KafkaSASL(
                    mechanism: .scramSHA512, credentialsSecretRef: CredentialsSecretReference(name: "user", usernameKey: "u", passwordKey: "p"),
                    allowWithoutTLS: false)),
            minReplicas: 3, maxReplicas: 24, replicas: 4, pollingIntervalSeconds: 10, scaleInCooldownSeconds: 300,
            metrics: [
                MetricSpec(
                    type: .brokerThroughput, name: "all",
                    brokerThroughput: BrokerThroughputMetric(
                        direction: .in, target: target, offeredQuery: "sum(irate(producer_offered_bytes_total[1m]))", offeredReadingAgeSeconds: 15),
                    consumerLag: ConsumerLagMetric(group: "g", topics: ["t"], target: target, catchUpSeconds: 300),
                    prometheus: PrometheusMetric(serverAddress: "http://prometheus:9090", query: "up", target: target),
                    cpu: CPUMetric(target: target))
            ],
            behavior: ScalingBehavior(scaleUp: rules, scaleDown: rules),
            schedules: [
                ScalingSchedule(
                    name: "s", minReplicas: 5, timeZone: "UTC", cron: "0 8 * * *", duration: "2h", start: "2026-11-27T05:00", end: "2026-11-28T05:00")
            ],
            reassignment: ReassignmentSpec(
                mode: .metadataOnly, maxConcurrentMovesPerBroker: 1, maxConcurrentMovesPerCluster: 2, batchSize: 3, rackAware: true,
                balanceTolerancePercent: 5, allowLeadershipMoves: true),
            partitionAwareness: PartitionAwareness(capAtPartitionCount: true, evenSpread: true),
            paused: false, pausedScaleIn: false, pausedScaleOut: false, dryRun: false,
            fallback: FallbackSpec(failureThreshold: 3, replicas: 6), ownership: PoolOwnership(brokerIds: [7]),
            capacity: BrokerCapacity(bytesInPerSecond: Quantity(number: 100), recordBytes: Quantity(number: 1024)),
            predictive: PredictiveScaling(mode: .recommend, historyDays: 14, leadTimeSeconds: 300, timeZone: "UTC"))
        var status = BrokerPoolStatus(
            observedGeneration: 2, replicas: 4, readyReplicas: 4, desiredReplicas: 6, selector: "app=broker", state: .rebalancing,
            conditions: [
                PoolCondition(
                    type: .ready, status: .true, observedGeneration: 2, lastTransitionTime: "2026-11-27T05:00:00Z", reason: "Stable", message: "ok")
            ],
            currentMetrics: [
                MetricStatus(
                    name: "all", type: .brokerThroughput, current: try! Quantity("100Mi"), target: try! Quantity("120Mi"), proposedReplicas: 4,
                    available: true, message: "ok")
            ],
            lastDecision: DecisionRecord(
                time: "2026-11-27T05:00:00Z", fromReplicas: 4, toReplicas: 6, reason: "r", metric: "all", limitedBy: "policy", dryRun: false),
            lastScaleTime: "2026-11-27T05:00:00Z", consecutiveMetricFailures: 0,
            reassignment: ReassignmentStatus(
                planId: "p", targetReplicas: 6, movesDone: 1, movesTotal: 2, batchesDone: 1, batchesTotal: 2, drainingBrokers: [1005],
                startedAt: "2026-11-27T05:00:00Z"))
        status.forecast = ForecastStatus(mode: .recommend, floor: 5, applied: false, message: "would hold at least 5 brokers")
        return BrokerPool(metadata: ObjectMeta(name: "pool", namespace: "shop"), spec: spec, status: status)
    }()

    /// Fails when a Swift field is added but left out of `everyField`.
    @Test func theSampleSetsEveryOptionalField() {
        var unset: [String] = []
        func walk(_ value: Any, _ path: String) {
            let mirror = Mirror(reflecting: value)
            if mirror.displayStyle == .optional {
                guard let child = mirror.children.first else {
                    unset.append(path)
                    return
                }
                return walk(child.value, path)
            }
            if path.hasPrefix("metadata") { return }
            switch mirror.displayStyle {
            case .struct:
                for child in mirror.children { walk(child.value, path.isEmpty ? child.label ?? "?" : "\(path).\(child.label ?? "?")") }
            case .collection:
                for child in mirror.children { walk(child.value, "\(path)[]") }
            default:
                break
            }
        }
        walk(Self.everyField, "")
        #expect(unset.isEmpty, "fill these in APIDriftTests.everyField: \(unset)")
    }

    /// Every key the Swift types encode is in the CRD schema, with a matching type.
    @Test func everySwiftFieldIsInTheSchema() throws {
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(Self.everyField))
        var missing: [String] = []
        func walk(_ value: Any, _ schema: Schema, _ path: String) {
            switch (schema.kind, value) {
            case (.object, let dictionary as [String: Any]):
                for (key, child) in dictionary {
                    guard let property = schema.property(key) else {
                        missing.append("\(path).\(key)")
                        continue
                    }
                    walk(child, property, "\(path).\(key)")
                }
            case (.array(let items), let array as [Any]):
                for item in array { walk(item, items, "\(path)[]") }
            case (.string, is String), (.integer, is NSNumber), (.boolean, is NSNumber), (.quantity, is String),
                (.quantity, is NSNumber), (.embeddedObject, is [String: Any]), (.stringMap, is [String: Any]):
                break
            default:
                missing.append("\(path): Swift encodes \(type(of: value)), the schema says \(schema.kind)")
            }
        }
        walk(json, BrokerPoolSchema.resource, "")
        #expect(missing.isEmpty, "in Swift but not in the schema: \(missing)")
    }

    /// Every field of the schema is a field of the Swift types.
    @Test func everySchemaFieldIsInSwift() throws {
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(Self.everyField))
        var missing: [String] = []
        func walk(_ schema: Schema, _ value: Any?, _ path: String) {
            switch schema.kind {
            case .object(let properties):
                let dictionary = value as? [String: Any]
                for property in properties {
                    guard let child = dictionary?[property.name] else {
                        missing.append("\(path).\(property.name)")
                        continue
                    }
                    walk(property.schema, child, "\(path).\(property.name)")
                }
            case .array(let items):
                walk(items, (value as? [Any])?.first, "\(path)[]")
            default:
                break
            }
        }
        walk(BrokerPoolSchema.resource, json, "")
        #expect(missing.isEmpty, "in the schema but not in Swift: \(missing)")
    }

    @Test func crdHasWhatKubectlUsersExpect() throws {
        let crd = try RepositoryFiles.read("Manifests/crd/brokerpools.ebb.io.yaml")
        for column in ["Target", "Min", "Max", "Replicas", "Desired", "State", "Age"] {
            #expect(crd.contains("- name: \(column)\n"), "printer column \(column) is missing")
        }
        #expect(crd.contains("specReplicasPath: .spec.replicas"))
        #expect(crd.contains("labelSelectorPath: .status.selector"))
        #expect(crd.contains("shortNames:\n    - bp\n"))
        #expect(crd.contains("scope: Namespaced"))
    }

    /// `kubectl explain` reads descriptions: every field must have one.
    @Test func everySchemaFieldIsDescribed() {
        var undescribed: [String] = []
        func walk(_ schema: Schema, _ path: String) {
            if schema.description.trimmingCharacters(in: .whitespaces).isEmpty { undescribed.append(path) }
            switch schema.kind {
            case .object(let properties): for property in properties { walk(property.schema, "\(path).\(property.name)") }
            case .array(let items): walk(items, "\(path)[]")
            default: break
            }
        }
        walk(BrokerPoolSchema.resource, "")
        #expect(undescribed.isEmpty, "\(undescribed)")
    }

    @Test func rbacHasNoWildcards() throws {
        let rbac = try RepositoryFiles.read("Manifests/rbac/rbac.yaml")
        #expect(!rbac.contains("'*'") && !rbac.contains("\"*\"") && !rbac.contains("- *"))
        #expect(rbac.contains("brokerpools/status"))
        #expect(rbac.contains("statefulsets/scale"))
    }
}
