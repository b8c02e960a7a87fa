// Compiles the plain-C fixtures (Tests/Fixtures/CPlugin) with the system C compiler.
import Foundation

enum CPluginBuilder {
    static var repositoryRoot: String {
        var dir = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { dir.deleteLastPathComponent() }
        return dir.path
    }

    /// Builds Tests/Fixtures/CPlugin/hello_dialect.c into `directory` and
    /// returns the library's path. `defines` select broken variants.
    static func build(into directory: String, name: String = "libproteus-hello-c.so", defines: [String] = []) throws -> String {
        try compile("hello_dialect.c", into: directory + "/" + name, defines: defines)
    }

    /// Compiles one fixture of Tests/Fixtures/CPlugin into the shared library `output`.
    static func compile(_ source: String, into output: String, defines: [String] = []) throws -> String {
        let arguments = ["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC",
                         "-I", repositoryRoot + "/Sources/PluginAPI/include"]
            + defines.map { "-D" + $0 }
            + ["-o", output, repositoryRoot + "/Tests/Fixtures/CPlugin/" + source]
        let (status, log) = try runTool("/usr/bin/env", arguments)
        guard status == 0 else { throw TestFailure("cc failed: \(log)") }
        return output
    }
}
