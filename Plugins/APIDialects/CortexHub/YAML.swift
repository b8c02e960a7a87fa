// YAML ⇄ JSONValue through libyaml (CYAML): its event parser builds the
// value, its emitter writes one. Nothing libyaml returns is trusted: every
// return code and pointer is checked, text must be UTF-8.
//
// Reading (one document, JSON's data model):
// - plain scalars: empty, `~`, `null`/`Null`/`NULL` → null; `true`/`false`
//   (also `True`, `TRUE`, ...) → booleans; text that is a JSON number
//   (`12`, `-1.5e3`) → that number, kept exactly; anything else (`yes`,
//   `0x1F`, `.inf`, `1_000`) → a string. Quoted, literal and folded
//   scalars are strings.
// - tags: none, or the core `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`
//   (the scalar must then read as that type), `!!map`, `!!seq`; any other
//   tag is refused.
// - mapping keys are scalars, taken as text; a duplicate key, a collection
//   or an alias as a key is refused.
// - anchors and aliases are expanded, but every node counts against a
//   budget — 1 plus the bytes of its text for a scalar or key, 1 for a
//   collection — and an alias as much as its anchor's whole subtree: past
//   `budget` the document is refused at once ("billion laughs", also with
//   long strings), as is nesting deeper than `maxDepth`.
//
// Writing: block style, UTF-8; strings that would read back as anything
// but a string (or that YAML 1.1 readers take for booleans, numbers or
// merge keys) are double-quoted, so the output reads back as the same value.
import CYAML
import ProteusJSON

enum YAML {
    struct Failure: Error, CustomStringConvertible {
        enum Kind { case syntax, unsupported, tooLarge }
        let kind: Kind
        let message: String
        var description: String { message }
    }

    // MARK: Reading

    /// An open collection. A class, so appending mutates the one copy in
    /// place (an enum payload taken out and put back would copy it: O(n²)).
    private final class Frame {
        let isMapping: Bool
        let anchor: String?
        /// The node count before this collection's own node.
        let start: Int
        var items: [JSONValue] = []
        var object = JSONObject()
        var key: String?

        init(isMapping: Bool, anchor: String?, start: Int) {
            self.isMapping = isMapping
            self.anchor = anchor
            self.start = start
        }

        /// A mapping waiting for a key.
        var wantsKey: Bool { isMapping && key == nil }
    }

