import ArgumentParser
import Foundation
import Simulator

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a simulated campaign day and show what autoscaling the brokers saves.",
        discussion: """
            Today this prints the scenario's traffic and the broker count it needs hour by hour, \
            against provisioning for the peak all day. The full simulation (the Ebb controller \
            against a simulated Kafka cluster, compared with static provisioning and a stock HPA) \
            is being built.
            """
    )

    @Option(help: "Built-in scenario: \(BuiltInScenario.allCases.map(\.rawValue).joined(separator: ", ")).")
    var scenario: String = BuiltInScenario.blackFriday.rawValue

    @Option(help: "Baseline produce throughput of the whole cluster, in MiB/s.")
    var baselineMiBPerSecond: Double = 300

    @Option(help: "Throughput one broker should carry, in MiB/s.")
    var targetMiBPerBroker: Double = 120

    @Option(name: .shortAndLong, help: "text or json.")
    var output: OutputFormat = .text

    func run() throws {
        guard let builtIn = BuiltInScenario(rawValue: scenario) else {
            throw ValidationError("--scenario: unknown scenario '\(scenario)'; use one of \(BuiltInScenario.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard baselineMiBPerSecond > 0, targetMiBPerBroker > 0 else {
            throw ValidationError("--baseline-mi-b-per-second and --target-mi-b-per-broker must be > 0")
        }
        let profile = builtIn.profile
        func brokers(_ multiplier: Double) -> Int { max(1, Int((baselineMiBPerSecond * multiplier / targetMiBPerBroker).rounded(.up))) }
        let staticBrokers = brokers(profile.peakMultiplier)
        // Broker-hours if capacity followed demand minute by minute.
        let minutes = BuiltInScenario.daySeconds / 60
        let followingBrokerHours = (0..<minutes).reduce(0.0) { $0 + Double(brokers(profile.multiplier(at: Double($1 * 60)))) } / 60
        let staticBrokerHours = Double(staticBrokers * 24)
        let hourly = (0..<24).map { hour in
            (hour: hour, multiplier: profile.multiplier(at: Double(hour * 3600)), brokers: brokers(profile.multiplier(at: Double(hour * 3600))))
        }
        switch output {
        case .json:
            struct Summary: Encodable {
                let scenario: String
                let staticBrokers: Int
                let staticBrokerHours: Double
                let demandFollowingBrokerHours: Double
                let fullSimulation: String
            }
            print(try jsonString(Summary(
                scenario: builtIn.rawValue, staticBrokers: staticBrokers, staticBrokerHours: staticBrokerHours,
                demandFollowingBrokerHours: (followingBrokerHours * 10).rounded() / 10,
                fullSimulation: "not built yet")))
        case .text:
            print("Scenario \(builtIn.rawValue): \(builtIn.summary)")
            print("Baseline \(Int(baselineMiBPerSecond)) MiB/s, \(Int(targetMiBPerBroker)) MiB/s per broker.\n")
            print("hour  traffic  brokers needed")
            for row in hourly {
                print(String(format: "%02d:00 %6.1f×  %4d  %@", row.hour, row.multiplier, row.brokers, String(repeating: "▇", count: row.brokers)))
            }
            print("")
            print("Provisioned for the peak all day: \(staticBrokers) brokers, \(Int(staticBrokerHours)) broker-hours.")
            print(String(format: "Capacity following demand:        %.1f broker-hours (%.2f× of static).", followingBrokerHours, followingBrokerHours / staticBrokerHours))
            print("\nThis is the demand curve only. The full simulation, with the Ebb controller scaling a simulated")
            print("Kafka cluster and moving its partitions, compared with static provisioning and a stock HPA, is being built.")
        }
    }
}
