import NIOCore

extension KafkaAdminClient {
    /// SaslHandshake then SaslAuthenticate rounds (KIP-152) on a fresh connection, before any
    /// other request. A SCRAM server must prove it knows the credentials too.
    static func authenticate(
        _ connection: BrokerConnection, broker: String, versions: ApiVersionsResponse, credentials: SASLCredentials, timeout: TimeAmount
    ) async throws(KafkaClientError) {
        let mechanism = credentials.mechanism.rawValue
        func fail(_ detail: String) -> KafkaClientError { .authentication(broker: broker, mechanism: mechanism, detail: detail) }
        let handshakeVersion: Int16
        let authenticateVersion: Int16
        do {
            // Handshake v0 means raw SASL tokens outside Kafka framing (before Kafka 1.0); Ebb
            // speaks the framed exchange only.
            handshakeVersion = try VersionNegotiation.version(for: SaslHandshakeRequest.self, ours: 1...1, broker: versions)
            authenticateVersion = try VersionNegotiation.version(for: SaslAuthenticateRequest.self, broker: versions)
        } catch {
            throw fail("the broker does not offer framed SASL authentication (\(error)); it may not have SASL enabled on this listener")
        }
        let handshake = try await connection.send(SaslHandshakeRequest(mechanism: mechanism), version: handshakeVersion, timeout: timeout)
        if handshake.errorCode == 33 {
            throw fail(
                "the broker does not enable this mechanism; it offers \(handshake.mechanisms.isEmpty ? "none" : handshake.mechanisms.joined(separator: ", "))"
            )
        }
        guard handshake.errorCode == 0 else { throw fail("SaslHandshake answered \(KafkaErrorCode(handshake.errorCode))") }

        func round(_ bytes: [UInt8]) async throws(KafkaClientError) -> [UInt8] {
            let answer = try await connection.send(SaslAuthenticateRequest(authBytes: bytes), version: authenticateVersion, timeout: timeout)
            guard answer.errorCode == 0 else {
                throw fail("\(KafkaErrorCode(answer.errorCode))\(answer.errorMessage.map { ": \($0)" } ?? "")")
            }
            return answer.authBytes
        }

        guard let hash = credentials.mechanism.hash else {
            // PLAIN (RFC 4616): authzid NUL authcid NUL password.
            _ = try await round([0] + Array(credentials.username.utf8) + [0] + Array(credentials.password.utf8))
            return
        }
        var scram = SCRAMClient(hash: hash, username: credentials.username, password: credentials.password)
        let serverFirst = try await round(scram.clientFirst())
        let clientFinal: [UInt8]
        do {
            clientFinal = try scram.clientFinal(serverFirst: serverFirst)
        } catch {
            throw fail(error.detail)
        }
        let serverFinal = try await round(clientFinal)
        do {
            try scram.verify(serverFinal: serverFinal)
        } catch {
            throw fail(error.detail)
        }
    }
}
