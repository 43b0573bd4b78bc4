import ArgumentParser
import BrokerScaling
import Foundation

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check BrokerPool YAML files offline: every problem, with its field path, line and fix.",
        discussion: "Exits with 1 when any document has a problem, 2 when a file cannot be read."
    )

    @Option(name: [.customShort("f"), .customLong("filename")], help: "A BrokerPool YAML file, or - for standard input. Repeat for several files.")
    var files: [String]

    @Option(name: .shortAndLong, help: "text or json.")
    var output: OutputFormat = .text

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one file with -f FILE") }
    }

    func run() throws {
        var results: [FileResult] = []
        for file in files {
            let text: String
            do {
                text = try readInput(file)
            } catch {
                FileHandle.standardError.write(Data("ebb validate: cannot read \(file): \(error.localizedDescription)\n".utf8))
                throw ExitCode(2)
            }
            results.append(FileResult(file: file, documents: BrokerPoolDocuments.check(text)))
        }
        switch output {
        case .json:
            print(try jsonString(results))
        case .text:
            for result in results { print(result.text, terminator: "") }
        }
        if results.contains(where: { !$0.valid }) { throw ExitCode(1) }
    }
}

struct FileResult: Encodable {
    var file: String
    var documents: [BrokerPoolDocuments.Report]
    var valid: Bool { documents.allSatisfy(\.isValid) }

    enum CodingKeys: String, CodingKey { case file, valid, documents }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(file, forKey: .file)
        try container.encode(valid, forKey: .valid)
        try container.encode(documents.map(DocumentJSON.init), forKey: .documents)
    }

    struct DocumentJSON: Encodable {
        var index: Int
        var name: String?
        var valid: Bool
        var problems: [ValidationProblem]
        var notes: [ValidationProblem]
        init(_ report: BrokerPoolDocuments.Report) {
            index = report.index
            name = report.name
            valid = report.isValid
            problems = report.problems
            notes = report.notes
        }
    }

    var text: String {
        var out = ""
        for document in documents {
            let what = "BrokerPool \(document.name ?? "#\(document.index + 1)")"
            if let pool = document.pool {
                let spec = pool.spec
                let metrics = spec.metrics?.count ?? 0
                let schedules = spec.schedules?.count ?? 0
                let driver =
                    spec.replicas.map { "replicas \($0) set from outside" }
                    ?? "\(metrics) metric\(metrics == 1 ? "" : "s"), \(schedules) schedule\(schedules == 1 ? "" : "s")"
                out += "\(file): \(what) is valid (\(spec.effectiveMinReplicas)–\(spec.maxReplicas) brokers, \(driver))\n"
                for note in document.notes {
                    out += "  note: \(note.line.map { "line \($0): " } ?? "")\(note)\n"
                }
            } else {
                let count = document.problems.count
                out += "\(file): \(what) has \(count) problem\(count == 1 ? "" : "s"):\n"
                for problem in document.problems {
                    let line = problem.line.map { "line \($0): " } ?? ""
                    out += "  \(line)\(problem)\n"
                }
            }
        }
        return out
    }
}

func readInput(_ path: String) throws -> String {
    if path == "-" {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        return String(decoding: data, as: UTF8.self)
    }
    return try String(contentsOfFile: path, encoding: .utf8)
}

func jsonString<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
