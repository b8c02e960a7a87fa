// The reads that authenticate a request and render who holds keys (since
// ABI 2.1): apikey_owner (a key and its owner's record in one snapshot,
// through the auth cache) and apikey_presence (which users of a page hold
// keys, in one statement).
import PluginAPI
import PluginKit

extension StoreCore {
    /// The key with `hash` and its owner, documents as `docNS` selects.
    public func getAPIKeyOwner(_ hash: proteus_bytes, now: Int64, docNS: proteus_str, arena: OpaquePointer?,
                               keyOut: UnsafeMutablePointer<UnsafeMutablePointer<proteus_api_key>?>?,
                               userOut: UnsafeMutablePointer<UnsafeMutablePointer<proteus_user>?>?) throws {
        let keyOut = try output(keyOut), userOut = try output(userOut)
        let writer = try arenaWriter(arena)
        try Self.requireHash(hash, "the API key's hash")
        let docs = StoreInput.DocSelection(docNS)
        let cacheKey = AuthCache.OwnerKey(keyHash: hash.array ?? [], documents: Self.documentsKey(docs))
        var owner: AuthCache.Owner
        if let cached = authCache.owner(cacheKey), !Self.useNeedsRecording(cached.key, now: now) {
            owner = cached
        } else {
            let ticket = authCache.ticket()
            let select = sql.apiKeyOwner(documents: docs)
            let keyColumn = rows.userColumnCount
            let found: AuthCache.Owner? = try perform(rows.readsInSeveralStatements ? .snapshot : .read, "reading an API key's owner") { c in
                let row = try c.first(select, "reading an API key's owner", { v in
                    v.bind(hash)
                    if rows.detailsInRow, case .one(let ns) = docs { v.bind(ns) }
                }) { s in AuthCache.Owner(key: Self.readKey(s, from: keyColumn), user: rows.read(s)) }
                guard var owner = row else { return nil }
                try rows.complete(c, &owner.user, documents: docs)
                return owner
            }
            guard let found else { throw PluginError.notFound("no such API key") }
            owner = found
            recordUse(of: &owner.key, hash, now: now)
            authCache.keep(owner, for: cacheKey, ticket)
        }
        let key = try writer.single(try writer.apiKey(owner.key))
        let user = try writer.single(try writer.user(owner.user))
        keyOut.pointee = key
        userOut.pointee = user
    }

    static func documentsKey(_ docs: StoreInput.DocSelection) -> AuthCache.DocumentsKey {
        switch docs {
        case .none: .none
        case .all: .all
        case .one(let ns): .one(Array(ns.buffer))
        }
    }

    /// present[i] = 1 when ids[i] holds a key of `ns` (absent: any).
    public func apiKeyPresence(_ ids: UnsafePointer<proteus_id>?, count: Int, ns: proteus_str,
                               present: UnsafeMutablePointer<UInt8>?) throws {
        guard count > 0 else { return }
        guard count <= Int(PROTEUS_APIKEY_PRESENCE_MAX) else {
            throw PluginError.invalid("apikey_presence takes at most \(PROTEUS_APIKEY_PRESENCE_MAX) user ids, got \(count)")
        }
        guard let ids else { throw PluginError.invalid("the user ids are missing (NULL) for a count of \(count)") }
        guard let present else { throw PluginError.invalid("the presence output is missing (NULL) for a count of \(count)") }
        if ns.isPresent { try StoreInput.requireText(ns, "the API key namespace", allowEmpty: false) }
        let users = (0..<count).map { ids[$0].byteArray }
        let answer = try perform(.read, "finding which users hold API keys") { c in try keyHolders(c, users, ns: ns) }
        present.update(from: answer.map { $0 ? 1 : 0 }, count: count)
    }

    /// Which of `ids` hold a key of `ns` (absent: any), read on `c`: one
    /// statement per PROTEUS_APIKEY_PRESENCE_MAX ids.
    func keyHolders(_ c: any StoreConnection, _ ids: [[UInt8]], ns: proteus_str) throws -> [Bool] {
        let batch = Int(PROTEUS_APIKEY_PRESENCE_MAX)
        guard ids.count <= batch else {
            return try stride(from: 0, to: ids.count, by: batch).flatMap {
                try keyHolders(c, Array(ids[$0..<min($0 + batch, ids.count)]), ns: ns)
            }
        }
        guard !ids.isEmpty else { return [] }
        // The ids as one value, 16 bytes each: one statement text whatever
        // the count (the backend's SQL splits it).
        var packed = [UInt8]()
        packed.reserveCapacity(ids.count * 16)
        for id in ids { packed += id }
        let holders = try c.all(sql.apiKeyPresence, "finding which users hold API keys", { v in
            v.bind(bytes: packed)
            v.bind(ns)
        }) { $0.int64(0) }
        var answer = [Bool](repeating: false, count: ids.count)
        for position in holders {
            guard position >= 0 && position < Int64(ids.count) else {
                throw PluginError.internal("the database named position \(position) among \(ids.count) user ids")
            }
            answer[Int(position)] = true
        }
        return answer
    }
}

