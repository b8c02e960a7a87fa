// External identities: (provider, subject) links to users.
import PluginAPI
import PluginKit

extension PostgresStore {
    func linkIdentity(_ input: UnsafePointer<proteus_identity>?) throws {
        let r = try Input.record(input, "identity")
        try Input.requireText(r.provider, "the identity provider", allowEmpty: false)
        try Input.requireText(r.subject, "the identity subject", allowEmpty: false)
        var p = PGParams()
        p.text(r.provider)
        p.text(r.subject)
        p.id(r.user_id)
        try write("linking an identity") { c in
            do {
                try c.execute("INSERT INTO identities (provider, subject, user_id) VALUES ($1, $2, $3)", p, "linking an identity")
            } catch let f as PGFailure where f.isUnique {
                throw PluginError.conflict("this \(r.provider.string ?? "") identity is already linked to a user")
            } catch let f as PGFailure where f.isForeignKey {
                throw PluginError.notFound("no user with id \(r.user_id.text)")
            }
        }
    }

    func getIdentity(provider: proteus_str, subject: proteus_str, user: UnsafeMutablePointer<proteus_id>?) throws {
        guard let user else { throw PluginError.invalid("no output pointer was given") }
        guard provider.isPresent, subject.isPresent else { throw PluginError.invalid("provider and subject are required") }
        var p = PGParams()
        p.text(provider)
        p.text(subject)
        let found: [UInt8]? = try read("reading an identity") { c in
            let r = try c.execute("SELECT user_id FROM identities WHERE provider = $1 AND subject = $2", p, "reading an identity")
            return r.rows > 0 ? r.id(0, 0) : nil
        }
        guard let found else { throw PluginError.notFound("no user is linked to this identity") }
        user.pointee = proteus_id(byteArray: found)
    }

    func unlinkIdentity(provider: proteus_str, subject: proteus_str) throws {
        guard provider.isPresent, subject.isPresent else { throw PluginError.invalid("provider and subject are required") }
        var p = PGParams()
        p.text(provider)
        p.text(subject)
        try write("unlinking an identity") { c in
            guard try c.execute("DELETE FROM identities WHERE provider = $1 AND subject = $2", p, "unlinking an identity").affected > 0 else {
                throw PluginError.notFound("no user is linked to this identity")
            }
        }
    }

    func listIdentities(hasUser: Bool, user: proteus_id, arena: OpaquePointer?,
                        out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_identity_list>?>?) throws {
        guard let out else { throw PluginError.invalid("no output pointer was given") }
        let writer = try arenaWriter(arena)
        var p = PGParams()
        if hasUser { p.id(user) }
        let sql = hasUser
            ? "SELECT provider, subject, user_id FROM identities WHERE user_id = $1 ORDER BY provider, subject"
            : "SELECT provider, subject, user_id FROM identities ORDER BY provider, subject"
        let links: [IdentityRecord] = try read("listing identities") { c in
            let r = try c.execute(sql, p, "listing identities")
            return (0..<r.rows).map { IdentityRecord(provider: r.text($0, 0) ?? "", subject: r.text($0, 1) ?? "", userID: r.id($0, 2) ?? []) }
        }
        out.pointee = try writer.identityList(links)
    }
}
