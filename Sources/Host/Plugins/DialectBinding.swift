// A created dialect as the host holds it: its function table, its routes
// compiled for matching, and the mount it is served under.
import PluginAPI
import PluginKit

final class DialectBinding: @unchecked Sendable {
    let instance: PluginInstance
    let api: proteus_dialect_api
    let handle: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<proteus_request>?, OpaquePointer?) -> proteus_status
    let mount: String
    let mountBytes: [UInt8]
    /// The mount as each request's `mount` field: one copy for the
    /// binding's life, so requests borrow it without converting.
    let mountText: proteus_str
    private(set) var routes: [RoutePattern] = []

    var name: String { instance.plugin.name }

    /// The dialect's table for extension `id` ("import.v1", "command.v1"),
    /// when it offers one long enough to hold the function at `required`
    /// and that function is set. The table is copied only as far as its
    /// struct_size: functions a minor appended later (e.g. import.v1's
    /// import_run, 2.5) are NULL in the copy of an older plugin's table.
    func extensionTable<T>(_ id: String, as type: T.Type, requiring required: KeyPath<T, (some Any)?>) -> T? {
        let descriptor = instance.plugin.descriptor
        guard Int(descriptor.pointee.struct_size) >= MemoryLayout<proteus_plugin_descriptor>.offset(of: \.get_extension)! + MemoryLayout<UnsafeRawPointer>.size,
              let getExtension = descriptor.pointee.get_extension,
              let raw = getExtension(instance.instance, id) else { return nil }
        // Every extension table starts with its struct_size (proteus_plugin.h).
        let declared = Int(raw.load(as: UInt32.self))
        guard let offset = MemoryLayout<T>.offset(of: required), declared >= offset + MemoryLayout<UnsafeRawPointer>.size else { return nil }
        let table = UnsafeMutablePointer<T>.allocate(capacity: 1)
        defer { table.deallocate() }
        UnsafeMutableRawPointer(table).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<T>.size)
        UnsafeMutableRawPointer(table).copyMemory(from: raw, byteCount: min(declared, MemoryLayout<T>.size))
        let copy = table.pointee
        return copy[keyPath: required] == nil ? nil : copy
    }

    init(_ instance: PluginInstance, mount: String, mountBytes: [UInt8]) throws {
        self.instance = instance
        self.mount = mount
        self.mountBytes = mountBytes
        let api = instance.plugin.descriptor.pointee.vtable.assumingMemoryBound(to: proteus_dialect_api.self).pointee
        self.api = api
        let where_ = "plugin \"\(instance.plugin.name)\" at \(instance.plugin.path)"
        guard let routesFunction = api.routes, let handle = api.handle else {
            throw PluginLoadError(message: "\(where_): dialect function table lacks routes or handle")
        }
        self.handle = handle
        let text = UnsafeMutablePointer<CChar>.allocate(capacity: max(mountBytes.count, 1))
        mountBytes.withUnsafeBytes { if let base = $0.baseAddress { UnsafeMutableRawPointer(text).copyMemory(from: base, byteCount: $0.count) } }
        self.mountText = proteus_str(ptr: text, len: mountBytes.count)
        var list: UnsafePointer<proteus_route>?
        var count: UInt32 = 0
        var err = proteus_error()
        let status = routesFunction(instance.instance, &list, &count, &err)
        guard status == PROTEUS_OK else {
            throw PluginLoadError(message: "\(where_): routes() failed: \(PluginError(status: status, from: err).message)")
        }
        guard let routeList = RecordArray.read(list, count: count, { $0 }) else {
            throw PluginLoadError(message: "\(where_): routes() returned no list, or routes without a valid struct_size")
        }
        for (i, route) in routeList.enumerated() {
            guard let methods = route.methods, let path = route.path else {
                throw PluginLoadError(message: "\(where_): route \(i) lacks methods or path")
            }
            do {
                routes.append(try RoutePattern(index: Int32(i), methods: String(cString: methods), path: String(cString: path)))
            } catch {
                throw PluginLoadError(message: "\(where_): \(error)")
            }
        }
    }

    deinit { UnsafeMutablePointer(mutating: mountText.ptr)?.deallocate() }
}
