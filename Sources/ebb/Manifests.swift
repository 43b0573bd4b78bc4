import ArgumentParser
import BrokerScaling
import Foundation

struct Manifests: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the manifests that install Ebb: the BrokerPool CRD, RBAC and the operator Deployment.",
        discussion: "Pipe to kubectl: `ebb manifests | kubectl apply -f -`. With --write DIR, write them as files (how Manifests/ is made)."
    )

    @Option(help: "Write each manifest file under this folder instead of printing.")
    var write: String?

    @Option(help: "Only this part: crd, rbac or operator.")
    var only: String?

    @Flag(help: "Print the BrokerPool field reference (Markdown, Docs/brokerpool-reference.md) instead.")
    var reference = false

    func run() throws {
        if reference {
            print(BrokerPoolReference.markdown(), terminator: "")
            return
        }
        var files = InstallManifests.files
        if let only {
            files = files.filter { $0.path.hasPrefix("\(only)/") }
            guard !files.isEmpty else { throw ValidationError("--only takes crd, rbac or operator, not '\(only)'") }
        }
        if let write {
            for file in files {
                let url = URL(fileURLWithPath: write).appendingPathComponent(file.path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try file.render().write(to: url, atomically: true, encoding: .utf8)
                print("wrote \(url.path)")
            }
            return
        }
        print(try files.map { try $0.render() }.joined(separator: "---\n"), terminator: "")
    }
}
