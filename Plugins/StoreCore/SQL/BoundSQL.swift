// A statement written in pieces: a `$?` in a piece stands for the next
// value, numbered in the backend's placeholder style and bound in order
// (never spliced into the text), as SQLConditions does for WHERE clauses.
public struct BoundSQL {
    public private(set) var text = ""
    private var binders: [SQLConditions.Binder] = []
    private let placeholder: (Int) -> String
    /// How many values the statement binds so far.
    public private(set) var valueCount = 0

    public init(placeholder: @escaping (Int) -> String) {
        self.placeholder = placeholder
    }

    public mutating func append(_ piece: String, _ bind: @escaping SQLConditions.Binder = { _ in }) {
        text += SQLConditions.numbered(piece, after: &valueCount, placeholder)
        binders.append(bind)
    }

    /// Appends `conditions` (numbered after this statement's values) joined by AND.
    public mutating func append(conditions: [(String, SQLConditions.Binder)]) {
        for (i, (condition, bind)) in conditions.enumerated() {
            append((i == 0 ? "" : " AND ") + condition, bind)
        }
    }

    public func bind(_ s: any StoreStatement) {
        for b in binders { b(s) }
    }
}
