// The configured store as the host holds it: the plugin's function table
// plus its instance, checked to be complete.
import PluginAPI
import PluginKit

final class StoreBinding: @unchecked Sendable {
    let instance: PluginInstance
    let api: proteus_store_api
    var name: String { instance.plugin.name }
    var raw: UnsafeMutableRawPointer? { instance.instance }

    init(_ instance: PluginInstance) throws {
        self.instance = instance
        let api = Self.readTable(instance.plugin.descriptor.pointee.vtable)
        self.api = api
        let functions: [(String, Bool)] = [
            ("user_create", api.user_create != nil), ("user_get", api.user_get != nil),
            ("user_update", api.user_update != nil), ("user_delete", api.user_delete != nil),
            ("user_search", api.user_search != nil), ("users_import", api.users_import != nil),
            ("users_export", api.users_export != nil), ("group_create", api.group_create != nil),
            ("group_get", api.group_get != nil), ("group_list", api.group_list != nil),
            ("group_update", api.group_update != nil), ("group_delete", api.group_delete != nil),
            ("role_put", api.role_put != nil), ("role_get", api.role_get != nil),
            ("role_list", api.role_list != nil), ("role_delete", api.role_delete != nil),
            ("session_create", api.session_create != nil), ("session_get", api.session_get != nil),
            ("session_delete", api.session_delete != nil), ("session_delete_user", api.session_delete_user != nil),
            ("apikey_create", api.apikey_create != nil), ("apikey_get", api.apikey_get != nil),
            ("apikey_list", api.apikey_list != nil), ("apikey_delete", api.apikey_delete != nil),
            ("apikey_delete_user", api.apikey_delete_user != nil), ("identity_link", api.identity_link != nil),
            ("identity_get", api.identity_get != nil), ("identity_unlink", api.identity_unlink != nil),
            ("identity_list", api.identity_list != nil), ("stats", api.stats != nil),
            ("purge_expired", api.purge_expired != nil),
        ]
        if let missing = functions.first(where: { !$0.1 }) {
            throw PluginLoadError(message: "plugin \"\(instance.plugin.name)\" at \(instance.plugin.path): store function table has no \(missing.0)")
        }
    }

    /// The plugin's table as far as its struct_size reaches; functions
    /// appended after the plugin's ABI stay NULL (never read out of bounds).
    static func readTable(_ vtable: UnsafeRawPointer) -> proteus_store_api {
        var table = proteus_store_api()
        let declared = Int(vtable.load(as: UInt32.self))
        let size = min(declared, MemoryLayout<proteus_store_api>.size)
        withUnsafeMutableBytes(of: &table) { $0.baseAddress!.copyMemory(from: vtable, byteCount: size) }
        table.struct_size = UInt32(size)
        return table
    }

    /// Records a failed call for the log (unavailability is what operators
    /// need to see; per-record outcomes like NOT_FOUND are normal).
    @inline(__always)
    func observe(_ status: proteus_status, _ operation: StaticString) -> proteus_status {
        if status == PROTEUS_E_UNAVAILABLE || status == PROTEUS_E_INTERNAL {
            noteFailure(status, operation)
        }
        return status
    }

    private func noteFailure(_ status: proteus_status, _ operation: StaticString) {
        Logger.shared.warn("store \(name): \(operation) failed: \(Status.name(status))")
    }

    /// The answer for a function the store's ABI does not have.
    static func unsupported(_ function: String, _ store: String, _ err: UnsafeMutablePointer<proteus_error>?) -> proteus_status {
        PluginError.unsupported("\(function): the store \"\(store)\" was built for an ABI without it (needs 1.3)").report(to: err)
    }

    /// nil for a NULL `store_ctx` (see StoreRouting.forward).
    static func from(_ ctx: UnsafeMutableRawPointer?) -> StoreBinding? {
        ctx.map { Unmanaged<StoreBinding>.fromOpaque($0).takeUnretainedValue() }
    }
}

extension StoreClient {
    /// A client calling the store plugin directly (not through the host's
    /// routed table), with arenas from `host`.
    convenience init(_ binding: StoreBinding, host: UnsafePointer<proteus_host_api>) {
        self.init(api: binding.api, store: binding.raw, host: host)
    }
}
