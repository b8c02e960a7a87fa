// Cortex Hub config export (admin only, YAML) and import (multipart field
// "file", YAML through libyaml): content type, round trip, refusals that
// change nothing (billion laughs, non-mappings, malformed multipart) and
// an import that changes only the caller.
import Foundation
import PluginKit
import ProteusJSON
import XCTest

class CortexHubYAMLTests: XCTestCase {
    var hub: HubServer!

    override func setUpWithError() throws { hub = try HubServer(label: "ch-yaml") }

    override func tearDown() {
        hub?.stop()
        hub = nil
    }

    static let boundary = "proteus-test-boundary-7MA4YWxkTrZu0gW"

    /// A multipart/form-data body with these fields (name, filename, bytes).
    static func multipart(_ fields: [(String, String?, [UInt8])], boundary: String = boundary) -> [UInt8] {
        var body: [UInt8] = []
        for (name, filename, bytes) in fields {
            var disposition = "Content-Disposition: form-data; name=\"\(name)\""
            if let filename { disposition += "; filename=\"\(filename)\"" }
            body += Array("--\(boundary)\r\n\(disposition)\r\nContent-Type: application/x-yaml\r\n\r\n".utf8)
            body += bytes
            body += Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return body
    }

    func importYAML(_ client: HubClient, _ yaml: String) throws -> APIResponse {
        try importRaw(client, Self.multipart([("file", "config.yaml", Array(yaml.utf8))]))
    }

    func importRaw(_ client: HubClient, _ body: [UInt8], contentType: String = "multipart/form-data; boundary=\(boundary)") throws -> APIResponse {
        try client.call("POST", "/users/me/config/import", body: body, headers: [("Content-Type", contentType)])
    }

    static let tricky: JSONValue = [
        "llm": [
            "active_provider": "openai",
            "providers": ["openai": ["api_key": "sk-1: not # a comment", "model": "gpt-4o", "temperature": 0.5, "max_tokens": 4096,
                                     "extra": [1, nil, true, false, "", "null", "true", "yes", "no", "~", "123", "1.5", "-0", "0x1F", "<<", ".inf"]]],
            "prompt": "line one\nline two\n\ttabbed \"quoted\" 'single' — ünïcödé 🚀",
            "big": .number(JSONNumber("12345678901234567890")!),
            "exp": .number(JSONNumber("1e-7")!),
            "nested": ["a": ["b": ["c": [[], [:], [[1, 2], ["k": "v"]]]]]],
            "- dash key": "value: with colon",
            "123": "numeric key",
        ],
        "tts": ["engine": "elevenlabs", "voice": nil],
        "stt": [:],
    ]

    func testAdminExportIsYAMLOfThePreferences() throws {
        let put = try hub.admin.call("PUT", "/users/me/config", json: ["llm": ["active_provider": "openai", "model": "gpt-4o"], "tts": ["speed": 1.25]])
        XCTAssertEqual(put.status, 200, put.text)
        let r = try hub.admin.call("GET", "/users/me/config/export")
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertTrue(r.header("Content-Type")?.lowercased().contains("yaml") ?? false, r.header("Content-Type") ?? "none")
        XCTAssertEqual(r.text, """
            llm:
              active_provider: openai
              model: gpt-4o
            tts:
              speed: 1.25
            stt: {}

            """)
        // Without an id 401; a user who is not an admin 403.
        assertDetail(try hub.admin.call("GET", "/users/me/config/export", sendID: false), 401)
        try hub.createUser("ned")
        let ned = try hub.signedIn("ned")
        assertDetail(try ned.call("GET", "/users/me/config/export"), 403, "Admin access required")
    }

    func testExportImportRoundTrip() throws {
        let put = try hub.admin.call("PUT", "/users/me/config", json: Self.tricky)
        XCTAssertEqual(put.status, 200, put.text)
        let exported = try hub.admin.call("GET", "/users/me/config/export")
        XCTAssertEqual(exported.status, 200, exported.text)
        // Something else in between, then the export back.
        XCTAssertEqual(try hub.admin.call("PUT", "/users/me/config", json: ["llm": ["x": 1], "tts": ["y": 2], "stt": ["z": 3]]).status, 200)
        let imported = try importRaw(hub.admin, Self.multipart([("file", "config.yaml", exported.body)]))
        XCTAssertEqual(imported.status, 200, imported.text)
        XCTAssertEqual(imported.json, Self.tricky, imported.text)
        let after = try hub.admin.call("GET", "/users/me/config")
        XCTAssertEqual(after.json, Self.tricky, "exported:\n\(exported.text)\nafter: \(after.text)")
        // And the second export is the same text.
        XCTAssertEqual(try hub.admin.call("GET", "/users/me/config/export").text, exported.text)
    }

    func testImportReadsYAMLTypesAndMergesSectionsOfTheCallerOnly() throws {
        try hub.createUser("uma")
        let uma = try hub.signedIn("uma")
        XCTAssertEqual(try uma.call("PUT", "/users/me/config", json: ["stt": ["engine": "whisper"]]).status, 200)
        let adminBefore = try hub.admin.call("GET", "/users/me/config")
        let r = try importYAML(uma, """
            # a comment
            base: &base {model: gpt-4o, temperature: 0.7}
            llm:
              provider: "openai"
              settings: *base
              flags: [true, False, null, ~, '1', 2, 3.5, yes, 0x10]
              text: |
                literal
                block
              tagged: !!str 12
            tts: !!map {voice: alloy}
            other: ignored
            """)
        XCTAssertEqual(r.status, 200, r.text)
        let expected: JSONValue = [
            "llm": ["provider": "openai", "settings": ["model": "gpt-4o", "temperature": 0.7],
                    "flags": [true, false, nil, nil, "1", 2, 3.5, "yes", "0x10"], "text": "literal\nblock\n", "tagged": "12"],
            "tts": ["voice": "alloy"],
            "stt": ["engine": "whisper"],
        ]
        XCTAssertEqual(r.json, expected, r.text)
        XCTAssertEqual(try uma.call("GET", "/users/me/config").json, expected)
        // The admin's preferences did not move.
        XCTAssertEqual(try hub.admin.call("GET", "/users/me/config").json, adminBefore.json)
        // Import needs a signed-in caller, not an admin.
        assertDetail(try importRaw(HubClient(port: hub.port), Self.multipart([("file", nil, Array("llm: {}".utf8))])), 401)
    }

    func testBillionLaughsIsRefusedQuicklyAndChangesNothing() throws {
        XCTAssertEqual(try hub.admin.call("PUT", "/users/me/config", json: ["llm": ["model": "kept"]]).status, 200)
        var yaml = "a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        for i in 1...9 {
            yaml += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ",") + "]\n"
        }
        yaml += "llm: {bomb: *a9}\n"
        let start = Date()
        let r = try importYAML(hub.admin, yaml)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        XCTAssertTrue([400, 413, 422].contains(r.status), r.text)
        XCTAssertEqual(r.json?["detail"]?.stringValue?.contains("nodes"), true, r.text)
        XCTAssertEqual(try hub.admin.call("GET", "/users/me/config").json, ["llm": ["model": "kept"], "tts": [:], "stt": [:]])
        // Also when it is the strings that are long.
        let long = "a: &a \"" + String(repeating: "x", count: 8_000) + "\"\nllm: {l: [" + Array(repeating: "*a", count: 1_000).joined(separator: ",") + "]}\n"
        let longStart = Date()
        let refused = try importYAML(hub.admin, long)
        XCTAssertLessThan(Date().timeIntervalSince(longStart), 5)
        XCTAssertEqual(refused.status, 413, refused.text)
        // Deep nesting is refused too.
        let deep = try importYAML(hub.admin, "llm: " + String(repeating: "[", count: 200) + String(repeating: "]", count: 200))
        XCTAssertTrue([400, 413, 422].contains(deep.status), deep.text)
    }

    /// A large file without aliases is read in linear time (no copy per
    /// node) and within the node bound, which grows with the file.
    func testALargeFileIsReadQuickly() throws {
        hub.stop()
        hub = try HubServer(label: "ch-yaml-large", extraConfig: ["limits": ["maxBodyBytes": 4 << 20]])
        let count = 200_000
        let yaml = "llm:\n  list: [" + Array(repeating: "7", count: count).joined(separator: ",") + "]\n"
        let start = Date()
        let r = try importYAML(hub.admin, yaml)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        XCTAssertEqual(r.status, 200, String(r.text.prefix(300)))
        XCTAssertEqual(r.json?["llm"]?["list"]?.arrayValue?.count, count)
    }

    func testNonMappingsAndBadYAMLAreRefusedAndChangeNothing() throws {
        let before: JSONValue = ["llm": ["model": "kept"], "tts": ["voice": "v"], "stt": [:]]
        XCTAssertEqual(try hub.admin.call("PUT", "/users/me/config", json: before).status, 200)
        // Not a mapping at the root, invalid YAML, unsupported tags, several documents: 400.
        for yaml in ["- llm\n- tts\n", "just a string", "42", "", "llm: [unclosed", "llm: {a: 1}\nllm: {b: 2}\n",
                     "llm: !!python/object:os.system {}", "llm: !custom {a: 1}", "llm: {a: 1}\n---\ntts: {b: 2}\n",
                     "llm: {n: !!int abc}", "? [complex, key]\n: value\n", "llm: *nowhere"] {
            let r = try importYAML(hub.admin, yaml)
            assertDetail(r, 400)
        }
        // A section that is not a mapping: 422 naming it; nothing written even when another section is fine.
        for (yaml, section) in [("llm: [1, 2]\n", "llm"), ("tts: loud\nllm: {a: 1}\n", "tts"), ("stt: 3\n", "stt")] {
            assertValidation(try importYAML(hub.admin, yaml), loc: ["body", "file", .string(section)], type: "dict_type")
        }
        XCTAssertEqual(try hub.admin.call("GET", "/users/me/config").json, before)
    }

    func testMalformedMultipartIsRefused() throws {
        XCTAssertEqual(try hub.admin.call("PUT", "/users/me/config", json: ["llm": ["model": "kept"]]).status, 200)
        let good = Self.multipart([("file", "c.yaml", Array("llm: {model: new}".utf8))])
        let b = Self.boundary
        let malformed: [(String, [UInt8])] = [
            ("multipart/form-data", good),                                           // no boundary
            ("multipart/form-data; boundary=other", good),                           // wrong boundary
            ("multipart/form-data; boundary=\"\(b)", good),                          // unterminated quote
            ("multipart/form-data; boundary=\(String(repeating: "x", count: 71))", good), // too long
            ("multipart/form-data; boundary=\(b)", Array(good.dropLast(8))),        // no close delimiter
            ("multipart/form-data; boundary=\(b)", Array("--\(b)\r\nContent-Disposition: form-data; name=\"file\"\r\n value\r\n\r\nllm: {}\r\n--\(b)--\r\n".utf8)), // folded header
            ("multipart/form-data; boundary=\(b)", Array("--\(b)\r\nContent-Type: text/plain\r\n\r\nllm: {}\r\n--\(b)--\r\n".utf8)), // no disposition
            ("multipart/form-data; boundary=\(b)", Array("--\(b)\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nllm: {}\r\n--\(b)--\r\n".utf8)), // no name
            ("multipart/form-data; boundary=\(b)", Array("--\(b)\r\nContent-Disposition: form-data; name=\"file\r\n\r\nllm: {}\r\n--\(b)--\r\n".utf8)), // unterminated quote
            ("multipart/form-data; boundary=\(b)", Array("--\(b)--\r\n".utf8)),      // no parts
            ("multipart/form-data; boundary=\(b)", Self.multipart([("file", nil, Array("a: 1".utf8)), ("file", nil, Array("b: 2".utf8))])), // two files
        ]
        for (contentType, body) in malformed {
            assertDetail(try importRaw(hub.admin, body, contentType: contentType), 400)
        }
        // Not multipart at all, or no field "file": 422 as FastAPI says.
        assertValidation(try hub.admin.call("POST", "/users/me/config/import", json: ["llm": [:]]), loc: ["body", "file"], type: "missing")
        assertValidation(try importRaw(hub.admin, Self.multipart([("upload", "c.yaml", Array("llm: {}".utf8))])), loc: ["body", "file"], type: "missing")
        XCTAssertEqual(try hub.admin.call("GET", "/users/me/config").json?["llm"], ["model": "kept"])
        // A preamble, a quoted boundary, extra fields and an epilogue are fine.
        var body = Array("preamble\r\n".utf8) + Self.multipart([("note", nil, Array("hi".utf8)), ("file", "c.yaml", Array("llm: {model: new}\n".utf8))])
        body += Array("epilogue".utf8)
        let ok = try importRaw(hub.admin, body, contentType: "Multipart/Form-Data; charset=utf-8; boundary=\"\(b)\"")
        XCTAssertEqual(ok.status, 200, ok.text)
        XCTAssertEqual(ok.json?["llm"], ["model": "new"])
    }
}

