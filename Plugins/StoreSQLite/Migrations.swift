// Opening the database file safely: refuse anything that is not ours (or
// is corrupt, or newer than this plugin) before writing a single byte, then
// switch to WAL and bring the schema up to date.
import CSQLite
import Glibc
import PluginKit

enum DatabaseOpener {
    /// The 16-byte header every SQLite 3 database starts with.
    static let sqliteHeader: [UInt8] = Array("SQLite format 3".utf8) + [0]

    /// Opens (creating when absent) and migrates the database; returns the
    /// writer connection with its pragmas set.
    static func openWriter(_ options: StoreOptions) throws(PluginError) -> Connection {
        let path = options.path
        let isNew = try inspectFile(path)
        if isNew { try makeParentDirectory(of: path) }

        let connection: Connection
        do {
            connection = try Connection(path: path, create: isNew)
        } catch {
            throw refusal(path, error, opening: true)
        }
        do {
            connection.setBusyTimeout(options.busyTimeoutMs)
            // Checks first: nothing below writes until the file is known to be ours.
            // One read transaction: another process may be creating the
            // schema right now, and its tables and application id must be
            // seen together or not at all.
            let state = try connection.transaction(immediate: false, "reading the database header") { try readState(connection) }
            try checkOwnership(path, state)
            if state.tableCount > 0 {
                let result = try connection.withStatement("PRAGMA quick_check", "checking the database") { s in
                    try s.step() ? s.text(0) ?? "no result" : "no result"
                }
                guard result == "ok" else {
                    throw PluginError.invalid("the database \"\(path)\" is corrupt (integrity check: \(result)); refusing to open it")
                }
            }
            try configure(connection, options, writer: true)
            if state.userVersion < Schema.latestVersion {
                try migrate(connection, path: path)
            }
            return connection
        } catch let e as PluginError {
            connection.close()
            throw e
        } catch let e as SQLiteFailure {
            connection.close()
            throw refusal(path, e, opening: false)
        } catch {
            connection.close()
            throw PluginError.internal("opening \"\(path)\": \(error)")
        }
    }

    /// A reader connection for the pool (the file exists and is ours by now).
    static func openReader(_ options: StoreOptions) throws(PluginError) -> Connection {
        do {
            let c = try Connection(path: options.path, create: false)
            c.setBusyTimeout(options.busyTimeoutMs)
            do {
                try configure(c, options, writer: false)
            } catch {
                c.close()
                throw error
            }
            return c
        } catch let e as SQLiteFailure {
            throw refusal(options.path, e, opening: true)
        } catch {
            throw PluginError.internal("opening a reader on \"\(options.path)\": \(error)")
        }
    }

    // MARK: steps

