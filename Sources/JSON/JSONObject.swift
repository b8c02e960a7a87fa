/// A JSON object: string keys in insertion order, each key at most once.
///
/// - Order: iteration, `keys` and serialisation follow insertion order. Assigning
///   to an existing key replaces its value in place (the key keeps its position);
///   a new key goes last. Parsing a document with a duplicate key keeps the
///   **last** value at the key's **first** position (JavaScript `JSON.parse`).
/// - Unlike a JavaScript object, integer-like keys are **not** moved to the front:
///   JS turns `{"b":1,"1":2}` into `{"1":2,"b":1}`; we keep document order. A
///   plugin that must reproduce that quirk can reorder with `insert(_:forKey:at:)`.
/// - Equality is **order-insensitive**: two objects are equal when they have the
///   same set of keys and equal values for each key (like a deep-equal in JS).
/// - Lookup is a linear scan while small; above `indexThreshold` keys a
///   dictionary index is kept alongside, so lookups stay O(1).
public struct JSONObject: Sendable, Sequence, CustomStringConvertible {
    public typealias Element = (key: String, value: JSONValue)

    /// Objects with more keys than this carry a key → position dictionary.
    /// Measured (release, x86-64): a linear scan costs ~10 ns at 4 keys, ~20 ns at
    /// 8 and ~37 ns at 16; a dictionary lookup ~35 ns at any size. So break-even is
    /// ~16, and most objects (request bodies) never pay for building an index.
    static var indexThreshold: Int { 16 }

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

    /// Takes the parser's members in document order and applies the duplicate-key
    /// rule. Duplicates are rare, so first check cheaply whether there are any.
    init(parsedMembers members: [Element]) {
        entries = members
        positions = nil
        let count = members.count
        if count <= JSONObject.indexThreshold {
            for j in 1..<Swift.max(count, 1) {
                let key = members[j].key
                let length = key.utf8.count
                for k in 0..<j where members[k].key.utf8.count == length && members[k].key == key {
                    entries = []
                    for (key, value) in members { self[key] = value }
                    return
                }
            }
        } else {
            var index = [String: Int](minimumCapacity: count)
            for (p, member) in members.enumerated() where index.updateValue(p, forKey: member.key) != nil {
                entries = []
                for (key, value) in members { self[key] = value }
                return
            }
            positions = index
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
