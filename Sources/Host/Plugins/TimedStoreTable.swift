// What dialects get as host->store: a table of thin timing shims around the
// store plugin's own functions, one per function of proteus_store_api. Each
// reads the monotonic clock before and after the call and adds the time to
// proteus_store_call_duration_seconds{op} (two clock reads and two atomic
// adds in the metrics region); arguments, result and host->store_ctx (the
// store's own instance) pass through unchanged. A function the store lacks
// (a later minor than it was built for) stays NULL here too, and the table
// keeps the store's struct_size. Without a metrics region (commands) the
// host hands dialects the store's own table instead.
//
// The shims below are one line each, generated from proteus_store.h (the
// field order gives `op`; the host refuses to start when they and the
// header's field names disagree); adding a store function means adding its line.
import PluginAPI
import PluginKit

enum TimedStoreTable {
    /// The store's own table: a process has one store.
    nonisolated(unsafe) fileprivate static var real = proteus_store_api()

    /// The store functions in table order (the `op` label), from the
    /// header's own field names.
    static let functionNames: [String] = Mirror(reflecting: proteus_store_api()).children
        .compactMap(\.label).filter { $0 != "struct_size" }

    @inline(__always)
    fileprivate static func timed(_ op: Int, _ call: () -> proteus_status) -> proteus_status {
        let start = Clock.monotonicNanos()
        let status = call()
        MetricsRecorder.region?.observeStoreCall(op: op, nanos: Clock.monotonicNanos() &- start)
        return status
    }

