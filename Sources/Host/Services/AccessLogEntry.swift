// What the access log says about one request, in either log format: the text
// line "GET /api/v1/user 200 0.12ms" (unchanged), or JSON members method,
// path, status, duration_ms and dialect.
struct AccessLogEntry {
    var method: String
    /// The raw path, without the query string (which may hold credentials).
    var path: String
    var status: Int
    var durationMs: Double
    /// The dialect that answered; nil when no mount matched (plain 404/400).
    var dialect: String?

    /// The text line, also the JSON line's "msg".
    var text: String { "\(method) \(path) \(status) \(durationText)ms" }

    func addFields(to line: inout JSONLogLine) {
        line.string("method", method)
        line.string("path", path)
        line.integer("status", status)
        line.number("duration_ms", text: durationText)
        line.string("dialect", dialect)
    }

    /// Milliseconds with two decimals ("0.12"): a valid JSON number too.
    private var durationText: String {
        // Int(Double) traps on NaN, infinity or out of range: clamp first.
        let scaled = (durationMs * 100).rounded()
        let hundredths = scaled.isFinite ? Int(max(0, min(scaled, 1e15))) : 0
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
