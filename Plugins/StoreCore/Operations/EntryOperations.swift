// Plugin entries (ABI 2.3): small namespaced key -> JSON values that are
// no user's (the SCIM dialect's bearer tokens). Never cached: every answer
// is the database's; writes change no cached auth answer, so the auth
// cache stays.
import PluginAPI
import PluginKit

extension StoreCore {
    /// An entry row (EntrySQL).
    static func readEntry(_ s: any StoreStatement) -> EntryRecord {
        EntryRecord(namespace: s.text(0) ?? "", key: s.text(1) ?? "", json: s.text(2) ?? "",
                    createdAt: s.int64(3), updatedAt: s.int64(4))
    }

    /// Inserts the entry; an existing key is overwritten when `replace`
    /// (created_at kept), else CONFLICT. One statement either way, so
    /// concurrent puts of one new key cannot both insert.
    public func putEntry(_ input: UnsafePointer<proteus_entry>?, replace: Bool) throws {
        let e = try StoreInput.record(input, "entry")
        try EntryInput.check(namespace: e.ns)
        try EntryInput.check(key: e.key)
        try EntryInput.check(json: e.json)
        let now = now()
        let written = try perform(.write, "writing a plugin entry", keepsAuthAnswers: true) { c in
            try c.run(replace ? sql.replaceEntry : sql.insertEntry, "writing a plugin entry") { v in
                v.bind(e.ns)
                v.bind(e.key)
                v.bind(e.json)
                v.bind(now)
            }
        }
        guard written > 0 else {
            throw PluginError.conflict("an entry with this key already exists in namespace \"\(e.ns.string ?? "")\"")
        }
    }

    public func getEntry(ns: proteus_str, key: proteus_str, arena: OpaquePointer?,
                         out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_entry>?>?) throws {
        let out = try output(out)
        let writer = try arenaWriter(arena)
        try EntryInput.check(namespace: ns)
        try EntryInput.check(key: key)
        let found = try perform(.read, "reading a plugin entry") { c in
            try c.first(sql.getEntry, "reading a plugin entry", { v in
                v.bind(ns)
                v.bind(key)
            }, Self.readEntry)
        }
        guard let found else { throw PluginError.notFound("no entry with this key in namespace \"\(ns.string ?? "")\"") }
        out.pointee = try writer.single(try writer.entry(found))
    }

    /// Every entry of the namespace by key (absent: of every namespace, by
    /// namespace then key); TOO_LARGE past PROTEUS_ENTRY_LIST_MAX, never a
    /// partial list (one row more is read to tell).
    public func listEntries(ns: proteus_str, arena: OpaquePointer?,
                            out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_entry_list>?>?) throws {
        let out = try output(out)
        let writer = try arenaWriter(arena)
        let all = !ns.isPresent
        if !all { try EntryInput.check(namespace: ns) }
        let max = Int(PROTEUS_ENTRY_LIST_MAX)
        let entries = try perform(.read, "listing plugin entries") { c in
            try c.all(all ? sql.listAllEntries : sql.listEntries, "listing plugin entries", { v in
                if !all { v.bind(ns) }
                v.bind(max + 1)
            }, Self.readEntry)
        }
        guard entries.count <= max else {
            let scope = all ? "the store" : "namespace \"\(ns.string ?? "")\""
            throw PluginError.tooLarge("\(scope) holds more than \(max) entries, more than entry_list returns")
        }
        out.pointee = try writer.entryList(entries)
    }

    public func deleteEntry(ns: proteus_str, key: proteus_str) throws {
        try EntryInput.check(namespace: ns)
        try EntryInput.check(key: key)
        try deleteOne(sql.deleteEntry, "deleting a plugin entry", keepsAuthAnswers: true,
                      missing: "no entry with this key in namespace \"\(ns.string ?? "")\"") { v in
            v.bind(ns)
            v.bind(key)
        }
    }
}
