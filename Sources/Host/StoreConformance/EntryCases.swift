// Cases: plugin entries (ABI 2.3 entry_put, entry_get, entry_list,
// entry_delete). Each case works in namespaces of its own, so they run on a
// store that already holds entries; a store built before 2.3 skips them.
import Glibc
import PluginAPI
import PluginKit

extension StoreConformanceSuite {
    static var entryCases: [Case] {
        [
            Case(name: "entries.put_get", summary: "an entry reads back byte for byte; created_at = updated_at = now on insert", body: { try $0.entriesPutGet() }),
            Case(name: "entries.conflict_replace", summary: "an existing key without replace is CONFLICT (nothing changes); with replace json and updated_at change, created_at stays", body: { try $0.entriesConflictReplace() }),
            Case(name: "entries.list", summary: "entry_list: every entry of one namespace, by key bytes; an empty namespace lists none; an absent one lists every namespace's", body: { try $0.entriesList() }),
            Case(name: "entries.delete", summary: "entry_delete removes one entry; a missing one is NOT_FOUND", body: { try $0.entriesDelete() }),
            Case(name: "entries.namespaces", summary: "namespaces are isolated (also one that is a prefix of another); keys are byte-exact", body: { try $0.entriesNamespaces() }),
            Case(name: "entries.limits", summary: "empty or absent namespace, key or value, and ones over their maximum, are INVALID; the maxima are accepted", body: { try $0.entriesLimits() }),
            Case(name: "entries.concurrent_put", summary: "8 threads put one new key without replace: exactly one succeeds, the others are CONFLICT", body: { try $0.entriesConcurrentPut() }),
            Case(name: "entries.no_keys_in_messages", summary: "failure messages never contain the entry's key (it may be a token's hash)", body: { try $0.entriesNoKeysInMessages() }),
            Case(name: "entries.list_cap", summary: "a namespace of more than PROTEUS_ENTRY_LIST_MAX entries is TOO_LARGE for entry_list, never a partial list", body: { try $0.entriesListCap() }),
        ]
    }

    /// A fresh namespace for one case (skips a store built before 2.3).
    private func entryNamespace() throws -> String {
        try requireFunction(\.entry_put, "entry_put")
        return "ct.entries.\(token(12))"
    }

    private func entry(_ ns: String, _ key: String, _ json: String) -> EntryRecord {
        EntryRecord(namespace: ns, key: key, json: json)
    }

    private func expectEntry(_ actual: EntryRecord, _ expected: EntryRecord, _ what: String) throws {
        try expectSame(actual.namespace, expected.namespace, "\(what): namespace")
        try expectSame(actual.key, expected.key, "\(what): key")
        try expectSame(actual.json, expected.json, "\(what): json")
    }

    func entriesPutGet() throws {
        let ns = try entryNamespace()
        let before = now
        // Stored as given: whitespace, key order and escapes are kept.
        let value = entry(ns, "token-1", "{ \"id\" : \"7\",\n \"label\":\"Zürich \\u00e9 🦊\" }")
        try client.putEntry(value, replace: false)
        let after = now
        let got = try client.getEntry(namespace: ns, key: "token-1")
        try expectEntry(got, value, "the entry read back")
        try expect(got.createdAt >= before && got.createdAt <= after, "created_at \(got.createdAt) is not the time of the put (\(before)...\(after))")
        try expectEqual(got.updatedAt, got.createdAt, "updated_at of a new entry")
        // created_at and updated_at given by the caller are ignored.
        var given = entry(ns, "token-2", "1")
        given.createdAt = 42
        given.updatedAt = 43
        try client.putEntry(given, replace: false)
        let second = try client.getEntry(namespace: ns, key: "token-2")
        try expect(second.createdAt >= before && second.updatedAt == second.createdAt, "created_at/updated_at \(second.createdAt)/\(second.updatedAt) were taken from the input")
        // A value that is no JSON is still stored as given (the caller's responsibility).
        try client.putEntry(entry(ns, "token-3", "not json"), replace: false)
        try expectSame(try client.getEntry(namespace: ns, key: "token-3").json, "not json", "a value the store does not parse")
        try expectStatus("an unknown key", PROTEUS_E_NOT_FOUND) { _ = try client.getEntry(namespace: ns, key: "token-4") }
        try expectStatus("a key of an unknown namespace", PROTEUS_E_NOT_FOUND) { _ = try client.getEntry(namespace: ns + ".none", key: "token-1") }
    }

