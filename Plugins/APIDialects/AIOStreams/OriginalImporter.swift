// import.v1: an original AIOStreams database's users into the directory
// (`proteus import aiostreams --from PATH_OR_URL`).
//
// Source: the original's SQLite file (`data/db.sqlite`, or its DATABASE_URI
// `sqlite://PATH`) or a `postgres://` URL, opened read-only
// (OriginalDatabase.swift: schema; OriginalCrypto.swift: what is encrypted
// and how).
//
// Mapping, per users row: uuid → the user's id (the dialect's directory id
// is the uuid's 16 bytes, as UserService resolves it); password_hash
// (bcrypt) → kept as it is: the user signs in with the same password and is
// re-hashed with argon2id then; created_at → created, accessed_at →
// accessed (for pruning); config + config_salt → the "aiostreams.import"
// document, sealed, opened at the user's first sign-in (ImportedConfig.swift).
// AIOStreams users have no name or e-mail.
//
// A row is malformed when its uuid is not a UUID (or repeats an earlier
// row's), its password_hash is not bcrypt (the original writes nothing
// else; a user without a password could never sign in nor open the config),
// its config is not the original's encrypted envelope, its config_salt is
// NULL or its created_at is not a timestamp: it is reported by position
// (rowid, or row number by uuid on PostgreSQL) and uuid, and skipped.
//
// Re-running: a user whose import document holds the same row digest is left
// alone (unchanged: whatever happened to it here since, such as the argon2id
// re-hash or the opened config, stays). A row that changed in the original
// since (another password or config there) replaces the password hash and
// the sealed config, and drops the config opened here: the original is taken
// as the newer one. A uuid that belongs to a user this import did not make
// is skipped. New users are written in batches, one transaction each
// (users_import); an update is one write conditioned on the version read.
import PluginAPI
import PluginKit
import ProteusJSON

final class OriginalImporter {
    /// What a run did; ImportSummary's `imported` is created + updated, its
    /// `skipped` the rest.
    struct Counts {
        var created: UInt64 = 0
        var updated: UInt64 = 0
        var unchanged: UInt64 = 0
        var malformed: UInt64 = 0
        var taken: UInt64 = 0
        var failed: UInt64 = 0
        /// Malformed rows by reason.
        var reasons: [String: UInt64] = [:]
        var notes: [String] = []

        /// As `proteus import` prints it: every well-formed row holds a
        /// bcrypt hash (the original writes nothing else).
        var summary: ImportSummary {
            var s = ImportSummary(imported: created, updated: updated, unchanged: unchanged, skippedReasons: reasons, notes: notes)
            s.skipped = malformed + taken + failed
            if taken > 0 { s.skippedReasons["the uuid belongs to a user not imported from AIOStreams", default: 0] += taken }
            if failed > 0 { s.skippedReasons["the write failed", default: 0] += failed }
            let hashes = created + updated + unchanged + taken + failed
            if hashes > 0 { s.hashFormats["bcrypt"] = hashes }
            return s
        }
    }

    struct Malformed: Error { var reason: String }

    private let host: Host
    private let directory: Directory
    /// Counts what would happen without writing anything.
    let dryRun: Bool
    let secretKeyConfigured: Bool
    static let batchSize = 500

    init(host: Host, dryRun: Bool, secretKeyConfigured: Bool) {
        self.host = host
        self.directory = host.directory
        self.dryRun = dryRun
        self.secretKeyConfigured = secretKeyConfigured
    }

    private struct Candidate {
        var label: String
        var record: UserRecord
        var imported: ImportedConfig
    }

    func run(source: String, progress: ImportProgress) throws(PluginError) -> Counts {
        let input = try OriginalDatabase.open(source)
        defer { input.close() }
        let total = UInt64(input.count)
        var counts = Counts()
        var done: UInt64 = 0
        if !secretKeyConfigured {
            counts.notes.append("the aiostreams dialect has no \"importedSecretKey\" option: imported configs stay sealed (GET answers ENCRYPTION_ERROR) until it is set to the original server's SECRET_KEY")
        }
        var seen = Set<[UInt8]>()
        var pending: [Candidate] = []
        while let row = try input.next() {
            done += 1
            let label = row.position + (row.uuid.map { " (uuid \($0))" } ?? "")
            do {
                let candidate = try self.candidate(row, label: label)
                guard seen.insert(candidate.record.id).inserted else { throw Malformed(reason: "uuid repeats an earlier row's") }
                let existing: UserRecord?
                do { existing = try directory.user(id: candidate.record.id, documents: ImportedConfig.namespace) } catch { throw Self.pluginError(error) }
                if let existing {
                    try merge(candidate, into: existing, &counts, progress, done: done, total: total)
                } else {
                    pending.append(candidate)
                    if pending.count >= Self.batchSize {
                        try write(pending, &counts, progress, done: done, total: total)
                        pending = []
                    }
                }
            } catch let malformed as Malformed {
                counts.malformed += 1
                counts.reasons[malformed.reason, default: 0] += 1
                progress.report(done: done, total: total, note: "\(label): skipped: \(malformed.reason)")
            } catch let e as PluginError {
                throw e
            } catch {
                throw PluginError.unavailable("\(label): \(error)")
            }
            if done % 100 == 0 { progress.report(done: done, total: total) }
        }
        try write(pending, &counts, progress, done: done, total: total)
        progress.report(done: done, total: max(total, done))
        return counts
    }

