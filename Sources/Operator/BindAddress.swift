/// A `host:port` to listen on, as `--metrics-bind-address` takes it: `:8080` means every interface.
public struct BindAddress: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: Int

    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public let description: String
    }

    public init(_ text: String) throws(ParseError) {
        guard let colon = text.lastIndex(of: ":") else {
            throw ParseError(description: "'\(text)' has no port; write host:port or :port, such as :8080 or 127.0.0.1:8080")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
            throw ParseError(description: "'\(text)': the port must be a number from 0 to 65535")
        }
        self.host = host.isEmpty ? "0.0.0.0" : host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// How the operator writes its logs.
public enum LogFormat: String, Sendable, CaseIterable {
    case json
    case text
}
