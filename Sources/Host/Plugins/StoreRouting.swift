// The store table the host gives dialects: each function forwards to the
// configured store plugin through StoreBinding (one line per function of
// proteus_store_api, in header order; keep the two in step). The `!` calls
// are safe: StoreBinding refuses a store whose 1.0 table has a NULL entry.
import PluginAPI
import PluginKit

enum StoreRouting {
    nonisolated(unsafe) static let table: UnsafePointer<proteus_store_api> = {
        var t = proteus_store_api()
        t.struct_size = UInt32(MemoryLayout<proteus_store_api>.size)
        t.user_create = { ctx, a0, err in forward(ctx, "user_create", err) { $0.api.user_create!($0.raw, a0, err) } }
        t.user_get = { ctx, a0, a1, a2, a3, err in forward(ctx, "user_get", err) { $0.api.user_get!($0.raw, a0, a1, a2, a3, err) } }
        t.user_update = { ctx, a0, a1, a2, a3, a4, err in forward(ctx, "user_update", err) { $0.api.user_update!($0.raw, a0, a1, a2, a3, a4, err) } }
        t.user_delete = { ctx, a0, a1, a2, err in forward(ctx, "user_delete", err) { $0.api.user_delete!($0.raw, a0, a1, a2, err) } }
        t.user_search = { ctx, a0, a1, a2, err in forward(ctx, "user_search", err) { $0.api.user_search!($0.raw, a0, a1, a2, err) } }
        t.users_import = { ctx, a0, a1, a2, err in forward(ctx, "users_import", err) { $0.api.users_import!($0.raw, a0, a1, a2, err) } }
        t.users_export = { ctx, a0, a1, a2, a3, a4, err in forward(ctx, "users_export", err) { $0.api.users_export!($0.raw, a0, a1, a2, a3, a4, err) } }
        t.group_create = { ctx, a0, err in forward(ctx, "group_create", err) { $0.api.group_create!($0.raw, a0, err) } }
        t.group_get = { ctx, a0, a1, a2, err in forward(ctx, "group_get", err) { $0.api.group_get!($0.raw, a0, a1, a2, err) } }
        t.group_list = { ctx, a0, a1, err in forward(ctx, "group_list", err) { $0.api.group_list!($0.raw, a0, a1, err) } }
        t.group_update = { ctx, a0, a1, a2, err in forward(ctx, "group_update", err) { $0.api.group_update!($0.raw, a0, a1, a2, err) } }
        t.group_delete = { ctx, a0, err in forward(ctx, "group_delete", err) { $0.api.group_delete!($0.raw, a0, err) } }
        t.role_put = { ctx, a0, a1, err in forward(ctx, "role_put", err) { $0.api.role_put!($0.raw, a0, a1, err) } }
        t.role_get = { ctx, a0, a1, a2, err in forward(ctx, "role_get", err) { $0.api.role_get!($0.raw, a0, a1, a2, err) } }
        t.role_list = { ctx, a0, a1, err in forward(ctx, "role_list", err) { $0.api.role_list!($0.raw, a0, a1, err) } }
        t.role_delete = { ctx, a0, err in forward(ctx, "role_delete", err) { $0.api.role_delete!($0.raw, a0, err) } }
        t.session_create = { ctx, a0, err in forward(ctx, "session_create", err) { $0.api.session_create!($0.raw, a0, err) } }
        t.session_get = { ctx, a0, a1, a2, a3, err in forward(ctx, "session_get", err) { $0.api.session_get!($0.raw, a0, a1, a2, a3, err) } }
        t.session_delete = { ctx, a0, err in forward(ctx, "session_delete", err) { $0.api.session_delete!($0.raw, a0, err) } }
        t.session_delete_user = { ctx, a0, a1, a2, err in forward(ctx, "session_delete_user", err) { $0.api.session_delete_user!($0.raw, a0, a1, a2, err) } }
        t.apikey_create = { ctx, a0, err in forward(ctx, "apikey_create", err) { $0.api.apikey_create!($0.raw, a0, err) } }
        t.apikey_get = { ctx, a0, a1, a2, a3, err in forward(ctx, "apikey_get", err) { $0.api.apikey_get!($0.raw, a0, a1, a2, a3, err) } }
        t.apikey_list = { ctx, a0, a1, a2, a3, err in forward(ctx, "apikey_list", err) { $0.api.apikey_list!($0.raw, a0, a1, a2, a3, err) } }
        t.apikey_delete = { ctx, a0, err in forward(ctx, "apikey_delete", err) { $0.api.apikey_delete!($0.raw, a0, err) } }
        t.apikey_delete_user = { ctx, a0, a1, a2, err in forward(ctx, "apikey_delete_user", err) { $0.api.apikey_delete_user!($0.raw, a0, a1, a2, err) } }
        t.identity_link = { ctx, a0, err in forward(ctx, "identity_link", err) { $0.api.identity_link!($0.raw, a0, err) } }
        t.identity_get = { ctx, a0, a1, a2, err in forward(ctx, "identity_get", err) { $0.api.identity_get!($0.raw, a0, a1, a2, err) } }
        t.identity_unlink = { ctx, a0, a1, err in forward(ctx, "identity_unlink", err) { $0.api.identity_unlink!($0.raw, a0, a1, err) } }
        t.identity_list = { ctx, a0, a1, a2, a3, err in forward(ctx, "identity_list", err) { $0.api.identity_list!($0.raw, a0, a1, a2, a3, err) } }
        t.stats = { ctx, a0, err in forward(ctx, "stats", err) { $0.api.stats!($0.raw, a0, err) } }
        t.purge_expired = { ctx, a0, a1, err in forward(ctx, "purge_expired", err) { $0.api.purge_expired!($0.raw, a0, a1, err) } }
        // ABI 1.3: a store built for an older minor has no counters (NULL in
        // the table StoreBinding copied up to its struct_size).
        t.counter_hit = { ctx, a0, a1, a2, a3, a4, a5, err in
            forward(ctx, "counter_hit", err) { b in
                guard let hit = b.api.counter_hit else { return StoreBinding.unsupported("counter_hit", b.name, err) }
                return hit(b.raw, a0, a1, a2, a3, a4, a5, err)
            }
        }
        t.counter_clear = { ctx, a0, err in
            forward(ctx, "counter_clear", err) { b in
                guard let clear = b.api.counter_clear else { return StoreBinding.unsupported("counter_clear", b.name, err) }
                return clear(b.raw, a0, err)
            }
        }
        let p = UnsafeMutablePointer<proteus_store_api>.allocate(capacity: 1)
        p.initialize(to: t)
        return UnsafePointer(p)
    }()

    /// One routed call: the binding behind `ctx` (a NULL `store_ctx` from
    /// the dialect is INVALID, not a crash), the store's answer observed.
    @inline(__always)
    private static func forward(_ ctx: UnsafeMutableRawPointer?, _ operation: StaticString, _ err: UnsafeMutablePointer<proteus_error>?,
                                _ call: (StoreBinding) -> proteus_status) -> proteus_status {
        guard let binding = StoreBinding.from(ctx) else { return PluginError.invalid("\(operation): NULL store ctx").report(to: err) }
        return binding.observe(call(binding), operation)
    }
}
