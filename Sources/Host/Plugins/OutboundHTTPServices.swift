// host->http_request: the C face of OutboundHTTP. Reads the
// plugin's request struct defensively (sizes, NULLs, counts), runs the
// request, and writes the response into the caller's arena.
import PluginAPI
import PluginKit

enum OutboundHTTPServices {
    /// More request headers than any real API call needs; bounds the copy.
    static let maxRequestHeaders = 256

    static let request: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<proteus_http_request>?, OpaquePointer?,
                                        UnsafeMutablePointer<proteus_http_response>?, UnsafeMutablePointer<proteus_error>?) -> proteus_status = { ctx, request, arena, response, err in
        guard let context = PluginContext.from(ctx) else { return PluginContext.missing(in: "http_request", err) }
        guard let request, let response, let arena = Arena.from(arena) else {
            return PluginError.invalid("http_request: missing request, arena or response").report(to: err)
        }
        do {
            let outbound = try copyRequest(request.pointee)
            guard Int(response.pointee.struct_size) >= MemoryLayout<proteus_http_response>.size else {
                throw PluginError.invalid("http_request: response struct_size \(response.pointee.struct_size) is smaller than the 1.3 layout")
            }
            let answer = try context.runtime.outbound.send(outbound)
            try write(answer, into: response, arena: arena)
            return PROTEUS_OK
        } catch let error as PluginError {
            return error.report(to: err)
        } catch {
            return PluginError.internal("http_request: \(error)").report(to: err)
        }
    }

    private static func copyRequest(_ r: proteus_http_request) throws(PluginError) -> OutboundRequest {
        guard Int(r.struct_size) >= MemoryLayout<proteus_http_request>.size else {
            throw .invalid("http_request: request struct_size \(r.struct_size) is smaller than the 1.3 layout")
        }
        guard let method = r.method.string, let url = r.url.string else { throw .invalid("http_request: method and url are required") }
        guard r.header_count <= maxRequestHeaders else { throw .invalid("http_request: more than \(maxRequestHeaders) headers") }
        var headers: [OutboundHeader] = []
        if r.header_count > 0 {
            guard let list = r.headers else { throw .invalid("http_request: header_count > 0 with NULL headers") }
            for i in 0..<Int(r.header_count) {
                let h = list[i]
                guard h.name.ptr != nil, h.value.ptr != nil else { throw .invalid("http_request: header \(i) has a NULL name or value") }
                headers.append(OutboundHeader(name: Array(h.name.buffer), value: Array(h.value.buffer)))
            }
        }
        return OutboundRequest(method: method, url: url, headers: headers, body: r.body.array,
                               timeoutMs: Int(r.timeout_ms), trustExtraCA: r.flags & PROTEUS_HTTP_TRUST_EXTRA_CA != 0)
    }

    private static func write(_ answer: OutboundResponse, into response: UnsafeMutablePointer<proteus_http_response>, arena: Arena) throws(PluginError) {
        let headers = try allocate(MemoryLayout<proteus_header>.stride * answer.headers.count, in: arena)
            .bindMemory(to: proteus_header.self, capacity: answer.headers.count)
        for (i, header) in answer.headers.enumerated() {
            headers[i] = proteus_header(name: try text(header.name, in: arena), value: try text(header.value, in: arena))
        }
        let body = try allocate(answer.body.count, in: arena)
        answer.body.withUnsafeBytes { if $0.count > 0 { body.copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
        response.pointee.status = UInt16(answer.status)
        response.pointee.headers = UnsafePointer(headers)
        response.pointee.header_count = UInt32(answer.headers.count)
        response.pointee.body = proteus_bytes(ptr: body.assumingMemoryBound(to: UInt8.self), len: answer.body.count)
    }

    private static func text(_ bytes: [UInt8], in arena: Arena) throws(PluginError) -> proteus_str {
        let p = try allocate(bytes.count + 1, in: arena)
        bytes.withUnsafeBytes { if $0.count > 0 { p.copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
        return proteus_str(ptr: p.assumingMemoryBound(to: CChar.self), len: bytes.count)
    }

    private static func allocate(_ size: Int, in arena: Arena) throws(PluginError) -> UnsafeMutableRawPointer {
        guard let p = arena.allocate(max(size, 1)) else { throw .internal("http_request: out of memory") }
        return p
    }
}
