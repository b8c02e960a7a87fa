// The decoding this dialect does on request input, for the fuzz target
// Tests/Fuzz/SCIM (package access: only executables of this package can
// call it; the plugin itself does not). The syntax trees stay internal: the
// target sees them through opaque, Equatable wrappers and their text.
import PluginKit
import ProteusJSON

package enum SCIMFuzzEntryPoints {
    /// A refusal: a SCIMFailure's status, scimType and detail (status -1:
    /// some other error escaped).
    package struct Failure: Error, Equatable {
        package let status: Int
        package let scimType: String?
        package let message: String
    }

    // MARK: filters and PATCH paths

    /// A parsed filter; `text` writes it back in SCIM syntax.
    package struct ParsedFilter: Equatable {
        let filter: Filter
        /// Parses to an equal tree, with no more nesting than the text it came from.
        package var text: String { FilterWriter.filter(filter) }
    }

    /// FilterParser.parse: a ?filter= or a .search body's filter.
    package static func parseFilter(_ text: String) -> Result<ParsedFilter, Failure> {
        do { return .success(ParsedFilter(filter: try FilterParser.parse(text))) } catch {
            return .failure(Failure(status: 400, scimType: "invalidFilter", message: error.message))
        }
    }

    /// A parsed PATCH path; `text` writes it back.
    package struct ParsedPatchPath: Equatable {
        let path: PatchPath
        package var hasFilter: Bool { path.filter != nil }
        package var hasSubAttribute: Bool { path.attribute.subAttribute != nil || path.subAttribute != nil }
        package var schema: String? { path.attribute.schema }
        package var name: String { path.attribute.name }
        package var text: String {
            path.attribute.description + (path.filter.map { "[" + FilterWriter.filter($0) + "]" } ?? "")
                + (path.subAttribute.map { "." + $0 } ?? "")
        }
    }

    /// FilterParser.parsePatchPath: an operation's "path".
    package static func parsePatchPath(_ text: String) -> Result<ParsedPatchPath, Failure> {
        do { return .success(ParsedPatchPath(path: try FilterParser.parsePatchPath(text))) } catch {
            return .failure(Failure(status: 400, scimType: "invalidPath", message: error.message))
        }
    }

    /// FilterEvaluation.matches with the User schemas (as UserSelector runs it).
    package static func matches(_ filter: ParsedFilter, _ resource: JSONObject) -> Bool {
        FilterEvaluation(schemas: [SCIMSchema.user, SCIMSchema.enterpriseUser]).matches(filter.filter, resource)
    }

    // MARK: bodies

    /// SCIMWire.bodyObject: a request body as a JSON object.
    package static func bodyObject(_ request: Request) -> Result<JSONObject, Failure> {
        catching { try SCIMWire.bodyObject(request) }
    }

    /// A PATCH body's operations.
    package struct Patch {
        let operations: [PatchOperation]
        package var count: Int { operations.count }
    }

    /// PatchOperation.parse: a PATCH body.
    package static func parsePatch(_ body: JSONObject) -> Result<Patch, Failure> {
        catching { Patch(operations: try PatchOperation.parse(body)) }
    }

    /// The patcher of PATCH /Users/{id} (UserRoutes.patcher).
    private static var userPatcher: ResourcePatcher { UserRoutes.patcher }

    /// ResourcePatcher.apply on a User resource; nil when it applied.
    package static func applyUserPatch(_ patch: Patch, to resource: inout JSONObject) -> Failure? {
        switch catching({ try userPatcher.apply(patch.operations, to: &resource) }) {
        case .success: return nil
        case .failure(let failure): return failure
        }
    }

    /// What POST/PUT /Users (and a patched resource) would write.
    package struct User: Equatable {
        package var userName: String
        package var name: JSONObject?
        package var displayName: String?
        package var emails: [JSONValue]?
        package var active: Bool?
        package var externalId: String?
        package var password: String?
        package var enterprise: JSONObject?
        package var primaryEmail: String?
    }

    /// UserInput.parse: a User resource.
    package static func userInput(_ object: JSONObject) -> Result<User, Failure> {
        catching {
            let i = try UserInput.parse(object)
            return User(userName: i.userName, name: i.name, displayName: i.displayName, emails: i.emails, active: i.active,
                        externalId: i.externalId, password: i.password, enterprise: i.enterprise, primaryEmail: i.primaryEmail)
        }
    }

    /// The published sub-attributes of `name` and the enterprise extension's attributes.
    package static let nameSubAttributes = SCIMSchema.user.attribute("name")!.subAttributes.map(\.name)
    package static let enterpriseAttributes = SCIMSchema.enterpriseUser.attributes.map(\.name)

    /// A list's parameters from a POST /.search body.
    package struct Search {
        let parameters: ListParameters
        package var startIndex: Int { parameters.startIndex }
        package var count: Int { parameters.count }
        package var filter: ParsedFilter? { parameters.filter.map(ParsedFilter.init) }
        /// AttributeProjection.apply.
        package func project(_ resource: JSONObject) -> JSONObject { parameters.projection.apply(resource) }
    }

    /// ListParameters(search:): a POST /Users/.search body.
    package static func search(_ body: JSONObject, maxResults: Int) -> Result<Search, Failure> {
        catching { Search(parameters: try ListParameters(search: body, maxResults: maxResults)) }
    }

    private static func catching<T>(_ body: () throws -> T) -> Result<T, Failure> {
        do { return .success(try body()) } catch let f as SCIMFailure {
            return .failure(Failure(status: f.status, scimType: f.scimType, message: f.detail))
        } catch {
            return .failure(Failure(status: -1, scimType: nil, message: "\(error)"))
        }
    }
}

/// Filters written back in SCIM syntax, with parentheses only where the
/// tree needs them (so never deeper than the text it was parsed from).
private enum FilterWriter {
    static func filter(_ f: Filter) -> String {
        switch f {
        case .or(let l, let r):
            return filter(l) + " or " + grouped(r, if: { if case .or = $0 { return true } else { return false } })
        case .and(let l, let r):
            let left = grouped(l, if: { if case .or = $0 { return true } else { return false } })
            return left + " and " + grouped(r, if: { if case .or = $0 { return true } else if case .and = $0 { return true } else { return false } })
        case .not(let inner):
            return "not (" + filter(inner) + ")"
        case .present(let path):
            return path.description + " pr"
        case .compare(let path, let op, let value):
            return path.description + " " + op.rawValue + " " + FilterWriter.value(value)
        case .valuePath(let path, let inner):
            // emails[type eq "work"].value eq "x" parses as emails[type eq "work" and value eq "x"]:
            // write that form back as Entra sends it, which needs no parentheses for an "or" on the left.
            if case .and(let l, let element) = inner, let tail = elementTail(element) {
                return path.description + "[" + filter(l) + "]." + tail
            }
            return path.description + "[" + filter(inner) + "]"
        }
    }

    /// `name op value` or `name pr` for a plain sub-attribute name, else nil.
    private static func elementTail(_ f: Filter) -> String? {
        switch f {
        case .compare(let p, _, _) where p.schema == nil && p.subAttribute == nil: return filter(f)
        case .present(let p) where p.schema == nil && p.subAttribute == nil: return filter(f)
        default: return nil
        }
    }

    private static func grouped(_ f: Filter, if needsParentheses: (Filter) -> Bool) -> String {
        needsParentheses(f) ? "(" + filter(f) + ")" : filter(f)
    }

    static func value(_ v: JSONValue) -> String {
        switch v {
        case .number(let n): return n.text
        default: return v.serialized()
        }
    }
}
