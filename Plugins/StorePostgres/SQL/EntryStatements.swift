// Plugin entries (ABI 2.3): one statement each; ON CONFLICT waits for a
// concurrent insert of the same key, so of concurrent puts of one new key
// one inserts. Keys are "C" text: byte order.
import StoreCore

extension PostgresSQL {
    static let entryColumns = "ns, key, json, created_at, updated_at"
    var insertEntry: String {
        "INSERT INTO plugin_entries (\(Self.entryColumns)) VALUES ($1, $2, $3, $4, $4) ON CONFLICT (ns, key) DO NOTHING"
    }
    var replaceEntry: String {
        """
        INSERT INTO plugin_entries (\(Self.entryColumns)) VALUES ($1, $2, $3, $4, $4) \
        ON CONFLICT (ns, key) DO UPDATE SET json = EXCLUDED.json, updated_at = EXCLUDED.updated_at
        """
    }
    var getEntry: String { "SELECT \(Self.entryColumns) FROM plugin_entries WHERE ns = $1 AND key = $2" }
    var listEntries: String { "SELECT \(Self.entryColumns) FROM plugin_entries WHERE ns = $1 ORDER BY key LIMIT $2" }
    var listAllEntries: String { "SELECT \(Self.entryColumns) FROM plugin_entries ORDER BY ns, key LIMIT $1" }
    var deleteEntry: String { "DELETE FROM plugin_entries WHERE ns = $1 AND key = $2" }
}
