// The plugin's options, read from the config's "options" JSON object.
//
//   path            string   database file; default <data_directory>/proteus.sqlite;
//                            relative paths are relative to the working directory
//   synchronous     string   "full" (default) or "normal"
//   busyTimeoutMs   integer  how long to wait for another process's lock (default 5000)
//   readConnections integer  1...64, size of the reader pool (default 4)
import Glibc
import PluginKit

struct StoreOptions {
    enum Synchronous: String { case full, normal }

    var path: String
    var synchronous: Synchronous = .full
    var busyTimeoutMs: Int32 = 5000
    var readConnections: Int = 4

    static let knownKeys = ["busyTimeoutMs", "path", "readConnections", "synchronous"]

    /// Parses and checks the options; every problem is INVALID and names the key.
    static func parse(_ text: String, dataDirectory: String) throws(PluginError) -> StoreOptions {
        let object = try OptionsObject.parse(text)
        var options = StoreOptions(path: dataDirectory + "/proteus.sqlite")
        for (key, value) in object.entries {
            switch key {
            case "path":
                guard case .string(let p) = value else { throw .invalid("option \"path\" must be a string") }
                guard !p.isEmpty else { throw .invalid("option \"path\" must not be empty") }
                guard !p.utf8.contains(0) else { throw .invalid("option \"path\" must not contain NUL characters") }
                options.path = p
            case "synchronous":
                guard case .string(let s) = value else { throw .invalid("option \"synchronous\" must be a string (\"full\" or \"normal\")") }
                guard let mode = Synchronous(rawValue: s) else {
                    throw .invalid("option \"synchronous\" must be \"full\" or \"normal\", not \"\(s)\"")
                }
                options.synchronous = mode
            case "busyTimeoutMs":
                guard case .integer(let n) = value else { throw .invalid("option \"busyTimeoutMs\" must be an integer") }
                guard n >= 0 && n <= Int(Int32.max) else {
                    throw .invalid("option \"busyTimeoutMs\" must be between 0 and \(Int32.max)")
                }
                options.busyTimeoutMs = Int32(n)
            case "readConnections":
                guard case .integer(let n) = value else { throw .invalid("option \"readConnections\" must be an integer") }
                guard (1...64).contains(n) else { throw .invalid("option \"readConnections\" must be between 1 and 64, not \(n)") }
                options.readConnections = n
            default:
                throw .invalid("unknown option \"\(key)\" (known: \(knownKeys.joined(separator: ", ")))")
            }
        }
        options.path = absolutePath(options.path)
        return options
    }

    /// Relative paths are relative to the working directory at start-up.
    static func absolutePath(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        let cwd = String(cString: buffer)
        return (cwd.hasSuffix("/") ? cwd : cwd + "/") + path
    }
}

/// The top-level options object: keys in order with scalar values.
/// (Switch to PluginKit's typed option reader once ProteusJSON is merged;
/// this is the one function that parses JSON text in the plugin.)
struct OptionsObject {
    enum Value { case string(String), integer(Int), number, bool(Bool), null, array, object }
    var entries: [(String, Value)] = []

    static func parse(_ text: String) throws(PluginError) -> OptionsObject {
        var p = MiniJSON(Array(text.utf8))
        do {
            p.skipSpace()
            guard p.peek == UInt8(ascii: "{") else { throw PluginError.invalid("options must be a JSON object") }
            var object = OptionsObject()
            try p.object { key, value in object.entries.append((key, value)) }
            p.skipSpace()
            guard p.atEnd else { throw PluginError.invalid("options: unexpected text after the JSON object") }
            return object
        } catch let e as PluginError {
            throw e
        } catch {
            throw .invalid("options are not valid JSON")
        }
    }
}

/// A small strict JSON reader for the options object only.
private struct MiniJSON {
    let b: [UInt8]
    var i = 0
    init(_ b: [UInt8]) { self.b = b }

    var atEnd: Bool { i >= b.count }
    var peek: UInt8? { i < b.count ? b[i] : nil }

