// A failed libpq call and what it means for the store contract: the
// connection broke (or timed out), or the server refused a statement with
// an SQLSTATE. Messages never contain the connection password.
import PluginAPI
import PluginKit
import StoreCore

struct PGFailure: PluginErrorConvertible {
    enum Kind {
        /// The connection is gone or unusable (server stopped, network).
        case connection
        /// No answer within the client-side deadline; the connection was dropped.
        case timeout
        /// The server answered with an error (sqlState is set).
        case server
        /// All pool connections stayed busy (or connecting failed just now).
        case pool
    }

    let kind: Kind
    let sqlState: String
    let message: String
    let detail: String?
    let constraint: String?
    var context: String
    /// The failure came before the transaction's BEGIN was answered:
    /// nothing was sent that could have been kept.
    var beforeBegin = false

    init(kind: Kind, sqlState: String = "", message: String, detail: String? = nil, constraint: String? = nil, context: String) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.constraint = constraint
        self.context = context
    }

    /// too_many_connections: the server's max_connections (or its reserved
    /// slots), or a role's or database's CONNECTION LIMIT.
    static let connectionLimit = "53300"

    var isUnique: Bool { sqlState == "23505" }
    var isForeignKey: Bool { sqlState == "23503" }
    /// Deadlock or serialization failure: the transaction may simply be re-run.
    var isRetryable: Bool { sqlState == "40P01" || sqlState == "40001" }
    /// The connection itself failed: nothing more can be sent on it.
    var isConnectionLoss: Bool {
        kind == .connection || kind == .timeout || sqlState.hasPrefix("08") || sqlState.hasPrefix("57P")
    }

    /// The server refused the statement for what it holds (constraint,
    /// value), rather than the connection or a concurrent transaction failing.
    var isRefusal: Bool { kind == .server && !isRetryable && !isConnectionLoss }

    /// In StoreCore's terms: PostgreSQL names the constraint, and its detail
    /// the offending value ("Key (role_slug)=(x) is not present ...").
    var violation: ConstraintViolation? {
        guard kind == .server, sqlState.hasPrefix("23") else { return nil }
        let key: ConstraintViolation.Key? = switch constraint {
        case "users_pkey": .userID
        case "users_username_key": .username
        case "groups_pkey": .groupID
        default: nil
        }
        return ConstraintViolation(kind: isUnique ? .unique : isForeignKey ? .foreignKey : .other, key: key,
                                   value: Self.keyValue(detail))
    }

    /// The value in a "Key (column)=(value) ..." detail line.
    static func keyValue(_ detail: String?) -> String? {
        guard let detail, let open = detail.range(of: ")=("), let close = detail.range(of: ") ", options: .backwards),
              open.upperBound <= close.lowerBound else { return nil }
        return String(detail[open.upperBound..<close.lowerBound])
    }

    var pluginError: PluginError {
        switch kind {
        case .connection:
            return .unavailable("PostgreSQL is unreachable while \(context): \(message)")
        case .timeout:
            return .unavailable("PostgreSQL did not answer in time while \(context) (\(message))")
        case .pool:
            return .unavailable("\(message) while \(context)")
        case .server:
            break
        }
        let cls = String(sqlState.prefix(2))
        switch sqlState {
        case "23505": return .conflict("a uniqueness rule would break while \(context)")
        case "23503": return .invalid("a referenced record does not exist while \(context)")
        case "57014": return .unavailable("the statement timed out (statement_timeout) while \(context)")
        case "55P03": return .unavailable("a lock was not available in time while \(context)")
        case "40P01", "40001": return .unavailable("a concurrent transaction kept conflicting (\(message)) while \(context)")
        case "54000": return .tooLarge("a value is larger than PostgreSQL accepts (\(message)) while \(context)")
        case "53100": return .unavailable("the database server's disk is full while \(context)")
        default: break
        }
        switch cls {
        case "23", "22": return .invalid("a value breaks a database rule (\(message)) while \(context)")
        case "08", "53", "57", "58": return .unavailable("PostgreSQL is unavailable (\(sqlState): \(message)) while \(context)")
        default: return .internal("PostgreSQL error \(sqlState) while \(context): \(message)")
        }
    }
}
