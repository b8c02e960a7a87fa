// One connection inside one unit of work (StoreBackend.perform), as StoreCore
// uses it: statements by their SQL text, prepared once per connection and
// cached by the backend, single or as a batch over many items.

/// A connection lent to StoreCore for one unit of work.
public protocol StoreConnection: AnyObject {
    /// Runs `body` with the prepared statement for `sql`, then resets it
    /// (bindings cleared). `context` says what the statement is doing, for
    /// the backend's error messages ("reading a user").
    func with<R>(_ sql: String, _ context: String, _ body: (any StoreStatement) throws -> R) throws -> R

    /// Runs `sql` once per item, as a loop binding item i's values through
    /// `bind` would. A backend may send them all in one statement instead
    /// (PostgreSQL: every placeholder takes an array, one element per item,
    /// so its SQL unnests them). Failures name the item when the backend ran
    /// them one by one (ConstraintViolation.item). `count` > 0.
    func batch(_ sql: String, count: Int, _ context: String, _ bind: (any StoreValues, Int) -> Void) throws
}

extension StoreConnection {
    /// Runs a statement that returns no rows needed; the number of rows it changed.
    @discardableResult
    public func run(_ sql: String, _ context: String, _ bind: (any StoreStatement) -> Void = { _ in }) throws -> Int64 {
        try with(sql, context) { s in
            bind(s)
            return try s.run()
        }
    }

    /// True when the statement returns a row.
    public func exists(_ sql: String, _ context: String, _ bind: (any StoreStatement) -> Void) throws -> Bool {
        try with(sql, context) { s in
            bind(s)
            return try s.step()
        }
    }

    /// The first row, read by `read`; nil when there is none.
    public func first<R>(_ sql: String, _ context: String, _ bind: (any StoreStatement) -> Void = { _ in },
                         _ read: (any StoreStatement) -> R) throws -> R? {
        try with(sql, context) { s in
            bind(s)
            return try s.step() ? read(s) : nil
        }
    }

    /// Every row, each read by `read`.
    public func all<R>(_ sql: String, _ context: String, _ bind: (any StoreStatement) -> Void = { _ in },
                       _ read: (any StoreStatement) -> R) throws -> [R] {
        try with(sql, context) { s in
            bind(s)
            var rows: [R] = []
            while try s.step() { rows.append(read(s)) }
            return rows
        }
    }
}
