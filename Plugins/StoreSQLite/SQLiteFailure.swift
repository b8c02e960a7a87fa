// A failed SQLite call: the (extended) result code and SQLite's message,
// and what it means for the store contract.
import CSQLite
import PluginAPI
import PluginKit
import StoreCore

struct SQLiteFailure: PluginErrorConvertible {
    let code: Int32
    let message: String
    let context: String
    /// The item of a batch that failed (Connection.batch).
    var item: Int? = nil

    var primary: Int32 { code & 0xFF }
    var isConstraint: Bool { primary == SQLITE_CONSTRAINT }
    var isUnique: Bool { code == sqliteConstraintUnique || code == sqliteConstraintPrimaryKey }
    var isForeignKey: Bool { code == sqliteConstraintForeignKey }
    var isBusy: Bool { primary == SQLITE_BUSY || primary == SQLITE_LOCKED }
    var isCorrupt: Bool { primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB }
    /// SQLite refused the statement for a value it holds.
    var isRefusal: Bool { isConstraint || primary == SQLITE_TOOBIG || primary == SQLITE_MISMATCH }

    /// The generic translation into an ABI status. StoreCore says what a
    /// constraint failure means first (ConstraintViolation).
    var pluginError: PluginError {
        switch primary {
        case SQLITE_BUSY, SQLITE_LOCKED:
            return .unavailable("the database is busy (another writer held its lock longer than the busy timeout) while \(context)")
        case SQLITE_CORRUPT, SQLITE_NOTADB:
            return .internal("the database file is corrupt (\(message)) while \(context)")
        case SQLITE_FULL:
            return .unavailable("the disk is full while \(context)")
        case SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_PROTOCOL:
            return .unavailable("database I/O error while \(context): \(message)")
        case SQLITE_TOOBIG:
            return .tooLarge("a value is larger than the database accepts while \(context)")
        case SQLITE_NOMEM:
            return .unavailable("out of memory while \(context)")
        case SQLITE_CONSTRAINT:
            if isUnique { return .conflict("a uniqueness rule would break while \(context)") }
            if isForeignKey { return .invalid("a referenced record does not exist while \(context)") }
            return .invalid("a value breaks a database rule while \(context)")
        default:
            return .internal("SQLite error \(code) while \(context): \(message)")
        }
    }

    /// In StoreCore's terms. SQLite names the columns of a broken unique key
    /// ("UNIQUE constraint failed: users.username"), never a foreign key.
    var violation: ConstraintViolation? {
        guard isConstraint else { return nil }
        guard isUnique else { return ConstraintViolation(kind: isForeignKey ? .foreignKey : .other, item: item) }
        let prefix = "UNIQUE constraint failed: "
        let columns = message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : ""
        let key: ConstraintViolation.Key? = switch columns {
        case "users.id": .userID
        case "users.username": .username
        case "groups.id": .groupID
        default: nil
        }
        return ConstraintViolation(kind: .unique, key: key, item: item)
    }
}

// Extended result codes are function-like macros Swift does not import.
let sqliteConstraintUnique: Int32 = 19 | (8 << 8)
let sqliteConstraintPrimaryKey: Int32 = 19 | (6 << 8)
let sqliteConstraintForeignKey: Int32 = 19 | (3 << 8)