    func entriesConflictReplace() throws {
        let ns = try entryNamespace()
        try client.putEntry(entry(ns, "k", "{\"v\":1}"), replace: false)
        let first = try client.getEntry(namespace: ns, key: "k")
        try expectStatus("a second put without replace", PROTEUS_E_CONFLICT) {
            try client.putEntry(entry(ns, "k", "{\"v\":2}"), replace: false)
        }
        let unchanged = try client.getEntry(namespace: ns, key: "k")
        try expectEntry(unchanged, first, "the entry after the refused put")
        try expectEqual(unchanged.updatedAt, first.updatedAt, "updated_at after the refused put")
        // Some time passes, so a new updated_at shows.
        usleep(5_000)
        try client.putEntry(entry(ns, "k", "{\"v\":3}"), replace: true)
        let replaced = try client.getEntry(namespace: ns, key: "k")
        try expectSame(replaced.json, "{\"v\":3}", "json after replace")
        try expectEqual(replaced.createdAt, first.createdAt, "created_at after replace")
        try expect(replaced.updatedAt > first.updatedAt, "updated_at after replace (\(replaced.updatedAt)) is not later than before (\(first.updatedAt))")
        // Replace of a new key inserts it.
        try client.putEntry(entry(ns, "new", "[]"), replace: true)
        let inserted = try client.getEntry(namespace: ns, key: "new")
        try expectSame(inserted.json, "[]", "a new key put with replace")
        try expectEqual(inserted.updatedAt, inserted.createdAt, "updated_at of a new key put with replace")
        try expectEqual(try client.listEntries(namespace: ns).map(\.key), ["k", "new"], "keys after the puts")
    }

    func entriesList() throws {
        let ns = try entryNamespace()
        try expectEqual(try client.listEntries(namespace: ns).count, 0, "entries of an empty namespace")
        // Byte order: "B" (0x42) < "Z" < "_" (0x5F) < "a" < "aa" < "é" (0xC3 0xA9) < "🦊" (0xF0 ...).
        let keys = ["é", "a", "Z", "🦊", "_", "aa", "B"]
        for (i, key) in keys.enumerated() { try client.putEntry(entry(ns, key, "\(i)"), replace: false) }
        try client.putEntry(entry(ns + "x", "0", "other namespace"), replace: false)
        let listed = try client.listEntries(namespace: ns)
        let byBytes = keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        // Absent namespace: every namespace's entries (export), by namespace then key.
        let everything = try client.listEntries(namespace: nil).filter { $0.namespace == ns || $0.namespace == ns + "x" }
        try expectEqual(everything.map { $0.namespace + "/" + Hex.encode(Array($0.key.utf8)) },
                        byBytes.map { ns + "/" + Hex.encode(Array($0.utf8)) } + [ns + "x/" + Hex.encode(Array("0".utf8))],
                        "every entry, by namespace then key")
        try expectEqual(listed.map { Hex.encode(Array($0.key.utf8)) }, byBytes.map { Hex.encode(Array($0.utf8)) }, "keys in byte order")
        for e in listed {
            let i = keys.firstIndex { sameBytes($0, e.key) } ?? -1
            try expectSame(e.json, "\(i)", "the value of \(e.key)")
            try expectSame(e.namespace, ns, "the namespace of \(e.key)")
            try expect(e.createdAt > 0 && e.updatedAt == e.createdAt, "times of \(e.key): \(e.createdAt)/\(e.updatedAt)")
        }
    }

    func entriesDelete() throws {
        let ns = try entryNamespace()
        try client.putEntry(entry(ns, "a", "1"), replace: false)
        try client.putEntry(entry(ns, "b", "2"), replace: false)
        try client.deleteEntry(namespace: ns, key: "a")
        try expectStatus("the deleted entry", PROTEUS_E_NOT_FOUND) { _ = try client.getEntry(namespace: ns, key: "a") }
        try expectStatus("deleting it again", PROTEUS_E_NOT_FOUND) { try client.deleteEntry(namespace: ns, key: "a") }
        try expectStatus("deleting a key never put", PROTEUS_E_NOT_FOUND) { try client.deleteEntry(namespace: ns, key: "c") }
        try expectEqual(try client.listEntries(namespace: ns).map(\.key), ["b"], "what is left")
        // A deleted key can be put again, as new.
        try client.putEntry(entry(ns, "a", "3"), replace: false)
        try expectSame(try client.getEntry(namespace: ns, key: "a").json, "3", "the key put again")
    }

