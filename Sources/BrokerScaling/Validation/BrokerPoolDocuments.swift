import Foundation
import Yams

/// Reads BrokerPools from YAML or JSON text and reports every problem, with field paths and
/// lines: malformed YAML, wrong kinds, unknown fields, wrong types, bounds and cross-field rules.
/// Never a crash, never a Swift decoding dump.
public enum BrokerPoolDocuments {
    /// One document of a file, checked.
    public struct Report: Sendable, Hashable, Codable {
        /// Position of the document in the file, from 0.
        public var index: Int
        /// `namespace/name` or `name`, when the document says.
        public var name: String?
        public var problems: [ValidationProblem]
        /// The decoded pool, when there is no problem.
        public var pool: BrokerPool?
        /// What a valid pool's author may not have meant (`PoolDriver`): not problems.
        public var notes: [ValidationProblem] = []

        public var isValid: Bool { problems.isEmpty }
    }

    /// Check every document of `text`.
    public static func check(_ text: String) -> [Report] {
        let parser: Parser
        do {
            parser = try Parser(yaml: text)
        } catch {
            return [Report(index: 0, name: nil, problems: [yamlProblem(error)], pool: nil)]
        }
        var reports: [Report] = []
        while true {
            let node: Node?
            do {
                node = try parser.nextRoot()
            } catch {
                reports.append(Report(index: reports.count, name: nil, problems: [yamlProblem(error)], pool: nil))
                break
            }
            guard let node else { break }
            reports.append(check(node, index: reports.count))
        }
        if reports.isEmpty {
            reports.append(
                Report(
                    index: 0, name: nil,
                    problems: [
                        ValidationProblem(
                            path: "", message: "the file holds no document; write a BrokerPool (apiVersion: ebb.io/v1alpha1, kind: BrokerPool)")
                    ], pool: nil))
        }
        return reports
    }

    /// Check one parsed document.
    static func check(_ node: Node, index: Int) -> Report {
        var report = Report(index: index, name: nil, problems: [], pool: nil)
        func fail(_ path: String, _ line: Int?, _ message: String) -> Report {
            report.problems.append(ValidationProblem(path: path, line: line, message: message))
            return report
        }
        guard case .mapping = node else {
            return fail("", node.mark?.line, "expected a BrokerPool object, got a \(node.isSequenceNode ? "list" : "single value")")
        }
        let metadataName = node["metadata"]?["name"]?.string
        let metadataNamespace = node["metadata"]?["namespace"]?.string
        report.name = metadataName.map { name in metadataNamespace.map { "\($0)/\(name)" } ?? name }

        let kind = node["kind"]?.string
        guard kind == BrokerPool.kind else {
            return fail(
                "kind", node["kind"]?.mark?.line ?? node.mark?.line,
                kind == nil
                    ? "required field is missing; add kind: BrokerPool"
                    : "'\(kind!)' is not a BrokerPool; ebb validate checks documents of kind: BrokerPool")
        }
        let apiVersion = node["apiVersion"]?.string
        guard apiVersion == BrokerPool.apiVersion else {
            return fail(
                "apiVersion", node["apiVersion"]?.mark?.line ?? node.mark?.line,
                apiVersion == nil
                    ? "required field is missing; add apiVersion: \(BrokerPool.apiVersion)"
                    : "'\(apiVersion!)' is not served; use apiVersion: \(BrokerPool.apiVersion)")
        }

        var structural = StructuralValidator()
        structural.check(node, against: BrokerPoolSchema.resource, at: .root)
        report.problems += structural.problems
        report.problems += metadataProblems(node["metadata"])
        guard report.problems.isEmpty else { return report }

        let pool: BrokerPool
        do {
            pool = try YAMLDecoder().decode(BrokerPool.self, from: node)
        } catch {
            return fail("", node.mark?.line, "could not be read: \(describe(decodingError: error))")
        }
        report.problems = BrokerPoolValidator.problems(in: pool.spec).map { problem in
            var located = problem
            located.line = line(of: problem.path, in: structural.lines)
            return located
        }
        if report.problems.isEmpty {
            report.pool = pool
            report.notes = PoolDriver.notes(for: pool.spec).map { note in
                var located = note
                located.line = line(of: note.path, in: structural.lines)
                return located
            }
        }
        return report
    }

    /// metadata.name is required and must be a DNS subdomain, as the API server will insist.
    static func metadataProblems(_ metadata: Node?) -> [ValidationProblem] {
        guard let metadata else {
            return [ValidationProblem(path: "metadata.name", message: "required field is missing; add metadata: {name: my-pool}")]
        }
        guard let nameNode = metadata["name"] else {
            return [ValidationProblem(path: "metadata.name", line: metadata.mark?.line, message: "required field is missing; name the pool")]
        }
        guard let name = nameNode.string, nameNode.tagName == .str else {
            return [ValidationProblem(path: "metadata.name", line: nameNode.mark?.line, message: "expected a string")]
        }
        let allowed = name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" || $0 == "." }
        guard !name.isEmpty, name.count <= 253, allowed, name.first?.isLetter == true || name.first?.isNumber == true,
            name.last?.isLetter == true || name.last?.isNumber == true
        else {
            return [
                ValidationProblem(
                    path: "metadata.name", line: nameNode.mark?.line,
                    message: "'\(name)' is not a valid name; use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit")
            ]
        }
        return []
    }

    /// The line of `path`, or of its nearest parent the file has.
    static func line(of path: String, in lines: [String: Int]) -> Int? {
        var candidate = path
        while !candidate.isEmpty {
            if let line = lines[candidate] { return line }
            if let cut = candidate.lastIndex(where: { $0 == "." || $0 == "[" }) {
                candidate = String(candidate[..<cut])
            } else {
                break
            }
        }
        return lines[candidate]
    }

    static func yamlProblem(_ error: any Error) -> ValidationProblem {
        if let yamlError = error as? YamlError {
            switch yamlError {
            case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
                .composer(let context, let problem, let mark, _):
                let detail = context.map { "\($0.text) " } ?? ""
                return ValidationProblem(
                    path: "", line: mark.line, message: "malformed YAML at line \(mark.line), column \(mark.column): \(detail)\(problem)")
            case .reader(let problem, _, _, _):
                return ValidationProblem(path: "", message: "the file is not readable text: \(problem)")
            case .duplicatedKeysInMapping(let duplicates, _):
                return ValidationProblem(path: "", message: "a field is written twice: \(duplicates.joined(separator: ", ")); keep one")
            default:
                return ValidationProblem(path: "", message: "malformed YAML: \(yamlError)")
            }
        }
        return ValidationProblem(path: "", message: "malformed YAML: \(error)")
    }

    /// A decoding error as a field path and what is wrong, without Swift's dump.
    public static func describe(decodingError error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "\(error)" }
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch decoding {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): required field is missing"
        @unknown default:
            return "\(error)"
        }
    }
}
