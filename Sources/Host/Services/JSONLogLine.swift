// One log event as one line of JSON (config `logFormat: "json"`):
//   {"time":"2026-12-04T18:37:00.123Z","level":"info","msg":"...","worker":2,"pid":4711,...}
// Strings go through ProteusJSON's escaping (control characters escaped;
// Swift strings are valid UTF-8, invalid input having been replaced with
// U+FFFD when it was decoded), so every line parses.
import PluginKit
import ProteusJSON

struct JSONLogLine {
    private(set) var bytes: [UInt8] = []
    /// When set, string values longer than this many UTF-8 bytes are cut
    /// (see `Logger.appendJSON`: a line must fit one atomic write).
    private let maxStringBytes: Int?

    init(millis: Int64, level: LogLevel, message: String, maxStringBytes: Int? = nil) {
        self.maxStringBytes = maxStringBytes
        bytes.reserveCapacity(256)
        bytes.append(UInt8(ascii: "{"))
        key("time", first: true)
        JSONValue.writeString(ISOTime.format(millis: millis), into: &bytes)
        string("level", level.name)
        string("msg", message)
    }

    /// A string member; nil is written as JSON null.
    mutating func string(_ name: StaticString, _ value: String?) {
        key(name)
        guard let value else { return bytes.append(contentsOf: "null".utf8) }
        JSONValue.writeString(maxStringBytes.map { Self.cut(value, to: $0) } ?? value, into: &bytes)
    }

    /// A number member; nil is written as JSON null.
    mutating func integer(_ name: StaticString, _ value: Int?) {
        key(name)
        bytes.append(contentsOf: (value.map { "\($0)" } ?? "null").utf8)
    }

    /// A number member from text the caller made a JSON number ("0.12").
    mutating func number(_ name: StaticString, text: String) {
        key(name)
        bytes.append(contentsOf: text.utf8)
    }

    mutating func boolean(_ name: StaticString, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// The finished line, with its closing brace and line feed.
    mutating func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        bytes.append(10)
        return bytes
    }

    private mutating func key(_ name: StaticString, first: Bool = false) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// `s` cut to at most `limit` UTF-8 bytes at a character boundary, with
    /// "…" appended when cut.
    static func cut(_ s: String, to limit: Int) -> String {
        guard s.utf8.count > limit else { return s }
        var kept = String.UnicodeScalarView()
        var count = 0
        for scalar in s.unicodeScalars {
            count += UTF8.width(scalar)
            if count > limit { break }
            kept.append(scalar)
        }
        return String(kept) + "…"
    }
}
