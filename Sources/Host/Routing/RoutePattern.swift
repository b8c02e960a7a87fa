// A dialect route compiled for matching: methods plus path segments, each a
// literal or a `{name}` parameter.

struct RoutePattern {
    enum Segment: Equatable {
        case literal([UInt8])
        case parameter(String)
    }

    let index: Int32
    let methods: [String]
    let segments: [Segment]
    let text: String

    /// Parses "GET,HEAD" and "/api/users/{id}".
    init(index: Int32, methods: String, path: String) throws {
        self.index = index
        self.text = path
        let methodList = methods.split(separator: ",").map { $0.trimmingSpaces.uppercased() }.filter { !$0.isEmpty }
        guard !methodList.isEmpty else { throw HostError("route \(path): no methods") }
        self.methods = methodList
        guard path.hasPrefix("/") else { throw HostError("route \(path): must start with '/'") }
        var segments: [Segment] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            if part.hasPrefix("{") && part.hasSuffix("}") && part.count > 2 {
                segments.append(.parameter(String(part.dropFirst().dropLast())))
            } else {
                segments.append(.literal(Array(part.utf8)))
            }
        }
        // "/" is one empty literal segment; "/a/" keeps its trailing empty segment.
        self.segments = segments
    }

    func allows(_ method: String) -> Bool { methods.contains(method) }

    /// Matches a decoded relative path; on success appends parameter values
    /// (byte ranges into `path`) to `params`.
    func match(_ path: UnsafeBufferPointer<UInt8>, params: inout [Range<Int>]) -> Bool {
        params.removeAll(keepingCapacity: true)
        guard path.count > 0, path[0] == UInt8(ascii: "/") else { return false }
        var position = 1
        for (i, segment) in segments.enumerated() {
            var end = position
            while end < path.count && path[end] != UInt8(ascii: "/") { end += 1 }
            switch segment {
            case .literal(let bytes):
                guard end - position == bytes.count else { return false }
                for j in 0..<bytes.count where path[position + j] != bytes[j] { return false }
            case .parameter:
                guard end > position else { return false }
                params.append(position..<end)
            }
            let isLast = i == segments.count - 1
            if isLast { return end == path.count }
            guard end < path.count else { return false }
            position = end + 1
        }
        return false
    }

    /// True when some path could match both patterns (used to refuse two
    /// dialects claiming the same route).
    func overlaps(_ other: RoutePattern, prefix: [UInt8], otherPrefix: [UInt8]) -> Bool {
        let a = Self.absolute(prefix, segments)
        let b = Self.absolute(otherPrefix, other.segments)
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) {
            if case .literal(let l) = x, case .literal(let r) = y, l != r { return false }
        }
        return true
    }

    private static func absolute(_ prefix: [UInt8], _ segments: [Segment]) -> [Segment] {
        let mountSegments = prefix.split(separator: UInt8(ascii: "/")).map { Segment.literal(Array($0)) }
        return mountSegments + segments
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}
