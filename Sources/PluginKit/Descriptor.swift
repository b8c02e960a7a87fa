// Building the static descriptor a plugin's entry symbol returns.
import PluginAPI
import Glibc

public typealias CreateFunction = @convention(c) (
    UnsafePointer<proteus_host_api>?, UnsafePointer<CChar>?, Int,
    UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<proteus_error>?
) -> proteus_status
public typealias DestroyFunction = @convention(c) (UnsafeMutableRawPointer?) -> Void
/// Answers capability ids (CLAP-style `get_extension`); nil when unknown.
public typealias GetExtensionFunction = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?) -> UnsafeRawPointer?

/// Allocates a descriptor once and keeps it for the life of the process
/// (the host never unloads plugins). Call from a global `let`.
public func makeDescriptor(
    kind: Int32,
    name: StaticString,
    version: StaticString,
    description: StaticString,
    create: CreateFunction,
    destroy: DestroyFunction,
    vtable: UnsafeRawPointer,
    getExtension: GetExtensionFunction? = nil
) -> UnsafePointer<proteus_plugin_descriptor> {
    let d = UnsafeMutablePointer<proteus_plugin_descriptor>.allocate(capacity: 1)
    d.initialize(to: proteus_plugin_descriptor())
    d.pointee.magic = PROTEUS_PLUGIN_MAGIC
    d.pointee.struct_size = UInt32(MemoryLayout<proteus_plugin_descriptor>.size)
    d.pointee.abi_major = UInt16(PROTEUS_ABI_MAJOR)
    d.pointee.abi_minor = UInt16(PROTEUS_ABI_MINOR)
    d.pointee.kind = UInt32(kind)
    d.pointee.name = UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
    d.pointee.version = UnsafeRawPointer(version.utf8Start).assumingMemoryBound(to: CChar.self)
    d.pointee.description = UnsafeRawPointer(description.utf8Start).assumingMemoryBound(to: CChar.self)
    d.pointee.create = create
    d.pointee.destroy = destroy
    d.pointee.vtable = vtable
    d.pointee.get_extension = getExtension
    return UnsafePointer(d)
}

/// Leaks a value of a C table type for the life of the process.
public func makeStaticTable<T>(_ value: T) -> UnsafePointer<T> {
    let p = UnsafeMutablePointer<T>.allocate(capacity: 1)
    p.initialize(to: value)
    return UnsafePointer(p)
}

/// Boxes a Swift instance object as the opaque `void *instance`.
public enum InstanceBox {
    public static func retain<T: AnyObject>(_ object: T) -> UnsafeMutableRawPointer {
        Unmanaged.passRetained(object).toOpaque()
    }
    /// nil for a NULL pointer (the caller answers INVALID).
    public static func get<T: AnyObject>(_ pointer: UnsafeMutableRawPointer?, as: T.Type) -> T? {
        pointer.map { Unmanaged<T>.fromOpaque($0).takeUnretainedValue() }
    }
    public static func release<T: AnyObject>(_ pointer: UnsafeMutableRawPointer?, as: T.Type) {
        guard let pointer else { return }
        Unmanaged<T>.fromOpaque(pointer).release()
    }
}