/// The same on PostgreSQL (scripts/test starts the cluster).
final class CortexHubYAMLPostgresTests: CortexHubYAMLTests {
    override func setUpWithError() throws {
        CH.usePostgres()
        try super.setUpWithError()
    }

    override func tearDown() {
        super.tearDown()
        CH.useSQLite()
    }
    override func testAdminExportIsYAMLOfThePreferences() throws { try super.testAdminExportIsYAMLOfThePreferences() }
    override func testExportImportRoundTrip() throws { try super.testExportImportRoundTrip() }
    override func testImportReadsYAMLTypesAndMergesSectionsOfTheCallerOnly() throws { try super.testImportReadsYAMLTypesAndMergesSectionsOfTheCallerOnly() }
    override func testBillionLaughsIsRefusedQuicklyAndChangesNothing() throws { try super.testBillionLaughsIsRefusedQuicklyAndChangesNothing() }
    override func testNonMappingsAndBadYAMLAreRefusedAndChangeNothing() throws { try super.testNonMappingsAndBadYAMLAreRefusedAndChangeNothing() }
    override func testMalformedMultipartIsRefused() throws { try super.testMalformedMultipartIsRefused() }
    override func testALargeFileIsReadQuickly() throws { try super.testALargeFileIsReadQuickly() }
}

