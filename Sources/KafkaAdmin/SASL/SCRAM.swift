/// SASL credentials for a Kafka connection.
public struct SASLCredentials: Sendable, Hashable {
    public enum Mechanism: String, Sendable, Hashable, CaseIterable {
        case plain = "PLAIN"
        case scramSHA256 = "SCRAM-SHA-256"
        case scramSHA512 = "SCRAM-SHA-512"

        var hash: SHA2? {
            switch self {
            case .plain: return nil
            case .scramSHA256: return .sha256
            case .scramSHA512: return .sha512
            }
        }
    }

    public var mechanism: Mechanism
    public var username: String
    public var password: String

    public init(mechanism: Mechanism, username: String, password: String) {
        self.mechanism = mechanism
        self.username = username
        self.password = password
    }
}

/// Why a SCRAM exchange failed.
public struct SCRAMError: Error, Sendable, Hashable, CustomStringConvertible {
    public let detail: String
    public var description: String { detail }
}

/// The client side of SCRAM (RFC 5802, RFC 7677) as Kafka uses it: no channel binding, and
/// the password taken as it is (SASLprep is the identity for ASCII passwords).
public struct SCRAMClient: Sendable {
    let hash: SHA2
    let username: String
    let password: String
    let nonce: String
    private var authMessage: [UInt8] = []
    private var saltedPassword: [UInt8] = []

