/// The BrokerPool's OpenAPI schema: the one description of every field, its type, default and
/// bounds. `kubectl explain brokerpool.spec...` shows these descriptions.
public enum BrokerPoolSchema {
    /// The whole resource: apiVersion, kind, metadata, spec, status.
    public static let resource: Schema = .object(
        "A BrokerPool sizes one broker StatefulSet of a diskless Kafka cluster (AutoMQ or another Kafka-compatible broker whose log lives in shared object storage) to its traffic, and moves partitions onto new brokers and off leaving ones with metadata-only reassignments.",
        required: ["spec"],
        [
            ("apiVersion", .string("APIVersion defines the versioned schema of this representation of an object: ebb.io/v1alpha1.")),
            ("kind", .string("Kind is the REST resource this object represents: BrokerPool.")),
            ("metadata", .embeddedObject("Standard object metadata.")),
            ("spec", spec),
            ("status", status)
        ])

    // MARK: spec

    static let spec: Schema = .object(
        "What the pool should be: its bounds, the metrics and targets it is sized by, how fast it may change, and how partitions move.",
        required: ["scaleTargetRef", "kafka", "maxReplicas"],
        rules: [.minReplicasNotAboveMax, .fallbackWithinMax, .scheduleFloorWithinMax],
        [
            (
                "scaleTargetRef",
                .object(
                    "The broker StatefulSet whose replicas Ebb sets. It must be in the BrokerPool's namespace and name this pool in its ebb.io/pools annotation: Ebb leaves any other StatefulSet alone.",
                    required: ["name"],
                    [
                        ("apiVersion", .string("API version of the target.", enum: ["apps/v1"], default: "apps/v1")),
                        ("kind", .string("Kind of the target.", enum: ["StatefulSet"], default: "StatefulSet")),
                        ("name", .string("Name of the StatefulSet.", minLength: 1, maxLength: 253))
                    ])
            ),
            (
                "brokerIdOffset",
                .integer(
                    "Kafka node id of the broker in pod ordinal 0: broker id = pod ordinal + brokerIdOffset. Ebb uses it to find the brokers it drains before removing their pods.",
                    minimum: 0, maximum: 2_147_483_647, default: 0)
            ),
            ("kafka", kafka),
            (
                "minReplicas",
                .integer(
                    "The fewest brokers the pool may have. Ebb never scales below it, whatever the metrics say.",
                    minimum: 1, maximum: 10_000, default: 1)
            ),
            (
                "maxReplicas",
                .integer(
                    "The most brokers the pool may have. Proposals above it are clamped and the ScalingLimited condition says so.",
                    minimum: 1, maximum: 10_000)
            ),
            (
                "replicas",
                .integer(
                    "The broker count asked for from outside, through the scale subresource, by a stock HorizontalPodAutoscaler or KEDA (`kubectl scale brokerpool`). When set, Ebb brings the pool to this count with the same safe sequence (rebalance after scale-out, drain before scale-in) and does not size it from spec.metrics. Leave it unset to let Ebb decide.",
                    minimum: 0, maximum: 10_000)
            ),
            (
                "pollingIntervalSeconds",
                .integer(
                    "How often Ebb reads the metrics and decides, in seconds.",
                    minimum: 1, maximum: 3600, default: 10)
            ),
            (
                "scaleInCooldownSeconds",
                .integer(
                    "After a scale-in, seconds before the next one may start. Every scale-in drains brokers (partition moves, each pausing its partition for a moment), so Ebb makes one larger step rather than many small ones: unset, it allows one scale-in per scale-down stabilization window (behavior.scaleDown.stabilizationWindowSeconds, 300 s by default). 0 scales in as a stock HPA does, whenever the window's highest recommendation drops. Scale-out is never delayed.",
                    minimum: 0, maximum: 86_400)
            ),
            (
                "metrics",
                .array(
                    "The signals the pool is sized by, as in an HPA v2: each proposes a broker count and the largest proposal wins. Leave empty for a pool sized only by schedules or by spec.replicas.",
                    of: metric, maxItems: 16)
            ),
            ("behavior", behavior),
            (
                "schedules",
                .array(
                    "Replica floors for time windows known in advance: a flash sale, Black Friday. While a window is open the pool has at least its minReplicas, whatever the metrics say.",
                    of: schedule, maxItems: 32, listType: .map, listMapKeys: ["name"])
            ),
            ("reassignment", reassignment),
            (
                "partitionAwareness",
                .object(
                    "How the partition count bounds the broker count.",
                    [
                        (
                            "capAtPartitionCount",
                            .boolean(
                                "Never propose more brokers than partition replicas can occupy: a broker beyond that count takes no load.",
                                default: true)
                        ),
                        (
                            "evenSpread",
                            .boolean(
                                "Round a scale-out up to the nearest broker count that divides the partition replicas evenly (within maxReplicas), so that every broker carries the same number of partitions.",
                                default: false)
                        )
                    ])
            ),
            (
                "paused",
                .boolean(
                    "Stop all scaling and partition moves; the pool is held as it is. A reassignment already submitted to Kafka runs to its end.",
                    default: false)
            ),
            ("pausedScaleIn", .boolean("Never remove brokers; scale-out still happens.", default: false)),
            ("pausedScaleOut", .boolean("Never add brokers; scale-in still happens.", default: false)),
            ("dryRun", .boolean("Decide and log every decision, but change nothing: no StatefulSet patch, no partition move.", default: false)),
            (
                "fallback",
                .object(
                    "Broker count to hold when the metrics cannot be read failureThreshold times in a row. Without it Ebb holds the current count and never scales in while it cannot see.",
                    required: ["failureThreshold", "replicas"],
                    [
                        ("failureThreshold", .integer("Consecutive failed metric reads before the fallback applies.", minimum: 1, maximum: 1000)),
                        (
                            "replicas",
                            .integer(
                                "Broker count to hold while the fallback applies; it never lowers the current count.", minimum: 1, maximum: 10_000)
                        )
                    ])
            ),
            (
                "ownership",
                .object(
                    "Which brokers outside the pool are the pool's to empty. The pool's own brokers are ids brokerIdOffset to brokerIdOffset + maxReplicas - 1; Ebb places partitions only on those of them whose pod exists and is ready and whose broker is registered, never on a victim of a running scale-in, and by default it leaves every replica on any other broker where it is (another pool's brokers, combined controller nodes, a second StatefulSet): two pools on one cluster must use id ranges that do not overlap.",
                    [
                        (
                            "brokerIds",
                            .array(
                                "Brokers outside the pool (an old StatefulSet being retired, brokers that left without a drain) whose replicas Ebb moves onto the pool's brokers. Ebb never places a replica on them.",
                                of: .integer("A Kafka broker id.", minimum: 0, maximum: 2_147_483_647), maxItems: 1000, listType: .set)
                        )
                    ])
            ),
            (
                "capacity",
                .object(
                    "What one broker carries, for the demand estimate (offered load = served bytes in, plus the backlog's growth while the brokers carry at least this each) and spec.predictive's floor that `ebb decide`, the decision log and lag targets with catchUpSeconds use.",
                    [
                        (
                            "bytesInPerSecond",
                            .quantity(
                                "Produce bytes per second one broker carries at the target, such as 105Mi. Defaults to the target of the pool's BrokerThroughput In metric."
                            )
                        ),
                        ("recordBytes", .quantity("Average record size in bytes, to turn consumer lag (messages) into bytes.", allowZero: false))
                    ])
            ),
            (
                "predictive",
                .object(
                    "Predictive pre-scaling: a forecast of the pool's produce throughput from its own history (the BrokerThroughput In metric's query over the last historyDays, read from Prometheus), with a daily and a weekly season. For each earlier day, the highest throughput in the window from this time of day to leadTimeSeconds later; the forecast is their median (a one-off campaign day does not raise the days after it), or the same weekday's median when two weeks of history say more. With mode On the pool holds at least the brokers the forecast needs at spec.capacity.bytesInPerSecond (or the throughput target) from leadTimeSeconds before a predicted rise, like a schedule; it never scales in on a forecast alone. Recommend reports the forecast and the floor it would hold in the decision log, status and `ebb decide`, and changes nothing.",
                    [
                        ("mode", .string("Off, Recommend (report only) or On.", enum: ["Off", "Recommend", "On"], default: "Off")),
                        ("historyDays", .integer("Days of history the forecast learns from.", minimum: 1, maximum: 56, default: 14)),
                        (
                            "leadTimeSeconds",
                            .integer(
                                "How many seconds before a predicted rise the floor rises: the pods' start plus a rebalance, with room for the metric's rate window.",
                                minimum: 0, maximum: 86_400, default: 300)
                        ),
                        (
                            "timeZone",
                            .string("IANA time zone whose days the traffic repeats in, such as Europe/Berlin.", maxLength: 64, default: "UTC")
                        )
                    ])
            )
        ])