/// PluginKit's MultipartForm on its own: what it reads and what it refuses.
final class MultipartFormTests: XCTestCase {
    func testBoundaryFromContentType() throws {
        XCTAssertEqual(try MultipartForm.boundary(contentType: "multipart/form-data; boundary=abc"), "abc")
        XCTAssertEqual(try MultipartForm.boundary(contentType: "Multipart/Form-Data ; charset=x; BOUNDARY=\"a b:c\""), "a b:c")
        for bad in ["text/plain; boundary=abc", "multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=\"\"",
                    "multipart/form-data; boundary=a;b", "multipart/form-data; boundary=a; boundary=b", "multipart/form-data; boundary=\"ab ",
                    "multipart/form-data; boundary=\"ab \"", "multipart/form-data; boundary=" + String(repeating: "x", count: 71),
                    "multipart/form-data; boundary=é", "multipart/form-data; boundary=a{b}"] {
            XCTAssertThrowsError(try MultipartForm.boundary(contentType: bad), bad)
        }
    }

    func testPartsAndRefusals() throws {
        let body = Array("--b\r\nContent-Disposition: form-data; name=\"a\\\"q\"; filename=\"f.yaml\"\r\nContent-Type: Application/X-YAML; charset=utf-8\r\n\r\nx\r\n--\r\n--b\r\ncontent-disposition: form-data; name=n\r\n\r\n\r\n--b--".utf8)
        let parts = try MultipartForm.parse(body, boundary: "b")
        XCTAssertEqual(parts.map(\.name), ["a\"q", "n"])
        XCTAssertEqual(parts[0].filename, "f.yaml")
        XCTAssertEqual(parts[0].contentType, "application/x-yaml")
        XCTAssertEqual(parts[0].body, Array("x\r\n--".utf8))
        XCTAssertEqual(parts[1].body, [])
        let part = "Content-Disposition: form-data; name=a\r\n\r\nx\r\n"
        let refused: [String] = [
            "", "--b--", "--c\r\n\(part)--c--", "--b\r\n\(part)", "--bx\r\n\(part)--b--",
            "--b\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--b--",
            "--b\r\nContent-Disposition: form-data; name=a\r\nContent-Disposition: form-data; name=b\r\n\r\nx\r\n--b--",
            "--b\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\nx\r\n--b--",
            "--b\r\nContent-Disposition: form-data; name=\r\n\r\nx\r\n--b--",
            "--b\r\nContent-Disposition: form-data; name=a\nX: y\r\n\r\nx\r\n--b--",
            "--b\r\nContent-Disposition: form-data\r\n name=a\r\n\r\nx\r\n--b--",
            "--b\r\nNo colon\r\n\r\nx\r\n--b--",
            "--b\r\nContent-Disposition: form-data; name=a" + String(repeating: " ", count: 9000) + "\r\n\r\nx\r\n--b--",
            String(repeating: "--b\r\n\(part)", count: 17) + "--b--",
        ]
        for text in refused {
            XCTAssertThrowsError(try MultipartForm.parse(Array(text.utf8), boundary: "b"), String(text.prefix(120)))
        }
        XCTAssertEqual(try MultipartForm.parse(Array((String(repeating: "--b\r\n\(part)", count: 16) + "--b--").utf8), boundary: "b").count, 16)
    }
}
