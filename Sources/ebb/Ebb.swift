import ArgumentParser
import BrokerScaling

@main
struct Ebb: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ebb",
        abstract: "Autoscale diskless Kafka broker pools on Kubernetes, with metadata-only partition moves.",
        version: InstallManifests.version,
        subcommands: [Run.self, Simulate.self, Decide.self, Plan.self, Kafka.self, Validate.self, Manifests.self]
    )
}

/// How a command prints its results.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}
