// PostgreSQL for tests. `scripts/test` starts a throwaway cluster
// (scripts/lib/postgres.sh) and exports PROTEUS_TEST_POSTGRES_URL and
// friends; tests that need PostgreSQL fail (never skip) without them. Each
// test process works in a database of its own, so runs never see each
// other's data. Fault tests start a dedicated cluster they may crash.
import Foundation
import XCTest

enum PostgresServer {
    static func environment(_ name: String) -> String? {
        guard let v = ProcessInfo.processInfo.environment[name], !v.isEmpty else { return nil }
        return v
    }

    /// The shared test cluster's URL (database "proteus"), or a failure
    /// telling how to get one.
    static func clusterURL() throws -> String {
        guard let url = environment("PROTEUS_TEST_POSTGRES_URL") else {
            throw TestFailure("PROTEUS_TEST_POSTGRES_URL is not set: these tests need PostgreSQL. Run scripts/test, which installs PostgreSQL when missing, starts a throwaway cluster and exports the variable")
        }
        return url
    }

    /// `url` with its database replaced.
    static func url(_ url: String, database: String) -> String {
        guard let slash = url.range(of: "/", options: .backwards, range: url.range(of: "://")!.upperBound..<url.endIndex) else {
            return url + "/" + database
        }
        let query = url[slash.upperBound...].firstIndex(of: "?").map { String(url[$0...]) } ?? ""
        return String(url[..<slash.upperBound]) + database + query
    }

    /// A database created for this test process (once), on the shared cluster.
    nonisolated(unsafe) private static var processDatabase: String?
    private static let lock = NSLock()

    static func testDatabaseURL() throws -> String {
        let base = try clusterURL()
        lock.lock()
        defer { lock.unlock() }
        if let db = processDatabase { return url(base, database: db) }
        let db = "proteus_test_\(getpid())_\(UUID().uuidString.prefix(8).lowercased())"
        try psql(base, "CREATE DATABASE \(db)")
        processDatabase = db
        return url(base, database: db)
    }

    /// A fresh schema name (the store creates it on first use).
    static func freshSchema(_ hint: String) -> String {
        "t_\(hint)_\(UUID().uuidString.prefix(8).lowercased())"
    }

    static var binDirectory: String {
        environment("PROTEUS_TEST_POSTGRES_BIN") ?? (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql"))
            .flatMap { $0.sorted().last }.map { "/usr/lib/postgresql/\($0)/bin" } ?? "/usr/bin"
    }

    /// Runs SQL with psql against `url`; returns its output (unaligned, tuples only).
    @discardableResult
    static func psql(_ url: String, _ sql: String) throws -> String {
        let (status, output) = try run(binDirectory + "/psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])
        guard status == 0 else { throw TestFailure("psql failed (\(status)) running \(sql): \(output)") }
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs a program to completion; returns its exit status and output
    /// (stdout and stderr). posix_spawn + waitpid with the output in a file:
    /// the cluster script leaves a daemon behind, and Foundation's Process
    /// was seen to miss the exit of such a child.
    static func run(_ executable: String, _ arguments: [String]) throws -> (Int32, String) {
        let outputPath = NSTemporaryDirectory() + "proteus-run-\(UUID().uuidString).out"
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var pid = pid_t()
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard rc == 0 else { throw TestFailure("cannot run \(executable): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exited = status & 0x7f == 0
        return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), output)
    }

    /// The cluster helper script (exported by scripts/test; else found from this file).
    static var script: String {
        if let s = environment("PROTEUS_TEST_POSTGRES_SCRIPT") { return s }
        let here = URL(fileURLWithPath: #filePath)
        return here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/lib/postgres.sh").path
    }

    /// Options JSON for the postgres store.
    static func options(url: String, schema: String, extra: [String: Any] = [:]) -> String {
        var o: [String: Any] = ["url": url, "schema": schema]
        for (k, v) in extra { o[k] = v }
        return json(o)
    }

    static func json(_ object: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }

    /// The store section of a proteus config using PostgreSQL.
    static func storeConfig(url: String, schema: String, extra: [String: Any] = [:]) -> [String: Any] {
        var o: [String: Any] = ["url": url, "schema": schema]
        for (k, v) in extra { o[k] = v }
        return ["plugin": "postgres", "options": o]
    }
}

/// A cluster of a test's own (for crashing and restarting PostgreSQL
/// without touching the shared one), through scripts/lib/postgres.sh.
final class DedicatedPostgres {
    let directory: String
    let url: String
    let port: Int

    init() throws {
        _ = try PostgresServer.clusterURL()   // the same prerequisites as every PostgreSQL test
        var template = Array("/tmp/proteus-pg-dedicated-XXXXXX".utf8CString)
        guard let p = mkdtemp(&template) else { throw TestFailure("mkdtemp failed") }
        directory = String(cString: p)
        let (status, output) = try PostgresServer.run("/bin/bash", [PostgresServer.script, "start", directory])
        guard status == 0 else {
            _ = try? PostgresServer.run("/bin/bash", [PostgresServer.script, "stop", directory])
            throw TestFailure("starting a dedicated PostgreSQL cluster failed: \(output)")
        }
        var values: [String: String] = [:]
        for line in output.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            values[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        guard let url = values["PROTEUS_TEST_POSTGRES_URL"], let port = values["PROTEUS_TEST_POSTGRES_PORT"].flatMap(Int.init) else {
            throw TestFailure("the cluster script printed no URL: \(output)")
        }
        self.url = url
        self.port = port
    }

    /// pg_ctl stop -m immediate: the server dies at once, clients' connections drop.
    func crash() throws { try script("crash") }

    /// Starts the server again on the same port with the same data.
    func resume() throws { try script("resume") }

    /// Freezes (SIGSTOP) or thaws (SIGCONT) the server and all its
    /// processes: a hung database that accepts connections and never answers.
    func freeze(_ frozen: Bool) throws {
        let pidFile = directory + "/data/postmaster.pid"
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
              let first = text.split(separator: "\n").first, let postmaster = pid_t(first) else {
            throw TestFailure("no postmaster.pid in \(directory)")
        }
        let (_, children) = try PostgresServer.run("/usr/bin/pgrep", ["-P", String(postmaster)])
        let pids = [postmaster] + children.split(separator: "\n").compactMap { pid_t($0) }
        for pid in (frozen ? pids : pids.reversed()) { kill(pid, frozen ? SIGSTOP : SIGCONT) }
    }

    /// Stops the server and removes its directory.
    func destroy() {
        try? freeze(false)
        _ = try? script("stop")
    }

    private func script(_ command: String) throws {
        let (status, output) = try PostgresServer.run("/bin/bash", [PostgresServer.script, command, directory])
        guard status == 0 else { throw TestFailure("postgres.sh \(command) failed: \(output)") }
    }

    deinit { destroy() }
}

/// The store section for PostgreSQL tests: the test cluster's URL through an
/// environment variable (option "urlEnv"), a schema named after the test's
/// directory so a restarted server finds its data.
enum PostgresTestStore {
    static let urlVariable = "PROTEUS_TEST_STORE_URL"

    /// Exports the cluster's URL; XCTFail (never a skip) when there is none.
    static func prepare() {
        do { setenv(urlVariable, try PostgresServer.testDatabaseURL(), 1) } catch { XCTFail("\(error)") }
    }

    static func config(directory: String, prefix: String) -> [String: Any] {
        let name = (directory as NSString).lastPathComponent.lowercased()
            .map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
        return ["plugin": "postgres", "options": ["urlEnv": urlVariable, "schema": prefix + name, "poolSize": 4]]
    }
}
