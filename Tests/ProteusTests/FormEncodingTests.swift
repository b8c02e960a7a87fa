// PluginKit's FormEncoding: only RFC 3986 unreserved characters stay as
// they are, and parameters are appended to a URL keeping its query and
// fragment (the OIDC redirects are built with it).
import PluginKit
import XCTest

final class FormEncodingTests: XCTestCase {
    func testEverythingButUnreservedIsPercentEncoded() {
        XCTAssertEqual(FormEncoding.percentEncode("aZ09-._~"), "aZ09-._~")
        XCTAssertEqual(FormEncoding.percentEncode("a b&c=d+e/f?g#h%"), "a%20b%26c%3Dd%2Be%2Ff%3Fg%23h%25")
        XCTAssertEqual(FormEncoding.percentEncode("é"), "%C3%A9")
        XCTAssertEqual(FormEncoding.encode([("scope", "openid email"), ("x", "")]), "scope=openid%20email&x=")
    }

    func testAppendingKeepsQueryAndFragment() {
        let id = [(name: "user_id", value: "a/b")]
        XCTAssertEqual(FormEncoding.appending(id, to: "https://app/cb"), "https://app/cb?user_id=a%2Fb")
        XCTAssertEqual(FormEncoding.appending(id, to: "https://app/cb?tab=1"), "https://app/cb?tab=1&user_id=a%2Fb")
        XCTAssertEqual(FormEncoding.appending(id, to: "https://app/cb?"), "https://app/cb?user_id=a%2Fb")
        XCTAssertEqual(FormEncoding.appending(id, to: "https://app/cb?tab=1#top"), "https://app/cb?tab=1&user_id=a%2Fb#top")
    }
}
