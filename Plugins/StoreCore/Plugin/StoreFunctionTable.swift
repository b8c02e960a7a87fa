// A store plugin's C face: its descriptor and the one static function
// table of proteus_store_api, whose entries recover the instance (a StoreCore
// over the plugin's backend) and call the operation. The table is the
// contract's only Swift listing on the store side; each entry is one line
// naming the StoreCore method that implements the function.
import PluginAPI
import PluginKit

/// The opaque `void *instance` of a store: a box around the instance.
final class StoreBox {
    let store: StoreCore
    init(_ store: StoreCore) { self.store = store }

    /// The store behind an instance pointer this kit created; nil for NULL.
    static func store(_ pointer: UnsafeMutableRawPointer?) -> StoreCore? {
        pointer.map { Unmanaged<StoreBox>.fromOpaque($0).takeUnretainedValue().store }
    }
}

/// Makes the store of one library from its options (set once by
/// makeStoreDescriptor; each plugin library has its own copy of this kit).
typealias StoreFactory = @Sendable (UnsafePointer<proteus_host_api>, PluginOptions) throws -> StoreCore
nonisolated(unsafe) private var storeFactory: StoreFactory?

/// The descriptor of a store plugin. Call once, from a global `let`.
func makeStoreDescriptor(name: StaticString, version: StaticString, description: StaticString,
                                getExtension: GetExtensionFunction? = nil,
                                create: @escaping StoreFactory) -> UnsafePointer<proteus_plugin_descriptor> {
    storeFactory = create
    return makeDescriptor(
        kind: PROTEUS_KIND_STORE, name: name, version: version, description: description,
        create: { host, optionsText, optionsLength, instance, err in
            guard let host, let instance else {
                return PluginError.invalid("create: missing host table or instance pointer").report(to: err)
            }
            guard let factory = storeFactory else { return PluginError.internal("no store factory").report(to: err) }
            return reporting(err) {
                let options = try PluginOptions(json: optionsText, length: optionsLength)
                let store = try factory(host, options)
                instance.pointee = Unmanaged.passRetained(StoreBox(store)).toOpaque()
            }
        },
        destroy: { instance in
            guard let instance else { return }
            let box = Unmanaged<StoreBox>.fromOpaque(instance)
            box.takeUnretainedValue().store.close()
            box.release()
        },
        vtable: UnsafeRawPointer(storeTable),
        getExtension: getExtension)
}

/// Runs one operation on the store behind `store`, reporting failures into `err`.
@inline(__always)
private func call(_ store: UnsafeMutableRawPointer?, _ err: UnsafeMutablePointer<proteus_error>?,
                  _ body: (StoreCore) throws -> Void) -> proteus_status {
    guard let core = StoreBox.store(store) else { return PluginError.invalid("no store instance (NULL)").report(to: err) }
    return reporting(err) { try body(core) }
}

