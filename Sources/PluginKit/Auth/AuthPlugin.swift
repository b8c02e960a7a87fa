// Boilerplate for writing an auth method in Swift: implement
// AuthMethodInstance, then export it with AuthExport.descriptor(...) from the
// entry symbol. The C table, argument checks, arena output and error
// reporting are here once for every auth plugin.
import PluginAPI

/// What a successful verification reports (see proteus_verify_result).
public struct AuthVerification: Sendable {
    public var needsRehash: Bool
    /// A changed verifier the caller must persist before accepting the
    /// credential (TOTP's last step); nil when nothing changed.
    public var updatedStored: String?

    public init(needsRehash: Bool = false, updatedStored: String? = nil) {
        self.needsRehash = needsRehash
        self.updatedStored = updatedStored
    }
}

/// One created auth method. Both calls may run concurrently on any thread.
public protocol AuthMethodInstance: AnyObject, Sendable {
    /// The stored verifier (PHC-style string) for `secret`.
    func enroll(secret: proteus_str) throws(PluginError) -> String
    /// OK with what to report; throw DENIED for a mismatch, IGNORE for a
    /// verifier format that is not this plugin's, INVALID for a malformed one.
    func verify(presented: proteus_str, stored: proteus_str) throws(PluginError) -> AuthVerification
}

public typealias AuthFactory = @Sendable (Host, PluginOptions) throws -> AuthMethodInstance

/// One auth plugin per library (each plugin links its own PluginKit copy).
public enum AuthExport {
    nonisolated(unsafe) static var factory: AuthFactory?

    private final class Box: @unchecked Sendable {
        let instance: AuthMethodInstance
        let host: UnsafePointer<proteus_host_api>
        init(_ instance: AuthMethodInstance, host: UnsafePointer<proteus_host_api>) {
            self.instance = instance
            self.host = host
        }
    }

    /// Bytes of proteus_verify_result that hold updated_stored.
    static let resultSizeWithUpdate = MemoryLayout<proteus_verify_result>.offset(of: \.updated_stored)! + MemoryLayout<proteus_str>.size

    static let enroll: @convention(c) (UnsafeMutableRawPointer?, proteus_str, OpaquePointer?, UnsafeMutablePointer<proteus_str>?, UnsafeMutablePointer<proteus_error>?) -> proteus_status = { instance, secret, arena, stored, err in
        reporting(err) {
            guard let box = InstanceBox.get(instance, as: Box.self), let arena, let stored else {
                throw PluginError.invalid("enroll: missing instance, arena or output")
            }
            let text = try box.instance.enroll(secret: secret)
            stored.pointee = try ArenaWriter(host: box.host, arena: arena).str(text)
        }
    }

    static let verify: @convention(c) (UnsafeMutableRawPointer?, proteus_str, proteus_str, OpaquePointer?, UnsafeMutablePointer<proteus_verify_result>?, UnsafeMutablePointer<proteus_error>?) -> proteus_status = { instance, presented, stored, arena, result, err in
        reporting(err) {
            guard let box = InstanceBox.get(instance, as: Box.self) else { throw PluginError.invalid("verify: missing instance") }
            let outcome = try box.instance.verify(presented: presented, stored: stored)
            if let updated = outcome.updatedStored {
                // Without somewhere to put the new verifier the credential
                // could be replayed: refuse rather than accept.
                guard let arena, let result, Int(result.pointee.struct_size) >= resultSizeWithUpdate else {
                    throw PluginError.invalid("verify: the caller gave no arena or result for the updated verifier, which must be persisted")
                }
                result.pointee.updated_stored = try ArenaWriter(host: box.host, arena: arena).str(updated)
            } else if let result {
                result.pointee.updated_stored = .absent
            }
            result?.pointee.needs_rehash = outcome.needsRehash
        }
    }

    /// The descriptor to return from `proteus_plugin_entry_v2`.
    public static func descriptor(name: StaticString, method: StaticString, version: StaticString,
                                  description: StaticString, factory: @escaping AuthFactory) -> UnsafePointer<proteus_plugin_descriptor> {
        self.factory = factory
        let table = makeStaticTable(proteus_auth_api(
            struct_size: UInt32(MemoryLayout<proteus_auth_api>.size),
            method: UnsafeRawPointer(method.utf8Start).assumingMemoryBound(to: CChar.self),
            enroll: enroll,
            verify: verify))
        return makeDescriptor(
            kind: PROTEUS_KIND_AUTH, name: name, version: version, description: description,
            create: { host, options, length, out, err in
                reporting(err) {
                    guard let host, let out, let factory = AuthExport.factory else {
                        throw PluginError.invalid("create called without host or output")
                    }
                    let instance = try factory(Host(host), try PluginOptions(json: options, length: length))
                    out.pointee = InstanceBox.retain(Box(instance, host: host))
                }
            },
            destroy: { instance in InstanceBox.release(instance, as: Box.self) },
            vtable: UnsafeRawPointer(table))
    }
}
