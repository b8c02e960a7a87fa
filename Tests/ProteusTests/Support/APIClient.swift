// A small HTTP/1.1 client for API tests: one keep-alive connection to a
// running proteus, JSON in and out (parsed with ProteusJSON so key order and
// exact values can be checked).
import Foundation
import ProteusJSON

struct APIResponse {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue? { try? JSONParser.parse(body) }

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

final class APIClient {
    let port: UInt16
    /// The loopback address to connect from (nil: the system's choice).
    let sourceAddress: String?
    private var connection: RawClient?

    init(port: UInt16, sourceAddress: String? = nil) {
        self.port = port
        self.sourceAddress = sourceAddress
    }

    /// Sends one request and reads its response (reconnecting if needed).
    func request(_ method: String, _ target: String, headers: [(String, String)] = [],
                 body: [UInt8]? = nil, json: JSONValue? = nil, timeout: Double = 30) throws -> APIResponse {
        var payload = body
        var allHeaders = headers
        if let json {
            payload = Array(json.serialized().utf8)
            allHeaders.append(("Content-Type", "application/json"))
        }
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        for (name, value) in allHeaders { head += "\(name): \(value)\r\n" }
        if let payload { head += "Content-Length: \(payload.count)\r\n" }
        head += "\r\n"
        let client = try connection ?? RawClient(port: port, sourceAddress: sourceAddress)
        connection = client
        client.send(Array(head.utf8) + (payload ?? []))
        do {
            let raw = try client.readResponse(timeout: timeout, bodyExpected: method != "HEAD")
            if raw.header("Connection")?.lowercased() == "close" { connection = nil }
            return APIResponse(status: raw.status, headers: raw.headers, body: raw.body)
        } catch {
            connection = nil
            throw error
        }
    }

    static func basic(_ user: String, _ password: String) -> (String, String) {
        ("Authorization", "Basic " + Data("\(user):\(password)".utf8).base64EncodedString())
    }
}

/// Percent-encoding for query values in tests.
func q(_ s: String) -> String {
    s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s
}
