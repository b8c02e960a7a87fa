// The files in packaging/ as an operator installs them: the systemd unit is
// valid to systemd, the example config is accepted by the server, and the
// nginx server block is accepted by nginx. A missing tool fails the test
// (scripts/test installs them): a skipped check would pass a broken file.
import Foundation
import XCTest

final class PackagingTests: XCTestCase {
    private static var packaging: String { CPluginBuilder.repositoryRoot + "/packaging" }

    private func read(_ name: String) throws -> String {
        try String(contentsOfFile: Self.packaging + "/" + name, encoding: .utf8)
    }

    /// The first executable named `name` in the usual system directories.
    private func tool(_ name: String, package: String) throws -> String {
        for dir in ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"]
        where FileManager.default.isExecutableFile(atPath: dir + "/" + name) {
            return dir + "/" + name
        }
        throw TestFailure("\(name) is not installed (Debian package \(package); scripts/test installs it)")
    }

    private func temporaryDirectory(_ label: String) -> String {
        let dir = TemporaryDirectory.make(label)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    func testSystemdUnitVerifies() throws {
        let unit = try read("proteus.service")
        for line in ["DynamicUser=yes", "ProtectSystem=strict", "StateDirectory=proteus", "Type=simple", "KillMode=mixed",
                     "ExecStart=/usr/local/bin/proteus --config /etc/proteus/proteus.json"] {
            XCTAssertTrue(unit.split(separator: "\n").contains(Substring(line)), "packaging/proteus.service lacks \(line)")
        }
        // verify checks that ExecStart's binary exists: point it at this build's.
        let dir = temporaryDirectory("unit")
        let copy = unit.replacingOccurrences(of: "ExecStart=/usr/local/bin/proteus ", with: "ExecStart=\(BuildProducts.proteus) ")
        XCTAssertNotEqual(copy, unit)
        try copy.write(toFile: dir + "/proteus.service", atomically: true, encoding: .utf8)
        let analyze = try tool("systemd-analyze", package: "systemd")
        let (status, output) = try runTool(analyze, ["verify", dir + "/proteus.service"], directory: dir)
        XCTAssertEqual(status, 0, output)
        XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), "", "systemd-analyze verify: \(output)")
    }

    func testExampleConfigPassesCheckConfig() throws {
        let text = try read("proteus.json")
        guard var config = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              var store = config["store"] as? [String: Any], var options = store["options"] as? [String: Any] else {
            return XCTFail("packaging/proteus.json: not an object with store.options")
        }
        // What the unit and the README rely on.
        XCTAssertEqual(config["dataDirectory"] as? String, "/var/lib/proteus")
        XCTAssertEqual(options["path"] as? String, "/var/lib/proteus/proteus.sqlite")
        XCTAssertEqual(config["pluginDirectory"] as? String, "/usr/local/lib/proteus")
        XCTAssertEqual(config["listen"] as? String, "127.0.0.1:8080")
        XCTAssertEqual(config["trustedProxies"] as? [String], ["127.0.0.1"])

        // Checked as shipped but for the paths of this machine: this build's
        // plugins, and a scratch state directory (check-config opens the store).
        let dir = temporaryDirectory("packaged-config")
        config["pluginDirectory"] = BuildProducts.directory
        config["dataDirectory"] = dir + "/state"
        options["path"] = dir + "/state/proteus.sqlite"
        store["options"] = options
        config["store"] = store
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: dir + "/proteus.json"))
        let (status, output) = try ProteusProcess.run(["check-config", "--config", dir + "/proteus.json"], directory: dir)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("config OK: store sqlite, auth password, dialects mcsmanager at /, aiostreams at /"), output)
    }

    func testNginxServerBlockPassesNginxTest() throws {
        let block = try read("nginx.conf")
        for line in ["proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;", "proxy_set_header X-Forwarded-Proto $scheme;",
                     "proxy_set_header Host $host;", "client_max_body_size 1m;", "server 127.0.0.1:8080;"] {
            XCTAssertTrue(block.contains(line), "packaging/nginx.conf lacks \(line)")
        }
        let nginx = try tool("nginx", package: "nginx-light")
        let openssl = try tool("openssl", package: "openssl")
        let dir = temporaryDirectory("nginx")

        // nginx -t loads the certificates: a throwaway one stands in.
        let (keyStatus, keyOutput) = try runTool(openssl, [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=id.example.com", "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem",
        ])
        XCTAssertEqual(keyStatus, 0, keyOutput)
        let copy = block
            .replacingOccurrences(of: "server 127.0.0.1:8080;", with: "server 127.0.0.1:18080;")
            .replacingOccurrences(of: "/etc/ssl/certs/id.example.com.pem", with: dir + "/cert.pem")
            .replacingOccurrences(of: "/etc/ssl/private/id.example.com.key", with: dir + "/key.pem")
        XCTAssertFalse(copy.contains("/etc/ssl/"), "a certificate path was not replaced")
        try copy.write(toFile: dir + "/proteus.conf", atomically: true, encoding: .utf8)
        // The block inside a minimal main config, every file nginx writes in `dir`.
        let main = """
        error_log \(dir)/error.log;
        pid \(dir)/nginx.pid;
        events {}
        http {
            access_log off;
            client_body_temp_path \(dir)/body;
            proxy_temp_path \(dir)/proxy;
            fastcgi_temp_path \(dir)/fastcgi;
            uwsgi_temp_path \(dir)/uwsgi;
            scgi_temp_path \(dir)/scgi;
            include \(dir)/proteus.conf;
        }
        """
        try main.write(toFile: dir + "/nginx.conf", atomically: true, encoding: .utf8)
        let (status, output) = try runTool(nginx, ["-t", "-p", dir, "-e", dir + "/error.log", "-c", dir + "/nginx.conf"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("test is successful"), output)
        XCTAssertFalse(output.contains("[warn]") || output.contains("[emerg]"), output)
    }
}
