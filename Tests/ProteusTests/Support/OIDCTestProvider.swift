// A real OpenID Connect provider on loopback for the Cortex Hub OIDC tests:
// Tests/Fixtures/OIDC/oidc_provider.py (PyJWT + cryptography from the
// venv of scripts/lib/python-tools.sh). Missing tools fail the test, they
// never skip it.
import Foundation
import ProteusJSON

final class OIDCTestProvider: @unchecked Sendable {
    static let clientID = "cortex-hub"
    static let clientSecret = "s3cret/with:odd&chars"

    let port: UInt16
    var issuer: String { "http://127.0.0.1:\(port)" }
    private let process = Process()
    private let input = Pipe()

    init() throws {
        let root = CPluginBuilder.repositoryRoot
        let python = root + "/.build/tools/python/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python),
              try runTool(python, ["-c", "import jwt, cryptography"]).0 == 0 else {
            throw TestFailure("PyJWT and cryptography are missing in \(python): run scripts/test (or source scripts/lib/python-tools.sh; ensure_python_tools)")
        }
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [root + "/Tests/Fixtures/OIDC/oidc_provider.py",
                             "--client-id", Self.clientID, "--client-secret", Self.clientSecret]
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = input
        try process.run()
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        guard let map = try? JSONSerialization.jsonObject(with: line) as? [String: Int], let port = map["port"] else {
            throw TestFailure("oidc_provider.py did not start: \(String(decoding: line, as: UTF8.self))")
        }
        self.port = UInt16(port)
    }

    /// Chooses what /token issues next (see oidc_provider.py's modes).
    func mode(_ mode: String) throws {
        try control(["mode": .string(mode)])
    }

    /// The user the next authorizations sign in as.
    func user(sub: String, email: String, username: String? = nil, name: String = "OIDC User", emailVerified: Bool = true) throws {
        var user: JSONObject = ["sub": .string(sub), "email": .string(email), "email_verified": .bool(emailVerified), "name": .string(name)]
        if let username { user["preferred_username"] = .string(username) }
        try control(["user": .object(user)])
    }

    /// Replaces the RSA signing key by a new one under a new kid.
    func rotateKey() throws {
        try control(["rotate": true])
    }

    /// The client authentication methods discovery lists and /token accepts.
    func authMethods(_ methods: [String]) throws {
        try control(["auth_methods": .array(methods.map { .string($0) })])
    }

    func log() throws -> JSONValue {
        let r = try APIClient(port: port).request("GET", "/log")
        guard r.status == 200, let json = r.json else { throw TestFailure("provider log failed: \(r.text)") }
        return json
    }

    /// Follows an authorization URL the way a browser would (the provider
    /// answers at once); returns the Location it redirects to.
    func authorize(_ url: String) throws -> String {
        guard url.hasPrefix(issuer + "/") else { throw TestFailure("not this provider's URL: \(url)") }
        let r = try APIClient(port: port).request("GET", String(url.dropFirst(issuer.count)))
        guard r.status == 302, let location = r.header("Location") else { throw TestFailure("authorize failed: \(r.status) \(r.text)") }
        return location
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    private func control(_ body: JSONValue) throws {
        let r = try APIClient(port: port).request("POST", "/control", json: body)
        guard r.status == 200 else { throw TestFailure("provider control failed: \(r.text)") }
    }
}

/// The query items of a URL (percent-decoded).
func queryItems(_ url: String) -> [String: String] {
    guard let components = URLComponents(string: url) else { return [:] }
    var items: [String: String] = [:]
    for item in components.queryItems ?? [] { items[item.name] = item.value ?? "" }
    return items
}
