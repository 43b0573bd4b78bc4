import Benchmark
import BrokerScaling

/// The planner on the scenarios, 1,000 brokers and 100,000 zipf-skewed partitions:
/// +10 % brokers, and 10 % of the brokers draining. Besides time, each reports the plan's quality
/// as per-mille ratios measured in the same run: moves per lower bound, max deviation from the
/// mean load, and moves per the naive round-robin plan's moves. The naive plan's own run is the
/// time baseline.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .peakMemoryResident],
        warmupIterations: 1,
        maxDuration: .seconds(10),
        maxIterations: 20
    )
    let quality: [BenchmarkMetric] = [
        .custom("moves per lower bound (‰)", useScalingFactor: false),
        .custom("max deviation (‰ of mean)", useScalingFactor: false),
        .custom("moves per naive moves (‰)", useScalingFactor: false)
    ]

    func scenario(_ name: String, _ spec: String) {
        let cluster = try! SyntheticCluster(parsing: spec).make()
        let naive = NaivePlanner.roundRobinMoves(cluster)
        Benchmark(name, configuration: .init(metrics: [.wallClock, .peakMemoryResident] + quality)) { benchmark in
            var plan: ReassignmentPlan?
            for _ in benchmark.scaledIterations {
                plan = try PartitionPlanner.plan(cluster)
                blackHole(plan)
            }
            guard let stats = plan?.stats else { return }
            benchmark.measurement(quality[0], stats.moves * 1000 / max(stats.lowerBoundMoves, 1))
            benchmark.measurement(quality[1], Int((stats.maxDeviation * 1000).rounded()))
            benchmark.measurement(quality[2], stats.moves * 1000 / max(naive, 1))
        }
    }

    scenario("Plan: 1000 brokers, 100k partitions, zipf, +10 % brokers", "brokers=1000,partitions=100000,add=100,skew=zipf")
    scenario("Plan: 1000 brokers, 100k partitions, zipf, 10 % draining", "brokers=1000,partitions=100000,drain=100,skew=zipf")

    let cluster = try! SyntheticCluster(parsing: "brokers=1000,partitions=100000,add=100,skew=zipf").make()
    Benchmark("Baseline: naive round-robin plan of the +10 % cluster") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(NaivePlanner.roundRobinMoves(cluster))
        }
    }
}
