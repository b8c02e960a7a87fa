// `proteus migrate --from FILE --to FILE`: copies every role, group, user
// (with all documents), API key and identity link from one config's store to
// another's, in batches (each batch one transaction on the target), then
// the plugin entries (e.g. SCIM's token hashes; replaced by key) and the
// audit log (oldest first, times kept, new ids; only into a target whose
// log is empty, so a re-run never copies it twice), then verifies counts
// and a content checksum on both sides. Re-running is harmless: users are
// upserted by id, keys and links already present are kept. Sessions are
// not copied (users sign in again).
import Glibc
import PluginAPI
import PluginKit

enum MigrateCommand {
    static func run(_ arguments: Arguments) throws -> Int32 {
        let fromPath = try arguments.require("from")
        let toPath = try arguments.require("to")
        let batch = UInt32(try arguments.integer("batch", in: 1...100_000) ?? 1000)
        let source = try HostAssembly.storeOnly(try ConfigurationLoader.load(path: fromPath))
        defer { source.instance.destroy() }
        let target = try HostAssembly.storeOnly(try ConfigurationLoader.load(path: toPath))
        defer { target.instance.destroy() }
        let from = StoreClient(source, host: source.instance.hostTable)
        let to = StoreClient(target, host: target.instance.hostTable)
        print("migrating from store \"\(source.name)\" (\(fromPath)) to store \"\(target.name)\" (\(toPath))")

        for role in try from.listRoles() { _ = try to.putRole(role) }
        for group in try from.listGroups() { try copy(group, into: to) }
        let users = try copyUsers(from: from, to: to, batch: batch)
        var keys = 0, links = 0
        for key in try from.listKeys(user: nil) where try copyIfAbsent({ try to.createKey(key) }) { keys += 1 }
        for link in try from.listIdentities(user: nil) where try copyIfAbsent({ try to.link(link) }) { links += 1 }
        // A store built before 2.3 has no entries to give.
        let entries = from.has(\.entry_list) ? try from.listEntries(namespace: nil) : []
        for entry in entries { try to.putEntry(entry, replace: true) }
        let events = try copyAuditLog(from: from, to: to)
        print("copied \(users) users, \(keys) new API keys, \(links) new identity links, \(entries.count) plugin entries, \(events) audit events")
        return try verify(from: from, to: to, batch: batch) ? 0 : 1
    }

    /// The source's audit log, oldest first, into a target whose log is
    /// empty (a store built before 2.5 has none to give or take).
    private static func copyAuditLog(from: StoreClient, to: StoreClient) throws -> Int {
        guard from.has(\.audit_list), to.has(\.audit_append) else { return 0 }
        let page = UInt32(PROTEUS_AUDIT_LIST_MAX)
        guard try to.listAudit(AuditQuery(limit: 1)).events.isEmpty else {
            print("the target's audit log is not empty: audit events not copied (again)")
            return 0
        }
        var events: [AuditEventRecord] = []
        var query = AuditQuery(limit: page)
        while true {
            let found = try from.listAudit(query)
            events += found.events
            guard found.next > 0 else { break }
            query.before = found.next
        }
        for event in events.reversed() { try to.appendAudit(event) }
        return events.count
    }

    private static func copy(_ group: GroupRecord, into to: StoreClient) throws {
        do {
            let existing = try to.getGroup(group.id)
            if existing.name != group.name || existing.description != group.description || existing.policyJSON != group.policyJSON {
                _ = try to.updateGroup(group)
            }
        } catch let e as PluginError where e.code == PROTEUS_E_NOT_FOUND {
            try to.createGroup(group)
        }
    }

    private static func copyUsers(from: StoreClient, to: StoreClient, batch: UInt32) throws -> UInt64 {
        let progress = ProgressReporter("users")
        defer { progress.finish() }
        var cursor: [UInt8]? = nil
        var copied: UInt64 = 0
        while true {
            let page = try from.exportUsers(after: cursor, limit: batch)
            if !page.users.isEmpty { try to.importUsers(page.users, mode: PROTEUS_IMPORT_UPSERT) }
            copied += UInt64(page.users.count)
            progress.update(done: copied, total: page.total)
            guard page.users.count == Int(batch), let last = page.users.last else { return copied }
            cursor = last.id
        }
    }

    /// True when written, false when an equal record was already there.
    private static func copyIfAbsent(_ write: () throws -> Void) throws -> Bool {
        do { try write(); return true } catch let e as PluginError where e.code == PROTEUS_E_CONFLICT { return false }
    }

    private static func verify(from: StoreClient, to: StoreClient, batch: UInt32) throws -> Bool {
        let a = try from.stats(), b = try to.stats()
        let counts: [(String, UInt64, UInt64)] = [
            ("users", a.users, b.users), ("documents", a.documents, b.documents), ("groups", a.groups, b.groups),
            ("roles", a.roles, b.roles), ("api_keys", a.api_keys, b.api_keys), ("identities", a.identities, b.identities),
        ]
        var ok = true
        for (name, x, y) in counts {
            print("\(name): source \(x), target \(y)\(x == y ? "" : "  MISMATCH")")
            if x != y { ok = false }
        }
        let progress = ProgressReporter("checksum")
        let sourceSum = try StoreChecksum.compute(from, batch: batch) { progress.update(done: $0, total: $1 * 2) }
        let targetSum = try StoreChecksum.compute(to, batch: batch) { progress.update(done: $0 + sourceSum.users, total: $1 * 2) }
        progress.finish()
        print("checksum: source \(sourceSum.hex), target \(targetSum.hex)")
        if sourceSum.hex != targetSum.hex { ok = false }
        print(ok ? "verified: both stores hold the same content" : "VERIFICATION FAILED: the target differs from the source (was it empty before the first run?)")
        return ok
    }
}
