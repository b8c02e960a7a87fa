// The server's secret key when the config has none: generated once and kept
// in the data directory so tokens survive restarts. Created with O_EXCL so
// several processes starting at once agree on one key.
import Glibc
import PluginKit

enum SecretKeyFile {
    static let fileName = "secret.key"

    static func loadOrCreate(dataDirectory: String) throws -> [UInt8] {
        let path = dataDirectory + "/" + fileName
        if access(path, F_OK) != 0 {
            let key = SecureRandom.bytes(32)
            if try FileIO.createExclusive(path, Array((Hex.encode(key) + "\n").utf8)) { return key }
        }
        let text = try FileIO.readAll(path)
        let trimmed = String(decoding: text, as: UTF8.self).filter { !$0.isWhitespace }
        guard trimmed.utf8.count == 64, let key = Hex.decode(trimmed) else {
            throw HostError("\(path): expected 64 hexadecimal characters (the server's secret key); refusing to replace it")
        }
        return key
    }
}
