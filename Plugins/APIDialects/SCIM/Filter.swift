// SCIM filters (RFC 7644 §3.4.2.2): the syntax tree and its parser.
// Precedence: "not" binds tighter than "and", which binds tighter than "or";
// parentheses group. A value path `emails[type eq "work"]` filters the
// elements of a multi-valued attribute; `emails[type eq "work"].value eq "x"`
// (which Entra ID sends) reads as `emails[type eq "work" and value eq "x"]`.
import ProteusJSON

indirect enum Filter: Equatable {
    case compare(AttributePath, Comparison, JSONValue)
    case present(AttributePath)
    case and(Filter, Filter)
    case or(Filter, Filter)
    case not(Filter)
    /// attribute[inner]: some element of `attribute` matches `inner`, whose
    /// paths name the element's sub-attributes.
    case valuePath(AttributePath, Filter)

    enum Comparison: String, CaseIterable {
        case eq, ne, co, sw, ew, gt, ge, lt, le
    }

    /// The conjuncts of a chain of "and".
    var conjuncts: [Filter] {
        if case .and(let l, let r) = self { return l.conjuncts + r.conjuncts }
        return [self]
    }

    /// The disjuncts of a chain of "or".
    var disjuncts: [Filter] {
        if case .or(let l, let r) = self { return l.disjuncts + r.disjuncts }
        return [self]
    }
}

/// Why a filter could not be read; the dialect answers 400 invalidFilter.
struct FilterSyntaxError: Error {
    let message: String
}

enum FilterParser {
    static let maxLength = 4096
    static let maxDepth = 32

    static func parse(_ text: String) throws(FilterSyntaxError) -> Filter {
        guard text.utf8.count <= maxLength else { throw FilterSyntaxError(message: "the filter is longer than \(maxLength) bytes") }
        var parser = Parser(tokens: try Tokenizer.tokens(text))
        let filter = try parser.orExpression(depth: 0, inValuePath: false)
        guard parser.atEnd else { throw FilterSyntaxError(message: "unexpected \(parser.peekDescription) after the filter") }
        return filter
    }

    /// A PATCH path (RFC 7644 §3.5.2): attrPath, or attrPath "[" valFilter "]" ["." subAttr].
    static func parsePatchPath(_ text: String) throws(FilterSyntaxError) -> PatchPath {
        // The bound of a filter: a value filter's "and"/"or" chain nests one
        // tree level per term, and evaluating or freeing the tree recurses.
        guard text.utf8.count <= maxLength else { throw FilterSyntaxError(message: "the path is longer than \(maxLength) bytes") }
        guard let open = text.firstIndex(of: "[") else {
            guard let path = AttributePath(parsing: text) else { throw FilterSyntaxError(message: "\"\(text)\" is not an attribute path") }
            return PatchPath(attribute: path, filter: nil, subAttribute: nil)
        }
        guard let close = text.lastIndex(of: "]"), close > open,
              let attribute = AttributePath(parsing: String(text[..<open])), attribute.subAttribute == nil else {
            throw FilterSyntaxError(message: "\"\(text)\" is not a value path")
        }
        var parser = Parser(tokens: try Tokenizer.tokens(String(text[text.index(after: open)..<close])))
        let filter = try parser.orExpression(depth: 0, inValuePath: true)
        guard parser.atEnd else { throw FilterSyntaxError(message: "unexpected \(parser.peekDescription) in \"\(text)\"") }
        let tail = text[text.index(after: close)...]
        var sub: String?
        if !tail.isEmpty {
            guard tail.first == ".", AttributePath.isName(tail.dropFirst()) else {
                throw FilterSyntaxError(message: "unexpected \"\(tail)\" after the value filter")
            }
            sub = String(tail.dropFirst())
        }
        return PatchPath(attribute: attribute, filter: filter, subAttribute: sub)
    }

    // MARK: tokens

    enum Token: Equatable {
        case word(String)          // attribute paths, operators, true/false/null
        case string(String)
        case number(JSONNumber)
        case open, close, openBracket, closeBracket
    }

    enum Tokenizer {
        static func tokens(_ text: String) throws(FilterSyntaxError) -> [Token] {
            let bytes = Array(text.utf8)
            var tokens: [Token] = []
            var i = 0
            while i < bytes.count {
                let c = bytes[i]
                switch c {
                case 32, 9, 10, 13: i += 1
                case UInt8(ascii: "("): tokens.append(.open); i += 1
                case UInt8(ascii: ")"): tokens.append(.close); i += 1
                case UInt8(ascii: "["): tokens.append(.openBracket); i += 1
                case UInt8(ascii: "]"): tokens.append(.closeBracket); i += 1
                case UInt8(ascii: "\""):
                    // A JSON string: find its end (skipping escapes), let the JSON parser decode it.
                    var j = i + 1
                    while j < bytes.count && bytes[j] != UInt8(ascii: "\"") { j += bytes[j] == UInt8(ascii: "\\") ? 2 : 1 }
                    guard j < bytes.count else { throw FilterSyntaxError(message: "a string is not closed") }
                    guard case .string(let s)? = try? JSONValue(parsing: bytes[i...j]) else {
                        throw FilterSyntaxError(message: "a string has an invalid escape")
                    }
                    tokens.append(.string(s))
                    i = j + 1
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    var j = i + 1
                    while j < bytes.count, "0123456789.eE+-".utf8.contains(bytes[j]) { j += 1 }
                    guard let n = JSONNumber(String(decoding: bytes[i..<j], as: UTF8.self)) else {
                        throw FilterSyntaxError(message: "\"\(String(decoding: bytes[i..<j], as: UTF8.self))\" is not a number")
                    }
                    tokens.append(.number(n))
                    i = j
                default:
                    var j = i
                    while j < bytes.count, !" \t\r\n()[]\"".utf8.contains(bytes[j]) { j += 1 }
                    guard j > i else { throw FilterSyntaxError(message: "unexpected character") }
                    tokens.append(.word(String(decoding: bytes[i..<j], as: UTF8.self)))
                    i = j
                }
            }
            return tokens
        }
    }

