// Where the built binary and plugins are: next to the test bundle
// (swift test builds every product into the same directory).
import Foundation

enum BuildProducts {
    static let directory: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = (exe as NSString).deletingLastPathComponent
        // The xctest binary may live inside a .xctest bundle directory.
        while !FileManager.default.fileExists(atPath: dir + "/proteus") && dir.count > 1 {
            dir = (dir as NSString).deletingLastPathComponent
        }
        return dir
    }()

    static var proteus: String { directory + "/proteus" }
    static func plugin(_ name: String) -> String { directory + "/libproteus-\(name).so" }
}

/// A fresh temporary directory. All of a test process's directories live
/// under one root, /tmp/proteus-tests-<pid>, removed when the process exits
/// (a crashed run leaves one directory, not thousands).
enum TemporaryDirectory {
    static func make(_ label: String = "proteus-test") -> String {
        let path = root + "/\(label)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Created on first use, with its removal registered at exit.
    static let root: String = {
        let path = NSTemporaryDirectory() + "proteus-tests-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: TemporaryDirectory.root) }
        return path
    }()
}
