// host->response_* : how a dialect fills the response the transport sends.
// The opaque proteus_response is the serving thread's HTTPResponseWriter.
import HTTPTransport
import PluginAPI

enum ResponseServices {
    /// nil for a NULL response: the call is ignored (these return nothing
    /// to report an error through).
    static func writer(_ p: OpaquePointer?) -> HTTPResponseWriter? {
        p.map { Unmanaged<HTTPResponseWriter>.fromOpaque(UnsafeRawPointer($0)).takeUnretainedValue() }
    }

    static let status: @convention(c) (OpaquePointer?, UInt16) -> Void = { response, code in
        writer(response)?.status = (100...999).contains(Int(code)) ? Int(code) : 500
    }

    static let header: @convention(c) (OpaquePointer?, proteus_str, proteus_str) -> Void = { response, name, value in
        writer(response)?.addHeader(name: UnsafeRawBufferPointer(name.bufferOrEmpty), value: UnsafeRawBufferPointer(value.bufferOrEmpty))
    }

    static let body: @convention(c) (OpaquePointer?, proteus_bytes) -> Void = { response, bytes in
        guard bytes.ptr != nil, bytes.len > 0 else { return }
        writer(response)?.appendBody(UnsafeRawBufferPointer(start: bytes.ptr, count: bytes.len))
    }
}

private extension proteus_str {
    var bufferOrEmpty: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: ptr, count: ptr == nil ? 0 : len) }
}
