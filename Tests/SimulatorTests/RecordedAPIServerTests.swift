import BrokerScaling
import EbbTestSupport
import Foundation
import Simulator
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The Kubernetes face against a real kube-apiserver 1.23: every exchange recorded in
/// shared/kube-apiserver-1.23 is played, in the recorded order, against one face holding the
/// same state, and the face must answer as the real server did (status code, Status reason,
/// details keys and causes, the shape and values of objects). Where they differ, the face is wrong.
@Suite(.serialized) struct RecordedAPIServerTests {
    static let recordings = RealParts.root.deletingLastPathComponent().appendingPathComponent("shared/kube-apiserver-1.23")

    struct Exchange {
        var file: String
        var json: JSON
        var method: String { json.value(at: "request.method")?.string ?? "" }
        var path: String { json.value(at: "request.path")?.string ?? "" }
        var status: Int { Int(json.value(at: "response.status")?.int ?? 0) }
        var body: JSON? { json.value(at: "request.body") }
        var contentType: String? { json.value(at: "request.headers.Content-Type")?.string }
        var answer: JSON { json.value(at: "response.body") ?? .null }
    }

    static func exchanges() throws -> [Exchange] {
        let names = try FileManager.default.contentsOfDirectory(atPath: recordings.path).filter { $0.hasSuffix(".json") }.sorted()
        // 06h was recorded last (README).
        let ordered = names.filter { !$0.hasPrefix("06h") } + names.filter { $0.hasPrefix("06h") }
        return try ordered.map { Exchange(file: $0, json: try JSON.parse(Array(try Data(contentsOf: recordings.appendingPathComponent($0))))) }
    }

    /// The project's CRD as it was when 01 was recorded: the patched one with the two
    /// mechanical changes undone (README of the recordings).
    static func originalCRD(_ patched: JSON) -> JSON {
        func unpatch(_ node: JSON) -> JSON {
            guard case .object(var fields) = node else {
                if case .array(let items) = node { return .array(items.map(unpatch)) }
                return node
            }
            if fields["x-kubernetes-int-or-string"] == .bool(true), let minimum = fields["minimum"], let pattern = fields["pattern"] {
                fields["minimum"] = nil
                fields["pattern"] = nil
                fields["anyOf"] = .array([
                    .object(["type": .string("integer"), "minimum": minimum]), .object(["type": .string("string"), "pattern": pattern])
                ])
            }
            return .object(fields.mapValues(unpatch))
        }
        var crd = unpatch(patched)
        var versions = unpatch(patched).value(at: "spec.versions")?.arrayValue ?? []
        versions[0].set(
            .object(["type": .string("object"), "description": .string("Standard object metadata.")]),
            at: "schema.openAPIV3Schema.properties.metadata")
        crd.set(.array(versions), at: "spec.versions")
        return crd
    }

    // MARK: A client for raw requests

    struct Answer {
        var status: Int
        var body: JSON
        var warnings: [String]
    }

    final class Client: Sendable {
        let base: String
        let session: URLSession

        init(base: String) {
            self.base = base
            let configuration = URLSessionConfiguration.ephemeral
            configuration.timeoutIntervalForRequest = 60
            session = URLSession(configuration: configuration)
        }

        func send(_ method: String, _ path: String, token: String = "admin-token", contentType: String? = nil, body: JSON? = nil) async throws
            -> Answer
        {
            var request = URLRequest(url: URL(string: base + path)!)
            request.httpMethod = method
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            request.setValue("curl/8.5.0", forHTTPHeaderField: "User-Agent")
            request.setValue("application/json", forHTTPHeaderField: "Accept")
            if let body, body != .null {
                request.setValue(contentType ?? "application/json", forHTTPHeaderField: "Content-Type")
                if case .string(let text) = body { request.httpBody = Data(text.utf8) } else { request.httpBody = Data(body.bytes) }
            }
            let (data, response) = try await session.data(for: request)
            let http = response as! HTTPURLResponse
            let text = String(decoding: data, as: UTF8.self)
            let parsed: JSON
            if path.contains("watch=") {
                parsed = .array(try text.split(separator: "\n").map { try JSON.parse(Array($0.utf8)) })
            } else {
                parsed = (try? JSON.parse(Array(data))) ?? .string(text)
            }
            let warnings = (http.value(forHTTPHeaderField: "Warning") ?? "").isEmpty ? [] : [http.value(forHTTPHeaderField: "Warning")!]
            return Answer(status: http.statusCode, body: parsed, warnings: warnings)
        }
    }

