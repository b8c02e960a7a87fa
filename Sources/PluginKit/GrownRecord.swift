// Records that grew in a minor version (fields appended after the 2.0
// layout, e.g. proteus_user_query's username_folded in 2.3): which fields a
// writer's record holds, judged by the struct_size it declared, so a
// reader never takes bytes past that size for a field.
import PluginAPI

public enum GrownRecord {
    /// True when a record whose writer declared `declaredSize` bytes holds
    /// all of `field`.
    public static func holds<Record, Field>(_ field: KeyPath<Record, Field>, declaredSize: UInt32) -> Bool {
        guard let offset = MemoryLayout<Record>.offset(of: field) else { return false }
        return Int(declaredSize) >= offset + MemoryLayout<Field>.size
    }

    /// A copy of the record at `source` that reads only the bytes its
    /// writer declared (capped at this header's size); fields beyond them
    /// stay as in `empty` (zero: absent). Callers check the declared size
    /// covers the oldest layout they accept first.
    public static func read<Record>(_ source: UnsafePointer<Record>, into empty: Record) -> Record {
        TableEntry.copy(UnsafeRawPointer(source), into: empty)
    }
}

/// The sizes of proteus_user_query by ABI minor.
public enum UserQueryLayout {
    /// Bytes of a query built against 2.0-2.2: everything before the first
    /// field 2.3 appended (username_folded).
    public static let size2_2 = MemoryLayout<proteus_user_query>.offset(of: \proteus_user_query.username_folded)
        ?? MemoryLayout<proteus_user_query>.size

    /// Bytes of a query built against 2.3-2.5: everything before the first
    /// field 2.6 appended (after_username).
    public static let size2_5 = MemoryLayout<proteus_user_query>.offset(of: \proteus_user_query.after_username)
        ?? MemoryLayout<proteus_user_query>.size
}
