import Foundation

/// A UTF-8 text file a user named (a kubeconfig, a scenario, a password file), read with the
/// reason it could not be, as people read it: `no such file or directory`, `permission denied`,
/// `not UTF-8 text`; never Foundation's "The operation could not be completed".
public enum TextFile {
    public struct Unreadable: Error, CustomStringConvertible, Sendable {
        public let path: String
        public let reason: String
        public var description: String { "\(path): cannot be read: \(reason)" }
    }

    public static func read(_ path: String) throws(Unreadable) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw Unreadable(path: path, reason: reason(error))
        }
    }

    /// The operating system's words for why a read failed (`errno`'s text, lowercased).
    static func reason(_ error: any Error) -> String {
        let cocoa = error as NSError
        if let underlying = (cocoa.userInfo[NSUnderlyingErrorKey] as? any Error).map({ $0 as NSError }), underlying.domain == NSPOSIXErrorDomain,
            let text = String(validatingCString: strerror(Int32(underlying.code)))
        {
            return text.lowercased()
        }
        if cocoa.domain == NSCocoaErrorDomain, cocoa.code == CocoaError.fileReadInapplicableStringEncoding.rawValue { return "not UTF-8 text" }
        return cocoa.localizedDescription
    }
}