/// The one static function table of this library's store.
nonisolated(unsafe) private let storeTable: UnsafePointer<proteus_store_api> = {
    var t = proteus_store_api()
    t.struct_size = UInt32(MemoryLayout<proteus_store_api>.size)

    t.user_create = { store, user, err in call(store, err) { try $0.createUser(user) } }
    t.user_get = { store, key, ns, arena, out, err in
        call(store, err) { try $0.getUser(key, docNS: ns, arena: arena, out: out) }
    }
    t.user_update = { store, changes, fields, expected, guardRole, newVersion, err in
        call(store, err) {
            try $0.updateUser(changes, fields: fields, expectedVersion: expected, guardRole: guardRole, newVersion: newVersion)
        }
    }
    t.user_delete = { store, id, expected, guardRole, err in
        call(store, err) { try $0.deleteUser(id, expectedVersion: expected, guardRole: guardRole) }
    }
    t.user_search = { store, query, arena, out, err in
        call(store, err) { try $0.searchUsers(query, arena: arena, out: out) }
    }
    t.users_import = { store, users, count, mode, err in
        call(store, err) { try $0.importUsers(users, count: count, mode: mode) }
    }
    t.users_export = { store, hasAfter, after, limit, arena, out, err in
        call(store, err) { try $0.exportUsers(hasAfter: hasAfter, after: after, limit: limit, arena: arena, out: out) }
    }

    t.group_create = { store, group, err in call(store, err) { try $0.createGroup(group) } }
    t.group_get = { store, id, arena, out, err in call(store, err) { try $0.getGroup(id, arena: arena, out: out) } }
    t.group_list = { store, arena, out, err in call(store, err) { try $0.listGroups(arena: arena, out: out) } }
    t.group_update = { store, group, expected, newVersion, err in
        call(store, err) { try $0.updateGroup(group, expectedVersion: expected, newVersion: newVersion) }
    }
    t.group_delete = { store, id, err in call(store, err) { try $0.deleteGroup(id) } }

    t.role_put = { store, role, outID, err in call(store, err) { try $0.putRole(role, outID: outID) } }
    t.role_get = { store, slug, arena, out, err in call(store, err) { try $0.getRole(slug, arena: arena, out: out) } }
    t.role_list = { store, arena, out, err in call(store, err) { try $0.listRoles(arena: arena, out: out) } }
    t.role_delete = { store, slug, err in call(store, err) { try $0.deleteRole(slug) } }

    t.session_create = { store, session, err in call(store, err) { try $0.createSession(session) } }
    t.session_get = { store, hash, now, arena, out, err in
        call(store, err) { try $0.getSession(hash, now: now, arena: arena, out: out) }
    }
    t.session_delete = { store, hash, err in call(store, err) { try $0.deleteSession(hash) } }
    t.session_delete_user = { store, user, ns, deleted, err in
        call(store, err) { try $0.deleteUserSessions(user, ns: ns, deleted: deleted) }
    }

    t.apikey_create = { store, key, err in call(store, err) { try $0.createAPIKey(key) } }
    t.apikey_get = { store, hash, now, arena, out, err in
        call(store, err) { try $0.getAPIKey(hash, now: now, arena: arena, out: out) }
    }
    t.apikey_list = { store, hasUser, user, arena, out, err in
        call(store, err) { try $0.listAPIKeys(hasUser: hasUser, user: user, arena: arena, out: out) }
    }
    t.apikey_delete = { store, hash, err in call(store, err) { try $0.deleteAPIKey(hash) } }
    t.apikey_delete_user = { store, user, ns, deleted, err in
        call(store, err) { try $0.deleteUserAPIKeys(user, ns: ns, deleted: deleted) }
    }

    t.identity_link = { store, identity, err in call(store, err) { try $0.linkIdentity(identity) } }
    t.identity_get = { store, provider, subject, user, err in
        call(store, err) { try $0.getIdentity(provider: provider, subject: subject, user: user) }
    }
    t.identity_unlink = { store, provider, subject, err in
        call(store, err) { try $0.unlinkIdentity(provider: provider, subject: subject) }
    }
    t.identity_list = { store, hasUser, user, arena, out, err in
        call(store, err) { try $0.listIdentities(hasUser: hasUser, user: user, arena: arena, out: out) }
    }

    t.stats = { store, out, err in call(store, err) { try $0.stats(out) } }
    t.purge_expired = { store, now, removed, err in
        call(store, err) { try $0.purgeExpired(now: now, removed: removed) }
    }

    t.counter_hit = { store, key, weight, window, now, count, windowEnds, err in
        call(store, err) {
            try CounterInput.check(key: key, windowSeconds: window)
            let hit = try $0.hitCounter(key, weight: weight, windowSeconds: window, nowMillis: now)
            count?.pointee = hit.count
            windowEnds?.pointee = hit.windowEndsMillis
        }
    }
    t.counter_clear = { store, key, err in
        call(store, err) {
            try CounterInput.check(key: key)
            try $0.clearCounter(key)
        }
    }

    t.apikey_presence = { store, ids, count, ns, present, err in
        call(store, err) { try $0.apiKeyPresence(ids, count: count, ns: ns, present: present) }
    }
    t.apikey_owner = { store, hash, now, ns, arena, key, user, err in
        call(store, err) { try $0.getAPIKeyOwner(hash, now: now, docNS: ns, arena: arena, keyOut: key, userOut: user) }
    }

    t.entry_put = { store, entry, replace, err in call(store, err) { try $0.putEntry(entry, replace: replace) } }
    t.entry_get = { store, ns, key, arena, out, err in
        call(store, err) { try $0.getEntry(ns: ns, key: key, arena: arena, out: out) }
    }
    t.entry_list = { store, ns, arena, out, err in call(store, err) { try $0.listEntries(ns: ns, arena: arena, out: out) } }
    t.entry_delete = { store, ns, key, err in call(store, err) { try $0.deleteEntry(ns: ns, key: key) } }

    t.audit_append = { store, event, err in call(store, err) { try $0.appendAudit(event) } }
    t.audit_list = { store, query, arena, out, err in call(store, err) { try $0.listAudit(query, arena: arena, out: out) } }

    t.session_count_user = { store, user, now, count, err in
        call(store, err) { try $0.countUserSessions(user, now: now, count: count) }
    }
    t.user_get_with_key_presence = { store, key, docNS, keyNS, arena, out, holdsKey, err in
        call(store, err) {
            try $0.getUserWithKeyPresence(key, docNS: docNS, keyNS: keyNS, arena: arena, out: out, holdsKey: holdsKey)
        }
    }
    t.user_get_cached = { store, key, docNS, keyNS, arena, out, holdsKey, err in
        call(store, err) { try $0.getUserCached(key, docNS: docNS, keyNS: keyNS, arena: arena, out: out, holdsKey: holdsKey) }
    }
    return makeStaticTable(t)
}()