    /// [start, once, before any dialect exists] The shims around `store`'s
    /// functions, as a table that lives for the process.
    static func wrap(_ store: StoreBinding) throws -> UnsafePointer<proteus_store_api> {
        guard functionNames == shimNames else {
            throw HostError("the host's store timing shims (TimedStoreTable.swift) do not match proteus_store_api's functions: add the missing shim lines")
        }
        let r = store.api
        real = r
        var t = proteus_store_api()
        t.struct_size = r.struct_size
        if r.user_create != nil { t.user_create = { a0, a1, a2 in TimedStoreTable.timed(0) { TimedStoreTable.real.user_create?(a0, a1, a2) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.user_get != nil { t.user_get = { a0, a1, a2, a3, a4, a5 in TimedStoreTable.timed(1) { TimedStoreTable.real.user_get?(a0, a1, a2, a3, a4, a5) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.user_update != nil { t.user_update = { a0, a1, a2, a3, a4, a5, a6 in TimedStoreTable.timed(2) { TimedStoreTable.real.user_update?(a0, a1, a2, a3, a4, a5, a6) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.user_delete != nil { t.user_delete = { a0, a1, a2, a3, a4 in TimedStoreTable.timed(3) { TimedStoreTable.real.user_delete?(a0, a1, a2, a3, a4) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.user_search != nil { t.user_search = { a0, a1, a2, a3, a4 in TimedStoreTable.timed(4) { TimedStoreTable.real.user_search?(a0, a1, a2, a3, a4) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.users_import != nil { t.users_import = { a0, a1, a2, a3, a4 in TimedStoreTable.timed(5) { TimedStoreTable.real.users_import?(a0, a1, a2, a3, a4) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.users_export != nil { t.users_export = { a0, a1, a2, a3, a4, a5, a6 in TimedStoreTable.timed(6) { TimedStoreTable.real.users_export?(a0, a1, a2, a3, a4, a5, a6) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.group_create != nil { t.group_create = { a0, a1, a2 in TimedStoreTable.timed(7) { TimedStoreTable.real.group_create?(a0, a1, a2) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.group_get != nil { t.group_get = { a0, a1, a2, a3, a4 in TimedStoreTable.timed(8) { TimedStoreTable.real.group_get?(a0, a1, a2, a3, a4) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.group_list != nil { t.group_list = { a0, a1, a2, a3 in TimedStoreTable.timed(9) { TimedStoreTable.real.group_list?(a0, a1, a2, a3) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.group_update != nil { t.group_update = { a0, a1, a2, a3, a4 in TimedStoreTable.timed(10) { TimedStoreTable.real.group_update?(a0, a1, a2, a3, a4) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.group_delete != nil { t.group_delete = { a0, a1, a2 in TimedStoreTable.timed(11) { TimedStoreTable.real.group_delete?(a0, a1, a2) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.role_put != nil { t.role_put = { a0, a1, a2, a3 in TimedStoreTable.timed(12) { TimedStoreTable.real.role_put?(a0, a1, a2, a3) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.role_get != nil { t.role_get = { a0, a1, a2, a3, a4 in TimedStoreTable.timed(13) { TimedStoreTable.real.role_get?(a0, a1, a2, a3, a4) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.role_list != nil { t.role_list = { a0, a1, a2, a3 in TimedStoreTable.timed(14) { TimedStoreTable.real.role_list?(a0, a1, a2, a3) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.role_delete != nil { t.role_delete = { a0, a1, a2 in TimedStoreTable.timed(15) { TimedStoreTable.real.role_delete?(a0, a1, a2) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.session_create != nil { t.session_create = { a0, a1, a2 in TimedStoreTable.timed(16) { TimedStoreTable.real.session_create?(a0, a1, a2) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.session_get != nil { t.session_get = { a0, a1, a2, a3, a4, a5 in TimedStoreTable.timed(17) { TimedStoreTable.real.session_get?(a0, a1, a2, a3, a4, a5) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.session_delete != nil { t.session_delete = { a0, a1, a2 in TimedStoreTable.timed(18) { TimedStoreTable.real.session_delete?(a0, a1, a2) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.session_delete_user != nil { t.session_delete_user = { a0, a1, a2, a3, a4 in TimedStoreTable.timed(19) { TimedStoreTable.real.session_delete_user?(a0, a1, a2, a3, a4) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.apikey_create != nil { t.apikey_create = { a0, a1, a2 in TimedStoreTable.timed(20) { TimedStoreTable.real.apikey_create?(a0, a1, a2) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.apikey_get != nil { t.apikey_get = { a0, a1, a2, a3, a4, a5 in TimedStoreTable.timed(21) { TimedStoreTable.real.apikey_get?(a0, a1, a2, a3, a4, a5) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.apikey_list != nil { t.apikey_list = { a0, a1, a2, a3, a4, a5 in TimedStoreTable.timed(22) { TimedStoreTable.real.apikey_list?(a0, a1, a2, a3, a4, a5) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.apikey_delete != nil { t.apikey_delete = { a0, a1, a2 in TimedStoreTable.timed(23) { TimedStoreTable.real.apikey_delete?(a0, a1, a2) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.apikey_delete_user != nil { t.apikey_delete_user = { a0, a1, a2, a3, a4 in TimedStoreTable.timed(24) { TimedStoreTable.real.apikey_delete_user?(a0, a1, a2, a3, a4) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.identity_link != nil { t.identity_link = { a0, a1, a2 in TimedStoreTable.timed(25) { TimedStoreTable.real.identity_link?(a0, a1, a2) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.identity_get != nil { t.identity_get = { a0, a1, a2, a3, a4 in TimedStoreTable.timed(26) { TimedStoreTable.real.identity_get?(a0, a1, a2, a3, a4) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.identity_unlink != nil { t.identity_unlink = { a0, a1, a2, a3 in TimedStoreTable.timed(27) { TimedStoreTable.real.identity_unlink?(a0, a1, a2, a3) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.identity_list != nil { t.identity_list = { a0, a1, a2, a3, a4, a5 in TimedStoreTable.timed(28) { TimedStoreTable.real.identity_list?(a0, a1, a2, a3, a4, a5) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.stats != nil { t.stats = { a0, a1, a2 in TimedStoreTable.timed(29) { TimedStoreTable.real.stats?(a0, a1, a2) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.purge_expired != nil { t.purge_expired = { a0, a1, a2, a3 in TimedStoreTable.timed(30) { TimedStoreTable.real.purge_expired?(a0, a1, a2, a3) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.counter_hit != nil { t.counter_hit = { a0, a1, a2, a3, a4, a5, a6, a7 in TimedStoreTable.timed(31) { TimedStoreTable.real.counter_hit?(a0, a1, a2, a3, a4, a5, a6, a7) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.counter_clear != nil { t.counter_clear = { a0, a1, a2 in TimedStoreTable.timed(32) { TimedStoreTable.real.counter_clear?(a0, a1, a2) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.apikey_presence != nil { t.apikey_presence = { a0, a1, a2, a3, a4, a5 in TimedStoreTable.timed(33) { TimedStoreTable.real.apikey_presence?(a0, a1, a2, a3, a4, a5) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.apikey_owner != nil { t.apikey_owner = { a0, a1, a2, a3, a4, a5, a6, a7 in TimedStoreTable.timed(34) { TimedStoreTable.real.apikey_owner?(a0, a1, a2, a3, a4, a5, a6, a7) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.entry_put != nil { t.entry_put = { a0, a1, a2, a3 in TimedStoreTable.timed(35) { TimedStoreTable.real.entry_put?(a0, a1, a2, a3) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.entry_get != nil { t.entry_get = { a0, a1, a2, a3, a4, a5 in TimedStoreTable.timed(36) { TimedStoreTable.real.entry_get?(a0, a1, a2, a3, a4, a5) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.entry_list != nil { t.entry_list = { a0, a1, a2, a3, a4 in TimedStoreTable.timed(37) { TimedStoreTable.real.entry_list?(a0, a1, a2, a3, a4) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.entry_delete != nil { t.entry_delete = { a0, a1, a2, a3 in TimedStoreTable.timed(38) { TimedStoreTable.real.entry_delete?(a0, a1, a2, a3) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.audit_append != nil { t.audit_append = { a0, a1, a2 in TimedStoreTable.timed(39) { TimedStoreTable.real.audit_append?(a0, a1, a2) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.audit_list != nil { t.audit_list = { a0, a1, a2, a3, a4 in TimedStoreTable.timed(40) { TimedStoreTable.real.audit_list?(a0, a1, a2, a3, a4) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.session_count_user != nil { t.session_count_user = { a0, a1, a2, a3, a4 in TimedStoreTable.timed(41) { TimedStoreTable.real.session_count_user?(a0, a1, a2, a3, a4) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.user_get_with_key_presence != nil { t.user_get_with_key_presence = { a0, a1, a2, a3, a4, a5, a6, a7 in TimedStoreTable.timed(42) { TimedStoreTable.real.user_get_with_key_presence?(a0, a1, a2, a3, a4, a5, a6, a7) ?? PROTEUS_E_UNSUPPORTED } } }
        if r.user_get_cached != nil { t.user_get_cached = { a0, a1, a2, a3, a4, a5, a6, a7 in TimedStoreTable.timed(43) { TimedStoreTable.real.user_get_cached?(a0, a1, a2, a3, a4, a5, a6, a7) ?? PROTEUS_E_UNSUPPORTED } } }
        let table = UnsafeMutablePointer<proteus_store_api>.allocate(capacity: 1)
        table.initialize(to: t)
        return UnsafePointer(table)
    }

    /// The functions shimmed above, in the order of their `op`.
    private static let shimNames = [
        "user_create", "user_get", "user_update", "user_delete", "user_search", "users_import",
        "users_export", "group_create", "group_get", "group_list", "group_update", "group_delete",
        "role_put", "role_get", "role_list", "role_delete", "session_create", "session_get",
        "session_delete", "session_delete_user", "apikey_create", "apikey_get", "apikey_list", "apikey_delete",
        "apikey_delete_user", "identity_link", "identity_get", "identity_unlink", "identity_list", "stats",
        "purge_expired", "counter_hit", "counter_clear", "apikey_presence", "apikey_owner", "entry_put",
        "entry_get", "entry_list", "entry_delete", "audit_append", "audit_list", "session_count_user",
        "user_get_with_key_presence", "user_get_cached",
    ]
}
