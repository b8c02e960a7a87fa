// The argument checks every store makes on audit events and queries (ABI
// 2.5), so all stores accept and refuse the same ones: every text within
// its PROTEUS_AUDIT_*_MAX and UTF-8, actions and kinds of a small alphabet
// (a prefix query is then a plain byte range), detail shaped as an object.
import PluginAPI
import PluginKit

public enum AuditInput {
    /// The event's checks; INVALID with the reason.
    public static func check(_ e: proteus_audit_event) throws(PluginError) {
        try bounded(e.actor_name, "the actor name", max: PROTEUS_AUDIT_NAME_MAX, required: true)
        try bounded(e.source, "the source", max: PROTEUS_AUDIT_SOURCE_MAX, required: true)
        try bounded(e.address, "the address", max: PROTEUS_AUDIT_ADDRESS_MAX, required: false)
        try action(e.action, allowPrefix: false)
        if e.target_kind.isPresent {
            try bounded(e.target_kind, "the target kind", max: PROTEUS_AUDIT_KIND_MAX, required: true)
            guard e.target_kind.buffer.allSatisfy({ isWordByte($0) }) else {
                throw .invalid("the target kind \"\(e.target_kind.string ?? "")\" has characters outside [a-z0-9_-]")
            }
        }
        try bounded(e.target_name, "the target name", max: PROTEUS_AUDIT_NAME_MAX, required: false)
        if e.detail_json.isPresent {
            try bounded(e.detail_json, "the detail", max: PROTEUS_AUDIT_DETAIL_MAX, required: true)
            let b = e.detail_json.buffer
            guard b.first == UInt8(ascii: "{"), b.last == UInt8(ascii: "}") else {
                throw .invalid("the detail must be one JSON object")
            }
        }
        guard e.time >= 0 else { throw .invalid("the event's time is negative") }
    }

    /// The query's checks; INVALID with the reason.
    public static func check(_ q: proteus_audit_query) throws(PluginError) {
        guard q.limit > 0 else { throw .invalid("the limit must be at least 1") }
        if q.action.isPresent, q.action.len > 0 { try action(q.action, allowPrefix: true) }
        guard q.since >= 0, q.until >= 0 else { throw .invalid("since and until must not be negative") }
        guard q.before >= 0 else { throw .invalid("the cursor (before) must not be negative") }
    }

    /// 1...PROTEUS_AUDIT_ACTION_MAX bytes of [a-z0-9_.-], not starting with
    /// "."; ending with "." only as a query's prefix.
    public static func action(_ s: proteus_str, allowPrefix: Bool) throws(PluginError) {
        try bounded(s, "the action", max: PROTEUS_AUDIT_ACTION_MAX, required: true)
        let b = s.buffer
        guard b.allSatisfy({ isWordByte($0) || $0 == UInt8(ascii: ".") }) else {
            throw .invalid("the action \"\(s.string ?? "")\" has characters outside [a-z0-9_.-]")
        }
        guard b.first != UInt8(ascii: "."), allowPrefix || b.last != UInt8(ascii: ".") else {
            throw .invalid("the action \"\(s.string ?? "")\" starts or ends with \".\"")
        }
    }

    /// The first text after every action starting with `prefix` (which
    /// ends in "."): the same with its last byte one higher ("." to "/").
    public static func prefixEnd(_ prefix: String) -> String {
        String(prefix.dropLast()) + "/"
    }

    private static func isWordByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"): return true
        default: return false
        }
    }

    /// Within max bytes and UTF-8; when required, present and not empty.
    private static func bounded(_ s: proteus_str, _ what: String, max: Int32, required: Bool) throws(PluginError) {
        if required { try StoreInput.requireText(s, what, allowEmpty: false) } else { try StoreInput.optionalText(s, what) }
        guard s.len <= Int(max) else { throw .invalid("\(what) is \(s.len) bytes, longer than \(max)") }
    }
}
