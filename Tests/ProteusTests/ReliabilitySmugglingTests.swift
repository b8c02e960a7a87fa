// The request-smuggling corpus (Tests/Fixtures/Smuggling, see its README)
// against the real binary: every case is either refused and the connection
// closed, or parsed exactly one way; a request written after it on the same
// connection is answered only when the framing was unambiguous, and the
// server keeps serving new connections.
import Foundation
import XCTest

final class ReliabilitySmugglingTests: XCTestCase {
    enum Expectation: Equatable {
        case reject(Int)
        case accept(Int)
    }

    struct Case {
        let file: String
        let expectation: Expectation
        let intent: String
    }

    static var corpusDirectory: String { CPluginBuilder.repositoryRoot + "/Tests/Fixtures/Smuggling" }

    /// The rows of the README's table: | `file` | expectation | intent |
    static func loadCases() throws -> [Case] {
        let readme = try String(contentsOfFile: corpusDirectory + "/README.md", encoding: .utf8)
        var cases: [Case] = []
        for line in readme.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 3 else { throw TestFailure("bad table row: \(line)") }
            let file = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            let words = cells[1].split(separator: " ")
            guard words.count == 2, let n = Int(words[1]) else { throw TestFailure("bad expectation: \(line)") }
            let expectation: Expectation
            switch words[0] {
            case "reject": expectation = .reject(n)
            case "accept": expectation = .accept(n)
            default: throw TestFailure("bad expectation: \(line)")
            }
            cases.append(Case(file: file, expectation: expectation, intent: cells[2]))
        }
        return cases
    }

    func testCorpusFilesAndTableAgree() throws {
        let cases = try Self.loadCases()
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpusDirectory).filter { $0.hasSuffix(".http") }
        XCTAssertEqual(Set(cases.map(\.file)), Set(files), "every .http file has exactly one row in README.md")
        XCTAssertEqual(cases.count, Set(cases.map(\.file)).count, "duplicate rows")
        XCTAssertGreaterThanOrEqual(cases.count, 60)
        for c in cases {
            let bytes = try XCTUnwrap(FileManager.default.contents(atPath: Self.corpusDirectory + "/" + c.file), c.file)
            XCTAssertFalse(bytes.isEmpty, c.file)
        }
    }

    func testEveryCaseIsRefusedOrParsedOneWay() throws {
        let cases = try Self.loadCases()
        let dir = TemporaryDirectory.make("rel-smuggle")
        var config = ProteusProcess.defaultConfig(directory: dir)
        config["dialects"] = [["plugin": "aiostreams", "mount": "/", "options": ["rateLimit": false]]]
        config["limits"] = ["requestTimeoutSeconds": 1, "idleTimeoutSeconds": 5]
        config["logRequests"] = false
        let server = try ProteusProcess(config: config, directory: dir)
        defer { server.stop() }

        // The canary: the only request in this test that answers 200 with U.
        let created = try APIClient(port: server.port).request(
            "POST", "/api/v1/user", json: ["config": ["canary": true], "password": "canary-password"])
        XCTAssertEqual(created.status, 201, created.text)
        let uuid = try XCTUnwrap(created.json?["data"]?["uuid"]?.stringValue)
        let canary = Array("GET /api/v1/user?uuid=\(uuid)&password=canary-password HTTP/1.1\r\nHost: proteus.test\r\n\r\n".utf8)
        func isCanary(_ r: RawResponse) -> Bool { r.status == 200 && r.bodyText.contains(uuid) }
        /// Reads the next final (non-1xx) response.
        func nextResponse(_ client: RawClient) throws -> RawResponse {
            while true {
                let r = try client.readResponse(timeout: 4)
                if r.status >= 200 { return r }
            }
        }

        for c in cases {
            let bytes = try XCTUnwrap(FileManager.default.contents(atPath: Self.corpusDirectory + "/" + c.file))
            let client = try RawClient(port: server.port)
            client.send(Array(bytes) + canary)
            let label = "\(c.file) (\(c.intent))"
            do {
                switch c.expectation {
                case .reject(let status):
                    let r = try nextResponse(client)
                    XCTAssertEqual(r.status, status, "\(label): \(r.bodyText)")
                    XCTAssertFalse(isCanary(r), label)
                    XCTAssertEqual(r.header("Connection")?.lowercased(), "close", label)
                    // Nothing more: no second response, then EOF.
                    do {
                        let extra = try client.readResponse(timeout: 4)
                        XCTFail("\(label): a second response after the refusal: \(extra.status) \(extra.bodyText)")
                    } catch RawClient.ClientError.closed {
                        XCTAssertTrue(client.unread.isEmpty, "\(label): bytes after the refusal: \(String(decoding: client.unread, as: UTF8.self))")
                    }
                case .accept(let count):
                    for i in 0..<count {
                        let r = try nextResponse(client)
                        XCTAssertFalse(isCanary(r), "\(label): the canary was answered as response \(i + 1) of \(count)")
                        XCTAssertNotEqual(r.header("Connection")?.lowercased(), "close", "\(label): \(r.status) \(r.bodyText)")
                        XCTAssertNotEqual(r.header("Content-Type"), "text/plain; charset=utf-8",
                                          "\(label): a transport refusal \(r.status): \(r.bodyText)")
                    }
                    let last = try nextResponse(client)
                    XCTAssertTrue(isCanary(last), "\(label): expected the canary, got \(last.status) \(last.bodyText)")
                }
            } catch {
                XCTFail("\(label): \(error); server output:\n\(server.outputText.suffix(2000))")
            }
            // The server goes on serving new connections.
            let fresh = try RawClient(port: server.port)
            fresh.send(canary)
            do {
                let r = try nextResponse(fresh)
                XCTAssertTrue(isCanary(r), "\(label): a new connection is not served: \(r.status)")
            } catch {
                XCTFail("\(label): a new connection is not served: \(error)")
            }
        }
        XCTAssertTrue(server.process.isRunning)
    }
}
