// The configured auth plugins, grouped by method, and the host->auth_*
// services dialects call. Credential math runs on the KDF pool.
import PluginAPI
import PluginKit

final class AuthMethods: @unchecked Sendable {
    struct Method {
        let api: proteus_auth_api
        let instance: PluginInstance
    }

    /// Plugins per method name, in config order.
    private(set) var methods: [String: [Method]] = [:]
    let pool: KDFPool

    init(pool: KDFPool) { self.pool = pool }

    func add(_ instance: PluginInstance) throws {
        let api = instance.plugin.descriptor.pointee.vtable.assumingMemoryBound(to: proteus_auth_api.self).pointee
        guard let methodName = api.method.map({ String(cString: $0) }), !methodName.isEmpty,
              api.enroll != nil, api.verify != nil else {
            throw PluginLoadError(message: "plugin \"\(instance.plugin.name)\" at \(instance.plugin.path): auth function table lacks method, enroll or verify")
        }
        methods[methodName, default: []].append(Method(api: api, instance: instance))
        inConfigOrder.append((methodName, instance))
    }

    /// Every auth plugin with its method, in config order (host->plugin_list).
    private(set) var inConfigOrder: [(method: String, instance: PluginInstance)] = []

    var methodNames: [String] { methods.keys.sorted() }
}

enum AuthRouting {
    static let enroll: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, proteus_str, OpaquePointer?, UnsafeMutablePointer<proteus_str>?, UnsafeMutablePointer<proteus_error>?) -> proteus_status = { ctx, method, secret, arena, stored, err in
        guard let context = PluginContext.from(ctx) else { return PluginContext.missing(in: "auth_enroll", err) }
        guard let method, let auth = context.runtime.authMethods,
              let first = auth.methods[String(cString: method)]?.first else {
            return PluginError.unsupported("no auth method \"\(method.map { String(cString: $0) } ?? "")\" is configured").report(to: err)
        }
        var status = PROTEUS_E_UNAVAILABLE
        var callError = proteus_error()
        let outcome = auth.pool.run(method: String(cString: method)) {
            status = first.api.enroll(first.instance.instance, secret, arena, stored, &callError)
        }
        if case .refused(let seconds) = outcome { return refuse(seconds, err) }
        if status != PROTEUS_OK, let err { err.pointee = callError }
        return status
    }

    static let verify: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, proteus_str, proteus_str, OpaquePointer?, UnsafeMutablePointer<proteus_verify_result>?, UnsafeMutablePointer<proteus_error>?) -> proteus_status = { ctx, method, presented, stored, arena, result, err in
        guard let context = PluginContext.from(ctx) else { return PluginContext.missing(in: "auth_verify", err) }
        guard let method else { return PluginError.unsupported("no auth method \"\" is configured").report(to: err) }
        return verify(context, method: String(cString: method), presented: presented, stored: stored, arena: arena, result: result, err: err)
    }

    /// host->auth_verify: the plugins of `method` in order, on the KDF pool.
    static func verify(_ context: PluginContext, method: String, presented: proteus_str, stored: proteus_str, arena: OpaquePointer?,
                       result: UnsafeMutablePointer<proteus_verify_result>?, err: UnsafeMutablePointer<proteus_error>?) -> proteus_status {
        guard let auth = context.runtime.authMethods, let plugins = auth.methods[method], !plugins.isEmpty else {
            return PluginError.unsupported("no auth method \"\(method)\" is configured").report(to: err)
        }
        var status = PROTEUS_E_INVALID
        var callError = proteus_error()
        let outcome = auth.pool.run(method: method) {
            for plugin in plugins {
                var r = proteus_verify_result()
                r.struct_size = UInt32(MemoryLayout<proteus_verify_result>.size)
                callError = proteus_error()
                status = plugin.api.verify(plugin.instance.instance, presented, stored, arena, &r, &callError)
                if status != PROTEUS_E_IGNORE {
                    if let result { result.pointee = r }
                    return
                }
            }
            status = PluginError.invalid("no \(method) plugin understands the stored verifier").report(to: &callError)
        }
        if case .refused(let seconds) = outcome { return refuse(seconds, err) }
        if status != PROTEUS_OK, let err { err.pointee = callError }
        return status
    }

    /// The pool is too busy for this job: UNAVAILABLE, and the request's
    /// 503 gets `Retry-After` (unless the dialect sets its own).
    private static func refuse(_ retryAfterSeconds: Int, _ err: UnsafeMutablePointer<proteus_error>?) -> proteus_status {
        ThreadScratch.noteRetryAfter(seconds: retryAfterSeconds)
        return PluginError.unavailable("too many credential checks waiting; retry in \(retryAfterSeconds) s").report(to: err)
    }
}
