// Form bodies with nested keys, the way Node's `qs` (used by koa-body and
// express.urlencoded({extended: true})) reads them:
//
//   a=1&a=2              {"a": ["1", "2"]}          repeated keys make an array
//   a[b]=1&a[c][d]=2     {"a": {"b": "1", "c": {"d": "2"}}}
//   a[]=1&a[]=2          {"a": ["1", "2"]}
//   a[1]=y&a[0]=x        {"a": ["x", "y"]}          indices up to 20, compacted
//   a[21]=x              {"a": {"21": "x"}}          larger indices are keys
//
// Values are always strings. Nesting deeper than `maxDepth` keeps the rest of
// the key as one literal segment (as qs does); at most `maxParameters` pairs
// are read. Keys that would clobber an existing value of another shape are
// merged the way qs merges them (an array meeting an object becomes an object
// keyed by index). Package access: the unit tests and fuzz targets call it too.
import PluginKit
import ProteusJSON

package enum FormObject {
    package static let maxDepth = 5
    package static let arrayLimit = 20
    package static let maxParameters = 1000

    /// The body (or a query string) as one nested JSON object.
    package static func decode(_ bytes: UnsafeRawBufferPointer) -> JSONObject {
        // The top level is always an object (numeric names stay keys there).
        var top: [(String, Node)] = []
        for (n, pair) in FormDecoding.decode(bytes).enumerated() {
            if n >= maxParameters { break }
            let path = split(pair.name)
            guard case .key(let name)? = path.first else { continue }
            let rest = path.dropFirst()
            if let p = top.firstIndex(where: { $0.0 == name }) {
                top[p].1.insert(rest, .leaf(pair.value))
            } else {
                top.append((name, rest.isEmpty ? .leaf(pair.value) : Node.build(rest, .leaf(pair.value))))
            }
        }
        var o = JSONObject()
        for (k, v) in top { o[k] = v.json }
        return o
    }

    package static func decode(_ text: String) -> JSONObject {
        var t = text
        return t.withUTF8 { decode(UnsafeRawBufferPointer($0)) }
    }

    enum Segment: Equatable {
        case key(String)
        case append
    }

    /// "a[b][]" → [a, b, append]. A key without a well-formed bracket part
    /// is one segment.
    static func split(_ name: String) -> [Segment] {
        let chars = Array(name)
        if name.isEmpty { return [] }
        guard let open = chars.firstIndex(of: "[") else { return [.key(name)] }
        var segments: [Segment] = []
        let rootKey = String(chars[..<open])
        if rootKey.isEmpty {
            // qs: a leading "[" is part of the key when there is no root.
            return [.key(name)]
        }
        segments.append(.key(rootKey))
        var i = open
        var depth = 0
        while i < chars.count {
            guard chars[i] == "[", let close = chars[(i + 1)...].firstIndex(of: "]") else {
                // Trailing garbage: qs keeps it as one literal segment.
                segments.append(.key(String(chars[i...])))
                return segments
            }
            if depth == maxDepth {
                segments.append(.key(String(chars[i...])))
                return segments
            }
            let inner = String(chars[(i + 1)..<close])
            segments.append(inner.isEmpty ? .append : .key(inner))
            depth += 1
            i = close + 1
        }
        return segments
    }

    indirect enum Node {
        case leaf(String)
        case array([Node])
        case sparse([Int: Node])          // array built from explicit indices
        case object([(String, Node)])

        var json: JSONValue {
            switch self {
            case .leaf(let s): return .string(s)
            case .array(let items): return .array(items.map(\.json))
            case .sparse(let items): return .array(items.keys.sorted().map { items[$0]!.json })
            case .object(let pairs):
                var o = JSONObject()
                for (k, v) in pairs { o[k] = v.json }
                return .object(o)
            }
        }

        /// As an object keyed by index (qs's fallback when shapes mix).
        var asObject: [(String, Node)] {
            switch self {
            case .object(let pairs): return pairs
            case .array(let items): return items.enumerated().map { (String($0.offset), $0.element) }
            case .sparse(let items): return items.keys.sorted().map { (String($0), items[$0]!) }
            case .leaf(let s): return [("0", .leaf(s))]
            }
        }

        mutating func insert(_ path: ArraySlice<Segment>, _ value: Node) {
            guard let first = path.first else {
                // Combine with what is already here (repeated keys).
                switch self {
                case .leaf: self = .array([self, value])
                case .array(var items): items.append(value); self = .array(items)
                case .sparse(let items): self = .array(items.keys.sorted().map { items[$0]! } + [value])
                case .object(var pairs): pairs.append((Node.freeIndexKey(pairs), value)); self = .object(pairs)
                }
                return
            }
            let rest = path.dropFirst()
            switch first {
            case .append:
                let child = rest.isEmpty ? value : Node.build(rest, value)
                switch self {
                case .array(var items): items.append(child); self = .array(items)
                case .sparse(let items): self = .array(items.keys.sorted().map { items[$0]! } + [child])
                case .leaf: self = .array([self, child])
                case .object(let pairs) where pairs.isEmpty: self = .array([child])
                case .object(var pairs): pairs.append((Node.freeIndexKey(pairs), child)); self = .object(pairs)
                }
            case .key(let key):
                if let index = Int(key), index >= 0, index <= FormObject.arrayLimit, String(index) == key {
                    switch self {
                    case .sparse(var items):
                        if var existing = items[index] { existing.insert(rest, value); items[index] = existing }
                        else { items[index] = rest.isEmpty ? value : Node.build(rest, value) }
                        self = .sparse(items)
                        return
                    case .object(let pairs) where pairs.isEmpty:
                        self = .sparse([index: rest.isEmpty ? value : Node.build(rest, value)])
                        return
                    case .array(let items):
                        var sparse: [Int: Node] = [:]
                        for (i, item) in items.enumerated() { sparse[i] = item }
                        self = .sparse(sparse)
                        insert(path, value)
                        return
                    default:
                        break
                    }
                }
                if case .leaf = self {
                    // qs: a plain value meeting a nested key becomes [value, {key: ...}].
                    self = .array([self, Node.build(path, value)])
                    return
                }
                var pairs = self.asObject
                if let p = pairs.firstIndex(where: { $0.0 == key }) {
                    pairs[p].1.insert(rest, value)
                } else {
                    pairs.append((key, rest.isEmpty ? value : Node.build(rest, value)))
                }
                self = .object(pairs)
            }
        }

        /// The key for a value appended to an object: its index (the pair
        /// count), or the next index that is not a key yet — `a[b]=1&a[2]=2&a=3`
        /// must not overwrite "2".
        static func freeIndexKey(_ pairs: [(String, Node)]) -> String {
            var index = pairs.count
            while pairs.contains(where: { $0.0 == String(index) }) { index += 1 }
            return String(index)
        }

        static func build(_ path: ArraySlice<Segment>, _ value: Node) -> Node {
            var node = Node.object([])
            node.insert(path, value)
            return node
        }
    }
}