    /// true: the file does not exist (or is empty) and will be created.
    /// Throws INVALID when it exists and is not a SQLite database; reads
    /// only, so the file is never touched.
    static func inspectFile(_ path: String) throws(PluginError) -> Bool {
        var st = stat()
        if stat(path, &st) != 0 {
            let e = errno
            if e == ENOENT { return true }
            throw .invalid("cannot access the database \"\(path)\": \(String(cString: strerror(e)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw .invalid("the database path \"\(path)\" exists and is not a regular file; refusing to use it")
        }
        if st.st_size == 0 { return false }   // an empty file is an empty database
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw .invalid("cannot read the database \"\(path)\": \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var header = [UInt8](repeating: 0, count: 16)
        let n = header.withUnsafeMutableBytes { read(fd, $0.baseAddress, 16) }
        guard n == 16, header == sqliteHeader, st.st_size >= 512 else {
            throw .invalid("the file \"\(path)\" is not a SQLite database (it does not start with the SQLite header); refusing to open or modify it")
        }
        return false
    }

    static func makeParentDirectory(of path: String) throws(PluginError) {
        var components = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard components.count > 1 else { return }
        components.removeLast()
        var current = path.hasPrefix("/") ? "" : "."
        for component in components {
            current += "/" + component
            if mkdir(current, 0o700) != 0 && errno != EEXIST {
                throw .invalid("cannot create the directory \"\(current)\" for the database \"\(path)\": \(String(cString: strerror(errno)))")
            }
        }
    }

    struct State {
        var applicationID: Int64
        var userVersion: Int64
        var tableCount: Int64
    }

    static func readState(_ c: Connection) throws -> State {
        State(applicationID: try c.scalar("PRAGMA application_id", "reading the application id"),
              userVersion: try c.scalar("PRAGMA user_version", "reading the schema version"),
              tableCount: try c.scalar("SELECT count(*) FROM sqlite_master", "reading the schema"))
    }

    static func checkOwnership(_ path: String, _ state: State) throws(PluginError) {
        if state.applicationID == Schema.applicationID {
            if state.userVersion > Schema.latestVersion {
                throw .invalid("the database \"\(path)\" has schema version \(state.userVersion), newer than this plugin supports (\(Schema.latestVersion)); refusing to open it (upgrade the sqlite store plugin)")
            }
            return
        }
        if state.applicationID != 0 {
            throw .invalid("the database \"\(path)\" belongs to another application (application_id 0x\(String(UInt32(truncatingIfNeeded: state.applicationID), radix: 16))); refusing to open or modify it")
        }
        if state.tableCount > 0 {
            throw .invalid("the database \"\(path)\" already contains tables that are not a Proteus store; refusing to open or modify it")
        }
    }

    static func configure(_ c: Connection, _ options: StoreOptions, writer: Bool) throws {
        if writer {
            // Switching to WAL needs an exclusive lock, and SQLite answers
            // BUSY at once (without the busy handler) when another process
            // is opening the same new file: retry until the busy timeout.
            let deadline = Int64(monotonicMillis()) + Int64(options.busyTimeoutMs)
            var mode = ""
            while true {
                do {
                    mode = try c.withStatement("PRAGMA journal_mode = WAL", "enabling WAL") { s in try s.step() ? s.text(0) ?? "" : "" }
                    break
                } catch let f as SQLiteFailure where f.isBusy && Int64(monotonicMillis()) < deadline {
                    usleep(10_000)
                }
            }
            guard mode.lowercased() == "wal" else {
                throw PluginError.unavailable("cannot switch the database \"\(c.path)\" to WAL mode (journal mode stays \"\(mode)\")")
            }
        }
        try c.execute("PRAGMA synchronous = \(options.synchronous == .full ? "FULL" : "NORMAL")", "setting synchronous")
        try c.execute("PRAGMA foreign_keys = ON", "enabling foreign keys")
        // Up to 16 MB of page cache per connection (the default is 2 MB).
        try c.execute("PRAGMA cache_size = -16384", "sizing the page cache")
        if !writer {
            try c.execute("PRAGMA query_only = ON", "making a reader read-only")
            // No memory mapping (mmap_size 0): a reader that finds the WAL
            // changed since its last transaction unmaps the whole file, so
            // every write made every reader unmap and fault its pages in
            // again. Mapped, a million-user role listing cost a fifth less
            // CPU without writes, but with 20 writes a second (sign-ins,
            // API-key uses) it fell from 5,211 to 2,765 requests/s (p99 9.4
            // to 39.9 ms); read into the page cache: 4,292 and 3,740/s (p99
            // 11.5 and 14.2 ms).
            try c.execute("PRAGMA mmap_size = 0", "not mapping the database")
        }
    }

    /// Runs the missing migrations in one IMMEDIATE transaction, re-checking
    /// the version inside it (another process may have migrated meanwhile).
    static func migrate(_ c: Connection, path: String) throws {
        try c.transaction(immediate: true, "migrating the schema") {
            let state = try readState(c)
            try checkOwnership(path, state)
            guard state.userVersion < Schema.latestVersion else { return }
            for version in Int(state.userVersion)..<Schema.migrations.count {
                try c.execute(Schema.migrations[version], "running schema migration \(version + 1)")
            }
            try c.execute("PRAGMA application_id = \(Schema.applicationID)", "setting the application id")
            try c.execute("PRAGMA user_version = \(Schema.latestVersion)", "setting the schema version")
        }
    }

    static func monotonicMillis() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000
    }

    static func refusal(_ path: String, _ e: SQLiteFailure, opening: Bool) -> PluginError {
        if e.isCorrupt {
            return .invalid("the database \"\(path)\" is corrupt or not a SQLite database (\(e.message)); refusing to open it")
        }
        if e.isBusy {
            return .unavailable("the database \"\(path)\" is locked by another process (\(e.message) while \(e.context))")
        }
        return .unavailable("cannot open the database \"\(path)\": \(e.message)")
    }
}
