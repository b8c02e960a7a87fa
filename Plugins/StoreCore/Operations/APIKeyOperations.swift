// API keys: stored only as hashes; apikey_get records when a key was used
// and may answer from the auth cache.
import PluginAPI
import PluginKit

extension StoreCore {
    /// A key row, its six columns from `first` on.
    static func readKey(_ s: any StoreStatement, from first: Int = 0) -> APIKeyRecord {
        var r = APIKeyRecord(keyHash: s.bytes(first) ?? [], userID: s.id(first + 1) ?? [], namespace: s.text(first + 2) ?? "")
        r.label = s.text(first + 3)
        r.createdAt = s.int64(first + 4)
        r.lastUsedAt = s.int64(first + 5)
        return r
    }

    public func createAPIKey(_ input: UnsafePointer<proteus_api_key>?) throws {
        let r = try StoreInput.record(input, "API key")
        try Self.requireHash(r.key_hash, "the API key's hash")
        try StoreInput.requireText(r.ns, "the API key namespace")
        let createdAt = r.created_at == 0 ? now() : r.created_at
        try insertCredential(sql.createAPIKey, "creating an API key", user: r.user_id, changesKeyPresence: true,
                             taken: "an API key with this hash already exists") { v in
            v.bind(r.key_hash)
            v.bind(r.user_id)
            v.bind(r.ns)
            v.bind(r.label)
            v.bind(createdAt)
        }
    }

    /// Reads the key (from the auth cache while its use needs no
    /// recording); when its recorded use is a resolution old, records it.
    public func getAPIKey(_ hash: proteus_bytes, now: Int64, arena: OpaquePointer?,
                          out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_api_key>?>?) throws {
        let out = try output(out)
        let writer = try arenaWriter(arena)
        let hashBytes = hash.array ?? []
        if let cached = authCache.key(hashBytes), !Self.useNeedsRecording(cached, now: now) {
            out.pointee = try writer.single(try writer.apiKey(cached))
            return
        }
        let ticket = authCache.ticket()
        let found = try perform(.read, "reading an API key") { c in
            try c.first(sql.getAPIKey, "reading an API key", { $0.bind(hash) }) { Self.readKey($0) }
        }
        guard var found else { throw PluginError.notFound("no such API key") }
        recordUse(of: &found, hash, now: now)
        if !hashBytes.isEmpty { authCache.keep(found, for: hashBytes, ticket) }
        out.pointee = try writer.single(try writer.apiKey(found))
    }

    /// True when the key's recorded use is a resolution old
    /// (PROTEUS_LAST_USED_RESOLUTION_MS) at `now`.
    static func useNeedsRecording(_ key: APIKeyRecord, now: Int64) -> Bool {
        now.subtractingReportingOverflow(key.lastUsedAt).partialValue >= Int64(PROTEUS_LAST_USED_RESOLUTION_MS)
    }

    /// Records last_used_at = now when the use needs recording, as a best
    /// effort (UnitOfWork.touch: a brief wait at most, a failure does not
    /// fail the read); `key` then says so.
    func recordUse(of key: inout APIKeyRecord, _ hash: proteus_bytes, now: Int64) {
        guard Self.useNeedsRecording(key, now: now) else { return }
        var recorded = false
        touch("recording API key use") { c in
            recorded = try c.run(sql.touchAPIKey, "recording API key use") { v in
                v.bind(hash)
                v.bind(now)
            } > 0
        }
        if recorded { key.lastUsedAt = now }
    }

    public func listAPIKeys(hasUser: Bool, user: proteus_id, arena: OpaquePointer?,
                            out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_api_key_list>?>?) throws {
        let out = try output(out)
        let writer = try arenaWriter(arena)
        let keys = try perform(.read, "listing API keys") { c in
            try c.all(hasUser ? sql.listUserAPIKeys : sql.listAPIKeys, "listing API keys", { v in
                if hasUser { v.bind(user) }
            }) { Self.readKey($0) }
        }
        out.pointee = try writer.apiKeyList(keys)
    }

    public func deleteAPIKey(_ hash: proteus_bytes) throws {
        try deleteOne(sql.deleteAPIKey, "deleting an API key", missing: "no such API key") { $0.bind(hash) }
    }

    public func deleteUserAPIKeys(_ user: proteus_id, ns: proteus_str, deleted: UnsafeMutablePointer<UInt64>?) throws {
        let n = try deleteOfUser(user, ns: ns, all: sql.deleteUserAPIKeys, inNamespace: sql.deleteUserAPIKeysInNamespace,
                                 "deleting a user's API keys")
        deleted?.pointee = n
    }
}
