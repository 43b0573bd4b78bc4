import ArgumentParser
import BrokerScaling
import Foundation
import Resilience

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Plan partition moves for a cluster: onto new brokers, off draining ones, towards an even load.",
        discussion: """
            Give a cluster view (--input cluster.json: brokers with id, rack and state active, new \
            or draining; partitions with topic, partition, replicas, leader and bytesInPerSecond) or \
            a synthetic one (--synthetic brokers=1000,partitions=100000,add=100,skew=zipf). Prints \
            the plan's statistics; --output json prints the batches and a stats object.
            """
    )

    @Option(name: [.short, .long], help: "A cluster view as JSON; - for standard input.")
    var input: String?

    @Option(help: "A synthetic cluster: brokers, partitions, add, drain, skew (uniform, zipf, unknown), racks, rf, topicSize, seed.")
    var synthetic: String?

    @Option(help: "Brokers within this percent of the mean load count as balanced.")
    var tolerancePercent: Double = 5

    @Option(help: "Most moves in flight to or from one broker.")
    var maxMovesPerBroker: Int = 10

    @Option(help: "Most moves in flight in the cluster.")
    var maxMovesPerCluster: Int = 100

    @Option(help: "Most moves in one reassignment request.")
    var batchSize: Int = 50

    @Flag(help: "Do not keep a partition's replicas in distinct racks.")
    var noRackAware = false

    @Flag(help: "Do not balance leaders by reordering replicas.")
    var noLeadershipMoves = false

    @Option(
        help:
            "Candidate changes the improvement phase after the greedy passes may look at (0: none; default 200 per replica and broker, at most 20 million). The same budget gives the same plan on every machine."
    )
    var searchBudget: Int?

    @Flag(help: "Also make a naive round-robin plan of the same cluster, in the same run: its moves and its planning time.")
    var compareNaive = false

    @Option(name: .shortAndLong, help: "text or json.")
    var output: OutputFormat = .text

    func validate() throws {
        guard (input == nil) != (synthetic == nil) else { throw ValidationError("give either --input FILE or --synthetic SPEC") }
    }

    func run() throws {
        let cluster: ClusterView
        do {
            if let synthetic {
                cluster = try SyntheticCluster(parsing: synthetic).make()
            } else {
                let text = try readInput(input!)
                do {
                    cluster = try JSONDecoder().decode(ClusterView.self, from: Data(text.utf8))
                } catch {
                    throw PartitionPlanner.InputError(path: input!, message: BrokerPoolDocuments.describe(decodingError: error))
                }
            }
        } catch let error as PartitionPlanner.InputError {
            FileHandle.standardError.write(Data("ebb plan: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let constraints = PlanConstraints(
            rackAware: !noRackAware, maxMovesPerBroker: maxMovesPerBroker, maxMovesPerCluster: maxMovesPerCluster,
            batchSize: batchSize, tolerance: tolerancePercent / 100, allowLeadershipMoves: !noLeadershipMoves,
            searchBudget: searchBudget)
        let clock = ContinuousClock()
        let start = clock.now
        let plan: ReassignmentPlan
        do {
            plan = try PartitionPlanner.plan(cluster, constraints: constraints)
        } catch {
            FileHandle.standardError.write(Data("ebb plan: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let seconds = (clock.now - start).inSeconds
        var naive: Naive?
        if compareNaive {
            let naiveStart = clock.now
            let moves = NaivePlanner.roundRobinMoves(cluster)
            naive = Naive(moves: moves, seconds: (clock.now - naiveStart).inSeconds)
        }
        switch output {
        case .json:
            print(try jsonString(PlanJSON(plan: plan, planningSeconds: seconds, naive: naive)))
        case .text:
            print(Self.text(plan, cluster: cluster, constraints: constraints, seconds: seconds, naive: naive))
        }
    }

    /// The round-robin plan of `--compare-naive`, timed in the same run as Ebb's.
    struct Naive {
        let moves: Int
        let seconds: Double
    }

    struct PlanJSON: Encodable {
        struct Stats: Encodable {
            let moves: Int
            let lowerBoundMoves: Int
            let partitionsChanged: Int
            let leadershipMoves: Int
            let batches: Int
            let balancedBy: String
            let maxDeviationBefore: Double
            let maxDeviation: Double
            let maxLeaderDeviation: Double?
            let planningSeconds: Double
            let unmetGoals: [String]
            let naiveMoves: Int?
            let naivePlanningSeconds: Double?
        }
        let stats: Stats
        let notes: [String]
        let batches: [[PartitionMove]]
        let brokers: [PlanStats.BrokerLoad]

        init(plan: ReassignmentPlan, planningSeconds: Double, naive: Naive?) {
            stats = Stats(
                moves: plan.stats.moves, lowerBoundMoves: plan.stats.lowerBoundMoves, partitionsChanged: plan.stats.partitionsChanged,
                leadershipMoves: plan.stats.leadershipMoves, batches: plan.batches.count, balancedBy: plan.stats.balancedBy,
                maxDeviationBefore: plan.stats.maxDeviationBefore, maxDeviation: plan.stats.maxDeviation,
                maxLeaderDeviation: plan.stats.maxLeaderDeviation, planningSeconds: planningSeconds, unmetGoals: plan.unmetGoals,
                naiveMoves: naive?.moves, naivePlanningSeconds: naive?.seconds)
            notes = plan.notes
            batches = plan.batches
            brokers = plan.stats.brokers
        }
    }

    static func text(_ plan: ReassignmentPlan, cluster: ClusterView, constraints: PlanConstraints, seconds: Double, naive: Naive?) -> String {
        let stats = plan.stats
        let added = cluster.brokers.filter { $0.effectiveState == .new }.count
        let draining = cluster.brokers.filter { $0.effectiveState == .draining }.count
        func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
        var rows: [(String, String)] = [
            (
                "cluster",
                "\(cluster.brokers.count) brokers (\(added) new, \(draining) draining), \(cluster.partitions.count) partitions, balanced by \(stats.balancedBy)"
            ),
            (
                "moves",
                "\(stats.moves) replica moves in \(stats.partitionsChanged - stats.leadershipMoves) partitions"
                    + (stats.lowerBoundMoves > 0
                        ? String(format: " (lower bound %d, ratio %.3f)", stats.lowerBoundMoves, Double(stats.moves) / Double(stats.lowerBoundMoves))
                        : " (lower bound 0)")
            ),
            (
                "leadership",
                "\(stats.leadershipMoves) preferred-leader changes"
                    + (stats.maxLeaderDeviation.map { ", max leader deviation \(percent($0))" }
                        ?? " (one replica per partition: leaders follow the load)")
            ),
            (
                "batches",
                "\(plan.batches.count) (at most \(min(constraints.batchSize, constraints.maxMovesPerCluster)) moves, \(constraints.maxMovesPerBroker) per broker)"
            ),
            (
                "max deviation",
                "\(percent(stats.maxDeviationBefore)) → \(percent(stats.maxDeviation)) of the mean (tolerance \(percent(constraints.tolerance)))"
            ),
            ("planning", String(format: "%.1f ms", seconds * 1000))
        ]
        if let naive {
            rows.append(
                (
                    "naive plan",
                    "\(naive.moves) replica moves for round robin"
                        + (naive.moves > 0 ? String(format: " (Ebb: %.3f×)", Double(stats.moves) / Double(naive.moves)) : "")
                        + String(format: ", planned in %.1f ms (Ebb: %.1f× its time)", naive.seconds * 1000, seconds / max(naive.seconds, 1e-9))
                ))
        }
        rows.append(("unmet goals", plan.unmetGoals.isEmpty ? "none" : plan.unmetGoals.joined(separator: "\n" + String(repeating: " ", count: 15))))
        for note in plan.notes { rows.append(("note", note)) }
        return rows.map { $0.0.padding(toLength: 15, withPad: " ", startingAt: 0) + $0.1 }.joined(separator: "\n")
    }
}
