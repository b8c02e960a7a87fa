// External identities: (provider, subject) links to users.
import PluginAPI
import PluginKit

extension SQLiteStore {
    func linkIdentity(_ input: UnsafePointer<proteus_identity>?) throws {
        let r = try Input.record(input, "identity")
        try Input.requireText(r.provider, "the identity provider", allowEmpty: false)
        try Input.requireText(r.subject, "the identity subject", allowEmpty: false)
        try pool.write("linking an identity") { c in
            do {
                try c.with("INSERT INTO identities (provider, subject, user_id) VALUES (?, ?, ?)") { s in
                    s.bind(1, r.provider)
                    s.bind(2, r.subject)
                    s.bind(3, r.user_id)
                    try s.run("linking an identity")
                }
            } catch let f as SQLiteFailure where f.isUnique {
                throw PluginError.conflict("this \(r.provider.string ?? "") identity is already linked to a user")
            } catch let f as SQLiteFailure where f.isForeignKey {
                throw PluginError.notFound("no user with id \(r.user_id.text)")
            }
        }
    }

    func getIdentity(provider: proteus_str, subject: proteus_str, user: UnsafeMutablePointer<proteus_id>?) throws {
        guard let user else { throw PluginError.invalid("no output pointer was given") }
        guard provider.isPresent, subject.isPresent else { throw PluginError.invalid("provider and subject are required") }
        let found: [UInt8]? = try pool.read("reading an identity") { c in
            try c.with("SELECT user_id FROM identities WHERE provider = ? AND subject = ?") { s in
                s.bind(1, provider)
                s.bind(2, subject)
                return try s.step("reading an identity") ? s.id(0) : nil
            }
        }
        guard let found else { throw PluginError.notFound("no user is linked to this identity") }
        user.pointee = proteus_id(byteArray: found)
    }

    func unlinkIdentity(provider: proteus_str, subject: proteus_str) throws {
        guard provider.isPresent, subject.isPresent else { throw PluginError.invalid("provider and subject are required") }
        try pool.write("unlinking an identity") { c in
            try c.with("DELETE FROM identities WHERE provider = ? AND subject = ?") { s in
                s.bind(1, provider)
                s.bind(2, subject)
                try s.run("unlinking an identity")
            }
            guard c.changes > 0 else { throw PluginError.notFound("no user is linked to this identity") }
        }
    }

    func listIdentities(hasUser: Bool, user: proteus_id, arena: OpaquePointer?,
                        out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_identity_list>?>?) throws {
        guard let out else { throw PluginError.invalid("no output pointer was given") }
        let writer = try arenaWriter(arena)
        let links: [IdentityRecord] = try pool.read("listing identities") { c in
            let sql = hasUser
                ? "SELECT provider, subject, user_id FROM identities WHERE user_id = ? ORDER BY provider, subject"
                : "SELECT provider, subject, user_id FROM identities ORDER BY provider, subject"
            return try c.with(sql) { s in
                if hasUser { s.bind(1, user) }
                var all: [IdentityRecord] = []
                while try s.step("listing identities") {
                    all.append(IdentityRecord(provider: s.text(0) ?? "", subject: s.text(1) ?? "", userID: s.id(2) ?? []))
                }
                return all
            }
        }
        out.pointee = try writer.identityList(links)
    }
}
