import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import Resilience

/// The cluster as Metadata describes it.
public struct KafkaClusterDescription: Sendable, Hashable, Codable {
    public struct Broker: Sendable, Hashable, Codable {
        public var id: Int32
        public var host: String
        public var port: Int32
        public var rack: String?
    }

    public struct Partition: Sendable, Hashable, Codable {
        public var index: Int32
        public var leader: Int32
        public var replicas: [Int32]
        public var isr: [Int32]
        public var offline: [Int32]
        public var error: String?
    }

    public struct Topic: Sendable, Hashable, Codable {
        public var name: String
        public var isInternal: Bool
        public var partitions: [Partition]
        public var error: String?
    }

    public var clusterId: String?
    public var controllerId: Int32
    public var brokers: [Broker]
    public var topics: [Topic]
}

/// A partition reassignment the cluster is carrying out.
public struct OngoingReassignment: Sendable, Hashable, Codable {
    public var topic: String
    public var partition: Int32
    public var replicas: [Int32]
    public var adding: [Int32]
    public var removing: [Int32]

    public init(topic: String, partition: Int32, replicas: [Int32], adding: [Int32], removing: [Int32]) {
        self.topic = topic
        self.partition = partition
        self.replicas = replicas
        self.adding = adding
        self.removing = removing
    }
}

/// One partition's answer to a reassignment request.
public struct ReassignmentResult: Sendable, Hashable, Codable {
    public var topic: String
    public var partition: Int32
    public var error: String?
}

/// Ebb's Kafka admin client: a connection per broker, versions negotiated per connection,
/// retries with backoff for retriable failures only, and errors that name the API, the broker
/// and the Kafka error.
public final class KafkaAdminClient: Sendable {
    public struct Configuration: Sendable {
        public var bootstrapServers: [String]
        public var clientId: String
        public var requestTimeout: Duration
        public var connectTimeout: Duration
        public var retries: Int
        public var retryBackoff: Duration
        public var maxRetryBackoff: Duration
        /// Credentials for SASL (PLAIN or SCRAM), or nil for none.
        public var sasl: SASLCredentials?
        /// TLS settings, or nil for plain TCP.
        public var tls: ClientTLS?
        /// The largest answer accepted, in bytes; a larger one is refused before it is buffered
        /// and the connection closes.
        public var maxResponseBytes: Int

        public init(
            bootstrapServers: [String], clientId: String = "ebb", requestTimeout: Duration = .seconds(30),
            connectTimeout: Duration = .seconds(10), retries: Int = 5, retryBackoff: Duration = .milliseconds(100),
            maxRetryBackoff: Duration = .seconds(2), sasl: SASLCredentials? = nil, tls: ClientTLS? = nil,
            maxResponseBytes: Int = KafkaFrameDecoder.defaultResponseLimit
        ) {
            self.maxResponseBytes = maxResponseBytes
            self.sasl = sasl
            self.tls = tls
            self.bootstrapServers = bootstrapServers
            self.clientId = clientId
            self.requestTimeout = requestTimeout
            self.connectTimeout = connectTimeout
            self.retries = retries
            self.retryBackoff = retryBackoff
            self.maxRetryBackoff = maxRetryBackoff
        }
    }

    struct Link {
        let connection: BrokerConnection
        let versions: ApiVersionsResponse
    }

    struct State {
        var links: [String: Link] = [:]
        var brokers: [Int32: String] = [:]
        var controller: Int32?
        var tlsContext: NIOSSLContext?
    }

    public let configuration: Configuration
    private let state = NIOLockedValueBox(State())
    private let group: any EventLoopGroup

    public init(_ configuration: Configuration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = group
    }

    // MARK: Connections

    /// `host:port` (with `[v6]:port`, or a bare v6 address and port as brokers advertise them)
    /// split, or nil when it is not one: an empty host, a port that is not 1-65535 in digits.
    public static func split(_ address: String) -> (String, Int)? {
        switch parse(address) {
        case .success(let parts): return parts
        case .failure: return nil
        }
    }

