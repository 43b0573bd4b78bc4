import Foundation

/// The API server's `Status` object, which it returns with every failed request.
public struct APIStatus: Sendable, Hashable, Codable {
    public var status: String?
    public var message: String?
    public var reason: String?
    public var code: Int?

    public init(status: String? = nil, message: String? = nil, reason: String? = nil, code: Int? = nil) {
        self.status = status
        self.message = message
        self.reason = reason
        self.code = code
    }
}

/// A request the API server refused, with what it said.
public struct APIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What Ebb was doing ("patch statefulset shop/automq-broker").
    public let step: String
    public let httpStatus: Int
    public let status: APIStatus?

    public init(step: String, httpStatus: Int, body: [UInt8]) {
        self.step = step
        self.httpStatus = httpStatus
        // Not every error answer is a Status (a proxy's HTML page): keep the first bytes then.
        let decoded: APIStatus?
        do {
            decoded = try JSONDecoder().decode(APIStatus.self, from: Data(body))
        } catch {
            decoded = nil
        }
        if let decoded, decoded.reason != nil || decoded.message != nil {
            self.status = decoded
        } else if !body.isEmpty {
            self.status = APIStatus(message: String(decoding: body.prefix(200), as: UTF8.self))
        } else {
            self.status = nil
        }
    }

    public init(step: String, httpStatus: Int, status: APIStatus?) {
        self.step = step
        self.httpStatus = httpStatus
        self.status = status
    }

    public var reason: String { status?.reason ?? "HTTP\(httpStatus)" }
    public var isConflict: Bool { httpStatus == 409 }
    /// The watch's resourceVersion is too old: relist.
    public var isGone: Bool { httpStatus == 410 }
    public var isNotFound: Bool { httpStatus == 404 }
    /// Worth retrying with backoff.
    public var isRetriable: Bool { httpStatus == 429 || httpStatus >= 500 || httpStatus == 409 }

    public var description: String {
        "\(step): \(httpStatus) \(reason)\(status?.message.map { ": \($0)" } ?? "")"
    }
}