    static let kafka: Schema = .object(
        "How Ebb reaches the Kafka cluster: to see brokers and partitions, read offsets for lag, and submit partition reassignments.",
        required: ["bootstrapServers"],
        [
            (
                "bootstrapServers",
                .array(
                    "host:port addresses of one or more brokers, for example automq-broker-0.automq.kafka.svc:9092.",
                    of: .string(
                        "A broker address as host:port.", pattern: #"^(\[[0-9A-Fa-f:.]+\]|[^:\s\[\]]+):[0-9]{1,5}$"#,
                        patternHint: "host:port, such as kafka-0.kafka:9092"),
                    minItems: 1, maxItems: 32)
            ),
            ("clientId", .string("The client id Ebb sends with every request.", maxLength: 255, default: "ebb")),
            ("requestTimeoutSeconds", .integer("Timeout of one Kafka request, in seconds.", minimum: 1, maximum: 600, default: 30)),
            (
                "tls",
                .object(
                    "TLS to the brokers. Certificates are verified unless insecureSkipVerify is true.",
                    [
                        ("enabled", .boolean("Use TLS. On when the tls block is present.", default: true)),
                        (
                            "caSecretRef",
                            .object(
                                "A Secret key holding the PEM CA bundle that signs the brokers' certificates (the Secret names this pool in its ebb.io/pools annotation). Without it the system roots are used.",
                                required: ["name"],
                                [
                                    ("name", .string("Name of the Secret, in the BrokerPool's namespace.", minLength: 1)),
                                    ("key", .string("Key within the Secret.", default: "ca.crt"))
                                ])
                        ),
                        (
                            "clientCertificateSecretRef",
                            .object(
                                "A kubernetes.io/tls Secret (tls.crt, tls.key) for mutual TLS; it names this pool in its ebb.io/pools annotation.",
                                required: ["name"],
                                [("name", .string("Name of the Secret, in the BrokerPool's namespace.", minLength: 1))])
                        ),
                        ("serverName", .string("Server name to verify the brokers' certificates against, when it differs from the bootstrap host.")),
                        (
                            "insecureSkipVerify",
                            .boolean(
                                "Do not verify the brokers' certificates. For tests only: anyone on the path can read and alter the traffic.",
                                default: false)
                        )
                    ])
            ),
            (
                "sasl",
                .object(
                    "SASL authentication. Credentials come from a Secret, never from the BrokerPool itself.",
                    required: ["mechanism", "credentialsSecretRef"],
                    [
                        ("mechanism", .string("SASL mechanism.", enum: KafkaSASL.Mechanism.allCases.map(\.rawValue))),
                        (
                            "credentialsSecretRef",
                            .object(
                                "The Secret holding the username and password, in the BrokerPool's namespace. It must name this pool in its ebb.io/pools annotation.",
                                required: ["name"],
                                [
                                    ("name", .string("Name of the Secret.", minLength: 1)),
                                    ("usernameKey", .string("Key of the username within the Secret.", default: "username")),
                                    ("passwordKey", .string("Key of the password within the Secret.", default: "password"))
                                ])
                        ),
                        (
                            "allowWithoutTLS",
                            .boolean(
                                "Allow SASL on a connection without TLS. Off by default, and a pool with SASL but no tls block is refused: PLAIN would send the password in the clear, SCRAM the whole session. When true, the pool shows ConnectionSecure False and a Warning Event.",
                                default: false)
                        )
                    ])
            )
        ])

