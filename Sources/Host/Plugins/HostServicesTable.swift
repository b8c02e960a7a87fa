// The proteus_host_api table each plugin instance receives. Every function
// here is a @convention(c) closure that recovers its PluginContext from the
// `ctx` pointer; kept out of main.swift so nothing is main-actor isolated
// (see reference/plugin-abi-notes.md).
import Glibc
import PluginAPI
import PluginKit

enum HostServicesTable {
    /// A fresh table for one plugin instance; lives for the process.
    /// `dialect`: the mount's sign-in rules, for a dialect (nil for others).
    static func make(pluginName: String, runtime: HostRuntime, dialect: SignInRules?) -> UnsafeMutablePointer<proteus_host_api> {
        let context = Unmanaged.passRetained(PluginContext(pluginName: pluginName, runtime: runtime,
                                                           signInRules: dialect ?? SignInRules())).toOpaque()
        var t = proteus_host_api()
        t.struct_size = UInt32(MemoryLayout<proteus_host_api>.size)
        t.abi_major = UInt16(PROTEUS_ABI_MAJOR)
        t.abi_minor = UInt16(PROTEUS_ABI_MINOR)
        t.ctx = context
        t.data_directory = UnsafePointer(strdup(runtime.dataDirectory))
        t.log = log
        t.now_ms = nowMillis
        t.monotonic_ns = monotonicNanos
        t.random = random
        t.arena_create = ArenaServices.create
        t.arena_alloc = ArenaServices.alloc
        t.arena_destroy = ArenaServices.destroy
        t.sha256 = sha256
        t.ct_equal = ctEqual
        t.seal = seal
        t.open = open
        t.rate_limit = rateLimit
        t.client_key = clientKey
        t.http_request = OutboundHTTPServices.request
        t.mac = mac
        t.change_counter = changeCounter
        if dialect != nil {
            // The store's instance, and its table or the timing shims
            // around it (StoreBinding.dialectTable).
            t.store = runtime.directory?.dialectTable
            t.store_ctx = runtime.directory?.raw
            t.auth_enroll = AuthRouting.enroll
            t.auth_verify = AuthRouting.verify
            t.auth_sign_in = SignInServices.signIn
            t.auth_session_check = SignInServices.sessionCheck
            t.auth_second_step = SignInServices.secondStep
            t.audit = AuditServices.audit
            t.response_status = ResponseServices.status
            t.response_header = ResponseServices.header
            t.response_body = ResponseServices.body
            t.plugin_list = PluginListServices.list
            t.metrics_text = MetricsServices.text
        }
        let table = UnsafeMutablePointer<proteus_host_api>.allocate(capacity: 1)
        table.initialize(to: t)
        return table
    }

    static let changeCounter: @convention(c) (UnsafeMutableRawPointer?, Bool) -> UInt64 = { ctx, bump in
        guard let counter = PluginContext.from(ctx)?.runtime.changeCounter else { return 0 }
        return bump ? counter.bump() : counter.value
    }

    static let log: @convention(c) (UnsafeMutableRawPointer?, Int32, proteus_str) -> Void = { ctx, level, message in
        guard let context = PluginContext.from(ctx) else { return }
        Logger.shared.log(LogLevel(pluginLevel: level), message.string ?? "", plugin: context.pluginName)
    }

    static let nowMillis: @convention(c) (UnsafeMutableRawPointer?) -> Int64 = { _ in Clock.nowMillis() }
    static let monotonicNanos: @convention(c) (UnsafeMutableRawPointer?) -> Int64 = { _ in Int64(Clock.monotonicNanos()) }

