import Foundation

/// A JSON value: how the Kubernetes face stores objects, whatever fields a client sends.
public enum JSON: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSON].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Parsed JSON holds no such number; one the simulator computed shows as a string
        // rather than turning the whole document into `null`.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        return encoder
    }()

    public static func parse(_ bytes: [UInt8]) throws -> JSON { try JSONDecoder().decode(JSON.self, from: Data(bytes)) }

    public static func from<T: Encodable>(_ value: T) throws -> JSON { try parse(Array(try encoder.encode(value))) }

    /// The value's JSON text. Encoding cannot fail: every case encodes, non-finite numbers too.
    public var bytes: [UInt8] {
        do {
            return Array(try Self.encoder.encode(self))
        } catch {
            preconditionFailure("a JSON value did not encode: \(error)")
        }
    }

    public func decode<T: Decodable>(_: T.Type) throws -> T { try JSONDecoder().decode(T.self, from: Data(bytes)) }

    // MARK: Access

    public subscript(key: String) -> JSON? {
        get {
            if case .object(let fields) = self { return fields[key] }
            return nil
        }
        set {
            guard case .object(var fields) = self else { return }
            fields[key] = newValue
            self = .object(fields)
        }
    }

    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var int: Int64? {
        switch self {
        case .int(let value): return value
        case .double(let value) where value == value.rounded(): return Int64(value)
        default: return nil
        }
    }

    public var objectValue: [String: JSON]? {
        if case .object(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The value at a dotted path (`.spec.replicas`), nil when absent.
    public func value(at path: String) -> JSON? {
        var current: JSON? = self
        for key in path.split(separator: ".") where !key.isEmpty {
            current = current?[String(key)]
        }
        return current
    }

    /// Sets the value at a dotted path, creating objects on the way.
    public mutating func set(_ value: JSON?, at path: String) {
        let keys = path.split(separator: ".").map(String.init)
        guard !keys.isEmpty else { return }
        func set(_ node: inout JSON, _ index: Int) {
            if index == keys.count - 1 {
                if case .object = node {} else { node = .object([:]) }
                node[keys[index]] = value
                return
            }
            var child = node[keys[index]] ?? .object([:])
            set(&child, index + 1)
            if case .object = node {} else { node = .object([:]) }
            node[keys[index]] = child
        }
        set(&self, 0)
    }

    // MARK: Patches

    /// RFC 7386 JSON merge patch.
    public func merging(_ patch: JSON) -> JSON {
        guard case .object(let changes) = patch else { return patch }
        var fields = objectValue ?? [:]
        for (key, change) in changes {
            if case .null = change {
                fields[key] = nil
            } else {
                fields[key] = (fields[key] ?? .null).merging(change)
            }
        }
        return .object(fields)
    }

    public struct PatchError: Error, CustomStringConvertible {
        public let description: String
    }

    /// RFC 6902 JSON patch: add, remove, replace, test, copy, move.
    public func applying(jsonPatch operations: JSON) throws -> JSON {
        guard let list = operations.arrayValue else { throw PatchError(description: "a JSON patch is a list of operations") }
        var document = self
        for operation in list {
            guard let op = operation["op"]?.string, let path = operation["path"]?.string else {
                throw PatchError(description: "every operation needs op and path")
            }
            let pointer = try Self.pointer(path)
            switch op {
            case "add": try document.put(operation["value"] ?? .null, at: pointer, replacing: false)
            case "replace":
                guard document.get(pointer) != nil else { throw PatchError(description: "replace: nothing at \(path)") }
                try document.put(operation["value"] ?? .null, at: pointer, replacing: true)
            case "remove": try document.remove(at: pointer)
            case "test":
                guard document.get(pointer) == (operation["value"] ?? .null) else { throw PatchError(description: "test failed at \(path)") }
            case "copy", "move":
                guard let from = operation["from"]?.string, let value = document.get(try Self.pointer(from)) else {
                    throw PatchError(description: "\(op): nothing at from")
                }
                if op == "move" { try document.remove(at: try Self.pointer(from)) }
                try document.put(value, at: pointer, replacing: false)
            default:
                throw PatchError(description: "unknown operation \(op)")
            }
        }
        return document
    }

    static func pointer(_ path: String) throws -> [String] {
        guard path.isEmpty || path.hasPrefix("/") else { throw PatchError(description: "'\(path)' is not a JSON pointer") }
        return path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    func get(_ pointer: [String]) -> JSON? {
        var current: JSON? = self
        for token in pointer {
            switch current {
            case .object(let fields): current = fields[token]
            case .array(let items): current = Int(token).flatMap { items.indices.contains($0) ? items[$0] : nil }
            default: return nil
            }
        }
        return current
    }

    mutating func put(_ value: JSON, at pointer: [String], replacing: Bool) throws {
        guard let token = pointer.first else {
            self = value
            return
        }
        let rest = Array(pointer.dropFirst())
        switch self {
        case .object(var fields):
            if rest.isEmpty {
                fields[token] = value
            } else {
                guard var child = fields[token] else { throw PatchError(description: "no /\(token)") }
                try child.put(value, at: rest, replacing: replacing)
                fields[token] = child
            }
            self = .object(fields)
        case .array(var items):
            if rest.isEmpty {
                if token == "-" && !replacing {
                    items.append(value)
                } else {
                    guard let index = Int(token), index >= 0, index <= items.count - (replacing ? 1 : 0) else {
                        throw PatchError(description: "index \(token) out of range")
                    }
                    if replacing { items[index] = value } else { items.insert(value, at: index) }
                }
            } else {
                guard let index = Int(token), items.indices.contains(index) else { throw PatchError(description: "index \(token) out of range") }
                try items[index].put(value, at: rest, replacing: replacing)
            }
            self = .array(items)
        default:
            throw PatchError(description: "cannot descend into a scalar at \(token)")
        }
    }

    mutating func remove(at pointer: [String]) throws {
        guard let token = pointer.first else { throw PatchError(description: "cannot remove the whole document") }
        let rest = Array(pointer.dropFirst())
        switch self {
        case .object(var fields):
            if rest.isEmpty {
                guard fields.removeValue(forKey: token) != nil else { throw PatchError(description: "remove: no /\(token)") }
            } else {
                guard var child = fields[token] else { throw PatchError(description: "no /\(token)") }
                try child.remove(at: rest)
                fields[token] = child
            }
            self = .object(fields)
        case .array(var items):
            guard let index = Int(token), items.indices.contains(index) else { throw PatchError(description: "index \(token) out of range") }
            if rest.isEmpty { items.remove(at: index) } else { try items[index].remove(at: rest) }
            self = .array(items)
        default:
            throw PatchError(description: "cannot descend into a scalar at \(token)")
        }
    }
}
