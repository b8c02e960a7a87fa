// The SQL text of every store operation in SQLite's dialect (StoreCore's
// StoreSQL), split by area over the files of this folder. Placeholders are
// numbered (?1, ?2...) in the order StoreCore binds values.
import StoreCore

struct SQLiteSQL: StoreSQL {
    func placeholder(_ n: Int) -> String { Self.placeholder(n) }
    static func placeholder(_ n: Int) -> String { "?\(n)" }
}