    static let random: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UInt8>?, Int, UnsafeMutablePointer<proteus_error>?) -> proteus_status = { _, buffer, count, err in
        guard count > 0 else { return PROTEUS_OK }
        guard let buffer else { return PluginError.invalid("random: NULL buffer").report(to: err) }
        return SecureRandom.fill(buffer, count: count) ? PROTEUS_OK
            : PluginError.internal("the system random number generator failed").report(to: err)
    }

    static let sha256: @convention(c) (UnsafeMutableRawPointer?, proteus_bytes, UnsafeMutablePointer<UInt8>?) -> Void = { _, data, out in
        guard let out else { return }
        Digest.sha256(data.buffer, into: out)
    }

    static let ctEqual: @convention(c) (UnsafeMutableRawPointer?, proteus_bytes, proteus_bytes) -> Bool = { _, a, b in
        ConstantTime.equal(a.buffer, b.buffer)
    }

    static let seal: @convention(c) (UnsafeMutableRawPointer?, proteus_bytes, proteus_bytes, OpaquePointer?, UnsafeMutablePointer<proteus_bytes>?, UnsafeMutablePointer<proteus_error>?) -> proteus_status = { ctx, plaintext, aad, arena, out, err in
        guard let context = PluginContext.from(ctx) else { return PluginContext.missing(in: "seal", err) }
        guard let arena = Arena.from(arena), let out else { return PluginError.invalid("seal: missing arena or output").report(to: err) }
        guard let sealed = context.runtime.aead.seal(plaintext.buffer, aad: aad.buffer) else {
            return PluginError.internal("encryption failed").report(to: err)
        }
        return copyOut(sealed, arena: arena, out: out, err: err)
    }

    static let open: @convention(c) (UnsafeMutableRawPointer?, proteus_bytes, proteus_bytes, OpaquePointer?, UnsafeMutablePointer<proteus_bytes>?, UnsafeMutablePointer<proteus_error>?) -> proteus_status = { ctx, sealed, aad, arena, out, err in
        guard let context = PluginContext.from(ctx) else { return PluginContext.missing(in: "open", err) }
        guard let arena = Arena.from(arena), let out else { return PluginError.invalid("open: missing arena or output").report(to: err) }
        guard let plain = context.runtime.aead.open(sealed.buffer, aad: aad.buffer) else {
            return PluginError.denied("the token does not authenticate").report(to: err)
        }
        return copyOut(plain, arena: arena, out: out, err: err)
    }

    static let mac: @convention(c) (UnsafeMutableRawPointer?, proteus_bytes, proteus_bytes, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<proteus_error>?) -> proteus_status = { ctx, purpose, message, out, err in
        guard let out else { return PluginError.invalid("mac: NULL output").report(to: err) }
        guard (1...KeyedMAC.purposeMax).contains(purpose.len), purpose.ptr != nil else {
            return PluginError.invalid("mac: the purpose must be 1 to \(KeyedMAC.purposeMax) bytes").report(to: err)
        }
        guard let context = PluginContext.from(ctx) else { return PluginContext.missing(in: "mac", err) }
        guard let tag = context.runtime.keyedMAC.mac(plugin: context.pluginName, purpose: purpose.buffer, message: message.buffer) else {
            return PluginError.internal("OpenSSL could not compute an HMAC").report(to: err)
        }
        tag.withUnsafeBufferPointer { out.update(from: $0.baseAddress!, count: 32) }
        return PROTEUS_OK
    }

    static let rateLimit: @convention(c) (UnsafeMutableRawPointer?, proteus_bytes, UInt32, UInt32, UnsafeMutablePointer<proteus_rate_limit>?, UnsafeMutablePointer<proteus_error>?) -> proteus_status = { ctx, key, limit, window, out, err in
        guard let out else { return PluginError.invalid("rate_limit: missing output").report(to: err) }
        guard let context = PluginContext.from(ctx) else { return PluginContext.missing(in: "rate_limit", err) }
        // Namespace keys by plugin so two dialects never share a counter by accident.
        var fullKey = Array(context.pluginName.utf8)
        fullKey.append(0)
        fullKey.append(contentsOf: key.buffer)
        let outcome = fullKey.withUnsafeBytes {
            context.runtime.rateLimiter.hit(key: $0, limit: limit, windowSeconds: window, nowMillis: Clock.nowMillis())
        }
        out.pointee.struct_size = UInt32(MemoryLayout<proteus_rate_limit>.size)
        out.pointee.allowed = outcome.allowed
        out.pointee.limit = outcome.limit
        out.pointee.remaining = outcome.remaining
        out.pointee.reset_seconds = outcome.resetSeconds
        return PROTEUS_OK
    }

    static let clientKey: @convention(c) (UnsafeMutableRawPointer?, proteus_str, OpaquePointer?, UnsafeMutablePointer<proteus_bytes>?, UnsafeMutablePointer<proteus_error>?) -> proteus_status = { _, ip, arena, out, err in
        guard let arena = Arena.from(arena), let out else { return PluginError.invalid("client_key: missing arena or output").report(to: err) }
        return copyOut(RateLimiter.clientKey(ip.string ?? ""), arena: arena, out: out, err: err)
    }

    private static func copyOut(_ bytes: [UInt8], arena: Arena, out: UnsafeMutablePointer<proteus_bytes>, err: UnsafeMutablePointer<proteus_error>?) -> proteus_status {
        guard let p = arena.allocate(bytes.count) else { return PluginError.internal("out of memory").report(to: err) }
        bytes.withUnsafeBytes { if $0.count > 0 { p.copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
        out.pointee = proteus_bytes(ptr: p.assumingMemoryBound(to: UInt8.self), len: bytes.count)
        return PROTEUS_OK
    }
}
