// Config export and import as YAML (libyaml, YAML.swift):
//
// GET /users/me/config/export (admin only): the caller's preferences, as
// GET /users/me/config shows them ({llm, tts, stt}), as a YAML mapping,
// `Content-Type: application/x-yaml; charset=utf-8`, as an attachment.
//
// POST /users/me/config/import (any signed-in user; multipart/form-data
// with the YAML in a field `file`): merges per section, as PUT
// /users/me/config does — each of llm/tts/stt the YAML gives replaces the
// caller's stored section, sections it leaves out (or gives as null) are
// kept, other top-level keys are ignored. Only the caller's own preferences
// change. Answers 200 with the preferences after the import. Refused with
// nothing written: not multipart or no `file` field → 422; malformed
// multipart → 400; invalid YAML, an unsupported tag, several documents or a
// root that is not a mapping → 400; a section that is not a mapping → 422
// (loc ["body", "file", section]); a document that, aliases expanded, weighs
// more than 10,000 + 4 × (file size) (a node weighs 1 plus the bytes of its
// text), or nests deeper than 64 → 413. Without aliases a file stays well
// within that bound; the stored document grows at most linearly with it.
import PluginAPI
import PluginKit
import ProteusJSON

final class ConfigTransfer: @unchecked Sendable {
    let host: Host
    let ids: LoginIDs

    init(host: Host, ids: LoginIDs) {
        self.host = host
        self.ids = ids
    }

    // MARK: GET /users/me/config/export

    func export(_ request: Request, _ response: Response) throws {
        let caller = try ids.admin(request)
        let bytes: [UInt8]
        do { bytes = try YAML.emit(.object(HubDocument(caller.user).preferences)) } catch {
            host.error("config export: \(error)")
            throw Failure(500, "Internal Server Error")
        }
        response.status(200)
        response.header("Content-Type", "application/x-yaml; charset=utf-8")
        response.header("Content-Disposition", "attachment; filename=\"config.yaml\"")
        response.body(bytes)
    }

    // MARK: POST /users/me/config/import (multipart field "file")

    func importConfig(_ request: Request, _ response: Response) throws {
        var caller = try ids.caller(request)
        let file = try Self.filePart(request)
        let root: JSONValue
        do { root = try YAML.parse(file, budget: 10_000 + 4 * file.count) } catch {
            throw Failure(error.kind == .tooLarge ? 413 : 400, error.message)
        }
        guard case .object(let object) = root else {
            throw Failure(400, "The YAML must be a mapping of the sections llm, tts and stt")
        }
        var sections: [(String, JSONObject)] = []
        var issues: [Failure.Issue] = []
        for section in CortexHubOptions.sections {
            guard let value = object[section], !value.isNull else { continue }
            guard let o = value.objectValue else { issues.append(.notObject(["body", "file", .string(section)])); continue }
            sections.append((section, o))
        }
        if !issues.isEmpty { throw Failure.validation(issues) }
        for attempt in 0..<4 {
            var doc = HubDocument(caller.user)
            for (section, value) in sections { doc.setSection(section, value) }
            var changes = UserRecord(id: caller.user.id)
            changes.documents = [doc.record]
            do {
                try host.directory.updateUser(changes, fields: PROTEUS_FIELD_DOCS, expectedVersion: caller.user.version)
                return response.json(200, .object(doc.preferences))
            } catch let e as PluginError where e.code == PROTEUS_E_STALE && attempt < 3 {
                guard let again = try host.directory.user(id: caller.user.id, documents: LoginIDs.namespace) else { throw Failure.notAuthenticated }
                caller.user = again
            }
        }
        throw Failure(409, "The account was changed concurrently, please retry")
    }

    /// The bytes of the multipart field `file` (exactly one).
    static func filePart(_ request: Request) throws(Failure) -> [UInt8] {
        let contentType = request.header("content-type")
        guard MultipartForm.isMultipart(contentType: contentType), let contentType else {
            throw Failure.validation(.missing(["body", "file"]))
        }
        let parts: [MultipartPart]
        do {
            let boundary = try MultipartForm.boundary(contentType: contentType)
            parts = try MultipartForm.parse(Array(request.body), boundary: boundary)
        } catch {
            throw Failure(400, "There was an error parsing the body: \(error.reason)")
        }
        let files = parts.filter { $0.name == "file" }
        guard !files.isEmpty else { throw Failure.validation(.missing(["body", "file"])) }
        guard files.count == 1 else { throw Failure(400, "More than one field 'file'") }
        return files[0].body
    }
}
