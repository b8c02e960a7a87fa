// A Swift face for the host-services table a plugin receives.
import PluginAPI

/// The host as a plugin sees it. Cheap to copy; valid for the instance's life.
public struct Host: @unchecked Sendable {
    public let api: UnsafePointer<proteus_host_api>

    public init(_ api: UnsafePointer<proteus_host_api>) { self.api = api }

    var ctx: UnsafeMutableRawPointer? { api.pointee.ctx }

    public var dataDirectory: String { api.pointee.data_directory.map { String(cString: $0) } ?? "." }

    public func log(_ level: Int32, _ message: String) {
        withProteusStr(message) { api.pointee.log(ctx, level, $0) }
    }
    public func info(_ message: String) { log(PROTEUS_LOG_INFO, message) }
    public func warn(_ message: String) { log(PROTEUS_LOG_WARN, message) }
    public func error(_ message: String) { log(PROTEUS_LOG_ERROR, message) }

    public func nowMillis() -> Int64 { api.pointee.now_ms(ctx) }

    public func randomBytes(_ count: Int) throws(PluginError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var err = proteus_error()
        let status = out.withUnsafeMutableBufferPointer { api.pointee.random(ctx, $0.baseAddress, count, &err) }
        guard status == PROTEUS_OK else { throw PluginError(status: status, from: err) }
        return out
    }

    public func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        withProteusBytes(bytes) { b in out.withUnsafeMutableBufferPointer { api.pointee.sha256(ctx, b, $0.baseAddress) } }
        return out
    }

    public func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        withProteusBytes(a) { x in withProteusBytes(b) { y in api.pointee.ct_equal(ctx, x, y) } }
    }

    /// A new arena for calls made outside a request, destroyed after
    /// `body`. INTERNAL when the host cannot create one (out of memory).
    public func withArena<R>(_ body: (OpaquePointer) throws(PluginError) -> R) throws(PluginError) -> R {
        guard let arena = api.pointee.arena_create(ctx) else { throw .internal("out of memory creating an arena") }
        defer { api.pointee.arena_destroy(arena) }
        return try body(arena)
    }

    /// AES-256-GCM with the server key (see proteus_host_api.seal).
    public func seal(_ plaintext: [UInt8], aad: [UInt8]) throws(PluginError) -> [UInt8] {
        try sealOrOpen(plaintext, aad: aad, api.pointee.seal)
    }

    /// Inverse of seal; throws DENIED for any token that does not authenticate.
    public func open(_ sealed: [UInt8], aad: [UInt8]) throws(PluginError) -> [UInt8] {
        try sealOrOpen(sealed, aad: aad, api.pointee.open)
    }

    private func sealOrOpen(_ input: [UInt8], aad: [UInt8], _ f: @convention(c) (UnsafeMutableRawPointer?, proteus_bytes, proteus_bytes, OpaquePointer?, UnsafeMutablePointer<proteus_bytes>?, UnsafeMutablePointer<proteus_error>?) -> proteus_status) throws(PluginError) -> [UInt8] {
        let result: Result<[UInt8], PluginError> = try withArena { arena in
            var out = proteus_bytes()
            var err = proteus_error()
            let status = withProteusBytes(input) { i in withProteusBytes(aad) { a in f(ctx, i, a, arena, &out, &err) } }
            guard status == PROTEUS_OK else { return .failure(PluginError(status: status, from: err)) }
            return .success(out.array ?? [])
        }
        return try result.get()
    }

    public struct RateLimitOutcome: Sendable {
        public var allowed: Bool
        public var limit: UInt32
        public var remaining: UInt32
        public var resetSeconds: UInt32
    }

    /// One hit against a shared fixed-window counter.
    public func rateLimit(key: [UInt8], limit: UInt32, windowSeconds: UInt32) -> RateLimitOutcome {
        var out = proteus_rate_limit()
        var err = proteus_error()
        let status = withProteusBytes(key) { api.pointee.rate_limit(ctx, $0, limit, windowSeconds, &out, &err) }
        // If the host cannot count, fail open rather than lock everyone out.
        guard status == PROTEUS_OK else { return RateLimitOutcome(allowed: true, limit: limit, remaining: limit, resetSeconds: windowSeconds) }
        return RateLimitOutcome(allowed: out.allowed, limit: out.limit, remaining: out.remaining, resetSeconds: out.reset_seconds)
    }

    /// The rate-limit key of a client address (IPv6 collapsed to /56).
    public func clientKey(_ clientIP: proteus_str) -> [UInt8] {
        let key: [UInt8]? = try? withArena { arena in
            var out = proteus_bytes()
            var err = proteus_error()
            guard api.pointee.client_key(ctx, clientIP, arena, &out, &err) == PROTEUS_OK else { return nil }
            return out.array ?? []
        }
        // Without the host's key (no arena, or client_key failed): the raw address.
        return key ?? Array(clientIP.buffer)
    }

    // MARK: credentials (dialects)

    /// Derives a stored verifier (e.g. a PHC string) with the method's first plugin.
    public func enroll(method: String, secret: String) throws(PluginError) -> String {
        guard let enroll = api.pointee.auth_enroll else { throw PluginError.unsupported("the host offers no auth services to this plugin") }
        let result: Result<String, PluginError> = try withArena { arena in
            var stored = proteus_str()
            var err = proteus_error()
            let status = method.withCString { m in withProteusStr(secret) { enroll(ctx, m, $0, arena, &stored, &err) } }
            guard status == PROTEUS_OK, let text = stored.string else { return .failure(PluginError(status: status == PROTEUS_OK ? PROTEUS_E_INTERNAL : status, from: err)) }
            return .success(text)
        }
        return try result.get()
    }

    public struct Verification: Sendable {
        public var accepted: Bool
        public var needsRehash: Bool
        public var updatedStored: String?
    }

    /// Checks a presented secret. DENIED is an answer (accepted false), not
    /// an error; UNAVAILABLE, INVALID and others throw.
    public func verify(method: String, presented: String, stored: String) throws(PluginError) -> Verification {
        guard let verify = api.pointee.auth_verify else { throw PluginError.unsupported("the host offers no auth services to this plugin") }
        let result: Result<Verification, PluginError> = try withArena { arena in
            var r = proteus_verify_result()
            r.struct_size = UInt32(MemoryLayout<proteus_verify_result>.size)
            var err = proteus_error()
            let status = method.withCString { m in
                withProteusStr(presented) { p in withProteusStr(stored) { s in verify(ctx, m, p, s, arena, &r, &err) } }
            }
            switch status {
            case PROTEUS_OK: return .success(Verification(accepted: true, needsRehash: r.needs_rehash, updatedStored: r.updated_stored.string))
            case PROTEUS_E_DENIED: return .success(Verification(accepted: false, needsRehash: false, updatedStored: nil))
            default: return .failure(PluginError(status: status, from: err))
            }
        }
        return try result.get()
    }

    /// The directory (store contract through the host), for dialects.
    public var directory: Directory { Directory(host: self) }
}
