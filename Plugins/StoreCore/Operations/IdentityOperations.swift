// External identities: (provider, subject) links to users.
import PluginAPI
import PluginKit

extension StoreCore {
    public func linkIdentity(_ input: UnsafePointer<proteus_identity>?) throws {
        let r = try StoreInput.record(input, "identity")
        try StoreInput.requireText(r.provider, "the identity provider", allowEmpty: false)
        try StoreInput.requireText(r.subject, "the identity subject", allowEmpty: false)
        try insertCredential(sql.linkIdentity, "linking an identity", user: r.user_id,
                             taken: "this \(r.provider.string ?? "") identity is already linked to a user") { v in
            v.bind(r.provider)
            v.bind(r.subject)
            v.bind(r.user_id)
        }
    }

    public func getIdentity(provider: proteus_str, subject: proteus_str, user: UnsafeMutablePointer<proteus_id>?) throws {
        let user = try output(user)
        guard provider.isPresent, subject.isPresent else { throw PluginError.invalid("provider and subject are required") }
        let found = try perform(.read, "reading an identity") { c in
            try c.first(sql.getIdentity, "reading an identity", { v in
                v.bind(provider)
                v.bind(subject)
            }) { $0.id(0) }
        }
        guard let found, let id = found else { throw PluginError.notFound("no user is linked to this identity") }
        user.pointee = proteus_id(byteArray: id)
    }

    public func unlinkIdentity(provider: proteus_str, subject: proteus_str) throws {
        guard provider.isPresent, subject.isPresent else { throw PluginError.invalid("provider and subject are required") }
        try deleteOne(sql.unlinkIdentity, "unlinking an identity", missing: "no user is linked to this identity") { v in
            v.bind(provider)
            v.bind(subject)
        }
    }

    public func listIdentities(hasUser: Bool, user: proteus_id, arena: OpaquePointer?,
                               out: UnsafeMutablePointer<UnsafeMutablePointer<proteus_identity_list>?>?) throws {
        let out = try output(out)
        let writer = try arenaWriter(arena)
        let links = try perform(.read, "listing identities") { c in
            try c.all(hasUser ? sql.listUserIdentities : sql.listIdentities, "listing identities", { v in
                if hasUser { v.bind(user) }
            }) { s in IdentityRecord(provider: s.text(0) ?? "", subject: s.text(1) ?? "", userID: s.id(2) ?? []) }
        }
        out.pointee = try writer.identityList(links)
    }
}
