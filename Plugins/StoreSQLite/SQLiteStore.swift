// One store instance: its options, its connections and the host services
// it was given. Operations live in the *Operations.swift files as
// extensions; every one of them is safe to call from many threads at once.
import CSQLite
import PluginAPI
import PluginKit

final class SQLiteStore: StoreOperations, @unchecked Sendable {
    let host: Host
    let options: StoreOptions
    let pool: ConnectionPool

    init(host: UnsafePointer<proteus_host_api>, options pluginOptions: PluginOptions) throws(PluginError) {
        guard sqlite3_threadsafe() != 0 else {
            throw .internal("the linked SQLite library was built without thread support")
        }
        self.host = Host(host)
        let options = try StoreOptions.parse(pluginOptions, dataDirectory: self.host.dataDirectory)
        self.options = options
        let writer = try DatabaseOpener.openWriter(options)
        var readers: [Connection] = []
        do {
            for _ in 0..<options.readConnections { readers.append(try DatabaseOpener.openReader(options)) }
        } catch {
            for r in readers { r.close() }
            writer.close()
            throw error
        }
        self.pool = ConnectionPool(writer: writer, readers: readers)
    }

    /// [shutdown] Finalizes statements and closes every connection.
    func close() { pool.close() }

    /// Wall clock from the host, unix milliseconds.
    @inline(__always) func now() -> Int64 { host.nowMillis() }

    /// Where outputs of one call go.
    func arenaWriter(_ arena: OpaquePointer?) throws(PluginError) -> ArenaWriter {
        guard let arena else { throw .invalid("no arena was given for the output") }
        return ArenaWriter(host: host.api, arena: arena)
    }

    /// The store behind an instance pointer (extensions get the instance).
    static func from(_ pointer: UnsafeMutableRawPointer?) -> SQLiteStore {
        StoreBox.store(pointer) as! SQLiteStore
    }
}

/// The store's own input checks are PluginKit's, shared with every store.
typealias Input = StoreInput