    // MARK: metrics

    static let target: Schema = .object(
        "The value the metric should have, as in an HPA v2 MetricTarget.",
        required: ["type"], rules: [.targetMemberMatchesType],
        [
            (
                "type",
                .string(
                    "Value: compare the metric as a whole; AverageValue: the metric divided by the broker count (or, for consumer lag, by the partition count); Utilization: a percentage of the CPU request.",
                    enum: MetricTarget.TargetType.allCases.map(\.rawValue))
            ),
            ("value", .quantity("Target value of the whole metric, for type Value.")),
            (
                "averageValue",
                .quantity("Target value per broker (per partition for consumer lag), for type AverageValue, such as 120Mi bytes per second.")
            ),
            ("averageUtilization", .integer("Target CPU use as a percentage of the request, for type Utilization.", minimum: 1, maximum: 1000))
        ])

    static let metric: Schema = .object(
        "One signal the pool is sized by. Set type and the member it names.",
        required: ["type"], rules: [.metricMemberMatchesType],
        [
            (
                "type",
                .string("Which signal: BrokerThroughput, ConsumerLag, Prometheus or CPU.", enum: MetricSpec.MetricType.allCases.map(\.rawValue))
            ),
            (
                "name",
                .string(
                    "A name for this metric in logs, status and decisions. Defaults to one derived from the type (bytes-in, lag:GROUP, ...).",
                    maxLength: 63)
            ),
            (
                "brokerThroughput",
                .object(
                    "Bytes per second through the brokers, read from Kafka's metrics. desired = ceil(total bytes per second / target per broker).",
                    required: ["direction", "target"], rules: [.throughputTargetIsAverageValue],
                    [
                        (
                            "direction",
                            .string(
                                "In: bytes produced to the brokers; Out: bytes fetched from them.",
                                enum: BrokerThroughputMetric.Direction.allCases.map(\.rawValue))
                        ),
                        ("target", target),
                        (
                            "offeredQuery",
                            .string(
                                "In only: a PromQL query for the bytes per second the producers try to send (sent plus refused), from the applications' own metrics. A saturated broker's bytes in is what it accepted, not what was offered; with this query the pool is sized by the larger of the two, and the demand estimate uses it. $namespace, $statefulset and $pool are filled in.",
                                minLength: 1, maxLength: BrokerThroughputMetric.maxOfferedQueryLength)
                        ),
                        (
                            "offeredReadingAgeSeconds",
                            .integer(
                                "With offeredQuery: how many seconds behind the present its answer is (a rate over a window describes the window's middle: half the range for rate(), about one scrape interval for irate()). While the producers' rate rises, Ebb carries its trend over the recent readings forward by this many seconds, so a steep ramp is sized for what the producers send now, not what the window averaged; it never lowers the reading, so it never causes a scale-in. Unset or 0: the answer is used as read.",
                                minimum: 0, maximum: Int64(BrokerThroughputMetric.maxOfferedReadingAgeSeconds))
                        )
                    ])
            ),
            (
                "consumerLag",
                .object(
                    "How many messages a consumer group is behind, read from Kafka offsets. Lag that grows while the brokers are saturated calls for more brokers; Ebb never scales in while it rises.",
                    required: ["group", "target"], rules: [.lagTargetNotUtilization],
                    [
                        ("group", .string("The consumer group.", minLength: 1)),
                        (
                            "topics",
                            .array("Only these topics; all the group's topics when empty.", of: .string("A topic name.", minLength: 1), maxItems: 256)
                        ),
                        ("target", target),
                        (
                            "catchUpSeconds",
                            .integer(
                                "Lag that drains instead of multiplying: propose the brokers that carry the offered load (served bytes in, plus the backlog's growth while the ready brokers carry at least the target each) and drain the lag above the target within this many seconds, brokers still starting counted. A scale-out waits while brokers are still starting and the ready ones carry under the target, or while the backlog already drains within this time (CapacityOnTheWay). Needs a BrokerThroughput In metric. Unset: HPA's arithmetic for an external metric (ready brokers × lag / target), as a stock HPA or KEDA computes it.",
                                minimum: 1, maximum: 86_400)
                        )
                    ])
            ),
            (
                "prometheus",
                .object(
                    "A PromQL query that returns one number (a scalar or a one-element vector).",
                    required: ["query", "target"], rules: [.prometheusTargetNotUtilization],
                    [
                        (
                            "serverAddress",
                            .string(
                                "Base URL of the Prometheus HTTP API. Defaults to the operator's --prometheus-url.", pattern: "^https?://",
                                patternHint: "an http:// or https:// URL")
                        ),
                        ("query", .string("The PromQL query.", minLength: 1)),
                        ("target", target)
                    ])
            ),
            (
                "cpu",
                .object(
                    "CPU use of the broker pods as a percentage of their CPU request, as a resource metric of an HPA.",
                    required: ["target"], rules: [.cpuTargetIsUtilization],
                    [("target", target)])
            )
        ])