    mutating func skipSpace() {
        while let c = peek, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 }
    }

    func fail(_ what: String) -> PluginError { .invalid("options are not valid JSON (\(what) at byte \(i))") }

    mutating func expect(_ c: UInt8) throws(PluginError) {
        skipSpace()
        guard peek == c else { throw fail("expected '\(Character(Unicode.Scalar(c)))'") }
        i += 1
    }

    mutating func object(_ each: (String, OptionsObject.Value) -> Void) throws(PluginError) {
        try expect(UInt8(ascii: "{"))
        skipSpace()
        if peek == UInt8(ascii: "}") { i += 1; return }
        while true {
            skipSpace()
            let key = try string()
            try expect(UInt8(ascii: ":"))
            let v = try value(depth: 1)
            each(key, v)
            skipSpace()
            if peek == UInt8(ascii: ",") { i += 1; continue }
            try expect(UInt8(ascii: "}"))
            return
        }
    }

    mutating func value(depth: Int) throws(PluginError) -> OptionsObject.Value {
        guard depth < 64 else { throw fail("nesting too deep") }
        skipSpace()
        guard let c = peek else { throw fail("unexpected end") }
        switch c {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "{"):
            try expect(c); skipSpace()
            if peek == UInt8(ascii: "}") { i += 1; return .object }
            while true {
                skipSpace(); _ = try string(); try expect(UInt8(ascii: ":")); _ = try value(depth: depth + 1)
                skipSpace()
                if peek == UInt8(ascii: ",") { i += 1; continue }
                try expect(UInt8(ascii: "}")); return .object
            }
        case UInt8(ascii: "["):
            try expect(c); skipSpace()
            if peek == UInt8(ascii: "]") { i += 1; return .array }
            while true {
                _ = try value(depth: depth + 1); skipSpace()
                if peek == UInt8(ascii: ",") { i += 1; continue }
                try expect(UInt8(ascii: "]")); return .array
            }
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return try number()
        }
    }

    mutating func literal(_ word: String) throws(PluginError) {
        for c in word.utf8 { guard peek == c else { throw fail("unexpected character") }; i += 1 }
    }

    mutating func number() throws(PluginError) -> OptionsObject.Value {
        let start = i
        if peek == UInt8(ascii: "-") { i += 1 }
        guard let d = peek, d >= 48 && d <= 57 else { throw fail("unexpected character") }
        if d == 48 { i += 1 } else { while let c = peek, c >= 48 && c <= 57 { i += 1 } }
        var integral = true
        if peek == UInt8(ascii: ".") {
            integral = false; i += 1
            guard let c = peek, c >= 48 && c <= 57 else { throw fail("bad number") }
            while let c = peek, c >= 48 && c <= 57 { i += 1 }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            integral = false; i += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { i += 1 }
            guard let c = peek, c >= 48 && c <= 57 else { throw fail("bad number") }
            while let c = peek, c >= 48 && c <= 57 { i += 1 }
        }
        let text = String(decoding: b[start..<i], as: UTF8.self)
        if integral, let n = Int(text) { return .integer(n) }
        return .number
    }

    mutating func string() throws(PluginError) -> String {
        guard peek == UInt8(ascii: "\"") else { throw fail("expected a string") }
        i += 1
        var out: [UInt8] = []
        while true {
            guard let c = peek else { throw fail("unterminated string") }
            i += 1
            if c == UInt8(ascii: "\"") { break }
            if c < 0x20 { throw fail("control character in string") }
            if c != UInt8(ascii: "\\") { out.append(c); continue }
            guard let e = peek else { throw fail("unterminated string") }
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    guard peek == UInt8(ascii: "\\") else { throw fail("lone surrogate") }
                    i += 1
                    guard peek == UInt8(ascii: "u") else { throw fail("lone surrogate") }
                    i += 1
                    let low = try hex4()
                    guard low >= 0xDC00 && low < 0xE000 else { throw fail("lone surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let u = Unicode.Scalar(scalar) else { throw fail("bad escape") }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default: throw fail("bad escape")
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw fail("invalid UTF-8") }
        return s
    }

    mutating func hex4() throws(PluginError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let c = peek else { throw fail("bad escape") }
            i += 1
            let d: UInt32
            switch c {
            case 48...57: d = UInt32(c - 48)
            case 97...102: d = UInt32(c - 87)
            case 65...70: d = UInt32(c - 55)
            default: throw fail("bad escape")
            }
            v = v << 4 | d
        }
        return v
    }
}
