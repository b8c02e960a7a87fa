// Errors crossing the ABI: a status code plus an English message.
import PluginAPI

/// A failure to report through a `proteus_error *` out-parameter.
public struct PluginError: Error, Sendable, CustomStringConvertible {
    public var code: proteus_status
    public var message: String

    public init(_ code: proteus_status, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(Status.name(code)): \(message)" }

    public static func notFound(_ m: String) -> PluginError { .init(PROTEUS_E_NOT_FOUND, m) }
    public static func conflict(_ m: String) -> PluginError { .init(PROTEUS_E_CONFLICT, m) }
    public static func stale(_ m: String) -> PluginError { .init(PROTEUS_E_STALE, m) }
    public static func invalid(_ m: String) -> PluginError { .init(PROTEUS_E_INVALID, m) }
    public static func denied(_ m: String) -> PluginError { .init(PROTEUS_E_DENIED, m) }
    public static func unavailable(_ m: String) -> PluginError { .init(PROTEUS_E_UNAVAILABLE, m) }
    public static func guarded(_ m: String) -> PluginError { .init(PROTEUS_E_GUARD, m) }
    public static func tooLarge(_ m: String) -> PluginError { .init(PROTEUS_E_TOO_LARGE, m) }
    public static func unsupported(_ m: String) -> PluginError { .init(PROTEUS_E_UNSUPPORTED, m) }
    public static func `internal`(_ m: String) -> PluginError { .init(PROTEUS_E_INTERNAL, m) }

    /// Reads an error a callee wrote.
    public init(status: proteus_status, from err: proteus_error) {
        self.code = status
        var copy = err
        self.message = withUnsafeBytes(of: &copy.message) { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            let end = bytes.firstIndex(of: 0) ?? bytes.count
            return String(decoding: bytes[..<end], as: UTF8.self)
        }
        if message.isEmpty { message = Status.name(status) }
    }

    /// Writes this error into an out-parameter and returns its code.
    @discardableResult
    public func report(to err: UnsafeMutablePointer<proteus_error>?) -> proteus_status {
        guard let err else { return code }
        err.pointee.code = code
        withUnsafeMutableBytes(of: &err.pointee.message) { raw in
            let utf8 = Array(message.utf8.prefix(raw.count - 1))
            // Do not cut a multi-byte character in half.
            var n = utf8.count
            if n == raw.count - 1 { while n > 0 && (utf8[n - 1] & 0xC0) == 0x80 { n -= 1 }; if n > 0 && utf8[n - 1] >= 0xC0 { n -= 1 } }
            for i in 0..<n { raw[i] = utf8[i] }
            raw[n] = 0
        }
        return code
    }
}

/// Names of status codes, for logs and messages.
public enum Status {
    public static func name(_ code: proteus_status) -> String {
        switch code {
        case PROTEUS_OK: return "ok"
        case PROTEUS_E_NOT_FOUND: return "not found"
        case PROTEUS_E_CONFLICT: return "conflict"
        case PROTEUS_E_STALE: return "stale version"
        case PROTEUS_E_INVALID: return "invalid"
        case PROTEUS_E_DENIED: return "denied"
        case PROTEUS_E_IGNORE: return "ignored"
        case PROTEUS_E_UNAVAILABLE: return "unavailable"
        case PROTEUS_E_GUARD: return "guarded"
        case PROTEUS_E_TOO_LARGE: return "too large"
        case PROTEUS_E_UNSUPPORTED: return "unsupported"
        case PROTEUS_E_INTERNAL: return "internal error"
        case PROTEUS_E_SECOND_FACTOR: return "second factor required"
        default: return "status \(code)"
        }
    }
}

/// Runs `body`, turning a thrown PluginError (or any error) into a status.
/// The usual shape of a `@convention(c)` entry point's body.
@inlinable
public func reporting(_ err: UnsafeMutablePointer<proteus_error>?, _ body: () throws -> Void) -> proteus_status {
    do {
        try body()
        return PROTEUS_OK
    } catch let e as PluginError {
        return e.report(to: err)
    } catch let e as PluginErrorConvertible {
        return e.pluginError.report(to: err)
    } catch {
        return PluginError(PROTEUS_E_INTERNAL, "\(error)").report(to: err)
    }
}
