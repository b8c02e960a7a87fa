// A descriptor with an optional-capabilities function (get_extension).
import PluginAPI

public typealias GetExtensionFunction = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?) -> UnsafeRawPointer?

/// Like `makeDescriptor(kind:name:version:description:create:destroy:vtable:)`,
/// with a `get_extension` that answers capability ids (CLAP-style).
public func makeDescriptor(
    kind: Int32,
    name: StaticString,
    version: StaticString,
    description: StaticString,
    create: CreateFunction,
    destroy: DestroyFunction,
    vtable: UnsafeRawPointer,
    getExtension: GetExtensionFunction
) -> UnsafePointer<proteus_plugin_descriptor> {
    let d = makeDescriptor(kind: kind, name: name, version: version, description: description,
                           create: create, destroy: destroy, vtable: vtable)
    UnsafeMutablePointer(mutating: d).pointee.get_extension = getExtension
    return d
}