    // MARK: mapping

    private func candidate(_ row: OriginalRow, label: String) throws -> Candidate {
        guard let uuid = row.uuid else { throw Malformed(reason: "uuid is NULL") }
        guard let id = proteus_id(dashedUUID: uuid) else { throw Malformed(reason: "uuid is not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)") }
        guard let hash = row.passwordHash, OriginalCrypto.isBcrypt(hash) else {
            throw Malformed(reason: "password_hash is not a bcrypt hash (the original writes only bcrypt; without it the user could neither sign in nor open the config)")
        }
        guard let config = row.config, OriginalCrypto.envelope(config) != nil else {
            throw Malformed(reason: "config is not an AIOStreams encrypted config (base64url JSON {i, e, t})")
        }
        guard let salt = row.configSalt else { throw Malformed(reason: "config_salt is NULL") }
        let now = host.nowMillis()
        var created = now
        if let text = row.createdAt {
            guard let ms = OriginalDatabase.millis(text) else { throw Malformed(reason: "created_at is not a timestamp") }
            created = ms
        }
        let digest = Hex.encode(host.sha256(Array("aiostreams-import-v1\u{0}\(hash)\u{0}\(config)\u{0}\(salt)".utf8)))
        let imported = ImportedConfig(sealed: true, row: digest, config: config, configSalt: salt)
        var record = UserRecord(id: id.byteArray)
        record.passwordHash = hash
        record.version = 1
        record.createdAt = created
        record.updatedAt = now
        record.accessedAt = row.accessedAt.flatMap(OriginalDatabase.millis) ?? created
        record.documents = [DocumentRecord(namespace: ImportedConfig.namespace, json: imported.json)]
        return Candidate(label: label, record: record, imported: imported)
    }

    // MARK: writing

    /// An existing user: unchanged, updated from a changed row, or not ours.
    private func merge(_ c: Candidate, into existing: UserRecord, _ counts: inout Counts, _ progress: ImportProgress, done: UInt64, total: UInt64) throws(PluginError) {
        guard let previous = ImportedConfig(existing) else {
            counts.taken += 1
            progress.report(done: done, total: total, note: "\(c.label): skipped: the uuid belongs to a user of this directory that was not imported from AIOStreams")
            return
        }
        if previous.row == c.imported.row {
            counts.unchanged += 1
            return
        }
        var changes = UserRecord(id: c.record.id)
        var fields = PROTEUS_FIELD_DOCS
        if existing.passwordHash != c.record.passwordHash {
            changes.passwordHash = c.record.passwordHash
            fields |= PROTEUS_FIELD_PASSWORD_HASH
        }
        changes.documents = [DocumentRecord(namespace: AIOStreamsDialect.namespace, json: nil), c.record.documents[0]]
        if !dryRun {
            do {
                _ = try directory.updateUser(changes, fields: fields, expectedVersion: existing.version)
            } catch let e as PluginError where e.code == PROTEUS_E_UNAVAILABLE {
                throw e
            } catch {
                counts.failed += 1
                progress.report(done: done, total: total, note: "\(c.label): skipped: the update failed (\(error)); run the import again")
                return
            }
        }
        counts.updated += 1
        progress.report(done: done, total: total, note: "\(c.label): updated: the row changed in the original since the last import")
    }

    /// New users, one transaction per batch; when a batch fails, user by
    /// user, so one bad user costs only itself.
    private func write(_ candidates: [Candidate], _ counts: inout Counts, _ progress: ImportProgress, done: UInt64, total: UInt64) throws(PluginError) {
        guard !candidates.isEmpty else { return }
        if dryRun {
            counts.created += UInt64(candidates.count)
            return
        }
        for (c, refusal) in zip(candidates, try directory.importUsersReportingRefusals(candidates.map(\.record))) {
            guard let refusal else { counts.created += 1; continue }
            counts.failed += 1
            progress.report(done: done, total: total, note: "\(c.label): skipped: \(refusal)")
        }
    }

    private static func pluginError(_ error: Error) -> PluginError {
        (error as? PluginError) ?? PluginError.unavailable("\(error)")
    }
}
