// host->http_request as a Swift call: outbound HTTP(S) through
// the host, within the operator's bounds (see proteus_plugin.h).
import PluginAPI

/// The final answer of an outbound request; any HTTP status is a result.
public struct HTTPResult: Sendable {
    public var status: Int
    /// As received, in order (names with their case).
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    /// The first header of that name (ASCII case-insensitive).
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }
}

extension Host {
    /// Whether this host's table has http_request (a 1.3 host or newer).
    public var offersHTTPRequest: Bool { service(\.http_request) != nil }

    /// Sends one request and waits for the answer. Blocks up to the
    /// timeout (0 = the host's default, capped by its maximum). Throws
    /// INVALID, DENIED (private destination), UNAVAILABLE (connect, TLS,
    /// timeout, redirects), TOO_LARGE, and UNSUPPORTED when the host
    /// table is too short for it.
    public func httpRequest(method: String, url: String, headers: [(name: String, value: String)] = [],
                            body: [UInt8]? = nil, timeoutMs: UInt32 = 0,
                            trustExtraCA: Bool = false) throws(PluginError) -> HTTPResult {
        guard let send = service(\.http_request) else {
            throw .unsupported("the host's table is too short: it cannot send HTTP requests")
        }
        let flags = trustExtraCA ? UInt32(PROTEUS_HTTP_TRUST_EXTRA_CA) : 0
        let result: Result<HTTPResult, PluginError> = try withArena { arena in
            // The request's headers are copied into the call's arena: one
            // allocation lifetime for the whole call.
            let writer = ArenaWriter(host: api, arena: arena)
            let list: UnsafeMutablePointer<proteus_header>
            do {
                list = try writer.allocate(proteus_header.self, count: max(headers.count, 1))
                for (i, h) in headers.enumerated() { list[i] = proteus_header(name: try writer.str(h.name), value: try writer.str(h.value)) }
            } catch {
                return .failure(.internal("out of memory"))
            }
            return withProteusStr(method) { m in
                withProteusStr(url) { u in
                    withProteusBytes(body) { b in
                        var request = proteus_http_request()
                        request.struct_size = UInt32(MemoryLayout<proteus_http_request>.size)
                        request.flags = flags
                        request.method = m
                        request.url = u
                        request.headers = UnsafePointer(list)
                        request.header_count = UInt32(headers.count)
                        request.body = b
                        request.timeout_ms = timeoutMs
                        var response = proteus_http_response()
                        response.struct_size = UInt32(MemoryLayout<proteus_http_response>.size)
                        var err = proteus_error()
                        let status = send(ctx, &request, arena, &response, &err)
                        guard status == PROTEUS_OK else { return .failure(PluginError(status: status, from: err)) }
                        return .success(Self.copy(response))
                    }
                }
            }
        }
        return try result.get()
    }

    private static func copy(_ response: proteus_http_response) -> HTTPResult {
        var headers: [(name: String, value: String)] = []
        if let list = response.headers {
            for i in 0..<Int(response.header_count) {
                headers.append((list[i].name.string ?? "", list[i].value.string ?? ""))
            }
        }
        return HTTPResult(status: Int(response.status), headers: headers, body: response.body.array ?? [])
    }
}
