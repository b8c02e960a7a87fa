// Reading one function out of a C table that starts with `struct_size`
// (the host's services, a store's table): present only when the size the
// table's writer declared covers the field and the entry is not NULL, so a
// short or partial table is an answer (UNSUPPORTED), never a crash.
import PluginAPI

public enum TableEntry {
    @inlinable
    public static func function<Table, F>(_ table: Table, _ field: KeyPath<Table, F?>, declaredSize: UInt32) -> F? {
        guard let offset = MemoryLayout<Table>.offset(of: field),
              Int(declaredSize) >= offset + MemoryLayout<UnsafeRawPointer>.size else { return nil }
        return table[keyPath: field]
    }
}

extension Host {
    /// The host service at `field`, when this host's table has it.
    @inlinable
    public func service<F>(_ field: KeyPath<proteus_host_api, F?>) -> F? {
        TableEntry.function(api.pointee, field, declaredSize: api.pointee.struct_size)
    }
}
