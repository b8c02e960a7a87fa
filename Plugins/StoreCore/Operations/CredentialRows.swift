// What sessions, API keys and identity links share: inserts and what their
// refusal means, deletes by key (plugin entries' too) or by user.
import PluginAPI
import PluginKit

extension StoreCore {
    /// A credential's hash: present and not empty.
    static func requireHash(_ hash: proteus_bytes, _ what: String) throws(PluginError) {
        guard hash.isPresent, hash.len > 0 else { throw .invalid("\(what) is required") }
    }

    /// Inserts a credential row (session, API key, identity link). Refused:
    /// CONFLICT (`taken`) when its key is taken, NOT_FOUND when its user does
    /// not exist. A new session or link changes no cached answer (only found
    /// ones are kept), so the auth cache stays; a new key changes its user's
    /// key presence, which a shown user holds (`changesKeyPresence`).
    func insertCredential(_ sql: String, _ context: String, user: proteus_id, changesKeyPresence: Bool = false,
                          taken: @autoclosure () -> String, _ bind: (any StoreStatement) -> Void) throws {
        try perform(.write, context, keepsAuthAnswers: !changesKeyPresence) { c in
            do {
                try c.run(sql, context, bind)
            } catch {
                switch backend.violation(in: error)?.kind {
                case .unique?: throw PluginError.conflict(taken())
                case .foreignKey?: throw PluginError.notFound("no user with id \(user.text)")
                default: throw error
                }
            }
        }
    }

    /// Deletes the row `sql` names; NOT_FOUND (`missing`) when there was none.
    /// `keepsAuthAnswers`: the row is none a cached answer holds (see perform).
    func deleteOne(_ sql: String, _ context: String, keepsAuthAnswers: Bool = false, missing: @autoclosure () -> String,
                   _ bind: (any StoreStatement) -> Void) throws {
        try perform(.write, context, keepsAuthAnswers: keepsAuthAnswers) { c in
            guard try c.run(sql, context, bind) > 0 else { throw PluginError.notFound(missing()) }
        }
    }

    /// Deletes a user's rows of one kind, of one namespace (absent: all);
    /// how many.
    func deleteOfUser(_ user: proteus_id, ns: proteus_str, all: String, inNamespace: String, _ context: String) throws -> UInt64 {
        let n = try perform(.write, context) { c in
            try c.run(ns.isPresent ? inNamespace : all, context) { v in
                v.bind(user)
                if ns.isPresent { v.bind(ns) }
            }
        }
        return UInt64(clamping: n)
    }
}
