import KafkaAdmin

/// SASL users of a Kafka face: which mechanisms it enables and each user's credentials, as a
/// broker with `sasl.enabled.mechanisms` and SCRAM credentials stored would have them.
public struct KafkaFaceSASL: Sendable {
    let mechanisms: [SASLCredentials.Mechanism]
    let passwords: [String: String]
    let scram: [SASLCredentials.Mechanism: [String: SCRAMServer.Credential]]

    public init(mechanisms: [SASLCredentials.Mechanism], users: [String: String], iterations: Int = 4096) throws(SCRAMError) {
        self.mechanisms = mechanisms
        self.passwords = users
        var scram: [SASLCredentials.Mechanism: [String: SCRAMServer.Credential]] = [:]
        var generator = SystemRandomNumberGenerator()
        for mechanism in mechanisms {
            let hash: SHA2
            switch mechanism {
            case .plain: continue
            case .scramSHA256: hash = .sha256
            case .scramSHA512: hash = .sha512
            }
            var credentials: [String: SCRAMServer.Credential] = [:]
            for (user, password) in users {
                let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
                credentials[user] = try SCRAMServer.Credential(hash: hash, password: password, salt: salt, iterations: iterations)
            }
            scram[mechanism] = credentials
        }
        self.scram = scram
    }
}

/// One connection's SASL exchange on the face. Until it succeeds, only ApiVersions,
/// SaslHandshake and SaslAuthenticate are answered; anything else closes the connection.
struct KafkaFaceSASLSession {
    enum Step {
        case awaitingHandshake
        case handshaken(SASLCredentials.Mechanism)
        case scramFirstDone(SCRAMServer)
        case authenticated(String)
        case failed
    }

    let config: KafkaFaceSASL
    var step = Step.awaitingHandshake

    var isAuthenticated: Bool {
        if case .authenticated = step { return true }
        return false
    }

    /// The answer to a request before authentication: `.some(bytes)` to send, `.none` when
    /// the router should answer (ApiVersions), or a thrown error to close the connection.
    mutating func answer(_ payload: [UInt8], apiKey: Int16, router: KafkaFaceRouter) throws -> [UInt8]?? {
        switch apiKey {
        case ApiVersionsRequest.apiKey:
            return .none
        case SaslHandshakeRequest.apiKey:
            let (version, correlationId, request) = try decode(SaslHandshakeRequest.self, payload)
            let enabled = config.mechanisms.map(\.rawValue)
            guard case .awaitingHandshake = step else {
                return respond(SaslHandshakeResponse(errorCode: 34, mechanisms: enabled), version, correlationId)
            }
            guard let mechanism = SASLCredentials.Mechanism(rawValue: request.mechanism), config.mechanisms.contains(mechanism) else {
                return respond(SaslHandshakeResponse(errorCode: 33, mechanisms: enabled), version, correlationId)
            }
            step = .handshaken(mechanism)
            return respond(SaslHandshakeResponse(mechanisms: enabled), version, correlationId)
        case SaslAuthenticateRequest.apiKey:
            let (version, correlationId, request) = try decode(SaslAuthenticateRequest.self, payload)
            func refuse(_ message: String) -> [UInt8] {
                step = .failed
                return KafkaFraming.response(
                    SaslAuthenticateResponse(errorCode: 58, errorMessage: message), version: version, correlationId: correlationId)
            }
            switch step {
            case .handshaken(.plain):
                let parts = request.authBytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
                guard parts.count == 3, let password = config.passwords[parts[1]], password == parts[2] else {
                    return refuse("Authentication failed: Invalid username or password")
                }
                step = .authenticated(parts[1])
                return respond(SaslAuthenticateResponse(), version, correlationId)
            case .handshaken(let mechanism):
                var server = SCRAMServer(hash: mechanism == .scramSHA256 ? .sha256 : .sha512, credentials: config.scram[mechanism] ?? [:])
                do {
                    let first = try server.serverFirst(clientFirst: request.authBytes)
                    step = .scramFirstDone(server)
                    return respond(SaslAuthenticateResponse(authBytes: first), version, correlationId)
                } catch {
                    return refuse("Authentication failed during authentication due to invalid credentials with SASL mechanism \(mechanism.rawValue)")
                }
            case .scramFirstDone(var server):
                do {
                    let final = try server.serverFinal(clientFinal: request.authBytes)
                    step = .authenticated(server.username ?? "")
                    return respond(SaslAuthenticateResponse(authBytes: final), version, correlationId)
                } catch {
                    return refuse("Authentication failed during authentication due to invalid credentials")
                }
            default:
                return refuse("SaslAuthenticate out of order")
            }
        default:
            throw FaceRefusal(detail: "api key \(apiKey) before SASL authentication")
        }
    }

    func decode<Request: KafkaRequestBody>(_: Request.Type, _ payload: [UInt8]) throws -> (Int16, Int32, Request) {
        var (header, body) = try KafkaFraming.readRequestHeader(payload) { _, version in Request.isFlexible(version) }
        guard Request.validVersions.contains(header.requestApiVersion) else {
            throw FaceRefusal(detail: "unsupported version \(header.requestApiVersion)")
        }
        return (header.requestApiVersion, header.correlationId, try Request(from: &body, version: header.requestApiVersion))
    }

    func respond<Response: KafkaResponseBody>(_ response: Response, _ version: Int16, _ correlationId: Int32) -> [UInt8] {
        KafkaFraming.response(response, version: version, correlationId: correlationId)
    }
}

/// Why the face closes a connection.
struct FaceRefusal: Error {
    let detail: String
}
