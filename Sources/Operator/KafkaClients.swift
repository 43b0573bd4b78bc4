import BrokerMetrics
import BrokerScaling
import KafkaAdmin
import KubernetesClient
import KubernetesTypes
import NIOConcurrencyHelpers

/// One Kafka admin client per pool, made from `spec.kafka` and the Secrets it names, and made
/// again when they change.
public final class KafkaClients: PoolKafkaClients {
    struct Entry: Sendable {
        let signature: String
        let client: KafkaAdminClient
        /// `spec.kafka` it was made from, and when its Secrets were last read.
        let spec: KafkaConnection
        let resolved: ContinuousClock.Instant
    }

    /// How long the Secrets behind a client are trusted before they are read again (rotated
    /// credentials are picked up within this). Without it every reconcile, and every call in
    /// it, would read them.
    public static let secretRefresh: Duration = .seconds(60)

    let kubernetes: Kubernetes?
    private let clients = NIOLockedValueBox<[ObjectKey: Entry]>([:])

    /// `kubernetes` reads Secrets for SASL and TLS; nil when none are used (tests, simulation).
    public init(kubernetes: Kubernetes?) {
        self.kubernetes = kubernetes
    }

    public func client(for pool: BrokerPool) async throws -> KafkaAdminClient {
        let key = ObjectKey(pool.metadata)
        if let entry = clients.withLockedValue({ $0[key] }), entry.spec == pool.spec.kafka, ContinuousClock.now - entry.resolved < Self.secretRefresh
        {
            return entry.client
        }
        let configuration = try await configuration(for: pool)
        let signature =
            "\(pool.spec.kafka)|\(configuration.sasl?.username ?? "")|\(configuration.sasl?.password.hashValue ?? 0)|\(configuration.tls?.hashValue ?? 0)"
        let now = ContinuousClock.now
        if let entry = clients.withLockedValue({ $0[key] }), entry.signature == signature {
            // Same credentials: keep the client (and its connections), trust them again.
            clients.withLockedValue { $0[key] = Entry(signature: signature, client: entry.client, spec: pool.spec.kafka, resolved: now) }
            return entry.client
        }
        let client = KafkaAdminClient(configuration)
        let previous = clients.withLockedValue { clients -> Entry? in
            defer { clients[key] = Entry(signature: signature, client: client, spec: pool.spec.kafka, resolved: now) }
            return clients[key]
        }
        await previous?.client.close()
        return client
    }

    /// The Secret `name`, if it names `pool` in its `ebb.io/pools` annotation: creating a pool
    /// must not be a way to send any Secret of the namespace to an address of one's choosing.
    func secret(_ name: String, in namespace: String, for pool: BrokerPool) async throws -> Secret {
        let step = "read Secret \(namespace)/\(name)"
        guard let kubernetes else { throw ReconcileError.step(step, cause: "no Kubernetes client to read Secrets with") }
        // A transient answer (429, 5xx) is retried twice within this reconcile: one flaky read
        // must not make the pool blind to Kafka (and post a KafkaUnavailable Warning) for a round.
        var attempt = 0
        let secret: Secret
        while true {
            do {
                secret = try await kubernetes.get(Secret.self, namespace: namespace, name: name)
                break
            } catch {
                attempt += 1
                guard error.isRetriable, attempt < 3 else { throw ReconcileError.step(step, cause: "\(error)") }
                try await Task.sleep(for: .milliseconds(100 * attempt))
            }
        }
        let poolName = pool.metadata.name ?? ""
        guard PoolOptIn.allows(secret.metadata.annotations, pool: poolName) else {
            throw ReconcileError.step(
                step,
                cause: PoolOptIn.refusal(
                    kind: "Secret", resource: "secret", namespace: namespace, name: name, pool: poolName, use: "use its keys"))
        }
        return secret
    }

    func configuration(for pool: BrokerPool) async throws -> KafkaAdminClient.Configuration {
        let spec = pool.spec.kafka
        let namespace = pool.metadata.namespace ?? "default"
        // The validator refuses these pools before any reconcile gets here; this is the last
        // word, for any other caller: no credentials over plaintext without the opt-out.
        if let sasl = spec.sasl, !spec.usesTLS, sasl.allowWithoutTLS != true {
            throw ReconcileError.step(
                "configure SASL", cause: "SASL without TLS is refused: add spec.kafka.tls, or set spec.kafka.sasl.allowWithoutTLS: true")
        }
        var configuration = KafkaAdminClient.Configuration(
            bootstrapServers: spec.bootstrapServers, clientId: spec.effectiveClientId,
            requestTimeout: .seconds(Int64(spec.effectiveRequestTimeoutSeconds)), retries: 3)
        if let sasl = spec.sasl {
            let reference = sasl.credentialsSecretRef
            let secret = try await secret(reference.name, in: namespace, for: pool)
            guard let username = secret.value(reference.effectiveUsernameKey), let password = secret.value(reference.effectivePasswordKey) else {
                throw ReconcileError.step(
                    "read SASL credentials",
                    cause: "Secret \(namespace)/\(reference.name) lacks key \(reference.effectiveUsernameKey) or \(reference.effectivePasswordKey)")
            }
            let mechanism: SASLCredentials.Mechanism
            switch sasl.mechanism {
            case .plain: mechanism = .plain
            case .scramSHA256: mechanism = .scramSHA256
            case .scramSHA512: mechanism = .scramSHA512
            }
            configuration.sasl = SASLCredentials(
                mechanism: mechanism, username: String(decoding: username, as: UTF8.self), password: String(decoding: password, as: UTF8.self))
        }
        if let tls = spec.tls, tls.effectiveEnabled {
            var settings = ClientTLS(serverName: tls.serverName, verifyCertificates: tls.effectiveVerify)
            if let reference = tls.caSecretRef {
                let key = reference.key ?? "ca.crt"
                guard let pem = try await secret(reference.name, in: namespace, for: pool).value(key) else {
                    throw ReconcileError.step("read Kafka CA", cause: "Secret \(namespace)/\(reference.name) has no key \(key)")
                }
                settings.caPEM = pem
            }
            if let reference = tls.clientCertificateSecretRef {
                let secret = try await secret(reference.name, in: namespace, for: pool)
                guard let certificate = secret.value("tls.crt"), let key = secret.value("tls.key") else {
                    throw ReconcileError.step(
                        "read Kafka client certificate", cause: "Secret \(namespace)/\(reference.name) needs tls.crt and tls.key")
                }
                settings.certificatePEM = certificate
                settings.keyPEM = key
            }
            configuration.tls = settings
        }
        return configuration
    }

    /// Closes the client of a pool that is gone, and forgets it.
    public func close(_ pool: ObjectKey) async {
        let entry = clients.withLockedValue { $0.removeValue(forKey: pool) }
        await entry?.client.close()
    }

    public func closeAll() async {
        let all = clients.withLockedValue { clients in
            defer { clients.removeAll() }
            return Array(clients.values)
        }
        for entry in all { await entry.client.close() }
    }
}
