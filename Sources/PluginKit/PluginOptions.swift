// Typed reading of a plugin's "options" object, with the error messages
// operators see when a config is wrong (they name the key and the problem).
import ProteusJSON

public struct PluginOptions: Sendable {
    public let object: JSONObject

    /// Parses the options text handed to `create`. INVALID when it is not a
    /// JSON object.
    public init(json: UnsafePointer<CChar>?, length: Int) throws(PluginError) {
        guard let json, length > 0 else { self.object = JSONObject(); return }
        let bytes = UnsafeRawBufferPointer(start: json, count: length)
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            throw PluginError.invalid("options are not valid JSON: \(error)")
        }
        guard case .object(let object) = value else {
            throw PluginError.invalid("options must be a JSON object, not \(value.typeName)")
        }
        self.object = object
    }

    public init(_ object: JSONObject) { self.object = object }

    /// Refuses keys outside `known`.
    public func rejectUnknown(_ known: Set<String>) throws(PluginError) {
        for key in object.keys where !known.contains(key) {
            throw PluginError.invalid("unknown option \"\(key)\" (known: \(known.sorted().joined(separator: ", ")))")
        }
    }

    public func value(_ key: String) -> JSONValue? { object[key] }

    public func string(_ key: String) throws(PluginError) -> String? {
        guard let v = object[key], !v.isNull else { return nil }
        guard let s = v.stringValue else { throw typeError(key, "a string", v) }
        return s
    }

    public func bool(_ key: String) throws(PluginError) -> Bool? {
        guard let v = object[key], !v.isNull else { return nil }
        guard let b = v.boolValue else { throw typeError(key, "true or false", v) }
        return b
    }

    public func int(_ key: String, in range: ClosedRange<Int>) throws(PluginError) -> Int? {
        guard let v = object[key], !v.isNull else { return nil }
        guard let n = v.intValue else { throw typeError(key, "an integer", v) }
        guard range.contains(n) else {
            throw PluginError.invalid("option \"\(key)\" must be between \(range.lowerBound) and \(range.upperBound), got \(n)")
        }
        return n
    }

    public func object(_ key: String) throws(PluginError) -> JSONObject? {
        guard let v = object[key], !v.isNull else { return nil }
        guard let o = v.objectValue else { throw typeError(key, "an object", v) }
        return o
    }

    private func typeError(_ key: String, _ expected: String, _ got: JSONValue) -> PluginError {
        PluginError.invalid("option \"\(key)\" must be \(expected), not \(got.typeName)")
    }
}
