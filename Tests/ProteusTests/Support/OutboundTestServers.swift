// Loopback HTTP(S) servers for the outbound HTTP tests: a throwaway PKI made
// with the openssl CLI in a temp directory, and
// Tests/Fixtures/OutboundHTTP/outbound_server.py serving with it. Both are
// real (python3 and openssl are test-time Debian packages: scripts/test).
import Foundation

final class OutboundTestServers: @unchecked Sendable {
    let directory: String
    /// The CA operators would name in outbound.extraCAFile.
    let extraCA: String
    /// Another CA, standing in for the system store (a hashed directory).
    let systemCADirectory: String
    /// name → port: "plain" (HTTP), "good" (extra CA, localhost), "wronghost"
    /// (extra CA, other.example), "selfsigned" (localhost), "system"
    /// (the other CA, localhost).
    private(set) var ports: [String: Int] = [:]
    private let process = Process()
    private let input = Pipe()

    init() throws {
        directory = TemporaryDirectory.make("outbound-pki")
        extraCA = directory + "/extra-ca.pem"
        systemCADirectory = directory + "/system-ca"
        try FileManager.default.createDirectory(atPath: systemCADirectory, withIntermediateDirectories: true)
        try makeCA("extra-ca")
        try makeCA("system-ca-root")
        try FileManager.default.copyItem(atPath: directory + "/system-ca-root.pem", toPath: systemCADirectory + "/root.pem")
        try openssl(["rehash", systemCADirectory])
        try makeLeaf("good", names: "DNS:localhost", signedBy: "extra-ca")
        try makeLeaf("wronghost", names: "DNS:other.example", signedBy: "extra-ca")
        try makeLeaf("system", names: "DNS:localhost", signedBy: "system-ca-root")
        try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                     "-keyout", directory + "/selfsigned.key", "-out", directory + "/selfsigned.pem", "-days", "2",
                     "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"])
        try start()
    }

    func port(_ name: String) -> Int { ports[name] ?? 0 }

    /// "https://localhost:PORT/PATH" of a named server ("http://127.0.0.1" for plain).
    func url(_ name: String, _ path: String) -> String {
        name == "plain" ? "http://127.0.0.1:\(port(name))\(path)" : "https://localhost:\(port(name))\(path)"
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    private func start() throws {
        let script = CPluginBuilder.repositoryRoot + "/Tests/Fixtures/OutboundHTTP/outbound_server.py"
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script, "--http", "plain"] + ["good", "wronghost", "system", "selfsigned"].flatMap {
            ["--https", "\($0):\(directory)/\($0).pem:\(directory)/\($0).key"]
        }
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = input
        try process.run()
        // The first line is the port map; a crash before it ends the pipe.
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        guard let map = try? JSONSerialization.jsonObject(with: line) as? [String: Int], map.count == 5 else {
            throw TestFailure("outbound_server.py did not start: \(String(decoding: line, as: UTF8.self))")
        }
        ports = map
    }

    private func makeCA(_ name: String) throws {
        try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                     "-keyout", "\(directory)/\(name).key", "-out", "\(directory)/\(name).pem", "-days", "2",
                     "-subj", "/CN=Proteus test \(name)",
                     "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    }

    private func makeLeaf(_ name: String, names: String, signedBy ca: String) throws {
        let extensions = "\(directory)/\(name).ext"
        try "subjectAltName=\(names)\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            .write(toFile: extensions, atomically: true, encoding: .utf8)
        try openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                     "-keyout", "\(directory)/\(name).key", "-out", "\(directory)/\(name).csr", "-subj", "/CN=\(name)"])
        try openssl(["x509", "-req", "-in", "\(directory)/\(name).csr", "-CA", "\(directory)/\(ca).pem",
                     "-CAkey", "\(directory)/\(ca).key", "-CAcreateserial", "-out", "\(directory)/\(name).pem",
                     "-days", "2", "-extfile", extensions])
    }

    private func openssl(_ arguments: [String]) throws {
        let (status, log) = try runTool("/usr/bin/openssl", arguments)
        guard status == 0 else { throw TestFailure("openssl \(arguments.first ?? "") failed: \(log)") }
    }
}
