// The WHERE clause of a user search, built from fixed fragments: a `$?` in
// a fragment stands for the next value, which is bound (never spliced into
// the text) and numbered in the backend's placeholder style.
import PluginAPI

public struct SQLConditions {
    public typealias Binder = (any StoreStatement) -> Void

    /// The placeholder of value n (1-based): "?n" or "$n".
    private let placeholder: (Int) -> String
    public private(set) var conditions: [String] = []
    private var binders: [Binder] = []
    /// How many values the conditions bind.
    public private(set) var valueCount = 0

    public init(placeholder: @escaping (Int) -> String) {
        self.placeholder = placeholder
    }

    public var whereClause: String { conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ") }

    /// Adds `condition`; each `$?` in it is the next value, which `bind` binds (in order).
    /// (A byte scan: String.split on a String separator was 2 % of a
    /// SCIM search's CPU.)
    public mutating func add(_ condition: String, _ bind: @escaping Binder = { _ in }) {
        var text: [UInt8] = []
        text.reserveCapacity(condition.utf8.count + 4)
        var afterDollar = false
        for b in condition.utf8 {
            if afterDollar && b == UInt8(ascii: "?") {
                text.removeLast()
                valueCount += 1
                text += placeholder(valueCount).utf8
                afterDollar = false
                continue
            }
            afterDollar = b == UInt8(ascii: "$")
            text.append(b)
        }
        conditions.append(String(decoding: text, as: UTF8.self))
        binders.append(bind)
    }

    /// Binds every value of the conditions, in order.
    public func bind(_ s: any StoreStatement) {
        for b in binders { b(s) }
    }

    /// The placeholder of the value `n` places after the conditions' last one.
    public func placeholder(after n: Int) -> String { placeholder(valueCount + n) }
}
