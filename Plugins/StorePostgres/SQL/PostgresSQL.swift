// The SQL text of every store operation in PostgreSQL's dialect (StoreCore's
// StoreSQL), split by area over the files of this folder. Placeholders are
// $1, $2... in the order StoreCore binds values; a batch binds one array per
// placeholder (PGBatchValues), which the SQL unnests. Text compared or
// ordered byte-exactly has COLLATE "C" in the schema.
import StoreCore

struct PostgresSQL: StoreSQL {
    func placeholder(_ n: Int) -> String { Self.placeholder(n) }
    static func placeholder(_ n: Int) -> String { "$\(n)" }
}
