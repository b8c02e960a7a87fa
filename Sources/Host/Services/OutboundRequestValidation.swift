// What a plugin's outbound request must look like before libcurl sees it:
// nothing from C is trusted, and every refusal is INVALID with the reason.
import CCurl
import PluginKit

enum OutboundRequestValidation {
    /// Headers whose meaning is the transport's (framing, the connection,
    /// the destination); a plugin setting them could desynchronise or
    /// misdirect the exchange.
    static let refusedHeaderNames: Set<String> = ["content-length", "transfer-encoding", "connection", "expect", "host", "te"]

    static func check(_ request: OutboundRequest, settings: OutboundSettings) throws(PluginError) {
        guard isToken(Array(request.method.utf8)), request.method.utf8.count <= 32 else {
            throw .invalid("outbound HTTP: the method is not an HTTP token")
        }
        if request.method == "HEAD", request.body != nil { throw .invalid("outbound HTTP: a HEAD request has no body") }
        try checkURL(request.url)
        for header in request.headers {
            guard isToken(header.name) else { throw .invalid("outbound HTTP: a header name is not an HTTP token") }
            let name = String(decoding: header.name, as: UTF8.self).lowercased()
            guard !refusedHeaderNames.contains(name) else { throw .invalid("outbound HTTP: the header \(name) is set by the host") }
            guard !header.value.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw .invalid("outbound HTTP: the value of header \(name) contains CR, LF or NUL")
            }
        }
        if request.trustExtraCA && settings.extraCAFile == nil {
            throw .invalid("outbound HTTP: the request asks for the extra CA, but the config sets no outbound.extraCAFile")
        }
    }

    /// An absolute http(s) URL with a host, as libcurl's own parser reads it
    /// (so the check and the transfer never disagree).
    private static func checkURL(_ url: String) throws(PluginError) {
        guard !url.utf8.contains(0) else { throw .invalid("outbound HTTP: the URL contains NUL") }
        guard let parsed = curl_url() else { throw .internal("outbound HTTP: out of memory") }
        defer { curl_url_cleanup(parsed) }
        guard url.withCString({ curl_url_set(parsed, CURLUPART_URL, $0, 0) }) == CURLUE_OK else {
            throw .invalid("outbound HTTP: the URL is not a valid absolute URL")
        }
        guard let scheme = part(parsed, CURLUPART_SCHEME)?.lowercased(), scheme == "http" || scheme == "https" else {
            throw .invalid("outbound HTTP: only http and https URLs are allowed")
        }
        guard let host = part(parsed, CURLUPART_HOST), !host.isEmpty else {
            throw .invalid("outbound HTTP: the URL has no host")
        }
    }

    private static func part(_ url: OpaquePointer, _ which: CURLUPart) -> String? {
        var text: UnsafeMutablePointer<CChar>?
        guard curl_url_get(url, which, &text, 0) == CURLUE_OK, let text else { return nil }
        defer { curl_free(text) }
        return String(cString: text)
    }

    /// RFC 9110 token: one or more tchar.
    static func isToken(_ bytes: [UInt8]) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || Array("!#$%&'*+-.^_`|~".utf8).contains(b)
        }
    }
}
