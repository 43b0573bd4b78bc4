import ArgumentParser
import BrokerMetrics
import Foundation
import KubernetesClient
import Logging
import Operator
import ServiceLifecycle

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the operator: watch BrokerPools, scale their StatefulSets, move partitions, drain before shrinking.")

    @Option(help: "kubeconfig file (default: in-cluster service account, else KUBECONFIG, else ~/.kube/config).")
    var kubeconfig: String?

    @Option(help: "kubeconfig context (default: the current one).")
    var context: String?

    @Option(help: "Watch BrokerPools in this namespace only (default: every namespace).")
    var namespace: String?

    @Option(help: "Where /metrics, /healthz and /readyz listen.")
    var metricsBindAddress: String = ":8080"

    @Flag(help: "Run only while holding the leader Lease, so that several replicas can run.")
    var leaderElect = false

    @Option(help: "Namespace of the leader Lease (default: the pod's namespace, else ebb-system).")
    var leaderElectionNamespace: String?

    @Option(help: "Name of the leader Lease.")
    var leaderElectionId = "ebb-operator"

    @Option(help: "This replica's identity in the Lease and in Events (default: the host name).")
    var identity: String?

    @Option(help: "json or text.")
    var logFormat: LogFormat = .json

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    @Flag(help: "Decide and log, but write nothing to StatefulSets or Kafka.")
    var dryRun = false

    @Option(help: "Prometheus base address for throughput, CPU and custom metrics (e.g. http://prometheus.monitoring:9090).")
    var prometheusUrl: String?

    @Option(
        help: ArgumentHelp(
            "A host (or host:port) that BrokerPools may name in spec.metrics[].prometheus.serverAddress, besides --prometheus-url's; repeat for more.",
            discussion:
                "Without it, a pool can query only the operator's own Prometheus: whoever may create pools cannot make the operator send requests elsewhere."
        ))
    var prometheusAllowedHost: [String] = []

    @Option(help: "Reconciles that may run at once (never two on one pool), 1 to 64.")
    var workers = 2

    func validate() throws {
        do {
            _ = try BindAddress(metricsBindAddress)
        } catch {
            throw ValidationError("--metrics-bind-address: \(error)")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level: '\(logLevel)' is not one of trace, debug, info, notice, warning, error, critical")
        }
        // Each worker is a task for the whole run: 9223372036854775807 of them would never start.
        for host in prometheusAllowedHost where host.isEmpty || host.contains("/") || host.contains("@") {
            throw ValidationError("--prometheus-allowed-host: '\(host)' is not a host or host:port")
        }
        guard (1...64).contains(workers) else { throw ValidationError("--workers: \(workers) is not from 1 to 64") }
    }

    func run() async throws {
        let format = logFormat
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = format == .json ? JSONLogHandler(label: label) : TextLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "ebb")

        let configuration: KubernetesConfiguration
        do {
            if kubeconfig == nil, context == nil, ProcessInfo.processInfo.environment["KUBERNETES_SERVICE_HOST"] != nil {
                configuration = try KubernetesConfiguration.inCluster()
            } else {
                configuration = try KubeConfig.load(paths: KubeConfig.paths(explicit: kubeconfig)).resolve(context: context)
            }
        } catch {
            // Before anything runs: one plain line (a log line is for what happens after).
            // A KubeConfigError names its file and its fix already.
            throw CommandFailure("cannot configure the Kubernetes client: \(error)")
        }
        for warning in configuration.warnings { logger.warning("\(warning)") }
        let client = try Kubernetes(configuration)
        let prometheus: PrometheusClient?
        do {
            prometheus = try prometheusUrl.map { url throws in try PrometheusClient(url: url) }
        } catch {
            throw ValidationError("--prometheus-url: \(error)")
        }
        let me = identity ?? ProcessInfo.processInfo.hostName
        let kafkaClients = KafkaClients(kubernetes: client)
        let metrics = OperatorMetrics()
        var elector: LeaderElector?
        if leaderElect {
            let leaseNamespace = leaderElectionNamespace ?? (configuration.source.hasPrefix("in-cluster") ? configuration.namespace : "ebb-system")
            elector = LeaderElector(client: client, namespace: leaseNamespace, name: leaderElectionId, identity: me, logger: logger)
        }
        let reconciler = PoolReconciler(
            workloads: KubernetesWorkloadPort(client: client, instance: me), kafka: KafkaClusterPort(clients: kafkaClients),
            metricSource: PoolMetricSource(
                prometheus: prometheus, kafka: kafkaClients,
                addresses: PrometheusAddressPolicy(operatorURL: prometheusUrl, hosts: prometheusAllowedHost)), metrics: metrics, logger: logger,
            leadership: elector?.leadership, options: .init(dryRun: dryRun))
        let controller = PoolController(
            client: client, namespace: namespace, reconciler: reconciler, logger: logger, workers: workers, elector: elector)
        let server = OperatorHTTPServer(address: try BindAddress(metricsBindAddress), metrics: metrics, logger: logger) { controller.isReady }
        logger.info(
            "starting",
            metadata: [
                "kubernetes": "\(configuration.server)", "source": "\(configuration.source)", "namespace": "\(namespace ?? "(all)")",
                "leader_elect": "\(leaderElect)", "dry_run": "\(dryRun)", "identity": "\(me)", "version": "\(Ebb.configuration.version)"
            ])
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: controller), .init(service: server)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        await kafkaClients.closeAll()
        logger.info("stopped")
    }
}

extension LogFormat: ExpressibleByArgument {}
