/// A JSON object: string keys in insertion order, each key at most once.
///
/// - Order: iteration, `keys` and serialisation follow insertion order. Assigning
///   to an existing key replaces its value in place (the key keeps its position);
///   a new key goes last. Parsing a document with a duplicate key keeps the
///   **last** value at the key's **first** position (JavaScript `JSON.parse`).
/// - Equality is **order-insensitive**: two objects are equal when they have the
///   same set of keys and equal values for each key (like a deep-equal in JS).
/// - Lookup is a linear scan while small; above `indexThreshold` keys a
///   dictionary index is kept alongside, so lookups stay O(1).
public struct JSONObject: Sendable, Sequence, CustomStringConvertible {
    public typealias Element = (key: String, value: JSONValue)

    /// Objects with more keys than this carry a key → position dictionary.
    /// (Measured: scanning up to ~8 short keys is as fast as hashing one.)
    static var indexThreshold: Int { 8 }

    private var entries: [Element]
    /// Key → position in `entries`; non-nil exactly when count > indexThreshold.
    private var positions: [String: Int]?

    /// An empty object.
    public init() {
        entries = []
        positions = nil
    }

    /// An object with the given pairs in order; for a repeated key the last value
    /// wins and the key keeps its first position (same rule as parsing).
    public init(_ pairs: [(String, JSONValue)]) {
        self.init()
        entries.reserveCapacity(pairs.count)
        for (key, value) in pairs { self[key] = value }
    }

    /// Builds from parallel key/value runs, applying the duplicate-key rule
    /// (the parser's path: no intermediate tuple array).
    init(keys: ArraySlice<String>, values: ArraySlice<JSONValue>) {
        self.init()
        let count = keys.count
        entries.reserveCapacity(count)
        if count <= JSONObject.indexThreshold {
            var v = values.startIndex
            for key in keys {
                if let p = entries.firstIndex(where: { $0.key == key }) {
                    entries[p].value = values[v]
                } else {
                    entries.append((key, values[v]))
                }
                v += 1
            }
        } else {
            var index = [String: Int](minimumCapacity: count)
            var v = values.startIndex
            for key in keys {
                if let p = index[key] {
                    entries[p].value = values[v]
                } else {
                    index[key] = entries.count
                    entries.append((key, values[v]))
                }
                v += 1
            }
            positions = entries.count > JSONObject.indexThreshold ? index : nil
        }
    }

    /// Number of keys.
    public var count: Int { entries.count }

    public var isEmpty: Bool { entries.isEmpty }

    /// Keys in order.
    public var keys: [String] { entries.map(\.key) }

    /// Values in key order.
    public var values: [JSONValue] { entries.map(\.value) }

    /// Position of `key` in iteration order, or nil if absent.
    public func position(ofKey key: String) -> Int? {
        if let positions { return positions[key] }
        return entries.firstIndex { $0.key == key }
    }

    /// Whether `key` is present.
    public func contains(key: String) -> Bool {
        position(ofKey: key) != nil
    }

    /// The value for `key`. Setting a value keeps an existing key's position or
    /// appends a new key; setting nil removes the key (use `.null` to store null).
    public subscript(key: String) -> JSONValue? {
        get {
            guard let p = position(ofKey: key) else { return nil }
            return entries[p].value
        }
        set {
            guard let newValue else {
                removeValue(forKey: key)
                return
            }
            if let p = position(ofKey: key) {
                entries[p].value = newValue
            } else {
                entries.append((key, newValue))
                if positions != nil {
                    positions![key] = entries.count - 1
                } else if entries.count > JSONObject.indexThreshold {
                    rebuildPositions()
                }
            }
        }
    }

    /// Removes `key`, returning its value (nil if it was absent). O(count).
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let p = position(ofKey: key) else { return nil }
        let removed = entries.remove(at: p).value
        if positions != nil { rebuildPositions() }
        return removed
    }

    /// Puts `key` at `position` (0 = first) with `value`, removing any existing
    /// entry for `key` first. `position` is clamped to `0...count`. O(count).
    public mutating func insert(_ value: JSONValue, forKey key: String, at position: Int) {
        removeValue(forKey: key)
        let p = Swift.min(Swift.max(position, 0), entries.count)
        entries.insert((key, value), at: p)
        if positions != nil || entries.count > JSONObject.indexThreshold { rebuildPositions() }
    }

    public func makeIterator() -> IndexingIterator<[Element]> {
        entries.makeIterator()
    }

    public var underestimatedCount: Int { entries.count }

    /// Compact JSON text.
    public var description: String { JSONValue.object(self).serialized() }

    private mutating func rebuildPositions() {
        guard entries.count > JSONObject.indexThreshold else {
            positions = nil
            return
        }
        var index = [String: Int](minimumCapacity: entries.count)
        for (p, entry) in entries.enumerated() { index[entry.key] = p }
        positions = index
    }
}

extension JSONObject: Equatable {
    /// Order-insensitive: same keys, equal values.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.entries.count == rhs.entries.count else { return false }
        for (p, entry) in lhs.entries.enumerated() {
            // Common case first: same key at the same position.
            let other = rhs.entries[p]
            if other.key == entry.key {
                if other.value != entry.value { return false }
            } else if rhs[entry.key] != entry.value {
                return false
            }
        }
        return true
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// Duplicate keys follow the parsing rule (last value, first position).
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }
}
