// The plugin's options, read from the config's "options" JSON object.
//
//   path            string   database file; default <data_directory>/proteus.sqlite;
//                            relative paths are relative to the working directory
//   synchronous     string   "full" (default) or "normal"
//   busyTimeoutMs   integer  how long to wait for another process's lock (default 5000)
//   readConnections integer  1...64, size of the reader pool (default 4)
//   authCacheMs     integer  0...60000: how long a worker may answer API-key and
//                            session reads from memory (default 1000; 0 = off);
//                            a revocation through another host (another
//                            process on the file) takes effect within it, one
//                            through this host at once (StoreCore's AuthCache)
import Glibc
import PluginKit
import StoreCore

struct StoreOptions {
    enum Synchronous: String { case full, normal }

    var path: String
    var synchronous: Synchronous = .full
    var busyTimeoutMs: Int32 = 5000
    var readConnections: Int = 4
    var authCacheMs = AuthCacheOption.defaultMillis

    static let knownKeys: Set<String> = [AuthCacheOption.key, "busyTimeoutMs", "path", "readConnections", "synchronous"]

    /// Checks the options; every problem is INVALID and names the key.
    static func parse(_ options: PluginOptions, dataDirectory: String) throws(PluginError) -> StoreOptions {
        try options.rejectUnknown(knownKeys)
        var result = StoreOptions(path: dataDirectory + "/proteus.sqlite")
        if let p = try options.string("path") {
            guard !p.isEmpty else { throw .invalid("option \"path\" must not be empty") }
            guard !p.utf8.contains(0) else { throw .invalid("option \"path\" must not contain NUL characters") }
            result.path = p
        }
        if let s = try options.string("synchronous") {
            guard let mode = Synchronous(rawValue: s) else {
                throw .invalid("option \"synchronous\" must be \"full\" or \"normal\", not \"\(s)\"")
            }
            result.synchronous = mode
        }
        if let n = try options.int("busyTimeoutMs", in: 0...Int(Int32.max)) { result.busyTimeoutMs = Int32(n) }
        if let n = try options.int("readConnections", in: 1...64) { result.readConnections = n }
        result.authCacheMs = try AuthCacheOption.parse(options)
        result.path = absolutePath(result.path)
        return result
    }

    /// Relative paths are relative to the working directory at start-up.
    static func absolutePath(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        let cwd = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return (cwd.hasSuffix("/") ? cwd : cwd + "/") + path
    }
}
