import Crypto
import Foundation
import _CryptoExtras

/// The hash of a SCRAM mechanism (SHA-256 or SHA-512) and what SCRAM does with it: the hash,
/// HMAC, PBKDF2's Hi (RFC 5802), and a constant-time check of a MAC, all from swift-crypto
/// (BoringSSL on Linux, CryptoKit/CommonCrypto on Apple platforms).
public enum SHA2: Sendable, Hashable {
    case sha256
    case sha512

    public var digestSize: Int { self == .sha256 ? SHA256.byteCount : SHA512.byteCount }

    public func hash(_ message: [UInt8]) -> [UInt8] {
        switch self {
        case .sha256: return Array(SHA256.hash(data: message))
        case .sha512: return Array(SHA512.hash(data: message))
        }
    }

    public func hmac(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        let key = SymmetricKey(data: key)
        switch self {
        case .sha256: return Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
        case .sha512: return Array(HMAC<SHA512>.authenticationCode(for: message, using: key))
        }
    }

    /// Whether `mac` is the HMAC of `message` under `key`, compared in constant time.
    public func isValid(mac: [UInt8], of message: [UInt8], key: [UInt8]) -> Bool {
        let key = SymmetricKey(data: key)
        switch self {
        case .sha256: return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: message, using: key)
        case .sha512: return HMAC<SHA512>.isValidAuthenticationCode(mac, authenticating: message, using: key)
        }
    }

    /// PBKDF2 with this HMAC and one block of output: SCRAM's Hi(password, salt, i). The
    /// iteration count is the caller's to bound (SCRAM takes Kafka's range, `SCRAM.iterationRange`).
    public func hi(password: [UInt8], salt: [UInt8], iterations: Int) throws(SCRAMError) -> [UInt8] {
        do {
            let derived = try KDF.Insecure.PBKDF2.deriveKey(
                from: password, salt: salt, using: self == .sha256 ? .sha256 : .sha512, outputByteCount: digestSize, unsafeUncheckedRounds: iterations
            )
            return derived.withUnsafeBytes { Array($0) }
        } catch {
            throw SCRAMError(detail: "PBKDF2 with \(iterations) iterations failed: \(error)")
        }
    }
}

/// Base64 (RFC 4648, padded) as SCRAM writes it, from Foundation.
enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
    static func decode(_ text: String) -> [UInt8]? { Data(base64Encoded: text).map { Array($0) } }
}