    // MARK: grammar

    struct Parser {
        let tokens: [Token]
        var position = 0

        var atEnd: Bool { position >= tokens.count }

        var peekDescription: String {
            guard position < tokens.count else { return "end of filter" }
            switch tokens[position] {
            case .word(let w): return "\"\(w)\""
            case .string(let s): return "string \"\(s)\""
            case .number(let n): return "number \(n)"
            case .open: return "\"(\""
            case .close: return "\")\""
            case .openBracket: return "\"[\""
            case .closeBracket: return "\"]\""
            }
        }

        private func peekWord(_ keyword: String) -> Bool {
            guard position < tokens.count, case .word(let w) = tokens[position] else { return false }
            return w.equalsIgnoringCase(keyword)
        }

        mutating func orExpression(depth: Int, inValuePath: Bool) throws(FilterSyntaxError) -> Filter {
            guard depth < FilterParser.maxDepth else { throw FilterSyntaxError(message: "the filter nests too deeply") }
            var left = try andExpression(depth: depth, inValuePath: inValuePath)
            while peekWord("or") {
                position += 1
                left = .or(left, try andExpression(depth: depth, inValuePath: inValuePath))
            }
            return left
        }

        mutating func andExpression(depth: Int, inValuePath: Bool) throws(FilterSyntaxError) -> Filter {
            var left = try unary(depth: depth, inValuePath: inValuePath)
            while peekWord("and") {
                position += 1
                left = .and(left, try unary(depth: depth, inValuePath: inValuePath))
            }
            return left
        }

        mutating func unary(depth: Int, inValuePath: Bool) throws(FilterSyntaxError) -> Filter {
            if peekWord("not") {
                position += 1
                guard position < tokens.count, tokens[position] == .open else {
                    throw FilterSyntaxError(message: "\"not\" must be followed by \"(\"")
                }
                return .not(try group(depth: depth, inValuePath: inValuePath))
            }
            if position < tokens.count, tokens[position] == .open {
                return try group(depth: depth, inValuePath: inValuePath)
            }
            return try attributeExpression(depth: depth, inValuePath: inValuePath)
        }

        mutating func group(depth: Int, inValuePath: Bool) throws(FilterSyntaxError) -> Filter {
            position += 1   // "("
            let inner = try orExpression(depth: depth + 1, inValuePath: inValuePath)
            guard position < tokens.count, tokens[position] == .close else {
                throw FilterSyntaxError(message: "expected \")\" but found \(peekDescription)")
            }
            position += 1
            return inner
        }

        mutating func attributeExpression(depth: Int, inValuePath: Bool) throws(FilterSyntaxError) -> Filter {
            guard position < tokens.count, case .word(let word) = tokens[position] else {
                throw FilterSyntaxError(message: "expected an attribute but found \(peekDescription)")
            }
            guard let path = AttributePath(parsing: word) else { throw FilterSyntaxError(message: "\"\(word)\" is not an attribute path") }
            position += 1
            if position < tokens.count, tokens[position] == .openBracket {
                guard !inValuePath else { throw FilterSyntaxError(message: "value filters cannot nest") }
                guard path.subAttribute == nil else { throw FilterSyntaxError(message: "\"\(word)[\" names a sub-attribute before the value filter") }
                position += 1
                let inner = try orExpression(depth: depth + 1, inValuePath: true)
                guard position < tokens.count, tokens[position] == .closeBracket else {
                    throw FilterSyntaxError(message: "expected \"]\" but found \(peekDescription)")
                }
                position += 1
                // emails[type eq "work"].value eq "x": the tokenizer reads ".value" as a word.
                if position < tokens.count, case .word(let w) = tokens[position], w.hasPrefix(".") {
                    guard AttributePath.isName(w.dropFirst()) else { throw FilterSyntaxError(message: "\"\(w)\" is not a sub-attribute") }
                    position += 1
                    let element = try comparisonTail(AttributePath(name: String(w.dropFirst())))
                    return .valuePath(path, .and(inner, element))
                }
                return .valuePath(path, inner)
            }
            return try comparisonTail(path)
        }

        mutating func comparisonTail(_ path: AttributePath) throws(FilterSyntaxError) -> Filter {
            guard position < tokens.count, case .word(let op) = tokens[position] else {
                throw FilterSyntaxError(message: "expected an operator after \"\(path)\" but found \(peekDescription)")
            }
            position += 1
            if op.equalsIgnoringCase("pr") { return .present(path) }
            guard let comparison = Filter.Comparison(rawValue: op.lowercased()) else {
                throw FilterSyntaxError(message: "\"\(op)\" is not a filter operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr)")
            }
            guard position < tokens.count else { throw FilterSyntaxError(message: "\"\(path) \(op)\" needs a value") }
            let value: JSONValue
            switch tokens[position] {
            case .string(let s): value = .string(s)
            case .number(let n): value = .number(n)
            case .word(let w) where w == "true": value = .bool(true)
            case .word(let w) where w == "false": value = .bool(false)
            case .word(let w) where w == "null": value = .null
            default: throw FilterSyntaxError(message: "expected a value (string, number, true, false, null) but found \(peekDescription)")
            }
            position += 1
            return .compare(path, comparison, value)
        }
    }
}

/// A PATCH operation's target.
struct PatchPath: Equatable {
    var attribute: AttributePath
    var filter: Filter?
    var subAttribute: String?
}
