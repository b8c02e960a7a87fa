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

/// A fresh temporary directory removed at process exit (best effort).
enum TemporaryDirectory {
    static func make(_ label: String = "proteus-test") -> String {
        let path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
