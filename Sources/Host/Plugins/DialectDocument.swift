// A dialect's OpenAPI document ("openapi.v1"), asked for its mount: what
// `proteus openapi PLUGIN` prints and the admin listener serves.
import PluginAPI
import PluginKit

extension DialectBinding {
    /// The document, or nil when the dialect offers none (a plugin built
    /// without openapi.v1). Throws what the dialect reported, or when its
    /// answer is not UTF-8.
    func openAPIDocument() throws -> String? {
        guard let api = extensionTable(PROTEUS_EXT_OPENAPI_V1, as: proteus_openapi_api.self, requiring: \.document),
              let document = api.document else { return nil }
        let arena = Arena()
        var out = proteus_str()
        var err = proteus_error()
        let status = document(instance.instance, mountText, arena.opaque, &out, &err)
        guard status == PROTEUS_OK else {
            throw HostError("dialect \"\(name)\": its OpenAPI document failed: \(PluginError(status: status, from: err).message)")
        }
        guard let text = out.string else {
            throw HostError("dialect \"\(name)\": its OpenAPI document is absent or not UTF-8")
        }
        return withExtendedLifetime(arena) { text }
    }
}