    // MARK: behavior

    static func rules(direction: String, window: Int64, policies: String) -> Schema {
        .object(
            "How the pool scales \(direction), with the meaning and defaults of an HPA's behavior.\(direction == "up" ? "scaleUp" : "scaleDown").",
            [
                (
                    "stabilizationWindowSeconds",
                    .integer(
                        "Seconds of past recommendations to consider: scaling \(direction) follows the \(direction == "up" ? "lowest" : "highest") recommendation of the window, which smooths a flapping metric. Default \(window).",
                        minimum: 0, maximum: Int64(ScalingRules.maxStabilizationWindowSeconds))
                ),
                (
                    "selectPolicy",
                    .string(
                        "Which policy applies when several do: Max allows the largest change, Min the smallest, Disabled forbids scaling \(direction). Default Max.",
                        enum: ScalingRules.SelectPolicy.allCases.map(\.rawValue))
                ),
                (
                    "policies",
                    .array(
                        "Limits on how much the pool may change over a period. Default: \(policies).",
                        of: .object(
                            "At most value brokers (Pods) or value percent of the current count (Percent) per periodSeconds.",
                            required: ["type", "value", "periodSeconds"],
                            [
                                ("type", .string("Pods or Percent.", enum: ScalingPolicy.PolicyType.allCases.map(\.rawValue))),
                                ("value", .integer("How many brokers, or what percent of the current count.", minimum: 1)),
                                (
                                    "periodSeconds",
                                    .integer(
                                        "The period the limit applies over, in seconds.", minimum: 1, maximum: Int64(ScalingPolicy.maxPeriodSeconds))
                                )
                            ]),
                        minItems: 1, maxItems: 10, listType: .atomic)
                ),
                (
                    "tolerance",
                    .quantity(
                        "No change while the ratio of a metric to its target is within this fraction of 1. Default 0.1.",
                        allowZero: true)
                )
            ])
    }

