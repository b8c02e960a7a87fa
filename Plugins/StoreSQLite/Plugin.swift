// The sqlite store plugin: entry symbol, descriptor and the C function
// table. Each table entry is a non-capturing closure that recovers the
// SQLiteStore instance and runs one operation through `storeCall`.
import PluginAPI
import PluginKit

@_cdecl("proteus_plugin_entry_v1")
public func proteus_plugin_entry_v1() -> UnsafePointer<proteus_plugin_descriptor> {
    sqliteDescriptor
}

nonisolated(unsafe) let sqliteDescriptor: UnsafePointer<proteus_plugin_descriptor> = makeDescriptor(
    kind: PROTEUS_KIND_STORE,
    name: "sqlite",
    version: "1.0.0",
    description: "User directory in a local SQLite database (WAL, durable commits)",
    create: { host, optionsText, optionsLength, instance, err in
        guard let host, let instance else {
            return PluginError.invalid("create: missing host table or instance pointer").report(to: err)
        }
        do {
            let options = try PluginOptions(json: optionsText, length: optionsLength)
            let store = try SQLiteStore(host: host, options: options)
            instance.pointee = InstanceBox.retain(store)
            return PROTEUS_OK
        } catch let e as PluginError {
            return e.report(to: err)
        } catch {
            return PluginError.internal("\(error)").report(to: err)
        }
    },
    destroy: { instance in
        guard let instance else { return }
        SQLiteStore.from(instance).close()
        InstanceBox.release(instance, as: SQLiteStore.self)
    },
    vtable: UnsafeRawPointer(sqliteStoreTable),
    getExtension: sqliteGetExtension
)

nonisolated(unsafe) let sqliteStoreTable: UnsafePointer<proteus_store_api> = {
    var t = proteus_store_api()
    t.struct_size = UInt32(MemoryLayout<proteus_store_api>.size)

    t.user_create = { store, user, err in storeCall(store, err) { try $0.createUser(user) } }
    t.user_get = { store, key, ns, arena, out, err in
        storeCall(store, err) { try $0.getUser(key, docNS: ns, arena: arena, out: out) }
    }
    t.user_update = { store, changes, fields, expected, guardRole, newVersion, err in
        storeCall(store, err) {
            try $0.updateUser(changes, fields: fields, expectedVersion: expected, guardRole: guardRole, newVersion: newVersion)
        }
    }
    t.user_delete = { store, id, expected, guardRole, err in
        storeCall(store, err) { try $0.deleteUser(id, expectedVersion: expected, guardRole: guardRole) }
    }
    t.user_search = { store, query, arena, out, err in
        storeCall(store, err) { try $0.searchUsers(query, arena: arena, out: out) }
    }
    t.users_import = { store, users, count, mode, err in
        storeCall(store, err) { try $0.importUsers(users, count: count, mode: mode) }
    }
    t.users_export = { store, hasAfter, after, limit, arena, out, err in
        storeCall(store, err) { try $0.exportUsers(hasAfter: hasAfter, after: after, limit: limit, arena: arena, out: out) }
    }

    t.group_create = { store, group, err in storeCall(store, err) { try $0.createGroup(group) } }
    t.group_get = { store, id, arena, out, err in storeCall(store, err) { try $0.getGroup(id, arena: arena, out: out) } }
    t.group_list = { store, arena, out, err in storeCall(store, err) { try $0.listGroups(arena: arena, out: out) } }
    t.group_update = { store, group, expected, newVersion, err in
        storeCall(store, err) { try $0.updateGroup(group, expectedVersion: expected, newVersion: newVersion) }
    }
    t.group_delete = { store, id, err in storeCall(store, err) { try $0.deleteGroup(id) } }

    t.role_put = { store, role, outID, err in storeCall(store, err) { try $0.putRole(role, outID: outID) } }
    t.role_get = { store, slug, arena, out, err in storeCall(store, err) { try $0.getRole(slug, arena: arena, out: out) } }
    t.role_list = { store, arena, out, err in storeCall(store, err) { try $0.listRoles(arena: arena, out: out) } }
    t.role_delete = { store, slug, err in storeCall(store, err) { try $0.deleteRole(slug) } }

    t.session_create = { store, session, err in storeCall(store, err) { try $0.createSession(session) } }
    t.session_get = { store, hash, now, arena, out, err in
        storeCall(store, err) { try $0.getSession(hash, now: now, arena: arena, out: out) }
    }
    t.session_delete = { store, hash, err in storeCall(store, err) { try $0.deleteSession(hash) } }
    t.session_delete_user = { store, user, ns, deleted, err in
        storeCall(store, err) { try $0.deleteUserSessions(user, ns: ns, deleted: deleted) }
    }

    t.apikey_create = { store, key, err in storeCall(store, err) { try $0.createAPIKey(key) } }
    t.apikey_get = { store, hash, now, arena, out, err in
        storeCall(store, err) { try $0.getAPIKey(hash, now: now, arena: arena, out: out) }
    }
    t.apikey_list = { store, hasUser, user, arena, out, err in
        storeCall(store, err) { try $0.listAPIKeys(hasUser: hasUser, user: user, arena: arena, out: out) }
    }
    t.apikey_delete = { store, hash, err in storeCall(store, err) { try $0.deleteAPIKey(hash) } }
    t.apikey_delete_user = { store, user, ns, deleted, err in
        storeCall(store, err) { try $0.deleteUserAPIKeys(user, ns: ns, deleted: deleted) }
    }

    t.identity_link = { store, identity, err in storeCall(store, err) { try $0.linkIdentity(identity) } }
    t.identity_get = { store, provider, subject, user, err in
        storeCall(store, err) { try $0.getIdentity(provider: provider, subject: subject, user: user) }
    }
    t.identity_unlink = { store, provider, subject, err in
        storeCall(store, err) { try $0.unlinkIdentity(provider: provider, subject: subject) }
    }
    t.identity_list = { store, hasUser, user, arena, out, err in
        storeCall(store, err) { try $0.listIdentities(hasUser: hasUser, user: user, arena: arena, out: out) }
    }

    t.stats = { store, out, err in storeCall(store, err) { try $0.stats(out) } }
    t.purge_expired = { store, now, removed, err in
        storeCall(store, err) { try $0.purgeExpired(now: now, removed: removed) }
    }
    return makeStaticTable(t)
}()
