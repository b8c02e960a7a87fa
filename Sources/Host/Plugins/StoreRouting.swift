// The store table the host gives dialects: each function forwards to the
// configured store plugin through StoreBinding (one line per function of
// proteus_store_api, in header order; keep the two in step).
import PluginAPI

enum StoreRouting {
    nonisolated(unsafe) static let table: UnsafePointer<proteus_store_api> = {
        var t = proteus_store_api()
        t.struct_size = UInt32(MemoryLayout<proteus_store_api>.size)
        t.user_create = { ctx, a0, a1 in let b = StoreBinding.from(ctx); return b.observe(b.api.user_create!(b.raw, a0, a1), "user_create") }
        t.user_get = { ctx, a0, a1, a2, a3, a4 in let b = StoreBinding.from(ctx); return b.observe(b.api.user_get!(b.raw, a0, a1, a2, a3, a4), "user_get") }
        t.user_update = { ctx, a0, a1, a2, a3, a4, a5 in let b = StoreBinding.from(ctx); return b.observe(b.api.user_update!(b.raw, a0, a1, a2, a3, a4, a5), "user_update") }
        t.user_delete = { ctx, a0, a1, a2, a3 in let b = StoreBinding.from(ctx); return b.observe(b.api.user_delete!(b.raw, a0, a1, a2, a3), "user_delete") }
        t.user_search = { ctx, a0, a1, a2, a3 in let b = StoreBinding.from(ctx); return b.observe(b.api.user_search!(b.raw, a0, a1, a2, a3), "user_search") }
        t.users_import = { ctx, a0, a1, a2, a3 in let b = StoreBinding.from(ctx); return b.observe(b.api.users_import!(b.raw, a0, a1, a2, a3), "users_import") }
        t.users_export = { ctx, a0, a1, a2, a3, a4, a5 in let b = StoreBinding.from(ctx); return b.observe(b.api.users_export!(b.raw, a0, a1, a2, a3, a4, a5), "users_export") }
        t.group_create = { ctx, a0, a1 in let b = StoreBinding.from(ctx); return b.observe(b.api.group_create!(b.raw, a0, a1), "group_create") }
        t.group_get = { ctx, a0, a1, a2, a3 in let b = StoreBinding.from(ctx); return b.observe(b.api.group_get!(b.raw, a0, a1, a2, a3), "group_get") }
        t.group_list = { ctx, a0, a1, a2 in let b = StoreBinding.from(ctx); return b.observe(b.api.group_list!(b.raw, a0, a1, a2), "group_list") }
        t.group_update = { ctx, a0, a1, a2, a3 in let b = StoreBinding.from(ctx); return b.observe(b.api.group_update!(b.raw, a0, a1, a2, a3), "group_update") }
        t.group_delete = { ctx, a0, a1 in let b = StoreBinding.from(ctx); return b.observe(b.api.group_delete!(b.raw, a0, a1), "group_delete") }
        t.role_put = { ctx, a0, a1, a2 in let b = StoreBinding.from(ctx); return b.observe(b.api.role_put!(b.raw, a0, a1, a2), "role_put") }
        t.role_get = { ctx, a0, a1, a2, a3 in let b = StoreBinding.from(ctx); return b.observe(b.api.role_get!(b.raw, a0, a1, a2, a3), "role_get") }
        t.role_list = { ctx, a0, a1, a2 in let b = StoreBinding.from(ctx); return b.observe(b.api.role_list!(b.raw, a0, a1, a2), "role_list") }
        t.role_delete = { ctx, a0, a1 in let b = StoreBinding.from(ctx); return b.observe(b.api.role_delete!(b.raw, a0, a1), "role_delete") }
        t.session_create = { ctx, a0, a1 in let b = StoreBinding.from(ctx); return b.observe(b.api.session_create!(b.raw, a0, a1), "session_create") }
        t.session_get = { ctx, a0, a1, a2, a3, a4 in let b = StoreBinding.from(ctx); return b.observe(b.api.session_get!(b.raw, a0, a1, a2, a3, a4), "session_get") }
        t.session_delete = { ctx, a0, a1 in let b = StoreBinding.from(ctx); return b.observe(b.api.session_delete!(b.raw, a0, a1), "session_delete") }
        t.session_delete_user = { ctx, a0, a1, a2, a3 in let b = StoreBinding.from(ctx); return b.observe(b.api.session_delete_user!(b.raw, a0, a1, a2, a3), "session_delete_user") }
        t.apikey_create = { ctx, a0, a1 in let b = StoreBinding.from(ctx); return b.observe(b.api.apikey_create!(b.raw, a0, a1), "apikey_create") }
        t.apikey_get = { ctx, a0, a1, a2, a3, a4 in let b = StoreBinding.from(ctx); return b.observe(b.api.apikey_get!(b.raw, a0, a1, a2, a3, a4), "apikey_get") }
        t.apikey_list = { ctx, a0, a1, a2, a3, a4 in let b = StoreBinding.from(ctx); return b.observe(b.api.apikey_list!(b.raw, a0, a1, a2, a3, a4), "apikey_list") }
        t.apikey_delete = { ctx, a0, a1 in let b = StoreBinding.from(ctx); return b.observe(b.api.apikey_delete!(b.raw, a0, a1), "apikey_delete") }
        t.apikey_delete_user = { ctx, a0, a1, a2, a3 in let b = StoreBinding.from(ctx); return b.observe(b.api.apikey_delete_user!(b.raw, a0, a1, a2, a3), "apikey_delete_user") }
        t.identity_link = { ctx, a0, a1 in let b = StoreBinding.from(ctx); return b.observe(b.api.identity_link!(b.raw, a0, a1), "identity_link") }
        t.identity_get = { ctx, a0, a1, a2, a3 in let b = StoreBinding.from(ctx); return b.observe(b.api.identity_get!(b.raw, a0, a1, a2, a3), "identity_get") }
        t.identity_unlink = { ctx, a0, a1, a2 in let b = StoreBinding.from(ctx); return b.observe(b.api.identity_unlink!(b.raw, a0, a1, a2), "identity_unlink") }
        t.identity_list = { ctx, a0, a1, a2, a3, a4 in let b = StoreBinding.from(ctx); return b.observe(b.api.identity_list!(b.raw, a0, a1, a2, a3, a4), "identity_list") }
        t.stats = { ctx, a0, a1 in let b = StoreBinding.from(ctx); return b.observe(b.api.stats!(b.raw, a0, a1), "stats") }
        t.purge_expired = { ctx, a0, a1, a2 in let b = StoreBinding.from(ctx); return b.observe(b.api.purge_expired!(b.raw, a0, a1, a2), "purge_expired") }
        // Checked although every 2.0 store has them: a NULL entry is an
        // answer (UNSUPPORTED), never a crash.
        t.counter_hit = { ctx, a0, a1, a2, a3, a4, a5, err in
            let b = StoreBinding.from(ctx)
            guard let hit = b.api.counter_hit else { return StoreBinding.unsupported("counter_hit", b.name, err) }
            return b.observe(hit(b.raw, a0, a1, a2, a3, a4, a5, err), "counter_hit")
        }
        t.counter_clear = { ctx, a0, err in
            let b = StoreBinding.from(ctx)
            guard let clear = b.api.counter_clear else { return StoreBinding.unsupported("counter_clear", b.name, err) }
            return b.observe(clear(b.raw, a0, err), "counter_clear")
        }
        let p = UnsafeMutablePointer<proteus_store_api>.allocate(capacity: 1)
        p.initialize(to: t)
        return UnsafePointer(p)
    }()
}