    func entriesNamespaces() throws {
        let ns = try entryNamespace()
        let longer = ns + "b"
        try client.putEntry(entry(ns, "k", "\"short\""), replace: false)
        try client.putEntry(entry(longer, "k", "\"long\""), replace: false)
        try expectSame(try client.getEntry(namespace: ns, key: "k").json, "\"short\"", "the key in the namespace")
        try expectSame(try client.getEntry(namespace: longer, key: "k").json, "\"long\"", "the key in a longer namespace")
        try expectEqual(try client.listEntries(namespace: ns).count, 1, "entries of the namespace")
        try client.putEntry(entry(ns, "k", "\"replaced\""), replace: true)
        try expectSame(try client.getEntry(namespace: longer, key: "k").json, "\"long\"", "the other namespace after a replace")
        try client.deleteEntry(namespace: ns, key: "k")
        try expectSame(try client.getEntry(namespace: longer, key: "k").json, "\"long\"", "the other namespace after a delete")
        // Keys are byte-exact: case and Unicode normalisation count.
        try client.putEntry(entry(ns, "Key", "1"), replace: false)
        try client.putEntry(entry(ns, "key", "2"), replace: false)
        try client.putEntry(entry(ns, "caf\u{E9}", "3"), replace: false)
        try client.putEntry(entry(ns, "cafe\u{301}", "4"), replace: false)
        try expectSame(try client.getEntry(namespace: ns, key: "key").json, "2", "the lower-case key")
        try expectSame(try client.getEntry(namespace: ns, key: "cafe\u{301}").json, "4", "the decomposed key")
        try expectStatus("a key that differs by case", PROTEUS_E_NOT_FOUND) { _ = try client.getEntry(namespace: ns, key: "KEY") }
        try expectEqual(try client.listEntries(namespace: ns).count, 4, "four distinct keys")
    }

    func entriesLimits() throws {
        let ns = try entryNamespace()
        let maxNS = String(repeating: "n", count: Int(PROTEUS_ENTRY_NS_MAX) - ns.utf8.count - 1)
        let longestNS = ns + "." + maxNS
        let longestKey = String(repeating: "k", count: Int(PROTEUS_ENTRY_KEY_MAX))
        let longestValue = "\"" + String(repeating: "v", count: Int(PROTEUS_ENTRY_VALUE_MAX) - 2) + "\""
        // The maxima are accepted.
        try client.putEntry(entry(longestNS, longestKey, longestValue), replace: false)
        let got = try client.getEntry(namespace: longestNS, key: longestKey)
        try expectEqual(got.json.utf8.count, Int(PROTEUS_ENTRY_VALUE_MAX), "the longest value read back")
        try expectEqual(try client.listEntries(namespace: longestNS).map(\.key), [longestKey], "the longest namespace and key listed")
        try client.deleteEntry(namespace: longestNS, key: longestKey)
        // One byte more, empty, or absent: INVALID, and nothing is stored.
        let refused: [(String, String, String, String)] = [
            ("a namespace over \(PROTEUS_ENTRY_NS_MAX) bytes", longestNS + "x", "k", "1"),
            ("a key over \(PROTEUS_ENTRY_KEY_MAX) bytes", ns, longestKey + "k", "1"),
            ("a value over \(PROTEUS_ENTRY_VALUE_MAX) bytes", ns, "k", longestValue + " "),
            ("an empty namespace", "", "k", "1"),
            ("an empty key", ns, "", "1"),
            ("an empty value", ns, "k", ""),
        ]
        for (what, n, k, v) in refused {
            try expectStatus("entry_put with \(what)", PROTEUS_E_INVALID) { try client.putEntry(entry(n, k, v), replace: true) }
        }
        try expectEqual(try client.listEntries(namespace: ns).count, 0, "entries after the refused puts")
        try client.withArena { w, arena in
            // Absent strings and a record below 2.3's size.
            for field in ["ns", "key", "json", "struct_size"] {
                var c = try w.entry(entry(ns, "k", "1"))
                switch field {
                case "ns": c.ns = .absent
                case "key": c.key = .absent
                case "json": c.json = .absent
                default: c.struct_size = UInt32(MemoryLayout<proteus_entry>.offset(of: \proteus_entry.updated_at) ?? 8)
                }
                try expectStatus("entry_put with \(field == "struct_size" ? "a short record" : "an absent \(field)")", PROTEUS_E_INVALID) {
                    try client.invoke(\.entry_put) { $0(client.store, &c, true, $1) }
                }
            }
            try expectStatus("entry_put of NULL", PROTEUS_E_INVALID) { try client.invoke(\.entry_put) { $0(client.store, nil, true, $1) } }
            // Other calls check namespace and key alike.
            var out: UnsafeMutablePointer<proteus_entry>?
            try expectStatus("entry_get without an arena", PROTEUS_E_INVALID) {
                try withProteusStr(ns) { n in try withProteusStr("k") { k in try client.invoke(\.entry_get) { $0(client.store, n, k, nil, &out, $1) } } }
            }
            try expectStatus("entry_get without an output pointer", PROTEUS_E_INVALID) {
                try withProteusStr(ns) { n in try withProteusStr("k") { k in try client.invoke(\.entry_get) { $0(client.store, n, k, arena, nil, $1) } } }
            }
        }
        try expectStatus("entry_get with an empty key", PROTEUS_E_INVALID) { _ = try client.getEntry(namespace: ns, key: "") }
        try expectStatus("entry_get with an empty namespace", PROTEUS_E_INVALID) { _ = try client.getEntry(namespace: "", key: "k") }
        try expectStatus("entry_list with an empty namespace", PROTEUS_E_INVALID) { _ = try client.listEntries(namespace: "") }
        try expectStatus("entry_list with a namespace over the maximum", PROTEUS_E_INVALID) { _ = try client.listEntries(namespace: longestNS + "x") }
        try expectStatus("entry_delete with an empty key", PROTEUS_E_INVALID) { try client.deleteEntry(namespace: ns, key: "") }
        try expectStatus("entry_delete with a key over the maximum", PROTEUS_E_INVALID) { try client.deleteEntry(namespace: ns, key: longestKey + "k") }
    }

