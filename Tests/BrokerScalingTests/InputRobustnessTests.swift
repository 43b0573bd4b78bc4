import BrokerScaling
import Foundation
import KubernetesTypes
import Testing

/// Extreme and random values in the inputs of `ebb decide`, `ebb plan --synthetic` and
/// `ebb validate`, through the library functions those commands call: every input is either
/// refused with a problem that names it, or decided, planned or validated; none traps.
struct InputRobustnessTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func decisionInputTemplate() throws -> [String: Any] {
        let data = try Data(contentsOf: root.appendingPathComponent("Docs/examples/decision-input.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func json(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
    }

    /// The documented example with its scale events replaced.
    static func decisionInput(scaleEvents: [[String: Any]], edit: (inout [String: Any]) -> Void = { _ in }) throws -> String {
        var input = try decisionInputTemplate()
        var history = try #require(input["history"] as? [String: Any])
        history["scaleEvents"] = scaleEvents
        input["history"] = history
        edit(&input)
        return try json(input)
    }

    /// `ebb decide` with a scale event {from: 0, to: 2147483647} or the reverse within the policy
    /// period (the schema accepts both): the period's start overflowed Int32 and trapped.
    @Test(arguments: [(Int32(0), Int32.max), (Int32.max, Int32(0)), (Int32.max, Int32.max - 1)])
    func scaleEventsOfAnySizeDecide(_ event: (Int32, Int32)) throws {
        let events: [[String: Any]] = [
            ["time": "2026-11-27T13:04:30Z", "from": Int(event.0), "to": Int(event.1)],
            ["time": "2026-11-27T13:04:40Z", "from": Int(event.0), "to": Int(event.1)]
        ]
        let (input, problems) = DecisionInputDocument.check(try Self.decisionInput(scaleEvents: events))
        #expect(problems.isEmpty, "\(problems)")
        let decision = DecisionEngine.decide(try #require(input))
        #expect((0...24).contains(decision.desiredReplicas), "\(decision.reason)")
        // The rate limit names the policy that set it, even when the limit saturated.
        if let limit = decision.limitedBy, limit.rule == .scaleUpPolicy { #expect(!limit.detail.contains("?"), "\(limit.detail)") }
    }

    /// Pods policies of Int32.max added to or taken from a period start beyond Int32.
    @Test func podsPoliciesOfInt32MaxDecide() throws {
        let events: [[String: Any]] = [["time": "2026-11-27T13:04:30Z", "from": Int(Int32.max), "to": 0]]
        let text = try Self.decisionInput(scaleEvents: events) { input in
            var spec = input["spec"] as! [String: Any]
            spec["behavior"] = [
                "scaleUp": ["policies": [["type": "Pods", "value": Int(Int32.max), "periodSeconds": 60]]],
                "scaleDown": [
                    "policies": [
                        ["type": "Pods", "value": Int(Int32.max), "periodSeconds": 60],
                        ["type": "Percent", "value": Int(Int32.max), "periodSeconds": 60]
                    ]
                ]
            ]
            input["spec"] = spec
        }
        let (input, problems) = DecisionInputDocument.check(text)
        #expect(problems.isEmpty, "\(problems)")
        let decision = DecisionEngine.decide(try #require(input))
        #expect((0...24).contains(decision.desiredReplicas))
    }

    /// Int32.max metric failures so far: counting this one overflowed.
    @Test func int32MaxConsecutiveFailuresDecide() throws {
        let text = try Self.decisionInput(scaleEvents: []) { input in
            input["consecutiveMetricFailures"] = Int(Int32.max)
            input["metrics"] = [["name": "bytes-in", "error": "down"], ["name": "orders-lag", "error": "down"]]
            var spec = input["spec"] as! [String: Any]
            spec["fallback"] = ["failureThreshold": 3, "replicas": 12]
            input["spec"] = spec
        }
        let (input, problems) = DecisionInputDocument.check(text)
        #expect(problems.isEmpty, "\(problems)")
        let decision = DecisionEngine.decide(try #require(input))
        #expect(decision.desiredReplicas == 12)
        #expect(decision.limitedBy?.detail.contains("2147483648 failed metric reads") == true, "\(String(describing: decision.limitedBy))")
    }

    /// `--synthetic partitions=9223372036854775807` trapped on the arithmetic of its topics; each
    /// key now has a range, and the error names the key and the range.
    @Test(arguments: [
        ("brokers=1,partitions=9223372036854775807", "--synthetic partitions: '9223372036854775807' is not a whole number from 1 to 1000000"),
        ("brokers=9223372036854775807", "--synthetic brokers: '9223372036854775807' is not a whole number from 1 to 100000"),
        ("add=9223372036854775807", "--synthetic add: '9223372036854775807' is not a whole number from 0 to 100000"),
        ("topicSize=9223372036854775807", "--synthetic topicSize: '9223372036854775807' is not a whole number from 1 to 1000000"),
        ("rf=100", "--synthetic rf: '100' is not a whole number from 1 to 16"),
        ("racks=-1", "--synthetic racks: '-1' is not a whole number from 0 to 100000"),
        ("hotFactor=1e300", "--synthetic hotFactor: '1e300' is not a number from 0.0 to 1000.0"),
        ("zipfExponent=nan", "--synthetic zipfExponent: 'nan' is not a number from 0.0 to 10.0")
    ])
    func syntheticValuesOutOfRangeNameTheKey(_ spec: String, _ message: String) {
        #expect(throws: PartitionPlanner.InputError.self) { try SyntheticCluster(parsing: spec) }
        do {
            _ = try SyntheticCluster(parsing: spec)
        } catch {
            #expect(error.description == message)
        }
    }

    /// Rates that add up beyond Double's largest gave a plan of 0 moves (every deviation nan).
    @Test func planRatesThatSumBeyondADoubleAreRefused() throws {
        let cluster = ClusterView(
            brokers: [ClusterView.Broker(id: 1), ClusterView.Broker(id: 2), ClusterView.Broker(id: 3, state: .new)],
            partitions: [
                ClusterView.Partition(topic: "a", partition: 0, replicas: [1], leader: 1, bytesInPerSecond: 1.7e308),
                ClusterView.Partition(topic: "a", partition: 1, replicas: [1], leader: 1, bytesInPerSecond: 1.7e308)
            ])
        #expect(throws: PartitionPlanner.InputError.self) { try PartitionPlanner.plan(cluster) }
        do {
            _ = try PartitionPlanner.plan(cluster)
        } catch {
            #expect(error.path == "partitions")
            #expect(error.message.contains("bytesInPerSecond rates add up beyond the largest number"))
        }
    }

    @Test func syntheticSeedTakesAnyUInt64() throws {
        let cluster = try SyntheticCluster(parsing: "brokers=3,partitions=30,seed=18446744073709551615")
        #expect(cluster.seed == .max)
        _ = try PartitionPlanner.plan(cluster.make())
    }

    /// The schema's pattern allows a 5-digit port; the validator keeps it to 1-65535.
    @Test(arguments: ["127.0.0.1:99999", "kafka-0:0", "[fd00::1]:65536"])
    func bootstrapPortOutsideRangeIsAProblem(_ server: String) throws {
        let text = Self.pool(bootstrap: server)
        let reports = BrokerPoolDocuments.check(text)
        let problems = reports.flatMap(\.problems)
        #expect(
            problems.contains {
                $0.path == "spec.kafka.bootstrapServers[1]" && $0.message.contains("outside 1-65535") && $0.message.contains(server)
            }, "\(problems)")
    }

    @Test(arguments: ["127.0.0.1:65535", "kafka-0:1", "[fd00::1]:9093"])
    func bootstrapPortsInRangePass(_ server: String) throws {
        let problems = BrokerPoolDocuments.check(Self.pool(bootstrap: server)).flatMap(\.problems)
        #expect(problems.isEmpty, "\(problems)")
    }

    /// brokerIdOffset 2147483647 (the schema's maximum) with 3 brokers: ordinal 1 overflowed the
    /// broker id (a trap in `ebb run`'s scale-in); the validator now says so, and the id clamps.
    @Test func brokerIdOffsetPlusMaxReplicasMustBeANodeId() throws {
        let text = Self.pool(bootstrap: "kafka-1:9092").replacingOccurrences(
            of: "  minReplicas: 1", with: "  brokerIdOffset: 2147483647\n  minReplicas: 1")
        let reports = BrokerPoolDocuments.check(text)
        let problems = reports.flatMap(\.problems)
        #expect(
            problems.map(\.description).contains {
                $0.contains("spec.brokerIdOffset")
                    && $0.contains(
                        "brokerIdOffset 2147483647 + maxReplicas 3 - 1 is beyond Kafka's largest node id 2147483647; use at most 2147483645")
            }, "\(problems)")
        let spec = try #require(BrokerPoolDocuments.check(Self.pool(bootstrap: "kafka-1:9092")).first?.pool?.spec)
        var offset = spec
        offset.brokerIdOffset = Int32.max
        #expect(ScalingSequence.brokerId(ordinal: 2, spec: offset) == Int32.max)
        let fits = Self.pool(bootstrap: "kafka-1:9092").replacingOccurrences(
            of: "  minReplicas: 1", with: "  brokerIdOffset: 2147483645\n  minReplicas: 1")
        #expect(BrokerPoolDocuments.check(fits).flatMap(\.problems).isEmpty)
    }

    /// A quantity's exponent of Int.min trapped negating it; one of Int.max looped 9e18 times.
    @Test(.timeLimit(.minutes(1))) func quantityExponentsOfAnySize() throws {
        #expect(try Quantity("1e-9223372036854775808").value == 0)
        #expect(try Quantity("1e9223372036854775807").value == .infinity)
        #expect(try Quantity("1.5e-3").value == 0.0015)
        #expect(try Quantity("2e3").value == 2000)
        let problems = BrokerPoolDocuments.check(
            Self.pool(bootstrap: "kafka-1:9092").replacingOccurrences(
                of: "  replicas: 2", with: "  behavior: {scaleUp: {tolerance: \"1e-9223372036854775808\"}}\n  replicas: 2")
        ).flatMap(\.problems)
        #expect(problems.isEmpty, "\(problems)")
    }

    static func pool(bootstrap: String) -> String {
        """
        apiVersion: ebb.io/v1alpha1
        kind: BrokerPool
        metadata: {name: p, namespace: n}
        spec:
          scaleTargetRef: {name: broker}
          kafka: {bootstrapServers: ["kafka-0:9092", "\(bootstrap)"]}
          minReplicas: 1
          maxReplicas: 3
          replicas: 2
        """
    }

    // MARK: Random and extreme values

    /// A leaf written as is into the JSON text (YAML reads `.nan` and `.inf` as floats).
    struct Raw { let text: String }

    static let extremes: [String] = [
        "0", "-1", "1", "2147483647", "-2147483648", "2147483648", "9223372036854775807", "-9223372036854775808",
        "9223372036854775808", "18446744073709551616", "1e300", "-1e300", "1e-300", "4.9e-324", ".nan", ".inf", "-.inf",
        "0.5", "-0.0", "\"nan\"", "\"NaN\"", "\"inf\"", "\"1e300\"", "\"-1e300\"", "\"9223372036854775807\"", "\"99999999999999999999Ei\"",
        "\"1e99999\"", "\"1e-9223372036854775808\"", "\"1e9223372036854775807\"", "\"-5\"", "\"0\"", "\"1.5Ei\"", "\"1n\"", "\"\"", "null", "true",
        "[]", "{}",
        "\"0001-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59Z\"", "\"1970-01-01T00:00:00Z\"", "\"fd00::1\"", "\"127.0.0.1:99999\""
    ]

    /// `value` as JSON, with each `Raw` leaf written as is: JSONSerialization writes a
    /// placeholder string, which is then replaced.
    static func text(_ value: Any) throws -> String {
        var raws: [String] = []
        func placeholders(_ value: Any) -> Any {
            switch value {
            case let raw as Raw:
                raws.append(raw.text)
                return "@@RAW\(raws.count - 1)@@"
            case let dictionary as [String: Any]: return dictionary.mapValues(placeholders)
            case let array as [Any]: return array.map(placeholders)
            default: return value
            }
        }
        let replaced = placeholders(value)
        var text = try json(replaced)
        for (index, raw) in raws.enumerated() { text = text.replacingOccurrences(of: "\"@@RAW\(index)@@\"", with: raw) }
        return text
    }

    /// Every path to a leaf of `value`.
    static func leaves(_ value: Any, _ path: [AnyHashable] = []) -> [[AnyHashable]] {
        switch value {
        case let dictionary as [String: Any]: return dictionary.keys.sorted().flatMap { leaves(dictionary[$0]!, path + [$0]) }
        case let array as [Any]: return array.indices.flatMap { leaves(array[$0], path + [$0]) }
        default: return [path]
        }
    }

    static func replacing(_ value: Any, at path: ArraySlice<AnyHashable>, with leaf: Any) -> Any {
        guard let head = path.first else { return leaf }
        if var dictionary = value as? [String: Any], let key = head as? String, let child = dictionary[key] {
            dictionary[key] = replacing(child, at: path.dropFirst(), with: leaf)
            return dictionary
        }
        if var array = value as? [Any], let index = head as? Int, array.indices.contains(index) {
            array[index] = replacing(array[index], at: path.dropFirst(), with: leaf)
            return array
        }
        return value
    }

    static let numericExtremes = [
        "0", "-1", "1", "2147483647", "-2147483648", "2147483646", "2147483648", "9223372036854775807",
        "-9223372036854775808", "1e300", "-1e300", ".nan", ".inf", "0.5"
    ]

    static func value(_ value: Any, at path: ArraySlice<AnyHashable>) -> Any? {
        guard let head = path.first else { return value }
        if let dictionary = value as? [String: Any], let key = head as? String, let child = dictionary[key] {
            return Self.value(child, at: path.dropFirst())
        }
        if let array = value as? [Any], let index = head as? Int, array.indices.contains(index) {
            return Self.value(array[index], at: path.dropFirst())
        }
        return nil
    }

    /// `template` with one to eight leaves replaced: half of them numbers (the template's, or
    /// fields the schema has) set to Int32/Int64 bounds, 0, -1, 1e300, nan or inf; the others any
    /// leaf set to any extreme (quoted numbers, quantities, dates, null, lists) or a random number.
    static func mutated(_ template: Any, _ random: inout SeededRandom, additions: [([AnyHashable], String)], focus: [[AnyHashable]] = []) throws
        -> String
    {
        var value = template
        let paths = leaves(template) + additions.map(\.0)
        let numeric = leaves(template).filter { Self.value(template, at: $0[...]) is NSNumber } + additions.map(\.0)
        func pick<T>(_ list: [T]) -> T { list[random.int(in: 0...(list.count - 1))] }
        for _ in 0..<random.int(in: 1...3) {
            let path: [AnyHashable]
            let leaf: String
            switch random.int(in: 0...5) {
            case 0 where !focus.isEmpty: (path, leaf) = (pick(focus), pick(numericExtremes))
            case 0, 1, 2: (path, leaf) = (pick(numeric), pick(numericExtremes))
            case 3, 4: (path, leaf) = (pick(paths), pick(extremes))
            default:
                (path, leaf) = (
                    pick(paths),
                    random.bool() ? String(Int64(bitPattern: random.next()) >> random.int(in: 0...63)) : "\(random.double(in: -1e6...1e6))"
                )
            }
            value = insert(value, at: path[...], leaf: Raw(text: leaf))
        }
        return try text(value)
    }

    /// Like `replacing`, but creates the missing dictionaries of an added field.
    static func insert(_ value: Any, at path: ArraySlice<AnyHashable>, leaf: Any) -> Any {
        guard let head = path.first else { return leaf }
        if let key = head as? String {
            var dictionary = value as? [String: Any] ?? [:]
            dictionary[key] = insert(dictionary[key] ?? [String: Any](), at: path.dropFirst(), leaf: leaf)
            return dictionary
        }
        return replacing(value, at: path, with: leaf)
    }

    static var specAdditions: [[AnyHashable]] {
        [
            ["brokerIdOffset"], ["pollingIntervalSeconds"], ["scaleInCooldownSeconds"], ["replicas"],
            ["kafka", "requestTimeoutSeconds"], ["fallback", "failureThreshold"], ["fallback", "replicas"],
            ["reassignment", "maxConcurrentMovesPerBroker"], ["reassignment", "maxConcurrentMovesPerCluster"],
            ["reassignment", "batchSize"], ["reassignment", "balanceTolerancePercent"],
            ["behavior", "scaleUp", "tolerance"], ["behavior", "scaleUp", "stabilizationWindowSeconds"],
            ["behavior", "scaleDown", "tolerance"], ["partitionAwareness", "evenSpread"]
        ]
    }

    /// `ebb decide`'s input with random and extreme values: a problem list, or a decision within
    /// the bounds; never a trap.
    @Test(arguments: 0..<300)
    func randomDecisionInputsNeverTrap(_ seed: Int) throws {
        var random = SeededRandom(seed: UInt64(seed) &+ 0xDEC1DE)
        var template = try Self.decisionInputTemplate()
        // Scale events and failures inside every policy's period, so that their counts matter.
        template["history"] = [
            "recommendations": [["time": "2026-11-27T13:04:40Z", "replicas": 6]],
            "scaleEvents": [["time": "2026-11-27T13:04:30Z", "from": 4, "to": 6], ["time": "2026-11-27T13:04:50Z", "from": 6, "to": 5]]
        ]
        template["consecutiveMetricFailures"] = 2
        if random.bool() { template["metrics"] = [["name": "bytes-in", "error": "down"], ["name": "orders-lag", "error": "down"]] }
        let additions = Self.specAdditions.map { (["spec"] + $0, "") } + [(["readyReplicas"], ""), (["consecutiveMetricFailures"], "")]
        let focus: [[AnyHashable]] = [
            ["history", "scaleEvents", 0, "from"], ["history", "scaleEvents", 0, "to"], ["history", "scaleEvents", 1, "from"],
            ["history", "scaleEvents", 1, "to"], ["consecutiveMetricFailures"], ["history", "recommendations", 0, "replicas"]
        ]
        let text = try Self.mutated(template, &random, additions: additions, focus: focus)
        let (input, problems) = DecisionInputDocument.check(text)
        guard let input else {
            #expect(!problems.isEmpty)
            for problem in problems { #expect(!problem.message.isEmpty) }
            return
        }
        let decision = DecisionEngine.decide(input)
        _ = try TimeFormat.jsonEncoder().encode(decision)
        #expect(decision.desiredReplicas >= 0)
        #expect(decision.desiredReplicas <= max(input.spec.maxReplicas, input.currentReplicas), "\(text)")
    }

    /// `ebb validate` on a pool with random and extreme values: problems or none; never a trap.
    @Test(arguments: 0..<300)
    func randomPoolsNeverTrap(_ seed: Int) throws {
        var random = SeededRandom(seed: UInt64(seed) &+ 0xBA11D)
        let spec = try #require(try Self.decisionInputTemplate()["spec"])
        let pool: [String: Any] = ["apiVersion": "ebb.io/v1alpha1", "kind": "BrokerPool", "metadata": ["name": "p", "namespace": "n"], "spec": spec]
        let text = try Self.mutated(pool, &random, additions: Self.specAdditions.map { (["spec"] + $0, "") })
        for report in BrokerPoolDocuments.check(text) {
            for problem in report.problems { #expect(!problem.message.isEmpty) }
        }
    }

    /// `ebb plan --input`'s cluster JSON with random and extreme values, decoded as the command
    /// decodes it, with random constraints: a decoding error, a refusal naming the field, or a
    /// plan; never a trap. Even seeds mutate the documented example (mostly decoding errors);
    /// odd seeds build clusters that decode, with extreme ids, unknown or repeated replicas,
    /// leaders outside the replicas, every broker state, and rates from 0 to Double's largest.
    @Test(arguments: 0..<400)
    func randomClusterInputsNeverTrap(_ seed: Int) throws {
        var random = SeededRandom(seed: UInt64(seed) &+ 0xC1A5)
        func pick<T>(_ list: [T]) -> T { list[random.int(in: 0...(list.count - 1))] }
        let text: String
        if seed % 2 == 0 {
            let data = try Data(contentsOf: Self.root.appendingPathComponent("Docs/examples/cluster.json"))
            let additions: [([AnyHashable], String)] = [
                (["partitions", 0, "bytesOutPerSecond"], ""), (["partitions", 1, "leader"], ""), (["brokers", 0, "id"], ""),
                (["partitions", 2, "replicas", 3], ""), (["partitions", 0, "partition"], "")
            ]
            text = try Self.mutated(try JSONSerialization.jsonObject(with: data), &random, additions: additions)
        } else {
            // Mostly well formed, so that most clusters reach the planner: a cluster-wide field is
            // odd one time in ten, a partition's field one time in 300.
            func odd(_ oneIn: Int = 10) -> Bool { random.int(in: 1...oneIn) == 1 }
            let extremeIds: [Int32] = [Int32.min, -1, 0, Int32.max - 1, Int32.max]
            var ids = Array(Set(extremeIds.filter { _ in random.bool() } + (0..<random.int(in: 1...10)).map { _ in Int32(random.int(in: 1...40)) }))
                .sorted()
            if odd(), let first = ids.first { ids.append(first) }
            let brokers = ids.map { id in
                ClusterView.Broker(
                    id: id, rack: random.bool() ? pick(["a", "b", "c", ""]) : nil,
                    state: random.bool() ? pick(ClusterView.Broker.State.allCases) : nil)
            }
            let rates: [Double?] = [nil, 0, -0.0, 1, .leastNonzeroMagnitude, 1e300, 1.7e308, 5e7, 5e7, 1e3]
            let partitions = (0..<random.int(in: 0...60)).map { index in
                var replicas = Array(Set((0..<random.int(in: 1...4)).map { _ in pick(ids) }))
                if odd(300) { replicas = pick([[], replicas + replicas.prefix(1), replicas + [pick(extremeIds)]]) }
                return ClusterView.Partition(
                    topic: pick(["t", "u", "orders"]), partition: odd(300) ? pick([Int32.min, -1, Int32.max]) : Int32(index),
                    replicas: replicas, leader: odd(300) ? pick(extremeIds) : replicas.first,
                    bytesInPerSecond: odd(300) ? -1 : pick(rates), bytesOutPerSecond: odd(300) ? .greatestFiniteMagnitude : pick(rates))
            }
            text = String(decoding: try JSONEncoder().encode(ClusterView(brokers: brokers, partitions: partitions)), as: UTF8.self)
        }
        let cluster: ClusterView
        do {
            cluster = try JSONDecoder().decode(ClusterView.self, from: Data(text.utf8))
        } catch {
            #expect(!BrokerPoolDocuments.describe(decodingError: error).isEmpty)
            return
        }
        // Constraints at the edges of their ranges, and one in ten outside them.
        let outside = random.int(in: 0...9) == 0
        let constraints = PlanConstraints(
            rackAware: random.bool(), maxMovesPerBroker: outside ? pick([0, -1, Int.min]) : pick([1, 2, 1000, Int.max]),
            maxMovesPerCluster: pick([1, 50, Int.max]), batchSize: pick([1, 100, Int.max]),
            tolerance: outside ? pick([1e300, .nan, -1, .infinity]) : pick([1e-300, 0.05, 0.999]), allowLeadershipMoves: random.bool(),
            searchBudget: pick([nil, 0, 1, 100_000]))
        do {
            let plan = try PartitionPlanner.plan(cluster, constraints: constraints)
            #expect(plan.stats.moves >= 0)
            #expect(plan.stats.moves <= cluster.partitions.reduce(0) { $0 + $1.replicas.count }, "\(text)")
        } catch {
            #expect(!error.message.isEmpty, "\(text): \(error)")
        }
    }

    /// `ebb plan --synthetic` with random keys and extreme values: refused naming the key, or a
    /// cluster that plans (kept small enough to plan in the test); never a trap.
    @Test(arguments: 0..<300)
    func randomSyntheticSpecsNeverTrap(_ seed: Int) throws {
        var random = SeededRandom(seed: UInt64(seed) &+ 0x5EED)
        let keys = ["brokers", "partitions", "add", "drain", "racks", "rf", "topicSize", "seed", "zipfExponent", "hotFactor", "skew"]
        let values = [
            "0", "1", "2", "3", "7", "-1", "100000", "100001", "1000000", "2147483647", "9223372036854775807",
            "-9223372036854775808", "18446744073709551615", "1e300", "nan", "inf", "-0", "0.5", "zipf", "unknown", ""
        ]
        var pairs: [String] = []
        for _ in 0..<random.int(in: 1...6) {
            let key = keys[random.int(in: 0...(keys.count - 1))]
            let value = random.bool() ? values[random.int(in: 0...(values.count - 1))] : String(random.int(in: 0...40))
            pairs.append("\(key)=\(value)")
        }
        let text = pairs.joined(separator: ",")
        let cluster: SyntheticCluster
        do {
            cluster = try SyntheticCluster(parsing: text)
        } catch {
            #expect(error.path.hasPrefix("--synthetic"), "\(text): \(error)")
            return
        }
        guard cluster.brokers + cluster.add <= 200, cluster.partitions <= 2000 else { return }
        do {
            let plan = try PartitionPlanner.plan(cluster.make())
            #expect(plan.stats.moves >= 0)
        } catch {
            #expect(!error.message.isEmpty, "\(text): \(error)")
        }
    }
}

/// A schema pattern that does not compile is reported, never taken as a match.
struct SchemaPatternTests {
    @Test func everyPatternOfTheBrokerPoolSchemaCompiles() throws {
        var patterns: [String] = []
        func walk(_ schema: Schema) {
            if let pattern = schema.pattern { patterns.append(pattern) }
            switch schema.kind {
            case .object(let properties):
                for property in properties { walk(property.schema) }
            case .array(let items): walk(items)
            default: break
            }
        }
        walk(BrokerPoolSchema.resource)
        #expect(patterns.count >= 3, "the schema has patterns: \(patterns)")
        for pattern in patterns { #expect(throws: Never.self, "\(pattern)") { _ = try Regex(pattern) } }
    }
}
