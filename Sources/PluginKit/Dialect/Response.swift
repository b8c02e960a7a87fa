// Filling the response through the host's response_* services.
import PluginAPI
import ProteusJSON

public struct Response {
    let host: UnsafePointer<proteus_host_api>
    public let raw: OpaquePointer

    public init(host: UnsafePointer<proteus_host_api>, raw: OpaquePointer) {
        self.host = host
        self.raw = raw
    }

    public func status(_ code: Int) { host.pointee.response_status(raw, UInt16(clamping: code)) }

    public func header(_ name: String, _ value: String) {
        withProteusStr(name) { n in withProteusStr(value) { v in host.pointee.response_header(raw, n, v) } }
    }

    public func body(_ bytes: [UInt8]) {
        withProteusBytes(bytes) { host.pointee.response_body(raw, $0) }
    }

    /// Status, `Content-Type: application/json; charset=utf-8` and the
    /// compact serialisation of `value`.
    public func json(_ status: Int, _ value: JSONValue) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        value.write(into: &bytes)
        self.status(status)
        header("Content-Type", "application/json; charset=utf-8")
        body(bytes)
    }
}
