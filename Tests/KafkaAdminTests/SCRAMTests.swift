import Testing

@testable import KafkaAdmin

/// The hashes, HMAC and PBKDF2 against published vectors, and SCRAM against RFC 7677's
/// example exchange: values nobody here computed.
struct SCRAMTests {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func sha256Vectors() {
        #expect(Self.hex(SHA2.sha256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Self.hex(SHA2.sha256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let twoBlocks = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(Self.hex(SHA2.sha256.hash(twoBlocks)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func sha512Vectors() {
        #expect(
            Self.hex(SHA2.sha512.hash(Array("abc".utf8)))
                == "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
        #expect(Self.hex(SHA2.sha512.hash([])).hasPrefix("cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"))
    }

    @Test func hmacVectors() {
        // RFC 4231, test case 2.
        let key = Array("Jefe".utf8)
        let data = Array("what do ya want for nothing?".utf8)
        #expect(Self.hex(SHA2.sha256.hmac(key: key, data)) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(
            Self.hex(SHA2.sha512.hmac(key: key, data))
                == "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737")
    }

    @Test func pbkdf2Vector() throws {
        // RFC 7914 section 11: PBKDF2-HMAC-SHA256("passwd", "salt", 1), first block.
        #expect(
            Self.hex(try SHA2.sha256.hi(password: Array("passwd".utf8), salt: Array("salt".utf8), iterations: 1))
                == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc")
    }

    @Test func base64RoundTrips() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(($0 * 37 + 11) % 256) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
        #expect(Base64.encode(Array("pencil".utf8)) == "cGVuY2ls")
        #expect(Base64.decode("abc") == nil)
        #expect(Base64.decode("a=bc") == nil)
    }

    @Test func rfc7677Exchange() throws {
        var client = SCRAMClient(hash: .sha256, username: "user", password: "pencil", nonce: "rOprNGfwEbeRWgbNEkqO")
        #expect(String(decoding: client.clientFirst(), as: UTF8.self) == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
        let serverFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
        let final = try client.clientFinal(serverFirst: Array(serverFirst.utf8))
        #expect(
            String(decoding: final, as: UTF8.self)
                == "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
        try client.verify(serverFinal: Array("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".utf8))
        #expect(throws: SCRAMError.self) { try client.verify(serverFinal: Array("v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".utf8)) }
    }

    @Test func aServerThatChangesOurNonceIsRefused() {
        var client = SCRAMClient(hash: .sha256, username: "user", password: "pencil", nonce: "abc")
        #expect(throws: SCRAMError.self) { try client.clientFinal(serverFirst: Array("r=xyz123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096".utf8)) }
        #expect(throws: SCRAMError.self) { try client.clientFinal(serverFirst: Array("r=abc123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0".utf8)) }
    }

    /// Kafka's range, 4096 to 16384 iterations, is accepted at both ends; a hostile broker asking
    /// for 1,000,000 (the old cap: 14 s of CPU per connection) is refused before any hashing.
    @Test func iterationCountsOutsideKafkasRangeAreRefused() throws {
        for accepted in [4096, 16384] {
            var client = SCRAMClient(hash: .sha512, username: "user", password: "pencil", nonce: "abc")
            _ = try client.clientFinal(serverFirst: Array("r=abc123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=\(accepted)".utf8))
        }
        for refused in ["1000000", "16385", "4095", "99999999999999999999"] {
            var client = SCRAMClient(hash: .sha512, username: "user", password: "pencil", nonce: "abc")
            let started = ContinuousClock.now
            #expect {
                try client.clientFinal(serverFirst: Array("r=abc123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=\(refused)".utf8))
            } throws: { error in
                let text = "\(error)"
                return refused.count > 15 ? text.contains("iteration") : text.contains("asks for \(refused) iterations; Kafka allows 4096 to 16384")
            }
            #expect(ContinuousClock.now - started < .seconds(1), "refused before deriving anything")
        }
    }

    /// The server's signature is checked by swift-crypto's constant-time MAC check: one flipped
    /// bit anywhere is refused, the right one accepted.
    @Test func theServerSignatureCheckIsTheMACCheck() {
        let key = Array("key".utf8)
        let message = Array("auth message".utf8)
        let mac = SHA2.sha256.hmac(key: key, message)
        #expect(SHA2.sha256.isValid(mac: mac, of: message, key: key))
        for index in mac.indices {
            var flipped = mac
            flipped[index] ^= 1
            #expect(!SHA2.sha256.isValid(mac: flipped, of: message, key: key))
        }
        #expect(!SHA2.sha256.isValid(mac: Array(mac.dropLast()), of: message, key: key))
    }

    @Test func serverAndClientAgreeAndNamesAreEscaped() throws {
        let credential = try SCRAMServer.Credential(hash: .sha512, password: "pw", salt: Array("salty".utf8), iterations: 4096)
        var server = SCRAMServer(hash: .sha512, credentials: ["a=b,c": credential])
        var client = SCRAMClient(hash: .sha512, username: "a=b,c", password: "pw")
        #expect(String(decoding: client.clientFirst(), as: UTF8.self).hasPrefix("n,,n=a=3Db=2Cc,r="))
        let first = try server.serverFirst(clientFirst: client.clientFirst())
        let final = try server.serverFinal(clientFinal: try client.clientFinal(serverFirst: first))
        try client.verify(serverFinal: final)
        #expect(server.username == "a=b,c")
    }
}
