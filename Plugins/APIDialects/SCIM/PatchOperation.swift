// A PATCH request's operations (RFC 7644 §3.5.2). Op names are
// case-insensitive: Entra ID sends "Replace", "Add", "Remove".
import ProteusJSON

struct PatchOperation {
    enum Kind: String { case add, replace, remove }

    var kind: Kind
    var path: PatchPath?
    /// The path as sent, for messages.
    var pathText: String?
    var value: JSONValue?

    static let maxOperations = 1000

    static func parse(_ body: JSONObject) throws -> [PatchOperation] {
        if let schemas = body.value(ignoringCase: "schemas")?.arrayValue,
           !schemas.contains(where: { $0.stringValue?.equalsIgnoringCase(SCIMSchemaURN.patchOp) == true }) {
            throw SCIMFailure.invalidSyntax("a PATCH body's schemas must list \(SCIMSchemaURN.patchOp)")
        }
        guard let list = body.value(ignoringCase: "Operations")?.arrayValue else {
            throw SCIMFailure.invalidSyntax("a PATCH body needs an Operations array")
        }
        guard list.count <= maxOperations else { throw SCIMFailure.invalidSyntax("at most \(maxOperations) operations per PATCH") }
        return try list.enumerated().map { index, element in
            guard let o = element.objectValue else { throw SCIMFailure.invalidSyntax("Operations[\(index)] must be an object") }
            guard let name = o.value(ignoringCase: "op")?.stringValue, let kind = Kind(rawValue: name.lowercased()) else {
                throw SCIMFailure.invalidSyntax("Operations[\(index)].op must be add, replace or remove")
            }
            var operation = PatchOperation(kind: kind, path: nil, pathText: nil, value: o.value(ignoringCase: "value"))
            if let pathValue = o.value(ignoringCase: "path"), !pathValue.isNull {
                guard let text = pathValue.stringValue else { throw SCIMFailure.invalidPath("Operations[\(index)].path must be a string") }
                if !text.isEmpty {
                    do { operation.path = try FilterParser.parsePatchPath(text) } catch let error as FilterSyntaxError {
                        throw SCIMFailure.invalidPath("Operations[\(index)].path: \(error.message)")
                    }
                    operation.pathText = text
                }
            }
            switch kind {
            case .remove:
                guard operation.path != nil else { throw SCIMFailure.noTarget("Operations[\(index)]: remove needs a path") }
            case .add, .replace:
                guard let v = operation.value, !v.isNull || operation.path != nil else {
                    throw SCIMFailure.invalidValue("Operations[\(index)]: \(name) needs a value")
                }
                if operation.path == nil, v.objectValue == nil {
                    throw SCIMFailure.invalidValue("Operations[\(index)]: \(name) without a path needs an object value")
                }
            }
            return operation
        }
    }
}
