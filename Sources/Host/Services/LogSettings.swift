// The two settings of the log: its format (config `logFormat`) and the least
// severe level written (config `logLevel`). Level names are swift-log's, so
// that tools that know one know the other.
import PluginAPI

enum LogFormat: String, CaseIterable, Sendable {
    /// Today's lines, unchanged: "GET /x 200 0.12ms", "warning: ...".
    case text
    /// One JSON object per line (JSONLogLine).
    case json
}

enum LogLevel: Int, CaseIterable, Comparable, Sendable {
    case trace, debug, info, notice, warning, error, critical

    var name: String {
        switch self {
        case .trace: return "trace"
        case .debug: return "debug"
        case .info: return "info"
        case .notice: return "notice"
        case .warning: return "warning"
        case .error: return "error"
        case .critical: return "critical"
        }
    }

    init?(name: String) {
        guard let level = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = level
    }

    /// A plugin's host->log level (proteus_host.h); an unknown value is
    /// info, as it always was.
    init(pluginLevel: Int32) {
        switch pluginLevel {
        case PROTEUS_LOG_DEBUG: self = .debug
        case PROTEUS_LOG_WARN: self = .warning
        case PROTEUS_LOG_ERROR: self = .error
        default: self = .info
        }
    }

    static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
}