    // MARK: Comparing answers

    /// Keys whose values differ on every run (README: uids, resourceVersions, times, names the
    /// server generates, tokens that embed a resourceVersion).
    static let runSpecific: Set<String> = [
        "uid", "resourceVersion", "creationTimestamp", "time", "lastTransitionTime", "continue", "deletionTimestamp"
    ]

    /// The differences between what the face answered and what the real server answered.
    static func differences(_ got: JSON, _ want: JSON, at path: String = "") -> [String] {
        switch (got, want) {
        case (.object(let have), .object(let expected)):
            if expected["..."] != nil { return [] }  // truncated in the recording
            var out: [String] = []
            for (key, value) in expected {
                let here = path.isEmpty ? key : "\(path).\(key)"
                if key == "managedFields" {
                    out += managedFieldDifferences(have[key], value, at: here)
                    continue
                }
                guard let mine = have[key] else {
                    out.append("\(here): missing (the server has \(short(value)))")
                    continue
                }
                if runSpecific.contains(key), case .string = value { continue }
                out += differences(mine, value, at: here)
            }
            for key in have.keys where expected[key] == nil && key != "managedFields" {
                out.append("\(path.isEmpty ? key : "\(path).\(key)"): the face has \(short(have[key]!)), the server has no such key")
            }
            return out
        case (.array(let have), .array(let expected)):
            if have.count != expected.count { return ["\(path): \(have.count) items, the server has \(expected.count)"] }
            return zip(have, expected).enumerated().flatMap { differences($0.element.0, $0.element.1, at: "\(path)[\($0.offset)]") }
        case (.int(let a), .double(let b)) where Double(a) == b: return []
        case (.double(let a), .int(let b)) where a == Double(b): return []
        default:
            return got == want ? [] : ["\(path): the face has \(short(got)), the server has \(short(want))"]
        }
    }

    static func short(_ value: JSON) -> String { String(String(decoding: value.bytes, as: UTF8.self).prefix(160)) }

    /// managedFields: the managers, operations and subresources in order (their field sets are approximated).
    static func managedFieldDifferences(_ got: JSON?, _ want: JSON, at path: String) -> [String] {
        func summary(_ value: JSON?) -> [String] {
            (value?.arrayValue ?? []).map { "\($0["manager"]?.string ?? "")/\($0["operation"]?.string ?? "")/\($0["subresource"]?.string ?? "")" }
        }
        let (have, expected) = (summary(got), summary(want))
        return have == expected ? [] : ["\(path): the face has \(have), the server has \(expected)"]
    }

    /// A Status compared as the README says: status, reason, code, details keys, causes' reason
    /// and field in order, and the message (where it carries nothing run-specific).
    static func statusDifferences(_ got: JSON, _ want: JSON, file: String) -> [String] {
        var out: [String] = []
        for key in ["kind", "status", "reason", "code"] where got[key] != want[key] {
            out.append("\(key): the face has \(short(got[key] ?? .null)), the server has \(short(want[key] ?? .null))")
        }
        let haveKeys = Set((got["details"]?.objectValue ?? [:]).keys)
        let wantKeys = Set((want["details"]?.objectValue ?? [:]).keys)
        if (got["details"] == nil) != (want["details"] == nil) || haveKeys != wantKeys {
            out.append(
                "details keys: the face has \(got["details"] == nil ? "none" : haveKeys.sorted().description), the server has \(want["details"] == nil ? "none" : wantKeys.sorted().description)"
            )
        }
        for key in ["name", "group", "kind"] where want["details"]?[key] != nil && got["details"]?[key] != want["details"]?[key] {
            out.append(
                "details.\(key): the face has \(short(got["details"]?[key] ?? .null)), the server has \(short(want["details"]?[key] ?? .null))")
        }
        func causes(_ status: JSON) -> [String] {
            (status["details"]?["causes"]?.arrayValue ?? []).map { "\($0["reason"]?.string ?? "-")@\($0["field"]?.string ?? "-")" }
        }
        if causes(got) != causes(want) { out.append("causes: the face has \(causes(got)), the server has \(causes(want))") }
        let mine = got["message"]?.string ?? ""
        let theirs = want["message"]?.string ?? ""
        if !messagesMatch(mine, theirs) { out.append("message: the face has \(mine.prefix(400)), the server has \(theirs.prefix(400))") }
        return out
    }

