// How a failed libcurl transfer is reported to a plugin: which proteus
// status each outcome is (the header's http_request comment is the
// contract) and a message without the URL's query or any header.
import CCurl
import PluginKit

enum OutboundErrorMapping {
    /// nil when the transfer produced a complete answer.
    static func error(for code: CURLcode, transfer: OutboundHTTPTransfer, detail: String,
                      settings: OutboundSettings, timeoutMs: Int) -> PluginError? {
        if code == CURLE_OK { return nil }
        // Checked first: a refused write surfaces as CURLE_WRITE_ERROR.
        if transfer.exceededLimit || code == CURLE_FILESIZE_EXCEEDED {
            return .tooLarge("outbound HTTP: the response is larger than outbound.maxResponseBytes (\(settings.maxResponseBytes) bytes)")
        }
        if code == CURLE_COULDNT_CONNECT, let refused = transfer.refusedDestination {
            return .denied("outbound HTTP: destination refused: \(refused); outbound.allowPrivateNetworks is false")
        }
        switch code {
        case CURLE_UNSUPPORTED_PROTOCOL:
            return .denied("outbound HTTP: redirected to a scheme other than http or https")
        case CURLE_OPERATION_TIMEDOUT:
            return .unavailable("outbound HTTP: timed out (\(timeoutMs) ms in all, connecting at most \(settings.connectTimeoutMs) ms): \(detail)")
        case CURLE_TOO_MANY_REDIRECTS:
            return .unavailable("outbound HTTP: more than outbound.maxRedirects (\(settings.maxRedirects)) redirects")
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS:
            return .unavailable("outbound HTTP: TLS failed: \(detail)")
        case CURLE_OUT_OF_MEMORY:
            return .internal("outbound HTTP: out of memory")
        case CURLE_BAD_FUNCTION_ARGUMENT, CURLE_UNKNOWN_OPTION, CURLE_NOT_BUILT_IN, CURLE_FAILED_INIT:
            return .internal("outbound HTTP: libcurl: \(detail)")
        default:
            return .unavailable("outbound HTTP: \(detail)")
        }
    }
}
