// One host runtime with one auth plugin instance, and a dialect-style host
// table whose auth_enroll / auth_verify route to it (through the KDF pool and
// method routing), plus calls straight into the plugin's own table.
// PasswordHarness and TOTPHarness add each method's conveniences.
import Foundation
import PluginAPI
import PluginKit
@testable import Host

class AuthPluginHarness: @unchecked Sendable {
    struct Outcome {
        var status: proteus_status
        /// enroll: the stored verifier; verify: updated_stored.
        var stored: String?
        var needsRehash = false
        var message = ""
    }

    static let pool = KDFPool(threads: 2, maxWaitMs: 10_000)

    let method: String
    let runtime: HostRuntime
    let instance: PluginInstance
    let table: UnsafeMutablePointer<proteus_host_api>

    /// `prepare` runs on the new instance before the host table is made
    /// (e.g. to swap its clock).
    init(method: String, options: String, key: [UInt8] = [UInt8](repeating: 0x42, count: 32),
         prepare: (PluginInstance) -> Void = { _ in }) throws {
        self.method = method
        let plugin = try PluginLoader.load(path: BuildProducts.plugin(method))
        runtime = HostRuntime(dataDirectory: NSTemporaryDirectory(), secretKey: key, rateLimiter: try RateLimiter(), changeCounter: try ChangeCounter())
        instance = try PluginInstance.create(plugin, optionsJSON: options, runtime: runtime, dialect: nil)
        prepare(instance)
        let methods = AuthMethods(pool: Self.pool)
        try methods.add(instance)
        runtime.authMethods = methods
        table = HostServicesTable.make(pluginName: "test", runtime: runtime, dialect: SignInRules())
    }

    deinit { instance.destroy() }

    // MARK: through the host

    /// `secret` nil: an absent string.
    func enroll(_ secret: [UInt8]?) -> Outcome {
        withArena { arena in
            var stored = proteus_str.absent
            var err = proteus_error()
            let status = Self.withOptionalStr(secret) { s in
                method.withCString { table.pointee.auth_enroll(table.pointee.ctx, $0, s, arena, &stored, &err) }
            }
            return Outcome(status: status, stored: status == PROTEUS_OK ? stored.string : nil,
                           message: Self.message(status, err))
        }
    }

    /// `presented` nil: an absent string.
    func verify(_ presented: [UInt8]?, _ stored: String) -> Outcome {
        withArena { arena in
            var result = proteus_verify_result()
            result.struct_size = UInt32(MemoryLayout<proteus_verify_result>.size)
            var err = proteus_error()
            let status = Self.withOptionalStr(presented) { p in
                withStr(Array(stored.utf8)) { s in
                    method.withCString { table.pointee.auth_verify(table.pointee.ctx, $0, p, s, arena, &result, &err) }
                }
            }
            return Outcome(status: status, stored: status == PROTEUS_OK ? result.updated_stored.string : nil,
                           needsRehash: result.needs_rehash, message: Self.message(status, err))
        }
    }

    // MARK: straight into the plugin's table (no pool: any number of threads)

    var api: proteus_auth_api {
        instance.plugin.descriptor.pointee.vtable.assumingMemoryBound(to: proteus_auth_api.self).pointee
    }

    func enrollDirect(_ secret: [UInt8]) -> Outcome {
        withArena { arena in
            var stored = proteus_str.absent
            var err = proteus_error()
            let status = withStr(secret) { api.enroll(instance.instance, $0, arena, &stored, &err) }
            return Outcome(status: status, stored: status == PROTEUS_OK ? stored.string : nil,
                           message: Self.message(status, err))
        }
    }

    /// With a result of `resultSize` bytes declared.
    func verifyDirect(_ presented: [UInt8], _ stored: String,
                      resultSize: Int = MemoryLayout<proteus_verify_result>.size) -> Outcome {
        withArena { arena in
            var result = proteus_verify_result()
            result.struct_size = UInt32(resultSize)
            var err = proteus_error()
            let status = withStr(presented) { p in
                withStr(Array(stored.utf8)) { api.verify(instance.instance, p, $0, arena, &result, &err) }
            }
            return Outcome(status: status, stored: status == PROTEUS_OK ? result.updated_stored.string : nil,
                           needsRehash: result.needs_rehash, message: Self.message(status, err))
        }
    }

    private func withArena<R>(_ body: (OpaquePointer?) -> R) -> R {
        let arena = table.pointee.arena_create(table.pointee.ctx)
        defer { table.pointee.arena_destroy(arena) }
        return body(arena)
    }

    private static func withOptionalStr<R>(_ bytes: [UInt8]?, _ body: (proteus_str) -> R) -> R {
        bytes.map { withStr($0, body) } ?? body(.absent)
    }

    private static func message(_ status: proteus_status, _ err: proteus_error) -> String {
        status == PROTEUS_OK ? "" : PluginError(status: status, from: err).message
    }
}

/// A present proteus_str over raw bytes (a non-NULL pointer even when empty).
func withStr<R>(_ bytes: [UInt8], _ body: (proteus_str) -> R) -> R {
    var copy = bytes
    copy.append(0)
    return copy.withUnsafeBufferPointer {
        body(proteus_str(ptr: UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), len: bytes.count))
    }
}