    /// Messages match exactly, except where the recording cut a Go dump (compared around the
    /// cut) or where numbers are resourceVersions.
    static func messagesMatch(_ mine: String, _ theirs: String) -> Bool {
        if theirs.contains("TRUNCATED") {
            let parts = theirs.components(separatedBy: "…[TRUNCATED")
            var rest = Substring(mine)
            for (index, part) in parts.enumerated() {
                let piece = index == 0 ? part : String(part[(part.range(of: "]…")?.upperBound ?? part.startIndex)...])
                let anchor = index == 0 ? piece : String(piece.drop { $0 != ":" })
                guard let range = rest.range(of: anchor) else { return false }
                rest = rest[range.upperBound...]
            }
            return true
        }
        let digits = { (text: String) in text.replacingOccurrences(of: "[0-9]+", with: "N", options: .regularExpression) }
        return mine == theirs || (theirs.hasPrefix("too old resource version") && digits(mine) == digits(theirs))
    }

    // MARK: The replay

    struct Replay: Sendable {
        let world: KubernetesWorld
        let client: Client
        var continueToken = ""
        var staleVersion: [String: String] = [:]
        var listVersion = ""

        func resource(_ plural: String) throws -> FaceResource {
            try #require(world.resources.first { $0.plural == plural })
        }

        func current(_ plural: String, _ namespace: String, _ name: String) throws -> JSON {
            try world.get(try resource(plural), namespace: namespace, name: name)
        }
    }