    static let behavior: Schema = .object(
        "How fast the pool may grow and shrink: the HPA v2 behavior field, with the same names, defaults and meaning, plus a per-direction tolerance.",
        [
            ("scaleUp", rules(direction: "up", window: 0, policies: "100 percent or 4 brokers per 15 s, whichever is more")),
            ("scaleDown", rules(direction: "down", window: 300, policies: "100 percent per 15 s"))
        ])

    // MARK: schedules, reassignment

    static let schedule: Schema = .object(
        "A window during which the pool has at least minReplicas brokers. Give cron and duration for a repeating window, or start and end for a one-off one.",
        required: ["name", "minReplicas"], rules: [.scheduleWindowForm],
        [
            ("name", .string("A name for the window, shown in decisions (\"schedule black-friday\").", minLength: 1, maxLength: 63)),
            ("minReplicas", .integer("The broker floor while the window is open.", minimum: 1, maximum: 10_000)),
            ("timeZone", .string("IANA time zone of cron, start and end, such as Europe/Berlin.", default: "UTC")),
            (
                "cron",
                .string(
                    "When a repeating window opens: a five-field cron expression (minute hour day-of-month month day-of-week), such as '0 8 * * 1-5'."
                )
            ),
            (
                "duration",
                .string(
                    "How long a repeating window stays open, such as 2h or 90m.", pattern: "^([0-9]+h)?([0-9]+m)?([0-9]+s)?$",
                    patternHint: "hours, minutes and seconds, such as 3h or 1h30m")
            ),
            ("start", .string("When a one-off window opens, as local time in timeZone (2026-11-27T06:00) or RFC 3339 with an offset.")),
            ("end", .string("When a one-off window closes, in the same form as start."))
        ])

