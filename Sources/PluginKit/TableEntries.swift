// Reading one function out of a C table that starts with `struct_size`
// (the host's services, a store's table): present only when the size the
// table's writer declared covers the field and the entry is not NULL, so a
// short or partial table is an answer (UNSUPPORTED), never a crash; and
// copying such a table without reading past its declared end.
import PluginAPI

public enum TableEntry {
    @inlinable
    public static func function<Table, F>(_ table: Table, _ field: KeyPath<Table, F?>, declaredSize: UInt32) -> F? {
        guard let offset = MemoryLayout<Table>.offset(of: field),
              Int(declaredSize) >= offset + MemoryLayout<UnsafeRawPointer>.size else { return nil }
        return table[keyPath: field]
    }

    /// A copy of the table at `source` that reads only the bytes its
    /// writer declared (its leading struct_size, capped at this header's
    /// size); what lies beyond them stays as in `empty` (NULL functions).
    /// The copy keeps the declared struct_size, so `function` still tells
    /// which entries it has. Copying `pointee` instead would read past the
    /// end of a table built against an older minor.
    public static func copy<Table>(_ source: UnsafeRawPointer, into empty: Table) -> Table {
        var table = empty
        let declared = Int(source.load(as: UInt32.self))
        withUnsafeMutableBytes(of: &table) { target in
            let count = min(declared, target.count)
            guard count > 0, let base = target.baseAddress else { return }
            base.copyMemory(from: source, byteCount: count)
        }
        return table
    }
}

/// The sizes of the store table by ABI minor: a store built against an
/// older minor has a table that ends earlier, and is still loaded.
public enum StoreTable {
    /// Bytes of a 2.0 table: everything before the first function 2.1
    /// appended (apikey_presence).
    public static let size2_0 = MemoryLayout<proteus_store_api>.offset(of: \proteus_store_api.apikey_presence)
        ?? MemoryLayout<proteus_store_api>.size

    /// Bytes of a 2.2 table (2.1's too: 2.2 appended no store function):
    /// everything before the first function 2.3 appended (entry_put). A
    /// store whose table is longer reads the query fields 2.3 appended.
    public static let size2_2 = MemoryLayout<proteus_store_api>.offset(of: \proteus_store_api.entry_put)
        ?? MemoryLayout<proteus_store_api>.size

    /// Bytes of a 2.4 table (2.3's too: 2.4 appended no store function):
    /// everything before the first function 2.5 appended (audit_append).
    public static let size2_4 = MemoryLayout<proteus_store_api>.offset(of: \proteus_store_api.audit_append)
        ?? MemoryLayout<proteus_store_api>.size

    /// Bytes of a 2.5 table: everything before the first function 2.6
    /// appended (session_count_user). A store whose table is longer reads
    /// the query fields 2.6 appended (after_username, total_cap).
    public static let size2_5 = MemoryLayout<proteus_store_api>.offset(of: \proteus_store_api.session_count_user)
        ?? MemoryLayout<proteus_store_api>.size

    /// Bytes of a 2.6 table: everything before the first function 2.7
    /// appended (user_get_with_key_presence).
    public static let size2_6 = MemoryLayout<proteus_store_api>.offset(of: \proteus_store_api.user_get_with_key_presence)
        ?? MemoryLayout<proteus_store_api>.size

    /// Bytes of a 2.7 table: everything before the first function 2.8
    /// appended (user_get_cached).
    public static let size2_7 = MemoryLayout<proteus_store_api>.offset(of: \proteus_store_api.user_get_cached)
        ?? MemoryLayout<proteus_store_api>.size

    /// True when the table's `index`-th function (0 = user_create) is one
    /// every table must hold, whatever its minor: a 2.0 one. Functions
    /// appended later are optional; callers fall back when a table lacks them.
    public static func isRequired(functionAt index: Int) -> Bool {
        // Every field after struct_size is a function pointer, in header order.
        let first = MemoryLayout<proteus_store_api>.offset(of: \proteus_store_api.user_create) ?? 0
        return first + (index + 1) * MemoryLayout<UnsafeRawPointer>.size <= size2_0
    }

    /// A copy of the store table at `table` (any minor; see TableEntry.copy).
    public static func copy(_ table: UnsafePointer<proteus_store_api>) -> proteus_store_api {
        TableEntry.copy(UnsafeRawPointer(table), into: proteus_store_api())
    }
}

extension Host {
    /// The host service at `field`, when this host's table has it.
    @inlinable
    public func service<F>(_ field: KeyPath<proteus_host_api, F?>) -> F? {
        TableEntry.function(api.pointee, field, declaredSize: api.pointee.struct_size)
    }
}
