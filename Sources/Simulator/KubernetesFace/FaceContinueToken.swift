import Foundation

/// A list's `continue` token in the server's form: unpadded base64url of
/// `{"v":"meta.k8s.io/v1","rv":REVISION,"start":"KEY\u0000"}`, so that a client that takes it
/// apart, or passes back a malformed one, meets what it would meet on a real cluster.
struct FaceContinueToken: Sendable, Equatable {
    var revision: Int64
    /// The store key (namespace/name) the next page starts after.
    var start: String

    init(revision: Int64, start: String) {
        self.revision = revision
        self.start = start
    }

    /// Nil for no token (or an empty one); 400 for one the server could not have made.
    init?(_ text: String?) throws(FaceError) {
        guard let text, !text.isEmpty else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        let invalid = FaceError(code: 400, reason: "BadRequest", message: "continue key is not valid: illegal base64 data at input byte 0")
        guard let data = Data(base64Encoded: base64) else { throw invalid }
        let json: JSON
        do { json = try JSON.parse(Array(data)) } catch { throw invalid }
        guard json["v"]?.string == "meta.k8s.io/v1", let revision = json["rv"]?.int, let start = json["start"]?.string else {
            throw FaceError(
                code: 400, reason: "BadRequest",
                message: "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
        }
        self.revision = revision
        self.start = start.hasSuffix("\u{0}") ? String(start.dropLast()) : start
    }

    var encoded: String {
        let json = JSON.object(["v": .string("meta.k8s.io/v1"), "rv": .int(revision), "start": .string(start + "\u{0}")])
        return Data(json.bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