    static let reassignment: Schema = .object(
        "How partitions move when brokers are added (onto them, at once) and removed (off them, before their pods go).",
        rules: [.moveLimitsOrdered],
        [
            (
                "mode",
                .string(
                    "MetadataOnly for shared-storage Kafka (AutoMQ): a move changes metadata and takes seconds. Copy for classic Kafka: a move copies the log.",
                    enum: ReassignmentSpec.Mode.allCases.map(\.rawValue), default: "MetadataOnly")
            ),
            (
                "maxConcurrentMovesPerBroker",
                .integer("Most partition moves in flight to or from one broker.", minimum: 1, maximum: 10_000, default: 10)
            ),
            (
                "maxConcurrentMovesPerCluster",
                .integer("Most partition moves in flight in the whole cluster.", minimum: 1, maximum: 100_000, default: 100)
            ),
            ("batchSize", .integer("Moves submitted to Kafka in one AlterPartitionReassignments request.", minimum: 1, maximum: 10_000, default: 50)),
            ("rackAware", .boolean("Keep the replicas of a partition in distinct racks where the racks allow.", default: true)),
            (
                "balanceTolerancePercent",
                .integer(
                    "Brokers within this percent of the mean load count as balanced; moves that buy less are not made.", minimum: 1, maximum: 100,
                    default: 5)
            ),
            ("allowLeadershipMoves", .boolean("Balance leaders by preferred-leader election as well as by moving replicas.", default: true))
        ])

    // MARK: status

    static let condition: Schema = .object(
        "A Kubernetes condition.",
        required: ["type", "status", "lastTransitionTime", "reason", "message"],
        [
            (
                "type",
                .string(
                    "Ready, AbleToScale, ScalingActive, ScalingLimited, MetricsAvailable, Rebalancing, SpecValid or ConnectionSecure.",
                    enum: PoolCondition.ConditionType.allCases.map(\.rawValue))
            ),
            ("status", .string("True, False or Unknown.", enum: PoolCondition.Status.allCases.map(\.rawValue))),
            ("observedGeneration", .integer("The spec generation the condition was set for.", minimum: 0, wide: true)),
            ("lastTransitionTime", .string("When the status last changed (RFC 3339).")),
            ("reason", .string("A CamelCase reason.")),
            ("message", .string("What happened, for people."))
        ])

