// Erizos `_id`s: 24 lowercase hex digits (a MongoDB ObjectId in the
// original) for users whose directory id is 128 bits.
//
// Mapping. A user's `_id` is kept as a directory identity link
// (provider "erizos", subject = the 24 hex digits) → user id, so finding a
// user by `_id` is one primary-key lookup, never a scan, and the link goes
// away with the user (ON DELETE CASCADE). The digits are derived from facts
// that never change, ObjectId-shaped:
//
//   bytes 0-3   creation time, unix seconds, big-endian (as in an ObjectId)
//   bytes 4-11  the first 8 bytes of SHA-256("erizos-objectid" ‖ id ‖ attempt)
//
// Users created here are linked at creation; users made elsewhere are linked
// lazily the first time Erizos shows them. Because the candidate is a pure
// function of the user, two requests linking the same user at once agree:
// the loser of the insert gets CONFLICT, reads the link and finds its own
// user. Only a different user already holding the candidate (a 64-bit hash
// collision within one second) moves a user to the next attempt; whatever
// was linked first stays, so an `_id` never changes once shown.
import PluginAPI
import PluginKit

struct ObjectIDs: Sendable {
    static let provider = "erizos"
    private static let maxAttempts: UInt8 = 8

    let host: Host
    let directory: Directory

    /// True for text shaped like an `_id` (24 lowercase hex digits).
    static func isObjectID(_ text: String) -> Bool {
        text.utf8.count == 24 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    /// The user id linked to an `_id`, or nil.
    func userID(for objectID: String) throws -> [UInt8]? {
        guard Self.isObjectID(objectID) else { return nil }
        return try directory.identityUser(provider: Self.provider, subject: objectID)
    }

    /// The `_id` of `user`, linking it first when it has none yet.
    func objectID(of user: UserRecord) throws -> String {
        var attempt: UInt8 = 0
        for _ in 0..<(2 * Int(Self.maxAttempts)) where attempt < Self.maxAttempts {
            let candidate = candidate(user, attempt: attempt)
            if let holder = try directory.identityUser(provider: Self.provider, subject: candidate) {
                if holder == user.id { return candidate }
                attempt += 1
                continue
            }
            do {
                try directory.link(IdentityRecord(provider: Self.provider, subject: candidate, userID: user.id))
                return candidate
            } catch let e as PluginError where e.code == PROTEUS_E_CONFLICT {
                continue    // linked meanwhile: read it again
            }
        }
        throw PluginError.internal("no free Erizos _id for a user after \(Self.maxAttempts) attempts")
    }

    private func candidate(_ user: UserRecord, attempt: UInt8) -> String {
        let seconds = UInt32(clamping: max(0, user.createdAt / 1000))
        let time: [UInt8] = [UInt8(seconds >> 24), UInt8(seconds >> 16 & 0xFF), UInt8(seconds >> 8 & 0xFF), UInt8(seconds & 0xFF)]
        let digest = host.sha256(Array("erizos-objectid".utf8) + user.id + [attempt])
        return Hex.encode(time + digest.prefix(8))
    }
}
