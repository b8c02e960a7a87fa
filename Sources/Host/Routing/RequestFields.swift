// The arrays and copied text a proteus_request points to, allocated in the
// request's arena: they stay valid until the arena is reset after the
// response, so filling the request needs no nest of closures to keep
// pointers alive, and a warm arena (its first chunk kept) allocates nothing.
import HTTPTransport
import PluginAPI

extension Arena {
    /// The header fields as proteus_headers (borrowing the request's bytes);
    /// nil when out of memory.
    func headerList(_ fields: UnsafeBufferPointer<HTTPHeaderField>) -> UnsafePointer<proteus_header>? {
        guard let list = array(of: proteus_header.self, count: fields.count) else { return nil }
        for (i, field) in fields.enumerated() {
            list[i] = proteus_header(name: field.name.str, value: field.value.str)
        }
        return UnsafePointer(list)
    }

    /// The route's parameter values: ranges of `path` (where the router
    /// matched them). A range outside it would be a router bug: passed as
    /// empty, not read. nil when out of memory.
    func parameterList(_ ranges: [Range<Int>], in path: UnsafeBufferPointer<UInt8>) -> UnsafePointer<proteus_str>? {
        guard let list = array(of: proteus_str.self, count: ranges.count) else { return nil }
        for (i, range) in ranges.enumerated() {
            if let base = path.baseAddress, range.lowerBound >= 0, range.upperBound <= path.count {
                list[i] = proteus_str(ptr: UnsafeRawPointer(base + range.lowerBound).assumingMemoryBound(to: CChar.self), len: range.count)
            } else {
                list[i] = ByteView.empty.str
            }
        }
        return UnsafePointer(list)
    }

    /// A copy of `text`'s UTF-8; nil when out of memory.
    func str(copying text: String) -> proteus_str? {
        var text = text
        return text.withUTF8 { bytes in
            guard let p = allocate(bytes.count) else { return nil }
            if let base = bytes.baseAddress { p.copyMemory(from: base, byteCount: bytes.count) }
            return proteus_str(ptr: p.assumingMemoryBound(to: CChar.self), len: bytes.count)
        }
    }

    private func array<T>(of type: T.Type, count: Int) -> UnsafeMutablePointer<T>? {
        allocate(MemoryLayout<T>.stride * count)?.bindMemory(to: T.self, capacity: count)
    }
}

extension ByteView {
    fileprivate static let nothing: StaticString = ""
    /// The same bytes as a proteus_str (borrowed; present even when empty).
    var str: proteus_str {
        guard let base else { return proteus_str(ptr: UnsafeRawPointer(ByteView.nothing.utf8Start).assumingMemoryBound(to: CChar.self), len: 0) }
        return proteus_str(ptr: UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), len: count)
    }
}
