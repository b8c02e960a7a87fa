// Arrays of records across the ABI (pages of users, lists, routes): every
// element starts with `struct_size`, all elements of one array have the
// same, and a reader steps through the array by it, so a record type can
// grow in a minor version without breaking readers built before. Writers
// set struct_size to C's sizeof, which is Swift's MemoryLayout.stride.
// Used by every reader: PluginKit's StoreClient, the host's routes, and
// the stores' users_import (StoreCore).
import PluginAPI

public enum RecordArray {
    /// The struct_size a writer puts in a record of type T.
    @inlinable
    public static func size<T>(of _: T.Type) -> UInt32 { UInt32(MemoryLayout<T>.stride) }

    /// The stride of an array whose first record declares `struct_size`:
    /// the writer's size rounded up to T's alignment (C's sizeof already
    /// is), never less than this reader's stride.
    public static func stride<T>(of first: UnsafeRawPointer, _ type: T.Type) -> Int {
        let size = Int(first.load(as: UInt32.self))
        let align = MemoryLayout<T>.alignment
        return max((size + align - 1) / align * align, MemoryLayout<T>.stride)
    }

    /// Reads `count` records from `base`, stepping by `stride(of:)`; nil
    /// when records are missing or smaller than this reader knows (a
    /// broken writer, never a crash).
    public static func read<T, R>(_ base: UnsafePointer<T>?, count: UInt32, _ convert: (T) -> R) -> [R]? {
        guard count > 0 else { return [] }
        guard let base else { return nil }
        let raw = UnsafeRawPointer(base)
        guard Int(raw.load(as: UInt32.self)) >= MemoryLayout<T>.size else { return nil }
        let stride = stride(of: raw, T.self)
        return (0..<Int(count)).map { convert(raw.advanced(by: $0 * stride).assumingMemoryBound(to: T.self).pointee) }
    }

    /// Whether a struct written by another plugin (a page or list header, a
    /// record) is at least as large as this reader's type (its struct_size
    /// comes first).
    public static func isComplete<T>(_ header: UnsafePointer<T>) -> Bool {
        Int(UnsafeRawPointer(header).load(as: UInt32.self)) >= MemoryLayout<T>.size
    }
}
