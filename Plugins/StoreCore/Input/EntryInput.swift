// The argument checks every store makes on plugin entries (ABI 2.3), so
// all stores accept and refuse the same namespaces, keys and values.
// Messages name the namespace, never the key: a key may be a credential's
// hash (the SCIM dialect's tokens).
import PluginAPI
import PluginKit

public enum EntryInput {
    public static func check(namespace ns: proteus_str) throws(PluginError) {
        try bounded(ns, "the entry namespace", max: PROTEUS_ENTRY_NS_MAX)
    }

    public static func check(key: proteus_str) throws(PluginError) {
        try bounded(key, "the entry key", max: PROTEUS_ENTRY_KEY_MAX)
    }

    /// The value is stored as given: whether it is JSON is the caller's
    /// responsibility (the header says so), so that stores stay simple.
    public static func check(json: proteus_str) throws(PluginError) {
        try bounded(json, "the entry value", max: PROTEUS_ENTRY_VALUE_MAX)
    }

    /// Present, 1...max bytes, UTF-8: else INVALID.
    private static func bounded(_ s: proteus_str, _ what: String, max: Int32) throws(PluginError) {
        try StoreInput.requireText(s, what, allowEmpty: false)
        guard s.len <= Int(max) else { throw .invalid("\(what) is \(s.len) bytes, longer than \(max)") }
    }
}
