// Checks a store makes on input records before anything is written (shared
// by every store plugin, so all of them accept and refuse the same inputs).
// Inputs are borrowed C records; their fields are read in place.
import PluginAPI
import PluginKit

public enum StoreInput {
    /// The record behind `p`, after checking its struct_size: a record
    /// smaller than this ABI's struct is invalid in ABI 2.0 (every field is
    /// required); a larger one comes from a newer host and its extra fields
    /// are ignored.
    public static func record<T>(_ p: UnsafePointer<T>?, _ what: String) throws(PluginError) -> T {
        guard let p else { throw .invalid("the \(what) record is missing (NULL)") }
        let size = UnsafeRawPointer(p).load(as: UInt32.self)
        try checkSize(size, T.self, what)
        return p.pointee
    }

    public static func checkSize<T>(_ size: UInt32, _ type: T.Type, _ what: String) throws(PluginError) {
        guard Int(size) >= MemoryLayout<T>.size else {
            throw .invalid("the \(what) record is too small (struct_size \(size), ABI 2.0 needs at least \(MemoryLayout<T>.size))")
        }
    }

    public static func isValidUTF8(_ s: proteus_str) -> Bool {
        guard s.ptr != nil else { return true }
        return String(validating: s.buffer.bindMemory(to: UInt8.self), as: UTF8.self) != nil
    }

    /// Present, valid UTF-8 text.
    public static func requireText(_ s: proteus_str, _ what: String, allowEmpty: Bool = true) throws(PluginError) {
        guard s.isPresent else { throw .invalid("\(what) is required") }
        guard allowEmpty || s.len > 0 else { throw .invalid("\(what) must not be empty") }
        guard isValidUTF8(s) else { throw .invalid("\(what) is not valid UTF-8") }
    }

    public static func optionalText(_ s: proteus_str, _ what: String) throws(PluginError) {
        guard isValidUTF8(s) else { throw .invalid("\(what) is not valid UTF-8") }
    }

    /// A role slug: 1...128 characters of [A-Za-z0-9._:-].
    public static func slug(_ s: proteus_str, _ what: String = "the role slug") throws(PluginError) {
        guard s.isPresent, s.len > 0 else { throw .invalid("\(what) is required") }
        guard s.len <= 128 else { throw .invalid("\(what) is longer than 128 characters") }
        for b in s.buffer {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: ":"), UInt8(ascii: "-"):
                continue
            default:
                throw .invalid("\(what) \"\(s.string ?? "")\" has characters outside [A-Za-z0-9._:-]")
            }
        }
    }

    /// A document namespace: non-empty UTF-8, not "*" (which means "all").
    public static func namespace(_ s: proteus_str, _ what: String = "a document namespace") throws(PluginError) {
        try requireText(s, what, allowEmpty: false)
        guard !s.equals(PROTEUS_DOCS_ALL) else { throw .invalid("\(what) must not be \"*\" (reserved for \"all documents\")") }
    }

    /// Which documents a read returns.
    public enum DocSelection {
        case none, all, one(proteus_str)
        public init(_ ns: proteus_str) {
            if !ns.isPresent { self = .none } else if ns.equals(PROTEUS_DOCS_ALL) { self = .all } else { self = .one(ns) }
        }
    }

    /// Checks the user-level fields a create/import/update writes.
    public static func userFields(_ u: proteus_user, fields: UInt64) throws(PluginError) {
        if fields & PROTEUS_FIELD_USERNAME != 0 {
            try optionalText(u.username, "the username")
            guard u.username.len <= Int(PROTEUS_USERNAME_MAX) else {
                throw .invalid("the username is longer than \(PROTEUS_USERNAME_MAX) bytes")
            }
        }
        if fields & PROTEUS_FIELD_EMAIL != 0 { try optionalText(u.email, "the email") }
        if fields & PROTEUS_FIELD_ROLES != 0 {
            guard u.role_count == 0 || u.roles != nil else { throw .invalid("role_count is \(u.role_count) but roles is NULL") }
            for i in 0..<Int(u.role_count) { try slug(u.roles[i], "role slug #\(i + 1)") }
        }
        if fields & PROTEUS_FIELD_DOCS != 0 {
            guard u.doc_count == 0 || u.docs != nil else { throw .invalid("doc_count is \(u.doc_count) but docs is NULL") }
            var seen = Set<[UInt8]>()
            for i in 0..<Int(u.doc_count) {
                let ns = u.docs[i].ns
                try namespace(ns, "the namespace of document #\(i + 1)")
                guard seen.insert(Array(ns.buffer)).inserted else {
                    throw .invalid("document namespace \"\(ns.string ?? "")\" appears twice in one record")
                }
            }
        }
    }

    public static let allUserFields: UInt64 = PROTEUS_FIELD_USERNAME | PROTEUS_FIELD_EMAIL | PROTEUS_FIELD_DISPLAY_NAME
        | PROTEUS_FIELD_PASSWORD_HASH | PROTEUS_FIELD_FLAGS | PROTEUS_FIELD_MFA | PROTEUS_FIELD_GROUP
        | PROTEUS_FIELD_ROLES | PROTEUS_FIELD_DOCS | PROTEUS_FIELD_ACCESSED_AT | PROTEUS_FIELD_LOGIN_AT
}

extension proteus_id {
    /// The dashed UUID form, for messages.
    public var text: String { dashedUUID }
}