    static func parse(_ bytes: [UInt8], budget: Int, maxDepth: Int = 64) throws(Failure) -> JSONValue {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw Failure(kind: .syntax, message: "The YAML parser could not start") }
        defer { yaml_parser_delete(&parser) }
        return try bytes.withUnsafeBufferPointer { (buffer) throws(Failure) -> JSONValue in
            guard let base = buffer.baseAddress, !buffer.isEmpty else { throw Failure(kind: .syntax, message: "The YAML is empty") }
            yaml_parser_set_input_string(&parser, base, buffer.count)
            var builder = Builder(budget: budget, maxDepth: maxDepth)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    let problem = parser.problem.map { String(cString: $0) } ?? "syntax error"
                    throw Failure(kind: .syntax, message: "Invalid YAML: \(problem) (line \(parser.problem_mark.line + 1))")
                }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { break }
                try builder.take(event)
            }
            guard let root = builder.root else { throw Failure(kind: .syntax, message: "The YAML holds no document") }
            return root
        }
    }

    private struct Builder {
        let budget: Int
        let maxDepth: Int
        var stack: [Frame] = []
        var anchors: [String: (value: JSONValue, weight: Int)] = [:]
        var nodes = 0
        var documents = 0
        var root: JSONValue?

        init(budget: Int, maxDepth: Int) {
            self.budget = budget
            self.maxDepth = maxDepth
        }

        mutating func count(_ n: Int) throws(Failure) {
            nodes += n
            guard nodes <= budget else {
                throw Failure(kind: .tooLarge, message: "The YAML expands beyond its bound (\(budget) nodes and bytes)")
            }
        }

        mutating func take(_ event: yaml_event_t) throws(Failure) {
            switch event.type {
            case YAML_STREAM_START_EVENT, YAML_DOCUMENT_END_EVENT:
                return
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                guard documents == 1 else { throw Failure(kind: .unsupported, message: "The YAML holds more than one document") }
            case YAML_SCALAR_EVENT:
                let s = event.data.scalar
                let text = try YAML.text(s.value, Int(s.length))
                let tag = try YAML.optionalText(s.tag)
                if let top = stack.last, top.wantsKey {
                    // A key: its text, whatever it would read as.
                    guard tag == nil || tag == "!" || tag == Tag.str else { throw Failure(kind: .unsupported, message: "Unsupported tag on a mapping key") }
                    guard top.object[text] == nil else { throw Failure(kind: .unsupported, message: "Duplicate mapping key '\(text)'") }
                    try count(1 + text.utf8.count)
                    top.key = text
                    if let a = try YAML.optionalText(s.anchor) { anchors[a] = (.string(text), 1 + text.utf8.count) }
                    return
                }
                let value = try YAML.scalar(text, plain: s.style == YAML_PLAIN_SCALAR_STYLE, tag: tag)
                try count(1 + text.utf8.count)
                if let a = try YAML.optionalText(s.anchor) { anchors[a] = (value, 1 + text.utf8.count) }
                try add(value)
            case YAML_ALIAS_EVENT:
                let name = try YAML.text(event.data.alias.anchor)
                guard let anchored = anchors[name] else { throw Failure(kind: .syntax, message: "Unknown anchor '\(name)'") }
                if stack.last?.wantsKey == true { throw Failure(kind: .unsupported, message: "Aliases as mapping keys are not supported") }
                try count(anchored.weight)
                try add(anchored.value)
            case YAML_SEQUENCE_START_EVENT:
                let s = event.data.sequence_start
                try open(tag: YAML.optionalText(s.tag), allowed: Tag.seq)
                try count(1)
                stack.append(Frame(isMapping: false, anchor: try YAML.optionalText(s.anchor), start: nodes - 1))
            case YAML_MAPPING_START_EVENT:
                let s = event.data.mapping_start
                try open(tag: YAML.optionalText(s.tag), allowed: Tag.map)
                try count(1)
                stack.append(Frame(isMapping: true, anchor: try YAML.optionalText(s.anchor), start: nodes - 1))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let frame = stack.popLast() else { throw Failure(kind: .syntax, message: "Unbalanced YAML collection") }
                guard frame.isMapping == (event.type == YAML_MAPPING_END_EVENT) else { throw Failure(kind: .syntax, message: "Unbalanced YAML collection") }
                guard frame.key == nil else { throw Failure(kind: .syntax, message: "A mapping key without a value") }
                let value: JSONValue = frame.isMapping ? .object(frame.object) : .array(frame.items)
                frame.items = []
                frame.object = JSONObject()
                if let anchor = frame.anchor { anchors[anchor] = (value, nodes - frame.start) }
                try add(value)
            default:
                throw Failure(kind: .syntax, message: "Unexpected YAML event")
            }
        }

        func open(tag: String?, allowed: String) throws(Failure) {
            if stack.last?.wantsKey == true { throw Failure(kind: .unsupported, message: "Collections as mapping keys are not supported") }
            guard stack.count < maxDepth else { throw Failure(kind: .tooLarge, message: "The YAML nests deeper than \(maxDepth) levels") }
            guard tag == nil || tag == "!" || tag == allowed else { throw Failure(kind: .unsupported, message: "Unsupported YAML tag '\(tag ?? "")'") }
        }

        mutating func add(_ value: JSONValue) throws(Failure) {
            guard let top = stack.last else {
                guard root == nil else { throw Failure(kind: .syntax, message: "More than one root node") }
                root = value
                return
            }
            if !top.isMapping {
                top.items.append(value)
            } else if let key = top.key {
                top.object[key] = value
                top.key = nil
            } else {
                throw Failure(kind: .syntax, message: "A mapping value without a key")
            }
        }
    }

    private enum Tag {
        static let prefix = "tag:yaml.org,2002:"
        static let str = prefix + "str", int = prefix + "int", float = prefix + "float"
        static let bool = prefix + "bool", null = prefix + "null", map = prefix + "map", seq = prefix + "seq"
    }

    /// The JSON value of a scalar (see the header for the rules).
    static func scalar(_ text: String, plain: Bool, tag: String?) throws(Failure) -> JSONValue {
        let resolved: JSONValue = plain ? resolve(text) : .string(text)
        switch tag {
        case nil, "!"?: return tag == "!" ? .string(text) : resolved
        case Tag.str?: return .string(text)
        case Tag.int?, Tag.float?:
            guard let n = JSONNumber(text) else { throw Failure(kind: .unsupported, message: "'\(text)' is not a number") }
            return .number(n)
        case Tag.bool?:
            guard case .bool = resolve(text) else { throw Failure(kind: .unsupported, message: "'\(text)' is not a boolean") }
            return resolve(text)
        case Tag.null?:
            guard case .null = resolve(text) else { throw Failure(kind: .unsupported, message: "'\(text)' is not null") }
            return .null
        case let other?:
            throw Failure(kind: .unsupported, message: "Unsupported YAML tag '\(other)'")
        }
    }

    static func resolve(_ text: String) -> JSONValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: return JSONNumber(text).map { .number($0) } ?? .string(text)
        }
    }

    private static func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?, _ length: Int) throws(Failure) -> String {
        guard length >= 0 else { throw Failure(kind: .syntax, message: "Invalid YAML scalar") }
        guard length > 0 else { return "" }
        guard let pointer else { throw Failure(kind: .syntax, message: "Invalid YAML scalar") }
        guard let s = String(validating: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self) else {
            throw Failure(kind: .syntax, message: "The YAML is not valid UTF-8")
        }
        return s
    }

    private static func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?) throws(Failure) -> String {
        guard let pointer else { throw Failure(kind: .syntax, message: "Invalid YAML name") }
        var length = 0
        while pointer[length] != 0 { length += 1 }
        return try text(pointer, length)
    }

    private static func optionalText(_ pointer: UnsafeMutablePointer<yaml_char_t>?) throws(Failure) -> String? {
        guard let pointer else { return nil }
        return try text(pointer)
    }

    // MARK: Writing

    private final class Output {
        var bytes: [UInt8] = []
        let limit: Int
        init(limit: Int) { self.limit = limit }
    }

    /// `value` as one YAML document (at most `limit` bytes).
    static func emit(_ value: JSONValue, limit: Int = 16 << 20) throws(Failure) -> [UInt8] {
        var emitter = yaml_emitter_t()
        guard yaml_emitter_initialize(&emitter) == 1 else { throw Failure(kind: .syntax, message: "The YAML emitter could not start") }
        defer { yaml_emitter_delete(&emitter) }
        let output = Output(limit: limit)
        let context = Unmanaged.passUnretained(output).toOpaque()
        yaml_emitter_set_output(&emitter, { data, buffer, size in
            guard let data, let buffer else { return 0 }
            let out = Unmanaged<Output>.fromOpaque(data).takeUnretainedValue()
            guard out.bytes.count + size <= out.limit else { return 0 }
            out.bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
            return 1
        }, context)
        yaml_emitter_set_unicode(&emitter, 1)
        yaml_emitter_set_indent(&emitter, 2)
        yaml_emitter_set_width(&emitter, -1)
        try withExtendedLifetime(output) { () throws(Failure) in
            var event = yaml_event_t()
            guard yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING) == 1 else { throw emitFailure }
            try send(&emitter, &event)
            guard yaml_document_start_event_initialize(&event, nil, nil, nil, 1) == 1 else { throw emitFailure }
            try send(&emitter, &event)
            try write(value, &emitter)
            guard yaml_document_end_event_initialize(&event, 1) == 1 else { throw emitFailure }
            try send(&emitter, &event)
            guard yaml_stream_end_event_initialize(&event) == 1 else { throw emitFailure }
            try send(&emitter, &event)
            guard yaml_emitter_flush(&emitter) == 1 else { throw emitFailure }
        }
        return output.bytes
    }

    private static let emitFailure = Failure(kind: .syntax, message: "The YAML emitter failed")

    /// yaml_emitter_emit owns the event from here on, also when it fails.
    private static func send(_ emitter: inout yaml_emitter_t, _ event: inout yaml_event_t) throws(Failure) {
        guard yaml_emitter_emit(&emitter, &event) == 1 else { throw emitFailure }
    }

    private static func write(_ value: JSONValue, _ emitter: inout yaml_emitter_t) throws(Failure) {
        var event = yaml_event_t()
        switch value {
        case .null: try scalar("null", plain: true, &emitter)
        case .bool(let b): try scalar(b ? "true" : "false", plain: true, &emitter)
        case .number(let n): try scalar(n.text, plain: true, &emitter)
        case .string(let s): try scalar(s, plain: !needsQuotes(s), &emitter)
        case .array(let items):
            guard yaml_sequence_start_event_initialize(&event, nil, nil, 1, YAML_BLOCK_SEQUENCE_STYLE) == 1 else { throw emitFailure }
            try send(&emitter, &event)
            for item in items { try write(item, &emitter) }
            guard yaml_sequence_end_event_initialize(&event) == 1 else { throw emitFailure }
            try send(&emitter, &event)
        case .object(let o):
            guard yaml_mapping_start_event_initialize(&event, nil, nil, 1, YAML_BLOCK_MAPPING_STYLE) == 1 else { throw emitFailure }
            try send(&emitter, &event)
            for (key, item) in o {
                try scalar(key, plain: !needsQuotes(key), &emitter)
                try write(item, &emitter)
            }
            guard yaml_mapping_end_event_initialize(&event) == 1 else { throw emitFailure }
            try send(&emitter, &event)
        }
    }

    /// A scalar event: plain when asked (the emitter still quotes what plain
    /// style cannot carry), else double-quoted.
    private static func scalar(_ text: String, plain: Bool, _ emitter: inout yaml_emitter_t) throws(Failure) {
        var bytes = Array(text.utf8)
        guard bytes.count < Int(Int32.max) else { throw emitFailure }
        bytes.append(0)
        var event = yaml_event_t()
        let style = plain ? YAML_ANY_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE
        let ok = bytes.withUnsafeMutableBufferPointer {
            yaml_scalar_event_initialize(&event, nil, nil, $0.baseAddress, Int32($0.count - 1), 1, 1, style)
        }
        guard ok == 1 else { throw emitFailure }
        try send(&emitter, &event)
    }

    /// Whether a string written plain would read back (here, or in a YAML
    /// 1.1 reader) as something else than that string.
    static func needsQuotes(_ s: String) -> Bool {
        if case .string = resolve(s) {} else { return true }
        if yaml11Words.contains(s.lowercased()) { return true }
        guard let first = s.unicodeScalars.first else { return true }
        return "0123456789+-.".unicodeScalars.contains(first)
    }

    private static let yaml11Words: Set<String> = ["y", "n", "yes", "no", "on", "off", "<<", "=", ".inf", ".nan"]
}