    /// Why an address is not `host:port`, for messages that name the bad part.
    public struct AddressError: Error, CustomStringConvertible, Sendable {
        public let address: String
        public let reason: String
        public var description: String { "'\(address)' \(reason)" }
    }

    /// `host:port` split, or why it is not one.
    public static func parse(_ address: String) -> Result<(String, Int), AddressError> {
        guard let colon = address.lastIndex(of: ":") else {
            return .failure(AddressError(address: address, reason: "is not host:port (no port)"))
        }
        let portText = address[address.index(after: colon)...]
        guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portText) else {
            return .failure(AddressError(address: address, reason: "is not host:port (the port '\(portText)' is not a number from 1 to 65535)"))
        }
        guard (1...65535).contains(port) else {
            return .failure(AddressError(address: address, reason: "has port \(port), outside 1-65535"))
        }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.hasSuffix(":"), !host.contains("["), !host.contains("]") else {
            return .failure(AddressError(address: address, reason: "is not host:port (write an IPv6 address in brackets: [fd00::1]:9092)"))
        }
        return .success((host, port))
    }

    /// A connection to `address` with the versions the broker speaks, opened if needed.
    func link(_ address: String) async throws(KafkaClientError) -> Link {
        if let link = state.withLockedValue({ $0.links[address] }), link.connection.isActive { return link }
        guard let (host, port) = Self.split(address) else { throw .connect(broker: address, cause: "not host:port") }
        var context: NIOSSLContext?
        if let tls = configuration.tls {
            let made = state.withLockedValue { state -> Result<NIOSSLContext, KafkaClientError> in
                if let made = state.tlsContext { return .success(made) }
                let result = Result { () throws(KafkaClientError) in try tls.makeContext() }
                if case .success(let made) = result { state.tlsContext = made }
                return result
            }
            context = try made.get()
        }
        let connection = try await BrokerConnection.connect(
            host: host, port: port, clientId: configuration.clientId, timeout: TimeAmount(configuration.connectTimeout),
            maxFrameSize: configuration.maxResponseBytes, tls: context, serverName: configuration.tls?.serverName, group: group)
        let versions: ApiVersionsResponse
        do {
            let request = ApiVersionsRequest(clientSoftwareName: "ebb", clientSoftwareVersion: "0.1.0")
            let answer = try await connection.send(request, version: 3, timeout: TimeAmount(configuration.requestTimeout))
            if answer.errorCode == 35 {
                // UNSUPPORTED_VERSION: the broker answers in v0 with what it supports; ask again at v0.
                versions = try await connection.send(ApiVersionsRequest(), version: 0, timeout: TimeAmount(configuration.requestTimeout))
            } else {
                versions = answer
            }
            if let sasl = configuration.sasl {
                try await Self.authenticate(
                    connection, broker: address, versions: versions, credentials: sasl, timeout: TimeAmount(configuration.requestTimeout))
            }
        } catch {
            await connection.close()
            throw error
        }
        let link = Link(connection: connection, versions: versions)
        state.withLockedValue { $0.links[address] = link }
        return link
    }

    /// The first bootstrap server that answers.
    func anyLink() async throws(KafkaClientError) -> (String, Link) {
        var last: KafkaClientError?
        let known = state.withLockedValue { Array($0.brokers.values).sorted() }
        for address in configuration.bootstrapServers + known {
            do {
                return (address, try await link(address))
            } catch {
                last = error
            }
        }
        throw last ?? .noBroker(detail: "no bootstrap server configured")
    }

    /// Sends `request` to `address` (any broker when nil) at the highest common version.
    public func send<Request: KafkaRequestBody>(
        _ request: Request, to address: String? = nil, versions ours: ClosedRange<Int16>? = nil
    ) async throws(KafkaClientError) -> Request.Response {
        let (target, link) = address == nil ? try await anyLink() : (address!, try await link(address!))
        let version: Int16
        do {
            version = try VersionNegotiation.version(for: Request.self, ours: ours, broker: link.versions)
        } catch {
            throw .unsupported(broker: target, cause: error)
        }
        do {
            return try await link.connection.send(request, version: version, timeout: TimeAmount(configuration.requestTimeout))
        } catch {
            if case .connectionClosed = error { _ = state.withLockedValue { $0.links.removeValue(forKey: target) } }
            if case .timeout = error {
                _ = state.withLockedValue { $0.links.removeValue(forKey: target) }
                await link.connection.close()
            }
            throw error
        }
    }

    /// Runs `operation` again after a backoff while it fails with a retriable error. With
    /// `afterTimeout: false` a timeout is the answer: a request whose fate is unknown (it may
    /// have been applied) and that was planned from what was true before it is not sent again
    /// seconds later; the caller reads the cluster again instead.
    public func retrying<T: Sendable>(afterTimeout: Bool = true, _ operation: () async throws(KafkaClientError) -> T) async throws(KafkaClientError)
        -> T
    {
        var backoff = Backoff(base: configuration.retryBackoff, cap: configuration.maxRetryBackoff)
        while true {
            do {
                return try await operation()
            } catch let failure {
                if case .timeout = failure, !afterTimeout { throw failure }
                guard failure.isRetriable, backoff.failures < configuration.retries else { throw failure }
                // Cancellation (shutdown) ends the retries: the last failure is the answer.
                do {
                    try await Task.sleep(for: backoff.nextDuration(random: Double.random(in: 0...1)))
                } catch {
                    throw failure
                }
                if case .kafka(_, _, let code, _) = failure, code.code == 41 {
                    // NOT_CONTROLLER: learn the new controller before the next try.
                    do {
                        _ = try await describeCluster()
                    } catch {
                        // The next try meets the same broker and says so; cancellation ends
                        // the retries at the next sleep.
                    }
                }
            }
        }
    }

    public func close() async {
        let links = state.withLockedValue { state -> [Link] in
            defer { state.links.removeAll() }
            return Array(state.links.values)
        }
        for link in links { await link.connection.close() }
    }

    // MARK: Calls

    /// Brokers, racks, controller, and the partitions of `topics` (every topic when nil).
    public func describeCluster(topics: [String]? = nil) async throws(KafkaClientError) -> KafkaClusterDescription {
        let request = MetadataRequest(topics: topics.map { $0.map { .init(name: $0) } }, allowAutoTopicCreation: false)
        let response = try await retrying { () async throws(KafkaClientError) -> MetadataResponse in
            // v0 reads an empty topic list as "all topics".
            try await send(request, versions: 1...MetadataRequest.validVersions.upperBound)
        }
        let description = KafkaClusterDescription(
            clusterId: response.clusterId, controllerId: response.controllerId,
            brokers: response.brokers.map { .init(id: $0.nodeId, host: $0.host, port: $0.port, rack: $0.rack) }.sorted { $0.id < $1.id },
            topics: response.topics.map { topic in
                KafkaClusterDescription.Topic(
                    name: topic.name ?? "", isInternal: topic.isInternal,
                    partitions: topic.partitions.map {
                        .init(
                            index: $0.partitionIndex, leader: $0.leaderId, replicas: $0.replicaNodes, isr: $0.isrNodes, offline: $0.offlineReplicas,
                            error: $0.errorCode == 0 ? nil : KafkaErrorCode($0.errorCode).name)
                    }.sorted { $0.index < $1.index },
                    error: topic.errorCode == 0 ? nil : KafkaErrorCode(topic.errorCode).name)
            }.sorted { $0.name < $1.name })
        // Re-bootstrap: the brokers Metadata names become the ones to fall back on, and
        // connections to brokers that left the cluster are closed.
        let gone = state.withLockedValue { state -> [Link] in
            state.brokers = Dictionary(description.brokers.map { ($0.id, "\($0.host):\($0.port)") }, uniquingKeysWith: { first, _ in first })
            state.controller = description.controllerId >= 0 ? description.controllerId : nil
            let keep = Set(state.brokers.values).union(configuration.bootstrapServers)
            let leaving = state.links.keys.filter { !keep.contains($0) }
            return leaving.compactMap { state.links.removeValue(forKey: $0) }
        }
        for link in gone { await link.connection.close() }
        return description
    }

    /// The controller's address when known (reassignments go there), else nil for any broker.
    func controllerAddress() -> String? {
        state.withLockedValue { state in state.controller.flatMap { state.brokers[$0] } }
    }

    /// The reassignments in progress (KIP-455).
    public func listReassignments() async throws(KafkaClientError) -> [OngoingReassignment] {
        let response = try await retrying { () async throws(KafkaClientError) -> ListPartitionReassignmentsResponse in
            let answer = try await send(ListPartitionReassignmentsRequest(timeoutMs: 30_000, topics: nil), to: controllerAddress())
            if answer.errorCode != 0 {
                throw .kafka(
                    api: "ListPartitionReassignments", broker: controllerAddress() ?? "cluster", code: KafkaErrorCode(answer.errorCode),
                    message: answer.errorMessage)
            }
            return answer
        }
        // A reassignment in progress always adds or removes replicas (KIP-455). Some brokers
        // (Tansu 0.6) list every partition with neither; those are not moving, and taking them
        // for moves would stop every scale-in.
        return response.topics.flatMap { topic in
            topic.partitions.filter { !$0.addingReplicas.isEmpty || !$0.removingReplicas.isEmpty }.map {
                OngoingReassignment(
                    topic: topic.name, partition: $0.partitionIndex, replicas: $0.replicas, adding: $0.addingReplicas, removing: $0.removingReplicas)
            }
        }.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
    }

    /// Submits reassignments: each partition to its new replicas, or nil to cancel its
    /// reassignment. Returns each partition's result.
    public func alterReassignments(_ targets: [(topic: String, partition: Int32, replicas: [Int32]?)]) async throws(KafkaClientError)
        -> [ReassignmentResult]
    {
        var byTopic: [String: [AlterPartitionReassignmentsRequest.ReassignablePartition]] = [:]
        for target in targets {
            byTopic[target.topic, default: []].append(.init(partitionIndex: target.partition, replicas: target.replicas))
        }
        let request = AlterPartitionReassignmentsRequest(
            timeoutMs: 60_000, topics: byTopic.keys.sorted().map { .init(name: $0, partitions: byTopic[$0]!) })
        // Not again after a timeout: the moves were checked against the pods of that moment,
        // and a broker may have gone in the seconds a timeout takes.
        let response = try await retrying(afterTimeout: false) { () async throws(KafkaClientError) -> AlterPartitionReassignmentsResponse in
            let answer = try await send(request, to: controllerAddress())
            if KafkaErrorCode(answer.errorCode).isRetriable {
                throw .kafka(
                    api: "AlterPartitionReassignments", broker: controllerAddress() ?? "cluster", code: KafkaErrorCode(answer.errorCode),
                    message: answer.errorMessage)
            }
            return answer
        }
        if response.errorCode != 0 {
            throw .kafka(
                api: "AlterPartitionReassignments", broker: controllerAddress() ?? "cluster", code: KafkaErrorCode(response.errorCode),
                message: response.errorMessage)
        }
        return response.responses.flatMap { topic in
            topic.partitions.map {
                ReassignmentResult(
                    topic: topic.name, partition: $0.partitionIndex,
                    error: $0.errorCode == 0 ? nil : "\(KafkaErrorCode($0.errorCode))\($0.errorMessage.map { ": \($0)" } ?? "")")
            }
        }
    }
}