    @Test func everyRecordedAnswerIsTheFacesAnswer() async throws {
        let world = KubernetesWorld(honoursFieldValidation: false)
        let server = try await KubernetesFaceServer.start(
            world: world, bookmarkInterval: 1, bearerToken: "admin-token", users: ["ebb-token": FaceUser(name: "ebb-operator")])
        defer { Task { await server.stop() } }
        var replay = Replay(world: world, client: Client(base: server.url))
        // The user ebb-operator bound to the shipped roles, as in the recording.
        let rbac = try String(contentsOf: RealParts.root.appendingPathComponent("Manifests/rbac/rbac.yaml"), encoding: .utf8)
        try world.createAll(rbac) { object in
            guard object["kind"]?.string?.hasSuffix("Binding") == true else { return object }
            var bound = object
            bound.set(
                .array([.object(["kind": .string("User"), "name": .string("ebb-operator"), "apiGroup": .string("rbac.authorization.k8s.io")])]),
                at: "subjects")
            return bound
        }

        var failures: [String] = []
        for exchange in try Self.exchanges() {
            let id = String(exchange.file.prefix(3))
            var path = exchange.path
            var body = exchange.body
            var token = "admin-token"
            switch id {
            case "01-":
                let patched = try JSON.parse(
                    Array(try Data(contentsOf: Self.recordings.appendingPathComponent("inputs/brokerpools.ebb.io.patched.json"))))
                body = Self.originalCRD(patched)
            case "02a":
                body = try JSON.parse(Array(try Data(contentsOf: Self.recordings.appendingPathComponent("inputs/brokerpools.ebb.io.patched.json"))))
            case "04a":
                for namespace in ["analytics"] {
                    _ = try world.create(
                        try replay.resource("namespaces"), namespace: nil, .object(["metadata": .object(["name": .string(namespace)])]))
                }
            case "06b":
                replay.staleVersion["pool"] = try replay.current("brokerpools", "shop", "shop-events").value(at: "metadata.resourceVersion")?.string
            case "06c":
                body?.set(.string(replay.staleVersion["pool"] ?? "1"), at: "metadata.resourceVersion")
            case "08a", "08b", "08d":
                if id == "08a" {
                    // Not recorded: readyReplicas was 5 by then (the first event shows it).
                    _ = try world.modify(try replay.resource("brokerpools"), namespace: "shop", name: "shop-events", subresource: "status") {
                        current in
                        var changed = current
                        changed.set(.int(5), at: "status.readyReplicas")
                        return changed
                    }
                }
                if id == "08b" { world.compact() }
                if id == "08d" { world.restartWatchCache() }
                let version = id == "08a" ? String(world.revision) : String(world.revision - 1)
                path = path.replacingOccurrences(of: #"resourceVersion=[0-9]+"#, with: "resourceVersion=\(version)", options: .regularExpression)
                    .replacingOccurrences(of: "timeoutSeconds=5", with: "timeoutSeconds=3")
            case "08c":
                path = path.replacingOccurrences(
                    of: #"resourceVersion=[0-9]+"#, with: "resourceVersion=\(world.revision - 1)", options: .regularExpression)
            case "10b":
                let lease = try replay.current("leases", "ebb-system", "ebb-operator")
                replay.staleVersion["lease"] = lease.value(at: "metadata.resourceVersion")?.string
                body?.set(lease.value(at: "metadata.resourceVersion"), at: "metadata.resourceVersion")
            case "10c":
                body?.set(.string(replay.staleVersion["lease"] ?? "1"), at: "metadata.resourceVersion")
            case "11a":
                for name in ["shop-events-unknown", "shop-events-strict", "shop-events-warn"]
                where world.exists(try replay.resource("brokerpools"), namespace: "shop", name: name) {
                    _ = try world.delete(try replay.resource("brokerpools"), namespace: "shop", name: name)
                }
                let example = try String(
                    contentsOf: RealParts.root.appendingPathComponent("Manifests/examples/externally-driven.yaml"), encoding: .utf8)
                var pool = try JSON.yaml(example)
                pool.set(.string("analytics"), at: "metadata.namespace")
                _ = try world.create(try replay.resource("brokerpools"), namespace: "analytics", pool)
            case "11b":
                path = path.replacingOccurrences(
                    of: #"continue=[A-Za-z0-9_-]+"#, with: "continue=\(replay.continueToken)", options: .regularExpression)
            case "12d", "12e", "12f":
                token = "ebb-token"
            case "12g":
                token = "no-such-token"
            case "13a":
                if !world.exists(try replay.resource("brokerpools"), namespace: "shop", name: "shop-events-unknown") {
                    let recorded = try Self.exchanges().first { $0.file.hasPrefix("04c") }!
                    _ = try world.create(try replay.resource("brokerpools"), namespace: "shop", recorded.body!)
                }
            case "13c":
                _ = try world.create(
                    try replay.resource("leases"), namespace: "ebb-system",
                    .object(["metadata": .object(["name": .string("temp-lease")]), "spec": .object([:])]))
            case "13f":
                body?.set(
                    try replay.current("brokerpools", "shop", "shop-events").value(at: "metadata.resourceVersion"), at: "metadata.resourceVersion")
            default:
                break
            }
            // While the watch of 08a is open: the writes its notes list.
            let snapshot = replay
            async let background: Void = id == "08a" ? Self.writesDuringWatch(snapshot) : ()
            let answer = try await replay.client.send(exchange.method, path, token: token, contentType: exchange.contentType, body: body)
            try await background
            if id == "11a" { replay.continueToken = answer.body.value(at: "metadata.continue")?.string ?? "" }

            var problems: [String] = []
            if answer.status != exchange.status { problems.append("HTTP \(answer.status), the server answered \(exchange.status)") }
            let expected = exchange.answer
            if case .array(let events) = expected {
                // A watch: the same event types in order (bookmarks come when they come).
                let types = { (list: [JSON]) in list.compactMap { $0["type"]?.string }.filter { $0 != "BOOKMARK" } }
                let mine = answer.body.arrayValue ?? []
                if types(mine) != types(events) { problems.append("events \(types(mine)), the server sent \(types(events))") }
                for (got, want) in zip(mine.filter { $0["type"]?.string != "BOOKMARK" }, events.filter { $0["type"]?.string != "BOOKMARK" }) {
                    if want.value(at: "object.kind")?.string == "Status" {
                        problems += Self.statusDifferences(got["object"] ?? .null, want["object"] ?? .null, file: exchange.file)
                    } else {
                        problems += Self.differences(got["object"] ?? .null, want["object"] ?? .null).filter { !$0.contains("managedFields") }
                    }
                }
                if let bookmark = mine.first(where: { $0["type"]?.string == "BOOKMARK" }),
                    let wanted = events.first(where: { $0["type"]?.string == "BOOKMARK" })
                {
                    problems += Self.differences(bookmark, wanted)
                }
            } else if expected["kind"]?.string == "Status", expected["status"]?.string == "Failure" {
                problems += Self.statusDifferences(answer.body, expected, file: exchange.file)
            } else if id == "03b" {
                // The recording keeps 6 of the server's 20 groups: the face's groups must come in
                // the server's order, each as the server lists it.
                let recorded = expected["groups"]?.arrayValue ?? []
                let names = recorded.compactMap { $0["name"]?.string }
                let mine = (answer.body["groups"]?.arrayValue ?? []).filter { names.contains($0["name"]?.string ?? "") }
                if mine.compactMap({ $0["name"]?.string }) != names.filter({ name in mine.contains { $0["name"]?.string == name } }) {
                    problems.append("group order \(mine.compactMap { $0["name"]?.string }), the server's \(names)")
                }
                for group in mine {
                    let theirs = recorded.first { $0["name"] == group["name"] }!
                    problems += Self.differences(
                        group["preferredVersion"] ?? .null, theirs["preferredVersion"] ?? .null, at: "\(group["name"]?.string ?? "").preferredVersion"
                    )
                }
            } else if id == "03c" {
                // Truncated to the statefulsets entries.
                var mine = answer.body
                mine["resources"] = .array((mine["resources"]?.arrayValue ?? []).filter { $0["name"]?.string?.hasPrefix("statefulsets") == true })
                problems += Self.differences(mine, expected)
            } else if id != "01-" {
                problems += Self.differences(answer.body, expected)
            }
            if !problems.isEmpty { failures.append("\(exchange.file):\n  " + problems.prefix(12).joined(separator: "\n  ")) }
        }
        #expect(failures.isEmpty, "\(failures.count) recorded answers differ from the face's:\n\(failures.joined(separator: "\n"))")
    }

    /// The writes made while 08a's watch was open, spaced as recorded.
    static func writesDuringWatch(_ replay: Replay) async throws {
        let pool = "/apis/ebb.io/v1alpha1/namespaces/shop/brokerpools"
        try await Task.sleep(for: .milliseconds(300))
        _ = try await replay.client.send(
            "PATCH", "\(pool)/shop-events/status", contentType: "application/merge-patch+json",
            body: .object(["status": .object(["replicas": .int(4), "state": .string("ScalingOut")])]))
        _ = try await replay.client.send(
            "PATCH", "\(pool)/shop-events/status", contentType: "application/merge-patch+json",
            body: .object(["status": .object(["replicas": .int(5), "readyReplicas": .int(5), "state": .string("Rebalancing")])]))
        let example = try String(contentsOf: RealParts.root.appendingPathComponent("Manifests/examples/externally-driven.yaml"), encoding: .utf8)
        var canary = try JSON.yaml(example)
        canary.set(.string("shop-canary"), at: "metadata.name")
        canary.set(.string("shop"), at: "metadata.namespace")
        _ = try await replay.client.send("POST", pool, body: canary)
        _ = try await replay.client.send("DELETE", "\(pool)/shop-canary")
    }

    @Test func theCommittedCRDIsStructural() async throws {
        let text = try String(contentsOf: RealParts.root.appendingPathComponent("Manifests/crd/brokerpools.ebb.io.yaml"), encoding: .utf8)
        let crd = try JSON.yaml(text)
        let world = KubernetesWorld()
        let crds = try #require(world.resources.first { $0.plural == "customresourcedefinitions" })
        do {
            _ = try world.create(crds, namespace: nil, crd)
        } catch {
            Issue.record("the face refuses the committed CRD as a real server would: \(error.message)")
        }
        // The original (unpatched) form is refused with the 25 causes the real server gave.
        let recorded = try Self.exchanges().first { $0.file.hasPrefix("01") }!
        let patched = try JSON.parse(Array(try Data(contentsOf: Self.recordings.appendingPathComponent("inputs/brokerpools.ebb.io.patched.json"))))
        do {
            _ = try KubernetesWorld().create(crds, namespace: nil, Self.originalCRD(patched))
            Issue.record("the face accepted the CRD a real server refused")
        } catch {
            #expect(Self.statusDifferences(error.status, recorded.answer, file: recorded.file) == [])
        }
    }
}
