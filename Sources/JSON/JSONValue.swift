/// A JSON value.
///
/// Numbers keep their source text (see `JSONNumber`), objects keep key order
/// (see `JSONObject`). Equality is structural: numbers compare by text, objects
/// ignore key order, arrays compare element by element.
///
/// Note on `nil`: in a context typed `JSONValue?` (for example
/// `object["k"] = nil`) the literal `nil` means "absent", not JSON null; write
/// `.null` to store a null.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

// MARK: - Convenience constructors

extension JSONValue {
    public init(_ value: Bool) { self = .bool(value) }
    public init(_ value: String) { self = .string(value) }
    public init(_ value: Int) { self = .number(JSONNumber(value)) }
    public init(_ value: Int64) { self = .number(JSONNumber(value)) }
    public init(_ value: UInt64) { self = .number(JSONNumber(value)) }

    /// A number formatted like JavaScript; NaN and ±infinity become `.null`,
    /// which is what JavaScript's `JSON.stringify` writes for them.
    public init(_ value: Double) {
        if let number = JSONNumber(value) {
            self = .number(number)
        } else {
            self = .null
        }
    }
}

// MARK: - Accessors

extension JSONValue {
    /// The member `key` of an object; nil if absent or if this is not an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let object) = self else { return nil }
        return object[key]
    }

    /// Element `index` of an array; nil if out of range or if this is not an array.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let array) = self, array.indices.contains(index) else { return nil }
        return array[index]
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var boolValue: Bool? {
        guard case .bool(let b) = self else { return nil }
        return b
    }

    public var stringValue: String? {
        guard case .string(let s) = self else { return nil }
        return s
    }

    public var numberValue: JSONNumber? {
        guard case .number(let n) = self else { return nil }
        return n
    }

    /// The number as an exact `Int` (see `JSONNumber.int`); nil for non-numbers.
    public var intValue: Int? { numberValue?.int }

    /// The number as a `Double` (see `JSONNumber.double`); nil for non-numbers.
    public var doubleValue: Double? { numberValue?.double }

    public var arrayValue: [JSONValue]? {
        guard case .array(let a) = self else { return nil }
        return a
    }

    public var objectValue: JSONObject? {
        guard case .object(let o) = self else { return nil }
        return o
    }

    /// The JSON type's name: "null", "boolean", "number", "string", "array" or "object".
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

// MARK: - Literals

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(JSONNumber(value)) }
    public init(floatLiteral value: Double) { self.init(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }

    /// Duplicate keys: last value wins, first position kept.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements))
    }
}

extension JSONValue: CustomStringConvertible {
    /// Compact JSON text (same as `serialized()`).
    public var description: String { serialized() }
}