    public init(hash: SHA2, username: String, password: String, nonce: String? = nil) {
        self.hash = hash
        self.username = username
        self.password = password
        var generator = SystemRandomNumberGenerator()
        self.nonce = nonce ?? Base64.encode((0..<24).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    var clientFirstBare: String { "n=\(SCRAM.saslName(username)),r=\(nonce)" }

    /// `n,,n=user,r=nonce`.
    public func clientFirst() -> [UInt8] { Array("n,,\(clientFirstBare)".utf8) }

    /// The proof, from the server's salt, iterations and combined nonce.
    public mutating func clientFinal(serverFirst: [UInt8]) throws(SCRAMError) -> [UInt8] {
        let serverFirstText = String(decoding: serverFirst, as: UTF8.self)
        let fields = SCRAM.attributes(serverFirstText)
        if let error = fields["e"] { throw SCRAMError(detail: "the server refused: \(error)") }
        guard let combined = fields["r"], combined.hasPrefix(nonce), combined.count > nonce.count else {
            throw SCRAMError(detail: "the server's nonce does not extend ours")
        }
        guard let saltText = fields["s"], let salt = Base64.decode(saltText), !salt.isEmpty else {
            throw SCRAMError(detail: "the server sent no valid salt")
        }
        guard let iterationText = fields["i"], let iterations = Int(iterationText) else {
            throw SCRAMError(detail: "the server sent no iteration count")
        }
        // A hostile server could ask for millions of iterations, seconds of CPU per connection.
        guard SCRAM.iterationRange.contains(iterations) else {
            throw SCRAMError(
                detail:
                    "the server asks for \(iterationText) iterations; Kafka allows \(SCRAM.iterationRange.lowerBound) to \(SCRAM.iterationRange.upperBound)"
            )
        }
        saltedPassword = try hash.hi(password: Array(password.utf8), salt: salt, iterations: iterations)
        let withoutProof = "c=biws,r=\(combined)"
        authMessage = Array("\(clientFirstBare),\(serverFirstText),\(withoutProof)".utf8)
        let clientKey = hash.hmac(key: saltedPassword, Array("Client Key".utf8))
        let signature = hash.hmac(key: hash.hash(clientKey), authMessage)
        let proof = zip(clientKey, signature).map { $0 ^ $1 }
        return Array("\(withoutProof),p=\(Base64.encode(proof))".utf8)
    }

    /// Checks the server's signature: a server that does not know the password cannot make it.
    public func verify(serverFinal: [UInt8]) throws(SCRAMError) {
        let fields = SCRAM.attributes(String(decoding: serverFinal, as: UTF8.self))
        if let error = fields["e"] { throw SCRAMError(detail: "the server refused: \(error)") }
        let serverKey = hash.hmac(key: saltedPassword, Array("Server Key".utf8))
        guard let text = fields["v"], let signature = Base64.decode(text), hash.isValid(mac: signature, of: authMessage, key: serverKey) else {
            throw SCRAMError(detail: "the server's signature is wrong: it does not know this user's credentials")
        }
    }
}

/// The server side of SCRAM, for the simulator's Kafka face.
public struct SCRAMServer: Sendable {
    public struct Credential: Sendable, Hashable {
        public var salt: [UInt8]
        public var iterations: Int
        public var storedKey: [UInt8]
        public var serverKey: [UInt8]

        public init(hash: SHA2, password: String, salt: [UInt8], iterations: Int = 4096) throws(SCRAMError) {
            let salted = try hash.hi(password: Array(password.utf8), salt: salt, iterations: iterations)
            self.salt = salt
            self.iterations = iterations
            self.storedKey = hash.hash(hash.hmac(key: salted, Array("Client Key".utf8)))
            self.serverKey = hash.hmac(key: salted, Array("Server Key".utf8))
        }
    }

    let hash: SHA2
    let credentials: [String: Credential]
    private var credential: Credential?
    private var clientFirstBare = ""
    private var serverFirst = ""
    private var nonce = ""
    private var pendingUser: String?
    /// The authenticated user, once the proof has been checked.
    public private(set) var username: String?

    public init(hash: SHA2, credentials: [String: Credential]) {
        self.hash = hash
        self.credentials = credentials
    }

    public mutating func serverFirst(clientFirst: [UInt8]) throws(SCRAMError) -> [UInt8] {
        let text = String(decoding: clientFirst, as: UTF8.self)
        guard text.hasPrefix("n,") || text.hasPrefix("y,") else { throw SCRAMError(detail: "channel binding is not supported") }
        let parts = text.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw SCRAMError(detail: "malformed client-first message") }
        clientFirstBare = String(parts[2])
        let fields = SCRAM.attributes(clientFirstBare)
        guard let name = fields["n"], let user = SCRAM.unescape(name), let clientNonce = fields["r"], !clientNonce.isEmpty else {
            throw SCRAMError(detail: "malformed client-first message")
        }
        guard let known = credentials[user] else { throw SCRAMError(detail: "unknown user") }
        credential = known
        var generator = SystemRandomNumberGenerator()
        nonce = clientNonce + Base64.encode((0..<18).map { _ in UInt8.random(in: 0...255, using: &generator) })
        serverFirst = "r=\(nonce),s=\(Base64.encode(known.salt)),i=\(known.iterations)"
        username = nil
        pendingUser = user
        return Array(serverFirst.utf8)
    }

    /// The server's signature when the proof is right; throws otherwise.
    public mutating func serverFinal(clientFinal: [UInt8]) throws(SCRAMError) -> [UInt8] {
        guard let credential else { throw SCRAMError(detail: "client-final before client-first") }
        let text = String(decoding: clientFinal, as: UTF8.self)
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard let last = parts.last, last.hasPrefix("p="), parts.count > 1 else { throw SCRAMError(detail: "malformed client-final message") }
        let withoutProof = parts.dropLast().joined(separator: ",")
        let fields = SCRAM.attributes(text)
        guard fields["r"] == nonce, let proofText = fields["p"], let proof = Base64.decode(proofText), proof.count == hash.digestSize else {
            throw SCRAMError(detail: "malformed client-final message")
        }
        let authMessage = Array("\(clientFirstBare),\(serverFirst),\(withoutProof)".utf8)
        let signature = hash.hmac(key: credential.storedKey, authMessage)
        let clientKey = zip(proof, signature).map { $0 ^ $1 }
        guard constantTimeEqual(hash.hash(clientKey), credential.storedKey) else { throw SCRAMError(detail: "authentication failed: wrong password") }
        username = pendingUser
        return Array("v=\(Base64.encode(hash.hmac(key: credential.serverKey, authMessage)))".utf8)
    }
}

/// Whether two byte strings are equal, in time that depends only on their lengths.
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices { difference |= a[index] ^ b[index] }
    return difference == 0
}

enum SCRAM {
    /// The iteration counts Kafka's SCRAM accepts (`ScramMechanism`: 4096 to 16384). A client
    /// that took more would let a hostile broker cost it seconds of CPU per connection.
    static let iterationRange = 4096...16384

    /// `a=b,c=d` into a dictionary (values may contain `=`).
    static func attributes(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for part in text.split(separator: ",") {
            guard let equals = part.firstIndex(of: "="), part.distance(from: part.startIndex, to: equals) == 1 else { continue }
            fields[String(part[..<equals])] = String(part[part.index(after: equals)...])
        }
        return fields
    }

    static func saslName(_ name: String) -> String {
        name.replacingOccurrences("=", "=3D").replacingOccurrences(",", "=2C")
    }

    static func unescape(_ name: String) -> String? {
        var result = ""
        var rest = Substring(name)
        while let equals = rest.firstIndex(of: "=") {
            result += rest[..<equals]
            let code = rest[rest.index(after: equals)...].prefix(2)
            switch code {
            case "3D": result += "="
            case "2C": result += ","
            default: return nil
            }
            rest = rest[rest.index(equals, offsetBy: 3)...]
        }
        return result + rest
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: Character, _ replacement: String) -> String {
        var result = ""
        for character in self { if character == target { result += replacement } else { result.append(character) } }
        return result
    }
}
