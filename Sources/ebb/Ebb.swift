import ArgumentParser
import BrokerScaling
import Foundation

@main
struct Ebb: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ebb",
        abstract: "Autoscale diskless Kafka broker pools on Kubernetes, with metadata-only partition moves.",
        version: InstallManifests.version,
        subcommands: [Run.self, Simulate.self, Decide.self, Plan.self, Kafka.self, Validate.self, Manifests.self]
    )

    /// ArgumentParser's own main, but a usage error (an unknown option, a value out of range, a
    /// `ValidationError`) is one plain line and exits with 2, as for a file that cannot be read,
    /// instead of EX_USAGE (64): ebb's exit statuses are 0, 1 (the input has a problem) and 2 (ebb
    /// was called wrongly).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((UsageErrorLine.make(fullMessage(for: error)) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// How a command prints its results.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}
