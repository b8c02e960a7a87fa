// What every SCIM response shares: the media type application/scim+json,
// the weak ETag of a resource's version, and absolute locations.
import PluginKit
import ProteusJSON

enum SCIMWire {
    static let mediaType = "application/scim+json"

    static func send(_ response: Response, _ status: Int, _ value: JSONValue) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(512)
        value.write(into: &bytes)
        response.status(status)
        response.header("Content-Type", mediaType + "; charset=utf-8")
        response.body(bytes)
    }

    /// A resource with its ETag (meta.version), and Location on 201.
    static func sendResource(_ response: Response, _ status: Int, _ resource: JSONObject) {
        if let meta = resource["meta"]?.objectValue {
            if let version = meta["version"]?.stringValue { response.header("ETag", version) }
            if status == 201, let location = meta["location"]?.stringValue { response.header("Location", location) }
        }
        send(response, status, .object(resource))
    }

    static func etag(_ version: UInt64) -> String { "W/\"\(version)\"" }

    /// The store version an If-Match header asks for: nil when absent or
    /// "*"; throws 412 when it names no version this resource could have.
    static func expectedVersion(_ request: Request) throws -> UInt64? {
        guard let header = request.header("if-match")?.trimmingSpacesAndTabs(), !header.isEmpty, header != "*" else { return nil }
        var tag = Substring(header)
        if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
        if tag.hasPrefix("\""), tag.hasSuffix("\""), tag.count >= 2 { tag = tag.dropFirst().dropLast() }
        guard let version = UInt64(tag) else { throw SCIMFailure.versionMismatch }
        return version
    }

    /// The request body as a JSON object; invalidSyntax otherwise.
    static func bodyObject(_ request: Request) throws -> JSONObject {
        if let type = request.contentType, type != mediaType, type != "application/json" {
            throw SCIMFailure.invalidSyntax("Content-Type must be \(mediaType) or application/json, not \(type)")
        }
        guard !request.bodyIsEmpty else { throw SCIMFailure.invalidSyntax("the request needs a JSON body") }
        let value: JSONValue
        do { value = try JSONValue(parsing: request.body, options: JSONParseOptions(maxDepth: 64)) } catch {
            throw SCIMFailure.invalidSyntax("the body is not valid JSON: \(error)")
        }
        guard let object = value.objectValue else { throw SCIMFailure.invalidSyntax("the body must be a JSON object, not \(value.typeName)") }
        return object
    }
}