    static let status: Schema = .object(
        "What Ebb observed and did. Written by the operator through the status subresource.",
        [
            ("observedGeneration", .integer("The spec generation this status describes.", minimum: 0, wide: true)),
            ("replicas", .integer("Brokers the StatefulSet has now.", minimum: 0)),
            ("readyReplicas", .integer("Brokers whose pods are ready.", minimum: 0)),
            ("desiredReplicas", .integer("Brokers Ebb wants, after every rule.", minimum: 0)),
            ("selector", .string("Label selector of the broker pods, for the scale subresource.")),
            (
                "state",
                .string(
                    "Where the pool is: Stable, ScalingOut (adding pods), Rebalancing (moving partitions onto new brokers), Draining (moving partitions off leaving brokers), ScalingIn (removing drained pods), Paused or Blocked (waiting on something it names in a condition).",
                    enum: PoolState.allCases.map(\.rawValue))
            ),
            ("conditions", .array("The latest observations of the pool.", of: condition, maxItems: 16, listType: .map, listMapKeys: ["type"])),
            (
                "currentMetrics",
                .array(
                    "The last reading of each metric.",
                    of: .object(
                        "One metric's last reading.", required: ["name", "type", "available"],
                        [
                            ("name", .string("The metric's name.")),
                            ("type", .string("The metric's type.", enum: MetricSpec.MetricType.allCases.map(\.rawValue))),
                            ("current", .quantity("The value read, in the target's terms (per broker for AverageValue).", allowZero: true)),
                            ("target", .quantity("The target it was compared with.", allowZero: true)),
                            ("proposedReplicas", .integer("The broker count this metric alone asks for.", minimum: 0)),
                            ("available", .boolean("Whether the metric could be read.")),
                            ("message", .string("Why the metric could not be read, when it could not."))
                        ]),
                    maxItems: 16)
            ),
            (
                "lastDecision",
                .object(
                    "The last scaling decision; the decision log has the whole explanation.",
                    required: ["time", "fromReplicas", "toReplicas", "reason"],
                    [
                        ("time", .string("When it was made (RFC 3339).")),
                        ("fromReplicas", .integer("Brokers before.", minimum: 0)),
                        ("toReplicas", .integer("Brokers decided.", minimum: 0)),
                        ("reason", .string("One line for people, such as 'scale out 6→9: bytes-in 182Mi per broker vs target 120Mi'.")),
                        ("metric", .string("The metric whose proposal won.")),
                        ("limitedBy", .string("The rule that limited the change, if any: a policy, a bound, a schedule, a pause.")),
                        ("dryRun", .boolean("The decision was not applied because spec.dryRun is set."))
                    ])
            ),
            (
                "forecast",
                .object(
                    "What spec.predictive forecasts: the brokers the pool's own history says the next leadTimeSeconds need. The forecast's bytes per second are in the decision log and `ebb decide`.",
                    required: ["mode", "floor", "applied", "message"],
                    [
                        ("mode", .string("Recommend or On.", enum: ["Off", "Recommend", "On"])),
                        ("floor", .integer("Brokers the forecast needs.", minimum: 0)),
                        ("applied", .boolean("Whether the floor applies (On) or is only reported (Recommend).")),
                        ("message", .string("The floor and what it was learned from."))
                    ])
            ),
            ("lastScaleTime", .string("When the broker count last changed (RFC 3339).")),
            ("consecutiveMetricFailures", .integer("Metric reads failed in a row; the fallback applies at its failureThreshold.", minimum: 0)),
            (
                "reassignment",
                .object(
                    "The partition reassignment in progress, kept so that a restarted operator resumes it.",
                    required: ["planId", "targetReplicas", "movesDone", "movesTotal", "startedAt"],
                    [
                        ("planId", .string("Identifier of the plan.")),
                        ("targetReplicas", .integer("The broker count the reassignment is for.", minimum: 0)),
                        ("movesDone", .integer("Partition moves completed.", minimum: 0)),
                        ("movesTotal", .integer("Partition moves in the plan.", minimum: 0)),
                        ("batchesDone", .integer("Batches completed.", minimum: 0)),
                        ("batchesTotal", .integer("Batches in the plan.", minimum: 0)),
                        (
                            "drainingBrokers",
                            .array("Kafka ids of brokers being drained before removal.", of: .integer("A broker id.", minimum: 0), maxItems: 10_000)
                        ),
                        ("startedAt", .string("When the reassignment started (RFC 3339)."))
                    ])
            )
        ])
}