    func entriesConcurrentPut() throws {
        let ns = try entryNamespace()
        let outcomes = Shared<[proteus_status]>([])
        let client = self.client
        runConcurrently(8) { i in
            let status = StoreClient.status { try client.putEntry(EntryRecord(namespace: ns, key: "race", json: "\(i)"), replace: false) }
            outcomes.update { $0.append(status) }
        }
        let all = outcomes.current
        try expectEqual(all.filter { $0 == PROTEUS_OK }.count, 1, "puts that succeeded (\(all.map { Status.name($0) }))")
        try expectEqual(all.filter { $0 == PROTEUS_E_CONFLICT }.count, 7, "puts refused as CONFLICT (\(all.map { Status.name($0) }))")
        try expectEqual(try client.listEntries(namespace: ns).count, 1, "entries after the race")
    }

    func entriesNoKeysInMessages() throws {
        let ns = try entryNamespace()
        let key = Hex.encode(randomBytes(32))
        try client.putEntry(entry(ns, key, "{}"), replace: false)
        var messages: [String] = []
        func collect(_ body: () throws -> Void) {
            do { try body() } catch let f as PluginError { messages.append(f.message) } catch { messages.append("\(error)") }
        }
        let unknown = Hex.encode(randomBytes(32))
        collect { try client.putEntry(entry(ns, key, "{}"), replace: false) }               // CONFLICT
        collect { _ = try client.getEntry(namespace: ns, key: unknown) }                    // NOT_FOUND
        collect { try client.deleteEntry(namespace: ns, key: unknown) }                      // NOT_FOUND
        collect { try client.putEntry(entry(ns, key + key + key + key + "0", "{}"), replace: false) }  // INVALID (257 bytes)
        try expectEqual(messages.count, 4, "calls that should have failed")
        for m in messages {
            try expect(!m.isEmpty, "a failure without a message")
            for secret in [key, unknown, String(key.prefix(16)), String(unknown.prefix(16))] {
                try expect(!m.contains(secret), "a failure message contains an entry key: \(m)")
            }
        }
    }

    /// i as five digits, so keys sort as numbers do.
    static func paddedKey(_ i: Int) -> String {
        let digits = String(i)
        return String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    func entriesListCap() throws {
        let ns = try entryNamespace()
        let max = Int(PROTEUS_ENTRY_LIST_MAX)
        // Four writers fill the namespace to the cap (one thread would take
        // 10,000 commits in a row).
        let failures = Shared<[String]>([])
        let client = self.client
        runConcurrently(4) { t in
            for i in stride(from: t, to: max, by: 4) {
                do { try client.putEntry(EntryRecord(namespace: ns, key: Self.paddedKey(i), json: "\(i)"), replace: false) } catch {
                    failures.update { $0.append("\(error)") }
                }
            }
        }
        try expect(failures.current.isEmpty, "filling the namespace failed: \(failures.current.prefix(3))")
        let full = try client.listEntries(namespace: ns)
        try expectEqual(full.count, max, "entries listed at the cap")
        try expectSame(full.last?.key, Self.paddedKey(max - 1), "the last key at the cap")
        try client.putEntry(entry(ns, "one-more", "0"), replace: false)
        try expectStatus("entry_list over the cap", PROTEUS_E_TOO_LARGE) { _ = try client.listEntries(namespace: ns) }
        // The entries themselves are still there, one by one.
        try expectSame(try client.getEntry(namespace: ns, key: "one-more").json, "0", "an entry of a namespace over the cap")
        try client.deleteEntry(namespace: ns, key: "one-more")
        try expectEqual(try client.listEntries(namespace: ns).count, max, "entries listed at the cap again")
    }
}
