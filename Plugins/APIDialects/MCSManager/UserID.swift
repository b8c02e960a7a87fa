// The panel's user ids in requests (AdminRoutes, SessionRoutes).
import PluginAPI
import PluginKit

/// User ids as the panel writes them (32 hex), dashed UUIDs accepted too.
enum UserID {
    static func parse(_ text: String) -> [UInt8]? {
        if let id = proteus_id(compactHex: text) { return id.byteArray }
        if let id = proteus_id(dashedUUID: text) { return id.byteArray }
        return nil
    }
}
